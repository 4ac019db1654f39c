//! The command line: arguments, running a command, and its exit code.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::build::{self, Format};
use crate::config::Config;
use crate::diag::Diagnostic;

#[derive(Debug, Parser)]
#[command(name = "wenji", version, about = "Compile a folder of Chinese Markdown essays into an EPUB 3 book and a print-ready PDF")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the book from a folder of essays
    Build {
        /// A folder of essays, or a book folder with book.toml [default: the current folder if it
        /// has book.toml, else ./manuscripts]
        dir: Option<PathBuf>,
        /// Where to write the book
        #[arg(short, long, default_value = "out")]
        out: PathBuf,
        /// Which outputs to write, comma-separated
        #[arg(long, value_enum, value_delimiter = ',', default_value = "epub,pdf")]
        format: Vec<Format>,
    },
}

/// Runs the command; 0 on success (warnings allowed), 1 when the book could not be built.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Build { dir, out, format } => build(dir, out, format),
    }
}

fn build(dir: Option<PathBuf>, out: PathBuf, mut formats: Vec<Format>) -> ExitCode {
    formats.sort();
    formats.dedup();
    let config = match Config::locate(dir.as_deref()) {
        Ok(c) => c,
        Err(d) => return report(&[d], false),
    };
    let (book, diags) = build::load(&config);
    let Some(book) = book else { return report(&diags, false) };
    match build::write_outputs(&config, &book, &out, &formats) {
        Ok((outputs, more)) => {
            let mut diags = diags;
            diags.extend(more);
            report(&diags, true);
            for o in outputs {
                eprintln!("wrote {} ({} essays, {} KB)", o.path.display(), book.essays.len(), o.bytes.div_ceil(1024));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            report(&diags, true);
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Prints diagnostics to stderr with a count; returns the exit code they mean.
fn report(diags: &[Diagnostic], built: bool) -> ExitCode {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    for d in diags {
        let text = d.to_string();
        if colour {
            let (label, code) = if d.is_error() { ("error", "1;31") } else { ("warning", "1;33") };
            eprint!("\x1b[{code}m{label}\x1b[0m{}", &text[label.len()..]);
        } else {
            eprint!("{text}");
        }
        eprintln!();
    }
    if errors > 0 || !built {
        eprintln!("error: the book was not built ({}, {})", count(errors, "error"), count(warnings, "warning"));
        return ExitCode::from(1);
    }
    if warnings > 0 {
        eprintln!("warning: {}", count(warnings, "warning"));
    }
    ExitCode::SUCCESS
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
