//! `wenji build` to PDF end to end: the real binary, its PDF checked with poppler and qpdf,
//! and its layout dump checked against the 禁则 sets.

mod support;

use std::path::Path;
use std::process::Command;

use support::*;

#[test]
fn every_seed_paragraph_is_in_the_pdf_text_in_order() {
    let (_out, pdf, _) = build_pdf(&repo(), &[]);
    let Some(text) = body_text(&pdf) else { return };
    let mut at = 0;
    // Reading order is by date: 001 (July), 000 (September), 002 (October).
    for seed in [SEEDS[1], SEEDS[0], SEEDS[2]] {
        let source = seed_source(seed);
        let title: String = seed_title(&source).split_whitespace().collect();
        let Some(found) = text[at..].find(&title) else { panic!("{seed}: title missing after byte {at}") };
        at += found + title.len();
        for para in seed_paragraphs(&source) {
            let para: String = para.split_whitespace().collect();
            let Some(found) = text[at..].find(&para) else {
                panic!("{seed}: paragraph missing or out of order:\n{para}\n\nfrom:\n{}", &text[at..(at + 600).min(text.len())]);
            };
            at += found + para.len();
        }
    }
}

#[test]
fn fonts_are_embedded_subsets_with_unicode_maps() {
    let (_out, pdf, _) = build_pdf(&fixture("features"), &[]);
    let Some((ok, list)) = tool("pdffonts", &[], &pdf) else { return };
    assert!(ok);
    let rows: Vec<&str> = list.lines().skip(2).collect();
    assert!(rows.len() >= 3, "serif, bold and mono expected:\n{list}");
    for row in &rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "not embedded, subset and mapped: {row}");
        assert_eq!(cols[0].find('+'), Some(6), "no subset tag: {row}");
    }
    assert!(list.contains("NotoSansMono"), "{list}");
}

#[test]
fn seeds_pdf_passes_qpdf_is_a5_and_small() {
    let (_out, pdf, _) = build_pdf(&repo(), &[]);
    let size = std::fs::metadata(&pdf).unwrap().len();
    assert!(size < 1_000_000, "{size} bytes");
    if let Some((ok, out)) = tool("qpdf", &["--check"], &pdf) {
        assert!(ok, "{out}");
    }
    if let Some((ok, info)) = tool("pdfinfo", &[], &pdf) {
        assert!(ok);
        assert!(info.contains("Page size:       419.528 x 595.276 pts"), "A5: {info}");
        assert!(info.contains("Title:           心的微光"), "{info}");
        assert!(info.contains("Author:          佚名"), "{info}");
        assert!(info.contains("Keywords:        失落"), "{info}");
        // Nothing on stderr: poppler once said "Syntax Error: Suspects object is wrong type" here.
        let o = std::process::Command::new("pdfinfo").arg(&pdf).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&o.stderr), "", "pdfinfo complains");
    }
}

#[test]
fn outline_has_every_essay_and_section() {
    let (_out, pdf, dump) = build_pdf(&repo(), &[]);
    let Some((ok, json)) = tool("qpdf", &["--json=2", "--json-key=outlines"], &pdf) else { return };
    assert!(ok);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let outlines = json["outlines"].as_array().unwrap();
    let titles: Vec<&str> = outlines.iter().map(|o| o["title"].as_str().unwrap()).collect();
    let mut expected: Vec<String> = [SEEDS[1], SEEDS[0], SEEDS[2]].iter().map(|s| seed_title(&seed_source(s))).collect();
    expected.push("标签索引".into());
    assert_eq!(titles, expected);
    let lines = dump_lines(&dump);
    for (o, seed) in outlines.iter().zip([SEEDS[1], SEEDS[0], SEEDS[2]]) {
        let sections = seed_headings(&seed_source(seed));
        let kids: Vec<&str> = o["kids"].as_array().unwrap().iter().map(|k| k["title"].as_str().unwrap()).collect();
        assert_eq!(kids, sections);
        // Each bookmark points at the page where its heading is set.
        for k in o["kids"].as_array().unwrap() {
            let page = k["destpageposfrom1"].as_u64().unwrap() as usize;
            let title = k["title"].as_str().unwrap();
            assert!(lines.iter().any(|l| l.page == page && l.kind == "Heading" && l.text == title), "{title} not on page {page}");
        }
    }
}

#[test]
fn no_line_breaks_a_kinsoku_rule_in_the_seeds_or_a_real_post() {
    let (_out, _pdf, dump) = build_pdf(&repo(), &[]);
    let lines = dump_lines(&dump);
    assert!(lines.iter().filter(|l| l.kind == "Body").count() > 200, "the seeds fill hundreds of lines");
    assert_eq!(kinsoku_violations(&dump), Vec::<String>::new());
    let Some(corpus) = corpus() else { return };
    let (_out, _pdf, dump) = build_pdf(&corpus.join("hugo-even/exampleSite/content/post"), &[]);
    assert!(dump.contains("汉皇重色思倾国"));
    assert_eq!(kinsoku_violations(&dump), Vec::<String>::new());
}

#[test]
fn the_checker_catches_a_bad_line() {
    let dump = "page 1\n  Body^ y=1 |他说|\n  Body y=2 |，好|\n  Body y=3 |“|\n  Body$ y=3.5 |好|\n  Body^ y=4 |那—|\n  Body y=5 |—好|\n";
    assert_eq!(kinsoku_violations(dump).len(), 4, "{:?}", kinsoku_violations(dump));
}

#[test]
fn pdf_is_byte_identical_across_builds_and_honours_source_date_epoch() {
    let (_a, first, _) = build_pdf(&repo(), &[]);
    let (_b, second, _) = build_pdf(&repo(), &[]);
    assert_eq!(std::fs::read(&first).unwrap(), std::fs::read(&second).unwrap());
    let out = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_wenji"))
        .args(["build", "-o", out.path().to_str().unwrap(), "--format", "pdf"])
        .current_dir(repo())
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    assert!(o.status.success());
    if let Some((ok, info)) = tool("pdfinfo", &["-isodates"], &only_file(out.path(), "pdf")) {
        assert!(ok);
        assert!(info.lines().any(|l| l.starts_with("CreationDate:") && l.ends_with("2023-11-14T22:13:20Z")), "creation date from SOURCE_DATE_EPOCH:\n{info}");
    }
}

#[test]
fn feature_book_sets_code_tables_images_and_notes() {
    let (_out, pdf, dump) = build_pdf(&fixture("features"), &[]);
    if let Some((ok, out)) = tool("qpdf", &["--check"], &pdf) {
        assert!(ok, "{out}");
    }
    let lines = dump_lines(&dump);
    assert!(lines.iter().any(|l| l.kind == "Code"), "code lines");
    assert!(lines.iter().any(|l| l.kind == "Table"), "table lines");
    assert!(lines.iter().any(|l| l.kind == "Note"), "notes");
    if let Some((ok, list)) = tool("pdfimages", &["-list"], &pdf) {
        assert!(ok);
        assert!(list.lines().count() > 2, "the image is drawn:\n{list}");
    }
    assert!(dump.contains("fn main()") || dump.contains("fn"), "code text in the dump");
}

#[test]
fn lines_never_overflow_the_measure() {
    let (_out, _pdf, dump) = build_pdf(&fixture("features"), &[]);
    // The text block of the default A5 page: x from its left margin to left + 28 em.
    for line in dump.lines().filter(|l| l.starts_with("  ") && !l.contains("Head") && !l.contains("Folio")) {
        let Some(end) = line.rsplit(" >").next().and_then(|e| e.parse::<f32>().ok()) else { continue };
        assert!(end <= 63.0 + 294.0 + 0.5, "overflows: {line}");
    }
}

#[test]
fn print_mode_opens_essays_on_rectos_with_trim_and_bleed_boxes() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("manuscripts"), &dir.path().join("manuscripts"));
    std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"印本\"\n[pdf]\nprint = true\nbleed = 3\n").unwrap();
    let (_out, pdf, dump) = build_pdf(dir.path(), &[]);
    let lines = dump_lines(&dump);
    let openers: Vec<usize> = lines.iter().filter(|l| l.kind == "Title" && l.first && l.page > 2).map(|l| l.page).collect();
    assert!(openers.len() >= 3, "{openers:?}");
    let toc = lines.iter().find(|l| l.text == "目　录").unwrap();
    assert_eq!(toc.page, 3, "the TOC opens on a recto after the title page's blank verso");
    for p in &openers {
        assert_eq!(p % 2, 1, "an essay opens on page {p}, a verso");
    }
    if let Some((ok, info)) = tool("pdfinfo", &["-box"], &pdf) {
        assert!(ok);
        let boxes: Vec<String> = info.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
        assert!(boxes.contains(&"TrimBox: 8.50 8.50 428.03 603.78".to_string()), "3 mm bleed around A5: {info}");
        assert!(boxes.contains(&"BleedBox: 0.00 0.00 436.54 612.28".to_string()), "{info}");
    }
}

#[test]
fn a_character_no_font_has_is_reported_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.md"), "---\ntitle: 表情\ndate: 2024-01-01\n---\n\n第一行。\n\n笑脸😀在此。\n").unwrap();
    // Only the book's fonts: an installed one may have the emoji (DejaVu Sans does).
    std::fs::write(dir.path().join("book.toml"), "[book]\nmanuscripts = \".\"\n[pdf]\nsystem-fonts = false\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = wenji(&repo(), &["build", dir.path().to_str().unwrap(), "-o", out.path().to_str().unwrap(), "--format", "pdf"]);
    assert_eq!(o.status.code(), Some(0));
    let err = stderr(&o);
    assert!(err.contains("no font has `😀` (U+1F600)"), "{err}");
    assert!(err.contains("a.md:8:3"), "{err}");
    assert!(err.contains("fallback-fonts"), "{err}");
}

#[test]
fn a_missing_glyph_is_placed_in_the_text_as_read_not_the_file_as_it_is_now() {
    let dir = tempfile::tempdir().unwrap();
    let essay = dir.path().join("a.md");
    // A BOM and CRLF line endings, which reading normalises.
    std::fs::write(&essay, "\u{feff}---\r\ntitle: 笑😀\r\ndate: 2024-01-01\r\n---\r\n\r\n正文。\r\n").unwrap();
    let config = wenji::config::Config::locate(Some(dir.path())).unwrap();
    let (book, _) = wenji::build::load(&config);
    // The file changes after it was read: the warning still points into what was read.
    std::fs::write(&essay, "changed").unwrap();
    let (_, diags) = wenji::typeset::typeset(&book.unwrap(), &config.pdf, &wenji::font::FontSet::bundled());
    let d = diags.iter().find(|d| d.message.contains("U+1F600")).expect("the missing glyph is reported");
    assert_eq!((d.line, d.col, d.source_line.as_deref()), (2, 9, Some("title: 笑😀")));
}

#[test]
fn a_fallback_font_found_by_family_name_sets_what_the_serif_lacks() {
    if !Path::new("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf").is_file() {
        missing("DejaVu Serif (Debian `fonts-dejavu-core`)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("manuscripts")).unwrap();
    std::fs::write(dir.path().join("manuscripts/a.md"), "---\ntitle: 旅行\ndate: 2024-01-01\n---\n\n在 Łódź 的一天。\n").unwrap();
    std::fs::write(dir.path().join("book.toml"), "[pdf]\nfallback-fonts = [\"DejaVu Serif\"]\n").unwrap();
    let (_out, pdf, dump) = build_pdf(dir.path(), &[]);
    assert!(dump.contains("|在 Łódź 的一天。|"), "{dump}");
    if let Some((ok, list)) = tool("pdffonts", &[], &pdf) {
        assert!(ok);
        assert!(list.contains("+DejaVuSerif "), "{list}");
    }
    let Some(text) = body_text(&pdf) else { return };
    assert!(text.contains("在Łódź的一天。"), "{text}");
    let bad = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("book.toml"), "[pdf]\nfallback-fonts = [\"No Such Family\"]\n").unwrap();
    let o = wenji(&repo(), &["build", dir.path().to_str().unwrap(), "-o", bad.path().to_str().unwrap(), "--format", "pdf"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("fallback font `No Such Family`"), "{}", stderr(&o));
}

#[test]
fn fonts_named_in_book_toml_replace_the_bundled_ones() {
    if !Path::new("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf").is_file() {
        missing("DejaVu Sans Mono (Debian `fonts-dejavu-core`)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("manuscripts")).unwrap();
    std::fs::write(dir.path().join("manuscripts/a.md"), "---\ntitle: 代码\ndate: 2024-01-01\n---\n\n**Bold words** and `code`.\n").unwrap();
    std::fs::write(dir.path().join("book.toml"), "[pdf]\nfonts = { bold = \"DejaVu Serif\", mono = \"DejaVu Sans Mono\" }\n").unwrap();
    let (_out, pdf, _dump) = build_pdf(dir.path(), &[]);
    let Some((ok, list)) = tool("pdffonts", &[], &pdf) else { return };
    assert!(ok);
    // The bold face of the family is found by its name; the mono font replaces Noto Sans Mono.
    assert!(list.contains("+DejaVuSerif-Bold "), "{list}");
    assert!(list.contains("+DejaVuSansMono "), "{list}");
    assert!(!list.contains("NotoSansMono"), "{list}");
    std::fs::write(dir.path().join("book.toml"), "[pdf]\nfonts = { serif = \"No Such Family\" }\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = wenji(&repo(), &["build", dir.path().to_str().unwrap(), "-o", out.path().to_str().unwrap(), "--format", "pdf"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("error: book.toml [pdf]: font `No Such Family` is neither a font file nor an installed font family\n"), "{err}");
    assert!(err.contains("book.toml:2:19\n"), "the font's place in book.toml: {err}");
    // `check` says the same, at the same place.
    let o = wenji(&repo(), &["check", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with(err.split("error: the book was not built").next().unwrap()), "{}\n---\n{err}", stderr(&o));
}

#[test]
fn a_long_title_is_shortened_in_the_running_head() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("manuscripts")).unwrap();
    let title = "一个很长很长的标题：它比版心还要宽，所以在书眉里放不下，只能截短，再加上省略号表示后面还有";
    let body = "正文的一句话，写得长一些，好让文章占满好几页。".repeat(200);
    std::fs::write(dir.path().join("manuscripts/a.md"), format!("---\ntitle: {title}\ndate: 2024-01-01\n---\n\n{body}\n")).unwrap();
    let (_out, _pdf, dump) = build_pdf(dir.path(), &[]);
    let heads: Vec<DumpLine> = dump_lines(&dump).into_iter().filter(|l| l.kind == "Head").collect();
    let recto: Vec<&DumpLine> = heads.iter().filter(|l| l.text.starts_with("一个")).collect();
    assert!(!recto.is_empty(), "{dump}");
    for head in recto {
        let shown = head.text.strip_suffix("……").unwrap_or_else(|| panic!("no ellipsis: {}", head.text));
        assert!(title.starts_with(shown) && shown.chars().count() > 20, "{}", head.text);
    }
    // The head stays inside the measure: its last cluster ends by the text block's right edge.
    for l in dump.lines().filter(|l| l.trim_start().starts_with("Head")) {
        let end: f32 = l.rsplit('>').next().unwrap().trim().parse().unwrap();
        assert!(end <= 419.53 - 62.0, "{l}");
    }
}
