//! Markdown → document tree, once per essay; both outputs walk the tree.

mod headings;
mod html;
mod inlines;
mod math;
mod tags;

use std::collections::HashMap;

use comrak::nodes::{AstNode, ListType, NodeValue, TableAlignment};
use comrak::{Arena, Options};

use crate::diag::Diagnostic;
use crate::doc::{Align, Block, Footnote, Formula, Inline, LinkTarget, ListItem, Table};
use crate::manuscript::Manuscript;
use headings::{normalise_headings, take_heading_id, take_title_heading};
use inlines::InlineBuilder;

/// An essay's content, converted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Body {
    pub(crate) blocks: Vec<Block>,
    pub(crate) footnotes: Vec<Footnote>,
    /// The title the essay's first `# heading` gives, when its front matter gives none; the
    /// heading itself is then not part of the body.
    pub(crate) title: Option<String>,
    pub(crate) formulas: crate::doc::FormulaCounts,
}

fn options() -> Options<'static> {
    let mut o = Options::default();
    o.extension.table = true;
    o.extension.footnotes = true;
    // markdown-it's `^[a note written where it is referenced]` (VuePress, VitePress).
    o.extension.inline_footnotes = true;
    o.extension.strikethrough = true;
    o.extension.tasklist = true;
    o.extension.cjk_friendly_emphasis = true;
    // Formulas: `$…$`, `$$…$$`, `\(…\)`, `\[…\]`, `` $`…`$ `` and ```` ```math ````, their TeX
    // left as written.
    o.extension.math_dollars = true;
    o.extension.math_latex = true;
    o.extension.math_code = true;
    // Positions in bytes (counting characters made comrak quadratic on a long line); `Columns`
    // turns the ones wenji keeps into characters.
    o.parse.sourcepos_chars = false;
    o
}

pub fn parse(m: &Manuscript) -> (Body, Vec<Diagnostic>) {
    let stem = m.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mut diags = Vec::new();
    let body = without_control_characters(m, &mut diags);
    let expanded = tags::expand(&body, &stem, m.meta.locale);
    let line_shift = m.body_line() - 1;
    let (text, origins) = match expanded {
        Some(e) => {
            for n in e.notes {
                diags.push(Diagnostic::warning(n.message).in_file(&m.path).at(&m.source, n.line + line_shift, n.col).with_hint(n.hint));
            }
            (std::borrow::Cow::Owned(e.text), e.origins)
        }
        None => (body, Vec::new()),
    };
    let arena = Arena::new();
    let root = comrak::parse_document(&arena, &text, &options());
    let mut c = Converter {
        manuscript: m,
        line_shift,
        origins,
        diags,
        depth: 0,
        flattened_warned: false,
        note_numbers: HashMap::new(),
        note_names: Vec::new(),
        note_defs: HashMap::new(),
        formulas: math::Formulas::default(),
        tex_delimited: math::tex_delimiters(&text),
        columns: Columns::new(&text),
    };
    let mut blocks = c.blocks(root);
    let title = m.meta.untitled.and_then(|place| {
        let title = take_title_heading(&mut blocks);
        if title.is_none() {
            let d = Diagnostic::warning(format!("the essay has no title; using the file name `{}`", m.meta.title));
            c.diags.push(d.in_file(&m.path).at(&m.source, place.0, place.1).with_hint("add `title: …` to the front matter, or begin the essay with a `# heading`"));
        }
        title
    });
    normalise_headings(&mut blocks);
    // Hexo themes show a post's `photos:` above its text; the book does too.
    if !m.meta.photos.is_empty() {
        let photos = m.meta.photos.iter().map(|(src, (line, col))| Inline::ImageRef { src: src.clone(), alt: String::new(), line: *line, col: *col });
        blocks.insert(0, Block::Paragraph(photos.collect()));
    }
    let mut footnotes: Vec<Footnote> = c
        .note_names
        .iter()
        .map(|name| Footnote { blocks: c.note_defs.remove(name).unwrap_or_default() })
        .collect();
    let mut unknown = c.formulas.resolve_references(&mut blocks);
    for note in &mut footnotes {
        unknown.extend(c.formulas.resolve_references(&mut note.blocks));
    }
    for label in unknown {
        let at = m.source.find(&format!("ref{{{label}}}")).unwrap_or(m.body_offset);
        let d = Diagnostic::warning(format!("`\\ref{{{label}}}` names no formula of the essay; it prints ??"));
        c.diags.push(d.in_file(&m.path).at_offset(&m.source, at).with_hint("give the formula it means `\\label{…}` with this name"));
    }
    let formulas = c.formulas.counts;
    (Body { blocks, footnotes, title, formulas }, c.diags)
}

/// The body without control characters (backspace, escape, …), which no reader sees in the
/// source and a font draws as a box; a warning says how many there were and where the first is.
fn without_control_characters<'m>(m: &'m Manuscript, diags: &mut Vec<Diagnostic>) -> std::borrow::Cow<'m, str> {
    let body = m.body();
    // Control characters, and the two noncharacters XML cannot hold.
    let control = |c: char| (c.is_control() && !matches!(c, '\n' | '\t')) || matches!(c, '\u{FFFE}' | '\u{FFFF}');
    let Some(first) = body.find(control) else { return body.into() };
    let mut kinds: Vec<char> = Vec::new();
    let mut count = 0;
    for c in body.chars().filter(|&c| control(c)) {
        count += 1;
        if !kinds.contains(&c) && kinds.len() < 4 {
            kinds.push(c);
        }
    }
    let named: Vec<String> = kinds.iter().map(|c| format!("U+{:04X}", *c as u32)).collect();
    let noun = if kinds.iter().all(|c| c.is_control()) { "control character" } else { "character that is not text" };
    let plural = if count == 1 { String::new() } else { noun.replacen("character", "characters", 1).replacen(" is ", " are ", 1) };
    let noun = if count == 1 { noun } else { plural.as_str() };
    let d = Diagnostic::warning(format!("{count} {noun} ({}) left out of the text", named.join(", ")));
    let hint = "control characters are invisible in an editor and print as boxes; a search for them (in many editors `[\\x00-\\x08\\x0b-\\x1f]` as a regular expression) finds where they came in";
    diags.push(d.in_file(&m.path).at_offset(&m.source, m.body_offset + first).with_hint(hint));
    body.chars().filter(|&c| !control(c)).collect::<String>().into()
}

struct Converter<'m> {
    manuscript: &'m Manuscript,
    /// The parsed text's byte columns as character columns.
    columns: Columns<'m>,
    line_shift: usize,
    /// Where each line of the parsed text came from, when tags were expanded (see `tags`).
    origins: Vec<(usize, usize)>,
    diags: Vec<Diagnostic>,
    /// How deep the conversion is in nested containers and emphasis.
    depth: usize,
    flattened_warned: bool,
    note_numbers: HashMap<String, usize>,
    note_names: Vec<String>,
    note_defs: HashMap<String, Vec<Block>>,
    formulas: math::Formulas,
    /// Where `\(` and `\[` stand in the parsed text (line, byte column), which comrak reads as formulas.
    tex_delimited: std::collections::HashSet<(usize, usize)>,
}

type Node<'a> = &'a AstNode<'a>;

/// Byte columns (as comrak gives them) to character columns. Nodes are asked for in the
/// order they stand, so each answer goes on from the last one on its line: linear in the
/// text however many nodes a line holds.
struct Columns<'t> {
    text: &'t str,
    line_starts: Vec<usize>,
    /// The last answer: line, byte offset in the text, characters from the line's start.
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl<'t> Columns<'t> {
    fn new(text: &'t str) -> Columns<'t> {
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Columns { text, line_starts, last: std::cell::Cell::new((0, 0, 0)) }
    }

    /// The 1-based character column of 1-based byte column `byte` on 1-based `line`.
    fn chars(&self, line: usize, byte: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else { return byte };
        let end = self.line_starts.get(line).copied().unwrap_or(self.text.len());
        let mut target = (start + byte.saturating_sub(1)).min(end);
        while !self.text.is_char_boundary(target) {
            target -= 1;
        }
        let (at, before) = match self.last.get() {
            (l, at, before) if l == line && at <= target => (at, before),
            _ => (start, 0),
        };
        let count = before + self.text[at..target].chars().count();
        self.last.set((line, target, count));
        count + 1
    }
}

impl Converter<'_> {
    /// `(line, col)` of a node in the whole file.
    fn position(&self, node: Node) -> (usize, usize) {
        let start = node.data().sourcepos.start;
        let col = self.columns.chars(start.line, start.column);
        match self.origins.get(start.line.wrapping_sub(1)) {
            Some(&(line, shift)) => (line + self.line_shift, col.saturating_sub(shift).max(1)),
            None => (start.line + self.line_shift, col),
        }
    }

    /// A formula read: as math, as its TeX in code type with a warning when it cannot be read,
    /// or nothing when it only defines commands.
    fn formula(&mut self, node: Node, tex: &str, display: bool) -> Option<Inline> {
        let start = node.data().sourcepos.start;
        if self.tex_delimited.contains(&(start.line, start.column)) && !math::looks_like_math(tex) {
            // `\[8\]` is an escaped bracket around a citation, as Markdown reads it.
            let (open, close) = if display { ('[', ']') } else { ('(', ')') };
            return Some(Inline::Text(format!("{open}{}{close}", math::markdown_unescaped(tex))));
        }
        self.formulas.counts.found += 1;
        match self.formulas.read(tex, display) {
            Ok(math::Read::Formula(f)) => Some(Inline::Math(f)),
            Ok(math::Read::Definitions) => None,
            Err(problem) => {
                self.formulas.counts.reported += 1;
                let message = format!("a formula cannot be read ({problem}); it is shown as its TeX");
                self.warn(node, message, "check the formula's braces and commands; wenji reads the TeX math that MathJax and KaTeX read");
                let tex = tex.trim().to_owned();
                Some(Inline::Math(Formula { tex, macros: Default::default(), display, number: None, readable: false }))
            }
        }
    }

    /// Says once per essay that nesting past `MAX_DEPTH` was flattened.
    fn warn_flattened(&mut self, node: Node) {
        if !self.flattened_warned {
            self.flattened_warned = true;
            self.warn(node, format!("quotes, lists, emphasis or HTML elements nested more than {MAX_DEPTH} deep are flattened"), "no book needs such deep nesting; is a marker repeated by mistake?");
        }
    }

    fn warn(&mut self, node: Node, message: String, hint: &str) {
        let (line, col) = self.position(node);
        let m = self.manuscript;
        self.diags.push(Diagnostic::warning(message).in_file(&m.path).at(&m.source, line, col).with_hint(hint));
    }

    fn blocks(&mut self, parent: Node) -> Vec<Block> {
        if self.depth >= MAX_DEPTH {
            return self.flattened(parent);
        }
        self.depth += 1;
        let blocks = self.blocks_within(parent);
        self.depth -= 1;
        blocks
    }

    /// Containers nested deeper than `MAX_DEPTH`: their text as one paragraph, with a warning.
    /// The walk is iterative, so no input can exhaust the stack.
    fn flattened(&mut self, parent: Node) -> Vec<Block> {
        let mut text = String::new();
        for node in parent.descendants() {
            match &node.data().value {
                NodeValue::Text(t) => text.push_str(t),
                NodeValue::Code(c) => text.push_str(&c.literal),
                NodeValue::CodeBlock(c) => text.push_str(&c.literal),
                NodeValue::SoftBreak | NodeValue::LineBreak | NodeValue::Paragraph => text.push(' '),
                _ => {}
            }
        }
        self.warn_flattened(parent);
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() { Vec::new() } else { vec![Block::Paragraph(vec![Inline::Text(text)])] }
    }

    fn blocks_within(&mut self, parent: Node) -> Vec<Block> {
        let mut out = Vec::new();
        for node in parent.children() {
            let value = node.data().value.clone();
            match value {
                NodeValue::Paragraph => {
                    let content = self.inlines(node);
                    push_paragraph(content, &mut out);
                }
                NodeValue::Heading(h) => {
                    let mut content = self.inlines(node);
                    let id = match take_heading_id(&mut content) {
                        Some(Ok(id)) => id,
                        Some(Err(id)) => {
                            let message = format!("the heading id `{{#{id}}}` cannot be used in the EPUB (it is not an XML name, or wenji uses it itself); the heading gets one of its own");
                            self.warn(node, message, "use letters, digits, `-` and `_`, starting with a letter, and not `fn-…`, `fnref-…`, `page-…` or `essay-title`");
                            String::new()
                        }
                        None => String::new(),
                    };
                    // An empty heading (`###` alone) shows nothing on the web; in a book it would
                    // be an empty entry of the contents.
                    if !is_blank(&content) {
                        out.push(Block::Heading { level: h.level, id, content });
                    }
                }
                NodeValue::BlockQuote | NodeValue::MultilineBlockQuote(_) | NodeValue::Alert(_) => {
                    out.push(Block::Quote(self.blocks(node)))
                }
                NodeValue::List(list) => {
                    let items = node
                        .children()
                        .map(|item| {
                            let task = match &item.data().value {
                                NodeValue::TaskItem(t) => Some(t.symbol.is_some()),
                                _ => None,
                            };
                            ListItem { task, blocks: self.blocks(item) }
                        })
                        .collect();
                    let start = (list.list_type == ListType::Ordered).then_some(list.start as u64);
                    out.push(Block::List { start, items });
                }
                NodeValue::CodeBlock(code) => {
                    let lang = code.info.split_whitespace().next().unwrap_or("").to_owned();
                    let text = code.literal.trim_end_matches('\n').to_owned();
                    if lang == "math" {
                        if let Some(Inline::Math(f)) = self.formula(node, &text, true) {
                            out.push(Block::Math(f));
                        }
                    } else {
                        out.push(Block::Code { lang, text });
                    }
                }
                NodeValue::HtmlBlock(h) => self.html_block(node, &h.literal, &mut out),
                NodeValue::ThematicBreak => out.push(Block::Rule),
                NodeValue::FootnoteDefinition(def) => {
                    let blocks = self.blocks(node);
                    self.note_defs.insert(def.name, blocks);
                }
                NodeValue::Table(table) => out.push(Block::Table(self.table(node, &table.alignments))),
                _ => out.extend(self.blocks(node)),
            }
        }
        out
    }

    fn table(&mut self, node: Node, alignments: &[TableAlignment]) -> Table {
        let align = alignments
            .iter()
            .map(|a| match a {
                TableAlignment::Left => Align::Left,
                TableAlignment::Center => Align::Center,
                TableAlignment::Right => Align::Right,
                TableAlignment::None => Align::None,
            })
            .collect();
        let mut table = Table { align, head: Vec::new(), rows: Vec::new() };
        for row in node.children() {
            let header = matches!(row.data().value, NodeValue::TableRow(true));
            let cells: Vec<Vec<Inline>> = row.children().map(|cell| self.inlines(cell)).collect();
            if header {
                table.head = cells;
            } else {
                table.rows.push(cells);
            }
        }
        table
    }

    fn inlines(&mut self, parent: Node) -> Vec<Inline> {
        if self.depth >= MAX_DEPTH {
            return match self.flattened(parent).pop() {
                Some(Block::Paragraph(content)) => content,
                _ => Vec::new(),
            };
        }
        self.depth += 1;
        let mut b = InlineBuilder::default();
        self.push_children(parent, &mut b);
        self.depth -= 1;
        b.finish()
    }

    fn push_children(&mut self, parent: Node, b: &mut InlineBuilder) {
        for node in parent.children() {
            let value = node.data().value.clone();
            match value {
                NodeValue::Text(t) => b.push(Inline::Text(t.into_owned())),
                NodeValue::SoftBreak => {
                    let joined = matches!(
                        (adjacent_char(node, true), adjacent_char(node, false)),
                        (Some(x), Some(y)) if is_cjk(x) && is_cjk(y)
                    );
                    b.push(Inline::Text(if joined { "" } else { " " }.into()));
                }
                NodeValue::LineBreak => b.push(Inline::LineBreak),
                NodeValue::Code(code) => match math::formula_in_code(&code.literal) {
                    Some((tex, display)) => {
                        if let Some(inline) = self.formula(node, tex, display) {
                            b.push(inline);
                        }
                    }
                    None => b.push(Inline::Code(code.literal)),
                },
                NodeValue::Math(math) => {
                    if let Some(inline) = self.formula(node, &math.literal, math.display_math) {
                        b.push(inline);
                    }
                }
                NodeValue::Emph => b.push(Inline::Emph(self.inlines(node))),
                NodeValue::Strong => b.push(Inline::Strong(self.inlines(node))),
                NodeValue::Strikethrough => b.push(Inline::Strike(self.inlines(node))),
                NodeValue::Superscript => b.push(Inline::Sup(self.inlines(node))),
                NodeValue::Subscript => b.push(Inline::Sub(self.inlines(node))),
                NodeValue::Link(link) => {
                    let content = self.inlines(node);
                    let (line, col) = self.position(node);
                    b.push(Inline::Link { target: classify_link(&link.url, line, col), content });
                }
                NodeValue::Image(link) => {
                    let alt = crate::doc::plain_text(&self.inlines(node));
                    let (line, col) = self.position(node);
                    b.push(Inline::ImageRef { src: link.url, alt, line, col });
                }
                NodeValue::FootnoteReference(r) => {
                    let next = self.note_numbers.len() + 1;
                    let n = *self.note_numbers.entry(r.name.clone()).or_insert_with(|| {
                        self.note_names.push(r.name.clone());
                        next
                    });
                    b.push(Inline::NoteRef(n));
                }
                NodeValue::HtmlInline(raw) => {
                    for token in html::tokenize(&raw) {
                        self.html_token(node, token, Some(&raw), b, None);
                    }
                }
                _ => self.push_children(node, b),
            }
        }
    }

}

/// A paragraph's content as blocks: a formula written to stand apart (`$$…$$` in the run of a
/// paragraph) splits it, as MathJax sets it on lines of its own.
fn push_paragraph(content: Vec<Inline>, out: &mut Vec<Block>) {
    let mut run = Vec::new();
    for inline in content {
        match inline {
            Inline::Math(f @ Formula { display: true, .. }) => {
                let before = trim_trailing(std::mem::take(&mut run));
                if !is_blank(&before) {
                    out.push(Block::Paragraph(before));
                }
                out.push(Block::Math(f));
            }
            Inline::Text(t) if run.is_empty() && matches!(out.last(), Some(Block::Math(_))) => {
                let t = t.trim_start();
                if !t.is_empty() {
                    run.push(Inline::Text(t.to_owned()));
                }
            }
            other => run.push(other),
        }
    }
    if !is_blank(&run) {
        out.push(Block::Paragraph(run));
    }
}

fn flush_paragraph(b: &mut InlineBuilder, out: &mut Vec<Block>) {
    let content = std::mem::take(b).finish();
    if !is_blank(&content) {
        out.push(Block::Paragraph(trim_trailing(content)));
    }
}

fn trim_trailing(mut content: Vec<Inline>) -> Vec<Inline> {
    if let Some(Inline::Text(t)) = content.last_mut() {
        let trimmed = t.trim_end().len();
        t.truncate(trimmed);
    }
    content
}

/// Nothing a reader sees: blank text, or emphasis and strike-through around blank text (raw
/// `<del>` that opens and closes around Markdown paragraphs).
fn is_blank(content: &[Inline]) -> bool {
    content.iter().all(|i| match i {
        Inline::Text(t) => t.trim().is_empty(),
        Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) => is_blank(c),
        _ => false,
    })
}

/// Web and mail addresses stay links; `#id` points into the essay; anything else waits for the
/// book to resolve it (another essay) or to report it.
fn classify_link(url: &str, line: usize, col: usize) -> LinkTarget {
    let url = url.trim();
    if let Some(fragment) = url.strip_prefix('#') {
        return LinkTarget::Local { id: fragment.to_owned(), line, col };
    }
    // `//host/path` (common in embeds) means the page's scheme: https for a book.
    if url.starts_with("//") {
        return LinkTarget::External(encode_url(&format!("https:{url}")));
    }
    let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("http" | "https" | "ftp") if !has_valid_host(url) => LinkTarget::Unresolved { url: url.to_owned(), line, col },
        Some("http" | "https" | "mailto" | "ftp") => LinkTarget::External(encode_url(url)),
        _ => LinkTarget::Unresolved { url: url.to_owned(), line, col },
    }
}

/// Whether a web address names a host readers can go to: `https://../` does not (an empty
/// label), nor `https:///path`. An IPv6 host in brackets and a port are allowed.
fn has_valid_host(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.starts_with('[') {
        return host.contains(']');
    }
    let host = host.split(':').next().unwrap_or("");
    let host = host.strip_suffix('.').unwrap_or(host);
    !host.is_empty() && host.split('.').all(|label| !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_' || !c.is_ascii()))
}

/// A web address as readers and EPUBCheck take it: what browsers accept but a URL may not
/// hold (`[` `]` outside the host, spaces, `"` `<` `>` `\\` `^` `` ` `` `{` `|` `}`, a `%` not
/// followed by two hex digits) percent-encoded; Chinese and other characters stay as they are
/// (an IRI).
fn encode_url(url: &str) -> String {
    // `[…]` is allowed around an IPv6 host: `scheme://[::1]:8080/`.
    let host_end = url.find("://").map_or(0, |i| {
        let after = i + 3;
        after + url[after..].find(['/', '?', '#']).unwrap_or(url.len() - after)
    });
    let bytes = url.as_bytes();
    let mut out = String::with_capacity(url.len());
    for (i, c) in url.char_indices() {
        let hex_follows = bytes.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        match c {
            '[' | ']' if i >= host_end => out.push_str(if c == '[' { "%5B" } else { "%5D" }),
            ' ' | '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}' => out.push_str(&format!("%{:02X}", c as u32)),
            '%' if !hex_follows => out.push_str("%25"),
            // Controls, the replacement character (what `&#0;` reads as) and noncharacters: their
            // UTF-8 bytes.
            c if c.is_control() || c == '\u{FFFD}' || ('\u{FDD0}'..='\u{FDEF}').contains(&c) || (c as u32 & 0xFFFE) == 0xFFFE => {
                let mut buf = [0; 4];
                c.encode_utf8(&mut buf).bytes().for_each(|b| out.push_str(&format!("%{b:02X}")));
            }
            c => out.push(c),
        }
    }
    out
}

/// The character next to `node` within its paragraph, before or after it.
fn adjacent_char(node: Node, before: bool) -> Option<char> {
    let mut current = node;
    loop {
        let sibling = if before { current.previous_sibling() } else { current.next_sibling() };
        match sibling {
            Some(s) => {
                if let Some(c) = edge_char(s, before) {
                    return Some(c);
                }
                current = s;
            }
            None => {
                let parent = current.parent()?;
                let inline_parent = matches!(
                    parent.data().value,
                    NodeValue::Emph
                        | NodeValue::Strong
                        | NodeValue::Strikethrough
                        | NodeValue::Link(_)
                        | NodeValue::Superscript
                        | NodeValue::Subscript
                );
                if !inline_parent {
                    return None;
                }
                current = parent;
            }
        }
    }
}

/// The last (or first) character of a node's text, if it has any.
fn edge_char(node: Node, last: bool) -> Option<char> {
    let pick = |s: &str| if last { s.chars().last() } else { s.chars().next() };
    match &node.data().value {
        NodeValue::Text(t) => pick(t),
        NodeValue::Code(c) => pick(&c.literal),
        NodeValue::SoftBreak | NodeValue::LineBreak => Some(' '),
        NodeValue::HtmlInline(_) => None,
        _ => {
            if last {
                node.reverse_children().find_map(|c| edge_char(c, last))
            } else {
                node.children().find_map(|c| edge_char(c, last))
            }
        }
    }
}

/// Characters between which a soft line break disappears: the CJK grid characters and the
/// curly quotes that sit beside them.
pub(crate) fn is_cjk(c: char) -> bool {
    crate::kinsoku::is_wide(c) || matches!(c, '“' | '”' | '‘' | '’')
}

/// How deep quotes, lists, emphasis and HTML elements may nest; deeper is flattened.
const MAX_DEPTH: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manuscript::{ReadOptions, parse as read};
    use std::path::Path;

    #[test]
    fn a_web_address_needs_a_host() {
        for good in ["https://example.org/a", "http://[::1]:8080/", "https://用户:x@例子.测试/", "https://a-b.c.d.:443"] {
            assert!(has_valid_host(good), "{good}");
        }
        for bad in ["https://../", "https:///x", "http://a..b/", "https://"] {
            assert!(!has_valid_host(bad), "{bad}");
            assert!(matches!(classify_link(bad, 1, 1), LinkTarget::Unresolved { .. }), "{bad}");
        }
    }

    fn body(md: &str) -> (Body, Vec<Diagnostic>) {
        let text = format!("---\ntitle: t\ndate: 2024-01-01\n---\n{md}");
        let (m, _) = read(Path::new("t.md"), &text, &ReadOptions::default());
        parse(&m.unwrap())
    }

    fn blocks(md: &str) -> Vec<Block> {
        body(md).0.blocks
    }

    #[test]
    fn noncharacters_xml_cannot_hold_are_left_out_even_inside_formulas() {
        let (b, d) = body("文\u{FFFF}字 $a\u{FFFE}/b$\n");
        assert!(d.iter().any(|d| d.message == "2 characters that are not text (U+FFFF, U+FFFE) left out of the text"), "{d:?}");
        let Block::Paragraph(content) = &b.blocks[0] else { panic!("{:?}", b.blocks) };
        assert!(matches!(&content[..], [Inline::Text(t), Inline::Math(f)] if t == "文字 " && f.tex == "a/b"), "{content:?}");
    }

    fn text(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    #[test]
    fn bold_next_to_chinese_punctuation() {
        let b = blocks("这是**“重点”**文字");
        assert_eq!(b, vec![Block::Paragraph(vec![text("这是"), Inline::Strong(vec![text("“重点”")]), text("文字")])]);
    }

    #[test]
    fn soft_break_between_han_disappears() {
        assert_eq!(blocks("第一行\n第二行"), vec![Block::Paragraph(vec![text("第一行第二行")])]);
        assert_eq!(blocks("句号。\n下一句"), vec![Block::Paragraph(vec![text("句号。下一句")])]);
        assert_eq!(blocks("English\nwords"), vec![Block::Paragraph(vec![text("English words")])]);
        assert_eq!(blocks("中文\nEnglish"), vec![Block::Paragraph(vec![text("中文 English")])]);
        let b = blocks("**加粗**\n文字");
        assert_eq!(b, vec![Block::Paragraph(vec![Inline::Strong(vec![text("加粗")]), text("文字")])]);
    }

    #[test]
    fn shallowest_heading_becomes_level_two() {
        let b = blocks("### 甲\n\n#### 乙\n\n### 丙");
        let levels: Vec<(u8, String)> = b
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level, id, .. } => Some((*level, id.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(levels, vec![(2, "s1".into()), (3, "s2".into()), (2, "s3".into())]);
        assert!(matches!(blocks("## 甲")[0], Block::Heading { level: 2, .. }));
    }

    #[test]
    fn comments_and_more_marker_are_dropped() {
        assert_eq!(blocks("前言\n\n<!-- more -->\n\n正文"), vec![Block::Paragraph(vec![text("前言")]), Block::Paragraph(vec![text("正文")])]);
        assert_eq!(blocks("行内<!-- 注释 -->文字"), vec![Block::Paragraph(vec![text("行内文字")])]);
    }

    #[test]
    fn inline_html_becomes_structure() {
        let b = blocks("上<sup>标</sup>与<b>粗</b>，换<br>行");
        assert_eq!(
            b,
            vec![Block::Paragraph(vec![
                text("上"),
                Inline::Sup(vec![text("标")]),
                text("与"),
                Inline::Strong(vec![text("粗")]),
                text("，换"),
                Inline::LineBreak,
                text("行"),
            ])]
        );
    }

    #[test]
    fn ruby_keeps_its_reading_and_mark_its_highlight() {
        let (body, diags) = body("<ruby>漢<rp>(</rp><rt>hàn</rt><rp>)</rp></ruby>字，<mark>要紧</mark>的话。");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(body.blocks, vec![Block::Paragraph(vec![text("漢（hàn）字，"), Inline::Strong(vec![text("要紧")]), text("的话。")])]);
    }

    #[test]
    fn block_html_becomes_paragraphs() {
        let b = blocks("<center>居中的<em>文字</em></center>\n\n后文");
        assert_eq!(b[0], Block::Paragraph(vec![text("居中的"), Inline::Emph(vec![text("文字")])]));
        assert_eq!(b.len(), 2);
    }

    #[test]
    fn scripts_are_dropped_with_a_warning() {
        let (body, diags) = body("<script>alert(1)</script>\n\n正文");
        assert_eq!(body.blocks, vec![Block::Paragraph(vec![text("正文")])]);
        assert!(diags.iter().any(|d| d.message.contains("<script>") && d.line == 5), "{diags:?}");
    }

    #[test]
    fn unknown_tags_are_text_with_a_warning() {
        let (body, diags) = body("一个<foo>标签");
        assert_eq!(body.blocks, vec![Block::Paragraph(vec![text("一个<foo>标签")])]);
        assert_eq!((diags[0].line, diags[0].col), (5, 3));
    }

    #[test]
    fn iframe_becomes_a_link() {
        let (body, diags) = body("<iframe src=\"https://v.example/1\"></iframe>");
        assert!(matches!(&body.blocks[0], Block::Paragraph(c) if matches!(&c[0], Inline::Link { target: LinkTarget::External(u), .. } if u == "https://v.example/1")));
        assert_eq!(diags.len(), 1);
    }

    #[test]
    fn footnotes_numbered_by_first_reference() {
        let (body, _) = body("甲[^b]乙[^a]丙[^b]\n\n[^a]: 注一\n[^b]: 注二\n");
        assert_eq!(body.blocks, vec![Block::Paragraph(vec![text("甲"), Inline::NoteRef(1), text("乙"), Inline::NoteRef(2), text("丙"), Inline::NoteRef(1)])]);
        assert_eq!(body.footnotes[0].blocks, vec![Block::Paragraph(vec![text("注二")])]);
        assert_eq!(body.footnotes[1].blocks, vec![Block::Paragraph(vec![text("注一")])]);
    }

    #[test]
    fn inline_footnotes_share_the_numbering() {
        let (body, _) = body("甲[^a]乙^[行内的*注*]丙\n\n[^a]: 注一\n");
        assert_eq!(body.blocks, vec![Block::Paragraph(vec![text("甲"), Inline::NoteRef(1), text("乙"), Inline::NoteRef(2), text("丙")])]);
        assert_eq!(body.footnotes[1].blocks, vec![Block::Paragraph(vec![text("行内的"), Inline::Emph(vec![text("注")])])]);
    }

    #[test]
    fn gfm_tables_tasks_strikethrough() {
        let b = blocks("| 甲 | 乙 |\n|:--|--:|\n| 1 | 2 |\n\n- [x] 完成\n- [ ] 未完\n\n~~删除~~");
        let Block::Table(t) = &b[0] else { panic!("{b:?}") };
        assert_eq!(t.align, vec![Align::Left, Align::Right]);
        assert_eq!(t.head, vec![vec![text("甲")], vec![text("乙")]]);
        assert_eq!(t.rows, vec![vec![vec![text("1")], vec![text("2")]]]);
        let Block::List { items, start: None } = &b[1] else { panic!() };
        assert_eq!(items.iter().map(|i| i.task).collect::<Vec<_>>(), vec![Some(true), Some(false)]);
        assert_eq!(b[2], Block::Paragraph(vec![Inline::Strike(vec![text("删除")])]));
    }

    #[test]
    fn an_empty_heading_is_left_out() {
        assert_eq!(blocks("###\n\n正文\n\n## \n"), vec![Block::Paragraph(vec![text("正文")])]);
    }

    #[test]
    fn web_addresses_are_encoded_where_a_url_may_not_hold_a_character() {
        assert_eq!(encode_url("https://grep.app/search?q=typeof&filter[repo][0]=v8/v8"), "https://grep.app/search?q=typeof&filter%5Brepo%5D%5B0%5D=v8/v8");
        assert_eq!(encode_url("http://[::1]:8080/a b?x=%zz&y=%2C"), "http://[::1]:8080/a%20b?x=%25zz&y=%2C");
        assert_eq!(encode_url("https://zh.wikipedia.org/wiki/文集"), "https://zh.wikipedia.org/wiki/文集");
    }

    #[test]
    fn links_are_classified() {
        let b = blocks("[a](https://x.org) [b](#s1) [c](other.md)");
        let Block::Paragraph(c) = &b[0] else { panic!() };
        let targets: Vec<&LinkTarget> = c.iter().filter_map(|i| match i { Inline::Link { target, .. } => Some(target), _ => None }).collect();
        assert_eq!(targets[0], &LinkTarget::External("https://x.org".into()));
        assert!(matches!(targets[1], LinkTarget::Local { id, line: 5, col: 20 } if id == "s1"), "{:?}", targets[1]);
        assert!(matches!(targets[2], LinkTarget::Unresolved { url, line: 5, .. } if url == "other.md"));
    }

    /// The depth of the deepest nesting in a document tree.
    fn depth(blocks: &[Block]) -> usize {
        fn inline_depth(inlines: &[Inline]) -> usize {
            inlines.iter().map(|i| match i {
                Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) | Inline::Sup(c) | Inline::Sub(c) | Inline::Link { content: c, .. } => 1 + inline_depth(c),
                _ => 1,
            }).max().unwrap_or(0)
        }
        blocks.iter().map(|b| match b {
            Block::Quote(b) => 1 + depth(b),
            Block::List { items, .. } => 1 + items.iter().map(|i| depth(&i.blocks)).max().unwrap_or(0),
            Block::Paragraph(c) => inline_depth(c),
            _ => 1,
        }).max().unwrap_or(0)
    }

    #[test]
    fn deep_nesting_is_flattened_without_exhausting_the_stack() {
        for md in [
            format!("{} 引文\n", ">".repeat(5000)),
            format!("{}x{}\n", "*".repeat(6000), "*".repeat(6000)),
            format!("{}x{}\n", "<em>".repeat(5000), "</em>".repeat(5000)),
            (0..2000).map(|i| format!("{}- 项\n", "  ".repeat(i))).collect(),
        ] {
            // Run where the stack is as small as a rayon worker's.
            let (body, _) = std::thread::Builder::new().stack_size(2 << 20).spawn(move || body(&md)).unwrap().join().unwrap();
            assert!(!body.blocks.is_empty());
            assert!(depth(&body.blocks) <= 2 * MAX_DEPTH + 2, "{}", depth(&body.blocks));
        }
        let (body, diags) = body(&format!("{} 引文\n", ">".repeat(100)));
        assert!(diags.iter().any(|d| d.message.contains("nested more than 16 deep are flattened")), "{diags:?}");
        assert!(format!("{:?}", body.blocks).contains("引文"));
    }

    #[test]
    fn heading_ids_in_braces_are_kept() {
        let (body, _) = body("## 网站配置 {#site-configuration}\n\n## 其它\n\n## 重复 {#site-configuration}\n");
        let ids: Vec<(&str, String)> = body.blocks.iter().filter_map(|b| match b {
            Block::Heading { id, content, .. } => Some((id.as_str(), crate::doc::plain_text(content))),
            _ => None,
        }).collect();
        assert_eq!(ids, vec![("site-configuration", "网站配置".to_owned()), ("s2", "其它".to_owned()), ("s3", "重复".to_owned())]);
    }

    #[test]
    fn code_blocks_keep_their_text() {
        assert_eq!(blocks("```rust\nfn main() {}\n```"), vec![Block::Code { lang: "rust".into(), text: "fn main() {}".into() }]);
    }
}
