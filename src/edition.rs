//! The edition the essays are printed in: converted to the other script when book.toml or
//! `--convert` asks (text, titles, tags, descriptions; never code, URLs or Latin), and quoted
//! with the marks the book's locale prefers.

use crate::config::Quotes;
use crate::convert;
use crate::doc::{Block, Inline, for_each_inlines_mut};
use crate::locale::{Conversion, Locale};
use crate::manuscript::Meta;
use crate::markdown::Body;

/// What is done to every run of the essays' text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Edition {
    conversion: Option<Conversion>,
    quotes: Option<QuoteMarks>,
}

/// The quotation marks an edition sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteMarks {
    /// 「」『』, as Taiwan, Hong Kong and Japan quote.
    Corner,
    /// “”‘’, as the mainland quotes.
    Curly,
}

impl Edition {
    /// The edition of a book in `locale`: `quotes = "auto"` gives corner brackets to Traditional
    /// and Japanese books, and curly quotes to a Simplified edition converted from Traditional;
    /// a Simplified book keeps the quotes its author wrote.
    pub(crate) fn new(conversion: Option<Conversion>, quotes: Quotes, locale: Locale) -> Edition {
        let from_traditional = conversion.is_some_and(|c| !Locale::of(c.language()).is_traditional());
        let quotes = match quotes {
            Quotes::Keep => None,
            Quotes::Corner => Some(QuoteMarks::Corner),
            Quotes::Curly => Some(QuoteMarks::Curly),
            Quotes::Auto if locale.prefers_corner_quotes() => Some(QuoteMarks::Corner),
            Quotes::Auto if from_traditional => Some(QuoteMarks::Curly),
            Quotes::Auto => None,
        };
        Edition { conversion, quotes }
    }

    /// Changes nothing.
    pub(crate) fn is_plain(&self) -> bool {
        self.conversion.is_none() && self.quotes.is_none()
    }

    /// A run of the author's text in this edition.
    pub(crate) fn text(&self, text: &str) -> String {
        let converted = match self.conversion {
            Some(c) => convert::convert(c, text),
            None => text.to_owned(),
        };
        match self.quotes {
            Some(marks) => requoted(&converted, marks),
            None => converted,
        }
    }

    /// An essay's front matter and body in this edition.
    pub(crate) fn apply(&self, meta: &mut Meta, body: &mut Body) {
        if self.is_plain() {
            return;
        }
        meta.title = self.text(&meta.title);
        for s in meta.subtitle.iter_mut().chain(meta.description.iter_mut()).chain(meta.tags.iter_mut()).chain(meta.keywords.iter_mut()) {
            *s = self.text(s);
        }
        for s in meta.categories.iter_mut().flatten() {
            *s = self.text(s);
        }
        if let Some(title) = &mut body.title {
            *title = self.text(title);
        }
        self.blocks(&mut body.blocks);
        for note in &mut body.footnotes {
            self.blocks(&mut note.blocks);
        }
    }

    fn blocks(&self, blocks: &mut [Block]) {
        for_each_inlines_mut(blocks, &mut |run| self.inlines(run));
    }

    fn inlines(&self, run: &mut [Inline]) {
        for inline in run {
            match inline {
                Inline::Text(s) => *s = self.text(s),
                Inline::Image { alt, .. } | Inline::ImageRef { alt, .. } => *alt = self.text(alt),
                Inline::Link { content, .. } => self.inlines(content),
                other => {
                    if let Some(content) = other.styled_content_mut() {
                        self.inlines(content);
                    }
                }
            }
        }
    }
}

/// `text` with the quotation marks that stand beside Chinese set as `marks`: “” and ‘’ become
/// 「」 and 『』 or the other way round. A quote between Latin letters (`don’t`, `‘80s`) stays.
fn requoted(text: &str, marks: QuoteMarks) -> String {
    let chars: Vec<char> = text.chars().collect();
    let wide = |c: Option<&char>| c.is_some_and(|&c| crate::kinsoku::is_wide(c) && !matches!(c, '“' | '”' | '‘' | '’'));
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let (before, after) = (i.checked_sub(1).and_then(|j| chars.get(j)), chars.get(i + 1));
        let by_chinese = wide(before) || wide(after) || before.is_none() || after.is_none() || matches!(after, Some('“' | '‘' | '「' | '『'));
        let latin_both_sides = before.is_some_and(|c| c.is_alphanumeric() && !wide(Some(c))) && after.is_some_and(|c| c.is_alphanumeric() && !wide(Some(c)));
        let swapped = match (marks, c) {
            (QuoteMarks::Corner, '“') if by_chinese && !latin_both_sides => '「',
            (QuoteMarks::Corner, '”') if by_chinese && !latin_both_sides => '」',
            (QuoteMarks::Corner, '‘') if by_chinese && !latin_both_sides => '『',
            (QuoteMarks::Corner, '’') if by_chinese && !latin_both_sides => '』',
            (QuoteMarks::Curly, '「') => '“',
            (QuoteMarks::Curly, '」') => '”',
            (QuoteMarks::Curly, '『') => '‘',
            (QuoteMarks::Curly, '』') => '’',
            _ => c,
        };
        out.push(swapped);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_beside_chinese_become_corner_brackets() {
        assert_eq!(requoted("他说：“我读过‘天真的人’。”", QuoteMarks::Corner), "他说：「我读过『天真的人』。」");
        assert_eq!(requoted("“Rust”是语言", QuoteMarks::Corner), "「Rust」是语言");
        assert_eq!(requoted("don’t 和 rock’n’roll", QuoteMarks::Corner), "don’t 和 rock’n’roll");
        assert_eq!(requoted("他說：「讀『書』」", QuoteMarks::Curly), "他說：“讀‘書’”");
    }

    #[test]
    fn an_edition_converts_text_not_code() {
        let edition = Edition::new(Some(Conversion::S2tw), Quotes::Auto, Locale::HantTw);
        let mut run = vec![Inline::Text("软件“开发”".into()), Inline::Code("let 发 = 1;".into())];
        edition.inlines(&mut run);
        assert_eq!(run, vec![Inline::Text("軟件「開發」".into()), Inline::Code("let 发 = 1;".into())]);
        assert!(Edition::new(None, Quotes::Auto, Locale::Hans).is_plain());
        assert!(!Edition::new(None, Quotes::Auto, Locale::HantHk).is_plain());
        assert_eq!(Edition::new(Some(Conversion::T2s), Quotes::Auto, Locale::Hans).text("「軟體」"), "“软体”");
    }
}
