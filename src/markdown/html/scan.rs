//! Raw HTML in Markdown: a forgiving tokenizer, and what each tag means in a book.

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    Open { name: String, attrs: Vec<(String, String)>, self_closing: bool },
    Close(String),
    Text(String),
    Comment,
    /// `<!DOCTYPE …>`, `<?…?>` and `<![CDATA[…]]>`: nothing a book shows.
    Other,
}

/// Splits HTML into tags and text; text has its character references decoded.
/// Anything that does not read as a tag is text, so no input is lost.
pub(crate) fn tokenize(html: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            push_text(&mut tokens, rest);
            break;
        };
        push_text(&mut tokens, &rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").map_or(after.len(), |i| i + 3);
            tokens.push(Token::Comment);
            rest = &after[end..];
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            // As CommonMark reads them: a processing instruction ends at `?>`, CDATA at `]]>`,
            // a declaration at `>`.
            let close = if rest.starts_with("<?") {
                "?>"
            } else if rest.starts_with("<![CDATA[") {
                "]]>"
            } else {
                ">"
            };
            let end = rest.find(close).map_or(rest.len(), |i| i + close.len());
            tokens.push(Token::Other);
            rest = &rest[end..];
        } else if let Some((token, len)) = tag(rest) {
            tokens.push(token);
            rest = &rest[len..];
        } else {
            push_text(&mut tokens, "<");
            rest = &rest[1..];
        }
    }
    tokens
}

fn push_text(tokens: &mut Vec<Token>, raw: &str) {
    if raw.is_empty() {
        return;
    }
    let text = decode_entities(raw);
    if let Some(Token::Text(prev)) = tokens.last_mut() {
        prev.push_str(&text);
    } else {
        tokens.push(Token::Text(text));
    }
}

/// Reads one tag at the start of `s` (which starts with `<`); returns it and its length.
fn tag(s: &str) -> Option<(Token, usize)> {
    let bytes = s.as_bytes();
    let mut i = 1;
    let closing = bytes.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let name_start = i;
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-' || bytes[i] == b':') {
        i += 1;
    }
    if i == name_start || !bytes[name_start].is_ascii_alphabetic() {
        return None;
    }
    let name = s[name_start..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        match bytes.get(i)? {
            b'>' => {
                let token = if closing { Token::Close(name) } else { Token::Open { name, attrs, self_closing: false } };
                return Some((token, i + 1));
            }
            b'/' if bytes.get(i + 1) == Some(&b'>') => {
                let token = if closing { Token::Close(name) } else { Token::Open { name, attrs, self_closing: true } };
                return Some((token, i + 2));
            }
            b'/' => i += 1,
            _ => {
                let key_start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'>' | b'/') {
                    i += 1;
                }
                if i == key_start {
                    return None;
                }
                let key = s[key_start..i].to_ascii_lowercase();
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                let mut value = String::new();
                if bytes.get(i) == Some(&b'=') {
                    i += 1;
                    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    match bytes.get(i)? {
                        q @ (b'"' | b'\'') => {
                            let end = s[i + 1..].find(*q as char)? + i + 1;
                            value = decode_entities(&s[i + 1..end]);
                            i = end + 1;
                        }
                        _ => {
                            let start = i;
                            while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                                i += 1;
                            }
                            value = decode_entities(&s[start..i]);
                        }
                    }
                }
                attrs.push((key, value));
            }
        }
    }
}

/// Decodes `&amp;`, `&#20013;`, `&#x4E2D;` and every named reference of HTML5; leaves unknown ones as written.
pub(crate) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[1..].find(';').map(|i| i + 1).filter(|&i| i <= 32);
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let c = if let Some(num) = name.strip_prefix('#') {
                let n = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => num.parse().ok(),
                };
                n.and_then(char::from_u32).map(|c| if c == '\0' { '\u{fffd}' } else { c }).map(String::from)
            } else {
                named_entity(name)
            };
            c.map(|c| (c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push_str(&c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A named character reference of HTML5 (`bull` for `&bull;`), from the standard's own list
/// of 2,125 names (the `entities` crate, which comrak reads Markdown's references with).
fn named_entity(name: &str) -> Option<String> {
    static BY_NAME: std::sync::OnceLock<std::collections::HashMap<&'static str, &'static str>> = std::sync::OnceLock::new();
    let map = BY_NAME.get_or_init(|| {
        entities::ENTITIES.iter().filter_map(|e| Some((e.entity.strip_prefix('&')?.strip_suffix(';')?, e.characters))).collect()
    });
    map.get(name).map(|c| (*c).to_owned())
}

/// What an HTML element becomes in the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Strong,
    Emph,
    Strike,
    Sup,
    Sub,
    Code,
    Link,
    /// Keeps its content and drops the tag (`<span>`, `<u>`, `<font>` …).
    Transparent,
    /// Ends the current paragraph (`<p>`, `<div>`, `<center>` …).
    BlockBreak,
    LineBreak,
    Image,
    Rule,
    /// Embedded media and frames: a link to the source stands in for them.
    Embed,
    /// Dropped with everything inside it (`<script>`, `<style>`).
    Drop,
    /// Ruby text (`<rt>`): set after its base in full-width parentheses, as a book prints
    /// a reading.
    Annotation,
    /// Dropped with its content, as nothing a reader needs (`<rp>`, the parentheses a browser
    /// without ruby shows: wenji adds its own).
    Fallback,
    /// Has no meaning here (`<wbr>`).
    Ignore,
    Unknown,
}

pub(crate) fn role(name: &str) -> Role {
    match name {
        "b" | "strong" => Role::Strong,
        "i" | "em" | "cite" | "dfn" | "var" => Role::Emph,
        "s" | "del" | "strike" => Role::Strike,
        "sup" => Role::Sup,
        "sub" => Role::Sub,
        "code" | "kbd" | "samp" | "tt" => Role::Code,
        "a" => Role::Link,
        "mark" => Role::Strong,
        "rt" => Role::Annotation,
        "rp" => Role::Fallback,
        "span" | "u" | "ins" | "small" | "big" | "font" | "abbr" | "acronym" | "q" | "label" | "time" | "bdi" | "bdo"
        | "ruby" | "rb" => Role::Transparent,
        "p" | "div" | "center" | "section" | "article" | "header" | "footer" | "figure" | "figcaption" | "details"
        | "summary" | "aside" | "main" | "nav" | "blockquote" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "ul"
        | "ol" | "li" | "dl" | "dt" | "dd" | "table" | "thead" | "tbody" | "tfoot" | "tr" | "td" | "th"
        | "caption" | "pre" | "address" | "hgroup" => Role::BlockBreak,
        "br" => Role::LineBreak,
        "img" => Role::Image,
        "hr" => Role::Rule,
        "iframe" | "video" | "audio" | "embed" | "object" | "source" | "canvas" | "svg" => Role::Embed,
        "script" | "style" | "noscript" | "template" | "head" | "title" | "meta" | "link" => Role::Drop,
        "wbr" | "colgroup" | "col" | "param" | "track" | "html" | "body" => Role::Ignore,
        _ => Role::Unknown,
    }
}

/// Elements that never have an end tag.
pub(crate) fn is_void(name: &str) -> bool {
    matches!(
        name,
        "br" | "img" | "hr" | "wbr" | "embed" | "source" | "track" | "col" | "param" | "meta" | "link" | "input" | "area" | "base"
    )
}

pub(crate) fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(name: &str, attrs: &[(&str, &str)], self_closing: bool) -> Token {
        Token::Open {
            name: name.into(),
            attrs: attrs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            self_closing,
        }
    }

    #[test]
    fn every_named_reference_of_html5_is_read() {
        assert_eq!(decode_entities("&bull; &hearts; &nbsp;&zwj;&NotEqualTilde; &amp;amp; &nosuch;"), "• ♥ \u{a0}\u{200d}≂̸ &amp; &nosuch;");
    }

    #[test]
    fn tags_attributes_and_text() {
        let t = tokenize("<center><img src=\"a.png\" alt='图 &amp; 文' width=300/></center>");
        assert_eq!(
            t,
            vec![
                open("center", &[], false),
                open("img", &[("src", "a.png"), ("alt", "图 & 文"), ("width", "300/")], false),
                Token::Close("center".into()),
            ]
        );
        assert_eq!(tokenize("a<br/>b")[1], open("br", &[], true));
    }

    #[test]
    fn comments_and_stray_brackets() {
        let t = tokenize("x <!-- more --> 1 < 2 <3");
        assert_eq!(t, vec![Token::Text("x ".into()), Token::Comment, Token::Text(" 1 < 2 <3".into())]);
        assert_eq!(tokenize("<!-- unclosed"), vec![Token::Comment]);
    }

    #[test]
    fn entities() {
        assert_eq!(decode_entities("&lt;a&gt; &#20013;&#x6587; &nbsp;&bogus; & x"), "<a> 中文 \u{a0}&bogus; & x");
        assert_eq!(decode_entities("&#0;"), "\u{fffd}");
    }

    #[test]
    fn boolean_attributes_and_uppercase() {
        assert_eq!(tokenize("<VIDEO controls SRC=v.mp4>")[0], open("video", &[("controls", ""), ("src", "v.mp4")], false));
    }
}
