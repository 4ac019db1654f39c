//! 禁则: which marks may not start or end a line, and where a line may break.
//! The classes are those of `typesetting.md` (clreq, GB/T 15834); UAX #14 gives the base
//! break opportunities and these sets tailor them.

/// Punctuation classes that line breaking and spacing care about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// 点号: 、，。．；：？！
    Stop,
    /// Closing quotes and brackets.
    Close,
    /// Opening quotes and brackets.
    Open,
    /// 连接号: – — ～
    Connector,
    /// 间隔号: ·
    Interpunct,
    /// Half of `……` or `⋯⋯`.
    Ellipsis,
    Other,
}

pub fn class(c: char) -> Class {
    match c {
        '、' | '，' | '。' | '．' | '；' | '：' | '？' | '！' => Class::Stop,
        '”' | '’' | '）' | '」' | '』' | '》' | '〉' | '】' | '〕' | '〗' | '］' | '｝' => Class::Close,
        '“' | '‘' | '（' | '「' | '『' | '《' | '〈' | '【' | '〔' | '〖' | '［' | '｛' => Class::Open,
        '–' | '—' | '～' => Class::Connector,
        '·' | '・' => Class::Interpunct,
        '…' | '⋯' => Class::Ellipsis,
        _ => Class::Other,
    }
}

/// No line may start with this character (rule 1).
pub fn forbidden_at_line_start(c: char) -> bool {
    matches!(class(c), Class::Stop | Class::Close | Class::Connector | Class::Interpunct)
        || matches!(c, ',' | '.' | ';' | ':' | '?' | '!' | ')' | ']' | '}' | '%' | '‰' | '々' | '〻' | 'ー')
}

/// No line may end with this character (rule 2).
pub(crate) fn forbidden_at_line_end(c: char) -> bool {
    class(c) == Class::Open || matches!(c, '(' | '[' | '{' | '¥' | '$' | '£' | '€' | '＄' | '￥')
}

/// Byte offsets in `text` where a line may end (the break goes before the character at the
/// offset). The end of the text is not included. Where a CJK character takes part, the 禁则
/// sets decide; elsewhere (Latin words, numbers, spaces) UAX #14 does.
pub(crate) fn break_opportunities(text: &str) -> Vec<usize> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut uax = vec![false; text.len() + 1];
    for (offset, _) in unicode_linebreak::linebreaks(text) {
        uax[offset] = true;
    }
    let mut out = Vec::new();
    for i in 1..chars.len() {
        let (offset, next) = chars[i];
        let prev = chars[i - 1].1;
        let after = chars.get(i + 1).map(|&(_, c)| c);
        if may_break(prev, next, after, uax[offset]) {
            out.push(offset);
        }
    }
    out
}

/// Byte offsets where a word starts or ends in `text`: the dictionary word segmenter of
/// ICU4X (UAX #29 with a Chinese and Japanese dictionary).
pub(crate) fn word_boundaries(text: &str) -> Vec<usize> {
    icu_segmenter::WordSegmenter::new_dictionary(icu_segmenter::options::WordBreakInvariantOptions::default()).segment_str(text).collect()
}

/// Whether a line may end between `prev` and `next` (`after` follows `next`; `uax` is
/// UAX #14's answer).
fn may_break(prev: char, next: char, after: Option<char>, uax: bool) -> bool {
    let long_dash_starts = next == '—' && after == Some('—');
    if (forbidden_at_line_start(next) && !long_dash_starts) || forbidden_at_line_end(prev) {
        return false;
    }
    if is_long_half(prev) && prev == next {
        return false;
    }
    if prev.is_whitespace() || next.is_whitespace() {
        return uax;
    }
    if is_wide(prev) || is_wide(next) {
        return true;
    }
    uax
}

/// `——` and `……` are one unit (rule 3).
fn is_long_half(c: char) -> bool {
    matches!(c, '—' | '…' | '⋯' | '⸺')
}

/// Characters set on the CJK grid, between which lines may break: Han, kana, CJK and
/// full-width punctuation, dashes and ellipses. Curly quotes are not here, so that an
/// apostrophe inside a Latin word never becomes a break.
pub(crate) fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF | 0x3000..=0x30FF | 0x3100..=0x312F | 0x31A0..=0x31FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFF | 0x2014 | 0x2026 | 0x22EF | 0x2E3A | 0x00B7)
}

/// East Asian wide and full-width characters, which a terminal (and a code block) gives two
/// columns of the monospace grid.
pub(crate) fn takes_two_columns(c: char) -> bool {
    is_wide(c) && !matches!(c, '\u{2014}' | '\u{2026}' | '\u{22EF}' | '\u{2E3A}' | '\u{00B7}') || ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text split at every break opportunity.
    fn pieces(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut start = 0;
        for b in break_opportunities(text) {
            out.push(&text[start..b]);
            start = b;
        }
        out.push(&text[start..]);
        out
    }

    #[test]
    fn han_breaks_between_characters_but_punctuation_stays_attached() {
        assert_eq!(pieces("你好，世界。"), ["你", "好，", "世", "界。"]);
        assert_eq!(pieces("他说：“好的。”然后"), ["他", "说：", "“好", "的。”", "然", "后"]);
    }

    #[test]
    fn opening_marks_stay_with_what_follows() {
        assert_eq!(pieces("读《红楼梦》吧"), ["读", "《红", "楼", "梦》", "吧"]);
        assert_eq!(pieces("（注）"), ["（注）"]);
    }

    #[test]
    fn dashes_and_ellipses_never_split() {
        for text in ["那便是——失落", "等等……然后", "前⋯⋯后"] {
            for (a, b) in pieces(text).iter().zip(pieces(text).iter().skip(1)) {
                let end = a.chars().last().unwrap();
                let start = b.chars().next().unwrap();
                assert!(!(matches!(end, '—' | '…' | '⋯') && end == start), "{text}: {a}|{b}");
                let long_dash = b.starts_with("——");
                assert!(!forbidden_at_line_start(start) || long_dash, "{text}: line would start with {start}");
            }
        }
        assert!(pieces("那便是——失落").contains(&"是"), "may break before the 2-em dash");
        assert_eq!(pieces("甲—乙"), ["甲—", "乙"], "a single dash (连接号) never starts a line");
        assert_eq!(pieces("甲⸺乙"), ["甲", "⸺", "乙"], "the 2 em dash U+2E3A is a 破折号, like ——");
    }

    #[test]
    fn latin_words_and_numbers_are_not_split() {
        assert_eq!(pieces("用 Rust 写"), ["用 ", "Rust ", "写"]);
        assert_eq!(pieces("价格¥12，约3.14%"), ["价", "格", "¥12，", "约", "3.14%"]);
        assert_eq!(pieces("共1,000人"), ["共", "1,000", "人"]);
    }

    #[test]
    fn interpunct_and_iteration_marks() {
        assert_eq!(pieces("让·雅克"), ["让·", "雅", "克"]);
        assert_eq!(pieces("don’t 中文"), ["don’t ", "中", "文"]);
    }

    #[test]
    fn every_class_from_typesetting_md() {
        for c in "、，。．；：？！".chars() {
            assert_eq!(class(c), Class::Stop, "{c}");
            assert!(forbidden_at_line_start(c));
        }
        for c in "”’）」』》〉】〕〗］｝".chars() {
            assert_eq!(class(c), Class::Close, "{c}");
            assert!(forbidden_at_line_start(c));
        }
        for c in "“‘（「『《〈【〔〖［｛".chars() {
            assert_eq!(class(c), Class::Open, "{c}");
            assert!(forbidden_at_line_end(c));
        }
        for c in "–—～".chars() {
            assert!(forbidden_at_line_start(c), "{c}");
        }
        assert!(forbidden_at_line_start('·'));
    }
}
