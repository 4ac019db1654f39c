//! The tagged PDF: its structure tree read back with poppler (`pdfinfo -struct-text`), its
//! catalogue with qpdf, and its content streams scanned for text outside marked content.

mod support;

use std::path::{Path, PathBuf};

use support::*;

/// A structure element as `pdfinfo -struct-text` prints it: its type, attribute lines and
/// the text of its marked content, with its children.
#[derive(Debug, Default)]
struct Elem {
    kind: String,
    attributes: Vec<String>,
    texts: Vec<String>,
    children: Vec<Elem>,
}

impl Elem {
    /// All text under this element, in reading order.
    fn text(&self) -> String {
        let mut out = self.texts.concat();
        for c in &self.children {
            out.push_str(&c.text());
        }
        out
    }

    fn all<'a>(&'a self, kind: &str, out: &mut Vec<&'a Elem>) {
        if self.kind == kind {
            out.push(self);
        }
        for c in &self.children {
            c.all(kind, out);
        }
    }

    fn find(&self, kind: &str) -> Vec<&Elem> {
        let mut out = Vec::new();
        self.all(kind, &mut out);
        out
    }

    fn kinds(&self) -> Vec<&str> {
        self.children.iter().map(|c| c.kind.as_str()).collect()
    }
}

/// Parses the indented tree of `pdfinfo -struct-text` (two spaces a level).
fn parse_struct(text: &str) -> Elem {
    let mut stack: Vec<(usize, Elem)> = vec![(0, Elem { kind: "root".into(), ..Elem::default() })];
    for line in text.lines() {
        let depth = (line.len() - line.trim_start().len()) / 2 + 1;
        let content = line.trim();
        if content.is_empty() {
            continue;
        }
        // Text and attribute lines are indented below their element, as children are.
        while stack.last().unwrap().0 >= depth {
            close(&mut stack);
        }
        if let Some(t) = content.strip_prefix('"') {
            stack.last_mut().unwrap().1.texts.push(t.strip_suffix('"').unwrap_or(t).to_owned());
            continue;
        }
        if content.starts_with('/') {
            stack.last_mut().unwrap().1.attributes.push(content.to_owned());
            continue;
        }
        let kind = content.split([' ', ':']).next().unwrap().to_owned();
        stack.push((depth, Elem { kind, ..Elem::default() }));
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    stack.pop().unwrap().1
}

fn close(stack: &mut Vec<(usize, Elem)>) {
    let (_, e) = stack.pop().unwrap();
    stack.last_mut().unwrap().1.children.push(e);
}

/// The structure tree's `Document` element, or `None` when poppler is missing (a notice).
fn structure(pdf: &Path) -> Option<Elem> {
    let (ok, text) = tool("pdfinfo", &["-struct-text"], pdf)?;
    assert!(ok);
    let mut root = parse_struct(&text);
    assert_eq!(root.kinds(), ["Document"], "one Document at the root");
    Some(root.children.remove(0))
}

fn build(dir: &Path) -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let o = wenji(&repo(), &["build", dir.to_str().unwrap(), "-o", out.path().to_str().unwrap(), "--format", "pdf"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let pdf = only_file(out.path(), "pdf");
    (out, pdf)
}

fn squeezed(texts: impl IntoIterator<Item = String>) -> Vec<String> {
    texts.into_iter().map(|t| squeeze(&t)).collect()
}

#[test]
fn seeds_are_tagged_in_reading_order_with_headings_and_paragraphs() {
    let (_out, pdf) = build(&repo());
    if let Some((ok, info)) = tool("pdfinfo", &[], &pdf) {
        assert!(ok);
        assert!(info.lines().any(|l| l.starts_with("Tagged:") && l.ends_with("yes")), "{info}");
    }
    let Some(doc) = structure(&pdf) else { return };
    // Cover, title page, contents, the three essays, the index.
    let kinds = doc.kinds();
    assert_eq!(kinds.first(), Some(&"Figure"), "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == "Sect").count(), 3, "{kinds:?}");
    assert!(kinds.contains(&"TOC") && kinds.last() == Some(&"Index"), "{kinds:?}");
    let toc = doc.find("TOCI");
    assert!(toc.len() >= 3, "{} contents entries", toc.len());
    for entry in toc {
        // One link: its title, then its page number, and the link's annotation.
        let text = entry.text();
        assert!(text.ends_with(|c: char| c.is_ascii_digit()), "{text}");
        assert_eq!(entry.kinds(), ["Link"], "{text}");
        assert_eq!(entry.children[0].kinds(), ["Object"], "{text}");
    }

    let sections: Vec<&Elem> = doc.children.iter().filter(|c| c.kind == "Sect").collect();
    let mut seeds: Vec<String> = SEEDS.iter().map(|s| seed_source(s)).collect();
    // The essays come in date order; match each section to its seed by title.
    seeds.sort_by_key(|s| sections.iter().position(|e| e.children[0].text() == seed_title(s)).expect("a section per seed"));
    for (section, source) in sections.iter().zip(&seeds) {
        assert_eq!(section.children[0].kind, "H1");
        assert_eq!(section.children[0].text(), seed_title(source));
        let h2: Vec<String> = section.children.iter().filter(|c| c.kind == "H2").map(Elem::text).collect();
        assert_eq!(h2, seed_headings(source), "every section heading, in order");
        // Every paragraph of the source is one P, whole (also when it crosses a page), in order.
        let paragraphs = squeezed(section.children.iter().filter(|c| c.kind == "P").map(Elem::text));
        let mut at = 0;
        for p in squeezed(seed_paragraphs(source)) {
            let found = paragraphs[at..].iter().position(|q| *q == p).unwrap_or_else(|| panic!("paragraph not a P in order: {p}"));
            at += found + 1;
        }
    }
}

#[test]
fn running_heads_folios_and_rules_are_artifacts_and_no_text_is_untagged() {
    let (_out, pdf) = build(&repo());
    let dir = tempfile::tempdir().unwrap();
    let qdf = dir.path().join("qdf.pdf");
    let Some((ok, _)) = tool_then("qpdf", &["--qdf", "--object-streams=disable"], &pdf, &[qdf.to_str().unwrap()]) else { return };
    assert!(ok);
    let bytes = std::fs::read(&qdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let mut pages = 0;
    let (mut artifacts, mut spans) = (0, 0);
    for part in text.split("%% Contents for page ").skip(1) {
        pages += 1;
        let stream = &part[part.find("stream\n").unwrap() + 7..part.find("endstream").unwrap()];
        let mut depth = 0i32;
        for token in tokens(stream) {
            match token.as_str() {
                "BDC" | "BMC" => depth += 1,
                "EMC" => depth -= 1,
                "/Artifact" => artifacts += 1,
                "/Span" | "/P" => spans += 1,
                "TJ" | "Tj" | "f" | "S" | "Do" => assert!(depth > 0, "page {pages}: `{token}` outside marked content"),
                _ => {}
            }
            assert!(depth >= 0, "page {pages}: EMC without BDC");
        }
        assert_eq!(depth, 0, "page {pages}: marked content left open");
    }
    assert!(pages > 10, "{pages} pages");
    // Every page after the cover has a folio or a head, each an artifact.
    assert!(artifacts >= pages - 1, "{artifacts} artifacts on {pages} pages");
    assert!(spans > 0);
    // The head's text is no structure element's: the book's title appears in the cover's
    // figure and the title page's heading only, though it heads every verso.
    let Some(doc) = structure(&pdf) else { return };
    let title = "心的微光";
    let mut holders = Vec::new();
    fn walk<'a>(e: &'a Elem, title: &str, out: &mut Vec<&'a str>) {
        if e.texts.iter().any(|t| t == title) {
            out.push(&e.kind);
        }
        e.children.iter().for_each(|c| walk(c, title, out));
    }
    walk(&doc, title, &mut holders);
    assert_eq!(holders, ["H1"], "the title page's heading holds the title alone");
}

/// A content stream's names (with their slash) and operators and numbers; strings, hex
/// strings and dictionary brackets are skipped.
fn tokens(stream: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = stream.chars().peekable();
    let regular = |c: char| !c.is_whitespace() && !"()<>[]{}/%".contains(c);
    while let Some(c) = chars.next() {
        match c {
            '(' => {
                let mut depth = 1;
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            '<' if chars.peek() != Some(&'<') => {
                for c in chars.by_ref() {
                    if c == '>' {
                        break;
                    }
                }
            }
            '/' => {
                let mut name = String::from("/");
                while let Some(&c) = chars.peek().filter(|&&c| regular(c)) {
                    name.push(c);
                    chars.next();
                }
                out.push(name);
            }
            c if regular(c) => {
                let mut word = String::from(c);
                while let Some(&c) = chars.peek().filter(|&&c| regular(c)) {
                    word.push(c);
                    chars.next();
                }
                out.push(word);
            }
            _ => {}
        }
    }
    out
}

#[test]
fn catalogue_declares_the_language_and_marked_content() {
    let (_out, pdf) = build(&repo());
    let Some((ok, json)) = tool("qpdf", &["--json=2", "--json-key=qpdf"], &pdf) else { return };
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let objects = &v["qpdf"][1];
    let root = objects["trailer"]["value"]["/Root"].as_str().unwrap();
    let catalog = &objects[format!("obj:{root}")]["value"];
    assert_eq!(catalog["/Lang"], "u:zh-CN");
    assert_eq!(catalog["/MarkInfo"]["/Marked"], true);
    let tree = catalog["/StructTreeRoot"].as_str().expect("a structure tree");
    assert!(objects[format!("obj:{tree}")]["value"]["/ParentTree"]["/Nums"].is_array(), "a parent tree");
}

#[test]
fn lists_tables_figures_code_and_notes_are_tagged() {
    let (_out, pdf) = build(&fixture("features"));
    let Some(doc) = structure(&pdf) else { return };
    // Lists: numbered items have their number as a label; every item has a body.
    let items = doc.find("LI");
    assert!(items.len() >= 5, "{} items", items.len());
    assert!(items.iter().all(|li| li.children.iter().any(|c| c.kind == "LBody")));
    // A numbered item's label is read before its body.
    let numbered_items: Vec<&&Elem> = items.iter().filter(|li| li.children.iter().any(|c| c.kind == "Lbl")).collect();
    assert!(!numbered_items.is_empty() && numbered_items.iter().all(|li| li.kinds() == ["Lbl", "LBody"]), "{numbered_items:?}");
    let labels: Vec<String> = doc.find("Lbl").iter().map(|l| l.text()).collect();
    assert!(labels.contains(&"3.".to_owned()) && labels.contains(&"4.".to_owned()), "{labels:?}");
    let numbered = doc.find("L").into_iter().find(|l| l.text().contains("第三项")).unwrap();
    assert!(numbered.attributes.iter().any(|a| a.contains("/ListNumbering /Decimal")), "{:?}", numbered.attributes);
    // The table: a header row of TH with column scope, then rows of TD.
    let table = &doc.find("Table")[0];
    let rows = table.find("TR");
    let header: Vec<String> = rows[0].children.iter().filter(|c| c.kind == "TH").map(Elem::text).collect();
    assert_eq!(header, ["名称", "数量", "说明"]);
    assert!(rows[0].children.iter().all(|c| c.attributes.iter().any(|a| a == "/Scope /Column")));
    assert_eq!(rows[1].children.iter().map(Elem::text).collect::<Vec<_>>(), ["苹果", "3", "红色"]);
    // Code as a block, its lines in order; notes with their numbers.
    let code = doc.find("Code");
    assert!(code[0].text().starts_with("fn main() {"), "{}", code[0].text());
    let notes = doc.find("Note");
    assert_eq!(notes.len(), 3);
    assert_eq!(notes[0].children[0].kind, "Lbl");
    // The essay's heading levels are the source's.
    assert!(doc.find("H3").iter().any(|h| h.text() == "列表"));
    // The figure carries the image's alt text, read from the structure element.
    let alts = struct_alts(&pdf, "Figure").unwrap();
    let alts: Vec<&str> = alts.iter().map(String::as_str).collect();
    assert!(alts.contains(&"u:条纹"), "{alts:?}");
    assert!(alts.iter().any(|a| a.starts_with("u:封面：功能样书")), "the cover's alt text: {alts:?}");
    // The caption is inside its figure, after the picture.
    let captioned: Vec<&Elem> = doc.find("Figure").into_iter().filter(|f| f.kinds() == ["Caption"]).collect();
    assert!(captioned.iter().any(|f| f.text() == "条纹"), "{:?}", doc.find("Figure"));
    // Links: each a Link element holding its text and its annotation (an Object).
    let links = doc.find("Link");
    let external = links.iter().find(|l| l.text() == "外部链接").expect("the external link");
    assert_eq!(external.kinds(), ["Object"]);
    assert!(links.iter().filter(|l| l.text() == "②").count() == 2, "note callers are links");
    // Every task's box is its item's label, ☑ or ☐ as its actual text; Latin is marked English.
    if let Some(content) = content_streams(&pdf) {
        assert!(content.contains("/ActualText<feff2611>") && content.contains("/ActualText<feff2610>"), "the task boxes' labels");
        assert!(content.contains("/Lang(en)"), "Latin text carries its language");
        // Emphasis as PDF 2.0's Em and Strong, mapped to Span for PDF 1.7 readers.
        assert_eq!(content.matches("/S /Em\n").count() + content.matches("/S /Em\r").count(), 1, "one *emphasis*");
        assert!(content.matches("/S /Strong").count() >= 2, "the **strong** runs");
        assert!(content.contains("/Em /Span") && content.contains("/Strong /Span"), "the role map");
    }
    let tasks: Vec<&&Elem> = items.iter().filter(|li| li.text().contains("任务")).collect();
    assert!(tasks.len() >= 2 && tasks.iter().all(|li| li.kinds() == ["Lbl", "LBody"]), "{tasks:?}");
}

/// Every content stream of `pdf`, uncompressed (qpdf's QDF form).
fn content_streams(pdf: &Path) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let qdf = dir.path().join("qdf.pdf");
    let (ok, _) = tool_then("qpdf", &["--qdf", "--object-streams=disable"], pdf, &[qdf.to_str().unwrap()])?;
    assert!(ok, "qpdf could not rewrite {}", pdf.display());
    Some(String::from_utf8_lossy(&std::fs::read(qdf).unwrap()).into_owned())
}

#[test]
fn an_essay_in_another_language_carries_it_on_its_section() {
    let dir = book_folder(
        "[book]\ntitle = \"两岸\"\nauthors = [\"测试者\"]\n",
        &[
            ("a.md", "---\ntitle: 大陆\ndate: 2024-01-01\n---\n\n这是简体中文的一篇。\n"),
            ("b.md", "---\ntitle: 臺灣\ndate: 2024-01-02\nlang: zh-TW\n---\n\n這是繁體中文的一篇。\n"),
        ],
    );
    let (_out, pdf) = build(dir.path());
    // pdfinfo prints no /Lang of an element: read the section elements from qpdf's QDF form.
    let Some(qdf) = content_streams(&pdf) else { return };
    let sections: Vec<&str> = qdf.split("endobj").filter(|o| o.contains("/S /Sect")).collect();
    assert_eq!(sections.len(), 2, "{sections:?}");
    // The book's own language is the document's; only the other essay says its own.
    assert_eq!(sections.iter().filter(|o| o.contains("/Lang (zh-TW)")).count(), 1, "{sections:?}");
    assert!(sections.iter().all(|o| !o.contains("/Lang (zh-CN)")), "{sections:?}");
}
