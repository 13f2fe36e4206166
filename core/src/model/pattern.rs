//! A regex from a manifest, matched against the whole value.

use super::Str;
use regex::Regex;
use std::sync::OnceLock;

/// A manifest regex (`pattern`, `ready_pattern`, session command `pattern`).
///
/// It always matches the **whole** value: the source is compiled as `\A(?:source)\z`.
/// The regex is compiled once, on first use, and shared afterwards; the loader
/// compiles it eagerly so a bad pattern is a build error, never a run-time one.
#[derive(Clone, Debug)]
pub struct Pattern {
    source: Str,
    compiled: OnceLock<Option<Regex>>,
}

impl Pattern {
    /// Compiles `source` now; the error is the regex crate's.
    pub fn new(source: impl Into<Str>) -> Result<Self, regex::Error> {
        let source = source.into();
        let regex = Regex::new(&anchored(&source))?;
        let compiled = OnceLock::new();
        let _ = compiled.set(Some(regex));
        Ok(Pattern { source, compiled })
    }

    /// A pattern that was checked when the code was generated; compiled lazily.
    ///
    /// Used by generated code and `include_manifest!`. Should compilation fail anyway
    /// (it cannot for checked input), the pattern matches nothing: fail closed.
    #[doc(hidden)]
    pub const fn prechecked(source: &'static str) -> Self {
        Pattern {
            source: Str::Borrowed(source),
            compiled: OnceLock::new(),
        }
    }

    /// The pattern as written in the manifest.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether `value` matches as a whole.
    pub fn is_match(&self, value: &str) -> bool {
        self.compiled
            .get_or_init(|| Regex::new(&anchored(&self.source)).ok())
            .as_ref()
            .is_some_and(|r| r.is_match(value))
    }
}

fn anchored(source: &str) -> String {
    format!(r"\A(?:{source})\z")
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for Pattern {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_whole_value_only() {
        let p = Pattern::new("^SELECT").unwrap();
        assert!(!p.is_match("SELECT 1"));
        let p = Pattern::new("SELECT .*").unwrap();
        assert!(p.is_match("SELECT 1"));
        assert!(!p.is_match("xSELECT 1"));
        let p = Pattern::new("a|b").unwrap();
        assert!(p.is_match("a"));
        assert!(!p.is_match("ab"), "alternation must not escape the anchors");
    }

    #[test]
    fn prechecked_compiles_lazily_and_fails_closed() {
        static P: Pattern = Pattern::prechecked("[0-9]+");
        assert!(P.is_match("42"));
        assert!(!P.is_match("4a"));
        static BAD: Pattern = Pattern::prechecked("(");
        assert!(!BAD.is_match("("));
    }
}
