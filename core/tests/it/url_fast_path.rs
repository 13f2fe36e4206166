//! The `url` fast path against the `url` crate.
//!
//! `Url::parse_str` accepts the common `http(s)://host[:port]/...` shape without
//! running the URL parser and builds the `url::Url` on first use. These tests hold it
//! to its promise: whatever the fast path accepts, the parser path accepts too, with
//! the same scheme and host, and `as_url()` then agrees with `host()`/`scheme()`.
//! The generator writes URL-shaped text close to the fast path's edges: upper case,
//! numeric and hexadecimal hosts, `xn--` labels, hyphens, empty labels, trailing dots,
//! ports out of range, percent escapes, userinfo, backslashes, non-ASCII.

use cladgen_core::model::{Constraints, Str};
use cladgen_core::value::{ArgSpec, ArgValue, ParseOptions, Url, url_fast_path_agreement};
use proptest::prelude::*;
use std::borrow::Cow;

const CASES: u32 = 4096;

fn label() -> impl Strategy<Value = String> {
    prop_oneof![
        16 => "[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?",
        2 => "[0-9]{1,4}",
        1 => "0[xX][0-9a-fA-F]{0,3}",
        1 => "[a-zA-Z]{1,5}",
        1 => "(xn|XN|ab)--[a-z0-9]{1,6}",
        1 => "-?[a-z]{1,3}-?",
        1 => "[a-z%0-9.é_~]{0,4}",
        1 => Just(String::new()),
        1 => Just("a".repeat(64)),
    ]
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(label(), 1..5).prop_map(|l| l.join(".")),
        2 => (0u32..300, 0u32..300, 0u32..300, 0u32..300)
            .prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}")),
        1 => "0*[0-9]{1,3}(\\.0*[0-9]{1,3}){0,4}",
        1 => prop::collection::vec(label(), 1..4).prop_map(|l| format!("{}.", l.join("."))),
        1 => "[a-z]{1,4}(:[a-z]{0,3})?@[a-z]{1,4}\\.com",
    ]
}

fn url_text() -> impl Strategy<Value = String> {
    let scheme = prop_oneof![
        6 => prop_oneof![Just("http"), Just("https")],
        1 => prop_oneof![Just("HTTP"), Just("Https"), Just("ftp"), Just("ws"), Just("file")],
    ];
    let sep = prop_oneof![
        8 => Just("://"),
        1 => prop_oneof![Just(":/"), Just(":///"), Just(":"), Just(":\\\\")],
    ];
    let port = prop_oneof![
        4 => Just(String::new()),
        2 => (0u32..70000).prop_map(|p| format!(":{p}")),
        1 => "[:][0-9a-z]{0,7}",
    ];
    let tail = prop_oneof![
        3 => Just(String::new()),
        4 => "[/?#][a-zA-Z0-9/._~%=+,:@'\"*-]{0,20}",
        1 => "[/?#][ -~]{0,12}",
        1 => "[/?#][ -~é\\\\]{0,10}",
    ];
    (scheme, sep, host(), port, tail)
        .prop_map(|(scheme, sep, host, port, tail)| format!("{scheme}{sep}{host}{port}{tail}"))
}

fn specs() -> [Constraints; 2] {
    [
        Constraints::NONE,
        Constraints {
            schemes: Some(Cow::Owned(vec![
                Str::Borrowed("https"),
                Str::Borrowed("ftp"),
            ])),
            ..Constraints::NONE
        },
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn fast_path_agrees_with_the_parser(text in url_text()) {
        for c in specs() {
            let spec = ArgSpec::new("u", &c);
            url_fast_path_agreement(&spec, &text).map_err(TestCaseError::fail)?;
            if let Ok(u) = Url::parse_str(&spec, &text, &ParseOptions::DEFAULT) {
                prop_assert_eq!(u.as_str(), text.as_str());
                prop_assert_eq!(u.as_url().host_str(), Some(u.host()));
                prop_assert_eq!(u.as_url().scheme(), u.scheme());
                prop_assert!(u.as_url().username().is_empty() && u.as_url().password().is_none());
            }
        }
    }
}

/// The generator reaches the fast path, the parser path and refusals (otherwise the
/// property above proves little).
#[test]
fn generator_exercises_both_paths() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let c = Constraints::NONE;
    let spec = ArgSpec::new("u", &c);
    let mut runner = TestRunner::deterministic();
    let strategy = url_text();
    let (mut fast, mut parsed, mut refused) = (0, 0, 0);
    for _ in 0..2000 {
        let text = strategy.new_tree(&mut runner).unwrap().current();
        match Url::parse_str(&spec, &text, &ParseOptions::DEFAULT) {
            Ok(_) if url_fast_path_agreement(&spec, &text) == Ok(true) => fast += 1,
            Ok(_) => parsed += 1,
            Err(_) => refused += 1,
        }
    }
    assert!(
        fast > 150 && parsed > 150 && refused > 300,
        "{fast} fast, {parsed} parsed, {refused} refused"
    );
}

/// Fast-path values behave like parsed ones: same host, scheme, port, equality.
#[test]
fn fast_path_values_expose_the_parsed_url() {
    let c = Constraints::NONE;
    let spec = ArgSpec::new("u", &c);
    let parse = |s: &str| Url::parse_str(&spec, s, &ParseOptions::DEFAULT).unwrap();
    let u = parse("https://api.example.com:8443/v1?q=1#top");
    assert_eq!((u.scheme(), u.host()), ("https", "api.example.com"));
    assert_eq!(u.as_url().port(), Some(8443));
    assert_eq!(u.as_url().path(), "/v1");
    assert_eq!(u.as_url().query(), Some("q=1"));
    let upper = parse("HTTPS://API.example.com:8443/v1?q=1#top");
    assert_eq!((upper.scheme(), upper.host()), ("https", "api.example.com"));
    assert_ne!(u, upper, "equality compares the text");
    assert_eq!(u.clone(), u);
    assert_eq!(parse("http://10.0.0.1").host(), "10.0.0.1");
    // Upper case and one trailing dot are read the parser's way.
    for (text, host) in [
        ("HTTP://Example.COM/", "example.com"),
        ("http://example.com./", "example.com."),
    ] {
        assert_eq!(url_fast_path_agreement(&spec, text), Ok(true), "{text}");
        let u = parse(text);
        assert_eq!((u.scheme(), u.host()), ("http", host));
        assert_eq!(u.to_string(), text);
    }
    assert_eq!(
        format!("{:?}", parse("http://a.example/")),
        r#"Url { text: "http://a.example/", host: "a.example" }"#
    );
}

/// Shapes the fast path leaves to the parser keep the parser's answers.
#[test]
fn shapes_outside_the_fast_path_keep_their_answers() {
    let c = Constraints::NONE;
    let spec = ArgSpec::new("u", &c);
    let parse = |s: &str| Url::parse_str(&spec, s, &ParseOptions::DEFAULT);
    for (text, host) in [
        ("http://xn--nxasmq6b.com/", "xn--nxasmq6b.com"),
        ("http://a.com:/", "a.com"),
        ("http://a.com/p q", "a.com"),
    ] {
        assert_eq!(url_fast_path_agreement(&spec, text), Ok(false), "{text}");
        assert_eq!(parse(text).unwrap().host(), host, "{text}");
    }
    for (text, message) in [
        (
            "http://0x7f.1/",
            "argument 'u' URL host '0x7f.1' is not in canonical form (it is read as '127.0.0.1')",
        ),
        (
            "http://010.0.0.1/",
            "argument 'u' URL host '010.0.0.1' is not in canonical form (it is read as '8.0.0.1')",
        ),
        (
            "http://a.com:65536/",
            "argument 'u' is not a valid URL (invalid port number)",
        ),
        (
            "http://u@a.com/",
            "argument 'u' URL must not contain userinfo (user:password@)",
        ),
    ] {
        assert_eq!(parse(text).unwrap_err().message, message, "{text}");
    }
}
