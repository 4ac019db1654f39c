//! Remote images, fetched over HTTP(S) with `ureq` into a cache beside the book: a rebuild
//! reads them from there, offline, and gets the same bytes.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sha2::{Digest, Sha256};

/// The largest image fetched; a larger answer is cut off and refused.
pub(crate) const MAX_BYTES: u64 = 20 << 20;
/// The longest a connection may take, within the time one fetch may take in all.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Fetches at once: images come from many hosts, and each waits mostly on the network.
const AT_ONCE: usize = 8;

/// The cache folder of the book whose root is `root`.
pub(crate) fn cache_folder(root: &Path) -> PathBuf {
    root.join(".wenji-cache").join("images")
}

/// Where a remote image came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    Cache,
    Network,
}

pub(crate) struct Fetcher {
    cache: PathBuf,
    online: bool,
    timeout: Duration,
    agent: ureq::Agent,
}

impl Fetcher {
    /// A fetcher keeping images in `cache`; `timeout` bounds each fetch, from connecting to the
    /// last byte.
    pub(crate) fn new(cache: PathBuf, online: bool, timeout: Duration) -> Fetcher {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .timeout_connect(Some(CONNECT_TIMEOUT.min(timeout)))
            .max_redirects(5)
            .user_agent(concat!("wenji/", env!("CARGO_PKG_VERSION"), " (book builder)"))
            .build()
            .into();
        Fetcher { cache, online, timeout, agent }
    }

    /// Each of `urls`, from the cache or the network, several at a time, in the order given.
    pub(crate) fn get_all(&self, urls: &[String]) -> Vec<Result<(Vec<u8>, Origin), String>> {
        let next = AtomicUsize::new(0);
        let mut results: Vec<Option<Result<(Vec<u8>, Origin), String>>> = (0..urls.len()).map(|_| None).collect();
        let found = std::sync::Mutex::new(&mut results);
        std::thread::scope(|scope| {
            for _ in 0..AT_ONCE.min(urls.len()) {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(url) = urls.get(i) else { break };
                        let result = self.get(url);
                        found.lock().expect("no fetch panics holding the lock")[i] = Some(result);
                    }
                });
            }
        });
        results.into_iter().map(|r| r.expect("every address was fetched")).collect()
    }

    /// `url`'s bytes: from the cache, else fetched (when online) and kept there.
    pub(crate) fn get(&self, url: &str) -> Result<(Vec<u8>, Origin), String> {
        let kept = self.cache.join(cache_name(url));
        if let Ok(bytes) = crate::input::read(&kept, MAX_BYTES) {
            return Ok((bytes, Origin::Cache));
        }
        if !self.online {
            return Err("it is remote, not in the cache, and fetching is off (--offline)".into());
        }
        let bytes = self.fetch(url)?;
        // A cache that cannot be written costs only a fetch at the next build.
        let _ = keep(&self.cache, &kept, &bytes);
        Ok((bytes, Origin::Network))
    }

    fn fetch(&self, url: &str) -> Result<Vec<u8>, String> {
        let describe = |e: ureq::Error| describe(&e, self.timeout);
        let mut response = self.agent.get(url).call().map_err(describe)?;
        let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("no content type").to_owned();
        let bytes = response.body_mut().with_config().limit(MAX_BYTES).read_to_vec().map_err(describe)?;
        // The bytes say what they are: image hosts answer a hotlink with a web page.
        if !looks_like_an_image(&bytes) {
            return Err(format!("the server sent {} bytes of `{kind}`, not an image", bytes.len()));
        }
        Ok(bytes)
    }
}

fn describe(e: &ureq::Error, timeout: Duration) -> String {
    match e {
        ureq::Error::StatusCode(code) => format!("the server answered HTTP {code}"),
        ureq::Error::Timeout(_) => format!("no answer within {} s", timeout.as_secs_f32()),
        ureq::Error::BodyExceedsLimit(_) => format!("it is larger than {}", crate::input::size(MAX_BYTES)),
        ureq::Error::HostNotFound => "the host is not found".into(),
        ureq::Error::Io(io) => format!("it could not be fetched ({io})"),
        other => format!("it could not be fetched ({other})"),
    }
}

/// The cache file of `url`: its SHA-256, so any address is a safe file name.
fn cache_name(url: &str) -> String {
    Sha256::digest(url.as_bytes())[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `bytes` to `path` through a temporary file, so a half-written image is never cached.
fn keep(folder: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)?;
    let mut file = tempfile::NamedTempFile::new_in(folder)?;
    std::io::Write::write_all(&mut file, bytes)?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// PNG, JPEG, GIF, WebP, AVIF or SVG, by their first bytes.
fn looks_like_an_image(bytes: &[u8]) -> bool {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    starts(b"\x89PNG\r\n\x1a\n")
        || starts(b"\xff\xd8\xff")
        || starts(b"GIF87a")
        || starts(b"GIF89a")
        || (starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP"))
        || (bytes.get(4..8) == Some(b"ftyp") && matches!(bytes.get(8..12), Some(b"avif" | b"avis")))
        || text.trim_start().starts_with("<svg")
        || (text.trim_start().starts_with("<?xml") && text.contains("<svg"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_web_page_is_not_an_image() {
        assert!(looks_like_an_image(b"\x89PNG\r\n\x1a\n...."));
        assert!(looks_like_an_image(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"));
        assert!(!looks_like_an_image(b"<!DOCTYPE html><html><body>hotlinking is not allowed</body></html>"));
        assert_ne!(cache_name("https://a.example/x.png"), cache_name("https://a.example/y.png"));
    }

    #[test]
    fn offline_reads_only_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let fetcher = Fetcher::new(dir.path().to_path_buf(), false, Duration::from_secs(1));
        let url = "https://img.example.org/a.png";
        assert!(fetcher.get(url).unwrap_err().contains("--offline"));
        std::fs::write(dir.path().join(cache_name(url)), b"\x89PNG\r\n\x1a\nkept").unwrap();
        assert_eq!(fetcher.get(url).unwrap(), (b"\x89PNG\r\n\x1a\nkept".to_vec(), Origin::Cache));
    }
}
