//! The PDF writer: draws the laid-out pages with krilla as they come, the only module that
//! names the PDF crate. krilla subsets the fonts and writes ToUnicode maps. The PDF is
//! tagged: each node of the layout's structure becomes a structure element holding the marked
//! content drawn for it; heads, folios and decorations are artifacts.

use std::collections::{HashMap, VecDeque};
use std::num::NonZeroU16;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use anyhow::anyhow;
use chrono::{Datelike, Timelike};
use krilla::configure::{Accessibility, Archival, Configuration, ConfigurationBuilder, ValidationError};
use krilla::error::KrillaError;
use krilla::{Document, SerializeSettings};
use krilla::action::LinkAction;
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::{luma, rgb};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, LineCap, Stroke, StrokeDash};
use krilla::tagging::{Artifact, ArtifactType, ContentTag, Identifier, ListNumbering, Placement, SpanTag, Tag, TagGroup, TagKind, TagTree, TableHeaderScope};
use krilla::text::{Font, GlyphId, KrillaGlyph};

mod pack;

use crate::book::Book;
use crate::config::Standard;
use crate::font::{FontId, FontSet};
use crate::typeset::frame::{Folio, Item, Layout, LinkTo, Mark, Node, OutlineEntry, Page, PageBox, Role, Structure, Summary, TextRun};

/// Writes the PDF of a laid-out book.
pub fn write(book: &Book, layout: Layout, fonts: &FontSet, standard: Standard) -> anyhow::Result<Vec<u8>> {
    let Layout { mut pages, summary } = layout;
    // The writer takes the pages in the order typesetting makes them.
    summary.order.to_made(&mut pages);
    let mut writer = Writer::new(book, fonts, summary.page_box, standard)?;
    for page in pages {
        writer.page(page)?;
    }
    writer.finish(summary)
}

/// What typesetting hands the PDF writer: the pages as they are made, then the summary.
pub(crate) enum Streamed {
    Page(Page),
    Done(Summary),
}

/// Writes the PDF from pages as typesetting sends them, returning it with the time spent
/// working (not waiting for pages).
pub(crate) fn write_streamed(book: &Book, fonts: &FontSet, page_box: PageBox, standard: Standard, pages: Receiver<Streamed>) -> (anyhow::Result<Vec<u8>>, Duration) {
    let mut busy = Duration::ZERO;
    let mut writer = match Writer::new(book, fonts, page_box, standard) {
        Ok(writer) => writer,
        Err(e) => return (Err(e), busy),
    };
    for message in pages {
        let started = Instant::now();
        let done = match message {
            Streamed::Page(page) => writer.page(page).err(),
            Streamed::Done(summary) => {
                let pdf = writer.finish(summary);
                return (pdf, busy + started.elapsed());
            }
        };
        busy += started.elapsed();
        if let Some(error) = done {
            return (Err(error), busy);
        }
    }
    (Err(anyhow!("typesetting stopped before the book was finished")), busy)
}

/// Writes the PDF page by page, in the order `typeset::typeset_into` makes the pages, and
/// drops each page once it is drawn. A page that links to an anchor not yet laid out (a
/// later essay) waits, with the pages behind it, until the anchor's page comes.
pub(crate) struct Writer<'a> {
    doc: Document,
    book: &'a Book,
    fonts: HashMap<FontId, Font>,
    /// Images decoded so far (once each, however often drawn); `None` if one cannot be.
    images: HashMap<usize, Option<Picture>>,
    cover: Option<Option<Picture>>,
    page_box: PageBox,
    /// Each anchor's page, counted in the order the pages came, and its y.
    anchors: HashMap<String, (usize, f32)>,
    waiting: VecDeque<Page>,
    /// The folio of every page that came, in order.
    folios: Vec<Option<Folio>>,
    /// The marked content drawn for each structure node: `[part][node]`, in page order, each
    /// numbered in the order it was drawn.
    leaves: Vec<Vec<Vec<Leaf>>>,
    /// How many leaves have been drawn.
    drawn: u64,
    standard: Standard,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(book: &'a Book, fonts: &FontSet, page_box: PageBox, standard: Standard) -> anyhow::Result<Writer<'a>> {
        let fonts = fonts.iter().filter_map(|(id, f)| Some((id, Font::new(krilla::Data::from(f.data), f.index)?))).collect();
        let settings = SerializeSettings { configuration: configuration(standard)?, ..SerializeSettings::default() };
        Ok(Writer {
            doc: Document::new_with(settings),
            book,
            fonts,
            images: HashMap::new(),
            cover: None,
            page_box,
            anchors: HashMap::new(),
            waiting: VecDeque::new(),
            folios: Vec::new(),
            leaves: Vec::new(),
            drawn: 0,
            standard,
        })
    }

    /// Takes the next page, and draws every waiting page whose links can now be resolved.
    pub(crate) fn page(&mut self, page: Page) -> anyhow::Result<()> {
        let index = self.folios.len();
        for (anchor, y) in &page.anchors {
            self.anchors.entry(anchor.clone()).or_insert((index, *y));
        }
        self.folios.push(page.folio);
        self.waiting.push_back(page);
        while self.waiting.front().is_some_and(|p| self.links_resolved(p)) {
            let page = self.waiting.pop_front().expect("a waiting page");
            self.draw(page)?;
        }
        Ok(())
    }

    fn links_resolved(&self, page: &Page) -> bool {
        page.items.iter().all(|item| match item {
            Item::Link { to: LinkTo::Anchor(anchor), .. } => self.anchors.contains_key(anchor),
            _ => true,
        })
    }

    fn destination(&self, anchor: &str) -> Option<XyzDestination> {
        let &(page, y) = self.anchors.get(anchor)?;
        Some(XyzDestination::new(page, Point::from_xy(0.0, (y - 4.0 + self.page_box.bleed).max(0.0))))
    }

    /// Draws the pages still waiting (links to anchors that never came are dropped), writes
    /// the outline, the structure tree and the metadata, and puts the cover and the front
    /// matter, which came last, first.
    pub(crate) fn finish(mut self, summary: Summary) -> anyhow::Result<Vec<u8>> {
        while let Some(page) = self.waiting.pop_front() {
            self.draw(page)?;
        }
        let mut outline = Outline::new();
        for entry in &summary.outline {
            if let Some(node) = outline_node(entry, &|anchor| self.destination(anchor)) {
                outline.push_child(node);
            }
        }
        let mut leaves = std::mem::take(&mut self.leaves);
        leaves.resize_with(summary.structure.parts.len(), Vec::new);
        for (part, nodes) in leaves.iter_mut().zip(&summary.structure.parts) {
            part.resize_with(nodes.len(), Vec::new);
        }
        let mut doc = self.doc;
        doc.set_outline(outline);
        doc.set_tag_tree(tag_tree(summary.structure, leaves, &self.book.meta.language));
        doc.set_metadata(metadata(self.book));
        let pdf = doc.finish().map_err(|e| not_written(e, self.standard))?;
        let mut folios = self.folios;
        summary.order.to_book(&mut folios);
        pack::pack(&pdf, summary.order, &page_labels(&folios), &self.book.meta.identifier)
    }

    /// Decodes the images `page` draws that are not decoded yet.
    fn decode_images(&mut self, page: &Page) {
        let book = self.book;
        // PDF/A has images drawn as their pixels are, unsmoothed.
        let smooth = !self.standard.archival();
        for item in &page.items {
            match item {
                Item::Image { asset, .. } => {
                    self.images.entry(*asset).or_insert_with(|| decode(&book.assets[*asset], smooth));
                }
                Item::CoverImage { .. } => {
                    self.cover.get_or_insert_with(|| book.cover.as_ref().and_then(|c| decode(c, smooth)));
                }
                _ => {}
            }
        }
    }

    fn draw(&mut self, page: Page) -> anyhow::Result<()> {
        let PageBox { width, height, bleed: b } = self.page_box;
        let (w, h) = (width + 2.0 * b, height + 2.0 * b);
        let mut settings = PageSettings::new(Size::from_wh(w, h).ok_or_else(|| anyhow!("bad page size"))?);
        if b > 0.0 {
            settings = settings.with_trim_box(Rect::from_xywh(b, b, width, height)).with_bleed_box(Rect::from_xywh(0.0, 0.0, w, h));
        }
        // Images are decoded before the page borrows the document.
        self.decode_images(&page);
        let links = self.links(&page, b);
        let Writer { doc, fonts, images, cover, book, .. } = self;
        let latin_is_foreign = ["zh", "ja"].iter().any(|l| book.meta.language.starts_with(l));
        let drawn = Resources { latin_is_foreign, fonts, images, cover };
        let mut pdf_page = doc.start_page_with(settings);
        let mut surface = pdf_page.surface();
        if b > 0.0 {
            surface.push_transform(&Transform::from_translate(b, b));
        }
        let mut leaves = drawn.items(&mut surface, &page.items);
        if b > 0.0 {
            surface.pop();
        }
        surface.finish();
        for (annotation, mark) in links {
            if matches!(mark, Mark::Content { .. }) {
                leaves.push((mark, pdf_page.add_tagged_annotation(annotation)));
            } else {
                pdf_page.add_annotation(annotation);
            }
        }
        pdf_page.finish();
        self.keep_leaves(leaves);
        Ok(())
    }

    /// The page's links as annotations (moved by the bleed `b`), each with its node.
    fn links(&self, page: &Page, b: f32) -> Vec<(Annotation, Mark)> {
        page.items
            .iter()
            .filter_map(|item| {
                let Item::Link { x, y, w, h, to, alt, mark } = item else { return None };
                let target = match to {
                    LinkTo::Url(url) => Target::Action(LinkAction::new(url.clone()).into()),
                    LinkTo::Anchor(a) => Target::Destination(self.destination(a)?.into()),
                };
                let link = LinkAnnotation::new(Rect::from_xywh(x + b, y + b, *w, *h)?, target);
                Some((Annotation::new_link(link, Some(alt.clone())), *mark))
            })
            .collect()
    }

    /// Notes the marked content drawn for each structure node, for the tag tree.
    fn keep_leaves(&mut self, leaves: Vec<(Mark, Identifier)>) {
        for (mark, id) in leaves {
            if let Mark::Content { part, node } = mark {
                let (part, node) = (part as usize, node as usize);
                if self.leaves.len() <= part {
                    self.leaves.resize_with(part + 1, Vec::new);
                }
                let nodes = &mut self.leaves[part];
                if nodes.len() <= node {
                    nodes.resize_with(node + 1, Vec::new);
                }
                nodes[node].push(Leaf { order: self.drawn, id });
                self.drawn += 1;
            }
        }
    }
}

/// What a page's items are drawn with: the fonts, the decoded images and the cover (borrowed
/// beside the document the page is drawn into).
struct Resources<'w> {
    /// Latin text is in another language than the book's (a Chinese or Japanese book).
    latin_is_foreign: bool,
    fonts: &'w HashMap<FontId, Font>,
    images: &'w HashMap<usize, Option<Picture>>,
    cover: &'w Option<Option<Picture>>,
}

/// An image ready to draw: pixels, or an SVG drawn as vectors.
enum Picture {
    Raster(krilla::image::Image),
    Vector(crate::svg::Tree),
}

/// Text, dots and the ground of coloured fills: black, opaque.
/// How far synthetic italic slants: about 12°.
const SLANT: f32 = 0.2;

fn black() -> Fill {
    Fill { paint: luma::Color::black().into(), opacity: NormalizedF32::ONE, rule: Default::default() }
}

impl Resources<'_> {
    /// Draws the items (links aside, which are annotations): decorations first, so backgrounds
    /// stay under the text, then the rest in order. Items in a row with the same mark share
    /// one marked-content sequence; returns each sequence's mark and identifier.
    fn items(&self, surface: &mut krilla::surface::Surface, items: &[Item]) -> Vec<(Mark, Identifier)> {
        let mut leaves = Vec::new();
        let mut open: Option<(Mark, Content)> = None;
        let decorations = items.iter().filter(|i| i.mark() == Mark::Decoration);
        for item in decorations.chain(items.iter().filter(|i| i.mark() != Mark::Decoration)) {
            if let Item::Link { .. } = item {
                continue;
            }
            let mark = item.mark();
            let content = Content::of(item, self.latin_is_foreign);
            if open != Some((mark, content)) {
                if open.is_some() {
                    surface.end_tagged();
                }
                leaves.push((mark, surface.start_tagged(content_tag(mark, content))));
                open = Some((mark, content));
            }
            self.item(surface, item);
        }
        if open.is_some() {
            surface.end_tagged();
        }
        leaves
    }

    fn item(&self, surface: &mut krilla::surface::Surface, item: &Item) {
        match item {
            Item::Text(run) => self.text(surface, run),
            Item::Rect { x, y, w, h, colour } => draw_rect(surface, *x, *y, *w, *h, *colour),
            Item::Rule { x0, y0, x1, y1, width } => {
                let mut pb = PathBuilder::new();
                pb.move_to(*x0, *y0);
                pb.line_to(*x1, *y1);
                stroke(surface, pb, *width);
            }
            Item::Box { x, y, size, ticked, .. } => draw_box(surface, *x, *y, *size, *ticked),
            Item::Dot { x, y, r } => {
                let mut pb = PathBuilder::new();
                circle(&mut pb, *x, *y, *r);
                if let Some(path) = pb.finish() {
                    surface.set_fill(Some(black()));
                    surface.draw_path(&path);
                }
            }
            Item::Leader { x0, x1, y, r, step } => draw_leader(surface, *x0, *x1, *y, *r, *step),
            Item::Image { asset, x, y, w, h, .. } => draw_image(surface, self.images.get(asset).and_then(Option::as_ref), *x, *y, *w, *h),
            Item::CoverImage { x, y, w, h, .. } => draw_image(surface, self.cover.as_ref().and_then(Option::as_ref), *x, *y, *w, *h),
            Item::Link { .. } => {}
        }
    }

    fn text(&self, surface: &mut krilla::surface::Surface, run: &TextRun) {
        let Some(font) = self.fonts.get(&run.font) else { return };
        // Pen positions are rounded to 1/1000 em, the unit of a TJ adjustment, so the
        // adjustments of a justified line repeat exactly and compress well; rounding
        // positions, not advances, keeps the error under 0.0005 em.
        let mut pen = 0.0_f64;
        let glyphs: Vec<KrillaGlyph> = run
            .glyphs
            .iter()
            .map(|g| {
                let from = (pen * 1000.0).round();
                pen += f64::from(g.advance);
                let advance = (((pen * 1000.0).round() - from) / 1000.0) as f32;
                let x_offset = ((f64::from(g.x_offset) * 1000.0).round() / 1000.0) as f32;
                let y_offset = ((f64::from(g.y_offset) * 1000.0).round() / 1000.0) as f32;
                // Offsets are up-positive, as the shaper gives them and krilla takes them.
                KrillaGlyph::new(GlyphId::new(g.id as u32), advance, x_offset, y_offset, 0.0, g.text.start as usize..g.text.end as usize, None)
            })
            .collect();
        // Highlighted code: its colour; bold drawn as the outline stroked too, italic as the
        // glyphs slanted about the baseline (the code font has one face). Han is never slanted.
        let ink = run.ink;
        let slant = ink.italic && run.font == FontId::MONO;
        let paint: krilla::paint::Paint = if ink.colour == [0, 0, 0] { luma::Color::black().into() } else { rgb::Color::new(ink.colour[0], ink.colour[1], ink.colour[2]).into() };
        surface.set_fill(Some(Fill { paint: paint.clone(), ..black() }));
        if ink.bold {
            surface.set_stroke(Some(Stroke { paint, width: 0.04 * run.size, ..Default::default() }));
        }
        if slant {
            surface.push_transform(&Transform::from_row(1.0, 0.0, -SLANT, 1.0, SLANT * run.y, 0.0));
        }
        surface.draw_glyphs(Point::from_xy(run.x, run.y), &glyphs, font.clone(), &run.text, run.size, false);
        if slant {
            surface.pop();
        }
        if ink.bold {
            surface.set_stroke(None);
        }
    }
}

/// A filled rectangle: grey when its colour has one value, else RGB.
fn draw_rect(surface: &mut krilla::surface::Surface, x: f32, y: f32, w: f32, h: f32, [r, g, b]: [u8; 3]) {
    let Some(rect) = Rect::from_xywh(x, y, w, h) else { return };
    let mut pb = PathBuilder::new();
    pb.push_rect(rect);
    if let Some(path) = pb.finish() {
        let paint = if r == g && g == b { luma::Color::new(r).into() } else { rgb::Color::new(r, g, b).into() };
        surface.set_fill(Some(Fill { paint, ..black() }));
        surface.draw_path(&path);
    }
}

/// A task list's box, with a tick when it is done.
fn draw_box(surface: &mut krilla::surface::Surface, x: f32, y: f32, size: f32, ticked: bool) {
    let mut pb = PathBuilder::new();
    if let Some(rect) = Rect::from_xywh(x, y, size, size) {
        pb.push_rect(rect);
    }
    if ticked {
        pb.move_to(x + 0.2 * size, y + 0.5 * size);
        pb.line_to(x + 0.42 * size, y + 0.75 * size);
        pb.line_to(x + 0.82 * size, y + 0.22 * size);
    }
    stroke(surface, pb, size * 0.08);
}

/// A dot leader as one stroke: zero-length dashes with round caps are dots; the line ends
/// just past the last one.
fn draw_leader(surface: &mut krilla::surface::Surface, x0: f32, x1: f32, y: f32, r: f32, step: f32) {
    let Some(last) = Item::leader_dots(x0, x1, step).last() else { return };
    let mut pb = PathBuilder::new();
    pb.move_to(x0, y);
    pb.line_to(last + 0.5 * r, y);
    let dash = StrokeDash { array: vec![0.0, step], offset: 0.0 };
    draw_stroke(surface, pb, Stroke { width: 2.0 * r, line_cap: LineCap::Round, dash: Some(dash), ..black_stroke(0.0) });
}

/// The page labels' number tree for pages with these folios: a range wherever the kind of
/// folio changes, each counting from 1 (the cover's pages are all labelled 封面).
fn page_labels(folios: &[Option<Folio>]) -> String {
    let mut nums = String::new();
    let mut last = None;
    for (i, folio) in folios.iter().enumerate() {
        let label = match folio {
            Some(Folio::Cover) => "<</P<FEFF5C019762>>>",
            Some(Folio::Roman(_)) => "<</S/r>>",
            Some(Folio::Arabic(_)) => "<</S/D>>",
            None => "<<>>",
        };
        if last != Some(label) {
            nums.push_str(&format!("{i} {label} "));
            last = Some(label);
        }
    }
    format!("<</Nums[{}]>>", nums.trim_end())
}

/// What a run of drawn items is, for its marked content: text (Latin text in a Chinese or
/// Japanese book told apart, to carry its language), a picture, or a task's box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    Text,
    Latin,
    Picture,
    Task { done: bool },
}

impl Content {
    fn of(item: &Item, latin_is_foreign: bool) -> Content {
        match item {
            Item::Image { .. } | Item::CoverImage { .. } => Content::Picture,
            Item::Box { ticked, .. } => Content::Task { done: *ticked },
            Item::Text(run) if latin_is_foreign && is_latin(&run.text) => Content::Latin,
            _ => Content::Text,
        }
    }
}

/// Text with Latin letters and no CJK: English, as far as a reader's voice is concerned.
fn is_latin(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_alphabetic()) && !text.chars().any(|c| c >= '\u{2e80}')
}

fn content_tag(mark: Mark, content: Content) -> ContentTag<'static> {
    match (mark, content) {
        (Mark::Decoration, _) => ContentTag::Artifact(Artifact::with_kind(ArtifactType::Layout)),
        (Mark::Head, _) => ContentTag::Artifact(Artifact::with_kind(ArtifactType::Header)),
        (Mark::Folio, _) => ContentTag::Artifact(Artifact::with_kind(ArtifactType::PageNumber)),
        (Mark::Content { .. }, Content::Picture) => ContentTag::Other,
        (Mark::Content { .. }, Content::Latin) => ContentTag::Span(SpanTag::empty().with_lang(Some("en"))),
        // The box says whether the task is done, as the EPUB's checkbox does.
        (Mark::Content { .. }, Content::Task { done }) => ContentTag::Span(SpanTag::empty().with_actual_text(Some(if done { "☑" } else { "☐" }))),
        (Mark::Content { .. }, Content::Text) => ContentTag::Span(SpanTag::empty()),
    }
}

/// Marked content drawn for a structure node, numbered in drawing order.
struct Leaf {
    order: u64,
    id: Identifier,
}

/// The structure tree: the parts in reading order, each node holding its child nodes and
/// what was drawn for it in the order they were drawn (an inline formula between the text
/// around it). Nodes with nothing drawn are left out, but for a table's cells and rows.
/// Heading levels are told in reading order and never skip one (an essay's `####` after its
/// `##` is tagged H3), as PDF/UA asks.
fn tag_tree(mut structure: Structure, mut leaves: Vec<Vec<Vec<Leaf>>>, language: &str) -> TagTree {
    let mut tree = TagTree::new().with_lang(Some(language.to_owned()));
    let mut last_level = 0;
    for &part in &structure.order {
        let nodes = &mut structure.parts[part as usize];
        for node in nodes.iter_mut() {
            if let Role::Heading { level, .. } = &mut node.role {
                *level = (*level).min(last_level + 1).max(1);
                last_level = *level;
            }
        }
        let nodes = &*nodes;
        let mut children = vec![Vec::new(); nodes.len()];
        let mut roots = Vec::new();
        for (i, node) in nodes.iter().enumerate() {
            match node.parent {
                Some(p) => children[p as usize].push(i),
                None => roots.push(i),
            }
        }
        for root in roots {
            if let Some((Some(_), group)) = tag_group(root, nodes, &children, &mut leaves[part as usize]) {
                tree.push(group);
            }
        }
    }
    tree
}

/// Node `i` as a tag group, with the order of the first thing drawn in it (`None` for a
/// group with nothing drawn, which is left out unless it is a table's row or cell, which keep
/// the table's grid whole).
fn tag_group(i: usize, nodes: &[Node], children: &[Vec<usize>], leaves: &mut [Vec<Leaf>]) -> Option<(Option<u64>, TagGroup)> {
    let mut groups: Vec<(Option<u64>, TagGroup)> = children[i].iter().filter_map(|&c| tag_group(c, nodes, children, leaves)).collect();
    // A group with nothing drawn takes its place after the one before it (or before the next).
    let mut before = groups.iter().find_map(|(order, _)| *order);
    for (order, _) in &mut groups {
        match order {
            Some(o) => before = Some(*o),
            None => *order = before,
        }
    }
    let mut kids: Vec<(Option<u64>, krilla::tagging::Node)> = groups.into_iter().map(|(order, g)| (order, g.into())).collect();
    kids.extend(std::mem::take(&mut leaves[i]).into_iter().map(|leaf| (Some(leaf.order), leaf.id.into())));
    kids.sort_by_key(|&(order, _)| order);
    let first = kids.iter().find_map(|(order, _)| *order);
    let keep = first.is_some() || matches!(nodes[i].role, Role::Row | Role::Cell | Role::HeaderCell);
    keep.then(|| (first, TagGroup::with_children(tag_kind(&nodes[i].role), kids.into_iter().map(|(_, kid)| kid).collect())))
}

fn tag_kind(role: &Role) -> TagKind {
    let alt = |text: &str| (!text.trim().is_empty()).then(|| text.to_owned());
    match role {
        Role::Section { lang } => Tag::Section.with_lang(lang.clone()).into(),
        Role::Heading { level, title } => Tag::Hn(NonZeroU16::new(u16::from(*level)).unwrap_or(NonZeroU16::MIN), Some(title.clone())).into(),
        Role::Paragraph => Tag::P.into(),
        Role::Quote => Tag::BlockQuote.into(),
        Role::List { ordered } => Tag::L(if *ordered { ListNumbering::Decimal } else { ListNumbering::Disc }).into(),
        Role::ListItem => Tag::LI.into(),
        Role::Label => Tag::Lbl.into(),
        Role::ListBody => Tag::LBody.into(),
        Role::Code => Tag::Code.with_placement(Some(Placement::Block)).into(),
        // A block-placed span: its end is a line break.
        Role::CodeLine => Tag::Span.with_placement(Some(Placement::Block)).into(),
        Role::Formula { alt: text } => Tag::Formula(alt(text)).into(),
        Role::Table => Tag::Table.into(),
        Role::Row => Tag::TR.into(),
        Role::HeaderCell => Tag::TH(TableHeaderScope::Column).into(),
        Role::Cell => Tag::TD.into(),
        Role::Figure { alt: text } => Tag::Figure(alt(text)).into(),
        Role::Caption => Tag::Caption.into(),
        Role::Link { alt: text } => Tag::Link.with_alt_text(alt(text)).into(),
        // PDF 2.0's Strong and Em, which krilla maps to Span for PDF 1.7 readers.
        Role::Stress { strong: true } => Tag::Strong.into(),
        Role::Stress { strong: false } => Tag::Em.into(),
        Role::Note => Tag::Note.into(),
        Role::Toc => Tag::TOC.into(),
        Role::TocItem => Tag::TOCI.into(),
        Role::Index => Tag::Index.into(),
    }
}

fn draw_image(surface: &mut krilla::surface::Surface, image: Option<&Picture>, x: f32, y: f32, w: f32, h: f32) {
    let (Some(image), Some(size)) = (image, Size::from_wh(w, h)) else { return };
    surface.push_transform(&Transform::from_translate(x, y));
    match image {
        Picture::Raster(image) => surface.draw_image(image.clone(), size),
        Picture::Vector(tree) => {
            use krilla_svg::SurfaceExt;
            surface.draw_svg(tree, size, krilla_svg::SvgSettings::default());
        }
    }
    surface.pop();
}

/// The image `a`, ready to draw; `smooth`: a viewer may smooth its pixels when enlarged.
fn decode(a: &crate::assets::Asset, smooth: bool) -> Option<Picture> {
    if a.media_type == "image/svg+xml" {
        return crate::svg::parse(&a.bytes).map(Picture::Vector);
    }
    let data = krilla::Data::from(a.bytes.clone());
    let image = match a.media_type {
        "image/png" => krilla::image::Image::from_png(data, smooth),
        "image/gif" => krilla::image::Image::from_gif(data, smooth),
        "image/webp" => krilla::image::Image::from_webp(data, smooth),
        _ => krilla::image::Image::from_jpeg(data, smooth),
    };
    image.ok().map(Picture::Raster)
}

fn stroke(surface: &mut krilla::surface::Surface, pb: PathBuilder, width: f32) {
    draw_stroke(surface, pb, black_stroke(width));
}

fn black_stroke(width: f32) -> Stroke {
    Stroke { paint: luma::Color::black().into(), width, ..Default::default() }
}

fn draw_stroke(surface: &mut krilla::surface::Surface, pb: PathBuilder, stroke: Stroke) {
    if let Some(path) = pb.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(stroke));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

/// A circle from four cubic arcs.
fn circle(pb: &mut PathBuilder, x: f32, y: f32, r: f32) {
    let k = 0.552_284_8 * r;
    pb.move_to(x + r, y);
    pb.cubic_to(x + r, y + k, x + k, y + r, x, y + r);
    pb.cubic_to(x - k, y + r, x - r, y + k, x - r, y);
    pb.cubic_to(x - r, y - k, x - k, y - r, x, y - r);
    pb.cubic_to(x + k, y - r, x + r, y - k, x + r, y);
    pb.close();
}

fn outline_node(entry: &OutlineEntry, destination: &dyn Fn(&str) -> Option<XyzDestination>) -> Option<OutlineNode> {
    let mut node = OutlineNode::new(entry.title.clone(), destination(&entry.anchor)?);
    for child in &entry.children {
        if let Some(c) = outline_node(child, destination) {
            node.push_child(c);
        }
    }
    Some(node)
}

/// krilla's configuration for `standard`: the validators it checks the PDF with as it writes.
fn configuration(standard: Standard) -> anyhow::Result<Configuration> {
    let (archival, accessibility) = match standard {
        Standard::Ua1 => (None, Some(Accessibility::UA1)),
        Standard::A2b => (Some(Archival::A2_B), None),
        Standard::A2a => (Some(Archival::A2_A), None),
        Standard::Ua1A2b => (Some(Archival::A2_B), Some(Accessibility::UA1)),
        Standard::Ua1A2a => (Some(Archival::A2_A), Some(Accessibility::UA1)),
        Standard::None => (None, None),
    };
    let mut builder = ConfigurationBuilder::new();
    if let Some(a) = archival {
        builder = builder.with_archival_validator(a);
    }
    if let Some(a) = accessibility {
        builder = builder.with_accessibility_validator(a);
    }
    builder.finish().map_err(|e| anyhow!("[pdf] standard = \"{}\" cannot be written: {e:?}", standard.name()))
}

/// Why the PDF could not be written: for a standard it cannot meet, each reason once, in words.
fn not_written(error: KrillaError, standard: Standard) -> anyhow::Error {
    let KrillaError::Validation(errors) = error else { return anyhow!("the PDF writer failed: {error:?}") };
    let mut reasons: Vec<String> = errors.iter().map(|(e, _)| reason(e)).collect();
    reasons.sort();
    reasons.dedup();
    anyhow!(
        "the PDF cannot meet [pdf] standard = \"{}\": {}; set `standard = \"none\"` in the [pdf] section of book.toml to write it without the claim",
        standard.name(),
        reasons.join("; ")
    )
}

/// One validation error in words.
fn reason(error: &ValidationError) -> String {
    match error {
        ValidationError::ContainsNotDefGlyph(_, _, text) => format!("no font has {text}"),
        ValidationError::NoCodepointMapping(..) | ValidationError::InvalidCodepointMapping(..) | ValidationError::UnicodePrivateArea(..) => "a glyph stands for no character (or a private-use one), so its text cannot be copied".into(),
        ValidationError::RestrictedLicense(_) => "a font's licence does not allow embedding it".into(),
        ValidationError::MissingAltText(_) => "a figure or formula has no alternative text".into(),
        ValidationError::MissingAnnotationAltText(_) => "a link has no description".into(),
        ValidationError::Transparency(_) => "a picture is transparent".into(),
        ValidationError::ImageInterpolation(_) => "an image asks to be interpolated".into(),
        other => format!("{other:?}"),
    }
}

fn metadata(book: &Book) -> Metadata {
    let m = &book.meta;
    let t = m.modified;
    let date = DateTime::new(t.year().clamp(0, 9999) as u16)
        .month(t.month() as u8)
        .day(t.day() as u8)
        .hour(t.hour() as u8)
        .minute(t.minute() as u8)
        .second(t.second() as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0);
    Metadata::new()
        .title(m.title.clone())
        .authors(m.authors.clone())
        .description(m.description.clone())
        .keywords(m.subjects.clone())
        .language(m.language.clone())
        .creator(format!("wenji {}", env!("CARGO_PKG_VERSION")))
        .producer(format!("wenji {}", env!("CARGO_PKG_VERSION")))
        .creation_date(date)
        .document_id(m.identifier.clone())
}
