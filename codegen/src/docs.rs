//! Doc comments of generated code.
//!
//! Two kinds of text end up in them: the generator's own sentences (Markdown written
//! for rustdoc, intra-doc links included) and manifest text (descriptions, templates,
//! values), which is plain text for people and LLMs. Manifest text goes through
//! [`manifest_prose`] or [`code_span`] before it is mixed in, so the user's `cargo doc` and
//! `cargo test` (doctests) see exactly the text the manifest wrote: no accidental
//! links, HTML tags, code blocks or warnings.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = " line"]` attributes for a text, one per line.
///
/// Lines are trimmed (an indented line would be an indented code block, which rustdoc
/// runs as a doctest in the user's crate) and a line opening a code fence (```` ``` ````
/// or `~~~`) is escaped, for the same reason.
pub(crate) fn doc_lines(text: &str) -> TokenStream {
    let text = visible(text);
    let text = text.trim_end();
    if text.is_empty() {
        return TokenStream::new();
    }
    text.lines()
        .map(|l| {
            let l = l.trim();
            let l = if l.is_empty() {
                String::new()
            } else if l.starts_with("```") || l.starts_with("~~~") {
                format!(" \\{l}")
            } else {
                format!(" {l}")
            };
            quote!(#[doc = #l])
        })
        .collect()
}

/// Manifest prose (a description) as Markdown that renders as written: each line
/// trimmed and made safe by [`markdown_safe`].
pub fn manifest_prose(text: &str) -> String {
    visible(text)
        .lines()
        .map(|l| markdown_safe(l.trim()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Manifest text with the characters rustc refuses in a comment made visible, so
/// that any text `validate` accepts can stand in a generated doc comment: a bare
/// carriage return (rustc: "bare CR not allowed in doc-comment") becomes a line
/// break (`\r\n` too); bidirectional controls (U+202A-U+202E, U+2066-U+2069,
/// rustc's `text_direction_codepoint_in_comment`, denied by default), the marks
/// U+200E, U+200F and U+061C, the separators U+2028 and U+2029 and every other
/// control character but tab are written as `\u{202E}`, which shows the reader what
/// the manifest holds instead of reordering the text around it.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    let escaped = |c: char| {
        (c.is_control() && !matches!(c, '\n' | '\t'))
            || matches!(
                c,
                '\u{202A}'..='\u{202E}'
                    | '\u{2066}'..='\u{2069}'
                    | '\u{200E}'
                    | '\u{200F}'
                    | '\u{061C}'
                    | '\u{2028}'
                    | '\u{2029}'
            )
    };
    if !text.chars().any(escaped) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push('\n');
            }
            c if escaped(c) => {
                out.push_str(&format!("\\u{{{:04X}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.into()
}

/// Manifest text (a template, a value, a condition) as a Markdown code span, with a
/// backtick fence longer than any run of backticks in it (CommonMark).
pub(crate) fn code_span(text: &str) -> String {
    let text = visible(text);
    let text = text.as_ref();
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    if text.is_empty() {
        return "(empty)".into();
    }
    let fence = "`".repeat(longest + 1);
    if longest > 0 {
        // Spaces keep a backtick at either end from joining the fence.
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// Makes one line of manifest text safe to render as rustdoc Markdown, so that the
/// user's `cargo doc` shows it without warnings: bare `http(s)://` URLs become
/// autolinks (`rustdoc::bare_urls`), `[` is escaped so `[target]` is not read as an
/// intra-doc link (`broken_intra_doc_links`), and `<` not starting an autolink becomes
/// `&lt;` so `<host>` is not read as an HTML tag (`invalid_html_tags`). Manifest text
/// is plain text, not Markdown: a `[text](url)` shows as written, with the URL linked.
/// Code spans are left as written; trailing sentence punctuation stays outside a link.
fn markdown_safe(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut in_code = false;
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if c == '`' {
            in_code = !in_code;
        }
        if let Some(url) = bare_url_at(rest).filter(|_| !in_code) {
            out.push('<');
            out.push_str(url);
            out.push('>');
            rest = &rest[url.len()..];
            continue;
        }
        if let Some(link) = autolink_at(rest).filter(|_| !in_code) {
            out.push_str(link);
            rest = &rest[link.len()..];
            continue;
        }
        match c {
            '[' if !in_code => out.push_str("\\["),
            '<' if !in_code => out.push_str("&lt;"),
            _ => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// An autolink written in the text (`<https://example.com/>`), kept as it is.
fn autolink_at(rest: &str) -> Option<&str> {
    let inner = rest.strip_prefix('<')?;
    if !(inner.starts_with("http://") || inner.starts_with("https://")) {
        return None;
    }
    let end = inner.find(|ch: char| ch.is_whitespace() || matches!(ch, '<' | '>'))?;
    inner[end..].starts_with('>').then(|| &rest[..end + 2])
}

/// The bare URL `rest` starts with (rustdoc flags a URL wherever it stands in text;
/// with `[` escaped there are no Markdown links to leave alone).
fn bare_url_at(rest: &str) -> Option<&str> {
    if !(rest.starts_with("http://") || rest.starts_with("https://")) {
        return None;
    }
    let end = rest
        .find(|ch: char| ch.is_whitespace() || matches!(ch, '<' | '>' | '"' | '`'))
        .unwrap_or(rest.len());
    let url = rest[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'']);
    // Something other than slashes must follow `scheme://`.
    let has_host = url
        .split_once("://")
        .is_some_and(|(_, after)| !after.trim_matches('/').is_empty());
    has_host.then_some(url)
}

#[cfg(test)]
mod tests {
    use super::{code_span, doc_lines, manifest_prose, markdown_safe};

    #[test]
    fn manifest_text_renders_as_written() {
        for (text, safe) in [
            (
                "e.g. https://app.example.com/login. Its host",
                "e.g. <https://app.example.com/login>. Its host",
            ),
            ("http://a.b/x?q=1", "<http://a.b/x?q=1>"),
            ("(see https://a.b/c), then", "(see <https://a.b/c>), then"),
            ("(https://a.b/c)", "(<https://a.b/c>)"),
            ("already <https://a.b/c>", "already <https://a.b/c>"),
            (
                "code `curl https://a.b/c` here",
                "code `curl https://a.b/c` here",
            ),
            ("https:// alone", "https:// alone"),
            ("see https://a.b/.", "see <https://a.b/>."),
            ("no url: httpx://a.b", "no url: httpx://a.b"),
            ("key=https://a.b/c", "key=<https://a.b/c>"),
            ("the <host>:<port> pair", "the &lt;host>:&lt;port> pair"),
            (
                "a range [start..end] or [target]",
                "a range \\[start..end] or \\[target]",
            ),
            ("[docs](https://a.b/c)", "\\[docs](<https://a.b/c>)"),
            ("in code `<host> [x]` stays", "in code `<host> [x]` stays"),
            ("source->sink, a < b", "source->sink, a &lt; b"),
            ("<https://a.b", "&lt;<https://a.b>"),
        ] {
            assert_eq!(markdown_safe(text), safe, "{text}");
        }
    }

    #[test]
    fn doc_lines_cannot_become_doctests() {
        let docs =
            doc_lines("Summary\n\n    indented_code();\n```\nfenced();\n~~~rust\n```").to_string();
        assert!(docs.contains("\" indented_code();\""), "{docs}");
        assert!(!docs.contains("\"    indented"), "{docs}");
        assert!(!docs.contains("\" ```"), "{docs}");
        assert!(docs.contains(r#"" \\```""#), "{docs}");
        assert!(docs.contains(r#"" \\~~~rust""#), "{docs}");
    }

    #[test]
    fn prose_keeps_lines_and_code_spans_fit_their_text() {
        assert_eq!(manifest_prose("  a [b]\n\n  <c>  "), "a \\[b]\n\n&lt;c>");
        assert_eq!(code_span("nmap {target}"), "`nmap {target}`");
        assert_eq!(code_span("echo `id`"), "`` echo `id` ``");
        assert_eq!(code_span("a``b"), "``` a``b ```");
        assert_eq!(code_span(""), "(empty)");
    }
}
