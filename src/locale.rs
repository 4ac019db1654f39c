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

/// An OpenCC conversion, named as OpenCC names its configurations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conversion {
    /// Simplified to Traditional (OpenCC's standard forms).
    S2t,
    /// Simplified to Traditional, Taiwan's character forms.
    S2tw,
    /// Simplified to Traditional, Taiwan's forms and words (软件 → 軟體).
    S2twp,
    /// Simplified to Traditional, Hong Kong's character forms.
    S2hk,
    /// Traditional to Simplified.
    T2s,
    /// Taiwan's Traditional to Simplified.
    Tw2s,
    /// Taiwan's Traditional to Simplified, mainland words (軟體 → 软件).
    Tw2sp,
    /// Hong Kong's Traditional to Simplified.
    Hk2s,
}

/// The conversions by name, in the order the help lists them.
pub const CONVERSIONS: [(&str, Conversion); 8] = [
    ("s2t", Conversion::S2t),
    ("s2tw", Conversion::S2tw),
    ("s2twp", Conversion::S2twp),
    ("s2hk", Conversion::S2hk),
    ("t2s", Conversion::T2s),
    ("tw2s", Conversion::Tw2s),
    ("tw2sp", Conversion::Tw2sp),
    ("hk2s", Conversion::Hk2s),
];

impl Conversion {
    pub fn named(name: &str) -> Option<Conversion> {
        CONVERSIONS.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|&(_, c)| c)
    }

    pub fn name(self) -> &'static str {
        CONVERSIONS.iter().find(|&&(_, c)| c == self).map_or("", |&(n, _)| n)
    }

    /// The language of the converted edition.
    pub fn language(self) -> &'static str {
        match self {
            Conversion::S2t => "zh-Hant",
            Conversion::S2tw | Conversion::S2twp => "zh-TW",
            Conversion::S2hk => "zh-HK",
            Conversion::T2s | Conversion::Tw2s | Conversion::Tw2sp | Conversion::Hk2s => "zh-CN",
        }
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
