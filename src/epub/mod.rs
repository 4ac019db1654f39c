//! EPUB 3 output, written directly with `zip` (see README: epub-builder 0.8.3 fails EPUBCheck).

mod fonts;
mod package;
pub mod xhtml;

use std::collections::BTreeSet;
use std::io::{Cursor, Write};

use chrono::{Datelike, Timelike};
use rayon::prelude::*;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::assets::{Asset, FormulaImages};
use crate::book::Book;
use crate::index::INDEX_TITLE;
use crate::font::{FontId, FontSet};
use crate::doc::PageStart;
use package::{Item, essay_href};

/// The tag index's page.
pub(crate) const INDEX_HREF: &str = "index.xhtml";

const STYLESHEET: &str = include_str!("book.css");

/// Appended to the stylesheet when the fonts are embedded: they come first.
const EMBEDDED_FONTS: &str = r#"
/* The book's own fonts, embedded. */
@font-face { font-family: "wenji serif"; font-weight: normal; font-style: normal; src: url(../fonts/serif.ttf) format("truetype"); }
@font-face { font-family: "wenji serif"; font-weight: bold; font-style: normal; src: url(../fonts/serif-bold.ttf) format("truetype"); }
@font-face { font-family: "wenji mono"; font-weight: normal; font-style: normal; src: url(../fonts/mono.ttf) format("truetype"); }
html, html[lang], body, h1, h2, h3, h4, h5, h6, html[lang] h1, html[lang] h2, html[lang] h3, html[lang] h4, html[lang] h5, html[lang] h6 {
  font-family: "wenji serif", "Noto Serif CJK SC", "Noto Serif SC", serif;
}
code, pre { font-family: "wenji mono", "wenji serif", monospace; }
"#;

/// The whole EPUB as bytes. The same book gives the same bytes. With `pages` (where the
/// PDF's numbered pages start), the EPUB marks them and lists them in a page-list.
/// `cover` is the cover image: the book's own or a generated one. With `fonts`, the text,
/// bold and code fonts are embedded, cut down to the characters the book uses.
pub fn write(book: &Book, cover: Option<&Asset>, pages: Option<&[PageStart]>, fonts: Option<&FontSet>, formulas: &FormulaImages) -> anyhow::Result<Vec<u8>> {
    let mut parts = Parts::default();
    const XHTML: &str = "application/xhtml+xml";

    if let Some(cover) = cover {
        let href = format!("images/{}", cover.name);
        parts.add("cover-image".into(), href.clone(), cover.media_type, Some("cover-image"), false, cover.bytes.clone());
        parts.add("cover".into(), "cover.xhtml".into(), XHTML, None, true, xhtml::cover_page(book, &href).into_bytes());
        parts.items.last_mut().expect("the cover page was added").aside = true;
    }
    parts.add("title-page".into(), "title.xhtml".into(), XHTML, None, true, xhtml::title_page(book).into_bytes());
    let pages = pages.unwrap_or_default();
    let nav = package::nav(book, cover.is_some(), pages);
    parts.add("nav".into(), "nav.xhtml".into(), XHTML, Some("nav"), true, nav.into_bytes());
    // The printed page each essay opens on, which the tag index shows as the PDF's does.
    let mut opens_on: Vec<Option<u32>> = vec![None; book.essays.len()];
    for p in pages {
        if let Some(first) = opens_on.get_mut(p.essay) {
            first.get_or_insert(p.number);
        }
    }
    let mut rest = pages;
    for (i, essay) in book.essays.iter().enumerate() {
        let count = rest.iter().take_while(|p| p.essay == i).count();
        let (breaks, after) = rest.split_at(count);
        rest = after;
        let page = xhtml::essay_page(book, essay, "../images/", breaks, formulas);
        let properties = page.contains("<math ").then_some("mathml");
        parts.add(essay.id.clone(), essay_href(&essay.id), XHTML, properties, true, page.into_bytes());
    }
    if !book.tag_index.is_empty() {
        let page = xhtml::index_page(book, &book.meta.say(INDEX_TITLE), rest, &opens_on);
        parts.add("index".into(), INDEX_HREF.into(), XHTML, None, true, page.into_bytes());
    }
    for (i, asset) in book.assets.iter().enumerate() {
        parts.add(format!("img-{}", i + 1), format!("images/{}", asset.name), asset.media_type, None, false, asset.bytes.clone());
    }
    // The formulas' pictures, each once (formulas that look alike share one), in name order.
    let pictures: std::collections::BTreeMap<&str, &Asset> = formulas.values().map(|p| (p.asset.name.as_str(), &p.asset)).collect();
    for (name, asset) in pictures {
        parts.add(name.trim_end_matches(".png").to_owned(), format!("images/{name}"), asset.media_type, None, false, asset.bytes.clone());
    }
    let mut stylesheet = STYLESHEET.to_owned();
    if let Some(fonts) = fonts {
        let pages = parts.files.iter().filter(|(href, _)| href.ends_with(".xhtml"));
        let chars: BTreeSet<char> = pages.flat_map(|(_, bytes)| std::str::from_utf8(bytes).unwrap_or_default().chars()).collect();
        let faces = [(FontId::SERIF, "serif.ttf"), (FontId::BOLD, "serif-bold.ttf"), (FontId::MONO, "mono.ttf")];
        let subsets: Vec<anyhow::Result<Vec<u8>>> = faces.par_iter().map(|(id, _)| fonts::subset(fonts.get(*id), &chars)).collect();
        for ((_, file), bytes) in faces.iter().zip(subsets) {
            parts.add(format!("font-{}", file.trim_end_matches(".ttf")), format!("fonts/{file}"), "font/ttf", None, false, bytes?);
        }
        stylesheet.push_str(EMBEDDED_FONTS);
    }
    parts.add("css".into(), "css/book.css".into(), "text/css", None, false, stylesheet.into_bytes());
    parts.add("ncx".into(), "toc.ncx".into(), "application/x-dtbncx+xml", None, false, package::ncx(book).into_bytes());

    let Parts { items, files } = parts;
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
        let already_compressed = [".jpg", ".png", ".gif", ".webp"].iter().any(|ext| href.ends_with(ext));
        zip.start_file(format!("EPUB/{href}"), if already_compressed { stored } else { deflated })?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// The files of the EPUB and their manifest entries, in order.
#[derive(Default)]
struct Parts {
    items: Vec<Item>,
    files: Vec<(String, Vec<u8>)>,
}

impl Parts {
    fn add(&mut self, id: String, href: String, media_type: &'static str, properties: Option<&'static str>, in_spine: bool, bytes: Vec<u8>) {
        self.items.push(Item { id, href: href.clone(), media_type, properties, in_spine, aside: false });
        self.files.push((href, bytes));
    }
}

/// Archive timestamps: the book's `modified` moment, clamped to what ZIP can hold.
fn zip_time(book: &Book) -> zip::DateTime {
    let t = book.meta.modified;
    let year = t.year().clamp(1980, 2107) as u16;
    zip::DateTime::from_date_and_time(year, t.month() as u8, t.day() as u8, t.hour() as u8, t.minute() as u8, t.second() as u8)
        .unwrap_or_default()
}
