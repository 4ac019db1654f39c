//! Compresses the Traditional-Chinese faces into the build folder: the binary carries them
//! deflated (22.6 MB of fonts in 13 MB) and inflates one only when a book is set in it.

use std::io::Write;
use std::path::Path;

const COMPRESSED: [&str; 4] = ["NotoSerifTC-Regular.ttf", "NotoSerifTC-Bold.ttf", "NotoSerifHK-Regular-Forms.ttf", "NotoSerifHK-Bold-Forms.ttf"];

fn main() {
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    for name in COMPRESSED {
        let source = Path::new("fonts").join(name);
        println!("cargo::rerun-if-changed={}", source.display());
        let data = std::fs::read(&source).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&data).expect("compresses in memory");
        let compressed = encoder.finish().expect("compresses in memory");
        std::fs::write(Path::new(&out).join(format!("{name}.z")), compressed).expect("the build folder is writable");
    }
}
