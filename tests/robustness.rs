//! Bad input, case by case: the exact exit code and message for each, never a panic (exit 101)
//! nor an abort, and a previous book that a failed build leaves as it was.

mod support;

use std::path::Path;
use std::process::Output;

use support::*;

const HEAD: &str = "---\ntitle: 一篇\ndate: 2020-01-01\n---\n\n";

/// Builds a folder holding one essay with these bytes; returns the result and the folder.
fn build_essay(bytes: &[u8], args: &[&str]) -> (Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("essays")).unwrap();
    std::fs::write(dir.path().join("essays/a.md"), bytes).unwrap();
    let mut all = vec!["build", "essays", "-o", "out"];
    all.extend(args);
    (wenji(dir.path(), &all), dir)
}

/// Asserts the exit code (no panic, no signal) and that stderr holds every `expected` piece.
fn expect(o: &Output, code: i32, expected: &[&str]) -> String {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "exit status {:?}:\n{err}", o.status);
    assert!(!err.contains("panicked"), "{err}");
    for e in expected {
        assert!(err.contains(e), "`{e}` not in:\n{err}");
    }
    err
}

/// The XHTML of the essay pages of the book built in `dir`.
fn essay_xhtml(dir: &Path) -> String {
    essay_pages(&only_file(&dir.join("out"), "epub")).concat()
}

// Front matter.

#[test]
fn invalid_yaml() {
    let (o, _d) = build_essay(b"---\ntitle: [a\ndate: 2020-01-01\n---\n", &[]);
    expect(&o, 1, &["error: invalid YAML in the front matter", "--> essays/a.md:2:8", "= hint: front matter is YAML"]);
}

#[test]
fn a_block_that_is_a_scalar() {
    let (o, _d) = build_essay(b"---\njust words\n---\n", &[]);
    expect(&o, 1, &["error: the front matter is a single value, not a set of `key: value` fields", "--> essays/a.md:2:1"]);
}

#[test]
fn no_closing_separator() {
    let (o, _d) = build_essay(b"---\ntitle: a\ndate: 2020-01-01\n\nbody\n", &[]);
    expect(&o, 1, &["error: the front matter opened with `---` on line 1 is never closed", "--> essays/a.md:1:1"]);
}

#[test]
fn an_empty_block() {
    let (o, _d) = build_essay(b"---\n---\nbody\n", &[]);
    expect(&o, 0, &["warning: an empty front-matter block is not front matter", "warning: the essay has no title; using the file name `a`"]);
}

#[test]
fn unknown_and_out_of_range_dates() {
    for (date, col) in [("next tuesday", 7), ("2020-13-45", 7), ("99999-01-01", 7), ("  2020-02-30", 9)] {
        let (o, _d) = build_essay(format!("---\ntitle: a\ndate: {date}\n---\n").as_bytes(), &[]);
        expect(&o, 1, &[&format!("`{}` is not a date wenji understands", date.trim()), &format!("--> essays/a.md:3:{col}")]);
    }
}

#[test]
fn duplicate_keys() {
    let (o, _d) = build_essay(b"---\ntitle: a\ntitle: b\ndate: 2020-01-01\n---\n", &[]);
    expect(&o, 1, &["invalid YAML in the front matter: duplicate entry with key \"title\"", "--> essays/a.md:"]);
}

#[test]
fn a_megabyte_of_front_matter() {
    let text = format!("---\ntitle: 长\ndate: 2020-01-01\ndescription: {}\n---\n\n正文。\n", "长".repeat(350_000));
    let (o, _d) = build_essay(text.as_bytes(), &["--format", "epub"]);
    expect(&o, 0, &["wrote out/essays.epub"]);
}

#[test]
fn bytes_that_are_not_utf8() {
    let mut bytes = b"---\ntitle: a\ndate: 2020-01-01\n---\n\n".to_vec();
    bytes.extend([0xd5, 0xfd, 0xce, 0xc4]); // 正文 in GBK
    let (o, _d) = build_essay(&bytes, &[]);
    expect(&o, 1, &["error: the essay is not valid UTF-8", "--> essays/a.md:6:1", "GBK and Big5 files must be converted first"]);
}

#[test]
fn a_bom_and_crlf_line_ends() {
    let (o, d) = build_essay("\u{feff}---\r\ntitle: 带 BOM\r\ndate: 2020-01-01\r\n---\r\n\r\n正文。\r\n".as_bytes(), &["--format", "epub"]);
    expect(&o, 0, &[]);
    assert!(essay_xhtml(d.path()).contains("<h1 id=\"essay-title\">带 BOM</h1>"));
}

#[test]
fn control_characters_in_the_text_are_left_out_of_both_outputs_with_a_warning() {
    let (o, d) = build_essay(format!("{HEAD}第一行。\n\n退格\u{8}符和\u{8}转义\u{1b}符。\n").as_bytes(), &[]);
    expect(&o, 0, &["warning: 3 control characters (U+0008, U+001B) left out of the text", "--> essays/a.md:8:3"]);
    assert!(essay_xhtml(d.path()).contains("退格符和转义符。"));
    if let Some(text) = body_text(&only_file(&d.path().join("out"), "pdf")) {
        assert!(text.contains("退格符和转义符。"), "{text}");
    }
}

#[test]
fn nul_bytes() {
    let (o, _d) = build_essay(b"---\ntitle: a\x00b\ndate: 2020-01-01\n---\n", &[]);
    let err = expect(&o, 1, &["control characters are not allowed", "--> essays/a.md:2:"]);
    assert!(err.contains("title: a␀b"), "the NUL is shown as a picture:\n{err}");
    let (o, d) = build_essay(format!("{HEAD}正\0文\u{1b}[31m。\n").as_bytes(), &["--format", "epub"]);
    expect(&o, 0, &[]);
    let xhtml = essay_xhtml(d.path());
    assert!(!xhtml.contains('\0') && !xhtml.contains('\u{1b}'), "{xhtml}");
    assert_epubcheck_clean(&only_file(&d.path().join("out"), "epub"));
}

// Markdown.

#[test]
fn ten_thousand_nested_quotes_and_lists() {
    let quotes = format!("{HEAD}{} 引文\n", ">".repeat(10_000));
    let (o, _d) = build_essay(quotes.as_bytes(), &[]);
    expect(&o, 0, &["nested more than 16 deep are flattened", "--> essays/a.md:6:"]);
    // `- - - … 项` opens a list inside a list on one line, 10,000 deep.
    let lists = format!("{}项\n", "- ".repeat(10_000));
    let (o, d) = build_essay(format!("{HEAD}{lists}").as_bytes(), &["--format", "epub"]);
    expect(&o, 0, &["nested more than 16 deep are flattened"]);
    assert_epubcheck_clean(&only_file(&d.path().join("out"), "epub"));
}

#[test]
fn a_fifty_megabyte_essay_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("essays")).unwrap();
    let file = std::fs::File::create(dir.path().join("essays/big.md")).unwrap();
    file.set_len(50 << 20).unwrap();
    let o = wenji(dir.path(), &["build", "essays", "-o", "out"]);
    expect(&o, 1, &["error: the essay is 50 MiB; wenji reads essays of up to 16 MiB", "--> essays/big.md", "split it into several essays"]);
}

#[test]
fn a_hundred_thousand_row_table() {
    let rows: String = (0..100_000).map(|i| format!("| {i} | 第{i}行 |\n")).collect();
    let (o, d) = build_essay(format!("{HEAD}| 号 | 内容 |\n|---|---|\n{rows}").as_bytes(), &["--format", "epub,pdf"]);
    expect(&o, 0, &["wrote out/essays.pdf"]);
    let Some(text) = body_text(&only_file(&d.path().join("out"), "pdf")) else { return };
    assert!(text.contains("99999第99999行"), "the last row is set");
}

#[test]
fn a_line_with_no_break_opportunity() {
    let url = format!("https://example.com/{}", "a".repeat(20_000));
    let (o, d) = build_essay(format!("{HEAD}{url}\n\n{}\n", "字".repeat(5000)).as_bytes(), &["--format", "pdf,layout"]);
    expect(&o, 0, &[]);
    let dump = std::fs::read_to_string(only_file(&d.path().join("out"), "txt")).unwrap();
    assert!(dump.matches("|aaaa").count() > 10, "the address is broken over many lines");
}

#[test]
fn only_whitespace_and_an_empty_file() {
    for text in ["   \n\t\n", ""] {
        let (o, _d) = build_essay(text.as_bytes(), &[]);
        expect(&o, 0, &["warning: the essay has no title; using the file name `a`", "warning: the essay has no date"]);
    }
}

#[test]
fn an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("essays")).unwrap();
    let o = wenji(dir.path(), &["build", "essays"]);
    expect(&o, 1, &["error: no essays found: the folder has no `.md` or `.markdown` files", "--> essays"]);
}

// Content.

#[test]
fn scripts_event_handlers_and_javascript_links_never_reach_the_epub() {
    let text = format!(
        "{HEAD}<script>alert(1)</script>\n\n<img src=\"x.png\" onerror=\"alert(1)\">\n\n\
         <a href=\"javascript:alert(1)\" onclick=\"evil()\">点我</a>，[md](javascript:alert(2))，<a href=\"JaVaScRiPt:x\">大小写</a>\n\n\
         <div onmouseover=\"x()\" style=\"color:red\">段落</div>\n"
    );
    let (o, d) = build_essay(text.as_bytes(), &["--format", "epub"]);
    expect(&o, 0, &["warning: `<script>` is left out of the book", "link to `javascript:alert(1)` leads nowhere"]);
    let xhtml = essay_xhtml(d.path()).to_lowercase();
    for bad in ["<script", "onerror", "onclick", "onmouseover", "javascript:", "style="] {
        assert!(!xhtml.contains(bad), "{bad} in:\n{xhtml}");
    }
    assert!(xhtml.contains("点我") && xhtml.contains("段落"));
}

#[test]
fn images_outside_the_folder_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("essays")).unwrap();
    std::fs::write(dir.path().join("secret.png"), b"outside").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("secret.png"), dir.path().join("essays/link.png")).unwrap();
    std::fs::write(dir.path().join("essays/a.md"), format!("{HEAD}![上](../secret.png) ![绝对](/etc/hosts) ![链](link.png)\n")).unwrap();
    let o = wenji(dir.path(), &["build", "essays", "-o", "out", "--format", "epub"]);
    let err = expect(&o, 0, &["image `../secret.png` is left out: the file is outside the blog's folder", "image `/etc/hosts` is left out: no file at"]);
    if cfg!(unix) {
        assert!(err.contains("image `link.png` is left out: the file is outside the blog's folder"), "{err}");
    }
}

#[test]
fn linked_folders_outside_or_in_a_loop_are_left_out() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("essays/sub")).unwrap();
    std::fs::create_dir(dir.path().join("elsewhere")).unwrap();
    std::fs::write(dir.path().join("elsewhere/x.md"), HEAD).unwrap();
    std::fs::write(dir.path().join("essays/a.md"), HEAD).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("..", dir.path().join("essays/sub/loop")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), dir.path().join("essays/out")).unwrap();
    }
    let o = wenji(dir.path(), &["build", "essays", "-o", "out", "--format", "epub"]);
    if cfg!(unix) {
        expect(&o, 0, &["the link `essays/out` is left out: it leads outside the manuscripts folder", "the link `essays/sub/loop` is left out: it leads back into a folder already read (a loop)", "(1 essay,"]);
    }
}

#[test]
fn a_file_that_is_not_an_image_and_an_image_too_large_to_decode() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("essays")).unwrap();
    std::fs::write(dir.path().join("essays/fake.png"), b"this is text").unwrap();
    std::fs::write(dir.path().join("essays/huge.png"), png_header(30_000, 30_000)).unwrap();
    std::fs::write(dir.path().join("essays/a.md"), format!("{HEAD}![假](fake.png)\n\n![巨](huge.png)\n")).unwrap();
    let o = wenji(dir.path(), &["build", "essays", "-o", "out"]);
    expect(&o, 0, &["image `fake.png` is left out: not an image wenji can read (PNG, JPEG, GIF, WebP, SVG or AVIF)", "image `huge.png` is left out: the image is 30000×30000 pixels; wenji reads images of up to 100 megapixels"]);
}

/// A PNG that claims `w`×`h` pixels and holds almost no data: a decompression bomb's header.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut crc_input = kind.to_vec();
        crc_input.extend(data);
        out.extend(&crc_input);
        out.extend(crc32(&crc_input).to_be_bytes());
    }
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(&mut out, b"IEND", &[]);
    out
}

#[test]
fn characters_in_no_font_private_use_unassigned_and_emoji() {
    // Only the book's fonts: an installed one may have the emoji (DejaVu Sans does).
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("essays")).unwrap();
    std::fs::write(d.path().join("essays/a.md"), format!("{HEAD}私用\u{e000}，未分配\u{0378}，表情😀，音符𝄞。\n")).unwrap();
    std::fs::write(d.path().join("book.toml"), "[book]\nmanuscripts = \"essays\"\n[pdf]\nsystem-fonts = false\n").unwrap();
    let o = wenji(d.path(), &["build", "essays", "-o", "out", "--format", "epub,pdf"]);
    expect(&o, 0, &["no font has `\u{e000}` (U+E000)", "no font has `\u{378}` (U+0378)", "no font has `😀` (U+1F600)", "--> essays/a.md:6:"]);
    assert_epubcheck_clean(&only_file(&d.path().join("out"), "epub"));
}

// Output.

#[test]
fn an_output_folder_that_cannot_be_made_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("essays")).unwrap();
    std::fs::write(dir.path().join("essays/a.md"), HEAD).unwrap();
    std::fs::write(dir.path().join("out"), b"a file where the folder should be").unwrap();
    let o = wenji(dir.path(), &["build", "essays", "-o", "out"]);
    expect(&o, 1, &["error: cannot create the output folder `out`"]);
}

#[test]
fn a_write_that_fails_halfway_leaves_the_previous_book_intact() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("essays")).unwrap();
    std::fs::write(dir.path().join("essays/a.md"), format!("{HEAD}第一版。\n")).unwrap();
    let o = wenji(dir.path(), &["build", "essays", "-o", "out"]);
    expect(&o, 0, &[]);
    let out = dir.path().join("out");
    let before: Vec<(String, Vec<u8>)> = files(&out);
    std::fs::write(dir.path().join("essays/a.md"), format!("{HEAD}第二版。\n")).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_wenji"))
        .args(["build", "essays", "-o", "out"])
        .current_dir(dir.path())
        .env("WENJI_FAIL_WRITE", "pdf")
        .output()
        .unwrap();
    expect(&o, 1, &["error: cannot write `out/essays.pdf`: no space left on device (simulated)"]);
    // Neither the EPUB, written first, nor the PDF changed, and no temporary file is left.
    assert_eq!(files(&out), before);
}

/// The files of a folder with their bytes, by name.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap()).map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())).collect();
    out.sort();
    out
}
