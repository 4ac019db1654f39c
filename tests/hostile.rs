//! Hostile, huge and odd input (#22), a test per class of defect: never a panic, a hang, a
//! blow-up, an invalid EPUB or a file outside the output folder. Inputs are made here.

mod support;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use support::*;

/// Writes `book.toml` (if given) and each essay into a new folder.
fn book(toml: Option<&str>, essays: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    if let Some(toml) = toml {
        std::fs::write(dir.path().join("book.toml"), toml).unwrap();
    }
    std::fs::create_dir(dir.path().join("manuscripts")).unwrap();
    for (name, text) in essays {
        std::fs::write(dir.path().join("manuscripts").join(name), text).unwrap();
    }
    dir
}

/// Builds `dir` into `dir/out` with `args`, under a watchdog.
fn build(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["build", ".", "-o", "out"];
    all.extend(args);
    wenji_within(dir, &all, &[], Duration::from_secs(120))
}

fn no_panic(o: &Output) -> String {
    let err = stderr(o);
    assert!(o.status.code().is_some_and(|c| c != 101) && !err.contains("panicked"), "{:?}\n{err}", o.status);
    err
}

#[test]
fn a_date_in_a_time_zone_gap_is_the_next_valid_instant() {
    // Apia skipped 2011-12-30; Kiritimati skipped 1994-12-31: from front matter and from a file name.
    for (zone, day) in [("Pacific/Apia", "2011-12-30"), ("Pacific/Kiritimati", "1994-12-31")] {
        let toml = format!("[book]\ntitle = \"跳过的一天\"\ntime-zone = \"{zone}\"\n");
        let front = format!("---\ntitle: 前言\ndate: {day} 10:00\n---\n\n正文。\n");
        let dir = book(Some(&toml), &[("front.md", &front), (&format!("{day}-name.md"), "---\ntitle: 文件名\n---\n\n正文。\n")]);
        let o = build(dir.path(), &["--format", "epub", "--json"]);
        let err = no_panic(&o);
        assert_eq!(o.status.code(), Some(0), "{err}");
        let opf = texts(&only_file(&dir.path().join("out"), "epub")).into_iter().find(|(n, _)| n.ends_with(".opf")).unwrap().1;
        assert!(opf.contains("<dc:title"), "{opf}");
    }
}

#[test]
fn json_writes_paths_that_are_not_utf8_lossily() {
    use std::os::unix::ffi::OsStrExt;
    let dir = book(Some("[book]\ntitle = \"名字\"\n"), &[]);
    let essay = std::ffi::OsStr::from_bytes(b"2020-01-01-a\xff.md");
    std::fs::write(dir.path().join("manuscripts").join(essay), "---\ntitle: 一篇\n---\n\n正文 ![](missing.png)\n").unwrap();
    let out = std::ffi::OsStr::from_bytes(b"out\xfe");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_wenji"));
    command.current_dir(dir.path()).arg("build").arg(".").arg("-o").arg(out).arg("--json");
    let o = run_within(command, Duration::from_secs(120), "wenji build -o out\\xfe --json");
    let err = no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let warning = &v["books"][0]["diagnostics"][0];
    assert!(warning["file"].as_str().unwrap().ends_with("a\u{fffd}.md"), "{v}");
    assert!(v["books"][0]["outputs"][0]["path"].as_str().unwrap().contains("out\u{fffd}"), "{v}");
    assert!(dir.path().join(out).is_dir());
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo {}", path.display());
}

/// A 10×10 PNG, then `size` bytes in all (a sparse file: no disk is used).
fn big_png(path: &Path, size: u64) {
    let mut png = Vec::new();
    image::RgbImage::from_pixel(10, 10, image::Rgb([200, 30, 30])).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    std::fs::write(path, &png).unwrap();
    std::fs::OpenOptions::new().write(true).open(path).unwrap().set_len(size).unwrap();
}

#[test]
fn named_pipes_are_left_out_with_a_warning_and_never_read() {
    let toml = "[book]\ntitle = \"管道\"\ncover = \"cover.png\"\n";
    let dir = book(Some(toml), &[("2020-01-01-a.md", "---\ntitle: 一篇\n---\n\n正文 ![图](pic.png)\n")]);
    mkfifo(&dir.path().join("manuscripts/2020-01-02-pipe.md"));
    mkfifo(&dir.path().join("manuscripts/pic.png"));
    mkfifo(&dir.path().join("cover.png"));
    // Without the check each of these would wait for a writer for ever: the watchdog would fire.
    let o = build(dir.path(), &["--format", "epub"]);
    let err = no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("left out: the essay is a named pipe (FIFO), not a regular file") && err.contains("2020-01-02-pipe.md"), "{err}");
    assert!(err.contains("image `pic.png` is left out") && err.contains("the cover cannot be used"), "{err}");
    assert_eq!(err.matches("a named pipe (FIFO), not a regular file").count(), 3, "{err}");
}

#[test]
fn images_and_fonts_over_their_limit_are_refused_before_they_are_read() {
    // A valid PNG header in a 100 MiB file: refused by its size, not read and embedded.
    let dir = book(Some("[book]\ntitle = \"大图\"\n"), &[("2020-01-01-a.md", "---\ntitle: 一篇\n---\n\n正文 ![图](huge.png)\n")]);
    big_png(&dir.path().join("manuscripts/huge.png"), 100 << 20);
    let o = build(dir.path(), &["--format", "epub"]);
    let err = no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("it is 100 MiB; wenji reads files of this kind up to 64 MiB"), "{err}");
    assert!(entries(&only_file(&dir.path().join("out"), "epub")).iter().all(|(name, _)| !name.contains("img-")));
    // A 3 GiB "font": an error naming it, in no time.
    let dir = book(Some("[book]\ntitle = \"大字\"\n[pdf]\nfallback-fonts = [\"huge.ttf\"]\n"), &[("2020-01-01-a.md", "---\ntitle: 一篇\n---\n\n正文。\n")]);
    std::fs::File::create(dir.path().join("huge.ttf")).unwrap().set_len(3 << 30).unwrap();
    let o = build(dir.path(), &["--format", "pdf"]);
    let err = no_panic(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("fallback font `huge.ttf` cannot be read: it is 3 GiB; wenji reads files of this kind up to 256 MiB"), "{err}");
}

/// Builds `dir` (EPUB and PDF, the defaults) and returns what it printed, with the build's
/// peak memory in MiB, read from the kernel when it ended (`wait4`). Killed after a minute.
fn build_measured(dir: &Path) -> (Output, u64) {
    use std::io::Read;
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_wenji"))
        .args(["build", ".", "-o", "out"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let pid = child.id() as i32;
    let started = std::time::Instant::now();
    let (status, peak) = loop {
        let mut status = 0;
        // SAFETY: plain structs for the kernel to fill; the child is ours.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let done = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if done == pid {
            break (status, usage.ru_maxrss as u64 / 1024);
        }
        if started.elapsed() > Duration::from_secs(60) {
            unsafe { libc::kill(-pid, libc::SIGKILL) };
            panic!("the build ran for a minute: killed\n{}", String::from_utf8_lossy(&stderr.join().unwrap()));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    use std::os::unix::process::ExitStatusExt;
    let output = Output { status: std::process::ExitStatus::from_raw(status), stdout: stdout.join().unwrap(), stderr: stderr.join().unwrap() };
    (output, peak)
}

#[test]
fn long_lines_deep_nesting_and_many_tags_cost_time_and_memory_in_proportion() {
    let notes: String = (0..100_000).map(|i| format!("[^{}]", i % 50)).collect::<String>() + "\n\n" + &(0..50).map(|i| format!("[^{i}]: 注{i}\n")).collect::<String>();
    let cases: Vec<(&str, String, i32)> = vec![
        // One 781 KB line of 100,000 emphasised words; 100,000 note references; cmark's pathological emphasis.
        ("emphasis", "*强*".repeat(100_000), 0),
        ("notes", notes, 0),
        ("cmark", "*a **a ".repeat(50_000), 0),
        ("links", "[链](https://example.com/x) ".repeat(50_000), 0),
        // Tags nested 20,000 deep, closed and not; 100,000 tags on a line.
        ("hexo nested", format!("{}正文\n{}", "{% note %}\n".repeat(20_000), "{% endnote %}\n".repeat(20_000)), 0),
        ("hexo unclosed", format!("{}正文\n", "{% note %}\n".repeat(20_000)), 0),
        ("hugo nested", format!("{}正文", "{{< admonition >}}".repeat(20_000)), 0),
        ("many tags", "{% post_link a %} 字 ".repeat(100_000), 0),
        // 30,000 characters no font has, on one line.
        ("rare", (0..30_000).map(|i| char::from_u32(0x20000 + i).unwrap()).collect(), 0),
    ];
    for (name, body, code) in cases {
        let essay = format!("---\ntitle: {name}\ndate: 2020-01-01\n---\n\n{body}\n");
        let dir = book(Some("[book]\ntitle = \"大\"\n"), &[("a.md", &essay)]);
        let (o, peak) = build_measured(dir.path());
        let err = no_panic(&o);
        assert_eq!(o.status.code(), Some(code), "{name}: {err}");
        // Today each takes well under a second and under 250 MiB; the bounds leave room for a slow machine.
        assert!(peak < 1024, "{name}: {peak} MiB");
        assert!(err.len() < 64 << 10, "{name}: {} bytes of warnings", err.len());
    }
    // Front matter nested 100,000 deep, YAML and JSON: the right error at once.
    for front in [format!("---\ntitle: {}\n---\n", "[".repeat(100_000)), format!(";;;\n{{\"title\": {}\n;;;\n", "[".repeat(100_000))] {
        let dir = book(Some("[book]\ntitle = \"深\"\n"), &[("a.md", &format!("{front}\n正文\n"))]);
        let (o, peak) = build_measured(dir.path());
        let err = no_panic(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains("the front matter nests lists or maps more than 64 deep") && err.contains("a.md:2:"), "{err}");
        assert!(peak < 256, "{peak} MiB");
    }
}

/// A GIF of one 1×1 frame on a `w`×`h` screen.
fn tiny_gif(w: u16, h: u16) -> Vec<u8> {
    let mut gif = b"GIF89a".to_vec();
    gif.extend(w.to_le_bytes());
    gif.extend(h.to_le_bytes());
    // A global table of two colours, black and white.
    gif.extend([0x80, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF]);
    gif.extend([0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0]);
    gif.extend([0x02, 0x02, 0x44, 0x01, 0x00, 0x3B]);
    gif
}

fn encoded(format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(120, 80, |x, y| image::Rgb([(x * 2) as u8, (y * 3) as u8, 90]));
    let mut bytes = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut bytes), format).unwrap();
    bytes
}

#[test]
fn images_that_claim_more_than_their_bytes_hold_or_end_early_are_refused_and_cheap() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"图\"\n").unwrap();
    let m = dir.path().join("manuscripts");
    std::fs::create_dir(&m).unwrap();
    // A 97 KB PNG of 100,000,000×1 grey pixels, all zero.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let chunk = |out: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        out.extend((data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend(kind);
        out.extend(data);
        out.extend(crc.sum().to_be_bytes());
    };
    let mut ihdr = 100_000_000u32.to_be_bytes().to_vec();
    ihdr.extend(1u32.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut z, &vec![0u8; 100_000_001]).unwrap();
    chunk(&mut png, b"IDAT", &z.finish().unwrap());
    chunk(&mut png, b"IEND", &[]);
    std::fs::write(m.join("bomb.png"), &png).unwrap();
    // Twenty GIFs under 100 bytes, each a 1×1 frame on a 10000×10000 screen.
    let mut essay = "---\ntitle: 图\ndate: 2020-01-01\n---\n\n![炸](bomb.png)\n\n".to_owned();
    for i in 0..20 {
        let mut gif = tiny_gif(10_000, 10_000);
        gif[13] = i as u8; // a colour of its own, so that each is a picture of its own
        std::fs::write(m.join(format!("g{i}.gif")), gif).unwrap();
        essay.push_str(&format!("![动{i}](g{i}.gif)\n\n"));
    }
    // A JPEG and a PNG cut in half.
    for (name, format) in [("cut.jpg", image::ImageFormat::Jpeg), ("cut.png", image::ImageFormat::Png)] {
        let bytes = encoded(format);
        std::fs::write(m.join(name), &bytes[..bytes.len() / 2]).unwrap();
        essay.push_str(&format!("![半]({name})\n\n"));
    }
    std::fs::write(m.join("a.md"), essay).unwrap();
    let (o, peak) = build_measured(dir.path());
    let err = no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(peak < 512, "{peak} MiB");
    assert!(err.contains("the image claims 100000000×1 pixels from 95") && err.contains("decompression bomb"), "{err}");
    assert_eq!(err.matches("the image file ends early (it is truncated)").count(), 2, "{err}");
    // The GIFs are in, each cut to its frame: a screen of 1×1.
    let gifs: Vec<Vec<u8>> = entries(&only_file(&dir.path().join("out"), "epub")).into_iter().filter(|(n, _)| n.ends_with(".gif")).map(|(_, b)| b).collect();
    assert_eq!(gifs.len(), 20);
    assert!(gifs.iter().all(|g| g[6..10] == [1, 0, 1, 0]), "screens cut to the frame");
}

#[test]
fn ids_urls_and_links_that_break_an_epub_are_mended_or_reported() {
    let essay = r#"---
title: 敌意的编号
date: 9999-12-31T23:59:59-12:00
---

## 冒名 {#essay-title}

## 注释 {#fn-1}

## 回链 {#fnref-1}

## 页码 {#page-1}

## 目录 {#essay-toc-title}

## 微 {#µ}

## 平方 {#a²}

## 正常 {#ok-id}

正文[^1]，[空格](<http://example.com/a b>)、[引号](http://example.com/"q")、[空主机](http:///x)、[v6](http://[::1)、[百分](http://example.com/%zz)、[NUL](http://example.com/&#0;x)、[好](https://example.com/路径?q=1)。

[外层 [内层](https://b.example) 外层](https://a.example)

<a href="https://c.example">原始 [内](https://d.example) 链接</a>

[文字 <a href="https://e.example">原始</a> 尾](https://f.example)

[带注的链接[^2]](https://g.example) [到正常](#ok-id)

>>>>>>>>>>>>>>> 压平的深处^[外层的注^[注里的注]]尾

[^1]: 注释。

[^2]: 链接里的注。
"#;
    let dir = book(Some("[book]\ntitle = \"敌意\"\n"), &[("a.md", essay)]);
    // The latest time EPUB can hold, not a five-digit year.
    let o = wenji_within(dir.path(), &["build", ".", "-o", "out", "--format", "epub"], &[("SOURCE_DATE_EPOCH", "253402300800")], Duration::from_secs(120));
    let err = no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(err.matches("cannot be used in the EPUB").count(), 7, "{err}");
    assert!(err.contains("link to `http:///x` leads nowhere") && err.contains("link to `http://[::1` leads nowhere"), "{err}");
    let epub = only_file(&dir.path().join("out"), "epub");
    assert_epubcheck_clean(&epub);
    let page = essay_pages(&epub).concat();
    assert!(page.contains("<h2 id=\"ok-id\">正常</h2>") && page.contains("href=\"#ok-id\""), "{page}");
    assert!(page.contains("href=\"http://example.com/a%20b\"") && page.contains("href=\"http://example.com/%25zz\""), "{page}");
    let opf = texts(&epub).into_iter().find(|(n, _)| n.ends_with(".opf")).unwrap().1;
    assert!(opf.contains("<meta property=\"dcterms:modified\">9999-12-31T23:59:59Z</meta>"), "{opf}");
}

#[test]
fn book_toml_metadata_an_epub_cannot_carry_is_an_error_at_its_key() {
    let cases = [
        ("authors = [\"\"]", "`authors` holds an empty name"),
        ("identifier = \"\"", "`identifier` is empty"),
        ("language = \"  \"", "`language` is empty"),
        ("description = \"\"", "`description` is empty"),
        ("publisher = \"\"", "`publisher` is empty"),
        ("subtitle = \"\"", "`subtitle` is empty"),
        ("language = \"中文\"", "`language = \"中文\"` is not a language tag"),
        ("date = \"not a date\"", "`date = \"not a date\"` is not a date"),
        ("date = \"2024-13-45\"", "is not a date"),
    ];
    for (line, message) in cases {
        let dir = book(Some(&format!("[book]\ntitle = \"元\"\n{line}\n")), &[("a.md", "---\ntitle: 一\ndate: 2020-01-01\n---\n\n正文。\n")]);
        let o = build(dir.path(), &["--format", "epub"]);
        let err = no_panic(&o);
        assert_eq!(o.status.code(), Some(1), "{line}: {err}");
        assert!(err.contains(message) && err.contains("book.toml:3:1"), "{line}: {err}");
    }
    // `zh_CN`, as blogs write it, is taken as zh-CN.
    let dir = book(Some("[book]\ntitle = \"元\"\nlanguage = \"zh_CN\"\n"), &[("a.md", "---\ntitle: 一\ndate: 2020-01-01\n---\n\n正文。\n")]);
    let o = build(dir.path(), &["--format", "epub"]);
    assert_eq!(o.status.code(), Some(0), "{}", no_panic(&o));
    let epub = only_file(&dir.path().join("out"), "epub");
    assert_epubcheck_clean(&epub);
    assert!(texts(&epub).into_iter().any(|(n, t)| n.ends_with(".opf") && t.contains("<dc:language>zh-CN</dc:language>")));
}

#[test]
fn outputs_stay_inside_the_output_folder_visible_and_short() {
    let essay = ("a.md", "---\ntitle: 一\ndate: 2020-01-01\n---\n\n正文。\n");
    // An output name that is a path, hidden, empty or turned around is an error at its key.
    for name in ["../x", "/tmp/x", "", "..", ".hidden", "evil\u{202E}gpj.exe"] {
        let toml = format!("[book]\ntitle = \"名\"\n\n[build]\noutput-name = \"{name}\"\n");
        let dir = book(Some(&toml), &[essay]);
        let o = build(dir.path(), &["--format", "epub"]);
        let err = no_panic(&o);
        assert_eq!(o.status.code(), Some(1), "{name:?}: {err}");
        assert!(err.contains("is not a plain file name") && err.contains("book.toml:5:1"), "{name:?}: {err}");
        assert!(!dir.path().join("x.epub").exists() && !dir.path().join("out/.epub").exists());
        assert!(err.contains("(1 error, 0 warnings)"), "the count says why: {err}");
    }
    // A title of 100 Chinese characters, with format characters: a file name of 40, without them.
    let title = format!("{}\u{200D}{}", "长".repeat(50), "题".repeat(50));
    let dir = book(Some(&format!("[book]\ntitle = \"{title}\"\n")), &[essay]);
    let o = build(dir.path(), &["--format", "epub"]);
    assert_eq!(o.status.code(), Some(0), "{}", no_panic(&o));
    let made: Vec<String> = std::fs::read_dir(dir.path().join("out")).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(made, [format!("{}.epub", "长".repeat(40))]);
    // `formats = []` asks for nothing: an error, not "built".
    let dir = book(Some("[book]\ntitle = \"名\"\n\n[build]\nformats = []\n"), &[essay]);
    let o = wenji_within(dir.path(), &["build", ".", "-o", "out"], &[], Duration::from_secs(120));
    let err = no_panic(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("`formats = []` asks for no book") && err.contains("book.toml:5:1"), "{err}");
    // A page smaller than its margins.
    for pdf in ["page-size = \"1pt x 1pt\"", "page-size = \"A6\"\nmargins = { top = 70, bottom = 70, inner = 10, outer = 10 }"] {
        let dir = book(Some(&format!("[book]\ntitle = \"名\"\n\n[pdf]\n{pdf}\n")), &[essay]);
        let o = build(dir.path(), &["--format", "pdf"]);
        let err = no_panic(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains("inside its margins: a page of text needs 10 characters a line and 6 lines at least") && err.contains("book.toml:5:"), "{err}");
    }
}

#[test]
fn the_cover_like_an_essay_image_must_be_inside_the_book() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.png");
    std::fs::write(&secret, encoded(image::ImageFormat::Png)).unwrap();
    let dir = book(Some(&format!("[book]\ntitle = \"封\"\ncover = \"{}\"\n", secret.display())), &[("a.md", "---\ntitle: 一\ndate: 2020-01-01\n---\n\n正文。\n")]);
    let o = build(dir.path(), &["--format", "epub"]);
    let err = no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("the cover cannot be used: it is outside the book's folder"), "{err}");
    // The typographic cover stands in: no copy of the secret image.
    let secret_bytes = std::fs::read(&secret).unwrap();
    assert!(entries(&only_file(&dir.path().join("out"), "epub")).iter().all(|(_, b)| *b != secret_bytes));
}

#[test]
fn init_writes_a_book_toml_that_builds_whatever_the_title() {
    let dir = tempfile::tempdir().unwrap();
    let o = wenji_within(dir.path(), &["init", "新书", "--title", "第一行\n第二行\t\"引号\" \\ 斜线"], &[], Duration::from_secs(60));
    let err = no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let o = wenji_within(&dir.path().join("新书"), &["build", "--format", "epub"], &[], Duration::from_secs(120));
    let err = no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
}

#[test]
fn what_is_left_out_is_said() {
    let essay = format!(
        "---\ntitle: 一\ndate: 2020-01-01\ntags: {{rust: 1, go: 2}}\ncategories:\n  - 笔记\n  - {{a: b}}\n---\n\n{}深{}\n",
        "<span>".repeat(40),
        "</span>".repeat(40)
    );
    let essay = essay.replace("<span>", "<b>").replace("</span>", "</b>");
    let dir = book(Some("[book]\ntitle = \"说\"\n"), &[("a.md", &essay)]);
    std::os::unix::fs::symlink("nowhere.md", dir.path().join("manuscripts/gone.md")).unwrap();
    let o = build(dir.path(), &["--format", "epub"]);
    let err = no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("the link `./manuscripts/gone.md` is left out: it leads nowhere (`nowhere.md` does not exist)"), "{err}");
    assert!(err.contains("`tags` holds a map or other nested values") && err.contains("a.md:4:7"), "{err}");
    assert!(err.contains("`categories` holds a map or other nested values"), "{err}");
    assert!(err.contains("HTML elements nested more than 16 deep are flattened"), "{err}");
    // A folder whose only essay is a link outside it: the link's warning comes with the error.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("b.md"), "---\ntitle: 外\n---\n\n外面。\n").unwrap();
    let dir = book(Some("[book]\ntitle = \"空\"\n"), &[]);
    std::os::unix::fs::symlink(outside.path().join("b.md"), dir.path().join("manuscripts/b.md")).unwrap();
    let o = build(dir.path(), &["--format", "epub"]);
    let err = no_panic(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("it leads outside the manuscripts folder") && err.contains("no essays found"), "{err}");
}

#[test]
fn a_flood_of_warnings_prints_a_hundred_per_file_and_counts_the_rest() {
    let body: String = (0..5000).map(|i| format!("![缺{i}](missing-{i}.png)\n\n")).collect();
    let dir = book(Some("[book]\ntitle = \"多\"\n"), &[("a.md", &format!("---\ntitle: 一\ndate: 2020-01-01\n---\n\n{body}"))]);
    let o = build(dir.path(), &["--format", "epub"]);
    let err = no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(err.matches("is left out: no file at").count(), 100, "{err}");
    assert!(err.contains("4900 more problems in `./manuscripts/a.md` are not shown (`--json` lists them all)") && err.contains("warning: 5000 warnings"), "{err}");
    assert!(err.len() < 100 << 10, "{} bytes", err.len());
    let o = build(dir.path(), &["--format", "epub", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["books"][0]["diagnostics"].as_array().unwrap().len(), 5000);
}

#[test]
fn the_largest_essay_wenji_reads_builds_in_a_few_hundred_megabytes() {
    // Almost 16 MiB of paragraphs of Chinese: some 7,000 pages.
    let words = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题";
    let chars: Vec<char> = words.chars().collect();
    let mut body = String::with_capacity(16 << 20);
    let mut n = 0usize;
    while body.len() < (16 << 20) - 4096 {
        let len = 60 + n % 240;
        body.extend((0..len).map(|i| chars[(n * 7 + i * 13) % chars.len()]));
        body.push_str("。\n\n");
        n += 1;
    }
    let dir = book(Some("[book]\ntitle = \"巨\"\n"), &[("a.md", &format!("---\ntitle: 巨\ndate: 2020-01-01\n---\n\n{body}"))]);
    let (o, peak) = build_measured(dir.path());
    let err = no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    // About 380 MiB today; the variants of every paragraph held until pagination once took 630.
    assert!(peak < 512, "{peak} MiB");
}

#[test]
fn an_unreadable_subfolder_is_reported_and_the_rest_is_built() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let open = |p: &std::path::Path, mode| std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    let essays = dir.path().join("essays");
    std::fs::create_dir_all(essays.join("locked")).unwrap();
    std::fs::write(essays.join("a.md"), "---\ntitle: 看得见\ndate: 2024-01-01\n---\n\n正文。\n").unwrap();
    std::fs::write(essays.join("locked/b.md"), "---\ntitle: 看不见\ndate: 2024-01-02\n---\n\n正文。\n").unwrap();
    open(dir.path(), 0o777);
    open(&essays, 0o755);
    open(&essays.join("a.md"), 0o644);
    open(&essays.join("locked"), 0o000);
    // Root reads any folder: as root, the build runs as `nobody` (setpriv, util-linux).
    let root = std::process::Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let mut command = if root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_wenji")]);
        c
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_wenji"))
    };
    let o = command.args(["build", "essays", "-o", "out", "--format", "epub"]).current_dir(dir.path()).env("NO_COLOR", "1").output().unwrap();
    open(&essays.join("locked"), 0o755);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("the folder `essays/locked` is left out: it cannot be read") && err.contains("check its permissions"), "{err}");
    assert!(err.contains("(1 essay,"), "{err}");
}
