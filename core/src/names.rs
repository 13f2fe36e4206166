//! How manifest names become Rust names in generated code. One implementation, used
//! by the code generator to spell the names and by the loader to refuse manifests
//! whose names would collide after the mapping.

/// `nmap_scan` -> `NmapScan`; `AAAA` -> `Aaaa`; `cdp-direct` -> `CdpDirect`;
/// `2fa` -> `V2fa`; text without ASCII letters or digits -> `Empty`. Every character
/// other than an ASCII letter or digit separates words; the first letter of each word
/// is upper-cased and the rest lower-cased.
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

/// The Rust spelling of a field or module named `name`: `self`, `Self`, `super`,
/// `crate` and `_` get a `_` suffix (they cannot be raw identifiers), other keywords
/// become raw identifiers (`type` -> `r#type`), anything else is kept.
pub fn field_name(name: &str) -> String {
    if matches!(name, "self" | "Self" | "super" | "crate" | "_") {
        format!("{name}_")
    } else if is_keyword(name) {
        format!("r#{name}")
    } else {
        name.to_owned()
    }
}

/// Whether `name` is a Rust keyword (strict, reserved or edition-2024 `gen`) that can
/// be written as a raw identifier.
pub fn is_keyword(name: &str) -> bool {
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
        assert_eq!(pascal("2fa"), "V2fa");
        assert_eq!(pascal("--"), "Empty");
    }

    #[test]
    fn field_names() {
        assert_eq!(field_name("type"), "r#type");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("target"), "target");
    }
}
