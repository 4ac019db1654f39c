//! Hugo's shortcodes (`{{< name args >}}`, `{{% … %}}`) and the LoveIt theme's.

use super::scan::{Found, find_tag, parse};
use super::{Action, Expander, HINT_UNKNOWN, Kind, Syntax, Tag, indent, md_text, md_title, strip_html, strip_markdown_code, youtube_url};

impl Expander<'_> {
    pub(super) fn hugo(&mut self, n: usize, col: usize, tag: &Tag, line: &str, at: usize) -> Action {
        self.hugo_block(n, col, tag, line)
            .or_else(|| self.hugo_inline(n, col, tag))
            .or_else(|| self.hugo_embed(n, col, tag, line, at))
            .unwrap_or_else(|| self.unknown(n, col, tag, line, at))
    }

    /// Shortcodes around content: admonitions, code, and those whose content is kept.
    fn hugo_block(&mut self, n: usize, col: usize, tag: &Tag, line: &str) -> Option<Action> {
        Some(match tag.name.as_str() {
            "admonition" | "notice" | "alert" | "callout" | "hint" => {
                let kind = tag.arg("type", 0).unwrap_or("note");
                let title = tag.arg("title", 1).map(str::to_owned).unwrap_or_else(|| self.say(admonition_label(kind)));
                let head = vec![md_title(&title), String::new()];
                Action::Open(Kind::Quote { indent: indent(line), footer: None }, head)
            }
            "highlight" => Action::Open(Kind::Code, vec![format!("~~~~{}", tag.arg("lang", 0).unwrap_or(""))]),
            "mermaid" => {
                self.warn(n, col, "a mermaid diagram is shown as its source".into(), "export the diagram as an image and link the image instead");
                Action::Open(Kind::Code, vec!["~~~~mermaid".into()])
            }
            "typeit" => match tag.named("code") {
                Some(lang) => Action::Open(Kind::Code, vec![format!("~~~~{lang}")]),
                None => Action::Open(Kind::Keep, vec![]),
            },
            "raw" => Action::Open(Kind::Keep, vec![]),
            // hugo-book's and others' formula shortcodes: a display formula, its TeX as written.
            "katex" | "math" => Action::Open(Kind::Code, vec!["~~~~math".into()]),
            // Theme layout around content (tabs, columns, alignment, buttons): the content is the
            // author's, and a page has no tabs or columns.
            "tab" | "tabs" | "flex" | "flex-item" | "columns" | "column" | "center" | "right-align" | "left-align" | "button" | "kbd" => {
                Action::Open(Kind::Keep, vec![])
            }
            "tab-item" => {
                let label = tag.arg("label", 0).or_else(|| tag.named("name")).map(|l| strip_html(l).trim().to_owned()).unwrap_or_default();
                let head = if label.is_empty() { vec![] } else { vec![md_title(&label), String::new()] };
                Action::Open(Kind::Keep, head)
            }
            "pseudocode" => {
                self.warn(n, col, "pseudocode is shown as its source (LaTeX)".into(), "typeset the algorithm as an image, or write it as a code block");
                Action::Open(Kind::Code, vec!["~~~~latex".into()])
            }
            "style" => {
                self.warn(n, col, "`{{< style >}}` styling is dropped; its content is kept".into(), "a book keeps one style; write the content as plain Markdown");
                Action::Open(Kind::Keep, vec![])
            }
            _ => return None,
        })
    }

    /// Shortcodes embedding what a book cannot hold: a link or a placeholder, and a warning.
    fn hugo_embed(&mut self, n: usize, col: usize, tag: &Tag, line: &str, at: usize) -> Option<Action> {
        Some(match tag.name.as_str() {
            "youtube" => self.embed(n, col, "YouTube 视频", tag.arg("id", 0).map(|id| youtube_url(id, None))),
            "vimeo" => self.embed(n, col, "Vimeo 视频", tag.arg("id", 0).map(|id| format!("https://vimeo.com/{id}"))),
            "bilibili" => {
                let page = tag.arg("p", 1).filter(|p| *p != "1").map(|p| format!("?p={p}")).unwrap_or_default();
                self.embed(n, col, "哔哩哔哩视频", tag.arg("id", 0).map(|id| format!("https://www.bilibili.com/video/{id}{page}")))
            }
            "gist" => {
                let url = match (tag.arg("user", 0), tag.arg("id", 1)) {
                    (Some(u), Some(id)) => Some(format!("https://gist.github.com/{u}/{id}")),
                    _ => None,
                };
                self.embed(n, col, "Gist 代码", url)
            }
            "instagram" => self.embed(n, col, "Instagram 帖子", tag.arg("id", 0).map(|id| format!("https://www.instagram.com/p/{id}/"))),
            "x" | "tweet" | "twitter" => {
                let url = match (tag.arg("user", 0), tag.arg("id", 1)) {
                    (Some(u), Some(id)) => Some(format!("https://x.com/{u}/status/{id}")),
                    _ => None,
                };
                self.embed(n, col, "X 帖子", url)
            }
            "music" => {
                let name = [tag.named("name"), tag.named("artist")].into_iter().flatten().collect::<Vec<_>>().join(" – ");
                let what = if name.is_empty() { "音乐".to_owned() } else { format!("音乐：{name}") };
                let url = tag.named("url").filter(|u| u.contains("://")).map(str::to_owned);
                self.embed(n, col, &what, url)
            }
            "mapbox" => self.embed(n, col, "地图", None),
            "echarts" => {
                self.warn(n, col, "an ECharts chart cannot be drawn in a book; a placeholder is shown".into(), "export the chart as an image and link the image instead");
                if self.closes_later(tag, n, line, at) {
                    return Some(Action::Open(Kind::Drop, vec![self.say("［图表］")]));
                }
                Action::Text(self.say("［图表］"))
            }
            "script" => {
                self.warn(n, col, "`{{< script >}}` runs code in a browser; it is left out".into(), HINT_UNKNOWN);
                if self.closes_later(tag, n, line, at) {
                    return Some(Action::Open(Kind::Drop, vec![]));
                }
                Action::Nothing
            }
            "param" => {
                let name = tag.arg("name", 0).unwrap_or("");
                self.warn(n, col, format!("`{{{{< param {name} >}}}}` reads the site's configuration, which a book does not have; it is left out"), "write the value into the essay");
                Action::Nothing
            }
            _ => return None,
        })
    }

    /// Shortcodes that stand for text: links, references, figures, version badges.
    fn hugo_inline(&mut self, n: usize, col: usize, tag: &Tag) -> Option<Action> {
        Some(match tag.name.as_str() {
            "version" => {
                let (v, what) = version_badge(tag);
                Action::Text(format!("（v{v} {}）", self.say(what)))
            }
            "link" => {
                let Some(href) = tag.arg("href", 0) else { return Some(Action::Nothing) };
                let text = tag.arg("content", 1).unwrap_or(href);
                Action::Text(format!("[{}](<{href}>)", md_text(text)))
            }
            "person" => {
                let url = tag.arg("url", 0).unwrap_or("");
                let name = tag.arg("name", 1).unwrap_or(url);
                let text = tag.arg("text", 2).map(|t| format!("（{}）", md_text(t))).unwrap_or_default();
                if url.is_empty() {
                    Action::Text(format!("{}{text}", md_text(name)))
                } else {
                    Action::Text(format!("[{}](<{url}>){text}", md_text(name)))
                }
            }
            "ref" | "relref" => Action::Text(tag.arg("path", 0).unwrap_or("").to_owned()),
            "figure" | "image" | "img" => {
                let Some(src) = tag.arg("src", 0) else {
                    self.warn(n, col, format!("`{{{{< {} >}}}}` names no image; it is left out", tag.name), "give the image's `src`");
                    return Some(Action::Nothing);
                };
                let text = tag.named("caption").or(tag.named("title")).or(tag.named("alt")).or(tag.args.get(1).map(String::as_str)).unwrap_or("");
                Action::Text(format!("![{}](<{src}>)", md_text(&strip_markdown_code(text))))
            }
            _ => return None,
        })
    }
}

/// A line of code as Hugo shows it: escaped shortcodes unescaped, `version` and `link` as text.
pub(super) fn code_forms(line: &str) -> String {
    if !line.contains("{{") {
        return line.to_owned();
    }
    let mut out = String::new();
    let mut from = 0;
    while let Some((s, e, found)) = find_tag(line, from, false) {
        out.push_str(&line[from..s]);
        match found {
            Found::Escaped(text) => out.push_str(&text),
            Found::Tag(inner, Syntax::Hugo) => {
                let tag = parse(inner, Syntax::Hugo);
                match tag.name.as_str() {
                    "version" if !tag.closing => {
                        let (v, what) = version_badge(&tag);
                        out.push_str(&format!("(v{v} {what})"));
                    }
                    "link" if !tag.closing => out.push_str(tag.arg("content", 1).or(tag.arg("href", 0)).unwrap_or("")),
                    _ => out.push_str(&line[s..e]),
                }
            }
            _ => out.push_str(&line[s..e]),
        }
        from = e;
    }
    out.push_str(&line[from..]);
    out
}

/// LoveIt's `{{< version 0.2.0 changed >}}` badge: the version, and whether it was added,
/// changed or deleted then.
pub(super) fn version_badge(tag: &Tag) -> (&str, &'static str) {
    let what = match tag.arg("type", 1) {
        Some("changed") => "更改",
        Some("deleted") => "删除",
        _ => "新增",
    };
    (tag.arg("version", 0).unwrap_or(""), what)
}

pub(super) fn unescape_hugo(line: &str) -> String {
    line.replace("{{</*", "{{<").replace("*/>}}", ">}}").replace("{{%/*", "{{%").replace("*/%}}", "%}}")
}

/// LoveIt's admonition types as its Chinese locale names them.
pub(super) fn admonition_label(kind: &str) -> &str {
    match kind {
        "abstract" => "摘要",
        "info" => "信息",
        "tip" => "技巧",
        "success" => "成功",
        "question" => "问题",
        "warning" => "警告",
        "failure" => "失败",
        "danger" => "危险",
        "bug" => "Bug",
        "example" => "示例",
        "quote" => "引用",
        _ => "注意",
    }
}
