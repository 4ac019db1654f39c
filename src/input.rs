//! Reading the user's files: regular files only, and never more than a limit. A named pipe
//! would block the build for ever and a character device never ends; a size taken from
//! metadata alone is 0 for both, so the kind is checked before opening and again on the open
//! file, and the read stops one byte past the limit whatever the metadata said.

use std::fmt;
use std::fs::{Metadata, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Not a regular file: what it is instead.
    NotAFile(&'static str),
    /// Larger than the limit: its size (at least), and the limit, in bytes.
    TooLarge { bytes: u64, limit: u64 },
    Io(std::io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotAFile(kind) => write!(f, "it is {kind}, not a regular file"),
            ReadError::TooLarge { bytes, limit } => write!(f, "it is {}; wenji reads files of this kind up to {}", size(*bytes), size(*limit)),
            ReadError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> ReadError {
        ReadError::Io(e)
    }
}

/// The bytes of the regular file at `path` (links followed), if it holds at most `limit`.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    check(&std::fs::metadata(path)?, limit)?;
    // Not blocking: if a pipe took the file's place since, opening it does not wait for a writer.
    let file = OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)?;
    let meta = file.metadata()?;
    check(&meta, limit)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    Read::take(&file, limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { bytes: bytes.len() as u64, limit });
    }
    Ok(bytes)
}

/// The first `length` bytes of the regular file at `path` (all of a shorter one).
pub fn read_start(path: &Path, length: u64) -> Result<Vec<u8>, ReadError> {
    check(&std::fs::metadata(path)?, u64::MAX)?;
    let file = OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)?;
    check(&file.metadata()?, u64::MAX)?;
    let mut bytes = Vec::new();
    Read::take(&file, length).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The text of the regular file at `path`, as `read`; bytes that are not UTF-8 are an error.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    String::from_utf8(read(path, limit)?).map_err(|e| ReadError::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error())))
}

/// Whether `path` is a regular file (links followed): what may be read.
pub fn is_regular(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// What a file that is not regular is, in words.
pub fn kind(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_file() {
        "a regular file"
    } else if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a named pipe (FIFO)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

fn check(meta: &Metadata, limit: u64) -> Result<(), ReadError> {
    if !meta.is_file() {
        return Err(ReadError::NotAFile(kind(meta)));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { bytes: meta.len(), limit });
    }
    Ok(())
}

/// A size in binary units, as file managers on Linux show it: `16 MiB`, `16.8 MiB`, `512 KiB`.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["bytes", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    match unit {
        0 => format!("{bytes} bytes"),
        _ if value.fract() < 0.05 => format!("{value:.0} {}", UNITS[unit]),
        _ => format!("{value:.1} {}", UNITS[unit]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_binary_units() {
        assert_eq!(size(16 << 20), "16 MiB");
        assert_eq!(size((16 << 20) + (800 << 10)), "16.8 MiB");
        assert_eq!(size(512 << 10), "512 KiB");
        assert_eq!(size(999), "999 bytes");
    }

    #[test]
    fn a_pipe_and_a_device_are_not_read_and_a_long_read_stops_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.md");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        assert!(matches!(read(&fifo, 100), Err(ReadError::NotAFile("a named pipe (FIFO)"))));
        assert!(matches!(read(Path::new("/dev/zero"), 100), Err(ReadError::NotAFile("a character device"))));
        let file = dir.path().join("big");
        std::fs::write(&file, vec![b'x'; 101]).unwrap();
        assert!(matches!(read(&file, 100), Err(ReadError::TooLarge { bytes: 101, limit: 100 })));
        assert_eq!(read(&file, 101).unwrap().len(), 101);
    }
}
