//! Paragraph layout in four steps: collect the inlines into styled text, shape it into
//! clusters, break the clusters into lines (禁则 from `kinsoku`), and set each line
//! (justified, left, centred or right) as positioned runs.

use std::collections::BTreeSet;
use std::ops::Range;

use crate::font::{FontId, FontSet, Glyph, Lang};
use super::frame::{Cluster, Item, LinkTo, Mark, RunGlyph, TextRun};
use crate::kinsoku::{self, Class};
use crate::config::Punctuation;
use crate::doc::{Inline, LinkTarget};

/// How a piece of text is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub font: FontId,
    /// Size relative to the paragraph's size (sup/sub are smaller).
    pub scale: f32,
    /// Baseline shift in em of the paragraph size, upwards positive.
    pub rise: f32,
    pub emph: bool,
    pub strike: bool,
    /// Index into `Para::links`.
    pub link: Option<usize>,
}

impl Style {
    pub fn plain(font: FontId) -> Style {
        Style { font, scale: 1.0, rise: 0.0, emph: false, strike: false, link: None }
    }
}

/// Styled text ready to shape: one string, with style spans covering all of it.
#[derive(Debug, Clone, Default)]
pub struct Para {
    pub text: String,
    spans: Vec<(Range<usize>, Style)>,
    links: Vec<LinkTo>,
}

impl Para {
    pub fn push(&mut self, text: &str, style: Style) {
        if text.is_empty() {
            return;
        }
        let start = self.text.len();
        self.text.push_str(text);
        match self.spans.last_mut() {
            Some((range, s)) if *s == style && range.end == start => range.end = self.text.len(),
            _ => self.spans.push((start..self.text.len(), style)),
        }
    }

    /// A paragraph of one plain string.
    pub fn plain(text: &str, font: FontId) -> Para {
        let mut p = Para::default();
        p.push(text, Style::plain(font));
        p
    }

    /// Collects inline content. `anchor` turns a note number or a local id into an anchor name.
    pub fn from_inlines(inlines: &[Inline], font: FontId, anchor: &dyn Fn(Anchor) -> String) -> Para {
        let mut p = Para::default();
        p.collect(inlines, Style::plain(font), anchor);
        p
    }

    fn collect(&mut self, inlines: &[Inline], style: Style, anchor: &dyn Fn(Anchor) -> String) {
        for inline in inlines {
            match inline {
                Inline::Text(t) => self.push(t, style),
                Inline::Code(t) | Inline::Math(t) => self.push(t, Style { font: FontId::MONO, ..style }),
                Inline::Emph(c) => self.collect(c, Style { emph: true, ..style }, anchor),
                Inline::Strong(c) => self.collect(c, Style { font: bold(style.font), ..style }, anchor),
                Inline::Strike(c) => self.collect(c, Style { strike: true, ..style }, anchor),
                Inline::Sup(c) => self.collect(c, Style { scale: 0.7, rise: style.rise + 0.35, ..style }, anchor),
                Inline::Sub(c) => self.collect(c, Style { scale: 0.7, rise: style.rise - 0.15, ..style }, anchor),
                Inline::Link { target, content } => {
                    let to = match target {
                        LinkTarget::External(url) => Some(LinkTo::Url(url.clone())),
                        LinkTarget::Local(id) => Some(LinkTo::Anchor(anchor(Anchor::Id(id)))),
                        LinkTarget::Essay { essay, heading: Some(h) } => Some(LinkTo::Anchor(format!("{essay}#{h}"))),
                        LinkTarget::Essay { essay, heading: None } => Some(LinkTo::Anchor(essay.clone())),
                        LinkTarget::Unresolved { .. } => None,
                    };
                    let link = to.map(|to| {
                        self.links.push(to);
                        self.links.len() - 1
                    });
                    self.collect(content, Style { link: link.or(style.link), ..style }, anchor);
                }
                Inline::Image { alt, .. } | Inline::ImageRef { alt, .. } => {
                    self.push(&crate::doc::image_text(alt), style);
                }
                Inline::LineBreak => self.push("\n", style),
                Inline::NoteRef(n) => {
                    self.links.push(LinkTo::Anchor(anchor(Anchor::Note(*n))));
                    let sup = Style { scale: 0.6, rise: 0.4, link: Some(self.links.len() - 1), ..style };
                    self.push(&n.to_string(), sup);
                }
            }
        }
    }
}

/// What an anchor name is made from.
pub enum Anchor<'a> {
    Id(&'a str),
    Note(usize),
}

fn bold(font: FontId) -> FontId {
    if font == FontId::SERIF { FontId::BOLD } else { font }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Justify,
    Left,
    Center,
    Right,
}

/// The shape of the lines to fill.
#[derive(Debug, Clone, Copy)]
pub struct Measure {
    pub width: f32,
    /// Indent of the first line (2 em for body paragraphs).
    pub first_indent: f32,
    /// Indent of the other lines (a hanging indent for TOC entries and code).
    pub rest_indent: f32,
    pub align: Align,
    /// Let a full stop or comma at a line's end hang into the margin.
    pub hanging: bool,
}

impl Measure {
    pub fn new(width: f32, align: Align) -> Measure {
        Measure { width, first_indent: 0.0, rest_indent: 0.0, align, hanging: false }
    }

    pub fn indented(self, first: f32, rest: f32) -> Measure {
        Measure { first_indent: first, rest_indent: rest, ..self }
    }

    pub fn hanging(self, hanging: bool) -> Measure {
        Measure { hanging, ..self }
    }
}

/// One laid-out line; x from the left edge of the measure, y from the baseline.
pub struct SetLine {
    pub items: Vec<Item>,
    pub clusters: Vec<Cluster>,
    /// The x where the text ends.
    pub end: f32,
    pub last: bool,
    /// Where the line starts in the paragraph's text, in bytes.
    pub start: usize,
}

impl SetLine {
    pub fn translate(&mut self, dx: f32, dy: f32) {
        for item in &mut self.items {
            item.translate(dx, dy);
        }
        for c in &mut self.clusters {
            c.x += dx;
        }
        self.end += dx;
    }
}

/// A short string (a list or note number, a page number) set on one line at its natural
/// width, from x = 0 on the baseline.
pub fn label(text: &str, size: f32, fonts: &FontSet, punct: Punctuation) -> SetLine {
    let para = Para::plain(text, FontId::SERIF);
    let shaped = shape(&para, size, fonts, punct);
    let width = shaped.natural_width();
    shaped.lines(Measure::new(width, Align::Left)).swap_remove(0)
}

/// Which half of a full-width mark's em box is blank (in SC fonts `，。」` are ink-left,
/// `「（“` ink-right). That half is what punctuation adjustment removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Blank {
    Left,
    Right,
}

/// A shaped cluster: the glyphs of one or more characters that stay together.
#[derive(Debug, Clone)]
struct Piece {
    text: Range<usize>,
    glyphs: Range<usize>,
    /// Advance after punctuation adjustment inside the paragraph (pair compression, style).
    width: f32,
    font: FontId,
    size: f32,
    style: Style,
    wide: bool,
    space: bool,
    /// Half of `……`, which is never spread apart.
    ellipsis: bool,
    newline: bool,
    /// A Han (or kana) character that is not punctuation: Han–Latin spacing and 孤字 count it.
    han: bool,
    /// A Latin letter or digit.
    alnum: bool,
    /// A full-width mark whose blank half may be removed, and which half.
    blank: Option<Blank>,
    /// Space already removed from the left (shifts the glyph) and from the right.
    trim_left: f32,
    trim_right: f32,
    /// A line may end after this piece.
    break_after: bool,
}

impl Piece {
    /// What the piece can still lose at a line's start or end.
    fn edge_trim_left(&self) -> f32 {
        if self.blank == Some(Blank::Left) && self.trim_left == 0.0 { self.size / 2.0 } else { 0.0 }
    }

    fn edge_trim_right(&self) -> f32 {
        if self.blank == Some(Blank::Right) && self.trim_right == 0.0 { self.size / 2.0 } else { 0.0 }
    }
}

/// A paragraph shaped once; it can then be broken into lines at any measure.
pub struct Shaped<'p> {
    para: &'p Para,
    size: f32,
    glyphs: Vec<Glyph>,
    pieces: Vec<Piece>,
    /// Fixed space after each piece (¼ em between Han and Latin), dropped at a break.
    gaps: Vec<f32>,
    /// Prefix sums over pieces (entry k covers pieces before k): widths, gaps, shrink, and
    /// stretchable pairs (pair i is pieces i and i + 1).
    sum_width: Vec<f32>,
    sum_gap: Vec<f32>,
    sum_shrink: Vec<f32>,
    sum_stretch: Vec<u32>,
    /// Characters that no font has, each once.
    pub missing: Vec<char>,
}

/// Shapes `para` at `size` points, with punctuation set in `punct` style.
pub fn shape<'p>(para: &'p Para, size: f32, fonts: &FontSet, punct: Punctuation) -> Shaped<'p> {
    let text = &para.text;
    let mut glyphs = Vec::new();
    let mut pieces: Vec<Piece> = Vec::new();
    let mut missing = Vec::new();
    let mut runs: Vec<(Range<usize>, FontId, Lang, Style)> = Vec::new();
    for (range, style) in &para.spans {
        for (i, c) in text[range.clone()].char_indices() {
            let offset = range.start + i;
            let font = match fonts.pick(style.font, c) {
                Some(f) => f,
                None => {
                    if !missing.contains(&c) {
                        missing.push(c);
                    }
                    style.font
                }
            };
            let end = offset + c.len_utf8();
            let lang = if style.font == FontId::MONO || is_latin_context(c, &text[..offset], &text[end..]) { Lang::Latin } else { Lang::Chinese };
            match runs.last_mut() {
                Some((r, f, l, s)) if r.end == offset && *f == font && (*l == lang || c == ' ') && s == style => r.end = end,
                _ => runs.push((offset..end, font, lang, *style)),
            }
        }
    }
    for (range, font, lang, style) in runs {
        let run_size = size * style.scale;
        let shaped = fonts.get(font).shape_in(&text[range.clone()], lang);
        let first_glyph = glyphs.len();
        let mut i = 0;
        while i < shaped.len() {
            let cluster = shaped[i].cluster;
            let mut j = i + 1;
            while j < shaped.len() && shaped[j].cluster == cluster {
                j += 1;
            }
            let end = shaped.get(j).map_or(range.len(), |g| g.cluster).max(cluster);
            let piece_text = range.start + cluster..range.start + end;
            let s = &text[piece_text.clone()];
            let advance: f32 = shaped[i..j].iter().map(|g| g.advance).sum();
            let mut chars = s.chars();
            let single = match (chars.next(), chars.next()) {
                (Some(c), None) => Some(c),
                _ => None,
            };
            let class = single.map_or(Class::Other, kinsoku::class);
            let adjustable = lang == Lang::Chinese && font != FontId::MONO && j == i + 1 && matches!(class, Class::Stop | Class::Close | Class::Open);
            let blank = if adjustable && (advance - 1.0).abs() < 0.01 {
                fonts.get(font).ink_x(shaped[i].id).and_then(|(x0, x1)| {
                    if x1 <= 0.52 {
                        Some(Blank::Right)
                    } else if x0 >= 0.48 {
                        Some(Blank::Left)
                    } else {
                        None
                    }
                })
            } else {
                None
            };
            let newline = s == "\n";
            pieces.push(Piece {
                wide: s.chars().any(kinsoku::is_wide) || adjustable,
                space: s.chars().all(|c| c == ' '),
                ellipsis: matches!(s, "…" | "⋯"),
                han: s.chars().any(|c| kinsoku::is_wide(c) && kinsoku::class(c) == Class::Other && !matches!(c, '\u{3000}' | '—' | '⸺')),
                alnum: s.chars().all(|c| !kinsoku::is_wide(c) && c.is_alphanumeric()),
                blank,
                newline,
                text: piece_text,
                glyphs: first_glyph + i..first_glyph + j,
                width: if newline { 0.0 } else { advance * run_size },
                font,
                size: run_size,
                style,
                trim_left: 0.0,
                trim_right: 0.0,
                break_after: false,
            });
            i = j;
        }
        glyphs.extend(shaped);
    }
    adjust_punctuation(&mut pieces, text, punct);
    let breaks: BTreeSet<usize> = kinsoku::break_opportunities(text).into_iter().collect();
    for k in 0..pieces.len() {
        let next_start = pieces.get(k + 1).map(|p| p.text.start);
        pieces[k].break_after = pieces[k].newline || next_start.is_some_and(|s| breaks.contains(&s));
    }
    let gaps: Vec<f32> = (0..pieces.len())
        .map(|k| match pieces.get(k + 1) {
            Some(next) if (pieces[k].han && next.alnum) || (pieces[k].alnum && next.han) => 0.25 * size,
            _ => 0.0,
        })
        .collect();
    let prefix = |f: &dyn Fn(usize) -> f32| {
        let mut out = vec![0.0; pieces.len() + 1];
        for k in 0..pieces.len() {
            out[k + 1] = out[k] + f(k);
        }
        out
    };
    let sum_width = prefix(&|k| pieces[k].width);
    let sum_gap = prefix(&|k| gaps[k]);
    let sum_shrink = prefix(&|k| if pieces[k].space { pieces[k].width / 3.0 } else { 0.0 } + gaps[k] / 2.0);
    let mut sum_stretch = vec![0; pieces.len() + 1];
    for k in 0..pieces.len() {
        let pair = pieces.get(k + 1).is_some_and(|next| stretchable(&pieces[k], next));
        sum_stretch[k + 1] = sum_stretch[k] + pair as u32;
    }
    Shaped { para, size, glyphs, pieces, gaps, sum_width, sum_gap, sum_shrink, sum_stretch, missing }
}

/// Removes blank halves inside the paragraph: the punctuation style's own, then one half
/// between two adjacent marks (rule 6), so the same pair has the same width on every line.
fn adjust_punctuation(pieces: &mut [Piece], text: &str, punct: Punctuation) {
    for p in pieces.iter_mut() {
        let Some(blank) = p.blank else { continue };
        let full_stop = matches!(&text[p.text.clone()], "。" | "？" | "！" | "．");
        let halve = match punct {
            Punctuation::Gb => false,
            Punctuation::Kaiming => !full_stop,
            Punctuation::Half => true,
        };
        if halve {
            match blank {
                Blank::Left => p.trim_left = p.size / 2.0,
                Blank::Right => p.trim_right = p.size / 2.0,
            }
        }
    }
    for k in 1..pieces.len() {
        let (before, after) = pieces.split_at_mut(k);
        let (a, b) = (&mut before[k - 1], &mut after[0]);
        if a.blank.is_none() || b.blank.is_none() {
            continue;
        }
        if a.blank == Some(Blank::Right) && b.blank == Some(Blank::Left) && (a.trim_right > 0.0 || b.trim_left > 0.0) {
            continue;
        }
        if a.blank == Some(Blank::Right) && a.trim_right == 0.0 {
            a.trim_right = a.size / 2.0;
        } else if b.blank == Some(Blank::Left) && b.trim_left == 0.0 {
            b.trim_left = b.size / 2.0;
        }
    }
    for p in pieces.iter_mut() {
        p.width -= p.trim_left + p.trim_right;
    }
}

/// Whether `c` is set as Latin text: letters, digits and ASCII, and a quote or apostrophe
/// whose nearest letters on both sides (past spaces and other quotes) are not CJK.
fn is_latin_context(c: char, before: &str, after: &str) -> bool {
    let latin = |c: char| c.is_ascii_alphanumeric() || ((c as u32) < 0x2E80 && !kinsoku::is_wide(c) && c.is_alphabetic());
    let quote = |c: char| matches!(c, '’' | '‘' | '”' | '“');
    let not_cjk = |c: Option<char>| c.is_none_or(|c| !kinsoku::is_wide(c) && (c as u32) < 0x2E80);
    let skip = |c: &char| c.is_whitespace() || quote(*c);
    if quote(c) {
        not_cjk(before.chars().rev().find(|c| !skip(c))) && not_cjk(after.chars().find(|c| !skip(c)))
    } else {
        c.is_ascii() || latin(c)
    }
}

/// How far a gap may stretch before a line counts as loose, in em.
const STRETCH: f32 = 0.25;
/// Past this many em per gap a justified line would look spaced out: it is set ragged.
const LOOSEST: f32 = 0.5;

/// A candidate line end in the total-fit search.
#[derive(Clone, Copy)]
struct Node {
    demerits: f64,
    previous: usize,
}

impl Shaped<'_> {
    /// Breaks into lines and sets them. Lines never overflow `measure.width` unless a single
    /// cluster is wider than the measure.
    pub fn lines(&self, measure: Measure) -> Vec<SetLine> {
        let mut lines = Vec::new();
        let mut start = 0;
        // Forced breaks split the paragraph into segments, each broken on its own.
        while start < self.pieces.len() || lines.is_empty() {
            let end = (start..self.pieces.len()).find(|&k| self.pieces[k].newline).map_or(self.pieces.len(), |k| k + 1);
            for (range, last) in self.break_segment(start, end, measure) {
                let indent = if lines.is_empty() { measure.first_indent } else { measure.rest_indent };
                lines.push(self.set_line(range, indent, measure.width - indent, measure, last));
            }
            if end == start {
                break;
            }
            start = end;
        }
        lines
    }

    /// The widest line when nothing forces a break but newlines: the natural width.
    pub fn natural_width(&self) -> f32 {
        let mut widest: f32 = 0.0;
        let mut current = 0.0;
        for (p, gap) in self.pieces.iter().zip(&self.gaps) {
            if p.newline {
                widest = widest.max(current);
                current = 0.0;
            } else {
                current += p.width + gap;
            }
        }
        widest.max(current)
    }

    /// The shown pieces of a line from `a` to `b`: trailing spaces and newlines dropped,
    /// leading spaces too unless it starts the paragraph.
    fn shown(&self, a: usize, b: usize, starts_paragraph: bool) -> Range<usize> {
        let mut a = a;
        if !starts_paragraph {
            while a < b && self.pieces[a].space {
                a += 1;
            }
        }
        let mut b = b;
        while b > a && (self.pieces[b - 1].space || self.pieces[b - 1].newline) {
            b -= 1;
        }
        a..b
    }

    /// Natural width, stretchable gaps and shrink of the shown pieces `r` as one line.
    fn metrics(&self, r: Range<usize>, hanging: bool) -> (f32, usize, f32) {
        if r.is_empty() {
            return (0.0, 0, 0.0);
        }
        let (a, b) = (r.start, r.end);
        let (first, last) = (&self.pieces[a], &self.pieces[b - 1]);
        let mut width = self.sum_width[b] - self.sum_width[a] + self.sum_gap[b - 1] - self.sum_gap[a];
        width -= first.edge_trim_left() + last.edge_trim_right();
        if hanging && self.hangs(b - 1) {
            width -= last.width - last.edge_trim_right();
        }
        let stretchable = (self.sum_stretch[b - 1] - self.sum_stretch[a]) as usize;
        let shrink = self.sum_shrink[b - 1] - self.sum_shrink[a] + if last.space { last.width / 3.0 } else { 0.0 };
        (width, stretchable, shrink)
    }

    /// A comma or full stop that may hang into the margin.
    fn hangs(&self, k: usize) -> bool {
        matches!(&self.para.text[self.pieces[k].text.clone()], "，" | "。" | "、" | "．")
    }

    /// Total fit (after Knuth and Plass): the breaks between `start` and `end` that minimise
    /// the sum of squared badness over the segment, with a heavy penalty on a last line of
    /// fewer than two characters that are not punctuation (孤字) when the paragraph is long
    /// enough to avoid one. Returns each line's pieces and whether it ends the segment.
    fn break_segment(&self, start: usize, end: usize, measure: Measure) -> Vec<(Range<usize>, bool)> {
        let pieces = &self.pieces;
        if start == end {
            return vec![(start..end, true)];
        }
        // Only the paragraph's first segment starts with the first line.
        let avail = |a: usize| measure.width - if a == 0 { measure.first_indent } else { measure.rest_indent };
        let letters = |p: &&Piece| p.han || p.alnum;
        let can_avoid_orphan = pieces.iter().filter(letters).count() >= 4;
        // Breaks may come after a piece with an opportunity; in a run wider than the
        // measure, after any piece (emergency).
        let mut candidates: Vec<usize> = Vec::new();
        let mut run_start = start;
        let mut run_width = 0.0;
        let widest = measure.width - measure.first_indent.max(measure.rest_indent);
        let mut emergency = vec![false; end - start + 1];
        for (k, piece) in pieces.iter().enumerate().take(end).skip(start) {
            run_width += piece.width + self.gaps[k];
            if piece.break_after || k + 1 == end {
                if run_width > widest {
                    for e in run_start + 1..=k {
                        emergency[e - start] = true;
                    }
                }
                run_start = k + 1;
                run_width = 0.0;
            }
        }
        for k in start + 1..=end {
            if k == end || pieces[k - 1].break_after || emergency[k - start] {
                candidates.push(k);
            }
        }
        let mut nodes: Vec<(usize, Node)> = vec![(start, Node { demerits: 0.0, previous: usize::MAX })];
        for &b in &candidates {
            let last = b == end;
            let mut best: Option<Node> = None;
            // Lines from earlier breaks are longer: start at the earliest break whose line fits,
            // and go on to later breaks (looser lines) only while their looseness alone could
            // still beat the best so far. Ties go to the later break, as they always have.
            let too_long = |&(a, _): &(usize, Node)| {
                let shown = self.shown(a, b, a == 0);
                let (width, _, shrink) = self.metrics(shown.clone(), measure.hanging);
                width - shrink > avail(a) + 0.01 && shown.len() > 1
            };
            let first_fit = nodes.partition_point(too_long);
            for (index, &(a, node)) in nodes.iter().enumerate().skip(first_fit) {
                let opens = a == 0;
                let shown = self.shown(a, b, opens);
                let (width, gaps, shrink) = self.metrics(shown.clone(), measure.hanging);
                let room = avail(a);
                let slack = room - width;
                let ratio = if slack < 0.0 {
                    -slack / shrink.max(0.001)
                } else if last {
                    0.0
                } else if gaps == 0 {
                    // Nothing can stretch: as bad as a line gets.
                    if slack < 0.01 { 0.0 } else { 100.0 }
                } else {
                    slack / (gaps as f32 * STRETCH * self.size)
                };
                let badness = 100.0 * (ratio as f64).powi(3).min(1e6);
                let looseness = (1.0 + badness).powi(2);
                if slack >= 0.0 && !last && best.is_some_and(|n| looseness > n.demerits) {
                    break;
                }
                let mut demerits = node.demerits + looseness;
                if emergency[b - start] && !last && !pieces[b - 1].break_after {
                    demerits += 1e6;
                }
                if last && !opens && can_avoid_orphan && pieces[shown].iter().filter(letters).count() < 2 {
                    demerits += 1e8;
                }
                if best.is_none_or(|n| demerits <= n.demerits) {
                    best = Some(Node { demerits, previous: index });
                }
            }
            // Nothing fits (a single cluster wider than the measure): take it overfull.
            let fallback = Node { demerits: f64::MAX / 4.0, previous: nodes.len() - 1 };
            nodes.push((b, best.unwrap_or(fallback)));
        }
        let mut out = Vec::new();
        let mut at = nodes.iter().rposition(|&(b, _)| b == end).unwrap_or(nodes.len() - 1);
        while nodes[at].1.previous != usize::MAX {
            let previous = nodes[at].1.previous;
            out.push((nodes[previous].0..nodes[at].0, nodes[at].0 == end));
            at = previous;
        }
        out.reverse();
        if out.is_empty() {
            out.push((start..end, true));
        }
        out
    }

    fn set_line(&self, range: Range<usize>, indent: f32, avail: f32, measure: Measure, last: bool) -> SetLine {
        let starts_paragraph = range.start == 0;
        let shown_range = self.shown(range.start, range.end, starts_paragraph);
        let shown = &self.pieces[shown_range.clone()];
        let gaps = &self.gaps[shown_range.clone()];
        let (natural, stretch_gaps, _) = self.metrics(shown_range.clone(), measure.hanging);
        let slack = avail - natural;
        let loose = stretch_gaps == 0 || slack / stretch_gaps as f32 > LOOSEST * self.size;
        let (mut x, extra) = match measure.align {
            Align::Justify if !last && !loose => (indent, slack / stretch_gaps as f32),
            Align::Center => (indent + slack.max(0.0) / 2.0, 0.0),
            Align::Right => (indent + slack.max(0.0), 0.0),
            _ => (indent, 0.0),
        };
        // Each shown piece's x and its trims at the line's edges.
        let n = shown.len();
        let mut xs = Vec::with_capacity(n);
        let mut lefts = Vec::with_capacity(n);
        let mut widths = Vec::with_capacity(n);
        for (k, p) in shown.iter().enumerate() {
            let left = if k == 0 { p.edge_trim_left() } else { 0.0 };
            let right = if k + 1 == n { p.edge_trim_right() } else { 0.0 };
            xs.push(x);
            lefts.push(p.trim_left + left);
            widths.push(p.width - left - right);
            x += p.width - left - right;
            if let Some(next) = shown.get(k + 1) {
                x += gaps[k];
                if stretchable(p, next) {
                    x += extra;
                }
            }
        }
        let mut items = Vec::new();
        let mut k = 0;
        while k < n {
            let first = &shown[k];
            let mut m = k + 1;
            while m < n && shown[m].font == first.font && shown[m].size == first.size && shown[m].style.rise == first.style.rise {
                m += 1;
            }
            items.push(Item::Text(self.run(&shown[k..m], &xs[k..m], &lefts[k..m], &widths[k..m])));
            k = m;
        }
        self.decorate(shown, &xs, &widths, &mut items);
        let clusters = shown
            .iter()
            .zip(xs.iter().zip(&widths))
            .map(|(p, (&x, &width))| Cluster { text: self.para.text[p.text.clone()].into(), x, width })
            .collect();
        let start = self.pieces.get(range.start).map_or(self.para.text.len(), |p| p.text.start);
        SetLine { items, clusters, end: x, last, start }
    }

    /// One text run over consecutive pieces of the same font and size. Each cluster's glyphs
    /// start at its x (shifted left by its trimmed blank) and the last glyph's advance
    /// reaches the next cluster.
    fn run(&self, pieces: &[Piece], xs: &[f32], lefts: &[f32], widths: &[f32]) -> TextRun {
        let first = &pieces[0];
        let start = first.text.start;
        let text = self.para.text[start..pieces[pieces.len() - 1].text.end].to_string();
        let mut glyphs = Vec::new();
        for (k, p) in pieces.iter().enumerate() {
            let next_x = xs.get(k + 1).copied().unwrap_or(xs[k] + widths[k]);
            let cluster = &self.glyphs[p.glyphs.clone()];
            let natural: f32 = cluster.iter().map(|g| g.advance).sum::<f32>() * p.size;
            let shift = -lefts[k] / p.size;
            for (g_index, g) in cluster.iter().enumerate() {
                let mut advance = g.advance;
                if g_index + 1 == cluster.len() {
                    // Reach the next cluster: the natural advance, less the trims, plus the gap.
                    advance += (next_x - xs[k] - natural) / p.size;
                }
                glyphs.push(RunGlyph {
                    id: g.id,
                    advance,
                    x_offset: g.x_offset + shift,
                    y_offset: g.y_offset,
                    text: (p.text.start - start) as u32..(p.text.end - start) as u32,
                });
            }
        }
        TextRun { x: xs[0], y: -first.style.rise * self.size, font: first.font, size: first.size, text, glyphs, mark: Mark::Decoration }
    }

    /// Emphasis dots, strike-through lines and link areas.
    fn decorate(&self, shown: &[Piece], xs: &[f32], widths: &[f32], items: &mut Vec<Item>) {
        let size = self.size;
        for ((p, &x), &w) in shown.iter().zip(xs).zip(widths) {
            if p.style.emph && p.han {
                items.push(Item::Dot { x: x + w / 2.0, y: 0.32 * size, r: 0.055 * size });
            }
        }
        let mut k = 0;
        while k < shown.len() {
            let p = &shown[k];
            let mut m = k + 1;
            while m < shown.len() && shown[m].style.link == p.style.link && shown[m].style.strike == p.style.strike {
                m += 1;
            }
            let x1 = xs[m - 1] + widths[m - 1];
            if p.style.strike {
                let y = -0.3 * size;
                items.push(Item::Rule { x0: xs[k], y0: y, x1, y1: y, width: 0.05 * size });
            }
            if let Some(link) = p.style.link {
                let to = self.para.links[link].clone();
                items.push(Item::Link { x: xs[k], y: -0.95 * size, w: x1 - xs[k], h: 1.25 * size, to, mark: Mark::Decoration });
            }
            k = m;
        }
    }
}

/// Justification may add space between these two pieces: around CJK characters and at
/// Latin spaces, never inside a Latin word or inside `……`.
fn stretchable(a: &Piece, b: &Piece) -> bool {
    (a.wide || b.wide || a.space) && !(a.ellipsis && b.ellipsis)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, chars: f32) -> Vec<String> {
        let para = Para::plain(text, FontId::SERIF);
        let fonts = FontSet::bundled();
        let shaped = shape(&para, 10.0, &fonts, Punctuation::Gb);
        let m = Measure::new(chars * 10.0, Align::Justify).indented(20.0, 0.0);
        shaped.lines(m).iter().map(|l| l.clusters.iter().map(|c| c.text.as_str()).collect()).collect()
    }

    #[test]
    fn han_fills_the_measure_and_punctuation_never_starts_a_line() {
        let text = "我们总以为失去是一瞬间的事，其实它是一场漫长的告别。在那之后，我学会了与回忆相处。";
        let ls = lines(text, 10.0);
        assert_eq!(ls.concat(), text);
        assert_eq!(ls[0].chars().count(), 8, "{ls:?}");
        for l in &ls[1..] {
            let c = l.chars().next().unwrap();
            assert!(!kinsoku::forbidden_at_line_start(c), "{ls:?}");
        }
        for l in &ls {
            assert!(!kinsoku::forbidden_at_line_end(l.chars().last().unwrap()), "{ls:?}");
        }
    }

    #[test]
    fn justified_lines_reach_the_measure_and_the_last_does_not() {
        let para = Para::plain("失落感，是一种“空”的感觉。它不喧哗，却在日常的缝隙里悄悄生长。", FontId::SERIF);
        let fonts = FontSet::bundled();
        let shaped = shape(&para, 10.0, &fonts, Punctuation::Gb);
        let m = Measure::new(95.0, Align::Justify).indented(20.0, 0.0);
        let ls = shaped.lines(m);
        for l in &ls[..ls.len() - 1] {
            assert!((l.end - 95.0).abs() < 0.01, "{}", l.end);
        }
        assert!(ls.last().unwrap().end < 95.0);
        assert!((ls[0].clusters[0].x - 20.0).abs() < 1e-3, "first-line indent");
    }

    #[test]
    fn a_long_url_is_broken_rather_than_overflowing() {
        let url = "https://example.com/a/very/long/path/that/has/no/break/opportunity/at/all/index.html";
        let para = Para::plain(url, FontId::MONO);
        let fonts = FontSet::bundled();
        let shaped = shape(&para, 10.0, &fonts, Punctuation::Gb);
        let m = Measure::new(100.0, Align::Left);
        let ls = shaped.lines(m);
        assert!(ls.len() > 3);
        for l in &ls {
            assert!(l.end <= 100.01, "{}", l.end);
        }
        let joined: String = ls.iter().flat_map(|l| l.clusters.iter().map(|c| c.text.as_str())).collect();
        assert_eq!(joined, url);
    }

    #[test]
    fn forced_breaks_and_latin_words() {
        let ls = lines("第一行\n第二行 Rust programming language 的书", 12.0);
        assert_eq!(ls[0], "第一行");
        assert!(ls[1].starts_with("第二行"));
        assert!(ls.iter().all(|l| !l.ends_with("Ru") && !l.starts_with("st")), "{ls:?}");
    }

    fn widths(text: &str, punct: Punctuation) -> Vec<(String, f32)> {
        let para = Para::plain(text, FontId::SERIF);
        let fonts = FontSet::bundled();
        let shaped = shape(&para, 10.0, &fonts, punct);
        let line = shaped.lines(Measure::new(1000.0, Align::Left)).remove(0);
        line.clusters.into_iter().map(|c| (c.text.into_string(), c.width)).collect()
    }

    #[test]
    fn punctuation_styles() {
        let w = |text: &str, p, mark: &str| widths(text, p).into_iter().find(|(t, _)| t == mark).unwrap().1;
        // GB: full width inside a line, halved only next to another mark.
        assert!((w("甲，乙", Punctuation::Gb, "，") - 10.0).abs() < 0.01);
        assert!((w("甲。”乙", Punctuation::Gb, "。") - 5.0).abs() < 0.01);
        assert!((w("甲）（乙", Punctuation::Gb, "）") + w("甲）（乙", Punctuation::Gb, "（") - 15.0).abs() < 0.01);
        // Kaiming: the full stop stays full width, the comma is halved.
        assert!((w("甲，乙。丙", Punctuation::Kaiming, "，") - 5.0).abs() < 0.01);
        assert!((w("甲，乙。丙", Punctuation::Kaiming, "。") - 10.0).abs() < 0.01);
        // Half: every mark is halved.
        assert!((w("甲，乙。丙", Punctuation::Half, "。") - 5.0).abs() < 0.01);
    }

    #[test]
    fn quotes_by_han_are_full_width_and_apostrophes_in_words_are_not() {
        let ws = widths("他说“好”，don’t", Punctuation::Gb);
        let get = |t: &str| ws.iter().find(|(x, _)| x == t).unwrap().1;
        assert!((get("“") - 10.0).abs() < 0.01, "{ws:?}");
        assert!(get("’") < 4.0, "{ws:?}");
    }
}
