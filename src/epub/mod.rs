//! EPUB 3 output, written directly with `zip` (see README: epub-builder 0.8.3 fails EPUBCheck).

mod package;
pub mod xhtml;

use std::io::{Cursor, Write};

use chrono::{Datelike, Timelike};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::assets::Asset;
use crate::book::Book;
use crate::typeset::frame::PageStart;
use package::{Item, essay_href};

const STYLESHEET: &str = include_str!("book.css");

/// The whole EPUB as bytes. The same book gives the same bytes. With `pages` (where the
/// PDF's numbered pages start), the EPUB marks them and lists them in a page-list.
/// `cover` is the cover image: the book's own or a generated one.
pub fn write(book: &Book, cover: Option<&Asset>, pages: Option<&[PageStart]>) -> anyhow::Result<Vec<u8>> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut items: Vec<Item> = Vec::new();
    let mut add = |id: String, href: String, media_type, properties, in_spine, bytes: Vec<u8>| {
        items.push(Item { id, href: href.clone(), media_type, properties, in_spine });
        files.push((href, bytes));
    };
    const XHTML: &str = "application/xhtml+xml";

    if let Some(cover) = cover {
        let href = format!("images/{}", cover.name);
        add("cover-image".into(), href.clone(), cover.media_type, Some("cover-image"), false, cover.bytes.clone());
        add("cover".into(), "cover.xhtml".into(), XHTML, None, true, xhtml::cover_page(book, &href).into_bytes());
    }
    add("title-page".into(), "title.xhtml".into(), XHTML, None, true, xhtml::title_page(book).into_bytes());
    let pages = pages.unwrap_or_default();
    let nav = package::nav(book, cover.is_some(), pages);
    add("nav".into(), "nav.xhtml".into(), XHTML, Some("nav"), true, nav.into_bytes());
    let mut rest = pages;
    for (i, essay) in book.essays.iter().enumerate() {
        let count = rest.iter().take_while(|p| p.essay == i).count();
        let (breaks, after) = rest.split_at(count);
        rest = after;
        let page = xhtml::essay_page(book, essay, "../images/", breaks);
        add(essay.id.clone(), essay_href(&essay.id), XHTML, None, true, page.into_bytes());
    }
    for (i, asset) in book.assets.iter().enumerate() {
        add(format!("img-{}", i + 1), format!("images/{}", asset.name), asset.media_type, None, false, asset.bytes.clone());
    }
    add("css".into(), "css/book.css".into(), "text/css", None, false, STYLESHEET.as_bytes().to_vec());
    add("ncx".into(), "toc.ncx".into(), "application/x-dtbncx+xml", None, false, package::ncx(book).into_bytes());

    let opf = package::opf(book, &items, !pages.is_empty());
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let stamp = zip_time(book);
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(stamp)
        .unix_permissions(0o644);
    let deflated = stored.compression_method(CompressionMethod::Deflated);
    zip.start_file("mimetype", stored)?;
    zip.write_all(b"application/epub+zip")?;
    zip.start_file("META-INF/container.xml", deflated)?;
    zip.write_all(package::container_xml("EPUB/package.opf").as_bytes())?;
    zip.start_file("EPUB/package.opf", deflated)?;
    zip.write_all(opf.as_bytes())?;
    for (href, bytes) in &files {
        let already_compressed = href.ends_with(".jpg") || href.ends_with(".png");
        zip.start_file(format!("EPUB/{href}"), if already_compressed { stored } else { deflated })?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// Archive timestamps: the book's `modified` moment, clamped to what ZIP can hold.
fn zip_time(book: &Book) -> zip::DateTime {
    let t = book.meta.modified;
    let year = t.year().clamp(1980, 2107) as u16;
    zip::DateTime::from_date_and_time(year, t.month() as u8, t.day() as u8, t.hour() as u8, t.minute() as u8, t.second() as u8)
        .unwrap_or_default()
}
