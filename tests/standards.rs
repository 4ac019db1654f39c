//! What publishers, stores and accessibility auditors check: PDF/UA-1 (and PDF/A-2 when
//! chosen) by `page`, the checker from PyPI `page-validation`; the EPUB by Ace by DAISY; both
//! on the seeds, the features book, the corpus's blogs and one of ../shared/blogs.

mod support;

use std::path::{Path, PathBuf};

use support::*;

/// Builds `dir` (with the default formats unless `extra` names others) into a new folder.
fn build(dir: &Path, extra: &[&str]) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let mut args = vec!["build", dir.to_str().unwrap(), "-o", out.path().to_str().unwrap()];
    args.extend(extra);
    let o = wenji_within(&repo(), &args, &[], std::time::Duration::from_secs(600));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    out
}

/// The book of `format` (`pdf`, `epub`) in `out`.
fn book(out: &tempfile::TempDir, format: &str) -> PathBuf {
    only_file(out.path(), format)
}

/// A copy of the features book with `[pdf]` set as `pdf_section` says.
fn features_with(pdf_section: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("features"), dir.path());
    let toml = std::fs::read_to_string(dir.path().join("book.toml")).unwrap();
    assert!(!toml.contains("[pdf]"), "the features book sets no [pdf] of its own");
    std::fs::write(dir.path().join("book.toml"), format!("{toml}\n[pdf]\n{pdf_section}\n")).unwrap();
    dir
}

/// The XMP metadata of `pdf`, uncompressed (krilla writes it as plain text, as PDF/A asks).
fn xmp(pdf: &Path) -> String {
    let bytes = std::fs::read(pdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let start = text.find("<x:xmpmeta").expect("an XMP packet");
    let end = start + text[start..].find("</x:xmpmeta>").expect("the packet closes");
    text[start..end].to_owned()
}

#[test]
fn the_seeds_and_the_fixture_books_conform_to_pdf_ua_1_and_pass_ace() {
    for dir in [repo(), fixture("features"), fixture("formulas"), fixture("traditional")] {
        let out = build(&dir, &[]);
        let (pdf, epub) = (book(&out, "pdf"), book(&out, "epub"));
        assert_pdf_conforms(&pdf, "ua1");
        let x = xmp(&pdf);
        assert!(x.contains("<pdfuaid:part>1</pdfuaid:part>"), "{x}");
        if let Some((ok, out)) = tool("qpdf", &["--check"], &pdf) {
            assert!(ok && out.contains("No syntax or stream encoding errors"), "{}: {out}", pdf.display());
        }
        assert_ace_clean(&epub);
    }
}

#[test]
fn the_pdf_carries_the_books_identifier_and_shows_its_title() {
    let out = build(&fixture("features"), &[]);
    let (pdf, epub) = (book(&out, "pdf"), book(&out, "epub"));
    // The identifier the EPUB's pageBreakSource names is the PDF's dc:identifier.
    let opf = texts(&epub).into_iter().find(|(name, _)| name.ends_with(".opf")).unwrap().1;
    let source = opf.split("<meta property=\"pageBreakSource\">").nth(1).expect("a pageBreakSource");
    let id = &source[..source.find('<').unwrap()];
    assert!(id.starts_with("urn:"), "{id}");
    let x = xmp(&pdf);
    assert!(x.contains(&format!("<dc:identifier>{id}</dc:identifier>")), "{id} in {x}");
    if let Some((ok, json)) = tool("qpdf", &["--json=2", "--json-key=qpdf"], &pdf) {
        assert!(ok);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let objects = &v["qpdf"][1];
        let root = objects["trailer"]["value"]["/Root"].as_str().unwrap();
        let catalog = &objects[format!("obj:{root}")]["value"];
        let preferences = match &catalog["/ViewerPreferences"] {
            serde_json::Value::String(r) => objects[format!("obj:{r}")]["value"].clone(),
            direct => direct.clone(),
        };
        assert_eq!(preferences["/DisplayDocTitle"], true, "viewers show the title, not the file name: {catalog}");
    }
}

#[test]
fn pdf_a_2b_and_pdf_a_2a_when_chosen_alone_or_with_pdf_ua() {
    for (standard, profiles, not) in [
        ("a-2b", &["2b"][..], Some("ua1")),
        ("a-2a", &["2a"][..], Some("ua1")),
        ("ua-1+a-2b", &["ua1", "2b"][..], None),
        ("ua-1+a-2a", &["ua1", "2a"][..], None),
    ] {
        let features = features_with(&format!("standard = \"{standard}\""));
        let out = build(features.path(), &["--format", "pdf"]);
        let pdf = book(&out, "pdf");
        for profile in profiles {
            assert_pdf_conforms(&pdf, profile);
        }
        // A standard not chosen is not claimed.
        if let Some(failures) = not.and_then(|p| pdf_conformance_failures(&pdf, p)) {
            assert!(failures.iter().any(|f| f.contains("PDFUA1-ID")), "{standard} claims PDF/UA: {failures:?}");
        }
    }
}

#[test]
fn standard_none_claims_nothing_and_a_wrong_name_is_an_error_at_its_line() {
    let features = features_with("standard = \"none\"");
    let out = build(features.path(), &["--format", "pdf"]);
    let x = xmp(&book(&out, "pdf"));
    assert!(!x.contains("pdfuaid") && !x.contains("pdfaid"), "{x}");

    let features = features_with("standard = \"ua-2\"");
    let o = wenji(&repo(), &["build", features.path().to_str().unwrap(), "-o", features.path().join("out").to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("book.toml:") && err.contains("ua-2") && err.contains("ua-1"), "{err}");
}

#[test]
fn a_character_no_font_has_keeps_the_pdf_conforming_and_copies_as_itself() {
    // U+2A2A8 (CJK Extension B), a tab and an emoji: none of them in the bundled fonts.
    let dir = book_folder(
        "[book]\ntitle = \"缺字\"\nauthors = [\"测试者\"]\n\n[pdf]\nsystem-fonts = false\n",
        &[("one.md", "---\ntitle: 一篇\ndate: 2024-01-02\n---\n\n罕见字𪊨在这里，表情🚀也在，\t制表符也在。\n")],
    );
    let out = build(dir.path(), &["--format", "pdf"]);
    let pdf = book(&out, "pdf");
    assert_pdf_conforms(&pdf, "ua1");
    if let Some(text) = body_text(&pdf) {
        assert!(text.contains("罕见字𪊨在这里") && text.contains("🚀"), "copied text keeps what no font has: {text}");
    }
}

#[test]
fn the_corpus_blogs_and_a_whole_blog_conform_to_pdf_ua_1_and_pass_ace() {
    let Some(corpus) = corpus() else { return };
    for blog in CORPUS_BLOGS {
        let out = build(&corpus.join(blog), &["--offline"]);
        let (pdf, epub) = (book(&out, "pdf"), book(&out, "epub"));
        for failure in pdf_conformance_failures(&pdf, "ua1").unwrap_or_default() {
            // page 0.11 reads the widths of a CID-keyed CFF subset (an installed OpenType CJK
            // face, taken for a character the bundled fonts lack) as 0 where fontTools reads
            // the font's own 920 and the PDF's /W says 920: its mistake, not the file's.
            assert!(failure.contains("FONT-GLYPH-WIDTH") && failure.contains("CIDFontType0C"), "{blog}: {failure}");
        }
        if blog.starts_with("hugo-even") {
            assert_ace_clean(&epub);
        }
    }
    let Some(blogs) = shared_blogs() else { return };
    let out = build(&blogs.join("yihui"), &["--offline", "--format", "pdf"]);
    assert_pdf_conforms(&book(&out, "pdf"), "ua1");
}

#[test]
fn a_font_whose_licence_forbids_embedding_fails_the_standard_saying_why_and_none_builds() {
    let toml = |standard: &str| format!("[book]\ntitle = \"授权\"\nauthors = [\"测试者\"]\n\n[pdf]\nfonts = {{ mono = \"restricted.ttf\" }}\n{standard}");
    let dir = book_folder(&toml(""), &[("one.md", "---\ntitle: 一篇\ndate: 2024-01-02\n---\n\n代码 `let x = 1;` 在这里。\n")]);
    // The bundled code font with its OS/2 fsType set to 2, Restricted License embedding.
    let mut font = std::fs::read(repo().join("fonts/NotoSansMono-Regular.ttf")).unwrap();
    let tables = u16::from_be_bytes([font[4], font[5]]) as usize;
    let record = (0..tables).map(|i| 12 + 16 * i).find(|&r| &font[r..r + 4] == b"OS/2").expect("an OS/2 table");
    let os2 = u32::from_be_bytes(font[record + 8..record + 12].try_into().unwrap()) as usize;
    font[os2 + 8..os2 + 10].copy_from_slice(&2u16.to_be_bytes());
    std::fs::write(dir.path().join("restricted.ttf"), font).unwrap();
    let out = dir.path().join("out");
    let o = wenji(&repo(), &["build", dir.path().to_str().unwrap(), "-o", out.to_str().unwrap(), "--format", "pdf"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("the PDF cannot meet [pdf] standard = \"ua-1\"") && err.contains("licence does not allow embedding"), "{err}");
    assert!(err.contains("standard = \"none\"") && err.contains("(1 error"), "the way out, and the failure counted: {err}");
    assert!(!out.exists() || std::fs::read_dir(&out).unwrap().next().is_none(), "no PDF is left behind");
    std::fs::write(dir.path().join("book.toml"), toml("standard = \"none\"\n")).unwrap();
    let o = wenji(&repo(), &["build", dir.path().to_str().unwrap(), "-o", out.to_str().unwrap(), "--format", "pdf"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
