//! The owned document tree: what an essay says, independent of EPUB or PDF.

mod place;

pub use place::PageStart;
pub(crate) use place::{BlockCount, OPENING, code_line_starts, leaf_text, note_index, note_number, table_row, text_len};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    Paragraph(Vec<Inline>),
    /// `level` 2..=6 after normalisation (1 is the essay title); `id` is unique in the essay.
    Heading {
        level: u8,
        id: String,
        content: Vec<Inline>,
    },
    Quote(Vec<Block>),
    List {
        /// `None` for a bullet list, else the first number.
        start: Option<u64>,
        items: Vec<ListItem>,
    },
    Code {
        lang: String,
        text: String,
    },
    /// A formula set apart on lines of its own (display math).
    Math(Formula),
    Table(Table),
    Rule,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ListItem {
    /// `Some(done)` for a task-list item.
    pub(crate) task: Option<bool>,
    pub(crate) blocks: Vec<Block>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    None,
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    pub(crate) align: Vec<Align>,
    pub(crate) head: Vec<Vec<Inline>>,
    pub(crate) rows: Vec<Vec<Vec<Inline>>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Inline {
    Text(String),
    Code(String),
    Emph(Vec<Inline>),
    Strong(Vec<Inline>),
    Strike(Vec<Inline>),
    Sup(Vec<Inline>),
    Sub(Vec<Inline>),
    Link {
        target: LinkTarget,
        content: Vec<Inline>,
    },
    /// An image embedded in the book: `asset` indexes `Book::assets`.
    Image {
        asset: usize,
        alt: String,
    },
    /// An image as the author wrote it, before the book (`book::assemble`) looks for the file.
    ImageRef {
        src: String,
        alt: String,
        line: usize,
        col: usize,
    },
    LineBreak,
    /// A reference to footnote `n` (1-based, in order of first reference).
    NoteRef(usize),
    /// A formula in the run of the text (inline math).
    Math(Formula),
}

/// A formula the Markdown stage has read: TeX that `math` can parse.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Formula {
    /// The TeX as the author wrote it, less its `\label` and `\tag`, with `\ref`s resolved.
    pub(crate) tex: String,
    /// Definitions (`\newcommand`, …) that earlier formulas of the essay made, read before `tex`.
    pub(crate) macros: std::sync::Arc<str>,
    /// Written to stand apart (`$$…$$`): a paragraph holding it is split around it.
    pub(crate) display: bool,
    /// The number shown beside a display formula: its `\tag`, or its place among the essay's
    /// labelled and numbered formulas.
    pub(crate) number: Option<String>,
    /// False for a formula that cannot be read (a warning says why): both outputs show its TeX
    /// in code type, in the run of text or as a block.
    pub(crate) readable: bool,
}

/// The formulas of an essay or a book: how many were found, and how many of them could not be
/// read and are shown as their TeX (each with a warning).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FormulaCounts {
    pub(crate) found: usize,
    pub(crate) reported: usize,
}

impl std::ops::AddAssign for FormulaCounts {
    fn add_assign(&mut self, other: FormulaCounts) {
        self.found += other.found;
        self.reported += other.reported;
    }
}

impl Formula {
    /// What the TeX parser reads: the definitions, then the formula.
    pub(crate) fn source(&self) -> String {
        format!("{}{}", self.macros, self.tex)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LinkTarget {
    External(String),
    /// A heading of the same essay, by its id (as written until the book resolves it), and
    /// where the link is written.
    Local { id: String, line: usize, col: usize },
    /// Another essay of the book (by its id), at a heading or at its start.
    Essay { essay: String, heading: Option<String> },
    /// Anything else (a relative path, another essay's address): resolved by the book or shown as text.
    Unresolved { url: String, line: usize, col: usize },
}

/// A footnote's content; its number is its position in `Essay::footnotes` plus one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Footnote {
    pub(crate) blocks: Vec<Block>,
}

impl Inline {
    /// The content of a styling wrapper (emphasis, strong, strike, sup, sub); `None` otherwise.
    pub(crate) fn styled_content_mut(&mut self) -> Option<&mut Vec<Inline>> {
        match self {
            Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) | Inline::Sup(c) | Inline::Sub(c) => Some(c),
            _ => None,
        }
    }
}

/// The plain text of inline content, for titles, alt text and tables of contents.
/// Whether a paragraph is verse: two lines or more, each ended by a hard break, none longer than
/// a line of a poem or a lyric (64 characters), no images. Verse is set with no first-line
/// indent, each line where the poet broke it.
pub(crate) fn is_verse(content: &[Inline]) -> bool {
    const LONGEST: usize = 64;
    let lines: Vec<&[Inline]> = content.split(|i| matches!(i, Inline::LineBreak)).collect();
    let has_image = |i: &Inline| match i {
        Inline::Image { .. } | Inline::ImageRef { .. } => true,
        Inline::Link { content, .. } => content.iter().any(|c| matches!(c, Inline::Image { .. } | Inline::ImageRef { .. })),
        _ => false,
    };
    lines.len() >= 2
        && !content.iter().any(has_image)
        && lines.iter().all(|line| {
            let text = plain_text(line);
            let n = text.trim().chars().count();
            n > 0 && n <= LONGEST
        })
}

pub(crate) fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_plain(inlines, &mut out);
    out
}

fn push_plain(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Math(f) => out.push_str(&f.tex),
            Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) | Inline::Sup(c) | Inline::Sub(c) => {
                push_plain(c, out)
            }
            Inline::Link { content, .. } => push_plain(content, out),
            Inline::Image { alt, .. } | Inline::ImageRef { alt, .. } => out.push_str(alt),
            Inline::LineBreak => out.push(' '),
            Inline::NoteRef(_) => {}
        }
    }
}

/// Calls `f` on every inline list in `blocks`, depth first, including those in footnotes' blocks
/// when the caller passes them.
pub(crate) fn for_each_inlines_mut(blocks: &mut [Block], f: &mut dyn FnMut(&mut Vec<Inline>)) {
    for block in blocks {
        match block {
            Block::Paragraph(c) | Block::Heading { content: c, .. } => f(c),
            Block::Quote(b) => for_each_inlines_mut(b, f),
            Block::List { items, .. } => {
                for item in items {
                    for_each_inlines_mut(&mut item.blocks, f);
                }
            }
            Block::Table(t) => {
                for cell in t.head.iter_mut().chain(t.rows.iter_mut().flatten()) {
                    f(cell);
                }
            }
            Block::Code { .. } | Block::Math(_) | Block::Rule => {}
        }
    }
}

/// What `walk` meets: an inline (in any run of text, inside links and styling too) or a
/// display formula.
enum Met<'a> {
    Inline(&'a Inline),
    Display(&'a Formula),
}

/// Calls `f` on everything in `blocks` that `Met` names, in reading order.
fn walk<'a>(blocks: &'a [Block], f: &mut dyn FnMut(Met<'a>)) {
    fn inlines<'a>(run: &'a [Inline], f: &mut dyn FnMut(Met<'a>)) {
        for i in run {
            f(Met::Inline(i));
            if let Inline::Link { content: c, .. } | Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) | Inline::Sup(c) | Inline::Sub(c) = i {
                inlines(c, f);
            }
        }
    }
    for block in blocks {
        match block {
            Block::Paragraph(c) | Block::Heading { content: c, .. } => inlines(c, f),
            Block::Quote(b) => walk(b, f),
            Block::List { items, .. } => items.iter().for_each(|item| walk(&item.blocks, f)),
            Block::Table(t) => t.head.iter().chain(t.rows.iter().flatten()).for_each(|cell| inlines(cell, f)),
            Block::Math(formula) => f(Met::Display(formula)),
            Block::Code { .. } | Block::Rule => {}
        }
    }
}

/// The footnotes `blocks` reference (`Inline::NoteRef`), added to `out`.
pub(crate) fn note_refs(blocks: &[Block], out: &mut std::collections::HashSet<usize>) {
    walk(blocks, &mut |met| {
        if let Met::Inline(Inline::NoteRef(n)) = met {
            out.insert(*n);
        }
    });
}

/// Whether every image in `blocks` has alternative text.
pub(crate) fn images_described(blocks: &[Block]) -> bool {
    let mut described = true;
    walk(blocks, &mut |met| {
        if let Met::Inline(Inline::Image { alt, .. } | Inline::ImageRef { alt, .. }) = met {
            described &= !alt.trim().is_empty();
        }
    });
    described
}

/// The formulas in `blocks`, display and inline, in order.
pub(crate) fn formulas<'a>(blocks: &'a [Block], out: &mut Vec<&'a Formula>) {
    walk(blocks, &mut |met| match met {
        Met::Inline(Inline::Math(f)) | Met::Display(f) => out.push(f),
        Met::Inline(_) => {}
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verse_is_short_lines_broken_by_hand() {
        let t = |s: &str| Inline::Text(s.into());
        assert!(is_verse(&[t("梦中的梦中"), Inline::LineBreak, t("梦中人的梦中"), Inline::LineBreak, t("往事如风")]));
        assert!(!is_verse(&[t("只有一行")]));
        assert!(!is_verse(&[t("第一行"), Inline::LineBreak, t(&"很长的散文句子，".repeat(10))]));
        assert!(!is_verse(&[t("图下一行是图注："), Inline::LineBreak, Inline::ImageRef { src: "a.png".into(), alt: "图".into(), line: 1, col: 1 }]));
    }

    #[test]
    fn plain_text_flattens_markup() {
        let inl = vec![
            Inline::Text("这是".into()),
            Inline::Strong(vec![Inline::Text("“重点”".into())]),
            Inline::NoteRef(1),
            Inline::Code("x".into()),
        ];
        assert_eq!(plain_text(&inl), "这是“重点”x");
    }
}
