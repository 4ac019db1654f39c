//! GIF read at the level of its blocks, without decoding: where its frames are, whether the
//! file is whole, and a copy whose logical screen is cut to its frames. A GIF of a few bytes
//! may declare a 10000×10000 screen; decoders paint every frame onto a canvas that size.

/// A GIF's logical screen and its frames (left, top, width, height).
pub(super) struct Layout {
    pub(super) screen: (u16, u16),
    pub(super) frames: Vec<Frame>,
}

pub(super) struct Frame {
    /// Where its image descriptor's position starts in the file.
    at: usize,
    pub(super) left: u16,
    pub(super) top: u16,
    pub(super) width: u16,
    pub(super) height: u16,
}

/// Reads the blocks of a GIF; an error when the file ends before its trailer.
pub(super) fn layout(bytes: &[u8]) -> Result<Layout, String> {
    const SHORT: &str = "the GIF file ends early (it is truncated)";
    let u16_at = |at: usize| -> Result<u16, String> { Ok(u16::from_le_bytes([*bytes.get(at).ok_or(SHORT)?, *bytes.get(at + 1).ok_or(SHORT)?])) };
    let byte_at = |at: usize| -> Result<u8, String> { bytes.get(at).copied().ok_or_else(|| SHORT.to_owned()) };
    // Data sub-blocks: a length byte, that many bytes, until a length of 0.
    let skip_sub_blocks = |mut at: usize| -> Result<usize, String> {
        loop {
            let len = byte_at(at)? as usize;
            at += 1 + len;
            if len == 0 {
                return Ok(at);
            }
        }
    };
    let colour_table = |packed: u8| if packed & 0x80 != 0 { 3 << ((packed & 7) + 1) } else { 0 };
    let screen = (u16_at(6)?, u16_at(8)?);
    let mut at = 13 + colour_table(byte_at(10)?);
    let mut frames = Vec::new();
    loop {
        match byte_at(at)? {
            0x21 => at = skip_sub_blocks(at + 2)?,
            0x2C => {
                frames.push(Frame { at: at + 1, left: u16_at(at + 1)?, top: u16_at(at + 3)?, width: u16_at(at + 5)?, height: u16_at(at + 7)? });
                let packed = byte_at(at + 9)?;
                // The table, the LZW code size, then the image data.
                at = skip_sub_blocks(at + 10 + colour_table(packed) + 1)?;
            }
            0x3B => return Ok(Layout { screen, frames }),
            other => return Err(format!("the GIF file is damaged (a block of kind {other:#04x})")),
        }
    }
}

impl Layout {
    /// The frames' bounding box on the screen (clipped to it): left, top, width, height.
    pub(super) fn frames_box(&self) -> Option<(u16, u16, u16, u16)> {
        let clip = |v: u32, max: u16| v.min(u32::from(max)) as u16;
        let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
        for f in &self.frames {
            x0 = x0.min(u32::from(f.left));
            y0 = y0.min(u32::from(f.top));
            x1 = x1.max(u32::from(f.left) + u32::from(f.width));
            y1 = y1.max(u32::from(f.top) + u32::from(f.height));
        }
        let (x0, y0, x1, y1) = (clip(x0, self.screen.0), clip(y0, self.screen.1), clip(x1, self.screen.0), clip(y1, self.screen.1));
        (x1 > x0 && y1 > y0).then(|| (x0, y0, x1 - x0, y1 - y0))
    }

    /// `bytes` with the screen cut to `(left, top, width, height)` and the frames moved onto it.
    pub(super) fn cut(&self, bytes: &[u8], (left, top, width, height): (u16, u16, u16, u16)) -> Vec<u8> {
        let mut out = bytes.to_vec();
        out[6..8].copy_from_slice(&width.to_le_bytes());
        out[8..10].copy_from_slice(&height.to_le_bytes());
        for f in &self.frames {
            out[f.at..f.at + 2].copy_from_slice(&f.left.saturating_sub(left).to_le_bytes());
            out[f.at + 2..f.at + 4].copy_from_slice(&f.top.saturating_sub(top).to_le_bytes());
        }
        out
    }
}
