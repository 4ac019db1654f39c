//! Fonts, parsed once per process, and shaping with rustybuzz (in the book's language, so that
//! `locl` selects its glyph forms).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};

use rustybuzz::{Face, GlyphBuffer, Language, Script, ShapePlan, UnicodeBuffer};

use crate::config::FontChoice;
use crate::locale::Locale;

/// A font the typesetter can shape with and the PDF writer can embed.
pub(crate) struct Font {
    pub(crate) name: String,
    pub(crate) data: &'static [u8],
    /// Face index inside a collection file.
    pub(crate) index: u32,
    face: Face<'static>,
    /// Shaping plans by script and language, made once: making one reads the font's
    /// layout tables, which costs more than shaping a short run.
    plans: Mutex<Vec<(Script, Lang, Arc<ShapePlan>)>>,
    /// Which characters of the Basic Multilingual Plane the font maps, a bit each, read from
    /// its cmap on first use: the typesetter asks for every character it sets.
    bmp: OnceLock<Box<[u64]>>,
}

/// One shaped glyph. Advances and offsets are in em (multiply by the font size).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Glyph {
    pub(crate) id: u16,
    /// Byte offset in the shaped text where this glyph's cluster starts.
    pub(crate) cluster: usize,
    pub(crate) advance: f32,
    pub(crate) x_offset: f32,
    pub(crate) y_offset: f32,
}

/// The language a run is shaped in: Chinese of a locale (so `locl` picks its forms and
/// full-width quotes), or Latin text, where quotes and apostrophes keep their proportional forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Chinese(Locale),
    Latin,
}

static REGULAR: &[u8] = include_bytes!("../fonts/NotoSerifSC-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/NotoSerifSC-Bold.ttf");
static MONO: &[u8] = include_bytes!("../fonts/NotoSansMono-Regular.ttf");
static MATH: &[u8] = include_bytes!("../fonts/STIXTwoMath-Regular.otf");

/// The Traditional-Chinese faces, deflated by the build script: Noto Serif TC, and the Hong
/// Kong forms of Noto Serif HK (only the characters whose form differs from TC's).
static TC_REGULAR: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/NotoSerifTC-Regular.ttf.z"));
static TC_BOLD: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/NotoSerifTC-Bold.ttf.z"));
static HK_REGULAR: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/NotoSerifHK-Regular-Forms.ttf.z"));
static HK_BOLD: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/NotoSerifHK-Bold-Forms.ttf.z"));

/// The bundled fonts' files: serif, bold serif, monospace, math.
pub(crate) fn bundled_data() -> [&'static [u8]; 4] {
    [REGULAR, BOLD, MONO, MATH]
}

/// A bundled face that ships deflated, inflated and parsed on first use.
fn inflated(name: &str, deflated: &'static [u8]) -> Font {
    use std::io::Read;
    let mut data = Vec::new();
    flate2::read::ZlibDecoder::new(deflated).read_to_end(&mut data).expect("the bundled fonts inflate");
    Font::parse(name.into(), Box::leak(data.into_boxed_slice()), 0).expect("the bundled fonts parse")
}

/// The bundled regular and bold serif faces that set a locale, in the order they are tried:
/// the locale's own, then the faces it falls back to (a Traditional book's rare Simplified
/// character comes from Noto Serif SC).
fn bundled_serifs(locale: Locale) -> Vec<[&'static Font; 2]> {
    static TC: OnceLock<[Font; 2]> = OnceLock::new();
    static HK: OnceLock<[Font; 2]> = OnceLock::new();
    let tc = || {
        let [r, b] = TC.get_or_init(|| [inflated("Noto Serif TC", TC_REGULAR), inflated("Noto Serif TC Bold", TC_BOLD)]);
        [r, b]
    };
    let sc = {
        let set = FontSet::bundled();
        [set.get(FontId::SERIF), set.get(FontId::BOLD)]
    };
    match locale {
        Locale::Hans | Locale::Ja => vec![sc],
        Locale::HantTw => vec![tc(), sc],
        Locale::HantHk => {
            let [r, b] = HK.get_or_init(|| [inflated("Noto Serif HK", HK_REGULAR), inflated("Noto Serif HK Bold", HK_BOLD)]);
            vec![[r, b], tc(), sc]
        }
    }
}

impl Font {
    fn parse(name: String, data: &'static [u8], index: u32) -> Option<Font> {
        let face = Face::from_slice(data, index)?;
        Some(Font { name, data, index, face, plans: Mutex::new(Vec::new()), bmp: OnceLock::new() })
    }

    /// Whether the font has a glyph (other than .notdef) for `c`. Default-ignorable
    /// characters (variation selectors, joiners, soft hyphens) need none.
    pub(crate) fn has_char(&self, c: char) -> bool {
        let code = c as u32;
        if code < 0x10000 {
            let bits = self.bmp.get_or_init(|| self.bmp_coverage());
            return bits[code as usize / 64] & (1 << (code % 64)) != 0 || is_default_ignorable(c);
        }
        is_default_ignorable(c) || self.maps(c)
    }

    fn maps(&self, c: char) -> bool {
        self.glyph(c).is_some_and(|g| g != 0)
    }

    /// The BMP characters the font maps, from the code points its Unicode subtables list.
    fn bmp_coverage(&self) -> Box<[u64]> {
        let mut bits = vec![0u64; 0x10000 / 64].into_boxed_slice();
        for table in self.face.tables().cmap.iter().flat_map(|cmap| cmap.subtables) {
            if table.is_unicode() {
                table.codepoints(|code| {
                    if code < 0x10000 && char::from_u32(code).is_some_and(|c| self.maps(c)) {
                        bits[code as usize / 64] |= 1 << (code % 64);
                    }
                });
            }
        }
        bits
    }

    /// The horizontal extent of a glyph's ink, in em.
    pub(crate) fn ink_x(&self, glyph: u16) -> Option<(f32, f32)> {
        let id = rustybuzz::ttf_parser::GlyphId(glyph);
        // A TrueType glyph's header has its box; ttf-parser's own function draws the outline.
        let b = self.face.tables().glyf.and_then(|glyf| glyf.bbox(id)).or_else(|| self.face.glyph_bounding_box(id))?;
        let upem = self.face.units_per_em() as f32;
        Some((b.x_min as f32 / upem, b.x_max as f32 / upem))
    }

    /// The glyph the font maps `c` to.
    pub(crate) fn glyph(&self, c: char) -> Option<u16> {
        self.face.glyph_index(c).map(|g| g.0)
    }

    /// Draws a glyph's outline into `builder`, in font units (y up); `units_per_em` scales them.
    pub(crate) fn outline(&self, glyph: u16, builder: &mut dyn rustybuzz::ttf_parser::OutlineBuilder) {
        self.face.outline_glyph(rustybuzz::ttf_parser::GlyphId(glyph), builder);
    }

    pub(crate) fn units_per_em(&self) -> f32 {
        self.face.units_per_em() as f32
    }

    /// The glyph's bounding box in em: (x min, y min, x max, y max), y up.
    pub(crate) fn bounds(&self, glyph: u16) -> Option<(f32, f32, f32, f32)> {
        let b = self.face.glyph_bounding_box(rustybuzz::ttf_parser::GlyphId(glyph))?;
        let upem = self.units_per_em();
        Some((b.x_min as f32 / upem, b.y_min as f32 / upem, b.x_max as f32 / upem, b.y_max as f32 / upem))
    }

    /// The glyph's advance width in em.
    pub(crate) fn advance(&self, glyph: u16) -> f32 {
        self.face.glyph_hor_advance(rustybuzz::ttf_parser::GlyphId(glyph)).unwrap_or(0) as f32 / self.units_per_em()
    }

    /// The font's OpenType MATH table, which a math font has.
    pub(crate) fn math(&self) -> Option<MathTable<'_>> {
        let table = self.face.tables().math?;
        Some(MathTable { table, upem: self.units_per_em() })
    }

    /// Characters of `text` this font has no glyph for (each once, in order of appearance).
    #[cfg(test)]
    fn missing_chars(&self, text: &str) -> Vec<char> {
        let mut out: Vec<char> = Vec::new();
        for c in text.chars() {
            if !c.is_control() && !self.has_char(c) && !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// Shapes one run of Chinese text set in this font.
    #[cfg(test)]
    fn shape(&self, text: &str) -> Vec<Glyph> {
        self.shape_in(text, Lang::Chinese(Locale::Hans))
    }

    /// Shapes one run of text in the given language.
    pub(crate) fn shape_in(&self, text: &str, lang: Lang) -> Vec<Glyph> {
        static LANGS: OnceLock<[Language; 5]> = OnceLock::new();
        let langs = LANGS.get_or_init(|| {
            [Locale::Hans, Locale::HantTw, Locale::HantHk, Locale::Ja].map(Locale::shaping_tag).map(|tag| Language::from_str(tag).expect("valid language tag")).into_iter().chain([Language::from_str("en").expect("valid language tag")]).collect::<Vec<_>>().try_into().expect("five languages")
        });
        let language = match lang {
            Lang::Chinese(locale) => &langs[locale as usize],
            Lang::Latin => &langs[4],
        };
        // Latin runs use the proportional forms (`pwid`) of the quotes and apostrophes that a
        // CJK font makes full width by default.
        let features: &[rustybuzz::Feature] = match lang {
            Lang::Chinese(_) => &[],
            Lang::Latin => {
                static PWID: OnceLock<[rustybuzz::Feature; 1]> = OnceLock::new();
                PWID.get_or_init(|| [rustybuzz::Feature::new(rustybuzz::ttf_parser::Tag::from_bytes(b"pwid"), 1, ..)])
            }
        };
        let shaped = self.shape_planned(text, lang, language, features);
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

    fn shape_planned(&self, text: &str, lang: Lang, language: &Language, features: &[rustybuzz::Feature]) -> GlyphBuffer {
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        buffer.set_language(language.clone());
        let script = buffer.script();
        let plan = {
            let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
            match plans.iter().find(|(s, l, _)| *s == script && *l == lang) {
                Some((_, _, plan)) => plan.clone(),
                None => {
                    let plan = Arc::new(ShapePlan::new(&self.face, buffer.direction(), Some(script), Some(language), features));
                    plans.push((script, lang, plan.clone()));
                    plan
                }
            }
        };
        rustybuzz::shape_with_plan(&self.face, &plan, buffer)
    }

    #[cfg(test)]
    fn shape_raw(&self, text: &str, language: Option<&Language>, features: &[rustybuzz::Feature]) -> GlyphBuffer {
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        if let Some(language) = language {
            buffer.set_language(language.clone());
        }
        rustybuzz::shape(&self.face, features, buffer)
    }

    /// The family names this face declares (typographic and legacy).
    fn family_names(face: &rustybuzz::ttf_parser::Face) -> Vec<String> {
        use rustybuzz::ttf_parser::name_id;
        face.names()
            .into_iter()
            .filter(|n| n.name_id == name_id::TYPOGRAPHIC_FAMILY || n.name_id == name_id::FAMILY || n.name_id == name_id::FULL_NAME)
            .filter_map(|n| n.to_string())
            .collect()
    }
}

fn is_default_ignorable(c: char) -> bool {
    matches!(c as u32, 0x00AD | 0x034F | 0x180B..=0x180F | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0xFE00..=0xFE0F | 0xFEFF | 0xE0000..=0xE0FFF)
}

/// A math font's MATH table, its values in em.
#[derive(Clone, Copy)]
pub(crate) struct MathTable<'a> {
    table: rustybuzz::ttf_parser::math::Table<'a>,
    upem: f32,
}

/// A glyph that grows: a larger variant, or parts to assemble (each its glyph, its advance,
/// and whether it repeats), all in em.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Grown {
    Variant { glyph: u16, advance: f32 },
    Assembly { parts: Vec<AssemblyPart>, overlap: f32 },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct AssemblyPart {
    pub(crate) glyph: u16,
    pub(crate) advance: f32,
    pub(crate) start_connector: f32,
    pub(crate) end_connector: f32,
    pub(crate) extender: bool,
}

impl MathTable<'_> {
    /// A constant of the MATH table by the name the OpenType specification gives it, in em
    /// (percentages as fractions).
    pub(crate) fn constant(&self, name: MathConstant) -> f32 {
        use MathConstant as M;
        let Some(c) = self.table.constants else { return 0.0 };
        let em = |v: rustybuzz::ttf_parser::math::MathValue| v.value as f32 / self.upem;
        match name {
            M::ScriptPercentScaleDown => c.script_percent_scale_down() as f32 / 100.0,
            M::ScriptScriptPercentScaleDown => c.script_script_percent_scale_down() as f32 / 100.0,
            M::DisplayOperatorMinHeight => c.display_operator_min_height() as f32 / self.upem,
            M::AxisHeight => em(c.axis_height()),
            M::AccentBaseHeight => em(c.accent_base_height()),
            M::SubscriptShiftDown => em(c.subscript_shift_down()),
            M::SubscriptTopMax => em(c.subscript_top_max()),
            M::SubscriptBaselineDropMin => em(c.subscript_baseline_drop_min()),
            M::SuperscriptShiftUp => em(c.superscript_shift_up()),
            M::SuperscriptShiftUpCramped => em(c.superscript_shift_up_cramped()),
            M::SuperscriptBottomMin => em(c.superscript_bottom_min()),
            M::SuperscriptBaselineDropMax => em(c.superscript_baseline_drop_max()),
            M::SubSuperscriptGapMin => em(c.sub_superscript_gap_min()),
            M::SuperscriptBottomMaxWithSubscript => em(c.superscript_bottom_max_with_subscript()),
            M::SpaceAfterScript => em(c.space_after_script()),
            M::UpperLimitGapMin => em(c.upper_limit_gap_min()),
            M::UpperLimitBaselineRiseMin => em(c.upper_limit_baseline_rise_min()),
            M::LowerLimitGapMin => em(c.lower_limit_gap_min()),
            M::LowerLimitBaselineDropMin => em(c.lower_limit_baseline_drop_min()),
            M::FractionNumeratorShiftUp => em(c.fraction_numerator_shift_up()),
            M::FractionNumeratorDisplayStyleShiftUp => em(c.fraction_numerator_display_style_shift_up()),
            M::FractionDenominatorShiftDown => em(c.fraction_denominator_shift_down()),
            M::FractionDenominatorDisplayStyleShiftDown => em(c.fraction_denominator_display_style_shift_down()),
            M::FractionNumeratorGapMin => em(c.fraction_numerator_gap_min()),
            M::FractionNumDisplayStyleGapMin => em(c.fraction_num_display_style_gap_min()),
            M::FractionRuleThickness => em(c.fraction_rule_thickness()),
            M::FractionDenominatorGapMin => em(c.fraction_denominator_gap_min()),
            M::FractionDenomDisplayStyleGapMin => em(c.fraction_denom_display_style_gap_min()),
            M::StackTopShiftUp => em(c.stack_top_shift_up()),
            M::StackTopDisplayStyleShiftUp => em(c.stack_top_display_style_shift_up()),
            M::StackBottomShiftDown => em(c.stack_bottom_shift_down()),
            M::StackBottomDisplayStyleShiftDown => em(c.stack_bottom_display_style_shift_down()),
            M::StackGapMin => em(c.stack_gap_min()),
            M::StackDisplayStyleGapMin => em(c.stack_display_style_gap_min()),
            M::OverbarVerticalGap => em(c.overbar_vertical_gap()),
            M::OverbarRuleThickness => em(c.overbar_rule_thickness()),
            M::UnderbarVerticalGap => em(c.underbar_vertical_gap()),
            M::UnderbarRuleThickness => em(c.underbar_rule_thickness()),
            M::RadicalVerticalGap => em(c.radical_vertical_gap()),
            M::RadicalDisplayStyleVerticalGap => em(c.radical_display_style_vertical_gap()),
            M::RadicalRuleThickness => em(c.radical_rule_thickness()),
            M::RadicalExtraAscender => em(c.radical_extra_ascender()),
            M::RadicalKernBeforeDegree => em(c.radical_kern_before_degree()),
            M::RadicalKernAfterDegree => em(c.radical_kern_after_degree()),
            M::RadicalDegreeBottomRaisePercent => c.radical_degree_bottom_raise_percent() as f32 / 100.0,
        }
    }

    /// A glyph's italic correction, in em.
    pub(crate) fn italic_correction(&self, glyph: u16) -> f32 {
        let id = rustybuzz::ttf_parser::GlyphId(glyph);
        self.table.glyph_info.and_then(|i| i.italic_corrections).and_then(|c| c.get(id)).map_or(0.0, |v| v.value as f32 / self.upem)
    }

    /// Where an accent above the glyph centres, in em from its origin.
    pub(crate) fn top_accent_attachment(&self, glyph: u16) -> Option<f32> {
        let id = rustybuzz::ttf_parser::GlyphId(glyph);
        self.table.glyph_info.and_then(|i| i.top_accent_attachments).and_then(|c| c.get(id)).map(|v| v.value as f32 / self.upem)
    }

    /// The glyph grown to at least `target` em, up (`vertical`) or across: the first variant
    /// that reaches it, else an assembly, else the largest variant. `None` when it cannot grow.
    pub(crate) fn grown(&self, glyph: u16, target: f32, vertical: bool) -> Option<Grown> {
        let variants = self.table.variants?;
        let constructions = if vertical { variants.vertical_constructions } else { variants.horizontal_constructions };
        let construction = constructions.get(rustybuzz::ttf_parser::GlyphId(glyph))?;
        let mut largest = None;
        for v in construction.variants {
            let advance = v.advance_measurement as f32 / self.upem;
            largest = Some(Grown::Variant { glyph: v.variant_glyph.0, advance });
            if advance >= target {
                return largest;
            }
        }
        if let Some(assembly) = construction.assembly {
            let parts = assembly
                .parts
                .into_iter()
                .map(|p| AssemblyPart {
                    glyph: p.glyph_id.0,
                    advance: p.full_advance as f32 / self.upem,
                    start_connector: p.start_connector_length as f32 / self.upem,
                    end_connector: p.end_connector_length as f32 / self.upem,
                    extender: p.part_flags.extender(),
                })
                .collect();
            return Some(Grown::Assembly { parts, overlap: variants.min_connector_overlap as f32 / self.upem });
        }
        largest
    }
}

/// The MATH table's constants that the formula layout reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MathConstant {
    ScriptPercentScaleDown,
    ScriptScriptPercentScaleDown,
    DisplayOperatorMinHeight,
    AxisHeight,
    AccentBaseHeight,
    SubscriptShiftDown,
    SubscriptTopMax,
    SubscriptBaselineDropMin,
    SuperscriptShiftUp,
    SuperscriptShiftUpCramped,
    SuperscriptBottomMin,
    SuperscriptBaselineDropMax,
    SubSuperscriptGapMin,
    SuperscriptBottomMaxWithSubscript,
    SpaceAfterScript,
    UpperLimitGapMin,
    UpperLimitBaselineRiseMin,
    LowerLimitGapMin,
    LowerLimitBaselineDropMin,
    FractionNumeratorShiftUp,
    FractionNumeratorDisplayStyleShiftUp,
    FractionDenominatorShiftDown,
    FractionDenominatorDisplayStyleShiftDown,
    FractionNumeratorGapMin,
    FractionNumDisplayStyleGapMin,
    FractionRuleThickness,
    FractionDenominatorGapMin,
    FractionDenomDisplayStyleGapMin,
    StackTopShiftUp,
    StackTopDisplayStyleShiftUp,
    StackBottomShiftDown,
    StackBottomDisplayStyleShiftDown,
    StackGapMin,
    StackDisplayStyleGapMin,
    OverbarVerticalGap,
    OverbarRuleThickness,
    UnderbarVerticalGap,
    UnderbarRuleThickness,
    RadicalVerticalGap,
    RadicalDisplayStyleVerticalGap,
    RadicalRuleThickness,
    RadicalExtraAscender,
    RadicalKernBeforeDegree,
    RadicalKernAfterDegree,
    RadicalDegreeBottomRaisePercent,
}

/// Which font of a `FontSet` a run is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FontId(pub u8);

impl FontId {
    pub const SERIF: FontId = FontId(0);
    pub(crate) const BOLD: FontId = FontId(1);
    pub(crate) const MONO: FontId = FontId(2);
    pub(crate) const MATH: FontId = FontId(3);
}

/// The fonts of one book: the serif of its locale (regular, bold), mono and math, the serifs
/// the locale falls back to, then the fallbacks book.toml names, the faces of the other locales
/// its essays are written in, and installed fonts that set what none of those has.
#[derive(Clone)]
pub struct FontSet {
    fonts: Vec<&'static Font>,
    locale: Locale,
    /// The regular and bold serifs that set the body (`SERIF`, `BOLD`), in the order they are
    /// tried: the locale's own first.
    serifs: Vec<[FontId; 2]>,
    /// Where the fallbacks book.toml names start.
    fallbacks_from: usize,
    /// The serifs of the other locales the book's essays are written in (see `view`).
    other_locales: Vec<(Locale, Vec<[FontId; 2]>)>,
}

impl FontSet {
    /// The bundled fonts of a Simplified-Chinese book, parsed once per process.
    pub fn bundled() -> FontSet {
        static FONTS: OnceLock<[Font; 4]> = OnceLock::new();
        let fonts = FONTS.get_or_init(|| {
            let parse = |name: &str, data| Font::parse(name.into(), data, 0).expect("the bundled fonts parse");
            [parse("Noto Serif SC", REGULAR), parse("Noto Serif SC Bold", BOLD), parse("Noto Sans Mono", MONO), parse("STIX Two Math", MATH)]
        });
        FontSet { fonts: fonts.iter().collect(), locale: Locale::Hans, serifs: vec![[FontId::SERIF, FontId::BOLD]], fallbacks_from: 4, other_locales: Vec::new() }
    }

    /// The bundled fonts of a book in `locale`: its serif faces first, then those it falls back to.
    pub fn bundled_for(locale: Locale) -> FontSet {
        let mut set = FontSet::bundled();
        let mut serifs = bundled_serifs(locale).into_iter();
        let [regular, bold] = serifs.next().expect("a locale has a serif");
        set.locale = locale;
        set.fonts[0] = regular;
        set.fonts[1] = bold;
        for [regular, bold] in serifs {
            let at = set.fonts.len() as u8;
            set.fonts.extend([regular, bold]);
            set.serifs.push([FontId(at), FontId(at + 1)]);
        }
        set.fallbacks_from = set.fonts.len();
        set
    }

    /// The locale the book (or this view of it) is set in.
    pub(crate) fn locale(&self) -> Locale {
        self.locale
    }

    /// Adds the serif faces of `locale`, for essays written in it (an essay's own `lang`).
    pub(crate) fn add_locale(&mut self, locale: Locale) {
        if locale == self.locale || self.other_locales.iter().any(|(l, _)| *l == locale) {
            return;
        }
        let mut chain = Vec::new();
        for pair in bundled_serifs(locale) {
            let id = |font: &'static Font, fonts: &mut Vec<&'static Font>| match fonts.iter().position(|f| std::ptr::eq(*f, font)) {
                Some(at) => FontId(at as u8),
                None => {
                    fonts.push(font);
                    FontId(fonts.len() as u8 - 1)
                }
            };
            let (regular, bold) = (id(pair[0], &mut self.fonts), id(pair[1], &mut self.fonts));
            chain.push([regular, bold]);
        }
        self.other_locales.push((locale, chain));
    }

    /// The same fonts (the same ids, so the PDF writer embeds them as one set) with the body set
    /// in `locale`'s serifs, shaped in its language; the book's own set for its own locale or
    /// one not added.
    pub(crate) fn view(&self, locale: Locale) -> std::borrow::Cow<'_, FontSet> {
        match self.other_locales.iter().find(|(l, _)| *l == locale) {
            Some((_, chain)) => std::borrow::Cow::Owned(FontSet { locale, serifs: chain.clone(), ..self.clone() }),
            None => std::borrow::Cow::Borrowed(self),
        }
    }

    /// The bundled fonts plus fallbacks, each a font file (relative to `root`) or a family name
    /// looked up among the system's fonts. A fallback that cannot be found is an error message.
    #[cfg(test)]
    pub(crate) fn with_fallbacks(specs: &[String], root: &Path) -> Result<FontSet, FontError> {
        FontSet::load(Locale::Hans, &FontChoice::default(), specs, root)
    }

    /// The bundled fonts of `locale` with any of them replaced as `choice` says, plus fallbacks.
    pub(crate) fn load(locale: Locale, choice: &FontChoice, fallbacks: &[String], root: &Path) -> Result<FontSet, FontError> {
        let mut set = FontSet::bundled_for(locale);
        let failed = |spec: &String, what: &str, why: String| FontError { spec: spec.clone(), message: format!("{what} `{spec}` {why}") };
        for (id, spec, bold) in [(FontId::SERIF, &choice.serif, false), (FontId::BOLD, &choice.bold, true), (FontId::MONO, &choice.mono, false)] {
            if let Some(spec) = spec {
                set.fonts[id.0 as usize] = open(spec, root, bold).map_err(|why| failed(spec, "font", why))?;
            }
        }
        for spec in fallbacks {
            let font = open(spec, root, false).map_err(|why| failed(spec, "fallback font", why))?;
            if set.fonts.len() >= u8::MAX as usize {
                return Err(FontError { spec: spec.clone(), message: "too many fallback fonts".into() });
            }
            set.fonts.push(font);
        }
        Ok(set)
    }

    pub(crate) fn get(&self, id: FontId) -> &'static Font {
        self.fonts[id.0 as usize]
    }

    /// Every font with its id, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (FontId, &'static Font)> + '_ {
        self.fonts.iter().enumerate().map(|(i, f)| (FontId(i as u8), *f))
    }

    /// The font to set `c` in when the style asks for `preferred`: it, else the locale's serifs
    /// of the same weight in order, else the first fallback that has it, else the mono font
    /// (which covers extended Latin, Greek and Cyrillic that the Chinese serif lacks). `None`
    /// when no font has it.
    pub(crate) fn pick(&self, preferred: FontId, c: char) -> Option<FontId> {
        let body = preferred == FontId::SERIF || preferred == FontId::BOLD;
        // The body serif is the first of the locale's serifs that has it.
        let preferred = if body { self.serifs[0][usize::from(preferred == FontId::BOLD)] } else { preferred };
        if self.get(preferred).has_char(c) || c.is_control() {
            return Some(preferred);
        }
        let weight = usize::from(preferred == FontId::BOLD || self.serifs.iter().any(|pair| pair[1] == preferred));
        if let Some(serif) = self.serifs.iter().map(|pair| pair[weight]).find(|&id| self.get(id).has_char(c)) {
            return Some(serif);
        }
        let fallback = (self.fallbacks_from..self.fonts.len()).map(|i| FontId(i as u8)).find(|&id| self.get(id).has_char(c));
        fallback.or_else(|| self.get(FontId::MONO).has_char(c).then_some(FontId::MONO))
    }
}

impl FontSet {
    /// For the characters of `text` that no font of the set has, the installed fonts that have
    /// them, added as fallbacks: the face that has the most of those still wanted first (so a
    /// book of rare characters takes few fonts), in the order of their files. Returns each
    /// added face's name with the characters it supplies, and the characters none has.
    pub(crate) fn add_installed_fallbacks(&mut self, text: &mut dyn Iterator<Item = char>) -> (Vec<(String, Vec<char>)>, Vec<char>) {
        let mut wanted: Vec<char> = Vec::new();
        // Characters met so far: a bit each in the Basic Multilingual Plane, a set beyond it.
        let (mut bmp, mut astral) = (vec![0u64; 0x10000 / 64], std::collections::HashSet::new());
        for c in text.filter(|c| !c.is_ascii()) {
            let code = c as usize;
            let new = if code < 0x10000 {
                let (word, bit) = (&mut bmp[code / 64], 1u64 << (code % 64));
                let new = *word & bit == 0;
                *word |= bit;
                new
            } else {
                astral.insert(c)
            };
            // A private-use character means what the author's own font says: no other font's glyph.
            let private = matches!(code, 0xE000..=0xF8FF | 0xF0000..);
            if new && !private && !c.is_control() && !c.is_whitespace() && self.pick(FontId::SERIF, c).is_none() {
                wanted.push(c);
            }
        }
        if wanted.is_empty() {
            return (Vec::new(), wanted);
        }
        let faces = installed_faces();
        let mut added = Vec::new();
        while !wanted.is_empty() && self.fonts.len() < u8::MAX as usize {
            let best = faces
                .iter()
                .map(|face| (face.covered(&wanted), face))
                .filter(|(n, _)| *n > 0)
                .fold(None, |best: Option<(usize, &InstalledFace)>, (n, face)| if best.is_none_or(|(m, _)| n > m) { Some((n, face)) } else { best });
            let Some((_, face)) = best else { break };
            let Ok(data) = crate::input::read(&face.path, FONT_MAX) else { break };
            let Some(font) = keep_face(&face.path, data, face.index) else { break };
            let (supplied, rest): (Vec<char>, Vec<char>) = wanted.iter().partition(|&&c| font.has_char(c));
            if supplied.is_empty() {
                break;
            }
            self.fonts.push(font);
            added.push((font.name.clone(), supplied));
            wanted = rest;
        }
        (added, wanted)
    }
}

/// A face of an installed font file, its character map read on demand.
struct InstalledFace {
    path: PathBuf,
    index: u32,
    db: &'static fontdb::Database,
    id: fontdb::ID,
}

impl InstalledFace {
    /// How many of `chars` the face has.
    fn covered(&self, chars: &[char]) -> usize {
        let count = |data: &[u8], index| {
            let Ok(face) = rustybuzz::ttf_parser::Face::parse(data, index) else { return 0 };
            chars.iter().filter(|&&c| face.glyph_index(c).is_some_and(|g| g.0 != 0)).count()
        };
        self.db.with_face_data(self.id, count).unwrap_or(0)
    }
}

/// The installed fonts (fontconfig's folders, or the system's usual ones), read once per
/// process, in the order of their files.
fn installed_faces() -> &'static [InstalledFace] {
    static FACES: OnceLock<Vec<InstalledFace>> = OnceLock::new();
    static DB: OnceLock<fontdb::Database> = OnceLock::new();
    FACES.get_or_init(|| {
        let db = DB.get_or_init(|| {
            let mut db = fontdb::Database::new();
            db.load_system_fonts();
            db
        });
        let mut faces: Vec<InstalledFace> = db
            .faces()
            .filter_map(|f| match &f.source {
                fontdb::Source::File(path) | fontdb::Source::SharedFile(path, _) => Some(InstalledFace { path: path.clone(), index: f.index, db, id: f.id }),
                fontdb::Source::Binary(_) => None,
            })
            .collect();
        faces.sort_by(|a, b| (&a.path, a.index).cmp(&(&b.path, b.index)));
        faces
    })
}

/// Keeps face `index` of the font file `path` (its bytes `data`) for the rest of the
/// process, like the bundled fonts; a face already kept is returned again.
fn keep_face(path: &Path, data: Vec<u8>, index: u32) -> Option<&'static Font> {
    static KEPT: OnceLock<Mutex<HashMap<(PathBuf, u32), &'static Font>>> = OnceLock::new();
    let key = (path.to_path_buf(), index);
    let mut kept = KEPT.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(font) = kept.get(&key) {
        return Some(font);
    }
    let data: &'static [u8] = Box::leak(data.into_boxed_slice());
    let name = rustybuzz::ttf_parser::Face::parse(data, index)
        .ok()
        .and_then(|f| Font::family_names(&f).into_iter().next())
        .unwrap_or_else(|| path.file_stem().unwrap_or_default().to_string_lossy().into_owned());
    let font: &'static Font = Box::leak(Box::new(Font::parse(name, data, index)?));
    kept.insert(key, font);
    Some(font)
}

/// A font named in book.toml that cannot be used: the name as written, and why.
#[derive(Debug)]
pub(crate) struct FontError {
    pub(crate) spec: String,
    pub message: String,
}

/// The largest font file read: the biggest CJK collections (every weight of Noto Sans CJK in
/// one file) are about 120 MiB.
const FONT_MAX: u64 = 256 << 20;

/// A font file (relative to `root`) or a family's regular (or bold) face; why not, as the
/// end of a sentence about it.
fn open(spec: &str, root: &Path, bold: bool) -> Result<&'static Font, String> {
    let path = root.join(spec);
    if std::fs::metadata(&path).is_ok_and(|m| !m.is_dir()) {
        let data = crate::input::read(&path, FONT_MAX).map_err(|e| format!("cannot be read: {e}"))?;
        return keep_face(&path, data, 0).ok_or_else(|| "is not a font file wenji can read (TrueType or OpenType)".to_owned());
    }
    find_family(spec, bold).ok_or_else(|| "is neither a font file nor an installed font family".to_owned())
}

/// Finds an installed font by family name in the usual font folders, preferring its
/// regular face.
fn find_family(family: &str, bold: bool) -> Option<&'static Font> {
    use rustybuzz::ttf_parser::{Face as Parsed, fonts_in_collection, name_id};
    let mut dirs = vec![PathBuf::from("/usr/share/fonts"), PathBuf::from("/usr/local/share/fonts"), PathBuf::from("/Library/Fonts"), PathBuf::from("/System/Library/Fonts")];
    if let Some(home) = std::env::var_os("HOME") {
        let home = PathBuf::from(home);
        dirs.extend([home.join(".local/share/fonts"), home.join(".fonts"), home.join("Library/Fonts")]);
    }
    let mut files = Vec::new();
    for dir in dirs {
        collect_font_files(&dir, &mut files, 0);
    }
    files.sort();
    // The best face so far: whether it has the wanted weight, and where it is.
    let mut best: Option<(bool, PathBuf, u32, Vec<u8>)> = None;
    for path in files {
        let Ok(data) = crate::input::read(&path, FONT_MAX) else { continue };
        let mut found = None;
        for i in 0..fonts_in_collection(&data).unwrap_or(1) {
            let Ok(face) = Parsed::parse(&data, i) else { continue };
            if !Font::family_names(&face).iter().any(|n| n.eq_ignore_ascii_case(family)) {
                continue;
            }
            let wanted: &[&str] = if bold { &["Bold"] } else { &["Regular", "Book", "Roman"] };
            let regular = face.names().into_iter().filter(|n| n.name_id == name_id::SUBFAMILY).filter_map(|n| n.to_string()).any(|s| wanted.contains(&s.as_str()));
            let better = |was_regular: bool| regular && !was_regular;
            if found.is_none_or(|(was_regular, _)| better(was_regular)) && best.as_ref().is_none_or(|b| better(b.0)) {
                found = Some((regular, i));
            }
        }
        if let Some((regular, index)) = found {
            best = Some((regular, path, index, data));
        }
        if best.as_ref().is_some_and(|b| b.0) {
            break;
        }
    }
    let (_, path, index, data) = best?;
    keep_face(&path, data, index)
}

fn collect_font_files(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() && depth < 6 {
            collect_font_files(&path, out, depth + 1);
        } else if let Some(ext) = path.extension().and_then(|e| e.to_str())
            && matches!(ext.to_ascii_lowercase().as_str(), "ttf" | "otf" | "ttc" | "otc") {
                out.push(path);
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallbacks_cover_what_the_serif_lacks() {
        let fonts = FontSet::bundled();
        assert_eq!(fonts.pick(FontId::SERIF, '中'), Some(FontId::SERIF));
        assert_eq!(fonts.pick(FontId::MONO, '中'), Some(FontId::SERIF), "Han in code comes from the serif");
        assert_eq!(fonts.pick(FontId::BOLD, 'Ł'), Some(FontId::MONO), "the serif has no Ł; mono does");
        assert_eq!(fonts.pick(FontId::SERIF, '😀'), None);
        assert_eq!(fonts.pick(FontId::SERIF, '\u{FE0F}'), Some(FontId::SERIF), "variation selectors need no glyph");
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
        let with = FontSet::with_fallbacks(&["NotoSansMono-Regular.ttf".into()], &file).unwrap();
        assert_eq!(with.pick(FontId::SERIF, 'Ł'), Some(FontId(4)));
        let err = FontSet::with_fallbacks(&["No Such Font Family".into()], &file).err().unwrap();
        assert_eq!(err.spec, "No Such Font Family");
        assert!(err.message.contains("`No Such Font Family` is neither a font file"), "{err:?}");
    }

    #[test]
    fn the_coverage_bitmap_agrees_with_the_cmap_for_every_bmp_character() {
        for (_, font) in FontSet::bundled().iter() {
            let covered = (0..0x10000).filter_map(char::from_u32).filter(|&c| {
                assert_eq!(font.has_char(c), is_default_ignorable(c) || font.maps(c), "{} U+{:04X}", font.name, c as u32);
                font.has_char(c)
            });
            assert!(covered.count() > 500, "{}", font.name);
        }
    }

    #[test]
    fn han_and_full_width_punctuation_are_one_em() {
        let font = FontSet::bundled().get(FontId::SERIF);
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
        let glyphs = FontSet::bundled().get(FontId::SERIF).shape("Wil");
        assert!(glyphs[0].advance > glyphs[2].advance);
        assert!(glyphs[1].advance < 0.5 && glyphs[2].advance < 0.5);
    }

    #[test]
    fn zh_hans_makes_the_dash_full_width() {
        // With the ZHS language system the font turns `——` into one 2 em glyph (a single
        // cluster, so it can never be split). Without the language tag the pair is 1.692 em.
        let font = FontSet::bundled().get(FontId::SERIF);
        let tagged = font.shape("那便是——失落");
        assert_eq!(tagged.len(), 6, "{tagged:?}");
        assert_eq!((tagged[3].cluster, tagged[4].cluster), (9, 15));
        assert!((tagged[3].advance - 2.0).abs() < 1e-6, "{tagged:?}");
        let untagged = font.shape_raw("那便是——失落", None, &[]);
        assert_eq!(untagged.glyph_positions()[3].x_advance, 1692);
        assert_ne!(untagged.glyph_infos()[3].glyph_id as u16, tagged[3].id);
    }

    #[test]
    fn bold_is_a_different_font_and_missing_chars_are_found() {
        let regular = FontSet::bundled().get(FontId::SERIF);
        let bold = FontSet::bundled().get(FontId::BOLD);
        assert_ne!(regular.data.len(), bold.data.len());
        assert_eq!(regular.missing_chars("中文☐☑中"), ['☐', '☑']);
        assert!(regular.missing_chars("失落感，“微光”——……").is_empty());
    }
}
