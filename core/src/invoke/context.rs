//! The execution context: the values of `{_scan_id}`, `{_evidence_dir}` and
//! `{_output_file}` for one run.

use crate::model::ExecVar;
use std::borrow::Cow;

/// Run-time values a command may refer to (`{_scan_id}`, `{_evidence_dir}`,
/// `{_output_file}`), supplied by the host for each run.
///
/// The host owns these values: they are not validated here. Keep `scan_id` free of
/// `/` and `..` when the evidence directory matters, as it becomes part of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecContext {
    scan_id: String,
    evidence_dir: String,
    /// Computed once: every argv of the run borrows it.
    output_file: String,
}

impl ExecContext {
    /// A context for the run `scan_id` writing evidence under `evidence_dir`.
    pub fn new(scan_id: impl Into<String>, evidence_dir: impl Into<String>) -> Self {
        let (scan_id, evidence_dir) = (scan_id.into(), evidence_dir.into());
        // Avoid `dir//file` when the directory was given with a trailing slash.
        let sep = if evidence_dir.ends_with('/') { "" } else { "/" };
        let output_file = format!("{evidence_dir}{sep}{scan_id}-output");
        ExecContext {
            scan_id,
            evidence_dir,
            output_file,
        }
    }

    /// Overrides `{_output_file}` (default: `<evidence_dir>/<scan_id>-output`).
    #[must_use]
    pub fn with_output_file(mut self, output_file: impl Into<String>) -> Self {
        self.output_file = output_file.into();
        self
    }

    /// `{_scan_id}`.
    pub fn scan_id(&self) -> &str {
        &self.scan_id
    }

    /// `{_evidence_dir}`.
    pub fn evidence_dir(&self) -> &str {
        &self.evidence_dir
    }

    /// `{_output_file}`: the override, or `<evidence_dir>/<scan_id>-output`.
    pub fn output_file(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.output_file)
    }

    /// The value of an executor variable.
    pub fn var(&self, var: ExecVar) -> Cow<'_, str> {
        match var {
            ExecVar::ScanId => Cow::Borrowed(&self.scan_id),
            ExecVar::EvidenceDir => Cow::Borrowed(&self.evidence_dir),
            ExecVar::OutputFile => self.output_file(),
        }
    }

    /// Expands a `[tool.evidence] output_dir` template: `{evidence_dir}` and
    /// `{scan_id}` are replaced in one pass (a replaced value is never re-expanded);
    /// any other text, braces included, is kept as written.
    pub fn expand_output_dir(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + self.evidence_dir.len());
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let (before, from_brace) = rest.split_at(open);
            out.push_str(before);
            if let Some(tail) = from_brace.strip_prefix("{evidence_dir}") {
                out.push_str(&self.evidence_dir);
                rest = tail;
            } else if let Some(tail) = from_brace.strip_prefix("{scan_id}") {
                out.push_str(&self.scan_id);
                rest = tail;
            } else {
                out.push('{');
                rest = &from_brace[1..];
            }
        }
        out.push_str(rest);
        out
    }

    /// The directory handed to an executor as `TOOLCLAD_OUTPUT_DIR`: the expanded
    /// `[tool.evidence] output_dir` when the manifest sets one, else the evidence
    /// directory.
    pub fn output_dir(&self, output_dir_template: Option<&str>) -> String {
        match output_dir_template {
            Some(t) => self.expand_output_dir(t),
            None => self.evidence_dir.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_file_defaults_under_the_evidence_dir() {
        let ctx = ExecContext::new("s1", "/ev");
        assert_eq!(ctx.output_file(), "/ev/s1-output");
        assert_eq!(
            ExecContext::new("s1", "/ev/").output_file(),
            "/ev/s1-output"
        );
        let ctx = ctx.with_output_file("/x/out.xml");
        assert_eq!(ctx.var(ExecVar::OutputFile), "/x/out.xml");
        assert_eq!(ctx.var(ExecVar::ScanId), "s1");
        assert_eq!(ctx.var(ExecVar::EvidenceDir), "/ev");
    }

    #[test]
    fn output_dir_template_expands_once() {
        let ctx = ExecContext::new("{evidence_dir}", "/ev");
        assert_eq!(
            ctx.expand_output_dir("{evidence_dir}/{scan_id}-nmap/{session_id}"),
            "/ev/{evidence_dir}-nmap/{session_id}"
        );
        assert_eq!(ctx.output_dir(None), "/ev");
        assert_eq!(ctx.expand_output_dir("{"), "{");
    }
}
