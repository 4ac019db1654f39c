//! wenji (文集): a compiler from a folder of Chinese Markdown essays to an EPUB 3 and a PDF.
//!
//! Data flow: `Config → manuscripts → Book (doc trees) → { typeset → pages → pdf::Writer, epub::write }`:
//! the PDF writer draws each page on its own thread as typesetting finishes it.

pub mod assets;
pub mod avif;
pub mod book;
pub mod build;
pub mod cli;
pub mod config;
pub mod convert;
pub mod diag;
pub mod doc;
pub mod edition;
pub mod fetch;
pub mod epub;
pub mod font;
pub mod highlight;
pub mod index;
pub mod input;
pub mod init;
pub mod kinsoku;
pub mod locale;
pub mod links;
pub mod manuscript;
pub mod markdown;
pub mod math;
pub mod pdf;
pub mod raster;
pub mod svg;
pub mod typeset;
pub mod zone;
