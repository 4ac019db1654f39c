//! The PDF typesetter: shaping, 禁则 line breaking, paragraph and page layout (the fonts and
//! the CJK character classes are shared: `crate::font`, `crate::kinsoku`).
//! `typeset_into` hands each finished page (a frame of positioned glyph runs, rules, images and
//! links) to the build, which streams it to `crate::pdf`; `typeset` collects them into a
//! `Layout`, for the tests, the benches and the fuzz targets.

pub mod frame;
pub mod inline;
pub mod page;

mod blocks;
mod compose;
mod cover;
mod math;

pub use compose::{typeset, typeset_into, typeset_with};

/// The size of the pages a book laid out with `config` has.
pub(crate) fn page_box(config: &crate::config::PdfConfig) -> frame::PageBox {
    page::Geometry::new(config).page_box()
}

/// The cover page (see `cover::cover_page`) for a book laid out with `config`.
pub(crate) fn cover(book: &crate::book::Book, config: &crate::config::PdfConfig, fonts: &crate::font::FontSet) -> frame::Page {
    cover::cover_page(book, &page::Geometry::new(config), fonts)
}

/// A formula set alone at `size` points (as a display if `display`), for a picture of it:
/// what to draw, with the baseline at y = 0 and the left edge at x = 0, and its width, ascent
/// and descent in points. `None` when it cannot be set.
pub(crate) fn formula(formula: &crate::doc::Formula, size: f32, display: bool, fonts: &crate::font::FontSet) -> Option<(Vec<frame::Item>, [f32; 3])> {
    let set = math::layout(formula, size, display, fonts).ok()?;
    Some((set.items(0.0, 0.0, frame::Mark::Decoration), [set.width, set.ascent, set.descent]))
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::OnceLock;

    use crate::book::Book;

    /// The book built from the repository's `manuscripts/`.
    pub(crate) fn seeds_book() -> &'static Book {
        static BOOK: OnceLock<Book> = OnceLock::new();
        BOOK.get_or_init(|| {
            let config = crate::config::Config::locate(Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR")))).expect("the repository is a book");
            crate::build::load(&config).0.expect("the seeds build")
        })
    }
}
