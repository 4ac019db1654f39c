//! AVIF images, decoded with `zenavif` (a safe Rust AV1 decoder): EPUB readers and PDF take
//! no AVIF, so the book carries them as PNG or JPEG.

use zenpixels::PixelFormat;

/// Whether `bytes` are an AVIF file (an ISO-BMFF `ftyp` box of brand `avif` or `avis`).
pub(crate) fn is_avif(bytes: &[u8]) -> bool {
    bytes.get(4..8) == Some(b"ftyp") && matches!(bytes.get(8..12), Some(b"avif" | b"avis"))
}

/// The image's pixels, refusing one larger than `max_pixels`.
pub(crate) fn decode(bytes: &[u8], max_pixels: u64) -> Result<image::DynamicImage, String> {
    let config = zenavif::DecoderConfig::new().frame_size_limit(u32::try_from(max_pixels).unwrap_or(u32::MAX));
    let pixels = zenavif::decode_with(bytes, &config, &zenavif::Unstoppable).map_err(|e| format!("the AVIF cannot be read: {e}"))?;
    let (w, h) = (pixels.width(), pixels.height());
    let raw = pixels.copy_to_contiguous_bytes();
    let wrong = || "the AVIF's pixels do not fill its size".to_owned();
    let high = |raw: &[u8]| raw.chunks_exact(2).map(|c| (u16::from_ne_bytes([c[0], c[1]]) >> 8) as u8).collect::<Vec<u8>>();
    Ok(match pixels.descriptor().format {
        PixelFormat::Rgb8 => image::DynamicImage::ImageRgb8(image::RgbImage::from_raw(w, h, raw).ok_or_else(wrong)?),
        PixelFormat::Rgba8 => image::DynamicImage::ImageRgba8(image::RgbaImage::from_raw(w, h, raw).ok_or_else(wrong)?),
        PixelFormat::Rgb16 => image::DynamicImage::ImageRgb8(image::RgbImage::from_raw(w, h, high(&raw)).ok_or_else(wrong)?),
        PixelFormat::Rgba16 => image::DynamicImage::ImageRgba8(image::RgbaImage::from_raw(w, h, high(&raw)).ok_or_else(wrong)?),
        PixelFormat::Gray8 => image::DynamicImage::ImageLuma8(image::GrayImage::from_raw(w, h, raw).ok_or_else(wrong)?),
        other => return Err(format!("AVIF pixels of the form {other:?} are not read")),
    })
}
