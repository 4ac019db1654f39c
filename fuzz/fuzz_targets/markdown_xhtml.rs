//! Any essay body, converted to the EPUB's XHTML: well-formed XML that breaks none of the
//! rules EPUBCheck holds an essay's page to: ids unique and XML names, no link inside a link,
//! every `#fragment` naming an element of the page, every web address a valid URL.
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use wenji_fuzz_support::essay_book;

#[path = "../support.rs"]
mod wenji_fuzz_support;

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data);
    let Some(book) = essay_book(&body) else { return };
    for essay in &book.essays {
        let page = wenji::epub::xhtml::essay_page(&book, essay, "../images/", &[], &Default::default());
        let doc = match roxmltree::Document::parse_with_options(&page, roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() }) {
            Ok(doc) => doc,
            Err(e) => panic!("not well-formed: {e}\n{page}"),
        };
        let mut ids = HashSet::new();
        for node in doc.descendants().filter(|n| n.is_element()) {
            if let Some(id) = node.attribute("id") {
                assert!(is_ncname(id), "id `{id}` is not an XML name\n{page}");
                assert!(ids.insert(id), "id `{id}` twice\n{page}");
            }
            if node.has_tag_name(("http://www.w3.org/1999/xhtml", "a")) {
                assert!(!node.ancestors().skip(1).any(|a| a.has_tag_name(("http://www.w3.org/1999/xhtml", "a"))), "a link inside a link\n{page}");
            }
        }
        for node in doc.descendants().filter(|n| n.is_element()) {
            let Some(href) = node.attribute("href") else { continue };
            if let Some(fragment) = href.strip_prefix('#') {
                assert!(ids.contains(fragment), "`{href}` names nothing on the page\n{page}");
            } else if href.contains("://") || href.starts_with("mailto:") {
                assert!(is_url(href), "`{href}` is not a valid URL\n{page}");
            }
        }
    }
});

/// XML 1.0's NameStartChar and NameChar, less the colon.
fn is_ncname(s: &str) -> bool {
    fn start(c: char) -> bool {
        matches!(c, 'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}'
            | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
            | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
    }
    let mut chars = s.chars();
    chars.next().is_some_and(start) && chars.all(|c| start(c) || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}'))
}

/// What EPUBCheck's URL parser refuses: spaces, quotes and other characters a URL may not
/// hold, controls, U+FFFD, a `%` not followed by two hex digits, an empty host.
fn is_url(href: &str) -> bool {
    let bytes = href.as_bytes();
    let escapes_ok = href.match_indices('%').all(|(i, _)| bytes.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)));
    let chars_ok = !href.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\u{FFFD}' || matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}'));
    let host_ok = match href.split_once("://") {
        Some((_, rest)) => !rest.split(['/', '?', '#']).next().unwrap_or("").is_empty(),
        None => true,
    };
    escapes_ok && chars_ok && host_ok
}
