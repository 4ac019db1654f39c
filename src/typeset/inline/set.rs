//! Setting: a line's pieces placed as positioned runs, justified, aligned and decorated.

use std::ops::Range;

use super::super::frame::{Cluster, Item, Mark, NoteRun, RunGlyph, TextRun};
use super::super::frame::RunGlyph as Glyph;
use super::{Align, HAN_STRETCH, LOOSEST, Measure, Piece, SetLine, Shaped, Spread, Style, opens_like_han};

impl Shaped<'_> {
    /// Tags the paragraph's formulas (in `Para::formulas` order) as these nodes.
    pub(crate) fn mark_formulas(&mut self, marks: Vec<Mark>) {
        self.formula_marks = marks;
    }

    /// Tags the paragraph's links (in `Para::links` order) as these nodes.
    pub(crate) fn mark_links(&mut self, marks: Vec<Mark>) {
        self.link_marks = marks;
    }

    /// Tags the paragraph's emphases (in `Para::stresses` order) as these nodes.
    pub(crate) fn mark_stresses(&mut self, marks: Vec<Mark>) {
        self.stress_marks = marks;
    }

    /// The node link `index` is tagged as, if any.
    fn link_mark(&self, index: Option<usize>) -> Mark {
        index.and_then(|i| self.link_marks.get(i).copied()).unwrap_or_default()
    }

    /// The node text of `style` belongs to: its link's, else its emphasis's, else none yet.
    fn text_mark(&self, style: &Style) -> Mark {
        match self.link_mark(style.link) {
            Mark::Decoration => style.stress.and_then(|i| self.stress_marks.get(i as usize).copied()).unwrap_or_default(),
            mark => mark,
        }
    }

    pub(super) fn set_line(&self, range: Range<usize>, indent: f32, avail: f32, measure: Measure, last: bool) -> SetLine {
        let starts_paragraph = range.start == 0;
        let shown_range = self.shown(range.start, range.end, starts_paragraph);
        let shown = &self.pieces[shown_range.clone()];
        let gaps = &self.gaps[shown_range.clone()];
        let stretches = &self.stretch[shown_range.clone()];
        let (natural, stretch, shrink) = self.metrics(shown_range.clone(), measure.hanging);
        let slack = avail - natural;
        // A line the breaker let shrink (any line, the last too) takes it from its word spaces
        // and the gaps beside Latin, never from between two Han characters: this share of what
        // each can give.
        let squeeze = if slack < 0.0 && shrink > 0.0 { (-slack / shrink).min(1.0) } else { 0.0 };
        let n = shown.len();
        let spread = self.spread(shown_range.clone(), slack.max(0.0));
        let open = &stretches[..n.saturating_sub(1)];
        let widest_latin = open.iter().filter(|&&s| !opens_like_han(s, self.size)).fold(0.0_f32, |a, &b| a.max(b));
        // Past this a justified line would look spaced out: it is set ragged. A word space or the
        // gap beside Latin may open half as far again as the gap between two Han.
        let loose = stretch <= 0.0
            || spread.at(HAN_STRETCH * self.size, self.size) > LOOSEST * self.size
            || spread.at(widest_latin, self.size) > 1.5 * LOOSEST * self.size;
        let justify = matches!(measure.align, Align::Justify) && !last && !loose && slack > 0.0;
        let spread = if justify { spread } else { Spread::default() };
        let mut x = match measure.align {
            Align::Center => indent + slack.max(0.0) / 2.0,
            Align::Right => indent + slack.max(0.0),
            _ => indent,
        };
        // Each shown piece's x and its trims at the line's edges.
        let mut xs = Vec::with_capacity(n);
        let mut lefts = Vec::with_capacity(n);
        let mut widths = Vec::with_capacity(n);
        for (k, p) in shown.iter().enumerate() {
            let left = if k == 0 { p.edge_trim_left() } else { 0.0 };
            let right = if k + 1 == n { p.edge_trim_right() } else { 0.0 };
            let squeezed = if p.space { squeeze * p.width / 3.0 } else { 0.0 };
            xs.push(x);
            lefts.push(p.trim_left + left);
            widths.push(p.width - left - right - squeezed);
            x += p.width - left - right - squeezed;
            if k + 1 < n {
                x += gaps[k] * (1.0 - squeeze / 2.0) + spread.at(stretches[k], self.size);
            }
        }
        let mut items = Vec::new();
        let mut k = 0;
        while k < n {
            let first = &shown[k];
            if let Some(f) = first.formula {
                let mark = first.style.formula.and_then(|i| self.formula_marks.get(i as usize).copied()).unwrap_or_default();
                items.extend(self.formulas[f.index as usize].items(xs[k], -first.style.rise * self.size, mark));
                k += 1;
                continue;
            }
            let mut m = k + 1;
            while m < n && shown[m].font == first.font && shown[m].size == first.size && shown[m].style.rise == first.style.rise && shown[m].style.note == first.style.note && shown[m].style.ink == first.style.ink && shown[m].style.link == first.style.link && shown[m].style.stress == first.style.stress && shown[m].formula.is_none() {
                m += 1;
            }
            items.push(Item::Text(self.run(&shown[k..m], &xs[k..m], &lefts[k..m], &widths[k..m])));
            k = m;
        }
        // A line ending inside a word shows a hyphen after it, part of its last character's
        // cluster so that copied text has none.
        if let (false, Some(p), Some(Item::Text(run))) = (last, shown.last(), items.last_mut())
            && let Some((id, advance)) = p.hyphen
        {
            let text = run.glyphs.last().map_or(0..0, |g| g.text.clone());
            run.glyphs.push(Glyph { id, advance, x_offset: 0.0, y_offset: 0.0, text });
        }
        self.decorate(shown, &xs, &widths, &mut items);
        let mut clusters: Vec<Cluster> = shown
            .iter()
            .zip(xs.iter().zip(&widths))
            .flat_map(|(p, (&x, &width))| match p.formula {
                Some(f) => self.formulas[f.index as usize].clusters(x),
                None => vec![Cluster { text: self.para.text[p.text.clone()].into(), x, width }],
            })
            .collect();
        // The hyphen a line ending inside a word shows counts in its last cluster's width.
        if let (false, Some(p), Some(c)) = (last, shown.last(), clusters.last_mut())
            && let Some((_, advance)) = p.hyphen
        {
            c.width += advance * p.size;
        }
        let start = self.pieces.get(range.start).map_or(self.para.text.len(), |p| p.text.start);
        let formula_extent = shown.iter().filter_map(|p| p.formula).map(|f| &self.formulas[f.index as usize]).fold((0.0_f32, 0.0_f32), |(a, d), b| (a.max(b.ascent), d.max(b.descent)));
        SetLine { items, clusters, end: x, last, start, formula_extent }
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
        TextRun { x: xs[0], y: -first.style.rise * self.size, font: first.font, size: first.size, text, glyphs, mark: self.text_mark(&first.style), note: if first.style.note { NoteRun::Caller } else { NoteRun::None }, ink: first.style.ink }
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
                let alt = self.para.link_description(link);
                items.push(Item::Link { x: xs[k], y: -0.95 * size, w: x1 - xs[k], h: 1.25 * size, to, alt, mark: self.link_mark(Some(link)) });
            }
            k = m;
        }
    }
}
