//! Paragraph layout in four steps: collect the inlines into styled text, shape it into
//! clusters, break the clusters into lines (禁则 from `kinsoku`), and set each line
//! (justified, left, centred or right) as positioned runs.

use std::collections::BTreeSet;
use std::ops::Range;

use super::font::{FontId, FontSet, Glyph, Lang};
use super::frame::{Cluster, Item, LinkTo, RunGlyph, TextRun};
use super::kinsoku::{self, Class};
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
                        LinkTarget::Unresolved { .. } => None,
                    };
                    let link = to.map(|to| {
                        self.links.push(to);
                        self.links.len() - 1
                    });
                    self.collect(content, Style { link: link.or(style.link), ..style }, anchor);
                }
                Inline::Image { alt, .. } | Inline::ImageRef { alt, .. } => {
                    self.push(&format!("［图：{alt}］"), style);
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
}

/// One laid-out line; x from the left edge of the measure, y from the baseline.
pub struct SetLine {
    pub items: Vec<Item>,
    pub clusters: Vec<Cluster>,
    /// The x where the text ends.
    pub end: f32,
    pub last: bool,
}

/// A shaped cluster: the glyphs of one or more characters that stay together.
#[derive(Debug, Clone)]
struct Piece {
    text: Range<usize>,
    glyphs: Range<usize>,
    width: f32,
    font: FontId,
    size: f32,
    style: Style,
    wide: bool,
    space: bool,
    /// Half of `……`, which is never spread apart.
    ellipsis: bool,
    newline: bool,
    /// A line may end after this piece.
    break_after: bool,
}

/// A paragraph shaped once; it can then be broken into lines at any measure.
pub struct Shaped<'p> {
    para: &'p Para,
    size: f32,
    glyphs: Vec<Glyph>,
    pieces: Vec<Piece>,
    /// Characters that no font has, each once.
    pub missing: Vec<char>,
}

/// Shapes `para` at `size` points.
pub fn shape<'p>(para: &'p Para, size: f32, fonts: &FontSet) -> Shaped<'p> {
    let text = &para.text;
    let mut glyphs = Vec::new();
    let mut pieces: Vec<Piece> = Vec::new();
    let mut missing = Vec::new();
    let mut runs: Vec<(Range<usize>, FontId, Lang, Style)> = Vec::new();
    for (range, style) in &para.spans {
        let chars: Vec<(usize, char)> = text[range.clone()].char_indices().map(|(i, c)| (i + range.start, c)).collect();
        for (k, &(offset, c)) in chars.iter().enumerate() {
            let font = match fonts.pick(style.font, c) {
                Some(f) => f,
                None => {
                    if !missing.contains(&c) {
                        missing.push(c);
                    }
                    style.font
                }
            };
            let prev = k.checked_sub(1).map(|k| chars[k].1);
            let next = chars.get(k + 1).map(|&(_, c)| c);
            let lang = if style.font == FontId::MONO || is_latin_context(c, prev, next) { Lang::Latin } else { Lang::Chinese };
            let end = offset + c.len_utf8();
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
            let width: f32 = shaped[i..j].iter().map(|g| g.advance).sum::<f32>() * run_size;
            pieces.push(Piece {
                wide: s.chars().any(kinsoku::is_wide) || s.chars().any(|c| matches!(kinsoku::class(c), Class::Open | Class::Close)) && lang == Lang::Chinese,
                space: s.chars().all(|c| c == ' '),
                ellipsis: matches!(s, "…" | "⋯"),
                newline: s == "\n",
                text: piece_text,
                glyphs: first_glyph + i..first_glyph + j,
                width: if s == "\n" { 0.0 } else { width },
                font,
                size: run_size,
                style,
                break_after: false,
            });
            i = j;
        }
        glyphs.extend(shaped);
    }
    let breaks: BTreeSet<usize> = kinsoku::break_opportunities(text).into_iter().collect();
    for k in 0..pieces.len() {
        let next_start = pieces.get(k + 1).map(|p| p.text.start);
        pieces[k].break_after = pieces[k].newline || next_start.is_some_and(|s| breaks.contains(&s));
    }
    Shaped { para, size, glyphs, pieces, missing }
}

/// Whether `c` is set as Latin text: letters, digits and ASCII, and an apostrophe or quote
/// between two Latin letters.
fn is_latin_context(c: char, prev: Option<char>, next: Option<char>) -> bool {
    let latin = |c: char| c.is_ascii_alphanumeric() || (c.is_alphabetic() && !kinsoku::is_wide(c) && (c as u32) < 0x2E80);
    match c {
        '’' | '‘' | '”' | '“' => prev.is_some_and(latin) && next.is_some_and(latin),
        _ => c.is_ascii() || latin(c),
    }
}

impl Shaped<'_> {
    /// Breaks into lines and sets them. Lines never overflow `measure.width` unless a single
    /// cluster is wider than the measure.
    pub fn lines(&self, measure: Measure) -> Vec<SetLine> {
        let ranges = self.break_lines(measure);
        let count = ranges.len();
        ranges
            .into_iter()
            .enumerate()
            .map(|(i, (range, forced))| {
                let indent = if i == 0 { measure.first_indent } else { measure.rest_indent };
                self.set_line(range, indent, measure.width - indent, measure.align, forced || i + 1 == count)
            })
            .collect()
    }

    /// The widest line when nothing forces a break but newlines: the natural width.
    pub fn natural_width(&self) -> f32 {
        let mut widest: f32 = 0.0;
        let mut current = 0.0;
        for p in &self.pieces {
            if p.newline {
                widest = widest.max(current);
                current = 0.0;
            } else {
                current += p.width;
            }
        }
        widest.max(current)
    }

    /// First-fit line breaking: the longest line that fits, ending at a break opportunity;
    /// a run with no opportunity (a long URL) is broken between clusters.
    fn break_lines(&self, measure: Measure) -> Vec<(Range<usize>, bool)> {
        let pieces = &self.pieces;
        let mut lines = Vec::new();
        let mut start = 0;
        while start < pieces.len() {
            let avail = measure.width - if lines.is_empty() { measure.first_indent } else { measure.rest_indent };
            let mut width = 0.0;
            let mut last_break = None;
            let mut end = pieces.len();
            let mut forced = false;
            let mut j = start;
            while j < pieces.len() {
                let p = &pieces[j];
                if p.newline {
                    end = j + 1;
                    forced = true;
                    break;
                }
                if width + p.width > avail + 0.01 && !p.space && j > start {
                    end = last_break.unwrap_or(j);
                    break;
                }
                width += p.width;
                if p.break_after {
                    last_break = Some(j + 1);
                }
                j += 1;
            }
            lines.push((start..end, forced));
            start = end;
            if !forced {
                while start < pieces.len() && pieces[start].space {
                    start += 1;
                }
            }
        }
        if lines.is_empty() {
            lines.push((0..0, true));
        }
        lines
    }

    fn set_line(&self, range: Range<usize>, indent: f32, avail: f32, align: Align, last: bool) -> SetLine {
        let pieces = &self.pieces;
        let mut end = range.end;
        while end > range.start && (pieces[end - 1].space || pieces[end - 1].newline) {
            end -= 1;
        }
        let shown = &pieces[range.start..end];
        let natural: f32 = shown.iter().map(|p| p.width).sum();
        let slack = (avail - natural).max(0.0);
        let stretchable = |a: &Piece, b: &Piece| (a.wide || b.wide || a.space) && !(a.ellipsis && b.ellipsis);
        let gaps = shown.windows(2).filter(|w| stretchable(&w[0], &w[1])).count();
        // A line left loose by a long unbreakable word that follows is set ragged rather than
        // spread apart.
        let loose = gaps == 0 || slack / gaps as f32 > 0.5 * self.size;
        let (mut x, extra) = match align {
            Align::Justify if !last && !loose => (indent, slack / gaps as f32),
            Align::Center => (indent + slack / 2.0, 0.0),
            Align::Right => (indent + slack, 0.0),
            _ => (indent, 0.0),
        };
        // The x of every shown piece.
        let mut xs = Vec::with_capacity(shown.len());
        for (k, p) in shown.iter().enumerate() {
            xs.push(x);
            x += p.width;
            if let Some(next) = shown.get(k + 1) {
                if stretchable(p, next) {
                    x += extra;
                }
            }
        }
        let mut items = Vec::new();
        let mut k = 0;
        while k < shown.len() {
            let first = &shown[k];
            let mut m = k + 1;
            while m < shown.len() && shown[m].font == first.font && shown[m].size == first.size && shown[m].style.rise == first.style.rise {
                m += 1;
            }
            items.push(Item::Text(self.run(&shown[k..m], &xs[k..m])));
            k = m;
        }
        self.decorate(shown, &xs, &mut items);
        let clusters = shown
            .iter()
            .zip(&xs)
            .map(|(p, &x)| Cluster { text: self.para.text[p.text.clone()].to_string(), x, width: p.width })
            .collect();
        SetLine { items, clusters, end: x, last }
    }

    /// One text run over consecutive pieces of the same font and size; the space added by
    /// justification goes into the last glyph advance of each cluster.
    fn run(&self, pieces: &[Piece], xs: &[f32]) -> TextRun {
        let first = &pieces[0];
        let start = first.text.start;
        let text = self.para.text[start..pieces[pieces.len() - 1].text.end].to_string();
        let mut glyphs = Vec::new();
        for (k, p) in pieces.iter().enumerate() {
            let gap = xs.get(k + 1).map_or(0.0, |next| next - xs[k] - p.width);
            let n = p.glyphs.len();
            for (g_index, g) in self.glyphs[p.glyphs.clone()].iter().enumerate() {
                let mut advance = g.advance;
                if g_index + 1 == n {
                    advance += gap / p.size;
                }
                glyphs.push(RunGlyph {
                    id: g.id,
                    advance,
                    x_offset: g.x_offset,
                    y_offset: g.y_offset,
                    text: p.text.start - start..p.text.end - start,
                });
            }
        }
        TextRun { x: xs[0], y: -first.style.rise * self.size, font: first.font, size: first.size, text, glyphs }
    }

    /// Emphasis dots, strike-through lines and link areas.
    fn decorate(&self, shown: &[Piece], xs: &[f32], items: &mut Vec<Item>) {
        let size = self.size;
        for (p, &x) in shown.iter().zip(xs) {
            let s = &self.para.text[p.text.clone()];
            if p.style.emph && p.wide && s.chars().all(|c| kinsoku::class(c) == Class::Other) {
                items.push(Item::Dot { x: x + p.width / 2.0, y: 0.32 * size, r: 0.055 * size });
            }
        }
        let mut k = 0;
        while k < shown.len() {
            let p = &shown[k];
            let mut m = k + 1;
            while m < shown.len() && shown[m].style.link == p.style.link && shown[m].style.strike == p.style.strike {
                m += 1;
            }
            let x1 = xs[m - 1] + shown[m - 1].width;
            if p.style.strike {
                let y = -0.3 * size;
                items.push(Item::Rule { x0: xs[k], y0: y, x1, y1: y, width: 0.05 * size });
            }
            if let Some(link) = p.style.link {
                let to = self.para.links[link].clone();
                items.push(Item::Link { x: xs[k], y: -0.95 * size, w: x1 - xs[k], h: 1.25 * size, to });
            }
            k = m;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, chars: f32) -> Vec<String> {
        let para = Para::plain(text, FontId::SERIF);
        let fonts = FontSet::bundled();
        let shaped = shape(&para, 10.0, &fonts);
        let m = Measure { width: chars * 10.0, first_indent: 20.0, rest_indent: 0.0, align: Align::Justify };
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
        let shaped = shape(&para, 10.0, &fonts);
        let m = Measure { width: 95.0, first_indent: 20.0, rest_indent: 0.0, align: Align::Justify };
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
        let shaped = shape(&para, 10.0, &fonts);
        let m = Measure { width: 100.0, first_indent: 0.0, rest_indent: 0.0, align: Align::Left };
        let ls = shaped.lines(m);
        assert!(ls.len() > 3);
        for l in &ls {
            assert!(l.end <= 100.01, "{}", l.end);
        }
        let joined: String = ls.iter().flat_map(|l| l.clusters.iter().map(|c| c.text.clone())).collect();
        assert_eq!(joined, url);
    }

    #[test]
    fn forced_breaks_and_latin_words() {
        let ls = lines("第一行\n第二行 Rust programming language 的书", 12.0);
        assert_eq!(ls[0], "第一行");
        assert!(ls[1].starts_with("第二行"));
        assert!(ls.iter().all(|l| !l.ends_with("Ru") && !l.starts_with("st")), "{ls:?}");
    }
}
