//! Per-type unit tests: accepted, rejected and boundary inputs, with the rule and the
//! message asserted.

use cladgen_core::model::{Constraints, Pattern, Str, TypeKind};
use cladgen_core::value::{
    ArgError, ArgSpec, ArgValue, Boolean, Cidr, CredentialFile, Duration, EnumValue, Integer,
    IpAddress, MsfOptions, Number, ParseOptions, Port, RegexMatch, RelPath, Rule, ScopeTarget,
    TargetKind, Text, Url, Value, parse_enum, parse_enum_json,
};
use serde_json::json;
use std::borrow::Cow;
use std::net::IpAddr;

const NONE: Constraints = Constraints::NONE;
const OPTS: ParseOptions = ParseOptions::DEFAULT;

fn ok<T: ArgValue>(c: &Constraints, input: &str) -> T {
    match T::parse_str(&ArgSpec::new("a", c), input, &OPTS) {
        Ok(v) => v,
        Err(e) => panic!("{input:?} was refused: {e}"),
    }
}

fn err<T: ArgValue + std::fmt::Debug>(c: &Constraints, input: &str) -> ArgError {
    match T::parse_str(&ArgSpec::new("a", c), input, &OPTS) {
        Ok(v) => panic!("{input:?} was accepted as {v:?}"),
        Err(e) => e,
    }
}

fn jerr<T: ArgValue + std::fmt::Debug>(c: &Constraints, input: serde_json::Value) -> ArgError {
    match T::parse_json(&ArgSpec::new("a", c), &input, &OPTS) {
        Ok(v) => panic!("{input} was accepted as {v:?}"),
        Err(e) => e,
    }
}

fn jok<T: ArgValue>(c: &Constraints, input: serde_json::Value) -> T {
    match T::parse_json(&ArgSpec::new("a", c), &input, &OPTS) {
        Ok(v) => v,
        Err(e) => panic!("{input} was refused: {e}"),
    }
}

fn pattern(p: &str) -> Constraints {
    Constraints {
        pattern: Some(Pattern::new(p.to_string()).unwrap()),
        ..NONE
    }
}

fn bounds(min: Option<i64>, max: Option<i64>, clamp: bool) -> Constraints {
    Constraints {
        min,
        max,
        clamp,
        ..NONE
    }
}

// ---------------------------------------------------------------- string

#[test]
fn string_accepts_text_with_spaces_quotes_and_hash() {
    for s in [
        "",
        "hello",
        " padded ",
        "it's \"quoted\" #1",
        "a\\b",
        "~/x",
        "é 日本",
        "100%",
    ] {
        assert_eq!(ok::<Text>(&NONE, s).to_string(), s);
    }
}

#[test]
fn string_refuses_injection_characters() {
    let e = err::<Text>(&NONE, "a; rm -rf /");
    assert_eq!(e.rule, Rule::Injection);
    assert_eq!(
        e.message,
        "argument 'a' contains disallowed shell metacharacter ';'"
    );
    assert_eq!(e.value.as_deref(), Some("a; rm -rf /"));
    for s in [
        "$(id)", "`id`", "a|b", "a&b", "a\nb", "a\rb", "{x}", "[x]", "<x>", "x!",
    ] {
        assert_eq!(err::<Text>(&NONE, s).rule, Rule::Injection, "{s:?}");
    }
    for s in [
        "a\0b",
        "a\tb",
        "a\x1bb",
        "a\x7fb",
        "a\u{85}b",
        "a\u{200b}b",
        "a\u{202e}b",
        "a\u{2066}b",
        "\u{feff}a",
    ] {
        assert_eq!(err::<Text>(&NONE, s).rule, Rule::Injection, "{s:?}");
    }
    assert_eq!(
        err::<Text>(&NONE, "a\0b").message,
        "argument 'a' contains disallowed control character '\\0'"
    );
}

#[test]
fn string_refuses_option_values_unless_allowed() {
    let e = err::<Text>(&NONE, "-oX");
    assert_eq!(e.rule, Rule::OptionLike);
    assert!(
        e.message
            .starts_with("argument 'a' must not start with '-'"),
        "{}",
        e.message
    );
    let allow = Constraints {
        allow_option_values: true,
        ..NONE
    };
    assert_eq!(ok::<Text>(&allow, "-oX").as_str(), "-oX");
    // Only a leading dash counts.
    assert_eq!(ok::<Text>(&NONE, "a-b").as_str(), "a-b");
    assert_eq!(ok::<Text>(&NONE, " -x").as_str(), " -x");
}

#[test]
fn string_pattern_matches_the_whole_value() {
    let c = pattern("[a-z]+");
    assert_eq!(ok::<Text>(&c, "abc").as_str(), "abc");
    let e = err::<Text>(&c, "abc1");
    assert_eq!(e.rule, Rule::Pattern);
    assert_eq!(e.message, "argument 'a' does not match pattern '[a-z]+'");
    assert_eq!(e.value.as_deref(), Some("abc1"));
    assert!(e.expected.unwrap().contains("[a-z]+"));
    // An unanchored search would accept these.
    assert_eq!(err::<Text>(&pattern("a|b"), "ab").rule, Rule::Pattern);
    assert_eq!(err::<Text>(&pattern("^x"), "xy").rule, Rule::Pattern);
    // Injection is checked before the pattern.
    assert_eq!(err::<Text>(&pattern(".*"), "a;b").rule, Rule::Injection);
}

#[test]
fn string_json_takes_only_strings() {
    assert_eq!(jok::<Text>(&NONE, json!("x")).as_str(), "x");
    let e = jerr::<Text>(&NONE, json!(5));
    assert_eq!(e.rule, Rule::JsonType);
    assert_eq!(
        e.message,
        "argument 'a' must be a JSON string (string), got a number"
    );
    assert_eq!(jerr::<Text>(&NONE, json!(["x"])).rule, Rule::JsonType);
    assert_eq!(jerr::<Text>(&NONE, json!({"x": 1})).rule, Rule::JsonType);
    assert_eq!(jerr::<Text>(&NONE, json!(null)).rule, Rule::Missing);
    assert_eq!(
        serde_json::to_value(ok::<Text>(&NONE, "q")).unwrap(),
        json!("q")
    );
}

// ---------------------------------------------------------------- integer

#[test]
fn integer_canonical_form() {
    for (input, canon) in [
        ("42", "42"),
        ("+5", "5"),
        ("0042", "42"),
        ("-0", "0"),
        ("-7", "-7"),
    ] {
        assert_eq!(ok::<Integer>(&NONE, input).to_string(), canon);
    }
    assert_eq!(ok::<Integer>(&NONE, "9223372036854775807").get(), i64::MAX);
    assert_eq!(ok::<Integer>(&NONE, "-9223372036854775808").get(), i64::MIN);
}

#[test]
fn integer_refusals() {
    for s in [
        "",
        "1e3",
        "0x10",
        "42.0",
        "4_2",
        "9223372036854775808",
        "abc",
        "٤٢",
        "--1",
    ] {
        let e = err::<Integer>(&NONE, s);
        assert_eq!(e.rule, Rule::Integer, "{s:?}");
        assert_eq!(e.message, "argument 'a' is not a valid integer");
    }
    let e = err::<Integer>(&NONE, " 42");
    assert_eq!(e.rule, Rule::Whitespace);
    assert_eq!(
        e.message,
        "argument 'a' must not contain leading or trailing whitespace"
    );
    assert_eq!(err::<Integer>(&NONE, "42\n").rule, Rule::Whitespace);
}

#[test]
fn integer_bounds_reject_or_clamp_on_both_sides() {
    let c = bounds(Some(1), Some(10), false);
    assert_eq!(ok::<Integer>(&c, "1").get(), 1);
    assert_eq!(ok::<Integer>(&c, "10").get(), 10);
    let e = err::<Integer>(&c, "0");
    assert_eq!(e.rule, Rule::BelowMin);
    assert_eq!(e.message, "argument 'a' value 0 is below minimum 1");
    assert_eq!(e.expected.as_deref(), Some("an integer from 1 to 10"));
    let e = err::<Integer>(&c, "11");
    assert_eq!(e.rule, Rule::AboveMax);
    assert_eq!(e.message, "argument 'a' value 11 is above maximum 10");

    let c = bounds(Some(1), Some(10), true);
    assert_eq!(ok::<Integer>(&c, "-5").to_string(), "1");
    assert_eq!(ok::<Integer>(&c, "500").to_string(), "10");
    // Single bounds clamp too (the Python and Go ports get these wrong).
    assert_eq!(
        ok::<Integer>(&bounds(None, Some(10), true), "500").get(),
        10
    );
    assert_eq!(ok::<Integer>(&bounds(Some(10), None, true), "5").get(), 10);
    // Inverted bounds fail closed.
    assert_eq!(
        err::<Integer>(&bounds(Some(5), Some(1), true), "3").rule,
        Rule::AboveMax
    );
}

#[test]
fn integer_json() {
    assert_eq!(jok::<Integer>(&NONE, json!(5)).get(), 5);
    // A float-form JSON number has lost its text: refused even when integral.
    assert_eq!(jerr::<Integer>(&NONE, json!(5.0)).rule, Rule::Integer);
    assert_eq!(jok::<Integer>(&NONE, json!("7")).get(), 7);
    assert_eq!(jerr::<Integer>(&NONE, json!(5.5)).rule, Rule::Integer);
    assert_eq!(jerr::<Integer>(&NONE, json!(u64::MAX)).rule, Rule::Integer);
    assert_eq!(jerr::<Integer>(&NONE, json!(true)).rule, Rule::JsonType);
    assert_eq!(
        jerr::<Integer>(&bounds(None, Some(3), false), json!(4)).rule,
        Rule::AboveMax
    );
    assert_eq!(ok::<Integer>(&NONE, "9").to_json(), json!(9));
    assert_eq!(
        serde_json::to_string(&ok::<Integer>(&NONE, "+9")).unwrap(),
        "9"
    );
}

// ---------------------------------------------------------------- number

#[test]
fn number_accepts_and_normalises() {
    for (input, shown) in [
        ("5", "5"),
        ("1e3", "1000"),
        (".5", "0.5"),
        ("5.", "5"),
        ("+1.5", "1.5"),
        ("-0", "0"),
        ("0.50", "0.5"),
    ] {
        assert_eq!(ok::<Number>(&NONE, input).to_string(), shown, "{input}");
    }
}

#[test]
fn number_refusals() {
    for s in ["inf", "-inf", "NaN", "infinity", "1e400"] {
        let e = err::<Number>(&NONE, s);
        assert_eq!(e.rule, Rule::Number, "{s}");
        assert_eq!(
            e.message,
            "argument 'a' must be a finite number (no NaN or infinity)"
        );
    }
    for s in ["", "abc", "1,5", "0x1p3", "1_0"] {
        let e = err::<Number>(&NONE, s);
        assert_eq!(e.message, "argument 'a' is not a valid number", "{s}");
    }
    assert_eq!(err::<Number>(&NONE, "1.5 ").rule, Rule::Whitespace);
}

#[test]
fn number_bounds_prefer_float_bounds_and_clamp() {
    let c = Constraints {
        min: Some(-100),
        max: Some(100),
        min_float: Some(0.0),
        max_float: Some(1.0),
        ..NONE
    };
    assert_eq!(ok::<Number>(&c, "0.25").get(), 0.25);
    let e = err::<Number>(&c, "-0.1");
    assert_eq!(e.rule, Rule::BelowMin);
    assert_eq!(e.message, "argument 'a' value -0.1 is below minimum 0");
    assert_eq!(
        err::<Number>(&c, "1.5").message,
        "argument 'a' value 1.5 is above maximum 1"
    );
    let c = Constraints { clamp: true, ..c };
    assert_eq!(ok::<Number>(&c, "-5").to_string(), "0");
    assert_eq!(ok::<Number>(&c, "7").to_string(), "1");
    // Integer bounds as fallback.
    assert_eq!(
        err::<Number>(&bounds(Some(2), None, false), "1.9").rule,
        Rule::BelowMin
    );
}

#[test]
fn number_json() {
    assert_eq!(jok::<Number>(&NONE, json!(2.5)).get(), 2.5);
    assert_eq!(jok::<Number>(&NONE, json!(3)).get(), 3.0);
    assert_eq!(jok::<Number>(&NONE, json!("2.5")).get(), 2.5);
    assert_eq!(jerr::<Number>(&NONE, json!(false)).rule, Rule::JsonType);
    assert_eq!(ok::<Number>(&NONE, "2.5").to_json(), json!(2.5));
}

// ---------------------------------------------------------------- port

#[test]
fn port_range_and_canonical_form() {
    assert_eq!(ok::<Port>(&NONE, "1").get(), 1);
    assert_eq!(ok::<Port>(&NONE, "65535").get(), 65535);
    assert_eq!(ok::<Port>(&NONE, "0443").to_string(), "443");
    assert_eq!(ok::<Port>(&NONE, "+443").to_string(), "443");
    for s in ["0", "65536", "-1", "70000"] {
        let e = err::<Port>(&NONE, s);
        assert_eq!(
            (e.rule, e.message.as_str()),
            (Rule::Port, "argument 'a' port must be 1-65535"),
            "{s}"
        );
    }
    for s in ["", "http", "443.0", "1e2"] {
        let e = err::<Port>(&NONE, s);
        assert_eq!(
            (e.rule, e.message.as_str()),
            (Rule::Port, "argument 'a' is not a valid port number"),
            "{s}"
        );
    }
}

#[test]
fn port_narrowed_by_min_max() {
    let c = bounds(Some(1024), Some(2048), false);
    assert_eq!(ok::<Port>(&c, "1024").get(), 1024);
    let e = err::<Port>(&c, "80");
    assert_eq!(e.rule, Rule::BelowMin);
    assert_eq!(e.message, "argument 'a' value 80 is below minimum 1024");
    assert_eq!(err::<Port>(&c, "2049").rule, Rule::AboveMax);
    let c = bounds(Some(1024), Some(2048), true);
    assert_eq!(ok::<Port>(&c, "80").get(), 1024);
    assert_eq!(ok::<Port>(&c, "9000").get(), 2048);
    // Clamping never turns an impossible port into a valid one.
    assert_eq!(err::<Port>(&c, "0").rule, Rule::Port);
}

#[test]
fn port_json() {
    assert_eq!(jok::<Port>(&NONE, json!(443)).get(), 443);
    assert_eq!(jerr::<Port>(&NONE, json!(443.0)).rule, Rule::Port);
    assert_eq!(jerr::<Port>(&NONE, json!(443.5)).rule, Rule::Port);
    assert_eq!(jerr::<Port>(&NONE, json!(0)).rule, Rule::Port);
    assert_eq!(ok::<Port>(&NONE, "22").to_json(), json!(22));
}

// ---------------------------------------------------------------- boolean

#[test]
fn boolean_is_exact() {
    assert!(ok::<Boolean>(&NONE, "true").get());
    assert!(!ok::<Boolean>(&NONE, "false").get());
    for s in ["True", "FALSE", "1", "yes", ""] {
        let e = err::<Boolean>(&NONE, s);
        assert_eq!(
            (e.rule, e.message.as_str()),
            (
                Rule::Boolean,
                "argument 'a' must be exactly 'true' or 'false'"
            ),
            "{s}"
        );
    }
    assert_eq!(err::<Boolean>(&NONE, " true").rule, Rule::Whitespace);
    assert!(jok::<Boolean>(&NONE, json!(true)).get());
    assert!(!jok::<Boolean>(&NONE, json!("false")).get());
    assert_eq!(jerr::<Boolean>(&NONE, json!(1)).rule, Rule::JsonType);
    assert_eq!(ok::<Boolean>(&NONE, "true").to_json(), json!(true));
}

// ---------------------------------------------------------------- enum

#[test]
fn enum_machinery() {
    let allowed = ["A", "AAAA", "MX"];
    let spec = ArgSpec::new("record_type", &NONE);
    assert_eq!(parse_enum(&spec, "AAAA", &allowed), Ok(1));
    let e = parse_enum(&spec, "aaaa", &allowed).unwrap_err();
    assert_eq!(e.rule, Rule::NotAllowed);
    assert_eq!(
        e.message,
        "argument 'record_type' value 'aaaa' is not in allowed list: [A, AAAA, MX]"
    );
    assert_eq!(e.expected.as_deref(), Some("A, AAAA, MX"));
    let e = parse_enum(&spec, " A", &allowed).unwrap_err();
    assert_eq!(e.rule, Rule::Whitespace);
    assert_eq!(e.expected.as_deref(), Some("A, AAAA, MX"));
    assert_eq!(parse_enum_json(&spec, &json!("MX"), &allowed), Ok(2));
    assert_eq!(
        parse_enum_json(&spec, &json!(1), &allowed)
            .unwrap_err()
            .rule,
        Rule::JsonType
    );
}

#[test]
fn enum_value_on_the_dynamic_path() {
    let c = Constraints {
        allowed: Some(Cow::Owned(vec![
            Str::Borrowed("ping"),
            Str::Borrowed("syn"),
        ])),
        ..NONE
    };
    let v = ok::<EnumValue>(&c, "syn");
    assert_eq!(
        (v.index(), v.as_str(), v.to_string()),
        (1, "syn", "syn".to_string())
    );
    assert_eq!(err::<EnumValue>(&c, "Syn").rule, Rule::NotAllowed);
    let e = err::<EnumValue>(&NONE, "x");
    assert_eq!(
        e.message,
        "argument 'a' is type 'enum' but has no 'allowed' list"
    );
}

// ---------------------------------------------------------------- scope_target

#[test]
fn scope_target_accepts_ip_cidr_and_hostnames() {
    let t = ok::<ScopeTarget>(&NONE, "10.0.1.1");
    assert_eq!(t.ip(), Some("10.0.1.1".parse().unwrap()));
    assert_eq!(t.host(), "10.0.1.1");
    let t = ok::<ScopeTarget>(&NONE, "2001:db8::1");
    assert!(matches!(t.kind(), TargetKind::Ip(IpAddr::V6(_))));
    let t = ok::<ScopeTarget>(&NONE, "10.0.1.0/24");
    assert_eq!(t.network(), Some("10.0.1.0/24".parse().unwrap()));
    assert_eq!(t.host(), "10.0.1.0");
    let t = ok::<ScopeTarget>(&NONE, "2001:db8::/32");
    assert_eq!(t.network(), Some("2001:db8::/32".parse().unwrap()));
    let t = ok::<ScopeTarget>(&NONE, "Sub.Example.com");
    assert_eq!(
        (t.kind(), t.hostname()),
        (&TargetKind::Hostname, Some("Sub.Example.com"))
    );
    for s in [
        "localhost",
        "a",
        "0.0.0.0",
        "255.255.255.255",
        "10.0.0.0/0",
        "10.0.0.0/32",
        "::/0",
        "::1/128",
        "x-1.example",
        "123abc.com",
        "example.com1",
    ] {
        assert_eq!(ok::<ScopeTarget>(&NONE, s).as_str(), s);
    }
    let label63 = format!("{}.com", "a".repeat(63));
    assert_eq!(ok::<ScopeTarget>(&NONE, &label63).as_str(), label63);
}

/// The reference's fences, in its order, with its exact messages.
#[test]
fn scope_target_reference_fences() {
    let cases: &[(&str, Rule, &str)] = &[
        (
            " example.com",
            Rule::Whitespace,
            "argument 'a' must not contain leading or trailing whitespace",
        ),
        (
            "example.com\n",
            Rule::Whitespace,
            "argument 'a' must not contain leading or trailing whitespace",
        ),
        (
            "example.com; rm -rf /",
            Rule::Injection,
            "argument 'a' contains disallowed shell metacharacter ';'",
        ),
        (
            "[::1]",
            Rule::Injection,
            "argument 'a' contains disallowed shell metacharacter '['",
        ),
        (
            "",
            Rule::Empty,
            "argument 'a' scope_target must not be empty",
        ),
        (
            "*.example.com",
            Rule::ScopeTarget,
            "argument 'a' scope_target must not contain wildcards",
        ),
        (
            "../etc/passwd",
            Rule::ScopeTarget,
            "argument 'a' scope_target must not contain path traversal sequences",
        ),
        (
            "a..\\b",
            Rule::ScopeTarget,
            "argument 'a' scope_target must not contain path traversal sequences",
        ),
        (
            "example.com/..",
            Rule::ScopeTarget,
            "argument 'a' scope_target must not contain path traversal sequences",
        ),
        (
            "example.com/admin",
            Rule::ScopeTarget,
            "argument 'a' scope_target must not contain '/' (use CIDR notation for ranges)",
        ),
        (
            "10.0.0.0/8/8",
            Rule::ScopeTarget,
            "argument 'a' scope_target must not contain '/' (use CIDR notation for ranges)",
        ),
        (
            "host\\x",
            Rule::ScopeTarget,
            "argument 'a' scope_target must not contain backslash escape sequences",
        ),
        (
            "exаmple.com",
            Rule::ScopeTarget,
            "argument 'a' scope_target must be ASCII (non-ASCII hostnames including IDN homoglyphs are rejected; gate IDN registration upstream if needed)",
        ),
        (
            "xn--exmple-cua.com",
            Rule::ScopeTarget,
            "argument 'a' scope_target must not contain punycode (xn--) labels — IDN/IDNA hostnames are rejected to prevent homoglyph bypass; gate IDN registration upstream if needed",
        ),
        (
            "www.XN--abc.com",
            Rule::ScopeTarget,
            "argument 'a' scope_target must not contain punycode (xn--) labels — IDN/IDNA hostnames are rejected to prevent homoglyph bypass; gate IDN registration upstream if needed",
        ),
        (
            "-example.com",
            Rule::ScopeTarget,
            "argument 'a' is not a valid scope target (IP, CIDR, or hostname)",
        ),
    ];
    for (input, rule, message) in cases {
        let e = err::<ScopeTarget>(&NONE, input);
        assert_eq!((e.rule, e.message.as_str()), (*rule, *message), "{input:?}");
        assert_eq!(e.value.as_deref(), Some(*input));
    }
    let long = "a.".repeat(126) + "ab"; // 254 characters
    let e = err::<ScopeTarget>(&NONE, &long);
    assert_eq!(
        e.message,
        "argument 'a' scope_target exceeds 253-character limit (RFC 1035 §2.3.4)"
    );
}

/// Inputs the reference accepts and cladgen refuses (format document §15 #19).
#[test]
fn scope_target_stricter_than_reference() {
    let invalid = "argument 'a' is not a valid scope target (IP, CIDR, or hostname)";
    for s in [
        "999.999.999.999",
        "256.1.1.1",
        "1.2.3",
        "01.1.1.1",
        "2130706433",
        "0x7f.1",
        "0x7f000001",
        "10.0.0.0/33",
        "999.0.0.0/99",
        "2001:db8::/129",
        "example.com.",
        "a..b",
        "ex_ample.com",
        "example-.com",
        ":::",
    ] {
        let e = err::<ScopeTarget>(&NONE, s);
        assert_eq!(
            (e.rule, e.message.as_str()),
            (Rule::ScopeTarget, invalid),
            "{s:?}"
        );
        assert!(e.expected.is_some());
    }
    let label64 = format!("{}.com", "a".repeat(64));
    let e = err::<ScopeTarget>(&NONE, &label64);
    assert!(e.expected.unwrap().contains("63"));
    let e = err::<ScopeTarget>(&NONE, "256.1.1.1");
    assert!(e.expected.unwrap().contains("0-255"));
}

#[test]
fn scope_target_json() {
    assert_eq!(
        jok::<ScopeTarget>(&NONE, json!("example.com")).as_str(),
        "example.com"
    );
    assert_eq!(jerr::<ScopeTarget>(&NONE, json!(10)).rule, Rule::JsonType);
    assert_eq!(
        serde_json::to_value(ok::<ScopeTarget>(&NONE, "::1")).unwrap(),
        json!("::1")
    );
}

// ---------------------------------------------------------------- url

#[test]
fn url_accepts_http_urls_and_exposes_the_host() {
    let u = ok::<Url>(&NONE, "https://API.example.com:8443/v1/x?q=1#top");
    assert_eq!(u.host(), "api.example.com");
    assert_eq!(u.to_string(), "https://API.example.com:8443/v1/x?q=1#top");
    assert_eq!(u.as_url().port(), Some(8443));
    assert_eq!(ok::<Url>(&NONE, "http://10.0.0.1/").host(), "10.0.0.1");
    assert_eq!(
        ok::<Url>(&NONE, "http://example.com.").host(),
        "example.com."
    );
}

#[test]
fn url_refusals() {
    let cases: &[(&str, Rule, &str)] = &[
        (
            "ftp://example.com/",
            Rule::Scheme,
            "argument 'a' URL scheme 'ftp' is not allowed (allowed: http, https)",
        ),
        (
            "javascript:alert(1)",
            Rule::Injection,
            "argument 'a' contains disallowed shell metacharacter '('",
        ),
        (
            "file:///etc/passwd",
            Rule::Scheme,
            "argument 'a' URL scheme 'file' is not allowed (allowed: http, https)",
        ),
        (
            "https://user:pw@example.com/",
            Rule::Url,
            "argument 'a' URL must not contain userinfo (user:password@)",
        ),
        (
            "https://app.example.com:x@evil.com/",
            Rule::Url,
            "argument 'a' URL must not contain userinfo (user:password@)",
        ),
        (
            "https://@example.com/",
            Rule::Url,
            "argument 'a' URL must not contain userinfo (user:password@)",
        ),
        (
            "http://2130706433/",
            Rule::Url,
            "argument 'a' URL host '2130706433' is not in canonical form (it is read as '127.0.0.1')",
        ),
        (
            "http://exa%6Dple.com/",
            Rule::Url,
            "argument 'a' URL host 'exa%6Dple.com' is not in canonical form (it is read as 'example.com')",
        ),
        (
            "http:example.com",
            Rule::Url,
            "argument 'a' URL must start with 'http://'",
        ),
        (
            "http:\\\\example.com",
            Rule::Url,
            "argument 'a' URL must not contain a backslash",
        ),
        ("", Rule::Empty, "argument 'a' URL must not be empty"),
        (
            " http://x.com",
            Rule::Whitespace,
            "argument 'a' must not contain leading or trailing whitespace",
        ),
        (
            "http://x.com/?a=1&b=2",
            Rule::Injection,
            "argument 'a' contains disallowed shell metacharacter '&'",
        ),
        (
            "http://[::1]/",
            Rule::Injection,
            "argument 'a' contains disallowed shell metacharacter '['",
        ),
    ];
    for (input, rule, message) in cases {
        let e = err::<Url>(&NONE, input);
        assert_eq!((e.rule, e.message.as_str()), (*rule, *message), "{input:?}");
    }
    let e = err::<Url>(&NONE, "not a url");
    assert_eq!(e.rule, Rule::Url);
    assert!(
        e.message.starts_with("argument 'a' is not a valid URL"),
        "{}",
        e.message
    );
}

#[test]
fn url_schemes_constraint() {
    let c = Constraints {
        schemes: Some(Cow::Owned(vec![Str::Borrowed("https")])),
        ..NONE
    };
    assert_eq!(ok::<Url>(&c, "https://example.com").scheme(), "https");
    let e = err::<Url>(&c, "http://example.com");
    assert_eq!(e.rule, Rule::Scheme);
    assert_eq!(
        e.expected.as_deref(),
        Some("an absolute URL with scheme https, e.g. https://example.com/path")
    );
    let c = Constraints {
        schemes: Some(Cow::Owned(vec![Str::Borrowed("ftp")])),
        ..NONE
    };
    assert_eq!(
        ok::<Url>(&c, "ftp://files.example.com/x").host(),
        "files.example.com"
    );
}

#[test]
fn url_never_accepts_script_local_or_browser_internal_schemes() {
    let all: Vec<Str> = [
        "https",
        "javascript",
        "data",
        "file",
        "view-source",
        "chrome",
        "about",
        "blob",
        "filesystem",
    ]
    .into_iter()
    .map(Str::Borrowed)
    .collect();
    let c = Constraints {
        schemes: Some(Cow::Owned(all)),
        ..NONE
    };
    for s in [
        "javascript://example.com/%0aalert%281%29",
        "JavaScript://example.com/x",
        "file://host.example/etc/passwd",
        "view-source://example.com/",
        "chrome://settings/x",
        "about://blank/",
        "blob://example.com/x",
        "filesystem://example.com/x",
        "data://example.com/x",
    ] {
        let e = err::<Url>(&c, s);
        assert_eq!(e.rule, Rule::Scheme, "{s}: {}", e.message);
        assert!(
            e.message.contains("is never accepted"),
            "{s}: {}",
            e.message
        );
    }
    assert_eq!(ok::<Url>(&c, "https://example.com/").scheme(), "https");
}

#[test]
fn url_authority_values_must_read_as_one_host() {
    use cladgen_core::value::check_url_authority_value as check;
    for ok in ["example.com", "10.0.0.1", "443", "api-eu"] {
        assert_eq!(check(ok), Ok(()), "{ok}");
    }
    for bad in [
        "10.0.0.0/24",
        "::1",
        "2001:db8::1",
        "a@b",
        "a%2e",
        "",
        "a b",
        "[::1]",
    ] {
        assert!(check(bad).is_err(), "{bad}");
    }
}

// ---------------------------------------------------------------- path

#[test]
fn path_rules() {
    for s in ["reports/out.txt", "a..b", "./x", "a\\b", "dir/", "x~"] {
        assert_eq!(ok::<RelPath>(&NONE, s).to_string(), s);
    }
    let cases: &[(&str, Rule, &str)] = &[
        (
            "..",
            Rule::PathTraversal,
            "argument 'a' path must not contain traversal sequences (../)",
        ),
        (
            "a/..",
            Rule::PathTraversal,
            "argument 'a' path must not contain traversal sequences (../)",
        ),
        (
            "a\\..\\b",
            Rule::PathTraversal,
            "argument 'a' path must not contain traversal sequences (../)",
        ),
        (
            "/etc/passwd",
            Rule::AbsolutePath,
            "argument 'a' must be a relative path, not absolute",
        ),
        (
            "\\\\server\\share",
            Rule::AbsolutePath,
            "argument 'a' must be a relative path, not absolute",
        ),
        (
            "C:\\x",
            Rule::AbsolutePath,
            "argument 'a' must be a relative path, not absolute",
        ),
        (
            "c:x",
            Rule::AbsolutePath,
            "argument 'a' must be a relative path, not absolute",
        ),
        (
            "~/x",
            Rule::PathTraversal,
            "argument 'a' path must not start with '~' (home directory)",
        ),
        ("", Rule::Empty, "argument 'a' path must not be empty"),
        (
            " x",
            Rule::Whitespace,
            "argument 'a' must not contain leading or trailing whitespace",
        ),
        (
            "x\0",
            Rule::Injection,
            "argument 'a' contains disallowed control character '\\0'",
        ),
    ];
    for (input, rule, message) in cases {
        let e = err::<RelPath>(&NONE, input);
        assert_eq!((e.rule, e.message.as_str()), (*rule, *message), "{input:?}");
    }
    assert_eq!(err::<RelPath>(&NONE, "-rf").rule, Rule::OptionLike);
    assert_eq!(
        ok::<RelPath>(&NONE, "a/b").as_path(),
        std::path::Path::new("a/b")
    );
}

// ---------------------------------------------------------------- credential_file

#[test]
fn credential_file_rules() {
    let dir = std::env::temp_dir().join(format!("cladgen-cred-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("creds.txt"), "user:pw").unwrap();
    let opts = ParseOptions {
        credential_base: Some(dir.clone()),
    };
    let spec_c = NONE;
    let spec = ArgSpec::new("a", &spec_c);
    let v = CredentialFile::parse_str(&spec, "creds.txt", &opts).unwrap();
    assert_eq!(v.to_string(), "creds.txt");
    assert_eq!(v.resolved(), dir.join("creds.txt"));
    let cases: &[(&str, Rule, &str)] = &[
        (
            "missing.txt",
            Rule::CredentialFile,
            "argument 'a' credential file not found: missing.txt",
        ),
        (
            "sub",
            Rule::CredentialFile,
            "argument 'a' is not a file: sub",
        ),
        (
            "/etc/passwd",
            Rule::AbsolutePath,
            "argument 'a' must be a relative path",
        ),
        (
            "../creds.txt",
            Rule::PathTraversal,
            "argument 'a' path must not contain traversal sequences",
        ),
        (
            "sub/../creds.txt",
            Rule::PathTraversal,
            "argument 'a' path must not contain traversal sequences",
        ),
        (
            "~/creds.txt",
            Rule::PathTraversal,
            "argument 'a' path must not start with '~' (home directory)",
        ),
        ("", Rule::Empty, "argument 'a' path must not be empty"),
        (
            "creds.txt;",
            Rule::Injection,
            "argument 'a' contains disallowed shell metacharacter ';'",
        ),
    ];
    for (input, rule, message) in cases {
        let e = CredentialFile::parse_str(&spec, input, &opts).unwrap_err();
        assert_eq!((e.rule, e.message.as_str()), (*rule, *message), "{input:?}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let locked = dir.join("locked.txt");
        std::fs::write(&locked, "x").unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        // The check answers what opening would (root, with CAP_DAC_OVERRIDE, can
        // open a mode-000 file; anyone else cannot).
        let checked = CredentialFile::parse_str(&spec, "locked.txt", &opts);
        match std::fs::File::open(&locked) {
            Ok(_) => assert!(checked.is_ok(), "{checked:?}"),
            Err(_) => assert_eq!(
                checked.unwrap_err().message,
                "argument 'a' credential file is not readable: locked.txt"
            ),
        }
        // A FIFO is refused by its type; it is never opened (opening one blocks).
        rustix::fs::mknodat(
            rustix::fs::CWD,
            dir.join("pipe"),
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let e = CredentialFile::parse_str(&spec, "pipe", &opts).unwrap_err();
        assert_eq!(e.message, "argument 'a' is not a file: pipe");
        // A symlink is followed, as in the reference.
        std::os::unix::fs::symlink(dir.join("creds.txt"), dir.join("link.txt")).unwrap();
        assert!(CredentialFile::parse_str(&spec, "link.txt", &opts).is_ok());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------- ip_address / cidr

#[test]
fn ip_address_is_strict() {
    assert_eq!(
        ok::<IpAddress>(&NONE, "192.0.2.1").get(),
        "192.0.2.1".parse::<IpAddr>().unwrap()
    );
    assert_eq!(
        ok::<IpAddress>(&NONE, "2001:DB8::1").to_string(),
        "2001:DB8::1"
    );
    for s in [
        "",
        "01.2.3.4",
        "256.0.0.1",
        "1.2.3",
        "fe80::1%eth0",
        "[::1]",
        "localhost",
        "1.2.3.4/32",
    ] {
        let e = err::<IpAddress>(&NONE, s);
        assert_eq!(
            (e.rule, e.message.as_str()),
            (Rule::IpAddress, "argument 'a' is not a valid IP address"),
            "{s:?}"
        );
    }
}

#[test]
fn cidr_v4_and_v6() {
    let c = ok::<Cidr>(&NONE, "10.0.0.1/24");
    assert_eq!(c.network().to_string(), "10.0.0.0/24");
    assert!(c.contains(&"10.0.0.200".parse().unwrap()));
    assert!(!c.contains(&"10.0.1.1".parse().unwrap()));
    assert!(c.contains_net(&"10.0.0.128/25".parse().unwrap()));
    assert_eq!(ok::<Cidr>(&NONE, "2001:db8::/32").get().prefix_len(), 32);
    assert_eq!(ok::<Cidr>(&NONE, "0.0.0.0/0").to_string(), "0.0.0.0/0");
    let cases: &[(&str, &str)] = &[
        (
            "10.0.0.0",
            "argument 'a' is not valid CIDR notation (e.g. 10.0.0.0/24)",
        ),
        (
            "10.0.0.0/",
            "argument 'a' is not valid CIDR notation (e.g. 10.0.0.0/24)",
        ),
        (
            "host/24",
            "argument 'a' is not valid CIDR notation (e.g. 10.0.0.0/24)",
        ),
        (
            "999.0.0.0/8",
            "argument 'a' has invalid IPv4 address in CIDR",
        ),
        (
            "2001:zz::/32",
            "argument 'a' has invalid IPv6 address in CIDR",
        ),
        ("10.0.0.0/33", "argument 'a' CIDR prefix must be 0-32"),
        ("::/129", "argument 'a' CIDR prefix must be 0-128"),
        (
            "10.0.0.0/08",
            "argument 'a' CIDR prefix must not have leading zeros",
        ),
        (
            "2001:db8::/032",
            "argument 'a' CIDR prefix must not have leading zeros",
        ),
        (
            "10.0.0.0/00",
            "argument 'a' CIDR prefix must not have leading zeros",
        ),
        (
            "10.0.0.0/8/8",
            "argument 'a' is not valid CIDR notation (e.g. 10.0.0.0/24)",
        ),
    ];
    for (input, message) in cases {
        let e = err::<Cidr>(&NONE, input);
        assert_eq!(
            (e.rule, e.message.as_str()),
            (Rule::Cidr, *message),
            "{input:?}"
        );
    }
}

// ---------------------------------------------------------------- msf_options

#[test]
fn msf_options_both_forms() {
    let v = ok::<MsfOptions>(&NONE, "set RHOSTS 10.0.0.5; set RPORT 445");
    assert_eq!(
        v.iter().collect::<Vec<_>>(),
        vec![("RHOSTS", "10.0.0.5"), ("RPORT", "445")]
    );
    assert_eq!(v.to_string(), "set RHOSTS 10.0.0.5; set RPORT 445");
    let v = ok::<MsfOptions>(&NONE, "RHOSTS 10.0.0.5;LPORT 4444");
    assert_eq!(v.len(), 2);
    let v = ok::<MsfOptions>(&NONE, "USER_AGENT Mozilla 5.0 'x' #1");
    assert_eq!(v.iter().next(), Some(("USER_AGENT", "Mozilla 5.0 'x' #1")));
}

#[test]
fn msf_options_keys_are_case_insensitive_and_restrictable() {
    let v = ok::<MsfOptions>(&NONE, "rhosts 10.0.0.5; Set rport 445");
    assert_eq!(
        v.iter().collect::<Vec<_>>(),
        vec![("RHOSTS", "10.0.0.5"), ("RPORT", "445")]
    );
    let keys = |k: &[&'static str]| Constraints {
        allowed_keys: Some(k.iter().map(|s| Str::from(*s)).collect::<Vec<_>>().into()),
        ..NONE
    };
    let c = keys(&["RHOSTS", "RPORT"]);
    assert_eq!(ok::<MsfOptions>(&c, "rhosts 10.0.0.5").len(), 1);
    let e = err::<MsfOptions>(&c, "RHOSTS 10.0.0.5; LHOST 10.0.0.9");
    assert_eq!(
        (e.rule, e.message.as_str()),
        (
            Rule::MsfOptions,
            "argument 'a' msf_options: key 'LHOST' is not allowed (allowed: RHOSTS, RPORT)"
        )
    );
    // A dangerous key is refused even when a list is set without it...
    let e = err::<MsfOptions>(&c, "AutoRunScript x");
    assert_eq!(e.rule, Rule::MsfOptions);
    assert!(e.message.contains("not allowed"), "{}", e.message);
    // ... and accepted when the manifest lists it.
    let c = keys(&["RHOSTS", "CMD"]);
    let v = ok::<MsfOptions>(&c, "cmd id");
    assert_eq!(v.iter().next(), Some(("CMD", "id")));
    // JSON goes through the same rule.
    let e = jerr::<MsfOptions>(&NONE, json!("AUTORUNSCRIPT multi_console_command -c id"));
    assert_eq!(e.rule, Rule::MsfOptions);
}

#[test]
fn msf_options_refusals() {
    let cases: &[(&str, Rule, &str)] = &[
        (
            "",
            Rule::Empty,
            "argument 'a' msf_options: must not be empty",
        ),
        (
            ";",
            Rule::MsfOptions,
            "argument 'a' msf_options: empty option between ';' separators",
        ),
        (
            "A 1;;B 2",
            Rule::MsfOptions,
            "argument 'a' msf_options: empty option between ';' separators",
        ),
        (
            "RHOSTS",
            Rule::MsfOptions,
            "argument 'a' msf_options: invalid pair 'RHOSTS' (expected 'KEY VALUE')",
        ),
        (
            "1X 1",
            Rule::MsfOptions,
            "argument 'a' msf_options: invalid key '1X' (a key is letters, digits and '_', starting with a letter)",
        ),
        (
            "X-Y 1",
            Rule::MsfOptions,
            "argument 'a' msf_options: invalid key 'X-Y' (a key is letters, digits and '_', starting with a letter)",
        ),
        (
            "SET AUTORUNSCRIPT x",
            Rule::MsfOptions,
            "argument 'a' msf_options: key 'AUTORUNSCRIPT' is refused: it runs a script or console commands on every session that opens; a manifest allows it only by listing it in `allowed_keys`",
        ),
        (
            "SETG AUTORUNSCRIPT x",
            Rule::MsfOptions,
            "argument 'a' msf_options: invalid key 'SETG' (it is a console command, not an option)",
        ),
        (
            "RHOSTS 1.2.3.4; unset RHOSTS",
            Rule::MsfOptions,
            "argument 'a' msf_options: invalid key 'unset' (it is a console command, not an option)",
        ),
        (
            "RHOSTS 1.2.3.4; rhosts 5.6.7.8",
            Rule::MsfOptions,
            "argument 'a' msf_options: key 'RHOSTS' is set twice (keys are case-insensitive)",
        ),
        (
            "InitialAutoRunScript post/x",
            Rule::MsfOptions,
            "argument 'a' msf_options: key 'INITIALAUTORUNSCRIPT' is refused: it runs a script or console commands on every session that opens; a manifest allows it only by listing it in `allowed_keys`",
        ),
        (
            "set cmd id",
            Rule::MsfOptions,
            "argument 'a' msf_options: key 'CMD' is refused: it is a shell command that command payloads and modules execute; a manifest allows it only by listing it in `allowed_keys`",
        ),
        (
            "Payload cmd/unix/reverse",
            Rule::MsfOptions,
            "argument 'a' msf_options: key 'PAYLOAD' is refused: it chooses the code run on the target (manifests give the payload its own, checked argument); a manifest allows it only by listing it in `allowed_keys`",
        ),
        (
            "USER id|sh",
            Rule::Injection,
            "argument 'a' msf_options: value contains disallowed character '|'",
        ),
        (
            "USER $(id)",
            Rule::Injection,
            "argument 'a' msf_options: value contains disallowed character '$'",
        ),
        (
            "USER a\tb",
            Rule::Injection,
            "argument 'a' msf_options: value contains disallowed character '\\t'",
        ),
        (
            " A 1",
            Rule::Whitespace,
            "argument 'a' must not contain leading or trailing whitespace",
        ),
    ];
    for (input, rule, message) in cases {
        let e = err::<MsfOptions>(&NONE, input);
        assert_eq!((e.rule, e.message.as_str()), (*rule, *message), "{input:?}");
    }
}

// ---------------------------------------------------------------- duration

#[test]
fn duration_forms_and_seconds() {
    let cases = [
        ("30", "30", 30_000),
        ("5m", "300", 300_000),
        ("2h", "7200", 7_200_000),
        ("1h30m", "5400", 5_400_000),
        ("1m30s500ms", "90.5", 90_500),
        ("500ms", "0.5", 500),
        ("1500ms", "1.5", 1500),
        ("1s5ms", "1.005", 1005),
        ("0h5m", "300", 300_000),
        ("007", "7", 7000),
    ];
    for (input, secs, ms) in cases {
        let d = ok::<Duration>(&NONE, input);
        assert_eq!(
            (d.to_string(), d.millis(), d.as_str()),
            (secs.to_string(), ms, input),
            "{input}"
        );
        assert_eq!(d.get(), std::time::Duration::from_millis(ms));
    }
    assert_eq!(ok::<Duration>(&NONE, "1m30s").seconds(), 90.0);
    assert_eq!(ok::<Duration>(&NONE, "5m").to_json(), json!("5m"));
}

#[test]
fn duration_refusals() {
    for s in [
        "1d", "1.5h", "5m30", "1m1h", "1h1h", "-5", "+30", "h", "5 m", "ms", "1sms",
    ] {
        let e = err::<Duration>(&NONE, s);
        assert_eq!(e.rule, Rule::Duration, "{s:?}");
        assert!(
            e.message.starts_with(
                "argument 'a' is not a valid duration (e.g. '30', '5m', '2h', '1h30m', '500ms')"
            ),
            "{}",
            e.message
        );
    }
    for s in ["0", "0s", "0h0m0s0ms"] {
        let e = err::<Duration>(&NONE, s);
        assert_eq!(
            (e.rule, e.message.as_str()),
            (
                Rule::Duration,
                "argument 'a' duration must be greater than zero"
            ),
            "{s:?}"
        );
    }
    assert_eq!(err::<Duration>(&NONE, "").rule, Rule::Empty);
    assert_eq!(err::<Duration>(&NONE, "30\n").rule, Rule::Whitespace);
    assert!(
        err::<Duration>(&NONE, "99999999999999999999")
            .message
            .ends_with("the duration is too large")
    );
    assert!(
        err::<Duration>(&NONE, "9999999999999999h")
            .message
            .ends_with("the duration is too large")
    );
}

// ---------------------------------------------------------------- regex_match

#[test]
fn regex_match_rules() {
    let c = pattern(r"exploit/[a-z_/]+");
    assert_eq!(
        ok::<RegexMatch>(&c, "exploit/windows/smb").to_string(),
        "exploit/windows/smb"
    );
    let e = err::<RegexMatch>(&c, "auxiliary/x");
    assert_eq!(e.rule, Rule::Pattern);
    assert_eq!(
        e.message,
        "argument 'a' does not match required pattern 'exploit/[a-z_/]+'"
    );
    assert_eq!(err::<RegexMatch>(&c, "exploit/x; id").rule, Rule::Injection);
    assert_eq!(err::<RegexMatch>(&c, "exploit/x ").rule, Rule::Whitespace);
    assert_eq!(
        err::<RegexMatch>(&pattern(".*"), "-x").rule,
        Rule::OptionLike
    );
    let e = err::<RegexMatch>(&NONE, "x");
    assert_eq!(
        (e.rule, e.message.as_str()),
        (
            Rule::Pattern,
            "argument 'a' is type 'regex_match' but has no 'pattern' field"
        )
    );
    // A prechecked (static) pattern that fails to compile matches nothing.
    static BAD: Pattern = Pattern::prechecked("(");
    let c = Constraints {
        pattern: Some(BAD.clone()),
        ..NONE
    };
    assert_eq!(err::<RegexMatch>(&c, "x").rule, Rule::Pattern);
}

#[test]
fn manifest_perl_classes_are_ascii_for_string_and_regex_match() {
    let ports = pattern(r"\d{1,5}");
    assert_eq!(ok::<RegexMatch>(&ports, "8080").to_string(), "8080");
    assert_eq!(err::<RegexMatch>(&ports, "١٢٣").rule, Rule::Pattern);
    assert_eq!(err::<Text>(&ports, "١٢٣").rule, Rule::Pattern);
    let words = pattern(r"\w+(\s\w+)?");
    assert_eq!(ok::<Text>(&words, "abc_1 x").to_string(), "abc_1 x");
    assert_eq!(err::<Text>(&words, "café").rule, Rule::Pattern);
    assert_eq!(err::<Text>(&words, "a\u{a0}b").rule, Rule::Pattern);
}

// ---------------------------------------------------------------- dynamic Value

#[test]
fn dynamic_value_dispatches_on_kind() {
    let spec = ArgSpec::new("a", &NONE);
    let v = Value::parse_str(&spec, &TypeKind::Port, "0443", &OPTS).unwrap();
    assert_eq!(
        (v.kind(), v.to_string(), v.to_json()),
        (TypeKind::Port, "443".to_string(), json!(443))
    );
    let v = Value::parse_json(&spec, &TypeKind::Boolean, &json!(true), &OPTS).unwrap();
    assert_eq!(serde_json::to_value(&v).unwrap(), json!(true));
    let v = Value::parse_str(&spec, &TypeKind::Duration, "2m", &OPTS).unwrap();
    assert_eq!(
        (v.to_string(), v.to_json()),
        ("120".to_string(), json!("2m"))
    );
    let e = Value::parse_str(&spec, &TypeKind::ScopeTarget, "*.x.com", &OPTS).unwrap_err();
    assert_eq!(e.rule, Rule::ScopeTarget);
    let ext = TypeKind::Extern {
        rust_path: Str::Borrowed("::my::CsvPath"),
    };
    let e = Value::parse_str(&spec, &ext, "x", &OPTS).unwrap_err();
    assert_eq!(e.rule, Rule::Unsupported);
    assert_eq!(
        e.message,
        "argument 'a' has a user type (::my::CsvPath) that only generated code can validate"
    );
}

#[test]
fn every_builtin_round_trips_through_json() {
    let c = Constraints {
        pattern: Some(Pattern::new(".*").unwrap()),
        allowed: Some(Cow::Owned(vec![Str::Borrowed("x")])),
        ..NONE
    };
    let spec = ArgSpec::new("a", &c);
    let samples = [
        ("string", "hello"),
        ("integer", "42"),
        ("number", "1.5"),
        ("port", "8080"),
        ("boolean", "true"),
        ("enum", "x"),
        ("scope_target", "10.0.0.0/8"),
        ("url", "https://example.com/"),
        ("path", "a/b"),
        ("ip_address", "::1"),
        ("cidr", "10.0.0.0/8"),
        ("msf_options", "RHOSTS 1.2.3.4"),
        ("duration", "1h"),
        ("regex_match", "anything"),
    ];
    for (ty, input) in samples {
        let kind = TypeKind::builtin(ty).unwrap();
        let v = Value::parse_str(&spec, &kind, input, &OPTS).unwrap();
        assert_eq!(v.kind(), kind);
        let back = Value::parse_json(&spec, &kind, &v.to_json(), &OPTS).unwrap();
        assert_eq!(back, v, "{ty}");
        assert_eq!(serde_json::to_value(&v).unwrap(), v.to_json(), "{ty}");
    }
}

#[test]
fn errors_render_for_llms() {
    let e = err::<Port>(&NONE, "70000");
    assert_eq!(
        e.for_llm(),
        "a: port (got \"70000\"); expected a port number from 1 to 65535. argument 'a' port must be 1-65535"
    );
}

// ---------------------------------------------------------------- issue 11, class 5

/// `path` and `credential_file` refuse text a tool reads as a URL, a coder or another
/// host: any `:` before the first `/` or `\`.
#[test]
fn path_refuses_scheme_and_host_prefixes() {
    let prefixed = [
        "file:///etc/passwd",
        "file:x",
        "text:/etc/x",
        "ext::sh -c id",
        "host:/path",
        "user@host:path",
        "host:",
        "a+b.c-d:rest",
        "git@github.com:o/r.git",
        "rsync:x\\y",
        "ftp:",
        "xy:\\z",
        "ab:c/d",
    ];
    for s in prefixed {
        let e = err::<RelPath>(&NONE, s);
        assert_eq!(e.rule, Rule::AbsolutePath, "{s:?}: {e}");
        assert!(
            e.message.contains("URL scheme or a host prefix"),
            "{s:?}: {}",
            e.message
        );
    }
    // A ':' after the first separator is a plain file name character.
    for s in ["a/b:c", "dir/x:y:z", "a\\b:c", "reports/12:00.txt"] {
        assert_eq!(ok::<RelPath>(&NONE, s).to_string(), s);
    }
    // The same rule through JSON and the dynamic value.
    assert_eq!(
        jerr::<RelPath>(&NONE, json!("host:/etc")).rule,
        Rule::AbsolutePath
    );
    let spec = ArgSpec::new("a", &NONE);
    let e = Value::parse_str(&spec, &TypeKind::Path, "file:/etc/passwd", &OPTS).unwrap_err();
    assert_eq!(e.rule, Rule::AbsolutePath);

    // credential_file: refused even when a file of that name exists.
    let dir = std::env::temp_dir().join(format!("cladgen-cred-colon-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("host:creds"), "u:p").unwrap();
    std::fs::write(dir.join("ok.txt"), "u:p").unwrap();
    let opts = ParseOptions {
        credential_base: Some(dir.clone()),
    };
    let e = CredentialFile::parse_str(&spec, "host:creds", &opts).unwrap_err();
    assert_eq!(e.rule, Rule::AbsolutePath, "{e}");
    let e = CredentialFile::parse_str(&spec, "file:ok.txt", &opts).unwrap_err();
    assert_eq!(e.rule, Rule::AbsolutePath, "{e}");
    assert!(CredentialFile::parse_str(&spec, "ok.txt", &opts).is_ok());
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------- issue 11, class 7

/// Format (Cf) characters and default-ignorable code points that are not in the
/// reference's set, one from each family.
const INVISIBLE_SAMPLES: [char; 16] = [
    '\u{ad}',    // soft hyphen
    '\u{34f}',   // combining grapheme joiner
    '\u{600}',   // Arabic number sign
    '\u{115f}',  // Hangul choseong filler
    '\u{17b4}',  // Khmer vowel inherent
    '\u{180e}',  // Mongolian vowel separator
    '\u{1bca0}', // shorthand format letter overlap
    '\u{3164}',  // Hangul filler
    '\u{fe0f}',  // variation selector 16
    '\u{ffa0}',  // halfwidth Hangul filler
    '\u{fff9}',  // interlinear annotation anchor
    '\u{110bd}', // Kaithi number sign
    '\u{1d173}', // musical symbol begin beam
    '\u{e0001}', // language tag
    '\u{e0041}', // tag latin capital letter a
    '\u{e01ef}', // variation selector 256
];

#[test]
fn free_text_types_refuse_every_format_and_default_ignorable_character() {
    let dir = std::env::temp_dir().join(format!("cladgen-cred-cf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cred_opts = ParseOptions {
        credential_base: Some(dir.clone()),
    };
    let any = pattern(".*");
    for c in INVISIBLE_SAMPLES {
        let text = format!("ab{c}cd");
        let code = format!("U+{:04X}", u32::from(c));
        let check = |e: ArgError, what: &str| {
            assert_eq!(e.rule, Rule::Injection, "{what} {code}: {e}");
            assert!(e.message.contains(&code), "{what}: {}", e.message);
        };
        check(err::<Text>(&NONE, &text), "string");
        check(jerr::<Text>(&NONE, json!(text)), "string json");
        check(err::<RegexMatch>(&any, &text), "regex_match");
        check(err::<RelPath>(&NONE, &text), "path");
        check(
            err::<MsfOptions>(&NONE, &format!("RHOSTS {text}")),
            "msf_options",
        );
        // The file exists: only the character is wrong.
        std::fs::write(dir.join(&text), "x").unwrap();
        let spec = ArgSpec::new("a", &NONE);
        check(
            CredentialFile::parse_str(&spec, &text, &cred_opts).unwrap_err(),
            "credential_file",
        );
        let e = Value::parse_str(&spec, &TypeKind::String, &text, &OPTS).unwrap_err();
        check(e, "dynamic string");
        // Messages never carry the character itself.
        assert!(!cladgen_core::value::shown(&text).contains(c));
    }
    // Visible non-ASCII text still passes.
    for s in ["é 日本", "naïve", "Ω≈ç√", "emoji 😀", "\u{a0}x"] {
        assert_eq!(ok::<Text>(&NONE, s).to_string(), s);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------- issue 11, class 11

fn json_number(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

/// Only what fits exactly: no saturation at the i64 edges, no float that merely
/// rounds to an integer or a port.
#[test]
fn integers_and_ports_refuse_what_does_not_fit_exactly() {
    assert_eq!(
        jok::<Integer>(&NONE, json_number("-9223372036854775808")).get(),
        i64::MIN
    );
    assert_eq!(
        jok::<Integer>(&NONE, json_number("9223372036854775807")).get(),
        i64::MAX
    );
    for text in [
        "-9223372036854775809",
        "-9223372036854775808.0",
        "-1e19",
        "9223372036854775808",
        "9223372036854775807.5",
        "18446744073709551616",
        "1.0000000000000002",
        "1.00000000000000001",
        "3.0",
        "1e2",
        "-0.0",
    ] {
        let e = jerr::<Integer>(&NONE, json_number(text));
        assert_eq!(e.rule, Rule::Integer, "{text}: {e}");
        // Clamping never turns an unrepresentable value into a bound.
        let e = jerr::<Integer>(&bounds(Some(-5), Some(5), true), json_number(text));
        assert_eq!(e.rule, Rule::Integer, "{text} (clamp): {e}");
    }
    let e = jerr::<Integer>(&NONE, json_number("3.0"));
    assert!(e.message.contains("without a fraction or exponent"), "{e}");
    for text in ["65535.000000000001", "443.0", "1.0000000000000002", "80e0"] {
        let e = jerr::<Port>(&NONE, json_number(text));
        assert_eq!(e.rule, Rule::Port, "{text}: {e}");
        let e = jerr::<Port>(&bounds(Some(1), Some(100), true), json_number(text));
        assert_eq!(e.rule, Rule::Port, "{text} (clamp): {e}");
    }
    assert_eq!(jok::<Port>(&NONE, json!(65535)).get(), 65535);
    // The text path keeps the same rules.
    for text in ["-9223372036854775809", "9223372036854775808", "3.0", "1e2"] {
        assert_eq!(err::<Integer>(&NONE, text).rule, Rule::Integer, "{text}");
    }
    assert_eq!(err::<Port>(&NONE, "65535.000000000001").rule, Rule::Port);
    // And the dynamic value.
    let spec = ArgSpec::new("a", &NONE);
    let e = Value::parse_json(
        &spec,
        &TypeKind::Integer,
        &json_number("-9223372036854775809"),
        &OPTS,
    )
    .unwrap_err();
    assert_eq!(e.rule, Rule::Integer);
}

/// A `number` argv element is a plain decimal of at most NUMBER_MAX_CHARS
/// characters: `1e300` is refused, not turned into 301 digits.
#[test]
fn number_argv_form_is_bounded() {
    use cladgen_core::value::NUMBER_MAX_CHARS;
    for text in [
        "1e300",
        "-1e300",
        "1e-300",
        "1.7976931348623157e308",
        "5e-324",
        "1e40",
    ] {
        let e = err::<Number>(&NONE, text);
        assert_eq!(e.rule, Rule::Number, "{text}: {e}");
        assert!(e.message.contains("characters long"), "{text}: {e}");
        let e = jerr::<Number>(&NONE, json_number(text));
        assert_eq!(e.rule, Rule::Number, "{text} (json): {e}");
    }
    for (text, shown) in [
        ("1e20", "100000000000000000000"),
        ("1e-20", "0.00000000000000000001"),
        ("6.02e23", "602000000000000000000000"),
        (
            "-1.2345678901234567e-20",
            "-0.000000000000000000012345678901234567",
        ),
        ("0.30000000000000004", "0.30000000000000004"),
    ] {
        let v = ok::<Number>(&NONE, text);
        assert_eq!(v.to_string(), shown, "{text}");
        assert!(v.to_string().len() <= NUMBER_MAX_CHARS);
        assert_eq!(jok::<Number>(&NONE, json_number(text)).to_string(), shown);
    }
    // Every accepted value's argv form obeys the limit, around the edge too.
    for exp in -60..=60 {
        for mantissa in ["1", "9.999999999999999", "1.2345678901234567"] {
            let text = format!("{mantissa}e{exp}");
            if let Ok(v) = Number::parse_str(&ArgSpec::new("a", &NONE), &text, &OPTS) {
                assert!(v.to_string().len() <= NUMBER_MAX_CHARS, "{text} -> {v}");
                assert!(!v.to_string().contains('e'), "{text} -> {v}");
            }
        }
    }
    // A clamp to a huge bound is refused the same way.
    let c = Constraints {
        min_float: Some(1e300),
        clamp: true,
        ..NONE
    };
    assert_eq!(err::<Number>(&c, "1").rule, Rule::Number);
}

// ---------------------------------------------------------------- issue 11, class 2

/// `negative_is_option` (set by the loader where a number can start an argv element)
/// refuses negative integers and numbers on every path, unless
/// `allow_option_values`.
#[test]
fn negative_numbers_are_refused_where_they_would_be_options() {
    let lead = Constraints {
        negative_is_option: true,
        ..NONE
    };
    for s in ["-9", "-1", "-9223372036854775808"] {
        assert_eq!(err::<Integer>(&lead, s).rule, Rule::OptionLike, "{s}");
    }
    assert_eq!(jerr::<Integer>(&lead, json!(-9)).rule, Rule::OptionLike);
    for s in ["-9", "-0.5", "-1e-5"] {
        assert_eq!(err::<Number>(&lead, s).rule, Rule::OptionLike, "{s}");
    }
    assert_eq!(jerr::<Number>(&lead, json!(-0.5)).rule, Rule::OptionLike);
    let e = err::<Integer>(&lead, "-9");
    assert!(e.message.contains("allow_option_values = true"), "{e}");
    // Zero (also written -0) and positive values pass.
    assert_eq!(ok::<Integer>(&lead, "-0").get(), 0);
    assert_eq!(ok::<Number>(&lead, "-0").get(), 0.0);
    assert_eq!(ok::<Integer>(&lead, "9").get(), 9);
    // A clamp into the negatives is refused as well.
    let clamped = Constraints {
        min: Some(-5),
        max: Some(-1),
        clamp: true,
        ..lead.clone()
    };
    assert_eq!(err::<Integer>(&clamped, "7").rule, Rule::OptionLike);
    // The dynamic value applies the same rule.
    let spec = ArgSpec::new("a", &lead);
    for kind in [TypeKind::Integer, TypeKind::Number] {
        let e = Value::parse_json(&spec, &kind, &json!(-3), &OPTS).unwrap_err();
        assert_eq!(e.rule, Rule::OptionLike, "{kind:?}");
    }
    // Explicitly allowed, or not in a leading position: negative values are data.
    let allowed = Constraints {
        allow_option_values: true,
        ..lead
    };
    assert_eq!(ok::<Integer>(&allowed, "-9").get(), -9);
    assert_eq!(ok::<Number>(&allowed, "-0.5").get(), -0.5);
    assert_eq!(ok::<Integer>(&NONE, "-9").get(), -9);
}

// ---------------------------------------------------------------- call JSON text

#[test]
fn call_json_text_refuses_duplicate_keys_at_any_depth() {
    use cladgen_core::value::parse_call_json;
    let v = parse_call_json(r#"{"a": 1, "b": {"c": [1, {"d": 2}]}}"#).unwrap();
    assert_eq!(v, json!({"a": 1, "b": {"c": [1, {"d": 2}]}}));
    let e = parse_call_json(r#"{"target": "a", "target": "b"}"#).unwrap_err();
    let e = e.iter().next().unwrap();
    assert_eq!((e.arg.as_str(), e.rule), ("target", Rule::DuplicateKey));
    assert_eq!(
        e.message,
        "argument 'target' is given more than once in the call; give each argument once"
    );
    let e = parse_call_json(r#"{"a": [{"k": 1, "k": 2}]}"#).unwrap_err();
    let e = e.iter().next().unwrap();
    assert_eq!((e.arg.as_str(), e.rule), ("arguments", Rule::DuplicateKey));
    // Escaped keys are the same key once decoded.
    let e = parse_call_json(r#"{"x": 1, "\u0078": 2}"#).unwrap_err();
    assert_eq!(e.iter().next().unwrap().rule, Rule::DuplicateKey);
    // A hostile duplicate key is escaped and cut in the error.
    let key = format!("k\n{}", "z".repeat(500));
    let e = parse_call_json(&format!(r#"{{"{key}": 1, "{key}": 2}}"#)).unwrap_err();
    let e = e.iter().next().unwrap();
    assert!(
        !e.message.contains('\n') && !e.arg.contains('\n'),
        "{}",
        e.message
    );
    assert!(e.arg.chars().count() <= 201, "{}", e.arg.len());
    let e = parse_call_json("[1, 2").unwrap_err();
    assert_eq!(e.iter().next().unwrap().rule, Rule::JsonType);
}

#[test]
fn unknown_argument_names_are_escaped_and_cut() {
    let key = format!("x\u{202e}\n{}", "y".repeat(1000));
    let e = ArgError::unknown(&key, &["target", "port"]);
    assert!(
        !e.arg.contains('\n') && !e.arg.contains('\u{202e}'),
        "{:?}",
        e.arg
    );
    assert!(
        e.arg.contains("U+202E") && e.arg.contains("\\n"),
        "{:?}",
        e.arg
    );
    assert!(e.arg.chars().count() <= 220);
    assert!(e.message.len() < 300, "{}", e.message);
    assert!(e.message.ends_with("declared arguments are: target, port"));
}
