//! The tag index (标签索引): every tag of the book with the essays that carry it, sorted by
//! pinyin or by stroke count with ICU collation, and grouped under initials or stroke counts.

use std::cmp::Ordering;
use std::collections::HashMap;

use icu_collator::{Collator, CollatorBorrowed, options::CollatorOptions};
use icu_locale_core::Locale;

use crate::config::TagIndex;

/// The tag index's title, in the book's contents and at the head of its pages.
pub(crate) const INDEX_TITLE: &str = "标签索引";

/// A group of the index: its heading (`A`, `五画`, `#`) and its tags in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Group {
    pub(crate) heading: String,
    pub tags: Vec<Tag>,
}

/// A tag and the essays that carry it (indexes into `Book::essays`, in reading order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tag {
    pub(crate) name: String,
    pub essays: Vec<usize>,
}

/// The index of the essays' tags (each essay's, in reading order), sorted as `order` says;
/// empty when no essay has a tag.
pub(crate) fn tag_index<'a>(essays: impl IntoIterator<Item = &'a [String]>, order: TagIndex, locale: crate::locale::Locale) -> Vec<Group> {
    if order == TagIndex::None {
        return Vec::new();
    }
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, tags) in essays.into_iter().enumerate() {
        for tag in tags {
            let list = by_name.entry(tag.as_str()).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
    let collator = collator(order);
    let mut tags: Vec<(Heading, Tag)> =
        by_name.into_iter().map(|(name, essays)| (heading(&collator, order, name), Tag { name: name.to_owned(), essays })).collect();
    tags.sort_by(|(ha, a), (hb, b)| ha.cmp(hb).then_with(|| collator.compare(&a.name, &b.name)).then_with(|| a.name.cmp(&b.name)));
    let mut groups: Vec<Group> = Vec::new();
    for (h, tag) in tags {
        let title = crate::convert::words(locale, &h.title());
        match groups.last_mut() {
            Some(g) if g.heading == title => g.tags.push(tag),
            _ => groups.push(Group { heading: title, tags: vec![tag] }),
        }
    }
    groups
}

fn collator(order: TagIndex) -> CollatorBorrowed<'static> {
    let tag = if order == TagIndex::Stroke { "zh-u-co-stroke" } else { "zh-u-co-pinyin" };
    let locale: Locale = tag.parse().expect("a valid locale");
    Collator::try_new(locale.into(), CollatorOptions::default()).expect("compiled collation data for Chinese")
}

/// Where a tag is grouped: under a Latin initial (pinyin, or a Latin tag), under a stroke
/// count, or with the symbols and digits last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Heading {
    Letter(char),
    Strokes(u32),
    Other,
}

impl Heading {
    fn title(self) -> String {
        match self {
            Heading::Letter(c) => c.to_string(),
            Heading::Strokes(n) => format!("{}画", chinese_number(n)),
            Heading::Other => "#".into(),
        }
    }
}

/// The group of `name`. Han characters are placed between the collation's own boundary
/// strings (U+FDD0 and a letter for pinyin, U+FDD0 and U+2800 + n for n strokes), the way
/// ICU's alphabetic index does.
fn heading(collator: &CollatorBorrowed, order: TagIndex, name: &str) -> Heading {
    let Some(first) = name.chars().next() else { return Heading::Other };
    if first.is_ascii_alphabetic() {
        return if order == TagIndex::Pinyin { Heading::Letter(first.to_ascii_uppercase()) } else { Heading::Other };
    }
    if !is_han(first) {
        return Heading::Other;
    }
    let below = |boundary: &str| collator.compare(boundary, name) != Ordering::Greater;
    match order {
        TagIndex::Stroke => {
            // The last stroke count whose boundary sorts before the name.
            let (mut lo, mut hi) = (1u32, 64u32);
            while lo < hi {
                let mid = (lo + hi).div_ceil(2);
                if below(&format!("\u{FDD0}{}", char::from_u32(0x2800 + mid).expect("a braille pattern"))) { lo = mid } else { hi = mid - 1 }
            }
            Heading::Strokes(lo)
        }
        _ => ('A'..='Z').rev().find(|c| below(&format!("\u{FDD0}{c}"))).map_or(Heading::Other, Heading::Letter),
    }
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

/// 1 → 一, 12 → 十二, 23 → 二十三 (stroke counts stay under a hundred).
fn chinese_number(n: u32) -> String {
    const DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n as usize].into(),
        10..=19 => format!("十{}", if n == 10 { "" } else { DIGITS[(n - 10) as usize] }),
        _ => format!("{}十{}", DIGITS[(n / 10 % 10) as usize], if n.is_multiple_of(10) { "" } else { DIGITS[(n % 10) as usize] }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(groups: &[Group]) -> Vec<(String, Vec<String>)> {
        groups.iter().map(|g| (g.heading.clone(), g.tags.iter().map(|t| t.name.clone()).collect())).collect()
    }

    fn essays(tags: &[&[&str]]) -> Vec<Vec<String>> {
        tags.iter().map(|t| t.iter().map(|s| s.to_string()).collect()).collect()
    }

    fn tag_index(essays: &[Vec<String>], order: TagIndex) -> Vec<Group> {
        super::tag_index(essays.iter().map(Vec::as_slice), order, crate::locale::Locale::Hans)
    }

    #[test]
    fn pinyin_groups_by_initial_and_latin_joins_its_letter() {
        let e = essays(&[&["失落", "爱", "Rust"], &["依恋", "失落"], &["随笔", "情感", "中文", "2024"]]);
        let groups = tag_index(&e, TagIndex::Pinyin);
        assert_eq!(
            names(&groups),
            [
                ("A".into(), vec!["爱".into()]),
                ("Q".into(), vec!["情感".into()]),
                ("R".into(), vec!["Rust".into()]),
                ("S".into(), vec!["失落".into(), "随笔".into()]),
                ("Y".into(), vec!["依恋".into()]),
                ("Z".into(), vec!["中文".into()]),
                ("#".into(), vec!["2024".into()]),
            ]
        );
        let lost = &groups[3].tags[0];
        assert_eq!(lost.essays, [0, 1]);
    }

    #[test]
    fn stroke_order_groups_by_stroke_count() {
        let e = essays(&[&["一", "中文", "爱", "失落", "十"]]);
        let groups = tag_index(&e, TagIndex::Stroke);
        // 一 1, 十 2, 中 4, 失 5, 爱 10.
        assert_eq!(
            names(&groups),
            [
                ("一画".into(), vec!["一".into()]),
                ("二画".into(), vec!["十".into()]),
                ("四画".into(), vec!["中文".into()]),
                ("五画".into(), vec!["失落".into()]),
                ("十画".into(), vec!["爱".into()]),
            ]
        );
    }

    #[test]
    fn no_index_when_asked_for_none() {
        assert!(tag_index(&essays(&[&["失落"]]), TagIndex::None).is_empty());
        assert!(tag_index(&essays(&[&[]]), TagIndex::Pinyin).is_empty());
    }

    #[test]
    fn numbers_in_chinese() {
        assert_eq!([1, 10, 12, 20, 23].map(chinese_number), ["一", "十", "十二", "二十", "二十三"]);
    }
}
