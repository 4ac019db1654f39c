//! Images carried by the book: checked with `image`, kept as their own bytes, and scaled
//! only when they are larger than the book needs.

mod gif;

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, GenericImageView, ImageFormat, imageops::FilterType};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// File name inside the book (`img-1a2b3c4d.jpg`).
    pub(crate) name: String,
    pub(crate) media_type: &'static str,
    pub(crate) bytes: Vec<u8>,
    pub width: u32,
    pub(crate) height: u32,
}

/// The largest image file read, from a folder or the download cache: far more than any photo
/// a blog holds; pixels are bounded separately, before decoding.
pub(crate) const FILE_MAX: u64 = 64 << 20;

/// The bytes of the image file at `path`, or why it is not read.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    crate::input::read(path, FILE_MAX).map_err(|e| e.to_string())
}

/// A picture of a formula for reading systems without MathML (its `altimg`), with its size
/// in em of the text around it: `height` above the baseline of that text, `depth` below.
#[derive(Debug, Clone)]
pub struct FormulaImage {
    pub(crate) asset: Asset,
    pub(crate) width: f32,
    pub(crate) height: f32,
    pub(crate) depth: f32,
}

/// The pictures of a book's formulas, by their source (`Formula::source`) and whether they
/// stand apart.
pub type FormulaImages = std::collections::HashMap<(String, bool), FormulaImage>;

/// How large an image the book keeps: within `width`×`height` and `pixels` in all. Larger
/// ones are scaled down to fit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bound {
    width: u32,
    height: u32,
    pixels: u64,
}

/// Images in the text: up to 4 megapixels, the most Apple Books shows without scaling (a
/// full-width screenshot of 3500×950 stays sharp), no side longer than 4096.
pub(crate) const BODY_MAX: Bound = Bound { width: 4096, height: 4096, pixels: 4_000_000 };
/// Covers: the size Amazon and Apple ask for.
pub(crate) const COVER_MAX: Bound = Bound { width: 1600, height: 2560, pixels: 1600 * 2560 };

impl Bound {
    /// The size `(w, h)` is scaled to, or `None` when it fits.
    fn scaled(self, w: u32, h: u32) -> Option<(u32, u32)> {
        let area = u64::from(w) * u64::from(h);
        let k = (f64::from(self.width) / f64::from(w))
            .min(f64::from(self.height) / f64::from(h))
            .min((self.pixels as f64 / area as f64).sqrt());
        (k < 1.0).then(|| (((f64::from(w) * k) as u32).max(1), ((f64::from(h) * k) as u32).max(1)))
    }
}

/// Refuses images whose pixels would need more than this much memory to decode.
const MAX_PIXELS: u64 = 100_000_000;

/// Checks `bytes` and makes the book's copy of it. An SVG goes in as `svg::sanitise` writes
/// it, an AVIF as JPEG or PNG; an image within `max` goes in as its own
/// bytes; a larger one is scaled to fit and re-encoded in its own format (a still GIF or WebP
/// as PNG, or JPEG when opaque). An animated GIF or WebP is kept as it is, so it stays animated.
pub(crate) fn prepare(bytes: &[u8], prefix: &str, max: Bound) -> Result<Asset, String> {
    const WHAT: &str = "not an image wenji can read (PNG, JPEG, GIF, WebP, SVG or AVIF)";
    if crate::svg::is_svg(bytes) {
        let (svg, w, h) = crate::svg::sanitise(bytes)?;
        return Ok(Asset::named(prefix, "svg", "image/svg+xml", svg, w.ceil() as u32, h.ceil() as u32));
    }
    if crate::avif::is_avif(bytes) {
        // No reader takes AVIF: it goes in as JPEG, or PNG where it is transparent.
        let img = crate::avif::decode(bytes, MAX_PIXELS)?;
        let opaque = !img.color().has_alpha() || img.to_rgba8().pixels().all(|p| p.0[3] == 255);
        let (w, h) = img.dimensions();
        let img = match max.scaled(w, h) {
            Some((to_w, to_h)) => img.resize_exact(to_w, to_h, FilterType::Lanczos3),
            None => img,
        };
        return encode(&img, prefix, opaque);
    }
    let reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let format = reader.format().ok_or(WHAT)?;
    let (ext, media_type) = carried(format).ok_or(WHAT)?;
    // A file cut short decodes as a picture with its end made up: refused. A GIF whose screen
    // is far larger than its frames is cut to them, so that it decodes at their size.
    let cut;
    let (bytes, animated) = match format {
        ImageFormat::Gif => {
            let layout = gif::layout(bytes)?;
            let frames = layout.frames_box().ok_or("the GIF has no picture in it")?;
            let screen = u64::from(layout.screen.0) * u64::from(layout.screen.1);
            let animated = layout.frames.len() > 1;
            if 4 * u64::from(frames.2) * u64::from(frames.3) < screen {
                cut = layout.cut(bytes, frames);
                (&cut[..], animated)
            } else {
                (bytes, animated)
            }
        }
        _ => {
            whole(bytes, format)?;
            (bytes, format == ImageFormat::WebP && is_animated_webp(bytes))
        }
    };
    let (w, h) = image::ImageReader::with_format(Cursor::new(bytes), format).into_dimensions().map_err(|e| e.to_string())?;
    let pixels = u64::from(w) * u64::from(h);
    if pixels > MAX_PIXELS {
        return Err(format!("the image is {w}×{h} pixels; wenji reads images of up to 100 megapixels"));
    }
    if pixels > SPARSE_FROM && pixels > bytes.len() as u64 * MAX_PIXELS_PER_BYTE {
        return Err(format!("the image claims {w}×{h} pixels from {} of data, more than any real picture packs in (a decompression bomb?)", crate::input::size(bytes.len() as u64)));
    }
    // Decoded whole even when kept as it is: a damaged file is refused here, not drawn blank.
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 8);
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| e.to_string())?;
    let size = max.scaled(w, h).filter(|_| !animated);
    let Some((to_w, to_h)) = size else {
        return Ok(Asset::named(prefix, ext, media_type, bytes.to_vec(), w, h));
    };
    // Far larger than its place: averaged down to twice that first, which needs memory only
    // for the result (the filter's own buffers grow with the source's width).
    let img = if pixels > 16 * u64::from(to_w) * u64::from(to_h) { img.thumbnail(2 * to_w, 2 * to_h) } else { img };
    let img = img.resize_exact(to_w, to_h, FilterType::Lanczos3);
    encode(&img, prefix, format == ImageFormat::Jpeg || (format == ImageFormat::WebP && !img.color().has_alpha()))
}

/// How many pixels all of a book's images may decode to: some 650 photographs of 12
/// megapixels, a minute or two of decoding. Past it, images are left out.
pub(crate) const BOOK_PIXELS: u64 = 8_000_000_000;

/// How many pixels `prepare` would decode `bytes` to, read from the header alone (0 for SVG
/// and for what it cannot read, which `prepare` refuses).
pub(crate) fn pixels(bytes: &[u8]) -> u64 {
    let Ok(reader) = image::ImageReader::new(Cursor::new(bytes)).with_guessed_format() else { return 0 };
    if reader.format() == Some(ImageFormat::Gif) {
        let frames = gif::layout(bytes).ok().and_then(|l| l.frames_box());
        return frames.map_or(0, |(_, _, w, h)| u64::from(w) * u64::from(h));
    }
    reader.into_dimensions().map_or(0, |(w, h)| u64::from(w) * u64::from(h))
}

/// Above this many pixels an image must come from at least one byte per `MAX_PIXELS_PER_BYTE`
/// of them: even a flat-coloured PNG or JPEG holds more.
const SPARSE_FROM: u64 = 16_000_000;
const MAX_PIXELS_PER_BYTE: u64 = 1000;

/// Whether a PNG, JPEG or WebP file is all there: its chunks run to `IEND` (PNG), its last
/// scan is followed by the end marker `FF D9` (JPEG; data after it, as some phones add, is
/// fine), or it is as long as its header says (WebP).
fn whole(bytes: &[u8], format: ImageFormat) -> Result<(), String> {
    let whole = match format {
        ImageFormat::Png => png_chunks_end(bytes),
        ImageFormat::Jpeg => {
            let last = |marker: u8| bytes.windows(2).rposition(|w| w == [0xFF, marker]);
            matches!((last(0xDA), last(0xD9)), (Some(scan), Some(end)) if end > scan)
        }
        ImageFormat::WebP => bytes.get(4..8).is_some_and(|n| u32::from_le_bytes([n[0], n[1], n[2], n[3]]) as usize + 8 <= bytes.len()),
        _ => true,
    };
    if whole { Ok(()) } else { Err("the image file ends early (it is truncated)".into()) }
}

/// Whether a PNG's chunks (length, type, data, CRC) run whole to its `IEND`.
fn png_chunks_end(bytes: &[u8]) -> bool {
    let mut at = 8;
    while let Some(head) = bytes.get(at..at + 8) {
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        if &head[4..8] == b"IEND" {
            return true;
        }
        at = at.saturating_add(12).saturating_add(len);
    }
    false
}

/// `img` encoded as JPEG (a photograph) or PNG (line art, transparency).
fn encode(img: &DynamicImage, prefix: &str, as_jpeg: bool) -> Result<Asset, String> {
    let mut out = Vec::new();
    let (ext, media_type) = if as_jpeg {
        let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
        rgb.write_with_encoder(encoder).map_err(|e| e.to_string())?;
        ("jpg", "image/jpeg")
    } else {
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).map_err(|e| e.to_string())?;
        ("png", "image/png")
    };
    let (width, height) = img.dimensions();
    Ok(Asset::named(prefix, ext, media_type, out, width, height))
}

/// Quality of a scaled photograph: beside the source, no difference a reader sees on paper.
const JPEG_QUALITY: u8 = 85;

/// Extension and media type of the formats an EPUB carries as they are (EPUB 3.3's core
/// raster types) and the PDF writer draws.
fn carried(format: ImageFormat) -> Option<(&'static str, &'static str)> {
    match format {
        ImageFormat::Png => Some(("png", "image/png")),
        ImageFormat::Jpeg => Some(("jpg", "image/jpeg")),
        ImageFormat::Gif => Some(("gif", "image/gif")),
        ImageFormat::WebP => Some(("webp", "image/webp")),
        _ => None,
    }
}

/// Whether a WebP has more than one frame.
fn is_animated_webp(bytes: &[u8]) -> bool {
    image::codecs::webp::WebPDecoder::new(Cursor::new(bytes)).is_ok_and(|d| d.has_animation())
}

impl Asset {
    /// An image already encoded, named `PREFIX-HASH.EXT` by its bytes.
    pub(crate) fn named(prefix: &str, ext: &str, media_type: &'static str, bytes: Vec<u8>, width: u32, height: u32) -> Asset {
        let digest = Sha256::digest(&bytes);
        let hash: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        Asset { name: format!("{prefix}-{hash}.{ext}"), media_type, bytes, width, height }
    }
}

/// The first image in `covers/` (by name), preferring files called `cover.*`.
pub(crate) fn find_cover(dir: &Path) -> Option<std::path::PathBuf> {
    let mut images: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let ext = p.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
            matches!(ext.as_deref(), Some("jpg" | "jpeg" | "png" | "webp" | "gif"))
        })
        .collect();
    images.sort_by_key(|p| (!p.file_stem().is_some_and(|s| s.eq_ignore_ascii_case("cover")), p.clone()));
    images.into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
        out
    }

    #[test]
    fn large_images_are_downscaled() {
        let a = prepare(&png(8000, 800), "img", BODY_MAX).unwrap();
        assert_eq!((a.width, a.height), (4096, 409));
        let b = prepare(&png(4000, 2000), "img", BODY_MAX).unwrap();
        assert_eq!((b.width, b.height), (2828, 1414));
        assert_eq!(a.media_type, "image/png");
        assert!(a.name.starts_with("img-") && a.name.ends_with(".png"));
    }

    #[test]
    fn jpeg_stays_jpeg_and_is_deterministic() {
        let img = image::RgbImage::from_pixel(40, 30, image::Rgb([200, 10, 10]));
        let mut jpg = Vec::new();
        img.write_to(&mut Cursor::new(&mut jpg), ImageFormat::Jpeg).unwrap();
        let a = prepare(&jpg, "c", COVER_MAX).unwrap();
        let b = prepare(&jpg, "c", COVER_MAX).unwrap();
        assert_eq!(a.media_type, "image/jpeg");
        assert_eq!(a, b);
    }

    #[test]
    fn not_an_image_is_an_error() {
        assert!(prepare(b"hello, not an image", "img", BODY_MAX).is_err());
    }

    #[test]
    fn an_image_within_bounds_goes_in_as_its_own_bytes() {
        // A palette PNG: decoding and re-encoding it would make it RGBA and larger.
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, 64, 48);
        encoder.set_color(png::ColorType::Indexed);
        encoder.set_palette(vec![0, 0, 0, 255, 255, 255, 200, 30, 30]);
        let pixels: Vec<u8> = (0..64 * 48).map(|i| (i % 3) as u8).collect();
        encoder.write_header().unwrap().write_image_data(&pixels).unwrap();
        let a = prepare(&bytes, "img", BODY_MAX).unwrap();
        assert_eq!(a.bytes, bytes);
        assert_eq!((a.width, a.height, a.media_type), (64, 48, "image/png"));
    }

    #[test]
    fn an_animated_gif_stays_animated() {
        let mut bytes = Vec::new();
        {
            let mut encoder = image::codecs::gif::GifEncoder::new(&mut bytes);
            let frame = |v: u8| image::Frame::new(image::RgbaImage::from_pixel(5000, 2, image::Rgba([v, 0, 0, 255])));
            encoder.encode_frames([frame(10), frame(250)]).unwrap();
        }
        // Wider than the bound, but scaling would keep only its first frame.
        let a = prepare(&bytes, "img", BODY_MAX).unwrap();
        assert_eq!((a.media_type, a.width), ("image/gif", 5000));
        assert_eq!(a.bytes, bytes);
    }

    #[test]
    fn a_large_photograph_is_scaled_and_stays_jpeg() {
        let img = image::RgbImage::from_fn(3000, 2000, |x, y| image::Rgb([(x % 251) as u8, (y % 241) as u8, 90]));
        let mut jpg = Vec::new();
        img.write_to(&mut Cursor::new(&mut jpg), ImageFormat::Jpeg).unwrap();
        let a = prepare(&jpg, "img", BODY_MAX).unwrap();
        assert_eq!(a.media_type, "image/jpeg");
        assert!(u64::from(a.width) * u64::from(a.height) <= 4_000_000, "{}×{}", a.width, a.height);
        assert!(a.width.abs_diff(a.height * 3 / 2) <= 1, "{}×{} keeps 3:2", a.width, a.height);
    }
}
