//! The cover as a page: the book's cover image filling it, or a typographic cover (title,
//! subtitle, authors, publisher on a calm ground) set in the book's fonts. The PDF draws this
//! page as vectors; `crate::raster` paints the same page into the EPUB's cover image.

use crate::font::{FontId, FontSet};
use super::frame::{Folio, Item, Mark, Page};
use super::inline::{self, Align, Measure, Para};
use super::page::Geometry;
use crate::book::Book;

/// Grounds and accents, chosen by the title so that a book keeps its colours: 宣纸 with 朱,
/// 月白 with 黛蓝, 浅青 with 青, 藕荷 with 紫.
const PALETTES: [([u8; 3], [u8; 3]); 4] = [
    ([242, 236, 222], [150, 52, 40]),
    ([232, 238, 241], [44, 72, 98]),
    ([229, 237, 229], [58, 94, 76]),
    ([241, 231, 233], [108, 62, 86]),
];

/// The cover page, `geo.width` × `geo.height` from the trim box's top-left corner.
pub(crate) fn cover_page(book: &Book, geo: &Geometry, fonts: &FontSet) -> Page {
    let mut page = Page { folio: Some(Folio::Cover), ..Page::default() };
    let (w, h) = (geo.width, geo.height);
    if let Some(image) = &book.cover {
        // Scaled to fill the page, centred; the page's edges crop what is left over.
        let scale = (w / image.width as f32).max(h / image.height as f32);
        let (iw, ih) = (image.width as f32 * scale, image.height as f32 * scale);
        page.items.push(Item::CoverImage { x: (w - iw) / 2.0, y: (h - ih) / 2.0, w: iw, h: ih, mark: Mark::Decoration });
        return page;
    }
    let m = &book.meta;
    let hash = m.title.bytes().fold(0u32, |a, b| a.wrapping_mul(31).wrapping_add(u32::from(b)));
    let (ground, accent) = PALETTES[hash as usize % PALETTES.len()];
    page.items.push(Item::Rect { x: 0.0, y: 0.0, w, h, colour: ground });
    let measure = 0.72 * w;
    let left = (w - measure) / 2.0;
    let size = geo.size;
    let mut set = |text: &str, font: FontId, size: f32, top: f32, max_lines: usize| -> f32 {
        let para = Para::plain(text, font);
        let shaped = inline::shape(&para, size, fonts, geo.punctuation);
        let lines = shaped.lines(Measure::new(measure, Align::Center));
        let pitch = 1.45 * size;
        let count = lines.len().min(max_lines);
        for (i, mut line) in lines.into_iter().take(max_lines).enumerate() {
            line.translate(left, top + size + i as f32 * pitch);
            page.items.extend(line.items);
        }
        top + count as f32 * pitch
    };
    // The title as large as keeps it to three lines.
    let mut title_size = 3.2 * size;
    while title_size > 1.3 * size && title_lines(&m.title, title_size, measure, fonts, geo) > 3 {
        title_size -= 0.1 * size;
    }
    let bar_y = 0.2 * h;
    let below_title = set(&m.title, FontId::BOLD, title_size, bar_y + 1.6 * size, 3);
    if let Some(subtitle) = &m.subtitle {
        set(subtitle, FontId::SERIF, 1.3 * size, below_title + 0.8 * size, 2);
    }
    if !m.authors.is_empty() {
        set(&m.authors.join("　"), FontId::SERIF, 1.3 * size, 0.7 * h, 2);
    }
    if let Some(publisher) = &m.publisher {
        set(publisher, FontId::SERIF, 0.95 * size, 0.86 * h, 1);
    }
    page.items.push(Item::Rect { x: (w - 2.0 * size) / 2.0, y: bar_y, w: 2.0 * size, h: 0.25 * size, colour: accent });
    page.items.push(Item::Rect { x: 0.0, y: h - 0.04 * h, w, h: 0.04 * h, colour: accent });
    page
}

fn title_lines(title: &str, size: f32, measure: f32, fonts: &FontSet, geo: &Geometry) -> usize {
    let para = Para::plain(title, FontId::BOLD);
    inline::shape(&para, size, fonts, geo.punctuation).lines(Measure::new(measure, Align::Center)).len()
}
