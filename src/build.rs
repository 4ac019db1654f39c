//! The build: read every essay, assemble the book, write each output atomically.

use crate::edition::Edition;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use rayon::prelude::*;

use crate::assets::{Asset, FormulaImage, FormulaImages};
use crate::book::{self, Book};
use crate::config::{Config, Format};
use crate::diag::Diagnostic;
use crate::manuscript::{self, ReadOptions};
use crate::markdown;
use crate::raster;
use crate::pdf::Streamed;
use crate::font::FontSet;
use crate::typeset::{self, frame::{self, Page, Summary}};

/// What a build wrote.
#[derive(Debug, Clone)]
pub(crate) struct Output {
    pub(crate) format: Format,
    pub path: PathBuf,
    pub(crate) bytes: u64,
    /// Pages, for the PDF and the layout dump.
    pub pages: Option<usize>,
}

/// Told how a build goes, to show progress; every method may be called from several threads.
pub(crate) trait Progress: Sync {
    /// A stage begins; `total` is how many steps it has, 0 when unknown.
    fn stage(&self, _name: &str, _total: usize) {}
    /// One step of the stage is done.
    fn step(&self) {}
}

/// Progress shown nowhere.
pub(crate) struct Silent;
impl Progress for Silent {}

/// What building (or checking) one book did.
#[derive(Debug, Default)]
pub(crate) struct Report {
    pub title: Option<String>,
    pub essays: usize,
    /// Drafts not in the book.
    pub(crate) drafts_left_out: usize,
    pub(crate) images: crate::book::ImageCounts,
    pub(crate) formulas: crate::doc::FormulaCounts,
    pub(crate) outputs: Vec<Output>,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// Each stage and how long it took.
    pub(crate) timings: Vec<(&'static str, Duration)>,
    /// Why the book was not built, when that is not an error diagnostic (an unwritable folder).
    pub(crate) failure: Option<String>,
}

impl Report {
    pub(crate) fn ok(&self) -> bool {
        self.failure.is_none() && !self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Reads and assembles the book. `None` when an error stops it; the diagnostics say why.
pub fn load(config: &Config) -> (Option<Book>, Vec<Diagnostic>) {
    load_with(config, &Silent)
}

pub(crate) fn load_with(config: &Config, progress: &dyn Progress) -> (Option<Book>, Vec<Diagnostic>) {
    let (files, notes) = match manuscript::find_reporting(&config.manuscripts) {
        Ok(f) => f,
        Err(e) => {
            let d = Diagnostic::error(format!("cannot read the manuscripts folder: {e}")).in_file(&config.manuscripts);
            return (None, vec![d]);
        }
    };
    if files.is_empty() {
        let d = Diagnostic::error("no essays found: the folder has no `.md` or `.markdown` files")
            .in_file(&config.manuscripts)
            .with_hint("put the essays (Markdown with front matter) in this folder, or name another with `wenji build DIR`");
        // What was left out on the way (a link, an unreadable folder) may be why.
        return (None, notes.into_iter().chain([d]).collect());
    }
    let mut notes = notes;
    let edition = edition_of(config, &files, &mut notes);
    let config = &edition;
    progress.stage("reading essays", files.len());
    let options = ReadOptions { zone: config.zone, require_dates: config.require_dates, locale: config.locale() };
    let read: Vec<_> = files
        .par_iter()
        .map(|path| {
            let (m, mut diags) = manuscript::read(path, &options);
            let parsed = m.map(|mut m| {
                if config.convert.is_some() {
                    // A converted edition is in one script: an essay's own `lang` gives way.
                    (m.meta.lang, m.meta.locale) = (None, config.locale());
                }
                let (mut body, more) = markdown::parse(&m);
                diags.extend(more);
                Edition::new(config.convert, config.quotes, m.meta.locale).apply(&mut m.meta, &mut body);
                if let Some(title) = body.title.take() {
                    m.meta.title = title;
                }
                (m, body)
            });
            progress.step();
            (parsed, diags)
        })
        .collect();
    let mut diags = config.notes.clone();
    diags.extend(notes);
    let mut essays = Vec::with_capacity(read.len());
    for (parsed, d) in read {
        diags.extend(d);
        essays.extend(parsed);
    }
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    if !config.drafts && !essays.is_empty() && essays.iter().all(|(m, _)| m.meta.draft) {
        diags.push(
            Diagnostic::error("every essay is a draft, so the book would be empty")
                .in_file(&config.manuscripts)
                .with_hint("set `drafts = true` under [build] in book.toml, or remove `draft: true` from an essay"),
        );
        return (None, diags);
    }
    let (book, more) = book::assemble(config, essays, source_date_epoch());
    diags.extend(more);
    (Some(book), diags)
}

/// The config of the edition to print: in the language of its conversion, if any, with its
/// title and other words of book.toml converted; else in the language the essays are written
/// in (Traditional or Simplified, read from a sample of them) when neither book.toml nor the
/// blog names one.
fn edition_of(config: &Config, files: &[std::path::PathBuf], notes: &mut Vec<Diagnostic>) -> Config {
    let mut edition = config.clone();
    if let Some(conversion) = config.convert {
        edition.language = conversion.language().to_owned();
        let converted = Edition::new(Some(conversion), crate::config::Quotes::Keep, edition.locale());
        edition.title = converted.text(&config.title);
        for s in edition.subtitle.iter_mut().chain(edition.description.iter_mut()).chain(edition.authors.iter_mut()).chain(edition.publisher.iter_mut()) {
            *s = converted.text(s);
        }
    } else if !config.language_chosen && crate::convert::reads_traditional(&sample(files)) {
        edition.language = "zh-TW".into();
        let hint = "set `language` in book.toml's `[book]`: `zh-TW`, `zh-HK`, or `zh-CN` to keep the mainland's conventions";
        notes.push(Diagnostic::warning("the essays are written in Traditional characters: the book is set as zh-TW").in_file(&config.manuscripts).with_hint(hint));
    }
    edition
}

/// The opening of up to 16 essays spread over the book, to tell which script it is written in.
fn sample(files: &[std::path::PathBuf]) -> String {
    const SAMPLED: usize = 16;
    const OPENING: u64 = 16 << 10;
    let step = files.len().div_ceil(SAMPLED).max(1);
    let mut text = String::new();
    for path in files.iter().step_by(step) {
        if let Ok(bytes) = crate::input::read_start(path, OPENING) {
            text.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    text
}

/// `SOURCE_DATE_EPOCH`, the reproducible-builds convention, when set to a number.
fn source_date_epoch() -> Option<i64> {
    std::env::var("SOURCE_DATE_EPOCH").ok()?.trim().parse().ok()
}

/// Builds the book of `config` into `out_dir`: `formats`, else the book's own.
///
/// Must be called from a thread outside rayon's pool: it waits for the PDF writer, which needs
/// the pool (README, "Threads").
pub(crate) fn build(config: &Config, out_dir: &Path, formats: Option<&[Format]>, progress: &dyn Progress) -> Report {
    assert!(rayon::current_thread_index().is_none(), "build::build called from a thread of rayon's pool");
    let (mut report, book) = read(config, progress);
    let Some(book) = book else { return report };
    let mut formats = formats.unwrap_or(&config.formats).to_vec();
    formats.sort();
    formats.dedup();
    if let Err(e) = write_outputs(config, &book, out_dir, &formats, progress, &mut report) {
        report.failure = Some(format!("{e:#}"));
    }
    report
}

/// Reads and lays out the book without writing it: every problem a build would find.
pub(crate) fn check(config: &Config, progress: &dyn Progress) -> Report {
    let (mut report, book) = read(config, progress);
    if let Some(book) = book {
        match fonts(config, &book, &mut report.diagnostics) {
            Ok(fonts) => {
                lay_out(config, &book, &fonts, false, progress, &mut report, &mut |_| {});
            }
            Err(d) => report.diagnostics.push(d),
        }
    }
    report
}

/// The first stage of both: the book read, with its report so far.
fn read(config: &Config, progress: &dyn Progress) -> (Report, Option<Book>) {
    let started = Instant::now();
    let (book, mut diagnostics) = load_with(config, progress);
    // A highlighting theme book.toml names must exist.
    let mut book = book;
    for (section, name) in [("[pdf]", &config.pdf.highlight), ("[epub]", &config.epub_highlight)] {
        if !crate::highlight::is_theme(name) {
            let hint = format!("highlight takes one of: {}", crate::highlight::theme_names().join(", "));
            diagnostics.push(config.value_error(&format!("book.toml {section}: no code highlighting theme is called `{name}`"), name).with_hint(hint));
            book = None;
        }
    }
    let essays = book.as_ref().map_or(0, |b| b.essays.len());
    let (drafts_left_out, images, formulas) = book.as_ref().map_or_else(Default::default, |b| (b.drafts_left_out, b.images, b.formulas));
    let timings = vec![("read", started.elapsed())];
    (Report { title: Some(book.as_ref().map_or_else(|| config.title.clone(), |b| b.meta.title.clone())), essays, drafts_left_out, images, formulas, diagnostics, timings, ..Report::default() }, book)
}

/// The fonts of the book's locale with those its config names. A font that cannot be had is an
/// error at its name in book.toml, the same for `build` and `check`.
/// With `system-fonts`, a character none of them has is set in an installed font that has it,
/// with a warning in `notes` naming the font.
fn fonts(config: &Config, book: &Book, notes: &mut Vec<Diagnostic>) -> Result<FontSet, Diagnostic> {
    let mut fonts = FontSet::load(book.meta.locale, &config.pdf.fonts, &config.pdf.fallback_fonts, &config.root).map_err(|e| {
        let hint = "name a font file (relative to the book folder) or the family name of an installed font (`fc-list : family` lists them)";
        config.value_error(&format!("book.toml [pdf]: {}", e.message), &e.spec).with_hint(hint)
    })?;
    for essay in &book.essays {
        fonts.add_locale(essay.meta.locale);
    }
    if config.pdf.system_fonts {
        let m = &book.meta;
        let words = [&m.title, &m.description].into_iter().chain(&m.subtitle).chain(&m.authors).chain(book.essays.iter().map(|e| &e.meta.title));
        let mut text = words.flat_map(|s| s.chars()).chain(book.essays.iter().flat_map(|e| e.source.chars()));
        let (added, _) = fonts.add_installed_fallbacks(&mut text);
        for (font, chars) in added {
            let shown: String = chars.iter().take(20).collect();
            let more = if chars.len() > 20 { " …" } else { "" };
            let message = match chars.len() {
                1 => format!("`{shown}` (U+{:04X}) is in no font of the book; it is set in `{font}`, a font installed on this machine", chars[0] as u32),
                n => format!("{n} characters no font of the book has ({shown}{more}) are set in `{font}`, a font installed on this machine"),
            };
            let hint = "name a font under `fallback-fonts` in book.toml's [pdf] to choose it yourself, or `system-fonts = false` to use only the book's fonts";
            let d = Diagnostic::warning(message).with_hint(hint);
            notes.push(match book.essays.iter().find_map(|e| Some((e, e.source.find(chars[0])?))) {
                Some((essay, at)) => d.in_file(&essay.path).at_offset(&essay.source, at),
                None => d.in_file(&config.root.join("book.toml")),
            });
        }
    }
    Ok(fonts)
}

/// Typesets the book, handing each page to `sink` as it is finished. The lines' clusters
/// are kept only for the layout dump.
fn lay_out(config: &Config, book: &Book, fonts: &FontSet, clusters: bool, progress: &dyn Progress, report: &mut Report, sink: &mut dyn FnMut(Page)) -> Summary {
    progress.stage("typesetting", 0);
    let started = Instant::now();
    let (summary, more) = typeset::typeset_into(book, &config.pdf, fonts, clusters, sink);
    report.diagnostics.extend(more);
    report.timings.push(("typeset", started.elapsed()));
    summary
}

/// The EPUB's cover image when the book has none: the typographic cover, painted.
fn generated_cover(config: &Config, book: &Book, fonts: &FontSet) -> anyhow::Result<Asset> {
    let page = typeset::cover(book, &config.pdf, fonts);
    raster::jpeg(&page, config.pdf.page_size, fonts, COVER_WIDTH, "cover")
}

/// Pictures of the book's formulas (each formula once), painted from their layout in the PDF,
/// for the EPUB's `altimg`: what a reading system without MathML may show instead.
fn formula_images(book: &Book, fonts: &FontSet) -> FormulaImages {
    let mut all = Vec::new();
    for essay in &book.essays {
        crate::doc::formulas(&essay.blocks, &mut all);
        essay.footnotes.iter().for_each(|note| crate::doc::formulas(&note.blocks, &mut all));
    }
    let unique: std::collections::BTreeMap<(String, bool), &crate::doc::Formula> = all.into_iter().filter(|f| f.readable).map(|f| ((f.source(), f.display), f)).collect();
    unique.into_par_iter().filter_map(|(key, formula)| Some((key.clone(), formula_image(formula, key.1, fonts)?))).collect()
}

/// One formula's picture: set at 10 pt, 48 pixels an em (a sharp picture on a 300 dpi
/// screen reading 12 pt text), with a tenth of an em around its box for ink that leaves it.
fn formula_image(formula: &crate::doc::Formula, display: bool, fonts: &FontSet) -> Option<FormulaImage> {
    const SIZE: f32 = 10.0;
    const PIXELS_AN_EM: f32 = 48.0;
    let (items, [width, ascent, descent]) = typeset::formula(formula, SIZE, display, fonts)?;
    let pad = 0.1 * SIZE;
    let (height, depth) = (ascent + pad, descent + pad);
    let asset = raster::grey_png(&items, (-pad, -height), (width + 2.0 * pad, height + depth), PIXELS_AN_EM / SIZE, fonts, "math").ok()?;
    Some(FormulaImage { asset, width: (width + 2.0 * pad) / SIZE, height: height / SIZE, depth: depth / SIZE })
}

/// The width of a generated cover image, in pixels (the usual 1600 of e-book stores).
const COVER_WIDTH: u32 = 1600;

/// Pages typeset but not yet drawn by the PDF writer, at most.
const PAGES_IN_FLIGHT: usize = 64;

/// Writes `formats` into `out_dir`, adding what it wrote, its warnings and timings to `report`.
/// Every file is made and written beside its place first; only when all are complete are they
/// renamed into place, so a build that fails or is killed leaves the previous book as it was.
fn write_outputs(config: &Config, book: &Book, out_dir: &Path, formats: &[Format], progress: &dyn Progress, report: &mut Report) -> anyhow::Result<()> {
    std::fs::create_dir_all(out_dir).with_context(|| format!("cannot create the output folder `{}`", out_dir.display()))?;
    remove_stale_parts(out_dir);
    let wants = Wants::new(config, book, formats);
    let fonts = match (wants.paged() || wants.paint_cover || wants.paint_formulas || wants.embed_fonts).then(|| fonts(config, book, &mut report.diagnostics)).transpose() {
        Ok(fonts) => fonts,
        Err(d) => {
            report.diagnostics.push(d);
            return Ok(());
        }
    };
    let made = make_outputs(config, book, &wants, fonts.as_ref(), progress, report)?;
    put_in_place(made, out_dir, &config.output_stem(), report)
}

/// What a build makes: which outputs, and whether it paints a cover or embeds fonts.
struct Wants {
    epub: bool,
    pdf: bool,
    layout: bool,
    /// The EPUB needs a cover image and the book has none.
    paint_cover: bool,
    /// The EPUB has formulas, which get pictures for reading systems without MathML.
    paint_formulas: bool,
    embed_fonts: bool,
}

impl Wants {
    fn new(config: &Config, book: &Book, formats: &[Format]) -> Wants {
        let epub = formats.contains(&Format::Epub);
        Wants {
            epub,
            pdf: formats.contains(&Format::Pdf),
            layout: formats.contains(&Format::Layout),
            paint_cover: epub && book.cover.is_none(),
            paint_formulas: epub && config.formula_images && book.formulas.found > book.formulas.reported,
            embed_fonts: epub && config.embed_fonts,
        }
    }

    /// Whether the book is typeset.
    fn paged(&self) -> bool {
        self.pdf || self.layout
    }
}

/// What one output made: its bytes (or why not) and how many pages it has.
type Made = Option<(anyhow::Result<Vec<u8>>, Option<usize>)>;

/// Makes the outputs in memory: typesetting streams pages to the PDF writer's thread, the
/// EPUB is written while that writer finishes.
fn make_outputs(config: &Config, book: &Book, wants: &Wants, fonts: Option<&FontSet>, progress: &dyn Progress, report: &mut Report) -> anyhow::Result<[(Format, &'static str, Made); 3]> {
    let (mut epub, mut pdf, mut layout) = (None, None, None);
    std::thread::scope(|scope| -> anyhow::Result<()> {
        // The PDF writer draws the pages on a thread of its own as typesetting finishes
        // them, so they are never all held at once.
        // Without a PDF, the receiver is dropped here and sending pages does nothing.
        let (pages, received) = std::sync::mpsc::sync_channel(PAGES_IN_FLIGHT);
        let writer = fonts.filter(|_| wants.pdf).map(|fonts| {
            let page_box = typeset::page_box(&config.pdf);
            scope.spawn(move || crate::pdf::write_streamed(book, fonts, page_box, config.pdf.standard, received))
        });
        let mut dump = wants.layout.then(Vec::new);
        // The cover is painted in the pool while this thread typesets, handing pages to the
        // writer: `send` blocks while the channel is full, so this must not be a pool thread.
        let mut cover = Ok(None);
        let mut formulas = FormulaImages::default();
        let summary = rayon::in_place_scope(|scope| {
            if let Some(fonts) = fonts.filter(|_| wants.paint_cover) {
                let cover = &mut cover;
                scope.spawn(move |_| *cover = generated_cover(config, book, fonts).map(Some));
            }
            if let Some(fonts) = fonts.filter(|_| wants.paint_formulas) {
                let formulas = &mut formulas;
                scope.spawn(move |_| *formulas = formula_images(book, fonts));
            }
            let fonts = fonts.filter(|_| wants.paged())?;
            let clusters = dump.is_some();
            let mut count = 0;
            let mut sink = |mut page: Page| {
                count += 1;
                if let Some(dump) = &mut dump {
                    dump.push(page.take_for_dump());
                }
                // A writer that stopped has its error; it is reported when it is joined.
                let _ = pages.send(Streamed::Page(page));
            };
            let summary = lay_out(config, book, fonts, clusters, progress, report, &mut sink);
            Some((summary, count))
        });
        let mut page_starts = None;
        let mut count = None;
        if let Some((mut summary, pages_made)) = summary {
            if let Some(mut pages) = dump.take() {
                summary.order.to_book(&mut pages);
                layout = Some((Ok(frame::dump(summary.page_box, &pages).into_bytes()), Some(pages_made)));
            }
            page_starts = Some(std::mem::take(&mut summary.page_starts));
            count = Some(pages_made);
            let _ = pages.send(Streamed::Done(summary));
        }
        drop(pages);
        progress.stage("writing the book", 0);
        // The EPUB is written while the PDF writer finishes.
        let cover = cover?;
        let cover = book.cover.as_ref().or(cover.as_ref());
        if wants.epub {
            let (bytes, took) = timed(|| crate::epub::write(book, cover, page_starts.as_deref(), fonts.filter(|_| wants.embed_fonts), &formulas));
            report.timings.push(("epub", took));
            epub = Some((bytes, None));
        }
        if let Some(writer) = writer {
            let (bytes, busy) = writer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            report.timings.push(("pdf", busy));
            pdf = Some((bytes, count));
        }
        Ok(())
    })?;
    Ok([(Format::Epub, "epub", epub), (Format::Pdf, "pdf", pdf), (Format::Layout, "layout.txt", layout)])
}

/// Writes each output beside its place, then, when all are written, renames them into place.
fn put_in_place(made: [(Format, &'static str, Made); 3], out_dir: &Path, stem: &str, report: &mut Report) -> anyhow::Result<()> {
    let mut staged = Vec::new();
    for (format, ext, (bytes, pages)) in made.into_iter().filter_map(|(f, e, m)| Some((f, e, m?))) {
        let bytes = bytes?;
        let path = out_dir.join(format!("{stem}.{ext}"));
        let part = stage(&path, &bytes)?;
        staged.push((part, Output { format, path, bytes: bytes.len() as u64, pages }));
    }
    for (part, output) in staged {
        part.persist(&output.path).map_err(|e| e.error).with_context(|| format!("cannot write `{}`", output.path.display()))?;
        report.outputs.push(output);
    }
    Ok(())
}

/// Runs `make`, timing it.
fn timed<T>(make: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let value = make();
    (value, started.elapsed())
}

const PART_PREFIX: &str = ".wenji-";
const PART_SUFFIX: &str = ".part";

/// Writes `bytes` to a temporary file beside `path`, flushed to disk; it disappears if dropped.
fn stage(path: &Path, bytes: &[u8]) -> anyhow::Result<tempfile::NamedTempFile> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let context = || format!("cannot write `{}`", path.display());
    let mut tmp = tempfile::Builder::new().prefix(PART_PREFIX).suffix(PART_SUFFIX).tempfile_in(dir).with_context(context)?;
    // WENJI_FAIL_WRITE=pdf makes writing the PDF fail halfway, as a full disk would (for tests).
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if std::env::var("WENJI_FAIL_WRITE").is_ok_and(|v| v == ext) {
        tmp.write_all(&bytes[..bytes.len() / 2]).with_context(context)?;
        let cause = std::io::Error::new(std::io::ErrorKind::StorageFull, "no space left on device (simulated)");
        return Err(anyhow::Error::new(cause).context(context()));
    }
    tmp.write_all(bytes).with_context(context)?;
    tmp.as_file().sync_all().with_context(context)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644)).with_context(context)?;
    }
    Ok(tmp)
}

/// Removes temporary files that a killed build left behind (an hour old or more, so that a
/// build running beside this one keeps its own).
fn remove_stale_parts(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let old = entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|age| age.as_secs() >= 3600);
        if name.starts_with(PART_PREFIX) && name.ends_with(PART_SUFFIX) && old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
