//! Collecting: a paragraph's inlines as one string with style spans, its links and anchors.

use std::ops::Range;

use super::super::frame::LinkTo;
use crate::doc::{Formula, Inline, LinkTarget, leaf_text};
use crate::font::FontId;
use crate::highlight::Ink;

/// How a piece of text is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub(crate) font: FontId,
    /// Size relative to the paragraph's size (sup/sub are smaller).
    pub(crate) scale: f32,
    /// Baseline shift in em of the paragraph size, upwards positive.
    pub(crate) rise: f32,
    pub(crate) emph: bool,
    pub(crate) strike: bool,
    /// Index into `Para::links`.
    pub(crate) link: Option<usize>,
    /// The innermost emphasis (`*…*` or `**…**`) the text is in: index into `Para::stresses`.
    pub(crate) stress: Option<u32>,
    /// A note's caller, renumbered on its page when notes are numbered by page.
    pub(crate) note: bool,
    /// An inline formula (index into `Para::formulas`), which the text holds as U+FFFC.
    pub(crate) formula: Option<u32>,
    /// Colour, weight and slant (highlighted code).
    pub(crate) ink: Ink,
    /// A code block's text, on the monospace grid: a wide character takes two cells.
    pub(crate) grid: bool,
}

impl Style {
    pub(crate) fn plain(font: FontId) -> Style {
        Style { font, scale: 1.0, rise: 0.0, emph: false, strike: false, link: None, stress: None, note: false, formula: None, ink: Ink::default(), grid: false }
    }
}

/// Styled text ready to shape: one string, with style spans covering all of it.
#[derive(Debug, Clone, Default)]
pub struct Para {
    pub text: String,
    pub(super) spans: Vec<(Range<usize>, Style)>,
    pub(super) links: Vec<LinkTo>,
    /// Where each link's text is in `text` (`links` order).
    pub(super) link_text: Vec<Range<usize>>,
    /// Each emphasis, in order: whether it is strong (`**…**`), and where its text is.
    pub(crate) stresses: Vec<(bool, Range<usize>)>,
    /// Note callers: where each starts in `text`, and the note's number.
    pub(crate) notes: Vec<(usize, usize)>,
    /// The inline formulas, in order; each stands in `text` as an object replacement character.
    pub(crate) formulas: Vec<Formula>,
}

impl Para {
    pub(crate) fn push(&mut self, text: &str, style: Style) {
        if text.is_empty() {
            return;
        }
        let start = self.text.len();
        self.text.push_str(text);
        match self.spans.last_mut() {
            Some((range, s)) if *s == style && range.end == start => range.end = self.text.len(),
            _ => self.spans.push((start..self.text.len(), style)),
        }
    }

    /// How many links the paragraph has.
    pub(crate) fn link_count(&self) -> usize {
        self.links.len()
    }

    /// What link `i` is, in words, for a reader who cannot see it: its text, and for a web
    /// address that its text does not show, the address too.
    pub(crate) fn link_description(&self, i: usize) -> String {
        let (Some(to), Some(range)) = (self.links.get(i), self.link_text.get(i)) else { return String::new() };
        let text: String = self.text.get(range.clone()).unwrap_or_default().chars().filter(|&c| c != '\u{fffc}').collect();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        match to {
            LinkTo::Url(url) if text.is_empty() => url.clone(),
            LinkTo::Url(url) if text != *url => format!("{text} – {url}"),
            LinkTo::Anchor(anchor) if text.is_empty() => anchor.clone(),
            _ => text,
        }
    }

    /// A paragraph of one plain string.
    pub fn plain(text: &str, font: FontId) -> Para {
        let mut p = Para::default();
        p.push(text, Style::plain(font));
        p
    }

    /// Collects inline content. `anchor` turns a note number or a local id into an anchor name.
    pub(crate) fn from_inlines(inlines: &[Inline], font: FontId, anchor: &dyn Fn(Anchor) -> String) -> Para {
        let mut p = Para::default();
        p.collect(inlines, Style::plain(font), anchor);
        p
    }

    /// Emphasis (`strong` or not): its content, noted as one.
    fn stressed(&mut self, strong: bool, content: &[Inline], style: Style, anchor: &dyn Fn(Anchor) -> String) {
        let start = self.text.len();
        let index = u32::try_from(self.stresses.len()).ok();
        self.stresses.push((strong, start..start));
        self.collect(content, Style { stress: index.or(style.stress), ..style }, anchor);
        if let Some(last) = self.stresses.get_mut(index.map_or(usize::MAX, |i| i as usize)) {
            last.1.end = self.text.len();
        }
    }

    fn collect(&mut self, inlines: &[Inline], style: Style, anchor: &dyn Fn(Anchor) -> String) {
        for inline in inlines {
            match inline {
                Inline::Emph(c) => self.stressed(false, c, Style { emph: true, ..style }, anchor),
                Inline::Strong(c) => self.stressed(true, c, Style { font: bold(style.font), ..style }, anchor),
                Inline::Strike(c) => self.collect(c, Style { strike: true, ..style }, anchor),
                Inline::Sup(c) => self.collect(c, Style { scale: 0.7, rise: style.rise + 0.35, ..style }, anchor),
                Inline::Sub(c) => self.collect(c, Style { scale: 0.7, rise: style.rise - 0.15, ..style }, anchor),
                Inline::Link { target, content } => {
                    let to = match target {
                        LinkTarget::External(url) => Some(LinkTo::Url(url.clone())),
                        LinkTarget::Local { id, .. } => Some(LinkTo::Anchor(anchor(Anchor::Id(id)))),
                        LinkTarget::Essay { essay, heading: Some(h) } => Some(LinkTo::Anchor(format!("{essay}#{h}"))),
                        LinkTarget::Essay { essay, heading: None } => Some(LinkTo::Anchor(essay.clone())),
                        LinkTarget::Unresolved { .. } => None,
                    };
                    let start = self.text.len();
                    let link = to.map(|to| {
                        self.links.push(to);
                        self.link_text.push(start..start);
                        self.links.len() - 1
                    });
                    self.collect(content, Style { link: link.or(style.link), ..style }, anchor);
                    if let Some(link) = link {
                        self.link_text[link].end = self.text.len();
                    }
                }
                Inline::Math(formula) if !formula.readable => self.push(&leaf_text(inline).unwrap_or_default(), Style { font: FontId::MONO, ..style }),
                Inline::Math(formula) => {
                    self.formulas.push(formula.clone());
                    let index = (self.formulas.len() - 1) as u32;
                    self.push(&leaf_text(inline).unwrap_or_default(), Style { font: FontId::MATH, formula: Some(index), ..style });
                }
                leaf => {
                    let style = match leaf {
                        Inline::Code(_) => Style { font: FontId::MONO, ..style },
                        Inline::NoteRef(n) => {
                            self.notes.push((self.text.len(), *n));
                            self.links.push(LinkTo::Anchor(anchor(Anchor::Note(*n))));
                            let start = self.text.len();
                            self.link_text.push(start..start + leaf_text(leaf).map_or(0, |t| t.len()));
                            Style { scale: 0.6, rise: 0.4, link: Some(self.links.len() - 1), note: true, ..style }
                        }
                        _ => style,
                    };
                    // The text page starts count (`doc::leaf_text`): an image is `［图：alt］` here.
                    self.push(&leaf_text(leaf).unwrap_or_default(), style);
                }
            }
        }
    }
}

/// What an anchor name is made from.
pub enum Anchor<'a> {
    Id(&'a str),
    Note(usize),
}

fn bold(font: FontId) -> FontId {
    if font == FontId::SERIF { FontId::BOLD } else { font }
}
