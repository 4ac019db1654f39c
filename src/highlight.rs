//! Code highlighting with syntect, the only module that names it: a code block's lines split
//! into tokens, each with the ink it is printed in. The default theme (`wenji`) is made for
//! paper and e-ink: keywords bold, comments italic, besides their colours, so that they are told
//! apart in grey too.

use std::collections::HashMap;
use std::ops::Range;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};

use syntect::easy::HighlightLines;
use syntect::highlighting::{Color, FontStyle, ScopeSelectors, StyleModifier, Theme, ThemeItem, ThemeSet, ThemeSettings};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// How a token is printed: its colour (sRGB), weight and slant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ink {
    pub(crate) colour: [u8; 3],
    pub(crate) bold: bool,
    pub(crate) italic: bool,
}

impl Ink {
    /// CSS for the EPUB's `style` attribute; empty for plain black.
    pub(crate) fn css(self) -> String {
        let mut css = String::new();
        if self.colour != [0, 0, 0] {
            let [r, g, b] = self.colour;
            css.push_str(&format!("color:#{r:02x}{g:02x}{b:02x};"));
        }
        if self.bold {
            css.push_str("font-weight:bold;");
        }
        if self.italic {
            css.push_str("font-style:italic;");
        }
        css
    }
}

/// The theme wenji highlights with by default.
pub const DEFAULT_THEME: &str = "wenji";

/// A block longer than this, or a line longer than `LONGEST_LINE`, is printed plain: a
/// highlighter's regular expressions may take long over what no one reads as code.
const LONGEST_BLOCK: usize = 256 * 1024;
const LONGEST_LINE: usize = 4096;

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

fn themes() -> &'static ThemeSet {
    static SET: OnceLock<ThemeSet> = OnceLock::new();
    SET.get_or_init(ThemeSet::load_defaults)
}

/// The names `highlight` accepts in book.toml: `wenji`, `none`, and syntect's themes.
pub fn theme_names() -> Vec<String> {
    let mut names = vec![DEFAULT_THEME.to_owned(), "none".to_owned()];
    names.extend(themes().themes.keys().cloned());
    names
}

/// Whether `name` is a theme `tokens` knows (or `none`).
pub fn is_theme(name: &str) -> bool {
    name == DEFAULT_THEME || name == "none" || themes().themes.contains_key(name)
}

fn theme(name: &str) -> Option<&'static Theme> {
    static WENJI: OnceLock<Theme> = OnceLock::new();
    match name {
        "none" => None,
        DEFAULT_THEME => Some(WENJI.get_or_init(wenji_theme)),
        other => themes().themes.get(other),
    }
}

/// The default theme: dark colours that read on white paper, weight and slant for what grey
/// e-ink would otherwise merge.
fn wenji_theme() -> Theme {
    let rule = |scopes: &str, colour: [u8; 3], font_style: FontStyle| ThemeItem {
        scope: ScopeSelectors::from_str(scopes).expect("a valid selector"),
        style: StyleModifier { foreground: Some(Color { r: colour[0], g: colour[1], b: colour[2], a: 0xFF }), background: None, font_style: Some(font_style) },
    };
    Theme {
        name: Some(DEFAULT_THEME.into()),
        author: None,
        settings: ThemeSettings { foreground: Some(Color::BLACK), background: Some(Color::WHITE), ..ThemeSettings::default() },
        scopes: vec![
            rule("comment, punctuation.definition.comment", [0x5f, 0x67, 0x70], FontStyle::ITALIC),
            rule("keyword, storage, keyword.operator.word, keyword.control, variable.language", [0x0b, 0x3d, 0x91], FontStyle::BOLD),
            rule("keyword.operator", [0x1a, 0x1a, 0x1a], FontStyle::empty()),
            rule("string, punctuation.definition.string", [0x1a, 0x6b, 0x2f], FontStyle::empty()),
            rule("constant.numeric, constant.language, constant.character, constant.other", [0x8a, 0x1c, 0x1c], FontStyle::empty()),
            rule("entity.name.function, support.function, meta.function-call entity.name", [0x5b, 0x2c, 0x83], FontStyle::empty()),
            rule("entity.name.type, entity.name.class, support.type, support.class, storage.type", [0x0b, 0x55, 0x60], FontStyle::BOLD),
            rule("entity.name.tag, meta.tag", [0x0b, 0x3d, 0x91], FontStyle::empty()),
            rule("entity.other.attribute-name", [0x5b, 0x2c, 0x83], FontStyle::empty()),
            rule("markup.heading", [0x0b, 0x3d, 0x91], FontStyle::BOLD),
        ],
    }
}

/// Each line's tokens: byte ranges in the line (without its end) and their inks.
pub(crate) type Tokens = Vec<Vec<(Range<usize>, Ink)>>;

/// The tokens of each line of `code` (without line ends), in language `lang` (a fence's info
/// word: `rust`, `py`, `sh`, …) and theme `theme_name`. `None` when the language is unknown, the
/// theme is `none`, or the block is too long to highlight. A block is highlighted once per
/// process: the PDF and the EPUB ask for the same blocks, and highlighting is slow.
pub(crate) fn tokens(lang: &str, code: &str, theme_name: &str) -> Option<Arc<Tokens>> {
    type Key = (String, String, String);
    static DONE: OnceLock<Mutex<HashMap<Key, Option<Arc<Tokens>>>>> = OnceLock::new();
    let theme = theme(theme_name)?;
    if lang.is_empty() || code.len() > LONGEST_BLOCK {
        return None;
    }
    let key = (theme_name.to_owned(), lang.to_owned(), code.to_owned());
    let done = DONE.get_or_init(Default::default);
    if let Some(found) = done.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return found.clone();
    }
    let made = highlighted(lang, code, theme).map(Arc::new);
    done.lock().unwrap_or_else(|e| e.into_inner()).insert(key, made.clone());
    made
}

fn highlighted(lang: &str, code: &str, theme: &Theme) -> Option<Tokens> {
    let set = syntaxes();
    let syntax = set.find_syntax_by_token(lang).or_else(|| set.find_syntax_by_token(&lang.to_ascii_lowercase()))?;
    let mut lines = HighlightLines::new(syntax, theme);
    let mut out = Vec::new();
    for line in LinesWithEndings::from(code) {
        let content = line.trim_end_matches(['\n', '\r']);
        if line.len() > LONGEST_LINE {
            out.push(vec![(0..content.len(), Ink::default())]);
            continue;
        }
        let regions = lines.highlight_line(line, set).ok()?;
        let mut tokens: Vec<(Range<usize>, Ink)> = Vec::new();
        let mut at = 0;
        for (style, text) in regions {
            let end = (at + text.len()).min(content.len());
            if end > at {
                let ink = Ink {
                    colour: [style.foreground.r, style.foreground.g, style.foreground.b],
                    bold: style.font_style.contains(FontStyle::BOLD),
                    italic: style.font_style.contains(FontStyle::ITALIC),
                };
                match tokens.last_mut() {
                    Some((range, last)) if *last == ink => *range = range.start..end,
                    _ => tokens.push((at..end, ink)),
                }
            }
            at += text.len();
        }
        out.push(tokens);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_bold_and_comments_italic_in_the_default_theme() {
        let code = "fn main() {\n    // 说明\n    let x = \"字\";\n}";
        let lines = tokens("rust", code, DEFAULT_THEME).expect("Rust is known");
        assert_eq!(lines.len(), 4);
        let line0 = &lines[0];
        let first = &code[line0[0].0.clone()];
        assert_eq!((first, line0[0].1.bold), ("fn", true));
        let comment = lines[1].iter().find(|(r, _)| code.lines().nth(1).unwrap()[r.clone()].contains("说明")).expect("the comment");
        assert!(comment.1.italic && !comment.1.bold);
        let string = lines[2].iter().find(|(r, _)| code.lines().nth(2).unwrap()[r.clone()].contains('字')).expect("the string");
        assert_ne!(string.1.colour, [0, 0, 0]);
        // Every byte of every line is in one token.
        for (line, tokens) in code.lines().zip(lines.iter()) {
            assert_eq!(tokens.iter().map(|(r, _)| r.len()).sum::<usize>(), line.len());
        }
        // Asked again (the other output), the block is not highlighted again.
        assert!(Arc::ptr_eq(&lines, &tokens("rust", code, DEFAULT_THEME).expect("known")));
    }

    #[test]
    fn unknown_languages_and_the_none_theme_print_plain() {
        assert!(tokens("no-such-language", "x = 1", DEFAULT_THEME).is_none());
        assert!(tokens("python", "x = 1", "none").is_none());
        assert!(tokens("py", "x = 1", "InspiredGitHub").is_some());
        assert!(is_theme("InspiredGitHub") && !is_theme("nope"));
    }
}
