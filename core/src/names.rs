//! How manifest names become Rust names in generated code. One implementation, used
//! by the code generator to spell the names and by the loader to refuse manifests
//! whose names would collide after the mapping.

/// `nmap_scan` -> `NmapScan`; `AAAA` -> `Aaaa`; `cdp-direct` -> `CdpDirect`;
/// `2fa` -> `V2fa`; `PreludeNames` -> `PreludeNames`. Words are those of the
/// [`snake`] form (so case humps start words), split further at every character
/// other than an ASCII letter or digit; the first letter of each word is
/// upper-cased and the rest lower-cased.
/// Text without ASCII letters or digits (an enum value `-`, `+` or `é`) is spelled by
/// its code points: `-` -> `U002D`, `é` -> `U00E9`, `+-` -> `U002B_002D`, so every
/// value has a deterministic name; two values whose names meet are a load error
/// (`name-collision`).
///
/// This is the stem of generated names (`NmapScanArgs`); a name standing alone is
/// [`type_name`], which also avoids the keyword `Self`.
pub fn pascal(name: &str) -> String {
    let mut out = String::new();
    for word in snake(name).split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    if out.is_empty() {
        let points: Vec<String> = name.chars().map(|c| format!("{:04X}", c as u32)).collect();
        out = if points.is_empty() {
            "Empty".to_owned()
        } else {
            format!("U{}", points.join("_"))
        };
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// A Rust type or enum variant named after `name` on its own: [`pascal`], with
/// `Self` (the one keyword PascalCase can produce, from `self` or `Self`) spelled
/// `Self_`.
pub fn type_name(name: &str) -> String {
    let p = pascal(name);
    if p == "Self" { "Self_".to_owned() } else { p }
}

/// `name` in snake_case, the form rustc's `non_snake_case` lint accepts:
/// `targetIP` -> `target_ip`, `None` -> `none`, `HTTPServer` -> `http_server`,
/// `a__b` -> `a_b`. A `_` goes before an upper-case letter that follows a lower-case
/// letter or digit, or that starts a word after an acronym; everything is
/// lower-cased; runs of `_` inside the name become one (leading and trailing ones are
/// kept).
pub fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    // Collapse inner runs of `_` (rustc does not count `a__b` as snake case).
    let lead = out.len() - out.trim_start_matches('_').len();
    let trail = out.len() - out.trim_end_matches('_').len();
    if lead == out.len() {
        return out;
    }
    let inner = &out[lead..out.len() - trail];
    let mut collapsed = String::with_capacity(out.len());
    collapsed.push_str(&out[..lead]);
    let mut last_us = false;
    for c in inner.chars() {
        if c == '_' && last_us {
            continue;
        }
        last_us = c == '_';
        collapsed.push(c);
    }
    collapsed.push_str(&out[out.len() - trail..]);
    collapsed
}

/// The Rust spelling of a field, parameter, method stem or module named `name`: its
/// [`snake`] form (so `None`, `Some`, `Ok` and `Err` become `none`, `some`, `ok`,
/// `err` and can never be read as the prelude's variants), then `self`, `super`,
/// `crate` and `_` get a `_` suffix (they cannot be raw identifiers) and other
/// keywords become raw identifiers (`type` -> `r#type`).
pub fn field_name(name: &str) -> String {
    let name = snake(name);
    if matches!(name.as_str(), "self" | "super" | "crate" | "_") {
        format!("{name}_")
    } else if is_keyword(&name) {
        format!("r#{name}")
    } else {
        name
    }
}

/// [`field_name`] without the `r#` of a raw identifier: the stem that generated
/// helper names are built from (`{_type_flags}` -> `type_flags()`).
pub fn field_stem(name: &str) -> String {
    let f = field_name(name);
    match f.strip_prefix("r#") {
        Some(raw) => raw.to_owned(),
        None => f,
    }
}

/// The private helper methods a command's argv calls: `<arg>_flags()` per mapping
/// (`{_scan_type_flags}` -> `scan_type_flags()`), `cond_<name>()` per conditional
/// (`{_verbose}` -> `cond_verbose()`), named after the manifest's own names. A
/// conditional whose helper name a mapping helper already has gets `_holds`
/// appended. Returns the mapping helpers, then the conditional helpers, in order;
/// the loader refuses a manifest in which two of them are still equal.
pub fn helper_names<'a>(
    mapped_args: impl IntoIterator<Item = &'a str>,
    conditionals: impl IntoIterator<Item = &'a str>,
) -> (Vec<String>, Vec<String>) {
    let mappings: Vec<String> = mapped_args
        .into_iter()
        .map(|a| format!("{}_flags", field_stem(a).trim_end_matches('_')))
        .collect();
    let conds = conditionals
        .into_iter()
        .map(|c| {
            let name = format!("cond_{}", snake(c));
            if mappings.contains(&name) {
                format!("{name}_holds")
            } else {
                name
            }
        })
        .collect();
    (mappings, conds)
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
        assert_eq!(pascal("-"), "U002D");
        assert_eq!(pascal("PreludeNames"), "PreludeNames");
        assert_eq!(pascal("HTTPServer"), "HttpServer");
        assert_eq!(pascal("é"), "U00E9");
        assert_eq!(pascal("+-"), "U002B_002D");
        assert_eq!(type_name("self"), "Self_");
        assert_eq!(pascal("self"), "Self");
    }

    #[test]
    fn snake_cases() {
        assert_eq!(snake("targetIP"), "target_ip");
        assert_eq!(snake("HTTPServer"), "http_server");
        assert_eq!(snake("None"), "none");
        assert_eq!(snake("a__b"), "a_b");
        assert_eq!(snake("self_"), "self_");
        assert_eq!(snake("scan2Fast"), "scan2_fast");
        assert_eq!(snake("scan_type"), "scan_type");
    }

    #[test]
    fn field_names() {
        assert_eq!(field_name("type"), "r#type");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("target"), "target");
        assert_eq!(field_name("Self"), "self_");
        assert_eq!(field_name("Err"), "err");
        assert_eq!(field_name("Type"), "r#type");
        assert_eq!(field_stem("Type"), "type");
    }
}
