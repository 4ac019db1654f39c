//! The book's fonts embedded in the EPUB (`[epub] embed-fonts = true`): each cut down to the
//! characters the book uses. subsetter keeps the outlines and metrics (it is made for PDF and
//! drops `cmap` and `OS/2`); a reading system needs both, so they are put back: a new `cmap`
//! for the kept glyphs and the original `OS/2`.

use std::collections::BTreeSet;

use write_fonts::FontBuilder;
use write_fonts::read::FontRef;
use write_fonts::tables::cmap::Cmap;
use write_fonts::types::{GlyphId, Tag};

use crate::font::Font;

/// `font` with only the glyphs of `chars` (and `.notdef`), as a TrueType/OpenType file.
pub(crate) fn subset(font: &Font, chars: &BTreeSet<char>) -> anyhow::Result<Vec<u8>> {
    let mut remapper = subsetter::GlyphRemapper::new();
    let mapped: Vec<(char, u16)> = chars.iter().filter_map(|&c| Some((c, font.glyph(c)?))).collect();
    for &(_, g) in &mapped {
        remapper.remap(g);
    }
    let cut = subsetter::subset(font.data, font.index, &remapper).map_err(|e| anyhow::anyhow!("cannot subset {}: {e:?}", font.name))?;
    let cmap = Cmap::from_mappings(mapped.iter().filter_map(|&(c, g)| Some((c, GlyphId::new(u32::from(remapper.get(g)?))))))
        .map_err(|e| anyhow::anyhow!("cannot map the characters of {}: {e:?}", font.name))?;
    let cut_font = FontRef::new(&cut)?;
    let original = FontRef::from_index(font.data, font.index)?;
    let mut builder = FontBuilder::new();
    for record in cut_font.table_directory.table_records() {
        let tag = record.tag();
        if let Some(data) = cut_font.table_data(tag) {
            builder.add_raw(tag, data.as_bytes().to_vec());
        }
    }
    builder.add_table(&cmap)?;
    let os2 = Tag::new(b"OS/2");
    if let Some(data) = original.table_data(os2) {
        builder.add_raw(os2, data.as_bytes().to_vec());
    }
    Ok(builder.build())
}
