//! The command line as people use it: the real binary, its exact messages for bad input, its
//! `--json` summary, batch builds, `init` then `build`, and its help.

mod support;

use std::path::Path;

use support::*;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const ESSAY: &str = "---\ntitle: 一篇\ndate: 2020-01-01\n---\n\n正文。\n";

#[test]
fn a_bad_essay_is_reported_with_its_place_and_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("essays/good.md"), ESSAY);
    write(&dir.path().join("essays/bad.md"), "---\ntitle: 坏\ndate: 2020-13-45\n---\n\n正文。\n");
    let o = wenji(dir.path(), &["build", "essays", "-o", "out"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "error: `date`: `2020-13-45` is not a date wenji understands
 --> essays/bad.md:3:7
  |
3 | date: 2020-13-45
  |       ^
  |
  = hint: write dates as `2025-09-26 09:21:44`, `2024-01-20` or `2019-12-01T21:57:40+08:00`

error: the book was not built (1 error, 0 warnings)
"
    );
    assert!(!dir.path().join("out").exists(), "nothing is written");
}

#[test]
fn a_bad_book_toml_names_the_key_and_the_nearest_valid_one() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("book/manuscripts/a.md"), ESSAY);
    write(&dir.path().join("book/book.toml"), "[book]\ntitle = \"书\"\nautors = [\"甲\"]\n");
    let o = wenji(dir.path(), &["build", "book"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "error: invalid book.toml: unknown field `autors`
 --> book/book.toml:3:1
  |
3 | autors = [\"甲\"]
  | ^
  |
  = hint: did you mean `authors`? The README lists the keys book.toml takes

error: the book was not built (1 error, 0 warnings)
"
    );
}

#[test]
fn a_missing_image_is_a_warning_and_the_book_is_built() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("essays/a.md"), "---\ntitle: 图\ndate: 2020-01-01\n---\n\n看这里：![一只猫](cat.png)\n");
    let o = wenji(dir.path(), &["build", "essays", "-o", "out", "--format", "epub"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stderr(&o),
        "warning: image `cat.png` is left out: no file at `essays/cat.png`
 --> essays/a.md:6:5
  |
6 | 看这里：![一只猫](cat.png)
  |         ^
  |
  = hint: put the image file beside the essay and link it by a relative path; its alt text is shown instead

warning: 1 warning
wrote out/essays.epub (1 essay, 121 KB)
"
    );
    // --quiet keeps the errors only.
    let o = wenji(dir.path(), &["build", "essays", "-o", "out", "--format", "epub", "--quiet"]);
    assert_eq!((o.status.code(), stderr(&o)), (Some(0), String::new()));
}

#[test]
fn json_summarises_outputs_pages_timings_and_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("essays/a.md"), "---\ntitle: 图\ndate: 2020-01-01\n---\n\n看这里：![一只猫](cat.png)\n");
    let o = wenji(dir.path(), &["build", "essays", "-o", "out", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is JSON");
    assert_eq!(v["ok"], true);
    let book = &v["books"][0];
    assert_eq!(book["essays"], 1);
    assert_eq!(book["warnings"], 1);
    let formats: Vec<&str> = book["outputs"].as_array().unwrap().iter().map(|o| o["format"].as_str().unwrap()).collect();
    assert_eq!(formats, ["epub", "pdf"]);
    for out in book["outputs"].as_array().unwrap() {
        let path = dir.path().join(out["path"].as_str().unwrap());
        assert_eq!(std::fs::metadata(&path).unwrap().len(), out["bytes"].as_u64().unwrap());
    }
    assert!(book["outputs"][1]["pages"].as_u64().unwrap() >= 3, "title, contents, essay");
    for stage in ["read", "typeset", "epub", "pdf"] {
        assert!(book["timings_ms"][stage].as_f64().unwrap() >= 0.0, "{stage}");
    }
    let d = &book["diagnostics"][0];
    assert_eq!((d["severity"].as_str(), d["file"].as_str(), d["line"].as_u64(), d["column"].as_u64()), (Some("warning"), Some("essays/a.md"), Some(6), Some(5)));
    // A book that fails is in the summary too, with its error.
    write(&dir.path().join("broken/a.md"), "---\ntitle: [坏\n---\n");
    let o = wenji(dir.path(), &["check", "broken", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["ok"].as_bool(), v["books"][0]["errors"].as_u64()), (Some(false), Some(1)));
}

#[test]
fn json_to_a_closed_pipe_is_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("essays/a.md"), ESSAY);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wenji"))
        .args(["build", "essays", "-o", "out", "--json"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}

#[test]
fn a_batch_builds_every_good_book_and_fails_for_the_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("books/甲/a.md"), ESSAY);
    write(&dir.path().join("books/乙/manuscripts/a.md"), ESSAY);
    write(&dir.path().join("books/乙/book.toml"), "[book]\ntitle = \"乙书\"\n");
    write(&dir.path().join("books/丙/a.md"), "---\ntitle: [坏\ndate: 2020-01-01\n---\n");
    let o = wenji(dir.path(), &["build", "books/甲", "books/乙", "books/丙", "-o", "out", "--format", "epub"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("book books/丙\nerror: invalid YAML"), "{err}");
    assert!(err.ends_with("2 of 3 books built\n"), "{err}");
    assert!(dir.path().join("out/甲/甲.epub").is_file());
    assert!(dir.path().join("out/乙/乙书.epub").is_file());
    assert!(!dir.path().join("out/丙").exists());
}

#[test]
fn init_then_build_with_no_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let o = wenji(dir.path(), &["init", "我的书"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).ends_with("next: cd 我的书 && wenji build\n"));
    let book = dir.path().join("我的书");
    let o = wenji(&book, &["build"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(book.join("out/我的书.epub").is_file() && book.join("out/我的书.pdf").is_file());
    assert_epubcheck_clean(&book.join("out/我的书.epub"));
    let o = wenji(&book, &["check"]);
    assert_eq!((o.status.code(), stderr(&o)), (Some(0), "checked 1 essay: no problems that stop the book\n".to_owned()));
    // A second init does not overwrite the book.
    let o = wenji(dir.path(), &["init", "我的书"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("error: `我的书/book.toml` already exists"));
}

#[test]
fn check_reports_what_only_typesetting_finds_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("essays/a.md"), "---\ntitle: 字\ndate: 2020-01-01\n---\n\n一个\u{e000}符号。\n\n[别处](other.md)\n");
    let o = wenji(dir.path(), &["check", "essays"]);
    assert_eq!(o.status.code(), Some(0));
    let err = stderr(&o);
    // A private-use character: no installed font is asked for it.
    assert!(err.contains("no font has `\u{e000}` (U+E000)") && err.contains("essays/a.md:6:3"), "{err}");
    assert!(err.contains("link to `other.md` leads nowhere") && err.contains("essays/a.md:8:1"), "{err}");
    assert!(std::fs::read_dir(dir.path()).unwrap().count() == 1, "check writes nothing");
}

#[test]
fn help_names_every_command_and_option() {
    let o = wenji(&repo(), &["--help"]);
    let help = String::from_utf8(o.stdout).unwrap();
    for word in ["build", "check", "init", "--quiet", "--verbose"] {
        assert!(help.contains(word), "{word} not in:\n{help}");
    }
    let o = wenji(&repo(), &["build", "--help"]);
    let help = String::from_utf8(o.stdout).unwrap();
    for word in ["--out", "--format", "--json", "epub", "pdf", "layout", "[DIRS]..."] {
        assert!(help.contains(word), "{word} not in:\n{help}");
    }
}
