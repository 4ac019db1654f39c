//! The PDF typesetter: fonts and shaping, 禁则 line breaking, paragraph and page layout.
//! It produces a `Layout` of positioned frames; `crate::pdf` writes them.

pub mod font;
pub mod frame;
pub mod inline;
pub mod kinsoku;
