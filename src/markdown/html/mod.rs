//! Raw HTML in Markdown: `scan` reads it into tokens, and each token becomes part of the tree.

mod scan;

pub(super) use scan::{Role, tokenize};
use scan::Token;

use super::{Converter, InlineBuilder, Node, classify_link, flush_paragraph, trim_trailing};
use crate::doc::{Align, Block, Inline, Table};

impl Converter<'_> {
    /// A block of raw HTML becomes paragraphs (and rules); its inline tags keep their meaning.
    pub(super) fn html_block(&mut self, node: Node, literal: &str, out: &mut Vec<Block>) {
        let mut b = InlineBuilder::default();
        let mut tokens = scan::tokenize(literal).into_iter();
        while let Some(token) = tokens.next() {
            if let Token::Open { name, attrs, self_closing: false } = &token
                && name == "pre"
            {
                let (lang, text) = preformatted(attrs, &mut tokens);
                flush_paragraph(&mut b, out);
                out.push(Block::Code { lang, text });
                continue;
            }
            if matches!(&token, Token::Open { name, self_closing: false, .. } if name == "table") {
                let inner = table_tokens(&mut tokens);
                if let Some(table) = self.html_table(node, inner) {
                    flush_paragraph(&mut b, out);
                    out.push(Block::Table(table));
                }
                continue;
            }
            self.html_token(node, token, None, &mut b, Some(out));
        }
        flush_paragraph(&mut b, out);
    }

    /// A raw HTML `<table>` as a table of the book: rows of `<td>`/`<th>` cells, a first row of
    /// `<th>` (or the rows of `<thead>`) as its head, alignment from the head's `align` or
    /// `text-align`. A cell's content is read as inline HTML; `colspan` and `rowspan` are not
    /// kept, and short rows are filled with empty cells. `None` for a table with no cells.
    fn html_table(&mut self, node: Node, tokens: Vec<Token>) -> Option<Table> {
        // Each row: its cells, and whether it is a head row (all `<th>`, or in `<thead>`).
        let mut rows: Vec<(Vec<Vec<Inline>>, bool)> = Vec::new();
        let mut align = Vec::new();
        let mut cell: Option<InlineBuilder> = None;
        let mut in_head = false;
        for token in tokens {
            let structure = match &token {
                Token::Open { name, attrs, .. } if name == "td" || name == "th" => {
                    end_cell(&mut cell, &mut rows);
                    if rows.is_empty() {
                        rows.push((Vec::new(), true));
                    }
                    let row = rows.last_mut().expect("a row");
                    row.1 &= name == "th" || in_head;
                    if rows.len() == 1 {
                        align.push(cell_align(attrs));
                    }
                    cell = Some(InlineBuilder::default());
                    true
                }
                Token::Open { name, .. } if name == "tr" => {
                    end_cell(&mut cell, &mut rows);
                    rows.push((Vec::new(), true));
                    true
                }
                Token::Open { name, .. } if name == "thead" => {
                    in_head = true;
                    true
                }
                Token::Close(name) if name == "thead" => {
                    in_head = false;
                    true
                }
                Token::Close(name) if matches!(name.as_str(), "td" | "th" | "tr") => {
                    end_cell(&mut cell, &mut rows);
                    true
                }
                _ => false,
            };
            if let (false, Some(b)) = (structure, cell.as_mut()) {
                self.html_token(node, token, None, b, None);
            }
        }
        end_cell(&mut cell, &mut rows);
        rows.retain(|(cells, _)| !cells.is_empty());
        let columns = rows.iter().map(|(cells, _)| cells.len()).max()?;
        let head = match rows.first() {
            Some((_, true)) => rows.remove(0).0,
            _ => Vec::new(),
        };
        let fill = |mut cells: Vec<Vec<Inline>>| {
            cells.resize(columns, Vec::new());
            cells
        };
        align.resize(columns, Align::None);
        let head = if head.is_empty() { head } else { fill(head) };
        Some(Table { align, head, rows: rows.into_iter().map(|(cells, _)| fill(cells)).collect() })
    }

    /// Applies one HTML token. `blocks` is where paragraphs go when the token ends one
    /// (block HTML); inline HTML passes `None` and block tags inside a paragraph are dropped.
    pub(super) fn html_token(
        &mut self,
        node: Node,
        token: Token,
        raw: Option<&str>,
        b: &mut InlineBuilder,
        mut blocks: Option<&mut Vec<Block>>,
    ) {
        match token {
            Token::Text(t) => {
                if blocks.is_some() && b.is_empty() {
                    b.push(Inline::Text(t.trim_start().to_owned()));
                } else {
                    b.push(Inline::Text(t));
                }
            }
            Token::Comment | Token::Other => {}
            Token::Close(name) => {
                let role = scan::role(&name);
                if role == Role::BlockBreak {
                    if name == "summary" {
                        b.close(&name);
                    }
                    if let Some(out) = blocks.as_deref_mut() {
                        flush_paragraph(b, out);
                    }
                } else if !scan::is_void(&name) && !b.close(&name) && role == Role::Unknown {
                    // An end tag with nothing to close is shown only when the tag means nothing.
                    b.push(Inline::Text(format!("</{name}>")));
                }
            }
            Token::Open { name, attrs, self_closing } => self.html_open(node, &name, &attrs, self_closing, raw, b, blocks),
        }
    }

    /// An opening tag: what its role makes of it.
    #[expect(clippy::too_many_arguments, reason = "the token's parts and where its content goes")]
    fn html_open(&mut self, node: Node, name: &str, attrs: &[(String, String)], self_closing: bool, raw: Option<&str>, b: &mut InlineBuilder, mut blocks: Option<&mut Vec<Block>>) {
        let role = scan::role(name);
        let void = self_closing || scan::is_void(name);
        match role {
            Role::LineBreak => b.push(Inline::LineBreak),
            Role::Image => {
                let src = scan::attr(attrs, "src").unwrap_or("").to_owned();
                let alt = scan::attr(attrs, "alt").unwrap_or("").to_owned();
                let (line, col) = self.position(node);
                b.push(Inline::ImageRef { src, alt, line, col });
            }
            Role::Rule => match blocks.as_deref_mut() {
                Some(out) => {
                    flush_paragraph(b, out);
                    out.push(Block::Rule);
                }
                None => b.push(Inline::LineBreak),
            },
            Role::BlockBreak => {
                if let Some(out) = blocks {
                    flush_paragraph(b, out);
                }
                // A `<details>` block's `<summary>` is its title, in bold as admonitions' are.
                if name == "summary" && !void {
                    let _ = b.open(name, Role::Strong, None);
                }
            }
            Role::Embed => self.html_embed(node, name, attrs, void, b),
            Role::Drop => {
                self.warn(node, format!("`<{name}>` is left out of the book"), "books carry no scripts or styles");
                if !void {
                    let _ = b.open(name, Role::Drop, None);
                }
            }
            Role::Fallback if !void => {
                let _ = b.open(name, Role::Fallback, None);
            }
            Role::Ignore | Role::Fallback => {}
            Role::Unknown => {
                self.warn(node, format!("unknown HTML tag `<{name}>` is shown as text"), "wenji keeps text, emphasis, links, images and line breaks from raw HTML");
                let text = match raw {
                    Some(raw) => raw.to_owned(),
                    None => format!("<{name}>"),
                };
                b.push(Inline::Text(text));
            }
            _ if void => {}
            _ => {
                let href = scan::attr(attrs, "href").map(|h| {
                    let (line, col) = self.position(node);
                    classify_link(h, line, col)
                });
                if !b.open(name, role, href) {
                    self.warn_flattened(node);
                }
            }
        }
    }

    /// A video, an audio or an embedded page: a link to its source stands in for it, and
    /// what it holds is dropped.
    fn html_embed(&mut self, node: Node, name: &str, attrs: &[(String, String)], void: bool, b: &mut InlineBuilder) {
        let src = scan::attr(attrs, "src").or_else(|| scan::attr(attrs, "data")).unwrap_or("");
        self.warn(node, format!("`<{name}>` cannot play in a book; a link to its source stands in for it"), "link to the page instead, or take a still image of it");
        let label = Inline::Text(format!("［{}］", crate::convert::words(self.manuscript.meta.locale, embed_label(name))));
        let (line, col) = self.position(node);
        if src.is_empty() {
            b.push(label);
        } else {
            let target = classify_link(src, line, col);
            b.push(Inline::Link { target, content: vec![label] });
        }
        if !void {
            let _ = b.open(name, Role::Drop, None);
        }
    }
}

/// A raw `<pre>` block's text, its lines kept (one newline after `<pre>` dropped, as HTML
/// does; tags inside dropped), and the language a `class="language-…"` names.
fn preformatted(attrs: &[(String, String)], tokens: &mut impl Iterator<Item = Token>) -> (String, String) {
    let language = |attrs: &[(String, String)]| {
        scan::attr(attrs, "class").and_then(|c| c.split_whitespace().find_map(|w| w.strip_prefix("language-").or_else(|| w.strip_prefix("lang-")))).map(str::to_owned)
    };
    let mut lang = language(attrs);
    let mut text = String::new();
    for token in tokens {
        match token {
            Token::Close(name) if name == "pre" => break,
            Token::Open { name, attrs, .. } if name == "code" && lang.is_none() => lang = language(&attrs),
            Token::Text(t) => text.push_str(&t),
            _ => {}
        }
    }
    let text = text.strip_prefix('\n').unwrap_or(&text).trim_end_matches('\n').to_owned();
    (lang.unwrap_or_default(), text)
}

/// Puts a finished cell into the last row.
fn end_cell(cell: &mut Option<InlineBuilder>, rows: &mut [(Vec<Vec<Inline>>, bool)]) {
    if let (Some(done), Some(row)) = (cell.take(), rows.last_mut()) {
        row.0.push(trim_trailing(done.finish()));
    }
}

/// The tokens of a table up to its closing `</table>` (nested tables included), consumed.
fn table_tokens(tokens: &mut impl Iterator<Item = Token>) -> Vec<Token> {
    let mut depth = 1;
    let mut inner = Vec::new();
    for token in tokens {
        match &token {
            Token::Open { name, self_closing: false, .. } if name == "table" => depth += 1,
            Token::Close(name) if name == "table" => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
        inner.push(token);
    }
    inner
}

/// A head cell's alignment: `align="right"` or `style="text-align: center"`.
fn cell_align(attrs: &[(String, String)]) -> Align {
    let style = scan::attr(attrs, "style").unwrap_or("").to_ascii_lowercase().replace(' ', "");
    let asked = scan::attr(attrs, "align").map(str::to_ascii_lowercase).or_else(|| style.split("text-align:").nth(1).map(|v| v.split(';').next().unwrap_or("").to_owned()));
    match asked.as_deref() {
        Some("left") => Align::Left,
        Some("center") => Align::Center,
        Some("right") => Align::Right,
        _ => Align::None,
    }
}

fn embed_label(name: &str) -> &'static str {
    match name {
        "video" => "视频",
        "audio" => "音频",
        _ => "嵌入内容",
    }
}
