//! Blocks of an essay (paragraphs, headings, quotes, lists, code, tables, images, notes)
//! laid out into slabs of whole grid lines.

use crate::font::{FontId, FontSet};
use super::frame::{Cluster, Item, Line, LineKind, Mark, Node, NoteRun, Role};
use super::inline::{self, Align, Anchor, Measure, Para, SetLine, Shaped};
use super::math;
use crate::highlight;
use std::sync::Arc;

use super::page::{Break, Geometry, NoteBody, Opening, Paragraph, Slab, TablePart, Variant};
use crate::config::Notes;
use crate::book::{Book, Essay, chinese_date};
use crate::doc::{self, Block, BlockCount, Inline, ListItem, OPENING, Table};

/// Lays out blocks for one essay, collecting slabs and the characters no font has.
pub(crate) struct Blocks<'a> {
    pub(crate) geo: &'a Geometry,
    pub(crate) fonts: &'a FontSet,
    pub(crate) book: &'a Book,
    /// Anchor prefix: the essay id.
    pub(crate) prefix: String,
    pub(crate) slabs: Vec<Slab>,
    pub(crate) missing: Vec<char>,
    /// The structure of what is laid out (part `part` of the book's), and the nodes open now.
    pub(crate) part: u32,
    pub(crate) nodes: Vec<Node>,
    open: Vec<u32>,
    /// The blocks entered so far (the last is the one being laid out), and where the current
    /// paragraph starts in its block's text (a code block's lines are paragraphs of their own).
    count: BlockCount,
    text_base: usize,
    /// The level of the essay's outermost headings, which are set largest.
    top_heading: u8,
    /// Whether body paragraphs are also set a line longer and shorter (not in an essay so
    /// long that holding the variants of all its pages would cost hundreds of MB).
    variants: bool,
    /// What may open below the last block laid out: a line below a figure, code, a formula, a
    /// quotation, a section break or a table, two below an essay's opening (its title, dateline
    /// and lede).
    opening_after: Opening,
}

/// Quotations are set this much smaller than the text.
const QUOTE_SCALE: f32 = 0.9;

/// The longest paragraph (in lines, about three pages) also set a line longer and shorter.
const VARIANT_MAX_LINES: usize = 90;

/// The longest essay (bytes of its file: some 300 pages of Chinese) whose paragraphs are.
const VARIANT_MAX_ESSAY: usize = 1 << 20;

/// Above the part of a table a page break carries on to the next page.
const CONTINUED_TABLE: &str = "续表";

/// The level of the outermost heading among `blocks`, quotes and lists included.
fn top_heading(blocks: &[Block]) -> Option<u8> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, .. } => Some(*level),
            Block::Quote(inner) => top_heading(inner),
            Block::List { items, .. } => items.iter().filter_map(|i| top_heading(&i.blocks)).min(),
            _ => None,
        })
        .min()
}

/// The column blocks are set in: where it starts, how wide it is, the text size, whether
/// paragraphs are indented, and what kind of line it makes.
#[derive(Debug, Clone, Copy)]
struct Column {
    left: f32,
    width: f32,
    size: f32,
    /// Indent first lines of paragraphs by 2 em.
    indent: bool,
    kind: LineKind,
}

/// An essay laid out: its slabs, the characters no font has, its structure.
pub(crate) struct LaidOut {
    pub(crate) slabs: Vec<Slab>,
    pub(crate) missing: Vec<char>,
    pub(crate) nodes: Vec<Node>,
}

/// Lays out one essay: its opening (title, dateline, lede), its blocks and its notes. It is
/// part `index` of the book's structure.
pub(crate) fn essay(geo: &Geometry, fonts: &FontSet, book: &Book, index: usize) -> LaidOut {
    let essay = &book.essays[index];
    // An essay in another language than the book's is set in its own locale's faces.
    let fonts = fonts.view(essay.meta.locale);
    let mut b = Blocks::new(geo, &fonts, book, &essay.id, index as u32);
    b.top_heading = top_heading(&essay.blocks).unwrap_or(1);
    b.variants = essay.source.len() <= VARIANT_MAX_ESSAY;
    // An essay in another language than the book's says so (`lang` in its front matter).
    b.open(Role::Section { lang: essay.meta.lang.clone().filter(|l| *l != book.meta.language) });
    b.opening(essay, index);
    let body = b.body_frame();
    b.blocks(&essay.blocks, body);
    b.notes(essay, body);
    b.close();
    // An essay does not end on a page holding a single line: its last two lines go together.
    if let [.., before, last] = &mut b.slabs[..]
        && !last.lines.is_empty()
        && !before.lines.is_empty()
    {
        before.keep_with_next = true;
    }
    LaidOut { slabs: b.slabs, missing: b.missing, nodes: b.nodes }
}

impl<'a> Blocks<'a> {
    pub(crate) fn new(geo: &'a Geometry, fonts: &'a FontSet, book: &'a Book, prefix: &str, part: u32) -> Blocks<'a> {
        Blocks { geo, fonts, book, prefix: prefix.into(), slabs: Vec::new(), missing: Vec::new(), count: BlockCount::default(), text_base: 0, top_heading: 1, part, nodes: Vec::new(), open: Vec::new(), variants: true, opening_after: Opening::None }
    }

    /// Opens a structure node inside the one open now: what is set until `close` is in it.
    pub(crate) fn open(&mut self, role: Role) -> u32 {
        let id = self.nodes.len() as u32;
        self.nodes.push(Node { role, parent: self.open.last().copied() });
        self.open.push(id);
        id
    }

    pub(crate) fn close(&mut self) {
        self.open.pop();
    }

    /// Runs `set` inside a new node of `role`.
    pub(crate) fn within<T>(&mut self, role: Role, set: impl FnOnce(&mut Self) -> T) -> T {
        self.open(role);
        let out = set(self);
        self.close();
        out
    }

    /// Makes a node of `role` here and a `Blocks` of its own that sets text into it, in the
    /// current block, so that entries of the contents and the index can be set in parallel;
    /// `join` takes back what it set.
    pub(crate) fn branch(&mut self, role: Role) -> Blocks<'a> {
        let node = self.open(role);
        self.close();
        let mut branch = Blocks::new(self.geo, self.fonts, self.book, &self.prefix, self.part);
        branch.open.push(node);
        branch.count = self.count.clone();
        branch
    }

    pub(crate) fn join(&mut self, branch: Blocks) {
        self.slabs.extend(branch.slabs);
        self.note_missing(&branch.missing);
    }

    fn note_missing(&mut self, chars: &[char]) {
        for c in chars {
            if !self.missing.contains(c) {
                self.missing.push(*c);
            }
        }
    }

    /// A node opened and closed at once, for content placed later (a label beside its item).
    fn leaf(&mut self, role: Role) -> Mark {
        let node = self.open(role);
        self.close();
        self.mark_of(node)
    }

    fn mark_of(&self, node: u32) -> Mark {
        Mark::Content { part: self.part, node }
    }

    /// Where text set now belongs: the open node, or the page's artifacts if none is.
    pub(crate) fn mark(&self) -> Mark {
        self.open.last().map_or(Mark::Decoration, |&n| self.mark_of(n))
    }

    /// Enters the next block, for content laid out otherwise than by `block` (the tag
    /// index's lines): the lines set from now on start in it.
    pub(crate) fn enter_block(&mut self) {
        self.count.enter();
    }

    fn body_frame(&self) -> Column {
        Column { left: 0.0, width: self.geo.measure, size: self.geo.size, indent: true, kind: LineKind::Body }
    }

    fn anchor(&self, a: Anchor) -> String {
        match a {
            Anchor::Id(id) => format!("{}#{id}", self.prefix),
            Anchor::Note(n) => format!("{}#fn-{n}", self.prefix),
        }
    }

    fn para(&self, inlines: &[Inline], font: FontId) -> Para {
        Para::from_inlines(inlines, font, &|a| self.anchor(a))
    }

    /// Shapes and breaks `para`, then appends one slab per line (`slots` each).
    /// Returns the index of the first slab added.
    pub(crate) fn lines(&mut self, para: &Para, size: f32, left: f32, measure: Measure, kind: LineKind, slots: usize) -> usize {
        let shaped = self.shape(para, size);
        let lines = shaped.lines(measure);
        self.push_lines(lines, para, size, left, measure, kind, slots)
    }

    /// Appends `lines` of `para` as slabs (`line_slabs`); returns the index of the first.
    fn push_lines(&mut self, lines: Vec<SetLine>, para: &Para, size: f32, left: f32, measure: Measure, kind: LineKind, slots: usize) -> usize {
        let first = self.slabs.len();
        let slabs = self.line_slabs(lines, &para.notes, size, left, measure, kind, slots);
        self.slabs.extend(slabs);
        first
    }

    /// A title or heading: `lines` broken only between words, at its punctuation where that
    /// gives as few lines none of them under a third of the longest, and when centred on
    /// lines as even as they can be.
    fn title_lines(&mut self, para: &Para, size: f32, left: f32, measure: Measure, kind: LineKind, slots: usize) -> usize {
        let mut shaped = self.shape(para, size);
        // Most titles fit on a line: nothing to choose.
        if shaped.natural_width() <= measure.width - measure.first_indent.max(measure.rest_indent) {
            let lines = shaped.lines(measure);
            return self.push_lines(lines, para, size, left, measure, kind, slots);
        }
        shaped.break_between_words();
        let count = shaped.lines(measure).len();
        if count > 1 {
            let mut at_marks = shaped.clone();
            at_marks.break_at_punctuation();
            let lines = at_marks.lines(measure);
            let widths: Vec<f32> = lines.iter().map(|l| l.end).collect();
            let longest = widths.iter().fold(0.0_f32, |a, &b| a.max(b));
            if lines.len() == count && longest <= measure.width + 0.01 && widths.iter().all(|&w| w >= longest / 3.0) {
                shaped = at_marks;
            }
        }
        let (measure, left) = match measure.align {
            Align::Center => {
                let even = shaped.balanced(measure);
                (even, left + (measure.width - even.width) / 2.0)
            }
            _ => (measure, left),
        };
        let lines = shaped.lines(measure);
        self.push_lines(lines, para, size, left, measure, kind, slots)
    }

    /// A paragraph of body text: `lines`, with the paragraph set a line longer and a line
    /// shorter beside it where that can be done well, for pagination to choose from.
    fn body_lines(&mut self, para: &Para, size: f32, left: f32, measure: Measure, kind: LineKind) {
        let shaped = self.shape(para, size);
        let lines = shaped.lines(measure);
        let count = lines.len();
        let first = self.push_lines(lines, para, size, left, measure, kind, 1);
        // Notes take their number and anchor on their first line afterwards: only the body's
        // paragraphs (in quotes and lists too) have variants.
        if !matches!(kind, LineKind::Body | LineKind::Quote) {
            return;
        }
        // Breaking into an exact number of lines costs time and memory that grow with the
        // square of the lines: a paragraph of several pages is set one way only.
        let wanted = self.variants && count <= VARIANT_MAX_LINES;
        let variants = [count + 1, count.saturating_sub(1)]
            .into_iter()
            .filter(|_| wanted)
            .filter_map(|n| shaped.lines_exactly(measure, n))
            .map(|(lines, demerits)| {
                let mut slabs = self.line_slabs(lines, &para.notes, size, left, measure, kind, 1);
                slabs.iter_mut().flat_map(|s| &mut s.lines).for_each(|l| l.adjusted = true);
                Variant { slabs, demerits }
            })
            .collect();
        let starts = self.slabs[first..].iter().map(|s| s.text_start).collect();
        self.slabs[first].paragraph = Some(Box::new(Paragraph { lines: count, variants, starts }));
    }

    /// One slab per line (`slots` each), marked as the open node's and starting where its
    /// text does. A paragraph's first two lines stay together (no orphan), and so do its last
    /// two unless the last fills half the measure (no widow).
    fn line_slabs(&self, lines: Vec<SetLine>, callers: &[(usize, usize)], size: f32, left: f32, measure: Measure, kind: LineKind, slots: usize) -> Vec<Slab> {
        let count = lines.len();
        let widow = lines.last().is_some_and(|l| l.end < measure.width / 2.0);
        let mark = self.mark();
        let starts: Vec<usize> = lines.iter().map(|l| l.start).skip(1).chain([usize::MAX]).collect();
        let mut slabs = Vec::with_capacity(count);
        for (i, line) in lines.into_iter().enumerate() {
            let on_line = callers.iter().filter(|&&(at, _)| at >= line.start && at < starts[i]).map(|&(_, n)| n).collect();
            let offset = (self.text_base + line.start).min(u32::MAX as usize) as u32;
            let mut slab = self.line_slab(line, size, left, kind, slots, i == 0);
            slab.text_start = Some((self.count.current(), offset));
            slab.items.iter_mut().for_each(|item| item.claim(mark));
            slab.keep_with_next = count > 1 && (i == 0 || (i + 2 == count && widow));
            slab.callers = on_line;
            slabs.push(slab);
        }
        slabs
    }

    /// Shapes `para`, noting the characters no font has; each inline formula and each link
    /// gets a node of its own in the open one (a node nothing is drawn for is left out of the
    /// tag tree).
    fn shape<'p>(&mut self, para: &'p Para, size: f32) -> Shaped<'p> {
        let mut shaped = inline::shape(para, size, self.fonts, self.geo.punctuation);
        self.note_missing(&shaped.missing);
        self.mark_inlines(para, &mut shaped);
        shaped
    }

    /// Gives `para`'s inline formulas, links and emphases nodes of their own in the open one.
    fn mark_inlines(&mut self, para: &Para, shaped: &mut Shaped) {
        if !para.formulas.is_empty() {
            shaped.mark_formulas(para.formulas.iter().map(|f| self.leaf(Role::Formula { alt: f.tex.clone() })).collect());
        }
        if para.link_count() > 0 {
            shaped.mark_links((0..para.link_count()).map(|i| self.leaf(Role::Link { alt: para.link_description(i) })).collect());
        }
        if !para.stresses.is_empty() {
            shaped.mark_stresses(para.stresses.iter().map(|&(strong, _)| self.leaf(Role::Stress { strong })).collect());
        }
    }

    fn clusters(&self, clusters: Vec<Cluster>) -> Vec<Cluster> {
        if self.geo.keep_clusters { clusters } else { Vec::new() }
    }

    fn line_slab(&self, mut line: SetLine, size: f32, left: f32, kind: LineKind, slots: usize, first: bool) -> Slab {
        // A line holding a formula taller than text (a matrix, a stacked fraction) takes whole
        // grid lines more, above or below, so that it touches no other line.
        let (ascent, descent) = line.formula_extent;
        let pitch = self.geo.pitch;
        // Room a line leaves between its neighbours' text: 1.3 em above its baseline, 0.6 below.
        let above = ((ascent - 1.3 * size) / pitch).ceil().max(0.0) as usize;
        let below = ((descent - 0.6 * size) / pitch).ceil().max(0.0) as usize;
        let baseline = above as f32 * pitch + self.geo.baseline(slots, size);
        let slots = slots + above + below;
        line.translate(left, baseline);
        let mut slab = Slab::new(slots);
        slab.items = line.items;
        // In the layout dump a line stands on the last grid line it takes, as a display formula does.
        let y = baseline + below as f32 * pitch;
        slab.baseline = Some(baseline);
        slab.lines.push(Line { kind, y, first, last: line.last, adjusted: false, clusters: self.clusters(line.clusters) });
        slab
    }

    /// The essay's opening, block `doc::OPENING`: its title, subtitle, dateline and lede,
    /// whose texts one after the other are the block's text.
    fn opening(&mut self, essay: &Essay, index: usize) {
        let first = self.slabs.len();
        self.opening_lines(essay, index);
        // The space around the title starts where the text after it does.
        let mut next = (OPENING, self.text_base.min(u32::MAX as usize) as u32);
        for s in self.slabs[first..].iter_mut().rev() {
            match s.text_start {
                Some(start) => next = start,
                None => s.text_start = Some(next),
            }
        }
        self.text_base = 0;
    }

    /// Sets the opening's lines, leaving `text_base` at the end of its text.
    fn opening_lines(&mut self, essay: &Essay, index: usize) {
        let geo = self.geo;
        let m = &essay.meta;
        let mut sinkage = Slab::new(3);
        sinkage.brk = Break::Recto;
        sinkage.opens_essay = Some(index);
        sinkage.anchors.push(essay.id.clone());
        self.slabs.push(sinkage);
        let center = |width| Measure::new(width, Align::Center);
        let title = Para::plain(&m.title, FontId::BOLD);
        let heading = Role::Heading { level: 1, title: m.title.clone() };
        let first = self.within(heading, |b| b.title_lines(&title, geo.size * 1.6, 0.0, center(geo.measure), LineKind::Title, 2));
        for s in &mut self.slabs[first..] {
            s.keep_with_next = true;
        }
        self.text_base += m.title.len();
        if let Some(subtitle) = &m.subtitle {
            let p = Para::plain(subtitle, FontId::SERIF);
            let first = self.within(Role::Paragraph, |b| b.title_lines(&p, geo.size * 1.15, 0.0, center(geo.measure), LineKind::Other, 1));
            for s in &mut self.slabs[first..] {
                s.keep_with_next = true;
            }
            self.text_base += subtitle.len();
        }
        let mut dateline = Vec::new();
        if let Some(d) = m.date {
            dateline.push(chinese_date(&d));
        }
        for hierarchy in &m.categories {
            dateline.push(hierarchy.join(" › "));
        }
        if !dateline.is_empty() {
            let p = Para::plain(&dateline.join("　·　"), FontId::SERIF);
            let first = self.within(Role::Paragraph, |b| b.lines(&p, geo.size * 0.9, 0.0, center(geo.measure), LineKind::Other, 1));
            for s in &mut self.slabs[first..] {
                s.keep_with_next = true;
            }
            self.text_base += p.text.len();
        }
        if let Some(lede) = essay.lede() {
            self.slabs.push(Slab::new(1));
            let inset = 2.0 * geo.size;
            let p = Para::plain(lede, FontId::SERIF);
            let m = Measure::new(geo.measure - 2.0 * inset, Align::Justify);
            self.within(Role::Paragraph, |b| b.lines(&p, geo.size * 0.9, inset, m, LineKind::Other, 1));
            self.text_base += lede.len();
        }
        self.slabs.push(Slab::new(2));
        self.opening_after = Opening::Heading;
    }

    fn blocks(&mut self, blocks: &[Block], f: Column) {
        let mut previous_heading = false;
        for block in blocks {
            self.block(block, f, previous_heading);
            previous_heading = matches!(block, Block::Heading { .. });
        }
    }

    /// Lays out one block; its slabs that start no text of an inner block start at its own start.
    fn block(&mut self, block: &Block, f: Column, after_heading: bool) {
        let own = self.count.enter();
        let first = self.slabs.len();
        self.block_content(block, f, after_heading);
        for s in &mut self.slabs[first..] {
            s.text_start.get_or_insert((own, 0));
        }
        // A page that would end short may open a blank line or two above a heading, and one
        // above or below a figure, code, a formula, a quotation, a section break or a table.
        let figure = || self.slabs[first..].iter().any(|s| s.items.iter().any(|i| matches!(i, Item::Image { .. })));
        let opening = match block {
            Block::Heading { .. } => Opening::Heading,
            Block::Code { .. } | Block::Math(_) | Block::Table(_) | Block::Quote(_) | Block::Rule => Opening::Block,
            Block::Paragraph(_) if figure() => Opening::Block,
            _ => Opening::None,
        };
        let after = std::mem::replace(&mut self.opening_after, if opening == Opening::Block { Opening::Block } else { Opening::None });
        if let Some(s) = self.slabs.get_mut(first) {
            s.room_above = opening.max(after);
        }
    }

    fn block_content(&mut self, block: &Block, f: Column, after_heading: bool) {
        let geo = self.geo;
        match block {
            Block::Paragraph(inlines) => self.paragraph(inlines, f),
            Block::Heading { level, id, content } => {
                // Told apart at a glance, each on whole grid lines: the essay's top level
                // larger and centred on two lines, the next larger on one, the rest bold at
                // the text's size and indented as a paragraph.
                let rank = level.saturating_sub(self.top_heading);
                if !after_heading && rank < 2 {
                    self.slabs.push(Slab::space(1));
                }
                let (scale, align, slots, indent) = match rank {
                    0 => (1.25, Align::Center, 2, 0.0),
                    1 => (1.1, Align::Left, 1, 0.0),
                    _ => (1.0, Align::Left, 1, 2.0 * f.size),
                };
                let p = self.para(content, FontId::BOLD);
                let m = Measure::new(f.width - indent, align);
                let heading = Role::Heading { level: (*level).clamp(1, 6), title: doc::plain_text(content) };
                let first = self.within(heading, |b| b.title_lines(&p, f.size * scale, f.left + indent, m, LineKind::Heading, slots));
                let anchor = self.anchor(Anchor::Id(id));
                self.slabs[first].anchors.push(anchor);
                for s in &mut self.slabs[first..] {
                    s.keep_with_next = true;
                }
            }
            Block::Quote(blocks) => {
                // 引文: inset 2 em on both sides and a size smaller than the text, on the grid.
                let inset = 2.0 * geo.size;
                let size = f.size.min(geo.size * QUOTE_SCALE);
                let inner = Column { left: f.left + inset, width: f.width - 2.0 * inset, size, kind: LineKind::Quote, ..f };
                self.within(Role::Quote, |b| b.blocks(blocks, inner));
            }
            Block::List { start, items } => self.list(*start, items, f),
            Block::Code { lang, text } => self.within(Role::Code, |b| b.code(text, lang, f)),
            Block::Math(formula) if !formula.readable => self.within(Role::Code, |b| b.code(&formula.tex, "", f)),
            Block::Math(formula) => self.within(Role::Formula { alt: formula.tex.clone() }, |b| b.display_formula(formula, f)),
            Block::Table(table) => {
                // A line of space above and below sets the table apart from the text.
                self.slabs.push(Slab::space(1));
                self.within(Role::Table, |b| b.table(table, f));
                let mut after = Slab::space(1);
                after.keep_with_next = false;
                self.slabs.push(after);
            }
            Block::Rule => {
                let mut slab = Slab::new(1);
                let y = geo.pitch / 2.0;
                let w = f.width / 4.0;
                let x0 = f.left + (f.width - w) / 2.0;
                slab.items.push(Item::Rule { x0, y0: y, x1: x0 + w, y1: y, width: 0.5 });
                // A break between sections never ends a page, where it would read as nothing.
                slab.keep_with_next = true;
                self.slabs.push(slab);
            }
        }
    }

    /// A paragraph: its text set in lines, and each image in it (alone, or all a link holds)
    /// drawn as a figure where it stands, the text after it going on below. Images alone in a
    /// paragraph are captioned with their alt text; an image in running text is not, as the
    /// text around it is usually its caption.
    fn paragraph(&mut self, inlines: &[Inline], f: Column) {
        // Verse keeps every line where the poet broke it, none indented.
        let f = Column { indent: f.indent && !doc::is_verse(inlines), ..f };
        let blank = |i: &Inline| matches!(i, Inline::LineBreak) || matches!(i, Inline::Text(t) if t.trim().is_empty());
        let images_only = inlines.iter().all(|i| images_in(i).is_some() || blank(i));
        let mut run: Vec<Inline> = Vec::new();
        let (mut run_start, mut offset) = (0, 0);
        for inline in inlines {
            let len = doc::text_len(inline);
            match images_in(inline) {
                Some(images) => {
                    self.text_run(&std::mem::take(&mut run), run_start, f);
                    for (asset, alt) in images {
                        self.figure(asset, if images_only { alt } else { "" }, offset, f);
                    }
                    run_start = offset + len;
                }
                None => run.push(inline.clone()),
            }
            offset += len;
        }
        self.text_run(&run, run_start, f);
    }

    /// Text of a paragraph between its images, starting at byte `start` of the paragraph's
    /// text; indented when it starts the paragraph. Line breaks at its edges are dropped.
    fn text_run(&mut self, run: &[Inline], start: usize, f: Column) {
        let leading = run.iter().take_while(|i| matches!(i, Inline::LineBreak)).count();
        let trailing = run[leading..].iter().rev().take_while(|i| matches!(i, Inline::LineBreak)).count();
        let run = &run[leading..run.len() - trailing];
        if run.iter().all(|i| matches!(i, Inline::Text(t) if t.trim().is_empty())) {
            return;
        }
        let p = self.para(run, FontId::SERIF);
        let indent = if f.indent && start == 0 { 2.0 * f.size } else { 0.0 };
        let m = Measure::new(f.width, Align::Justify).indented(indent, 0.0).hanging(self.geo.hanging);
        self.text_base = start + leading;
        self.within(Role::Paragraph, |b| b.body_lines(&p, f.size, f.left, m, f.kind));
        self.text_base = 0;
    }

    /// An image as a figure, captioned with `alt` (the caption inside the figure); without alt
    /// text the image is decoration, as in the EPUB. It stands at byte `at` of its paragraph's
    /// text.
    fn figure(&mut self, asset: usize, alt: &str, at: usize, f: Column) {
        let alt = alt.trim();
        let figure = (!alt.is_empty()).then(|| self.open(Role::Figure { alt: alt.to_owned() }));
        self.figure_with_caption(asset, alt, at, f);
        if figure.is_some() {
            self.close();
        }
    }

    fn figure_with_caption(&mut self, asset: usize, alt: &str, at: usize, f: Column) {
        let geo = self.geo;
        let a = &self.book.assets[asset];
        // Pixels at 144 dpi, never wider than the measure nor taller than most of a page.
        let (mut w, mut h) = (a.width as f32 * 0.5, a.height as f32 * 0.5);
        let max_h = (geo.lines.saturating_sub(3)).max(1) as f32 * geo.pitch;
        let scale = (f.width / w).min(max_h / h).min(1.0);
        w *= scale;
        h *= scale;
        let slots = ((h + 0.4 * geo.pitch) / geo.pitch).ceil() as usize;
        let mut slab = Slab::new(slots);
        let y = (slots as f32 * geo.pitch - h) / 2.0;
        let mark = if alt.is_empty() { Mark::Decoration } else { self.mark() };
        slab.items.push(Item::Image { asset, x: f.left + (f.width - w) / 2.0, y, w, h, mark });
        slab.keep_with_next = !alt.is_empty();
        let start = (self.count.current(), at.min(u32::MAX as usize) as u32);
        slab.text_start = Some(start);
        self.slabs.push(slab);
        if !alt.is_empty() {
            let p = Para::plain(alt, FontId::SERIF);
            let m = Measure::new(f.width, Align::Center);
            let first = self.within(Role::Caption, |b| b.lines(&p, f.size * 0.85, f.left, m, LineKind::Other, 1));
            // The caption is the image's alt text, not text of the paragraph: it starts where the image does.
            for s in &mut self.slabs[first..] {
                s.text_start = Some(start);
            }
        }
    }

    /// A display formula, centred on whole grid lines with a third of a line to spare above and
    /// below, its number (if any) at the measure's right end on its baseline. One wider than the
    /// measure (less room for the number) is set smaller to fit. One the layout cannot read
    /// (the Markdown stage has checked it; this is for safety) is set as its TeX.
    fn display_formula(&mut self, formula: &doc::Formula, f: Column) {
        let geo = self.geo;
        let Ok(set) = math::layout(formula, f.size, true, self.fonts) else {
            let p = Para::plain(&formula.tex, FontId::MONO);
            self.lines(&p, f.size * 0.9, f.left, Measure::new(f.width, Align::Center), LineKind::Code, 1);
            return;
        };
        let number = formula.number.as_ref().map(|n| inline::label(n, f.size, self.fonts, geo.punctuation));
        let room = f.width - number.as_ref().map_or(0.0, |n| 2.0 * (n.end + f.size));
        let factor = if set.width > room && set.width > 0.0 { (room / set.width).max(0.5) } else { 1.0 };
        let set = set.scaled(factor);
        let pad = geo.pitch / 3.0;
        let slots = ((set.height() + 2.0 * pad) / geo.pitch).ceil().max(1.0) as usize;
        // One line: on the grid's baseline. Taller: centred in its lines.
        let baseline = if slots == 1 { geo.baseline(1, f.size) } else { (slots as f32 * geo.pitch - set.height()) / 2.0 + set.ascent };
        let x = f.left + (f.width - set.width).max(0.0) / 2.0;
        let mark = self.mark();
        let mut slab = Slab::new(slots);
        slab.items = set.items(x, baseline, mark);
        let mut clusters = set.clusters(x);
        if let Some(mut n) = number {
            let nx = f.left + f.width - n.end;
            n.translate(nx, baseline);
            n.items.iter_mut().for_each(|item| item.set_mark(mark));
            slab.items.extend(n.items);
            clusters.extend(n.clusters);
        }
        // In the layout dump the formula stands on its last grid line, which it fills to.
        let y = (slots - 1) as f32 * geo.pitch + geo.baseline(1, f.size);
        slab.lines.push(Line { kind: LineKind::Other, y, first: true, last: true, adjusted: false, clusters: self.clusters(clusters) });
        self.slabs.push(slab);
    }

    fn list(&mut self, start: Option<u64>, items: &[ListItem], f: Column) {
        let size = f.size;
        let numbered_width = |n: u64| if n >= 10 { 2.5 * size } else { 2.0 * size };
        let last_number = start.map(|s| s + items.len().saturating_sub(1) as u64);
        let indent = last_number.map_or(2.0 * size, numbered_width);
        let inner = Column { left: f.left + indent, width: f.width - indent, indent: false, ..f };
        self.open(Role::List { ordered: start.is_some() });
        for (i, item) in items.iter().enumerate() {
            let first = self.slabs.len();
            if item.blocks.is_empty() {
                // An empty item still takes a line, and is a block of its own.
                let mut line = Slab::new(1);
                line.text_start = Some((self.count.enter(), 0));
                self.slabs.push(line);
            }
            self.open(Role::ListItem);
            let label = self.leaf(Role::Label);
            self.within(Role::ListBody, |b| b.blocks(&item.blocks, inner));
            self.close();
            let Some(slab) = self.slabs.get_mut(first) else { continue };
            // On the first line's baseline (lower than a slot's when a tall formula leads it).
            let baseline = slab.baseline.unwrap_or(self.geo.baseline(1, size));
            let marker_right = inner.left - 0.5 * size;
            let marker = match (item.task, start) {
                (Some(done), _) => {
                    let s = 0.75 * size;
                    vec![Item::Box { x: marker_right - s, y: baseline - 0.72 * size, size: s, ticked: done, mark: label }]
                }
                (None, Some(n)) => {
                    let mut number = inline::label(&format!("{}.", n + i as u64), size, self.fonts, self.geo.punctuation);
                    number.translate(marker_right - number.end, baseline);
                    number.items.iter_mut().for_each(|item| item.set_mark(label));
                    number.items
                }
                (None, None) => vec![Item::Dot { x: marker_right - 0.3 * size, y: baseline - 0.33 * size, r: 0.12 * size }],
            };
            slab.add_to_first_line(marker);
        }
        self.close();
    }

    fn code(&mut self, text: &str, lang: &str, f: Column) {
        let size = f.size * 0.85;
        let pad = 0.5 * f.size;
        let m = Measure::new(f.width - 2.0 * pad, Align::Left).indented(0.0, 2.0 * 0.6 * size);
        let first = self.slabs.len();
        let tokens = highlight::tokens(lang, text, &self.geo.highlight);
        for (i, (base, source_line)) in doc::code_line_starts(text).enumerate() {
            let mut p = Para::default();
            let grid = inline::Style { grid: true, ..inline::Style::plain(FontId::MONO) };
            match tokens.as_ref().and_then(|t| t.get(i)) {
                Some(line) => {
                    for (range, ink) in line {
                        p.push(&source_line[range.clone()].replace('\t', "    "), inline::Style { ink: *ink, ..grid });
                    }
                }
                None => p.push(&source_line.replace('\t', "    "), grid),
            }
            self.text_base = base;
            let from = self.slabs.len();
            // Each source line is an element of its own, so that its end is a line's end.
            self.within(Role::CodeLine, |b| b.lines(&p, size, f.left + pad, m, LineKind::Code, 1));
            // Tabs were widened: a wrapped line's offset goes back into its source line.
            for s in &mut self.slabs[from..] {
                if let Some((_, offset)) = &mut s.text_start {
                    *offset = (base + unwidened(source_line, *offset as usize - base)) as u32;
                }
            }
            // A line wrapped to fit shows a ↳ in its hanging indent (drawn, not text).
            let mark = continuation_mark(size, f.left + pad, self.geo.baseline(1, size));
            for s in self.slabs.iter_mut().skip(from + 1) {
                s.items.extend(mark.clone());
            }
        }
        self.text_base = 0;
        let count = self.slabs.len() - first;
        for (i, slab) in self.slabs[first..].iter_mut().enumerate() {
            slab.keep_with_next = count > 1 && (i == 0 || i + 2 == count);
            slab.items.insert(0, Item::Rect { x: f.left, y: 0.0, w: f.width, h: self.geo.pitch * slab.slots as f32, colour: [242, 242, 242] });
        }
    }

    /// A three-line table (三线表): rules above and below, and under the header; where it goes on
    /// to a new page, that part opens with 续表 and the header again.
    fn table(&mut self, table: &Table, f: Column) {
        let size = f.size * 0.9;
        let gap = size;
        let columns = table.align.len().max(table.head.len()).max(table.rows.iter().map(Vec::len).max().unwrap_or(0));
        if columns == 0 {
            return;
        }
        let rows: Vec<(bool, &Vec<Vec<Inline>>)> = std::iter::once((true, &table.head)).chain(table.rows.iter().map(|r| (false, r))).collect();
        let paras: Vec<Vec<Para>> = rows
            .iter()
            .map(|(head, cells)| {
                (0..columns)
                    .map(|c| self.para(cells.get(c).map_or(&[][..], Vec::as_slice), if *head { FontId::BOLD } else { FontId::SERIF }))
                    .collect()
            })
            .collect();
        let mut shaped: Vec<Vec<Shaped>> = paras.iter().map(|row| row.iter().map(|p| self.shape(p, size)).collect()).collect();
        let mut natural = vec![size; columns];
        for row in &shaped {
            for (c, cell) in row.iter().enumerate() {
                natural[c] = natural[c].max(cell.natural_width());
            }
        }
        let room = f.width - gap * (columns - 1) as f32;
        let total: f32 = natural.iter().sum();
        let widths: Vec<f32> = if total <= room {
            natural.clone()
        } else {
            // Share the room in proportion, but give narrow columns what they need.
            let fair = room / columns as f32;
            let narrow: f32 = natural.iter().filter(|&&w| w <= fair).sum();
            let wide: f32 = natural.iter().filter(|&&w| w > fair).sum();
            natural.iter().map(|&w| if w <= fair { w } else { (room - narrow) * w / wide }).collect()
        };
        let used: f32 = widths.iter().sum::<f32>() + gap * (columns - 1) as f32;
        let left = f.left + ((f.width - used) / 2.0).max(0.0);
        let count = rows.len();
        let mut part: Option<Arc<TablePart>> = None;
        for (r, row) in shaped.iter_mut().enumerate() {
            self.open(Role::Row);
            let mut cell_lines = Vec::new();
            let mut x = left;
            for (c, cell) in row.iter_mut().enumerate() {
                let align = match table.align.get(c) {
                    Some(doc::Align::Center) => Align::Center,
                    Some(doc::Align::Right) => Align::Right,
                    _ => Align::Left,
                };
                // The cell's formulas and links are tagged in it.
                let node = self.open(if r == 0 { Role::HeaderCell } else { Role::Cell });
                self.mark_inlines(&paras[r][c], cell);
                self.close();
                let mark = self.mark_of(node);
                cell_lines.push((x, mark, cell.lines(Measure::new(widths[c], align))));
                x += widths[c] + gap;
            }
            self.close();
            let slots = cell_lines.iter().map(|(_, _, l)| l.len()).max().unwrap_or(1).max(1);
            let mut slab = Slab::new(slots);
            for (x, mark, lines) in cell_lines {
                for (i, mut line) in lines.into_iter().enumerate() {
                    let baseline = self.geo.baseline(1, size) + i as f32 * self.geo.pitch;
                    line.translate(x, baseline);
                    line.items.iter_mut().for_each(|item| item.claim(mark));
                    slab.items.extend(line.items);
                    slab.lines.push(Line { kind: LineKind::Table, y: baseline, first: true, last: true, adjusted: false, clusters: self.clusters(line.clusters) });
                }
            }
            let h = slots as f32 * self.geo.pitch;
            let rule = |y: f32, width: f32| Item::Rule { x0: left, y0: y, x1: left + used, y1: y, width };
            if r == 0 {
                slab.items.push(rule(0.0, 0.8));
                slab.items.push(rule(h, 0.4));
                slab.keep_with_next = true;
            }
            if r + 1 == count {
                slab.items.push(rule(h, 0.8));
            }
            slab.text_start = Some((self.count.current(), doc::table_row(r)));
            slab.callers = paras[r].iter().flat_map(|p| p.notes.iter().map(|&(_, n)| n)).collect();
            if r == 0 {
                let label = inline::label(&crate::convert::words(self.fonts.locale(), CONTINUED_TABLE), size, self.fonts, self.geo.punctuation);
                let x = left + used - label.end;
                let continued = self.line_slab(label, size, x, LineKind::Other, 1, true);
                part = Some(Arc::new(TablePart { continued, head: slab.copy(), rule: (left, left + used) }));
            } else {
                slab.table = part.clone();
            }
            self.slabs.push(slab);
        }
    }

    /// The essay's notes: each at the foot of the page that calls it (`[pdf] notes = "foot"`:
    /// the callers' lines carry them to pagination), or all at its end after a short rule.
    fn notes(&mut self, essay: &Essay, f: Column) {
        if essay.footnotes.is_empty() {
            return;
        }
        let size = f.size * 0.9;
        let indent = 2.0 * size;
        let inner = Column { left: f.left + indent, width: f.width - indent, size, indent: false, kind: LineKind::Note };
        if self.geo.notes == Notes::Foot {
            let bodies: Vec<Arc<NoteBody>> = (1..=essay.footnotes.len())
                .map(|n| {
                    let first = self.slabs.len();
                    self.note(n, &essay.footnotes[n - 1].blocks, f.left, inner);
                    Arc::new(NoteBody { id: (self.part, n), slabs: self.slabs.split_off(first) })
                })
                .collect();
            let attach = |slab: &mut Slab| {
                slab.notes = slab.callers.iter().filter_map(|&n| bodies.get(n.wrapping_sub(1)).cloned()).collect();
            };
            for slab in &mut self.slabs {
                attach(slab);
                for variant in slab.paragraph.iter_mut().flat_map(|p| p.variants.iter_mut()) {
                    variant.slabs.iter_mut().for_each(attach);
                }
            }
            return;
        }
        self.slabs.push(Slab::space(1));
        let mut rule = Slab::new(1);
        let y = self.geo.pitch / 2.0;
        rule.items.push(Item::Rule { x0: f.left, y0: y, x1: f.left + f.width / 4.0, y1: y, width: 0.5 });
        rule.keep_with_next = true;
        self.slabs.push(rule);
        for (i, note) in essay.footnotes.iter().enumerate() {
            self.note(i + 1, &note.blocks, f.left, inner);
        }
    }

    /// Note `n`: its blocks in `inner`, its number (`①`) at `left` beside its first line.
    fn note(&mut self, n: usize, blocks: &[Block], left: f32, inner: Column) {
        let first = self.slabs.len();
        self.open(Role::Note);
        let label = self.leaf(Role::Label);
        self.blocks(blocks, inner);
        self.close();
        if self.slabs.len() == first {
            self.slabs.push(Slab::new(1));
        }
        let mut number = inline::label(&doc::note_number(n), inner.size, self.fonts, self.geo.punctuation);
        number.translate(left, self.geo.baseline(1, inner.size));
        for item in &mut number.items {
            item.set_mark(label);
            if let Item::Text(run) = item {
                run.note = NoteRun::Label;
            }
        }
        let anchor = self.anchor(Anchor::Note(n));
        let slab = &mut self.slabs[first];
        slab.anchors.push(anchor);
        // Before the note's text, as it is read.
        slab.items.splice(0..0, number.items);
        if let Some(line) = slab.lines.first_mut() {
            line.clusters.splice(0..0, number.clusters);
        }
    }
}

/// The images an inline is, if it is an image or a link holding nothing but images (a badge,
/// a picture linking to its full size).
/// The mark a wrapped line of code shows where it goes on: ↳ drawn in lines (a decoration, so
/// no text is copied with it), in the hanging indent at `x`, on `baseline`.
fn continuation_mark(size: f32, x: f32, baseline: f32) -> Vec<Item> {
    let (top, mid, w, t) = (baseline - 0.65 * size, baseline - 0.25 * size, 0.75 * size, 0.06 * size);
    let x0 = x + 0.15 * size;
    let rule = |x0, y0, x1, y1| Item::Rule { x0, y0, x1, y1, width: t };
    vec![
        rule(x0, top, x0, mid),
        rule(x0, mid, x0 + w, mid),
        rule(x0 + w - 0.2 * size, mid - 0.15 * size, x0 + w, mid),
        rule(x0 + w - 0.2 * size, mid + 0.15 * size, x0 + w, mid),
    ]
}

fn images_in(inline: &Inline) -> Option<Vec<(usize, &str)>> {
    match inline {
        Inline::Image { asset, alt } => Some(vec![(*asset, alt.as_str())]),
        Inline::Link { content, .. } => {
            let images: Vec<(usize, &str)> = content.iter().filter_map(|i| images_in(i)).flatten().collect();
            let only = content.iter().all(|i| matches!(i, Inline::Image { .. }) || matches!(i, Inline::Text(t) if t.trim().is_empty()));
            (only && !images.is_empty()).then_some(images)
        }
        _ => None,
    }
}

/// The byte offset in `line` of what is at `widened` bytes into it once each tab is four spaces.
fn unwidened(line: &str, widened: usize) -> usize {
    let mut at = 0;
    for (i, c) in line.char_indices() {
        if at >= widened {
            return i;
        }
        at += if c == '\t' { 4 } else { c.len_utf8() };
    }
    line.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::PdfConfig;

    #[test]
    fn plain_text_of_a_paragraph_survives_layout() {
        let geo = Geometry::new(&PdfConfig::default());
        let fonts = FontSet::bundled();
        let book = super::super::tests::seeds_book();
        let LaidOut { slabs, missing, .. } = essay(&geo, &fonts, book, 0);
        assert!(missing.is_empty());
        let text: String = slabs.iter().flat_map(|s| s.lines.iter().map(Line::text)).collect();
        let expected = doc::plain_text(match &book.essays[0].blocks[0] {
            Block::Paragraph(i) => i,
            _ => unreachable!(),
        });
        assert!(text.contains(&expected), "{text}");
    }
}
