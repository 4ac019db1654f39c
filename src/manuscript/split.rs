//! Splitting a manuscript into front matter and body, the way Hexo and Hugo do.
//!
//! The text must already be normalised (no BOM, `\n` line endings).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Yaml,
    Toml,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Matter<'a> {
    pub(crate) format: Format,
    pub text: &'a str,
    /// 1-based line of `text`'s first line in the file.
    pub(crate) first_line: usize,
    /// Hexo's form with no opening separator: only front matter if it reads as a mapping.
    pub(crate) prefixless: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Split<'a> {
    pub(crate) matter: Option<Matter<'a>>,
    pub(crate) body: &'a str,
    /// Byte offset of `body` in the file's text.
    pub body_offset: usize,
    /// An opening separator directly followed by its closing one: not front matter.
    pub(crate) empty_block: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unclosed {
    pub(crate) separator: String,
}

/// Lines with the byte offset where each starts and where the next one starts.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str, usize)> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= text.len() {
            return None;
        }
        let start = pos;
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        pos = (end + 1).min(text.len().max(end + 1));
        Some((start, &text[start..end], pos.min(text.len())))
    })
}

fn yaml_separator(line: &str) -> Option<&str> {
    let line = line.trim_end();
    let ok = line.len() >= 3 && (line.bytes().all(|b| b == b'-') || line.bytes().all(|b| b == b';'));
    ok.then_some(line)
}

fn is_toml_separator(line: &str) -> bool {
    line.trim_end() == "+++"
}

/// `key:` at the start of a line, as the first line of prefixless front matter must be.
fn looks_like_yaml_key(line: &str) -> bool {
    let mut chars = line.chars();
    let Some(first) = chars.next() else { return false };
    if !(first.is_ascii_alphabetic() || first == '_') {
        return false;
    }
    let rest = line.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let rest = rest.trim_start_matches(' ');
    rest.starts_with(':') && (rest.len() == 1 || rest[1..].starts_with([' ', '\t']))
}

pub(crate) fn split(text: &str) -> Result<Split<'_>, Unclosed> {
    let no_matter = Split { matter: None, body: text, body_offset: 0, empty_block: false };
    let mut it = lines(text);
    let Some((_, first, after_first)) = it.next() else { return Ok(no_matter) };

    let opening = yaml_separator(first)
        .map(|sep| (Format::Yaml, sep))
        .or_else(|| is_toml_separator(first).then_some((Format::Toml, "+++")));
    if let Some((format, sep)) = opening {
        for (start, line, next) in it {
            if line.trim_end() == sep {
                let inner = &text[after_first..start];
                if inner.trim().is_empty() {
                    return Ok(Split { empty_block: true, ..no_matter });
                }
                return Ok(Split {
                    matter: Some(Matter { format, text: inner, first_line: 2, prefixless: false }),
                    body: &text[next..],
                    body_offset: next,
                    empty_block: false,
                });
            }
        }
        return Err(Unclosed { separator: sep.to_owned() });
    }

    if !looks_like_yaml_key(first) {
        return Ok(no_matter);
    }
    for (start, line, next) in lines(text) {
        if yaml_separator(line).is_some() {
            return Ok(Split {
                matter: Some(Matter {
                    format: Format::Yaml,
                    text: &text[..start],
                    first_line: 1,
                    prefixless: true,
                }),
                body: &text[next..],
                body_offset: next,
                empty_block: false,
            });
        }
    }
    Ok(no_matter)
}

/// Removes a UTF-8 BOM and turns CRLF (and lone CR) into LF; line numbers are unchanged.
pub(crate) fn normalise(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if !text.contains('\r') {
        return text.to_owned();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matter(s: &str) -> Option<(Format, &str, usize, bool)> {
        split(s).unwrap().matter.map(|m| (m.format, m.text, m.first_line, m.prefixless))
    }

    #[test]
    fn yaml_between_separators() {
        let s = "---\ntitle: a\n---\nbody\n";
        assert_eq!(matter(s), Some((Format::Yaml, "title: a\n", 2, false)));
        assert_eq!(split(s).unwrap().body, "body\n");
    }

    #[test]
    fn only_the_first_closing_line_ends_the_block() {
        let s = "---\ntitle: a\n---\nbody\n\n---\n\nmore\n";
        let sp = split(s).unwrap();
        assert_eq!(sp.matter.unwrap().text, "title: a\n");
        assert_eq!(sp.body, "body\n\n---\n\nmore\n");
    }

    #[test]
    fn longer_separators_must_match() {
        let s = "-----\ntitle: a\n---\nx\n-----\nbody";
        let sp = split(s).unwrap();
        assert_eq!(sp.matter.unwrap().text, "title: a\n---\nx\n");
        assert_eq!(sp.body, "body");
    }

    #[test]
    fn json_style_semicolons() {
        let s = ";;;\n\"title\": \"a\"\n;;;\nbody";
        assert_eq!(matter(s).unwrap().1, "\"title\": \"a\"\n");
    }

    #[test]
    fn prefixless_form() {
        let s = "title: x\ndate: 2020-01-01\n---\nbody";
        assert_eq!(matter(s), Some((Format::Yaml, "title: x\ndate: 2020-01-01\n", 1, true)));
        assert_eq!(split(s).unwrap().body, "body");
    }

    #[test]
    fn prose_before_a_rule_is_not_front_matter() {
        assert_eq!(matter("正文第一段。\n\n---\n\n第二段"), None);
        assert_eq!(matter("Hello world\n---\n"), None);
    }

    #[test]
    fn empty_block_is_not_front_matter() {
        let sp = split("---\n---\nbody").unwrap();
        assert!(sp.matter.is_none() && sp.empty_block);
        assert_eq!(sp.body, "---\n---\nbody");
    }

    #[test]
    fn dashes_with_text_are_not_a_separator() {
        assert_eq!(matter("---foo\ntitle: a\n---\n"), None);
    }

    #[test]
    fn toml_between_plus_lines() {
        let s = "+++\ntitle = \"a\"\n+++\nbody";
        assert_eq!(matter(s), Some((Format::Toml, "title = \"a\"\n", 2, false)));
    }

    #[test]
    fn unclosed_block_is_an_error() {
        assert_eq!(split("---\ntitle: a\nbody\n"), Err(Unclosed { separator: "---".into() }));
    }

    #[test]
    fn no_front_matter() {
        let sp = split("# Title\n\ntext").unwrap();
        assert!(sp.matter.is_none());
        assert_eq!(sp.body_offset, 0);
        assert!(split("").unwrap().matter.is_none());
    }

    #[test]
    fn crlf_and_bom_are_normalised_before_splitting() {
        let s = normalise("\u{feff}---\r\ntitle: a\r\n---\r\nbody\r\n");
        assert_eq!(s, "---\ntitle: a\n---\nbody\n");
        assert_eq!(matter(&s).unwrap().1, "title: a\n");
    }

    #[test]
    fn body_offset_points_into_the_text() {
        let s = "---\ntitle: a\n---\nbody";
        let sp = split(s).unwrap();
        assert_eq!(&s[sp.body_offset..], sp.body);
    }

    #[test]
    fn separator_at_end_of_file_without_newline() {
        let sp = split("---\ntitle: a\n---").unwrap();
        assert_eq!(sp.matter.unwrap().text, "title: a\n");
        assert_eq!(sp.body, "");
    }
}
