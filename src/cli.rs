//! The command line: arguments, running a command, what it prints, and its exit code.

use crate::locale::Conversion;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::build::{self, Progress, Report, Silent};
use crate::config::{Config, Format};
use crate::diag::Diagnostic;

#[derive(Debug, Parser)]
#[command(name = "wenji", version, about = "Compile a folder of Chinese Markdown essays into an EPUB 3 book and a print-ready PDF")]
pub struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    /// Print errors only
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,
    /// Also print how long each stage took
    #[arg(short, long, global = true)]
    pub(crate) verbose: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Build books: an EPUB and a PDF from each folder of essays
    Build(BuildArgs),
    /// Read and lay out a book without writing it, and report every problem found
    Check {
        /// A folder of essays, or a book folder with book.toml [default: the current folder if it
        /// has book.toml, else ./manuscripts]
        dir: Option<PathBuf>,
        /// Print a JSON summary on stdout
        #[arg(long)]
        json: bool,
        /// Fetch no remote images; use only those cached by an earlier build
        #[arg(long)]
        offline: bool,
    },
    /// Create a book folder: book.toml, manuscripts/ with a sample essay, and covers/
    Init {
        /// The folder to create (or fill, if it has no book.toml yet) [default: .]
        dir: Option<PathBuf>,
        /// The book's title [default: the folder's name]
        #[arg(long)]
        title: Option<String>,
    },
}

#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
    /// Book folders: a folder of essays, or a folder with book.toml and manuscripts/. Several are
    /// built in parallel [default: the current folder if it has book.toml, else ./manuscripts]
    pub(crate) dirs: Vec<PathBuf>,
    /// Where to write; with several books, each goes into a subfolder named after its folder
    #[arg(short, long, default_value = "out")]
    pub(crate) out: PathBuf,
    /// Which outputs to write, comma-separated [default: `formats` in book.toml's [build], else epub,pdf]
    #[arg(long, value_enum, value_delimiter = ',')]
    pub(crate) format: Vec<Format>,
    /// Print a JSON summary on stdout: outputs with sizes and page counts, timings, diagnostics
    #[arg(long)]
    pub(crate) json: bool,
    /// Fetch no remote images; use only those cached by an earlier build
    #[arg(long)]
    pub(crate) offline: bool,
    /// Build an edition converted to the other script, with OpenCC's dictionaries: s2t, s2tw,
    /// s2twp, s2hk (Simplified to Traditional), t2s, tw2s, tw2sp, hk2s (to Simplified)
    /// [default: `convert` in book.toml's [book], else none]
    #[arg(long, value_name = "CONVERSION", value_parser = conversion)]
    pub(crate) convert: Option<Conversion>,
}

/// A conversion by its OpenCC name, for `--convert`.
fn conversion(name: &str) -> Result<Conversion, String> {
    Conversion::named(name).ok_or_else(|| {
        let names: Vec<&str> = crate::locale::CONVERSIONS.iter().map(|(n, _)| *n).collect();
        format!("choose one of {}", names.join(", "))
    })
}

/// How much to print.
#[derive(Debug, Clone, Copy)]
struct Voice {
    quiet: bool,
    verbose: bool,
    colour: bool,
    /// Progress bars go to stderr only when it is a terminal.
    terminal: bool,
}

/// Runs the command; 0 on success (warnings allowed), 1 when a book could not be built.
pub fn run(cli: Cli) -> ExitCode {
    let terminal = std::io::stderr().is_terminal();
    let voice = Voice { quiet: cli.quiet, verbose: cli.verbose, colour: terminal && std::env::var_os("NO_COLOR").is_none(), terminal };
    match cli.command {
        Command::Build(args) => build(args, voice),
        Command::Check { dir, json, offline } => check(dir, json, offline, voice),
        Command::Init { dir, title } => init(dir, title, voice),
    }
}

fn build(args: BuildArgs, voice: Voice) -> ExitCode {
    let formats = (!args.format.is_empty()).then_some(args.format.as_slice());
    let formats = Choices { formats, offline: args.offline, convert: args.convert };
    let json = args.json;
    let reports: Vec<(String, Report)> = if args.dirs.len() <= 1 {
        let dir = args.dirs.first().map(PathBuf::as_path);
        let bar = Bar::new(voice, json);
        let report = build_one(dir, &args.out, formats, &bar);
        bar.finish();
        vec![(shown_dir(dir), report)]
    } else {
        let outs = batch_outputs(&args.dirs, &args.out);
        let bar = Bar::new(voice, json);
        bar.stage("building books", args.dirs.len());
        let reports = build_batch(&args.dirs, &outs, formats, &bar);
        bar.finish();
        args.dirs.iter().map(|dir| dir.display().to_string()).zip(reports).collect()
    };
    let batch = reports.len() > 1;
    for (dir, report) in &reports {
        if batch && !voice.quiet {
            eprintln!("{}", heading(&format!("book {dir}"), voice));
        }
        print_report(report, voice, "built");
    }
    let failed = reports.iter().filter(|(_, r)| !r.ok()).count();
    if batch && !voice.quiet {
        eprintln!("{} of {} books built", reports.len() - failed, reports.len());
    }
    if json {
        print_json(&summary(&reports));
    }
    if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// Builds each book of a batch into its folder, a few at a time, and returns their reports
/// in order. Books are built on threads of their own, never on rayon's pool: a build blocks
/// on its PDF writer, which needs the pool (README, "Threads").
/// What the command line chose for every book of a build.
#[derive(Debug, Clone, Copy)]
struct Choices<'a> {
    /// `--format`, else each book's own.
    formats: Option<&'a [Format]>,
    offline: bool,
    /// `--convert`, else each book's own.
    convert: Option<Conversion>,
}

fn build_batch(dirs: &[PathBuf], outs: &[PathBuf], formats: Choices, bar: &Bar) -> Vec<Report> {
    // Two books at once keep the cores busy through each one's serial stretches (reading,
    // pagination, the PDF's last write); more would only add memory.
    let builders = dirs.len().min(2);
    let next = AtomicUsize::new(0);
    let mut reports: Vec<Option<Report>> = dirs.iter().map(|_| None).collect();
    std::thread::scope(|scope| {
        let builders: Vec<_> = (0..builders)
            .map(|_| {
                scope.spawn(|| {
                    let mut built = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(dir) = dirs.get(i) else { return built };
                        built.push((i, build_guarded(dir, &outs[i], formats)));
                        bar.step();
                    }
                })
            })
            .collect();
        for builder in builders {
            let built = builder.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            for (i, report) in built {
                reports[i] = Some(report);
            }
        }
    });
    reports.into_iter().map(|r| r.expect("every book of the batch is built")).collect()
}

/// `build_one` for a book of a batch: a book that makes wenji panic is reported as failed,
/// and the others are still built.
fn build_guarded(dir: &Path, out: &Path, formats: Choices) -> Report {
    std::panic::catch_unwind(|| build_one(Some(dir), out, formats, &Silent)).unwrap_or_else(|panic| {
        let why = panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned()).unwrap_or_default();
        Report { failure: Some(format!("wenji stopped on an internal error ({why}); please report it with this book")), ..Report::default() }
    })
}

fn build_one(dir: Option<&Path>, out: &Path, chosen: Choices, progress: &dyn Progress) -> Report {
    with_book(dir, chosen.offline, |config| {
        let mut config = config.clone();
        config.convert = chosen.convert.or(config.convert);
        build::build(&config, out, chosen.formats, progress)
    })
}

/// Runs `f` on the book found for `dir`; a book that cannot be found is a report with its error.
/// `offline` turns fetching off whatever book.toml says.
fn with_book(dir: Option<&Path>, offline: bool, f: impl FnOnce(&Config) -> Report) -> Report {
    match Config::locate(dir) {
        Ok(mut config) => {
            config.offline |= offline;
            f(&config)
        }
        Err(d) => Report { diagnostics: vec![d], ..Report::default() },
    }
}

/// `OUT/<folder name>` for each book, with `-2`, `-3`… when two folders share a name.
fn batch_outputs(dirs: &[PathBuf], out: &Path) -> Vec<PathBuf> {
    let mut taken: Vec<String> = Vec::new();
    dirs.iter()
        .map(|d| {
            let base = crate::config::book_name(d).unwrap_or_else(|| "book".into());
            let mut name = base.clone();
            let mut n = 1;
            while taken.contains(&name) {
                n += 1;
                name = format!("{base}-{n}");
            }
            taken.push(name.clone());
            out.join(name)
        })
        .collect()
}

fn check(dir: Option<PathBuf>, json: bool, offline: bool, voice: Voice) -> ExitCode {
    let bar = Bar::new(voice, json);
    let report = with_book(dir.as_deref(), offline, |config| build::check(config, &bar));
    bar.finish();
    print_report(&report, voice, "checked");
    let ok = report.ok();
    if json {
        print_json(&summary(&[(shown_dir(dir.as_deref()), report)]));
    }
    if ok { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

fn init(dir: Option<PathBuf>, title: Option<String>, voice: Voice) -> ExitCode {
    let dir = dir.unwrap_or_else(|| PathBuf::from("."));
    match crate::init::init(&dir, title.as_deref()) {
        Ok(created) => {
            if !voice.quiet {
                for path in created {
                    eprintln!("created {}", path.display());
                }
                let cd = if dir == Path::new(".") { String::new() } else { format!("cd {} && ", dir.display()) };
                eprintln!("next: {cd}wenji build");
            }
            ExitCode::SUCCESS
        }
        Err(d) => {
            print_diagnostics(&[d], voice);
            ExitCode::from(1)
        }
    }
}

/// The JSON summary on stdout. A reader that went away (`wenji build --json | head -c1`) is
/// not an error of the build: the exit code still says how the build went.
fn print_json(json: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{json}");
}

fn shown_dir(dir: Option<&Path>) -> String {
    dir.map_or_else(|| ".".to_owned(), |d| d.display().to_string())
}

/// Prints a book's diagnostics, what was written, and (verbose) the timings.
fn print_report(report: &Report, voice: Voice, done: &str) {
    print_diagnostics(&report.diagnostics, voice);
    let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = report.diagnostics.len() - errors;
    // A failure is an error too.
    let errors = errors + usize::from(report.failure.is_some());
    if let Some(failure) = &report.failure {
        eprintln!("{}: {failure}", label("error", voice));
    }
    if !report.ok() {
        eprintln!("{}: the book was not {done} ({}, {})", label("error", voice), count(errors, "error"), count(warnings, "warning"));
        return;
    }
    if voice.quiet {
        return;
    }
    if warnings > 0 {
        eprintln!("{}: {}", label("warning", voice), count(warnings, "warning"));
    }
    for o in &report.outputs {
        let pages = o.pages.filter(|_| o.format == Format::Pdf).map(|p| format!(", {p} pages")).unwrap_or_default();
        eprintln!("wrote {} ({}{pages}, {} KB)", o.path.display(), count(report.essays, "essay"), o.bytes.div_ceil(1024));
    }
    if report.outputs.is_empty() {
        eprintln!("{done} {}: no problems that stop the book", count(report.essays, "essay"));
    }
    let images = report.images;
    if images.fetched + images.cached + images.failed > 0 {
        let remote = images.fetched + images.cached + images.failed;
        eprintln!(
            "{} from the web: {} fetched, {} from the cache, {} not had",
            count(remote, "image"),
            images.fetched,
            images.cached,
            images.failed
        );
    }
    let formulas = report.formulas;
    if formulas.found > 0 {
        let shown = if formulas.reported > 0 { format!(", {} shown as TeX (see the warnings)", formulas.reported) } else { String::new() };
        eprintln!("{}: {} typeset{shown}", count(formulas.found, "formula"), formulas.found - formulas.reported);
    }
    if voice.verbose {
        for (stage, took) in &report.timings {
            eprintln!("  {stage:<8} {:>8.3} s", took.as_secs_f64());
        }
    }
}

/// How many diagnostics of one file are printed; the rest are counted (`--json` lists all).
const SHOWN_PER_FILE: usize = 100;

fn print_diagnostics(diags: &[Diagnostic], voice: Voice) {
    let mut per_file: std::collections::HashMap<Option<&Path>, usize> = std::collections::HashMap::new();
    for d in diags.iter().filter(|d| d.is_error() || !voice.quiet) {
        let shown = per_file.entry(d.file.as_deref()).or_default();
        *shown += 1;
        if *shown > SHOWN_PER_FILE {
            continue;
        }
        let text = d.to_string();
        let name = if d.is_error() { "error" } else { "warning" };
        eprintln!("{}{}", label(name, voice), &text[name.len()..]);
    }
    let mut unshown: Vec<(Option<&Path>, usize)> = per_file.into_iter().filter(|&(_, n)| n > SHOWN_PER_FILE).map(|(f, n)| (f, n - SHOWN_PER_FILE)).collect();
    unshown.sort();
    for (file, n) in unshown {
        let place = file.map_or_else(|| "the book".to_owned(), |f| format!("`{}`", f.display()));
        eprintln!("{}: {n} more problems in {place} are not shown (`--json` lists them all)\n", label("note", voice));
    }
}

fn label(name: &str, voice: Voice) -> String {
    if !voice.colour {
        return name.to_owned();
    }
    let code = if name == "error" { "1;31" } else { "1;33" };
    format!("\x1b[{code}m{name}\x1b[0m")
}

fn heading(text: &str, voice: Voice) -> String {
    if voice.colour { format!("\x1b[1m{text}\x1b[0m") } else { text.to_owned() }
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// The `--json` summary of the books built or checked. Paths that are not UTF-8 are written
/// with U+FFFD for what cannot be read.
fn summary(reports: &[(String, Report)]) -> String {
    use serde_json::json;
    let books: Vec<_> = reports
        .iter()
        .map(|(dir, r)| {
            let outputs: Vec<_> = r
                .outputs
                .iter()
                .map(|o| json!({ "format": o.format.to_possible_value().map(|v| v.get_name().to_owned()), "path": o.path.to_string_lossy(), "bytes": o.bytes, "pages": o.pages }))
                .collect();
            let diagnostics: Vec<_> = r
                .diagnostics
                .iter()
                .map(|d| {
                    json!({
                        "severity": if d.is_error() { "error" } else { "warning" },
                        "message": d.message,
                        "file": d.file.as_deref().map(Path::to_string_lossy),
                        "line": (d.line > 0).then_some(d.line),
                        "column": (d.line > 0).then_some(d.col),
                        "hint": d.hint,
                    })
                })
                .collect();
            let timings: serde_json::Map<String, serde_json::Value> =
                r.timings.iter().map(|(stage, took)| (stage.to_string(), json!(took.as_secs_f64() * 1000.0))).collect();
            json!({
                "dir": dir,
                "ok": r.ok(),
                "title": r.title,
                "essays": r.essays,
                "drafts_left_out": r.drafts_left_out,
                "images": {
                    "embedded": r.images.embedded,
                    "fetched": r.images.fetched,
                    "cached": r.images.cached,
                    "failed": r.images.failed,
                },
                "formulas": {
                    "found": r.formulas.found,
                    "typeset": r.formulas.found - r.formulas.reported,
                    "reported": r.formulas.reported,
                },
                "outputs": outputs,
                "timings_ms": timings,
                "failure": r.failure,
                "errors": r.diagnostics.iter().filter(|d| d.is_error()).count(),
                "warnings": r.diagnostics.iter().filter(|d| !d.is_error()).count(),
                "diagnostics": diagnostics,
            })
        })
        .collect();
    let ok = reports.iter().all(|(_, r)| r.ok());
    serde_json::to_string_pretty(&json!({ "ok": ok, "books": books })).expect("JSON of plain values")
}

/// A progress bar on stderr, for terminals only (never with `--quiet` or `--json`). It appears
/// once a build has taken more than a moment, so quick builds print nothing but their result.
struct Bar {
    bar: Option<indicatif::ProgressBar>,
    started: std::time::Instant,
    shown: AtomicBool,
}

const MOMENT: Duration = Duration::from_millis(400);

impl Bar {
    fn new(voice: Voice, json: bool) -> Bar {
        let bar = (voice.terminal && !voice.quiet && !json).then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Bar { bar, started: std::time::Instant::now(), shown: false.into() }
    }

    fn reveal(&self, bar: &indicatif::ProgressBar) {
        if !self.shown.load(Ordering::Relaxed) && self.started.elapsed() > MOMENT && !self.shown.swap(true, Ordering::Relaxed) {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr_with_hz(8));
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn stage(&self, name: &str, total: usize) {
        let Some(bar) = &self.bar else { return };
        let style = if total > 0 {
            indicatif::ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len}").expect("template").progress_chars("=> ")
        } else {
            indicatif::ProgressStyle::with_template("{spinner} {msg}…").expect("template")
        };
        bar.set_style(style);
        bar.set_length(total as u64);
        bar.set_position(0);
        bar.set_message(name.to_owned());
        self.reveal(bar);
    }

    fn step(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            self.reveal(bar);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn batch_outputs_are_named_after_their_folders() {
        let outs = batch_outputs(&[PathBuf::from("a/book"), PathBuf::from("b/book"), PathBuf::from("c/诗集")], Path::new("out"));
        assert_eq!(outs, [PathBuf::from("out/book"), PathBuf::from("out/book-2"), PathBuf::from("out/诗集")]);
    }
}
