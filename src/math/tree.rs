//! A formula as a tree the typesetter lays out: pulldown-latex's events (prefix notation, groups
//! opened and closed) gathered into nodes, with font changes applied to the symbols they cover.

use pulldown_latex::event::{
    ArrayColumn, ColumnAlignment, Content, DelimiterSize, DelimiterType, Dimension, DimensionUnit, EnvironmentFlow, Event, Font, Grouping,
    ScriptPosition, ScriptType, StateChange, Style as TexStyle, Visual,
};
use pulldown_latex::{Parser, Storage};

/// A formula's nodes are nested no deeper than this; deeper is an error, not a stack overflow.
const MAX_NESTING: usize = 200;

/// TeX's classes of atoms, which decide the space between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Ord,
    Op,
    Bin,
    Rel,
    Open,
    Close,
    Punct,
    Inner,
}

/// Letter styles: the Unicode mathematical alphanumerics a symbol is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Variant {
    Upright,
    Italic,
    Bold,
    BoldItalic,
    Script,
    BoldScript,
    Fraktur,
    BoldFraktur,
    DoubleStruck,
    SansSerif,
    SansSerifBold,
    SansSerifItalic,
    SansSerifBoldItalic,
    Monospace,
    /// `\boldsymbol`: bold italic where a letter would be italic, else bold.
    BoldSymbol,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MathStyle {
    Display,
    Text,
    Script,
    ScriptScript,
}

/// Where a base's scripts go: beside it, or above and below (limits); `Movable` is above and
/// below in display style only (`\sum`, `\lim`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Limits {
    Beside,
    AboveBelow,
    Movable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnAlign {
    Left,
    Center,
    Right,
}

/// What kind of table an environment makes, which decides its spacing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TableKind {
    /// `matrix` and its bracketed kin, `array`, `smallmatrix` (`small`).
    Matrix { small: bool },
    /// `cases`: left-aligned columns, a quad apart.
    Cases,
    /// `aligned`, `align`, `split`…: columns paired right|left, pairs apart.
    Aligned,
    /// `gathered`, `gather`, `equation`, `multline`: one centred column.
    Gathered,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// One character (or a relation of two) in a class and letter style; `None` style is the
    /// default (italic for a single Latin or lowercase Greek letter).
    Symbol { text: String, class: Class, variant: Option<Variant>, stretchy: bool },
    /// Digits, upright.
    Number { text: String, variant: Option<Variant> },
    /// An operator name set upright (`\sin`, `\operatorname{diag}`).
    Function(String),
    /// `\text{…}`, in the body's type.
    Text(String),
    Group(Vec<Node>),
    /// `\left( … \right)`: the body with delimiters as tall as it.
    Fenced { open: Option<char>, close: Option<char>, body: Vec<Node> },
    /// A delimiter of a fixed size (`\bigl(`, in em), or a `\middle` one (`size` None).
    Delimiter { c: char, size: Option<f32>, class: Class },
    Fraction { numerator: Vec<Node>, denominator: Vec<Node>, rule: Option<f32> },
    Root { radicand: Vec<Node>, index: Option<Vec<Node>> },
    Scripts { base: Box<Node>, sub: Option<Vec<Node>>, sup: Option<Vec<Node>>, limits: Limits },
    /// Horizontal space, in em.
    Space(f32),
    Table { kind: TableKind, columns: Vec<ColumnAlign>, rules: Vec<usize>, rows: Vec<Vec<Vec<Node>>> },
    /// The style of what follows in the same group.
    Style(MathStyle),
    /// A slash through the next node (`\not`).
    Negated(Box<Node>),
}

/// The formula `source` (TeX that `super::problem` accepts) as nodes.
pub(crate) fn nodes(source: &str) -> Result<Vec<Node>, String> {
    let source = super::normalised(source);
    let storage = Storage::new();
    let events: Vec<Event> = Parser::new(&source, &storage).collect::<Result<_, _>>().map_err(|e| e.to_string().lines().next().unwrap_or("").to_owned())?;
    let mut reader = Reader { events, at: 0, variant: vec![None], depth: 0 };
    let mut out = Vec::new();
    while reader.at < reader.events.len() {
        match reader.element()? {
            Some(node) => out.push(node),
            None => reader.at += 1,
        }
    }
    Ok(out)
}

struct Reader<'a> {
    events: Vec<Event<'a>>,
    at: usize,
    /// The letter style in force, per open group.
    variant: Vec<Option<Variant>>,
    depth: usize,
}

impl<'a> Reader<'a> {
    fn next(&mut self) -> Option<Event<'a>> {
        let e = self.events.get(self.at).cloned();
        self.at += 1;
        e
    }

    fn variant(&self) -> Option<Variant> {
        self.variant.last().copied().flatten()
    }

    /// The next element, or `None` at a group's end or a flow mark (not consumed).
    fn element(&mut self) -> Result<Option<Node>, String> {
        let Some(event) = self.events.get(self.at).cloned() else { return Ok(None) };
        if matches!(event, Event::End | Event::EnvironmentFlow(_)) {
            return Ok(None);
        }
        self.at += 1;
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(format!("the formula nests deeper than {MAX_NESTING} levels"));
        }
        let node = self.node(event);
        self.depth -= 1;
        node.map(Some)
    }

    /// An element that must be there (a script, a fraction's part).
    fn argument(&mut self) -> Result<Vec<Node>, String> {
        match self.element()? {
            Some(Node::Group(nodes)) => Ok(nodes),
            Some(node) => Ok(vec![node]),
            None => Ok(Vec::new()),
        }
    }

    fn node(&mut self, event: Event<'a>) -> Result<Node, String> {
        Ok(match event {
            Event::Content(content) => self.content(content),
            Event::Begin(grouping) => self.group(grouping)?,
            Event::End | Event::EnvironmentFlow(_) => unreachable!("not an element"),
            Event::Visual(visual) => match visual {
                Visual::SquareRoot => Node::Root { radicand: self.argument()?, index: None },
                Visual::Root => {
                    let radicand = self.argument()?;
                    let index = self.argument()?;
                    Node::Root { radicand, index: Some(index) }
                }
                Visual::Fraction(rule) => {
                    let numerator = self.argument()?;
                    let denominator = self.argument()?;
                    Node::Fraction { numerator, denominator, rule: rule.map(em) }
                }
                Visual::Negation => match self.element()? {
                    Some(node) => Node::Negated(Box::new(node)),
                    None => Node::Group(Vec::new()),
                },
            },
            Event::Script { ty, position } => {
                let base = match self.element()? {
                    Some(node) => node,
                    None => Node::Group(Vec::new()),
                };
                let (sub, sup) = match ty {
                    ScriptType::Subscript => (Some(self.argument()?), None),
                    ScriptType::Superscript => (None, Some(self.argument()?)),
                    ScriptType::SubSuperscript => {
                        let sub = self.argument()?;
                        (Some(sub), Some(self.argument()?))
                    }
                };
                let limits = match position {
                    ScriptPosition::Right => Limits::Beside,
                    ScriptPosition::AboveBelow => Limits::AboveBelow,
                    ScriptPosition::Movable => Limits::Movable,
                };
                Node::Scripts { base: Box::new(base), sub, sup, limits }
            }
            Event::Space { width, .. } => Node::Space(width.map_or(0.0, em)),
            Event::StateChange(change) => match change {
                StateChange::Font(font) => {
                    if let Some(v) = self.variant.last_mut() {
                        *v = font.map(variant_of);
                    }
                    Node::Group(Vec::new())
                }
                StateChange::Color(_) => Node::Group(Vec::new()),
                StateChange::Style(style) => Node::Style(match style {
                    TexStyle::Display => MathStyle::Display,
                    TexStyle::Text => MathStyle::Text,
                    TexStyle::Script => MathStyle::Script,
                    TexStyle::ScriptScript => MathStyle::ScriptScript,
                }),
            },
        })
    }

    fn content(&self, content: Content) -> Node {
        let variant = self.variant();
        let symbol = |c: char, class: Class, stretchy: bool| Node::Symbol { text: c.to_string(), class, variant, stretchy };
        match content {
            Content::Text(t) => Node::Text(t.to_owned()),
            // The parser reads `1,2` as one number; TeX reads a comma, spaced as punctuation.
            Content::Number(n) if n.contains(',') => {
                let mut parts = Vec::new();
                for (i, digits) in n.split(',').enumerate() {
                    if i > 0 {
                        parts.push(symbol(',', Class::Punct, false));
                    }
                    if !digits.is_empty() {
                        parts.push(Node::Number { text: digits.to_owned(), variant });
                    }
                }
                Node::Group(parts)
            }
            Content::Number(n) => Node::Number { text: n.to_owned(), variant },
            Content::Function(f) => Node::Function(f.to_owned()),
            Content::Ordinary { content, stretchy } => symbol(content, Class::Ord, stretchy),
            Content::LargeOp { content, .. } => symbol(content, Class::Op, false),
            Content::BinaryOp { content, .. } => symbol(content, Class::Bin, false),
            Content::Relation { content, .. } => {
                let mut buf = [0u8; 8];
                let text = std::str::from_utf8(content.encode_utf8_to_buf(&mut buf)).unwrap_or("=").to_owned();
                Node::Symbol { text, class: Class::Rel, variant, stretchy: false }
            }
            Content::Delimiter { content, size, ty } => {
                let class = match ty {
                    DelimiterType::Open => Class::Open,
                    DelimiterType::Close => Class::Close,
                    DelimiterType::Fence => Class::Rel,
                };
                match size {
                    Some(s) => Node::Delimiter { c: content, size: Some(delimiter_em(s)), class },
                    None if ty == DelimiterType::Fence => Node::Delimiter { c: content, size: None, class },
                    None => symbol(content, class, false),
                }
            }
            Content::Punctuation(c) => symbol(c, Class::Punct, false),
        }
    }

    fn group(&mut self, grouping: Grouping) -> Result<Node, String> {
        let inherited = self.variant();
        let keeps_font = matches!(grouping, Grouping::Normal | Grouping::LeftRight(..));
        self.variant.push(if keeps_font { inherited } else { None });
        let rows = self.rows()?;
        self.variant.pop();
        // The group's `End`.
        self.next();
        let first = |rows: Vec<Row>| rows.into_iter().next().and_then(|r| r.cells.into_iter().next()).unwrap_or_default();
        Ok(match grouping {
            Grouping::Normal => Node::Group(first(rows)),
            Grouping::LeftRight(open, close) => Node::Fenced { open, close, body: first(rows) },
            Grouping::Array(spec) => {
                let mut columns = Vec::new();
                let mut rules = Vec::new();
                for c in spec.iter() {
                    match c {
                        ArrayColumn::Column(a) => columns.push(align(*a)),
                        ArrayColumn::Separator(_) => rules.push(columns.len()),
                    }
                }
                table(TableKind::Matrix { small: false }, columns, rules, rows)
            }
            Grouping::Matrix { alignment } => table(TableKind::Matrix { small: false }, vec![align(alignment)], vec![], rows),
            Grouping::SubArray { alignment } => table(TableKind::Matrix { small: true }, vec![align(alignment)], vec![], rows),
            Grouping::Cases { left } => {
                let t = table(TableKind::Cases, vec![ColumnAlign::Left], vec![], rows);
                if left { Node::Fenced { open: Some('{'), close: None, body: vec![t] } } else { Node::Fenced { open: None, close: Some('}'), body: vec![t] } }
            }
            Grouping::Align { .. } | Grouping::Aligned | Grouping::Alignat { .. } | Grouping::Alignedat { .. } | Grouping::Split => {
                table(TableKind::Aligned, vec![ColumnAlign::Right, ColumnAlign::Left], vec![], rows)
            }
            Grouping::Equation { .. } | Grouping::Gather { .. } | Grouping::Gathered | Grouping::Multline => table(TableKind::Gathered, vec![ColumnAlign::Center], vec![], rows),
        })
    }

    /// A group's content up to its `End`, as rows of cells (one cell for plain groups).
    fn rows(&mut self) -> Result<Vec<Row>, String> {
        let mut rows = vec![Row::default()];
        let mut cell = Vec::new();
        loop {
            match self.events.get(self.at) {
                None | Some(Event::End) => break,
                Some(Event::EnvironmentFlow(flow)) => {
                    let flow = flow.clone();
                    self.at += 1;
                    let row = rows.last_mut().expect("a row");
                    match flow {
                        EnvironmentFlow::Alignment => row.cells.push(std::mem::take(&mut cell)),
                        EnvironmentFlow::NewLine { horizontal_lines, .. } => {
                            row.cells.push(std::mem::take(&mut cell));
                            row.rule_after = !horizontal_lines.is_empty();
                            rows.push(Row::default());
                        }
                        EnvironmentFlow::StartLines { .. } => row.rule_before = true,
                    }
                }
                Some(_) => match self.element()? {
                    Some(node) => cell.push(node),
                    None => break,
                },
            }
        }
        rows.last_mut().expect("a row").cells.push(cell);
        // A trailing `\\` leaves an empty last row.
        if rows.len() > 1 && rows.last().is_some_and(|r| r.cells.iter().all(Vec::is_empty)) {
            rows.pop();
        }
        Ok(rows)
    }
}

#[derive(Default)]
struct Row {
    cells: Vec<Vec<Node>>,
    rule_before: bool,
    rule_after: bool,
}

fn table(kind: TableKind, columns: Vec<ColumnAlign>, rules: Vec<usize>, rows: Vec<Row>) -> Node {
    // Horizontal rules (`\hline`) are kept as the rows after which one is drawn (row 0 is
    // before the first); vertical ones as the columns before which one is drawn, offset by
    // 1000 so that both live in one list.
    let mut all_rules: Vec<usize> = rules.into_iter().map(|c| c + 1000).collect();
    for (i, row) in rows.iter().enumerate() {
        if row.rule_before {
            all_rules.push(i);
        }
        if row.rule_after {
            all_rules.push(i + 1);
        }
    }
    Node::Table { kind, columns, rules: all_rules, rows: rows.into_iter().map(|r| r.cells).collect() }
}

fn align(a: ColumnAlignment) -> ColumnAlign {
    match a {
        ColumnAlignment::Left => ColumnAlign::Left,
        ColumnAlignment::Center => ColumnAlign::Center,
        ColumnAlignment::Right => ColumnAlign::Right,
    }
}

fn variant_of(font: Font) -> Variant {
    match font {
        Font::BoldScript => Variant::BoldScript,
        Font::BoldItalic => Variant::BoldItalic,
        Font::Bold => Variant::Bold,
        Font::BoldSymbol => Variant::BoldSymbol,
        Font::Fraktur => Variant::Fraktur,
        Font::Script => Variant::Script,
        Font::Monospace => Variant::Monospace,
        Font::SansSerif => Variant::SansSerif,
        Font::DoubleStruck => Variant::DoubleStruck,
        Font::DoubleStruckItalic => Variant::DoubleStruck,
        Font::Italic => Variant::Italic,
        Font::BoldFraktur => Variant::BoldFraktur,
        Font::SansSerifBoldItalic => Variant::SansSerifBoldItalic,
        Font::SansSerifItalic => Variant::SansSerifItalic,
        Font::BoldSansSerif => Variant::SansSerifBold,
        Font::UpRight => Variant::Upright,
    }
}

fn delimiter_em(size: DelimiterSize) -> f32 {
    match size {
        DelimiterSize::Big => 1.2,
        DelimiterSize::BIG => 1.8,
        DelimiterSize::Bigg => 2.4,
        DelimiterSize::BIGG => 3.0,
    }
}

/// A TeX dimension in em (of a 10 pt font where TeX's units are absolute).
fn em(d: Dimension) -> f32 {
    let pt = match d.unit {
        DimensionUnit::Em => return d.value,
        DimensionUnit::Mu => return d.value / 18.0,
        DimensionUnit::Ex => return d.value * 0.45,
        DimensionUnit::Pt => d.value,
        DimensionUnit::Pc => d.value * 12.0,
        DimensionUnit::In => d.value * 72.27,
        DimensionUnit::Bp => d.value * 72.27 / 72.0,
        DimensionUnit::Cm => d.value * 72.27 / 2.54,
        DimensionUnit::Mm => d.value * 72.27 / 25.4,
        DimensionUnit::Dd => d.value * 1238.0 / 1157.0,
        DimensionUnit::Cc => d.value * 12.0 * 1238.0 / 1157.0,
        DimensionUnit::Sp => d.value / 65536.0,
    };
    pt / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_fractions_and_fences_become_nodes() {
        let n = nodes(r"x^2_i + \frac{a}{b} = \left( \sqrt{y} \right)").expect("reads");
        assert!(matches!(&n[0], Node::Scripts { sub: Some(_), sup: Some(_), limits: Limits::Beside, .. }), "{n:?}");
        assert!(n.iter().any(|x| matches!(x, Node::Fraction { .. })), "{n:?}");
        assert!(n.iter().any(|x| matches!(x, Node::Fenced { open: Some('('), close: Some(')'), .. })), "{n:?}");
        let m = nodes(r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}").expect("reads");
        let Node::Fenced { body, .. } = &m[0] else { panic!("{m:?}") };
        let Node::Table { rows, .. } = &body[0] else { panic!("{m:?}") };
        assert_eq!((rows.len(), rows[0].len()), (2, 2));
        let b = nodes(r"\mathbf{v} + \mathbb{R}").expect("reads");
        assert!(matches!(&b[..], [Node::Group(_), Node::Symbol { variant: Some(Variant::Bold), .. }, ..] | [Node::Symbol { variant: Some(Variant::Bold), .. }, ..] | [Node::Group(_), ..]), "{b:?}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}x{}", "{".repeat(5000), "}".repeat(5000));
        assert!(nodes(&deep).is_err());
    }
}
