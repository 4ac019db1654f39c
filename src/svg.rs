//! SVG images with `usvg`: read once with the bundled fonts and no outside references, then
//! written back as plain SVG for the EPUB (no scripts, no links out, text as outlines) and
//! parsed again by the PDF writer, which draws it as vectors.

use std::sync::{Arc, OnceLock};

pub(crate) use usvg::Tree;

/// The options every SVG is read with: the bundled fonts for its text; images only from
/// `data:` addresses, never from files or the web.
fn options() -> &'static usvg::Options<'static> {
    static OPTIONS: OnceLock<usvg::Options<'static>> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut fonts = usvg::fontdb::Database::new();
        for data in crate::font::bundled_data() {
            fonts.load_font_source(usvg::fontdb::Source::Binary(Arc::new(data)));
        }
        fonts.set_serif_family("Noto Serif SC");
        fonts.set_sans_serif_family("Noto Serif SC");
        fonts.set_monospace_family("Noto Sans Mono");
        usvg::Options {
            font_family: "Noto Serif SC".into(),
            fontdb: Arc::new(fonts),
            image_href_resolver: usvg::ImageHrefResolver {
                resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
                resolve_string: Box::new(|_, _| None),
            },
            ..usvg::Options::default()
        }
    })
}

/// Whether `bytes` look like an SVG document.
pub(crate) fn is_svg(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    head.starts_with("<svg") || ((head.starts_with("<?xml") || head.starts_with("<!--") || head.starts_with("<!doctype svg")) && head.contains("<svg"))
}

/// The SVG as the book carries it, and its size in CSS pixels.
pub(crate) fn sanitise(bytes: &[u8]) -> Result<(Vec<u8>, f32, f32), String> {
    let tree = usvg::Tree::from_data(bytes, options()).map_err(|e| format!("the SVG cannot be read: {e}"))?;
    let size = tree.size();
    // Ids as drawing tools write them (`752eaa31-…`) are not XML names; a prefix makes them so.
    let written = tree.to_string(&usvg::WriteOptions { id_prefix: Some("s-".into()), ..usvg::WriteOptions::default() });
    Ok((written.into_bytes(), size.width(), size.height()))
}

/// A sanitised SVG, for drawing.
pub(crate) fn parse(bytes: &[u8]) -> Option<Tree> {
    usvg::Tree::from_data(bytes, options()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_links_and_outside_references_are_gone_and_text_is_outlined() {
        let hostile = r##"<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="120" height="60" onload="alert(1)">
  <script>alert(2)</script>
  <a xlink:href="javascript:alert(3)"><rect width="50" height="30" fill="#c33"/></a>
  <image xlink:href="https://tracker.example.net/pixel.png" width="10" height="10"/>
  <image href="/etc/passwd" width="10" height="10"/>
  <g id="752eaa31-eeae"><text x="5" y="50" font-size="12">曼哈顿距离</text></g>
</svg>"##.as_bytes();
        assert!(is_svg(hostile));
        let (clean, w, h) = sanitise(hostile).unwrap();
        let clean = String::from_utf8(clean).unwrap();
        for gone in ["script", "alert", "onload", "javascript", "tracker", "passwd", "<text", "<image"] {
            assert!(!clean.contains(gone), "`{gone}` is left:\n{clean}");
        }
        assert_eq!((w, h), (120.0, 60.0));
        assert!(clean.contains("<path"), "the rectangle and the text are drawn:\n{clean}");
        assert!(parse(clean.as_bytes()).is_some());
        assert!(!clean.contains("id=\"7") && clean.contains("id=\"s-752eaa31-eeae\""), "ids must be XML names:\n{clean}");
        assert!(!is_svg(b"<!DOCTYPE html><html></html>"));
    }
}
