//! Paints laid-out items into pixels with tiny-skia: the EPUB's pictures of the cover and of
//! the formulas, which the PDF draws as vectors. Text, rectangles, rules and dots; images and links are not painted.

use std::io::Cursor;

use tiny_skia::{FillRule, Paint, PathBuilder, Pixmap, Rect, Stroke, Transform};

use crate::assets::Asset;
use crate::font::FontSet;
use crate::typeset::frame::{Item, Page};

/// `page` (`size` in points) as a JPEG `width` pixels wide: a cover, in the format stores ask
/// for (Amazon's KDP takes JPEG or TIFF), at a quality that keeps its type sharp.
pub(crate) fn jpeg(page: &Page, size: (f32, f32), fonts: &FontSet, width: u32, prefix: &str) -> anyhow::Result<Asset> {
    let scale = width as f32 / size.0;
    let height = (size.1 * scale).round() as u32;
    let pixmap = paint(&page.items, Transform::from_scale(scale, scale), (width, height), fonts)?;
    // The page is opaque: keep the colour channels.
    let rgb: Vec<u8> = pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    let image = image::RgbImage::from_raw(width, height, rgb).ok_or_else(|| anyhow::anyhow!("the cover image has the wrong size"))?;
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 92).encode_image(&image)?;
    Ok(Asset::named(prefix, "jpg", "image/jpeg", bytes, width, height))
}

/// `items` drawn in black on white as a grey PNG: the part of the plane from `origin` (in
/// points) `size` points wide and high, at `scale` pixels a point.
pub(crate) fn grey_png(items: &[Item], origin: (f32, f32), size: (f32, f32), scale: f32, fonts: &FontSet, prefix: &str) -> anyhow::Result<Asset> {
    let (width, height) = ((size.0 * scale).ceil().max(1.0) as u32, (size.1 * scale).ceil().max(1.0) as u32);
    let to_pixels = Transform::from_translate(-origin.0, -origin.1).post_scale(scale, scale);
    let pixmap = paint(items, to_pixels, (width, height), fonts)?;
    // Black on white: the red channel is the grey.
    let grey: Vec<u8> = pixmap.data().chunks_exact(4).map(|p| p[0]).collect();
    let image = image::GrayImage::from_raw(width, height, grey).ok_or_else(|| anyhow::anyhow!("the image has the wrong size"))?;
    let mut bytes = Vec::new();
    image.write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)?;
    Ok(Asset::named(prefix, "png", "image/png", bytes, width, height))
}

/// `items` painted on white into a pixmap `size` pixels large, placed by `to_pixels`.
fn paint(items: &[Item], to_pixels: Transform, (width, height): (u32, u32), fonts: &FontSet) -> anyhow::Result<Pixmap> {
    let mut pixmap = Pixmap::new(width, height).ok_or_else(|| anyhow::anyhow!("cannot paint a {width}×{height} image"))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    let solid = |[r, g, b]: [u8; 3]| {
        let mut paint = Paint::default();
        paint.set_color_rgba8(r, g, b, 255);
        paint.anti_alias = true;
        paint
    };
    let black = solid([0, 0, 0]);
    for item in items {
        match item {
            Item::Rect { x, y, w, h, colour } => {
                if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                    pixmap.fill_rect(rect, &solid(*colour), to_pixels, None);
                }
            }
            Item::Rule { x0, y0, x1, y1, width } => {
                let mut pb = PathBuilder::new();
                pb.move_to(*x0, *y0);
                pb.line_to(*x1, *y1);
                if let Some(path) = pb.finish() {
                    pixmap.stroke_path(&path, &black, &Stroke { width: *width, ..Stroke::default() }, to_pixels, None);
                }
            }
            Item::Dot { x, y, r } => {
                if let Some(path) = PathBuilder::from_circle(*x, *y, *r) {
                    pixmap.fill_path(&path, &black, FillRule::Winding, to_pixels, None);
                }
            }
            Item::Leader { x0, x1, y, r, step } => {
                for x in Item::leader_dots(*x0, *x1, *step) {
                    if let Some(path) = PathBuilder::from_circle(x, *y, *r) {
                        pixmap.fill_path(&path, &black, FillRule::Winding, to_pixels, None);
                    }
                }
            }
            Item::Text(run) => {
                let font = fonts.get(run.font);
                let k = run.size / font.units_per_em();
                let mut pen = run.x;
                let mut outline = Outline { pb: PathBuilder::new(), k, x: 0.0, y: 0.0 };
                for g in &run.glyphs {
                    outline.x = pen + g.x_offset * run.size;
                    outline.y = run.y - g.y_offset * run.size;
                    font.outline(g.id, &mut outline);
                    pen += g.advance * run.size;
                }
                if let Some(path) = outline.pb.finish() {
                    pixmap.fill_path(&path, &black, FillRule::Winding, to_pixels, None);
                }
            }
            Item::Box { .. } | Item::Image { .. } | Item::CoverImage { .. } | Item::Link { .. } => {}
        }
    }
    Ok(pixmap)
}

/// Glyph outlines in font units, placed at a pen position in points (y down).
struct Outline {
    pb: PathBuilder,
    k: f32,
    x: f32,
    y: f32,
}

impl Outline {
    fn at(&self, x: f32, y: f32) -> (f32, f32) {
        (self.x + x * self.k, self.y - y * self.k)
    }
}

impl rustybuzz::ttf_parser::OutlineBuilder for Outline {
    fn move_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.at(x, y);
        self.pb.move_to(x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.at(x, y);
        self.pb.line_to(x, y);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let ((x1, y1), (x, y)) = (self.at(x1, y1), self.at(x, y));
        self.pb.quad_to(x1, y1, x, y);
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let ((x1, y1), (x2, y2), (x, y)) = (self.at(x1, y1), self.at(x2, y2), self.at(x, y));
        self.pb.cubic_to(x1, y1, x2, y2, x, y);
    }
    fn close(&mut self) {
        self.pb.close();
    }
}
