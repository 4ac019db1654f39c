//! The book: essays ordered into chapters, with ids, sections, images and book-level metadata.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use sha2::{Digest, Sha256};

use crate::assets::{self, Asset};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::fetch::{self, Fetcher, Origin};
use crate::doc::{Block, Footnote, Inline, LinkTarget, for_each_inlines_mut, plain_text};
use crate::index;
use crate::links;
use crate::manuscript::{Manuscript, Meta};
use crate::markdown::Body;

#[derive(Debug, Clone)]
pub struct Book {
    pub meta: BookMeta,
    pub essays: Vec<Essay>,
    /// Images used in essays; `Inline::Image::asset` indexes this.
    pub(crate) assets: Vec<Asset>,
    pub(crate) cover: Option<Asset>,
    /// The tag index at the back of the book; empty for none.
    pub(crate) tag_index: Vec<index::Group>,
    pub(crate) images: ImageCounts,
    /// Drafts not in the book (`draft: true`, `published: false`).
    pub(crate) drafts_left_out: usize,
    pub(crate) formulas: crate::doc::FormulaCounts,
    /// The theme the EPUB highlights code in (`[epub] highlight`), or `none`.
    pub(crate) code_theme: String,
}

#[derive(Debug, Clone)]
pub struct BookMeta {
    pub title: String,
    pub(crate) subtitle: Option<String>,
    pub(crate) authors: Vec<String>,
    pub(crate) language: String,
    pub(crate) description: String,
    pub(crate) publisher: Option<String>,
    pub(crate) identifier: String,
    /// Publication date as written in `dc:date` (`YYYY-MM-DD`).
    pub(crate) date: String,
    /// The moment stamped as `dcterms:modified` and into archive entries.
    pub(crate) modified: DateTime<Utc>,
    pub(crate) subjects: Vec<String>,
    /// The conventions of `language`.
    pub(crate) locale: crate::locale::Locale,
}

impl BookMeta {
    /// Words wenji writes itself (目录, 注释, …), given in Simplified Chinese, in the book's script.
    pub(crate) fn say(&self, simplified: &str) -> String {
        crate::convert::words(self.locale, simplified)
    }
}

#[derive(Debug, Clone)]
pub struct Essay {
    /// Stable id within the book: `e001`, `e002`, … in reading order.
    pub(crate) id: String,
    /// The essay's file, as diagnostics show it.
    pub path: PathBuf,
    /// The file's text, normalised as it was read (no BOM, `\n` line endings): what
    /// diagnostics found later (by the typesetter) point into.
    pub source: String,
    pub meta: Meta,
    pub(crate) blocks: Vec<Block>,
    pub(crate) footnotes: Vec<Footnote>,
    /// Headings of the two outermost levels, nested, for tables of contents.
    pub(crate) sections: Vec<Section>,
}

impl Essay {
    /// The description printed under the title, unless it repeats the essay's opening (as a
    /// blog's excerpt often does): its first sentence, in letters, digits and Han whatever the
    /// spacing, punctuation or markup, is in the text of the essay's first blocks.
    pub(crate) fn lede(&self) -> Option<&str> {
        let lede = self.meta.description.as_deref()?;
        let letters = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).collect::<String>();
        let first = lede.split_inclusive(['。', '！', '？', '!', '?']).next().unwrap_or(lede);
        let wanted = if letters(first).chars().count() >= 8 { letters(first) } else { letters(lede) };
        let mut opening = String::new();
        for block in self.blocks.iter().take(OPENING_BLOCKS) {
            if let Block::Paragraph(inlines) | Block::Heading { content: inlines, .. } = block {
                opening.push_str(&letters(&plain_text(inlines)));
            }
        }
        (wanted.is_empty() || !opening.contains(&wanted)).then_some(lede)
    }
}

/// How many blocks at an essay's start its description is compared with.
const OPENING_BLOCKS: usize = 6;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Section {
    pub(crate) id: String,
    pub title: String,
    /// `1`, `2.1`, … as `toc_number` shows it.
    pub(crate) number: String,
    pub(crate) children: Vec<Section>,
}

/// Orders essays by date (undated last), then title, then file name.
pub(crate) fn order(essays: &mut [(Manuscript, Body)]) {
    essays.sort_by(|(a, _), (b, _)| {
        let key = |m: &Manuscript| (m.meta.date.is_none(), m.meta.date.map(|d| d.timestamp_nanos_opt()));
        key(a)
            .cmp(&key(b))
            .then_with(|| a.meta.title.cmp(&b.meta.title))
            .then_with(|| a.path.cmp(&b.path))
    });
}

/// Assembles the book from read essays. `source_date_epoch` (seconds) fixes `modified`.
pub fn assemble(
    config: &Config,
    mut essays: Vec<(Manuscript, Body)>,
    source_date_epoch: Option<i64>,
) -> (Book, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let all = essays.len();
    essays.retain(|(m, _)| config.drafts || !m.meta.draft);
    let drafts_left_out = all - essays.len();
    let mut formulas = crate::doc::FormulaCounts::default();
    for (_, body) in &essays {
        formulas += body.formulas;
    }
    order(&mut essays);
    if config.order == crate::config::Order::Desc {
        let dated = essays.iter().take_while(|(m, _)| m.meta.date.is_some()).count();
        essays[..dated].reverse();
    }
    warn_duplicate_titles(&essays, &mut diags);

    let newest = essays
        .iter()
        .filter_map(|(m, _)| m.meta.updated.max(m.meta.date))
        .max()
        .map(|d| d.with_timezone(&Utc));
    let modified = source_date_epoch
        .and_then(|s| Utc.timestamp_opt(s, 0).single())
        .or(newest)
        .unwrap_or_else(|| Utc.timestamp_opt(315_532_800, 0).single().expect("1980-01-01"))
        // What EPUB's `dcterms:modified` can hold: four-digit years after 1970.
        .clamp(DateTime::UNIX_EPOCH, Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).single().expect("a valid time"));
    let date = config.date.clone().unwrap_or_else(|| {
        let newest_date = essays.iter().filter_map(|(m, _)| m.meta.date).max();
        newest_date.map_or_else(|| modified.format("%Y-%m-%d").to_string(), |d| d.format("%Y-%m-%d").to_string())
    });

    let fetcher = Fetcher::new(fetch::cache_folder(&config.root), !config.offline, config.fetch_timeout);
    let mut images = ImageStore::new(&config.manuscripts, fetcher);
    let mut out = Vec::with_capacity(essays.len());
    let mut manuscripts = Vec::with_capacity(essays.len());
    let mut index = links::Index::default();
    for (n, (m, body)) in essays.into_iter().enumerate() {
        let essay = Essay {
            id: format!("e{:03}", n + 1),
            path: m.path.clone(),
            source: String::new(),
            sections: sections(&body.blocks),
            meta: m.meta.clone(),
            blocks: body.blocks,
            footnotes: body.footnotes,
        };
        let relative = m.path.strip_prefix(&config.manuscripts).unwrap_or(&m.path);
        index.add(links::Target::new(&essay.id, &essay.meta.title, &essay.blocks), relative, m.meta.abbrlink.as_deref());
        out.push(essay);
        manuscripts.push(m);
    }
    // Images are read and checked in parallel first; the essays then take them in order.
    let mut wanted = Vec::new();
    for (essay, m) in out.iter_mut().zip(&manuscripts) {
        let mut note = |inlines: &mut Vec<Inline>| image_sources(inlines, &mut |src| wanted.extend(images.locate(m, src).ok()));
        for_each_inlines_mut(&mut essay.blocks, &mut note);
        for footnote in &mut essay.footnotes {
            for_each_inlines_mut(&mut footnote.blocks, &mut note);
        }
    }
    images.prepare_all(wanted);
    for (n, (essay, m)) in out.iter_mut().zip(&manuscripts).enumerate() {
        let mut resolver = Resolver { m, own: n, index: &index, site_url: config.site_url.as_deref(), images: &mut images, diags: &mut diags };
        let mut fix = |inlines: &mut Vec<Inline>| resolver.list(inlines);
        for_each_inlines_mut(&mut essay.blocks, &mut fix);
        for note in &mut essay.footnotes {
            for_each_inlines_mut(&mut note.blocks, &mut fix);
        }
    }
    // The sources move into their essays: the typesetter places its warnings in them.
    for (essay, m) in out.iter_mut().zip(manuscripts) {
        essay.source = m.source;
    }

    let mut subjects: Vec<String> = Vec::new();
    for tag in out.iter().flat_map(|e| &e.meta.tags) {
        if !subjects.contains(tag) {
            subjects.push(tag.clone());
        }
    }
    let cover = load_cover(config, &mut diags);
    let meta = BookMeta {
        identifier: config.identifier.clone().unwrap_or_else(|| derived_identifier(config)),
        description: config.description.clone().unwrap_or_else(|| contents_summary(&out, config.locale())),
        title: config.title.clone(),
        subtitle: config.subtitle.clone(),
        authors: config.authors.clone(),
        language: config.language.clone(),
        locale: config.locale(),
        publisher: config.publisher.clone(),
        date,
        modified,
        subjects,
    };
    let locale = config.locale();
    let order = config.tag_index.unwrap_or(if locale.is_traditional() { crate::config::TagIndex::Stroke } else { crate::config::TagIndex::Pinyin });
    let tag_index = index::tag_index(out.iter().map(|e| e.meta.tags.as_slice()), order, locale);
    (Book { meta, essays: out, assets: images.assets, cover, tag_index, images: images.counts, drafts_left_out, formulas, code_theme: config.epub_highlight.clone() }, diags)
}

/// `urn:uuid:` derived from the title and authors, so rebuilding keeps the identifier.
fn derived_identifier(config: &Config) -> String {
    let mut h = Sha256::new();
    h.update(b"wenji\0");
    h.update(config.title.as_bytes());
    for a in &config.authors {
        h.update(b"\0");
        h.update(a.as_bytes());
    }
    let mut b: [u8; 16] = h.finalize()[..16].try_into().expect("16 bytes");
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("urn:uuid:{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

fn contents_summary(essays: &[Essay], locale: crate::locale::Locale) -> String {
    let titles: Vec<&str> = essays.iter().take(10).map(|e| e.meta.title.as_str()).collect();
    let more = if essays.len() > titles.len() { "等" } else { "" };
    let (words, more) = (crate::convert::words(locale, "收录 {} 篇文章：").replace("{}", &essays.len().to_string()), crate::convert::words(locale, more));
    format!("{words}{}{more}。", titles.join("、"))
}

fn sections(blocks: &[Block]) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    for block in blocks {
        let Block::Heading { level, id, content } = block else { continue };
        let title = plain_text(content);
        match level {
            2 => {
                let number = (out.len() + 1).to_string();
                out.push(Section { id: id.clone(), title, number, children: Vec::new() });
            }
            3 => match out.last_mut() {
                Some(parent) => {
                    let number = format!("{}.{}", parent.number, parent.children.len() + 1);
                    parent.children.push(Section { id: id.clone(), title, number, children: Vec::new() });
                }
                None => {
                    let number = (out.len() + 1).to_string();
                    out.push(Section { id: id.clone(), title, number, children: Vec::new() });
                }
            },
            _ => {}
        }
    }
    out
}

/// Turns an essay's image references into embedded images and its links into links inside
/// the book; what cannot be kept becomes text, with a warning.
struct Resolver<'a> {
    m: &'a Manuscript,
    /// The essay's index in `index`.
    own: usize,
    index: &'a links::Index,
    /// The blog's own address: links to its pages that are essays of the book land there.
    site_url: Option<&'a str>,
    images: &'a mut ImageStore,
    diags: &'a mut Vec<Diagnostic>,
}

impl Resolver<'_> {
    fn list(&mut self, inlines: &mut Vec<Inline>) {
        for inline in std::mem::take(inlines) {
            match inline {
                Inline::ImageRef { src, alt, line, col } => match self.images.load(self.m, &src) {
                    Ok(asset) => inlines.push(Inline::Image { asset, alt }),
                    Err(why) => {
                        let hint = if src.contains("//") {
                            "its alt text is shown instead; a later build tries again (not with --offline), or save the image beside the essay and link it by a relative path"
                        } else {
                            "put the image file beside the essay and link it by a relative path; its alt text is shown instead"
                        };
                        self.warn(format!("image `{src}` is left out: {why}"), line, col, hint);
                        let say = |s: &str| crate::convert::words(self.m.meta.locale, s);
                        let shown = if alt.trim().is_empty() { say("［图］") } else { format!("［{}{alt}］", say("图：")) };
                        push_text(inlines, shown);
                    }
                },
                Inline::Link { target, mut content } => {
                    self.list(&mut content);
                    match self.link_target(target, &mut content) {
                        Some(target) => inlines.push(Inline::Link { target, content }),
                        // The link's text stays, without the link.
                        None => {
                            for c in content {
                                match c {
                                    Inline::Text(t) => push_text(inlines, t),
                                    other => inlines.push(other),
                                }
                            }
                        }
                    }
                }
                Inline::Text(t) => push_text(inlines, t),
                mut other => {
                    if let Some(content) = other.styled_content_mut() {
                        self.list(content);
                    }
                    inlines.push(other);
                }
            }
        }
    }

    /// Where a link goes in the book, or `None` (with a warning) when it goes nowhere there.
    /// A link to an essay with no text of its own takes the essay's title.
    fn link_target(&mut self, target: LinkTarget, content: &mut Vec<Inline>) -> Option<LinkTarget> {
        match target {
            LinkTarget::Local { id: frag, line, col } => {
                let found = self.index.targets[self.own].heading(&frag).map(str::to_owned);
                if found.is_none() {
                    let hint = "a `#fragment` link must name a heading of the same essay, by its text or its `{#id}`";
                    self.warn(format!("link to `#{frag}` names no heading of this essay; its text is kept without the link"), line, col, hint);
                }
                found.map(|id| LinkTarget::Local { id, line, col })
            }
            LinkTarget::Unresolved { url, line, col } => match self.index.resolve(&url) {
                links::Resolved::Essay { index: i, heading, missing_fragment } => {
                    let t = &self.index.targets[i];
                    if let Some(f) = missing_fragment {
                        let message = format!("link to `{url}`: «{}» has no heading `#{f}`; the link goes to the essay's start", t.title);
                        self.warn(message, line, col, "name a heading of that essay by its text or its `{#id}`");
                    }
                    if content.is_empty() {
                        content.push(Inline::Text(t.title.clone()));
                    }
                    Some(match heading {
                        Some(h) if i == self.own => LinkTarget::Local { id: h, line, col },
                        heading => LinkTarget::Essay { essay: t.essay.clone(), heading },
                    })
                }
                links::Resolved::NotFound | links::Resolved::NotLocal => {
                    let hint = "links may go to web addresses (https://…), to headings (#…), or to other essays of the book by file name (`other.md`) or blog address (`/2019/01/other/`)";
                    self.warn(format!("link to `{url}` leads nowhere in the book; its text is kept without the link"), line, col, hint);
                    None
                }
            },
            LinkTarget::External(url) => {
                let essay = self.site_url.and_then(|site| own_page(&url, site)).and_then(|path| match self.index.resolve(path) {
                    links::Resolved::Essay { index, heading, .. } => Some((index, heading)),
                    _ => None,
                });
                // A page of the blog that is not in the book stays a web link.
                let Some((i, heading)) = essay else { return Some(LinkTarget::External(url)) };
                Some(LinkTarget::Essay { essay: self.index.targets[i].essay.clone(), heading })
            }
            other => Some(other),
        }
    }

    /// A warning at `line:col` of the essay (line 0: the whole essay).
    fn warn(&mut self, message: String, line: usize, col: usize, hint: &str) {
        let mut d = Diagnostic::warning(message).in_file(&self.m.path).with_hint(hint);
        if line > 0 {
            d = d.at(&self.m.source, line, col);
        }
        self.diags.push(d);
    }
}

/// The path of `url` on the blog served at `site` (`/2019/08/01/slug/` of
/// `https://blog.example.com/2019/08/01/slug/`), by either scheme; `None` for another site.
fn own_page<'u>(url: &'u str, site: &str) -> Option<&'u str> {
    let without_scheme = |u: &'u str| u.split_once("://").map(|(_, rest)| rest);
    let (url_rest, site_rest) = (without_scheme(url)?, site.split_once("://")?.1);
    let head = url_rest.get(..site_rest.len())?;
    let path = &url_rest[site_rest.len()..];
    (head.eq_ignore_ascii_case(site_rest) && (path.is_empty() || path.starts_with(['/', '#', '?']))).then_some(path)
}

fn push_text(inlines: &mut Vec<Inline>, text: String) {
    if let Some(Inline::Text(prev)) = inlines.last_mut() {
        prev.push_str(&text);
    } else {
        inlines.push(Inline::Text(text));
    }
}

/// Loads each local image once; refuses remote ones and paths outside the blog.
struct ImageStore {
    /// Where `/…` addresses are looked for, in order (`site_roots`); the first is the
    /// manuscripts folder. No image is read from outside them.
    roots: Vec<PathBuf>,
    fetcher: Fetcher,
    assets: Vec<Asset>,
    by_source: HashMap<Source, usize>,
    /// Images read ahead by `prepare_all`, until an essay takes them.
    prepared: HashMap<Source, Result<Asset, String>>,
    counts: ImageCounts,
}

/// Where an image is: a file of the blog, or a web address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Source {
    File(PathBuf),
    Web(String),
}

/// What became of the book's images, for the summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ImageCounts {
    /// Distinct images in the book.
    pub(crate) embedded: usize,
    /// Remote images fetched by this build, and read from the cache of an earlier one.
    pub(crate) fetched: usize,
    pub(crate) cached: usize,
    /// Remote images that could not be had (each one also a warning).
    pub(crate) failed: usize,
}

impl ImageStore {
    fn new(manuscripts: &Path, fetcher: Fetcher) -> Self {
        ImageStore {
            roots: site_roots(manuscripts),
            fetcher,
            assets: Vec::new(),
            by_source: HashMap::new(),
            prepared: HashMap::new(),
            counts: ImageCounts::default(),
        }
    }

    /// Where the image `src` of essay `m` is: a file within the blog's folders, or a web address.
    fn locate(&self, m: &Manuscript, src: &str) -> Result<Source, String> {
        let src = src.trim();
        if src.is_empty() {
            return Err("it has no address".into());
        }
        let scheme = src.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("http" | "https") => return Ok(Source::Web(src.to_owned())),
            Some(other) => return Err(format!("wenji fetches images over http and https, not {other}")),
            None if src.starts_with("//") => return Ok(Source::Web(format!("https:{src}"))),
            None if src.starts_with("data:") => return Err("images written into the page (`data:`) are not read".into()),
            None => {}
        }
        let relative = links::percent_decode(src.split(['?', '#']).next().unwrap_or(src));
        let dir = m.path.parent().unwrap_or(Path::new("."));
        let beside = dir.join(relative.trim_start_matches('/'));
        // `/images/a.png` is from the site's root: where the blog's generator serves it from.
        let from_root = relative.starts_with('/').then(|| self.roots.iter().map(|r| r.join(relative.trim_start_matches('/'))).find(|p| p.is_file())).flatten();
        let path = from_root.unwrap_or(beside);
        let real = path.canonicalize().map_err(|_| format!("no file at `{}`", path.display()))?;
        if !self.roots.iter().any(|root| real.starts_with(root)) {
            return Err("the file is outside the blog's folder".into());
        }
        Ok(Source::File(real))
    }

    /// Reads, fetches and checks the images at `sources`: files on all cores, web addresses
    /// several at a time.
    fn prepare_all(&mut self, mut sources: Vec<Source>) {
        use rayon::prelude::*;
        sources.sort();
        sources.dedup();
        let urls: Vec<String> = sources.iter().filter_map(|s| if let Source::Web(u) = s { Some(u.clone()) } else { None }).collect();
        let mut fetched: HashMap<String, Result<(Vec<u8>, Origin), String>> = urls.iter().cloned().zip(self.fetcher.get_all(&urls)).collect();
        let read: Vec<(Source, Result<Vec<u8>, String>)> = sources
            .into_iter()
            .map(|source| {
                let bytes = match &source {
                    Source::File(path) => assets::read_file(path),
                    Source::Web(url) => fetched.remove(url).expect("fetched").map(|(bytes, origin)| {
                        match origin {
                            Origin::Network => self.counts.fetched += 1,
                            Origin::Cache => self.counts.cached += 1,
                        }
                        bytes
                    }),
                };
                (source, bytes)
            })
            .collect();
        let read = within_budget(read, assets::BOOK_PIXELS);
        self.prepared = read.into_par_iter().map(|(source, bytes)| (source, bytes.and_then(|b| assets::prepare(&b, "img", assets::BODY_MAX)))).collect();
        self.counts.failed = self.prepared.iter().filter(|(source, asset)| matches!(source, Source::Web(_)) && asset.is_err()).count();
    }

    /// The book's image for `src` in essay `m`: its index in the book's assets.
    fn load(&mut self, m: &Manuscript, src: &str) -> Result<usize, String> {
        let source = self.locate(m, src)?;
        if let Some(&i) = self.by_source.get(&source) {
            return Ok(i);
        }
        // A failure stays prepared: each later use of the image gets the same reason.
        let asset = match self.prepared.remove(&source) {
            Some(Err(why)) => {
                self.prepared.insert(source, Err(why.clone()));
                return Err(why);
            }
            Some(Ok(asset)) => asset,
            None => match &source {
                Source::File(path) => assets::prepare(&assets::read_file(path)?, "img", assets::BODY_MAX)?,
                Source::Web(_) => return Err("it was not fetched".into()),
            },
        };
        let index = match self.assets.iter().position(|a| a.name == asset.name) {
            Some(i) => i,
            None => {
                self.assets.push(asset);
                self.assets.len() - 1
            }
        };
        self.by_source.insert(source, index);
        self.counts.embedded = self.assets.len();
        Ok(index)
    }
}

/// Calls `found` with the address of every image in `inlines`, links and styles included.
fn image_sources(inlines: &mut [Inline], found: &mut dyn FnMut(&str)) {
    for inline in inlines {
        match inline {
            Inline::ImageRef { src, .. } => found(src),
            Inline::Link { content, .. } => image_sources(content, found),
            other => {
                if let Some(content) = other.styled_content_mut() {
                    image_sources(content, found);
                }
            }
        }
    }
}

/// The folders a blog's generator serves `/…` addresses from, for essays in `manuscripts`:
/// the folder itself, and for it and each blog folder above the posts folders it is in
/// (`blog` for `blog/source/_posts`), the folder, its `static/` (Hugo), `source/` (Hexo),
/// `public/` and VuePress' `.vuepress/public`. Only folders that exist, canonical.
fn site_roots(manuscripts: &Path) -> Vec<PathBuf> {
    let Ok(start) = manuscripts.canonicalize() else { return Vec::new() };
    let mut roots = vec![start.clone()];
    let mut folder = Some(start.as_path());
    let mut levels = 0;
    while let Some(f) = folder {
        for served in ["static", "source", "public", ".vuepress/public", "src/.vuepress/public", "docs/.vuepress/public"] {
            roots.push(f.join(served));
        }
        roots.push(f.to_path_buf());
        let inside_a_blog = f.file_name().is_some_and(|n| crate::config::is_posts_folder(&n.to_string_lossy()));
        levels += 1;
        folder = if inside_a_blog && levels < 4 { f.parent() } else { None };
    }
    let mut seen = std::collections::HashSet::new();
    roots.into_iter().filter(|r| r.is_dir() && seen.insert(r.clone())).collect()
}

/// Two essays with one title make a confusing contents page; each later one is reported.
fn warn_duplicate_titles(essays: &[(Manuscript, Body)], diags: &mut Vec<Diagnostic>) {
    let mut first: HashMap<&str, &Path> = HashMap::new();
    for (m, _) in essays {
        let earlier = *first.entry(&m.meta.title).or_insert(&m.path);
        if earlier != m.path {
            diags.push(
                Diagnostic::warning(format!("«{}» is also the title of `{}`", m.meta.title, earlier.display()))
                    .in_file(&m.path)
                    .with_hint("give each essay its own title, so the contents tell them apart"),
            );
        }
    }
}

/// The images read, past the first that take the book's decoded pixels over `budget` refused:
/// spent in the order of the sources, so that every build leaves out the same ones.
fn within_budget<S>(read: Vec<(S, Result<Vec<u8>, String>)>, budget: u64) -> Vec<(S, Result<Vec<u8>, String>)> {
    let mut spent = 0u64;
    read.into_iter()
        .map(|(source, bytes)| {
            let bytes = bytes.and_then(|b| {
                spent = spent.saturating_add(assets::pixels(&b));
                if spent > budget {
                    return Err(format!("the book's images already hold {} megapixels, all wenji decodes for one book", budget / 1_000_000));
                }
                Ok(b)
            });
            (source, bytes)
        })
        .collect()
}

fn load_cover(config: &Config, diags: &mut Vec<Diagnostic>) -> Option<Asset> {
    let path = match &config.cover {
        Some(file) => file.clone(),
        None => assets::find_cover(&config.covers)?,
    };
    // As essays' images must be inside their folder, the cover must be inside the book's.
    let inside = match (path.canonicalize(), config.root.canonicalize()) {
        (Ok(file), Ok(root)) => file.starts_with(root),
        _ => true,
    };
    let result = if inside { assets::read_file(&path) } else { Err("it is outside the book's folder".into()) };
    let result = result.and_then(|b| assets::prepare(&b, "cover", assets::COVER_MAX));
    match result {
        Ok(a) => Some(a),
        Err(why) => {
            diags.push(Diagnostic::warning(format!("the cover cannot be used: {why}")).in_file(&path).with_hint("use a PNG or JPEG image"));
            None
        }
    }
}

/// Essay dates as a reader sees them: `2025年9月26日`.
pub(crate) fn chinese_date(d: &DateTime<FixedOffset>) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_past_the_books_pixel_budget_are_refused_in_order() {
        let png = |w: u32, h: u32| {
            let mut bytes = Vec::new();
            image::GrayImage::new(w, h).write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
            bytes
        };
        let read = vec![(1, Ok(png(100, 100))), (2, Err("missing".to_owned())), (3, Ok(png(100, 50))), (4, Ok(png(10, 10)))];
        let kept = within_budget(read, 15_000);
        assert!(kept[0].1.is_ok() && kept[1].1 == Err("missing".to_owned()) && kept[2].1.is_ok());
        assert!(kept[3].1.as_ref().is_err_and(|e| e.contains("already hold")), "{:?}", kept[3].1);
    }

    #[test]
    fn a_link_to_the_blog_s_own_address_is_a_path() {
        let site = "https://blog.example.org/notes";
        assert_eq!(own_page("http://BLOG.example.org/notes/2019/08/01/a/#b", site), Some("/2019/08/01/a/#b"));
        assert_eq!(own_page("https://blog.example.org/notesx/a/", site), None);
        assert_eq!(own_page("https://other.example.org/notes/a/", site), None);
    }

    #[test]
    fn sections_nest_two_levels_with_numbers() {
        let h = |level, id: &str, t: &str| Block::Heading { level, id: id.into(), content: vec![Inline::Text(t.into())] };
        let s = sections(&[h(2, "s1", "甲"), h(3, "s2", "甲一"), h(4, "s3", "深"), h(2, "s4", "乙")]);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].children[0].number, "1.1");
        assert_eq!(s[1].number, "2");
        assert!(s[0].children[0].children.is_empty());
    }
}
