//! `wenji init`: a new book folder that builds as it is.

use std::path::{Path, PathBuf};

use crate::config::FILE_NAME;
use crate::diag::Diagnostic;

/// Creates `book.toml`, `manuscripts/` with one sample essay, and `covers/` in `dir`; returns
/// what it created. An existing `book.toml` is never overwritten.
pub(crate) fn init(dir: &Path, title: Option<&str>) -> Result<Vec<PathBuf>, Diagnostic> {
    let config = dir.join(FILE_NAME);
    if config.exists() {
        return Err(Diagnostic::error(format!("`{}` already exists", config.display()))
            .with_hint("this folder is a book already: `wenji build` builds it"));
    }
    let fail = |what: &Path, e: std::io::Error| {
        let hint = match e.kind() {
            std::io::ErrorKind::AlreadyExists | std::io::ErrorKind::NotADirectory => {
                format!("a file is in the way: `{}` or a folder above it is a file; give `wenji init` a new folder's name", what.display())
            }
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => "check that the folder is writable".to_owned(),
            _ => "check the path and the disk".to_owned(),
        };
        Diagnostic::error(format!("cannot create `{}`: {e}", what.display())).with_hint(hint)
    };
    let title = match title {
        Some(t) => t.to_owned(),
        None => crate::config::folder_name(dir).unwrap_or_else(|| "文集".to_owned()),
    };
    let manuscripts = dir.join("manuscripts");
    let covers = dir.join("covers");
    for folder in [dir, &manuscripts, &covers] {
        std::fs::create_dir_all(folder).map_err(|e| fail(folder, e))?;
    }
    let essay = manuscripts.join("2025-01-01-第一篇.md");
    let mut created = Vec::new();
    for (path, text) in [(config.clone(), book_toml(&title)), (essay, SAMPLE_ESSAY.to_owned())] {
        if path.exists() {
            continue;
        }
        std::fs::write(&path, text).map_err(|e| fail(&path, e))?;
        created.push(path);
    }
    created.push(covers);
    Ok(created)
}

/// `text` as a TOML basic string, quotes included: `\\`, `"` and control characters escaped, so
/// that a title with a newline or a tab is still one value.
fn toml_string(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn book_toml(title: &str) -> String {
    let name = crate::config::file_stem(title).unwrap_or_else(|| "my-book".into());
    let title = toml_string(title);
    format!(
        r#"# The book: every key is optional. See the README for all of them.
[book]
title = {title}
authors = ["作者"]
language = "zh-CN"
# subtitle = ""
# publisher = ""
# date = "2025-01-01"        # publication date; default: the newest essay's
# time-zone = "Asia/Shanghai" # for essay dates written without an offset; default UTC
# cover = "covers/cover.jpg"  # default: the first image in covers/

[build]
# order = "asc"               # oldest essay first; "desc" for newest first
# drafts = false              # include essays marked `draft: true`
# formats = ["epub", "pdf"]
# output-name = "{name}"

[pdf]
# page-size = "A5"            # A4, A5, B5, 16K, 32K, letter, "6x9in", "148 x 210 mm"…
# font-size = 10.5
# line-height = 1.6
# punctuation = "gb"          # gb, kaiming or half
# print = false               # mirrored margins and recto chapter openings for print
"#
    )
}

const SAMPLE_ESSAY: &str = "---
title: 第一篇
date: 2025-01-01 09:00:00
tags:
  - 开始
---

这是文集的第一篇文章。把你的文章放进 `manuscripts/` 文件夹：每篇一个 Markdown 文件，开头写上标题和日期，
wenji 会按日期把它们排成章节，生成 EPUB 电子书和可以付印的 PDF。

## 写法

正文就是普通的 Markdown：**粗体**、*强调*、[链接](https://commonmark.org/)、列表和引用都可以用。

> 引用的文字会缩进排出。

改好以后，在这个文件夹里运行 `wenji build`，书就写在 `out/` 里。
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_writes_a_book_and_never_overwrites_one() {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("新书");
        let created = init(&book, None).unwrap();
        assert_eq!(created.len(), 3);
        let toml = std::fs::read_to_string(book.join(FILE_NAME)).unwrap();
        assert!(toml.contains("title = \"新书\""));
        let config = crate::config::Config::locate(Some(&book)).unwrap();
        assert_eq!(config.title, "新书");
        let err = init(&book, None).unwrap_err();
        assert!(err.message.contains("already exists"));
    }

    #[test]
    fn init_on_a_file_says_a_file_is_in_the_way() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("notes.txt");
        std::fs::write(&file, "x").unwrap();
        for target in [file.clone(), file.join("book")] {
            let err = init(&target, None).unwrap_err();
            assert!(err.hint.as_deref().unwrap().starts_with("a file is in the way"), "{err:?}");
        }
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
    }
}
