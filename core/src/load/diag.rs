//! Located diagnostics, rendered the way rustc renders its own.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::codes::Code;
use annotate_snippets::{AnnotationKind, Group, Level as SnippetLevel, Renderer, Snippet};

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Harmless but odd (dead configuration): reported, does not fail.
    Warning,
    /// The manifest is refused.
    Error,
}

impl Severity {
    /// `error` or `warning`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem found while loading or checking a manifest (or a `toolclad.toml`).
///
/// `code` names the rule (a [`Code`] of the registry in [`super::codes`]), `message` names the field path and
/// what is wrong, `help` says what to do about it. `line`/`column` are 1-based and
/// point at `span.start`; both are 0 for problems that have no place in a file
/// (an unreadable path, an empty directory).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The rule, e.g. [`codes::UNKNOWN_KEY`](super::codes::UNKNOWN_KEY); shown by its
    /// name (`unknown-key`) in every rendering.
    pub code: &'static Code,
    /// What is wrong, naming the field path.
    pub message: String,
    /// The file the problem is in.
    pub file: PathBuf,
    /// Byte range of the offending key or value in the file.
    pub span: Range<usize>,
    /// 1-based line of `span.start` (0 when there is no location).
    pub line: usize,
    /// 1-based column (in characters) of `span.start` (0 when there is no location).
    pub column: usize,
    /// Secondary locations with their labels.
    pub labels: Vec<(Range<usize>, String)>,
    /// What to do about it (`did you mean ...`).
    pub help: Option<String>,
    /// Background (the list of valid keys, where a type is declared, ...).
    pub note: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at `span` in `source` (line and column are computed here).
    pub fn new(
        severity: Severity,
        code: &'static Code,
        file: &Path,
        source: &str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        let span = clamp_span(source, span);
        let (line, column) = line_col(source, span.start);
        Diagnostic {
            severity,
            code,
            message: message.into(),
            file: file.to_path_buf(),
            span,
            line,
            column,
            labels: Vec::new(),
            help: None,
            note: None,
        }
    }

    /// A diagnostic about a whole file or path, with no location inside it.
    pub fn unlocated(
        severity: Severity,
        code: &'static Code,
        file: &Path,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            file: file.to_path_buf(),
            span: 0..0,
            line: 0,
            column: 0,
            labels: Vec::new(),
            help: None,
            note: None,
        }
    }

    /// Adds a `help:` line.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a `note:` line.
    #[must_use]
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Adds a secondary label (its span is clamped to `source`).
    #[must_use]
    pub fn with_label(
        mut self,
        source: &str,
        span: Range<usize>,
        label: impl Into<String>,
    ) -> Self {
        self.labels.push((clamp_span(source, span), label.into()));
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:col: error[code]: message` (no location part when there is none).
    pub fn one_line(&self) -> String {
        let mut out = self.file.display().to_string();
        if self.line > 0 {
            let _ = write!(out, ":{}:{}", self.line, self.column);
        }
        let _ = write!(
            out,
            ": {}[{}]: {}",
            self.severity.as_str(),
            self.code,
            self.message
        );
        out
    }

    /// Renders like rustc: title, `--> file:line:col`, the source excerpt with a
    /// caret under the span, labels, `help:` and `note:`. `styled` adds ANSI colours
    /// (for terminals only; build scripts and proc macros use plain text).
    ///
    /// `source` must be the text the diagnostic was produced from; a span outside it
    /// is clamped, never a panic.
    pub fn render(&self, source: &str, styled: bool) -> String {
        let level = match self.severity {
            Severity::Error => SnippetLevel::ERROR,
            Severity::Warning => SnippetLevel::WARNING,
        };
        let path = self.file.display().to_string();
        let title = level
            .primary_title(self.message.as_str())
            .id(self.code.name);
        let mut groups: Vec<Group<'_>> = Vec::new();
        if self.line > 0 {
            let span = clamp_span(source, self.span.clone());
            let labels: Vec<Range<usize>> = self
                .labels
                .iter()
                .map(|(r, _)| clamp_span(source, r.clone()))
                .collect();
            let ex = Excerpt::around(source, &span, self.line, &labels);
            let mut snippet = Snippet::source(ex.text)
                .line_start(ex.first_line)
                .path(path.as_str())
                .annotation(AnnotationKind::Primary.span(ex.shift(&span)));
            for (range, (_, label)) in labels.iter().zip(&self.labels) {
                snippet = snippet.annotation(
                    AnnotationKind::Context
                        .span(ex.shift(range))
                        .label(label.as_str()),
                );
            }
            let mut group = title.element(snippet);
            if let Some(help) = &self.help {
                group = group.element(SnippetLevel::HELP.message(help.as_str()));
            }
            if let Some(note) = &self.note {
                group = group.element(SnippetLevel::NOTE.message(note.as_str()));
            }
            groups.push(group);
        } else {
            let mut group =
                Group::with_title(title).element(SnippetLevel::NOTE.message(format!("in {path}")));
            if let Some(help) = &self.help {
                group = group.element(SnippetLevel::HELP.message(help.as_str()));
            }
            if let Some(note) = &self.note {
                group = group.element(SnippetLevel::NOTE.message(note.as_str()));
            }
            groups.push(group);
        }
        let renderer = if styled {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(&groups)
    }

    /// The diagnostic as a JSON object (for `--format json`).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "severity": self.severity.as_str(),
            "code": self.code.name,
            "message": self.message,
            "file": self.file.display().to_string(),
            "line": self.line,
            "column": self.column,
            "span": [self.span.start, self.span.end],
            "labels": self.labels.iter().map(|(r, l)| serde_json::json!({"span": [r.start, r.end], "label": l})).collect::<Vec<_>>(),
            "help": self.help,
            "note": self.note,
        })
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.one_line())
    }
}

/// The whole lines of `source` that a diagnostic's spans touch. Rendering hands only
/// these to the renderer, so that rendering many diagnostics of a large file does not
/// re-read the whole file for each one.
struct Excerpt<'s> {
    text: &'s str,
    /// Byte offset of `text` in the source.
    start: usize,
    /// 1-based line number of the first line of `text`.
    first_line: usize,
}

impl<'s> Excerpt<'s> {
    /// The lines from the first to the last of `primary` and `labels` (all clamped to
    /// `source`); `line` is the 1-based line of `primary.start`.
    fn around(
        source: &'s str,
        primary: &Range<usize>,
        line: usize,
        labels: &[Range<usize>],
    ) -> Self {
        let lo = labels
            .iter()
            .map(|r| r.start)
            .fold(primary.start, usize::min);
        let hi = labels.iter().map(|r| r.end).fold(primary.end, usize::max);
        let before = source.get(..lo).unwrap_or("");
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        let after = source.get(hi..).unwrap_or("");
        let end = after.find('\n').map_or(source.len(), |i| hi + i);
        // Lines between the excerpt's first line and the primary span's line.
        let skipped = source
            .get(start..primary.start)
            .map_or(0, |s| s.bytes().filter(|&b| b == b'\n').count());
        Excerpt {
            text: source.get(start..end).unwrap_or(""),
            start,
            first_line: line.saturating_sub(skipped).max(1),
        }
    }

    /// `r` relative to the excerpt.
    fn shift(&self, r: &Range<usize>) -> Range<usize> {
        let start = r.start.saturating_sub(self.start).min(self.text.len());
        let end = r
            .end
            .saturating_sub(self.start)
            .clamp(start, self.text.len());
        start..end
    }
}

/// Line starts and character counts of one source, built in one pass, so that the
/// line and column of each diagnostic are found without re-reading the text before it.
pub(crate) struct LineIndex {
    /// Byte offset of the start of every line.
    line_starts: Vec<usize>,
    /// `(byte offset, characters before it)` at least every `CHECKPOINT` bytes.
    checkpoints: Vec<(usize, usize)>,
}

impl LineIndex {
    const CHECKPOINT: usize = 256;

    pub(crate) fn new(source: &str) -> Self {
        let mut line_starts = vec![0];
        let mut checkpoints = vec![(0, 0)];
        let mut last = 0;
        for (chars, (i, c)) in source.char_indices().enumerate() {
            if i - last >= Self::CHECKPOINT {
                checkpoints.push((i, chars));
                last = i;
            }
            if c == '\n' {
                line_starts.push(i + 1);
            }
        }
        LineIndex {
            line_starts,
            checkpoints,
        }
    }

    /// Characters of `source` before byte `offset` (a char boundary).
    fn chars_before(&self, source: &str, offset: usize) -> usize {
        let i = self
            .checkpoints
            .partition_point(|&(b, _)| b <= offset)
            .saturating_sub(1);
        let (b, n) = self.checkpoints.get(i).copied().unwrap_or((0, 0));
        n + source.get(b..offset).map_or(0, |s| s.chars().count())
    }

    /// 1-based line and character column of byte `offset` (as [`line_col`]).
    pub(crate) fn line_col(&self, source: &str, offset: usize) -> (usize, usize) {
        let offset = clamp_span(source, offset..offset).start;
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = self.chars_before(source, offset) - self.chars_before(source, start) + 1;
        (line, column)
    }
}

/// Keeps a span inside `source` and on character boundaries.
pub(crate) fn clamp_span(source: &str, span: Range<usize>) -> Range<usize> {
    let mut start = span.start.min(source.len());
    while start > 0 && !source.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, source.len());
    while end < source.len() && !source.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// 1-based line and character column of byte `offset`.
pub(crate) fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = clamp_span(source, offset..offset).start;
    let before = source.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

/// A position in a [`Sink`]'s diagnostics (see [`Sink::mark`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mark(usize);

/// Collects diagnostics for one file.
pub(crate) struct Sink<'a> {
    pub(crate) file: &'a Path,
    pub(crate) source: &'a str,
    pub(crate) diags: Vec<Diagnostic>,
    lines: LineIndex,
}

impl<'a> Sink<'a> {
    pub(crate) fn new(file: &'a Path, source: &'a str) -> Self {
        Sink {
            file,
            source,
            diags: Vec::new(),
            lines: LineIndex::new(source),
        }
    }

    /// Records an error and returns it for decoration.
    pub(crate) fn error(
        &mut self,
        code: &'static Code,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        // The registry documents each code's severity; keep them in step.
        debug_assert_eq!(code.severity, Severity::Error, "{code} is a warning code");
        self.push(Severity::Error, code, span, message)
    }

    /// Records a warning and returns it for decoration.
    pub(crate) fn warn(
        &mut self,
        code: &'static Code,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        debug_assert_eq!(code.severity, Severity::Warning, "{code} is an error code");
        self.push(Severity::Warning, code, span, message)
    }

    pub(crate) fn push(
        &mut self,
        severity: Severity,
        code: &'static Code,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let span = clamp_span(self.source, span);
        let (line, column) = self.lines.line_col(self.source, span.start);
        self.diags.push(Diagnostic {
            severity,
            code,
            message: message.into(),
            file: self.file.to_path_buf(),
            span,
            line,
            column,
            labels: Vec::new(),
            help: None,
            note: None,
        });
        let last = self.diags.len() - 1;
        &mut self.diags[last]
    }

    /// The current end of the diagnostics, for [`Sink::errors_since`].
    pub(crate) fn mark(&self) -> Mark {
        Mark(self.diags.len())
    }

    /// Whether an error was recorded after `mark`: the part decoded since then is
    /// not built, and checks that would only add follow-on noise are skipped.
    pub(crate) fn errors_since(&self, mark: Mark) -> bool {
        self.diags
            .get(mark.0..)
            .is_some_and(|d| d.iter().any(Diagnostic::is_error))
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.diags.iter().any(Diagnostic::is_error)
    }
}

/// Decoration helpers on a freshly pushed diagnostic.
pub(crate) trait Decorate {
    fn help(&mut self, help: impl Into<String>) -> &mut Self;
    fn note(&mut self, note: impl Into<String>) -> &mut Self;
    fn label(&mut self, span: Range<usize>, label: impl Into<String>) -> &mut Self;
}

impl Decorate for Diagnostic {
    fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }
    fn note(&mut self, note: impl Into<String>) -> &mut Self {
        self.note = Some(note.into());
        self
    }
    fn label(&mut self, span: Range<usize>, label: impl Into<String>) -> &mut Self {
        // Labels are clamped when rendered.
        self.labels.push((span, label.into()));
        self
    }
}

/// The closest candidate to a misspelt `word`, if any is close enough (Jaro-Winkler
/// similarity of at least 0.8), for `did you mean` hints.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(word, c);
        if score >= 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Joins names as `` `a`, `b`, `c` ``.
pub(crate) fn list_names<'c>(names: impl IntoIterator<Item = &'c str>) -> String {
    let v: Vec<String> = names.into_iter().map(|n| format!("`{n}`")).collect();
    if v.is_empty() {
        "(none)".to_string()
    } else {
        v.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::super::codes;
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_chars() {
        let src = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 6), (2, 1));
        // `=` after the two-byte é is the 4th character.
        assert_eq!(line_col(src, 10), (2, 4));
        assert_eq!(line_col(src, 1000), (3, 1));
    }

    #[test]
    fn render_plain_shows_code_location_and_help() {
        let src = "[tool]\nnmae = \"x\"\n";
        let d = Diagnostic::new(
            Severity::Error,
            &codes::UNKNOWN_KEY,
            Path::new("t.clad.toml"),
            src,
            7..11,
            "unknown key `nmae` in [tool]",
        )
        .with_help("did you mean `name`?");
        let out = d.render(src, false);
        assert!(
            out.contains("error[unknown-key]: unknown key `nmae` in [tool]"),
            "{out}"
        );
        assert!(out.contains("t.clad.toml:2:1"), "{out}");
        assert!(out.contains("^^^^"), "{out}");
        assert!(out.contains("help: did you mean `name`?"), "{out}");
        assert_eq!(
            d.one_line(),
            "t.clad.toml:2:1: error[unknown-key]: unknown key `nmae` in [tool]"
        );
    }

    #[test]
    fn render_survives_spans_outside_the_source() {
        let d = Diagnostic {
            severity: Severity::Warning,
            code: &codes::UNUSED_ARG,
            message: "m".into(),
            file: PathBuf::from("f"),
            span: 50..99,
            line: 3,
            column: 1,
            labels: vec![(200..300, "l".into())],
            help: None,
            note: Some("n".into()),
        };
        let out = d.render("ab\ncé", false);
        assert!(out.contains("warning[unused-arg]: m"), "{out}");
    }

    #[test]
    fn errors_since_a_mark_ignore_earlier_errors_and_warnings() {
        let src = "a = 1\n";
        let mut sink = Sink::new(Path::new("f"), src);
        sink.error(&codes::WRONG_TYPE, 0..1, "before");
        let mark = sink.mark();
        assert!(!sink.errors_since(mark));
        sink.warn(&codes::UNUSED_ARG, 0..1, "a warning");
        assert!(!sink.errors_since(mark));
        sink.error(&codes::MISSING_KEY, 0..1, "after");
        assert!(sink.errors_since(mark));
        assert!(!sink.errors_since(sink.mark()));
    }

    #[test]
    fn the_line_index_agrees_with_a_full_scan() {
        // Multi-byte characters, empty lines and lines longer than a checkpoint.
        let long = "é".repeat(300);
        let src = format!("a = 1\n\nbé = \"{long}\"\n{long}x\nlast");
        let index = LineIndex::new(&src);
        for offset in 0..=src.len() + 2 {
            assert_eq!(
                index.line_col(&src, offset),
                line_col(&src, offset),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn rendering_reads_only_the_lines_of_its_spans() {
        // 10,000 one-line diagnostics: the renderer is handed each one's line, not the
        // file, so the work grows with the number of diagnostics, not with its square.
        let src: String = (0..10_000).map(|i| format!("key{i} = {i}\n")).collect();
        let index = LineIndex::new(&src);
        let mut handed = 0;
        let mut start = 0;
        for line in src.lines() {
            let span = start..start + 3;
            let (l, _) = index.line_col(&src, span.start);
            let ex = Excerpt::around(&src, &span, l, &[]);
            assert_eq!(ex.text, line);
            assert_eq!(ex.first_line, l);
            handed += ex.text.len();
            start += line.len() + 1;
        }
        assert!(
            handed < src.len(),
            "{handed} bytes for a {} byte file",
            src.len()
        );
        // A label on an earlier line widens the excerpt to it, numbered from there.
        let span = src.find("key5 ").unwrap_or(0)..src.find("key5 ").unwrap_or(0) + 4;
        let label = src.find("key3 ").unwrap_or(0)..src.find("key3 ").unwrap_or(0) + 4;
        let ex = Excerpt::around(&src, &span, 6, &[label]);
        assert_eq!(ex.first_line, 4);
        assert_eq!(ex.text, "key3 = 3\nkey4 = 4\nkey5 = 5");
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("requird", ["type", "required", "position"]),
            Some("required")
        );
        assert_eq!(did_you_mean("zzz", ["type", "required"]), None);
    }
}
