//! Property tests: for every type that carries text, no accepted value contains a
//! character of the injection set, and `Display` of an accepted value is the input
//! itself (the documented normalisations are checked separately: integer canonical
//! form, clamping, duration seconds). Parsers never panic on any input.

use cladgen_core::model::{Constraints, Pattern, Str, TypeKind};
use cladgen_core::value::{
    ArgSpec, ArgValue, CredentialFile, Duration, Integer, MsfOptions, Number, ParseOptions, Port,
    RegexMatch, RelPath, ScopeTarget, Text, Url, Value, is_injection_char,
};
use proptest::prelude::*;
use std::borrow::Cow;

const CASES: u32 = 512;

/// Characters that make validation interesting: every class of the injection set,
/// separators, dots, dashes, digits, letters, non-ASCII look-alikes.
fn interesting_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::sample::select(vec![
            'a', 'Z', 'x', '0', '1', '9', '.', '.', '/', '\\', '-', '_', ':', '~', ' ', '*', '?', '#',
            '%', '@', '=', ',', '\'', '"', 'h', 'm', 's', 'A', 'K',
        ]),
        2 => prop::sample::select(vec![
            '\n', '\r', ';', '|', '&', '$', '`', '(', ')', '{', '}', '[', ']', '<', '>', '!',
            '\0', '\t', '\x0b', '\x1b', '\x7f', '\u{85}', '\u{200b}', '\u{200f}', '\u{202a}',
            '\u{202e}', '\u{2028}', '\u{2066}', '\u{2069}', '\u{feff}', '\u{a0}', 'а', 'é',
        ]),
        1 => any::<char>(),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(interesting_char(), 0..24).prop_map(|v| v.into_iter().collect())
}

/// Text that often looks like the type, with random edits.
fn shaped(samples: &'static [&'static str]) -> impl Strategy<Value = String> {
    (
        prop::sample::select(samples),
        text(),
        0usize..24,
        any::<bool>(),
    )
        .prop_map(|(base, noise, at, insert)| {
            if insert {
                let mut s = base.to_string();
                let at = s.char_indices().map(|(i, _)| i).nth(at).unwrap_or(s.len());
                s.insert_str(at, &noise);
                s
            } else {
                base.to_string()
            }
        })
}

fn check_accepted<T: ArgValue>(c: &Constraints, input: &str) -> Result<(), TestCaseError> {
    let opts = ParseOptions::DEFAULT;
    if let Ok(v) = T::parse_str(&ArgSpec::new("a", c), input, &opts) {
        prop_assert!(
            !input.chars().any(is_injection_char),
            "accepted {input:?} with an injection character"
        );
        prop_assert_eq!(v.to_string(), input);
    }
    Ok(())
}

fn any_pattern() -> Constraints {
    Constraints {
        pattern: Some(Pattern::new("(?s).*").unwrap()),
        ..Constraints::NONE
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn string_is_clean_and_verbatim(s in text()) {
        check_accepted::<Text>(&Constraints::NONE, &s)?;
        let allow = Constraints { allow_option_values: true, ..Constraints::NONE };
        check_accepted::<Text>(&allow, &s)?;
    }

    #[test]
    fn regex_match_is_clean_and_verbatim(s in text()) {
        check_accepted::<RegexMatch>(&any_pattern(), &s)?;
    }

    #[test]
    fn path_is_clean_and_verbatim(s in shaped(&["a/b.txt", "reports/x", "a..b", "dir/"])) {
        check_accepted::<RelPath>(&Constraints::NONE, &s)?;
        if let Ok(p) = RelPath::parse_str(&ArgSpec::new("a", &Constraints::NONE), &s, &ParseOptions::DEFAULT) {
            prop_assert!(!p.as_str().split(['/', '\\']).any(|c| c == ".."));
            prop_assert!(!p.as_str().starts_with(['/', '\\', '~', '-']));
        }
    }

    #[test]
    fn credential_file_is_clean_and_verbatim(name in shaped(&["creds.txt", "keys/id", "a;b", "x|y"])) {
        let base = std::env::temp_dir().join(format!("cladgen-prop-cred-{}", std::process::id()));
        let _ = std::fs::create_dir_all(base.join("keys"));
        // Create the file when the OS allows the name, so that an existing file with a
        // hostile name is still refused.
        let _ = std::fs::write(base.join(&name), "secret");
        let opts = ParseOptions { credential_base: Some(base.clone()) };
        if let Ok(v) = CredentialFile::parse_str(&ArgSpec::new("a", &Constraints::NONE), &name, &opts) {
            prop_assert!(!name.chars().any(is_injection_char));
            prop_assert_eq!(v.to_string(), name.clone());
            prop_assert!(v.resolved().is_file());
        }
        let _ = std::fs::remove_file(base.join(&name));
    }

    #[test]
    fn scope_target_is_clean_and_verbatim(
        s in shaped(&["example.com", "10.0.0.1", "10.0.0.0/24", "2001:db8::1", "2001:db8::/32", "a.b.c"])
    ) {
        check_accepted::<ScopeTarget>(&Constraints::NONE, &s)?;
        if let Ok(t) = ScopeTarget::parse_str(&ArgSpec::new("a", &Constraints::NONE), &s, &ParseOptions::DEFAULT) {
            prop_assert!(s.is_ascii() && s.len() <= 253 && !s.contains('*'));
            prop_assert_eq!(t.as_str(), s.as_str());
        }
    }

    #[test]
    fn url_is_clean_and_verbatim(
        s in shaped(&["https://example.com/a", "http://10.0.0.1:8080/x?q=1", "https://a.b/#f"])
    ) {
        check_accepted::<Url>(&Constraints::NONE, &s)?;
        if let Ok(u) = Url::parse_str(&ArgSpec::new("a", &Constraints::NONE), &s, &ParseOptions::DEFAULT) {
            prop_assert!(!u.host().is_empty());
            prop_assert!(u.as_url().username().is_empty() && u.as_url().password().is_none());
        }
    }

    #[test]
    fn msf_options_are_clean_except_separator(
        s in shaped(&["set RHOSTS 10.0.0.1; set RPORT 445", "LHOST 1.2.3.4", "A 1;B 2"])
    ) {
        if let Ok(v) = MsfOptions::parse_str(&ArgSpec::new("a", &Constraints::NONE), &s, &ParseOptions::DEFAULT) {
            prop_assert!(!s.chars().any(|c| c != ';' && is_injection_char(c)));
            prop_assert_eq!(v.to_string(), s.clone());
            prop_assert!(!v.is_empty());
        }
    }

    /// Documented normalisation: the canonical decimal, which parses back to itself.
    #[test]
    fn integer_display_is_canonical(s in shaped(&["42", "-7", "+5", "0042", "9223372036854775807"])) {
        if let Ok(v) = Integer::parse_str(&ArgSpec::new("a", &Constraints::NONE), &s, &ParseOptions::DEFAULT) {
            prop_assert_eq!(v.to_string(), s.parse::<i64>().unwrap().to_string());
        }
    }

    /// Clamping keeps every accepted integer inside the bounds.
    #[test]
    fn clamping_stays_in_bounds(n in any::<i64>(), lo in -100i64..100, width in 0i64..100) {
        let c = Constraints { min: Some(lo), max: Some(lo + width), clamp: true, ..Constraints::NONE };
        let v = Integer::parse_str(&ArgSpec::new("a", &c), &n.to_string(), &ParseOptions::DEFAULT).unwrap();
        prop_assert_eq!(v.get(), n.clamp(lo, lo + width));
        let f = Number::parse_str(&ArgSpec::new("a", &c), &n.to_string(), &ParseOptions::DEFAULT).unwrap();
        prop_assert!(f.get() >= lo as f64 && f.get() <= (lo + width) as f64);
    }

    /// Duration is interpolated as seconds: Display times 1000 is the milliseconds.
    #[test]
    fn duration_display_is_seconds(h in 0u64..50, m in 0u64..120, s in 0u64..120, ms in 0u64..2000) {
        let text = format!("{h}h{m}m{s}s{ms}ms");
        let total = ((h * 60 + m) * 60 + s) * 1000 + ms;
        match Duration::parse_str(&ArgSpec::new("a", &Constraints::NONE), &text, &ParseOptions::DEFAULT) {
            Ok(d) => {
                prop_assert_eq!(d.millis(), total);
                let shown: f64 = d.to_string().parse().unwrap();
                prop_assert!((shown * 1000.0 - total as f64).abs() < 0.5);
            }
            Err(_) => prop_assert_eq!(total, 0),
        }
    }

    #[test]
    fn port_is_in_range(s in shaped(&["1", "443", "65535", "65536", "0"])) {
        if let Ok(p) = Port::parse_str(&ArgSpec::new("a", &Constraints::NONE), &s, &ParseOptions::DEFAULT) {
            prop_assert!(p.get() >= 1);
        }
    }

    /// No parser panics, and every accepted value survives a JSON round trip.
    #[test]
    fn every_type_round_trips(s in text(), ty in prop::sample::select(TypeKind::BUILTINS.to_vec())) {
        let c = Constraints {
            pattern: Some(Pattern::new("(?s).*").unwrap()),
            allowed: Some(Cow::Owned(vec![Str::Borrowed("a"), Str::Borrowed("b")])),
            ..Constraints::NONE
        };
        let spec = ArgSpec::new("a", &c);
        let opts = ParseOptions::DEFAULT;
        if let Ok(v) = Value::parse_str(&spec, &ty.1, &s, &opts) {
            let back = Value::parse_json(&spec, &ty.1, &v.to_json(), &opts).unwrap();
            prop_assert_eq!(back, v);
        }
        let _ = Value::parse_json(&spec, &ty.1, &serde_json::Value::String(s), &opts);
    }
}
