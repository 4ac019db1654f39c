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

/// Each page's label as `qpdf --json` gives it: prefix (`u:封面`), style (`/r`, `/D`), start.
fn page_labels(pdf: &Path) -> Option<Vec<String>> {
    let (ok, json) = tool("qpdf", &["--json=2", "--json-key=pages"], pdf)?;
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let field = |l: &serde_json::Value, k: &str| l[k].as_str().map(str::to_owned).unwrap_or_else(|| l[k].to_string());
    Some(v["pages"].as_array().unwrap().iter().map(|p| format!("{} {} {}", field(&p["label"], "/P"), field(&p["label"], "/S"), field(&p["label"], "/St"))).collect())
}

#[test]
fn a_book_without_a_cover_gets_a_typographic_one_in_both_outputs() {
    let (_out, epub, pdf) = build_both(&repo(), &[]);
    assert_epubcheck_clean(&epub);
    // The EPUB: a painted cover image, declared as such, with its page and landmark.
    let opf = &texts(&epub)["EPUB/package.opf"];
    let doc = parse_xml(opf).unwrap();
    let item = doc.descendants().find(|n| n.attribute("properties") == Some("cover-image")).expect("a cover-image item");
    assert_eq!(item.attribute("media-type"), Some("image/png"));
    let href = format!("EPUB/{}", item.attribute("href").unwrap());
    let (_, png) = entries(&epub).into_iter().find(|(n, _)| *n == href).unwrap();
    let img = image::load_from_memory(&png).unwrap().to_rgb8();
    assert_eq!(img.width(), 1600);
    assert!(img.height() <= 2560);
    // Calm: a light ground at the corners, and dark ink (the title) in the upper half.
    let corner = img.get_pixel(20, 20);
    assert!(corner.0.iter().all(|&c| c > 200), "ground {corner:?}");
    let dark = (0..img.height() / 2).flat_map(|y| (0..img.width()).map(move |x| (x, y))).filter(|&(x, y)| img.get_pixel(x, y).0.iter().all(|&c| c < 60)).count();
    assert!(dark > 5_000, "only {dark} dark pixels: no title painted");
    assert!(texts(&epub)["EPUB/nav.xhtml"].contains("epub:type=\"cover\""));
    // The PDF: a first page labelled 封面 whose title, subtitle and author are text.
    let Some(labels) = page_labels(&pdf) else { return };
    assert_eq!(labels[0], "u:封面 null 1");
    assert_eq!(labels[1], "null /r 1", "the title page is i");
    let cover = page_text(&pdf, 0);
    for text in ["心的微光", "关于失落与依恋的随笔"] {
        assert!(cover.contains(text), "{text} not on the cover: {cover}");
    }
}

#[test]
fn a_cover_image_is_the_pdf_first_page_and_print_mode_leaves_it_out() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("features"), dir.path());
    std::fs::create_dir(dir.path().join("covers")).unwrap();
    let art = image::RgbImage::from_fn(1200, 1800, |x, y| image::Rgb([(x / 5) as u8, (y / 8) as u8, 120]));
    art.save(dir.path().join("covers/cover.png")).unwrap();
    let (_out, epub, pdf) = build_both(dir.path(), &[]);
    assert_epubcheck_clean(&epub);
    let Some((_, images)) = tool("pdfimages", &["-list"], &pdf) else { return };
    let on_first: Vec<&str> = images.lines().skip(2).filter(|l| l.split_whitespace().next() == Some("1")).collect();
    assert_eq!(on_first.len(), 1, "{images}");
    let columns: Vec<&str> = on_first[0].split_whitespace().collect();
    assert_eq!(columns[3..5], ["1200", "1800"], "{}", on_first[0]);
    assert!(page_text(&pdf, 0).is_empty(), "the image cover has no text");
    assert!(page_text(&pdf, 1).contains("功能样书"), "the title page follows: {}", page_text(&pdf, 1));

    std::fs::write(dir.path().join("book.toml"), std::fs::read_to_string(dir.path().join("book.toml")).unwrap() + "\n[pdf]\nprint = true\n").unwrap();
    let (_out, _epub, pdf) = build_both(dir.path(), &[]);
    let (_, images) = tool("pdfimages", &["-list"], &pdf).unwrap();
    assert!(!images.lines().any(|l| l.split_whitespace().nth(3) == Some("1200")), "print mode has no cover: {images}");
    assert_eq!(page_labels(&pdf).unwrap()[0], "null /r 1", "the title page comes first");
}
