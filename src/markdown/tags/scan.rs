//! Finding tags in a line and reading what is inside them.

use super::{Syntax, Tag};

/// What `find_tag` found.
pub(super) enum Found<'a> {
    Tag(&'a str, Syntax),
    /// `{{</* x */>}}`: Hugo's way to write a shortcode literally.
    Escaped(String),
    /// An opening `{%` or `{{<` with no end on the line.
    Unclosed,
    /// Liquid's or Nunjucks' output `{{ page.title | upcase }}`: a site variable.
    Output(&'a str),
}

/// The next tag in `line` at or after byte `from`: its start and end bytes and what it is.
/// With `skip_code`, tags inside backtick code spans do not count.
pub(super) fn find_tag(line: &str, from: usize, skip_code: bool) -> Option<(usize, usize, Found<'_>)> {
    let bytes = line.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        if skip_code && bytes[i] == b'`' {
            let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
            let ticks = &line[i..i + run];
            let mut j = i + run;
            let mut end = None;
            while let Some(k) = line[j..].find(ticks) {
                let at = j + k;
                let len = bytes[at..].iter().take_while(|&&b| b == b'`').count();
                if len == run {
                    end = Some(at + run);
                    break;
                }
                j = at + len;
            }
            i = end.unwrap_or(i + run);
            continue;
        }
        if bytes[i] != b'{' {
            i += 1;
            continue;
        }
        let rest = &line[i..];
        let (syntax, open, close) = if rest.starts_with("{%") {
            (Syntax::Hexo, 2, "%}")
        } else if rest.starts_with("{{<") {
            (Syntax::Hugo, 3, ">}}")
        } else if rest.starts_with("{{%") {
            (Syntax::Hugo, 3, "%}}")
        } else {
            if let Some(inner) = rest.strip_prefix("{{").and_then(|r| r.find("}}").map(|k| &r[..k])).filter(|inner| is_output(inner)) {
                return Some((i, i + inner.len() + 4, Found::Output(inner)));
            }
            i += 1;
            continue;
        };
        let Some(k) = rest[open..].find(close) else {
            return Some((i, i + open, Found::Unclosed));
        };
        let inner = &rest[open..open + k];
        let end = i + open + k + close.len();
        let t = inner.trim();
        if syntax == Syntax::Hugo && t.starts_with("/*") && t.ends_with("*/") && t.len() >= 4 {
            let literal = format!("{}{}{}", &rest[..open], &t[2..t.len() - 2], close);
            return Some((i, end, Found::Escaped(literal)));
        }
        return Some((i, end, Found::Tag(inner, syntax)));
    }
    None
}

/// Parses a tag's inside: its name, arguments and whether it closes.
pub(super) fn parse(inner: &str, syntax: Syntax) -> Tag {
    let mut s = inner.trim();
    if syntax == Syntax::Hexo {
        s = s.trim_start_matches('-').trim_end_matches('-').trim();
    }
    let self_closing = syntax == Syntax::Hugo && s.ends_with('/');
    let s = s.trim_end_matches('/').trim();
    let mut closing = false;
    let s = match s.strip_prefix('/') {
        Some(rest) if syntax == Syntax::Hugo => {
            closing = true;
            rest.trim()
        }
        _ => s,
    };
    let (mut name, rest) = s.split_once(char::is_whitespace).unwrap_or((s, ""));
    if syntax == Syntax::Hexo && name.len() > 3 && name.starts_with("end") {
        closing = true;
        name = &name[3..];
    }
    let mut args = Vec::new();
    let mut named = Vec::new();
    for token in tokens(rest) {
        match token.split_once('=') {
            Some((k, v)) if syntax == Syntax::Hugo && !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-') => {
                named.push((k.to_owned(), v.to_owned()))
            }
            _ => args.push(token),
        }
    }
    Tag { syntax, name: name.to_owned(), args, named, closing, self_closing }
}

/// Splits arguments on spaces; `"…"`, `'…'` and `` `…` `` group words when they open a word.
pub(super) fn tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut started = false;
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if matches!(c, '"' | '\'' | '`') && (cur.is_empty() || cur.ends_with('=')) => {
                quote = Some(c);
                started = true;
            }
            None if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut cur));
                    started = false;
                }
            }
            None => {
                cur.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(cur);
    }
    out
}

/// A Markdown fence opening this line: its character and length.
pub(super) fn fence_opening(line: &str) -> Option<(char, usize)> {
    let t = line.trim_start_matches([' ', '\t', '>']).trim_start();
    let ch = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = t.chars().take_while(|c| *c == ch).count();
    (len >= 3 && !(ch == '`' && t[len..].contains('`'))).then_some((ch, len))
}

/// Whether `{{ inner }}` is a template's output of a variable (`site.url`, `about_zh |
/// markdownify`), which Jekyll and Hexo render from the site and Hugo leaves as text.
fn is_output(inner: &str) -> bool {
    let t = inner.trim();
    t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') && !t.contains(['{', '}', '<', '>'])
}
