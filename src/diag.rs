//! Diagnostics: problems found in the input, reported together at the end of a stage.

use std::fmt;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Severity {
    Error,
    Warning,
}

/// One problem, pointing at a place in a source file where it can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub(crate) severity: Severity,
    pub message: String,
    pub(crate) file: Option<PathBuf>,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based, in characters.
    pub col: usize,
    /// The source line the position points into, shown under the message: at most
    /// `WINDOW` characters either side of the column, marked `…` where it was cut.
    pub source_line: Option<String>,
    /// How many characters of the line come before `source_line` (0 unless it was cut).
    shown_from: usize,
    pub(crate) hint: Option<String>,
}

impl Diagnostic {
    pub(crate) fn error(message: impl Into<String>) -> Self {
        Self::new(Severity::Error, message)
    }

    pub(crate) fn warning(message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, message)
    }

    fn new(severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            message: message.into(),
            file: None,
            line: 0,
            col: 0,
            source_line: None,
            shown_from: 0,
            hint: None,
        }
    }

    pub(crate) fn in_file(mut self, file: &Path) -> Self {
        self.file = Some(file.to_path_buf());
        self
    }

    /// Points at `line:col` of `source` (the whole file's text) and keeps that line for display.
    pub(crate) fn at(mut self, source: &str, line: usize, col: usize) -> Self {
        self.line = line;
        self.col = col.max(1);
        // Control characters are shown as their pictures (NUL as ␀), so a terminal shows them safely.
        let visible = |c: char| match c {
            '\t' => c,
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('?'),
            '\u{7f}' => '␡',
            _ => c,
        };
        let Some(text) = source.lines().nth(line.saturating_sub(1)) else {
            self.source_line = None;
            return self;
        };
        // A window of the line, so that a warning about a 100,000-character line stays short.
        let from = self.col.saturating_sub(WINDOW + 1);
        let mut shown: String = text.chars().skip(from).take(2 * WINDOW + 1).map(visible).collect();
        let cut_after = text.chars().skip(from).nth(2 * WINDOW + 1).is_some();
        self.shown_from = from;
        if from > 0 {
            shown.insert(0, '…');
            self.shown_from -= 1;
        }
        if cut_after {
            shown.push('…');
        }
        self.source_line = Some(shown);
        self
    }

    /// Points at byte `offset` of `source` (the whole file's text).
    pub(crate) fn at_offset(self, source: &str, offset: usize) -> Self {
        let (line, col) = line_col(source, offset);
        self.at(source, line, col)
    }

    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub(crate) fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Renders as rustc and cargo do (with `annotate-snippets`): the message, where it is, the
/// source line with a caret under the character (as wide as a terminal shows it: two columns
/// for Chinese), and the hint.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let path = self.file.as_ref().map(|p| p.display().to_string());
        let mut report = Group::with_title(level.primary_title(&self.message));
        match (&self.source_line, &path) {
            (Some(text), _) if self.line > 0 => {
                let snippet = Snippet::source(text.as_str()).line_start(self.line).path(path.as_deref()).annotation(AnnotationKind::Primary.span(char_span(text, self.col - self.shown_from)));
                report = report.element(snippet);
            }
            (_, Some(path)) if self.line > 0 => report = report.element(Origin::path(path.as_str()).line(self.line).char_column(self.col)),
            (_, Some(path)) => report = report.element(Origin::path(path.as_str())),
            _ => {}
        }
        if let Some(hint) = &self.hint {
            report = report.element(Level::HELP.with_name("hint").message(hint.as_str()));
        }
        writeln!(f, "{}", Renderer::plain().render(&[report]))
    }
}

/// How many characters of a source line a diagnostic shows either side of its column.
const WINDOW: usize = 60;

/// The bytes of character `col` (1-based) of `text`: empty at the line's end.
fn char_span(text: &str, col: usize) -> std::ops::Range<usize> {
    match text.char_indices().nth(col.saturating_sub(1)) {
        Some((at, c)) => at..at + c.len_utf8(),
        None => text.len()..text.len(),
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = &source[..floor_char_boundary(source, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let s = "第一行\n标题：x";
        assert_eq!(line_col(s, 0), (1, 1));
        let colon = s.find('：').unwrap();
        assert_eq!(line_col(s, colon), (2, 3));
    }

    #[test]
    fn display_shows_position_source_and_hint() {
        let src = "---\ntitle: \"oops\n---\n";
        let d = Diagnostic::error("bad YAML")
            .in_file(Path::new("m/a.md"))
            .at(src, 2, 8)
            .with_hint("close the quote");
        assert_eq!(d.to_string(), "error: bad YAML\n --> m/a.md:2:8\n  |\n2 | title: \"oops\n  |        ^\n  |\n  = hint: close the quote\n");
    }

    #[test]
    fn a_long_line_is_shown_as_a_window_around_the_column() {
        let line = format!("{}错{}", "字".repeat(5000), "尾".repeat(5000));
        let d = Diagnostic::warning("e").at(&line, 1, 5001);
        assert_eq!((d.line, d.col), (1, 5001));
        let shown = d.source_line.as_deref().unwrap();
        assert_eq!(shown.chars().count(), 2 * WINDOW + 3, "{shown}");
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        // The caret is still under `错`: as many terminal columns in as the text before it.
        let text = d.to_string();
        let source = text.lines().find(|l| l.contains('错')).unwrap();
        let caret = text.lines().find(|l| l.contains('^')).unwrap();
        let columns = |s: &str| s.chars().map(|c| if c.is_ascii() || c == '…' { 1 } else { 2 }).sum::<usize>();
        assert_eq!(columns(&caret[..caret.find('^').unwrap()]), columns(&source[..source.find('错').unwrap()]), "{text}");
        assert!(text.len() < 1000);
    }

    #[test]
    fn the_caret_stands_under_its_character_on_a_terminal() {
        let src = "标题：猫\tx";
        let at = |col| Diagnostic::error("e").at(src, 1, col).to_string();
        // 标题： take two columns each, and the caret is as wide as its character.
        assert!(at(4).contains("\n  |       ^^\n"), "{}", at(4));
        // A tab is shown as four spaces.
        assert!(at(6).contains("1 | 标题：猫    x\n  |             ^\n"), "{}", at(6));
        let accent = Diagnostic::error("e").at("e\u{301}x", 1, 3).to_string();
        assert!(accent.contains("\n  |  ^\n"), "a combining accent takes no column: {accent}");
    }

    #[test]
    fn the_gutter_lines_up_for_long_line_numbers() {
        let src = "a\n".repeat(11) + "bad";
        let text = Diagnostic::error("e").in_file(Path::new("f.md")).at(&src, 12, 1).with_hint("h").to_string();
        assert_eq!(text, "error: e\n  --> f.md:12:1\n   |\n12 | bad\n   | ^\n   |\n   = hint: h\n");
    }

    #[test]
    fn a_place_without_its_line_and_a_whole_file() {
        let at = Diagnostic::warning("w").in_file(Path::new("f.md"));
        assert_eq!(at.to_string(), "warning: w\n--> f.md\n");
        let mut placed = at.clone();
        (placed.line, placed.col) = (3, 4);
        assert_eq!(placed.to_string(), "warning: w\n--> f.md:3:4\n");
    }
}
