//! Rust names for manifest names: modules, types, fields, enum variants.
//!
//! Manifest names are already restricted to `^[A-Za-z][A-Za-z0-9_]{0,63}$` by the
//! loader; enum values are free text, so variant names are sanitised here and
//! collisions reported as errors.

use proc_macro2::{Ident, Span};

/// `nmap_scan` -> `NmapScan`; `AAAA` -> `Aaaa`; `cdp-direct` -> `CdpDirect`;
/// `2fa` -> `V2fa`. Non-alphanumeric characters separate words.
pub fn pascal(name: &str) -> String {
    let mut out = String::new();
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    if out.is_empty() {
        out.push_str("Empty");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// The static holding an argument list of the manifest: `ARGS` for the tool's own,
/// `USE_MODULE_ARGS` for those of session or browser command `use_module`.
pub fn args_static(command: Option<&str>) -> Ident {
    match command {
        None => ident("ARGS"),
        Some(c) => {
            let upper: String = c
                .chars()
                .map(|ch| match ch.is_ascii_alphanumeric() {
                    true => ch.to_ascii_uppercase(),
                    false => '_',
                })
                .collect();
            ident(&format!("{upper}_ARGS"))
        }
    }
}

/// `NmapScan` style identifier.
pub fn type_ident(name: &str) -> Ident {
    Ident::new(&pascal(name), Span::call_site())
}

/// An identifier for a field or module named `name` (`type` -> `r#type`).
pub fn field_ident(name: &str) -> Ident {
    if matches!(name, "self" | "Self" | "super" | "crate" | "_") {
        return Ident::new(&format!("{name}_"), Span::call_site());
    }
    if is_keyword(name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// A plain identifier (caller guarantees it is not a keyword).
pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

fn is_keyword(name: &str) -> bool {
    matches!(
        name,
        "as" | "break"
            | "const"
            | "continue"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "static"
            | "struct"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "async"
            | "await"
            | "dyn"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "macro"
            | "override"
            | "priv"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
            | "try"
            | "gen"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_cases() {
        assert_eq!(pascal("nmap_scan"), "NmapScan");
        assert_eq!(pascal("AAAA"), "Aaaa");
        assert_eq!(pascal("cdp-direct"), "CdpDirect");
        assert_eq!(pascal("os_detect"), "OsDetect");
        assert_eq!(pascal("2fa"), "V2fa");
        assert_eq!(pascal("--"), "Empty");
    }

    #[test]
    fn keywords_become_raw_or_suffixed() {
        assert_eq!(field_ident("type").to_string(), "r#type");
        assert_eq!(field_ident("self").to_string(), "self_");
        assert_eq!(field_ident("target").to_string(), "target");
    }
}
