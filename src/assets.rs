//! Images carried by the book: decoded, downscaled and re-encoded with `image`.

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

/// Largest size an image is kept at; covers use their own bound.
pub(crate) const BODY_MAX: (u32, u32) = (1600, 1600);
pub(crate) const COVER_MAX: (u32, u32) = (1600, 2560);

/// Refuses images whose pixels would need more than this much memory to decode.
const MAX_PIXELS: u64 = 100_000_000;

/// Decodes `bytes`, scales it to fit `max`, and re-encodes it: JPEG for photographs,
/// PNG where there is transparency or the source was PNG/GIF (line art stays sharp).
pub(crate) fn prepare(bytes: &[u8], prefix: &str, max: (u32, u32)) -> Result<Asset, String> {
    let reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let format = reader.format().ok_or("not an image wenji can read (PNG, JPEG, GIF or WebP)")?;
    let (w, h) = reader.into_dimensions().map_err(|e| e.to_string())?;
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(format!("the image is {w}×{h} pixels; wenji reads images of up to 100 megapixels"));
    }
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 8);
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| e.to_string())?;
    let img = fit(img, max);
    let keep_png = matches!(format, ImageFormat::Png | ImageFormat::Gif) || img.color().has_alpha();
    let mut out = Vec::new();
    let (ext, media_type) = if keep_png {
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).map_err(|e| e.to_string())?;
        ("png", "image/png")
    } else {
        let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
        rgb.write_with_encoder(encoder).map_err(|e| e.to_string())?;
        ("jpg", "image/jpeg")
    };
    let (width, height) = img.dimensions();
    Ok(Asset::named(prefix, ext, media_type, out, width, height))
}

impl Asset {
    /// An image already encoded, named `PREFIX-HASH.EXT` by its bytes.
    pub(crate) fn named(prefix: &str, ext: &str, media_type: &'static str, bytes: Vec<u8>, width: u32, height: u32) -> Asset {
        let digest = Sha256::digest(&bytes);
        let hash: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        Asset { name: format!("{prefix}-{hash}.{ext}"), media_type, bytes, width, height }
    }
}

fn fit(img: DynamicImage, (max_w, max_h): (u32, u32)) -> DynamicImage {
    let (w, h) = img.dimensions();
    if w <= max_w && h <= max_h {
        return img;
    }
    img.resize(max_w, max_h, FilterType::Lanczos3)
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
        let a = prepare(&png(3200, 800), "img", BODY_MAX).unwrap();
        assert_eq!((a.width, a.height), (1600, 400));
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
}
