//! Code generation: checked ToolClad manifests to Rust tokens.
//!
//! This crate turns a [`Manifest`](cladgen_core::model::Manifest) (already loaded and checked by `cladgen-core`) into
//! the items of one tool module, and a manifest set into a registry. It does no I/O
//! and no formatting: `cladgen-build` formats with prettyplease and writes files;
//! `cladgen-macros` returns the tokens to rustc. Internal crate of cladgen.

#![warn(missing_docs)]

mod args;
mod command;
mod embed;
pub mod literal;
mod names;
mod registry;
mod remote;
mod session;
mod tool;

pub use embed::include_manifest;
pub use names::pascal;
pub use registry::registry;
pub use tool::{tool_items, tool_module_name};

use proc_macro2::TokenStream;
use quote::quote;

/// Options of the generator.
#[derive(Clone, Debug)]
pub struct GenOptions {
    /// Path of the runtime crate in generated code (default `::cladgen`), like
    /// prost's `prost_path`.
    pub runtime_path: String,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            runtime_path: "::cladgen".into(),
        }
    }
}

/// Why code could not be generated for a (checked) manifest.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodegenError {
    /// Two generated items of one tool module would get the same Rust name.
    #[error(
        "tool `{tool}`: {what} would generate the Rust name `{name}`, which is already used in the module; rename one of them"
    )]
    NameCollision {
        /// The tool.
        tool: String,
        /// What produced the name.
        what: String,
        /// The colliding Rust name.
        name: String,
    },
    /// A Rust path given for an extern type does not parse.
    #[error(
        "tool `{tool}`, argument `{arg}`: extern type path `{path}` is not a Rust path: {reason}"
    )]
    ExternPath {
        /// The tool.
        tool: String,
        /// The argument.
        arg: String,
        /// The path as configured.
        path: String,
        /// The parser's message.
        reason: String,
    },
    /// The runtime path option does not parse.
    #[error("runtime path `{0}` is not a Rust path")]
    RuntimePath(String),
    /// The LLM schemas of the tool cannot be generated (e.g. a tool name providers refuse).
    #[error(transparent)]
    Schema(#[from] cladgen_core::schema::SchemaError),
    /// Two tools of a set would get the same module name.
    #[error("tools `{0}` and `{1}` would generate the same module name")]
    DuplicateModule(String, String),
}

/// Per-tool generation state.
pub(crate) struct Gen {
    /// Runtime crate path tokens.
    pub rt: TokenStream,
    /// Tool name (for messages).
    pub tool: String,
    /// `[tool.evidence] output_dir`, if set (executor `TOOLCLAD_OUTPUT_DIR`).
    pub evidence_output_dir: Option<String>,
}

impl Gen {
    pub(crate) fn new(opts: &GenOptions, tool: &str) -> Result<Self, CodegenError> {
        let path: syn::Path = syn::parse_str(&opts.runtime_path)
            .map_err(|_| CodegenError::RuntimePath(opts.runtime_path.clone()))?;
        Ok(Gen {
            rt: quote!(#path),
            tool: tool.to_owned(),
            evidence_output_dir: None,
        })
    }
}

/// An unsuffixed integer literal (`5`, not `5usize`) for lengths and indices.
pub(crate) fn index(n: usize) -> proc_macro2::Literal {
    proc_macro2::Literal::usize_unsuffixed(n)
}

/// `#[doc = " line"]` attributes for a text, one per line.
///
/// Manifest text is prose, not Markdown written for rustdoc: lines are trimmed (an
/// indented line would be an indented code block, which rustdoc runs as a doctest in
/// the user's crate) and code fences are defused the same way.
pub(crate) fn doc_lines(text: &str) -> TokenStream {
    let text = text.trim_end();
    if text.is_empty() {
        return TokenStream::new();
    }
    text.lines()
        .map(|l| {
            let l = autolink_urls(&l.trim().replace("```", "`\u{200b}``"));
            let l = if l.is_empty() { l } else { format!(" {l}") };
            quote!(#[doc = #l])
        })
        .collect()
}

/// Wraps bare `http(s)://` URLs of manifest text in `<...>`, so rustdoc renders them
/// as links instead of warning (`rustdoc::bare_urls`) in the user's `cargo doc`.
/// URLs in code spans, autolinks and Markdown links are left alone; trailing sentence
/// punctuation stays outside the link.
fn autolink_urls(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut in_code = false;
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if c == '`' {
            in_code = !in_code;
        }
        if let Some(url) = bare_url_at(rest, &out, in_code) {
            out.push('<');
            out.push_str(url);
            out.push('>');
            rest = &rest[url.len()..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The bare URL `rest` starts with, given the text `before` it; `None` inside a code
/// span, an autolink (`<`), a Markdown link target (`](`) or the middle of a word.
fn bare_url_at<'a>(rest: &'a str, before: &str, in_code: bool) -> Option<&'a str> {
    if in_code || !(rest.starts_with("http://") || rest.starts_with("https://")) {
        return None;
    }
    let standalone = match before.chars().next_back() {
        None => true,
        Some('(') => !before.ends_with("]("),
        Some(p) => p.is_whitespace() || p == '"' || p == '\'',
    };
    let end = rest
        .find(|ch: char| ch.is_whitespace() || matches!(ch, '<' | '>' | '"' | '`'))
        .unwrap_or(rest.len());
    let url = rest[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'']);
    // Something other than slashes must follow `scheme://`.
    let has_host = url
        .split_once("://")
        .is_some_and(|(_, after)| !after.trim_matches('/').is_empty());
    (standalone && has_host).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::{autolink_urls, doc_lines};

    #[test]
    fn bare_urls_become_autolinks() {
        for (text, linked) in [
            (
                "e.g. https://app.example.com/login. Its host",
                "e.g. <https://app.example.com/login>. Its host",
            ),
            ("http://a.b/x?q=1", "<http://a.b/x?q=1>"),
            ("(see https://a.b/c), then", "(see <https://a.b/c>), then"),
            ("(https://a.b/c)", "(<https://a.b/c>)"),
            ("already <https://a.b/c>", "already <https://a.b/c>"),
            ("[docs](https://a.b/c)", "[docs](https://a.b/c)"),
            (
                "code `curl https://a.b/c` here",
                "code `curl https://a.b/c` here",
            ),
            ("https:// alone", "https:// alone"),
            ("see https://a.b/.", "see <https://a.b/>."),
            ("no url: httpx://a.b", "no url: httpx://a.b"),
        ] {
            assert_eq!(autolink_urls(text), linked, "{text}");
        }
    }

    #[test]
    fn doc_lines_cannot_become_doctests() {
        let docs = doc_lines("Summary\n\n    indented_code();\n```\nfenced();\n```").to_string();
        assert!(docs.contains("\" indented_code();\""), "{docs}");
        assert!(!docs.contains("\"    indented"), "{docs}");
        assert!(!docs.contains("```"), "{docs}");
    }
}
