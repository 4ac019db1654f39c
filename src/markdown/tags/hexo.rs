//! Hexo's tag plugins (`{% name args %}`).

use super::{Action, Expander, Kind, Tag, indent, looks_like_path, md_text, md_title, strip_html, youtube_url};

impl Expander<'_> {
    pub(super) fn hexo(&mut self, n: usize, col: usize, tag: &Tag, line: &str, at: usize) -> Action {
        let a = &tag.args;
        let all = a.join(" ");
        match tag.name.as_str() {
            "raw" => Action::Open(Kind::Raw, vec![]),
            // Jekyll's Liquid: what prints nothing on the page prints nothing in the book.
            "assign" => Action::Nothing,
            "capture" => Action::Open(Kind::Keep, vec![]),
            "include" | "include_relative" => {
                let file = a.first().map(String::as_str).unwrap_or("");
                self.warn(n, col, format!("`{{% {} {file} %}}` reads a file of the blog's site, which a book does not have; it is left out", tag.name), "paste the file's content into the essay");
                Action::Nothing
            }
            name if THEME_PLUGINS.contains(&name) => self.theme_plugin(n, col, tag, line),
            "blockquote" | "quote" => Action::Open(Kind::Quote { indent: indent(line), footer: hexo_citation(&all) }, vec![]),
            "pullquote" => Action::Open(Kind::Quote { indent: indent(line), footer: None }, vec![]),
            "note" | "notice" | "alert" | "callout" => {
                let title = a.iter().filter(|s| !is_style_word(s)).cloned().collect::<Vec<_>>().join(" ");
                let head = if title.is_empty() { vec![] } else { vec![md_title(&title), String::new()] };
                Action::Open(Kind::Quote { indent: indent(line), footer: None }, head)
            }
            // hexo-filter-mathjax and hexo-katex: a display formula, its TeX as written.
            "math" | "mathjax" | "katex" | "latex" => Action::Open(Kind::Code, vec!["~~~~math".into()]),
            "codeblock" | "code" => {
                let lang = a.iter().find_map(|s| s.strip_prefix("lang:")).unwrap_or("");
                let rest: Vec<&String> = a.iter().filter(|s| !s.contains(':') || s.contains("://")).collect();
                let mut head = Vec::new();
                if let Some(caption) = code_caption(&rest) {
                    head.push(caption);
                    head.push(String::new());
                }
                head.push(format!("~~~~{lang}"));
                Action::Open(Kind::Code, head)
            }
            "post_link" | "post_path" => {
                let slug = a.first().map(String::as_str).unwrap_or("");
                let target = format!("{slug}.md");
                if tag.name == "post_path" {
                    return Action::Text(target);
                }
                let title = a.get(1).map(|t| md_text(&strip_html(t))).unwrap_or_default();
                Action::Text(format!("[{title}](<{target}>)"))
            }
            "asset_img" | "asset_image" | "asset_link" | "asset_path" => {
                let Some(i) = a.iter().position(|s| s.contains('.')) else {
                    self.warn(n, col, format!("`{{% {} %}}` names no file; it is left out", tag.name), "give the asset's file name");
                    return Action::Nothing;
                };
                let path = format!("{}/{}", self.stem, a[i]);
                let words: Vec<&str> = a[i + 1..].iter().map(String::as_str).filter(|s| s.parse::<u32>().is_err()).collect();
                let title = words.join(" ");
                match tag.name.as_str() {
                    "asset_path" => Action::Text(path),
                    "asset_link" => Action::Text(format!("[{}](<{path}>)", md_text(if title.is_empty() { &a[i] } else { &title }))),
                    _ => Action::Text(format!("![{}](<{path}>)", md_text(&title))),
                }
            }
            "img" | "image" => {
                let Some(i) = a.iter().position(|s| looks_like_path(s)) else {
                    self.warn(n, col, "`{% img %}` names no image; it is left out".into(), "give the image's path");
                    return Action::Nothing;
                };
                let words: Vec<&str> = a[i + 1..].iter().map(String::as_str).filter(|s| s.parse::<u32>().is_err()).collect();
                let (title, alt) = split_title_alt(&words.join(" "));
                Action::Text(format!("![{}](<{}>)", md_text(alt.as_deref().unwrap_or(&title)), a[i]))
            }
            "link" | "url_for" | "full_url_for" => {
                let Some(i) = a.iter().position(|s| looks_like_path(s)) else {
                    return Action::Text(md_text(&all));
                };
                let text = a[..i].join(" ");
                if text.is_empty() {
                    return Action::Text(a[i].clone());
                }
                Action::Text(format!("[{}](<{}>)", md_text(&text), a[i]))
            }
            "youtube" => self.embed(n, col, "YouTube 视频", a.first().map(|id| youtube_url(id, a.get(1).map(String::as_str)))),
            "vimeo" => self.embed(n, col, "Vimeo 视频", a.first().map(|id| format!("https://vimeo.com/{id}"))),
            "gist" => self.embed(n, col, "Gist 代码", a.first().map(|id| format!("https://gist.github.com/{id}"))),
            "jsfiddle" => self.embed(n, col, "jsFiddle 示例", a.first().map(|id| format!("https://jsfiddle.net/{id}"))),
            "iframe" => self.embed(n, col, "网页", a.first().cloned()),
            "include_code" => {
                let path = a.iter().rev().find(|s| !s.contains(':')).cloned().unwrap_or_default();
                self.warn(n, col, format!("`{{% include_code {path} %}}` reads a file of the blog's site, which a book does not have; a placeholder is shown"), "paste the code into the essay as a fenced code block");
                Action::Text(format!("［{}{}］", self.say("代码："), md_text(&path)))
            }
            _ => self.unknown(n, col, tag, line, at),
        }
    }
}

/// Tag plugins of the themes blogs use most (NexT, Butterfly, Fluid, Stellar).
const THEME_PLUGINS: &[&str] = &["label", "btn", "button", "hideInline", "hideBlock", "hideToggle", "tabs", "tab", "timeline", "gallery", "galleryGroup", "mermaid", "chartjs", "checkbox", "kbd", "u", "emp", "wavy", "del", "psw", "sub", "sup"];

impl Expander<'_> {
    /// A theme's tag plugin in its book form: its visible text kept, its styling dropped.
    fn theme_plugin(&mut self, n: usize, col: usize, tag: &Tag, line: &str) -> Action {
        // Butterfly separates a plugin's parameters by commas; NexT by spaces.
        let all = tag.args.join(" ");
        let params: Vec<&str> = all.split(',').map(str::trim).collect();
        match tag.name.as_str() {
            // `{% label text color %}` (Butterfly), `{% label class@text %}` (NexT).
            "label" => {
                let text = match all.split_once('@') {
                    Some((_, text)) => text.to_owned(),
                    None => tag.args.iter().filter(|w| !is_style_word(w)).cloned().collect::<Vec<_>>().join(" "),
                };
                Action::Text(format!("**{}**", md_text(text.trim())))
            }
            // `{% btn url,text,icon,… %}` (Butterfly), `{% button url, text, icon %}` (NexT).
            "btn" | "button" => {
                let url = params.first().copied().unwrap_or("");
                let text = params.get(1).copied().filter(|t| !t.is_empty()).unwrap_or(url);
                if url.is_empty() { Action::Nothing } else { Action::Text(format!("[{}](<{url}>)", md_text(text))) }
            }
            "checkbox" => Action::Text(md_text(params.last().copied().unwrap_or(""))),
            "kbd" | "u" | "emp" | "wavy" | "psw" => Action::Text(md_text(&all)),
            "del" => Action::Text(format!("~~{}~~", md_text(&all))),
            "sub" | "sup" => Action::Text(md_text(&all)),
            // `{% hideInline content,display %}`: the hidden content, shown in a book.
            "hideInline" => Action::Text(md_text(params.first().copied().unwrap_or(""))),
            // `{% hideToggle display %}` … `{% endhideToggle %}`: a quote under its summary.
            "hideBlock" | "hideToggle" => {
                let summary = params.first().copied().unwrap_or("").trim();
                let head = if summary.is_empty() { vec![] } else { vec![md_title(summary), String::new()] };
                Action::Open(Kind::Quote { indent: indent(line), footer: None }, head)
            }
            // Each tab's or entry's name (`<!-- tab 名字 -->`) becomes a line of its own.
            "tabs" | "tab" | "timeline" | "gallery" | "galleryGroup" => {
                let head = match (tag.name.as_str(), params.first()) {
                    ("timeline", Some(title)) if !title.is_empty() => vec![md_title(title), String::new()],
                    _ => vec![],
                };
                Action::Open(Kind::Keep, head)
            }
            "mermaid" | "chartjs" => {
                let what = if tag.name == "mermaid" { "a mermaid diagram" } else { "a Chart.js chart" };
                self.warn(n, col, format!("{what} is shown as its source"), "export it as an image and link the image instead");
                Action::Open(Kind::Code, vec![format!("~~~~{}", tag.name)])
            }
            _ => Action::Nothing,
        }
    }
}

/// A theme's marker between tabs or timeline entries (`<!-- tab 名字@icon -->`,
/// `<!-- timeline 2020 -->`, `<!-- endtab -->`) as a line of the book: the name in bold, or nothing.
pub(super) fn tab_marker(line: &str) -> Option<String> {
    let inner = line.trim().strip_prefix("<!--")?.strip_suffix("-->")?.trim();
    let (word, rest) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
    match word {
        "endtab" | "endtimeline" => Some(String::new()),
        "tab" | "timeline" => {
            let name = rest.split('@').next().unwrap_or("").trim();
            Some(if name.is_empty() { String::new() } else { format!("**{}**", md_text(name)) })
        }
        _ => None,
    }
}

/// Hexo `note` and `label` arguments that are styles (a class, a colour, an icon), not words.
fn is_style_word(s: &str) -> bool {
    const STYLES: &[&str] = &[
        "default", "primary", "success", "info", "warning", "warn", "danger", "tip", "no-icon", "flat", "modern", "simple", "disabled", "red", "orange",
        "yellow", "green", "blue", "purple", "pink", "gray", "grey", "cyan", "light", "dark", "large", "small", "block", "center", "right", "left", "outline",
    ];
    STYLES.contains(&s) || s.split_whitespace().all(|w| w == "fa" || w.starts_with("fa-") || matches!(w, "fas" | "far" | "fab" | "fal" | "fad") || w.starts_with("icon-"))
}

/// `{% img … '"title" "alt"' %}`: the title and, if given, the alt text.
fn split_title_alt(s: &str) -> (String, Option<String>) {
    let parts: Vec<&str> = s.split('"').map(str::trim).filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [title, alt, ..] if s.contains('"') => (title.to_string(), Some(alt.to_string())),
        _ => (s.trim().to_owned(), None),
    }
}

/// Hexo's blockquote citation: `author[, source] [link] [link title]`.
fn hexo_citation(args: &str) -> Option<String> {
    let args = args.trim();
    if args.is_empty() {
        return None;
    }
    let words: Vec<&str> = args.split_whitespace().collect();
    let (who, link, title) = match words.iter().position(|w| w.starts_with("http://") || w.starts_with("https://")) {
        Some(i) => (words[..i].join(" "), Some(words[i]), words[i + 1..].join(" ")),
        None => (args.to_owned(), None, String::new()),
    };
    let (author, source) = match who.split_once(',') {
        Some((a, s)) => (a.trim().to_owned(), Some(s.trim().to_owned())),
        None => (who.trim().to_owned(), None),
    };
    // A Chinese citation takes a 2-em dash and full-width commas; a Latin one, an em dash and ", ".
    let chinese = args.chars().any(crate::kinsoku::is_wide);
    let (dash, comma) = if chinese { ("——", "，") } else { ("— ", ", ") };
    let mut out = format!("{dash}{}", md_text(&author));
    if let Some(s) = source {
        out.push_str(&format!("{comma}*{}*", md_text(&s)));
    }
    if let Some(url) = link {
        let shown = if title.is_empty() { url.split("://").nth(1).unwrap_or(url).trim_end_matches('/').to_owned() } else { title };
        out.push_str(&format!("{comma}[{}](<{url}>)", md_text(&shown)));
    }
    Some(out)
}

/// Hexo's codeblock caption: `[title] [url [link text]]`.
fn code_caption(words: &[&String]) -> Option<String> {
    let url = words.iter().position(|w| w.contains("://"));
    let title = words[..url.unwrap_or(words.len())].iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ");
    let link = url.map(|i| {
        let text = words[i + 1..].iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ");
        let text = if text.is_empty() { "link".to_owned() } else { text };
        format!("[{}](<{}>)", md_text(&text), words[i])
    });
    match (title.is_empty(), link) {
        (true, None) => None,
        (false, None) => Some(format!("*{}*", md_text(&title))),
        (true, Some(l)) => Some(l),
        (false, Some(l)) => Some(format!("*{}* {l}", md_text(&title))),
    }
}
