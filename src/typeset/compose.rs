//! The whole book: title page, table of contents, essays, running heads and folios.
//! Front matter is numbered in Roman numerals and the essays from 1, so the TOC can be laid
//! out after the essays without changing their page numbers.

use std::collections::HashMap;

use rayon::prelude::*;

use super::blocks::{self, Blocks};
use super::cover;
use crate::font::{FontId, FontSet};
use super::frame::{Folio, Item, Layout, LineKind, LinkTo, Mark, Node, NoteRun, OutlineEntry, Page, PageOrder, Role, Structure, Summary};
use super::inline::{self, Align, Measure, Para};
use super::page::{Break, Draft, Geometry, Paginator, Slab};
use crate::book::{Book, Section};
use crate::doc::{self, PageStart};
use crate::index::INDEX_TITLE;
use crate::config::PdfConfig;
use crate::diag::Diagnostic;

/// Lays out the book. Characters that no font has are reported as warnings.
pub fn typeset(book: &Book, config: &PdfConfig, fonts: &FontSet) -> (Layout, Vec<Diagnostic>) {
    typeset_with(book, config, fonts, true)
}

/// `typeset`; without `clusters`, the essays' lines keep their kind and place but not their
/// clusters, which only the layout dump reads.
pub fn typeset_with(book: &Book, config: &PdfConfig, fonts: &FontSet, clusters: bool) -> (Layout, Vec<Diagnostic>) {
    let mut pages = Vec::new();
    let (summary, diags) = typeset_into(book, config, fonts, clusters, &mut |page| pages.push(page));
    summary.order.to_book(&mut pages);
    (Layout { pages, summary }, diags)
}

/// Essays laid out at a time, on every core, while the batch before is paginated.
const BATCH: usize = 32;

/// Lays out the book and hands each page to `sink` as soon as it is finished: first the
/// body's pages in order (the essays, then the tag index), then the cover and the front
/// matter, which are made last because the table of contents needs the essays' page numbers.
/// `Summary::order` says how that order and the book's meet.
pub fn typeset_into(book: &Book, config: &PdfConfig, fonts: &FontSet, clusters: bool, sink: &mut dyn FnMut(Page)) -> (Summary, Vec<Diagnostic>) {
    let geo = Geometry::new(config);
    let mut diags = Vec::new();
    // The structure's parts: each essay (numbered as in the book), the index, the front
    // matter, the cover.
    let n = book.essays.len() as u32;
    let (index_part, front_part, cover_part) = (n, n + 1, n + 2);
    let body = body(book, &geo, fonts, clusters, sink, &mut diags);
    let mut parts = body.parts;
    let (front_pages, front_nodes) = front_matter(book, &geo, fonts, &body.anchors, &mut diags);
    parts.push(front_nodes);
    let mut order = Vec::with_capacity(parts.len() + 1);
    let mut lead = 0;
    if config.cover {
        parts.push(vec![cover_node(book)]);
        order.push(cover_part);
        lead = cover_pages(book, &geo, fonts, cover_part, sink);
    }
    let mut front_pages = front_pages;
    let (_, front_drafts) = front_pages.take_all();
    let offset = lead + front_drafts.len();
    for (i, draft) in front_drafts.into_iter().enumerate() {
        let folio = Folio::Roman(i as u32 + 1);
        let printed = i > 0 && !draft.blank;
        sink(finish_page(&geo, fonts, draft, lead + i, folio, printed, None));
    }
    order.push(front_part);
    order.extend(0..n);
    order.push(index_part);
    let structure = Structure { parts, order };
    let summary = Summary { page_box: geo.page_box(), order: PageOrder { front: offset }, outline: outline(book), page_starts: body.page_starts, structure };
    (summary, diags)
}

/// The body laid out: where each anchor landed, where each page's text starts, and the
/// structure of each essay and of the index.
struct Body {
    anchors: HashMap<String, (usize, f32)>,
    page_starts: Vec<PageStart>,
    parts: Vec<Vec<Node>>,
}

/// Lays out the essays, a batch at a time, and the tag index after them, handing each page
/// to `sink` when it is finished.
fn body(book: &Book, geo: &Geometry, fonts: &FontSet, clusters: bool, sink: &mut dyn FnMut(Page), diags: &mut Vec<Diagnostic>) -> Body {
    let essay_geo = Geometry { keep_clusters: clusters, ..geo.clone() };
    let mut paginator = Paginator::new(geo);
    let mut finisher = BodyPages { geo, fonts, book, book_head: fit_head(&book.meta.title, geo, fonts), essay_heads: HashMap::new(), page_starts: Vec::new() };
    let count = book.essays.len();
    let mut parts: Vec<Vec<Node>> = Vec::with_capacity(count + 3);
    let lay_out = |range: std::ops::Range<usize>| -> Vec<blocks::LaidOut> { range.into_par_iter().map(|i| blocks::essay(&essay_geo, fonts, book, i)).collect() };
    let batches = (0..count).step_by(BATCH).map(|from| from..(from + BATCH).min(count));
    let mut laid: Vec<blocks::LaidOut> = Vec::new();
    // Pages finished and not yet handed on.
    let mut ready: Vec<Page> = Vec::new();
    for batch in batches.map(Some).chain([None]) {
        // In the pool, the next batch is laid out while the last one is paginated and its
        // pages finished. Meanwhile this thread hands on the pages finished before: `sink` may
        // block (a full page channel), so it runs here and never on a thread of the pool,
        // which only computes (README, "Threads").
        let mut made = None;
        rayon::in_place_scope(|scope| {
            scope.spawn(|_| {
                made = Some(rayon::join(
                    || batch.map(lay_out).unwrap_or_default(),
                    || {
                        for essay in laid.drain(..) {
                            diags.extend(missing_glyphs(book, parts.len(), &essay.missing, geo.system_fonts));
                            paginator.place(essay.slabs);
                            parts.push(essay.nodes);
                        }
                        let (first, drafts) = paginator.take_done();
                        finisher.finish(first, drafts)
                    },
                ));
            });
            for page in ready.drain(..) {
                sink(page);
            }
        });
        (laid, ready) = made.expect("the batch is laid out when its scope ends");
    }
    let mut back = Blocks::new(geo, fonts, book, INDEX_ANCHOR, count as u32);
    if !book.tag_index.is_empty() {
        tag_index(&mut back, book, &paginator.anchors);
        paginator.place(std::mem::take(&mut back.slabs));
        diags.extend(missing_in("the tag index", &back.missing));
    }
    parts.push(back.nodes);
    let (first, drafts) = paginator.take_all();
    for page in ready.into_iter().chain(finisher.finish(first, drafts)) {
        sink(page);
    }
    Body { anchors: paginator.anchors, page_starts: finisher.page_starts, parts }
}

/// The title page and the table of contents (each filling an even number of pages in
/// print), not yet finished, and their structure.
fn front_matter<'g>(book: &Book, geo: &'g Geometry, fonts: &FontSet, anchors: &HashMap<String, (usize, f32)>, diags: &mut Vec<Diagnostic>) -> (Paginator<'g>, Vec<Node>) {
    let front_part = book.essays.len() as u32 + 1;
    let mut front = Blocks::new(geo, fonts, book, "front", front_part);
    let mut pages = Paginator::new(geo);
    title_page(&mut front, book);
    pages.place(std::mem::take(&mut front.slabs));
    if geo.print {
        pages.pad_to_even();
    }
    toc(&mut front, book, anchors);
    pages.place(std::mem::take(&mut front.slabs));
    if geo.print {
        pages.pad_to_even();
    }
    diags.extend(missing_in("the book's title or table of contents", &front.missing));
    (pages, front.nodes)
}

/// The cover's node in the structure: a figure whose alternative text names the book.
fn cover_node(book: &Book) -> Node {
    let alt = match &book.meta.subtitle {
        Some(subtitle) => format!("{}{}——{subtitle}", book.meta.say("封面："), book.meta.title),
        None => format!("{}{}", book.meta.say("封面："), book.meta.title),
    };
    Node { role: Role::Figure { alt }, parent: None }
}

/// Hands on the cover, with a blank verso behind it in print so that rectos stay odd;
/// returns how many pages that is.
fn cover_pages(book: &Book, geo: &Geometry, fonts: &FontSet, part: u32, sink: &mut dyn FnMut(Page)) -> usize {
    let mut cover = cover::cover_page(book, geo, fonts);
    let mark = Mark::Content { part, node: 0 };
    cover.items.iter_mut().for_each(|item| item.set_mark(mark));
    sink(cover);
    if geo.print {
        sink(Page { folio: Some(Folio::Cover), ..Page::default() });
        return 2;
    }
    1
}

/// Bookmarks: each essay with its sections, then the tag index.
fn outline(book: &Book) -> Vec<OutlineEntry> {
    let mut outline: Vec<OutlineEntry> = book
        .essays
        .iter()
        .map(|e| OutlineEntry { title: e.meta.title.clone(), anchor: e.id.clone(), children: outline_sections(&e.id, &e.sections) })
        .collect();
    if !book.tag_index.is_empty() {
        outline.push(OutlineEntry { title: book.meta.say(INDEX_TITLE), anchor: INDEX_ANCHOR.into(), children: Vec::new() });
    }
    outline
}

/// Finishes the body's pages (margins, running heads, folios) and notes where each starts.
struct BodyPages<'a> {
    geo: &'a Geometry,
    fonts: &'a FontSet,
    book: &'a Book,
    /// The book's title as the versos' running head; each essay's title, shortened to one
    /// line, as its rectos'.
    book_head: String,
    essay_heads: HashMap<usize, String>,
    page_starts: Vec<PageStart>,
}

impl BodyPages<'_> {
    /// Finishes `drafts`, the body's pages from index `first`. In print,
    /// where margins alternate, the cover and the front matter fill an even number of pages,
    /// so a body page's index has its place's parity.
    fn finish(&mut self, first: usize, drafts: Vec<Draft>) -> Vec<Page> {
        let mut jobs = Vec::with_capacity(drafts.len());
        for (i, draft) in drafts.into_iter().enumerate() {
            let n = (first + i) as u32 + 1;
            if let (Some((essay, block, offset)), false) = (draft.start, draft.blank) {
                self.page_starts.push(PageStart { number: n, essay, block, offset });
            }
            let head = if draft.opener || draft.blank {
                None
            } else if n.is_multiple_of(2) {
                Some(self.book_head.clone())
            } else {
                let (geo, fonts, book) = (self.geo, self.fonts, self.book);
                draft.essay.map(|e| self.essay_heads.entry(e).or_insert_with(|| fit_head(&part_title(book, e), geo, fonts)).clone())
            };
            jobs.push((first + i, draft, head));
        }
        // Each page depends only on its place, so they are finished in parallel.
        let (geo, fonts) = (self.geo, self.fonts);
        jobs.into_par_iter()
            .map(|(index, draft, head)| {
                let printed = !draft.blank;
                finish_page(geo, fonts, draft, index, Folio::Arabic(index as u32 + 1), printed, head)
            })
            .collect()
    }
}

/// `title` as a running head: whole if it fits the measure in the head's size, else cut and
/// ended with an ellipsis (the longest such that fits).
fn fit_head(title: &str, geo: &Geometry, fonts: &FontSet) -> String {
    let fits = |text: &str| {
        let p = Para::plain(text, FontId::SERIF);
        inline::shape(&p, geo.size * HEAD_SCALE, fonts, geo.punctuation).natural_width() <= geo.measure
    };
    if fits(title) {
        return title.to_owned();
    }
    let chars: Vec<char> = title.chars().collect();
    let cut = |n: usize| format!("{}……", chars[..n].iter().collect::<String>().trim_end_matches(['，', '：', '、', ' ']));
    // The longest prefix that fits with the ellipsis: fitting is monotone in the length.
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(&cut(mid)) { lo = mid } else { hi = mid - 1 }
    }
    cut(lo)
}

/// The tag index's title and anchor. In the body's pages it counts as part number
/// `book.essays.len()`, after the essays.
const INDEX_ANCHOR: &str = "index";

/// The title of part `e` of the body: an essay, or the tag index after them.
fn part_title(book: &Book, e: usize) -> std::borrow::Cow<'_, str> {
    book.essays.get(e).map_or_else(|| book.meta.say(INDEX_TITLE).into(), |essay| essay.meta.title.as_str().into())
}

/// 标签索引: each group's heading, each tag, and under it the essays that carry it with
/// their page numbers. Every line is a numbered block, so the EPUB can mark its pages.
fn tag_index(b: &mut Blocks, book: &Book, anchors: &HashMap<String, (usize, f32)>) {
    let geo = b.geo;
    let mut sinkage = Slab::new(2);
    sinkage.brk = Break::Recto;
    sinkage.opens_essay = Some(book.essays.len());
    sinkage.anchors.push(INDEX_ANCHOR.into());
    b.slabs.push(sinkage);
    let center = Measure::new(geo.measure, Align::Center);
    b.open(Role::Index);
    let title = Role::Heading { level: 1, title: book.meta.say(INDEX_TITLE) };
    b.within(title, |b| b.lines(&Para::plain(&book.meta.say(INDEX_TITLE), FontId::BOLD), geo.size * 1.4, 0.0, center, LineKind::Title, 2));
    let left = Measure::new(geo.measure, Align::Left);
    // Headings are set here, in order; the entries (thousands in a long book) are set in
    // parallel, each in a branch, and joined in order.
    let mut sequence: Vec<(Vec<Slab>, IndexEntry)> = Vec::new();
    for group in &book.tag_index {
        b.enter_block();
        b.slabs.push(Slab::space(1));
        let heading = Role::Heading { level: 2, title: group.heading.clone() };
        let first = b.within(heading, |b| b.lines(&Para::plain(&group.heading, FontId::BOLD), geo.size * 1.15, 0.0, left, LineKind::Heading, 1));
        b.slabs[first..].iter_mut().for_each(|s| s.keep_with_next = true);
        for tag in &group.tags {
            b.enter_block();
            let heading = Role::Heading { level: 3, title: tag.name.clone() };
            let first = b.within(heading, |b| b.lines(&Para::plain(&tag.name, FontId::BOLD), geo.size, geo.size, left, LineKind::Toc, 1));
            b.slabs[first..].iter_mut().for_each(|s| s.keep_with_next = true);
            for &e in &tag.essays {
                b.enter_block();
                let essay = &book.essays[e];
                let Some(&(page, _)) = anchors.get(&essay.id) else { continue };
                // A paragraph holding a link to the essay.
                b.open(Role::Paragraph);
                let link = b.branch(Role::Link { alt: essay.meta.title.clone() });
                b.close();
                let entry = (link, essay.meta.title.as_str(), page + 1, essay.id.as_str());
                sequence.push((std::mem::take(&mut b.slabs), entry));
            }
        }
    }
    b.close();
    sequence.par_iter_mut().for_each(|(_, (branch, title, page, anchor))| toc_entry(branch, title, *page, 1, anchor));
    let rest = std::mem::take(&mut b.slabs);
    for (slabs, (branch, ..)) in sequence {
        b.slabs.extend(slabs);
        b.join(branch);
    }
    b.slabs.extend(rest);
}

/// An entry of the tag index to set: its branch, the essay's title, page and anchor.
type IndexEntry<'a> = (Blocks<'a>, &'a str, usize, &'a str);

/// Running heads and folios are set smaller than the text.
const HEAD_SCALE: f32 = 0.8;

fn outline_sections(essay: &str, sections: &[Section]) -> Vec<OutlineEntry> {
    sections
        .iter()
        .map(|s| OutlineEntry { title: s.title.clone(), anchor: format!("{essay}#{}", s.id), children: outline_sections(essay, &s.children) })
        .collect()
}

/// Moves the page's content to its left margin and adds its running head and folio.
fn finish_page(geo: &Geometry, fonts: &FontSet, draft: Draft, physical: usize, folio: Folio, printed: bool, head: Option<String>) -> Page {
    let left = geo.left(physical);
    let mut page = draft.page;
    for item in &mut page.items {
        item.translate(left, 0.0);
    }
    for line in &mut page.lines {
        line.translate(left, 0.0);
    }
    let small = geo.size * HEAD_SCALE;
    let mut add_line = |text: &str, y: f32, kind: LineKind| {
        let p = Para::plain(text, FontId::SERIF);
        let shaped = inline::shape(&p, small, fonts, geo.punctuation);
        if let Some(mut line) = shaped.lines(Measure::new(geo.measure, Align::Center)).into_iter().next() {
            line.translate(left, y);
            let mark = if kind == LineKind::Head { Mark::Head } else { Mark::Folio };
            line.items.iter_mut().for_each(|item| item.set_mark(mark));
            page.items.extend(line.items);
            page.lines.push(super::frame::Line { kind, y, first: true, last: true, adjusted: false, clusters: line.clusters });
        }
    };
    if let Some(head) = head {
        add_line(&head, geo.top - 1.2 * geo.pitch, LineKind::Head);
    }
    if printed {
        let text = match folio {
            Folio::Roman(n) => super::frame::roman(n),
            Folio::Arabic(n) => n.to_string(),
            Folio::Cover => String::new(),
        };
        add_line(&text, geo.bottom() + 1.6 * geo.pitch, LineKind::Folio);
    }
    page.folio = Some(folio);
    if geo.notes_by_page {
        renumber_notes(&mut page, fonts);
    }
    page
}

/// Numbers the notes on `page` from ①, in the order their callers are read: each caller and
/// the number beside its note take the page's number for it (the same width and bytes, so the
/// text's offsets hold).
fn renumber_notes(page: &mut Page, fonts: &FontSet) {
    let mut callers: Vec<(f32, f32, usize)> = Vec::new();
    for item in &page.items {
        if let Item::Text(run) = item
            && run.note == NoteRun::Caller
            && let Some(n) = doc::note_index(&run.text)
        {
            callers.push((run.y, run.x, n));
        }
    }
    callers.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut numbers: HashMap<usize, usize> = HashMap::new();
    for (_, _, n) in callers {
        let next = numbers.len() + 1;
        numbers.entry(n).or_insert(next);
    }
    let mut renamed: Vec<(f32, f32, String)> = Vec::new();
    for item in &mut page.items {
        let Item::Text(run) = item else { continue };
        let Some(n) = (run.note != NoteRun::None).then(|| doc::note_index(&run.text)).flatten() else { continue };
        let next = numbers.len() + 1;
        let k = *numbers.entry(n).or_insert(next);
        let text = doc::note_number(k);
        let Some(id) = text.chars().next().and_then(|c| fonts.get(run.font).glyph(c)) else { continue };
        if run.glyphs.len() == 1 && text.len() == run.text.len() {
            run.glyphs[0].id = id;
            run.text = text.clone();
            renamed.push((run.x, run.y, text));
        }
    }
    // The dump's clusters: a caller's run is raised above its line's baseline.
    for line in &mut page.lines {
        let y = line.y;
        for cluster in &mut line.clusters {
            let run = renamed.iter().find(|(x, run_y, _)| (x - cluster.x).abs() < 0.01 && (-0.01..6.0).contains(&(y - run_y)));
            if let Some((_, _, text)) = run
                && doc::note_index(&cluster.text).is_some()
            {
                cluster.text = text.as_str().into();
            }
        }
    }
}

fn title_page(b: &mut Blocks, book: &Book) {
    let geo = b.geo;
    let center = Measure::new(geo.measure, Align::Center);
    let mut sinkage = Slab::new(geo.lines / 4);
    sinkage.brk = Break::Page;
    b.slabs.push(sinkage);
    let m = &book.meta;
    let title = Role::Heading { level: 1, title: m.title.clone() };
    b.within(title, |b| b.lines(&Para::plain(&m.title, FontId::BOLD), geo.size * 2.0, 0.0, center, LineKind::Title, 3));
    if let Some(subtitle) = &m.subtitle {
        b.within(Role::Paragraph, |b| b.lines(&Para::plain(subtitle, FontId::SERIF), geo.size * 1.2, 0.0, center, LineKind::Title, 2));
    }
    b.slabs.push(Slab::new(geo.lines / 6));
    if !m.authors.is_empty() {
        b.within(Role::Paragraph, |b| b.lines(&Para::plain(&m.authors.join("　"), FontId::SERIF), geo.size * 1.1, 0.0, center, LineKind::Other, 1));
    }
    if let Some(publisher) = &m.publisher {
        b.slabs.push(Slab::new(2));
        b.within(Role::Paragraph, |b| b.lines(&Para::plain(publisher, FontId::SERIF), geo.size * 0.9, 0.0, center, LineKind::Other, 1));
    }
}

/// 目录: every essay and its top-level sections, with dot leaders and page numbers.
fn toc(b: &mut Blocks, book: &Book, anchors: &HashMap<String, (usize, f32)>) {
    let geo = b.geo;
    let mut sinkage = Slab::new(2);
    sinkage.brk = Break::Page;
    sinkage.anchors.push("toc".into());
    b.slabs.push(sinkage);
    let center = Measure::new(geo.measure, Align::Center);
    let title = Role::Heading { level: 1, title: book.meta.say("目录") };
    b.within(title, |b| b.lines(&Para::plain(&book.meta.say("目　录"), FontId::BOLD), geo.size * 1.4, 0.0, center, LineKind::Title, 2));
    b.slabs.push(Slab::new(1));
    let mut entries: Vec<(&str, usize, usize, String)> = Vec::new();
    for essay in &book.essays {
        let Some(&(page, _)) = anchors.get(&essay.id) else { continue };
        entries.push((&essay.meta.title, page + 1, 0, essay.id.clone()));
        for s in &essay.sections {
            let anchor = format!("{}#{}", essay.id, s.id);
            if let Some(&(page, _)) = anchors.get(&anchor) {
                entries.push((&s.title, page + 1, 1, anchor));
            }
        }
    }
    let index_title = book.meta.say(INDEX_TITLE);
    if let Some(&(page, _)) = anchors.get(INDEX_ANCHOR) {
        entries.push((&index_title, page + 1, 0, INDEX_ANCHOR.into()));
    }
    // Entries are set in parallel (a thousand essays have thousands), then joined in order;
    // their structure nodes are made first, in order.
    b.open(Role::Toc);
    // Each entry is a link, in an item of the contents.
    let mut branches: Vec<Blocks> = entries
        .iter()
        .map(|(title, ..)| {
            b.open(Role::TocItem);
            let link = b.branch(Role::Link { alt: title.to_string() });
            b.close();
            link
        })
        .collect();
    b.close();
    branches.par_iter_mut().zip(&entries).for_each(|(entry, (title, page, level, anchor))| toc_entry(entry, title, *page, *level, anchor));
    for entry in branches {
        b.join(entry);
    }
}

/// An entry of the contents, set into its link's node: the title, a leader and the page number.
fn toc_entry(b: &mut Blocks, title: &str, number: usize, level: usize, anchor: &str) {
    let geo = b.geo;
    let size = if level == 0 { geo.size } else { geo.size * 0.9 };
    let indent = level as f32 * 2.0 * geo.size;
    let number_room = 2.5 * geo.size;
    let m = Measure::new(geo.measure - indent - number_room - geo.size, Align::Left).indented(0.0, geo.size);
    let first = b.lines(&Para::plain(title, FontId::SERIF), size, indent, m, LineKind::Toc, 1);
    let count = b.slabs.len() - first;
    let mut number = inline::label(&number.to_string(), size, b.fonts, geo.punctuation);
    let baseline = geo.baseline(1, size);
    let mark = b.mark();
    number.items.iter_mut().for_each(|item| item.set_mark(mark));
    for (i, slab) in b.slabs[first..].iter_mut().enumerate() {
        slab.keep_with_next = i + 1 < count;
        slab.items.push(Item::Link { x: indent, y: 0.0, w: geo.measure - indent, h: geo.pitch, to: LinkTo::Anchor(anchor.into()), alt: title.into(), mark });
    }
    let last = b.slabs.last_mut().expect("a TOC line");
    let text_end = last.lines.last().and_then(|l| l.clusters.last()).map_or(indent, |c| c.x + c.width);
    let number_x = geo.measure - number.end;
    let step = 0.5 * geo.size;
    let x0 = ((text_end + 0.6 * geo.size) / step).ceil() * step;
    let x1 = number_x - 0.6 * geo.size;
    if x0 <= x1 {
        last.items.push(Item::Leader { x0, x1, y: baseline - 0.3 * size, r: 0.05 * geo.size, step });
    }
    number.translate(number_x, baseline);
    last.items.extend(number.items);
    if let Some(l) = last.lines.last_mut() {
        l.clusters.extend(number.clusters);
    }
}

/// A warning for characters that no font has in a part without a source file.
fn missing_in(place: &str, missing: &[char]) -> Option<Diagnostic> {
    if missing.is_empty() {
        return None;
    }
    let chars: String = missing.iter().collect();
    Some(
        Diagnostic::warning(format!("no font has {chars} in {place}; shown as blank boxes"))
            .with_hint("add a font that has them under `fallback-fonts` in the [pdf] section of book.toml"),
    )
}

/// How many characters no font has get a warning each; the rest of an essay's share one.
const MISSING_SHOWN: usize = 10;

/// Warnings for characters that no font has, in the order the essay first uses them: the
/// first few each pointing at that use, the rest in one warning that lists some of them (an
/// essay of rare characters must not give a warning, and a copy of its line, per character).
fn missing_glyphs(book: &Book, essay: usize, missing: &[char], searched_installed: bool) -> Vec<Diagnostic> {
    if missing.is_empty() {
        return Vec::new();
    }
    let (path, source) = (&book.essays[essay].path, &book.essays[essay].source);
    // Where each is first used: one pass over the source.
    let mut first: std::collections::HashMap<char, Option<usize>> = missing.iter().map(|&c| (c, None)).collect();
    let mut unseen = first.len();
    for (at, c) in source.char_indices() {
        if let Some(slot @ None) = first.get_mut(&c) {
            *slot = Some(at);
            unseen -= 1;
            if unseen == 0 {
                break;
            }
        }
    }
    let mut chars: Vec<(usize, char)> = first.into_iter().map(|(c, at)| (at.unwrap_or(usize::MAX), c)).collect();
    chars.sort_unstable();
    let located = |d: Diagnostic, at: usize| if at < source.len() { d.at_offset(source, at) } else { d };
    let mut out: Vec<Diagnostic> = chars
        .iter()
        .take(MISSING_SHOWN)
        .map(|&(at, c)| {
            let private = matches!(c as u32, 0xE000..=0xF8FF | 0xF0000..);
            let hint = if private {
                "a private-use character shows only in the font made for it: name that font under `fallback-fonts` in the [pdf] section of book.toml"
            } else {
                "install a font that has it (wenji looks through the installed fonts unless `system-fonts = false`), or name one under `fallback-fonts` in the [pdf] section of book.toml"
            };
            let whose = if searched_installed && !private { ", of the book's or of those installed on this machine" } else { "" };
            let d = Diagnostic::warning(format!("no font has `{c}` (U+{:04X}){whose}; the PDF shows a blank box for it", c as u32)).in_file(path).with_hint(hint);
            located(d, at)
        })
        .collect();
    if let Some(&(at, _)) = chars.get(MISSING_SHOWN) {
        let rest = &chars[MISSING_SHOWN..];
        let listed: String = rest.iter().take(20).map(|&(_, c)| c).collect();
        let more = if rest.len() > 20 { " …" } else { "" };
        let d = Diagnostic::warning(format!("no font has {} more characters ({listed}{more}); the PDF shows blank boxes for them", rest.len()))
            .in_file(path)
            .with_hint("add a font that has them under `fallback-fonts` in the [pdf] section of book.toml; this points at the first");
        out.push(located(d, at));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_handed_on_body_first_and_the_front_matter_last() {
        let book = crate::typeset::tests::seeds_book();
        let fonts = FontSet::bundled();
        let mut made = Vec::new();
        let (summary, _) = typeset_into(book, &PdfConfig::default(), &fonts, false, &mut |page| made.push(page));
        let body = made.len() - summary.order.front;
        let folios: Vec<Folio> = made.iter().map(|p| p.folio.expect("every page has a folio")).collect();
        assert_eq!(folios[..body], (1..=body as u32).map(Folio::Arabic).collect::<Vec<_>>());
        assert_eq!(folios[body], Folio::Cover);
        assert!(matches!(folios[body + 1..], [Folio::Roman(1), Folio::Roman(2), ..]), "{:?}", &folios[body..]);
        // Each essay's anchor is on the page handed on first with it, and `typeset` puts that
        // page at its place in the book.
        let first = &book.essays[0].id;
        assert!(made[0].anchors.iter().any(|(a, _)| a == first));
        let third = &book.essays[2].id;
        let (index, _) = made.iter().enumerate().find(|(_, p)| p.anchors.iter().any(|(a, _)| a == third)).unwrap();
        let (layout, _) = typeset(book, &PdfConfig::default(), &fonts);
        assert_eq!(layout.pages.len(), made.len());
        assert_eq!(layout.pages[0].folio, Some(Folio::Cover));
        assert_eq!(layout.pages[summary.order.front].folio, Some(Folio::Arabic(1)));
        assert!(layout.pages[summary.order.front].anchors.iter().any(|(a, _)| a == first));
        assert!(layout.pages[summary.order.front + index].anchors.iter().any(|(a, _)| a == third));
    }
}
