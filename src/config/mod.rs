//! `book.toml` and where a book's folders are, resolved into one `Config` with defaults.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::locale::{Conversion, Locale};
use crate::diag::Diagnostic;
use crate::zone::Zone;

mod site;

use site::Site;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct BookToml {
    #[serde(default)]
    book: BookSection,
    #[serde(default)]
    build: BuildSection,
    #[serde(default)]
    pdf: PdfSection,
    #[serde(default)]
    epub: EpubSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct EpubSection {
    /// Embed the book's fonts, cut down to the characters used.
    #[serde(default)]
    embed_fonts: bool,
    /// The code highlighting theme (`highlight::theme_names`), or `none`.
    highlight: Option<String>,
    /// Give each formula a picture for reading systems without MathML (default: yes).
    formula_images: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct BookSection {
    title: Option<String>,
    subtitle: Option<String>,
    #[serde(default, alias = "author")]
    authors: OneOrMany,
    language: Option<String>,
    description: Option<String>,
    publisher: Option<String>,
    identifier: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    date: Option<String>,
    time_zone: Option<Spanned<String>>,
    /// The blog's own address: links to it land inside the book.
    site_url: Option<Spanned<String>>,
    manuscripts: Option<PathBuf>,
    covers: Option<PathBuf>,
    /// A cover image file; else the first image in `covers`.
    cover: Option<PathBuf>,
    tag_index: Option<TagIndex>,
    /// An edition in the other script: `s2tw`, `t2s`, … (OpenCC's names).
    convert: Option<Spanned<String>>,
    #[serde(default)]
    quotes: Quotes,
}

/// Which quotation marks the book sets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Quotes {
    /// The locale's: 「」『』 in Traditional and Japanese books, “”‘’ in a Simplified edition
    /// converted from Traditional; otherwise as the author wrote them.
    #[default]
    Auto,
    Corner,
    Curly,
    /// As the author wrote them.
    Keep,
}

/// The largest settings file read (book.toml, a blog's configuration): a few KiB is usual.
pub(crate) const SETTINGS_MAX: u64 = 4 << 20;

/// How the tag index (标签索引) at the back of the book is sorted, or `none` for no index.
/// By default pinyin for a Simplified book, strokes for a Traditional one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum TagIndex {
    /// By pinyin, grouped under initial letters.
    Pinyin,
    /// By stroke count, grouped as 一画, 二画, ….
    Stroke,
    None,
}

/// `authors = "甲"` or `authors = ["甲", "乙"]`.
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn iter(&self) -> std::slice::Iter<'_, String> {
        match self {
            OneOrMany::None => [].iter(),
            OneOrMany::One(s) => std::slice::from_ref(s).iter(),
            OneOrMany::Many(v) => v.iter(),
        }
    }

    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// What `wenji build` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Format {
    Epub,
    Pdf,
    /// The PDF's layout as plain text (page → line → text with x positions).
    Layout,
}

/// Where the PDF sets an essay's notes: at the foot of the page that calls each (页下注), or
/// together after the essay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Notes {
    #[default]
    Foot,
    End,
}

/// How notes at the page foot are numbered: from ① on each page, or through the essay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoteNumbers {
    #[default]
    Page,
    Essay,
}

/// The standards the PDF is written to, checked as it is written: `[pdf] standard`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
pub enum Standard {
    /// PDF/UA-1 (ISO 14289-1): tagged for screen readers and reflow (the default).
    #[default]
    #[serde(rename = "ua-1")]
    Ua1,
    /// PDF/A-2b (ISO 19005-2), for archives and printers: self-contained, looks the same for ever.
    #[serde(rename = "a-2b")]
    A2b,
    /// PDF/A-2a: PDF/A-2b with the tagged structure (accessible).
    #[serde(rename = "a-2a")]
    A2a,
    /// PDF/UA-1 and PDF/A-2b together.
    #[serde(rename = "ua-1+a-2b")]
    Ua1A2b,
    /// PDF/UA-1 and PDF/A-2a together.
    #[serde(rename = "ua-1+a-2a")]
    Ua1A2a,
    /// No standard claimed or checked.
    #[serde(rename = "none")]
    None,
}

impl Standard {
    /// Whether it is a PDF/A standard (which forbids, among others, smoothing images).
    pub(crate) fn archival(self) -> bool {
        matches!(self, Standard::A2b | Standard::A2a | Standard::Ua1A2b | Standard::Ua1A2a)
    }

    /// The names as book.toml spells them.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Standard::Ua1 => "ua-1",
            Standard::A2b => "a-2b",
            Standard::A2a => "a-2a",
            Standard::Ua1A2b => "ua-1+a-2b",
            Standard::Ua1A2a => "ua-1+a-2a",
            Standard::None => "none",
        }
    }
}

/// How full-width punctuation is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Punctuation {
    /// 全角式 (GB/T 15834): full width, with the blank half removed between adjacent marks
    /// and at line edges.
    #[default]
    Gb,
    /// 开明式: 。？！ full width, every other mark half width.
    Kaiming,
    /// 半角式: every mark half width.
    Half,
}

/// The fonts that replace the bundled ones: `[pdf] fonts` in book.toml, each a font file or an
/// installed family name.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FontChoice {
    pub(crate) serif: Option<String>,
    pub(crate) bold: Option<String>,
    pub(crate) mono: Option<String>,
}

/// The order of the essays in the book, by date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Order {
    /// Oldest first.
    #[default]
    Asc,
    /// Newest first.
    Desc,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct BuildSection {
    #[serde(default)]
    drafts: bool,
    #[serde(default)]
    require_dates: bool,
    /// The output file name without extension.
    output_name: Option<String>,
    #[serde(default)]
    order: Order,
    /// What `wenji build` writes when `--format` is not given.
    formats: Option<Vec<Format>>,
    /// Fetch no remote images: only those in the cache of an earlier build.
    #[serde(default)]
    offline: bool,
    /// Seconds one remote image may take.
    fetch_timeout: Option<Spanned<f32>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct PdfSection {
    page_size: Option<Spanned<String>>,
    font_size: Option<Spanned<f32>>,
    line_height: Option<Spanned<f32>>,
    margins: Option<Spanned<Margins>>,
    #[serde(default)]
    print: bool,
    bleed: Option<Spanned<f32>>,
    #[serde(default)]
    fallback_fonts: Vec<String>,
    /// Characters no named font has are looked for in the installed fonts (default true).
    system_fonts: Option<bool>,
    fonts: Option<FontChoice>,
    punctuation: Option<Punctuation>,
    #[serde(default)]
    hanging_punctuation: bool,
    cover: Option<bool>,
    notes: Option<Notes>,
    note_numbers: Option<NoteNumbers>,
    highlight: Option<String>,
    standard: Option<Standard>,
}

/// Page margins in millimetres; `inner` is the binding side.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Margins {
    pub(crate) top: f32,
    pub(crate) bottom: f32,
    pub(crate) inner: f32,
    pub(crate) outer: f32,
}

/// How the PDF is laid out: `[pdf]` in book.toml.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfConfig {
    /// Trim size in points (width, height).
    pub(crate) page_size: (f32, f32),
    /// Body text size in points.
    pub(crate) font_size: f32,
    /// Baseline-to-baseline distance as a multiple of the font size.
    pub(crate) line_height: f32,
    pub(crate) margins: Margins,
    /// Print-on-demand mode: mirrored margins, essays open on recto pages.
    pub(crate) print: bool,
    /// Bleed in millimetres around the trim box (print mode only).
    pub(crate) bleed: f32,
    /// Fonts for characters the bundled fonts lack: family names or font files.
    pub(crate) fallback_fonts: Vec<String>,
    /// `system-fonts`: a character no named font has is set in an installed font that has it.
    pub(crate) system_fonts: bool,
    /// Fonts that replace the bundled ones.
    pub(crate) fonts: FontChoice,
    pub punctuation: Punctuation,
    /// Commas and full stops at a line's end hang into the margin.
    pub(crate) hanging_punctuation: bool,
    /// The cover is the PDF's first page (by default, unless in print mode, where the
    /// printer takes the cover separately).
    pub(crate) cover: bool,
    pub(crate) notes: Notes,
    pub(crate) note_numbers: NoteNumbers,
    /// The code highlighting theme, or `none`.
    pub(crate) highlight: String,
    pub(crate) standard: Standard,
}

const MM: f32 = 72.0 / 25.4;

/// The theme code is highlighted in unless `highlight` names another (the names are the
/// highlighter's; the build checks them).
pub(crate) const DEFAULT_HIGHLIGHT: &str = "wenji";

impl Default for PdfConfig {
    fn default() -> Self {
        PdfConfig {
            page_size: (148.0 * MM, 210.0 * MM),
            font_size: 10.5,
            line_height: 1.6,
            margins: Margins { top: 20.0, bottom: 22.0, inner: 22.0, outer: 22.0 },
            print: false,
            bleed: 0.0,
            fallback_fonts: Vec::new(),
            system_fonts: true,
            fonts: FontChoice::default(),
            punctuation: Punctuation::Gb,
            hanging_punctuation: false,
            cover: true,
            notes: Notes::Foot,
            highlight: DEFAULT_HIGHLIGHT.into(),
            standard: Standard::Ua1,
            note_numbers: NoteNumbers::Page,
        }
    }
}

/// Parses `A5`, `A4`, `B5`, `6x9in`, `148mm x 210mm`, `420pt x 595pt` into points.
pub(crate) fn parse_page_size(text: &str) -> Result<(f32, f32), String> {
    let t = text.trim().to_ascii_lowercase().replace(' ', "");
    let named = match t.as_str() {
        "a4" => Some((210.0, 297.0)),
        "a5" => Some((148.0, 210.0)),
        "a6" => Some((105.0, 148.0)),
        "b5" => Some((176.0, 250.0)),
        "b6" => Some((125.0, 176.0)),
        "16k" => Some((185.0, 260.0)),
        "32k" => Some((130.0, 184.0)),
        "letter" => Some((215.9, 279.4)),
        _ => None,
    };
    if let Some((w, h)) = named {
        return Ok((w * MM, h * MM));
    }
    let bad = || format!("unknown page size `{text}`: use A4, A5, A6, B5, B6, 16K, 32K, letter, or a size such as `6x9in` or `148mm x 210mm`");
    let (w, h) = t.split_once('x').ok_or_else(bad)?;
    let unit_of = |s: &str| ["mm", "cm", "in", "pt"].into_iter().find(|u| s.ends_with(u));
    let unit = unit_of(h).ok_or_else(bad)?;
    let w = w.strip_suffix(unit_of(w).unwrap_or("")).unwrap_or(w);
    let h = &h[..h.len() - unit.len()];
    let scale = match unit {
        "mm" => MM,
        "cm" => 10.0 * MM,
        "in" => 72.0,
        _ => 1.0,
    };
    let (w, h): (f32, f32) = (w.parse().map_err(|_| bad())?, h.parse().map_err(|_| bad())?);
    if !(w >= 1.0 && h >= 1.0 && w * scale <= 14_400.0 && h * scale <= 14_400.0) {
        return Err(format!("page size `{text}` is out of range"));
    }
    Ok((w * scale, h * scale))
}

/// A value of book.toml that is read but cannot be used: where it is and why.
struct BadValue {
    span: std::ops::Range<usize>,
    message: String,
}

/// `value`'s own value if `valid` holds for it; else why not, at its place.
fn checked<T: Copy>(value: &Spanned<T>, valid: impl Fn(T) -> bool, why: impl Fn(T) -> String) -> Result<T, BadValue> {
    let v = *value.get_ref();
    if valid(v) { Ok(v) } else { Err(BadValue { span: value.span(), message: why(v) }) }
}

impl PdfSection {
    fn resolve(self) -> Result<PdfConfig, BadValue> {
        let mut c = PdfConfig::default();
        if let Some(size) = &self.page_size {
            c.page_size = parse_page_size(size.get_ref()).map_err(|message| BadValue { span: size.span(), message })?;
        }
        if let Some(f) = &self.font_size {
            c.font_size = checked(f, |f| (6.0..=24.0).contains(&f), |f| format!("font-size = {f} is out of range: give points between 6 and 24"))?;
        }
        if let Some(l) = &self.line_height {
            let why = |l| format!("line-height = {l} is out of range: give a multiple of the font size between 1.2 and 2.5");
            c.line_height = checked(l, |l| (1.2..=2.5).contains(&l), why)?;
        }
        if let Some(m) = &self.margins {
            let valid = |m: Margins| [m.top, m.bottom, m.inner, m.outer].iter().all(|v| (0.0..=100.0).contains(v));
            c.margins = checked(m, valid, |_| "margins are millimetres between 0 and 100".into())?;
        }
        if let Some(b) = &self.bleed {
            c.bleed = checked(b, |b| (0.0..=10.0).contains(&b), |b| format!("bleed = {b} is out of range: give millimetres between 0 and 10"))?;
        }
        c.print = self.print;
        c.fallback_fonts = self.fallback_fonts;
        c.system_fonts = self.system_fonts.unwrap_or(true);
        c.fonts = self.fonts.unwrap_or_default();
        c.punctuation = self.punctuation.unwrap_or_default();
        c.hanging_punctuation = self.hanging_punctuation;
        c.cover = self.cover.unwrap_or(!self.print);
        c.notes = self.notes.unwrap_or_default();
        c.note_numbers = self.note_numbers.unwrap_or_default();
        c.highlight = self.highlight.unwrap_or_else(|| DEFAULT_HIGHLIGHT.into());
        c.standard = self.standard.unwrap_or_default();
        // The text block must hold a page of text: 10 characters a line and 6 lines at least.
        let (width, height) = c.page_size;
        let m = c.margins;
        let (text_width, text_height) = (width - (m.inner + m.outer) * MM, height - (m.top + m.bottom) * MM);
        if text_width < 10.0 * c.font_size || text_height < 6.0 * c.font_size * c.line_height {
            let span = [self.page_size.as_ref().map(Spanned::span), self.margins.as_ref().map(Spanned::span), self.font_size.as_ref().map(Spanned::span)].into_iter().flatten().next().unwrap_or(0..0);
            let message = format!(
                "the page, {:.0}×{:.0} mm, leaves {:.0}×{:.0} mm inside its margins: a page of text needs 10 characters a line and 6 lines at least",
                width / MM, height / MM, (text_width / MM).max(0.0), (text_height / MM).max(0.0)
            );
            return Err(BadValue { span, message });
        }
        Ok(c)
    }
}

/// Everything a build needs to know about the book, with defaults filled in.
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) root: PathBuf,
    pub(crate) manuscripts: PathBuf,
    pub(crate) covers: PathBuf,
    pub title: String,
    pub(crate) subtitle: Option<String>,
    pub(crate) authors: Vec<String>,
    pub(crate) language: String,
    pub(crate) description: Option<String>,
    pub(crate) publisher: Option<String>,
    pub(crate) identifier: Option<String>,
    pub(crate) date: Option<String>,
    pub(crate) zone: Zone,
    /// The address the blog is served at (`https://blog.example.com`, no trailing slash).
    pub(crate) site_url: Option<String>,
    pub(crate) drafts: bool,
    /// `[build] offline` or `--offline`: remote images only from the cache.
    pub(crate) offline: bool,
    /// `[build] fetch-timeout`: how long one remote image may take.
    pub(crate) fetch_timeout: std::time::Duration,
    pub(crate) require_dates: bool,
    pub(crate) output_name: Option<String>,
    pub(crate) order: Order,
    pub(crate) formats: Vec<Format>,
    pub(crate) cover: Option<PathBuf>,
    /// `None`: the locale's order.
    pub(crate) tag_index: Option<TagIndex>,
    /// `[book] language` or the blog's: else wenji reads the essays to tell Simplified from Traditional.
    pub(crate) language_chosen: bool,
    /// `[book] convert` or `--convert`: an edition in the other script.
    pub(crate) convert: Option<Conversion>,
    pub(crate) quotes: Quotes,
    /// `[epub] embed-fonts`: the EPUB carries subsets of the PDF's fonts.
    pub(crate) embed_fonts: bool,
    /// `[epub] highlight`: the code highlighting theme, or `none`.
    pub(crate) epub_highlight: String,
    /// `[epub] formula-images`: each formula's MathML names a picture of it (`altimg`).
    pub(crate) formula_images: bool,
    pub pdf: PdfConfig,
    /// Warnings about the book's settings (a title guessed from a posts folder).
    pub(crate) notes: Vec<Diagnostic>,
    /// book.toml as read (empty without one), where later errors about its values point.
    pub(crate) book_toml: String,
}

pub(crate) const FILE_NAME: &str = "book.toml";

impl Config {
    /// The conventions the book is set in, from its `language`.
    pub(crate) fn locale(&self) -> Locale {
        Locale::of(&self.language)
    }

    /// Finds the book for `dir`: a folder with `book.toml`, the manuscripts folder of such a
    /// book, or a plain folder of essays. With no `dir`, the current folder if it has
    /// `book.toml`, else `manuscripts`.
    pub fn locate(dir: Option<&Path>) -> Result<Config, Diagnostic> {
        let dir = match dir {
            Some(d) => d.to_path_buf(),
            None if Path::new(FILE_NAME).is_file() => PathBuf::from("."),
            None => PathBuf::from("manuscripts"),
        };
        if !dir.is_dir() {
            return Err(Diagnostic::error(format!("`{}` is not a folder", dir.display()))
                .with_hint("give the folder of essays, or a book folder with book.toml and manuscripts/"));
        }
        if dir.join(FILE_NAME).is_file() {
            return Config::load(&dir, None);
        }
        let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if parent.join(FILE_NAME).is_file() {
            let book = Config::load(parent, None)?;
            if same_folder(&book.manuscripts, &dir) {
                return Ok(book);
            }
        }
        Config::load(&dir, Some(&dir))
    }

    /// Reads `root/book.toml` if it is there (a link that leads nowhere or a pipe is an error); `essays` overrides where the essays are.
    fn load(root: &Path, essays: Option<&Path>) -> Result<Config, Diagnostic> {
        let path = root.join(FILE_NAME);
        let text = if std::fs::symlink_metadata(&path).is_ok() {
            crate::input::read_text(&path, SETTINGS_MAX).map_err(|e| Diagnostic::error(format!("cannot read book.toml: {e}")).in_file(&path))?
        } else {
            String::new()
        };
        let toml: BookToml = toml::from_str(&text).map_err(|e| {
            let (message, hint) = explain_toml_error(e.message().trim_end());
            let at = e.span().map_or(0, |s| s.start);
            Diagnostic::error(format!("invalid book.toml: {message}")).in_file(&path).at_offset(&text, at).with_hint(hint)
        })?;
        let misplaced = |bad: BadValue, section: &str, hint: &str| {
            Diagnostic::error(format!("book.toml {section}: {}", bad.message)).in_file(&path).at_offset(&text, bad.span.start).with_hint(hint)
        };
        if let Some(name) = &toml.build.output_name
            && file_stem(name).as_deref() != Some(name.as_str())
        {
            let at = key_offset(&text, "output-name");
            let message = format!("book.toml [build]: `output-name = \"{}\"` is not a plain file name", name.escape_debug());
            return Err(Diagnostic::error(message).in_file(&path).at_offset(&text, at).with_hint("name the file without folders or a leading dot, such as `my-book`; `-o` chooses the folder"));
        }
        let formats = toml.build.formats.clone().unwrap_or_else(|| vec![Format::Epub, Format::Pdf]);
        if formats.is_empty() {
            let at = key_offset(&text, "formats");
            return Err(Diagnostic::error("book.toml [build]: `formats = []` asks for no book").in_file(&path).at_offset(&text, at).with_hint("list what to make: `formats = [\"epub\", \"pdf\"]`, or leave the key out for both"));
        }
        let b = toml.book;
        check_metadata(&b, &text).map_err(|(message, at, hint)| Diagnostic::error(format!("book.toml [book]: {message}")).in_file(&path).at_offset(&text, at).with_hint(hint))?;
        // A blog's own configuration fills in what book.toml leaves out.
        let site = Site::find(essays.unwrap_or(root));
        let site_value = |pick: fn(&Site) -> Option<String>| site.as_ref().and_then(pick);
        let mut notes = Vec::new();
        let zone = match &b.time_zone {
            Some(z) => Zone::parse(z.get_ref()).map_err(|message| {
                let hint = "use an IANA name such as `Asia/Shanghai`, or an offset such as `+08:00`";
                misplaced(BadValue { span: z.span(), message: message.to_string() }, "[book]", hint)
            })?,
            None => site_zone(site.as_ref(), &mut notes),
        };
        let site_url = match &b.site_url {
            Some(url) => Some(site::web_address(url.get_ref()).ok_or_else(|| {
                let message = format!("`site-url = \"{}\"` is not a web address", url.get_ref());
                misplaced(BadValue { span: url.span(), message }, "[book]", "write the blog's address as it is served, such as `https://blog.example.com`")
            })?),
            None => site_value(|s| s.address.clone()),
        };
        let site_root = site.as_ref().filter(|s| same_folder(&s.root, essays.unwrap_or(root)));
        let manuscripts = match (essays, b.manuscripts) {
            // `essays`, not `./essays`, in what diagnostics show when the book is the current folder.
            (None, Some(m)) => root.join(&m).strip_prefix(".").map_or_else(|_| root.join(&m), Path::to_path_buf),
            // At a blog's root: its posts.
            _ if site_root.is_some() => site_root.expect("some").posts.clone(),
            (Some(e), _) => e.to_path_buf(),
            (None, None) => root.join("manuscripts"),
        };
        let fetch_timeout = match &toml.build.fetch_timeout {
            Some(t) => checked(t, |s| (0.5..=300.0).contains(&s), |s| format!("`fetch-timeout = {s}` is out of range (0.5 to 300 seconds)"))
                .map_err(|bad| misplaced(bad, "[build]", "give the seconds one remote image may take, such as `fetch-timeout = 10`"))?,
            None => 10.0,
        };
        let fetch_timeout = std::time::Duration::from_secs_f32(fetch_timeout);
        let pdf = toml.pdf.resolve().map_err(|bad| misplaced(bad, "[pdf]", "the README lists the values each key of book.toml takes"))?;
        let title = match b.title.filter(|t| !t.trim().is_empty()).or_else(|| site_value(|s| s.title.clone())) {
            Some(title) => title,
            None => untitled_book(root, site.as_ref(), &mut notes),
        };
        let language = b.language.as_ref().map(|l| l.replace('_', "-"));
        let authors = match b.authors.into_vec() {
            none if none.is_empty() => site.as_ref().map(|s| s.authors.clone()).unwrap_or_default(),
            authors => authors,
        };
        let language_chosen = language.is_some() || site.as_ref().is_some_and(|s| s.language.as_ref().is_some_and(|(_, book)| book.is_some()));
        let language = language.unwrap_or_else(|| site_language(site.as_ref(), &mut notes));
        let convert = match &b.convert {
            Some(name) => Some(Conversion::named(name.get_ref()).ok_or_else(|| {
                let names: Vec<&str> = crate::locale::CONVERSIONS.iter().map(|(n, _)| *n).collect();
                let message = format!("`convert = \"{}\"` is not a conversion wenji knows", name.get_ref());
                misplaced(BadValue { span: name.span(), message }, "[book]", &format!("choose one of {}", names.join(", ")))
            })?),
            None => None,
        };
        Ok(Config {
            covers: root.join(b.covers.unwrap_or_else(|| "covers".into())),
            root: root.to_path_buf(),
            manuscripts,
            title,
            subtitle: b.subtitle.or_else(|| site_value(|s| s.subtitle.clone())),
            authors,
            cover: b.cover.map(|c| root.join(c)),
            tag_index: b.tag_index,
            language_chosen,
            convert,
            quotes: b.quotes,
            embed_fonts: toml.epub.embed_fonts,
            epub_highlight: toml.epub.highlight.clone().unwrap_or_else(|| DEFAULT_HIGHLIGHT.into()),
            formula_images: toml.epub.formula_images.unwrap_or(true),
            language,
            description: b.description.or_else(|| site_value(|s| s.description.clone())),
            publisher: b.publisher,
            identifier: b.identifier,
            date: b.date,
            zone,
            site_url,
            drafts: toml.build.drafts,
            offline: toml.build.offline,
            fetch_timeout,
            require_dates: toml.build.require_dates,
            output_name: toml.build.output_name,
            order: toml.build.order,
            formats,
            pdf,
            notes,
            book_toml: text,
        })
    }

    /// An error about `value`, a string of book.toml, at its first place there (in the file
    /// alone if it cannot be found).
    pub(crate) fn value_error(&self, message: &str, value: &str) -> Diagnostic {
        let d = Diagnostic::error(message).in_file(&self.root.join(FILE_NAME));
        let quoted = toml::Value::String(value.to_owned()).to_string();
        match self.book_toml.find(&quoted) {
            Some(at) => d.at_offset(&self.book_toml, at),
            None => d,
        }
    }

    /// The output file name without extension: configured, else the title made safe for file systems.
    pub(crate) fn output_stem(&self) -> String {
        match &self.output_name {
            Some(name) => name.clone(),
            None => file_stem(&self.title).unwrap_or_else(|| "book".into()),
        }
    }
}

/// The longest output file name stem, in bytes: with `.layout.txt` and the temporary
/// suffix of an unfinished file it stays under the 255 bytes of common file systems.
const STEM_MAX: usize = 120;

/// `name` as a file name of the output folder: no folders (`/`, `\\`), none of the characters
/// Windows refuses, no control or format characters (a right-to-left override), not hidden
/// (no leading dot), no trailing dot or space, at most `STEM_MAX` bytes. `None` when nothing
/// is left.
pub(crate) fn file_stem(name: &str) -> Option<String> {
    let safe: String = name.chars().filter(|&c| !c.is_control() && !is_format(c)).map(|c| if "/\\:*?\"<>|".contains(c) { '_' } else { c }).collect();
    let mut safe = safe.trim().trim_start_matches(['.', ' ']).to_owned();
    if safe.len() > STEM_MAX {
        let mut cut = STEM_MAX;
        while !safe.is_char_boundary(cut) {
            cut -= 1;
        }
        safe.truncate(cut);
    }
    let safe = safe.trim_end_matches(['.', ' ']);
    (!safe.is_empty()).then(|| safe.to_owned())
}

/// Unicode's format characters (general category Cf): invisible, and in a file name able to
/// make it read as another (U+202E turns `gpj.exe` around).
fn is_format(c: char) -> bool {
    matches!(c as u32, 0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x890..=0x891 | 0x8E2 | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E
        | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// A TOML error's message in the user's terms, and a hint: the nearest valid key for an
/// unknown one, and how to write a value of the wrong type.
fn explain_toml_error(message: &str) -> (String, String) {
    let short = message.split(", expected one of").next().unwrap_or(message);
    // serde names Rust's types ("expected f32"); say what to write.
    let mut plain = short.to_owned();
    for (rust, written) in [("f32", "a number"), ("f64", "a number"), ("u32", "a whole number"), ("u64", "a whole number"), ("i64", "a whole number"), ("usize", "a whole number")] {
        plain = plain.replace(&format!("expected {rust}"), &format!("expected {written}"));
    }
    let variants = message.strip_prefix("unknown variant ").and_then(|_| message.split("expected one of ").nth(1));
    let hint = if let Some(key) = nearest_key(message) {
        format!("did you mean `{key}`? The README lists the keys book.toml takes")
    } else if let Some(values) = variants {
        format!("write one of {values}")
    } else if plain.starts_with("invalid type: string") && plain.contains("number") {
        "write numbers without quotes, such as `font-size = 10.5`".to_owned()
    } else {
        "see the README for the keys book.toml takes".to_owned()
    };
    (plain, hint)
}

/// The valid key closest to the unknown one in a TOML error such as "unknown field `autors`,
/// expected one of `title`, `authors`": at most a third of its letters apart.
fn nearest_key(message: &str) -> Option<String> {
    let unknown = message.strip_prefix("unknown field `")?.split('`').next()?;
    let expected = message.split("expected one of ").nth(1).or_else(|| message.split("expected ").nth(1))?;
    let keys = expected.split(", ").map(|k| k.trim().trim_matches('`'));
    let (distance, key) = keys.map(|k| (edit_distance(unknown, k), k)).min()?;
    (distance <= unknown.chars().count().div_ceil(3).max(1)).then(|| key.to_owned())
}

/// Edits (insert, delete, replace, or swap two neighbours) that make `a` into `b`: `pfd` is
/// one from `pdf`.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // d[i][j]: edits from a[..i] to b[..j].
    let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for j in 0..=b.len() {
        d[0][j] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let replace = d[i - 1][j - 1] + usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = replace.min(d[i - 1][j] + 1).min(d[i][j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// The name of the folder `dir` is (`.` is the current folder's name); `None` for the root.
pub(crate) fn folder_name(dir: &Path) -> Option<String> {
    folder_names(dir).into_iter().next()
}

/// The names of `dir` and the folders above it, nearest first.
fn folder_names(dir: &Path) -> Vec<String> {
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    absolute
        .components()
        .rev()
        .filter_map(|c| match c {
            std::path::Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect()
}

/// Names blog generators give the folders that hold posts (Hexo's `source/_posts`, Jekyll's
/// `_posts`, Hugo's `content/post`, a language's `content/cn`): no book is called that.
const POSTS_FOLDERS: [&str; 14] =
    ["_posts", "_drafts", "posts", "post", "source", "content", "src", "docs", "manuscripts", "cn", "zh", "zh-cn", "zh-tw", "zh-hk"];

pub(crate) fn is_posts_folder(name: &str) -> bool {
    POSTS_FOLDERS.iter().any(|f| f.eq_ignore_ascii_case(name))
}

/// The name of the book in `dir`: the folder's own, or for a posts folder the nearest folder
/// above it with a name of its own (`blog` for `blog/source/_posts`).
pub(crate) fn book_name(dir: &Path) -> Option<String> {
    let mut names = folder_names(dir).into_iter().peekable();
    let own = names.peek()?.clone();
    Some(names.find(|n| !is_posts_folder(n)).unwrap_or(own))
}

/// The title of a book with no title in book.toml or the blog's configuration: its folder's
/// name, or for a posts folder (or a blog) the blog folder's name, with a warning that says so.
fn untitled_book(root: &Path, site: Option<&Site>, notes: &mut Vec<Diagnostic>) -> String {
    let own = folder_name(root).unwrap_or_else(|| "book".into());
    if !is_posts_folder(&own) && site.is_none() {
        return own;
    }
    let name = site.and_then(|s| folder_name(&s.root)).filter(|n| !is_posts_folder(n)).or_else(|| book_name(root)).unwrap_or(own.clone());
    let (place, hint) = match site {
        Some(s) => (s.file.clone(), format!("set `title` in `{}`, or put a book.toml with `[book]` and `title = \"…\"` beside it", s.file.display())),
        None => (root.to_path_buf(), format!("put a book.toml with `[book]` and `title = \"…\"` in `{}` (`wenji init` writes one), or set `title` in the blog's own configuration", root.display())),
    };
    notes.push(Diagnostic::warning(format!("the book has no title, so it is called `{name}`, after the blog's folder")).in_file(&place).with_hint(hint));
    name
}

/// The blog's time zone, or the default (with a warning when the blog names one wenji cannot read).
fn site_zone(site: Option<&Site>, notes: &mut Vec<Diagnostic>) -> Zone {
    let Some((site, name)) = site.and_then(|s| Some((s, s.time_zone.as_deref()?))) else { return Zone::default() };
    Zone::parse(name).unwrap_or_else(|why| {
        let hint = "set `time-zone` in book.toml's `[book]`, such as `Asia/Shanghai`";
        notes.push(Diagnostic::warning(format!("the blog's time zone `{name}` is not used: {why}")).in_file(&site.file).with_hint(hint));
        Zone::default()
    })
}

/// The blog's language when it is a Chinese one; else `zh-CN`, with a warning when the blog
/// names another language (often the generator's default `en`).
fn site_language(site: Option<&Site>, notes: &mut Vec<Diagnostic>) -> String {
    match site.and_then(|s| Some((s, s.language.as_ref()?))) {
        Some((_, (_, Some(book)))) => (*book).to_owned(),
        Some((site, (written, None))) => {
            let hint = "wenji sets Chinese books; set `language` in book.toml's `[book]` to choose zh-CN, zh-TW or zh-HK";
            notes.push(Diagnostic::warning(format!("the blog's language is `{written}`; the book is set as zh-CN")).in_file(&site.file).with_hint(hint));
            "zh-CN".into()
        }
        None => "zh-CN".into(),
    }
}

/// What the EPUB's metadata cannot carry: a key given but empty, a language that is not a
/// BCP 47 tag (`zh_CN` is taken as `zh-CN`), a date that is not `YYYY-MM-DD`. The message,
/// where the key stands in `text`, and a hint.
fn check_metadata(b: &BookSection, text: &str) -> Result<(), (String, usize, &'static str)> {
    let blank = |v: &Option<String>| v.as_deref().is_some_and(|s| s.trim().is_empty());
    let keys = [("subtitle", &b.subtitle), ("language", &b.language), ("description", &b.description), ("publisher", &b.publisher), ("identifier", &b.identifier), ("date", &b.date)];
    if let Some((key, _)) = keys.iter().find(|(_, v)| blank(v)) {
        return Err((format!("`{key}` is empty"), key_offset(text, key), "give it a value, or leave the key out"));
    }
    if b.authors.iter().any(|a| a.trim().is_empty()) {
        return Err(("`authors` holds an empty name".into(), key_offset(text, "authors"), "leave the empty name out"));
    }
    if let Some(language) = &b.language
        && !is_language_tag(&language.replace('_', "-"))
    {
        return Err((format!("`language = \"{language}\"` is not a language tag"), key_offset(text, "language"), "write a BCP 47 tag such as `zh-CN`, `zh-TW`, `zh-Hant` or `en`"));
    }
    if let Some(date) = &b.date
        && chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").is_err()
    {
        return Err((format!("`date = \"{date}\"` is not a date"), key_offset(text, "date"), "write the publication date as `YYYY-MM-DD`, such as `2024-05-01`"));
    }
    Ok(())
}

/// Where `key = …` is written in book.toml's `text` (0 when it is not).
fn key_offset(text: &str, key: &str) -> usize {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with('=')) {
            return offset + line.len() - trimmed.len();
        }
        offset += line.len();
    }
    0
}

/// Whether `tag` is a well-formed BCP 47 language tag (RFC 5646: language, extlangs, script,
/// region, variants, extensions, private use; each subtag 1 to 8 letters or digits).
pub(crate) fn is_language_tag(tag: &str) -> bool {
    let subtags: Vec<&str> = tag.split('-').collect();
    if subtags.iter().any(|s| s.is_empty() || s.len() > 8 || !s.bytes().all(|b| b.is_ascii_alphanumeric())) {
        return false;
    }
    let alpha = |s: &str, n: std::ops::RangeInclusive<usize>| n.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphabetic());
    let mut rest = &subtags[..];
    // The language: 2–3 letters with up to three 3-letter extlangs, or 5–8 letters.
    match rest.first() {
        Some(s) if alpha(s, 2..=3) => {
            rest = &rest[1..];
            let extlangs = rest.iter().take(3).take_while(|s| alpha(s, 3..=3)).count();
            rest = &rest[extlangs..];
        }
        Some(s) if alpha(s, 5..=8) => rest = &rest[1..],
        Some(s) if s.eq_ignore_ascii_case("x") => return subtags.len() > 1,
        _ => return false,
    }
    if rest.first().is_some_and(|s| alpha(s, 4..=4)) {
        rest = &rest[1..];
    }
    if rest.first().is_some_and(|s| alpha(s, 2..=2) || (s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()))) {
        rest = &rest[1..];
    }
    while rest.first().is_some_and(|s| s.len() >= 5 || (s.len() == 4 && s.as_bytes()[0].is_ascii_digit())) {
        rest = &rest[1..];
    }
    // Extensions and private use: a single letter or digit, then subtags of their own.
    while let Some(single) = rest.first() {
        let private = single.eq_ignore_ascii_case("x");
        if single.len() != 1 {
            return false;
        }
        let body = rest[1..].iter().take_while(|s| private || s.len() >= 2).count();
        if body == 0 {
            return false;
        }
        rest = &rest[1 + body..];
    }
    true
}

fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_names_stay_plain_visible_and_short() {
        assert_eq!(file_stem("随笔集").as_deref(), Some("随笔集"));
        assert_eq!(file_stem("../x").as_deref(), Some("_x"));
        assert_eq!(file_stem("/etc/passwd").as_deref(), Some("_etc_passwd"));
        assert_eq!(file_stem(".."), None);
        assert_eq!(file_stem(""), None);
        assert_eq!(file_stem(".hidden").as_deref(), Some("hidden"));
        assert_eq!(file_stem("evil\u{202E}gpj.exe").as_deref(), Some("evilgpj.exe"));
        assert_eq!(file_stem("连\u{200D}字").as_deref(), Some("连字"));
        let long = file_stem(&"长".repeat(100)).unwrap();
        assert_eq!(long, "长".repeat(40));
    }

    #[test]
    fn language_tags_are_checked_as_bcp_47() {
        for good in ["zh", "zh-CN", "zh-Hans", "zh-Hant-TW", "zh-yue-HK", "en-US", "de-CH-1996", "sl-rozaj-biske", "en-a-bbb-x-a-ccc", "x-whatever", "es-419", "zh-cmn-Hans-CN"] {
            assert!(is_language_tag(good), "{good}");
        }
        for bad in ["", "中文", "zh_CN", "zh-", "-zh", "z", "zh-CN-", "abcdefghi", "zh-a", "en-x", "zh CN"] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }

    fn book(toml: &str) -> (tempfile::TempDir, Result<Config, Diagnostic>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("manuscripts")).unwrap();
        std::fs::write(dir.path().join(FILE_NAME), toml).unwrap();
        let c = Config::locate(Some(dir.path()));
        (dir, c)
    }

    #[test]
    fn an_unknown_key_names_the_nearest_valid_one() {
        let (_dir, c) = book("[book]\ntitle = \"文集\"\nautors = [\"甲\"]\n");
        let d = c.unwrap_err();
        assert_eq!(d.message, "invalid book.toml: unknown field `autors`");
        assert_eq!((d.line, d.col), (3, 1));
        assert!(d.hint.as_deref().unwrap().starts_with("did you mean `authors`?"), "{d:?}");
        let (_dir, c) = book("[build]\nzzzzzz = 1\n");
        assert!(c.unwrap_err().hint.unwrap().starts_with("see the README"));
    }

    #[test]
    fn authors_order_and_formats() {
        let (_dir, c) = book("[book]\nauthor = \"甲\"\n[build]\norder = \"desc\"\nformats = [\"pdf\"]\n");
        let c = c.unwrap();
        assert_eq!(c.authors, ["甲"]);
        assert_eq!(c.order, Order::Desc);
        assert_eq!(c.formats, [Format::Pdf]);
        let (_dir, c) = book("[build]\norder = \"random\"\n");
        assert!(c.unwrap_err().message.contains("unknown variant `random`"));
    }

    #[test]
    fn reads_book_toml() {
        let (dir, c) = book("[book]\ntitle = \"文集\"\nauthors = [\"甲\"]\ntime-zone = \"Asia/Shanghai\"\n");
        let c = c.unwrap();
        assert_eq!(c.title, "文集");
        assert_eq!(c.authors, ["甲"]);
        assert_eq!(c.manuscripts, dir.path().join("manuscripts"));
        assert_eq!(c.language, "zh-CN");
    }

    #[test]
    fn manuscripts_folder_of_a_book_finds_its_book_toml() {
        let (dir, _) = book("[book]\ntitle = \"文集\"\n");
        let c = Config::locate(Some(&dir.path().join("manuscripts"))).unwrap();
        assert_eq!(c.title, "文集");
    }

    #[test]
    fn unknown_key_is_an_error_with_its_line() {
        let (_dir, c) = book("[book]\ntitle = \"x\"\ntitel = \"y\"\n");
        let d = c.unwrap_err();
        assert!(d.message.contains("titel"), "{}", d.message);
        assert_eq!(d.line, 3);
    }

    #[test]
    fn plain_essay_folder_takes_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let essays = dir.path().join("我的博客");
        std::fs::create_dir(&essays).unwrap();
        let c = Config::locate(Some(&essays)).unwrap();
        assert_eq!(c.title, "我的博客");
        assert_eq!(c.manuscripts, essays);
        assert_eq!(c.output_stem(), "我的博客");
    }

    #[test]
    fn pdf_section_and_page_sizes() {
        let (_dir, c) = book("[pdf]\npage-size = \"6x9in\"\nprint = true\nbleed = 3\n");
        let c = c.unwrap().pdf;
        assert_eq!(c.page_size, (432.0, 648.0));
        assert!(c.print);
        let (w, h) = parse_page_size("A5").unwrap();
        assert!((w - 419.53).abs() < 0.01 && (h - 595.28).abs() < 0.01, "{w} {h}");
        let (w, h) = parse_page_size("148mm x 210mm").unwrap();
        assert!((w - 419.53).abs() < 0.01 && (h - 595.28).abs() < 0.01);
        assert!(parse_page_size("A9").unwrap_err().contains("unknown page size"));
        let (_dir, c) = book("[pdf]\nfont-size = 40\n");
        assert!(c.unwrap_err().message.contains("font-size"));
    }

    #[test]
    fn a_misspelt_table_and_a_bad_value_are_placed_and_explained() {
        let (_dir, c) = book("[book]\ntitle = \"x\"\n\n[pfd]\nprint = true\n");
        let d = c.unwrap_err();
        assert_eq!((d.line, d.col), (4, 2), "{d:?}");
        assert!(d.hint.unwrap().starts_with("did you mean `pdf`?"));
        let (_dir, c) = book("[pdf]\nprint = true\npage-size = \"A7\"\n");
        let d = c.unwrap_err();
        assert_eq!((d.line, d.col), (3, 13), "{d:?}");
        assert!(d.message.starts_with("book.toml [pdf]: unknown page size `A7`"), "{}", d.message);
        let (_dir, c) = book("[pdf]\nfont-size = \"10.5\"\n");
        let d = c.unwrap_err();
        assert_eq!(d.message, "invalid book.toml: invalid type: string \"10.5\", expected a number");
        assert_eq!((d.line, d.col), (2, 13));
        assert_eq!(d.hint.unwrap(), "write numbers without quotes, such as `font-size = 10.5`");
        let (_dir, c) = book("[pdf]\nmargins = { top = 20, bottom = 22, inner = 222, outer = 22 }\n");
        assert_eq!(c.unwrap_err().line, 2);
        let (_dir, c) = book("[book]\ntime-zone = \"Mars/Olympus\"\n");
        let d = c.unwrap_err();
        assert_eq!((d.line, d.col), (2, 13), "{d:?}");
    }

    #[test]
    fn edit_distance_counts_a_swap_as_one() {
        assert_eq!(edit_distance("pfd", "pdf"), 1);
        assert_eq!(edit_distance("autors", "authors"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn a_posts_folder_takes_the_blog_s_title_or_name() {
        let dir = tempfile::tempdir().unwrap();
        let posts = dir.path().join("我的博客/source/_posts");
        std::fs::create_dir_all(&posts).unwrap();
        let c = Config::locate(Some(&posts)).unwrap();
        assert_eq!(c.title, "我的博客");
        assert_eq!(c.notes.len(), 1);
        assert!(c.notes[0].message.contains("called `我的博客`, after the blog's folder"), "{}", c.notes[0].message);
        assert_eq!(book_name(&posts).as_deref(), Some("我的博客"));
        std::fs::write(dir.path().join("我的博客/_config.yml"), "title: 山中笔记\nsubtitle: x\n").unwrap();
        let c = Config::locate(Some(&posts)).unwrap();
        assert_eq!((c.title.as_str(), c.notes.len()), ("山中笔记", 0));
        let hugo = dir.path().join("site/content/post");
        std::fs::create_dir_all(&hugo).unwrap();
        std::fs::write(dir.path().join("site/hugo.toml"), "baseURL = \"/\"\ntitle = \"水边\"\n").unwrap();
        assert_eq!(Config::locate(Some(&hugo)).unwrap().title, "水边");
    }

    #[test]
    fn output_stem_is_safe() {
        let (_dir, c) = book("[book]\ntitle = \"a/b: c?\"\n");
        assert_eq!(c.unwrap().output_stem(), "a_b_ c_");
    }
}
