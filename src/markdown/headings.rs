//! Headings: levels below the essay's title, and an id for each.

use crate::doc::{Block, Inline};

/// The essay title is level 1; the shallowest body heading becomes 2, the rest keep their steps.
/// Every heading gets an id (`s1`, `s2`, …) in document order.
pub(super) fn normalise_headings(blocks: &mut [Block]) {
    fn walk(blocks: &mut [Block], f: &mut dyn FnMut(&mut u8, &mut String)) {
        for block in blocks {
            match block {
                Block::Heading { level, id, .. } => f(level, id),
                Block::Quote(b) => walk(b, f),
                Block::List { items, .. } => items.iter_mut().for_each(|i| walk(&mut i.blocks, f)),
                _ => {}
            }
        }
    }
    let mut shallowest = u8::MAX;
    let mut taken = std::collections::HashSet::new();
    walk(blocks, &mut |level, id| {
        shallowest = shallowest.min(*level);
        // An author's `{#id}` is kept when it is the first of its name.
        if !id.is_empty() && !taken.insert(id.clone()) {
            id.clear();
        }
    });
    let mut n = 0;
    walk(blocks, &mut |level, id| {
        *level = (2 + *level - shallowest).min(6);
        n += 1;
        if id.is_empty() {
            *id = format!("s{n}");
            while taken.contains(id.as_str()) {
                id.push('_');
            }
        }
    });
}

/// Removes a trailing `{#id}` from a heading's text and returns the id: `Ok` when the EPUB
/// can carry it (an XML name that none of wenji's own ids can be), `Err` with it otherwise.
pub(super) fn take_heading_id(content: &mut Vec<Inline>) -> Option<Result<String, String>> {
    let Some(Inline::Text(text)) = content.last_mut() else { return None };
    let trimmed = text.trim_end();
    let open = trimmed.strip_suffix('}')?.rfind("{#")?;
    let id = trimmed[open + 2..trimmed.len() - 1].to_owned();
    if id.is_empty() || id.contains(char::is_whitespace) {
        return None;
    }
    text.truncate(open);
    let kept = text.trim_end().len();
    text.truncate(kept);
    if text.is_empty() {
        content.pop();
    }
    Some(if is_xml_name(&id) && !is_wenjis(&id) { Ok(id) } else { Err(id) })
}

/// Whether an id is one that wenji gives its own elements in an essay's page.
fn is_wenjis(id: &str) -> bool {
    matches!(id, "essay-title" | "essay-toc-title" | "index-title") || ["fn-", "fnref-", "page-"].iter().any(|p| id.starts_with(p))
}

/// Whether `id` is an XML name without a colon (an NCName), as an `id` must be.
pub(super) fn is_xml_name(id: &str) -> bool {
    fn starts(c: char) -> bool {
        matches!(c, 'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}'
            | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
            | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
    }
    let mut chars = id.chars();
    chars.next().is_some_and(starts) && chars.all(|c| starts(c) || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}'))
}

/// Removes the first level-1 heading of the body's top level and returns its text: an essay
/// with no title in its front matter is titled by it, as VuePress and docsify title a page.
pub(super) fn take_title_heading(blocks: &mut Vec<Block>) -> Option<String> {
    let at = blocks.iter().position(|b| matches!(b, Block::Heading { level: 1, .. }))?;
    let Block::Heading { content, .. } = blocks.remove(at) else { unreachable!("a heading was found at {at}") };
    let title = crate::doc::plain_text(&content).trim().to_owned();
    (!title.is_empty()).then_some(title)
}
