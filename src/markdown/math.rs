//! Formulas as blogs write them, read once per essay: `$…$`, `$$…$$`, `\(…\)`, `\[…\]`,
//! `` $`…`$ `` and ```` ```math ```` (comrak finds these before Markdown touches their content),
//! blogdown's `` `$…$` `` (a code span holding a formula), and Hexo's `{% math %}` (a fence, by
//! `tags`). Definitions carry over to the essay's later formulas, as MathJax keeps them;
//! `\label`, `\tag` and `\ref` number display formulas.

use std::collections::HashMap;
use std::sync::Arc;

use crate::doc::{Block, Formula, Inline, for_each_inlines_mut};

/// The formulas of one essay, as they are read in order.
#[derive(Default)]
pub(super) struct Formulas {
    /// Definitions made so far, by name, each as `\newcommand{\name}[n]{body}`.
    definitions: Vec<(String, String)>,
    macros: Arc<str>,
    /// Labels of numbered formulas, and their numbers.
    labels: HashMap<String, String>,
    numbered: usize,
    /// Formulas found, and those that could not be read (the converter counts them).
    pub(super) counts: crate::doc::FormulaCounts,
}

/// A formula as read: to show, or nothing to show (it only defines commands).
pub(super) enum Read {
    Formula(Formula),
    Definitions,
}

impl Formulas {
    /// Reads the TeX of one formula. `Err` says why it cannot be read; the caller shows it as
    /// its TeX in code type.
    pub(super) fn read(&mut self, literal: &str, display: bool) -> Result<Read, String> {
        let unescaped = unescape_for_markdown(literal);
        let (rest, defined) = take_definitions(&unescaped);
        let had_definitions = !defined.is_empty();
        for (name, definition) in defined {
            match self.definitions.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = definition,
                None => self.definitions.push((name, definition)),
            }
        }
        if had_definitions {
            self.macros = self.definitions.iter().map(|(_, d)| d.as_str()).collect::<String>().into();
        }
        let (rest, label) = take_command_argument(&rest, "label");
        let (rest, tag) = take_command_argument(&rest, "tag*");
        let (rest, tag) = match tag {
            Some(t) => (rest, Some(t)),
            None => {
                let (rest, t) = take_command_argument(&rest, "tag");
                (rest, t.map(|t| format!("({t})")))
            }
        };
        let (tex, unnumbered) = take_commands(&rest, &["notag", "nonumber"]);
        let tex = tex.trim().to_owned();
        if tex.is_empty() && had_definitions {
            return Ok(Read::Definitions);
        }
        if tex.is_empty() {
            return Err("the formula is empty".into());
        }
        // `\ref` is resolved once every label of the essay is known; until then it reads as text.
        let checked = format!("{}{}", self.macros, with_references_as_text(&tex, &mut |_| "?".into()));
        if let Some(problem) = crate::math::problem(&checked) {
            return Err(problem);
        }
        let numbered_environment = ["equation", "align", "gather", "multline", "eqnarray"].iter().any(|e| tex.contains(&format!("\\begin{{{e}}}")));
        let number = match tag {
            Some(t) => Some(t),
            None if display && !unnumbered && (label.is_some() || numbered_environment) => {
                self.numbered += 1;
                Some(format!("({})", self.numbered))
            }
            None => None,
        };
        if let (Some(label), Some(number)) = (label, &number) {
            self.labels.insert(label, number.trim_matches(['(', ')']).to_owned());
        }
        Ok(Read::Formula(Formula { tex, macros: self.macros.clone(), display, number, readable: true }))
    }

    /// Puts each formula's number where `\ref{label}` or `\eqref{label}` names it, in the
    /// essay's blocks once all are read. A formula that is only a reference becomes text.
    /// Returns the labels referred to that no formula has.
    pub(super) fn resolve_references(&self, blocks: &mut [Block]) -> Vec<String> {
        let mut unknown = Vec::new();
        let mut number_of = |label: &str| match self.labels.get(label) {
            Some(n) => n.clone(),
            None => {
                if !unknown.iter().any(|u| u == label) {
                    unknown.push(label.to_owned());
                }
                "??".to_owned()
            }
        };
        for_each_inlines_mut(blocks, &mut |inlines| {
            for inline in inlines.iter_mut() {
                let Inline::Math(f) = inline else { continue };
                if !f.tex.contains("ref{") {
                    continue;
                }
                if let Some(text) = only_reference(&f.tex, &mut number_of) {
                    *inline = Inline::Text(text);
                } else {
                    f.tex = with_references_as_text(&f.tex, &mut number_of);
                }
            }
        });
        for_each_display(blocks, &mut |f| f.tex = with_references_as_text(&f.tex, &mut number_of));
        unknown
    }
}

/// Calls `f` on each display formula in `blocks`, within quotes and lists too.
fn for_each_display(blocks: &mut [Block], f: &mut dyn FnMut(&mut Formula)) {
    for block in blocks {
        match block {
            Block::Math(formula) => f(formula),
            Block::Quote(inner) => for_each_display(inner, f),
            Block::List { items, .. } => items.iter_mut().for_each(|item| for_each_display(&mut item.blocks, f)),
            _ => {}
        }
    }
}

/// `\ref{x}` or `\eqref{x}` alone: the number as text (`(1)` for `\eqref`).
fn only_reference(tex: &str, number_of: &mut dyn FnMut(&str) -> String) -> Option<String> {
    let t = tex.trim();
    for (command, wrap) in [("\\eqref{", true), ("\\ref{", false)] {
        if let Some(label) = t.strip_prefix(command).and_then(|r| r.strip_suffix('}')).filter(|l| !l.contains(['{', '}'])) {
            let n = number_of(label.trim());
            return Some(if wrap { format!("({n})") } else { n });
        }
    }
    None
}

/// `tex` with each `\ref{label}` as `\text{N}` and `\eqref{label}` as `\text{(N)}`.
fn with_references_as_text(tex: &str, number: &mut dyn FnMut(&str) -> String) -> String {
    let mut out = String::with_capacity(tex.len());
    let mut rest = tex;
    while let Some(at) = rest.find("ref{") {
        let (command, wrap) = if rest[..at].ends_with("\\eq") {
            (at - 3, true)
        } else if rest[..at].ends_with('\\') {
            (at - 1, false)
        } else {
            out.push_str(&rest[..at + 4]);
            rest = &rest[at + 4..];
            continue;
        };
        let Some(close) = rest[at + 4..].find('}') else { break };
        let label = rest[at + 4..at + 4 + close].trim();
        out.push_str(&rest[..command]);
        let n = number(label);
        out.push_str(&if wrap { format!("\\text{{({n})}}") } else { format!("\\text{{{n}}}") });
        rest = &rest[at + 4 + close + 1..];
    }
    out.push_str(rest);
    out
}

/// Blogs rendered by a Markdown engine that knows no math (Hexo's marked, Jekyll's inline `$`)
/// make their authors escape TeX for Markdown: `\\\\` for a new row, `\\{` for a brace, `\_` for
/// a subscript. Where the formula shows that habit, Markdown's escapes are undone, as the
/// blog's engine did before MathJax saw the formula.
fn unescape_for_markdown(tex: &str) -> std::borrow::Cow<'_, str> {
    let escaped = ["\\\\\\\\", "\\\\{", "\\\\}", "\\_", "\\*"].iter().any(|p| tex.contains(p));
    if escaped { markdown_unescaped(tex).into() } else { tex.into() }
}

/// `tex` without its command definitions (`\newcommand`, `\renewcommand`, `\providecommand`,
/// `\def`, `\DeclareMathOperator`), and each definition by name as the parser takes it.
fn take_definitions(tex: &str) -> (String, Vec<(String, String)>) {
    let mut rest = String::with_capacity(tex.len());
    let mut defined = Vec::new();
    let mut at = 0;
    while let Some(found) = tex[at..].find('\\').map(|i| at + i) {
        rest.push_str(&tex[at..found]);
        let after = &tex[found + 1..];
        let name_len = after.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(after.len());
        let command = &after[..name_len];
        let star = after[name_len..].starts_with('*');
        let mut cursor = found + 1 + name_len + usize::from(star);
        let definition = match command {
            "newcommand" | "renewcommand" | "providecommand" => (|| {
                let (name, next) = control_sequence_argument(tex, cursor)?;
                cursor = next;
                let mut count = "0".to_owned();
                if let Some((n, next)) = bracket_argument(tex, cursor) {
                    count = n;
                    cursor = next;
                }
                let (body, next) = brace_argument(tex, cursor)?;
                cursor = next;
                Some((name.clone(), format!("\\newcommand{{{name}}}[{count}]{{{body}}}")))
            })(),
            "DeclareMathOperator" => (|| {
                let (name, next) = control_sequence_argument(tex, cursor)?;
                let (body, next) = brace_argument(tex, next)?;
                cursor = next;
                let op = if star { "\\operatorname*" } else { "\\operatorname" };
                Some((name.clone(), format!("\\newcommand{{{name}}}[0]{{{op}{{{body}}}}}")))
            })(),
            "def" => (|| {
                let (name, next) = control_sequence_argument(tex, cursor)?;
                let (body, next) = brace_argument(tex, next)?;
                cursor = next;
                Some((name.clone(), format!("\\newcommand{{{name}}}[0]{{{body}}}")))
            })(),
            _ => None,
        };
        match definition {
            Some(d) => {
                defined.push(d);
                at = cursor;
            }
            None => {
                // Not a definition (or a malformed one, which the parser then reports): kept.
                let end = (found + 1 + name_len).max(found + 1 + after.chars().next().map_or(0, char::len_utf8));
                rest.push_str(&tex[found..end]);
                at = end;
            }
        }
    }
    rest.push_str(&tex[at..]);
    (rest, defined)
}

fn skip_spaces(tex: &str, at: usize) -> usize {
    at + tex[at..].len() - tex[at..].trim_start().len()
}

/// `{\name}` or `\name` at `at`: the name with its backslash, and where it ends.
fn control_sequence_argument(tex: &str, at: usize) -> Option<(String, usize)> {
    let at = skip_spaces(tex, at);
    let (inner, end) = if tex[at..].starts_with('{') { brace_argument(tex, at).map(|(b, e)| (b.trim().to_owned(), e))? } else { (String::new(), at) };
    let source = if inner.is_empty() { &tex[at..] } else { inner.as_str() };
    let name = source.strip_prefix('\\')?;
    let len = name.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(name.len());
    if len == 0 {
        return None;
    }
    let sequence = format!("\\{}", &name[..len]);
    Some((sequence, if inner.is_empty() { at + 1 + len } else { end }))
}

/// `[text]` at `at` (after spaces).
fn bracket_argument(tex: &str, at: usize) -> Option<(String, usize)> {
    let at = skip_spaces(tex, at);
    let rest = tex[at..].strip_prefix('[')?;
    let close = rest.find(']')?;
    Some((rest[..close].trim().to_owned(), at + 1 + close + 1))
}

/// `{text}` with its braces balanced at `at` (after spaces): the text, and where it ends.
fn brace_argument(tex: &str, at: usize) -> Option<(String, usize)> {
    let at = skip_spaces(tex, at);
    if !tex[at..].starts_with('{') {
        return None;
    }
    let end = crate::math::group_end(tex, at)?;
    Some((tex[at + 1..end].to_owned(), end + 1))
}

/// `tex` without `\command{argument}`, and the argument of its first occurrence.
fn take_command_argument(tex: &str, command: &str) -> (String, Option<String>) {
    let pattern = format!("\\{command}");
    let mut out = String::with_capacity(tex.len());
    let mut found = None;
    let mut rest = tex;
    while let Some(at) = rest.find(&pattern) {
        let after = at + pattern.len();
        // `\tag` is not `\tagged`; `\tag*` is looked for on its own.
        let next = rest[after..].chars().next();
        if next.is_some_and(|c| c.is_ascii_alphabetic() || (c == '*' && !command.ends_with('*'))) {
            out.push_str(&rest[..after]);
            rest = &rest[after..];
            continue;
        }
        match brace_argument(rest, after) {
            Some((argument, end)) => {
                out.push_str(&rest[..at]);
                found.get_or_insert(argument.trim().to_owned());
                rest = &rest[end..];
            }
            None => {
                out.push_str(&rest[..after]);
                rest = &rest[after..];
            }
        }
    }
    out.push_str(rest);
    (out, found)
}

/// `tex` without the argument-less `commands`, and whether any was there.
fn take_commands(tex: &str, commands: &[&str]) -> (String, bool) {
    let mut out = tex.to_owned();
    let mut any = false;
    for command in commands {
        let pattern = format!("\\{command}");
        let mut from = 0;
        while let Some(at) = out[from..].find(&pattern).map(|i| from + i) {
            let end = at + pattern.len();
            if out[end..].chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
                from = end;
                continue;
            }
            out.replace_range(at..end, "");
            any = true;
            from = at;
        }
    }
    (out, any)
}

/// Where `\(` and `\[` start in `text`, as (line, column) counted from 1 in bytes, as
/// comrak's source positions count them.
pub(super) fn tex_delimiters(text: &str) -> std::collections::HashSet<(usize, usize)> {
    let mut found = std::collections::HashSet::new();
    for (n, line) in text.lines().enumerate() {
        if !line.contains("\\(") && !line.contains("\\[") {
            continue;
        }
        let mut chars = line.char_indices().peekable();
        while let Some((col, c)) = chars.next() {
            match (c, chars.peek()) {
                ('\\', Some((_, '(' | '['))) => {
                    found.insert((n + 1, col + 1));
                    chars.next();
                }
                ('\\', Some(_)) => {
                    chars.next();
                }
                _ => {}
            }
        }
    }
    found
}

/// Whether what stands between `\(…\)` or `\[…\]` is a formula rather than escaped brackets
/// around text Markdown would show (`\[8\]`, a citation): it holds a letter or a TeX command.
pub(super) fn looks_like_math(tex: &str) -> bool {
    tex.chars().any(|c| c.is_ascii_alphabetic() || ('α'..='ω').contains(&c))
}

/// Text as Markdown shows it: a backslash before ASCII punctuation dropped.
pub(super) fn markdown_unescaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some(&next)) if next.is_ascii_punctuation() => {
                out.push(next);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// A code span that holds a formula, as blogdown and Hugo sites write them so that Markdown
/// leaves the TeX alone: `` `$x$` `` or `` `$$x$$` ``. The formula and whether it is display.
pub(super) fn formula_in_code(literal: &str) -> Option<(&str, bool)> {
    let t = literal.trim();
    if let Some(inner) = t.strip_prefix("$$").and_then(|r| r.strip_suffix("$$")) {
        return (!inner.trim().is_empty() && !inner.contains('$')).then_some((inner, true));
    }
    let inner = t.strip_prefix('$')?.strip_suffix('$')?;
    let tight = !inner.starts_with(char::is_whitespace) && !inner.ends_with(char::is_whitespace);
    (tight && !inner.is_empty() && !inner.contains('$')).then_some((inner, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(f: &mut Formulas, tex: &str, display: bool) -> Formula {
        match f.read(tex, display) {
            Ok(Read::Formula(formula)) => formula,
            Ok(Read::Definitions) => panic!("{tex}: only definitions"),
            Err(e) => panic!("{tex}: {e}"),
        }
    }

    #[test]
    fn definitions_carry_over_to_later_formulas() {
        let mut f = Formulas::default();
        assert!(matches!(f.read(r"\renewcommand{\diag}{\operatorname{diag}}\DeclareMathOperator{\cov}{cov}", false), Ok(Read::Definitions)));
        let later = read(&mut f, r"\diag(1, 2) + \cov(x, y)", false);
        assert_eq!(later.tex, r"\diag(1, 2) + \cov(x, y)");
        assert!(crate::math::problem(&later.source()).is_none(), "{}", later.source());
        // A formula that uses a command never defined cannot be read.
        assert!(Formulas::default().read(r"\diag(1, 2)", false).is_err());
        let with_argument = read(&mut f, r"\newcommand{\sq}[1]{#1^2} \sq{x}", false);
        assert_eq!(with_argument.tex, r"\sq{x}");
        assert!(crate::math::problem(&with_argument.source()).is_none());
    }

    #[test]
    fn labels_and_tags_number_display_formulas_and_references_find_them() {
        let mut f = Formulas::default();
        let a = read(&mut f, r"E = mc^2 \label{eq:energy}", true);
        let b = read(&mut f, r"a^2 + b^2 = c^2 \tag{勾股}", true);
        let c = read(&mut f, r"\begin{equation} x = 1 \end{equation}", true);
        let d = read(&mut f, r"y = 2", true);
        assert_eq!((a.number.as_deref(), b.number.as_deref(), c.number.as_deref(), d.number), (Some("(1)"), Some("(勾股)"), Some("(2)"), None));
        assert_eq!(a.tex, "E = mc^2");
        let r = read(&mut f, r"\ref{eq:energy}", false);
        let s = read(&mut f, r"x \neq \eqref{eq:missing}", false);
        let mut blocks = vec![Block::Paragraph(vec![Inline::Math(r), Inline::Math(s)])];
        let unknown = f.resolve_references(&mut blocks);
        assert_eq!(unknown, vec!["eq:missing".to_owned()]);
        let Block::Paragraph(p) = &blocks[0] else { unreachable!() };
        assert_eq!(p[0], Inline::Text("1".into()));
        assert!(matches!(&p[1], Inline::Math(m) if m.tex == r"x \neq \text{(??)}"), "{p:?}");
    }

    #[test]
    fn tex_escaped_for_markdown_is_unescaped() {
        assert_eq!(unescape_for_markdown(r"\Sigma = \\{0, 1\\}"), r"\Sigma = \{0, 1\}");
        assert_eq!(unescape_for_markdown(r"\begin{pmatrix}1&2\\\\3&4\end{pmatrix}"), r"\begin{pmatrix}1&2\\3&4\end{pmatrix}");
        assert_eq!(unescape_for_markdown(r"a\_1"), "a_1");
        // TeX as TeX is left alone.
        assert_eq!(unescape_for_markdown(r"\{ x \} \\ y"), r"\{ x \} \\ y");
    }

    #[test]
    fn code_spans_hold_formulas_only_between_dollars() {
        assert_eq!(formula_in_code("$r, q$"), Some(("r, q", false)));
        assert_eq!(formula_in_code("$$\n\\sum_i x_i\n$$"), Some(("\n\\sum_i x_i\n", true)));
        assert_eq!(formula_in_code("$"), None);
        assert_eq!(formula_in_code("$HOME and $PATH"), None);
        assert_eq!(formula_in_code("echo $x"), None);
        assert_eq!(formula_in_code("$ ls $"), None);
    }
}
