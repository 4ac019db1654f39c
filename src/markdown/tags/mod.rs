//! Hexo tag plugins (`{% name args %}`) and Hugo shortcodes (`{{< name args >}}`, `{{% … %}}`),
//! rewritten into Markdown before parsing. What has a book form becomes Markdown: quotes,
//! code, links, images, text. Embeds (videos, gists, maps) become a link and a warning; the
//! rest a warning. Each output line remembers the body line it came from, so diagnostics
//! still point into the file.

mod hexo;
mod hugo;
mod scan;

use crate::locale::Locale;
use std::collections::HashMap;

use hugo::{code_forms, unescape_hugo};
use scan::{Found, fence_opening, find_tag, parse};

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

/// How deep tags may nest; deeper ones are left out, their content kept (Markdown flattens
/// quotes past 16 anyway).
const MAX_OPEN: usize = 32;

/// The most problems with tags reported for one essay; the rest are counted in one more.
const MAX_NOTES: usize = 50;

/// Rewrites the tags of `body`; `None` when it has none. `stem` is the essay's file name without
/// its extension (Hexo keeps a post's assets in a folder of that name).
pub(crate) fn expand(body: &str, stem: &str, locale: Locale) -> Option<Expanded> {
    if !(body.contains("{%") || body.contains("{{") || body.contains(":::")) {
        return None;
    }
    let lines: Vec<&str> = body.lines().collect();
    let mut x = Expander { lines: &lines, stem, locale, out: String::new(), origins: Vec::new(), notes: Vec::new(), unshown: None, stack: Vec::new(), too_deep: HashMap::new(), fence: None };
    let mut i = 0;
    while i < lines.len() {
        i = x.line(i);
    }
    while let Some(open) = x.stack.pop() {
        x.warn(open.line, 1, format!("`{}` is never closed; it runs to the end of the essay", open.display()), HINT_CLOSE);
        x.close(open, lines.len());
    }
    if let Some((count, line, col)) = x.unshown {
        let message = format!("{count} more problems with tags in this essay are not shown; the first is here");
        x.notes.push(Note { line, col, message, hint: "fix the ones shown and build again" });
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
    /// markdown-it's containers (VuePress, VitePress): a line `::: tip 标题`, closed by a line
    /// of as many colons.
    Container,
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
            Syntax::Container => format!("::: {}", self.name),
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
    /// The essay's locale: the words tags are replaced with are written in its script.
    locale: Locale,
    out: String,
    origins: Vec<(usize, usize)>,
    notes: Vec<Note>,
    /// Problems past `MAX_NOTES`: how many, and where the first is.
    unshown: Option<(usize, usize, usize)>,
    stack: Vec<Open>,
    /// Tags opened past `MAX_OPEN` deep, by name: not opened, so their closing tags are
    /// passed over as well.
    too_deep: HashMap<String, usize>,
    /// The author's own Markdown fence: its character and length.
    fence: Option<(char, usize)>,
}

impl Expander<'_> {
    /// Words wenji puts in place of a tag, in the essay's script.
    fn say(&self, simplified: &str) -> String {
        crate::convert::words(self.locale, simplified)
    }

    fn warn(&mut self, line: usize, col: usize, message: String, hint: &'static str) {
        if self.notes.len() < MAX_NOTES {
            self.notes.push(Note { line, col, message, hint });
        } else {
            let (count, _, _) = self.unshown.get_or_insert((0, line, col));
            *count += 1;
        }
    }

    /// Whether an opening tag at body line `n` is one too deep: then it is not opened, with a
    /// warning the first time.
    fn too_deep(&mut self, n: usize, col: usize, name: &str) -> bool {
        if self.stack.len() < MAX_OPEN {
            return false;
        }
        if self.too_deep.is_empty() {
            self.warn(n, col, format!("tags nested more than {MAX_OPEN} deep: the inner ones are left out, their content kept"), HINT_CLOSE);
        }
        *self.too_deep.entry(name.to_owned()).or_default() += 1;
        true
    }

    /// Whether a closing tag closes one that was too deep to open.
    fn closes_too_deep(&mut self, name: &str) -> bool {
        match self.too_deep.get_mut(name) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
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

    /// A container's opening or closing line. An admonition (`tip`, `warning`, …) becomes a
    /// quote under its title; `details` and `code-group` keep their content; anything else
    /// keeps its content with a warning.
    fn container(&mut self, n: usize, (colons, kind, title): (usize, &str, &str), line: &str) {
        let name = format!("{colons}");
        if kind.is_empty() {
            if self.closes_too_deep(&name) {
                return;
            }
            match self.stack.iter().rposition(|o| o.syntax == Syntax::Container && o.name == name) {
                Some(at) => {
                    while self.stack.len() > at {
                        let open = self.stack.pop().expect("open container");
                        self.close(open, n);
                    }
                }
                // A line of colons that closes nothing is text, as markdown-it shows it.
                None => self.emit(n, line),
            }
            return;
        }
        if self.too_deep(n, 1, &name) {
            return;
        }
        let label = container_label(kind);
        if label.is_none() && !matches!(kind, "details" | "code-group" | "center" | "right" | "left") {
            self.warn(n, 1, format!("unknown container `::: {kind}`: its content is kept"), HINT_UNKNOWN);
        }
        let title = match title.trim() {
            "" => self.say(label.unwrap_or("")),
            t => t.to_owned(),
        };
        let head = if title.is_empty() { vec![] } else { vec![md_title(&title), String::new()] };
        let kind = if label.is_some() || kind == "details" { Kind::Quote { indent: indent(line), footer: None } } else { Kind::Keep };
        self.emit(n, "");
        self.stack.push(Open { name, syntax: Syntax::Container, line: n, kind });
        for h in head {
            self.emit(n, &h);
        }
    }

    /// Inside a Hexo theme's tabs or timeline, whose entries are marked by HTML comments.
    fn in_theme_tabs(&self) -> bool {
        self.stack.iter().any(|o| o.syntax == Syntax::Hexo && matches!(o.name.as_str(), "tabs" | "timeline"))
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
        if let Some(container) = container_line(line) {
            self.container(n, container, line);
            return n;
        }
        if self.in_theme_tabs()
            && let Some(marker) = hexo::tab_marker(line)
        {
            // A tab's name stands as a paragraph of its own above the tab's content.
            let named = !marker.is_empty();
            self.emit(n, &marker);
            if named {
                self.emit(n, "");
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
        // Columns counted on from the last tag's, so that a line of many tags is read once.
        let mut counted = (0, 0);
        let mut column = |s: usize| {
            counted = (s, counted.1 + line[counted.0..s].chars().count());
            counted.1 + 1
        };
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
                Found::Output(inner) => {
                    let col = column(s);
                    let message = format!("`{{{{{inner}}}}}` prints a variable of the blog's site, which a book does not have; it is left out");
                    self.warn(n, col, message, "write the value into the essay");
                    continue;
                }
            };
            let col = column(s);
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
                    if !tag.self_closing && self.too_deep(n, col, &tag.name) {
                        continue;
                    }
                    if matches!(kind, Kind::Quote { .. }) {
                        self.emit(n, "");
                    }
                    let literal = matches!(kind, Kind::Code | Kind::Raw);
                    self.stack.push(Open { name: tag.name.clone(), syntax, line: n, kind });
                    for h in head {
                        self.emit(n, &h);
                    }
                    // `{{< admonition title="…" />}}` opens and closes at once: its head is all.
                    if tag.self_closing {
                        let open = self.stack.pop().expect("just opened");
                        self.close(open, n);
                        continue;
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
                    if self.closes_too_deep(&tag.name) {
                        continue;
                    }
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
            // Containers are whole lines, read by `container`.
            Syntax::Container => self.unknown(n, col, tag, line, at),
        }
    }

    /// A link standing for something a page would embed, with a warning.
    fn embed(&mut self, n: usize, col: usize, what: &str, url: Option<String>) -> Action {
        let what = &self.say(what);
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
            Syntax::Container => format!("::: {}", tag.name),
        };
        if self.closes_later(tag, n, line, at) {
            self.warn(n, col, format!("unknown tag `{shown}`: its content is kept, the tag is left out"), HINT_UNKNOWN);
            Action::Open(Kind::Keep, vec![])
        } else if tag.args.is_empty() {
            self.warn(n, col, format!("unknown tag `{shown}` is left out"), HINT_UNKNOWN);
            Action::Nothing
        } else {
            // `臣亮言：{% label 先帝 %}創業未半`: the words it carries stay.
            let words = tag.args.join(" ");
            self.warn(n, col, format!("unknown tag `{shown}`: its words «{words}» are kept as text"), HINT_UNKNOWN);
            Action::Text(md_text(&words))
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

/// A line that opens (`::: tip 标题`) or closes (`:::`) a markdown-it container: the number
/// of colons, the container's kind (empty when it closes) and its title.
fn container_line(line: &str) -> Option<(usize, &str, &str)> {
    let t = line.trim();
    let colons = t.bytes().take_while(|&b| b == b':').count();
    if colons < 3 {
        return None;
    }
    let rest = t[colons..].trim();
    let (kind, title) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    // `:::tip` and `::: tip` both open; anything but a word after the colons is text.
    if !kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return None;
    }
    Some((colons, kind, title.trim()))
}

/// How VuePress names its admonitions in Chinese.
fn container_label(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "tip" => "提示",
        "info" | "note" => "信息",
        "warning" | "caution" => "注意",
        "danger" | "important" => "警告",
        "details" => "详情",
        _ => return None,
    })
}

fn indent(line: &str) -> String {
    line.chars().take_while(|c| *c == ' ' || *c == '\t').collect()
}

/// Escapes text put into generated Markdown.
/// A title the author wrote (an admonition's, a container's, a note's) as Markdown inside
/// `**…**`: its own emphasis, code and links stay Markdown; its bold markers go, since the
/// whole title is bold.
fn md_title(s: &str) -> String {
    format!("**{}**", s.trim().replace("**", "").replace("__", ""))
}

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

fn youtube_url(id: &str, kind: Option<&str>) -> String {
    if kind == Some("playlist") { format!("https://www.youtube.com/playlist?list={id}") } else { format!("https://www.youtube.com/watch?v={id}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(body: &str) -> String {
        expand(body, "post", Locale::Hans).map(|e| e.text).unwrap_or_else(|| body.to_owned())
    }

    fn notes(body: &str) -> Vec<String> {
        expand(body, "post", Locale::Hans).map(|e| e.notes.into_iter().map(|n| format!("{}:{} {}", n.line, n.col, n.message)).collect()).unwrap_or_default()
    }

    #[test]
    fn bodies_without_tags_are_left_alone() {
        assert!(expand("正文 `{x}` 100%", "p", Locale::Hans).is_none());
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
        let e = expand("a\n{% blockquote %}\nquoted\n{% endblockquote %}\nb\n", "p", Locale::Hans).unwrap();
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
    fn theme_tag_plugins_keep_their_words() {
        assert_eq!(text("臣亮言：{% label 先帝 green %}創業未半\n"), "臣亮言：**先帝**創業未半\n");
        assert_eq!(text("{% label primary@重点 %}\n"), "**重点**\n");
        assert_eq!(text("{% btn https://x.org/,下载 %}\n"), "[下载](<https://x.org/>)\n");
        assert_eq!(text("{% note green 'fas fa-rocket' %}\n内容\n{% endnote %}\n"), "\n> 内容\n\n");
        assert_eq!(text("看{% hideInline 答案,点击查看 %}。\n"), "看答案。\n");
        let tabs = text("{% tabs 示例, 1 %}\n<!-- tab 第一页@icon -->\n甲\n<!-- endtab -->\n<!-- tab 第二页 -->\n乙\n<!-- endtab -->\n{% endtabs %}\n");
        assert_eq!(tabs, "**第一页**\n\n甲\n\n**第二页**\n\n乙\n\n");
        assert_eq!(text("{% mermaid %}\ngraph TD\n{% endmermaid %}\n"), "~~~~mermaid\ngraph TD\n~~~~\n");
    }

    #[test]
    fn markdown_it_containers_become_quotes_under_their_title() {
        assert_eq!(text("::: tip\n要点。\n:::\n"), "\n> **提示**\n>\n> 要点。\n\n");
        assert_eq!(text("::: warning 小心\n内容\n:::\n\n后文\n"), "\n> **小心**\n>\n> 内容\n\n\n后文\n");
        assert_eq!(text(":::: details 展开\n::: tip\n里\n:::\n::::\n"), "\n> **展开**\n>\n>\n> > **提示**\n> >\n> > 里\n>\n\n");
        assert_eq!(notes("::: foo\n内容\n:::\n"), vec!["1:1 unknown container `::: foo`: its content is kept"]);
        assert_eq!(text("比例 1:::2\n"), "比例 1:::2\n", "colons inside a line are text");
    }

    #[test]
    fn template_output_is_left_out_with_a_warning() {
        assert_eq!(text("<div>\n{{ about_zh | markdownify }}\n</div>\n"), "<div>\n\n</div>\n");
        assert_eq!(notes("见 {{ site.url }}。\n"), vec!["1:3 `{{ site.url }}` prints a variable of the blog's site, which a book does not have; it is left out"]);
        assert_eq!(text("代码 `{{ x }}` 与 {{ 1 + 1 }}\n"), "代码 `{{ x }}` 与 {{ 1 + 1 }}\n", "code and what is no variable stay");
        assert_eq!(text("```\n{{myVar}}\n```\n"), "```\n{{myVar}}\n```\n");
        // Jekyll's include and capture: the file is reported, not printed as its path.
        let jekyll = "{% capture zh %}{% include posts/zh.md %}{% endcapture %}\n{{ zh | markdownify }}\n";
        assert_eq!(text(jekyll).trim(), "");
        assert!(notes(jekyll)[0].contains("`{% include posts/zh.md %}` reads a file of the blog's site"), "{:?}", notes(jekyll));
    }

    #[test]
    fn a_self_closing_shortcode_closes_itself() {
        let out = text("{{< admonition type=\"info\" title=\"只有标题\" />}}\n\n## 后面的标题\n\n正文。\n");
        assert_eq!(out, "\n> **只有标题**\n>\n\n\n## 后面的标题\n\n正文。\n", "the heading after it is not in the quote");
    }

    #[test]
    fn embeds_become_links_with_a_warning() {
        let e = expand("看：{% youtube I07XMi7MHd4 %}\n\n{{< bilibili id=BV1TJ411C7An p=3 >}}\n", "p", Locale::Hans).unwrap();
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
        assert_eq!(text("{% foo %}\n"), "\n");
        assert_eq!(notes("{% foo %}\n"), vec!["1:1 unknown tag `{% foo %}` is left out"]);
        assert_eq!(text("前{% foo 先帝 %}後\n"), "前先帝後\n");
        assert_eq!(notes("{% foo 先帝 %}\n"), vec!["1:1 unknown tag `{% foo %}`: its words «先帝» are kept as text"]);
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
