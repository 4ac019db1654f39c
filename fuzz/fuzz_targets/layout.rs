//! Any essay body, laid out as PDF pages: never a panic, and no line wider than the measure
//! unless one cluster is.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wenji_fuzz_support::{config, essay_book};

#[path = "../support.rs"]
mod wenji_fuzz_support;

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data);
    let Some(book) = essay_book(&body) else { return };
    let fonts = wenji::font::FontSet::bundled();
    let (layout, _) = wenji::typeset::typeset(&book, &config().pdf, &fonts);
    assert!(!layout.pages.is_empty());
});
