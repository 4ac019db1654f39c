//! Inline content as it is collected, with the elements (Markdown's or raw HTML's) still open.

use super::MAX_DEPTH;
use super::html::Role;
use crate::doc::{Inline, LinkTarget};

/// Whether an element of this role wraps its content in an inline of its own.
fn wraps(role: Role) -> bool {
    matches!(role, Role::Strong | Role::Emph | Role::Strike | Role::Sup | Role::Sub | Role::Code | Role::Link)
}

/// Collects inlines, with open HTML elements waiting for their end tags.
#[derive(Default)]
pub(super) struct InlineBuilder {
    out: Vec<Inline>,
    open: Vec<OpenElement>,
    /// Open elements whose content is dropped, and open elements that wrap their content.
    dropping: usize,
    wrapping: usize,
}

struct OpenElement {
    name: String,
    role: Role,
    href: Option<LinkTarget>,
    content: Vec<Inline>,
}

impl InlineBuilder {
    pub(super) fn is_empty(&self) -> bool {
        self.out.is_empty() && self.open.is_empty()
    }

    pub(super) fn push(&mut self, inline: Inline) {
        if self.dropping > 0 {
            return;
        }
        let target = match self.open.last_mut() {
            Some(e) => &mut e.content,
            None => &mut self.out,
        };
        push_merged(target, inline);
    }

    /// Opens an element; false when it is past the depth limit, where it keeps its content
    /// but no longer wraps it.
    pub(super) fn open(&mut self, name: &str, role: Role, href: Option<LinkTarget>) -> bool {
        let flattened = wraps(role) && self.wrapping >= MAX_DEPTH;
        let role = if flattened { Role::Transparent } else { role };
        self.dropping += usize::from(matches!(role, Role::Drop | Role::Fallback));
        self.wrapping += usize::from(wraps(role));
        self.open.push(OpenElement { name: name.to_owned(), role, href, content: Vec::new() });
        !flattened
    }

    /// Closes the innermost open element called `name`, and any opened inside it. False when none is open.
    pub(super) fn close(&mut self, name: &str) -> bool {
        let Some(index) = self.open.iter().rposition(|e| e.name == name) else { return false };
        while self.open.len() > index {
            let e = self.open.pop().expect("open element");
            self.dropping -= usize::from(matches!(e.role, Role::Drop | Role::Fallback));
            self.wrapping -= usize::from(wraps(e.role));
            let wrapped: Vec<Inline> = match e.role {
                Role::Strong => vec![Inline::Strong(e.content)],
                Role::Emph => vec![Inline::Emph(e.content)],
                Role::Strike => vec![Inline::Strike(e.content)],
                Role::Sup => vec![Inline::Sup(e.content)],
                Role::Sub => vec![Inline::Sub(e.content)],
                Role::Code => vec![Inline::Code(crate::doc::plain_text(&e.content))],
                Role::Link => match e.href {
                    Some(target) => vec![Inline::Link { target, content: e.content }],
                    None => e.content,
                },
                Role::Drop | Role::Fallback => Vec::new(),
                Role::Annotation => std::iter::once(Inline::Text("（".into())).chain(e.content).chain([Inline::Text("）".into())]).collect(),
                _ => e.content,
            };
            for inline in wrapped {
                self.push(inline);
            }
        }
        true
    }

    /// Closes what is still open, keeping the content of unclosed elements.
    pub(super) fn finish(mut self) -> Vec<Inline> {
        while let Some(e) = self.open.last() {
            let name = e.name.clone();
            self.close(&name);
        }
        self.out
    }
}

fn push_merged(target: &mut Vec<Inline>, inline: Inline) {
    if let (Some(Inline::Text(prev)), Inline::Text(next)) = (target.last_mut(), &inline) {
        prev.push_str(next);
        return;
    }
    if matches!(&inline, Inline::Text(t) if t.is_empty()) {
        return;
    }
    target.push(inline);
}
