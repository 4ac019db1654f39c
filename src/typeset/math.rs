//! Formulas laid out as TeX sets them (The TeXbook, appendix G), with the constants, glyph
//! variants and assemblies of the math font's OpenType MATH table: atoms spaced by class,
//! scripts, limits, fractions, radicals, delimiters that grow, accents and tables.
//! Lengths are in points, y upwards from the formula's baseline.

use super::frame::{Cluster, Item, Mark, NoteRun, RunGlyph, TextRun};
use crate::doc::Formula;
use crate::font::{AssemblyPart, Font, FontId, FontSet, Grown, Lang, MathConstant as C, MathTable};
use crate::math::{Class, ColumnAlign, Limits, MathStyle, Node, TableKind, Variant, nodes};

/// A laid-out formula or part of one.
#[derive(Debug, Clone, Default)]
pub(crate) struct MathBox {
    pub(crate) width: f32,
    pub(crate) ascent: f32,
    pub(crate) descent: f32,
    /// The italic correction of its last glyph (a superscript moves right by it).
    italic: f32,
    pub(crate) glyphs: Vec<MathGlyph>,
    /// Filled rectangles: x, y (bottom), width, height.
    pub(crate) rules: Vec<[f32; 4]>,
}

#[derive(Debug, Clone)]
pub(crate) struct MathGlyph {
    pub(crate) x: f32,
    pub(crate) y: f32,
    pub(crate) font: FontId,
    pub(crate) size: f32,
    pub(crate) id: u16,
    /// The character it draws, for copying and searching.
    pub(crate) text: String,
    /// A part of an assembled glyph after its first: drawn in the first part's run, as one
    /// character of text with it.
    pub(crate) joined: bool,
}

impl MathBox {
    fn empty() -> MathBox {
        MathBox::default()
    }

    /// Adds `other` with its origin at (`x`, `y`).
    fn place(&mut self, other: MathBox, x: f32, y: f32) {
        self.ascent = self.ascent.max(other.ascent + y);
        self.descent = self.descent.max(other.descent - y);
        self.glyphs.extend(other.glyphs.into_iter().map(|g| MathGlyph { x: g.x + x, y: g.y + y, ..g }));
        self.rules.extend(other.rules.into_iter().map(|[rx, ry, w, h]| [rx + x, ry + y, w, h]));
    }

    fn rule(&mut self, x: f32, y: f32, w: f32, h: f32) {
        self.rules.push([x, y, w, h]);
        self.ascent = self.ascent.max(y + h);
        self.descent = self.descent.max(-y);
    }

    /// Moves everything up by `dy`.
    fn raise(mut self, dy: f32) -> MathBox {
        for g in &mut self.glyphs {
            g.y += dy;
        }
        for r in &mut self.rules {
            r[1] += dy;
        }
        self.ascent += dy;
        self.descent -= dy;
        self
    }

    pub(crate) fn height(&self) -> f32 {
        self.ascent + self.descent
    }

    /// The formula `factor` times as large.
    pub(crate) fn scaled(mut self, factor: f32) -> MathBox {
        for g in &mut self.glyphs {
            g.x *= factor;
            g.y *= factor;
            g.size *= factor;
        }
        for r in &mut self.rules {
            r.iter_mut().for_each(|v| *v *= factor);
        }
        self.width *= factor;
        self.ascent *= factor;
        self.descent *= factor;
        self.italic *= factor;
        self
    }

    /// The formula as page items with its baseline's left end at (`x`, `baseline`) on a page
    /// whose y runs down: a run per glyph, a rectangle per rule, all under `mark`.
    pub(crate) fn items(&self, x: f32, baseline: f32, mark: Mark) -> Vec<Item> {
        let mut items = Vec::with_capacity(self.glyphs.len() + self.rules.len());
        for g in &self.glyphs {
            if g.joined
                && let Some(Item::Text(run)) = items.last_mut()
            {
                let text = 0..run.text.len() as u32;
                let (dx, dy) = ((x + g.x - run.x) / run.size, (run.y - (baseline - g.y)) / run.size);
                run.glyphs.push(RunGlyph { id: g.id, advance: 0.0, x_offset: dx, y_offset: dy, text });
                continue;
            }
            let glyph = RunGlyph { id: g.id, advance: 0.0, x_offset: 0.0, y_offset: 0.0, text: 0..g.text.len() as u32 };
            let run = TextRun { x: x + g.x, y: baseline - g.y, font: g.font, size: g.size, text: g.text.clone(), glyphs: vec![glyph], mark, note: NoteRun::None, ink: Default::default() };
            items.push(Item::Text(run));
        }
        for &[rx, ry, w, h] in &self.rules {
            items.push(Item::Rect { x: x + rx, y: baseline - ry - h, w, h, colour: [0, 0, 0] });
        }
        items
    }

    /// The formula as clusters of the layout dump: a character each, in the order of their x,
    /// the last reaching the formula's right edge.
    pub(crate) fn clusters(&self, x: f32) -> Vec<Cluster> {
        let mut glyphs: Vec<&MathGlyph> = self.glyphs.iter().filter(|g| !g.text.is_empty() && !g.joined).collect();
        glyphs.sort_by(|a, b| a.x.total_cmp(&b.x));
        let ends: Vec<f32> = glyphs.iter().skip(1).map(|g| g.x).chain([self.width]).collect();
        glyphs.iter().zip(ends).map(|(g, end)| Cluster { text: g.text.as_str().into(), x: x + g.x, width: (end - g.x).max(0.0) }).collect()
    }}

/// Where a line may end after a piece of an inline formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FormulaBreak {
    /// The formula's last piece: as the text around it allows.
    End,
    /// After a relation or a binary operator, as TeX breaks a formula in text.
    Operator,
    /// Between two other atoms: only to keep a line from running past the measure.
    LastResort,
    /// Not here (before a closing mark or punctuation, after an opening one).
    Never,
}

/// An inline formula at `size` points, in pieces a line may end between (`FormulaBreak`), each
/// with the space after it, which a line ending there drops. Plain groups at the top level
/// (`\mathfrak{ABC}`) are opened, so that a formula wider than the measure can still break.
/// One the layout cannot read (the Markdown stage has checked it, so only past the nesting
/// limit) is its TeX in the monospace face, in one piece.
pub(crate) fn inline_pieces(formula: &Formula, size: f32, fonts: &FontSet) -> Vec<(MathBox, f32, FormulaBreak)> {
    let set = || -> Result<Vec<(MathBox, f32, FormulaBreak)>, String> {
        let tree = opened(nodes(&formula.source())?);
        let font = fonts.get(FontId::MATH);
        let table = font.math().ok_or("the math font has no MATH table")?;
        let engine = Engine { fonts, font, table, size };
        let ctx = Ctx { style: MathStyle::Text, cramped: false, fence: None };
        let (atoms, spaces) = engine.atoms(&tree, ctx);
        let classes: Vec<Class> = atoms.iter().map(|a| a.1).collect();
        let n = atoms.len();
        let mut pieces: Vec<(MathBox, f32, FormulaBreak)> = atoms
            .into_iter()
            .enumerate()
            .map(|(i, (b, class))| {
                let next = classes.get(i + 1).copied();
                let kind = match next {
                    None => FormulaBreak::End,
                    Some(Class::Close | Class::Punct | Class::Rel) => FormulaBreak::Never,
                    Some(_) if class == Class::Open => FormulaBreak::Never,
                    Some(_) if matches!(class, Class::Rel | Class::Bin) => FormulaBreak::Operator,
                    Some(_) => FormulaBreak::LastResort,
                };
                (b, spaces[i], kind)
            })
            .collect();
        // Pieces no line may end between are one piece.
        let mut joined_pieces: Vec<(MathBox, f32, FormulaBreak)> = Vec::with_capacity(n);
        for (b, space, kind) in pieces.drain(..) {
            match joined_pieces.last_mut() {
                Some(last) if last.2 == FormulaBreak::Never => {
                    let previous = std::mem::take(&mut last.0);
                    *last = (joined([previous, b].into_iter(), &[last.1]), space, kind);
                }
                _ => joined_pieces.push((b, space, kind)),
            }
        }
        if joined_pieces.is_empty() {
            joined_pieces.push((MathBox::empty(), 0.0, FormulaBreak::End));
        }
        Ok(joined_pieces)
    };
    set().unwrap_or_else(|_| vec![(source(&formula.tex, size, fonts), 0.0, FormulaBreak::End)])
}

/// Plain groups at the top of a formula opened into their content, where they set no style.
fn opened(nodes: Vec<Node>) -> Vec<Node> {
    let mut out = Vec::with_capacity(nodes.len());
    for node in nodes {
        match node {
            Node::Group(inner) if !inner.iter().any(|n| matches!(n, Node::Style(_))) => out.extend(opened(inner)),
            other => out.push(other),
        }
    }
    out
}

/// Boxes side by side, `spaces[i]` after box `i` (the last box's space is not added).
fn joined(boxes: impl Iterator<Item = MathBox>, spaces: &[f32]) -> MathBox {
    let mut out = MathBox::empty();
    let mut x = 0.0;
    for (i, b) in boxes.enumerate() {
        if i > 0 {
            x += spaces.get(i - 1).copied().unwrap_or(0.0);
        }
        let (width, italic) = (b.width, b.italic);
        out.place(b, x, 0.0);
        x += width;
        out.italic = italic;
    }
    out.width = x;
    out
}

/// TeX as text in the monospace face.
fn source(tex: &str, size: f32, fonts: &FontSet) -> MathBox {
    let mut out = MathBox::empty();
    let mut x = 0.0;
    for c in tex.chars().filter(|c| !c.is_control()) {
        let id = fonts.pick(FontId::MONO, c).unwrap_or(FontId::MONO);
        let font = fonts.get(id);
        let mut buf = [0u8; 4];
        for g in font.shape_in(c.encode_utf8(&mut buf), Lang::Latin) {
            out.glyphs.push(MathGlyph { x, y: 0.0, font: id, size, id: g.id, text: c.to_string(), joined: false });
            x += g.advance * size;
        }
    }
    out.width = x;
    out.ascent = 0.8 * size;
    out.descent = 0.2 * size;
    out
}

/// Lays out `formula` at `size` points, in display style or in the run of text.
pub(crate) fn layout(formula: &Formula, size: f32, display: bool, fonts: &FontSet) -> Result<MathBox, String> {
    let tree = nodes(&formula.source())?;
    let font = fonts.get(FontId::MATH);
    let table = font.math().ok_or("the math font has no MATH table")?;
    let engine = Engine { fonts, font, table, size };
    let ctx = Ctx { style: if display { MathStyle::Display } else { MathStyle::Text }, cramped: false, fence: None };
    Ok(engine.list(&tree, ctx).0)
}

struct Engine<'f> {
    fonts: &'f FontSet,
    font: &'static Font,
    table: MathTable<'static>,
    size: f32,
}

#[derive(Clone, Copy)]
struct Ctx {
    style: MathStyle,
    cramped: bool,
    /// The height `\middle` delimiters grow to, inside `\left … \right`.
    fence: Option<f32>,
}

impl Ctx {
    fn display(self) -> bool {
        self.style == MathStyle::Display
    }

    fn script(self) -> Ctx {
        let style = match self.style {
            MathStyle::Display | MathStyle::Text => MathStyle::Script,
            _ => MathStyle::ScriptScript,
        };
        Ctx { style, fence: None, ..self }
    }

    fn cramped(self) -> Ctx {
        Ctx { cramped: true, ..self }
    }

    /// A fraction's numerator and denominator style.
    fn fraction(self) -> Ctx {
        let style = match self.style {
            MathStyle::Display => MathStyle::Text,
            MathStyle::Text => MathStyle::Script,
            _ => MathStyle::ScriptScript,
        };
        Ctx { style, fence: None, ..self }
    }
}

/// Space between atoms of two classes, in mu (18 mu = 1 em); negative where TeX puts space
/// only in display and text styles.
fn spacing(left: Class, right: Class) -> i8 {
    use Class::*;
    match (left, right) {
        (Ord, Op) | (Op, Ord) | (Op, Op) | (Close, Op) | (Inner, Op) => 3,
        (Ord, Bin) | (Bin, _) | (Close, Bin) | (Inner, Bin) => -4,
        (_, Bin) => 0,
        (Ord, Rel) | (Op, Rel) | (Rel, Ord) | (Rel, Op) | (Rel, Open) | (Rel, Inner) | (Close, Rel) | (Inner, Rel) => -5,
        (Rel, Close) | (Rel, Punct) | (Rel, Rel) => 0,
        (Ord, Inner) | (Op, Inner) | (Close, Inner) | (Inner, Ord) | (Inner, Open) | (Inner, Inner) | (Inner, Punct) => -3,
        (Inner, Close) => 0,
        (Punct, Open) | (Punct, Close) | (Punct, Rel) => -3,
        (Punct, _) => -3,
        _ => 0,
    }
}

impl Engine<'_> {
    fn size(&self, ctx: Ctx) -> f32 {
        match ctx.style {
            MathStyle::Display | MathStyle::Text => self.size,
            MathStyle::Script => self.size * self.table.constant(C::ScriptPercentScaleDown),
            MathStyle::ScriptScript => self.size * self.table.constant(C::ScriptScriptPercentScaleDown),
        }
    }

    /// A MATH constant in points at the current style's size.
    fn k(&self, c: C, ctx: Ctx) -> f32 {
        self.table.constant(c) * self.size(ctx)
    }

    /// A list of nodes side by side, spaced by class. Returns the box and the class it acts as.
    fn list(&self, nodes: &[Node], ctx: Ctx) -> (MathBox, Class) {
        let (atoms, spaces) = self.atoms(nodes, ctx);
        let class = if atoms.len() == 1 { atoms[0].1 } else { Class::Ord };
        (joined(atoms.into_iter().map(|(b, _)| b), &spaces), class)
    }

    /// A list's atoms with their classes, and the space after each (in points).
    fn atoms(&self, nodes: &[Node], mut ctx: Ctx) -> (Vec<(MathBox, Class)>, Vec<f32>) {
        let mut atoms: Vec<(MathBox, Class)> = Vec::new();
        let mut tight = Vec::new();
        for node in nodes {
            if let Node::Style(style) = node {
                ctx.style = *style;
                continue;
            }
            if matches!(node, Node::Group(g) if g.is_empty()) {
                continue;
            }
            atoms.push(self.node(node, ctx));
            tight.push((matches!(ctx.style, MathStyle::Script | MathStyle::ScriptScript), self.size(ctx) / 18.0));
        }
        // A binary operator with nothing to operate on acts as an ordinary symbol.
        for i in 0..atoms.len() {
            if atoms[i].1 == Class::Bin {
                let before = if i == 0 { None } else { Some(atoms[i - 1].1) };
                let after = atoms.get(i + 1).map(|a| a.1);
                let lone_before = matches!(before, None | Some(Class::Bin | Class::Op | Class::Rel | Class::Open | Class::Punct));
                let lone_after = matches!(after, None | Some(Class::Rel | Class::Close | Class::Punct));
                if lone_before || lone_after {
                    atoms[i].1 = Class::Ord;
                }
            }
        }
        let spaces = (0..atoms.len())
            .map(|i| {
                let Some(next) = atoms.get(i + 1) else { return 0.0 };
                let (script, mu) = tight[i + 1];
                let s = spacing(atoms[i].1, next.1);
                if s > 0 || (s < 0 && !script) { s.unsigned_abs() as f32 * mu } else { 0.0 }
            })
            .collect();
        (atoms, spaces)
    }

    fn node(&self, node: &Node, ctx: Ctx) -> (MathBox, Class) {
        match node {
            Node::Symbol { text, class, variant, stretchy: _ } => {
                let b = if *class == Class::Op { self.large_operator(text, ctx) } else { self.symbol(text, *variant, ctx) };
                (b, *class)
            }
            Node::Number { text, variant } => (self.symbol(text, Some(variant.unwrap_or(Variant::Upright)), ctx), Class::Ord),
            Node::Function(name) => (self.symbol(name, Some(Variant::Upright), ctx), Class::Op),
            Node::Text(t) => (self.text(t, ctx), Class::Ord),
            Node::Group(nodes) => (self.list(nodes, ctx).0, Class::Ord),
            Node::Fenced { open, close, body } => (self.fenced(*open, *close, body, ctx), Class::Inner),
            Node::Delimiter { c, size, class } => {
                let target = match size {
                    Some(em) => em * self.size,
                    None => ctx.fence.unwrap_or(0.0),
                };
                (self.delimiter(*c, target, ctx), *class)
            }
            // `\frac` wraps its fraction in braces: an ordinary atom, as in LaTeX.
            Node::Fraction { numerator, denominator, rule } => (self.fraction(numerator, denominator, *rule, ctx), Class::Ord),
            Node::Root { radicand, index } => (self.root(radicand, index.as_deref(), ctx), Class::Ord),
            Node::Scripts { base, sub, sup, limits } => self.scripts(base, sub.as_deref(), sup.as_deref(), *limits, ctx),
            Node::Space(em) => (MathBox { width: em * self.size(ctx), ..MathBox::empty() }, Class::Ord),
            Node::Table { kind, columns, rules, rows } => (self.table(*kind, columns, rules, rows, ctx), Class::Ord),
            Node::Style(_) => (MathBox::empty(), Class::Ord),
            Node::Negated(inner) => {
                let (mut b, class) = self.node(inner, ctx);
                let slash = self.symbol("/", Some(Variant::Upright), ctx);
                let x = (b.width - slash.width) / 2.0;
                b.place(slash, x, 0.0);
                (b, class)
            }
        }
    }

    /// Characters in the math font (mapped to the letter style), one glyph each; a character
    /// the math font lacks comes from the body's fonts.
    fn symbol(&self, text: &str, variant: Option<Variant>, ctx: Ctx) -> MathBox {
        let size = self.size(ctx);
        let single = text.chars().count() == 1;
        let mut out = MathBox::empty();
        let mut x = 0.0;
        for c in text.chars() {
            let styled = styled(c, variant, single);
            let (font_id, font) = if self.font.has_char(styled) {
                (FontId::MATH, self.font)
            } else {
                let id = self.fonts.pick(FontId::SERIF, styled).unwrap_or(FontId::SERIF);
                (id, self.fonts.get(id))
            };
            let mut buf = [0u8; 4];
            for g in font.shape_in(styled.encode_utf8(&mut buf), Lang::Latin) {
                let glyph = MathGlyph { x: x + g.x_offset * size, y: g.y_offset * size, font: font_id, size, id: g.id, text: styled.to_string(), joined: false };
                if let Some((_, y0, _, y1)) = font.bounds(g.id) {
                    out.ascent = out.ascent.max(y1 * size + glyph.y);
                    out.descent = out.descent.max(-y0 * size - glyph.y);
                }
                out.italic = if font_id == FontId::MATH { self.table.italic_correction(g.id) * size } else { 0.0 };
                out.glyphs.push(glyph);
                x += g.advance * size;
            }
        }
        out.width = x;
        out
    }

    /// `\text{…}`: in the body's serif, Chinese and all.
    fn text(&self, text: &str, ctx: Ctx) -> MathBox {
        let size = self.size(ctx);
        let mut out = MathBox::empty();
        let mut x = 0.0;
        for c in text.chars() {
            let id = self.fonts.pick(FontId::SERIF, c).unwrap_or(FontId::SERIF);
            let font = self.fonts.get(id);
            let lang = if crate::kinsoku::is_wide(c) { Lang::Chinese(self.fonts.locale()) } else { Lang::Latin };
            let mut buf = [0u8; 4];
            for g in font.shape_in(c.encode_utf8(&mut buf), lang) {
                if let Some((_, y0, _, y1)) = font.bounds(g.id) {
                    out.ascent = out.ascent.max(y1 * size);
                    out.descent = out.descent.max(-y0 * size);
                }
                out.glyphs.push(MathGlyph { x: x + g.x_offset * size, y: g.y_offset * size, font: id, size, id: g.id, text: c.to_string(), joined: false });
                x += g.advance * size;
            }
        }
        out.width = x;
        out
    }

    /// A glyph grown to `target` points (vertically or across), from its variants or parts.
    fn grown(&self, c: char, target: f32, vertical: bool, ctx: Ctx) -> MathBox {
        let size = self.size(ctx);
        let Some(glyph) = self.font.glyph(c) else { return self.symbol(&c.to_string(), Some(Variant::Upright), ctx) };
        match self.table.grown(glyph, target / size, vertical) {
            None => self.glyph_box(glyph, c, size),
            Some(Grown::Variant { glyph, .. }) => self.glyph_box(glyph, c, size),
            Some(Grown::Assembly { parts, overlap }) => self.assembly(&parts, overlap, target / size, vertical, c, size),
        }
    }

    fn glyph_box(&self, id: u16, c: char, size: f32) -> MathBox {
        let (_, y0, _, y1) = self.font.bounds(id).unwrap_or((0.0, 0.0, 0.0, 0.0));
        MathBox {
            width: self.font.advance(id) * size,
            ascent: y1 * size,
            descent: -y0 * size,
            italic: self.table.italic_correction(id) * size,
            glyphs: vec![MathGlyph { x: 0.0, y: 0.0, font: FontId::MATH, size, id, text: c.to_string(), joined: false }],
            rules: Vec::new(),
        }
    }

    /// Parts joined to reach `target` em: extenders repeated as often as needed, the overlaps
    /// between parts shared out evenly.
    fn assembly(&self, parts: &[AssemblyPart], min_overlap: f32, target: f32, vertical: bool, c: char, size: f32) -> MathBox {
        let fixed: f32 = parts.iter().filter(|p| !p.extender).map(|p| p.advance).sum();
        let extender: f32 = parts.iter().filter(|p| p.extender).map(|p| p.advance).sum();
        let mut repeats = 0usize;
        let joints = |r: usize| parts.iter().map(|p| if p.extender { r } else { 1 }).sum::<usize>().saturating_sub(1) as f32;
        while fixed + extender * repeats as f32 - joints(repeats) * min_overlap < target && repeats < 100 && extender > 0.0 {
            repeats += 1;
        }
        let sequence: Vec<&AssemblyPart> = parts.iter().flat_map(|p| std::iter::repeat_n(p, if p.extender { repeats } else { 1 })).collect();
        let natural: f32 = sequence.iter().map(|p| p.advance).sum();
        let n = sequence.len().saturating_sub(1) as f32;
        // Overlap as little as reaches the target, but at least the font's minimum, and no
        // more than the connectors allow.
        let max_overlap = sequence.windows(2).map(|w| w[0].end_connector.min(w[1].start_connector)).fold(f32::INFINITY, f32::min);
        let overlap = if n > 0.0 { ((natural - target) / n).clamp(min_overlap, max_overlap.max(min_overlap)) } else { 0.0 };
        let mut out = MathBox::empty();
        let mut at = 0.0;
        for (i, p) in sequence.iter().enumerate() {
            if i > 0 {
                at -= overlap;
            }
            // The assembled glyph is one character: its parts are drawn as one cluster.
            let mut part = self.glyph_box(p.glyph, c, size);
            // Up: each part's ink starts where the stack has reached; across: its origin.
            let (x, y) = if vertical { (0.0, at * size + part.descent) } else { (at * size, 0.0) };
            part.glyphs[0].joined = i > 0;
            out.width = out.width.max(if vertical { part.width } else { 0.0 });
            out.place(part, x, y);
            at += p.advance;
        }
        if vertical {
            // Parts are stacked from the bottom at 0; callers centre the whole.
            out.ascent = at * size;
            out.descent = 0.0;
        } else {
            out.width = at * size;
        }
        out
    }

    /// A large operator: in display style its larger variant; centred on the math axis.
    fn large_operator(&self, text: &str, ctx: Ctx) -> MathBox {
        let c = text.chars().next().unwrap_or('∑');
        let b = if ctx.display() && text.chars().count() == 1 {
            let target = self.k(C::DisplayOperatorMinHeight, ctx);
            match self.font.glyph(c).and_then(|g| self.table.grown(g, target / self.size(ctx), true)) {
                Some(Grown::Variant { glyph, .. }) => self.glyph_box(glyph, c, self.size(ctx)),
                _ => self.symbol(text, Some(Variant::Upright), ctx),
            }
        } else {
            self.symbol(text, Some(Variant::Upright), ctx)
        };
        let axis = self.k(C::AxisHeight, ctx);
        let shift = axis - (b.ascent - b.descent) / 2.0;
        let italic = b.italic;
        let mut b = b.raise(shift);
        b.italic = italic;
        b
    }

    /// A delimiter at least `target` points tall, centred on the axis.
    fn delimiter(&self, c: char, target: f32, ctx: Ctx) -> MathBox {
        let b = if target <= 0.0 { self.symbol(&c.to_string(), Some(Variant::Upright), ctx) } else { self.grown(c, target, true, ctx) };
        let axis = self.k(C::AxisHeight, ctx);
        b.clone().raise(axis - (b.ascent - b.descent) / 2.0)
    }

    fn fenced(&self, open: Option<char>, close: Option<char>, body: &[Node], ctx: Ctx) -> MathBox {
        let (first, _) = self.list(body, Ctx { fence: Some(0.0), ..ctx });
        let axis = self.k(C::AxisHeight, ctx);
        // As TeX: cover the body's extent from the axis, at least 90 % of it, at most 0.5 em
        // short of it.
        let reach = (first.ascent - axis).max(first.descent + axis);
        let target = (2.0 * reach * 0.901).max(2.0 * reach - 0.5 * self.size(ctx));
        let (inner, _) = if body.iter().any(|n| matches!(n, Node::Delimiter { size: None, .. })) { self.list(body, Ctx { fence: Some(target), ..ctx }) } else { (first, Class::Ord) };
        let mut out = MathBox::empty();
        let mut x = 0.0;
        if let Some(c) = open.filter(|c| *c != '.') {
            let d = self.delimiter(c, target, ctx);
            x = d.width;
            out.place(d, 0.0, 0.0);
        }
        let w = inner.width;
        out.place(inner, x, 0.0);
        x += w;
        if let Some(c) = close.filter(|c| *c != '.') {
            let d = self.delimiter(c, target, ctx);
            let dw = d.width;
            out.place(d, x, 0.0);
            x += dw;
        }
        out.width = x;
        out
    }

    fn fraction(&self, numerator: &[Node], denominator: &[Node], rule: Option<f32>, ctx: Ctx) -> MathBox {
        let inner = ctx.fraction();
        let (num, _) = self.list(numerator, inner);
        let (den, _) = self.list(denominator, inner.cramped());
        let display = ctx.display();
        let thickness = rule.map_or(self.k(C::FractionRuleThickness, ctx), |em| em * self.size(ctx));
        let axis = self.k(C::AxisHeight, ctx);
        let (mut up, mut down) = if display {
            (self.k(C::FractionNumeratorDisplayStyleShiftUp, ctx), self.k(C::FractionDenominatorDisplayStyleShiftDown, ctx))
        } else {
            (self.k(C::FractionNumeratorShiftUp, ctx), self.k(C::FractionDenominatorShiftDown, ctx))
        };
        if thickness > 0.0 {
            let (gap_num, gap_den) = if display {
                (self.k(C::FractionNumDisplayStyleGapMin, ctx), self.k(C::FractionDenomDisplayStyleGapMin, ctx))
            } else {
                (self.k(C::FractionNumeratorGapMin, ctx), self.k(C::FractionDenominatorGapMin, ctx))
            };
            up = up.max(axis + thickness / 2.0 + gap_num + num.descent);
            down = down.max(den.ascent + gap_den + thickness / 2.0 - axis);
        } else {
            let (top, bottom, gap) = if display {
                (self.k(C::StackTopDisplayStyleShiftUp, ctx), self.k(C::StackBottomDisplayStyleShiftDown, ctx), self.k(C::StackDisplayStyleGapMin, ctx))
            } else {
                (self.k(C::StackTopShiftUp, ctx), self.k(C::StackBottomShiftDown, ctx), self.k(C::StackGapMin, ctx))
            };
            up = top;
            down = bottom;
            let clearance = (up - num.descent) - (den.ascent - down);
            if clearance < gap {
                up += (gap - clearance) / 2.0;
                down += (gap - clearance) / 2.0;
            }
        }
        // A little room either side, as TeX's null delimiters give.
        let pad = 0.12 * self.size(ctx);
        let width = num.width.max(den.width);
        let mut out = MathBox::empty();
        let (nw, dw) = (num.width, den.width);
        out.place(num, pad + (width - nw) / 2.0, up);
        out.place(den, pad + (width - dw) / 2.0, -down);
        if thickness > 0.0 {
            out.rule(pad, axis - thickness / 2.0, width, thickness);
        }
        out.width = width + 2.0 * pad;
        out
    }

    fn root(&self, radicand: &[Node], index: Option<&[Node]>, ctx: Ctx) -> MathBox {
        let (body, _) = self.list(radicand, ctx.cramped());
        let thickness = self.k(C::RadicalRuleThickness, ctx);
        let gap = if ctx.display() { self.k(C::RadicalDisplayStyleVerticalGap, ctx) } else { self.k(C::RadicalVerticalGap, ctx) };
        let target = body.height() + gap + thickness;
        let sign = self.grown('√', target, true, ctx);
        // The sign's top is the rule's top; whatever the sign is taller by widens the gap.
        let sign_height = sign.height();
        let extra = (sign_height - thickness - body.height() - gap).max(0.0);
        let rule_bottom = body.ascent + gap + extra / 2.0;
        let sign_shift = rule_bottom + thickness - sign.ascent;
        let mut out = MathBox::empty();
        let mut x = 0.0;
        if let Some(index) = index {
            let (degree, _) = self.list(index, Ctx { style: MathStyle::ScriptScript, cramped: false, fence: None });
            let before = self.k(C::RadicalKernBeforeDegree, ctx);
            let after = self.k(C::RadicalKernAfterDegree, ctx);
            let raise = self.table.constant(C::RadicalDegreeBottomRaisePercent) * sign_height;
            let dw = degree.width;
            out.place(degree, before, sign_shift - sign.descent + raise);
            x = (before + dw + after).max(0.0);
        }
        let sw = sign.width;
        out.place(sign, x, sign_shift);
        x += sw;
        let bw = body.width;
        out.rule(x, rule_bottom, bw, thickness);
        out.ascent = out.ascent.max(rule_bottom + thickness + self.k(C::RadicalExtraAscender, ctx));
        out.place(body, x, 0.0);
        out.width = x + bw;
        out
    }

    fn scripts(&self, base: &Node, sub: Option<&[Node]>, sup: Option<&[Node]>, limits: Limits, ctx: Ctx) -> (MathBox, Class) {
        if limits == Limits::AboveBelow
            && let Some(accent) = accent_of(sup, sub)
        {
            let (b, class) = self.node(base, ctx);
            return (self.accent(b, accent, sup.is_some(), ctx), class);
        }
        let (b, class) = self.node(base, ctx);
        let above_below = limits == Limits::AboveBelow || (limits == Limits::Movable && ctx.display());
        let out = if above_below { self.limits(b, sub, sup, ctx) } else { self.attach(b, class, base, sub, sup, ctx) };
        (out, class)
    }

    /// Scripts beside the base (TeX's rule 18).
    fn attach(&self, base: MathBox, class: Class, base_node: &Node, sub: Option<&[Node]>, sup: Option<&[Node]>, ctx: Ctx) -> MathBox {
        let script = ctx.script();
        let single = matches!(base_node, Node::Symbol { .. } | Node::Number { .. }) && class != Class::Op;
        let sup_box = sup.map(|n| self.list(n, script).0);
        let sub_box = sub.map(|n| self.list(n, script.cramped()).0);
        let drop_sup = if single { 0.0 } else { base.ascent - self.k(C::SuperscriptBaselineDropMax, script) };
        let drop_sub = if single { 0.0 } else { base.descent + self.k(C::SubscriptBaselineDropMin, script) };
        let mut up = 0.0;
        if let Some(s) = &sup_box {
            let shift = if ctx.cramped { self.k(C::SuperscriptShiftUpCramped, ctx) } else { self.k(C::SuperscriptShiftUp, ctx) };
            up = shift.max(drop_sup).max(s.descent + self.k(C::SuperscriptBottomMin, ctx));
        }
        let mut down = 0.0;
        if let Some(s) = &sub_box {
            down = self.k(C::SubscriptShiftDown, ctx).max(drop_sub).max(s.ascent - self.k(C::SubscriptTopMax, ctx));
        }
        if let (Some(p), Some(b)) = (&sup_box, &sub_box) {
            let gap = (up - p.descent) - (b.ascent - down);
            let min = self.k(C::SubSuperscriptGapMin, ctx);
            if gap < min {
                let lift = (self.k(C::SuperscriptBottomMaxWithSubscript, ctx) - (up - p.descent)).clamp(0.0, min - gap);
                up += lift;
                down += min - gap - lift;
            }
        }
        let italic = base.italic;
        let width = base.width;
        let mut out = MathBox::empty();
        out.place(base, 0.0, 0.0);
        let after = self.k(C::SpaceAfterScript, ctx);
        let mut end = width;
        // A large operator's subscript tucks under its slant; a superscript clears it.
        let (sup_x, sub_x) = if class == Class::Op { (width, width - italic) } else { (width + italic, width) };
        if let Some(p) = sup_box {
            end = end.max(sup_x + p.width);
            out.place(p, sup_x, up);
        }
        if let Some(b) = sub_box {
            end = end.max(sub_x + b.width);
            out.place(b, sub_x, -down);
        }
        out.width = end + after;
        out
    }

    /// Limits above and below the base, centred.
    fn limits(&self, base: MathBox, sub: Option<&[Node]>, sup: Option<&[Node]>, ctx: Ctx) -> MathBox {
        let script = ctx.script();
        let sup_box = sup.map(|n| self.list(n, script).0);
        let sub_box = sub.map(|n| self.list(n, script.cramped()).0);
        let width = base.width.max(sup_box.as_ref().map_or(0.0, |b| b.width)).max(sub_box.as_ref().map_or(0.0, |b| b.width));
        let italic = base.italic;
        let (base_ascent, base_descent, base_width) = (base.ascent, base.descent, base.width);
        let mut out = MathBox::empty();
        out.place(base, (width - base_width) / 2.0, 0.0);
        if let Some(p) = sup_box {
            let rise = (base_ascent + self.k(C::UpperLimitGapMin, ctx) + p.descent).max(base_ascent + self.k(C::UpperLimitBaselineRiseMin, ctx));
            let pw = p.width;
            out.place(p, (width - pw) / 2.0 + italic / 2.0, rise);
        }
        if let Some(b) = sub_box {
            let drop = (base_descent + self.k(C::LowerLimitGapMin, ctx) + b.ascent).max(base_descent + self.k(C::LowerLimitBaselineDropMin, ctx));
            let bw = b.width;
            out.place(b, (width - bw) / 2.0 - italic / 2.0, -drop);
        }
        out.width = width;
        out
    }

    /// An accent over (or a mark under) the base: a rule for bars, a glyph grown to the base's
    /// width for wide accents and braces, else the font's combining accent at the base's
    /// attachment point.
    fn accent(&self, base: MathBox, accent: (char, bool), over: bool, ctx: Ctx) -> MathBox {
        let (c, stretchy) = accent;
        let size = self.size(ctx);
        let width = base.width;
        let mut out = MathBox::empty();
        let (base_ascent, base_descent) = (base.ascent, base.descent);
        let attach = base.glyphs.first().filter(|_| base.glyphs.len() == 1).and_then(|g| self.table.top_accent_attachment(g.id).map(|a| a * g.size)).unwrap_or(width / 2.0);
        out.place(base, 0.0, 0.0);
        if matches!(c, '‾' | '¯' | '_') {
            if over {
                let t = self.k(C::OverbarRuleThickness, ctx);
                out.rule(0.0, base_ascent + self.k(C::OverbarVerticalGap, ctx), width, t);
            } else {
                let t = self.k(C::UnderbarRuleThickness, ctx);
                out.rule(0.0, -(base_descent + self.k(C::UnderbarVerticalGap, ctx) + t), width, t);
            }
            out.width = width;
            return out;
        }
        let combining = combining_accent(c).filter(|_| !stretchy).filter(|m| self.font.has_char(*m));
        let mark = match combining {
            Some(m) => self.symbol(&m.to_string(), Some(Variant::Upright), ctx),
            None => self.grown(horizontal_form(c), width, false, ctx),
        };
        let mark_attach = mark.glyphs.first().filter(|_| combining.is_some()).and_then(|g| self.table.top_accent_attachment(g.id).map(|a| a * g.size)).unwrap_or(mark.width / 2.0);
        let x = if combining.is_some() { attach - mark_attach } else { (width - mark.width) / 2.0 };
        if over {
            // A combining accent is drawn for x-height letters: lift it by what the base
            // stands above the accent base height.
            let y = if combining.is_some() { (base_ascent - self.k(C::AccentBaseHeight, ctx)).max(0.0) } else { base_ascent + 0.1 * size + mark.descent };
            out.place(mark, x, y);
        } else {
            let y = -(base_descent + 0.1 * size + mark.ascent);
            out.place(mark, x, y);
        }
        out.width = width;
        out
    }

    fn table(&self, kind: TableKind, columns: &[ColumnAlign], rules: &[usize], rows: &[Vec<Vec<Node>>], ctx: Ctx) -> MathBox {
        let cell_ctx = match kind {
            TableKind::Aligned | TableKind::Gathered => Ctx { style: if ctx.display() { MathStyle::Display } else { MathStyle::Text }, fence: None, ..ctx },
            TableKind::Matrix { small: true } => ctx.script(),
            _ => Ctx { style: MathStyle::Text, fence: None, ..ctx },
        };
        let size = self.size(ctx);
        // An aligned pair's right half starts at its relation, spaced as if something stood
        // before it (`&{}=` in TeX): an empty ordinary atom.
        let cell = |i: usize, c: &[Node]| {
            if kind == TableKind::Aligned && i % 2 == 1 {
                let mut after_ord = vec![Node::Space(0.0)];
                after_ord.extend(c.iter().cloned());
                self.list(&after_ord, cell_ctx).0
            } else {
                self.list(c, cell_ctx).0
            }
        };
        let cells: Vec<Vec<MathBox>> = rows.iter().map(|row| row.iter().enumerate().map(|(i, c)| cell(i, c)).collect()).collect();
        let ncols = cells.iter().map(Vec::len).max().unwrap_or(0);
        let mut widths = vec![0.0f32; ncols];
        for row in &cells {
            for (i, c) in row.iter().enumerate() {
                widths[i] = widths[i].max(c.width);
            }
        }
        // Space between columns: none inside an aligned pair, 2 em between pairs; 1 em in
        // matrices and cases.
        let gap = |i: usize| match kind {
            TableKind::Aligned => if i % 2 == 1 { 2.0 * size } else { 0.0 },
            TableKind::Matrix { small: true } => 0.5 * size,
            _ => size,
        };
        let align_of = |i: usize| if columns.is_empty() { ColumnAlign::Center } else { columns[i % columns.len()] };
        let strut_ascent = 0.7 * size;
        let strut_descent = 0.3 * size;
        // Rows apart by a quarter em, half an em for display rows, which often hold fractions.
        let row_gap = match kind {
            TableKind::Matrix { small: true } => 0.1 * size,
            TableKind::Aligned | TableKind::Gathered if cell_ctx.display() => 0.5 * size,
            _ => 0.25 * size,
        };
        let mut out = MathBox::empty();
        let mut y = 0.0;
        let mut row_lines = Vec::new();
        for (r, row) in cells.into_iter().enumerate() {
            let ascent = row.iter().map(|c| c.ascent).fold(strut_ascent, f32::max);
            let descent = row.iter().map(|c| c.descent).fold(strut_descent, f32::max);
            if r > 0 {
                y -= row_gap;
            }
            row_lines.push(y);
            y -= ascent;
            let mut x = 0.0;
            for (i, cell) in row.into_iter().enumerate() {
                let w = cell.width;
                let dx = match align_of(i) {
                    ColumnAlign::Left => 0.0,
                    ColumnAlign::Center => (widths[i] - w) / 2.0,
                    ColumnAlign::Right => widths[i] - w,
                };
                out.place(cell, x + dx, y);
                x += widths[i] + if i + 1 < ncols { gap(i) } else { 0.0 };
            }
            y -= descent;
        }
        row_lines.push(y);
        let total_width: f32 = widths.iter().sum::<f32>() + (0..ncols.saturating_sub(1)).map(gap).sum::<f32>();
        let t = self.k(C::FractionRuleThickness, ctx);
        for &rule in rules {
            if rule >= 1000 {
                let col = rule - 1000;
                let x: f32 = widths[..col.min(ncols)].iter().sum::<f32>() + (0..col.min(ncols)).map(gap).sum::<f32>() - if col > 0 && col < ncols { gap(col - 1) / 2.0 } else { 0.0 };
                out.rules.push([x - t / 2.0, y, t, -y]);
            } else if let Some(&line) = row_lines.get(rule) {
                let line = if rule > 0 && rule < row_lines.len() - 1 { line + row_gap / 2.0 } else { line };
                out.rules.push([0.0, line - t / 2.0, total_width, t]);
            }
        }
        // Centred on the axis.
        let height = -y;
        out.ascent = 0.0;
        out.descent = height;
        out.width = total_width;
        let axis = self.k(C::AxisHeight, ctx);
        out.raise(axis + height / 2.0)
    }
}

/// The accent a script above (or below) a base is, and whether it stretches: one symbol
/// that is a mark, not a formula.
fn accent_of(sup: Option<&[Node]>, sub: Option<&[Node]>) -> Option<(char, bool)> {
    let nodes = match (sup, sub) {
        (Some(s), None) | (None, Some(s)) => s,
        _ => return None,
    };
    match nodes {
        [Node::Symbol { text, stretchy, .. }] => {
            let c = text.chars().next()?;
            let mark = "´‾¯˘ˇ˙¨`^~→←↔⇒⇐⇔↼⇀˚⏜⏝⏞⏟⏠⏡⎴⎵_".contains(c);
            (mark && text.chars().count() == 1).then_some((c, *stretchy))
        }
        _ => None,
    }
}

/// The combining mark the math font draws an accent with.
fn combining_accent(c: char) -> Option<char> {
    Some(match c {
        '´' => '\u{301}',
        '`' => '\u{300}',
        '^' => '\u{302}',
        '~' => '\u{303}',
        '˘' => '\u{306}',
        '˙' => '\u{307}',
        '¨' => '\u{308}',
        '˚' => '\u{30A}',
        'ˇ' => '\u{30C}',
        '→' => '\u{20D7}',
        _ => return None,
    })
}

/// The character whose horizontal variants make a wide accent.
fn horizontal_form(c: char) -> char {
    match c {
        '^' => '\u{302}',
        '~' => '\u{303}',
        'ˇ' => '\u{30C}',
        other => other,
    }
}

/// `c` in the letter style `variant`, as Unicode's mathematical alphanumerics have it. With no
/// style, a lone Latin or lowercase Greek letter is italic, as TeX sets a variable.
fn styled(c: char, variant: Option<Variant>, single: bool) -> char {
    let v = match variant {
        Some(v) => v,
        None if single && (c.is_ascii_alphabetic() || ('α'..='ω').contains(&c) || "ϵϑϕϱϖ".contains(c)) => Variant::Italic,
        None => return c,
    };
    let v = match v {
        Variant::BoldSymbol if c.is_ascii_alphabetic() || ('α'..='ω').contains(&c) => Variant::BoldItalic,
        Variant::BoldSymbol => Variant::Bold,
        v => v,
    };
    let exception = |table: &[(char, char)]| table.iter().find(|(from, _)| *from == c).map(|(_, to)| *to);
    let latin = |upper: u32, lower: u32| -> Option<char> {
        if c.is_ascii_uppercase() {
            char::from_u32(upper + (c as u32 - 'A' as u32))
        } else if c.is_ascii_lowercase() {
            char::from_u32(lower + (c as u32 - 'a' as u32))
        } else {
            None
        }
    };
    let digit = |zero: u32| c.is_ascii_digit().then(|| char::from_u32(zero + (c as u32 - '0' as u32))).flatten();
    let greek = |upper: u32, lower: u32| -> Option<char> {
        let code = c as u32;
        match c {
            'Α'..='Ω' if c != '\u{3A2}' => char::from_u32(upper + code - 0x391),
            'α'..='ω' => char::from_u32(lower + code - 0x3B1),
            'ϵ' => char::from_u32(lower + 26),
            'ϑ' => char::from_u32(lower + 27),
            'ϰ' => char::from_u32(lower + 28),
            'ϕ' => char::from_u32(lower + 29),
            'ϱ' => char::from_u32(lower + 30),
            'ϖ' => char::from_u32(lower + 31),
            '∂' => char::from_u32(lower + 25),
            _ => None,
        }
    };
    let mapped = match v {
        Variant::Upright => Some(c),
        Variant::Italic => exception(&[('h', 'ℎ')]).or_else(|| latin(0x1D434, 0x1D44E)).or_else(|| if c.is_lowercase() { greek(0x1D6E2, 0x1D6FC) } else { None }),
        Variant::Bold => latin(0x1D400, 0x1D41A).or_else(|| digit(0x1D7CE)).or_else(|| greek(0x1D6A8, 0x1D6C2)),
        Variant::BoldItalic => latin(0x1D468, 0x1D482).or_else(|| greek(0x1D71C, 0x1D736)),
        Variant::Script => exception(&[('B', 'ℬ'), ('E', 'ℰ'), ('F', 'ℱ'), ('H', 'ℋ'), ('I', 'ℐ'), ('L', 'ℒ'), ('M', 'ℳ'), ('R', 'ℛ'), ('e', 'ℯ'), ('g', 'ℊ'), ('o', 'ℴ')]).or_else(|| latin(0x1D49C, 0x1D4B6)),
        Variant::BoldScript => latin(0x1D4D0, 0x1D4EA),
        Variant::Fraktur => exception(&[('C', 'ℭ'), ('H', 'ℌ'), ('I', 'ℑ'), ('R', 'ℜ'), ('Z', 'ℨ')]).or_else(|| latin(0x1D504, 0x1D51E)),
        Variant::BoldFraktur => latin(0x1D56C, 0x1D586),
        Variant::DoubleStruck => exception(&[('C', 'ℂ'), ('H', 'ℍ'), ('N', 'ℕ'), ('P', 'ℙ'), ('Q', 'ℚ'), ('R', 'ℝ'), ('Z', 'ℤ')]).or_else(|| latin(0x1D538, 0x1D552)).or_else(|| digit(0x1D7D8)),
        Variant::SansSerif => latin(0x1D5A0, 0x1D5BA).or_else(|| digit(0x1D7E2)),
        Variant::SansSerifBold => latin(0x1D5D4, 0x1D5EE).or_else(|| digit(0x1D7EC)),
        Variant::SansSerifItalic => latin(0x1D608, 0x1D622),
        Variant::SansSerifBoldItalic => latin(0x1D63C, 0x1D656),
        Variant::Monospace => latin(0x1D670, 0x1D68A).or_else(|| digit(0x1D7F6)),
        Variant::BoldSymbol => None,
    };
    mapped.unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn set(tex: &str, display: bool) -> MathBox {
        let f = Formula { tex: tex.into(), macros: Arc::from(""), display, number: None, readable: true };
        layout(&f, 10.0, display, &FontSet::bundled()).expect("lays out")
    }

    fn text(b: &MathBox) -> String {
        let mut g = b.glyphs.clone();
        g.sort_by(|a, b| a.x.total_cmp(&b.x));
        g.iter().map(|g| g.text.as_str()).collect()
    }

    #[test]
    fn letters_are_italic_and_digits_and_names_upright() {
        assert_eq!(text(&set(r"x + 2\sin y", false)), "𝑥+2sin𝑦");
        assert_eq!(styled('h', None, true), 'ℎ');
        assert_eq!(styled('R', Some(Variant::DoubleStruck), true), 'ℝ');
        assert_eq!(styled('α', None, true), '𝛼');
        assert_eq!(styled('Γ', None, true), 'Γ');
        assert_eq!(styled('x', Some(Variant::Bold), true), '𝐱');
    }

    #[test]
    fn a_superscript_rises_and_a_subscript_drops_in_a_smaller_size() {
        let b = set(r"x^2_i", false);
        let two = b.glyphs.iter().find(|g| g.text == "2").expect("2");
        let i = b.glyphs.iter().find(|g| g.text == "𝑖").expect("i");
        assert!(two.y > 2.0 && i.y < -1.0 && two.size < 10.0 && (two.size - i.size).abs() < 1e-3, "{b:?}");
    }

    #[test]
    fn a_fraction_stacks_around_its_rule_on_the_axis() {
        let b = set(r"\frac{a}{b}", true);
        assert_eq!(b.rules.len(), 1);
        let [_, y, w, h] = b.rules[0];
        let a = b.glyphs.iter().find(|g| g.text == "𝑎").expect("a");
        let d = b.glyphs.iter().find(|g| g.text == "𝑏").expect("b");
        assert!(a.y > y + h && d.y < y && w > 4.0 && (y + h / 2.0 - 2.5).abs() < 1.0, "{b:?}");
        // In display style the numerator sits higher than in text style.
        let t = set(r"\frac{a}{b}", false);
        let ta = t.glyphs.iter().find(|g| g.text == "𝑎").expect("a");
        assert!(a.y > ta.y && a.size > ta.size);
    }

    #[test]
    fn delimiters_and_roots_grow_with_what_they_hold() {
        let small = set(r"\left( x \right)", true);
        let tall = set(r"\left( \frac{\frac{a}{b}}{\frac{c}{d}} \right)", true);
        assert!(tall.height() > 2.0 * small.height(), "{} vs {}", tall.height(), small.height());
        let r = set(r"\sqrt{\frac{a}{b}}", true);
        assert!(r.rules.len() == 2 && r.height() > set(r"\sqrt{x}", true).height());
        let sum = set(r"\sum_{i=1}^{n} i", true);
        let i1 = sum.glyphs.iter().find(|g| g.text == "1").expect("limit");
        assert!(i1.y < -5.0, "limits go below a display sum: {sum:?}");
    }

    #[test]
    fn matrices_cases_and_aligned_rows_stack() {
        let m = set(r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", true);
        let one = m.glyphs.iter().find(|g| g.text == "1").expect("1");
        let three = m.glyphs.iter().find(|g| g.text == "3").expect("3");
        let two = m.glyphs.iter().find(|g| g.text == "2").expect("2");
        assert!(one.y > three.y + 8.0 && (one.x - three.x).abs() < 0.5 && two.x > one.x + 5.0, "{m:?}");
        let a = set(r"\begin{aligned} a &= b + c \\ d &= e \end{aligned}", true);
        let eqs: Vec<&MathGlyph> = a.glyphs.iter().filter(|g| g.text == "=").collect();
        assert!(eqs.len() == 2 && (eqs[0].x - eqs[1].x).abs() < 0.01, "the = signs align: {a:?}");
        assert_eq!(text(&set(r"\text{中文} x", false)), "中文𝑥");
    }
}
