//! Any file, split and read as an essay: a diagnostic or an essay, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wenji::manuscript::{ReadOptions, parse};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (essay, diags) = parse(std::path::Path::new("fuzz.md"), &text, &ReadOptions::default());
    // Every diagnostic points inside the file.
    let lines = text.matches(['\n', '\r']).count() + 1;
    for d in &diags {
        assert!(d.line <= lines, "line {} of {}", d.line, lines);
    }
    if let Some(m) = essay {
        assert!(m.body_offset <= m.source.len());
    }
});
