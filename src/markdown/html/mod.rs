//! Raw HTML in Markdown: `scan` reads it into tokens, and each token becomes part of the tree.

mod scan;

pub(super) use scan::{Role, tokenize};
use scan::Token;

use super::{Converter, InlineBuilder, Node, classify_link, flush_paragraph};
use crate::doc::{Block, Inline};

impl Converter<'_> {
    /// A block of raw HTML becomes paragraphs (and rules); its inline tags keep their meaning.
    pub(super) fn html_block(&mut self, node: Node, literal: &str, out: &mut Vec<Block>) {
        let mut b = InlineBuilder::default();
        for token in scan::tokenize(literal) {
            self.html_token(node, token, None, &mut b, Some(out));
        }
        flush_paragraph(&mut b, out);
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
            }
            Role::Embed => self.html_embed(node, name, attrs, void, b),
            Role::Drop => {
                self.warn(node, format!("`<{name}>` is left out of the book"), "books carry no scripts or styles");
                if !void {
                    b.open(name, Role::Drop, None);
                }
            }
            Role::Fallback if !void => b.open(name, Role::Fallback, None),
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
                b.open(name, role, href);
            }
        }
    }

    /// A video, an audio or an embedded page: a link to its source stands in for it, and
    /// what it holds is dropped.
    fn html_embed(&mut self, node: Node, name: &str, attrs: &[(String, String)], void: bool, b: &mut InlineBuilder) {
        let src = scan::attr(attrs, "src").or_else(|| scan::attr(attrs, "data")).unwrap_or("");
        self.warn(node, format!("`<{name}>` cannot play in a book; a link to its source stands in for it"), "link to the page instead, or take a still image of it");
        let label = Inline::Text(format!("［{}］", embed_label(name)));
        let (line, col) = self.position(node);
        if src.is_empty() {
            b.push(label);
        } else {
            let target = classify_link(src, line, col);
            b.push(Inline::Link { target, content: vec![label] });
        }
        if !void {
            b.open(name, Role::Drop, None);
        }
    }
}

fn embed_label(name: &str) -> &'static str {
    match name {
        "video" => "视频",
        "audio" => "音频",
        _ => "嵌入内容",
    }
}
