//! Code as its readers expect it (#21): highlighted by its language in both outputs with a theme
//! that reads on paper (keywords bold, comments italic, besides colour), `highlight` in book.toml
//! choosing another theme or none, and a theme that does not exist reported in book.toml.

mod support;

use std::path::Path;

use support::*;

const ESSAY: &str = "---\ntitle: 代码\ndate: 2024-01-01\n---\n\n一段代码：\n\n```rust\n// 计算两数之和\nfn add(a: i32, b: i32) -> i32 {\n    a + b + 7\n}\n```\n\n没有语言的代码照旧：\n\n```\nplain text here\n```\n";

/// Builds a book of `ESSAY` with `toml` appended to its book.toml; the output folder and the
/// build's result.
fn build(toml: &str) -> (tempfile::TempDir, std::process::Output) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("book.toml"), format!("[book]\ntitle = \"代码\"\n{toml}")).unwrap();
    std::fs::create_dir(dir.path().join("manuscripts")).unwrap();
    std::fs::write(dir.path().join("manuscripts/a.md"), ESSAY).unwrap();
    let out = dir.path().join("out");
    let o = wenji(&repo(), &["build", dir.path().to_str().unwrap(), "-o", out.to_str().unwrap()]);
    (dir, o)
}

/// The colour of each character MuPDF reads on the PDF's pages, as (character, `#rrggbb`).
fn colours(pdf: &Path) -> Option<Vec<(char, String)>> {
    let (ok, xml) = tool_then("mutool", &["draw", "-F", "stext", "-o", "-"], pdf, &[])?;
    assert!(ok);
    let chars = xml
        .split("<char ")
        .skip(1)
        .filter_map(|c| {
            let colour = c.split("color=\"").nth(1)?.split('"').next()?.to_owned();
            let raw = c.split(" c=\"").nth(1)?.split('"').next()?;
            // MuPDF writes characters outside ASCII as `&#x4ee3;`.
            let ch = match raw.strip_prefix("&#x").and_then(|h| h.strip_suffix(';')) {
                Some(hex) => char::from_u32(u32::from_str_radix(hex, 16).ok()?)?,
                None => raw.chars().next()?,
            };
            Some((ch, colour))
        })
        .collect();
    Some(chars)
}

#[test]
fn code_is_highlighted_in_both_outputs() {
    let (dir, o) = build("");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = dir.path().join("out");
    let epub = only_file(&out, "epub");
    assert_epubcheck_clean(&epub);
    let page = essay_pages(&epub).concat();
    // Keywords bold and comments italic, each in a colour; code with no language is plain.
    assert!(page.contains(";font-weight:bold;\">fn</span>"), "{page}");
    assert!(page.contains("font-style:italic;\">// <span class=\"wide\">计</span><span class=\"wide\">算</span>"), "{page}");
    // Every wide character in code is boxed two columns of the monospace grid wide.
    let code = page.split("<pre>").skip(1).map(|p| p.split("</pre>").next().unwrap()).collect::<String>();
    let mut unboxed = code.clone();
    for c in ["计", "算", "两", "数", "之", "和"] {
        unboxed = unboxed.replace(&format!("<span class=\"wide\">{c}</span>"), "");
    }
    assert!(!unboxed.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{code}");
    let css = entries(&epub).into_iter().find(|(name, _)| name.ends_with(".css")).map(|(_, b)| String::from_utf8(b).unwrap()).unwrap();
    assert!(css.contains("pre .wide { display: inline-block; width: 2ch;"), "{css}");
    assert!(page.contains("<pre><code>plain text here</code></pre>"), "{page}");
    let Some(chars) = colours(&only_file(&out, "pdf")) else { return };
    let colour_of = |c: char| chars.iter().filter(|(x, _)| *x == c).map(|(_, col)| col.clone()).collect::<Vec<_>>();
    // `算` is only in the comment, `7` only in the number, `p` only in the plain block.
    assert!(colour_of('算').iter().all(|c| c != "#000000"), "{:?}", colour_of('算'));
    assert!(colour_of('7').iter().all(|c| c != "#000000" && c != &colour_of('算')[0]), "{:?}", colour_of('7'));
    assert!(colour_of('p').iter().all(|c| c == "#000000"), "{:?}", colour_of('p'));
}

#[test]
fn highlight_none_prints_code_plain_and_an_unknown_theme_is_an_error_in_book_toml() {
    let (dir, o) = build("\n[pdf]\nhighlight = \"none\"\n\n[epub]\nhighlight = \"none\"\n");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = dir.path().join("out");
    let page = essay_pages(&only_file(&out, "epub")).concat();
    assert!(!page.contains("<span style="), "{page}");
    if let Some(chars) = colours(&only_file(&out, "pdf")) {
        assert!(chars.iter().all(|(_, c)| c == "#000000"), "everything black");
    }
    // Another of the highlighter's themes is taken.
    let (_dir, o) = build("\n[pdf]\nhighlight = \"InspiredGitHub\"\n");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (_dir, o) = build("\n[epub]\nhighlight = \"rainbow\"\n");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("no code highlighting theme is called `rainbow`") && err.contains("book.toml:5:") && err.contains("InspiredGitHub"), "{err}");
}
