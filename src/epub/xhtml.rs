//! The document tree as XHTML: essay pages, the title page and the cover page.

use std::collections::HashMap;
use std::fmt::Write;

use crate::book::{Book, Essay, Section, chinese_date};
use crate::doc::{Align, Block, Inline, LinkTarget, Table};
use crate::doc::PageStart;

/// Text for XML content and attribute values; drops characters XML 1.0 cannot hold.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

/// A complete XHTML document around `body`.
pub(crate) fn document(lang: &str, title: &str, css: &str, body_attrs: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n\
         <html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" lang=\"{lang}\" xml:lang=\"{lang}\">\n\
         <head>\n<meta charset=\"UTF-8\"/>\n<title>{title}</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"{css}\"/>\n</head>\n\
         <body{body_attrs}>\n{body}</body>\n</html>\n",
        lang = escape(lang),
        title = escape(title),
    )
}

pub(crate) fn cover_page(book: &Book, image_href: &str) -> String {
    let body = format!(
        "<section class=\"cover\" epub:type=\"cover\">\n<img src=\"{}\" alt=\"{}\"/>\n</section>\n",
        escape(image_href),
        escape(&format!("封面：{}", book.meta.title))
    );
    document(&book.meta.language, &book.meta.title, "css/book.css", "", &body)
}

pub(crate) fn title_page(book: &Book) -> String {
    let m = &book.meta;
    let mut body = String::from("<section class=\"titlepage\" epub:type=\"titlepage\">\n");
    let _ = writeln!(body, "<h1 class=\"book-title\">{}</h1>", escape(&m.title));
    if let Some(sub) = &m.subtitle {
        let _ = writeln!(body, "<p class=\"book-subtitle\">{}</p>", escape(sub));
    }
    if !m.authors.is_empty() {
        let _ = writeln!(body, "<p class=\"book-author\">{}</p>", escape(&m.authors.join("　")));
    }
    if let Some(p) = &m.publisher {
        let _ = writeln!(body, "<p class=\"book-publisher\">{}</p>", escape(p));
    }
    body.push_str("</section>\n");
    document(&m.language, &m.title, "css/book.css", "", &body)
}

/// One essay as a chapter page; images are referenced under `images_href`. `breaks` are the
/// print pages that start in this essay, marked where their text starts.
pub fn essay_page(book: &Book, essay: &Essay, images_href: &str, breaks: &[PageStart]) -> String {
    let m = &essay.meta;
    let mut w = Writer { book, images_href, out: String::new(), note_refs: HashMap::new(), breaks, block: 0, offset: 0, in_table: false };
    w.out.push_str("<section class=\"essay\" epub:type=\"chapter\" role=\"doc-chapter\" aria-labelledby=\"essay-title\">\n<header>\n");
    w.flush_breaks();
    let _ = writeln!(w.out, "<h1 id=\"essay-title\">{}</h1>", escape(&m.title));
    let mut dateline = Vec::new();
    if let Some(d) = m.date {
        dateline.push(format!("<time datetime=\"{}\">{}</time>", d.to_rfc3339(), escape(&chinese_date(&d))));
    }
    for hierarchy in &m.categories {
        let joined: Vec<String> = hierarchy.iter().map(|c| escape(c)).collect();
        dateline.push(format!("<span class=\"category\">{}</span>", joined.join(" › ")));
    }
    if !dateline.is_empty() {
        let _ = writeln!(w.out, "<p class=\"dateline\">{}</p>", dateline.join("<span class=\"sep\">　·　</span>"));
    }
    if let Some(lede) = &m.description {
        let _ = writeln!(w.out, "<p class=\"lede\">{}</p>", escape(lede));
    }
    w.out.push_str("</header>\n");
    if m.toc && !essay.sections.is_empty() {
        w.out.push_str("<nav class=\"essay-toc\" aria-labelledby=\"essay-toc-title\">\n<p class=\"toc-title\" id=\"essay-toc-title\">本文目录</p>\n");
        essay_toc(&mut w.out, &essay.sections, m.toc_number);
        w.out.push_str("</nav>\n");
    }
    w.blocks(&essay.blocks);
    if !essay.footnotes.is_empty() {
        w.out.push_str("<section class=\"footnotes\" aria-label=\"注释\">\n<hr class=\"footnotes-rule\"/>\n");
        for (i, note) in essay.footnotes.iter().enumerate() {
            let n = i + 1;
            let _ = writeln!(w.out, "<aside id=\"fn-{n}\" epub:type=\"footnote\" role=\"doc-footnote\">");
            let back = format!("<a class=\"note-back\" href=\"#fnref-{n}\" role=\"doc-backlink\">{n}.</a> ");
            match note.blocks.split_first() {
                Some((Block::Paragraph(first), rest)) => {
                    w.out.push_str("<p>");
                    w.begin_block();
                    w.out.push_str(&back);
                    w.inlines(first);
                    w.out.push_str("</p>\n");
                    w.blocks(rest);
                }
                _ => {
                    let _ = writeln!(w.out, "<p>{back}</p>");
                    w.blocks(&note.blocks);
                }
            }
            w.out.push_str("</aside>\n");
        }
        w.out.push_str("</section>\n");
    }
    w.block = u32::MAX;
    w.flush_breaks();
    if !m.tags.is_empty() {
        let tags: Vec<String> = m.tags.iter().map(|t| format!("<span class=\"tag\">{}</span>", escape(t))).collect();
        let _ = writeln!(w.out, "<footer class=\"tags\"><p>标签：{}</p></footer>", tags.join("　"));
    }
    w.out.push_str("</section>\n");
    document(&book.meta.language, &m.title, "../css/book.css", " epub:type=\"bodymatter\"", &w.out)
}

/// The marker where printed page `n` starts.
fn page_break(out: &mut String, n: u32) {
    let _ = write!(out, "<span id=\"page-{n}\" epub:type=\"pagebreak\" role=\"doc-pagebreak\" aria-label=\"{n}\"></span>");
}

/// 标签索引: each group, each tag, and links to the essays that carry it. Every line is a
/// numbered block as in the PDF, so `breaks` (the print pages of the index) fall where they do
/// there.
pub(crate) fn index_page(book: &Book, title: &str, breaks: &[PageStart]) -> String {
    let mut out = String::new();
    let mut breaks = breaks;
    let mut mark = |out: &mut String, block: u32| {
        while let Some(b) = breaks.first().filter(|b| b.block <= block) {
            page_break(out, b.number);
            breaks = &breaks[1..];
        }
    };
    let _ = write!(out, "<section class=\"tag-index\" epub:type=\"index\" role=\"doc-index\" aria-labelledby=\"index-title\">\n<h1 id=\"index-title\">");
    mark(&mut out, 0);
    let _ = writeln!(out, "{}</h1>", escape(title));
    let mut block = 0;
    for group in &book.tag_index {
        block += 1;
        out.push_str("<section class=\"index-group\">\n<h2>");
        mark(&mut out, block);
        let _ = writeln!(out, "{}</h2>\n<ul>", escape(&group.heading));
        for tag in &group.tags {
            block += 1;
            out.push_str("<li><p class=\"index-tag\">");
            mark(&mut out, block);
            let _ = writeln!(out, "{}</p>\n<ul>", escape(&tag.name));
            for &e in &tag.essays {
                block += 1;
                let essay = &book.essays[e];
                out.push_str("<li>");
                mark(&mut out, block);
                let _ = writeln!(out, "<a href=\"essays/{}.xhtml\">{}</a></li>", escape(&essay.id), escape(&essay.meta.title));
            }
            out.push_str("</ul></li>\n");
        }
        out.push_str("</ul>\n</section>\n");
    }
    mark(&mut out, u32::MAX);
    out.push_str("</section>\n");
    document(&book.meta.language, title, "css/book.css", " epub:type=\"backmatter\"", &out)
}

fn essay_toc(out: &mut String, sections: &[Section], numbered: bool) {
    out.push_str("<ol>\n");
    for s in sections {
        let number = if numbered { format!("<span class=\"secno\">{}</span> ", s.number) } else { String::new() };
        let _ = write!(out, "<li><a href=\"#{}\">{number}{}</a>", escape(&s.id), escape(&s.title));
        if !s.children.is_empty() {
            out.push('\n');
            essay_toc(out, &s.children, numbered);
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n");
}

struct Writer<'b> {
    book: &'b Book,
    images_href: &'b str,
    out: String,
    /// How often each footnote has been referenced so far, for unique ids.
    note_refs: HashMap<usize, usize>,
    /// Page starts not yet marked, in reading order.
    breaks: &'b [PageStart],
    /// The block being written (numbered as the typesetter numbers them) and how many bytes
    /// of its text, as the typesetter collects it, are written.
    block: u32,
    offset: usize,
    /// In a table, whose page starts are by row: its text is not counted.
    in_table: bool,
}

impl Writer<'_> {
    /// A block begins: its page starts at offset 0 are marked here, inside its element.
    fn begin_block(&mut self) {
        self.block += 1;
        self.offset = 0;
        self.flush_breaks();
    }

    /// Marks every page that starts at or before the current place.
    fn flush_breaks(&mut self) {
        while let Some(b) = self.breaks.first() {
            if b.block > self.block || (b.block == self.block && b.offset as usize > self.offset) {
                break;
            }
            page_break(&mut self.out, b.number);
            self.breaks = &self.breaks[1..];
        }
    }

    /// Text of the current block, escaped, with the page starts that fall inside it.
    fn text(&mut self, text: &str) {
        if self.in_table {
            self.out.push_str(&escape(text));
            return;
        }
        let mut rest = text;
        self.flush_breaks();
        while let Some(b) = self.breaks.first() {
            let at = b.offset as usize;
            if b.block != self.block || at >= self.offset + rest.len() {
                break;
            }
            let mut cut = at.saturating_sub(self.offset);
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            self.out.push_str(&escape(&rest[..cut]));
            self.offset += cut;
            rest = &rest[cut..];
            page_break(&mut self.out, b.number);
            self.breaks = &self.breaks[1..];
            // A page start inside a character is marked before it; go on after the character.
            self.offset = self.offset.max(at);
        }
        self.out.push_str(&escape(rest));
        self.offset += rest.len();
    }

    /// Content the typesetter counts as text but that is written otherwise (an image, a
    /// note number): page starts inside it are marked before it.
    fn skip(&mut self, len: usize) {
        if self.in_table {
            return;
        }
        self.flush_breaks();
        self.offset += len;
    }

    fn blocks(&mut self, blocks: &[Block]) {
        for block in blocks {
            self.block(block);
        }
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Paragraph(content) => {
                let figure = matches!(content.as_slice(), [Inline::Image { .. }]);
                self.out.push_str(if figure { "<p class=\"figure\">" } else { "<p>" });
                self.begin_block();
                self.inlines(content);
                self.out.push_str("</p>\n");
            }
            Block::Heading { level, id, content } => {
                let _ = write!(self.out, "<h{level} id=\"{}\">", escape(id));
                self.begin_block();
                self.inlines(content);
                let _ = writeln!(self.out, "</h{level}>");
            }
            Block::Quote(blocks) => {
                self.block += 1;
                self.out.push_str("<blockquote>\n");
                self.blocks(blocks);
                self.out.push_str("</blockquote>\n");
            }
            Block::List { start, items } => {
                self.block += 1;
                let list = self.block;
                let tag = if start.is_some() { "ol" } else { "ul" };
                match start {
                    Some(n) if *n != 1 => {
                        let _ = writeln!(self.out, "<ol start=\"{n}\">");
                    }
                    _ => {
                        let _ = writeln!(self.out, "<{tag}>");
                    }
                }
                for item in items {
                    self.out.push_str(if item.task.is_some() { "<li class=\"task\">" } else { "<li>" });
                    if item.blocks.is_empty() {
                        // An empty item's line is the list's own.
                        let after = self.block;
                        self.block = list;
                        self.flush_breaks();
                        self.block = after;
                    }
                    if let Some(done) = item.task {
                        let (mark, label) = if done { ("☑", "已完成") } else { ("☐", "未完成") };
                        let _ = write!(self.out, "<span class=\"task-box\" role=\"img\" aria-label=\"{label}\">{mark}</span> ");
                    }
                    match item.blocks.as_slice() {
                        [Block::Paragraph(content)] => {
                            self.begin_block();
                            self.inlines(content);
                        }
                        blocks => {
                            self.out.push('\n');
                            self.blocks(blocks);
                        }
                    }
                    self.out.push_str("</li>\n");
                }
                let _ = writeln!(self.out, "</{tag}>");
            }
            Block::Code { lang, text } => {
                let class: String = lang.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
                if class.is_empty() {
                    self.out.push_str("<pre><code>");
                } else {
                    let _ = write!(self.out, "<pre><code class=\"language-{class}\">");
                }
                self.begin_block();
                self.text(text);
                self.out.push_str("</code></pre>\n");
            }
            Block::Math(tex) => {
                self.out.push_str("<p class=\"math\"><code>");
                self.begin_block();
                self.text(tex);
                self.out.push_str("</code></p>\n");
            }
            Block::Table(table) => {
                self.block += 1;
                self.offset = 0;
                self.in_table = true;
                self.table(table);
                self.in_table = false;
            }
            Block::Rule => {
                self.begin_block();
                self.out.push_str("<hr/>\n");
            }
        }
    }

    fn table(&mut self, t: &Table) {
        let class = |i: usize| match t.align.get(i).copied().unwrap_or(Align::None) {
            Align::None => "",
            Align::Left => " class=\"left\"",
            Align::Center => " class=\"center\"",
            Align::Right => " class=\"right\"",
        };
        self.out.push_str("<table>\n");
        if !t.head.is_empty() {
            self.out.push_str("<thead><tr>");
            for (i, cell) in t.head.iter().enumerate() {
                let _ = write!(self.out, "<th{}>", class(i));
                if i == 0 {
                    self.flush_breaks();
                }
                self.inlines(cell);
                self.out.push_str("</th>");
            }
            self.out.push_str("</tr></thead>\n");
        }
        if !t.rows.is_empty() {
            self.out.push_str("<tbody>\n");
            for (r, row) in t.rows.iter().enumerate() {
                self.out.push_str("<tr>");
                self.offset = r + 1;
                for (i, cell) in row.iter().enumerate() {
                    let _ = write!(self.out, "<td{}>", class(i));
                    if i == 0 {
                        self.flush_breaks();
                    }
                    self.inlines(cell);
                    self.out.push_str("</td>");
                }
                self.out.push_str("</tr>\n");
            }
            self.out.push_str("</tbody>\n");
        }
        self.out.push_str("</table>\n");
    }

    fn inlines(&mut self, inlines: &[Inline]) {
        for inline in inlines {
            self.inline(inline);
        }
    }

    fn wrap(&mut self, tag: &str, content: &[Inline]) {
        let _ = write!(self.out, "<{tag}>");
        self.inlines(content);
        let _ = write!(self.out, "</{tag}>");
    }

    fn inline(&mut self, inline: &Inline) {
        match inline {
            Inline::Text(t) => self.text(t),
            Inline::Code(c) => {
                self.out.push_str("<code>");
                self.text(c);
                self.out.push_str("</code>");
            }
            Inline::Math(m) => {
                self.out.push_str("<code class=\"math\">");
                self.text(m);
                self.out.push_str("</code>");
            }
            Inline::Emph(c) => self.wrap("em", c),
            Inline::Strong(c) => self.wrap("strong", c),
            Inline::Strike(c) => self.wrap("del", c),
            Inline::Sup(c) => self.wrap("sup", c),
            Inline::Sub(c) => self.wrap("sub", c),
            Inline::Link { target, content } => match target {
                LinkTarget::External(url) => {
                    let _ = write!(self.out, "<a href=\"{}\">", escape(url));
                    self.inlines(content);
                    self.out.push_str("</a>");
                }
                LinkTarget::Local(frag) => {
                    let _ = write!(self.out, "<a href=\"#{}\">", escape(frag));
                    self.inlines(content);
                    self.out.push_str("</a>");
                }
                LinkTarget::Essay { essay, heading } => {
                    let fragment = heading.as_ref().map(|h| format!("#{h}")).unwrap_or_default();
                    let _ = write!(self.out, "<a href=\"{}.xhtml{}\">", escape(essay), escape(&fragment));
                    self.inlines(content);
                    self.out.push_str("</a>");
                }
                LinkTarget::Unresolved { .. } => self.inlines(content),
            },
            Inline::Image { asset, alt } => {
                self.skip(crate::doc::image_text(alt).len());
                let a = &self.book.assets[*asset];
                let _ = write!(
                    self.out,
                    "<img src=\"{}{}\" alt=\"{}\" width=\"{}\" height=\"{}\"/>",
                    self.images_href,
                    escape(&a.name),
                    escape(alt),
                    a.width,
                    a.height
                );
            }
            Inline::ImageRef { alt, .. } => {
                self.skip(crate::doc::image_text(alt).len());
                self.out.push_str(&escape(alt));
            }
            Inline::LineBreak => {
                self.skip(1);
                self.out.push_str("<br/>");
            }
            Inline::NoteRef(n) => {
                self.skip(n.to_string().len());
                let count = self.note_refs.entry(*n).or_insert(0);
                *count += 1;
                let id = if *count == 1 { format!("fnref-{n}") } else { format!("fnref-{n}-{count}") };
                let _ = write!(
                    self.out,
                    "<sup class=\"noteref\"><a id=\"{id}\" href=\"#fn-{n}\" epub:type=\"noteref\" role=\"doc-noteref\">{n}</a></sup>"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_handles_markup_and_invalid_xml_chars() {
        assert_eq!(escape("a<b>&\"c\"\u{0}\u{1b}\u{fffe}中"), "a&lt;b&gt;&amp;&quot;c&quot;中");
    }
}
