//! The conventions of the book's language: which glyph forms, where punctuation sits, which
//! quotes, the script of wenji's own words and how the tag index sorts.

/// The Chinese (or Japanese) writing convention a book or an essay follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub enum Locale {
    /// Simplified Chinese, mainland conventions (zh-CN, zh-SG, zh-Hans): punctuation in the
    /// lower left of its em.
    #[default]
    Hans,
    /// Traditional Chinese, Taiwan (zh-TW, zh-Hant): Taiwan's glyph forms, punctuation centred.
    HantTw,
    /// Traditional Chinese, Hong Kong and Macau (zh-HK, zh-MO): Hong Kong's glyph forms.
    HantHk,
    /// Japanese (ja): wenji's words in Japanese; glyph forms from the fonts the book names.
    Ja,
}

impl Locale {
    /// The convention a BCP 47 tag asks for. Tags wenji does not set (`en`, `fr`) are set as
    /// Simplified Chinese, as before.
    pub fn of(tag: &str) -> Locale {
        let lower = tag.replace('_', "-").to_ascii_lowercase();
        let parts: Vec<&str> = lower.split('-').collect();
        let has = |s: &str| parts[1..].contains(&s);
        match parts[0] {
            "ja" => Locale::Ja,
            "zh" | "yue" | "cmn" | "lzh" => {
                if has("hans") {
                    Locale::Hans
                } else if has("hk") || has("mo") || (parts[0] == "yue" && !has("tw")) {
                    Locale::HantHk
                } else if has("hant") || has("tw") || parts[0] == "lzh" {
                    Locale::HantTw
                } else {
                    Locale::Hans
                }
            }
            _ => Locale::Hans,
        }
    }

    /// Written in Traditional characters.
    pub fn is_traditional(self) -> bool {
        matches!(self, Locale::HantTw | Locale::HantHk)
    }

    /// The language a shaper is told, which picks the font's `locl` forms.
    pub fn shaping_tag(self) -> &'static str {
        match self {
            Locale::Hans => "zh-Hans",
            Locale::HantTw => "zh-TW",
            Locale::HantHk => "zh-HK",
            Locale::Ja => "ja",
        }
    }

    /// The tag the tag index is collated with: pinyin for Simplified books, strokes for
    /// Traditional ones (ICU's default for zh-Hant), the Japanese order for Japanese.
    pub fn collation_tag(self) -> &'static str {
        match self {
            Locale::Hans => "zh",
            Locale::HantTw => "zh-Hant-TW",
            Locale::HantHk => "zh-Hant-HK",
            Locale::Ja => "ja",
        }
    }

    /// Whether the locale quotes with corner brackets 「」『』 rather than “”‘’.
    pub fn prefers_corner_quotes(self) -> bool {
        matches!(self, Locale::HantTw | Locale::HantHk | Locale::Ja)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_choose_the_convention() {
        for (tag, locale) in [
            ("zh-CN", Locale::Hans),
            ("zh", Locale::Hans),
            ("zh-Hans-TW", Locale::Hans),
            ("zh_SG", Locale::Hans),
            ("zh-TW", Locale::HantTw),
            ("zh-Hant", Locale::HantTw),
            ("zh-hant-tw", Locale::HantTw),
            ("zh-HK", Locale::HantHk),
            ("zh-Hant-MO", Locale::HantHk),
            ("yue", Locale::HantHk),
            ("ja-JP", Locale::Ja),
            ("en", Locale::Hans),
        ] {
            assert_eq!(Locale::of(tag), locale, "{tag}");
        }
    }
}
