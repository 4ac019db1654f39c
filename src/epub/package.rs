//! The package document (OPF), the navigation document and the EPUB 2 NCX.

use std::fmt::Write;

use super::xhtml::{document, escape};
use crate::book::{Book, Section};
use super::INDEX_HREF;
use crate::doc::PageStart;
use crate::index::INDEX_TITLE;

/// One file in the manifest.
pub(crate) struct Item {
    pub(crate) id: String,
    pub(crate) href: String,
    pub(crate) media_type: &'static str,
    pub(crate) properties: Option<&'static str>,
    /// In the spine, in this order.
    pub(crate) in_spine: bool,
    /// Out of the reading order (`linear="no"`): the cover page, which reading systems show
    /// from the cover image already and Kindle's conversion would show twice.
    pub(crate) aside: bool,
}

pub(crate) fn container_xml(opf_path: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">\n\
         <rootfiles>\n<rootfile full-path=\"{opf_path}\" media-type=\"application/oebps-package+xml\"/>\n</rootfiles>\n\
         </container>\n"
    )
}

/// The package document; `page_list` says whether the EPUB marks the PDF's pages.
pub(crate) fn opf(book: &Book, items: &[Item], page_list: bool) -> String {
    let m = &book.meta;
    let mut o = String::new();
    let _ = writeln!(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let _ = writeln!(
        o,
        "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"book-id\" xml:lang=\"{}\"{}>",
        escape(&m.language),
        if fonts_embedded(items) { " prefix=\"ibooks: http://vocabulary.itunes.apple.com/rdf/ibooks/vocabulary-extensions-1.0/\"" } else { "" }
    );
    o.push_str("<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n");
    let _ = writeln!(o, "<dc:identifier id=\"book-id\">{}</dc:identifier>", escape(&m.identifier));
    let _ = writeln!(o, "<dc:title id=\"title\">{}</dc:title>", escape(&m.title));
    o.push_str("<meta refines=\"#title\" property=\"title-type\">main</meta>\n");
    // Calibre (and Kindle conversion through it) joins a main title and a subtitle with ": ",
    // which in Chinese or Japanese is a wrong mark: there the whole title is given as the
    // expanded title, joined by a full-width colon, and readers take the main one.
    let cjk = ["zh", "ja", "ko"].iter().any(|l| m.language.starts_with(l));
    match &m.subtitle {
        Some(sub) if cjk => {
            let _ = writeln!(o, "<dc:title id=\"expanded\">{}：{}</dc:title>", escape(&m.title), escape(sub));
            o.push_str("<meta refines=\"#expanded\" property=\"title-type\">expanded</meta>\n");
        }
        Some(sub) => {
            let _ = writeln!(o, "<dc:title id=\"subtitle\">{}</dc:title>", escape(sub));
            o.push_str("<meta refines=\"#subtitle\" property=\"title-type\">subtitle</meta>\n");
        }
        None => {}
    }
    for (i, author) in m.authors.iter().enumerate() {
        let _ = writeln!(o, "<dc:creator id=\"creator-{i}\">{}</dc:creator>", escape(author));
        let _ = writeln!(o, "<meta refines=\"#creator-{i}\" property=\"role\" scheme=\"marc:relators\">aut</meta>");
    }
    let _ = writeln!(o, "<dc:language>{}</dc:language>", escape(&m.language));
    let _ = writeln!(o, "<dc:date>{}</dc:date>", escape(&m.date));
    if let Some(p) = &m.publisher {
        let _ = writeln!(o, "<dc:publisher>{}</dc:publisher>", escape(p));
    }
    let _ = writeln!(o, "<dc:description>{}</dc:description>", escape(&m.description));
    for subject in &m.subjects {
        let _ = writeln!(o, "<dc:subject>{}</dc:subject>", escape(subject));
    }
    let _ = writeln!(o, "<meta property=\"dcterms:modified\">{}</meta>", m.modified.format("%Y-%m-%dT%H:%M:%SZ"));
    if let Some(cover) = items.iter().find(|i| i.properties == Some("cover-image")) {
        let _ = writeln!(o, "<meta name=\"cover\" content=\"{}\"/>", cover.id);
    }
    if fonts_embedded(items) {
        // Apple Books sets the book's own fonts only when told to.
        o.push_str("<meta property=\"ibooks:specified-fonts\">true</meta>\n");
    }
    accessibility(&mut o, book, items, page_list);
    o.push_str("</metadata>\n<manifest>\n");
    for item in items {
        let props = item.properties.map(|p| format!(" properties=\"{p}\"")).unwrap_or_default();
        let _ = writeln!(
            o,
            "<item id=\"{}\" href=\"{}\" media-type=\"{}\"{props}/>",
            item.id,
            escape(&item.href),
            item.media_type
        );
    }
    o.push_str("</manifest>\n<spine toc=\"ncx\">\n");
    for item in items.iter().filter(|i| i.in_spine) {
        let linear = if item.aside { " linear=\"no\"" } else { "" };
        let _ = writeln!(o, "<itemref idref=\"{}\"{linear}/>", item.id);
    }
    o.push_str("</spine>\n");
    // EPUB 2's guide names the cover page: Calibre (and so Kindle conversion) then shows the
    // cover once, as the book's cover, and leaves the page out of the text.
    if let Some(cover) = items.iter().find(|i| i.id == "cover" && i.in_spine) {
        let _ = writeln!(o, "<guide>\n<reference type=\"cover\" href=\"{}\" title=\"{}\"/>\n</guide>", escape(&cover.href), escape(&book.meta.say("封面")));
    }
    o.push_str("</package>\n");
    o
}

/// Accessibility metadata (schema.org, as EPUB Accessibility 1.1 asks): how the book can be
/// read, what helps, and which edition the page numbers come from.
fn accessibility(o: &mut String, book: &Book, items: &[Item], page_list: bool) {
    let images = items.iter().any(|i| i.media_type.starts_with("image/") && i.properties != Some("cover-image"));
    // Every picture is described (text alternatives: WCAG 1.1.1); the rest of what EPUB
    // Accessibility asks the book meets by construction, and Ace checks.
    let described = book.essays.iter().all(|e| crate::doc::images_described(&e.blocks) && e.footnotes.iter().all(|n| crate::doc::images_described(&n.blocks)));
    let mut meta = |property: &str, value: &str| {
        let _ = writeln!(o, "<meta property=\"schema:{property}\">{}</meta>", escape(value));
    };
    meta("accessMode", "textual");
    if images {
        meta("accessMode", "visual");
    }
    meta("accessModeSufficient", "textual");
    let mut features = vec!["tableOfContents", "readingOrder", "structuralNavigation"];
    if images && described {
        features.push("alternativeText");
    }
    if page_list {
        features.extend(["printPageNumbers", "pageBreakMarkers", "pageNavigation"]);
    }
    for feature in features {
        meta("accessibilityFeature", feature);
    }
    meta("accessibilityHazard", "none");
    let say = |s: &str| book.meta.say(s);
    let mut summary = format!("《{}》{}", book.meta.title, say("收录 {} 篇文章，每篇一章，目录列出各篇及其小节，阅读顺序即正文顺序。").replace("{}", &book.essays.len().to_string()));
    if images && described {
        summary.push_str(&say("插图附有替代文字。"));
    }
    if page_list {
        summary.push_str(&say("书中标出了同版 PDF 的页码，可按页码翻检与引用。"));
    }
    meta("accessibilitySummary", &summary);
    // The claim of conformance, only when it holds.
    if described {
        let _ = writeln!(o, "<meta property=\"dcterms:conformsTo\">EPUB Accessibility 1.1 - WCAG 2.1 Level AA</meta>");
    }
    if page_list {
        let _ = writeln!(o, "<meta property=\"pageBreakSource\">{}</meta>", escape(&book.meta.identifier));
    }
}

/// Whether the book carries its fonts.
fn fonts_embedded(items: &[Item]) -> bool {
    items.iter().any(|i| i.media_type == "font/ttf")
}

/// Where each essay's page is, relative to the package document.
pub(crate) fn essay_href(id: &str) -> String {
    format!("essays/{id}.xhtml")
}

pub(crate) fn nav(book: &Book, has_cover: bool, pages: &[PageStart]) -> String {
    let say = |s: &str| book.meta.say(s);
    let index_title = say(INDEX_TITLE);
    let mut b = format!("<nav epub:type=\"toc\" id=\"toc\" role=\"doc-toc\">\n<h1>{}</h1>\n<ol>\n", say("目录"));
    for essay in &book.essays {
        let href = essay_href(&essay.id);
        let _ = write!(b, "<li><a href=\"{href}\">{}</a>", escape(&essay.meta.title));
        nav_sections(&mut b, &href, &essay.sections);
        b.push_str("</li>\n");
    }
    if !book.tag_index.is_empty() {
        let _ = writeln!(b, "<li><a href=\"{INDEX_HREF}\">{index_title}</a></li>");
    }
    b.push_str("</ol>\n</nav>\n");
    if !pages.is_empty() {
        let _ = write!(b, "<nav epub:type=\"page-list\" role=\"doc-pagelist\" aria-label=\"{}\" hidden=\"hidden\">\n<ol>\n", say("页码"));
        for p in pages {
            let href = book.essays.get(p.essay).map_or_else(|| INDEX_HREF.to_owned(), |e| essay_href(&e.id));
            let _ = writeln!(b, "<li><a href=\"{href}#page-{n}\">{n}</a></li>", n = p.number);
        }
        b.push_str("</ol>\n</nav>\n");
    }
    let _ = write!(b, "<nav epub:type=\"landmarks\" hidden=\"hidden\">\n<h2>{}</h2>\n<ol>\n", say("导览"));
    if has_cover {
        let _ = writeln!(b, "<li><a epub:type=\"cover\" href=\"cover.xhtml\">{}</a></li>", say("封面"));
    }
    let _ = writeln!(b, "<li><a epub:type=\"titlepage\" href=\"title.xhtml\">{}</a></li>", say("书名页"));
    let _ = writeln!(b, "<li><a epub:type=\"toc\" href=\"nav.xhtml#toc\">{}</a></li>", say("目录"));
    if let Some(first) = book.essays.first() {
        let _ = writeln!(b, "<li><a epub:type=\"bodymatter\" href=\"{}\">{}</a></li>", essay_href(&first.id), say("正文"));
    }
    if !book.tag_index.is_empty() {
        let _ = writeln!(b, "<li><a epub:type=\"index\" href=\"{INDEX_HREF}\">{index_title}</a></li>");
    }
    b.push_str("</ol>\n</nav>\n");
    document(&book.meta.language, &say("目录"), "css/book.css", " class=\"toc-page\"", &b)
}

fn nav_sections(b: &mut String, href: &str, sections: &[Section]) {
    if sections.is_empty() {
        return;
    }
    b.push_str("\n<ol>\n");
    for s in sections {
        let _ = write!(b, "<li><a href=\"{href}#{}\">{}</a>", escape(&s.id), escape(&s.title));
        nav_sections(b, href, &s.children);
        b.push_str("</li>\n");
    }
    b.push_str("</ol>\n");
}

pub(crate) fn ncx(book: &Book) -> String {
    let m = &book.meta;
    let depth = if book.essays.iter().any(|e| e.sections.iter().any(|s| !s.children.is_empty())) {
        3
    } else if book.essays.iter().any(|e| !e.sections.is_empty()) {
        2
    } else {
        1
    };
    let mut o = String::new();
    let _ = writeln!(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let _ = writeln!(o, "<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\" xml:lang=\"{}\">", escape(&m.language));
    let _ = writeln!(
        o,
        "<head>\n<meta name=\"dtb:uid\" content=\"{}\"/>\n<meta name=\"dtb:depth\" content=\"{depth}\"/>\n\
         <meta name=\"dtb:totalPageCount\" content=\"0\"/>\n<meta name=\"dtb:maxPageNumber\" content=\"0\"/>\n</head>",
        escape(&m.identifier)
    );
    let _ = writeln!(o, "<docTitle><text>{}</text></docTitle>", escape(&m.title));
    for a in &m.authors {
        let _ = writeln!(o, "<docAuthor><text>{}</text></docAuthor>", escape(a));
    }
    o.push_str("<navMap>\n");
    let mut order = 0;
    for essay in &book.essays {
        let href = essay_href(&essay.id);
        order += 1;
        let _ = writeln!(
            o,
            "<navPoint id=\"nav-{}\" playOrder=\"{order}\"><navLabel><text>{}</text></navLabel><content src=\"{href}\"/>",
            essay.id,
            escape(&essay.meta.title)
        );
        ncx_sections(&mut o, &essay.id, &href, &essay.sections, &mut order);
        o.push_str("</navPoint>\n");
    }
    if !book.tag_index.is_empty() {
        order += 1;
        let _ = writeln!(o, "<navPoint id=\"nav-index\" playOrder=\"{order}\"><navLabel><text>{}</text></navLabel><content src=\"{INDEX_HREF}\"/></navPoint>", book.meta.say(INDEX_TITLE));
    }
    o.push_str("</navMap>\n</ncx>\n");
    o
}

fn ncx_sections(o: &mut String, essay_id: &str, href: &str, sections: &[Section], order: &mut usize) {
    for s in sections {
        *order += 1;
        let _ = writeln!(
            o,
            "<navPoint id=\"nav-{essay_id}-{}\" playOrder=\"{order}\"><navLabel><text>{}</text></navLabel><content src=\"{href}#{}\"/>",
            escape(&s.id),
            escape(&s.title),
            escape(&s.id)
        );
        ncx_sections(o, essay_id, href, &s.children, order);
        o.push_str("</navPoint>\n");
    }
}
