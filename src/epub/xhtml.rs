//! The document tree as XHTML: essay pages, the title page and the cover page.

use std::collections::HashMap;
use std::fmt::Write;

use crate::assets::FormulaImages;
use crate::book::{Book, Essay, Section, chinese_date};
use crate::kinsoku;
use crate::doc::{Align, Block, BlockCount, Formula, Inline, LinkTarget, OPENING, PageStart, Table, leaf_text, table_row};

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
        escape(&format!("{}{}", book.meta.say("封面："), book.meta.title))
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
pub fn essay_page(book: &Book, essay: &Essay, images_href: &str, breaks: &[PageStart], formulas: &FormulaImages) -> String {
    let m = &essay.meta;
    let say = |s: &str| crate::convert::words(essay.meta.locale, s);
    let mut w = Writer { book, locale: essay.meta.locale, images_href, formulas, out: String::new(), note_refs: HashMap::new(), breaks, count: BlockCount::default(), offset: 0, lead: None, in_table: false, in_link: false };
    w.out.push_str("<section class=\"essay\" epub:type=\"chapter\" role=\"doc-chapter\" aria-labelledby=\"essay-title\">\n<header>\n");
    // The opening is block `doc::OPENING`: title, subtitle, dateline and lede, their texts in a row.
    w.break_pages();
    w.out.push_str("<h1 id=\"essay-title\">");
    w.text(&m.title);
    w.out.push_str("</h1>\n");
    if let Some(subtitle) = &m.subtitle {
        w.out.push_str("<p class=\"essay-subtitle\">");
        w.text(subtitle);
        w.out.push_str("</p>\n");
    }
    let date = m.date.map(|d| (d, chinese_date(&d)));
    let categories = m.categories.iter().map(|hierarchy| hierarchy.join(" › "));
    let parts: Vec<(String, String)> = date
        .map(|(d, text)| (format!("<time datetime=\"{}\">", d.to_rfc3339()), text))
        .into_iter()
        .chain(categories.map(|text| ("<span class=\"category\">".to_owned(), text)))
        .collect();
    if !parts.is_empty() {
        w.out.push_str("<p class=\"dateline\">");
        for (i, (open, text)) in parts.iter().enumerate() {
            if i > 0 {
                w.out.push_str("<span class=\"sep\">");
                w.text("　·　");
                w.out.push_str("</span>");
            }
            w.out.push_str(open);
            w.text(text);
            w.out.push_str(if open.starts_with("<time") { "</time>" } else { "</span>" });
        }
        w.out.push_str("</p>\n");
    }
    if let Some(lede) = essay.lede() {
        w.out.push_str("<p class=\"lede\">");
        w.text(lede);
        w.out.push_str("</p>\n");
    }
    w.out.push_str("</header>\n");
    if m.toc && !essay.sections.is_empty() {
        w.out.push_str("<nav class=\"essay-toc\" aria-labelledby=\"essay-toc-title\">\n<p class=\"toc-title\" id=\"essay-toc-title\">");
        w.out.push_str(&say("本文目录"));
        w.out.push_str("</p>\n");
        essay_toc(&mut w.out, &essay.sections, m.toc_number);
        w.out.push_str("</nav>\n");
    }
    w.blocks(&essay.blocks);
    if !essay.footnotes.is_empty() {
        let _ = writeln!(w.out, "<section class=\"footnotes\" aria-label=\"{}\">\n<hr class=\"footnotes-rule\"/>", say("注释"));
        // Back links only to references on the page (one in text flattened past the nesting
        // limit is not).
        let mut referenced = std::collections::HashSet::new();
        crate::doc::note_refs(&essay.blocks, &mut referenced);
        essay.footnotes.iter().for_each(|f| crate::doc::note_refs(&f.blocks, &mut referenced));
        for (i, note) in essay.footnotes.iter().enumerate() {
            let n = i + 1;
            let _ = writeln!(w.out, "<aside id=\"fn-{n}\" epub:type=\"footnote\" role=\"doc-footnote\">");
            let back = if referenced.contains(&n) {
                format!("<a class=\"note-back\" href=\"#fnref-{n}\" role=\"doc-backlink\">{}</a> ", crate::doc::note_number(n))
            } else {
                format!("{} ", crate::doc::note_number(n))
            };
            // The back link leads the note's first paragraph, or stands alone before its blocks.
            if let Some(Block::Paragraph(_)) = note.blocks.first() {
                w.lead = Some(back);
            } else {
                let _ = writeln!(w.out, "<p>{back}</p>");
            }
            w.blocks(&note.blocks);
            w.out.push_str("</aside>\n");
        }
        w.out.push_str("</section>\n");
    }
    w.break_pages_to(u32::MAX, 0);
    if !m.tags.is_empty() {
        let tags: Vec<String> = m.tags.iter().map(|t| format!("<span class=\"tag\">{}</span>", escape(t))).collect();
        let _ = writeln!(w.out, "<footer class=\"tags\"><p>{}{}</p></footer>", say("标签："), tags.join("　"));
    }
    w.out.push_str("</section>\n");
    document(m.lang.as_deref().unwrap_or(&book.meta.language), &m.title, "../css/book.css", " epub:type=\"bodymatter\"", &w.out)
}

/// The marker where printed page `n` starts.
fn page_break(out: &mut String, n: u32) {
    let _ = write!(out, "<span id=\"page-{n}\" epub:type=\"pagebreak\" role=\"doc-pagebreak\" aria-label=\"{n}\"></span>");
}

/// 标签索引: each group, each tag, and links to the essays that carry it, with a dotted leader
/// to the printed page each opens on (`opens_on`, when the PDF was made too). Every line is a
/// numbered block as in the PDF, so `breaks` (the print pages of the index) fall where they do
/// there.
pub(crate) fn index_page(book: &Book, title: &str, breaks: &[PageStart], opens_on: &[Option<u32>]) -> String {
    let mut out = String::new();
    let mut breaks = breaks;
    let mut break_pages = |out: &mut String, block: u32| {
        while let Some(b) = breaks.first().filter(|b| b.block <= block) {
            page_break(out, b.number);
            breaks = &breaks[1..];
        }
    };
    let _ = write!(out, "<section class=\"tag-index\" epub:type=\"index\" role=\"doc-index\" aria-labelledby=\"index-title\">\n<h1 id=\"index-title\">");
    break_pages(&mut out, OPENING);
    let _ = writeln!(out, "{}</h1>", escape(title));
    let mut count = BlockCount::default();
    for group in &book.tag_index {
        out.push_str("<section class=\"index-group\">\n<h2>");
        break_pages(&mut out, count.enter());
        let _ = writeln!(out, "{}</h2>\n<ul>", escape(&group.heading));
        for tag in &group.tags {
            out.push_str("<li><p class=\"index-tag\">");
            break_pages(&mut out, count.enter());
            let _ = writeln!(out, "{}</p>\n<ul>", escape(&tag.name));
            for &e in &tag.essays {
                let essay = &book.essays[e];
                out.push_str("<li>");
                break_pages(&mut out, count.enter());
                let _ = write!(out, "<a href=\"essays/{}.xhtml\"><span class=\"entry\">{}</span>", escape(&essay.id), escape(&essay.meta.title));
                if let Some(page) = opens_on.get(e).copied().flatten() {
                    let _ = write!(out, "<span class=\"leader\"></span><span class=\"page\">{page}</span>");
                }
                out.push_str("</a></li>\n");
            }
            out.push_str("</ul></li>\n");
        }
        out.push_str("</ul>\n</section>\n");
    }
    break_pages(&mut out, u32::MAX);
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
    /// The essay's locale, for the words wenji writes in it.
    locale: crate::locale::Locale,
    images_href: &'b str,
    /// Pictures of the formulas, for reading systems without MathML.
    formulas: &'b FormulaImages,
    out: String,
    /// How often each footnote has been referenced so far, for unique ids.
    note_refs: HashMap<usize, usize>,
    /// Page starts not yet marked, in reading order.
    breaks: &'b [PageStart],
    /// The blocks entered so far, the last being written, and how many bytes of its text (as
    /// `doc::leaf_text` makes it up) are written.
    count: BlockCount,
    offset: usize,
    /// Markup that leads the next paragraph, after its page markers (a note's back link).
    lead: Option<String>,
    /// In a table, whose page starts are by row: its text is not counted.
    in_table: bool,
    /// Inside a link: a link or note reference in it is written without its `<a>` (HTML
    /// allows no link in a link).
    in_link: bool,
}

impl Writer<'_> {
    /// Enters the next block, as the typesetter does for each block it lays out.
    fn enter(&mut self) {
        self.count.enter();
        self.offset = 0;
    }

    /// Puts a page-break marker for every page that starts at or before the current place.
    fn break_pages(&mut self) {
        self.break_pages_to(self.count.current(), self.offset);
    }

    /// Puts a page-break marker for every page that starts at or before `offset` of block `block`.
    fn break_pages_to(&mut self, block: u32, offset: usize) {
        while let Some(b) = self.breaks.first() {
            if b.block > block || (b.block == block && b.offset as usize > offset) {
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
        let block = self.count.current();
        let mut rest = text;
        self.break_pages();
        while let Some(b) = self.breaks.first() {
            let at = b.offset as usize;
            if b.block != block || at >= self.offset + rest.len() {
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

    /// An inline leaf the typesetter sets as text (`doc::leaf_text`) but that is written
    /// otherwise (an image, a note number, a formula): page starts inside it are marked before it.
    fn pass_over(&mut self, leaf: &Inline) {
        if self.in_table {
            return;
        }
        self.break_pages();
        self.offset += leaf_text(leaf).map_or(0, |t| t.len());
    }

    fn blocks(&mut self, blocks: &[Block]) {
        for block in blocks {
            self.block(block);
        }
    }

    fn block(&mut self, block: &Block) {
        self.enter();
        match block {
            Block::Paragraph(content) => {
                let figure = matches!(content.as_slice(), [Inline::Image { .. }]);
                let class = if figure {
                    " class=\"figure\""
                } else if crate::doc::is_verse(content) {
                    " class=\"verse\""
                } else {
                    ""
                };
                let _ = write!(self.out, "<p{class}>");
                self.break_pages();
                if let Some(lead) = self.lead.take() {
                    self.out.push_str(&lead);
                }
                self.inlines(content);
                // A figure's alt text is its caption, as the PDF prints it.
                if let [Inline::Image { alt, .. }] = content.as_slice()
                    && !alt.trim().is_empty()
                {
                    let _ = write!(self.out, "<span class=\"caption\" aria-hidden=\"true\">{}</span>", escape(alt.trim()));
                }
                self.out.push_str("</p>\n");
            }
            Block::Heading { level, id, content } => {
                let _ = write!(self.out, "<h{level} id=\"{}\">", escape(id));
                self.break_pages();
                self.inlines(content);
                let _ = writeln!(self.out, "</h{level}>");
            }
            Block::Quote(blocks) => {
                self.out.push_str("<blockquote>\n");
                self.blocks(blocks);
                self.out.push_str("</blockquote>\n");
            }
            Block::List { start, items } => self.list(*start, items),
            Block::Code { lang, text } => {
                let class: String = lang.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
                if class.is_empty() {
                    self.out.push_str("<pre><code>");
                } else {
                    let _ = write!(self.out, "<pre><code class=\"language-{class}\">");
                }
                self.break_pages();
                match crate::highlight::tokens(lang, text, &self.book.code_theme) {
                    Some(lines) => self.highlighted(text, &lines),
                    None => self.code_text(text),
                }
                self.out.push_str("</code></pre>\n");
            }
            Block::Math(f) if !f.readable => {
                self.out.push_str("<pre><code class=\"language-tex\">");
                self.break_pages();
                self.text(&f.tex);
                self.out.push_str("</code></pre>\n");
            }
            Block::Math(f) => {
                // A formula wider than the screen scrolls; the keyboard can reach it to scroll.
                self.out.push_str("<div class=\"math\" tabindex=\"0\">");
                self.break_pages();
                // The number first, so that it floats right on the formula's line.
                if let Some(number) = &f.number {
                    let _ = write!(self.out, "<span class=\"number\">{}</span>", escape(number));
                }
                self.formula(f, true);
                self.out.push_str("</div>\n");
            }
            Block::Table(table) => {
                self.in_table = true;
                self.table(table);
                self.in_table = false;
            }
            Block::Rule => {
                self.break_pages();
                self.out.push_str("<hr/>\n");
            }
        }
    }

    /// Code in its tokens' inks, a `<span style>` each (page markers fall between them).
    fn highlighted(&mut self, text: &str, lines: &[Vec<(std::ops::Range<usize>, crate::highlight::Ink)>]) {
        for (i, (_, line)) in crate::doc::code_line_starts(text).enumerate() {
            if i > 0 {
                self.text("\n");
            }
            for (range, ink) in lines.get(i).map(Vec::as_slice).unwrap_or_default() {
                let css = ink.css();
                if css.is_empty() {
                    self.code_text(&line[range.clone()]);
                } else {
                    let _ = write!(self.out, "<span style=\"{css}\">");
                    self.code_text(&line[range.clone()]);
                    self.out.push_str("</span>");
                }
            }
        }
    }

    /// Text of a code block: each wide character (Han, full-width punctuation) in a box two
    /// columns of the monospace grid wide (`span.wide`), so that comments aligned for it stay so.
    fn code_text(&mut self, text: &str) {
        let mut rest = text;
        while !rest.is_empty() {
            let narrow = rest.find(kinsoku::takes_two_columns).unwrap_or(rest.len());
            if narrow > 0 {
                self.text(&rest[..narrow]);
                rest = &rest[narrow..];
                continue;
            }
            let c = rest.chars().next().unwrap_or_default();
            self.out.push_str("<span class=\"wide\">");
            self.text(&rest[..c.len_utf8()]);
            self.out.push_str("</span>");
            rest = &rest[c.len_utf8()..];
        }
    }

    fn list(&mut self, start: Option<u64>, items: &[crate::doc::ListItem]) {
        let tag = if start.is_some() { "ol" } else { "ul" };
        match start {
            Some(n) if n != 1 => {
                let _ = writeln!(self.out, "<ol start=\"{n}\">");
            }
            _ => {
                let _ = writeln!(self.out, "<{tag}>");
            }
        }
        for item in items {
            self.out.push_str(if item.task.is_some() { "<li class=\"task\">" } else { "<li>" });
            if item.blocks.is_empty() {
                // An empty item still takes a line, and is a block of its own.
                self.enter();
                self.break_pages();
            }
            let task_box = item.task.map(|done| {
                let (glyph, label) = if done { ("☑", "已完成") } else { ("☐", "未完成") };
                let label = crate::convert::words(self.locale, label);
                format!("<span class=\"task-box\" role=\"img\" aria-label=\"{label}\">{glyph}</span> ")
            });
            match item.blocks.as_slice() {
                // A lone paragraph is the item's text, without an element of its own.
                [Block::Paragraph(content)] => {
                    self.out.push_str(task_box.as_deref().unwrap_or(""));
                    self.enter();
                    self.break_pages();
                    self.inlines(content);
                }
                blocks => {
                    // The box opens the item's first paragraph, on the line of its text.
                    match (task_box, blocks.first()) {
                        (Some(b), Some(Block::Paragraph(_))) => self.lead = Some(b),
                        (Some(b), _) => self.out.push_str(&b),
                        (None, _) => {}
                    }
                    self.out.push('\n');
                    self.blocks(blocks);
                }
            }
            self.out.push_str("</li>\n");
        }
        let _ = writeln!(self.out, "</{tag}>");
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
                    self.break_pages_to(self.count.current(), table_row(0) as usize);
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
                for (i, cell) in row.iter().enumerate() {
                    let _ = write!(self.out, "<td{}>", class(i));
                    if i == 0 {
                        self.break_pages_to(self.count.current(), table_row(r + 1) as usize);
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

    /// A formula as MathML with its TeX as `alttext` and, where it was painted, its picture as
    /// `altimg`, sized in em of the text around it and lowered by its depth.
    fn formula(&mut self, f: &Formula, display: bool) {
        let source = f.source();
        let math = crate::math::mathml(&source, &f.tex, display);
        match (self.formulas.get(&(source, display)), math.strip_prefix("<math ")) {
            (Some(picture), Some(rest)) => {
                let _ = write!(
                    self.out,
                    "<math altimg=\"{}{}\" altimg-width=\"{:.2}em\" altimg-height=\"{:.2}em\" altimg-valign=\"-{:.2}em\" {rest}",
                    self.images_href, picture.asset.name, picture.width, picture.height + picture.depth, picture.depth
                );
            }
            _ => self.out.push_str(&math),
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
            Inline::Math(f) if !f.readable => {
                self.pass_over(inline);
                self.out.push_str("<code>");
                self.out.push_str(&escape(&f.tex));
                self.out.push_str("</code>");
            }
            Inline::Math(f) => {
                self.pass_over(inline);
                self.formula(f, false);
            }
            Inline::Emph(c) => self.wrap("em", c),
            Inline::Strong(c) => self.wrap("strong", c),
            Inline::Strike(c) => self.wrap("del", c),
            Inline::Sup(c) => self.wrap("sup", c),
            Inline::Sub(c) => self.wrap("sub", c),
            Inline::Link { content, .. } if self.in_link => self.inlines(content),
            Inline::Link { target, content } => {
                let href = match target {
                    LinkTarget::External(url) => Some(url.clone()),
                    LinkTarget::Local { id: frag, .. } => Some(format!("#{frag}")),
                    LinkTarget::Essay { essay, heading } => Some(format!("{essay}.xhtml{}", heading.as_ref().map(|h| format!("#{h}")).unwrap_or_default())),
                    LinkTarget::Unresolved { .. } => None,
                };
                match href {
                    Some(href) => {
                        let _ = write!(self.out, "<a href=\"{}\">", escape(&href));
                        self.in_link = true;
                        self.inlines(content);
                        self.in_link = false;
                        self.out.push_str("</a>");
                    }
                    None => self.inlines(content),
                }
            }
            Inline::Image { asset, alt } => {
                self.pass_over(inline);
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
                self.pass_over(inline);
                self.out.push_str(&escape(alt));
            }
            Inline::LineBreak => {
                self.pass_over(inline);
                self.out.push_str("<br/>");
            }
            Inline::NoteRef(n) => {
                self.pass_over(inline);
                let count = self.note_refs.entry(*n).or_insert(0);
                *count += 1;
                let id = if *count == 1 { format!("fnref-{n}") } else { format!("fnref-{n}-{count}") };
                if self.in_link {
                    // The link around it is the one a reader follows; the note's back link still lands here.
                    let _ = write!(self.out, "<sup class=\"noteref\" id=\"{id}\">{}</sup>", crate::doc::note_number(*n));
                    return;
                }
                let _ = write!(
                    self.out,
                    "<sup class=\"noteref\"><a id=\"{id}\" href=\"#fn-{n}\" epub:type=\"noteref\" role=\"doc-noteref\">{}</a></sup>",
                    crate::doc::note_number(*n)
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

    /// An essay with every construct whose text the two writers count: notes (one opening
    /// with a list), images inline and alone, line breaks, lists loose, tight, empty and
    /// nested, quotes in quotes, code with tabs and long lines, a table of many rows, a rule.
    const EVERY_CONSTRUCT: &str = "---\ntitle: 页码的位置\nsubtitle: 副标题也在开头\ndate: 2024-03-01\ntags: [排版, 页码]\ndescription: 一段导语，放在标题下面。\n---\n\n\
第一段正文从这里开始，写得长一些，好让它跨过好几行，也许还跨过一页[^a]。窗外的雨下了一整天，屋檐下的水滴连成了线，\
街上的行人撑着各色的伞匆匆走过。![路边的小图](dot.png)图片之后的文字接着往下写，直到这一段结束为止。\\\n\
换行之后还有一句，说明硬换行也算作文字的一部分[^b]。\n\n\
## 第一节的标题\n\n\
> 引用里的第一段，讲的是一位老人在渡口等船的故事，他等了很久很久，船一直没有来。\n>\n\
> > 引用中的引用，只有一句话，却也要占一行。\n\n\
- 第一项，写得足够长，让它在窄窄的版心里折成两行甚至三行，这样分页就可能落在它的中间。\n\
- \n\
- 第三项之前有一个空项。\n\
  - 嵌套的一项。\n\n\
1. 松散列表的第一项。\n\n   第一项的第二段，也要写得长一点，好让页码落在这里的机会多一些。\n\n\
2. 松散列表的第二项。\n\n\
- [x] 做完的事\n\
- [ ] 没做的事\n\n\
![独占一段的图](dot.png)\n\n\
```rust\nfn main() {\n\tlet 问候 = \"你好\";\n\tprintln!(\"{问候}，这是一行很长很长的代码，长到必须折行才能放进版心里去的那一种。\");\n}\n```\n\n\
| 名称 | 数量 | 说明 |\n|:-----|-----:|:----:|\n\
| 苹果 | 3 | 红色的果子 |\n| 香蕉 | 12 | 黄色[^a] |\n| 橘子 | 7 | 橙色 |\n| 葡萄 | 30 | 紫色 |\n| 西瓜 | 1 | 绿皮红瓤 |\n| 桃子 | 5 | 粉色 |\n\n\
---\n\n\
图片之前的一句。<br><img src=\"dot.png\" alt=\"夹在换行之间\"><br>图注写在图片的下一行，也写得长一些好让它折行。\n\n\
[![徽章](dot.png)](https://example.org/)徽章之后的文字，同样写得足够长，足以折成好几行。\n\n\
最后一段在分隔线之后，引用脚注[^a]，再引用第三个脚注[^c]。\n\n\
[^a]: 第一个脚注，写得长一些，好让它也折成几行，甚至跨页。脚注里的文字和正文一样要标出页码。\n\
[^b]: 第二个脚注。\n\
[^c]:\n    - 以列表开头的脚注\n    - 第二项\n";

    /// Lays out a book of `essay` repeated on pages so small that they start everywhere,
    /// and checks that the text after each EPUB page marker is the text the PDF's page starts
    /// with (no outside tool: both are read from the layout and the XHTML).
    #[test]
    fn page_markers_stand_where_the_pdf_pages_start() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"页码\"\ntime-zone = \"Asia/Shanghai\"\n[pdf]\npage-size = \"90mm x 90mm\"\n").unwrap();
        let manuscripts = dir.path().join("manuscripts");
        std::fs::create_dir(&manuscripts).unwrap();
        let mut png = Vec::new();
        image::RgbImage::from_pixel(40, 30, image::Rgb([40, 80, 160])).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
        std::fs::write(manuscripts.join("dot.png"), png).unwrap();
        for i in 0..3 {
            std::fs::write(manuscripts.join(format!("essay-{i}.md")), EVERY_CONSTRUCT.replace("2024-03-01", &format!("2024-03-0{}", i + 1))).unwrap();
        }
        let config = crate::config::Config::locate(Some(dir.path())).unwrap();
        let (book, diags) = crate::build::load(&config);
        let book = book.unwrap_or_else(|| panic!("{diags:?}"));
        let fonts = crate::font::FontSet::bundled();
        let (layout, _) = crate::typeset::typeset(&book, &config.pdf, &fonts);
        let starts = &layout.summary.page_starts;
        let front = layout.summary.order.front;
        let mut checked = 0;
        for part in 0..=book.essays.len() {
            let breaks: Vec<PageStart> = starts.iter().filter(|s| s.essay == part).copied().collect();
            let xhtml = match book.essays.get(part) {
                Some(essay) => essay_page(&book, essay, "../images/", &breaks, &FormulaImages::default()),
                None => index_page(&book, &book.meta.say(crate::index::INDEX_TITLE), &breaks, &[]),
            };
            for b in &breaks {
                let marker = format!("<span id=\"page-{}\"", b.number);
                let at = xhtml.find(&marker).unwrap_or_else(|| panic!("page {} is not marked", b.number));
                // An image's alt text is its caption in the PDF when the image stands alone.
                let after = visible_text(&xhtml[at..]);
                let with_alt = squeeze(&after.replace(['\u{1}', '\u{2}'], ""));
                let without_alt = squeeze(&after.split('\u{1}').map(|s| s.split_once('\u{2}').map_or(s, |(_, rest)| rest)).collect::<String>());
                let page = &layout.pages[front + b.number as usize - 1];
                let in_index = part == book.essays.len();
                // The index's entries end in page numbers, which the EPUB has as links.
                let line_text = |l: &crate::typeset::frame::Line| if in_index { l.text().trim_end_matches(|c: char| c.is_ascii_digit()).to_owned() } else { l.text() };
                let lines: Vec<&crate::typeset::frame::Line> = page.lines.iter().filter(|l| !matches!(l.kind, LineKind::Head | LineKind::Folio)).collect();
                // A table that goes on from the page before sets 续表 and its header row again first.
                let label = usize::from(lines.first().is_some_and(|l| l.kind == LineKind::Other) && lines.get(1).is_some_and(|l| l.kind == LineKind::Table));
                let header = match lines.get(label) {
                    Some(l) if l.kind == LineKind::Table => label + lines[label..].iter().take_while(|m| m.y == l.y).count(),
                    _ => 0,
                };
                let on_page: String = lines.iter().map(|l| line_text(l)).collect();
                let past_header: String = lines[header..].iter().map(|l| line_text(l)).collect();
                // Notes are numbered by page in the PDF and through the essay in the EPUB.
                let any_number = |s: &str| s.chars().map(|c| if crate::doc::note_index(&c.to_string()).is_some() { '①' } else { c }).collect::<String>();
                let want: String = any_number(&squeeze(&on_page)).chars().take(6).collect();
                let want_past_header: String = any_number(&squeeze(&past_header)).chars().take(6).collect();
                let (with_alt, without_alt) = (any_number(&with_alt), any_number(&without_alt));
                let found = |w: &str| with_alt.starts_with(w) || without_alt.starts_with(w);
                assert!(found(&want) || (header > 0 && found(&want_past_header)), "page {} starts with «{want}», but its marker ({:?}) is followed by «{}»", b.number, b, with_alt.chars().take(30).collect::<String>());
                checked += 1;
            }
        }
        let body_pages = layout.pages.len() - front;
        assert!(checked >= body_pages * 9 / 10 && checked > 40, "only {checked} of {body_pages} pages checked");
    }

    use crate::typeset::frame::LineKind;

    /// The text a reader sees in XHTML: tags dropped (an image's alt text kept between U+0001
    /// and U+0002, as the PDF may caption it), the checkboxes and notes' back links left out
    /// (the PDF draws them beside the text), entities read.
    fn visible_text(xhtml: &str) -> String {
        let mut out = String::new();
        let mut rest = xhtml;
        while let Some(open) = rest.find('<') {
            out.push_str(&rest[..open]);
            let close = open + rest[open..].find('>').unwrap();
            let tag = &rest[open..=close];
            rest = &rest[close + 1..];
            if tag.starts_with("<img") {
                let alt = tag.split("alt=\"").nth(1).and_then(|a| a.split('"').next()).unwrap_or("");
                out.push('\u{1}');
                out.push_str(alt);
                out.push('\u{2}');
            } else if tag.contains("class=\"task-box\"") || tag.contains("class=\"note-back\"") {
                rest = &rest[rest.find('<').unwrap()..];
            }
        }
        out.push_str(rest);
        out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
    }

    fn squeeze(s: &str) -> String {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    }
}
