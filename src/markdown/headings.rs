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

/// Removes a trailing `{#id}` from a heading's text and returns the id, when it is a valid
/// XML id (letters, digits, `-`, `_`, `.`, not starting with a digit).
pub(super) fn take_heading_id(content: &mut Vec<Inline>) -> Option<String> {
    let Some(Inline::Text(text)) = content.last_mut() else { return None };
    let trimmed = text.trim_end();
    let open = trimmed.strip_suffix('}')?.rfind("{#")?;
    let id = &trimmed[open + 2..trimmed.len() - 1];
    let valid = id.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && id.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        return None;
    }
    let id = id.to_owned();
    text.truncate(open);
    let kept = text.trim_end().len();
    text.truncate(kept);
    if text.is_empty() {
        content.pop();
    }
    Some(id)
}

/// Removes the first level-1 heading of the body's top level and returns its text: an essay
/// with no title in its front matter is titled by it, as VuePress and docsify title a page.
pub(super) fn take_title_heading(blocks: &mut Vec<Block>) -> Option<String> {
    let at = blocks.iter().position(|b| matches!(b, Block::Heading { level: 1, .. }))?;
    let Block::Heading { content, .. } = blocks.remove(at) else { unreachable!("a heading was found at {at}") };
    let title = crate::doc::plain_text(&content).trim().to_owned();
    (!title.is_empty()).then_some(title)
}
