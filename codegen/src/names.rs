//! Rust names for manifest names: modules, types, fields, enum variants.
//!
//! Manifest names are already restricted to `^[A-Za-z][A-Za-z0-9_]{0,63}$` by the
//! loader; enum values are free text, so variant names are sanitised here and
//! collisions reported as errors.

use proc_macro2::{Ident, Span};

/// `nmap_scan` -> `NmapScan`; `AAAA` -> `Aaaa`; `cdp-direct` -> `CdpDirect`;
/// `2fa` -> `V2fa`. The rule lives in `cladgen_core::names` so that the loader can
/// refuse names that collide after it.
pub fn pascal(name: &str) -> String {
    cladgen_core::names::pascal(name)
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

/// `NmapScan` style identifier for a type or variant named after `name` alone
/// (`self` -> `Self_`; the rule is `cladgen_core::names::type_name`).
pub fn type_ident(name: &str) -> Ident {
    Ident::new(&cladgen_core::names::type_name(name), Span::call_site())
}

/// An identifier for a field or module named `name` (`type` -> `r#type`,
/// `self` -> `self_`; the rule is `cladgen_core::names::field_name`).
pub fn field_ident(name: &str) -> Ident {
    let spelled = cladgen_core::names::field_name(name);
    match spelled.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(&spelled, Span::call_site()),
    }
}

/// A plain identifier (caller guarantees it is not a keyword).
pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
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
        assert_eq!(pascal("--"), "U002D_002D");
        assert_eq!(type_ident("Self").to_string(), "Self_");
    }

    #[test]
    fn keywords_become_raw_or_suffixed() {
        assert_eq!(field_ident("type").to_string(), "r#type");
        assert_eq!(field_ident("self").to_string(), "self_");
        assert_eq!(field_ident("target").to_string(), "target");
    }
}
