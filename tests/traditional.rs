//! Traditional-Chinese books (#23): Taiwan's and Hong Kong's glyph forms, punctuation and
//! quotes, wenji's own words in the book's script, editions converted between scripts, and
//! characters no bundled font has taken from the installed fonts. The real binary on real folders.

mod support;

use std::path::Path;

use support::*;

/// Builds `dir` with `extra` arguments into a new folder: the EPUB, the PDF, the layout dump
/// and what wenji printed.
fn build_all(dir: &Path, extra: &[&str]) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf, String, String) {
    let out = tempfile::tempdir().unwrap();
    let mut args = vec!["build", dir.to_str().unwrap(), "-o", out.path().to_str().unwrap(), "--format", "epub,pdf,layout"];
    args.extend(extra);
    let o = wenji(&repo(), &args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "build failed:\n{err}");
    let (epub, pdf) = (only_file(out.path(), "epub"), only_file(out.path(), "pdf"));
    let dump = std::fs::read_to_string(only_file(out.path(), "txt")).unwrap();
    (out, epub, pdf, dump, err)
}

/// The fixture copied, with book.toml's `[book]` given `extra` lines.
fn fixture_with(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("traditional"), dir.path());
    let toml = std::fs::read_to_string(dir.path().join("book.toml")).unwrap();
    std::fs::write(dir.path().join("book.toml"), toml.replace("[book]\n", &format!("[book]\n{extra}\n"))).unwrap();
    dir
}

fn font_names(pdf: &Path) -> Option<String> {
    let (ok, list) = tool("pdffonts", &[], pdf)?;
    assert!(ok, "{list}");
    Some(list)
}

fn all_text(epub: &Path) -> String {
    texts(epub).into_values().collect::<Vec<_>>().join("\n")
}

#[test]
fn a_taiwan_book_is_set_in_taiwan_forms_with_its_own_words_and_quotes() {
    let (_out, epub, pdf, dump, _) = build_all(&fixture("traditional"), &[]);
    assert_epubcheck_clean(&epub);
    assert_eq!(kinsoku_violations(&dump), Vec::<String>::new());
    let pages = texts(&epub);
    let nav = pages.iter().find(|(name, _)| name.ends_with("nav.xhtml")).map(|(_, t)| t.as_str()).unwrap();
    assert!(nav.contains("<h1>目錄</h1>") && nav.contains("標籤索引") && nav.contains("lang=\"zh-TW\""), "{nav}");
    let essays = essay_pages(&epub);
    let rain = essays.iter().find(|p| p.contains("雨季來的時候")).unwrap();
    assert!(rain.contains("aria-label=\"註釋\"") && rain.contains("<p>標籤："), "{rain}");
    // The author's “” and ‘’ beside Chinese are set as Taiwan quotes.
    let said = prose(rain);
    assert!(said.contains("「這座城市的雨，是會說話的。」") && said.contains("「它說『慢一點』。」"), "{said}");
    // The tag index goes by strokes: 生 (5), 雨 (8), 旅 and 茶 (10), 臺 (14).
    let index = pages.iter().find(|(name, _)| name.ends_with("index.xhtml")).map(|(_, t)| prose(t)).unwrap();
    let at = |tag: &str| index.find(tag).unwrap_or_else(|| panic!("{tag} is not in the index: {index}"));
    assert!(at("生活") < at("雨") && at("雨") < at("旅行") && at("旅行") < at("臺北"), "{index}");
    assert!(index.contains("五畫") && index.contains("十四畫"), "{index}");
    // The PDF: Taiwan's faces only (the comma of Noto Serif TC is centred), wenji's words in Traditional.
    if let Some(fonts) = font_names(&pdf) {
        assert!(fonts.contains("+NotoSerifTC-Regular") && fonts.contains("+NotoSerifTC-Bold"), "{fonts}");
        assert!(!fonts.contains("NotoSerifSC"), "{fonts}");
    }
    if let Some(text) = body_text(&pdf) {
        let text = squeeze(&text);
        assert!(text.contains("目錄") && text.contains("標籤索引") && text.contains("「它說『慢一點』。」"), "{text}");
        assert!(!text.contains("目录") && !text.contains("标签"), "{text}");
    }
}

#[test]
fn quotes_keep_leaves_the_author_s_marks() {
    let dir = fixture_with("quotes = \"keep\"");
    let (_out, epub, _, _, _) = build_all(dir.path(), &[]);
    let text = all_text(&epub);
    assert!(text.contains("“這座城市的雨，是會說話的。”"), "{text}");
}

#[test]
fn a_hong_kong_book_takes_hong_kong_forms_before_taiwan_s() {
    let dir = fixture_with("");
    let toml = std::fs::read_to_string(dir.path().join("book.toml")).unwrap().replace("zh-TW", "zh-HK");
    std::fs::write(dir.path().join("book.toml"), toml).unwrap();
    let (_out, epub, pdf, dump, _) = build_all(dir.path(), &[]);
    assert_epubcheck_clean(&epub);
    assert_eq!(kinsoku_violations(&dump), Vec::<String>::new());
    assert!(all_text(&epub).contains("lang=\"zh-HK\""));
    // 七 (in 七把傘) has a Hong Kong form of its own; the rest comes from the Taiwan face.
    if let Some(fonts) = font_names(&pdf) {
        assert!(fonts.contains("+NotoSerifHK-Regular") && fonts.contains("+NotoSerifTC-Regular"), "{fonts}");
    }
}

#[test]
fn an_essay_s_own_lang_gives_its_page_its_language_words_and_quotes() {
    let dir = tempfile::tempdir().unwrap();
    let essays = dir.path().join("essays");
    std::fs::create_dir(&essays).unwrap();
    std::fs::write(essays.join("a.md"), "---\ntitle: 简体的一篇\ndate: 2024-01-01\ntags: [生活]\n---\n\n他说：“好。”\n").unwrap();
    std::fs::write(essays.join("b.md"), "---\ntitle: 繁體的一篇\ndate: 2024-02-01\nlang: zh-TW\ntags: [生活]\n---\n\n他說：“好。”\n").unwrap();
    let (_out, epub, pdf, _, _) = build_all(&essays, &[]);
    assert_epubcheck_clean(&epub);
    // In the PDF each essay is set in its own locale's faces.
    if let Some(fonts) = font_names(&pdf) {
        assert!(fonts.contains("+NotoSerifSC-Regular") && fonts.contains("+NotoSerifTC-Regular"), "{fonts}");
    }
    if let Some(pages) = pages_text(&pdf) {
        // The essay's own page (the book's contents list its title in the book's faces).
        let traditional = pages.iter().position(|p| p.contains("他說")).unwrap();
        let fonts_on = |page: usize| tool("pdffonts", &["-f", &page.to_string(), "-l", &page.to_string()], &pdf).unwrap().1;
        let on_page = fonts_on(traditional + 1);
        // Its text in TC; the running head and the folio are the book's.
        assert!(on_page.contains("NotoSerifTC-Regular"), "{on_page}");
    }
    let pages = essay_pages(&epub);
    let (simplified, traditional) = (&pages[0], &pages[1]);
    assert!(simplified.contains("lang=\"zh-CN\"") && simplified.contains("<p>标签：") && simplified.contains("“好。”"), "{simplified}");
    assert!(traditional.contains("lang=\"zh-TW\"") && traditional.contains("<p>標籤：") && traditional.contains("「好。」"), "{traditional}");
}

#[test]
fn editions_convert_between_scripts_but_never_code_or_latin() {
    // The user's essays (Simplified) as a Taiwan edition.
    let (_out, epub, pdf, dump, _) = build_all(&repo(), &["--convert", "s2tw"]);
    assert_epubcheck_clean(&epub);
    assert_eq!(kinsoku_violations(&dump), Vec::<String>::new());
    let text = all_text(&epub);
    assert!(text.contains("擁抱失落") && text.contains("「失落感」") && text.contains("lang=\"zh-TW\""), "the essays are converted");
    assert!(!text.contains("拥抱失落"));
    if let Some(fonts) = font_names(&pdf) {
        assert!(fonts.contains("+NotoSerifTC-Regular"), "{fonts}");
    }
    // The Taiwan fixture as a Simplified edition, from book.toml: mainland quotes come back.
    let dir = fixture_with("convert = \"t2s\"");
    let (_out, epub, pdf, _, _) = build_all(dir.path(), &[]);
    assert_epubcheck_clean(&epub);
    let text = all_text(&epub);
    assert!(text.contains("“这座城市的雨，是会说话的。”") && text.contains("山城手记") && text.contains("lang=\"zh-CN\""), "{text}");
    assert!(text.contains("<h1>目录</h1>"));
    if let Some(fonts) = font_names(&pdf) {
        assert!(fonts.contains("+NotoSerifSC-Regular") && !fonts.contains("NotoSerifTC"), "{fonts}");
    }
    // Code, URLs and Latin stay as written.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.md"), "---\ntitle: 软件\ndate: 2024-01-01\n---\n\n打开 [网页](https://example.org/软件) 看 `let 发 = \"头发\";` 和 Rust。\n\n```\n// 头发\n```\n").unwrap();
    let (_out, epub, _, _, _) = build_all(dir.path(), &["--convert", "s2twp"]);
    let page = without_wide_boxes(&essay_pages(&epub)[0]);
    // Taiwan's words: 软件 → 軟體, 打开 → 開啟.
    assert!(page.contains("軟體") && page.contains("開啟") && page.contains("let 发 = &quot;头发&quot;;") && page.contains("// 头发") && page.contains("Rust"), "{page}");
    assert!(page.contains("https://example.org/%E8%BD%AF%E4%BB%B6") || page.contains("https://example.org/软件"), "{page}");
}

#[test]
fn an_unknown_conversion_is_refused_at_its_key() {
    let dir = fixture_with("convert = \"s2x\"");
    let out = tempfile::tempdir().unwrap();
    let o = wenji(dir.path(), &["build", "-o", out.path().to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("`convert = \"s2x\"` is not a conversion wenji knows") && err.contains("book.toml:2:") && err.contains("s2tw"), "{err}");
    let o = wenji(dir.path(), &["build", "--convert", "x2y"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("choose one of s2t, s2tw"), "{}", stderr(&o));
}

/// The conversion test cases OpenCC publishes (its `test/testcases/testcases.json`), as the
/// converter's crate ships them: every case of every conversion wenji offers.
#[test]
fn the_converter_passes_opencc_s_own_test_cases() {
    // The crate's source as cargo unpacked it for this build: the version Cargo.lock names, in
    // the registry's source folder (`cargo metadata` would want every platform's crates).
    let lock = std::fs::read_to_string(repo().join("Cargo.lock")).unwrap();
    let version = lock.split("name = \"ferrous-opencc\"\nversion = \"").nth(1).and_then(|v| v.split('"').next()).expect("the converter is a dependency");
    let home = std::env::var_os("CARGO_HOME").map(std::path::PathBuf::from).unwrap_or_else(|| Path::new(&std::env::var_os("HOME").unwrap()).join(".cargo"));
    let sources = std::fs::read_dir(home.join("registry/src")).unwrap().map(|e| e.unwrap().path().join(format!("ferrous-opencc-{version}")));
    let crate_dir = sources.into_iter().find(|d| d.is_dir()).expect("the converter's source in cargo's registry");
    let cases_file = crate_dir.join("tests/data/testcases.json");
    let cases: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&cases_file).unwrap()).unwrap();
    let mut checked = 0;
    for case in cases["cases"].as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        for (name, expected) in case["expected"].as_object().unwrap() {
            let Some(conversion) = wenji::locale::Conversion::named(name) else { continue };
            assert_eq!(wenji::convert::convert(conversion, input), expected.as_str().unwrap(), "{} ({name}): {input}", case["id"]);
            checked += 1;
        }
    }
    assert!(checked >= 100, "{checked} cases checked");
}

#[test]
fn huli_is_read_as_taiwanese_and_builds_clean_in_both_scripts() {
    let Some(blogs) = shared_blogs() else { return };
    let posts = blogs.join("huli/source");
    // huli's copy names no language: its script is read from the essays.
    let (_out, epub, pdf, dump, err) = build_all(&posts, &["--offline"]);
    assert!(err.contains("the essays are written in Traditional characters: the book is set as zh-TW"), "{err}");
    assert_epubcheck_clean(&epub);
    // The Chinese marks' rules; code and URLs in prose break after `(` and before `.` by design.
    let chinese: Vec<String> = kinsoku_violations(&dump).into_iter().filter(|v| v.split(": ").nth(1).is_some_and(|what| !what.is_ascii())).collect();
    assert_eq!(chinese, Vec::<String>::new());
    let text = all_text(&epub);
    assert!(text.contains("<h1>目錄</h1>") && text.contains("lang=\"zh-TW\""));
    if let Some(fonts) = font_names(&pdf) {
        assert!(fonts.contains("+NotoSerifTC-Regular"), "{fonts}");
    }
    let (_out, epub, pdf, _, _) = build_all(&posts, &["--offline", "--convert", "t2s"]);
    assert_epubcheck_clean(&epub);
    let text = all_text(&epub);
    assert!(text.contains("<h1>目录</h1>") && text.contains("lang=\"zh-CN\"") && !text.contains("這個"), "the edition is Simplified");
    if let Some(fonts) = font_names(&pdf) {
        assert!(fonts.contains("+NotoSerifSC-Regular"), "{fonts}");
    }
}

#[test]
fn a_character_no_bundled_font_has_comes_from_an_installed_font_that_has_it() {
    let dir = tempfile::tempdir().unwrap();
    let essays = dir.path().join("manuscripts");
    std::fs::create_dir(&essays).unwrap();
    // 𪊨 (U+2A2A8) is in CJK Extension B, which the bundled faces do not cover.
    // U+0378 is unassigned: no font anywhere has it.
    std::fs::write(essays.join("a.md"), "---\ntitle: 罕用字\ndate: 2024-01-01\n---\n\n這個字是𪊨，在擴展 B 區。\n\n未分配\u{378}。\n").unwrap();
    std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"罕用字\"\n").unwrap();
    let hanazono = Path::new("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf").is_file();
    if hanazono {
        let (_out, _, pdf, _, err) = build_all(dir.path(), &[]);
        assert!(err.contains("`𪊨` (U+2A2A8) is in no font of the book; it is set in `HanaMin") && err.contains("a.md:6:5"), "{err}");
        if let Some(fonts) = font_names(&pdf) {
            assert!(fonts.contains("+HanaMin"), "{fonts}");
        }
        if let Some(text) = body_text(&pdf) {
            assert!(text.contains("這個字是𪊨，"), "{text}");
        }
        assert!(err.contains("no font has `\u{378}` (U+0378), of the book's or of those installed on this machine") && err.contains("a.md:8:4"), "{err}");
    } else {
        missing("the Hanazono fonts (Debian `fonts-hanazono`)");
    }
    // Where no font may supply it, it is reported as missing.
    std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"罕用字\"\n[pdf]\nsystem-fonts = false\n").unwrap();
    let (_out, _, _, _, err) = build_all(dir.path(), &[]);
    assert!(err.contains("no font has `𪊨` (U+2A2A8)") && err.contains("a.md:6:5"), "{err}");
}

#[test]
fn a_japanese_book_gets_japanese_words() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("essays")).unwrap();
    std::fs::write(dir.path().join("essays/a.md"), "---\ntitle: 雨の日\ndate: 2024-01-01\ntags: [日記]\n---\n\n今日は雨だった。彼は“また明日”と言った[^1]。\n\n::: tip\n傘を忘れずに。\n:::\n\n[^1]: 駅の前で。\n").unwrap();
    std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"日々\"\nlanguage = \"ja\"\nmanuscripts = \"essays\"\n").unwrap();
    let (_out, epub, pdf, _, _) = build_all(dir.path(), &[]);
    assert_epubcheck_clean(&epub);
    let text = all_text(&epub);
    for words in ["<h1>目次</h1>", "aria-label=\"注\"", "<p>タグ：", "ヒント", "タグ索引", "「また明日」", "lang=\"ja\""] {
        assert!(text.contains(words), "{words} is not in the EPUB");
    }
    if let Some(text) = body_text(&pdf) {
        assert!(squeeze(&text).contains("目次") && !text.contains("目录"), "{text}");
    }
}
