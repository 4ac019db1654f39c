//! Paragraph layout in four steps, a file each: collect the inlines into styled text
//! (`collect`), shape it into clusters (`shape`), break the clusters into lines with 禁则 from
//! `kinsoku` (`linebreak`), and set each line (justified, left, centred or right) as
//! positioned runs (`set`). The types the steps share are here.

use std::ops::Range;

use super::frame::{Cluster, Item, Mark};
use super::math::MathBox;
use crate::font::{FontId, FontSet, Glyph};
use crate::config::Punctuation;

mod collect;
mod linebreak;
mod set;
mod shape;

pub use collect::{Anchor, Para, Style};
pub use shape::shape;


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
    pub(crate) first_indent: f32,
    /// Indent of the other lines (a hanging indent for TOC entries and code).
    pub(crate) rest_indent: f32,
    pub(crate) align: Align,
    /// Let a full stop or comma at a line's end hang into the margin.
    pub(crate) hanging: bool,
}

impl Measure {
    pub fn new(width: f32, align: Align) -> Measure {
        Measure { width, first_indent: 0.0, rest_indent: 0.0, align, hanging: false }
    }

    pub fn indented(self, first: f32, rest: f32) -> Measure {
        Measure { first_indent: first, rest_indent: rest, ..self }
    }

    pub(crate) fn hanging(self, hanging: bool) -> Measure {
        Measure { hanging, ..self }
    }
}

/// One laid-out line; x from the left edge of the measure, y from the baseline.
pub struct SetLine {
    pub(crate) items: Vec<Item>,
    pub clusters: Vec<Cluster>,
    /// The x where the text ends.
    pub(crate) end: f32,
    pub last: bool,
    /// Where the line starts in the paragraph's text, in bytes.
    pub(crate) start: usize,
    /// How far its inline formulas reach above and below the baseline (0 without any).
    pub(crate) formula_extent: (f32, f32),
}

impl SetLine {
    pub(crate) fn translate(&mut self, dx: f32, dy: f32) {
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
pub(crate) fn label(text: &str, size: f32, fonts: &FontSet, punct: Punctuation) -> SetLine {
    let para = Para::plain(text, FontId::SERIF);
    let shaped = shape(&para, size, fonts, punct);
    let width = shaped.natural_width();
    shaped.lines(Measure::new(width, Align::Left)).swap_remove(0)
}

/// Which part of a full-width mark's em box is blank (in SC fonts `，。」` are ink-left,
/// `「（“` ink-right; in TC fonts `，。、：` sit in the middle, a quarter blank each side).
/// That blank is what punctuation adjustment removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Blank {
    Left,
    Right,
    Both,
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
    /// The break after this piece is inside a word or a run of code: allowed, at a cost.
    soft_break: bool,
    /// The break after this piece is between two characters of code in prose that no mark
    /// separates: taken only to spare a line spaced out past what the eye accepts.
    last_resort: bool,
    /// A line ending after this piece shows a hyphen: this glyph, this wide (in em).
    hyphen: Option<(u16, f32)>,
    /// A piece of an inline formula, drawn from `Shaped::formulas`.
    formula: Option<FormulaPiece>,
}

#[derive(Debug, Clone, Copy)]
struct FormulaPiece {
    /// Index into `Shaped::formulas`.
    index: u32,
    /// The formula's space after this piece, dropped where a line ends after it.
    space_after: f32,
    /// Not the formula's last piece: what follows is more of it.
    inner_break: bool,
    /// Whether and how a line may end after it.
    kind: super::math::FormulaBreak,
}

impl Piece {
    /// A piece of `text` drawn with `glyphs`, `width` points wide, of no class yet: no space,
    /// no Han, no break after it.
    fn new(text: Range<usize>, glyphs: Range<usize>, width: f32, font: FontId, size: f32, style: Style) -> Piece {
        Piece {
            text,
            glyphs,
            width,
            font,
            size,
            style,
            wide: false,
            space: false,
            ellipsis: false,
            newline: false,
            han: false,
            alnum: false,
            blank: None,
            trim_left: 0.0,
            trim_right: 0.0,
            break_after: false,
            soft_break: false,
            last_resort: false,
            hyphen: None,
            formula: None,
        }
    }

    /// What the piece can still lose at a line's start or end.
    fn edge_trim_left(&self) -> f32 {
        self.blank_left() - self.trim_left
    }

    fn edge_trim_right(&self) -> f32 {
        self.blank_right() - self.trim_right
    }

    /// The blank on the mark's left before any is removed: half an em, a quarter for a
    /// centred mark, or none.
    fn blank_left(&self) -> f32 {
        match self.blank {
            Some(Blank::Left) => self.size / 2.0,
            Some(Blank::Both) => self.size / 4.0,
            _ => 0.0,
        }
    }

    fn blank_right(&self) -> f32 {
        match self.blank {
            Some(Blank::Right) => self.size / 2.0,
            Some(Blank::Both) => self.size / 4.0,
            _ => 0.0,
        }
    }
}

/// A paragraph shaped once; it can then be broken into lines at any measure.
#[derive(Clone)]
pub struct Shaped<'p> {
    para: &'p Para,
    size: f32,
    glyphs: Vec<Glyph>,
    pieces: Vec<Piece>,
    /// The pieces of the paragraph's inline formulas, laid out (`Piece::formula` indexes them).
    formulas: Vec<MathBox>,
    /// The structure node each of the paragraph's formulas is tagged as (`Para::formulas`
    /// order); without one a formula's glyphs belong to the paragraph.
    formula_marks: Vec<Mark>,
    /// The structure node each of the paragraph's links is tagged as (`Para::links` order);
    /// without one a link's text belongs to the paragraph.
    link_marks: Vec<Mark>,
    /// The node each emphasis is tagged as (`Para::stresses` order).
    stress_marks: Vec<Mark>,
    /// Fixed space after each piece (¼ em between Han and Latin), dropped at a break.
    gaps: Vec<f32>,
    /// How far the space after each piece may stretch at a stretch ratio of 1, in points
    /// (`stretch_of`).
    stretch: Vec<f32>,
    /// Prefix sums over pieces (entry k covers pieces before k): widths, gaps, shrink and
    /// stretch (pair i is pieces i and i + 1).
    sum_width: Vec<f32>,
    sum_gap: Vec<f32>,
    sum_shrink: Vec<f32>,
    sum_stretch: Vec<f32>,
    /// The part of `sum_stretch` between two CJK characters, and how many gaps may open.
    sum_han_stretch: Vec<f32>,
    sum_opening: Vec<f32>,
    /// Han characters, Latin letters and digits (孤字 counts them).
    sum_letters: Vec<u32>,
    /// Characters that no font has, each once.
    pub(crate) missing: Vec<char>,
}

/// How far justification may stretch the space after piece `a`, followed by `b`, at a stretch
/// ratio of 1, in em: a little between two CJK characters, more at a Latin word space and
/// most where Han meets Latin (rule 11 lets that ¼ em grow to ½), so that a line holding
/// Latin takes its slack there and Han keeps its even rhythm. Never inside a Latin word or
/// inside `……`. A space the author typed beside Han (`before` it or `b`) is the gap between
/// Han and Latin.
fn stretch_of(before: Option<&Piece>, a: &Piece, b: &Piece, gap: f32) -> f32 {
    // A formula keeps its own spacing: the space after its operator does not open.
    if (a.ellipsis && b.ellipsis) || a.formula.is_some_and(|f| f.inner_break) {
        0.0
    } else if a.space && (b.han || before.is_some_and(|p| p.han)) {
        MIXED_STRETCH
    } else if a.space {
        SPACE_STRETCH
    } else if gap > 0.0 {
        MIXED_STRETCH
    } else if a.wide || b.wide {
        HAN_STRETCH
    } else {
        0.0
    }
}

/// Whether a gap that stretches this far (in points) opens as the gap between two CJK
/// characters does.
fn opens_like_han(stretch: f32, size: f32) -> bool {
    stretch > 0.0 && stretch <= HAN_STRETCH * size + 0.001
}

/// How far the gaps of a justified line open to take up its slack: the word spaces and the gaps
/// beside Latin first, up to their stretch (as ratios of it, `latin`); then the gaps between
/// two CJK characters, up to theirs (`han`); what is left goes equally to every gap that may
/// open (`even`, in points, twice that beside Latin), as rule 10 spreads it.
#[derive(Clone, Copy, Default)]
struct Spread {
    latin: f32,
    han: f32,
    even: f32,
}

impl Spread {
    /// `han` and `latin`: what the line's gaps of each kind stretch at a ratio of 1, and how
    /// many there are of each.
    fn of(slack: f32, (han, han_gaps): (f32, f32), (latin, latin_gaps): (f32, f32)) -> Spread {
        if slack <= 0.0 {
            Spread::default()
        } else if slack <= latin {
            Spread { latin: slack / latin, ..Spread::default() }
        } else if slack <= latin + han {
            Spread { latin: 1.0, han: (slack - latin) / han, even: 0.0 }
        } else {
            Spread { latin: 1.0, han: 1.0, even: (slack - latin - han) / (han_gaps + LATIN_SHARE * latin_gaps).max(1.0) }
        }
    }

    /// What a gap that stretches `stretch` at a ratio of 1 opens by.
    fn at(self, stretch: f32, size: f32) -> f32 {
        if stretch <= 0.0 {
            0.0
        } else {
            if opens_like_han(stretch, size) { stretch * self.han + self.even } else { stretch * self.latin + LATIN_SHARE * self.even }
        }
    }

    /// How loose a line whose slack passes its stretch reads, for the break search: the gap
    /// between two Han characters over their stretch (below it, the share of its stretch the
    /// slack takes).
    fn ratio_past_stretch(self, size: f32) -> f32 {
        1.0 + self.even / (HAN_STRETCH * size)
    }
}

/// What a word space or a gap beside Latin takes of the slack left when every gap has opened
/// as far as its stretch, for each share a gap between two CJK characters takes.
const LATIN_SHARE: f32 = 2.0;

/// Stretch at a ratio of 1 between two CJK characters, at a Latin word space, and between
/// Han and Latin, in em: what each may open before the line reads as loose (rule 11 lets the
/// ¼ em beside Latin grow to ½). A line fills its Latin gaps first (`Spread`).
const HAN_STRETCH: f32 = 0.05;
const SPACE_STRETCH: f32 = 0.4;
const MIXED_STRETCH: f32 = 0.25;
/// Past this many em added between two Han characters (half as many again at a word space or
/// beside Latin) a justified line would look spaced out: it is set ragged.
const LOOSEST: f32 = 0.5;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinsoku;

    /// `text` in `font` at 10 pt, broken and set at `measure`.
    fn set(text: &str, font: FontId, measure: Measure) -> Vec<SetLine> {
        let para = Para::plain(text, font);
        shape(&para, 10.0, &FontSet::bundled(), Punctuation::Gb).lines(measure)
    }

    fn lines(text: &str, chars: f32) -> Vec<String> {
        let m = Measure::new(chars * 10.0, Align::Justify).indented(20.0, 0.0);
        set(text, FontId::SERIF, m).iter().map(|l| l.clusters.iter().map(|c| c.text.as_str()).collect()).collect()
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
        let m = Measure::new(95.0, Align::Justify).indented(20.0, 0.0);
        let ls = set("失落感，是一种“空”的感觉。它不喧哗，却在日常的缝隙里悄悄生长。", FontId::SERIF, m);
        for l in &ls[..ls.len() - 1] {
            assert!((l.end - 95.0).abs() < 0.01, "{}", l.end);
        }
        assert!(ls.last().unwrap().end < 95.0);
        assert!((ls[0].clusters[0].x - 20.0).abs() < 1e-3, "first-line indent");
    }

    #[test]
    fn a_line_takes_its_slack_at_word_spaces_before_it_opens_han() {
        let ls = set("我们在周末读了 The Name of the Rose 这本书，又读了它的续篇和几篇评论文章。", FontId::SERIF, Measure::new(180.0, Align::Justify));
        let first = &ls[0];
        assert!((first.end - 180.0).abs() < 0.01, "{}", first.end);
        // Two Han characters open past their natural 1 em only once every word space has
        // opened by its stretch (0.4 em; 0.25 em for a space beside Han, rule 11's Han–Latin
        // gap), and the spaces open further than Han does.
        let c = &first.clusters;
        let is_han = |t: &str| t.chars().all(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch));
        let han: Vec<f32> = c.windows(2).filter(|w| is_han(&w[0].text) && is_han(&w[1].text)).map(|w| w[1].x - w[0].x - 10.0).collect();
        let spaces: Vec<(f32, bool)> = c.windows(3).filter(|w| w[1].text == " ").map(|w| (w[2].x - w[1].x - w[1].width, is_han(&w[0].text) || is_han(&w[2].text))).collect();
        assert!(han.len() > 5 && spaces.len() >= 3, "{:?}", c.iter().map(|c| c.text.as_str()).collect::<Vec<_>>());
        let widest_han = han.iter().fold(0.0_f32, |a, &b| a.max(b));
        for &(space, beside_han) in &spaces {
            let stretch = if beside_han { 2.5 } else { 4.0 };
            assert!(widest_han < 0.01 || space >= stretch + widest_han - 0.01, "a space opened by {space} pt while Han opened by {widest_han}");
        }
        // Slack up to the spaces' stretch leaves Han at its natural width.
        let spread = Spread::of(3.0, (2.0, 40.0), (4.0, 10.0));
        assert_eq!((spread.at(0.5, 10.0), spread.at(4.0, 10.0)), (0.0, 3.0));
        let spread = Spread::of(14.0, (5.0, 10.0), (8.0, 2.0));
        assert!((spread.at(0.5, 10.0) - 0.5 - 1.0 / 14.0).abs() < 1e-4 && (spread.at(4.0, 10.0) - 4.0 - 2.0 / 14.0).abs() < 1e-4);
    }

    #[test]
    fn paths_and_queries_break_after_their_separators() {
        let after = |token: &str| -> Vec<String> {
            let mut pieces = Vec::new();
            let mut from = 0;
            for at in shape::code_breaks(token) {
                pieces.push(token[from..at].to_string());
                from = at;
            }
            pieces.push(token[from..].to_string());
            pieces
        };
        assert_eq!(after("C:\\Users\\someone\\config.toml"), ["C:\\", "Users\\", "someone\\", "config.", "toml"]);
        assert_eq!(after("https://example.com/search?query=wenji&page=2"), ["https://", "example.", "com/", "search?", "query=", "wenji&", "page=2"]);
        // Not inside a number, nor between two marks.
        assert_eq!(after("pi=3.14/1/2::x"), ["pi=3.14/1/2::x"]);
    }

    #[test]
    fn a_url_in_prose_breaks_anywhere_rather_than_spacing_out_the_lines_before_it() {
        let text = "比赛时我没想到该怎么办，怎么也做不出来，赛后看了别人的解法，才知道可以这样做（出处：https://example.org/channels/805956008665022475/805962699246534677/1071901986338897982）：";
        let ls = set(text, FontId::SERIF, Measure::new(280.0, Align::Justify).indented(20.0, 0.0));
        let is_han = |t: &str| t.chars().all(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch));
        for l in &ls[..ls.len() - 1] {
            let text: String = l.clusters.iter().map(|c| c.text.as_str()).collect();
            let widest = l.clusters.windows(2).filter(|w| is_han(&w[0].text) && is_han(&w[1].text)).map(|w| w[1].x - w[0].x - 10.0).fold(0.0_f32, f32::max);
            assert!(widest <= 1.5 + 0.01, "Han {widest} pt apart in «{text}»");
            assert!(l.end >= 280.0 - 6.0, "a line stops {} pt short: «{text}»", 280.0 - l.end);
        }
    }

    #[test]
    fn a_long_url_is_broken_rather_than_overflowing() {
        let url = "https://example.com/a/very/long/path/that/has/no/break/opportunity/at/all/index.html";
        let ls = set(url, FontId::MONO, Measure::new(100.0, Align::Left));
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
        widths_in(text, punct, crate::locale::Locale::Hans)
    }

    fn widths_in(text: &str, punct: Punctuation, locale: crate::locale::Locale) -> Vec<(String, f32)> {
        let para = Para::plain(text, FontId::SERIF);
        let fonts = FontSet::bundled_for(locale);
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
    fn centred_marks_of_taiwan_and_hong_kong_give_a_quarter_each_side() {
        use crate::locale::Locale;
        for locale in [Locale::HantTw, Locale::HantHk] {
            let w = |text: &str, p, mark: &str| widths_in(text, p, locale).into_iter().find(|(t, _)| t == mark).unwrap().1;
            // Full width alone; a pair of marks is 1.5 em where half an em of blank lies between
            // them, and a centred mark before a closing bracket gives its right quarter.
            assert!((w("甲，乙", Punctuation::Gb, "，") - 10.0).abs() < 0.01);
            assert!((w("甲。」乙", Punctuation::Gb, "。") - 7.5).abs() < 0.01);
            assert!((w("甲。」乙", Punctuation::Gb, "」") - 10.0).abs() < 0.01);
            assert!((w("甲」，乙", Punctuation::Gb, "」") + w("甲」，乙", Punctuation::Gb, "，") - 15.0).abs() < 0.01);
            assert!((w("甲：「乙", Punctuation::Gb, "：") + w("甲：「乙", Punctuation::Gb, "「") - 15.0).abs() < 0.01);
            // Half width takes a quarter from each side of a centred mark.
            assert!((w("甲，乙。丙", Punctuation::Half, "，") - 5.0).abs() < 0.01);
            // The comma of a Traditional book is the TC face's centred one.
            let fonts = FontSet::bundled_for(locale);
            let font = fonts.get(fonts.pick(FontId::SERIF, '，').unwrap());
            assert_eq!(font.name, "Noto Serif TC");
            let (_, comma) = font.ink_x(font.glyph('，').unwrap()).unwrap();
            assert!(comma > 0.5 && comma < 0.6, "{comma}");
        }
    }

    #[test]
    fn quotes_by_han_are_full_width_and_apostrophes_in_words_are_not() {
        let ws = widths("他说“好”，don’t", Punctuation::Gb);
        let get = |t: &str| ws.iter().find(|(x, _)| x == t).unwrap().1;
        assert!((get("“") - 10.0).abs() < 0.01, "{ws:?}");
        assert!(get("’") < 4.0, "{ws:?}");
    }
}
