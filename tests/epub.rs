//! `wenji build` end to end: the real binary, real EPUBs, EPUBCheck.

mod support;

use std::path::Path;

use support::*;

fn page_titles(pages: &[String]) -> Vec<String> {
    pages.iter().map(|p| element_texts(p, "h1")[0].clone()).collect()
}

/// The essay page whose title is the seed's.
fn seed_page<'p>(pages: &'p [String], source: &str) -> &'p String {
    let title = seed_title(source);
    pages.iter().find(|p| element_texts(p, "h1")[0] == title).expect("essay page")
}

/// Builds the repository's own book the way the README says: no arguments, from the repo root.
fn seeds_epub() -> (tempfile::TempDir, std::path::PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let o = wenji(&repo(), &["build", "-o", out.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let epub = only_file(out.path(), "epub");
    (out, epub)
}

#[test]
fn seeds_book_passes_epubcheck() {
    let (_out, epub) = seeds_epub();
    assert_eq!(epub.file_name().unwrap(), "心的微光.epub");
    assert_epubcheck_clean(&epub);
}

#[test]
fn feature_book_passes_epubcheck() {
    let (_out, epub) = build_epub(&fixture("features"));
    assert_epubcheck_clean(&epub);
}

#[test]
fn chapters_are_ordered_by_date() {
    let (_out, epub) = seeds_epub();
    let titles = page_titles(&essay_pages(&epub));
    // 001 is dated 2025-07-20, 000 2025-09-26, 002 2025-10-11.
    let expected: Vec<String> = [SEEDS[1], SEEDS[0], SEEDS[2]].iter().map(|s| seed_title(&seed_source(s))).collect();
    assert_eq!(titles, expected);
}

#[test]
fn ties_order_by_title_then_file_name_and_undated_go_last() {
    let dir = tempfile::tempdir().unwrap();
    let essay = |file: &str, title: &str, date: &str| {
        let date = if date.is_empty() { String::new() } else { format!("date: {date}\n") };
        std::fs::write(dir.path().join(file), format!("---\ntitle: {title}\n{date}---\n正文。\n")).unwrap();
    };
    essay("a.md", "Beta", "2024-01-01 08:00");
    essay("b.md", "Alpha", "2024-01-01 08:00");
    essay("c.md", "Zed", "2023-05-05");
    essay("d.md", "Alpha", "2024-01-01 08:00");
    essay("e.md", "Undated", "");
    essay("f.md", "Late", "2024-01-01T09:00:00+08:00");
    let (_out, epub) = build_epub(dir.path());
    let pages = essay_pages(&epub);
    let titles = page_titles(&pages);
    // f is 01:00 UTC, before the 08:00 UTC essays.
    assert_eq!(titles, ["Zed", "Late", "Alpha", "Alpha", "Beta", "Undated"]);
}

#[test]
fn every_seed_paragraph_is_in_the_xhtml_in_order() {
    let (_out, epub) = seeds_epub();
    let pages = essay_pages(&epub);
    for seed in SEEDS {
        let source = seed_source(seed);
        let page = seed_page(&pages, &source);
        let rendered = element_texts(page, "p");
        let mut at = 0;
        for para in seed_paragraphs(&source) {
            let found = rendered[at..].iter().position(|p| *p == para);
            let Some(offset) = found else {
                panic!("{seed}: paragraph missing or out of order:\n{para}\n\nrendered from index {at}:\n{:#?}", &rendered[at..]);
            };
            at += offset + 1;
        }
    }
}

#[test]
fn seed_heading_levels_become_h2() {
    let (_out, epub) = seeds_epub();
    let pages = essay_pages(&epub);
    for seed in SEEDS {
        let source = seed_source(seed);
        let page = seed_page(&pages, &source);
        let headings = seed_headings(&source);
        assert!(!headings.is_empty());
        assert_eq!(element_texts(page, "h2"), headings, "{seed}");
        for deeper in ["h3", "h4", "h5", "h6"] {
            assert!(element_texts(page, deeper).is_empty(), "{seed} has {deeper}");
        }
    }
}

#[test]
fn every_xhtml_is_xml_with_language() {
    for book in [repo(), fixture("features")] {
        let (_out, epub) = build_epub(&book);
        for (name, text) in texts(&epub) {
            let doc = parse_xml(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            if name.ends_with(".xhtml") {
                let html = doc.root_element();
                assert_eq!(html.attribute("lang"), Some("zh-CN"), "{name}");
                assert_eq!(html.attribute(("http://www.w3.org/XML/1998/namespace", "lang")), Some("zh-CN"), "{name}");
            }
        }
    }
}

#[test]
fn package_metadata() {
    let (_out, epub) = seeds_epub();
    let all = entries(&epub);
    assert_eq!(all[0].0, "mimetype");
    assert_eq!(all[0].1, b"application/epub+zip");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&epub).unwrap()).unwrap();
    assert_eq!(zip.by_index(0).unwrap().compression(), zip::CompressionMethod::Stored);

    let opf = &texts(&epub)["EPUB/package.opf"];
    let doc = parse_xml(opf).unwrap();
    let dc = |name: &str| -> Vec<String> {
        doc.descendants().filter(|n| n.tag_name().name() == name).filter_map(|n| n.text().map(str::to_owned)).collect()
    };
    assert!(dc("identifier")[0].starts_with("urn:uuid:"));
    assert_eq!(dc("title")[0], "心的微光");
    assert_eq!(dc("creator"), ["佚名"]);
    assert_eq!(dc("language"), ["zh-CN"]);
    assert_eq!(dc("date"), ["2025-10-11"]);
    assert!(dc("description")[0].contains("收录 3 篇文章"));
    let subjects = dc("subject");
    for tag in ["情感", "心理", "成长", "依恋", "失落感"] {
        assert!(subjects.iter().any(|s| s == tag), "{tag} missing from {subjects:?}");
    }
    let modified: Vec<String> = doc
        .descendants()
        .filter(|n| n.attribute("property") == Some("dcterms:modified"))
        .map(|n| n.text().unwrap().to_owned())
        .collect();
    // The newest essay: 2025-10-11 06:16:29 in Asia/Shanghai (book.toml).
    assert_eq!(modified, ["2025-10-10T22:16:29Z"]);
    assert!(texts(&epub).contains_key("EPUB/toc.ncx"));
}

#[test]
fn identifier_is_stable_across_builds_and_rebuild_is_byte_identical() {
    let (_a, first) = seeds_epub();
    let (_b, second) = seeds_epub();
    assert_eq!(std::fs::read(&first).unwrap(), std::fs::read(&second).unwrap());
}

#[test]
fn source_date_epoch_sets_modified_and_zip_times() {
    let out = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_wenji"))
        .args(["build", "-o", out.path().to_str().unwrap()])
        .current_dir(repo())
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let epub = only_file(out.path(), "epub");
    assert!(texts(&epub)["EPUB/package.opf"].contains("<meta property=\"dcterms:modified\">2023-11-14T22:13:20Z</meta>"));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&epub).unwrap()).unwrap();
    for i in 0..zip.len() {
        let t = zip.by_index(i).unwrap().last_modified().unwrap();
        assert_eq!((t.year(), t.month(), t.day(), t.hour(), t.minute()), (2023, 11, 14, 22, 13));
    }
}

#[test]
fn navigation_nests_essays_and_sections() {
    let (_out, epub) = seeds_epub();
    let nav = &texts(&epub)["EPUB/nav.xhtml"];
    let doc = parse_xml(nav).unwrap();
    let toc = doc.descendants().find(|n| n.attribute("id") == Some("toc")).unwrap();
    let top = toc.children().find(|n| n.has_tag_name("ol")).unwrap();
    let mut essays: Vec<_> = top.children().filter(|n| n.has_tag_name("li")).collect();
    assert_eq!(essays.len(), 4);
    let index = essays.pop().unwrap();
    assert_eq!(index.descendants().find(|n| n.has_tag_name("a")).unwrap().attribute("href"), Some("index.xhtml"));
    for li in essays {
        let nested = li.children().find(|n| n.has_tag_name("ol")).expect("sections");
        let sections = nested.children().filter(|n| n.has_tag_name("li")).count();
        assert!(sections >= 4, "{sections} sections");
        for a in nested.descendants().filter(|n| n.has_tag_name("a")) {
            assert!(a.attribute("href").unwrap().contains(".xhtml#s"));
        }
    }
    let landmarks: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("a"))
        .filter_map(|n| n.attribute(("http://www.idpf.org/2007/ops", "type")))
        .collect();
    assert_eq!(landmarks, ["cover", "titlepage", "toc", "bodymatter", "index"]);
}

#[test]
fn essay_pages_carry_date_lede_tags_and_numbered_toc() {
    let (_out, epub) = seeds_epub();
    let page = &essay_pages(&epub)[0];
    assert!(page.contains("<time datetime=\"2025-07-20T02:20:08+08:00\">2025年7月20日</time>"), "{page}");
    assert!(element_texts(page, "p").iter().any(|p| p.starts_with("在人生的旅途中，失落是每个人都无法避免的章节")));
    assert!(page.contains("<span class=\"tag\">失落</span>"));
    let toc_entries = element_texts(page, "li");
    assert_eq!(toc_entries[0], "1 那些悄然降临的失落");
}

#[test]
fn a_description_that_repeats_the_opening_is_not_printed_again() {
    let dir = tempfile::tempdir().unwrap();
    let essay = |name: &str, description: &str, body: &str| {
        std::fs::write(dir.path().join(name), format!("---\ntitle: {name}\ndate: 2024-01-01\ndescription: {description}\n---\n\n{body}\n")).unwrap();
    };
    // The excerpt a blog keeps in front matter: the opening again, its spacing and markup aside.
    essay("a.md", "雨停了， Rust 写的小工具还在跑。后来的事另说……", "## 起头\n\n雨停了，`Rust` 写的小工具**还在跑**。窗外很静。");
    // A summary in other words stays under the title.
    essay("b.md", "一篇关于等待的短文。", "雨停了，我还在等。");
    let out = tempfile::tempdir().unwrap();
    let o = wenji(&repo(), &["build", dir.path().to_str().unwrap(), "-o", out.path().to_str().unwrap(), "--format", "epub,layout"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let pages = essay_pages(&only_file(out.path(), "epub"));
    let ledes: Vec<usize> = pages.iter().map(|p| p.matches("class=\"lede\"").count()).collect();
    assert_eq!(ledes, [0, 1], "only the summary in other words is printed");
    let dump = std::fs::read_to_string(only_file(out.path(), "txt")).unwrap();
    assert!(!dump.contains("后来的事另说") && dump.contains("一篇关于等待的短文。"), "{dump}");
}

#[test]
fn feature_book_renders_every_feature() {
    let (_out, epub) = build_epub(&fixture("features"));
    let pages = essay_pages(&epub);
    // Ordered: prefixless (2023-12-31 from its file name), features (2024-05-01), toml (2024-06-01).
    let titles = page_titles(&pages);
    assert_eq!(titles, ["无前导分隔符的文章", "功能一览：每一种 Markdown 写法", "TOML 前言"]);
    let page = &pages[1];
    assert!(page.contains("这是<strong>“重点”</strong>文字，他说：<strong>“好的。”</strong>然后走了。前文<em>强调（括号）</em>后文。"), "{page}");
    assert!(page.contains("源文件里的软换行在两个汉字之间应当消失，English words keep their space."));
    assert_eq!(element_texts(page, "th"), ["名称", "数量", "说明"]);
    assert_eq!(page.matches("epub:type=\"footnote\"").count(), 3);
    assert!(page.contains("id=\"fnref-2-2\""), "second reference to the same note needs its own id");
    assert!(page.contains("<del>删除线</del>") && page.contains("<code>行内代码</code>"));
    assert!(page.contains("☑") && page.contains("☐"));
    assert!(page.contains("<ol start=\"3\">"));
    assert!(element_texts(page, "code").iter().any(|c| c.contains("println!(\"你好，世界 <&>\");")));
    assert!(page.contains("<sup>2</sup>") && page.contains("<sub>i</sub>") && page.contains("换<br/>行"));
    assert!(!page.contains("script") && !page.contains("alert"));
    assert!(page.contains("未知标签&lt;foo&gt;保持为文本"));
    assert!(page.contains("<a href=\"https://player.example.com/video/1\">［嵌入内容］</a>"));
    assert!(page.contains("［图：远程图片］") && page.contains("［图：不存在］"));
    assert!(page.contains("<a href=\"https://example.com/?a=1&amp;b=2\">外部链接</a>"));
    assert!(page.contains("<a href=\"#s1\">本文小节</a>") && page.contains("、另一篇。"));
    assert!(!page.contains("more"), "the <!-- more --> marker is dropped");
    let img = page.split("<img src=\"../images/").nth(1).expect("embedded image");
    let name = &img[..img.find('"').unwrap()];
    assert!(entries(&epub).iter().any(|(n, _)| *n == format!("EPUB/images/{name}")));
    assert_eq!(element_texts(page, "li")[1], "1.1 列表");
}

#[test]
fn warnings_name_file_line_and_col() {
    let out = tempfile::tempdir().unwrap();
    let o = wenji(&repo(), &["build", "tests/fixtures/features", "-o", out.path().to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0));
    assert!(err.contains("warning: `<script>` is left out of the book\n  --> tests/fixtures/features/manuscripts/features.md:70:1"), "{err}");
    assert!(err.contains("features.md:82:50"), "{err}");
    assert!(err.contains("6 warnings"), "{err}");
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn bad_essays_are_all_reported_with_file_line_and_exit_1_and_the_old_book_stays() {
    let dir = tempfile::tempdir().unwrap();
    let essays = dir.path().join("essays");
    std::fs::create_dir(&essays).unwrap();
    write(&essays, "good.md", "---\ntitle: 好\ndate: 2024-01-01\n---\n正文。\n");
    write(&essays, "bad.md", "---\ntitle: 坏\ntags: [a, b\ndate: 2024-01-02\n---\n正文。\n");
    write(&essays, "date.md", "---\ntitle: 日期\ndate: 明天\n---\n正文。\n");
    write(&essays, "open.md", "---\ntitle: 未闭合\n\n正文。\n");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let old = out.join("essays.epub");
    std::fs::write(&old, b"the previous good book").unwrap();

    let o = wenji(dir.path(), &["build", "essays", "-o", "out"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("error: invalid YAML in the front matter"), "{err}");
    assert!(err.contains("that starts here (noticed at line 4, column 5)\n --> essays/bad.md:3:7"), "{err}");
    assert!(err.contains("error: `date`: `明天` is not a date wenji understands\n --> essays/date.md:3:7"), "{err}");
    assert!(err.contains("never closed\n --> essays/open.md:1:1"), "{err}");
    assert!(err.contains("= hint:"), "{err}");
    assert!(err.contains("3 errors"), "{err}");
    assert_eq!(std::fs::read(&old).unwrap(), b"the previous good book");
    let leftovers: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

#[test]
fn empty_folder_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = wenji(dir.path(), &["build", "."]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no essays found"), "{}", stderr(&o));
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(wenji(dir.path(), &["build", "--format", "mobi"]).status.code(), Some(2));
    assert_eq!(wenji(dir.path(), &["frobnicate"]).status.code(), Some(2));
    assert_eq!(wenji(dir.path(), &[]).status.code(), Some(2));
}

#[test]
fn cover_from_covers_folder() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("features"), dir.path());
    std::fs::create_dir(dir.path().join("covers")).unwrap();
    let big = image::RgbImage::from_fn(2000, 3000, |x, y| image::Rgb([(x / 8) as u8, (y / 12) as u8, 90]));
    big.save(dir.path().join("covers/cover.jpg")).unwrap();
    let (_out, epub) = build_epub(dir.path());
    assert_epubcheck_clean(&epub);
    let opf = &texts(&epub)["EPUB/package.opf"];
    assert!(opf.contains("properties=\"cover-image\""), "{opf}");
    let (_, bytes) = entries(&epub).into_iter().find(|(n, _)| n.contains("images/cover-")).unwrap();
    let img = image::load_from_memory(&bytes).unwrap();
    assert!(img.width() <= 1600 && img.height() <= 2560, "{}×{}", img.width(), img.height());
    assert_eq!((img.width(), img.height()), (1600, 2400));
    assert!(texts(&epub)["EPUB/nav.xhtml"].contains("epub:type=\"cover\""));
}

#[test]
fn crlf_bom_and_drafts() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "crlf.md", "\u{feff}---\r\ntitle: 换行\r\ndate: 2024-01-01\r\n---\r\n第一行\r\n第二行\r\n");
    write(dir.path(), "draft.md", "---\ntitle: 草稿\ndate: 2024-01-02\ndraft: true\n---\n草稿。\n");
    let (_out, epub) = build_epub(dir.path());
    let pages = essay_pages(&epub);
    assert_eq!(pages.len(), 1);
    assert!(element_texts(&pages[0], "p").contains(&"第一行第二行".to_owned()));
}

/// Kindle and Apple Books: the cover page is out of the reading order (Kindle's conversion showed
/// it twice), body text keeps the reader's face and margins, and nothing asks Apple Books for
/// the book's fonts when it carries none.
#[test]
fn the_cover_is_out_of_the_reading_order_and_the_text_keeps_the_reader_s_face() {
    let (_out, epub) = seeds_epub();
    let texts = texts(&epub);
    let opf = parse_xml(&texts["EPUB/package.opf"]).unwrap();
    let spine: Vec<(&str, Option<&str>)> = opf.descendants().filter(|n| n.has_tag_name("itemref")).map(|n| (n.attribute("idref").unwrap(), n.attribute("linear"))).collect();
    assert_eq!(spine[0], ("cover", Some("no")), "{spine:?}");
    assert!(spine[1..].iter().all(|(_, linear)| linear.is_none()), "{spine:?}");
    assert!(!texts["EPUB/package.opf"].contains("ibooks:"), "no fonts are embedded");
    // The landmarks still lead to the cover page.
    assert!(texts["EPUB/nav.xhtml"].contains("epub:type=\"cover\" href=\"cover.xhtml\""));
    let css = entries(&epub).into_iter().find(|(name, _)| name == "EPUB/css/book.css").map(|(_, bytes)| String::from_utf8(bytes).unwrap()).unwrap();
    let rule = |selector: &str| css.split(&format!("\n{selector} {{")).nth(1).and_then(|r| r.split('}').next()).unwrap_or_else(|| panic!("no `{selector}` rule")).to_owned();
    for selector in ["html", "body"] {
        let rule = rule(selector);
        assert!(!rule.contains("font-family") && !rule.contains("margin"), "{selector} {{{rule}}}");
    }
    assert!(rule("sup, sub").contains("line-height: 0"), "superscripts keep their line's height");
}

#[test]
fn stores_and_calibre_read_the_cover_once_and_the_chinese_title_with_its_own_colon() {
    let (_out, epub) = seeds_epub();
    let texts = texts(&epub);
    let opf = &texts["EPUB/package.opf"];
    // The guide names the cover page, so Calibre's conversion (Kindle) drops it from the text.
    assert!(opf.contains("<guide>\n<reference type=\"cover\" href=\"cover.xhtml\""), "{opf}");
    // The generated cover is a JPEG, as Amazon asks.
    let cover = entries(&epub).into_iter().find(|(name, _)| name.starts_with("EPUB/images/cover")).expect("a cover image");
    assert!(cover.0.ends_with(".jpg") && cover.1.starts_with(&[0xFF, 0xD8, 0xFF]), "{}", cover.0);
    assert!(opf.contains("media-type=\"image/jpeg\" properties=\"cover-image\""), "{opf}");
    // A Chinese subtitle joins the title with a full-width colon, never Calibre's ": ".
    let book = fs_book_toml();
    let (title, subtitle) = (book.0, book.1);
    assert!(opf.contains(&format!("<dc:title id=\"expanded\">{title}：{subtitle}</dc:title>")), "{opf}");
    assert!(!opf.contains("property=\"title-type\">subtitle"), "{opf}");
    // Every picture is described (the seeds have none but the cover): conformance is claimed.
    assert!(opf.contains("<meta property=\"dcterms:conformsTo\">EPUB Accessibility 1.1 - WCAG 2.1 Level AA</meta>"), "{opf}");
    // Emphasis dots where the reader draws them, else a colour MuPDF shows (it draws no underline).
    let css = entries(&epub).into_iter().find(|(name, _)| name == "EPUB/css/book.css").map(|(_, bytes)| String::from_utf8(bytes).unwrap()).unwrap();
    let fallback = css.split("\nem {").nth(1).and_then(|r| r.split('}').next()).expect("an em rule");
    assert!(fallback.contains("color:") && !fallback.contains("text-emphasis"), "{fallback}");
    let dots = css.split("@supports (text-emphasis-style: filled)").nth(1).expect("dots where supported");
    assert!(dots.split("em {").nth(1).is_some_and(|r| r.contains("color: inherit") && r.contains("text-emphasis: filled dot")), "{dots}");
}

/// The seeds' title and subtitle, from book.toml.
fn fs_book_toml() -> (String, String) {
    let toml = std::fs::read_to_string(repo().join("book.toml")).unwrap();
    let value = |key: &str| toml.lines().find_map(|l| l.strip_prefix(&format!("{key} = "))).unwrap().trim().trim_matches('"').to_owned();
    (value("title"), value("subtitle"))
}

#[test]
fn a_picture_without_alt_text_withholds_the_conformance_claim_and_the_index_leads_to_pages() {
    let essay = |n: u32, body: &str| format!("---\ntitle: 第{n}篇\ndate: 2024-01-0{n}\ntags: [图片]\n---\n\n{body}\n");
    let (one, two) = (essay(1, "有说明的图：\n\n![一张条纹图](pic.png)\n"), essay(2, &format!("{}\n\n![](pic.png)\n", "正文。".repeat(400))));
    let dir = book_folder("[book]\ntitle = \"图\"\nauthors = [\"测试者\"]\n", &[("one.md", &one), ("two.md", &two)]);
    image::RgbImage::from_fn(40, 30, |x, _| image::Rgb([(x * 6) as u8, 90, 160])).save(dir.path().join("manuscripts/pic.png")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = wenji(&repo(), &["build", dir.path().to_str().unwrap(), "-o", out.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let epub = only_file(out.path(), "epub");
    assert_epubcheck_clean(&epub);
    let texts = texts(&epub);
    let opf = &texts["EPUB/package.opf"];
    assert!(!opf.contains("conformsTo") && !opf.contains("alternativeText"), "a picture has no alt text: {opf}");
    // The described picture shows its alt text under it, hidden from screen readers.
    let page = texts.iter().find(|(name, text)| name.contains("essays/") && text.contains("一张条纹图")).expect("the first essay").1;
    assert!(page.contains("<span class=\"caption\" aria-hidden=\"true\">一张条纹图</span>"), "{page}");
    // The tag index: each essay with a leader to the printed page it opens on, as in the PDF.
    let index = &texts["EPUB/index.xhtml"];
    let pages: Vec<String> = index.split("<span class=\"page\">").skip(1).map(|s| s[..s.find('<').unwrap()].to_owned()).collect();
    assert_eq!(pages.len(), 2, "{index}");
    assert!(index.contains("<span class=\"leader\"></span>"), "{index}");
    let pdf = only_file(out.path(), "pdf");
    let Some((ok, text)) = tool_then("pdftotext", &["-enc", "UTF-8", "-layout"], &pdf, &["-"]) else { return };
    assert!(ok);
    let index_page = text.split('\x0c').rev().find(|p| p.contains("标签索引")).expect("the PDF's index");
    let printed: Vec<&str> = index_page.lines().filter(|l| l.contains("第")).filter_map(|l| l.split_whitespace().last()).collect();
    assert_eq!(printed, pages, "the EPUB's index pages are the PDF's: {index_page}");
}
