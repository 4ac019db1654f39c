//! A one-essay book from any body text, as the fuzz targets need it.

use std::sync::OnceLock;

use wenji::book::{Book, assemble};
use wenji::config::Config;
use wenji::manuscript::{ReadOptions, parse};

/// The configuration of an empty book folder, made once.
pub fn config() -> &'static Config {
    static CONFIG: OnceLock<(tempfile::TempDir, Config)> = OnceLock::new();
    &CONFIG
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temporary folder");
            let config = Config::locate(Some(dir.path())).expect("an empty folder is a book");
            (dir, config)
        })
        .1
}

pub fn essay_book(body: &str) -> Option<Book> {
    let text = format!("---\ntitle: 模糊测试\ndate: 2024-01-01\n---\n{body}");
    let (m, _) = parse(std::path::Path::new("fuzz.md"), &text, &ReadOptions::default());
    let m = m?;
    let (body, _) = wenji::markdown::parse(&m);
    let (book, _) = assemble(config(), vec![(m, body)], Some(0));
    Some(book)
}
