//! Diagnostics: problems found in the input, reported together at the end of a stage.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, pointing at a place in a source file where it can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub file: Option<PathBuf>,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based, in characters.
    pub col: usize,
    /// The source line the position points into, shown under the message.
    pub source_line: Option<String>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Severity::Error, message)
    }

    pub fn warning(message: impl Into<String>) -> Self {
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
            hint: None,
        }
    }

    pub fn in_file(mut self, file: &Path) -> Self {
        self.file = Some(file.to_path_buf());
        self
    }

    /// Points at `line:col` of `source` (the whole file's text) and keeps that line for display.
    pub fn at(mut self, source: &str, line: usize, col: usize) -> Self {
        self.line = line;
        self.col = col.max(1);
        // Control characters are shown as their pictures (NUL as ␀), so a terminal shows them safely.
        let visible = |c: char| match c {
            '\t' => c,
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('?'),
            '\u{7f}' => '␡',
            _ => c,
        };
        self.source_line = source.lines().nth(line.saturating_sub(1)).map(|l| l.chars().map(visible).collect());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(f, "{label}: {}", self.message)?;
        if let Some(file) = &self.file {
            if self.line > 0 {
                writeln!(f, "  --> {}:{}:{}", file.display(), self.line, self.col)?;
            } else {
                writeln!(f, "  --> {}", file.display())?;
            }
        }
        if let (Some(text), true) = (&self.source_line, self.line > 0) {
            let number = self.line.to_string();
            let pad = " ".repeat(number.len());
            let marker: String = text
                .chars()
                .take(self.col - 1)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            writeln!(f, "{pad} |")?;
            writeln!(f, "{number} | {text}")?;
            writeln!(f, "{pad} | {marker}^")?;
        }
        if let Some(hint) = &self.hint {
            writeln!(f, "  = hint: {hint}")?;
        }
        Ok(())
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
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
        let text = d.to_string();
        assert!(text.starts_with("error: bad YAML\n  --> m/a.md:2:8\n"), "{text}");
        assert!(text.contains("2 | title: \"oops\n  |        ^\n"), "{text}");
        assert!(text.ends_with("= hint: close the quote\n"), "{text}");
    }
}
