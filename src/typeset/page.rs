//! The page grid and pagination. Every block occupies a whole number of grid lines
//! ("slots"), so facing pages keep their baselines in register.

use std::collections::HashMap;

use std::collections::VecDeque;
use std::sync::Arc;

use super::frame::{Item, Line, LineKind, Page, PageBox};
use crate::config::{PdfConfig, Punctuation};

const MM: f32 = 72.0 / 25.4;

/// Where text goes on the page, in points.
#[derive(Debug, Clone)]
pub struct Geometry {
    pub width: f32,
    pub(crate) height: f32,
    pub(crate) bleed: f32,
    /// Body text size.
    pub(crate) size: f32,
    /// Distance between baselines: one slot.
    pub(crate) pitch: f32,
    /// Top of the first slot.
    pub(crate) top: f32,
    /// Slots per page.
    pub lines: usize,
    /// Width of the text block, a whole number of em so lines of Han need no spacing.
    pub(crate) measure: f32,
    pub(crate) inner: f32,
    pub(crate) outer: f32,
    pub(crate) print: bool,
    pub punctuation: Punctuation,
    /// Commas and full stops at a line's end hang into the margin.
    pub(crate) hanging: bool,
    /// Keep each line's clusters (for the layout dump and tests); without them a long book
    /// needs a third less memory.
    pub(crate) keep_clusters: bool,
    pub(crate) notes: crate::config::Notes,
    /// Notes at the foot are numbered from ① on each page.
    pub(crate) notes_by_page: bool,
    /// The code highlighting theme, or `none`.
    pub(crate) highlight: String,
    /// Installed fonts were searched for characters the book's fonts lack (`system-fonts`).
    pub(crate) system_fonts: bool,
}

impl Geometry {
    pub fn new(c: &PdfConfig) -> Geometry {
        let (width, height) = c.page_size;
        let size = c.font_size;
        let pitch = size * c.line_height;
        let (mut inner, mut outer) = (c.margins.inner * MM, c.margins.outer * MM);
        if !c.print {
            let mean = (inner + outer) / 2.0;
            (inner, outer) = (mean, mean);
        }
        let raw = (width - inner - outer).max(4.0 * size);
        let measure = (raw / size).floor().max(4.0) * size;
        let spare = raw - measure;
        inner += spare / 2.0;
        outer += spare / 2.0;
        let (top, bottom) = (c.margins.top * MM, c.margins.bottom * MM);
        let text_height = (height - top - bottom).max(6.0 * pitch);
        let lines = ((text_height / pitch).floor() as usize).max(6);
        let top = top + (text_height - lines as f32 * pitch) / 2.0;
        let bleed = if c.print { c.bleed * MM } else { 0.0 };
        Geometry { width, height, bleed, size, pitch, top, lines, measure, inner, outer, print: c.print, punctuation: c.punctuation, hanging: c.hanging_punctuation, keep_clusters: true, notes: c.notes, notes_by_page: c.notes == crate::config::Notes::Foot && c.note_numbers == crate::config::NoteNumbers::Page, highlight: c.highlight.clone(), system_fonts: c.system_fonts }
    }

    pub(crate) fn page_box(&self) -> PageBox {
        PageBox { width: self.width, height: self.height, bleed: self.bleed }
    }

    /// The left edge of the text block on the page with this physical index (0 is a recto).
    pub(crate) fn left(&self, physical: usize) -> f32 {
        if physical % 2 == 1 { self.outer } else { self.inner }
    }

    /// The baseline of a line of text at `size` centred in `slots` slots, from their top.
    pub(crate) fn baseline(&self, slots: usize, size: f32) -> f32 {
        slots as f32 * self.pitch / 2.0 + 0.38 * size
    }

    /// The bottom of the text block.
    pub(crate) fn bottom(&self) -> f32 {
        self.top + self.lines as f32 * self.pitch
    }
}

/// Where a slab must start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Break {
    None,
    /// On a new page.
    Page,
    /// On a new recto page in print mode (a new page otherwise).
    Recto,
}

/// A horizontal strip of whole slots that pagination never splits. Items and lines are
/// positioned from the text block's left edge and the slab's top.
pub(crate) struct Slab {
    pub(crate) slots: usize,
    pub(crate) items: Vec<Item>,
    pub lines: Vec<Line>,
    /// A line's baseline in the slab, where it is not its one slot's (a tall formula on it).
    pub(crate) baseline: Option<f32>,
    /// Stay on the same page as the next slab (headings; the first and last two lines of a
    /// paragraph).
    pub(crate) keep_with_next: bool,
    /// Dropped at the top of a page (space between blocks).
    pub(crate) discardable: bool,
    /// Blank lines a page that would end short may take above this slab (`Opening`).
    pub(crate) room_above: Opening,
    pub(crate) anchors: Vec<String>,
    pub(crate) brk: Break,
    /// Set on the first slab of an essay: its index.
    pub(crate) opens_essay: Option<usize>,
    /// Where in the essay the slab's content starts: block number (0 for the opening, then
    /// every block in reading order from 1) and byte offset in that block's text (table rows:
    /// the row number). The EPUB places its print page numbers here.
    pub(crate) text_start: Option<(u32, u32)>,
    /// On a paragraph's first slab: how many slabs (lines) the paragraph has, and the same
    /// paragraph set a line longer or shorter, which pagination may take to fill a page.
    pub(crate) paragraph: Option<Box<Paragraph>>,
    /// On a table's body rows: the header row, set again at the top of each page the table
    /// goes on to (续表), and the rule that closes the part of the table a page ends with.
    pub(crate) table: Option<Arc<TablePart>>,
    /// The notes the line calls (their numbers), and with notes at the page foot, their
    /// bodies, which go on the page this slab goes on.
    pub(crate) callers: Vec<usize>,
    pub(crate) notes: Vec<Arc<NoteBody>>,
}

/// A note set for the foot of a page: which it is (the book's part, the note's number in it)
/// and its lines, the first with its number.
pub(crate) struct NoteBody {
    pub(crate) id: (u32, usize),
    pub(crate) slabs: Vec<Slab>,
}

/// What a table row needs to know when a page break comes inside its table.
pub(crate) struct TablePart {
    /// 续表, at the right above the header where the table goes on to a new page.
    pub(crate) continued: Slab,
    pub(crate) head: Slab,
    /// The closing rule: from x0 to x1 at the bottom of the row.
    pub(crate) rule: (f32, f32),
}

impl Slab {
    /// A copy of this slab's drawing, structure and anchors: a note's line, placed at a foot.
    pub(crate) fn copy(&self) -> Slab {
        let mut copy = Slab::new(self.slots);
        copy.items = self.items.clone();
        copy.lines = self.lines.clone();
        copy.anchors = self.anchors.clone();
        copy
    }

    /// A copy of this slab's drawing, as a page artifact: a table's header row set again.
    fn artifact_copy(&self) -> Slab {
        let mut copy = self.copy();
        copy.anchors.clear();
        copy.items.iter_mut().for_each(|item| item.set_mark(super::frame::Mark::Decoration));
        copy
    }
}

/// A paragraph's size and its variants (see `Slab::paragraph`).
pub(crate) struct Paragraph {
    pub(crate) lines: usize,
    pub(crate) variants: Vec<Variant>,
    /// Where each of its lines starts: a variant that starts its first lines where these do
    /// can take the place of the lines on a later page of a paragraph a page break divides.
    pub(crate) starts: Vec<Option<(u32, u32)>>,
}

/// A paragraph set in a different number of lines: its slabs and its demerits.
pub(crate) struct Variant {
    pub(crate) slabs: Vec<Slab>,
    pub(crate) demerits: f64,
}

/// Where a page may open blank lines between blocks to end on the grid's last line, as a
/// compositor adds space above a heading rather than leave the foot empty: above a heading
/// and below an essay's opening (up to two lines), and above or below a figure, code, a display
/// formula, a quotation, a section break or a table (one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Opening {
    None,
    Block,
    Heading,
}

impl Opening {
    fn lines(self) -> usize {
        match self {
            Opening::None => 0,
            Opening::Block => 1,
            Opening::Heading => 2,
        }
    }
}

impl Slab {
    pub(crate) fn new(slots: usize) -> Slab {
        Slab {
            slots,
            items: Vec::new(),
            lines: Vec::new(),
            baseline: None,
            keep_with_next: false,
            discardable: false,
            room_above: Opening::None,
            anchors: Vec::new(),
            brk: Break::None,
            opens_essay: None,
            text_start: None,
            paragraph: None,
            table: None,
            callers: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Adds `items` to the slab and to the first slab of each of its variants, before what is
    /// there (a list item's marker beside its first line, read before it).
    pub(crate) fn add_to_first_line(&mut self, items: Vec<Item>) {
        if let Some(p) = &mut self.paragraph {
            for v in &mut p.variants {
                if let Some(first) = v.slabs.first_mut() {
                    first.items.splice(0..0, items.iter().cloned());
                }
            }
        }
        self.items.splice(0..0, items);
    }

    /// Why this slab, with the slabs it keeps with, did not fit at a page's foot.
    fn kept_because(&self) -> &'static str {
        let line = self.lines.first();
        match line.map(|l| l.kind) {
            _ if self.items.iter().any(|i| matches!(i, Item::Image { .. })) => "a figure taller than the room left",
            Some(LineKind::Heading | LineKind::Title) => "a heading kept with the two lines after it",
            Some(LineKind::Code) => "a code block's first or last two lines kept together",
            Some(LineKind::Table) => "a table row, which is not split, or the header kept with it",
            Some(_) if line.is_some_and(|l| l.first) => "a paragraph's first two lines kept together",
            Some(_) => "a paragraph's last two lines kept together",
            None if self.items.iter().any(|i| matches!(i, Item::Rule { .. })) => "a section break kept with the text after it",
            None => "space kept with what follows",
        }
    }

    /// A figure made `less` slots shorter, its picture scaled down about its centre, if that
    /// keeps most of its height (`SMALLEST_FIGURE`); whether it could be.
    fn shrink_figure(&mut self, less: usize, pitch: f32) -> bool {
        let slots = self.slots.saturating_sub(less);
        let [Item::Image { x, y, w, h, .. }] = &mut self.items[..] else { return false };
        let room = (slots as f32 - 0.4) * pitch;
        if !self.lines.is_empty() || less == 0 || slots < 2 || room < SMALLEST_FIGURE * *h {
            return false;
        }
        let scale = (room / *h).min(1.0);
        *x += *w * (1.0 - scale) / 2.0;
        (*w, *h) = (*w * scale, *h * scale);
        *y = (slots as f32 * pitch - *h) / 2.0;
        self.slots = slots;
        true
    }

    /// Blank space that goes with what follows it and disappears at the top of a page.
    pub(crate) fn space(slots: usize) -> Slab {
        Slab { discardable: true, keep_with_next: true, ..Slab::new(slots) }
    }
}

/// A page under construction, with what running heads need to know.
pub(crate) struct Draft {
    pub(crate) page: Page,
    /// The essay whose text is on this page.
    pub(crate) essay: Option<usize>,
    /// An essay opens on this page (no running head).
    pub(crate) opener: bool,
    /// A blank page inserted so the next essay opens on a recto.
    pub(crate) blank: bool,
    /// Where the page's text starts: the essay and the first placed slab's `text_start`.
    pub(crate) start: Option<(usize, u32, u32)>,
}

/// Fills pages with slabs in order. Only the last page is ever changed, so the ones before it
/// can be taken away (`take_done`) while later slabs are still to come. The last page's slabs
/// stay apart from its draft until the page is done: where the next slabs do not fit and
/// the page would end short, a paragraph on it may be set a line longer or shorter and the
/// page set again (`fill`).
pub(crate) struct Paginator<'g> {
    geo: &'g Geometry,
    /// The pages not yet taken: the page numbered `taken` comes first.
    pub pages: Vec<Draft>,
    taken: usize,
    slot: usize,
    essay: Option<usize>,
    /// Anchor → (page index, counting taken pages, y).
    pub(crate) anchors: HashMap<String, (usize, f32)>,
    /// The last page's slabs, each with its first slot, and the essay at the page's top.
    current: Vec<(Slab, usize)>,
    essay_at_top: Option<usize>,
    /// Times the last page was set again: bounded, so filling it always ends.
    refills: usize,
    /// A paragraph that began on an earlier page and goes on to the last one: its variants,
    /// and how many of its lines the earlier pages hold.
    continued: Option<(Box<Paragraph>, usize)>,
    /// Notes at the last page's foot: the lines of a note begun on the page before, then the
    /// notes its lines call; the lines that go on at the next page's foot; every note placed
    /// so far, and those placed on the last page (by `NoteBody::id`).
    carried_in: Vec<Slab>,
    foot: Vec<Slab>,
    carry_out: Vec<Slab>,
    placed_notes: std::collections::HashSet<(u32, usize)>,
    page_notes: Vec<(u32, usize)>,
}

impl<'g> Paginator<'g> {
    pub(crate) fn new(geo: &'g Geometry) -> Paginator<'g> {
        Paginator { geo, pages: Vec::new(), taken: 0, slot: 0, essay: None, anchors: HashMap::new(), current: Vec::new(), essay_at_top: None, refills: 0, continued: None, carried_in: Vec::new(), foot: Vec::new(), carry_out: Vec::new(), placed_notes: Default::default(), page_notes: Vec::new() }
    }

    /// Pages made so far, taken or not.
    pub(crate) fn count(&self) -> usize {
        self.taken + self.pages.len()
    }

    /// Takes the finished pages (all but the last), with the index of the first.
    pub(crate) fn take_done(&mut self) -> (usize, Vec<Draft>) {
        self.take(self.pages.len().saturating_sub(1))
    }

    /// Takes every page left, with the index of the first.
    pub(crate) fn take_all(&mut self) -> (usize, Vec<Draft>) {
        self.commit();
        self.take(self.pages.len())
    }

    fn take(&mut self, count: usize) -> (usize, Vec<Draft>) {
        let first = self.taken;
        self.taken += count;
        (first, self.pages.drain(..count).collect())
    }

    fn new_page(&mut self, blank: bool) {
        self.commit();
        self.carried_in = std::mem::take(&mut self.carry_out);
        self.page_notes.clear();
        self.pages.push(Draft { page: Page::default(), essay: self.essay, opener: false, blank, start: None });
        self.slot = 0;
        self.essay_at_top = self.essay;
        self.refills = 0;
    }

    /// Moves the last page's slabs into its draft, at their places.
    fn commit(&mut self) {
        self.note_continued();
        let index = (self.taken + self.pages.len()).saturating_sub(1);
        let Some(draft) = self.pages.last_mut() else { return };
        for (slab, slot) in self.current.drain(..) {
            let top = self.geo.top + slot as f32 * self.geo.pitch;
            set_down(&mut draft.page, slab.items, slab.lines, top);
            for anchor in slab.anchors {
                if self.anchors.get(&anchor).is_some_and(|&(page, y)| page == index && y == top) {
                    draft.page.anchors.push((anchor, top));
                }
            }
        }
        // The notes, under a short rule, end on the grid's last line.
        let foot: Vec<Slab> = self.carried_in.drain(..).chain(self.foot.drain(..)).collect();
        if foot.is_empty() {
            return;
        }
        let mut slot = self.geo.lines - foot.iter().map(|s| s.slots).sum::<usize>() - 1;
        let y = self.geo.top + (slot as f32 + 0.5) * self.geo.pitch;
        draft.page.items.push(Item::Rule { x0: 0.0, y0: y, x1: self.geo.measure / 4.0, y1: y, width: 0.5 });
        for slab in foot {
            slot += 1;
            let top = self.geo.top + slot as f32 * self.geo.pitch;
            set_down(&mut draft.page, slab.items, slab.lines, top);
            for anchor in slab.anchors {
                if let std::collections::hash_map::Entry::Vacant(e) = self.anchors.entry(anchor) {
                    draft.page.anchors.push((e.key().clone(), top));
                    e.insert((index, top));
                }
            }
            slot += slab.slots - 1;
        }
    }

    /// The slots the last page's notes take, with their rule.
    fn foot_slots(&self) -> usize {
        let lines: usize = self.carried_in.iter().chain(&self.foot).map(|s| s.slots).sum();
        if lines == 0 { 0 } else { lines + 1 }
    }

    /// The slots of text the last page has room for, its notes taken away.
    fn room(&self) -> usize {
        self.geo.lines.saturating_sub(self.foot_slots())
    }

    /// The notes `slab` calls that are not placed yet, at the foot of this page: as many of
    /// their lines as leave `reserve` slots for the text, the rest at the next page's foot.
    fn place_notes(&mut self, slab: &Slab, reserve: usize) {
        for note in &slab.notes {
            if !self.placed_notes.insert(note.id) {
                continue;
            }
            self.page_notes.push(note.id);
            for line in &note.slabs {
                let rule = usize::from(self.foot_slots() == 0);
                let fits = self.carry_out.is_empty() && self.slot + reserve + self.foot_slots() + rule + line.slots <= self.geo.lines;
                let copy = line.copy();
                if fits { self.foot.push(copy) } else { self.carry_out.push(copy) }
            }
        }
    }

    /// Before the last page is committed: the paragraph that goes on past it, if any.
    fn note_continued(&mut self) {
        let on_page = self.current.len();
        if let Some((p, before)) = &mut self.continued
            && *before + on_page < p.lines
            && self.current.iter().all(|(s, _)| s.paragraph.is_none())
        {
            *before += on_page;
            return;
        }
        self.continued = None;
        let Some(at) = self.current.iter().rposition(|(s, _)| s.paragraph.is_some()) else { return };
        let first = &mut self.current[at].0;
        if first.paragraph.as_ref().is_some_and(|p| at + p.lines > on_page) {
            self.continued = first.paragraph.take().map(|p| (p, on_page - at));
        }
    }

    fn current_is_empty(&self) -> bool {
        self.pages.last().is_none_or(|d| !d.blank && d.page.items.is_empty() && d.page.lines.is_empty() && self.current.is_empty() && self.slot == 0)
    }

    /// Places slabs, breaking pages where a slab (with the slabs it keeps with) does not fit.
    pub(crate) fn place(&mut self, slabs: Vec<Slab>) {
        let mut queue: VecDeque<Slab> = slabs.into();
        while let Some(slab) = queue.pop_front() {
            self.place_one(slab, &mut queue);
        }
    }

    fn place_one(&mut self, slab: Slab, queue: &mut VecDeque<Slab>) {
        match slab.brk {
            Break::None => {}
            Break::Page | Break::Recto => {
                if !self.current_is_empty() || self.pages.is_empty() {
                    self.new_page(false);
                }
                if slab.brk == Break::Recto && self.geo.print && self.count().is_multiple_of(2) {
                    // The current (empty) page is a verso: leave it blank.
                    self.pages.last_mut().expect("a page").blank = true;
                    self.new_page(false);
                }
            }
        }
        if self.pages.is_empty() {
            self.new_page(false);
        }
        let (body, notes) = self.need(&slab, queue);
        // A note that does not fit whole goes on at the next page's foot, if two of its lines
        // fit here with the text that calls it.
        let split = notes > 0 && self.slot + body + self.foot_slots() + usize::from(self.foot_slots() == 0) + 2 <= self.geo.lines;
        let need = if split { body } else { body + notes };
        if self.slot > 0 && self.slot + need > self.room() {
            // Space at the foot of a page (after a table) is no space: the page ends above it.
            while self.current.last().is_some_and(|(s, _)| s.discardable && s.anchors.is_empty()) {
                let (space, _) = self.current.pop().expect("a slab");
                self.slot -= space.slots;
            }
            if self.slot == 0 {
                return self.place_one(slab, queue);
            }
            let free = self.room().saturating_sub(self.slot);
            if free > 0 {
                if self.fill(need, slab, queue) {
                    return;
                }
                let slab = queue.pop_front().expect("fill puts the slab back");
                // The space before a heading gives way at a foot where that lets the heading
                // and its lines end the page full.
                if slab.discardable && need - slab.slots == free {
                    return;
                }
                let why = if slab.discardable { queue.front().map_or("space", Slab::kept_because) } else { slab.kept_because() };
                self.pages.last_mut().expect("a page").page.short = Some((free, why));
                self.break_inside_table(&slab);
                self.new_page(false);
                self.continue_table(&slab);
                return self.place_one(slab, queue);
            }
            self.break_inside_table(&slab);
            self.new_page(false);
            self.continue_table(&slab);
        }
        if slab.discardable && self.slot == 0 {
            return;
        }
        if let Some(e) = slab.opens_essay {
            self.essay = Some(e);
            let draft = self.pages.last_mut().expect("a page");
            draft.essay = Some(e);
            draft.opener = true;
        }
        let top = self.geo.top + self.slot as f32 * self.geo.pitch;
        let index = self.pages.len() - 1;
        if let (Some(essay), Some((block, offset)), None) = (self.essay, slab.text_start, &self.pages[index].start) {
            self.pages[index].start = Some((essay, block, offset));
        }
        for anchor in &slab.anchors {
            self.anchors.entry(anchor.clone()).or_insert((self.taken + index, top));
        }
        if !slab.notes.is_empty() {
            self.place_notes(&slab, body);
        }
        let slots = slab.slots;
        self.current.push((slab, self.slot));
        self.slot += slots;
    }

    /// A page ends before `next`: if it ends inside a table, the part on it gets its closing rule.
    fn break_inside_table(&mut self, next: &Slab) {
        let (Some(part), Some((last, _))) = (&next.table, self.current.last_mut()) else { return };
        if last.table.is_some() || last.lines.iter().any(|l| l.kind == LineKind::Table) {
            let y = last.slots as f32 * self.geo.pitch;
            last.items.push(Item::Rule { x0: part.rule.0, y0: y, x1: part.rule.1, y1: y, width: 0.8 });
        }
    }

    /// A new page starts with `next`: a table's row gets 续表 and its header row above it.
    fn continue_table(&mut self, next: &Slab) {
        if let Some(part) = &next.table {
            let (continued, head) = (part.continued.artifact_copy(), part.head.artifact_copy());
            let below = continued.slots;
            self.slot = below + head.slots;
            self.current.push((continued, 0));
            self.current.push((head, below));
        }
    }

    /// The slots `slab` needs on this page: itself and every slab it keeps with, at most a
    /// page; and the slots the notes they call take at the foot, with the rule above them.
    fn need(&self, slab: &Slab, queue: &VecDeque<Slab>) -> (usize, usize) {
        let mut need = slab.slots;
        let mut keeps = slab.keep_with_next;
        let mut notes: Vec<&Arc<NoteBody>> = slab.notes.iter().collect();
        for next in queue {
            if !keeps || next.brk != Break::None || need >= self.geo.lines {
                break;
            }
            need += next.slots;
            keeps = next.keep_with_next;
            notes.extend(&next.notes);
        }
        let mut seen = std::collections::HashSet::new();
        let note_lines: usize = notes
            .into_iter()
            .filter(|n| !self.placed_notes.contains(&n.id) && seen.insert(n.id))
            .map(|n| n.slabs.iter().map(|s| s.slots).sum::<usize>())
            .sum();
        let rule = usize::from(note_lines > 0 && self.foot_slots() == 0);
        (need.min(self.geo.lines), note_lines + rule)
    }

    /// The page would end short: `slab` and what it keeps with need `need` slots. Fills it
    /// the least visible way there is, and sets the page again; returns whether it did.
    /// Either way `slab` goes back to the front of `queue`. In order: paragraphs that start on
    /// the page set a line longer (so the page ends full) or shorter (so `slab` fits), their
    /// lines no looser than ordinary ones; a figure `slab` starts with made smaller to fit;
    /// blank lines above headings and around blocks (`Opening`), with paragraphs a line longer
    /// for the lines they leave.
    fn fill(&mut self, need: usize, slab: Slab, queue: &mut VecDeque<Slab>) -> bool {
        queue.push_front(slab);
        let free = self.room().saturating_sub(self.slot);
        if self.refills >= REFILLS {
            return false;
        }
        let (longer, shorter) = self.variants(queue);
        let openings = self.openings(free);
        let rest = free - openings.len();
        let (chosen, openings) = if let Some(chosen) = self.cheapest(longer.clone(), shorter, need, free) {
            (chosen, Vec::new())
        } else if queue.front_mut().is_some_and(|s| s.shrink_figure(need - free, self.geo.pitch)) {
            return true;
        } else if rest == 0 {
            (Vec::new(), openings)
        } else if let Some(chosen) = self.cheapest(longer, Vec::new(), need, rest) {
            (chosen, openings)
        } else {
            return false;
        };
        // Blank lines first, from the foot up; the paragraphs after them move down by as many.
        let chosen = chosen.into_iter().map(|(d, at, v)| (d, if at == CONTINUED { at } else { at + openings.iter().filter(|&&o| o <= at).count() }, v)).collect();
        for &at in openings.iter().rev() {
            self.current.insert(at, (Slab::space(1), 0));
        }
        self.swap_variants(chosen, queue);
        self.refills += 1;
        self.rewind(queue);
        true
    }

    /// The variants of the paragraphs on the last page that may take the place of their lines,
    /// a line longer and a line shorter.
    fn variants(&self, queue: &VecDeque<Slab>) -> (Vec<Choice>, Vec<Choice>) {
        let mut longer = Vec::new();
        let mut shorter = Vec::new();
        for (at, (slab, _)) in self.current.iter().enumerate() {
            let Some(p) = &slab.paragraph else { continue };
            // A paragraph that started on this page and goes on past it has its other lines
            // at the front of the queue.
            if at + p.lines > self.current.len() + queue.len() {
                continue;
            }
            for (v, variant) in p.variants.iter().enumerate() {
                match variant.slabs.len() as isize - p.lines as isize {
                    1 => longer.push((variant.demerits, at, v)),
                    -1 => shorter.push((variant.demerits, at, v)),
                    _ => {}
                }
            }
        }
        // The paragraph the page starts inside: a variant that breaks its lines on the pages
        // before where they are broken can change its lines on this one.
        if let Some((p, before)) = &self.continued {
            for (v, variant) in p.variants.iter().enumerate() {
                let same_start = variant.slabs.len() > *before && (0..=*before).all(|i| variant.slabs[i].text_start == p.starts.get(i).copied().flatten());
                match (same_start, variant.slabs.len() as isize - p.lines as isize) {
                    (true, 1) => longer.push((variant.demerits, CONTINUED, v)),
                    (true, -1) => shorter.push((variant.demerits, CONTINUED, v)),
                    _ => {}
                }
            }
        }
        (longer, shorter)
    }

    /// The cheapest variants that fill the page: `free` paragraphs a line longer, or enough a
    /// line shorter that `need` slots fit, whichever costs less.
    fn cheapest(&self, longer: Vec<Choice>, shorter: Vec<Choice>, need: usize, free: usize) -> Option<Vec<Choice>> {
        let cheapest = |mut options: Vec<Choice>, n: usize| {
            options.sort_by(|a, b| a.0.total_cmp(&b.0));
            options.truncate(n);
            (options.len() == n).then(|| (options.iter().map(|o| o.0).sum::<f64>(), options))
        };
        let lengthen = cheapest(longer, free);
        let shorten = if need < self.room() { cheapest(shorter, need - free) } else { None };
        match (lengthen, shorten) {
            (Some(a), Some(b)) => Some(if b.0 < a.0 { b.1 } else { a.1 }),
            (Some(a), None) => Some(a.1),
            (None, Some(b)) => Some(b.1),
            (None, None) => None,
        }
    }

    /// Swaps the chosen paragraphs' lines on the last page for their variants.
    fn swap_variants(&mut self, mut chosen: Vec<Choice>, queue: &mut VecDeque<Slab>) {
        // From the last paragraph up, the one the page starts inside last: the indices of those
        // before stay good.
        chosen.sort_by_key(|&(_, at, _)| std::cmp::Reverse(at.wrapping_add(1)));
        for (_, at, v) in chosen {
            if at == CONTINUED {
                let (mut p, before) = self.continued.take().expect("a continued paragraph");
                let variant = p.variants.swap_remove(v);
                let on_page = (p.lines - before).min(self.current.len());
                queue.drain(..p.lines - before - on_page);
                let replaced: Vec<(Slab, usize)> = variant.slabs.into_iter().skip(before).map(|s| (s, 0)).collect();
                self.current.splice(..on_page, replaced);
                continue;
            }
            let first = &mut self.current[at].0;
            let mut p = first.paragraph.take().expect("a paragraph");
            let variant = p.variants.swap_remove(v);
            let on_page = p.lines.min(self.current.len() - at);
            queue.drain(..p.lines - on_page);
            let replaced: Vec<(Slab, usize)> = variant.slabs.into_iter().map(|s| (s, 0)).collect();
            self.current.splice(at..at + on_page, replaced);
        }
    }

    /// Where on the last page up to `free` blank lines can open (`Opening`), a line at a time,
    /// from the page's foot up and headings first: each slab index once per line it takes, in
    /// order.
    fn openings(&self, free: usize) -> Vec<usize> {
        let mut places: Vec<(Opening, usize)> = (1..self.current.len())
            .filter(|&i| !self.current[i - 1].0.keep_with_next && self.current[i].0.room_above != Opening::None)
            .map(|i| (self.current[i].0.room_above, i))
            .collect();
        places.sort_by(|a, b| b.cmp(a));
        let mut chosen = Vec::new();
        for round in 0..Opening::Heading.lines() {
            for &(opening, at) in &places {
                if chosen.len() < free && round < opening.lines() {
                    chosen.push(at);
                }
            }
        }
        chosen.sort_unstable();
        chosen
    }

    /// Takes the last page's slabs back to the front of `queue`, to be placed again.
    fn rewind(&mut self, queue: &mut VecDeque<Slab>) {
        let index = self.taken + self.pages.len() - 1;
        for (slab, _) in self.current.drain(..).rev() {
            for anchor in &slab.anchors {
                if self.anchors.get(anchor).is_some_and(|&(page, _)| page == index) {
                    self.anchors.remove(anchor);
                }
            }
            queue.push_front(slab);
        }
        self.slot = 0;
        for note in self.page_notes.drain(..) {
            self.placed_notes.remove(&note);
        }
        self.foot.clear();
        self.carry_out.clear();
        self.essay = self.essay_at_top;
        let draft = self.pages.last_mut().expect("a page");
        draft.essay = self.essay_at_top;
        draft.opener = false;
        draft.start = None;
    }

    /// Pads with a blank page so that the page count is even (print mode front matter).
    pub(crate) fn pad_to_even(&mut self) {
        if self.count() % 2 == 1 {
            self.new_page(true);
        }
    }
}

/// Puts a slab's items and lines on `page`, its top at `top`.
fn set_down(page: &mut Page, items: Vec<Item>, lines: Vec<Line>, top: f32) {
    for mut item in items {
        item.translate(0.0, top);
        page.items.push(item);
    }
    for mut line in lines {
        line.translate(0.0, top);
        page.lines.push(line);
    }
}

/// A paragraph variant `fill` may take: its demerits, where on the last page the paragraph
/// starts (`CONTINUED` for the one the page starts inside) and which of its variants.
type Choice = (f64, usize, usize);

/// How many times a page may be set again to fill it.
const REFILLS: usize = 4;
/// A figure may be made this much smaller (in height) to end a page full.
const SMALLEST_FIGURE: f32 = 0.7;
/// In `fill`, the paragraph the page starts inside.
const CONTINUED: usize = usize::MAX;

#[cfg(test)]
mod tests {
    use super::*;

    fn geo() -> Geometry {
        Geometry::new(&PdfConfig::default())
    }

    #[test]
    fn a5_grid_is_whole_ems_and_whole_lines() {
        let g = geo();
        assert!((g.measure / g.size - (g.measure / g.size).round()).abs() < 1e-4);
        assert_eq!((g.measure / g.size).round() as usize, 28);
        assert_eq!(g.lines, 28);
        assert!(g.bottom() < g.height - 50.0);
    }

    #[test]
    fn kept_slabs_move_to_the_next_page_together() {
        let g = geo();
        let mut p = Paginator::new(&g);
        let mut slabs: Vec<Slab> = (0..g.lines - 1).map(|_| Slab::new(1)).collect();
        let mut heading = Slab::new(1);
        heading.keep_with_next = true;
        heading.anchors.push("h".into());
        slabs.push(heading);
        slabs.push(Slab::new(1));
        p.place(slabs);
        assert_eq!(p.pages.len(), 2);
        assert_eq!(p.anchors["h"].0, 1, "the heading went with its line");
    }

    #[test]
    fn finished_pages_can_be_taken_while_slabs_still_come() {
        let g = geo();
        let mut p = Paginator::new(&g);
        let lines = |n: usize| (0..n).map(|_| Slab::new(1)).collect::<Vec<_>>();
        p.place(lines(2 * g.lines + 3));
        let (first, done) = p.take_done();
        assert_eq!((first, done.len(), p.pages.len(), p.count()), (0, 2, 1, 3));
        let mut anchored = Slab::new(1);
        anchored.anchors.push("a".into());
        let mut slabs = lines(g.lines - 3);
        slabs.push(anchored);
        p.place(slabs);
        assert_eq!(p.anchors["a"].0, 3, "counted with the pages taken");
        let (first, rest) = p.take_all();
        assert_eq!((first, rest.len(), p.count()), (2, 2, 4));
        assert_eq!(rest[1].page.anchors, [("a".to_owned(), g.top)]);
    }

    /// A paragraph of `lines` body lines (first two and last two kept together), with a
    /// variant a line longer.
    fn paragraph(lines: usize) -> Vec<Slab> {
        let line = |i: usize, count: usize| {
            let mut slab = Slab::new(1);
            slab.lines.push(Line { kind: LineKind::Body, y: 0.0, first: i == 0, last: i + 1 == count, adjusted: false, clusters: Vec::new() });
            slab.keep_with_next = count > 1 && (i == 0 || i + 2 == count);
            slab.text_start = Some((1, i as u32));
            slab
        };
        let mut slabs: Vec<Slab> = (0..lines).map(|i| line(i, lines)).collect();
        let longer = (0..=lines).map(|i| line(i, lines + 1)).collect();
        slabs[0].paragraph = Some(Box::new(Paragraph { lines, variants: vec![Variant { slabs: longer, demerits: 1.0 }], starts: vec![] }));
        slabs
    }

    #[test]
    fn a_page_that_would_end_short_sets_a_paragraph_a_line_longer() {
        let g = geo();
        let mut p = Paginator::new(&g);
        // 5 paragraphs of 5 lines fill 25 slots, and one of 2 lines 27: the next paragraph's
        // first two lines do not fit in the 28th.
        let mut slabs: Vec<Slab> = (0..5).flat_map(|_| paragraph(5)).collect();
        slabs.extend(paragraph(2));
        slabs.extend(paragraph(4));
        p.place(slabs);
        let (_, pages) = p.take_all();
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[0].page.lines.len(), g.lines, "the first page ends full");
        assert!(pages[0].page.short.is_none());
        assert_eq!(pages[1].page.lines.len(), 4);
    }

    /// `n` lines of body text, a slab each, set one way only.
    fn plain_lines(n: usize) -> Vec<Slab> {
        (0..n)
            .map(|_| {
                let mut slab = Slab::new(1);
                slab.lines.push(Line { kind: LineKind::Body, y: 0.0, first: false, last: false, adjusted: false, clusters: Vec::new() });
                slab
            })
            .collect()
    }

    /// A paragraph of two lines that stay together, set one way only.
    fn couplet() -> Vec<Slab> {
        let mut lines = plain_lines(2);
        lines[0].keep_with_next = true;
        lines[0].lines[0].first = true;
        lines
    }

    #[test]
    fn a_page_that_would_end_short_opens_a_line_above_a_heading_on_it() {
        let g = geo();
        let mut p = Paginator::new(&g);
        // 10 lines, the space before a heading, the heading and 15 lines fill 27 slots; the
        // couplet after them does not fit in the 28th, and no paragraph has a variant.
        let mut slabs = plain_lines(10);
        let mut space = Slab::space(1);
        space.room_above = Opening::Heading;
        slabs.push(space);
        let mut heading = Slab::new(1);
        heading.lines.push(Line { kind: LineKind::Heading, y: 0.0, first: true, last: true, adjusted: false, clusters: Vec::new() });
        heading.keep_with_next = true;
        slabs.push(heading);
        slabs.extend(plain_lines(15));
        slabs.extend(couplet());
        p.place(slabs);
        let (_, pages) = p.take_all();
        assert_eq!(pages.len(), 2);
        let first = &pages[0].page;
        assert!(first.short.is_none());
        let last_y = first.lines.iter().map(|l| l.y).fold(0.0_f32, f32::max);
        assert!((last_y - (g.top + (g.lines - 1) as f32 * g.pitch)).abs() < 0.01, "the page ends on its last grid line");
        let heading_y = first.lines.iter().find(|l| l.kind == LineKind::Heading).map(|l| l.y).unwrap();
        assert!((heading_y - (g.top + 12.0 * g.pitch)).abs() < 0.01, "a line opened above the heading's space: {heading_y}");
        // Without a place to open one, the page ends short and says why.
        let mut p = Paginator::new(&g);
        let mut slabs = plain_lines(g.lines - 1);
        slabs.extend(couplet());
        p.place(slabs);
        let (_, pages) = p.take_all();
        assert_eq!(pages[0].page.short, Some((1, "a paragraph's first two lines kept together")));
    }

    #[test]
    fn a_figure_a_little_taller_than_the_room_left_is_made_smaller_to_end_the_page() {
        let g = geo();
        let figure = |slots: usize| {
            let mut slab = Slab::new(slots);
            let h = (slots as f32 - 0.4) * g.pitch;
            slab.items.push(Item::Image { asset: 0, x: 0.0, y: 0.2 * g.pitch, w: 2.0 * h, h, mark: super::super::frame::Mark::Decoration });
            slab
        };
        // Eight slots are left for a figure of ten: it is scaled to fit them, about its centre.
        let mut p = Paginator::new(&g);
        let mut slabs = plain_lines(g.lines - 8);
        slabs.push(figure(10));
        slabs.extend(plain_lines(3));
        p.place(slabs);
        let (_, pages) = p.take_all();
        assert_eq!(pages.len(), 2);
        let Some(&Item::Image { x, y, w, h, .. }) = pages[0].page.items.iter().find(|i| matches!(i, Item::Image { .. })) else { panic!("the figure is on the first page") };
        let full = 9.6 * g.pitch;
        assert!((h - 7.6 * g.pitch).abs() < 0.01 && (w - 2.0 * h).abs() < 0.01, "{w} × {h}");
        assert!((x - (2.0 * full - w) / 2.0).abs() < 0.01, "centred: {x}");
        assert!(y + h <= g.bottom() + 0.01 && y + h > g.bottom() - g.pitch, "at the foot: {}", y + h);
        assert!(pages[0].page.short.is_none());
        // Four slots for a figure of ten would take away more than it keeps: it goes on.
        let mut p = Paginator::new(&g);
        let mut slabs = plain_lines(g.lines - 4);
        slabs.push(figure(10));
        p.place(slabs);
        let (_, pages) = p.take_all();
        assert_eq!(pages[0].page.short, Some((4, "a figure taller than the room left")));
        assert!(pages[1].page.items.iter().any(|i| matches!(i, Item::Image { h, .. } if (*h - 9.6 * g.pitch).abs() < 0.01)));
    }

    #[test]
    fn space_is_dropped_at_the_top_and_recto_breaks_insert_blanks_in_print() {
        let g = Geometry::new(&PdfConfig { print: true, ..PdfConfig::default() });
        let mut p = Paginator::new(&g);
        let mut a = Slab::new(1);
        a.brk = Break::Recto;
        let mut b = Slab::new(1);
        b.brk = Break::Recto;
        b.anchors.push("b".into());
        p.place(vec![a, Slab::space(1), b]);
        assert_eq!(p.pages.len(), 3);
        assert!(p.pages[1].blank);
        assert_eq!(p.anchors["b"], (2, g.top));
    }
}
