//! Hexo tag plugins (`{% name args %}`) and Hugo shortcodes (`{{< name args >}}`, `{{% … %}}`),
//! rewritten into Markdown before parsing. What has a book form becomes Markdown: quotes,
//! code, links, images, text. Embeds (videos, gists, maps) become a link and a warning; the
//! rest a warning. Each output line remembers the body line it came from, so diagnostics
//! still point into the file.

/// The rewritten body.
#[derive(Debug)]
pub(crate) struct Expanded {
    pub text: String,
    /// Per output line: the 1-based body line it came from and how many characters were put
    /// in front of that line's text (quote markers).
    pub(crate) origins: Vec<(usize, usize)>,
    pub(crate) notes: Vec<Note>,
}

/// A warning about a tag, at a 1-based body line and character column.
#[derive(Debug)]
pub(crate) struct Note {
    pub line: usize,
    pub col: usize,
    pub message: String,
    pub(crate) hint: &'static str,
}

/// Rewrites the tags of `body`; `None` when it has none. `stem` is the essay's file name without
/// its extension (Hexo keeps a post's assets in a folder of that name).
pub(crate) fn expand(body: &str, stem: &str) -> Option<Expanded> {
    if !(body.contains("{%") || body.contains("{{<") || body.contains("{{%")) {
        return None;
    }
    let lines: Vec<&str> = body.lines().collect();
    let mut x = Expander { lines: &lines, stem, out: String::new(), origins: Vec::new(), notes: Vec::new(), stack: Vec::new(), fence: None };
    let mut i = 0;
    while i < lines.len() {
        i = x.line(i);
    }
    while let Some(open) = x.stack.pop() {
        x.warn(open.line, 1, format!("`{}` is never closed; it runs to the end of the essay", open.display()), HINT_CLOSE);
        x.close(open, lines.len());
    }
    Some(Expanded { text: x.out, origins: x.origins, notes: x.notes })
}

const HINT_CLOSE: &str = "close a block tag with `{% endname %}`, a shortcode with `{{< /name >}}`";
const HINT_EMBED: &str = "a book cannot play or load it; the link is kept so a reader can open it";
const HINT_UNKNOWN: &str = "wenji renders quotes, code, notes, links, images and videos as links; write the content as Markdown instead";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    /// `{% name %}`, closed by `{% endname %}`.
    Hexo,
    /// `{{< name >}}` or `{{% name %}}`, closed by `{{< /name >}}`.
    Hugo,
}

/// One tag as written.
#[derive(Debug)]
struct Tag {
    syntax: Syntax,
    name: String,
    /// Positional arguments, quotes removed.
    args: Vec<String>,
    /// Hugo's `key="value"` arguments.
    named: Vec<(String, String)>,
    closing: bool,
    self_closing: bool,
}

impl Tag {
    fn named(&self, key: &str) -> Option<&str> {
        self.named.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// A named argument, else the positional one at `index`.
    fn arg(&self, key: &str, index: usize) -> Option<&str> {
        self.named(key).or(self.args.get(index).map(String::as_str)).filter(|s| !s.is_empty())
    }
}

/// A block tag whose closing tag has not come yet.
#[derive(Debug)]
struct Open {
    name: String,
    syntax: Syntax,
    line: usize,
    kind: Kind,
}

impl Open {
    fn display(&self) -> String {
        match self.syntax {
            Syntax::Hexo => format!("{{% {} %}}", self.name),
            Syntax::Hugo => format!("{{{{< {} >}}}}", self.name),
        }
    }
}

#[derive(Debug)]
enum Kind {
    /// Its lines become a block quote, with an attribution line at the end.
    Quote { indent: String, footer: Option<String> },
    /// Its lines are code, copied as they are.
    Code,
    /// Its lines are copied as they are, tags and all (`{% raw %}`).
    Raw,
    /// Its lines are kept and their tags expanded.
    Keep,
    /// Its lines are left out.
    Drop,
}

/// What a tag turns into.
enum Action {
    Text(String),
    Open(Kind, Vec<String>),
    Close,
    Nothing,
}

struct Expander<'a> {
    lines: &'a [&'a str],
    stem: &'a str,
    out: String,
    origins: Vec<(usize, usize)>,
    notes: Vec<Note>,
    stack: Vec<Open>,
    /// The author's own Markdown fence: its character and length.
    fence: Option<(char, usize)>,
}

impl Expander<'_> {
    fn warn(&mut self, line: usize, col: usize, message: String, hint: &'static str) {
        self.notes.push(Note { line, col, message, hint });
    }

    /// Writes one output line for body line `n`, inside the quotes that are open.
    fn emit(&mut self, n: usize, text: &str) {
        let mut prefix = String::new();
        let mut text = text;
        let quotes = self.stack.iter().filter(|o| matches!(o.kind, Kind::Quote { .. })).count();
        if let Some(Kind::Quote { indent, .. }) = self.stack.iter().map(|o| &o.kind).find(|k| matches!(k, Kind::Quote { .. })) {
            text = text.strip_prefix(indent.as_str()).unwrap_or(text.trim_start());
            prefix.push_str(indent);
            prefix.push_str(&"> ".repeat(quotes));
        }
        let line = format!("{prefix}{text}");
        self.out.push_str(line.trim_end());
        self.out.push('\n');
        self.origins.push((n, prefix.chars().count()));
    }

    fn literal(&self) -> bool {
        matches!(self.stack.last(), Some(Open { kind: Kind::Code | Kind::Raw, .. }))
    }

    fn dropping(&self) -> bool {
        self.stack.iter().any(|o| matches!(o.kind, Kind::Drop))
    }

    /// Handles the line at index `i` (and any lines a tag spans); returns the next index.
    fn line(&mut self, i: usize) -> usize {
        let n = i + 1;
        let line = self.lines[i];
        if self.literal() {
            self.literal_line(n, line);
            return n;
        }
        if let Some((ch, len)) = self.fence {
            let t = line.trim_start();
            if t.starts_with(&ch.to_string().repeat(len)) && t.trim_end().chars().all(|c| c == ch) {
                self.fence = None;
            }
            let text = code_forms(line);
            if !self.dropping() {
                self.emit(n, &text);
            }
            return n;
        }
        if let Some(fence) = fence_opening(line) {
            self.fence = Some(fence);
            if !self.dropping() {
                self.emit(n, &code_forms(line));
            }
            return n;
        }
        // A tag may span lines (`{{< figure` … `>}}`): join them.
        let mut joined = line.to_owned();
        let mut next = i + 1;
        while let Some(Found::Unclosed) = find_tag(&joined, 0, true).map(|f| f.2) {
            if next >= self.lines.len() || next > i + 12 {
                break;
            }
            joined.push(' ');
            joined.push_str(self.lines[next].trim());
            next += 1;
        }
        let (joined_any, line) = (next > i + 1, joined);
        if joined_any && matches!(find_tag(&line, 0, true).map(|f| f.2), Some(Found::Unclosed)) {
            // Not a tag after all: keep the first line as text.
            self.segment(n, self.lines[i]);
            return n;
        }
        self.segment(n, &line);
        next
    }

    /// A line inside `{% raw %}` or a code tag: only the matching closing tag counts.
    fn literal_line(&mut self, n: usize, line: &str) {
        let (name, syntax) = {
            let top = self.stack.last().expect("literal");
            (top.name.clone(), top.syntax)
        };
        let mut from = 0;
        while let Some((s, e, found)) = find_tag(line, from, false) {
            if let Found::Tag(inner, syn) = found {
                let tag = parse(inner, syn);
                if tag.closing && tag.name == name && syn == syntax {
                    let before = &line[..s];
                    if !before.trim().is_empty() {
                        let text = unescape_hugo(before);
                        self.emit(n, &text);
                    }
                    let open = self.stack.pop().expect("literal");
                    self.close(open, n);
                    let rest = &line[e..];
                    if !rest.trim().is_empty() {
                        self.segment(n, rest);
                    }
                    return;
                }
            }
            from = e;
        }
        let text = if syntax == Syntax::Hugo || name != "raw" { unescape_hugo(line) } else { line.to_owned() };
        self.emit(n, &text);
    }

    /// Expands the tags of one line of Markdown.
    fn segment(&mut self, n: usize, line: &str) {
        let mut cur = String::new();
        let mut blocks = false;
        let mut from = 0;
        while let Some((s, e, found)) = find_tag(line, from, true) {
            cur.push_str(&line[from..s]);
            from = e;
            let (inner, syntax) = match found {
                Found::Tag(inner, syntax) => (inner, syntax),
                Found::Escaped(text) => {
                    cur.push_str(&text);
                    continue;
                }
                Found::Unclosed => {
                    cur.push_str(&line[s..e]);
                    continue;
                }
            };
            let col = line[..s].chars().count() + 1;
            let tag = parse(inner, syntax);
            if self.dropping() && !tag.closing {
                continue;
            }
            match self.action(n, col, &tag, line, s) {
                Action::Text(t) => cur.push_str(&t),
                Action::Nothing => {}
                Action::Open(kind, head) => {
                    blocks = true;
                    if !cur.trim().is_empty() && !self.dropping() {
                        self.emit(n, &cur);
                    }
                    cur.clear();
                    if matches!(kind, Kind::Quote { .. }) {
                        self.emit(n, "");
                    }
                    let literal = matches!(kind, Kind::Code | Kind::Raw);
                    self.stack.push(Open { name: tag.name.clone(), syntax, line: n, kind });
                    for h in head {
                        self.emit(n, &h);
                    }
                    if literal {
                        // The rest of the line is the block's first line.
                        let rest = &line[e..];
                        if !rest.trim().is_empty() {
                            self.literal_line(n, rest);
                        }
                        return;
                    }
                }
                Action::Close => {
                    blocks = true;
                    if !cur.trim().is_empty() && !self.dropping() {
                        self.emit(n, &cur);
                    }
                    cur.clear();
                    match self.stack.iter().rposition(|o| o.name == tag.name && o.syntax == syntax) {
                        Some(at) => {
                            while self.stack.len() > at + 1 {
                                let inner = self.stack.pop().expect("deeper");
                                self.warn(inner.line, 1, format!("`{}` is never closed; it ends with `{}`", inner.display(), tag.name), HINT_CLOSE);
                                self.close(inner, n);
                            }
                            let open = self.stack.pop().expect("found");
                            self.close(open, n);
                        }
                        None => self.warn(n, col, format!("closing tag `{}` has no opening tag; it is left out", &line[s..e]), HINT_CLOSE),
                    }
                }
            }
        }
        cur.push_str(&line[from..]);
        if self.dropping() {
            return;
        }
        if !(blocks && cur.trim().is_empty()) {
            self.emit(n, &cur);
        }
    }

    /// Ends an open block at body line `n`.
    fn close(&mut self, open: Open, n: usize) {
        let Open { name, syntax, line, kind } = open;
        match kind {
            Kind::Code => self.emit(n, "~~~~"),
            Kind::Quote { indent, footer } => {
                if let Some(f) = footer {
                    // The attribution is the quote's last paragraph: written while it is still open.
                    self.stack.push(Open { name, syntax, line, kind: Kind::Quote { indent, footer: None } });
                    self.emit(n, "");
                    self.emit(n, &f);
                    self.stack.pop();
                }
                self.emit(n, "");
            }
            Kind::Raw | Kind::Keep | Kind::Drop => {}
        }
    }

    fn action(&mut self, n: usize, col: usize, tag: &Tag, line: &str, at: usize) -> Action {
        if tag.closing {
            return Action::Close;
        }
        match tag.syntax {
            Syntax::Hexo => self.hexo(n, col, tag, line, at),
            Syntax::Hugo => self.hugo(n, col, tag, line, at),
        }
    }

    fn hexo(&mut self, n: usize, col: usize, tag: &Tag, line: &str, at: usize) -> Action {
        let a = &tag.args;
        let all = a.join(" ");
        match tag.name.as_str() {
            "raw" => Action::Open(Kind::Raw, vec![]),
            "blockquote" | "quote" => Action::Open(Kind::Quote { indent: indent(line), footer: hexo_citation(&all) }, vec![]),
            "pullquote" => Action::Open(Kind::Quote { indent: indent(line), footer: None }, vec![]),
            "note" | "notice" | "alert" | "callout" => {
                let title = a.iter().filter(|s| !is_style_word(s)).cloned().collect::<Vec<_>>().join(" ");
                let head = if title.is_empty() { vec![] } else { vec![format!("**{}**", md_text(&title)), String::new()] };
                Action::Open(Kind::Quote { indent: indent(line), footer: None }, head)
            }
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
                Action::Text(format!("［代码：{}］", md_text(&path)))
            }
            _ => self.unknown(n, col, tag, line, at),
        }
    }

    fn hugo(&mut self, n: usize, col: usize, tag: &Tag, line: &str, at: usize) -> Action {
        match tag.name.as_str() {
            "admonition" | "notice" | "alert" | "callout" | "hint" => {
                let kind = tag.arg("type", 0).unwrap_or("note");
                let title = tag.arg("title", 1).map(str::to_owned).unwrap_or_else(|| admonition_label(kind).to_owned());
                let head = vec![format!("**{}**", md_text(&title)), String::new()];
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
            "style" => {
                self.warn(n, col, "`{{< style >}}` styling is dropped; its content is kept".into(), "a book keeps one style; write the content as plain Markdown");
                Action::Open(Kind::Keep, vec![])
            }
            "version" => {
                let (v, what) = version_badge(tag);
                Action::Text(format!("（v{v} {what}）"))
            }
            "link" => {
                let Some(href) = tag.arg("href", 0) else { return Action::Nothing };
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
                    return Action::Nothing;
                };
                let text = tag.named("caption").or(tag.named("title")).or(tag.named("alt")).or(tag.args.get(1).map(String::as_str)).unwrap_or("");
                Action::Text(format!("![{}](<{src}>)", md_text(&strip_markdown_code(text))))
            }
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
                    return Action::Open(Kind::Drop, vec!["［图表］".into()]);
                }
                Action::Text("［图表］".into())
            }
            "script" => {
                self.warn(n, col, "`{{< script >}}` runs code in a browser; it is left out".into(), HINT_UNKNOWN);
                if self.closes_later(tag, n, line, at) {
                    return Action::Open(Kind::Drop, vec![]);
                }
                Action::Nothing
            }
            "param" => {
                let name = tag.arg("name", 0).unwrap_or("");
                self.warn(n, col, format!("`{{{{< param {name} >}}}}` reads the site's configuration, which a book does not have; it is left out"), "write the value into the essay");
                Action::Nothing
            }
            _ => self.unknown(n, col, tag, line, at),
        }
    }

    /// A link standing for something a page would embed, with a warning.
    fn embed(&mut self, n: usize, col: usize, what: &str, url: Option<String>) -> Action {
        match url {
            Some(url) => {
                self.warn(n, col, format!("{what} cannot be embedded in a book; it is shown as a link to {url}"), HINT_EMBED);
                Action::Text(format!("［{what}：[{}](<{url}>)］", md_text(&url)))
            }
            None => {
                self.warn(n, col, format!("{what} cannot be embedded in a book; a placeholder is shown"), HINT_EMBED);
                Action::Text(format!("［{what}］"))
            }
        }
    }

    /// An unknown tag: a block one keeps its content, a single one is left out; both warn.
    fn unknown(&mut self, n: usize, col: usize, tag: &Tag, line: &str, at: usize) -> Action {
        let shown = match tag.syntax {
            Syntax::Hexo => format!("{{% {} %}}", tag.name),
            Syntax::Hugo => format!("{{{{< {} >}}}}", tag.name),
        };
        if self.closes_later(tag, n, line, at) {
            self.warn(n, col, format!("unknown tag `{shown}`: its content is kept, the tag is left out"), HINT_UNKNOWN);
            Action::Open(Kind::Keep, vec![])
        } else {
            self.warn(n, col, format!("unknown tag `{shown}` is left out"), HINT_UNKNOWN);
            Action::Nothing
        }
    }

    /// Whether a closing tag for `tag` comes later in the body.
    fn closes_later(&self, tag: &Tag, n: usize, line: &str, at: usize) -> bool {
        if tag.self_closing {
            return false;
        }
        let mut rest = vec![&line[at..]];
        rest.extend(self.lines.iter().skip(n).copied());
        rest.into_iter().any(|l| {
            let mut from = 0;
            while let Some((_, e, found)) = find_tag(l, from, true) {
                if let Found::Tag(inner, syntax) = found {
                    let t = parse(inner, syntax);
                    if t.closing && t.name == tag.name && syntax == tag.syntax {
                        return true;
                    }
                }
                from = e;
            }
            false
        })
    }
}

/// What `find_tag` found.
enum Found<'a> {
    Tag(&'a str, Syntax),
    /// `{{</* x */>}}`: Hugo's way to write a shortcode literally.
    Escaped(String),
    /// An opening `{%` or `{{<` with no end on the line.
    Unclosed,
}

/// The next tag in `line` at or after byte `from`: its start and end bytes and what it is.
/// With `skip_code`, tags inside backtick code spans do not count.
fn find_tag(line: &str, from: usize, skip_code: bool) -> Option<(usize, usize, Found<'_>)> {
    let bytes = line.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        if skip_code && bytes[i] == b'`' {
            let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
            let ticks = &line[i..i + run];
            let mut j = i + run;
            let mut end = None;
            while let Some(k) = line[j..].find(ticks) {
                let at = j + k;
                let len = bytes[at..].iter().take_while(|&&b| b == b'`').count();
                if len == run {
                    end = Some(at + run);
                    break;
                }
                j = at + len;
            }
            i = end.unwrap_or(i + run);
            continue;
        }
        if bytes[i] != b'{' {
            i += 1;
            continue;
        }
        let rest = &line[i..];
        let (syntax, open, close) = if rest.starts_with("{%") {
            (Syntax::Hexo, 2, "%}")
        } else if rest.starts_with("{{<") {
            (Syntax::Hugo, 3, ">}}")
        } else if rest.starts_with("{{%") {
            (Syntax::Hugo, 3, "%}}")
        } else {
            i += 1;
            continue;
        };
        let Some(k) = rest[open..].find(close) else {
            return Some((i, i + open, Found::Unclosed));
        };
        let inner = &rest[open..open + k];
        let end = i + open + k + close.len();
        let t = inner.trim();
        if syntax == Syntax::Hugo && t.starts_with("/*") && t.ends_with("*/") && t.len() >= 4 {
            let literal = format!("{}{}{}", &rest[..open], &t[2..t.len() - 2], close);
            return Some((i, end, Found::Escaped(literal)));
        }
        return Some((i, end, Found::Tag(inner, syntax)));
    }
    None
}

/// Parses a tag's inside: its name, arguments and whether it closes.
fn parse(inner: &str, syntax: Syntax) -> Tag {
    let mut s = inner.trim();
    if syntax == Syntax::Hexo {
        s = s.trim_start_matches('-').trim_end_matches('-').trim();
    }
    let self_closing = syntax == Syntax::Hugo && s.ends_with('/');
    let s = s.trim_end_matches('/').trim();
    let mut closing = false;
    let s = match s.strip_prefix('/') {
        Some(rest) if syntax == Syntax::Hugo => {
            closing = true;
            rest.trim()
        }
        _ => s,
    };
    let (mut name, rest) = s.split_once(char::is_whitespace).unwrap_or((s, ""));
    if syntax == Syntax::Hexo && name.len() > 3 && name.starts_with("end") {
        closing = true;
        name = &name[3..];
    }
    let mut args = Vec::new();
    let mut named = Vec::new();
    for token in tokens(rest) {
        match token.split_once('=') {
            Some((k, v)) if syntax == Syntax::Hugo && !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-') => {
                named.push((k.to_owned(), v.to_owned()))
            }
            _ => args.push(token),
        }
    }
    Tag { syntax, name: name.to_owned(), args, named, closing, self_closing }
}

/// Splits arguments on spaces; `"…"`, `'…'` and `` `…` `` group words when they open a word.
fn tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut started = false;
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if matches!(c, '"' | '\'' | '`') && (cur.is_empty() || cur.ends_with('=')) => {
                quote = Some(c);
                started = true;
            }
            None if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut cur));
                    started = false;
                }
            }
            None => {
                cur.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(cur);
    }
    out
}

/// A Markdown fence opening this line: its character and length.
fn fence_opening(line: &str) -> Option<(char, usize)> {
    let t = line.trim_start_matches([' ', '\t', '>']).trim_start();
    let ch = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = t.chars().take_while(|c| *c == ch).count();
    (len >= 3 && !(ch == '`' && t[len..].contains('`'))).then_some((ch, len))
}

/// A line of code as Hugo shows it: escaped shortcodes unescaped, `version` and `link` as text.
fn code_forms(line: &str) -> String {
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
fn version_badge(tag: &Tag) -> (&str, &'static str) {
    let what = match tag.arg("type", 1) {
        Some("changed") => "更改",
        Some("deleted") => "删除",
        _ => "新增",
    };
    (tag.arg("version", 0).unwrap_or(""), what)
}

fn unescape_hugo(line: &str) -> String {
    line.replace("{{</*", "{{<").replace("*/>}}", ">}}").replace("{{%/*", "{{%").replace("*/%}}", "%}}")
}

fn indent(line: &str) -> String {
    line.chars().take_while(|c| *c == ' ' || *c == '\t').collect()
}

/// Escapes text put into generated Markdown.
fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn strip_html(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn strip_markdown_code(s: &str) -> String {
    s.replace('`', "")
}

fn looks_like_path(s: &str) -> bool {
    s.contains("://") || s.starts_with('/') || s.starts_with("./") || s.starts_with("../") || s.starts_with('#')
}

/// Hexo `note` arguments that are styles, not words of a title.
fn is_style_word(s: &str) -> bool {
    matches!(s, "default" | "primary" | "success" | "info" | "warning" | "warn" | "danger" | "tip" | "no-icon" | "flat" | "modern" | "simple" | "disabled")
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

fn youtube_url(id: &str, kind: Option<&str>) -> String {
    if kind == Some("playlist") { format!("https://www.youtube.com/playlist?list={id}") } else { format!("https://www.youtube.com/watch?v={id}") }
}

/// LoveIt's admonition types as its Chinese locale names them.
fn admonition_label(kind: &str) -> &str {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn text(body: &str) -> String {
        expand(body, "post").map(|e| e.text).unwrap_or_else(|| body.to_owned())
    }

    fn notes(body: &str) -> Vec<String> {
        expand(body, "post").map(|e| e.notes.into_iter().map(|n| format!("{}:{} {}", n.line, n.col, n.message)).collect()).unwrap_or_default()
    }

    #[test]
    fn bodies_without_tags_are_left_alone() {
        assert!(expand("正文 `{x}` 100%", "p").is_none());
    }

    #[test]
    fn hexo_blockquote_becomes_a_quote_with_its_citation() {
        let out = text("前文\n{% blockquote David Levithan, Wide Awake %}\nDo not just seek happiness.\n{% endblockquote %}\n后文\n");
        assert_eq!(out, "前文\n\n> Do not just seek happiness.\n>\n> — David Levithan, *Wide Awake*\n\n后文\n");
        let out = text("{% blockquote Seth Godin http://sethgodin.typepad.com/x.html Welcome to Island Marketing %}\nEvery.\n{% endblockquote %}\n");
        assert!(out.contains("> — Seth Godin, [Welcome to Island Marketing](<http://sethgodin.typepad.com/x.html>)"), "{out}");
        let out = text("{% blockquote 鲁迅, 呐喊 %}\n我家门前有两棵树。\n{% endblockquote %}\n");
        assert!(out.contains("> ——鲁迅，*呐喊*"), "{out}");
    }

    #[test]
    fn origins_point_back_at_body_lines() {
        let e = expand("a\n{% blockquote %}\nquoted\n{% endblockquote %}\nb\n", "p").unwrap();
        let lines: Vec<&str> = e.text.lines().collect();
        let at = lines.iter().position(|l| *l == "> quoted").unwrap();
        assert_eq!(e.origins[at], (3, 2));
        assert_eq!(e.origins[lines.len() - 1], (5, 0));
        assert_eq!(lines.len(), e.origins.len());
    }

    #[test]
    fn codeblock_raw_and_fences_keep_their_text() {
        let out = text("{% codeblock Array.map lang:js %}\narray.map({% raw %})\n{% endcodeblock %}\n");
        assert_eq!(out, "*Array.map*\n\n~~~~js\narray.map({% raw %})\n~~~~\n");
        assert_eq!(text("{% raw %}\n{{ x }} {% y %}\n{% endraw %}\n"), "{{ x }} {% y %}\n");
        // The author's fences and code spans are literal, except Hugo's escapes.
        assert_eq!(text("```\n{% youtube x %}\n{{</* link \"u\" */>}}\n```\n`{% raw %}`\n"), "```\n{% youtube x %}\n{{< link \"u\" >}}\n```\n`{% raw %}`\n");
        assert!(notes("```\n{% youtube x %}\n```\n").is_empty());
    }

    #[test]
    fn hugo_shortcodes_with_a_book_form() {
        assert_eq!(text("{{< admonition tip \"小技巧\" >}}\n内容\n{{< /admonition >}}\n"), "\n> **小技巧**\n>\n> 内容\n\n");
        assert_eq!(text("{{% notice note %}}\n内容\n{{% /notice %}}\n"), "\n> **注意**\n>\n> 内容\n\n");
        assert_eq!(text("见 {{< link \"https://x.org/\" \"X 站\" >}}。\n"), "见 [X 站](<https://x.org/>)。\n");
        assert_eq!(text("{{< version 0.2.0 changed >}} 配置\n"), "（v0.2.0 更改） 配置\n");
        assert_eq!(text("```toml\n# {{< version 0.2.0 >}} 配置\n```\n"), "```toml\n# (v0.2.0 新增) 配置\n```\n");
        assert_eq!(text("{{< highlight go >}}\nfmt.Println(1)\n{{< /highlight >}}\n"), "~~~~go\nfmt.Println(1)\n~~~~\n");
        assert_eq!(text("{{< figure src=\"/a.png\"\n  caption=\"图一\" >}}\n"), "![图一](</a.png>)\n");
    }

    #[test]
    fn embeds_become_links_with_a_warning() {
        let e = expand("看：{% youtube I07XMi7MHd4 %}\n\n{{< bilibili id=BV1TJ411C7An p=3 >}}\n", "p").unwrap();
        assert!(e.text.contains("［YouTube 视频：[https://www.youtube.com/watch?v=I07XMi7MHd4](<https://www.youtube.com/watch?v=I07XMi7MHd4>)］"), "{}", e.text);
        assert!(e.text.contains("(<https://www.bilibili.com/video/BV1TJ411C7An?p=3>)"), "{}", e.text);
        let at: Vec<(usize, usize)> = e.notes.iter().map(|n| (n.line, n.col)).collect();
        assert_eq!(at, vec![(1, 3), (3, 1)]);
    }

    #[test]
    fn post_links_and_assets_point_into_the_book() {
        assert_eq!(text("{% post_link hello-world %}\n"), "[](<hello-world.md>)\n");
        assert_eq!(text("{% post_link hello 'Say <b>hi</b>' %}\n"), "[Say hi](<hello.md>)\n");
        assert_eq!(text("{% asset_img cat.jpg 一只猫 %}\n"), "![一只猫](<post/cat.jpg>)\n");
        assert_eq!(text("{% img /images/a.jpg 100 200 '\"标题\" \"替代\"' %}\n"), "![替代](</images/a.jpg>)\n");
        assert_eq!(text("{% link 文档 https://hexo.io/docs %}\n"), "[文档](<https://hexo.io/docs>)\n");
    }

    #[test]
    fn unknown_and_unclosed_tags_warn() {
        assert_eq!(text("{% foo bar %}\n"), "\n");
        assert_eq!(notes("{% foo bar %}\n"), vec!["1:1 unknown tag `{% foo %}` is left out"]);
        assert_eq!(text("{% box %}\n内容\n{% endbox %}\n"), "内容\n");
        let n = notes("{% blockquote %}\n引文\n");
        assert!(n[0].starts_with("1:1 `{% blockquote %}` is never closed"), "{n:?}");
        assert_eq!(notes("{{< /admonition >}}\n")[0], "1:1 closing tag `{{< /admonition >}}` has no opening tag; it is left out");
    }

    #[test]
    fn an_open_brace_percent_with_no_end_is_text() {
        assert_eq!(text("增长 {% 左右\n下一行\n"), "增长 {% 左右\n下一行\n");
    }
}
