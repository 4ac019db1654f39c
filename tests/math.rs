//! Formulas as blogs write them (tests/fixtures/formulas): found before Markdown touches them,
//! MathML in the EPUB (EPUBCheck clean), typeset in the PDF, and what cannot be read shown as
//! its TeX with a warning at file:line:col, counted in the summary.

mod support;

use std::path::PathBuf;
use std::sync::OnceLock;

use support::*;

struct Built {
    _out: tempfile::TempDir,
    epub: PathBuf,
    pdf: PathBuf,
    layout: String,
    stderr: String,
    summary: serde_json::Value,
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let out = tempfile::tempdir().unwrap();
        let dir = fixture("formulas");
        let args = ["build", dir.to_str().unwrap(), "-o", out.path().to_str().unwrap(), "--format", "epub,pdf,layout", "--json"];
        let o = wenji_within(&repo(), &args, &[], std::time::Duration::from_secs(120));
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let summary = serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["books"][0].clone();
        let layout = std::fs::read_to_string(only_file(out.path(), "txt")).unwrap();
        Built { epub: only_file(out.path(), "epub"), pdf: only_file(out.path(), "pdf"), layout, stderr: stderr(&o), summary, _out: out }
    })
}

#[test]
fn every_formula_is_counted_and_the_unreadable_one_is_reported_where_it_is() {
    let b = built();
    let f = &b.summary["formulas"];
    // 23 written as formulas (the definitions and the reference count); the prices and
    // `$HOME` are not formulas.
    assert_eq!((f["found"].as_u64(), f["reported"].as_u64()), (Some(23), Some(1)), "{}", b.summary);
    let warning: Vec<&serde_json::Value> = b.summary["diagnostics"].as_array().unwrap().iter().filter(|d| d["message"].as_str().unwrap().contains("formula cannot be read")).collect();
    assert_eq!(warning.len(), 1, "{}", b.stderr);
    assert!(warning[0]["file"].as_str().unwrap().ends_with("2024-03-02-blog-habits.md"));
    assert_eq!((warning[0]["line"].as_u64(), warning[0]["column"].as_u64()), (Some(18), Some(19)), "{}", b.stderr);
    assert!(warning[0]["message"].as_str().unwrap().contains(r"\nosuchcommand"), "{}", b.stderr);
}

#[test]
fn the_epub_carries_mathml_with_the_tex_as_alt_text() {
    let b = built();
    assert_epubcheck_clean(&b.epub);
    let pages = essay_pages(&b.epub);
    let all = pages.concat();
    let maths: Vec<&str> = all.split("<math ").skip(1).collect();
    // 22 read: one only defines, one only refers (it becomes the number as text).
    assert_eq!(maths.len(), 20, "{all}");
    assert!(maths.iter().all(|m| m[..m.find('>').unwrap()].contains(" alttext=\"") && m.contains("xmlns=\"http://www.w3.org/1998/Math/MathML\"")));
    let opf = texts(&b.epub).into_iter().find(|(name, _)| name.ends_with(".opf")).unwrap().1;
    let with_math = opf.matches("properties=\"mathml\"").count();
    assert_eq!(with_math, 2, "{opf}");
    // Markdown did not touch them: no emphasis inside, backslashes kept.
    assert!(all.contains(r#"alttext="x*y*z""#) && !all.contains("<em>y</em>"), "{all}");
    assert!(all.contains(r#"alttext="\Sigma = \{0, 1\}""#), "the Hexo-escaped formula is read as its blog meant it");
    // The label numbers the sum; the reference shows the number; the tag is its own.
    assert!(all.contains("<span class=\"number\">(1)</span>") && all.contains("<span class=\"number\">(分段)</span>"), "{all}");
    let text: String = pages.iter().map(|p| prose(p)).collect();
    assert!(text.contains("由式 (1) 可知"), "{text}");
    // Prices and shell variables are text.
    assert!(text.contains("这本书 $5，那本 $10。") && all.contains("<code>$HOME</code>"), "{text}");
    // Escaped brackets around a number are a citation, not a formula.
    assert!(text.contains("引文 [1] 和 [2]。"), "{text}");
    // The one that cannot be read is its TeX in code type.
    assert!(all.contains(r"<code>\nosuchcommand{x}</code>"), "{all}");
}

#[test]
fn the_pdf_sets_formulas_not_their_tex() {
    let b = built();
    let Some(text) = body_text(&b.pdf) else { return };
    // Letters in math italic, the math font embedded.
    assert!(text.contains('𝑎') && text.contains('𝐸') && text.contains('ℝ'), "{text}");
    let Some((_, fonts)) = tool("pdffonts", &[], &b.pdf) else { return };
    assert!(fonts.contains("STIXTwoMath"), "{fonts}");
    // No TeX is printed but the formula that cannot be read.
    let commands: Vec<&str> = text.split('\\').skip(1).map(|t| t.split(|c: char| !c.is_ascii_alphabetic()).next().unwrap()).collect();
    assert_eq!(commands, vec!["nosuchcommand"], "{text}");
    assert!(!text.contains("$$") && !text.contains(r"\("), "{text}");
}

#[test]
fn display_formulas_are_centred_with_their_numbers_at_the_right() {
    let b = built();
    let page_width = 28.0 * 10.5;
    let numbered: Vec<&str> = b.layout.lines().filter(|l| l.contains("|(1)") || l.contains("(1)|")).collect();
    assert!(!numbered.is_empty(), "{}", b.layout);
    // A display line: the formula's cluster, then the number, whose end is the measure's.
    let line = numbered.iter().find(|l| l.trim_start().starts_with("Other")).expect("the numbered display formula");
    let end: f32 = line.rsplit('>').next().unwrap().trim().parse().unwrap();
    let first_x: f32 = line.split('|').nth(2).unwrap().split_whitespace().next().unwrap().split('*').next().unwrap().parse().unwrap();
    // The measure's left end: where a paragraph's first line starts, less its 2 em indent.
    let body = b.layout.lines().find(|l| l.trim_start().starts_with("Body^")).expect("a paragraph");
    let indented: f32 = body.split('|').nth(2).unwrap().split_whitespace().next().unwrap().split('*').next().unwrap().parse().unwrap();
    let left = indented - 2.0 * 10.5;
    assert!((end - (left + page_width)).abs() < 1.0, "{line}\n{body}");
    assert!(first_x > left + 3.0 * 10.5, "the formula is centred, not at the left: {line}");
}

#[test]
fn every_formula_is_tagged_as_a_formula_with_its_tex_between_the_text_around_it() {
    let b = built();
    let Some(alts) = struct_alts(&b.pdf, "Formula") else { return };
    let alts: Vec<&str> = alts.iter().map(String::as_str).collect();
    // The 20 the EPUB shows as MathML, inline and display alike, each with its TeX.
    assert_eq!(alts.len(), 20, "{alts:?}");
    assert!(alts.contains(&"u:a^2 + b^2 = c^2") && alts.contains(&"u:x*y*z"), "{alts:?}");
    assert!(alts.iter().any(|a| a.starts_with(r"u:\begin{pmatrix}")), "{alts:?}");
    // An inline formula sits inside its paragraph, between the text before and after it.
    let Some((ok, tree)) = tool("pdfinfo", &["-struct-text"], &b.pdf) else { return };
    assert!(ok);
    let lines: Vec<&str> = tree.lines().map(str::trim).collect();
    let at = lines.iter().position(|l| *l == "\"行内公式用一对美元符号：\"").expect("the paragraph's text");
    assert_eq!(lines[at + 1], "Formula", "{tree}");
    assert_eq!(lines[at + 2], "\"𝑎2+𝑏2=𝑐2\"", "{tree}");
    assert_eq!(lines[at + 3], "\"，也可以写成 \"", "{tree}");
}

#[test]
fn formulas_in_table_cells_and_notes_are_tagged_inside_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"表与注\"\n").unwrap();
    std::fs::create_dir(dir.path().join("manuscripts")).unwrap();
    let essay = "---\ntitle: 格子里的式子\ndate: 2024-05-01\n---\n\n| 名称 | 式子 |\n|---|---|\n| 勾股 | $a^2+b^2=c^2$ 成立 |\n\n正文 $x$ 结束。[^1]\n\n[^1]: 注里 $y^2$ 也有。\n";
    std::fs::write(dir.path().join("manuscripts/2024-05-01-cells.md"), essay).unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = wenji(&repo(), &["build", dir.path().to_str().unwrap(), "-o", out.path().to_str().unwrap(), "--format", "pdf"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let Some((ok, tree)) = tool("pdfinfo", &["-struct-text"], &only_file(out.path(), "pdf")) else { return };
    assert!(ok);
    // Each formula's element is the next line after its container's, one level deeper.
    let lines: Vec<&str> = tree.lines().collect();
    let depth = |l: &str| l.len() - l.trim_start().len();
    let parent_of = |text: &str| {
        let at = lines.iter().position(|l| l.trim() == text).unwrap_or_else(|| panic!("{text} in {tree}"));
        assert_eq!(lines[at - 1].trim(), "Formula", "{tree}");
        let formula_depth = depth(lines[at - 1]);
        lines[..at - 1].iter().rev().find(|l| depth(l) < formula_depth).unwrap().trim().split([' ', ':']).next().unwrap().to_owned()
    };
    assert_eq!(parent_of("\"𝑎2+𝑏2=𝑐2\""), "TD");
    assert_eq!(parent_of("\"𝑥\""), "P");
    assert_eq!(parent_of("\"𝑦2\""), "P", "the note's paragraph");
    assert!(tree.contains("Note"), "{tree}");
}

/// `name="value"` of an element's start tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(&tag[at..at + tag[at..].find('"')?])
}

#[test]
fn every_formula_has_a_picture_for_readers_without_mathml() {
    let b = built();
    let files: std::collections::BTreeMap<String, Vec<u8>> = entries(&b.epub).into_iter().collect();
    let opf = String::from_utf8(files["EPUB/package.opf"].clone()).unwrap();
    let pages = essay_pages(&b.epub);
    let tags: Vec<String> = pages.iter().flat_map(|p| p.split("<math ").skip(1)).map(|m| format!(" {}", &m[..m.find('>').unwrap()])).collect();
    assert_eq!(tags.len(), 20);
    let mut pictures = std::collections::BTreeSet::new();
    for tag in &tags {
        let src = attribute(tag, "altimg").unwrap_or_else(|| panic!("no picture: {tag}"));
        let name = src.strip_prefix("../images/").unwrap();
        assert!(opf.contains(&format!("href=\"images/{name}\" media-type=\"image/png\"")), "{name} is not in the manifest");
        let em = |a: &str| attribute(tag, a).unwrap().strip_suffix("em").unwrap().parse::<f32>().unwrap();
        let (width, height, valign) = (em("altimg-width"), em("altimg-height"), em("altimg-valign"));
        // The picture: the formula's ink, as wide for its height as the em sizes say.
        let picture = image::load_from_memory(&files[&format!("EPUB/images/{name}")]).unwrap().to_luma8();
        let ratio = picture.width() as f32 / picture.height() as f32;
        assert!((ratio - width / height).abs() < 0.05 * ratio, "{tag}: {}×{} pixels", picture.width(), picture.height());
        assert!(picture.pixels().filter(|p| p.0[0] < 100).count() > 50, "{tag}: a blank picture");
        assert!(valign < 0.0 && -valign < height, "{tag}");
        pictures.insert(name.to_owned());
    }
    // A display sum with its limits stands taller than a line of text, and lowers further.
    let sum = tags.iter().find(|t| t.contains(r#"alttext="\sum_{k=1}"#)).unwrap();
    assert!(attribute(sum, "altimg-height").unwrap().trim_end_matches("em").parse::<f32>().unwrap() > 2.0, "{sum}");
    // Each picture is listed once.
    assert_eq!(opf.matches("images/math-").count(), pictures.len());
}

#[test]
fn formula_pictures_can_be_left_out() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("formulas"), dir.path());
    let toml = std::fs::read_to_string(dir.path().join("book.toml")).unwrap();
    std::fs::write(dir.path().join("book.toml"), format!("{toml}\n[epub]\nformula-images = false\n")).unwrap();
    let (_out, epub) = build_epub(dir.path());
    let all = essay_pages(&epub).concat();
    assert_eq!(all.matches("<math ").count(), 20);
    assert!(!all.contains("altimg"), "{all}");
    assert!(entries(&epub).iter().all(|(name, _)| !name.contains("images/math-")));
}
