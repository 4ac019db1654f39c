//! Blog input: real posts read from ../shared/corpus (skipped visibly when it is absent,
//! required under CI) and the repository's own small fixtures: tag plugins and shortcodes
//! rendered or reported with their place, page bundles found, front matter and site files read
//! as the generators read them, images drawn, links between essays working in both outputs.

mod support;

use std::path::Path;

use support::*;

/// Builds a fixture to EPUB and PDF; returns the output folder, both files and stderr.
fn build(name: &str) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf, String) {
    build_dir(&fixture(name))
}

/// Builds the folder `dir` to EPUB and PDF.
fn build_dir(dir: &Path) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf, String) {
    let out = tempfile::tempdir().unwrap();
    let o = wenji(&repo(), &["build", dir.to_str().unwrap(), "-o", out.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}:\n{}", dir.display(), stderr(&o));
    let (epub, pdf) = (only_file(out.path(), "epub"), only_file(out.path(), "pdf"));
    (out, epub, pdf, stderr(&o))
}

/// The chapter page of the essay from `file` (matched by its title in the source).
fn chapter(epub: &Path, title: &str) -> String {
    let pages = essay_pages(epub);
    pages.into_iter().find(|p| element_texts(p, "h1").iter().any(|h| h == title)).unwrap_or_else(|| panic!("no chapter «{title}»"))
}

/// The 1-based line of the first line of `file` containing `needle`.
fn line_of(file: &Path, needle: &str) -> usize {
    std::fs::read_to_string(file).unwrap().lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn hexo_tag_plugins_render_as_quotes_code_and_links() {
    let Some(corpus) = corpus() else { return };
    let posts = corpus.join("hexo-theme-unit-test/source/_posts");
    let (_out, epub, pdf, err) = build_dir(&posts);
    assert_epubcheck_clean(&epub);
    let page = chapter(&epub, "Tag Plugins");
    assert!(!prose(&page).contains("{%"), "a tag is left as text:\n{page}");
    let quotes = element_texts(&page, "blockquote");
    assert!(quotes.iter().any(|q| q.contains("Do not just seek happiness") && q.contains("— David Levithan, Wide Awake")), "{quotes:?}");
    let code = element_texts(&page, "pre");
    assert!(code.iter().any(|c| c.contains("array.map(callback[, thisArg])")), "{code:?}");
    assert!(page.contains("href=\"https://gist.github.com/996818\""));
    // Embeds are reported at their place.
    let source = posts.join("tag-plugins.md");
    let at = format!("tag-plugins.md:{}:1", line_of(&source, "{% gist"));
    assert!(err.contains("Gist 代码 cannot be embedded") && err.contains(&at), "{at} not in:\n{err}");
    // The PDF holds the quote and its citation.
    let text = body_text(&pdf).map(|t| squeeze(&t));
    if let Some(text) = text {
        assert!(text.contains(&squeeze("Do not just seek happiness for yourself.")));
        assert!(text.contains(&squeeze("— David Levithan, Wide Awake")));
    }
}

#[test]
fn hugo_shortcodes_render_and_page_bundles_are_found() {
    let Some(corpus) = corpus() else { return };
    let (_out, epub, _pdf, err) = build_dir(&corpus.join("hugo-jane/exampleSite/content"));
    assert_epubcheck_clean(&epub);
    let page = chapter(&epub, "Demo: Shortcodes Notice");
    assert!(!prose(&page).contains("{{%"), "{page}");
    let quotes = element_texts(&page, "blockquote");
    assert!(quotes.iter().any(|q| q.trim_start().starts_with("笔记")), "{quotes:?}");
    assert!(!err.contains("6-shortcode-notice.md"), "{err}");

    let posts = corpus.join("hugo-loveit/exampleSite/content/posts");
    let (_out, epub, _pdf, err) = build_dir(&posts);
    assert_epubcheck_clean(&epub);
    let bundles = std::fs::read_dir(&posts).unwrap().filter(|e| e.as_ref().unwrap().path().join("index.zh-cn.md").is_file()).count();
    assert!(essay_pages(&epub).len() >= bundles && bundles >= 2, "every index.zh-cn.md bundle is an essay");
    let page = essay_pages(&epub).into_iter().find(|p| p.contains("bilibili.com/video/BV1TJ411C7An")).unwrap();
    assert!(!prose(&page).contains("{{<"), "{page}");
    assert!(page.contains("href=\"https://www.bilibili.com/video/BV1TJ411C7An?p=3\""));
    // The escaped form `{{</* bilibili … */>}}` shows the shortcode itself, in code.
    assert!(element_texts(&page, "pre").iter().any(|c| c.contains("{{< bilibili BV1Sx411T7QQ >}}")));
    let source = posts.join("theme-documentation-bilibili-shortcode/index.zh-cn.md");
    let at = format!("index.zh-cn.md:{}:1", line_of(&source, "{{< bilibili id=BV1TJ411C7An p=3 >}}"));
    assert!(err.contains(&at), "{at} not in:\n{err}");
    assert!(err.contains("`{{< param description >}}` reads the site's configuration"), "{err}");
}

#[test]
fn links_between_essays_work_in_both_outputs() {
    let (_out, epub, pdf, err) = build("links");
    assert_epubcheck_clean(&epub);
    let first = chapter(&epub, "第一篇");
    let second = chapter(&epub, "第二篇");
    let hrefs = |page: &str| -> Vec<String> {
        let doc = parse_xml(page).unwrap();
        doc.descendants().filter(|n| n.has_tag_name("a")).filter_map(|n| n.attribute("href")).map(str::to_owned).collect()
    };
    let third = chapter(&epub, "第三篇");
    let epilogue = parse_xml(&third).unwrap().descendants().find(|n| n.has_tag_name("h2")).unwrap().attribute("id").unwrap().to_owned();
    // `/2020/01/02/second/`, `third.md#尾声`, `{% post_link %}` (titled with the target's title), `#origin`.
    assert_eq!(hrefs(&first), ["e002.xhtml".to_owned(), format!("e003.xhtml#{epilogue}"), "e002.xhtml".into(), "#origin".into()]);
    assert!(element_texts(&first, "a").contains(&"第二篇".to_owned()));
    // `/article/first.html#origin` ({#origin}) and `../first/#second-part` (the heading's text).
    let second_part = parse_xml(&first).unwrap().descendants().find(|n| n.has_tag_name("h2") && n.text() == Some("Second Part")).unwrap().attribute("id").unwrap().to_owned();
    assert_eq!(hrefs(&second), ["e001.xhtml#origin".to_owned(), format!("e001.xhtml#{second_part}")]);
    // A link that leads nowhere keeps its text and is reported at its place.
    assert!(element_texts(&second, "p").iter().any(|p| p.contains("这个链接哪里也去不了")));
    assert!(err.contains("link to `/nowhere/` leads nowhere") && err.contains("2020-01-02-second.md:8:3"), "{err}");
    // A site-root image (`/images/dot.png`) is found in the manuscripts folder.
    assert!(third.contains("<img "), "{third}");

    let Some(links) = links_between_essays(&pdf) else { return };
    let pairs: Vec<(&str, &str)> = links.iter().map(|(a, b, _)| (a.as_str(), b.as_str())).collect();
    assert_eq!(pairs, [("第一篇", "第三篇"), ("第一篇", "第二篇"), ("第二篇", "第一篇")], "{links:?}");
}

#[test]
fn front_matter_and_site_files_are_read_as_the_generators_read_them() {
    let (_out, epub, pdf, err) = build("site-inputs");
    assert_epubcheck_clean(&epub);
    let titles: Vec<String> = essay_pages(&epub).iter().flat_map(|p| element_texts(p, "h1")).collect();
    // The navigation files are not essays; a page without a title takes its `# heading`.
    assert_eq!(titles, ["入门指南", "制表符缩进的标签", "有副标题的文章", "主题插件", "文中的图"], "{err}");
    assert!(!err.contains("no title"), "{err}");
    let guide = chapter(&epub, "入门指南");
    assert_eq!(element_texts(&guide, "h2"), ["第一步"], "the title heading is not repeated as a section");
    // Tabs indenting a YAML list are read as Hexo reads them.
    let index = texts(&epub).remove("EPUB/index.xhtml").expect("a tag index");
    assert!(index.contains("甲类") && index.contains("乙类"), "the tags of the tab-indented list are in the index");
    // A subtitle is shown under its title in both outputs.
    let page = chapter(&epub, "有副标题的文章");
    assert!(page.contains("<p class=\"essay-subtitle\">副标题写在标题下面</p>"), "{page}");
    if let Some(squeezed) = body_text(&pdf) {
        assert!(squeezed.contains("有副标题的文章副标题写在标题下面"), "{squeezed}");
        assert!(!squeezed.contains("首页"), "the navigation is not printed");
    }
}

#[test]
fn theme_plugins_and_self_closing_shortcodes_keep_words_and_structure() {
    let (_out, epub, _pdf, _err) = build("site-inputs");
    let page = chapter(&epub, "主题插件");
    let text = prose(&page);
    for words in ["臣亮言：先帝創業未半。", "下载文件", "提示框里的话。", "第一页", "第一页的内容。", "第二页", "只有标题的提示"] {
        assert!(text.contains(words), "«{words}» is lost: {text}");
    }
    for raw in ["{%", "{{<", "fa-rocket", "green", "<!--"] {
        assert!(!text.contains(raw), "«{raw}» is shown: {text}");
    }
    // The section after a self-closing admonition is not inside a quote.
    let doc = parse_xml(&page).unwrap();
    let h2 = doc.descendants().find(|n| n.has_tag_name("h2")).expect("the section's heading");
    assert!(!h2.ancestors().any(|a| a.has_tag_name("blockquote")), "{page}");
    // A raw HTML table is a table, its first row the head; a `<details>` keeps its summary
    // as a bold title; Markdown in an admonition's or a container's title is rendered.
    let table = doc.descendants().find(|n| n.has_tag_name("table")).expect("the raw table is a table");
    let cells: Vec<String> = table.descendants().filter(|n| n.has_tag_name("th") || n.has_tag_name("td")).map(|n| n.descendants().filter(|t| t.is_text()).filter_map(|t| t.text()).collect::<String>()).collect();
    assert_eq!(cells, ["季节", "篇数", "春", "12", "夏 & 秋", "7"], "{page}");
    assert_eq!(table.descendants().filter(|n| n.has_tag_name("th")).count(), 2);
    let strong = element_texts(&page, "strong");
    for title in ["点开看答案", "定理 1 的证明", "小心台阶"] {
        assert!(strong.iter().any(|s| s == title), "«{title}» is not a bold title: {strong:?}");
    }
    assert!(!text.contains("**") && !text.contains("<summary>"), "{text}");
    // A raw `<pre>` block keeps its lines; a task's box stands on its text's line; processing
    // instructions and CDATA are not shown; an empty `<del>` leaves no empty paragraph.
    assert!(without_wide_boxes(&page).contains("<pre><code class=\"language-text\">第一行代码\n  第二行 &amp; 缩进</code></pre>"), "{page}");
    assert!(page.contains("<p><span class=\"task-box\" role=\"img\" aria-label=\"已完成\">☑</span> 做完的事</p>"), "{page}");
    assert!(!text.contains("b';") && !text.contains("]]>") && !page.contains("<p><del>"), "{text}");
}

#[test]
fn every_image_of_the_epub_is_drawn_in_the_pdf() {
    let (_out, epub, pdf, err) = build("site-inputs");
    let page = chapter(&epub, "文中的图");
    let in_epub = page.matches("<img ").count();
    assert_eq!(in_epub, 4, "{err}");
    // Every image is drawn where it stands, the text around it kept.
    let Some(drawn) = drawn_images(&pdf) else { return };
    assert_eq!(drawn, in_epub);
    if let Some(text) = body_text(&pdf) {
        for words in ["先写一句，再放图，图下一行是图注：", "图一：条纹的样子。", "前面一句。", "后面一句。", "徽章后面的话。", "单独一段的图"] {
            assert!(text.contains(words), "«{words}» not in the PDF: {text}");
        }
        assert!(!text.contains("［图"), "no image is set as text: {text}");
    }
}

#[test]
fn images_from_the_site_root_are_found_where_the_generator_serves_them() {
    // A Hugo site built from its root: `/images/…` is served from `static/`.
    let (_out, epub, _pdf, err) = build("hugo-site");
    assert!(!err.contains("is left out"), "{err}");
    let page = chapter(&epub, "站点根目录的图");
    assert_eq!(page.matches("<img ").count(), 1, "{page}");
    // Built from its posts folder, the same address is found in the blog above it.
    let out = tempfile::tempdir().unwrap();
    let o = wenji(&repo(), &["build", fixture("hugo-site/content/post").to_str().unwrap(), "-o", out.path().to_str().unwrap(), "--format", "epub"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("is left out"), "{}", stderr(&o));
}

#[test]
fn a_blog_built_from_its_root_takes_its_posts_and_its_own_settings() {
    // A Hexo blog's root: `_config.yml`, posts in `source/_posts`, and Markdown that is not
    // essays (a page, a scaffold with template syntax, a theme's README, the repository's README).
    let dir = fixture("hexo-blog");
    let (_out, epub, pdf, err) = build_dir(&dir);
    assert_epubcheck_clean(&epub);
    assert!(epub.ends_with("松下札记.epub") && pdf.ends_with("松下札记.pdf"), "{}", epub.display());
    let titles: Vec<String> = essay_pages(&epub).iter().flat_map(|p| element_texts(p, "h1")).collect();
    // The naive date is Taipei time (the blog's `timezone`), so the night walk comes first.
    assert_eq!(titles, ["夜河", "山行"], "{err}");
    let opf = parse_xml(&texts(&epub)["EPUB/package.opf"]).unwrap().descendants().filter(|n| n.is_element()).map(|n| format!("{}={}", n.tag_name().name(), n.text().unwrap_or(""))).collect::<Vec<_>>();
    for want in ["title=松下札记", "title=松下札记：写给自己的十年", "creator=松下客", "language=zh-TW", "description=一个人的读书与行路"] {
        assert!(opf.contains(&want.to_owned()), "{want} not in {opf:?}");
    }
    // A link to the blog's own address lands in the book; another site's stays a web link.
    let night = chapter(&epub, "夜河");
    assert!(night.contains("href=\"e002.xhtml\"") && night.contains("href=\"https://rivers.example.net/notes/\""), "{night}");
    assert!(!err.contains("warning"), "{err}");
    // Hexo's `photos:` stand above the post's text, as its theme shows them.
    let walk = chapter(&epub, "山行");
    let (photo, text) = (walk.find("<img ").expect("the post's photo"), walk.find("清晨七点").unwrap());
    assert!(photo < text, "{walk}");
    // The PDF has the same two essays and the subtitle on its title page.
    let Some(text) = body_text(&pdf) else { return };
    assert!(text.contains("写给自己的十年") && !text.contains("关于页面") && !text.contains("{{ title }}"), "{text}");
}

/// A web server on 127.0.0.1 for the test: `/ok.png` an image, `/page.png` a web page (as image
/// hosts answer a hotlink), `/slow.png` no answer for 6 s, anything else 404. Counts requests.
fn image_server(png: Vec<u8>) -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let png = png.clone();
            std::thread::spawn(move || {
                let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
                let mut first = String::new();
                reader.read_line(&mut first).unwrap();
                let path = first.split(' ').nth(1).unwrap_or("/").to_owned();
                let mut stream = stream;
                let answer = |stream: &mut std::net::TcpStream, status: &str, kind: &str, body: &[u8]| {
                    let head = format!("HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
                    let _ = stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(body));
                };
                match path.as_str() {
                    "/ok.png" => answer(&mut stream, "200 OK", "image/png", &png),
                    "/page.png" => answer(&mut stream, "200 OK", "text/html", b"<!DOCTYPE html><html><body>no hotlinking</body></html>"),
                    "/slow.png" => std::thread::sleep(std::time::Duration::from_secs(6)),
                    _ => answer(&mut stream, "404 Not Found", "text/plain", b"not here"),
                }
            });
        }
    });
    (port, requests)
}

#[test]
fn remote_images_are_fetched_once_into_a_cache_and_failures_are_reported() {
    let mut png = Vec::new();
    image::RgbImage::from_fn(60, 40, |x, y| image::Rgb([(x * 4) as u8, (y * 6) as u8, 120])).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    let (port, requests) = image_server(png.clone());
    let book = tempfile::tempdir().unwrap();
    std::fs::create_dir(book.path().join("manuscripts")).unwrap();
    std::fs::write(book.path().join("book.toml"), "[book]\ntitle = \"远方的图\"\n[build]\nfetch-timeout = 2\n").unwrap();
    let essay = format!(
        "---\ntitle: 图床上的图\ndate: 2024-05-01\n---\n\n山顶的照片：\n\n![山顶](http://127.0.0.1:{port}/ok.png)\n\n又引了一次：![山顶](http://127.0.0.1:{port}/ok.png)\n\n![防盗链](http://127.0.0.1:{port}/page.png)\n\n![已删除](http://127.0.0.1:{port}/gone.png)\n\n![太慢](http://127.0.0.1:{port}/slow.png)\n"
    );
    std::fs::write(book.path().join("manuscripts/remote.md"), essay).unwrap();
    let build = |out: &str, extra: &[&str]| {
        let out = book.path().join(out);
        let mut args = vec!["build", book.path().to_str().unwrap(), "-o", out.to_str().unwrap(), "--json"];
        args.extend(extra);
        let o = wenji_within(&repo(), &args, &[], std::time::Duration::from_secs(60));
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        (summary["books"][0]["images"].clone(), stderr(&o), only_file(&out, "epub"), only_file(&out, "pdf"))
    };
    let (images, err, epub, pdf) = build("first", &[]);
    assert_eq!(images, serde_json::json!({"embedded": 1, "fetched": 1, "cached": 0, "failed": 3}), "{err}");
    let remote = book.path().join("manuscripts/remote.md");
    for (needle, why) in [("page.png", "not an image"), ("gone.png", "HTTP 404"), ("slow.png", "no answer within 2 s")] {
        let at = format!("{}:{}:", remote.display(), line_of(&remote, needle));
        assert!(err.lines().any(|l| l.contains(why)) && err.contains(&at), "no warning `{why}` at {at}:\n{err}");
    }
    assert!(err.contains("4 images from the web: 1 fetched, 0 from the cache, 3 not had"), "{err}");
    assert_epubcheck_clean(&epub);
    let kept: Vec<_> = entries(&epub).into_iter().filter(|(n, _)| n.starts_with("EPUB/images/img-")).collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].1, png, "the image goes in as the server's bytes");
    assert_eq!(chapter(&epub, "图床上的图").matches("<img ").count(), 2);
    if let Some(drawn) = drawn_images(&pdf) {
        assert_eq!(drawn, 2);
    }
    // A rebuild offline takes the image from the cache beside the book, and makes the same book.
    let asked = requests.load(std::sync::atomic::Ordering::SeqCst);
    let (images, err, again, _) = build("second", &["--offline"]);
    assert_eq!(requests.load(std::sync::atomic::Ordering::SeqCst), asked, "an offline build asked the server");
    assert_eq!(images, serde_json::json!({"embedded": 1, "fetched": 0, "cached": 1, "failed": 3}), "{err}");
    assert!(err.contains("--offline"), "{err}");
    assert_eq!(std::fs::read(&epub).unwrap(), std::fs::read(&again).unwrap(), "the rebuild is not the same book");
    assert!(book.path().join(".wenji-cache/images").is_dir());
}

#[test]
fn svg_goes_in_sanitised_and_is_drawn_as_vectors_and_a_gif_stays_animated() {
    let (_out, epub, pdf, err) = build("hugo-site");
    assert_epubcheck_clean(&epub);
    let page = chapter(&epub, "矢量图与动图");
    assert_eq!(page.matches("<img ").count(), 2, "{err}");
    let files = entries(&epub);
    let (_, svg) = files.iter().find(|(n, _)| n.ends_with(".svg")).expect("the SVG is in the EPUB");
    let svg = String::from_utf8(svg.clone()).unwrap();
    for gone in ["script", "alert", "onload", "javascript", "tracker.example.net"] {
        assert!(!svg.contains(gone), "`{gone}` is left in the EPUB's SVG:\n{svg}");
    }
    let opf = &texts(&epub)["EPUB/package.opf"];
    assert!(opf.contains("media-type=\"image/svg+xml\"") && opf.contains("media-type=\"image/gif\""), "{opf}");
    let (_, gif) = files.iter().find(|(n, _)| n.ends_with(".gif")).expect("the GIF is in the EPUB as a GIF");
    assert_eq!(gif, &std::fs::read(fixture("hugo-site/static/images/post/blink.gif")).unwrap(), "the animated GIF keeps its frames");
    // The PDF draws the SVG as vectors: its red square and blue circle are on the page.
    let Some(pages) = pages_text(&pdf) else { return };
    let n = pages.iter().position(|p| p.contains("导出的示意图是")).expect("the essay's page") + 1;
    let png = std::env::temp_dir().join(format!("wenji-svg-{}", std::process::id()));
    let shown = format!("pdftoppm -r 50 -png -f {n} -l {n} {} {}", pdf.display(), png.display());
    let Some((ok, _)) = tool_then("pdftoppm", &["-r", "50", "-png", "-singlefile", "-f", &n.to_string(), "-l", &n.to_string()], &pdf, &[png.to_str().unwrap()]) else { return };
    assert!(ok, "{shown}");
    let image = image::open(png.with_extension("png")).unwrap().to_rgb8();
    let _ = std::fs::remove_file(png.with_extension("png"));
    let count = |want: [u8; 3]| image.pixels().filter(|p| p.0.iter().zip(want).all(|(a, b)| a.abs_diff(b) < 40)).count();
    let (red, blue) = (count([0xd0, 0x20, 0x20]), count([0x20, 0x40, 0xd0]));
    assert!(red > 300 && blue > 200, "{shown}: {red} red and {blue} blue pixels; the SVG is not drawn");
}

#[test]
fn hugo_theme_layout_shortcodes_keep_their_content_and_tab_names() {
    let (_out, epub, _pdf, err) = build("hugo-site");
    let page = chapter(&epub, "主题的排版短代码");
    let text = prose(&page);
    for words in ["在终端里运行安装命令。", "在 PowerShell 里运行安装命令。", "单击开始按钮。", "读书是为了明理。—— 一位老师"] {
        assert!(text.contains(words), "«{words}» is lost: {text}");
    }
    let strong = element_texts(&page, "strong");
    assert!(strong.iter().any(|s| s == "macOS") && strong.iter().any(|s| s == "Windows"), "tab names are titles: {strong:?}");
    assert!(!text.contains("{{") && !text.contains("icon"), "{text}");
    // Pseudocode cannot be typeset yet: its source is kept as code, and that is reported.
    assert!(element_texts(&page, "pre").iter().any(|c| c.contains("\\caption{求和}")), "{page}");
    assert!(err.contains("pseudocode is shown as its source"), "{err}");
    assert!(!err.contains("unknown tag"), "{err}");
}
