//! Schema/validator agreement, per argument type, over generated values in each type's
//! canonical JSON form (numbers for `integer`/`number`/`port`, booleans for `boolean`,
//! strings otherwise):
//! * every value the validator accepts validates against the property schema;
//! * every value the schema allows is accepted by the validator, unless the validator
//!   refuses it for a rule JSON Schema does not express for that type (the per-type
//!   list in `docs/schemas.md`, mirrored by `gaps` below).
//!
//! Also: a manifest regex and its portable ECMA spelling accept the same strings.

use crate::schema_support;

use cladgen_core::model::{Arg, Constraints, Pattern, TypeKind};
use cladgen_core::schema::{Flavor, portable_pattern, property_schema};
use cladgen_core::value::{ArgSpec, ParseOptions, Rule, Value as Parsed};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use schema_support::*;
use serde_json::{Value, json};

/// Rules JSON Schema does not express for `kind` (see docs/schemas.md).
fn gaps(kind: &TypeKind) -> &'static [Rule] {
    match kind {
        TypeKind::String => &[Rule::Injection, Rule::OptionLike],
        TypeKind::RegexMatch => &[Rule::Injection, Rule::OptionLike, Rule::Whitespace],
        TypeKind::Path => &[
            Rule::Injection,
            Rule::OptionLike,
            Rule::Whitespace,
            Rule::Empty,
            Rule::PathTraversal,
            Rule::AbsolutePath,
        ],
        TypeKind::MsfOptions => &[
            Rule::Injection,
            Rule::Whitespace,
            Rule::Empty,
            Rule::MsfOptions,
        ],
        TypeKind::ScopeTarget => &[Rule::ScopeTarget],
        TypeKind::Url => &[Rule::Url, Rule::Injection, Rule::Whitespace],
        TypeKind::IpAddress => &[Rule::IpAddress],
        TypeKind::Cidr => &[Rule::Cidr],
        TypeKind::Duration => &[Rule::Duration],
        // JSON Schema's integer has no 64-bit limit and admits `5.0`.
        TypeKind::Integer => &[Rule::Integer],
        // The argv-length limit (NUMBER_MAX_CHARS) has no JSON Schema keyword.
        TypeKind::Number => &[Rule::Number],
        _ => &[],
    }
}

/// Runs `cases` values from `strategy` against `arg` in every flavour.
fn agree(arg: &Arg, strategy: impl Strategy<Value = Value>, cases: u32) {
    let compiled: Vec<(Flavor, jsonschema::Validator)> = Flavor::ALL
        .into_iter()
        .map(|f| {
            let s = property_schema(arg, f);
            let v = jsonschema::draft202012::new(&s)
                .unwrap_or_else(|e| panic!("{}: {f}: {e}\n{s:#}", arg.name));
            (f, v)
        })
        .collect();
    let spec = ArgSpec::new(&arg.name, &arg.ty.constraints);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&strategy, |value| {
        let parsed = Parsed::parse_json(&spec, &arg.ty.kind, &value, &ParseOptions::DEFAULT);
        for (flavor, schema) in &compiled {
            let allowed = schema.is_valid(&value);
            match &parsed {
                Ok(_) => prop_assert!(
                    allowed,
                    "{flavor}: the validator accepts {value} but the schema refuses it"
                ),
                Err(e) if allowed => prop_assert!(
                    gaps(&arg.ty.kind).contains(&e.rule),
                    "{flavor}: the schema allows {value} but the validator refuses it ({}: {e})",
                    e.rule
                ),
                Err(_) => {}
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{} ({}): {e}", arg.name, arg.ty.kind.as_str());
    }
}

fn strings(re: &str) -> BoxedStrategy<Value> {
    proptest::string::string_regex(re)
        .expect("test regex")
        .prop_map(Value::String)
        .boxed()
}

fn ipv4() -> BoxedStrategy<String> {
    (any::<[u8; 4]>(), any::<bool>())
        .prop_map(|(o, zero)| {
            if zero {
                format!("0{}.{}.{}.{}", o[0], o[1], o[2], o[3])
            } else {
                format!("{}.{}.{}.{}", o[0], o[1], o[2], o[3])
            }
        })
        .boxed()
}

fn ipv6() -> BoxedStrategy<String> {
    prop_oneof![
        any::<u128>().prop_map(|n| std::net::Ipv6Addr::from(n).to_string()),
        any::<[u16; 2]>().prop_map(|[a, b]| format!("{a:x}::{b:x}")),
        any::<[u8; 4]>().prop_map(|o| format!("::ffff:{}.{}.{}.{}", o[0], o[1], o[2], o[3])),
    ]
    .boxed()
}

fn addresses() -> BoxedStrategy<Value> {
    prop_oneof![
        ipv4().prop_map(Value::String),
        ipv6().prop_map(Value::String),
        (prop_oneof![ipv4(), ipv6()], 0u16..200)
            .prop_map(|(a, p)| Value::String(format!("{a}/{p}"))),
        (prop_oneof![ipv4(), ipv6()], "[ %/a-z]{1,3}")
            .prop_map(|(a, junk)| Value::String(format!("{a}{junk}"))),
        strings(r"[0-9a-fA-F:./%\[\] x-]{0,46}"),
    ]
    .boxed()
}

#[test]
fn integer() {
    let values = || {
        prop_oneof![
            any::<i64>().prop_map(Value::from),
            (-200i64..200).prop_map(Value::from),
            (-200i64..200).prop_map(|n| json!(n as f64)),
            (-1e20f64..1e20).prop_map(|f| json!(f)),
            Just(json!(1e19)),
        ]
    };
    for (min, max, clamp) in [
        (None, None, false),
        (Some(1), Some(100), false),
        (Some(-5), None, false),
        (Some(0), Some(5), true),
        (None, Some(10), true),
    ] {
        let a = arg("n", TypeKind::Integer, true, bounds(min, max, clamp));
        agree(&a, values(), 400);
    }
}

#[test]
fn number() {
    let values = || {
        prop_oneof![
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
            (-20.0f64..20.0).prop_map(|f| json!(f)),
            (-20i64..20).prop_map(Value::from),
        ]
    };
    let float = |lo, hi, clamp| Constraints {
        min: Some(-3),
        max: Some(3),
        min_float: lo,
        max_float: hi,
        clamp,
        ..Constraints::NONE
    };
    for c in [
        Constraints::NONE,
        bounds(Some(-3), Some(3), false),
        float(Some(-0.5), Some(1.5), false),
        float(None, Some(1.5), false),
        float(Some(0.25), None, true),
    ] {
        agree(&arg("x", TypeKind::Number, true, c), values(), 400);
    }
}

#[test]
fn port() {
    let values = || {
        prop_oneof![
            (-10i64..70000).prop_map(Value::from),
            (0i64..100).prop_map(|n| json!(n as f64 + 0.5)),
            any::<i64>().prop_map(Value::from),
        ]
    };
    for (min, max, clamp) in [
        (None, None, false),
        (Some(1024), None, false),
        (Some(2000), Some(3000), false),
        (Some(2000), Some(3000), true),
        (Some(-4), Some(99999), false),
    ] {
        agree(
            &arg("p", TypeKind::Port, true, bounds(min, max, clamp)),
            values(),
            400,
        );
    }
}

#[test]
fn boolean_and_enum() {
    agree(
        &arg("b", TypeKind::Boolean, true, Constraints::NONE),
        any::<bool>().prop_map(Value::Bool),
        20,
    );
    let e = arg(
        "e",
        TypeKind::Enum,
        true,
        allowed(&["A", "AAAA", "MX", "x y"]),
    );
    agree(&e, strings("(A|AAAA|MX|x y|a| A|MX |)"), 100);
}

#[test]
fn string_and_regex_match() {
    agree(
        &arg("s", TypeKind::String, true, Constraints::NONE),
        strings("[a-z ;|&$\\-\n\t\u{200b}é]{0,8}"),
        300,
    );
    let p = r"^[a-zA-Z_][a-zA-Z0-9_\-]{0,6}$";
    agree(
        &arg("s", TypeKind::String, true, pattern(p)),
        strings("[a-zA-Z0-9_\\- ;٣]{0,9}"),
        400,
    );
    for p in [
        r"CVE-\d{4}-\d{4,}",
        r"(exploit|auxiliary|post)/.+",
        r"\w+\s\w+",
    ] {
        agree(
            &arg("r", TypeKind::RegexMatch, true, pattern(p)),
            prop_oneof![
                strings("CVE-[0-9٣]{3,5}-[0-9]{3,6}( |\n)?"),
                strings("(exploit|post|aux)/[a-z/ \r\u{2028}-]{0,6}"),
                strings("[a-zé_٣]{1,4}[ \t\u{a0}\n][a-z]{1,4}"),
            ],
            300,
        );
    }
}

#[test]
fn network_types() {
    for kind in [TypeKind::IpAddress, TypeKind::Cidr, TypeKind::ScopeTarget] {
        let a = arg("t", kind, true, Constraints::NONE);
        agree(&a, addresses(), 500);
    }
    let hosts = prop_oneof![
        strings(r"[a-zA-Z0-9\-]{1,12}(\.[a-zA-Z0-9\-]{1,12}){0,3}\.?"),
        strings(r"(xn--)?[a-z0-9*/\\_ ]{0,10}(\.[a-z0-9]{1,3})?"),
        strings("[a-z]{64}"),
        strings("([a-z]{60}\\.){4}[a-z]{10,20}"),
    ];
    agree(
        &arg("t", TypeKind::ScopeTarget, true, Constraints::NONE),
        hosts,
        500,
    );
}

#[test]
fn url() {
    let urls = || {
        prop_oneof![
            strings(
                r"(http|https|HTTP|Https|ftp|file)(://|:/|:)([a-z0-9.\-]{0,12}|user@[a-z]{1,5}|\[::1\])(:[0-9]{1,5})?(/[a-z0-9/?#&=.%\- ]{0,10})?"
            ),
            strings(r"[a-z:/.@ ]{0,16}"),
        ]
    };
    agree(
        &arg("u", TypeKind::Url, true, Constraints::NONE),
        urls(),
        500,
    );
    let ftp = Constraints {
        schemes: Some(vec!["ftp".into(), "git+ssh".into()].into()),
        ..Constraints::NONE
    };
    agree(
        &arg("u", TypeKind::Url, true, ftp),
        prop_oneof![
            urls(),
            strings(r"(git\+ssh|GIT\+SSH|git-ssh)://[a-z]{1,5}(/[a-z]{0,4})?")
        ],
        300,
    );
}

#[test]
fn duration_path_msf() {
    agree(
        &arg("d", TypeKind::Duration, true, Constraints::NONE),
        prop_oneof![
            strings("[0-9hms]{0,8}"),
            strings("([0-9]{1,3}h)?([0-9]{1,3}m)?([0-9]{1,3}s)?([0-9]{1,3}ms)?"),
            strings("[0-9]{18,22}(s|ms)?"),
            strings(" ?[+-]?[0-9]{1,3}(\\.5)?[hmsd]? ?"),
        ],
        500,
    );
    agree(
        &arg("p", TypeKind::Path, true, Constraints::NONE),
        strings(r"[a-z./\\~:\- ;]{0,10}"),
        300,
    );
    agree(
        &arg("o", TypeKind::MsfOptions, true, Constraints::NONE),
        strings("((set )?[A-Za-z_]{1,5} [a-z0-9 |]{0,6}; ?){0,3}"),
        300,
    );
}

/// The ECMA spelling of a manifest regex, as the `jsonschema` crate reads it, accepts
/// exactly the strings the manifest regex accepts as a whole.
#[test]
fn portable_patterns_match_like_the_manifest_regex() {
    let patterns = [
        r"^\d{1,5}(-\d{1,5})?(,\d{1,5}(-\d{1,5})?)*$",
        r"^[a-zA-Z_][a-zA-Z0-9_\-]{0,63}$",
        r"^[A-Za-z0-9_./\-]+$",
        r"(exploit|auxiliary|post)/.+",
        r"a.b|\s+|\W\D",
        r"[\w&~-]{1,3}",
        r"[[:alpha:][:digit:]]+[[:punct:]]?",
        r"x{2,}?y*?|^$",
        r"[^a-c\d]\S",
        r"\d+|\w+ \w",
        r"[^a\W]+[\S&&[^a]]?",
        r"[a-z&&[^aeiou]]*[[:^alpha:]]",
        r"\p{ASCII}{2}|😀+\D",
    ];
    let alphabet = "[abcxyAZ019_/.,&~ \\-\t\n\r\u{b}\u{2028}\u{a0}٣é!:😀]{0,6}";
    for p in patterns {
        let ecma = portable_pattern(p).unwrap_or_else(|| panic!("{p} should be portable"));
        let schema = json!({"type": "string", "pattern": ecma});
        let v = jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("{ecma}: {e}"));
        let rust = Pattern::new(p).expect("compiles");
        let mut runner = TestRunner::new(Config {
            cases: 400,
            failure_persistence: None,
            ..Config::default()
        });
        let strategy = proptest::string::string_regex(alphabet).expect("regex");
        let result = runner.run(&strategy, |s| {
            let json = Value::String(s.clone());
            prop_assert_eq!(
                v.is_valid(&json),
                rust.is_match(&s),
                "pattern {} / {} on {:?}",
                p,
                ecma,
                s
            );
            Ok(())
        });
        if let Err(e) = result {
            panic!("{e}");
        }
    }
}
