//! Formulas in TeX, read by pulldown-latex: the only module that names it. The Markdown stage
//! asks it whether a formula can be read, the EPUB writes the MathML it makes, and the PDF
//! lays out the tree (`tree`) its events make.

mod tree;

pub(crate) use tree::{Class, ColumnAlign, Limits, MathStyle, Node, TableKind, Variant, nodes};

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{Parser, RenderConfig, Storage, push_mathml};

/// Why `source` cannot be read as TeX math: the parser's complaint and the TeX it stopped at,
/// on one line.
pub(crate) fn problem(written: &str) -> Option<String> {
    let source = normalised(written);
    let storage = Storage::new();
    let Some(error) = Parser::new(&source, &storage).find_map(Result::err) else {
        // Read without error, the parser can still write MathML that is not XML (a script
        // after `\\`): such a formula is shown as its TeX too.
        let out = mathml(written, "", false);
        return (!balanced(&out)).then(|| "its MathML comes out broken".to_owned());
    };
    let text = error.to_string();
    let what = text.lines().next().unwrap_or("").trim_start_matches("parsing error: ");
    // The parser shows where it stopped as a line of context (`│…osuchcommand`), cut at a fixed
    // width; shown from the command it cuts into.
    let place = text.lines().filter_map(|l| l.strip_prefix('│')).map(|l| l.trim().trim_start_matches('…')).find(|l| !l.is_empty() && !l.starts_with('^'));
    let shown = place.and_then(|p| {
        let at = source.find(p)?;
        let from = source[..at].rfind('\\').filter(|b| !source[*b..at].contains(char::is_whitespace)).unwrap_or(at);
        Some(source[from..].chars().take_while(|&c| c != '\n').take(24).collect::<String>())
    });
    Some(match shown {
        Some(p) => format!("{what}, at `{}`", p.trim()),
        None => what.to_owned(),
    })
}

/// Whether `xml` is a run of balanced elements: each start tag closed in order, no `<` inside
/// a tag.
fn balanced(xml: &str) -> bool {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = xml;
    while let Some(lt) = rest.find('<') {
        let after = &rest[lt + 1..];
        let Some(gt) = after.find('>') else { return false };
        let tag = &after[..gt];
        if tag.contains('<') {
            return false;
        }
        if let Some(name) = tag.strip_prefix('/') {
            if open.pop() != Some(name.trim()) {
                return false;
            }
        } else if !tag.ends_with('/') {
            match tag.split(char::is_whitespace).next() {
                Some(name) if !name.is_empty() => open.push(name),
                _ => return false,
            }
        }
        rest = &after[gt + 1..];
    }
    open.is_empty()
}

/// `source` as a MathML `<math>` element in the MathML namespace, with `alt` (the TeX as the
/// author wrote it) as its `alttext` for readers that speak or cannot draw MathML.
pub(crate) fn mathml(source: &str, alt: &str, display: bool) -> String {
    let storage = Storage::new();
    let config = RenderConfig {
        display_mode: if display { DisplayMode::Block } else { DisplayMode::Inline },
        xml: true,
        ..RenderConfig::default()
    };
    let source = normalised(source);
    let mut out = String::new();
    // A formula the parser reads (the Markdown stage checks) renders without error; writing to
    // a String cannot fail.
    let _ = push_mathml(&mut out, Parser::new(&source, &storage), config);
    let alt = alt.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let out = as_epub_takes_it(&out);
    match out.strip_prefix("<math") {
        Some(rest) => format!("<math alttext=\"{alt}\"{rest}"),
        None => out,
    }
}

/// The parser's MathML (written for browsers' MathML Core) as XHTML and EPUB's MathML 3 take
/// it: `<` and `&` in text escaped, `&nbsp;` (no XML entity) as a character reference, style
/// attributes only MathML Core allows on any element moved to an `<mstyle>` around it, and a
/// space the parser puts inside a script's base moved before the script.
fn as_epub_takes_it(mathml: &str) -> String {
    const SCRIPTS: [&str; 6] = ["munder", "mover", "munderover", "msub", "msup", "msubsup"];
    let mut out = String::with_capacity(mathml.len() + 64);
    // For each open element, whether an `<mstyle>` was opened around it.
    let mut open: Vec<bool> = Vec::new();
    let mut rest = mathml;
    while let Some(c) = rest.chars().next() {
        let markup = c == '<' && rest[1..].starts_with(|n: char| n.is_ascii_alphabetic() || n == '/');
        if !markup {
            match c {
                '<' => out.push_str("&lt;"),
                '&' if rest.starts_with("&nbsp;") => {
                    out.push_str("&#160;");
                    rest = &rest[6..];
                    continue;
                }
                '&' if !is_reference(rest) => out.push_str("&amp;"),
                c => out.push(c),
            }
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let end = rest.find('>').map_or(rest.len(), |e| e + 1);
        let tag = &rest[..end];
        rest = &rest[end..];
        if tag.starts_with("</") {
            out.push_str(tag);
            if open.pop() == Some(true) {
                out.push_str("</mstyle>");
            }
            continue;
        }
        let self_closing = tag.ends_with("/>");
        let name_end = tag[1..].find(|c: char| !c.is_ascii_alphanumeric()).map_or(tag.len(), |e| e + 1);
        let name = &tag[1..name_end];
        let styled = !matches!(name, "math" | "mstyle" | "mtable") && (tag.contains(" displaystyle=") || tag.contains(" scriptlevel="));
        let mut tag = spaced_attributes(tag);
        if styled {
            let mut style = String::new();
            for attribute in ["displaystyle", "scriptlevel"] {
                if let Some(at) = tag.find(&format!(" {attribute}=\"")) {
                    let close = tag[at + attribute.len() + 3..].find('"').map_or(tag.len(), |q| at + attribute.len() + 3 + q + 1);
                    style.push_str(&tag[at..close]);
                    tag.replace_range(at..close, "");
                }
            }
            out.push_str(&format!("<mstyle{style}>"));
        }
        out.push_str(&tag);
        if self_closing {
            if styled {
                out.push_str("</mstyle>");
            }
        } else {
            open.push(styled);
        }
        // `<munder><mspace …/>base…`: the space goes before the script.
        if SCRIPTS.contains(&name) && !self_closing && rest.starts_with("<mspace") {
            let space_end = rest.find("/>").map_or(rest.len(), |e| e + 2);
            let at = out.len() - tag.len();
            out.insert_str(at, &rest[..space_end]);
            rest = &rest[space_end..];
        }
    }
    out
}

/// A tag with a space between each two attributes (the parser writes `stretchy="true"minsize=…`).
fn spaced_attributes(tag: &str) -> String {
    let mut out = String::with_capacity(tag.len() + 4);
    let mut quotes = 0;
    let mut chars = tag.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '"' {
            quotes += 1;
            if quotes % 2 == 0 && chars.peek().is_some_and(|n| n.is_ascii_alphabetic()) {
                out.push(' ');
            }
        }
    }
    out
}

/// Whether `text` starts with a character or entity reference (`&amp;`, `&#160;`).
fn is_reference(text: &str) -> bool {
    let body = &text[1..];
    let Some(end) = body.find(';') else { return false };
    let name = &body[..end];
    !name.is_empty() && name.len() <= 10 && (name.strip_prefix('#').is_some_and(|n| !n.is_empty() && n.trim_start_matches('x').chars().all(|c| c.is_ascii_hexdigit())) || ["amp", "lt", "gt", "quot", "apos"].contains(&name))
}

/// TeX that MathJax reads and the parser does not, in the parser's terms: `\mathscr` and `\bm`
/// by their nearest kin, the TeX and LaTeX logos as text, and plain TeX's infix fractions
/// (`{a \over b}`, `\choose`, `\atop`) as `\frac`, `\binom` and `\genfrac`.
fn normalised(tex: &str) -> String {
    const RENAMED: [(&str, &str); 5] = [("mathscr", "\\mathcal"), ("bm", "\\boldsymbol"), ("TeX", "\\text{TeX}"), ("LaTeX", "\\text{LaTeX}"), ("KaTeX", "\\text{KaTeX}")];
    let mut out = String::with_capacity(tex.len());
    let mut rest = tex;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let letters = after.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(after.len());
        // A command is its letters, or the one character after the backslash.
        let len = if letters == 0 { after.chars().next().map_or(0, char::len_utf8) } else { letters };
        match RENAMED.iter().find(|(from, _)| *from == &after[..len]) {
            Some((_, to)) => out.push_str(to),
            None => {
                out.push('\\');
                out.push_str(&after[..len]);
            }
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    let out = with_infix_fractions(&out, 0);
    // Rows (`a \\ b`) outside any environment, as MathJax sets them: one under another.
    if out.contains("\\\\") && !out.contains("\\begin") {
        return format!("\\begin{{gathered}}{out}\\end{{gathered}}");
    }
    out
}

/// How deep `with_infix_fractions` looks into groups.
const INFIX_DEPTH: usize = 32;

/// `text` (a group's content) with `a \over b` as `\frac{a}{b}`, in it and in its groups.
fn with_infix_fractions(text: &str, depth: usize) -> String {
    let infix_command = |c: &&str| text.match_indices(c).any(|(at, _)| !text[at + c.len()..].starts_with(|x: char| x.is_ascii_alphabetic()));
    if depth > INFIX_DEPTH || !["\\over", "\\choose", "\\atop"].iter().any(infix_command) {
        return text.to_owned();
    }
    // The group's own content, its inner groups rewritten, and an infix command at its level.
    let mut own = String::with_capacity(text.len());
    let mut infix: Option<(usize, &str)> = None;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        match bytes[i] {
            b'\\' => {
                let after = &text[i + 1..];
                let len = after.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(after.len());
                let len = if len == 0 { after.chars().next().map_or(0, char::len_utf8) } else { len };
                let name = &after[..len];
                if infix.is_none() && matches!(name, "over" | "choose" | "atop") {
                    infix = Some((own.len(), name));
                    own.push_str(" ");
                } else {
                    own.push_str(&text[i..i + 1 + len]);
                }
                i += 1 + len;
            }
            b'{' => match group_end(text, i) {
                Some(end) => {
                    own.push('{');
                    own.push_str(&with_infix_fractions(&text[i + 1..end], depth + 1));
                    own.push('}');
                    i = end + 1;
                }
                None => {
                    own.push_str(&text[i..]);
                    i = text.len();
                }
            },
            _ => {
                let c = text[i..].chars().next().expect("in bounds");
                own.push(c);
                i += c.len_utf8();
            }
        }
    }
    let Some((at, name)) = infix else { return own };
    let (above, below) = (own[..at].trim(), own[at + 1..].trim());
    match name {
        "over" => format!("\\frac{{{above}}}{{{below}}}"),
        "choose" => format!("\\binom{{{above}}}{{{below}}}"),
        _ => format!("\\genfrac{{}}{{}}{{0pt}}{{}}{{{above}}}{{{below}}}"),
    }
}

/// The byte offset of the `}` that closes the `{` at `open` (an escaped `\}` does not close it).
pub(crate) fn group_end(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut escaped = false;
    for (i, c) in text[open..].char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_formula_becomes_mathml_with_its_tex_as_alt_text() {
        let m = mathml(r"\frac{a}{b} < c", r"\frac{a}{b} < c", true);
        assert!(m.starts_with(r#"<math alttext="\frac{a}{b} &lt; c""#), "{m}");
        assert!(m.contains("xmlns=\"http://www.w3.org/1998/Math/MathML\"") && m.contains("<mfrac>"), "{m}");
        assert!(m.contains("display=\"block\""), "{m}");
    }

    #[test]
    fn a_formula_whose_mathml_comes_out_broken_is_a_problem() {
        // A superscript straight after a row break: the parser writes `<mtd><msup></mtd>`.
        let broken = "\\\\^\u{FFFD}-\u{FFFD}-";
        assert_eq!(problem(broken).as_deref(), Some("its MathML comes out broken"));
        assert!(!balanced(&mathml(broken, "", false)));
        assert_eq!(problem(r"x^2 \\ y"), None);
        assert!(balanced("<a><b/><c x=\"1\">t</c></a>") && !balanced("<a><b></a></b>") && !balanced("<mtr<mi>"));
    }

    #[test]
    fn mathml_is_well_formed_mathml_3() {
        let m = mathml(r"\gamma < 1, a \& b, \dfrac{1}{2}, \gamma\,\max_{a'} x, \text{a b}, \bigl( x \bigr)", "", false);
        assert!(!m.contains("\"m"), "{m}");
        assert!(m.contains("<mo>&lt;</mo>") && !m.contains("&nbsp;"), "{m}");
        assert!(!m.contains("<mfrac displaystyle") && m.contains("<mstyle displaystyle=\"true\" scriptlevel=\"0\">"), "{m}");
        assert!(!m.contains("<munder><mspace"), "{m}");
        // Every tag opened is closed, in order.
        let mut stack = Vec::new();
        for tag in m.split('<').skip(1).map(|t| &t[..t.find('>').expect("closed tag")]) {
            let name = tag.trim_start_matches('/').split([' ', '/']).next().unwrap_or("");
            if tag.starts_with('/') {
                assert_eq!(stack.pop(), Some(name), "{m}");
            } else if !tag.ends_with('/') {
                stack.push(name);
            }
        }
        assert!(stack.is_empty(), "{m}");
    }

    #[test]
    fn what_cannot_be_read_says_why_in_one_line() {
        assert_eq!(problem(r"x^2 + \frac{1}{2}"), None);
        let p = problem(r"\frac{1}{").expect("an unclosed group");
        assert!(!p.contains('\n') && p.contains("unbalanced"), "{p}");
        assert!(problem(r"\nosuchcommand").expect("unknown").contains(r"\nosuchcommand"));
    }

    #[test]
    fn plain_tex_fractions_and_mathjax_names_are_read() {
        assert_eq!(normalised(r"{a+1\over b+1}"), r"{\frac{a+1}{b+1}}");
        assert_eq!(normalised(r"x = {n+1 \choose 2k} + 1"), r"x = {\binom{n+1}{2k}} + 1");
        assert_eq!(normalised(r"\mathscr{A} + \bm{x} \overline{y}"), r"\mathcal{A} + \boldsymbol{x} \overline{y}");
        assert_eq!(normalised(r"\left\{c\right\} \overline{\{x\}}"), r"\left\{c\right\} \overline{\{x\}}");
        for tex in [r"a = b \\ c = d", r"{a+1\over b+1}", r"{n \choose k}", r"{a \atop b}", r"\mathscr{L}", r"\LaTeX", r"\bm{x}"] {
            assert_eq!(problem(tex), None, "{tex}");
        }
    }
}
