//! Finding essays and reading their front matter.

pub(crate) mod date;
pub(crate) mod split;

use crate::locale::Locale;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use serde_yaml_ng::{Mapping, Value};

use crate::diag::{Diagnostic, line_col};
use crate::input::ReadError;
use date::Zone;
use split::Format;

/// How manuscripts are read: settings that come from the book.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub(crate) zone: Zone,
    /// The book's locale, which an essay's `lang` may change.
    pub(crate) locale: Locale,
    /// An essay with no date anywhere is an error rather than a warning.
    pub(crate) require_dates: bool,
}

/// One essay file, read and split, its front matter interpreted.
#[derive(Debug, Clone)]
pub struct Manuscript {
    /// The path as shown in diagnostics.
    pub path: PathBuf,
    /// The whole file, normalised (no BOM, `\n` line endings).
    pub source: String,
    /// Byte offset where the Markdown body starts in `source`.
    pub body_offset: usize,
    pub meta: Meta,
}

impl Manuscript {
    pub fn body(&self) -> &str {
        &self.source[self.body_offset..]
    }

    /// 1-based line of the body's first line in the file.
    pub(crate) fn body_line(&self) -> usize {
        self.source[..self.body_offset].matches('\n').count() + 1
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    pub title: String,
    /// The front matter gives no title: `title` is the file name until the essay's first
    /// `# heading` gives one (as VuePress and docsify read it). Where to warn if none does.
    pub(crate) untitled: Option<(usize, usize)>,
    pub(crate) subtitle: Option<String>,
    pub(crate) date: Option<DateTime<FixedOffset>>,
    pub(crate) updated: Option<DateTime<FixedOffset>>,
    pub tags: Vec<String>,
    /// Each inner list is one hierarchy, outermost first.
    pub(crate) categories: Vec<Vec<String>>,
    pub(crate) keywords: Vec<String>,
    pub(crate) description: Option<String>,
    pub(crate) abbrlink: Option<String>,
    /// Hexo's `photos:`: images the theme shows with the post, and where the key is written.
    pub(crate) photos: Vec<(String, (usize, usize))>,
    pub(crate) toc: bool,
    pub(crate) toc_number: bool,
    pub draft: bool,
    /// The essay's own language (`lang` in its front matter), when it is not the book's.
    pub(crate) lang: Option<String>,
    /// The conventions the essay is set in: its `lang`'s, else the book's.
    pub(crate) locale: Locale,
}

/// Essay files below `dir`, sorted by path so every run sees the same order.
pub fn find(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    find_reporting(dir).map(|(found, _)| found)
}

/// `find`, with a warning for each symbolic link left out (one that leads nowhere, outside
/// `dir`, or back into a folder already searched) and each subfolder that cannot be read.
pub(crate) fn find_reporting(dir: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<Diagnostic>)> {
    let root = dir.canonicalize()?;
    let mut found = Vec::new();
    let mut notes = Vec::new();
    let mut seen = std::collections::HashSet::from([root.clone()]);
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            // A subfolder that cannot be read is left out, said of itself; the root's failure is the caller's.
            Err(e) if folder != dir => {
                notes.push(Diagnostic::warning(format!("the folder `{}` is left out: it cannot be read ({e})", folder.display())).in_file(&folder).with_hint("check its permissions"));
                continue;
            }
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let path = entry.path();
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = entry.file_type()?;
            let is_dir = kind.is_dir() || (kind.is_symlink() && path.is_dir());
            // A file whose name starts with `_` is the site's (`_sidebar.md`, `_navbar.md`,
            // Hugo's `_index.md`), not an essay: Hexo, Jekyll and docsify leave them out too.
            let site_file = name.to_string_lossy().starts_with('_');
            let is_essay = !is_dir && !site_file && matches!(path.extension().and_then(|e| e.to_str()), Some("md" | "markdown"));
            if kind.is_symlink() && (is_dir || is_essay) {
                let Ok(real) = path.canonicalize() else {
                    let target = std::fs::read_link(&path).map(|t| t.display().to_string()).unwrap_or_default();
                    notes.push(Diagnostic::warning(format!("the link `{}` is left out: it leads nowhere (`{target}` does not exist)", path.display())).in_file(&path).with_hint("remove the link or restore what it pointed to"));
                    continue;
                };
                let why = if !real.starts_with(&root) {
                    Some("it leads outside the manuscripts folder")
                } else if is_dir && seen.contains(&real) {
                    Some("it leads back into a folder already read (a loop)")
                } else {
                    None
                };
                if let Some(why) = why {
                    notes.push(
                        Diagnostic::warning(format!("the link `{}` is left out: {why}", path.display()))
                            .in_file(&path)
                            .with_hint("copy the essays into the manuscripts folder instead of linking to them"),
                    );
                    continue;
                }
            }
            if is_dir {
                if seen.insert(path.canonicalize()?) {
                    pending.push(path);
                }
            } else if is_essay {
                found.push(path);
            }
        }
    }
    found.sort();
    notes.sort_by(|a, b| a.file.cmp(&b.file));
    Ok((found, notes))
}

/// The largest essay file read: some 5,000 pages of Chinese text.
pub(crate) const MAX_ESSAY_BYTES: u64 = 16 << 20;

/// Reads one essay. Returns it when it can be used, with every problem found on the way.
pub fn read(path: &Path, options: &ReadOptions) -> (Option<Manuscript>, Vec<Diagnostic>) {
    let bytes = match crate::input::read(path, MAX_ESSAY_BYTES) {
        Ok(b) => b,
        Err(ReadError::NotAFile(kind)) => {
            let d = Diagnostic::warning(format!("left out: the essay is {kind}, not a regular file")).in_file(path).with_hint("wenji reads only regular files; copy the text into a file");
            return (None, vec![d]);
        }
        Err(ReadError::TooLarge { bytes, limit }) => {
            let d = Diagnostic::error(format!("the essay is {}; wenji reads essays of up to {}", crate::input::size(bytes), crate::input::size(limit)))
                .in_file(path)
                .with_hint("split it into several essays (one file each); is it a data file saved as .md by mistake?");
            return (None, vec![d]);
        }
        Err(e) => {
            let d = Diagnostic::error(format!("cannot read the essay: {e}")).in_file(path);
            return (None, vec![d]);
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            let (line, col) = line_col(&prefix, valid);
            let d = Diagnostic::error("the essay is not valid UTF-8")
                .in_file(path)
                .at(&prefix, line, col)
                .with_hint("save the file as UTF-8 (GBK and Big5 files must be converted first)");
            return (None, vec![d]);
        }
    };
    parse(path, &text, options)
}

/// Splits and interprets an essay's text (see `read`).
pub fn parse(path: &Path, text: &str, options: &ReadOptions) -> (Option<Manuscript>, Vec<Diagnostic>) {
    let source = split::normalise(text);
    let split = match split::split(&source) {
        Ok(s) => s,
        Err(unclosed) => {
            let d = Diagnostic::error(format!("the front matter opened with `{}` on line 1 is never closed", unclosed.separator))
                .in_file(path)
                .at(&source, 1, 1)
                .with_hint(format!("add a line `{}` after the last front-matter field", unclosed.separator));
            return (None, vec![d]);
        }
    };
    let matter = split.matter.as_ref();
    let mut r = Reading { path, source: &source, matter: matter.map_or("", |m| m.text), first_line: matter.map_or(1, |m| m.first_line), diags: Vec::new() };
    if split.empty_block {
        let d = Diagnostic::warning("an empty front-matter block is not front matter");
        r.report(d, (1, 1), "remove the two separator lines, or add `title:` and `date:` between them");
    }
    let Some((fields, body_offset)) = r.fields(&split) else { return (None, r.diags) };
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let (title, untitled) = r.title(&fields, &stem);
    let mut meta = Meta { title, untitled, ..Meta::default() };
    meta.subtitle = scalar(fields.get("subtitle")).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let dated = r.dates(&fields, &stem, options, &mut meta);
    meta.tags = string_list(fields.get("tags"), false);
    meta.keywords = string_list(fields.get("keywords"), true);
    meta.categories = categories(fields.get("categories"));
    for key in ["tags", "keywords", "categories"] {
        if fields.get(key).is_some_and(|v| !readable_list(v, key == "categories")) {
            let d = Diagnostic::warning(format!("`{key}` holds a map or other nested values, which are left out; its plain items are kept"));
            let at = r.locate(key).unwrap_or((1, 1));
            r.report(d, at, &format!("write `{key}: [a, b]`, or one `- item` per line"));
        }
    }
    meta.description = scalar(fields.get("description")).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    meta.locale = options.locale;
    if let Some(lang) = scalar(fields.get("lang").or_else(|| fields.get("language"))).map(|s| s.trim().replace('_', "-")).filter(|s| !s.is_empty()) {
        if crate::config::is_language_tag(&lang) {
            meta.locale = Locale::of(&lang);
            meta.lang = Some(lang);
        } else {
            let at = r.locate("lang").or_else(|| r.locate("language")).unwrap_or((1, 1));
            r.report(Diagnostic::warning(format!("`lang: {lang}` is not a language tag; the essay is set in the book's language")), at, "write a BCP 47 tag such as `zh-TW` or `zh-CN`");
        }
    }
    meta.abbrlink = scalar(fields.get("abbrlink")).filter(|s| !s.is_empty());
    let photos_at = r.locate("photos").unwrap_or((1, 1));
    meta.photos = string_list(fields.get("photos"), false).into_iter().map(|src| (src, photos_at)).collect();
    meta.toc = flag(fields.get("toc"));
    meta.toc_number = flag(fields.get("toc_number"));
    meta.draft = flag(fields.get("draft")) || fields.get("published").is_some_and(|v| v.as_bool() == Some(false));
    if !dated {
        return (None, r.diags);
    }
    (Some(Manuscript { path: path.to_path_buf(), source: source.clone(), body_offset, meta }), r.diags)
}

/// An essay being read: its normalised text, its front matter's text and first line, and
/// what has been found wrong.
struct Reading<'a> {
    path: &'a Path,
    source: &'a str,
    matter: &'a str,
    first_line: usize,
    diags: Vec<Diagnostic>,
}

impl Reading<'_> {
    fn report(&mut self, d: Diagnostic, (line, col): (usize, usize), hint: &str) {
        self.diags.push(d.in_file(self.path).at(self.source, line, col).with_hint(hint));
    }

    /// Where `key` is written in the essay's text.
    fn locate(&self, key: &str) -> Option<(usize, usize)> {
        key_position(self.matter, key).map(|(l, c)| (l + self.first_line - 1, c))
    }

    /// The front matter's fields and where the body starts; `None` when the front matter
    /// cannot be read. A prefixless block that is not front matter is the body's start.
    fn fields(&mut self, split: &split::Split) -> Option<(Mapping, usize)> {
        let Some(matter) = &split.matter else { return Some((Mapping::new(), split.body_offset)) };
        match read_fields(matter, self.source) {
            Ok(fields) if matter.prefixless && !fields.keys().any(|k| k.as_str().is_some_and(is_known_key)) => Some((Mapping::new(), 0)),
            Ok(fields) => Some((fields, split.body_offset)),
            Err(_) if matter.prefixless => Some((Mapping::new(), 0)),
            Err(d) => {
                self.diags.push(d.in_file(self.path));
                None
            }
        }
    }

    /// The title, or the file name and where the missing title would go.
    fn title(&mut self, fields: &Mapping, stem: &str) -> (String, Option<(usize, usize)>) {
        let title = scalar(fields.get("title")).map(|t| t.trim().to_owned()).unwrap_or_default();
        if !title.is_empty() {
            return (title, None);
        }
        (stem.to_owned(), Some(self.locate("title").unwrap_or((1, 1))))
    }

    /// Reads `date` and `updated` into `meta`, the date from the file name when there is none;
    /// false when the essay cannot be used.
    fn dates(&mut self, fields: &Mapping, stem: &str, options: &ReadOptions, meta: &mut Meta) -> bool {
        let mut errors = false;
        for (key, slot) in [("date", &mut meta.date), ("updated", &mut meta.updated)] {
            let Some(value) = fields.get(key).filter(|v| !v.is_null()) else { continue };
            let text = scalar(Some(value)).unwrap_or_default();
            match date::parse_date(&text, &options.zone) {
                Ok(d) => *slot = Some(d),
                Err(message) => {
                    let place = self.locate(key).unwrap_or((self.first_line, 1));
                    let hint = "write dates as `2025-09-26 09:21:44`, `2024-01-20` or `2019-12-01T21:57:40+08:00`";
                    self.report(Diagnostic::error(format!("`{key}`: {message}")), place, hint);
                    errors = true;
                }
            }
        }
        if meta.date.is_some() || errors {
            return !errors;
        }
        if let Some(day) = date::date_in_file_name(stem) {
            meta.date = Some(options.zone.resolve(day.and_time(chrono::NaiveTime::MIN)));
            return true;
        }
        let d = if options.require_dates { Diagnostic::error("the essay has no date") } else { Diagnostic::warning("the essay has no date; it is placed after the dated essays") };
        let hint = "add `date: 2025-01-31 08:00:00` to the front matter, or start the file name with the date";
        self.report(d, (self.first_line, 1), hint);
        !options.require_dates
    }
}

fn is_known_key(key: &str) -> bool {
    matches!(
        key,
        "title" | "subtitle" | "date" | "updated" | "tags" | "categories" | "keywords" | "description" | "abbrlink" | "photos" | "lang" | "language"
            | "toc" | "toc_number" | "draft" | "published" | "layout" | "permalink" | "comments"
    )
}

/// Parses the block into a mapping, or says where and why it is not one.
fn read_fields(matter: &split::Matter, source: &str) -> Result<Mapping, Diagnostic> {
    let shift = matter.first_line - 1;
    let hint_yaml = "front matter is YAML: `key: value` lines; quote values that contain `: ` or start with `[`, `{`, `*` or `&`";
    // A parser takes time out of all proportion to reach its recursion limit: refuse first.
    if let Some(at) = nested_too_deep(matter.text) {
        let (line, col) = line_col(matter.text, at);
        return Err(Diagnostic::error(format!("the front matter nests lists or maps more than {MAX_NESTING} deep"))
            .at(source, line + shift, col)
            .with_hint("front matter holds a few fields (title, date, tags); is this a data file?"));
    }
    let value = match matter.format {
        Format::Yaml => serde_yaml_ng::from_str::<Value>(&soften_tabs(matter.text)).map_err(|e| {
            // Places in the softened text, back in the author's.
            let hard = |(line, col): (usize, usize)| (line, hard_column(matter.text, line - shift, col));
            let found = hard(e.location().map_or((1 + shift, 1), |l| (l.line() + shift, l.column())));
            let (message, opened) = yaml_message(&e.to_string(), shift);
            let opened = opened.map(hard);
            // An unclosed bracket or quote is noticed only where the front matter ends: point at
            // where it opened, and say where it was noticed.
            let (place, message) = match opened {
                Some(opened) if opened != found => (opened, format!("{message} that starts here (noticed at line {}, column {})", found.0, found.1)),
                _ => (found, message),
            };
            Diagnostic::error(format!("invalid YAML in the front matter: {message}"))
                .at(source, place.0, place.1)
                .with_hint(hint_yaml)
        })?,
        Format::Toml => {
            let table = toml::from_str::<toml::Table>(matter.text).map_err(|e| {
                let (line, col) = e.span().map_or((1, 1), |s| line_col(matter.text, s.start));
                Diagnostic::error(format!("invalid TOML in the front matter: {}", e.message()))
                    .at(source, line + shift, col)
                    .with_hint("front matter between `+++` lines is TOML: `key = \"value\"`")
            })?;
            toml_to_yaml(toml::Value::Table(table))
        }
    };
    match value {
        Value::Mapping(map) => Ok(map),
        Value::Null => Ok(Mapping::new()),
        other => {
            let kind = match other {
                Value::Sequence(_) => "a list",
                _ => "a single value",
            };
            Err(Diagnostic::error(format!("the front matter is {kind}, not a set of `key: value` fields"))
                .at(source, matter.first_line, 1)
                .with_hint(hint_yaml))
        }
    }
}

/// serde_yaml's message without its positions ("did not find expected ',' or ']' at line 2
/// column 1, while parsing a flow sequence at line 1 column 8"), and the second position, where
/// the construct being parsed opened, counted from the top of the file.
/// The front matter with every tab that indents a line read as two spaces, as Hexo reads it
/// (hexo-front-matter's `escape`): YAML forbids tabs there, and blogs have them.
/// How deep front matter may nest `[…]` and `{…}` (real front matter: two or three).
const MAX_NESTING: usize = 64;

/// Where `text` first opens a bracket more than `MAX_NESTING` deep, counting `[` and `{`
/// outside quotes: the byte offset.
fn nested_too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (at, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q || c == '\n' => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(at);
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn soften_tabs(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.lines().any(|l| l.starts_with('\t')) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.split_inclusive('\n') {
        let tabs = line.bytes().take_while(|&b| b == b'\t').count();
        out.extend(std::iter::repeat_n("  ", tabs));
        out.push_str(&line[tabs..]);
    }
    out.into()
}

/// Column `col` of line `line` (1-based) of the softened front matter, in the author's text.
fn hard_column(text: &str, line: usize, col: usize) -> usize {
    let tabs = text.lines().nth(line.saturating_sub(1)).map_or(0, |l| l.bytes().take_while(|&b| b == b'\t').count());
    if col <= 2 * tabs { col.div_ceil(2) } else { col - tabs }
}

fn yaml_message(message: &str, shift: usize) -> (String, Option<(usize, usize)>) {
    let mut out = String::new();
    let mut positions = Vec::new();
    let mut rest = message;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + " at line ".len()..];
        let number = |s: &str| -> (usize, usize) {
            let digits = s.bytes().take_while(u8::is_ascii_digit).count();
            (s[..digits].parse().unwrap_or(0), digits)
        };
        let (line, digits) = number(after);
        let mut tail = &after[digits..];
        let mut col = 1;
        if let Some(t) = tail.strip_prefix(" column ") {
            let (c, digits) = number(t);
            col = c;
            tail = &t[digits..];
        }
        positions.push((line + shift, col));
        rest = tail;
    }
    out.push_str(rest);
    (out, positions.get(1).copied())
}

fn toml_to_yaml(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::Number(i.into()),
        toml::Value::Float(f) => Value::Number(f.into()),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Sequence(a.into_iter().map(toml_to_yaml).collect()),
        toml::Value::Table(t) => {
            Value::Mapping(t.into_iter().map(|(k, v)| (Value::String(k), toml_to_yaml(v))).collect())
        }
    }
}

/// Line (1-based, within the block) and column of a top-level `key:` or `key =`.
/// Where `key`'s value is written (its line and the character column of the value; the key's
/// column when the value is on later lines).
fn key_position(matter: &str, key: &str) -> Option<(usize, usize)> {
    matter.lines().enumerate().find_map(|(i, line)| {
        let rest = line.strip_prefix(key)?.trim_start();
        let value = rest.strip_prefix(':').or_else(|| rest.strip_prefix('='))?;
        let value = value.trim_start();
        let col = if value.is_empty() { 1 } else { line.chars().count() - value.chars().count() + 1 };
        Some((i + 1, col))
    })
}

fn scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Tagged(t) => scalar(Some(&t.value)),
        _ => None,
    }
}

fn flag(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => matches!(s.trim().to_ascii_lowercase().as_str(), "true" | "yes" | "on"),
        _ => false,
    }
}

/// Whether `v` is what a tag list may be: null, a scalar, or a list of scalars (and, for
/// categories, of lists of scalars).
fn readable_list(v: &Value, nested: bool) -> bool {
    match v {
        Value::Null => true,
        Value::Sequence(items) => items.iter().all(|x| scalar(Some(x)).is_some() || x.is_null() || (nested && readable_list(x, false) && x.is_sequence())),
        other => scalar(Some(other)).is_some(),
    }
}

/// A list, a single string, null or numbers, as a list of non-empty strings.
/// `split_commas`: a single string `a, b` holds several items (keywords do this).
fn string_list(v: Option<&Value>, split_commas: bool) -> Vec<String> {
    let items: Vec<String> = match v {
        Some(Value::Sequence(seq)) => seq.iter().filter_map(|x| scalar(Some(x))).collect(),
        Some(other) => match scalar(Some(other)) {
            Some(s) if split_commas => s.split([',', '，', '、']).map(str::to_owned).collect(),
            Some(s) => vec![s],
            None => Vec::new(),
        },
        None => Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    items.into_iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty() && seen.insert(s.clone())).collect()
}

/// Hexo's categories: a flat list is one hierarchy; a list of lists is several.
fn categories(v: Option<&Value>) -> Vec<Vec<String>> {
    match v {
        Some(Value::Sequence(seq)) if seq.iter().any(Value::is_sequence) => seq
            .iter()
            .map(|x| string_list(Some(x), false))
            .filter(|h| !h.is_empty())
            .collect(),
        other => {
            let flat = string_list(other, false);
            if flat.is_empty() { Vec::new() } else { vec![flat] }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Meta {
        let (m, d) = parse(Path::new("t.md"), text, &ReadOptions::default());
        assert!(d.iter().all(|d| !d.is_error()), "{d:?}");
        m.expect("manuscript").meta
    }

    fn errors(text: &str) -> Vec<Diagnostic> {
        let (m, d) = parse(Path::new("bad.md"), text, &ReadOptions::default());
        assert!(m.is_none());
        d.into_iter().filter(Diagnostic::is_error).collect()
    }

    #[test]
    fn seed_style_front_matter() {
        let m = ok("---\ntitle: 标题\ndate: 2025-09-26 09:21:44\ntags:\n  - 情感\n  - 心理\ncategories:\n  - 心灵札记\n  - 生活感悟\ntoc: true\ntoc_number: true\nabbrlink: 7a8b2c3d-4e5f-6g7h-8i9j-0k1l2m3n4o5p\nkeywords:\n  - 失落感\ndescription: 摘要\n---\n正文\n");
        assert_eq!(m.title, "标题");
        assert_eq!(m.date.unwrap().to_rfc3339(), "2025-09-26T09:21:44+00:00");
        assert_eq!(m.tags, ["情感", "心理"]);
        assert_eq!(m.categories, vec![vec!["心灵札记".to_string(), "生活感悟".to_string()]]);
        assert_eq!(m.keywords, ["失落感"]);
        assert_eq!(m.abbrlink.as_deref(), Some("7a8b2c3d-4e5f-6g7h-8i9j-0k1l2m3n4o5p"));
        assert!(m.toc && m.toc_number && !m.draft);
        assert_eq!(m.description.as_deref(), Some("摘要"));
    }

    #[test]
    fn tabs_that_indent_front_matter_are_read_as_hexo_reads_them() {
        let m = ok("---\ntitle: 標籤\ndate: 2024-01-20\ntags:\n\t- Cookie\n\t- 前端\n---\n正文\n");
        assert_eq!(m.tags, ["Cookie", "前端"]);
        // An error on a tab-indented line points at the author's column, not the softened one.
        let (m, d) = parse(Path::new("a.md"), "---\ntitle: a\ntags:\n\t- [x\n---\n", &ReadOptions::default());
        assert!(m.is_none());
        assert_eq!((d[0].line, d[0].col), (4, 4), "{}", d[0]);
    }

    #[test]
    fn lists_as_string_null_or_numbers() {
        let m = ok("---\ntitle: a\ndate: 2024-01-20\ntags: 单个\ncategories:\nkeywords: 甲, 乙，丙\n---\n");
        assert_eq!(m.tags, ["单个"]);
        assert!(m.categories.is_empty());
        assert_eq!(m.keywords, ["甲", "乙", "丙"]);
        let m = ok("---\ntitle: a\ndate: 2024-01-20\ntags: [2018, 2019, 2018]\n---\n");
        assert_eq!(m.tags, ["2018", "2019"]);
    }

    #[test]
    fn category_hierarchies() {
        let m = ok("---\ntitle: a\ndate: 2024-01-20\ncategories:\n- [Diary, PlayStation]\n- [Diary, Games]\n- Life\n---\n");
        assert_eq!(m.categories.len(), 3);
        assert_eq!(m.categories[1], ["Diary", "Games"]);
        assert_eq!(m.categories[2], ["Life"]);
    }

    #[test]
    fn quoted_and_padded_titles() {
        assert_eq!(ok("---\ntitle: \"  引号 \"\ndate: 2024-01-20\n---\n").title, "引号");
        assert_eq!(ok("---\ntitle: 2024\ndate: 2024-01-20\n---\n").title, "2024");
    }

    #[test]
    fn missing_title_falls_back_to_file_name_with_warning() {
        let (m, d) = parse(Path::new("dir/中文測試.md"), "---\ndate: 2024-01-20\n---\n", &ReadOptions::default());
        let meta = m.unwrap().meta;
        assert_eq!(meta.title, "中文測試");
        // The Markdown stage warns, unless the essay's first `# heading` gives the title.
        assert_eq!(meta.untitled, Some((1, 1)));
        assert!(d.is_empty());
    }

    #[test]
    fn quoted_dates_and_unquoted_timestamps() {
        assert_eq!(ok("---\ntitle: a\ndate: \"2024-01-20\"\n---\n").date.unwrap().to_rfc3339(), "2024-01-20T00:00:00+00:00");
        assert_eq!(ok("---\ntitle: a\ndate: 2016-10-13 8:09:35\n---\n").date.unwrap().to_rfc3339(), "2016-10-13T08:09:35+00:00");
        assert_eq!(ok("---\ntitle: a\ndate: 2019-01-11 22:13\n---\n").date.unwrap().to_rfc3339(), "2019-01-11T22:13:00+00:00");
    }

    #[test]
    fn book_time_zone_applies_to_naive_dates() {
        let options = ReadOptions { zone: Zone::parse("Asia/Shanghai").unwrap(), ..Default::default() };
        let (m, _) = parse(Path::new("a.md"), "---\ntitle: a\ndate: 2025-09-26 09:21:44\n---\n", &options);
        assert_eq!(m.unwrap().meta.date.unwrap().to_rfc3339(), "2025-09-26T09:21:44+08:00");
    }

    #[test]
    fn date_from_file_name_when_absent() {
        let (m, d) = parse(Path::new("2017-09-11-url.md"), "---\ntitle: a\n---\n", &ReadOptions::default());
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(m.unwrap().meta.date.unwrap().to_rfc3339(), "2017-09-11T00:00:00+00:00");
    }

    #[test]
    fn no_date_at_all_warns_or_errors_by_option() {
        let (m, d) = parse(Path::new("x.md"), "---\ntitle: a\n---\n", &ReadOptions::default());
        assert!(m.unwrap().meta.date.is_none());
        assert!(!d[0].is_error() && d[0].message.contains("no date"));
        let strict = ReadOptions { require_dates: true, ..Default::default() };
        let (m, d) = parse(Path::new("x.md"), "---\ntitle: a\n---\n", &strict);
        assert!(m.is_none() && d[0].is_error());
    }

    #[test]
    fn drafts() {
        assert!(ok("---\ntitle: a\ndate: 2024-01-20\ndraft: true\n---\n").draft);
        assert!(ok("---\ntitle: a\ndate: 2024-01-20\npublished: false\n---\n").draft);
    }

    #[test]
    fn unknown_keys_are_ignored() {
        assert_eq!(ok("---\ntitle: a\ndate: 2024-01-20\nmathjax: true\nweight: 3\n---\n").title, "a");
    }

    #[test]
    fn bad_yaml_points_at_file_line() {
        let d = errors("---\ntitle: a\ntags: [x, y\ndate: 2024-01-20\n---\nbody\n");
        assert_eq!(d.len(), 1);
        assert!(d[0].message.starts_with("invalid YAML"), "{}", d[0].message);
        assert!(d[0].message.contains("while parsing a flow sequence that starts here (noticed at line 4, column 5)"), "{}", d[0].message);
        assert_eq!((d[0].line, d[0].col), (3, 7), "the caret stands at the `[` left open");
        assert!(d[0].hint.is_some());
    }

    #[test]
    fn unparseable_date_points_at_its_value() {
        let d = errors("---\ntitle: a\ndate: next tuesday\n---\n");
        assert_eq!((d[0].line, d[0].col), (3, 7));
        assert!(d[0].message.contains("next tuesday"));
    }

    #[test]
    fn scalar_block_is_an_error() {
        let d = errors("---\njust words\n---\nbody");
        assert!(d[0].message.contains("not a set of"), "{}", d[0].message);
        assert_eq!(d[0].line, 2);
    }

    #[test]
    fn unclosed_block_is_an_error() {
        let d = errors("---\ntitle: a\n\nbody");
        assert!(d[0].message.contains("never closed"));
        assert_eq!(d[0].line, 1);
    }

    #[test]
    fn duplicate_keys_are_an_error() {
        let d = errors("---\ntitle: a\ntitle: b\n---\n");
        assert!(d[0].message.contains("duplicate"), "{}", d[0].message);
    }

    #[test]
    fn toml_front_matter() {
        let m = ok("+++\ntitle = \"Go\"\ndate = \"2013-11-18\"\ntags = [\"go\", \"golang\"]\n+++\nbody");
        assert_eq!(m.title, "Go");
        assert_eq!(m.tags, ["go", "golang"]);
        assert_eq!(m.date.unwrap().to_rfc3339(), "2013-11-18T00:00:00+00:00");
    }

    #[test]
    fn bad_toml_points_at_line() {
        let d = errors("+++\ntitle = \"Go\"\ndate = \n+++\n");
        assert_eq!(d[0].line, 3);
    }

    #[test]
    fn prefixless_form_with_crlf_and_bom() {
        let (m, _) = parse(Path::new("a.md"), "\u{feff}title: 无前缀\r\ndate: 2024-01-20\r\n---\r\n正文\r\n", &ReadOptions::default());
        let m = m.unwrap();
        assert_eq!(m.meta.title, "无前缀");
        assert_eq!(m.body(), "正文\n");
        assert_eq!(m.body_line(), 4);
    }

    #[test]
    fn prefixless_yaml_without_known_keys_is_body() {
        let (m, _) = parse(Path::new("a.md"), "Note: this is prose.\n\n---\n\nmore", &ReadOptions::default());
        assert_eq!(m.unwrap().body_offset, 0);
    }
}
