//! A blog's own configuration (Hexo, Jekyll, Hugo, VuePress): where its posts are, and the
//! book's title, author, language, time zone and address where book.toml does not give them.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// A blog found around the folder being built.
#[derive(Debug, Default)]
pub(crate) struct Site {
    /// The blog's own folder (where its configuration is).
    pub(crate) root: PathBuf,
    /// The configuration file read.
    pub(crate) file: PathBuf,
    /// Where the generator reads pages from: posts and the folders inside it belong to the blog.
    content: PathBuf,
    /// Where its posts are: what `wenji build` at the blog's root makes a book of.
    pub(crate) posts: PathBuf,
    pub(crate) title: Option<String>,
    pub(crate) subtitle: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) authors: Vec<String>,
    /// The site's language as written, and as a book language when it is Chinese.
    pub(crate) language: Option<(String, Option<&'static str>)>,
    pub(crate) time_zone: Option<String>,
    /// The address the blog is served at, `https://blog.example.com/sub`, no trailing slash.
    pub(crate) address: Option<String>,
}

/// Hugo's configuration files, first found wins (`config/_default/` is its split form).
const HUGO_FILES: [&str; 8] = [
    "hugo.toml",
    "hugo.yaml",
    "hugo.json",
    "config.toml",
    "config.yaml",
    "config.json",
    "config/_default/hugo.toml",
    "config/_default/config.toml",
];

impl Site {
    /// The blog that `dir` is the root of, or that `dir` is inside (up to four folders up, and
    /// only inside the folder the generator reads pages from).
    pub(crate) fn find(dir: &Path) -> Option<Site> {
        let absolute = std::path::absolute(dir).ok()?;
        let mut site = absolute.ancestors().take(5).find_map(Site::at)?;
        if site.root != absolute {
            if !absolute.starts_with(&site.content) {
                return None;
            }
            // The user chose a folder of the blog: its essays are the book.
            site.posts = absolute;
        }
        Some(site)
    }

    /// The blog whose configuration is in `root`.
    fn at(root: &Path) -> Option<Site> {
        for docs in [".", "docs", "src"] {
            let folder = if docs == "." { root.to_path_buf() } else { root.join(docs) };
            let names = ["config.ts", "config.js", "config.mts", "config.mjs"];
            if let Some(file) = names.iter().map(|n| folder.join(".vuepress").join(n)).find(|p| p.is_file()) {
                return Some(vuepress(root, &file, &folder));
            }
        }
        if let Some(file) = HUGO_FILES.iter().map(|f| root.join(f)).find(|p| p.is_file()) {
            let settings = read_settings(&file)?;
            if settings.is_object() && (root.join("content").is_dir() || lookup(&settings, "contentdir").is_some()) {
                return Some(hugo(root, &file, settings));
            }
        }
        let file = root.join("_config.yml");
        let settings = read_settings(&file)?;
        Some(hexo_or_jekyll(root, &file, settings))
    }
}

fn hexo_or_jekyll(root: &Path, file: &Path, s: Value) -> Site {
    let hexo = s.get("source_dir").is_some() || s.get("new_post_name").is_some() || root.join("source/_posts").is_dir() || root.join("scaffolds").is_dir();
    let content = if hexo { root.join(text(&s, "source_dir").unwrap_or_else(|| "source".into())) } else { root.to_path_buf() };
    // Hexo's posts are in `source/_posts`; a copy of a blog may keep them at its root.
    let posts = [content.join("_posts"), root.join("_posts")].into_iter().find(|p| p.is_dir()).unwrap_or_else(|| content.clone());
    let address = text(&s, "url").map(|url| if hexo { url } else { format!("{url}{}", text(&s, "baseurl").unwrap_or_default()) });
    Site {
        root: root.to_path_buf(),
        file: file.to_path_buf(),
        content,
        posts,
        title: text(&s, "title"),
        subtitle: text(&s, "subtitle"),
        description: text(&s, "description"),
        authors: names(s.get("author")),
        language: language(s.get("language").or_else(|| s.get("lang"))),
        time_zone: text(&s, "timezone"),
        address: address.and_then(|a| web_address(&a)),
    }
}

fn hugo(root: &Path, file: &Path, s: Value) -> Site {
    let mut params = lookup(&s, "params").cloned().unwrap_or(Value::Null);
    // The split form keeps the parameters in a file of their own.
    if let Some(split) = file.parent().map(|d| d.join("params.toml")).filter(|p| p.is_file()) {
        params = read_settings(&split).unwrap_or(params);
    }
    let content = root.join(lookup(&s, "contentdir").and_then(Value::as_str).unwrap_or("content"));
    let written = lookup(&s, "languagecode").or_else(|| lookup(&s, "defaultcontentlanguage"));
    let mut authors = names(lookup(&s, "author"));
    if authors.is_empty() {
        authors = names(lookup(&params, "author"));
    }
    let param = |key| lookup(&params, key).and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
    Site {
        root: root.to_path_buf(),
        file: file.to_path_buf(),
        posts: content.clone(),
        content,
        title: lookup(&s, "title").and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned),
        subtitle: param("subtitle"),
        description: param("description"),
        authors,
        language: language(written),
        time_zone: lookup(&s, "timezone").and_then(Value::as_str).map(str::to_owned),
        address: lookup(&s, "baseurl").and_then(Value::as_str).and_then(web_address),
    }
}

/// VuePress keeps its settings in JavaScript: only plain `key: 'text'` values are read.
fn vuepress(root: &Path, file: &Path, docs: &Path) -> Site {
    let js = crate::input::read_text(file, super::SETTINGS_MAX).unwrap_or_default();
    let value = |key| js_string(&js, key).filter(|t| !t.trim().is_empty());
    Site {
        root: root.to_path_buf(),
        file: file.to_path_buf(),
        content: docs.to_path_buf(),
        posts: docs.to_path_buf(),
        title: value("title"),
        description: value("description"),
        language: language(value("lang").map(Value::String).as_ref()),
        ..Site::default()
    }
}

/// A configuration file read as one value (YAML, TOML or JSON by its extension).
fn read_settings(path: &Path) -> Option<Value> {
    let text = crate::input::read_text(path, super::SETTINGS_MAX).ok()?;
    match path.extension()?.to_str()? {
        "toml" => serde_json::to_value(text.parse::<toml::Table>().ok()?).ok(),
        "json" => serde_json::from_str(&text).ok(),
        _ => serde_json::to_value(serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&text).ok()?).ok(),
    }
}

/// A key of a Hugo setting, whose keys are case-insensitive (`baseURL`, `baseurl`).
fn lookup<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)
}

fn text(v: &Value, key: &str) -> Option<String> {
    let t = match v.get(key)? {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!t.is_empty()).then_some(t)
}

/// `author: 甲`, `author: {name: 甲}`, or a list of either.
fn names(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) if !s.trim().is_empty() => vec![s.trim().to_owned()],
        Some(Value::Object(o)) => names(o.get("name")),
        Some(Value::Array(list)) => list.iter().flat_map(|v| names(Some(v))).collect(),
        _ => Vec::new(),
    }
}

/// The site's language (the first of a list) and the book language it means. Sites other
/// than Chinese ones are often the generator's default `en`: those give no book language.
fn language(v: Option<&Value>) -> Option<(String, Option<&'static str>)> {
    let written = match v? {
        Value::String(s) => s.trim().to_owned(),
        Value::Array(list) => list.first()?.as_str()?.trim().to_owned(),
        _ => return None,
    };
    let book = match written.replace('_', "-").to_ascii_lowercase().as_str() {
        "zh" | "zh-cn" | "zh-hans" | "zh-hans-cn" | "zh-sg" | "cn" => Some("zh-CN"),
        "zh-tw" | "zh-hant" | "zh-hant-tw" => Some("zh-TW"),
        "zh-hk" | "zh-hant-hk" | "zh-mo" => Some("zh-HK"),
        _ => None,
    };
    (!written.is_empty()).then_some((written, book))
}

/// `https://host/path` without a trailing slash, for an http(s) address with a host.
pub(crate) fn web_address(url: &str) -> Option<String> {
    let url = url.trim().trim_end_matches('/');
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split('/').next()?;
    (!host.is_empty() && host != "localhost" && host.contains('.') && host != "example.com" && !host.ends_with(".example.com")).then(|| url.to_owned())
}

/// The text of `key: 'value'` in a JavaScript object, the first place it is written.
fn js_string(js: &str, key: &str) -> Option<String> {
    let mut rest = js;
    while let Some(at) = rest.find(key) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + key.len()..].trim_start();
        rest = &rest[at + key.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            continue;
        }
        let Some(value) = after.strip_prefix(':').map(str::trim_start) else { continue };
        let quote = value.chars().next().filter(|q| matches!(q, '\'' | '"' | '`'))?;
        let body = &value[1..];
        return body.find(quote).map(|end| body[..end].to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    #[test]
    fn a_hexo_blog_gives_its_posts_and_settings() {
        let dir = tempfile::tempdir().unwrap();
        let yml = "title: 山中笔记\nsubtitle: 十年\nauthor: 林木\nlanguage: zh-TW\ntimezone: Asia/Taipei\nurl: https://notes.example.org/\npermalink: :year/:month/:day/:title/\nsource_dir: source\n";
        write(dir.path(), &[("_config.yml", yml), ("source/_posts/a.md", "x"), ("scaffolds/post.md", "x")]);
        let site = Site::find(dir.path()).unwrap();
        assert_eq!(site.posts, dir.path().join("source/_posts"));
        assert_eq!((site.title.as_deref(), site.subtitle.as_deref()), (Some("山中笔记"), Some("十年")));
        assert_eq!(site.authors, ["林木"]);
        assert_eq!(site.language, Some(("zh-TW".into(), Some("zh-TW"))));
        assert_eq!((site.time_zone.as_deref(), site.address.as_deref()), (Some("Asia/Taipei"), Some("https://notes.example.org")));
        // Pointed at the posts or at `source/`, the same blog; at a theme's folder, none.
        assert_eq!(Site::find(&dir.path().join("source")).unwrap().posts, dir.path().join("source"));
        assert_eq!(Site::find(&dir.path().join("source/_posts")).unwrap().title.as_deref(), Some("山中笔记"));
        assert!(Site::find(&dir.path().join("scaffolds")).is_none());
    }

    #[test]
    fn hugo_jekyll_and_vuepress_settings() {
        let dir = tempfile::tempdir().unwrap();
        let toml = "baseURL = \"https://water.example.net/blog/\"\nlanguageCode = \"zh-cn\"\ntitle = \"水边\"\ntimeZone = \"Asia/Shanghai\"\n[params]\nsubtitle = \"慢慢写\"\n[params.author]\nname = \"阿水\"\n";
        write(dir.path(), &[("hugo/hugo.toml", toml), ("hugo/content/post/a.md", "x")]);
        let hugo = Site::find(&dir.path().join("hugo")).unwrap();
        assert_eq!(hugo.posts, dir.path().join("hugo/content"));
        assert_eq!((hugo.title.as_deref(), hugo.subtitle.as_deref(), hugo.authors.as_slice()), (Some("水边"), Some("慢慢写"), &["阿水".to_owned()][..]));
        assert_eq!((hugo.address.as_deref(), hugo.language.unwrap().1), (Some("https://water.example.net/blog"), Some("zh-CN")));

        write(dir.path(), &[("jk/_config.yml", "title: 石头记\nauthor:\n  name: 石头\nurl: https://stone.example.io\nbaseurl: /b\nlang: en\n"), ("jk/_posts/a.md", "x")]);
        let jekyll = Site::find(&dir.path().join("jk")).unwrap();
        assert_eq!((jekyll.posts.clone(), jekyll.authors.clone()), (dir.path().join("jk/_posts"), vec!["石头".to_owned()]));
        assert_eq!(jekyll.address.as_deref(), Some("https://stone.example.io/b"));
        assert_eq!(jekyll.language, Some(("en".into(), None)));

        let js = "export default defineUserConfig({\n  lang: 'zh-CN',\n  title: \"学数据\",\n  description: `笔记`,\n  theme: x({ navbar: [{ title: 'no' }] }),\n})\n";
        write(dir.path(), &[("vp/src/.vuepress/config.ts", js), ("vp/src/README.md", "x")]);
        let vp = Site::find(&dir.path().join("vp")).unwrap();
        assert_eq!(vp.posts, dir.path().join("vp/src"));
        assert_eq!((vp.title.as_deref(), vp.description.as_deref(), vp.language.unwrap().1), (Some("学数据"), Some("笔记"), Some("zh-CN")));
    }
}
