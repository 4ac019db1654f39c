//! Conversion between Simplified and Traditional Chinese with OpenCC's phrase dictionaries
//! (through `ferrous-opencc`, a pure-Rust OpenCC): editions in the other script, and wenji's
//! own words in a Traditional book.

use std::sync::OnceLock;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;

use crate::locale::{CONVERSIONS, Conversion, Locale};

/// The OpenCC configuration that makes a conversion.
fn builtin(conversion: Conversion) -> BuiltinConfig {
    match conversion {
        Conversion::S2t => BuiltinConfig::S2t,
        Conversion::S2tw => BuiltinConfig::S2tw,
        Conversion::S2twp => BuiltinConfig::S2twp,
        Conversion::S2hk => BuiltinConfig::S2hk,
        Conversion::T2s => BuiltinConfig::T2s,
        Conversion::Tw2s => BuiltinConfig::Tw2s,
        Conversion::Tw2sp => BuiltinConfig::Tw2sp,
        Conversion::Hk2s => BuiltinConfig::Hk2s,
    }
}

/// The converter, loaded once per process.
fn converter(conversion: Conversion) -> &'static OpenCC {
    static LOADED: [OnceLock<OpenCC>; 8] = [const { OnceLock::new() }; 8];
    let at = CONVERSIONS.iter().position(|&(_, c)| c == conversion).expect("every conversion is listed");
    LOADED[at].get_or_init(|| OpenCC::from_config(builtin(conversion)).expect("the built-in OpenCC dictionaries load"))
}

/// `text` converted. Text with nothing to convert (Latin, code) comes back as it was.
pub fn convert(conversion: Conversion, text: &str) -> String {
    if text.is_ascii() {
        return text.to_owned();
    }
    converter(conversion).convert(text)
}
/// Simplified Chinese written by wenji itself (目录, 注释, 标签：…) in the script of `locale`:
/// converted with Taiwan's forms and words or Hong Kong's forms for a Traditional book, as it is
/// otherwise.
pub fn words(locale: Locale, simplified: &str) -> String {
    match locale {
        Locale::HantTw => convert(Conversion::S2twp, simplified),
        Locale::HantHk => convert(Conversion::S2hk, simplified),
        Locale::Ja => japanese(simplified),
        Locale::Hans => simplified.to_owned(),
    }
}

/// wenji's words in Japanese: each phrase of `JAPANESE` replaced, longest first; what is not
/// there (an author's admonition title) is left as it was.
fn japanese(simplified: &str) -> String {
    let mut out = simplified.to_owned();
    for (zh, ja) in JAPANESE {
        if out.contains(zh) {
            out = out.replace(zh, ja);
        }
    }
    out
}

/// The Simplified-Chinese words wenji writes, with their Japanese; longer phrases before the
/// words they hold.
const JAPANESE: [(&str, &str); 42] = [
    ("收录 {} 篇文章，每篇一章，目录列出各篇及其小节，阅读顺序即正文顺序。", "{} 編を収録。各編が一章をなし、目次に各編とその節を掲げる。読む順序は本文の順序と同じ。"),
    ("书中标出了同版 PDF 的页码，可按页码翻检与引用。", "同じ版の PDF のページ番号を示してあり、ページ番号で参照・引用できる。"),
    ("插图附有替代文字。", "図版には代替テキストがある。"),
    ("收录 {} 篇文章：", "{} 編を収録："),
    ("本文目录", "この文章の目次"),
    ("标签索引", "タグ索引"),
    ("目　录", "目　次"),
    ("目录", "目次"),
    ("标签：", "タグ："),
    ("注释", "注"),
    ("封面", "表紙"),
    ("书名页", "扉"),
    ("正文", "本文"),
    ("导览", "ナビゲーション"),
    ("页码", "ページ番号"),
    ("续表", "表（続き）"),
    ("已完成", "完了"),
    ("未完成", "未完了"),
    ("哔哩哔哩视频", "bilibili 動画"),
    ("视频", "動画"),
    ("音频", "音声"),
    ("嵌入内容", "埋め込みコンテンツ"),
    ("代码", "コード"),
    ("示例", "サンプル"),
    ("网页", "ウェブページ"),
    ("帖子", "投稿"),
    ("音乐", "音楽"),
    ("地图", "地図"),
    ("图表", "図表"),
    ("图", "図"),
    ("提示", "ヒント"),
    ("信息", "情報"),
    ("详情", "詳細"),
    ("摘要", "要約"),
    ("技巧", "ヒント"),
    ("问题", "質問"),
    ("失败", "失敗"),
    ("危险", "危険"),
    ("更改", "変更"),
    ("删除", "削除"),
    ("新增", "追加"),
    ("等", "など"),
];

/// Whether a sample of a book's text is written in Traditional Chinese: it holds a good deal
/// of Han (a thousand characters at least: an English blog with one Chinese test post is not a
/// Chinese book), a tenth of it changes when converted to Simplified, and far more of it than
/// when converted to Traditional.
pub fn reads_traditional(sample: &str) -> bool {
    const ENOUGH_HAN: usize = 1000;
    let han = sample.chars().filter(|&c| matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF)).count();
    if han < ENOUGH_HAN {
        return false;
    }
    let changed = |to: Conversion| convert(to, sample).chars().zip(sample.chars()).filter(|(a, b)| a != b).count();
    let (to_simplified, to_traditional) = (changed(Conversion::T2s), changed(Conversion::S2t));
    to_simplified * 10 >= han && to_simplified > 4 * to_traditional
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wenji_s_words_in_a_traditional_book() {
        for (simplified, taiwan) in [("目录", "目錄"), ("标签索引", "標籤索引"), ("注释", "註釋"), ("封面", "封面"), ("本文目录", "本文目錄"), ("标签：", "標籤："), ("续表", "續表"), ("视频", "影片"), ("代码：", "程式碼："), ("信息", "資訊")] {
            assert_eq!(words(Locale::HantTw, simplified), taiwan);
            assert_eq!(words(Locale::Hans, simplified), simplified);
        }
        for (simplified, japanese) in [("目录", "目次"), ("标签索引", "タグ索引"), ("注释", "注"), ("封面：", "表紙："), ("YouTube 视频", "YouTube 動画"), ("［图：", "［図：")] {
            assert_eq!(words(Locale::Ja, simplified), japanese);
        }
    }

    #[test]
    fn phrases_convert_as_phrases_and_latin_is_kept() {
        assert_eq!(convert(Conversion::S2tw, "头发和发展"), "頭髮和發展");
        assert_eq!(convert(Conversion::S2twp, "软件"), "軟體");
        assert_eq!(convert(Conversion::T2s, "這是 useEffect 的用途"), "这是 useEffect 的用途");
        assert!(reads_traditional(&"這個假設不確定是從哪裡聽來的，不過我個人倒是沒有聽過這種說法就是了。".repeat(40)));
        assert!(!reads_traditional(&"这个假设不确定是从哪里听来的，不过我个人倒是没有听过这种说法就是了。".repeat(40)));
        // A few Traditional lines in an English blog do not make it a Traditional book.
        assert!(!reads_traditional(&format!("{}{}", "This post tests the theme. ".repeat(500), "這個假設不確定是從哪裡聽來的。".repeat(5))));
    }
}
