//! What layout produces and the PDF writer walks: pages of positioned, already-shaped items.
//! Coordinates are points from the trim box's top-left corner, y growing downwards.

use std::fmt::Write;

use crate::doc::PageStart;
use crate::font::FontId;

/// A laid-out book: its pages in reading order and what is known of the whole.
pub struct Layout {
    pub pages: Vec<Page>,
    pub summary: Summary,
}

/// Pages are made body first (the essays, then the tag index) and the cover and front matter
/// last, because the contents needs the body's page numbers; in the book those come first.
/// This is the one place that says how the two orders meet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PageOrder {
    /// The cover's and the front matter's pages: the last made, the first in the book.
    pub(crate) front: usize,
}

impl PageOrder {
    /// Puts what was kept a page at a time, in the order the pages were made, in the book's order.
    pub(crate) fn to_book<T>(self, made: &mut [T]) {
        made.rotate_right(self.front);
    }

    /// Puts what is in the book's order back in the order the pages were made.
    pub(crate) fn to_made<T>(self, book: &mut [T]) {
        book.rotate_left(self.front);
    }
}

/// What typesetting knows of the whole book once every page is made.
pub struct Summary {
    pub(crate) page_box: PageBox,
    pub(crate) order: PageOrder,
    /// Bookmarks: essays with their sections.
    pub(crate) outline: Vec<OutlineEntry>,
    /// Where each numbered page's text starts, in page order.
    pub page_starts: Vec<PageStart>,
    /// The logical structure the items' marks point into, for tagged PDF.
    pub(crate) structure: Structure,
}

/// A page's size.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageBox {
    /// Trim size in points.
    pub width: f32,
    pub(crate) height: f32,
    /// Bleed around the trim box, in points (0 unless printing with bleed).
    pub(crate) bleed: f32,
}

/// The book's logical structure: parts (the cover, the front matter, each essay, the index),
/// each a forest of nodes in reading order, and the order the parts are read in.
#[derive(Default)]
pub(crate) struct Structure {
    pub(crate) parts: Vec<Vec<Node>>,
    pub(crate) order: Vec<u32>,
}

/// A structure node: what it is and the node it is in (`None` at the top of its part).
/// Nodes come in reading order, so a node's children are the later nodes naming it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub(crate) role: Role,
    pub(crate) parent: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Role {
    /// An essay, with its language where it is not the book's.
    Section { lang: Option<String> },
    /// A heading (1 is an essay's title) with its text.
    Heading { level: u8, title: String },
    Paragraph,
    Quote,
    List { ordered: bool },
    ListItem,
    /// A list item's or a note's number.
    Label,
    ListBody,
    Code,
    /// A line of a code block (wrapped or not).
    CodeLine,
    /// A formula, set as its TeX source, which is also its alternative text.
    Formula { alt: String },
    Table,
    Row,
    HeaderCell,
    Cell,
    Figure { alt: String },
    Caption,
    /// A link: its text and the annotation that makes it one; `alt` says where it goes.
    Link { alt: String },
    /// Emphasis: strong (`**…**`) or not (`*…*`).
    Stress { strong: bool },
    Note,
    /// The contents (目录) and its entries.
    Toc,
    TocItem,
    /// The tag index.
    Index,
}

/// Where a drawn item belongs: a structure node, or an artifact of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Mark {
    /// Rules, backgrounds, leaders, bullets and other drawing that is not text of the book.
    #[default]
    Decoration,
    /// The running head.
    Head,
    Folio,
    /// Node `node` of part `part` of the `Structure`.
    Content { part: u32, node: u32 },
}

pub(crate) struct OutlineEntry {
    pub title: String,
    pub(crate) anchor: String,
    pub(crate) children: Vec<OutlineEntry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Folio {
    /// The cover, before the numbered pages.
    Cover,
    Roman(u32),
    Arabic(u32),
}

#[derive(Default)]
pub struct Page {
    pub(crate) items: Vec<Item>,
    /// The lines of text on the page, for the layout dump and tests.
    pub lines: Vec<Line>,
    pub(crate) folio: Option<Folio>,
    /// The anchors that landed on this page, with their y.
    pub(crate) anchors: Vec<(String, f32)>,
    /// A page that ends this many grid lines short of the foot, though not an essay's last,
    /// and why.
    pub short: Option<(usize, &'static str)>,
}

#[derive(Clone)]
pub(crate) enum Item {
    Text(TextRun),
    /// A filled rectangle in an sRGB colour.
    Rect { x: f32, y: f32, w: f32, h: f32, colour: [u8; 3] },
    /// A stroked straight line.
    Rule { x0: f32, y0: f32, x1: f32, y1: f32, width: f32 },
    /// A task's box, optionally ticked: the label of its list item.
    Box { x: f32, y: f32, size: f32, ticked: bool, mark: Mark },
    /// A filled dot: emphasis marks and list bullets.
    Dot { x: f32, y: f32, r: f32 },
    /// A dot leader: dots of radius `r` centred at `x0`, `x0 + step`, … up to `x1`, on `y`.
    Leader { x0: f32, x1: f32, y: f32, r: f32, step: f32 },
    Image { asset: usize, x: f32, y: f32, w: f32, h: f32, mark: Mark },
    /// The book's cover image (`Book::cover`).
    CoverImage { x: f32, y: f32, w: f32, h: f32, mark: Mark },
    /// A link's area; `alt` describes it (its text, or where it goes).
    Link { x: f32, y: f32, w: f32, h: f32, to: LinkTo, alt: String, mark: Mark },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LinkTo {
    Url(String),
    Anchor(String),
}

/// Shaped glyphs in one font, drawn from a baseline origin.
#[derive(Clone)]
pub(crate) struct TextRun {
    pub x: f32,
    pub(crate) y: f32,
    pub(crate) font: FontId,
    pub(crate) size: f32,
    pub text: String,
    pub(crate) glyphs: Vec<RunGlyph>,
    pub(crate) mark: Mark,
    /// A note's caller or the number beside its text, renumbered on its page.
    pub(crate) note: NoteRun,
    /// Colour, weight and slant: black and plain but in highlighted code.
    pub(crate) ink: crate::highlight::Ink,
}

/// What a run of a note's number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoteRun {
    None,
    Caller,
    Label,
}

/// A glyph of a run. Advances and offsets in em; `text` is the byte range of its cluster
/// in the run's text (32-bit, to keep the millions of glyphs of a long book small).
#[derive(Debug, Clone)]
pub(crate) struct RunGlyph {
    pub(crate) id: u16,
    pub(crate) advance: f32,
    pub(crate) x_offset: f32,
    pub(crate) y_offset: f32,
    pub text: std::ops::Range<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineKind {
    Body,
    /// Body text in a quotation (引文): smaller, inset.
    Quote,
    Heading,
    Title,
    Code,
    Table,
    Note,
    Toc,
    Head,
    Folio,
    Other,
}

/// One laid-out line: its clusters with x positions and widths, for the dump and tests.
#[derive(Debug, Clone)]
pub struct Line {
    pub kind: LineKind,
    pub y: f32,
    /// The line starts a paragraph (and may start with anything).
    pub first: bool,
    /// The line ends a paragraph or is ended by a forced break.
    pub last: bool,
    /// The line's paragraph was set a line longer or shorter than it breaks best, to fill
    /// its page (no line of it looser than an ordinary one).
    pub adjusted: bool,
    pub clusters: Vec<Cluster>,
}

#[derive(Debug, Clone)]
pub struct Cluster {
    /// Inline up to 24 bytes: a book has millions of clusters, most of them one character.
    pub text: compact_str::CompactString,
    pub x: f32,
    pub width: f32,
}

impl Item {
    /// Puts text, images and links under `mark`; decorations stay artifacts.
    pub(crate) fn set_mark(&mut self, to: Mark) {
        match self {
            Item::Text(TextRun { mark, .. }) | Item::Image { mark, .. } | Item::CoverImage { mark, .. } | Item::Link { mark, .. } | Item::Box { mark, .. } => *mark = to,
            Item::Rect { .. } | Item::Rule { .. } | Item::Dot { .. } | Item::Leader { .. } => {}
        }
    }

    /// Puts text, images and links that belong to no node yet under `mark` (an inline
    /// formula keeps its own).
    pub(crate) fn claim(&mut self, to: Mark) {
        if self.mark() == Mark::Decoration {
            self.set_mark(to);
        }
    }

    /// What the item belongs to (decorations are artifacts).
    pub(crate) fn mark(&self) -> Mark {
        match self {
            Item::Text(TextRun { mark, .. }) | Item::Image { mark, .. } | Item::CoverImage { mark, .. } | Item::Link { mark, .. } | Item::Box { mark, .. } => *mark,
            Item::Rect { .. } | Item::Rule { .. } | Item::Dot { .. } | Item::Leader { .. } => Mark::Decoration,
        }
    }

    /// The centres of a leader's dots (`Item::Leader`), from `x0` in steps up to `x1`.
    pub(crate) fn leader_dots(x0: f32, x1: f32, step: f32) -> impl Iterator<Item = f32> {
        let count = if x1 >= x0 { ((x1 - x0) / step).floor() as usize + 1 } else { 0 };
        (0..count).map(move |i| x0 + i as f32 * step)
    }

    pub(crate) fn translate(&mut self, dx: f32, dy: f32) {
        match self {
            Item::Text(t) => {
                t.x += dx;
                t.y += dy;
            }
            Item::Rect { x, y, .. }
            | Item::Box { x, y, .. }
            | Item::Dot { x, y, .. }
            | Item::Image { x, y, .. }
            | Item::CoverImage { x, y, .. }
            | Item::Link { x, y, .. } => {
                *x += dx;
                *y += dy;
            }
            Item::Leader { x0, x1, y, .. } => {
                *x0 += dx;
                *x1 += dx;
                *y += dy;
            }
            Item::Rule { x0, y0, x1, y1, .. } => {
                *x0 += dx;
                *x1 += dx;
                *y0 += dy;
                *y1 += dy;
            }
        }
    }
}

impl Line {
    pub(crate) fn translate(&mut self, dx: f32, dy: f32) {
        self.y += dy;
        for c in &mut self.clusters {
            c.x += dx;
        }
    }

    pub fn text(&self) -> String {
        self.clusters.iter().map(|c| c.text.as_str()).collect()
    }
}

/// The plain-text layout dump: each page, then each line with its kind (`^` a paragraph's
/// first line, `$` its last, `~` a paragraph set a line longer or shorter for its page), its
/// baseline and every cluster's x position (`x*n` for a cluster of n characters), then each
/// picture's place and size.
pub(crate) fn dump(page_box: PageBox, pages: &[Page]) -> String {
    let mut out = format!("layout {:.2}x{:.2}pt, {} pages\n", page_box.width, page_box.height, pages.len());
    for (i, page) in pages.iter().enumerate() {
        page.dump(i, &mut out);
    }
    out
}

impl Page {
    /// This page (at `index` in the book) in the layout dump.
    pub(crate) fn dump(&self, index: usize, out: &mut String) {
        let folio = match self.folio {
            Some(Folio::Roman(n)) => format!(" folio {}", roman(n)),
            Some(Folio::Arabic(n)) => format!(" folio {n}"),
            Some(Folio::Cover) => " cover".to_owned(),
            _ => String::new(),
        };
        let short = match self.short {
            Some((lines, why)) => format!(" short {lines}: {why}"),
            None => String::new(),
        };
        let _ = writeln!(out, "page {}{folio}{short}", index + 1);
        for line in &self.lines {
            let marks = format!("{}{}{}", if line.first { "^" } else { "" }, if line.last { "$" } else { "" }, if line.adjusted { "~" } else { "" });
            let _ = write!(out, "  {:?}{marks} y={:.2} |{}|", line.kind, line.y, line.text());
            for c in &line.clusters {
                let _ = write!(out, " {:.2}", c.x);
                // A cluster of several characters (a ligature) says how many.
                let chars = c.text.chars().count();
                if chars > 1 {
                    let _ = write!(out, "*{chars}");
                }
            }
            if let Some(c) = line.clusters.last() {
                let _ = write!(out, " >{:.2}", c.x + c.width);
            }
            out.push('\n');
        }
        for (x, y, w, h) in self.figures() {
            let _ = writeln!(out, "  figure x={x:.2} y={y:.2} w={w:.2} h={h:.2}");
        }
    }

    /// What the layout dump shows of the page (its lines, taken, and its pictures), while the
    /// page goes on to the PDF.
    pub(crate) fn take_for_dump(&mut self) -> Page {
        let pictures = self.items.iter().filter(|i| matches!(i, Item::Image { .. })).cloned().collect();
        Page { items: pictures, lines: std::mem::take(&mut self.lines), folio: self.folio, short: self.short, ..Page::default() }
    }

    /// The pictures on the page: x, y of the top left corner, width and height.
    pub fn figures(&self) -> Vec<(f32, f32, f32, f32)> {
        self.items.iter().filter_map(|i| if let Item::Image { x, y, w, h, .. } = *i { Some((x, y, w, h)) } else { None }).collect()
    }
}

/// Lower-case Roman numerals for front-matter folios.
pub(crate) fn roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut out = String::new();
    for (value, digits) in TABLE {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn roman_numerals() {
        assert_eq!(super::roman(4), "iv");
        assert_eq!(super::roman(14), "xiv");
        assert_eq!(super::roman(1999), "mcmxcix");
    }
}
