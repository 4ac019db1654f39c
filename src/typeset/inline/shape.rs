//! Shaping: styled text into clusters (pieces) with their widths, punctuation adjusted.

use std::collections::BTreeSet;
use std::ops::Range;

use super::{opens_like_han, Blank, FormulaPiece, Para, Piece, Shaped, Style, stretch_of};
use crate::config::Punctuation;
use crate::font::{FontId, FontSet, Glyph, Lang};
use crate::kinsoku::{self, Class};
use super::super::math;

/// Shapes `para` at `size` points, with punctuation set in `punct` style.
pub fn shape<'p>(para: &'p Para, size: f32, fonts: &FontSet, punct: Punctuation) -> Shaped<'p> {
    let text = &para.text;
    let (runs, missing) = itemize(para, fonts);
    let mut glyphs = Vec::new();
    let mut pieces: Vec<Piece> = Vec::new();
    let mut formulas = Vec::with_capacity(para.formulas.len());
    for run in runs {
        if let Some(index) = run.style.formula {
            let parts = math::inline_pieces(&para.formulas[index as usize], size * run.style.scale, fonts);
            for (i, (set, space, kind)) in parts.into_iter().enumerate() {
                // The formula's text (U+FFFC) is its first piece's; the others start there too.
                let text = if i == 0 { run.range.clone() } else { run.range.start..run.range.start };
                pieces.push(formula_piece(&run, text, &set, space, kind, formulas.len() as u32, size, glyphs.len()));
                formulas.push(set);
            }
            continue;
        }
        let mut shaped = fonts.get(run.font).shape_in(&text[run.range.clone()], run.lang);
        stand_in_for_missing(&mut shaped, fonts.get(run.font), &text[run.range.clone()]);
        pieces.extend(clusters(&run, &mut shaped, text, size, glyphs.len(), fonts));
        glyphs.extend(shaped);
    }
    adjust_punctuation(&mut pieces, text, punct);
    mark_breaks(&mut pieces, text);
    mark_soft_breaks(&mut pieces, text, fonts);
    mark_last_resort_breaks(&mut pieces, text);
    // Inside a formula a line may end after a relation or an operator, at a cost.
    for p in pieces.iter_mut() {
        let Some(f) = p.formula.filter(|f| f.inner_break) else { continue };
        p.break_after = f.kind != math::FormulaBreak::Never;
        p.soft_break = f.kind == math::FormulaBreak::Operator;
        p.last_resort = f.kind == math::FormulaBreak::LastResort;
    }
    let gaps: Vec<f32> = (0..pieces.len())
        .map(|k| match pieces.get(k + 1) {
            // Inside a formula: its own space, which a break there drops.
            Some(_) if pieces[k].formula.is_some_and(|f| f.inner_break) => pieces[k].formula.map_or(0.0, |f| f.space_after),
            // A note's caller or a superscript hugs its character.
            Some(next) if pieces[k].style.rise != 0.0 || next.style.rise != 0.0 => 0.0,
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
    let stretch: Vec<f32> = (0..pieces.len())
        .map(|k| pieces.get(k + 1).map_or(0.0, |next| stretch_of(k.checked_sub(1).map(|j| &pieces[j]), &pieces[k], next, gaps[k]) * size))
        .collect();
    let sum_stretch = prefix(&|k| stretch[k]);
    let sum_han_stretch = prefix(&|k| if opens_like_han(stretch[k], size) { stretch[k] } else { 0.0 });
    let sum_opening = prefix(&|k| if stretch[k] > 0.0 { 1.0 } else { 0.0 });
    let mut sum_letters = vec![0; pieces.len() + 1];
    for (k, p) in pieces.iter().enumerate() {
        // A piece of a formula counts its letters and digits.
        let letters = match p.formula {
            Some(f) => formulas[f.index as usize].glyphs.iter().filter(|g| g.text.chars().any(char::is_alphanumeric)).count() as u32,
            None => u32::from(p.han || p.alnum),
        };
        sum_letters[k + 1] = sum_letters[k] + letters;
    }
    Shaped { para, size, glyphs, pieces, formulas, formula_marks: Vec::new(), link_marks: Vec::new(), stress_marks: Vec::new(), gaps, stretch, sum_width, sum_gap, sum_shrink, sum_stretch, sum_han_stretch, sum_opening, sum_letters, missing }
}

/// A character no font has is drawn as a white square (□), and whitespace the font lacks (a
/// tab) as a space, never as the font's .notdef, which no PDF standard accepts; what they
/// stand for stays their text, so copying gives the character.
fn stand_in_for_missing(glyphs: &mut [Glyph], font: &crate::font::Font, text: &str) {
    for g in glyphs.iter_mut().filter(|g| g.id == 0) {
        let c = text.get(g.cluster..).and_then(|t| t.chars().next()).unwrap_or(' ');
        let stand_in = if c.is_whitespace() || c.is_control() { ' ' } else { MISSING_STAND_IN };
        if let Some(id) = font.glyph(stand_in) {
            g.id = id;
            g.advance = font.advance(id);
        }
    }
}

/// Whether `font` draws the combining mark `mark` on the last character of `run`: it has
/// the mark, or the pair shapes without a missing glyph (composed).
fn takes_mark(font: &crate::font::Font, lang: Lang, run: &str, mark: char) -> bool {
    let Some(base) = run.chars().next_back() else { return false };
    font.has_char(mark) || font.shape_in(&format!("{base}{mark}"), lang).iter().all(|g| g.id != 0)
}

/// A combining mark (line-break class CM: accents, diacritics, enclosing marks).
fn is_combining(c: char) -> bool {
    !c.is_ascii() && unicode_linebreak::break_property(c as u32) == unicode_linebreak::BreakClass::CombiningMark
}

/// What a character no font has looks like on the page.
const MISSING_STAND_IN: char = '□';

/// A stretch of text shaped at once: one font, one language, one style.
struct Run {
    range: Range<usize>,
    font: FontId,
    lang: Lang,
    style: Style,
}

/// Splits the paragraph into runs, each character in the first font that has it; returns the
/// characters no font has.
fn itemize(para: &Para, fonts: &FontSet) -> (Vec<Run>, Vec<char>) {
    let text = &para.text;
    let mut runs: Vec<Run> = Vec::new();
    let mut missing = Vec::new();
    for (range, style) in &para.spans {
        if style.formula.is_some() {
            runs.push(Run { range: range.clone(), font: FontId::MATH, lang: Lang::Latin, style: *style });
            continue;
        }
        for (i, c) in text[range.clone()].char_indices() {
            let offset = range.start + i;
            let end = offset + c.len_utf8();
            // A combining mark is shaped with the character before it, in its font, which places
            // it or composes the pair (`e` + `◌̈` → `ë`, where the font has `ë` but not the mark).
            if is_combining(c)
                && let Some(run) = runs.last_mut().filter(|r| r.range.end == offset && r.style == *style && takes_mark(fonts.get(r.font), r.lang, &text[r.range.clone()], c))
            {
                run.range.end = end;
                continue;
            }
            let font = match fonts.pick(style.font, c) {
                Some(f) => f,
                None => {
                    if !missing.contains(&c) {
                        missing.push(c);
                    }
                    // Set in a font that has its stand-in.
                    fonts.pick(style.font, MISSING_STAND_IN).unwrap_or(style.font)
                }
            };
            let lang = if style.font == FontId::MONO || is_latin_context(c, &text[..offset], &text[end..]) { Lang::Latin } else { Lang::Chinese(fonts.locale()) };
            match runs.last_mut() {
                Some(r) if r.range.end == offset && r.font == font && (r.lang == lang || c == ' ') && r.style == *style => r.range.end = end,
                _ => runs.push(Run { range: offset..end, font, lang, style: *style }),
            }
        }
    }
    (runs, missing)
}

/// The run's glyphs grouped into clusters, each a piece with what line breaking and
/// justification need to know of it. `first_glyph` is where the run's glyphs start.
fn clusters(run: &Run, shaped: &mut [Glyph], text: &str, size: f32, first_glyph: usize, fonts: &FontSet) -> Vec<Piece> {
    let Run { range, font, lang, style } = run;
    let run_size = size * style.scale;
    // A cell of the monospace grid, in em (a code block's wide characters take two).
    let cell = style.grid.then(|| fonts.get(FontId::MONO).shape_in("0", Lang::Latin).first().map_or(0.6, |g| g.advance));
    let mut pieces = Vec::new();
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
        let adjustable = matches!(lang, Lang::Chinese(_)) && *font != FontId::MONO && j == i + 1 && matches!(class, Class::Stop | Class::Close | Class::Open);
        let blank = if adjustable && (advance - 1.0).abs() < 0.01 { blank_half(fonts, *font, shaped[i].id) } else { None };
        let newline = s == "\n";
        let natural = if newline { 0.0 } else { advance * run_size };
        // In a code block, a wide character (Han, kana, full-width punctuation) takes two cells of the
        // monospace grid, its glyph centred, so that columns aligned for them stay aligned.
        let width = match (single, cell) {
            (Some(c), Some(cell)) if *font != FontId::MONO && kinsoku::takes_two_columns(c) => {
                let cells = 2.0 * cell * run_size;
                shaped[i].x_offset += (cells - natural) / 2.0 / run_size;
                cells
            }
            _ => natural,
        };
        pieces.push(Piece {
            wide: s.chars().any(kinsoku::is_wide) || adjustable,
            space: s.chars().all(|c| c == ' '),
            ellipsis: matches!(s, "…" | "⋯"),
            han: s.chars().any(|c| kinsoku::is_wide(c) && kinsoku::class(c) == Class::Other && !matches!(c, '\u{3000}' | '—' | '⸺')),
            alnum: s.chars().all(|c| !kinsoku::is_wide(c) && c.is_alphanumeric()),
            blank,
            newline,
            ..Piece::new(piece_text.clone(), first_glyph + i..first_glyph + j, width, *font, run_size, *style)
        });
        i = j;
    }
    pieces
}
/// A piece of an inline formula (`set`, Shaped::formulas[`index`]), which sits beside Han as
/// Latin does. `space_after` is the formula's space after it, dropped where a line ends there.
fn formula_piece(run: &Run, text: Range<usize>, set: &math::MathBox, space_after: f32, kind: math::FormulaBreak, index: u32, size: f32, glyphs_at: usize) -> Piece {
    let inner_break = kind != math::FormulaBreak::End;
    let formula = Some(FormulaPiece { index, space_after: if inner_break { space_after } else { 0.0 }, inner_break, kind });
    Piece { alnum: true, formula, ..Piece::new(text, glyphs_at..glyphs_at, set.width, FontId::MATH, size * run.style.scale, run.style) }
}

/// Which part of a full-width punctuation mark's em is blank, read from its ink: a half on
/// one side, or a quarter on both for a mark set in the middle (Taiwan and Hong Kong).
fn blank_half(fonts: &FontSet, font: FontId, glyph: u16) -> Option<Blank> {
    let (x0, x1) = fonts.get(font).ink_x(glyph)?;
    if x1 <= 0.52 {
        Some(Blank::Right)
    } else if x0 >= 0.48 {
        Some(Blank::Left)
    } else if x0 >= 0.23 && x1 <= 0.77 {
        Some(Blank::Both)
    } else {
        None
    }
}

/// Marks the pieces a line may end after: a forced break, or a break opportunity (UAX #14
/// with 禁则) before the next piece.
fn mark_breaks(pieces: &mut [Piece], text: &str) {
    let breaks: BTreeSet<usize> = kinsoku::break_opportunities(text).into_iter().collect();
    for k in 0..pieces.len() {
        let next_start = pieces.get(k + 1).map(|p| p.text.start);
        pieces[k].break_after = pieces[k].newline || next_start.is_some_and(|s| breaks.contains(&s));
    }
}

/// Adds break opportunities inside Latin runs that no rule breaks, so that a long run does not
/// leave the line before it ragged or spread: in code, paths, URLs and identifiers (a run in
/// the monospace face, or holding `/ . _ ( ,` between letters, or camelCase) after `/ . _ - ( ,`
/// and between camelCase words, with no hyphen; in an English word, at its hyphenation points
/// (Liang's patterns, via `hypher`), showing a hyphen. Neither within two characters of the
/// run's ends, nor inside a number. Code in prose may break anywhere else too, at a higher cost.
fn mark_soft_breaks(pieces: &mut [Piece], text: &str, fonts: &FontSet) {
    let mut hyphens: Vec<(FontId, Option<(u16, f32)>)> = Vec::new();
    let mut k = 0;
    while k < pieces.len() {
        if !is_latin(&pieces[k]) {
            k += 1;
            continue;
        }
        let start = k;
        while k < pieces.len() && is_latin(&pieces[k]) && (k == start || !pieces[k - 1].break_after) {
            k += 1;
        }
        let run = start..k;
        let (from, to) = (pieces[start].text.start, pieces[k - 1].text.end);
        let token = &text[from..to];
        if token.len() < 6 {
            continue;
        }
        let mono = pieces[run.clone()].iter().any(|p| p.font == FontId::MONO);
        let breaks = if mono || looks_like_code(token) { code_breaks(token) } else { word_breaks(token) };
        let hyphenated = !mono && !looks_like_code(token);
        for offset in breaks {
            // The piece that ends where the break is.
            let Some(i) = run.clone().find(|&i| pieces[i].text.end == from + offset) else { continue };
            if pieces[i].break_after || i + 1 >= run.end {
                continue;
            }
            pieces[i].break_after = true;
            pieces[i].soft_break = true;
            if hyphenated {
                let font = pieces[i].font;
                pieces[i].hyphen = match hyphens.iter().find(|(f, _)| *f == font) {
                    Some(&(_, h)) => h,
                    None => {
                        let h = hyphen_glyph(fonts, font);
                        hyphens.push((font, h));
                        h
                    }
                };
            }
        }
    }
}

/// A piece of a Latin run: not CJK, a space or a newline.
fn is_latin(p: &Piece) -> bool {
    !p.wide && !p.space && !p.newline && !p.text.is_empty()
}

/// Lets code, a path or a URL in prose (the whole run of Latin between spaces or CJK, which
/// UAX #14 may already break after `/`) break between any two of its characters, two from
/// either end at least. A code block's lines (all monospace) break only where code reads as
/// broken.
fn mark_last_resort_breaks(pieces: &mut [Piece], text: &str) {
    if !pieces.iter().any(|p| p.font != FontId::MONO && !p.space && !p.newline) {
        return;
    }
    let mut k = 0;
    while k < pieces.len() {
        let start = k;
        while k < pieces.len() && is_latin(&pieces[k]) {
            k += 1;
        }
        if k == start {
            k += 1;
            continue;
        }
        let token = &text[pieces[start].text.start..pieces[k - 1].text.end];
        let code = pieces[start..k].iter().any(|p| p.font == FontId::MONO) || looks_like_code(token);
        if code && start + 1 < k.saturating_sub(2) {
            for piece in &mut pieces[start + 1..k - 2] {
                if !piece.break_after {
                    piece.break_after = true;
                    piece.last_resort = true;
                }
            }
        }
    }
}

/// Whether a run of Latin reads as code, a path, a URL or an identifier rather than words.
fn looks_like_code(token: &str) -> bool {
    let chars: Vec<char> = token.chars().collect();
    chars.windows(3).any(|w| w[0].is_alphanumeric() && matches!(w[1], '/' | '\\' | '.' | '_' | '(' | ':' | '=') && w[2].is_alphabetic())
        || chars.windows(2).any(|w| w[0].is_lowercase() && w[1].is_uppercase())
        || token.contains("://")
}

/// Byte offsets inside a code-like run after which a line may break.
pub(super) fn code_breaks(token: &str) -> Vec<usize> {
    let chars: Vec<(usize, char)> = token.char_indices().collect();
    let mut out = Vec::new();
    for i in 2..chars.len().saturating_sub(2) {
        let (prev, next) = (chars[i - 1].1, chars[i].1);
        // Not inside a number (`3.14`, `1,000`, `1/2`) nor between two marks (`://`, `::`).
        let number = next.is_ascii_digit() && (prev != '/' || chars[i - 2].1.is_ascii_digit());
        let after_mark = matches!(prev, '/' | '\\' | '.' | '_' | '-' | '(' | ',' | '?' | '&' | '=' | '#' | ';' | ':' | '|' | '@')
            && !number
            && !matches!(next, '/' | '\\' | '.' | ',' | ')' | '-' | '_' | ':' | '=' | '&' | '?' | ';');
        let camel = prev.is_lowercase() && next.is_uppercase();
        if after_mark || camel {
            out.push(chars[i].0);
        }
    }
    out
}

/// Byte offsets inside an English word (with its surrounding punctuation) at its hyphenation
/// points, two letters from its start and three from its end at least.
fn word_breaks(token: &str) -> Vec<usize> {
    let start = token.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(token.len());
    let end = token.rfind(|c: char| c.is_ascii_alphabetic()).map_or(start, |i| i + 1);
    let word = &token[start..end];
    if word.len() < 6 || word.len() > hypher::MAX_INLINE_SIZE || !word.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut at = start;
    let syllables: Vec<&str> = hypher::hyphenate_bounded(word, hypher::Lang::English, 2, 3).collect();
    for s in &syllables[..syllables.len().saturating_sub(1)] {
        at += s.len();
        out.push(at);
    }
    out
}

/// The hyphen of `font`: its glyph and advance, in em.
fn hyphen_glyph(fonts: &FontSet, font: FontId) -> Option<(u16, f32)> {
    let glyph = fonts.get(font).shape_in("-", Lang::Latin).into_iter().next()?;
    (glyph.id != 0).then_some((glyph.id, glyph.advance))
}

/// Removes blank halves inside the paragraph: the punctuation style's own, then one half
/// between two adjacent marks (rule 6), so the same pair has the same width on every line.
fn adjust_punctuation(pieces: &mut [Piece], text: &str, punct: Punctuation) {
    for p in pieces.iter_mut() {
        if p.blank.is_none() {
            continue;
        }
        let full_stop = matches!(&text[p.text.clone()], "。" | "？" | "！" | "．");
        let halve = match punct {
            Punctuation::Gb => false,
            Punctuation::Kaiming => !full_stop,
            Punctuation::Half => true,
        };
        if halve {
            (p.trim_left, p.trim_right) = (p.blank_left(), p.blank_right());
        }
    }
    for k in 1..pieces.len() {
        let (before, after) = pieces.split_at_mut(k);
        let (a, b) = (&mut before[k - 1], &mut after[0]);
        if a.blank.is_none() || b.blank.is_none() {
            continue;
        }
        // Half an em of blank goes between two marks: taken from the first's right, then
        // from the second's left, less what the style took already.
        let mut wanted = a.size.max(b.size) / 2.0 - a.trim_right - b.trim_left;
        if wanted <= 0.0 || (a.blank == Some(Blank::Right) && b.blank == Some(Blank::Left) && (a.trim_right > 0.0 || b.trim_left > 0.0)) {
            continue;
        }
        let from_a = a.edge_trim_right().min(wanted);
        a.trim_right += from_a;
        wanted -= from_a;
        b.trim_left += b.edge_trim_left().min(wanted);
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
