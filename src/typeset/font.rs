//! Fonts, parsed once per process, and shaping with rustybuzz (language zh-Hans, so `locl`
//! selects the Simplified-Chinese glyph forms).

use std::str::FromStr;
use std::sync::OnceLock;

use rustybuzz::{Face, GlyphBuffer, Language, UnicodeBuffer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Weight {
    Regular,
    Bold,
}

/// A font the typesetter can shape with and the PDF writer can embed.
pub struct Font {
    pub name: &'static str,
    pub data: &'static [u8],
    face: Face<'static>,
}

/// One shaped glyph. Advances and offsets are in em (multiply by the font size).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glyph {
    pub id: u16,
    /// Byte offset in the shaped text where this glyph's cluster starts.
    pub cluster: usize,
    pub advance: f32,
    pub x_offset: f32,
    pub y_offset: f32,
}

static REGULAR: &[u8] = include_bytes!("../../fonts/NotoSerifSC-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../fonts/NotoSerifSC-Bold.ttf");

impl Font {
    fn parse(name: &'static str, data: &'static [u8]) -> Font {
        let face = Face::from_slice(data, 0).expect("the bundled font parses");
        Font { name, data, face }
    }

    /// The bundled Noto Serif SC in the given weight, parsed on first use.
    pub fn bundled(weight: Weight) -> &'static Font {
        static FONTS: OnceLock<[Font; 2]> = OnceLock::new();
        let fonts = FONTS.get_or_init(|| {
            [Font::parse("Noto Serif SC", REGULAR), Font::parse("Noto Serif SC Bold", BOLD)]
        });
        match weight {
            Weight::Regular => &fonts[0],
            Weight::Bold => &fonts[1],
        }
    }

    pub fn has_char(&self, c: char) -> bool {
        self.face.glyph_index(c).is_some()
    }

    /// Characters of `text` this font has no glyph for (each once, in order of appearance).
    pub fn missing_chars(&self, text: &str) -> Vec<char> {
        let mut out: Vec<char> = Vec::new();
        for c in text.chars() {
            if !c.is_control() && !self.has_char(c) && !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// Shapes one run of text set in this font.
    pub fn shape(&self, text: &str) -> Vec<Glyph> {
        static ZH_HANS: OnceLock<Language> = OnceLock::new();
        let zh_hans = ZH_HANS.get_or_init(|| Language::from_str("zh-Hans").expect("valid language tag"));
        let shaped = self.shape_raw(text, Some(zh_hans));
        let upem = self.face.units_per_em() as f32;
        shaped
            .glyph_infos()
            .iter()
            .zip(shaped.glyph_positions())
            .map(|(info, pos)| Glyph {
                id: info.glyph_id as u16,
                cluster: info.cluster as usize,
                advance: pos.x_advance as f32 / upem,
                x_offset: pos.x_offset as f32 / upem,
                y_offset: pos.y_offset as f32 / upem,
            })
            .collect()
    }

    fn shape_raw(&self, text: &str, language: Option<&Language>) -> GlyphBuffer {
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        if let Some(language) = language {
            buffer.set_language(language.clone());
        }
        rustybuzz::shape(&self.face, &[], buffer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn han_and_full_width_punctuation_are_one_em() {
        let font = Font::bundled(Weight::Regular);
        let glyphs = font.shape("你好，世界。");
        assert_eq!(glyphs.len(), 6);
        for g in &glyphs {
            assert!((g.advance - 1.0).abs() < 1e-6, "{g:?}");
        }
        let clusters: Vec<usize> = glyphs.iter().map(|g| g.cluster).collect();
        assert_eq!(clusters, [0, 3, 6, 9, 12, 15]);
    }

    #[test]
    fn latin_is_proportional() {
        let glyphs = Font::bundled(Weight::Regular).shape("Wil");
        assert!(glyphs[0].advance > glyphs[2].advance);
        assert!(glyphs[1].advance < 0.5 && glyphs[2].advance < 0.5);
    }

    #[test]
    fn zh_hans_makes_the_dash_full_width() {
        // With the ZHS language system the font turns `——` into one 2 em glyph (a single
        // cluster, so it can never be split). Without the language tag the pair is 1.692 em.
        let font = Font::bundled(Weight::Regular);
        let tagged = font.shape("那便是——失落");
        assert_eq!(tagged.len(), 6, "{tagged:?}");
        assert_eq!((tagged[3].cluster, tagged[4].cluster), (9, 15));
        assert!((tagged[3].advance - 2.0).abs() < 1e-6, "{tagged:?}");
        let untagged = font.shape_raw("那便是——失落", None);
        assert_eq!(untagged.glyph_positions()[3].x_advance, 1692);
        assert_ne!(untagged.glyph_infos()[3].glyph_id as u16, tagged[3].id);
    }

    #[test]
    fn bold_is_a_different_font_and_missing_chars_are_found() {
        let regular = Font::bundled(Weight::Regular);
        let bold = Font::bundled(Weight::Bold);
        assert_ne!(regular.data.len(), bold.data.len());
        assert_eq!(regular.missing_chars("中文☐☑中"), ['☐', '☑']);
        assert!(regular.missing_chars("失落感，“微光”——……").is_empty());
    }
}
