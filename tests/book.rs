//! Book features across both outputs: the EPUB's print page numbers, the tag index, covers,
//! embedded fonts. Each is checked against the PDF it refers to.

mod support;

use std::path::{Path, PathBuf};

use support::*;

/// Builds `dir` (EPUB and PDF) into a new folder: (folder, EPUB, PDF).
fn build_both(dir: &Path, extra: &[&str]) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let mut args = vec!["build", dir.to_str().unwrap(), "-o", out.path().to_str().unwrap()];
    args.extend(extra);
    let o = wenji(&repo(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (epub, pdf) = (only_file(out.path(), "epub"), only_file(out.path(), "pdf"));
    (out, epub, pdf)
}

/// The EPUB's page numbers are the PDF's, for the book in `dir`.
fn assert_print_pages_match(dir: &Path) {
    let (_out, epub, pdf) = build_both(dir, &[]);
    assert_epubcheck_clean(&epub);
    if let Some((listed, checked)) = print_pages_match(&epub, &pdf) {
        eprintln!("{}: {listed} pages listed, {checked} blocks on their pages", dir.display());
    }
}

#[test]
fn page_list_of_the_seeds_matches_the_pdf() {
    assert_print_pages_match(&repo());
}

#[test]
fn page_list_of_a_blog_with_lists_code_tables_and_notes_matches_the_pdf() {
    assert_print_pages_match(&fixture("corpus/hugo-loveit"));
}

#[test]
fn accessibility_metadata_declares_the_page_source() {
    let (_out, epub, _pdf) = build_both(&repo(), &[]);
    let opf = &texts(&epub)["EPUB/package.opf"];
    let doc = parse_xml(opf).unwrap();
    let values = |property: &str| -> Vec<String> {
        doc.descendants().filter(|n| n.attribute("property") == Some(property)).map(|n| n.text().unwrap_or("").to_owned()).collect()
    };
    let features = values("schema:accessibilityFeature");
    for f in ["printPageNumbers", "tableOfContents", "readingOrder"] {
        assert!(features.iter().any(|x| x == f), "no {f} in {features:?}");
    }
    assert_eq!(values("schema:accessMode"), ["textual"]);
    assert!(values("schema:accessibilitySummary")[0].contains("页码"));
    let identifier = doc.descendants().find(|n| n.has_tag_name("identifier")).unwrap().text().unwrap();
    assert_eq!(values("pageBreakSource"), [identifier]);
}

#[test]
fn an_epub_alone_has_no_page_list() {
    let out = tempfile::tempdir().unwrap();
    let o = wenji(&repo(), &["build", "-o", out.path().to_str().unwrap(), "--format", "epub"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let epub = only_file(out.path(), "epub");
    let texts = texts(&epub);
    assert!(!texts["EPUB/nav.xhtml"].contains("page-list"));
    assert!(!texts["EPUB/package.opf"].contains("printPageNumbers"));
    assert_epubcheck_clean(&epub);
}
