//! The README followed literally: its getting-started commands run as written (the `wenji`
//! being the binary under test), under a watchdog, and the files they promise are there.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::*;

const LIMIT: Duration = Duration::from_secs(240);

fn readme() -> String {
    std::fs::read_to_string(repo().join("README.md")).unwrap()
}

/// The lines of every ```sh block of the README's "Getting started" section.
fn getting_started() -> Vec<String> {
    let text = readme();
    let start = text.find("\n## Getting started").expect("the README has a Getting started section");
    let section = &text[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let mut lines = Vec::new();
    let mut inside = false;
    for line in section.lines() {
        match (inside, line.trim_start()) {
            (false, l) if l.starts_with("```sh") => inside = true,
            (true, l) if l.starts_with("```") => inside = false,
            (true, l) if !l.is_empty() => lines.push(l.to_owned()),
            _ => {}
        }
    }
    lines
}

/// The command of a README line, without its comment.
fn command(line: &str) -> &str {
    line.split(" # ").next().unwrap().trim()
}

/// Runs `script` with `sh -e` in `cwd`, the binary under test first on the PATH as `wenji`.
fn run_sh(cwd: &Path, script: &str) -> std::process::Output {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_wenji"));
    let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let mut sh = Command::new("sh");
    sh.args(["-ec", script]).current_dir(cwd).env("PATH", path).env("NO_COLOR", "1").env_remove("SOURCE_DATE_EPOCH");
    run_within(sh, LIMIT, script)
}

#[test]
fn the_first_command_builds_the_book_it_names() {
    let lines = getting_started();
    let first = lines.iter().find(|l| command(l) == "cargo run --release -- build").expect("the README's first command");
    // "… into out/心的微光.epub and out/心的微光.pdf": the files it promises.
    let promised: Vec<&str> = first.split_whitespace().filter(|w| w.starts_with("out/")).collect();
    assert_eq!(promised.len(), 2, "{first}");
    let dir = tempfile::tempdir().unwrap();
    for item in ["book.toml", "manuscripts", "covers"] {
        let from = repo().join(item);
        if from.is_dir() {
            copy_tree(&from, &dir.path().join(item));
        } else if from.is_file() {
            std::fs::copy(&from, dir.path().join(item)).unwrap();
        }
    }
    // `cargo run --release --` runs wenji with what follows.
    let o = run_sh(dir.path(), "wenji build");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for file in promised {
        assert!(dir.path().join(file).is_file(), "the README promises {file}");
    }
}

#[test]
fn install_init_and_build_work_as_written() {
    let lines = getting_started();
    let commands: Vec<&str> = lines.iter().map(|l| command(l)).collect();
    assert!(commands.contains(&"cargo install --locked --path ."), "the README says how to install wenji: {commands:?}");
    // Everything after the install, as a user types it.
    let from = commands.iter().position(|c| c.starts_with("wenji init")).expect("the README shows wenji init");
    let script: Vec<&str> = commands[from..].iter().copied().take_while(|c| c.starts_with("wenji") || c.starts_with("cd ")).collect();
    assert!(script.iter().any(|c| *c == "wenji build"), "{script:?}");
    let dir = tempfile::tempdir().unwrap();
    let o = run_sh(dir.path(), &script.join("\n"));
    assert_eq!(o.status.code(), Some(0), "{}\n{}", script.join("\n"), stderr(&o));
    let book = script.iter().find_map(|c| c.strip_prefix("cd ")).expect("the README goes into the new book");
    for ext in ["epub", "pdf"] {
        let file = dir.path().join(book).join(format!("out/{book}.{ext}"));
        assert!(file.is_file(), "{} was not written", file.display());
    }
    assert_epubcheck_clean(&dir.path().join(book).join(format!("out/{book}.epub")));
}

#[test]
fn ci_runs_the_readme_s_test_command() {
    let lines = getting_started();
    let test = lines.iter().map(|l| command(l)).find(|c| c.starts_with("tests/run")).expect("the README's test command");
    let ci = std::fs::read_to_string(repo().join(".ci/run")).unwrap();
    assert!(ci.lines().any(|l| l.trim_start().starts_with(&format!("bash {test}"))), ".ci/run runs `{test}`");
}

#[test]
fn the_readme_needs_nothing_outside_the_repository() {
    let text = readme();
    for outside in ["../shared/docs", "product card"] {
        assert!(!text.contains(outside), "the README refers to {outside}, which a reader of the repository does not have");
    }
    // Issue numbers such as (#7) mean nothing to a reader of the repository (UAX #14 is Unicode's).
    let numbered = text.match_indices('#').filter(|(i, _)| text[i + 1..].starts_with(|c: char| c.is_ascii_digit()) && !text[..*i].ends_with("UAX ")).count();
    assert_eq!(numbered, 0, "the README cites issue numbers");
}
