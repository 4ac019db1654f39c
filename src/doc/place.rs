//! Places in an essay that both outputs find the same way. The PDF's typesetter records where
//! each printed page starts as a place; the EPUB puts that page's marker at the same place.
//! Both count with what is defined here, so neither counts by hand.

use std::borrow::Cow;

use super::Inline;

/// Where the printed page `number` starts: in essay `essay` (or, past the essays, the tag
/// index), in block `block` as `BlockCount` numbers them, at byte `offset` of the block's text
/// as `leaf_text` makes it up (in a table, `offset` is the row: `table_row`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageStart {
    pub(crate) number: u32,
    pub(crate) essay: usize,
    pub(crate) block: u32,
    pub(crate) offset: u32,
}

/// Numbers blocks in the order a writer walks them. Block 0 is an essay's opening: its title,
/// subtitle, dateline and lede, their texts in a row. Then each block entered takes the next
/// number, a quote or a list before the blocks inside it, the body's blocks first and each
/// note's after them; an empty list item, which still takes a line, is a block of its own. In
/// the tag index every line (group heading, tag, essay) is a block.
#[derive(Debug, Clone, Default)]
pub(crate) struct BlockCount(u32);

/// The essay's opening, before its first block.
pub(crate) const OPENING: u32 = 0;

impl BlockCount {
    /// Enters the next block and returns its number.
    pub(crate) fn enter(&mut self) -> u32 {
        self.0 += 1;
        self.0
    }

    /// The block entered last.
    pub(crate) fn current(&self) -> u32 {
        self.0
    }
}

/// The text an inline leaf adds to its block's text, as the PDF sets it: an image that cannot
/// be drawn in running text is shown as `［图：alt］`, a note reference as its number (`①`), a
/// formula as one object replacement character. `None`
/// for the inlines that wrap others (emphasis, links, …), whose text is their content's.
pub(crate) fn leaf_text(inline: &Inline) -> Option<Cow<'_, str>> {
    match inline {
        Inline::Text(t) | Inline::Code(t) => Some(Cow::Borrowed(t)),
        // A formula is one object in the text, as the PDF sets it (U+FFFC, the object replacement character).
        Inline::Math(f) if !f.readable => Some(Cow::Borrowed(&f.tex)),
        Inline::Math(_) => Some(Cow::Borrowed("\u{FFFC}")),
        Inline::Image { alt, .. } | Inline::ImageRef { alt, .. } => Some(Cow::Owned(image_text(alt))),
        Inline::LineBreak => Some(Cow::Borrowed("\n")),
        Inline::NoteRef(n) => Some(Cow::Owned(note_number(*n))),
        Inline::Emph(_) | Inline::Strong(_) | Inline::Strike(_) | Inline::Sup(_) | Inline::Sub(_) | Inline::Link { .. } => None,
    }
}

/// A note's number as Chinese books print it: ① to ㊿, then (51), (52), …
pub(crate) fn note_number(n: usize) -> String {
    let circled = match n {
        1..=20 => char::from_u32(0x2460 + n as u32 - 1),
        21..=35 => char::from_u32(0x3251 + n as u32 - 21),
        36..=50 => char::from_u32(0x32B1 + n as u32 - 36),
        _ => None,
    };
    circled.map_or_else(|| format!("({n})"), String::from)
}

/// The note number `note_number` wrote as `text`.
pub(crate) fn note_index(text: &str) -> Option<usize> {
    let mut chars = text.chars();
    let (c, None) = (chars.next()? as u32, chars.next()) else { return None };
    match c {
        0x2460..=0x2473 => Some((c - 0x2460 + 1) as usize),
        0x3251..=0x325F => Some((c - 0x3251 + 21) as usize),
        0x32B1..=0x32BF => Some((c - 0x32B1 + 36) as usize),
        _ => None,
    }
}

/// The length in bytes of an inline's text as `leaf_text` makes it up (its content's, for an
/// inline that wraps others).
pub(crate) fn text_len(inline: &Inline) -> usize {
    match inline {
        Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) | Inline::Sup(c) | Inline::Sub(c) | Inline::Link { content: c, .. } => c.iter().map(text_len).sum(),
        leaf => leaf_text(leaf).map_or(0, |t| t.len()),
    }
}

/// How an image inside running text is shown where it cannot be drawn: `［图：alt］`.
pub(crate) fn image_text(alt: &str) -> String {
    format!("［图：{alt}］")
}

/// A table's pages start at its rows: the offset of row `row`, counting the head as row 0
/// (present or not) and the body's rows from 1.
pub(crate) fn table_row(row: usize) -> u32 {
    row.min(u32::MAX as usize) as u32
}

/// A code block's lines (split at `\n`, the last newlines dropped), each with the byte offset
/// where it starts in the block's text; the typesetter lays each out as a paragraph of its own.
pub(crate) fn code_line_starts(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.trim_end_matches('\n').split('\n').scan(0, |base, line| {
        let start = *base;
        *base += line.len() + 1;
        Some((start, line))
    })
}
