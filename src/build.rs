//! The build: read every essay, assemble the book, write each output atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;

use crate::book::{self, Book};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::manuscript::{self, ReadOptions};
use crate::markdown;
use crate::typeset::{self, font::FontSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Format {
    Epub,
    Pdf,
    /// The PDF's layout as plain text (page → line → text with x positions).
    Layout,
}

/// What a build wrote.
#[derive(Debug, Clone)]
pub struct Output {
    pub path: PathBuf,
    pub bytes: u64,
}

/// Reads and assembles the book. `None` when an error stops it; the diagnostics say why.
pub fn load(config: &Config) -> (Option<Book>, Vec<Diagnostic>) {
    let files = match manuscript::find(&config.manuscripts) {
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
        return (None, vec![d]);
    }
    let options = ReadOptions { zone: config.zone, require_dates: config.require_dates };
    let read: Vec<_> = files
        .par_iter()
        .map(|path| {
            let (m, mut diags) = manuscript::read(path, &options);
            let parsed = m.map(|m| {
                let (body, more) = markdown::parse(&m);
                diags.extend(more);
                (m, body)
            });
            (parsed, diags)
        })
        .collect();
    let mut diags = Vec::new();
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

/// `SOURCE_DATE_EPOCH`, the reproducible-builds convention, when set to a number.
fn source_date_epoch() -> Option<i64> {
    std::env::var("SOURCE_DATE_EPOCH").ok()?.trim().parse().ok()
}

/// Writes the requested formats into `out_dir`, with the warnings typesetting raised.
pub fn write_outputs(config: &Config, book: &Book, out_dir: &Path, formats: &[Format]) -> anyhow::Result<(Vec<Output>, Vec<Diagnostic>)> {
    std::fs::create_dir_all(out_dir).with_context(|| format!("cannot create the output folder `{}`", out_dir.display()))?;
    let stem = config.output_stem();
    let mut outputs = Vec::new();
    let mut diags = Vec::new();
    let mut laid_out = None;
    for format in formats {
        let (ext, bytes) = match format {
            Format::Epub => ("epub", crate::epub::write(book)?),
            Format::Pdf | Format::Layout => {
                if laid_out.is_none() {
                    let fonts = FontSet::with_fallbacks(&config.pdf.fallback_fonts, &config.root)
                        .map_err(|e| anyhow::anyhow!("book.toml [pdf]: {e}"))?;
                    let (layout, more) = typeset::typeset(book, &config.pdf, &fonts);
                    diags.extend(more);
                    laid_out = Some((layout, fonts));
                }
                let (layout, fonts) = laid_out.as_ref().expect("laid out above");
                match format {
                    Format::Pdf => ("pdf", crate::pdf::write(book, layout, fonts)?),
                    _ => ("layout.txt", layout.dump().into_bytes()),
                }
            }
        };
        let path = out_dir.join(format!("{stem}.{ext}"));
        write_atomically(&path, &bytes)?;
        outputs.push(Output { path, bytes: bytes.len() as u64 });
    }
    Ok((outputs, diags))
}

/// Writes to a temporary file beside `path` and renames it into place, so a failed or
/// interrupted build never leaves a truncated book where the last good one was.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let context = || format!("cannot write `{}`", path.display());
    let mut tmp = tempfile::Builder::new().prefix(".wenji-").suffix(".part").tempfile_in(dir).with_context(context)?;
    tmp.write_all(bytes).with_context(context)?;
    tmp.as_file().sync_all().with_context(context)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644)).with_context(context)?;
    }
    tmp.persist(path).map_err(|e| e.error).with_context(context)?;
    Ok(())
}
