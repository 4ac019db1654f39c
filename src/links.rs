//! Where links land inside the book: every essay's addresses (file path, blog slug, Hugo bundle
//! folder, abbrlink) and its headings, so that `other.md`, `/article/other.html`,
//! `../other/#part` and `#part` become links to the right chapter and heading.

use std::collections::HashMap;
use std::path::Path;

use crate::doc::{Block, plain_text};

/// One essay as a link target.
#[derive(Debug)]
pub(crate) struct Target {
    /// The essay id (`e001`).
    pub(crate) essay: String,
    pub title: String,
    /// Normalised heading id or heading text → the heading's id.
    headings: HashMap<String, String>,
}

impl Target {
    pub(crate) fn new(essay: &str, title: &str, blocks: &[Block]) -> Target {
        let mut headings = HashMap::new();
        collect_headings(blocks, &mut headings);
        Target { essay: essay.to_owned(), title: title.to_owned(), headings }
    }

    /// The id of the heading a fragment names: its id, or its text as blogs make ids from it
    /// (`Post-Excerpt`, `site-configuration`, `文章摘要和截断`).
    pub(crate) fn heading(&self, fragment: &str) -> Option<&str> {
        self.headings.get(&normalise(&percent_decode(fragment))).map(String::as_str)
    }
}

fn collect_headings(blocks: &[Block], out: &mut HashMap<String, String>) {
    for block in blocks {
        match block {
            Block::Heading { id, content, .. } => {
                out.entry(normalise(&plain_text(content))).or_insert_with(|| id.clone());
                out.insert(normalise(id), id.clone());
            }
            Block::Quote(b) => collect_headings(b, out),
            Block::List { items, .. } => items.iter().for_each(|i| collect_headings(&i.blocks, out)),
            _ => {}
        }
    }
}

/// Lower-case letters and digits only: `Site Configuration`, `site-configuration` and
/// `Site_Configuration` agree.
fn normalise(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// All essays' addresses.
#[derive(Debug, Default)]
pub(crate) struct Index {
    /// Address → (how exact, essay index); `None` when two essays claim it equally.
    keys: HashMap<String, (u8, Option<usize>)>,
    pub(crate) targets: Vec<Target>,
}

/// Where a link goes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// An essay, and the heading id when the fragment named one that exists.
    Essay { index: usize, heading: Option<String>, missing_fragment: Option<String> },
    NotFound,
    /// Not an address inside the book at all (a web address, a file that is not an essay).
    NotLocal,
}

const FULL: u8 = 3;
const STEM: u8 = 2;
const ALIAS: u8 = 2;
const TAIL: u8 = 1;

impl Index {
    /// Registers an essay at `path` (relative to the manuscripts folder), with an `abbrlink`.
    pub(crate) fn add(&mut self, target: Target, path: &Path, abbrlink: Option<&str>) {
        let index = self.targets.len();
        self.targets.push(target);
        let segments = path_segments(&path.to_string_lossy().replace('\\', "/"));
        let mut variants = vec![segments.clone()];
        if let Some(last) = segments.last() {
            let undated = strip_date(last);
            if undated != last {
                let mut s = segments.clone();
                *s.last_mut().expect("last") = undated.to_owned();
                variants.push(s);
            }
        }
        for (v, segs) in variants.iter().enumerate() {
            for k in 0..segs.len() {
                let rank = match (v, k) {
                    (0, 0) => FULL,
                    (_, k) if k + 1 == segs.len() => STEM,
                    (1, 0) => STEM,
                    _ => TAIL,
                };
                self.claim(segs[k..].join("/"), rank, index);
            }
        }
        if let Some(a) = abbrlink {
            self.claim(a.to_owned(), ALIAS, index);
        }
    }

    fn claim(&mut self, key: String, rank: u8, index: usize) {
        let entry = self.keys.entry(key).or_insert((rank, Some(index)));
        match rank.cmp(&entry.0) {
            std::cmp::Ordering::Greater => *entry = (rank, Some(index)),
            std::cmp::Ordering::Equal if entry.1 != Some(index) => entry.1 = None,
            _ => {}
        }
    }

    /// Resolves a link's address as written in an essay.
    pub(crate) fn resolve(&self, url: &str) -> Resolved {
        let url = url.trim();
        if url.contains("://") || url.starts_with("mailto:") || url.starts_with("//") {
            return Resolved::NotLocal;
        }
        let (path, fragment) = match url.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (url, None),
        };
        let path = path.split('?').next().unwrap_or(path);
        let mut segments = path_segments(&percent_decode(path));
        if segments.is_empty() {
            return Resolved::NotFound;
        }
        let last = segments.last().expect("non-empty");
        if last.contains('.') {
            // A file that is not a page (`a.png`, `b.zip`) is no essay.
            return Resolved::NotLocal;
        }
        let mut found = self.lookup(&segments);
        if found.is_none() {
            let undated = strip_date(last).to_owned();
            *segments.last_mut().expect("non-empty") = undated;
            found = self.lookup(&segments);
        }
        let Some(index) = found else { return Resolved::NotFound };
        let fragment = fragment.filter(|f| !f.is_empty());
        let heading = fragment.and_then(|f| self.targets[index].heading(f)).map(str::to_owned);
        let missing_fragment = fragment.filter(|_| heading.is_none()).map(str::to_owned);
        Resolved::Essay { index, heading, missing_fragment }
    }

    /// The most exact unambiguous address among `segments` and its tails. A tail may drop one
    /// word (`article/`, `posts/`) and any number of date parts (`2019/01/`), as blog permalinks
    /// add; `/garden/demo/x.html` is another part of the site, not the essay `x`.
    fn lookup(&self, segments: &[String]) -> Option<usize> {
        let words_before = |k: usize| segments[..k].iter().filter(|s| !s.chars().all(|c| c.is_ascii_digit())).count();
        (0..segments.len()).take_while(|&k| words_before(k) <= 1).find_map(|k| match self.keys.get(&segments[k..].join("/")) {
            Some((_, Some(i))) => Some(Some(*i)),
            Some((_, None)) => Some(None),
            None => None,
        })?
    }
}

/// A path's meaningful parts: no empty, `.` or `..` parts, no page extension, no `index`.
fn path_segments(path: &str) -> Vec<String> {
    let mut segments: Vec<String> = path.split('/').filter(|s| !s.is_empty() && *s != "." && *s != "..").map(str::to_owned).collect();
    if let Some(last) = segments.last_mut() {
        for ext in [".html", ".htm", ".md", ".markdown", ".php"] {
            if let Some(stem) = last.strip_suffix(ext) {
                *last = stem.to_owned();
                break;
            }
        }
    }
    // Hugo bundles (`post/index.md`, `post/index.zh-cn.md`) and section pages.
    if segments.last().is_some_and(|l| l == "index" || l == "_index" || l.starts_with("index.")) {
        segments.pop();
    }
    segments
}

/// `2016-07-28-css-flex` → `css-flex`, as Hexo's `:title` drops the date of `:year-:month-:day-:title`.
fn strip_date(name: &str) -> &str {
    let b = name.as_bytes();
    let dated = b.len() > 11
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && b[10] == b'-';
    if dated { &name[11..] } else { name }
}

pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Inline;

    fn heading(id: &str, text: &str) -> Block {
        Block::Heading { level: 2, id: id.into(), content: vec![Inline::Text(text.into())] }
    }

    fn index() -> Index {
        let mut ix = Index::default();
        let essays = [
            ("2016-07-28-css-flex.md", vec![heading("s1", "Flex 容器")], None),
            ("2016-07-22-a-responsive-menu.md", vec![], None),
            ("docs/front-matter.md", vec![heading("s1", "Site Configuration")], None),
            ("zh-cn/docs/front-matter.md", vec![], None),
            ("zh-cn/docs/tag-plugins.md", vec![heading("s1", "文章摘要和截断")], None),
            ("theme-documentation-content/index.zh-cn.md", vec![], Some("7a8b2c3d")),
        ];
        for (i, (path, blocks, abbrlink)) in essays.into_iter().enumerate() {
            ix.add(Target::new(&format!("e{i:03}"), path, &blocks), Path::new(path), abbrlink);
        }
        ix
    }

    fn essay(r: Resolved) -> (usize, Option<String>, Option<String>) {
        match r {
            Resolved::Essay { index, heading, missing_fragment } => (index, heading, missing_fragment),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn blog_addresses_find_their_essay() {
        let ix = index();
        assert_eq!(essay(ix.resolve("/article/css-flex.html")).0, 0);
        assert_eq!(essay(ix.resolve("2016-07-28-css-flex.md")).0, 0);
        assert_eq!(essay(ix.resolve("/2016/07/22/a-responsive-menu/")).0, 1);
        assert_eq!(essay(ix.resolve("../theme-documentation-content")).0, 5);
        assert_eq!(essay(ix.resolve("/posts/theme-documentation-content/")).0, 5);
        assert_eq!(essay(ix.resolve("/zh-cn/docs/tag-plugins")).0, 4);
        // The full path wins over another essay's tail.
        assert_eq!(essay(ix.resolve("/docs/front-matter")).0, 2);
        assert_eq!(essay(ix.resolve("7a8b2c3d")).0, 5);
    }

    #[test]
    fn fragments_match_heading_ids_and_texts() {
        let ix = index();
        assert_eq!(essay(ix.resolve("/docs/front-matter#site-configuration")).1.as_deref(), Some("s1"));
        assert_eq!(essay(ix.resolve("/zh-cn/docs/tag-plugins#%E6%96%87%E7%AB%A0%E6%91%98%E8%A6%81%E5%92%8C%E6%88%AA%E6%96%AD")).1.as_deref(), Some("s1"));
        assert_eq!(essay(ix.resolve("/article/css-flex.html#nothing")).2.as_deref(), Some("nothing"));
    }

    #[test]
    fn other_addresses_are_not_essays() {
        let ix = index();
        assert_eq!(ix.resolve("/garden/demo/a-responsive-menu.html"), Resolved::NotFound);
        assert_eq!(ix.resolve("/front-matter"), Resolved::NotFound, "two essays are named so");
        assert_eq!(ix.resolve("https://example.org/css-flex"), Resolved::NotLocal);
        assert_eq!(ix.resolve("images/a.png"), Resolved::NotLocal);
        assert_eq!(ix.resolve("/"), Resolved::NotFound);
    }

    #[test]
    fn dates_are_stripped_only_from_dated_names() {
        assert_eq!(strip_date("2016-07-28-css-flex"), "css-flex");
        assert_eq!(strip_date("2016-07-28"), "2016-07-28");
        assert_eq!(strip_date("notes"), "notes");
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b%E4%B8%AD.png"), "a b中.png");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
