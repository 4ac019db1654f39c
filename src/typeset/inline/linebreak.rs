//! Breaking: the lines of a shaped paragraph, by total fit over its break opportunities.

use std::collections::BTreeMap;
use std::ops::Range;

use super::{HAN_STRETCH, Measure, SetLine, Shaped, Spread};

/// A line's badness is `BADNESS_SCALE` × (the ratio it stretches by)³, as in TeX; its
/// demerits, (1 + badness)², summed over the paragraph, are what the break search minimises.
const BADNESS_SCALE: f64 = 12.5;
/// The cube of the stretch ratio is capped here, so a very loose line is bad but finite.
const MAX_RATIO_CUBED: f64 = 1e6;
/// The ratio of a line that has nothing to stretch and is not full: as bad as a line gets.
const RIGID_RATIO: f32 = 100.0;
/// A line with nothing to stretch reads as full when it falls short by less than this (em):
/// about one character of code.
const RIGID_SLACK: f32 = 0.6;
/// Demerits for breaking a run longer than the measure (a URL) between two characters that
/// are no break opportunity: only when nothing else fits.
const EMERGENCY_BREAK: f64 = 1e6;
/// Demerits for a paragraph's last line of one character (孤字), where another break avoids it.
const LONE_LAST_CHARACTER: f64 = 1e8;
/// Demerits for a paragraph's last line of two characters, which is allowed but reads less
/// well: another break is taken where it costs little, no more than a line whose Han opens by
/// about 0.07 em (a ratio of 1.45: (1 + `BADNESS_SCALE` × 1.45³)² ≈ 1500).
const SHORT_LAST_LINE: f64 = 1500.0;
/// Demerits for a break inside a word (at a hyphen) or inside a run of code, as TeX's
/// `\hyphenpenalty` of 50 adds: taken when it spares a loose line.
const SOFT_BREAK: f64 = 2500.0;

/// Demerits for breaking code in prose between two characters no mark separates: as much as a
/// line whose Han characters stand 0.145 em apart, so taken only to spare a looser one.
const LAST_RESORT_BREAK: f64 = 1e5;

/// A variant line may stretch this far: no further than an ordinary line (0.05 em between
/// two Han characters). A page that cannot be filled so takes blank lines between blocks, or
/// ends short and says why; spreading a paragraph further (伸排, to 0.15 em) filled more pages
/// but opened Han past the target on every page it filled.
const VARIANT_RATIO: f32 = 1.0;

/// A line from one break to another, as the break search weighs it.
struct LineFit {
    slack: f32,
    ratio: f32,
    looseness: f64,
    /// Han characters, Latin letters and digits shown (孤字 counts them).
    letters: usize,
    pieces: usize,
}

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

    /// Keeps a break between two CJK characters only where a word ends, for titles and
    /// headings: `…如何与它共舞` breaks before 我们, never inside it.
    pub(crate) fn break_between_words(&mut self) {
        let words: std::collections::BTreeSet<usize> = crate::kinsoku::word_boundaries(&self.para.text).into_iter().collect();
        for k in 0..self.pieces.len().saturating_sub(1) {
            let (this, next) = (&self.pieces[k], &self.pieces[k + 1]);
            if this.break_after && this.han && next.han && !words.contains(&next.text.start) {
                self.pieces[k].break_after = false;
            }
        }
    }

    /// Keeps only the breaks after a stop or a closing mark, or at a space: where a title
    /// reads best broken.
    pub(crate) fn break_at_punctuation(&mut self) {
        for k in 0..self.pieces.len().saturating_sub(1) {
            let text = &self.para.text[self.pieces[k].text.clone()];
            let mark = text.chars().next().is_some_and(|c| matches!(crate::kinsoku::class(c), crate::kinsoku::Class::Stop | crate::kinsoku::Class::Close));
            if !(mark || self.pieces[k].space || self.pieces[k + 1].space) {
                self.pieces[k].break_after = false;
            }
        }
    }

    /// The narrowest measure, no wider than `measure`, that sets the paragraph in as few lines
    /// as `measure` does: lines of a title as even as they can be.
    pub(crate) fn balanced(&self, measure: Measure) -> Measure {
        let count = self.lines(measure).len();
        if count < 2 {
            return measure;
        }
        // Never narrower than the widest run between two breaks: a narrower measure would
        // break inside it (an emergency break) and split what may not be split, as `函式」`.
        let (mut run, mut widest_run) = (0.0_f32, 0.0_f32);
        for (k, piece) in self.pieces.iter().enumerate() {
            run += piece.width + self.gaps[k];
            if piece.break_after || k + 1 == self.pieces.len() {
                widest_run = widest_run.max(run - if piece.space { piece.width } else { 0.0 });
                run = 0.0;
            }
        }
        let (mut narrow, mut wide) = ((measure.width / count as f32).max(widest_run.min(measure.width)), measure.width);
        while wide - narrow > 0.25 * self.size {
            let mid = (narrow + wide) / 2.0;
            let lines = self.lines(Measure { width: mid, ..measure });
            if lines.len() <= count && lines.iter().all(|l| l.end <= mid + 0.01) { wide = mid } else { narrow = mid }
        }
        Measure { width: wide, ..measure }
    }

    /// The widest line when nothing forces a break but newlines: the natural width.
    pub(crate) fn natural_width(&self) -> f32 {
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
    pub(super) fn shown(&self, a: usize, b: usize, starts_paragraph: bool) -> Range<usize> {
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

    /// Natural width (with the hyphen a line ending inside a word shows), stretch and shrink
    /// of the shown pieces `r` as one line.
    pub(super) fn metrics(&self, r: Range<usize>, hanging: bool) -> (f32, f32, f32) {
        if r.is_empty() {
            return (0.0, 0.0, 0.0);
        }
        let (a, b) = (r.start, r.end);
        let (first, last) = (&self.pieces[a], &self.pieces[b - 1]);
        let mut width = self.sum_width[b] - self.sum_width[a] + self.sum_gap[b - 1] - self.sum_gap[a];
        width -= first.edge_trim_left() + last.edge_trim_right();
        if hanging && self.hangs(b - 1) {
            width -= last.width - last.edge_trim_right();
        }
        if let Some((_, advance)) = last.hyphen {
            width += advance * last.size;
        }
        let stretch = self.sum_stretch[b - 1] - self.sum_stretch[a];
        let shrink = self.sum_shrink[b - 1] - self.sum_shrink[a] + if last.space { last.width / 3.0 } else { 0.0 };
        (width, stretch, shrink)
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
        let can_avoid_orphan = pieces.iter().filter(|p| p.han || p.alnum).count() >= 4;
        let emergency = self.emergency_breaks(start, end, measure);
        let candidates = (start + 1..=end).filter(|&k| k == end || pieces[k - 1].break_after || emergency[k - start]);
        let mut nodes: Vec<(usize, Node)> = vec![(start, Node { demerits: 0.0, previous: usize::MAX })];
        // The earliest break whose line to the current candidate fits: it only moves on.
        let mut first_fit = 0;
        for b in candidates {
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
            while first_fit < nodes.len() && too_long(&nodes[first_fit]) {
                first_fit += 1;
            }
            for (index, &(a, node)) in nodes.iter().enumerate().skip(first_fit) {
                let line = self.line(a, b, last, measure);
                if line.slack >= 0.0 && !last && best.is_some_and(|n| line.looseness > n.demerits) {
                    break;
                }
                let mut demerits = node.demerits + line.looseness;
                if !last {
                    demerits += self.break_cost(b, emergency[b - start]);
                }
                if last && a != 0 && can_avoid_orphan {
                    demerits += match line.letters {
                        0 | 1 => LONE_LAST_CHARACTER,
                        2 => SHORT_LAST_LINE,
                        _ => 0.0,
                    };
                }
                if best.is_none_or(|n| demerits <= n.demerits) {
                    best = Some(Node { demerits, previous: index });
                }
            }
            // Nothing fits (a single cluster wider than the measure): take it overfull.
            let fallback = Node { demerits: f64::MAX / 4.0, previous: nodes.len() - 1 };
            nodes.push((b, best.unwrap_or(fallback)));
        }
        best_lines(&nodes, start, end)
    }

    /// What breaking a line before piece `b` costs beyond its looseness: a break where no
    /// rule allows one (`emergency`), or inside a word or a run of code.
    fn break_cost(&self, b: usize, emergency: bool) -> f64 {
        let piece = &self.pieces[b - 1];
        let forced = if emergency && !piece.break_after { EMERGENCY_BREAK } else { 0.0 };
        forced + if piece.soft_break { SOFT_BREAK } else if piece.last_resort { LAST_RESORT_BREAK } else { 0.0 }
    }

    /// The line from break `a` to break `b` (the segment's last when `last`): how much room it
    /// leaves, how far it must stretch and what that costs, and its letters.
    fn line(&self, a: usize, b: usize, last: bool, measure: Measure) -> LineFit {
        let shown = self.shown(a, b, a == 0);
        let (width, stretch, shrink) = self.metrics(shown.clone(), measure.hanging);
        let slack = measure.width - if a == 0 { measure.first_indent } else { measure.rest_indent } - width;
        let ratio = self.ratio(shown.clone(), slack, stretch, shrink, last);
        let badness = BADNESS_SCALE * (ratio as f64).powi(3).min(MAX_RATIO_CUBED);
        let letters = (self.sum_letters[shown.end] - self.sum_letters[shown.start]) as usize;
        LineFit { slack, ratio, looseness: (1.0 + badness).powi(2), letters, pieces: shown.len() }
    }

    /// The paragraph broken into exactly `count` lines, for a page that needs it one line
    /// longer or shorter: the best such breaks with no line stretched past `VARIANT_RATIO`
    /// and a last line of three letters at least, and their demerits; `None` where there are
    /// none, or the paragraph has forced breaks (verse keeps its lines).
    pub fn lines_exactly(&self, measure: Measure, count: usize) -> Option<(Vec<SetLine>, f64)> {
        let end = self.pieces.len();
        if count == 0 || end == 0 || self.pieces.iter().any(|p| p.newline) {
            return None;
        }
        // Fewer lines than the text can shrink into (Han does not shrink), or more than it can
        // fill, every line but the last stretched as far as a variant may and the last holding
        // two characters: none.
        let natural = self.sum_width[end] + self.sum_gap[end - 1];
        let room = count as f32 * measure.width - measure.first_indent - (count - 1) as f32 * measure.rest_indent;
        if natural - self.sum_shrink[end - 1] > room + 0.01 {
            return None;
        }
        let last_line_room = measure.width - measure.rest_indent;
        if natural + VARIANT_RATIO * self.sum_stretch[end - 1] < room - last_line_room + 2.0 * self.size {
            return None;
        }
        let emergency = self.emergency_breaks(0, end, measure);
        let candidates: Vec<usize> = (1..end).filter(|&k| self.pieces[k - 1].break_after || emergency[k]).collect();
        // layers[c]: break → (demerits, break before) of the best `c` lines ending there.
        let mut layers: Vec<BTreeMap<usize, (f64, usize)>> = vec![BTreeMap::from([(0, (0.0, usize::MAX))])];
        for c in 1..=count {
            let mut layer = BTreeMap::new();
            let mut reach = |b: usize, demerits: f64, a: usize| {
                let best = layer.entry(b).or_insert((f64::MAX, a));
                if demerits < best.0 {
                    *best = (demerits, a);
                }
            };
            for (&a, &(before, _)) in &layers[c - 1] {
                if c == count {
                    let line = self.line(a, end, true, measure);
                    let fits = line.slack >= -0.01 || line.ratio <= 1.0;
                    // A paragraph set differently for its page never ends on two characters.
                    if fits && (line.letters >= 3 || a == 0) {
                        reach(end, before + line.looseness, a);
                    }
                    continue;
                }
                // Lines from `a` get tighter as they reach further: start at the first one
                // a variant may stretch to.
                let after_a = &candidates[candidates.partition_point(|&k| k <= a)..];
                let first = after_a.partition_point(|&b| {
                    let line = self.line(a, b, false, measure);
                    line.slack > 0.0 && line.ratio > VARIANT_RATIO
                });
                for &b in &after_a[first..] {
                    let line = self.line(a, b, false, measure);
                    if line.slack < 0.0 && line.ratio > 1.0 && line.pieces > 1 {
                        break;
                    }
                    if line.ratio > VARIANT_RATIO {
                        continue;
                    }
                    reach(b, before + line.looseness + self.break_cost(b, emergency[b]), a);
                }
            }
            if layer.is_empty() {
                return None;
            }
            layers.push(layer);
        }
        let &(demerits, _) = layers[count].get(&end)?;
        // Read the breaks back from the end.
        let mut breaks = vec![end];
        for c in (1..=count).rev() {
            let at = *breaks.last().expect("a break");
            breaks.push(layers[c][&at].1);
        }
        breaks.reverse();
        let lines = breaks
            .windows(2)
            .enumerate()
            .map(|(i, w)| {
                let indent = if i == 0 { measure.first_indent } else { measure.rest_indent };
                self.set_line(w[0]..w[1], indent, measure.width - indent, measure, w[1] == end)
            })
            .collect();
        Some((lines, demerits))
    }

    /// Where a break may come although no rule allows one: between any two pieces of a run
    /// (between two break opportunities) wider than the measure, as a long URL is. Indexed
    /// from `start`.
    fn emergency_breaks(&self, start: usize, end: usize, measure: Measure) -> Vec<bool> {
        let widest = measure.width - measure.first_indent.max(measure.rest_indent);
        let mut emergency = vec![false; end - start + 1];
        let mut run_start = start;
        let mut run_width = 0.0;
        for (k, piece) in self.pieces.iter().enumerate().take(end).skip(start) {
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
        emergency
    }

    /// How far a line stretches (or shrinks) relative to what it can: `slack` is the room
    /// left (negative when it must shrink), `stretch` and `shrink` what it has to give.
    fn ratio(&self, shown: Range<usize>, slack: f32, stretch: f32, shrink: f32, last: bool) -> f32 {
        if slack < 0.0 {
            -slack / shrink.max(0.001)
        } else if last {
            0.0
        } else if stretch <= 0.0 {
            // Nothing can stretch (a line of a URL or of code): as bad as a line gets, unless
            // it falls short by less than a character of code.
            if slack < RIGID_SLACK * self.size { slack / (RIGID_SLACK * self.size) } else { RIGID_RATIO }
        } else if slack <= stretch {
            // Below its stretch a line's gaps open in proportion, whatever their kind.
            slack / stretch
        } else {
            self.spread(shown, slack).ratio_past_stretch(self.size)
        }
    }

    /// How the gaps of the shown pieces `r` open to take up `slack` (`Spread`).
    pub(super) fn spread(&self, r: Range<usize>, slack: f32) -> Spread {
        if r.len() < 2 {
            return Spread::default();
        }
        let (a, b) = (r.start, r.end - 1);
        let stretch = self.sum_stretch[b] - self.sum_stretch[a];
        let han = self.sum_han_stretch[b] - self.sum_han_stretch[a];
        let han_gaps = han / (HAN_STRETCH * self.size);
        Spread::of(slack, (han, han_gaps), (stretch - han, self.sum_opening[b] - self.sum_opening[a] - han_gaps))
    }
}

/// The lines of the best breaks found, read back from the segment's end: each line's pieces
/// and whether it ends the segment.
fn best_lines(nodes: &[(usize, Node)], start: usize, end: usize) -> Vec<(Range<usize>, bool)> {
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
