//! The PDF typesetter: Chinese line breaking, shaping, paragraphs and pages.
//! It produces positioned frames; only `pdf.rs` knows the PDF crate.

pub mod font;
pub mod kinsoku;
