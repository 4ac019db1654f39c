//! Every blog of ../shared/corpus (120 real posts, see its SOURCES.md) built into an EPUB and a
//! PDF by the real binary: EPUBCheck clean, every plain paragraph in the PDF's text, every post
//! in the book or in the diagnostics, the EPUB's print page numbers those of the PDF, and xovel's links between posts working in both outputs.
//! The corpus is required under CI; elsewhere these tests skip with a notice when it is absent.

mod support;

use std::path::PathBuf;
use std::sync::OnceLock;

use support::*;

struct Built {
    blog: String,
    dir: PathBuf,
    _out: tempfile::TempDir,
    epub: PathBuf,
    pdf: PathBuf,
    stderr: String,
}

/// Each blog built once, to EPUB and PDF; without the corpus, nothing (and each test that
/// asks says it skipped).
fn blogs() -> &'static [Built] {
    static BLOGS: OnceLock<Vec<Built>> = OnceLock::new();
    let Some(corpus) = corpus() else { return &[] };
    BLOGS.get_or_init(|| {
        CORPUS_BLOGS
            .iter()
            .map(|blog| {
                let dir = corpus.join(blog);
                let out = tempfile::tempdir().unwrap();
                let o = wenji(&repo(), &["build", dir.to_str().unwrap(), "-o", out.path().to_str().unwrap(), "--format", "epub,pdf", "--offline"]);
                assert_eq!(o.status.code(), Some(0), "{blog} failed:\n{}", stderr(&o));
                let (epub, pdf) = (only_file(out.path(), "epub"), only_file(out.path(), "pdf"));
                Built { blog: blog.to_string(), dir, _out: out, epub, pdf, stderr: stderr(&o) }
            })
            .collect()
    })
}

#[test]
fn every_blog_builds_to_an_epub_that_epubcheck_passes() {
    for b in blogs() {
        eprintln!("{}: EPUBCheck", b.blog);
        assert_epubcheck_clean(&b.epub);
    }
}

#[test]
fn every_plain_paragraph_of_every_post_is_in_the_pdf() {
    let mut report = Vec::new();
    for b in blogs() {
        let Some(checked) = plain_paragraphs_in_pdf(&b.dir, &b.pdf, |_| false) else { return };
        assert!(checked > 5, "{}: only {checked} plain paragraphs", b.blog);
        report.push(format!("{}: {checked}", b.blog));
    }
    eprintln!("plain paragraphs found in the PDF: {}", report.join(", "));
}

#[test]
fn every_blog_marks_the_pdf_pages_in_its_epub() {
    let mut report = Vec::new();
    for b in blogs() {
        let Some((listed, checked)) = print_pages_match(&b.epub, &b.pdf) else { return };
        report.push(format!("{}: {listed} pages, {checked} blocks", b.blog));
    }
    eprintln!("print pages in the EPUB: {}", report.join(", "));
}

#[test]
fn every_post_is_a_chapter_or_reported() {
    for b in blogs() {
        let nav = texts(&b.epub).into_iter().find(|(name, _)| name.ends_with("nav.xhtml")).map(|(_, t)| t).unwrap();
        let chapters = essay_pages(&b.epub).len();
        let posts = posts(&b.dir);
        let mut included = 0;
        for post in &posts {
            if post.meta.draft {
                assert!(b.stderr.contains(&post.path.display().to_string()), "{}: the draft is left out silently", post.path.display());
                continue;
            }
            let title = post.meta.title.replace('&', "&amp;").replace('<', "&lt;");
            assert!(nav.contains(&title), "{}: «{}» is not in the contents", post.path.display(), post.meta.title);
            included += 1;
        }
        assert_eq!(chapters, included, "{}: chapters and posts differ", b.blog);
    }
}

#[test]
fn xovel_links_between_posts_work_in_both_outputs() {
    let Some(b) = blogs().iter().find(|b| b.blog.starts_with("hexo-xovel")) else { return };
    // The links as written: `/article/<slug>.html`, where the post is `<date>-<slug>.md`.
    let posts = posts(&b.dir);
    let title_of = |slug: &str| {
        let post = posts.iter().find(|p| p.path.file_stem().unwrap().to_str().unwrap().ends_with(&format!("-{slug}"))).unwrap();
        post.meta.title.clone()
    };
    let mut expected: Vec<String> = Vec::new();
    for post in &posts {
        let mut rest = post.body();
        while let Some(at) = rest.find("](/article/") {
            let slug = &rest[at + 11..];
            let slug = &slug[..slug.find(".html").unwrap()];
            expected.push(title_of(slug));
            rest = &rest[at + 11..];
        }
    }
    assert_eq!(expected.len(), 6, "the corpus has 6 such links");

    // EPUB: each link goes to the chapter file whose heading is the target's title.
    let pages = texts(&b.epub);
    let title_in = |file: &str| {
        let page = pages.iter().find(|(name, _)| name.ends_with(&format!("essays/{file}"))).unwrap().1.clone();
        element_texts(&page, "h1").join("")
    };
    let mut found: Vec<String> = Vec::new();
    for (name, page) in pages.iter().filter(|(n, _)| n.contains("essays/")) {
        let doc = parse_xml(page).unwrap();
        for a in doc.descendants().filter(|n| n.has_tag_name("a")) {
            let href = a.attribute("href").unwrap();
            if let Some(file) = href.split('#').next().filter(|f| f.ends_with(".xhtml") && !href.contains("://")) {
                assert!(!file.contains('/'), "{name}: {href}");
                found.push(title_in(file));
            }
        }
    }
    found.sort();
    expected.sort();
    assert_eq!(found, expected, "EPUB links between essays");

    // PDF: the link annotations between essays land in the essays linked to.
    let Some(links) = links_between_essays(&b.pdf) else { return };
    assert!(links.iter().all(|(_, _, at_start)| *at_start), "each goes to the essay's opening page: {links:?}");
    let mut found: Vec<String> = links.into_iter().map(|(_, to, _)| to).collect();
    found.sort();
    assert_eq!(found, expected, "PDF links between essays");
}
