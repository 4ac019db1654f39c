//! Any essay body, converted to the EPUB's XHTML: always well-formed XML.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wenji_fuzz_support::essay_book;

#[path = "../support.rs"]
mod wenji_fuzz_support;

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data);
    let Some(book) = essay_book(&body) else { return };
    for essay in &book.essays {
        let page = wenji::epub::xhtml::essay_page(&book, essay, "../images/", &[], &Default::default());
        if let Err(e) = roxmltree::Document::parse_with_options(&page, roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() }) {
            panic!("not well-formed: {e}\n{page}");
        }
    }
});
