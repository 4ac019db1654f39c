//! Batches and single threads, as CI runs them: the real binary, the default formats (EPUB and
//! PDF), good and broken books together, and every run under a watchdog that kills it and
//! fails the test if it hangs.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::*;

/// Far longer than any of these builds takes (well under ten seconds each, on two cores, in a
/// debug build); a run that reaches it has hung.
const LIMIT: Duration = Duration::from_secs(240);

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A copy of the user's three essays (`manuscripts/`) as the folder `dir`.
fn seeds(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for entry in std::fs::read_dir(repo().join("manuscripts")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
    }
}

/// A folder whose one essay has front matter that does not parse.
fn broken(dir: &Path) {
    write(&dir.join("坏.md"), "---\ntitle: [没有关上的括号\ndate: 2021-03-04\n---\n\n正文。\n");
}

/// Asserts that `dir` holds a complete EPUB and PDF named `stem`.
fn assert_book(dir: &Path, stem: &str) {
    let epub = std::fs::read(dir.join(format!("{stem}.epub"))).unwrap_or_else(|e| panic!("{}/{stem}.epub: {e}", dir.display()));
    assert!(epub.starts_with(b"PK"), "{stem}.epub is a zip");
    let pdf = std::fs::read(dir.join(format!("{stem}.pdf"))).unwrap_or_else(|e| panic!("{}/{stem}.pdf: {e}", dir.display()));
    assert!(pdf.starts_with(b"%PDF-") && pdf.trim_ascii_end().ends_with(b"%%EOF"), "{stem}.pdf is whole");
}

#[test]
fn a_batch_of_three_with_a_broken_book_builds_the_others_with_the_default_formats() {
    let dir = tempfile::tempdir().unwrap();
    seeds(&dir.path().join("b1"));
    broken(&dir.path().join("b2"));
    seeds(&dir.path().join("b3"));
    let o = wenji_within(dir.path(), &["build", "b1", "b2", "b3", "-o", "out"], &[], LIMIT);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_book(&dir.path().join("out/b1"), "b1");
    assert_book(&dir.path().join("out/b3"), "b3");
    assert!(!dir.path().join("out/b2").exists(), "nothing is written for the broken book");
    assert!(err.contains("book b2\nerror: invalid YAML in the front matter") && err.contains("--> b2/坏.md:2:8"), "{err}");
    assert!(err.ends_with("2 of 3 books built\n"), "{err}");
    if let Some(pages) = pages_text(&dir.path().join("out/b3/b3.pdf")) {
        let title = seed_title(&seed_source("000_698e083ace02b717.md"));
        assert!(pages.iter().any(|p| squeeze(p).contains(&squeeze(&title))), "the PDF holds the first essay's title");
    }
}

#[test]
fn the_readme_s_ci_recipe_builds_eight_books_with_a_json_summary() {
    let dir = tempfile::tempdir().unwrap();
    for i in 1..=8 {
        seeds(&dir.path().join(format!("books/第{i}册")));
    }
    // The command as the README's workflow writes it, glob and all.
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_wenji"));
    let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let mut sh = Command::new("sh");
    sh.args(["-c", "wenji build books/* -o dist --json"]).current_dir(dir.path()).env("PATH", path).env("NO_COLOR", "1");
    let o = run_within(sh, LIMIT, "wenji build books/* -o dist --json");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is JSON");
    assert_eq!(v["ok"], true);
    let books = v["books"].as_array().unwrap();
    assert_eq!(books.len(), 8);
    for (i, book) in books.iter().enumerate() {
        let formats: Vec<&str> = book["outputs"].as_array().unwrap().iter().map(|o| o["format"].as_str().unwrap()).collect();
        assert_eq!(formats, ["epub", "pdf"], "book {i}");
        assert_eq!(book["essays"], 3);
    }
    for i in 1..=8 {
        assert_book(&dir.path().join(format!("dist/第{i}册")), &format!("第{i}册"));
    }
}

#[test]
fn one_thread_builds_a_book_a_batch_and_checks() {
    let dir = tempfile::tempdir().unwrap();
    seeds(&dir.path().join("a"));
    seeds(&dir.path().join("b"));
    broken(&dir.path().join("c"));
    let one = [("RAYON_NUM_THREADS", "1")];
    let o = wenji_within(dir.path(), &["build", "a", "-o", "single"], &one, LIMIT);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_book(&dir.path().join("single"), "a");
    let o = wenji_within(dir.path(), &["build", "a", "b", "c", "-o", "batch"], &one, LIMIT);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_book(&dir.path().join("batch/a"), "a");
    assert_book(&dir.path().join("batch/b"), "b");
    let o = wenji_within(dir.path(), &["check", "a"], &one, LIMIT);
    assert_eq!((o.status.code(), stderr(&o)), (Some(0), "checked 3 essays: no problems that stop the book\n".to_owned()));
    let o = wenji_within(dir.path(), &["check", "c"], &one, LIMIT);
    assert_eq!(o.status.code(), Some(1));
}

/// Forty essays of about 6,000 characters each: over 300 pages, more than the PDF writer's
/// channel holds at once.
fn long_book(dir: &Path) {
    let sentences = ["清晨的风从河面上吹过来，带着一点水汽和青草的味道。", "我坐在窗前，把昨天没有读完的那本旧书又翻开。", "街角的早点铺子已经排起了队，蒸笼里冒出白色的热气。", "有人说，记忆是一条没有尽头的小路，走得越远，回头看见的越多。", "午后的阳光斜斜地照进屋里，落在书页上，也落在手背上。"];
    for essay in 0..40 {
        let mut text = format!("---\ntitle: 长篇第{}章\ndate: 2020-01-{:02} 08:00:00\n---\n\n", essay + 1, essay % 28 + 1);
        for paragraph in 0..34 {
            for k in 0..7 {
                text.push_str(sentences[(essay + paragraph + k) % sentences.len()]);
            }
            text.push_str(&format!("（第{}段）\n\n", paragraph + 1));
        }
        write(&dir.join(format!("{essay:02}.md")), &text);
    }
}

#[test]
fn a_batch_with_a_book_of_more_than_300_pages_finishes() {
    let dir = tempfile::tempdir().unwrap();
    long_book(&dir.path().join("long"));
    seeds(&dir.path().join("short"));
    for threads in ["1", "2"] {
        let out = format!("out{threads}");
        let o = wenji_within(dir.path(), &["build", "long", "short", "-o", &out, "--json"], &[("RAYON_NUM_THREADS", threads)], LIMIT);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is JSON");
        let pages = v["books"][0]["outputs"][1]["pages"].as_u64().unwrap();
        assert!(pages > 300, "the long book has {pages} pages");
        assert_book(&dir.path().join(&out).join("long"), "long");
        assert_book(&dir.path().join(&out).join("short"), "short");
        if let Some(count) = pages_text(&dir.path().join(&out).join("long/long.pdf")).map(|p| p.len()) {
            assert_eq!(count as u64, pages, "every page reached the PDF");
        }
    }
}
