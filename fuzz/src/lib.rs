//! Fuzz logic for cladgen, shared by the cargo-fuzz targets (`fuzz_targets/`) and by
//! the stable-Rust smoke test (`tests/smoke.rs`).
//!
//! Each function takes raw fuzzer bytes, must never panic on its own, and panics
//! (= a fuzz finding) only when an invariant of the value types is broken:
//! an accepted value carrying an injection character, `Display` differing from the
//! input where the type promises verbatim text, a JSON round trip that changes the
//! value, or a scope check that lets an out-of-scope host through.

use cladgen_core::model::{Constraints, Pattern, Str, TypeKind};
use cladgen_core::scope::{Scope, ScopeEntry};
use cladgen_core::value::{
    ArgSpec, ArgValue, ParseOptions, ScopeTarget, Url, Value, is_injection_char,
    url_fast_path_agreement,
};
use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::LazyLock;

/// Constraint sets chosen by a selector byte: none, a pattern, bounds with and
/// without clamping, option values allowed, restricted schemes.
fn constraints(selector: u8) -> Constraints {
    let allowed = Some(Cow::Owned(vec![
        Str::Borrowed("ping"),
        Str::Borrowed("syn"),
        Str::Borrowed("A"),
    ]));
    let base = Constraints {
        allowed,
        ..Constraints::NONE
    };
    match selector % 6 {
        0 => base,
        1 => Constraints {
            pattern: Some(Pattern::prechecked("[a-z0-9._/-]{0,40}")),
            ..base
        },
        2 => Constraints {
            pattern: Some(Pattern::prechecked("(?s).*")),
            min: Some(-10),
            max: Some(1000),
            ..base
        },
        3 => Constraints {
            pattern: Some(Pattern::prechecked("(?s).*")),
            min: Some(1024),
            max: Some(2048),
            clamp: true,
            min_float: Some(-0.5),
            max_float: Some(0.5),
            ..base
        },
        4 => Constraints {
            pattern: Some(Pattern::prechecked("(?s).*")),
            allow_option_values: true,
            ..base
        },
        _ => Constraints {
            schemes: Some(Cow::Owned(vec![
                Str::Borrowed("https"),
                Str::Borrowed("ftp"),
            ])),
            ..base
        },
    }
}

/// Kinds whose `Display` is the input text itself.
fn verbatim(kind: &TypeKind) -> bool {
    !matches!(
        kind,
        TypeKind::Integer | TypeKind::Number | TypeKind::Port | TypeKind::Duration
    )
}

fn split(data: &[u8]) -> Option<(TypeKind, Constraints, &[u8])> {
    let (&k, rest) = data.split_first()?;
    let (&c, rest) = rest.split_first()?;
    let kind = TypeKind::BUILTINS[usize::from(k) % TypeKind::BUILTINS.len()]
        .1
        .clone();
    Some((kind, constraints(c), rest))
}

fn check_invariants(kind: &TypeKind, c: &Constraints, v: &Value, input: Option<&str>) {
    let spec = ArgSpec::new("fuzz", c);
    let opts = ParseOptions::DEFAULT;
    assert_eq!(&v.kind(), kind);
    let shown = v.to_string();
    let allow_semicolon = *kind == TypeKind::MsfOptions;
    assert!(
        !shown
            .chars()
            .any(|ch| is_injection_char(ch) && !(allow_semicolon && ch == ';')),
        "accepted value with an injection character: {shown:?}"
    );
    if *kind != TypeKind::String {
        assert_eq!(shown.trim(), shown, "surrounding whitespace accepted");
    }
    if kind.is_free_text() && !c.allow_option_values {
        assert!(
            !shown.starts_with('-'),
            "option-like value accepted: {shown:?}"
        );
    }
    if let Some(input) = input
        && verbatim(kind)
    {
        assert_eq!(shown, input, "Display is not the input");
    }
    let back = Value::parse_json(&spec, kind, &v.to_json(), &opts)
        .unwrap_or_else(|e| panic!("JSON form {} does not parse back: {e}", v.to_json()));
    assert_eq!(&back, v, "JSON round trip changed the value");
    // Display of the non-verbatim types parses back to the same argv text.
    if !verbatim(kind) && *kind != TypeKind::Duration {
        let again = Value::parse_str(&spec, kind, &shown, &opts)
            .unwrap_or_else(|e| panic!("Display {shown:?} does not parse back: {e}"));
        assert_eq!(again.to_string(), shown);
    }
}

/// Byte 0 picks the type, byte 1 the constraints, the rest is the text.
pub fn value_parse_str(data: &[u8]) {
    let Some((kind, c, rest)) = split(data) else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let spec = ArgSpec::new("fuzz", &c);
    if let Ok(v) = Value::parse_str(&spec, &kind, &text, &ParseOptions::DEFAULT) {
        check_invariants(&kind, &c, &v, Some(&text));
    }
}

/// Byte 0 picks the type, byte 1 the constraints, the rest is JSON (when it parses).
pub fn value_parse_json(data: &[u8]) {
    let Some((kind, c, rest)) = split(data) else {
        return;
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(rest) else {
        return;
    };
    let spec = ArgSpec::new("fuzz", &c);
    if let Ok(v) = Value::parse_json(&spec, &kind, &json, &ParseOptions::DEFAULT) {
        let input = json.as_str().filter(|_| verbatim(&kind));
        check_invariants(&kind, &c, &v, input);
    }
}

static SCOPE: LazyLock<Scope> = LazyLock::new(|| {
    Scope::new(
        [
            "10.0.0.0/8",
            "2001:db8::/32",
            "example.com",
            "*.example.com",
            "*.test.org",
        ],
        ["10.0.0.1", "10.9.0.0/16", "admin.example.com"],
    )
    .unwrap_or_else(|e| panic!("fixed scope: {e}"))
});

/// An independent, slow statement of [`SCOPE`] for host names.
fn host_in_scope(host: &str) -> bool {
    let h = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    let below = |suffix: &str| {
        h.strip_suffix(suffix)
            .is_some_and(|rest| rest.len() > 1 && rest.ends_with('.'))
    };
    h != "admin.example.com" && (h == "example.com" || below("example.com") || below("test.org"))
}

fn ip_in_scope(ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            o[0] == 10 && o != [10, 0, 0, 1] && o[1] != 9
        }
        IpAddr::V6(v6) => v6.segments()[..2] == [0x2001, 0x0db8],
    }
}

/// The input as a scope target, a URL, a raw host, a scope entry and a scope file.
pub fn scope_check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let none = Constraints::NONE;
    let spec = ArgSpec::new("fuzz", &none);
    let opts = ParseOptions::DEFAULT;
    if let Ok(t) = ScopeTarget::parse_str(&spec, &text, &opts) {
        let ok = SCOPE.check_target(&t).is_ok();
        if let Some(ip) = t.ip() {
            assert_eq!(ok, ip_in_scope(ip), "scope disagrees for {text:?}");
        }
        if t.hostname().is_some() {
            assert_eq!(ok, host_in_scope(&text), "scope disagrees for {text:?}");
        }
    }
    if let Ok(u) = Url::parse_str(&spec, &text, &opts)
        && SCOPE.check_url_host(&u).is_ok()
    {
        let host = u.host();
        let allowed = match host.parse::<IpAddr>() {
            Ok(ip) => ip_in_scope(ip),
            Err(_) => host_in_scope(host),
        };
        assert!(allowed, "URL {text:?} let through host {host:?}");
    }
    if SCOPE.check_host(&text).is_ok() {
        let allowed = match text.parse::<IpAddr>() {
            Ok(ip) => ip_in_scope(ip),
            Err(_) => host_in_scope(&text),
        };
        assert!(allowed, "host {text:?} let through");
    }
    let _ = ScopeEntry::parse(&text);
    let _ = Scope::from_toml(&text);
}

/// The `url` fast path against the `url` crate: whatever `Url::parse_str` accepts
/// without the parser, the parser path accepts with the same scheme and host; every
/// accepted URL (either path) builds its `url::Url` and agrees with it.
pub fn url_fast_path(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for selector in [0, 5] {
        let c = constraints(selector);
        let spec = ArgSpec::new("fuzz", &c);
        if let Err(why) = url_fast_path_agreement(&spec, &text) {
            panic!("{why}");
        }
        if let Ok(u) = Url::parse_str(&spec, &text, &ParseOptions::DEFAULT) {
            let parsed = u.as_url();
            assert_eq!(parsed.host_str(), Some(u.host()), "host of {text:?}");
            assert_eq!(parsed.scheme(), u.scheme(), "scheme of {text:?}");
            assert!(
                parsed.username().is_empty() && parsed.password().is_none(),
                "userinfo in {text:?}"
            );
        }
    }
}
