//! Project scope: the reference's `scope_vectors.json` (every group), containment of
//! whole ranges, exclusions, host normalisation, and both `scope.toml` shapes.

use cladgen_core::model::Constraints;
use cladgen_core::scope::{Scope, ScopeEntry, ScopeError, ScopeViolation};
use cladgen_core::value::{ArgSpec, ArgValue, ParseOptions, Rule, ScopeTarget, Url};
use serde_json::Value as Json;
use std::path::PathBuf;

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: {} is absent; skipping corpus-based checks",
            dir.display()
        );
        None
    }
}

fn target(s: &str) -> Result<ScopeTarget, cladgen_core::value::ArgError> {
    ScopeTarget::parse_str(
        &ArgSpec::new("target", &Constraints::NONE),
        s,
        &ParseOptions::DEFAULT,
    )
}

fn url(s: &str) -> Url {
    Url::parse_str(
        &ArgSpec::new("url", &Constraints::NONE),
        s,
        &ParseOptions::DEFAULT,
    )
    .unwrap()
}

fn scope(targets: &[&str], excluded: &[&str]) -> Scope {
    Scope::new(targets, excluded).unwrap()
}

fn field<'a>(case: &'a Json, key: &str) -> &'a str {
    case.get(key)
        .and_then(Json::as_str)
        .unwrap_or_else(|| panic!("vector without '{key}': {case}"))
}

fn expected(case: &Json, key: &str) -> bool {
    case.get(key)
        .and_then(Json::as_bool)
        .unwrap_or_else(|| panic!("vector without '{key}': {case}"))
}

#[test]
fn scope_vectors_json() {
    let Some(dir) = corpus() else { return };
    let path = dir.join("toolclad-examples/scope_vectors.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("note: {} is absent; skipping", path.display());
        return;
    };
    let doc: Json = serde_json::from_str(&text).unwrap();
    let vectors = doc["vectors"].as_object().unwrap();
    let mut ran = 0;
    for (group, cases) in vectors {
        for case in cases.as_array().unwrap() {
            let note = case.get("note").and_then(Json::as_str).unwrap_or("");
            match group.as_str() {
                "ipv4_in_cidr" | "ipv6_in_cidr" => {
                    let s = scope(&[field(case, "cidr")], &[]);
                    let ip = field(case, "ip").parse().unwrap();
                    assert_eq!(
                        s.check_ip(ip).is_ok(),
                        expected(case, "expected"),
                        "{group}: {case}"
                    );
                    // The same through a validated scope_target.
                    let t = target(field(case, "ip")).unwrap();
                    assert_eq!(
                        s.check_target(&t).is_ok(),
                        expected(case, "expected"),
                        "{note}"
                    );
                }
                "hostname_wildcard_match" => {
                    let s = scope(&[field(case, "pattern")], &[]);
                    let host = field(case, "hostname");
                    assert_eq!(
                        s.check_host(host).is_ok(),
                        expected(case, "expected"),
                        "{group}: {case}"
                    );
                }
                "scope_target_validation" => {
                    let value = field(case, "value");
                    assert_eq!(
                        target(value).is_ok(),
                        expected(case, "valid"),
                        "{group}: {case}"
                    );
                }
                "url_scope_check" => {
                    let hosts: Vec<&str> = case["allowed_hosts"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|h| h.as_str().unwrap())
                        .collect();
                    let s = scope(&hosts, &[]);
                    let u = url(field(case, "url"));
                    assert_eq!(
                        s.check_url_host(&u).is_ok(),
                        expected(case, "expected"),
                        "{group}: {case}"
                    );
                }
                other => panic!("unknown vector group {other}: add it to this test"),
            }
            ran += 1;
        }
    }
    assert_eq!(ran, 31, "every vector must run");
}

#[test]
fn wildcards_case_and_trailing_dots() {
    let s = scope(&["*.Example.com", "api.test.org."], &[]);
    assert!(s.check_host("APP.example.COM").is_ok());
    assert!(s.check_host("app.example.com.").is_ok());
    assert!(s.check_host("a.b.example.com").is_ok());
    assert!(s.check_host("api.test.org").is_ok());
    assert!(s.check_host("API.TEST.ORG.").is_ok());
    assert_eq!(
        s.check_host("example.com"),
        Err(ScopeViolation::NotInScope {
            target: "example.com".into()
        })
    );
    assert!(s.check_host("evilexample.com").is_err());
    assert!(s.check_host("x.test.org").is_err());
    // Text that is not a host name never matches a suffix.
    assert!(matches!(
        s.check_host("evil.com/.example.com"),
        Err(ScopeViolation::InvalidHost { .. })
    ));
    assert!(matches!(
        s.check_host("1.2.3"),
        Err(ScopeViolation::InvalidHost { .. })
    ));
}

#[test]
fn url_tricks_cannot_change_the_host() {
    let s = scope(&["*.example.com"], &[]);
    assert!(s.check_url_host(&url("https://app.example.com/x")).is_ok());
    for u in [
        "https://evil.com?.example.com",
        "https://evil.com#.example.com",
        "https://evil.com/.example.com",
        "https://app.example.com.evil.com/",
    ] {
        assert!(s.check_url_host(&url(u)).is_err(), "{u}");
    }
    // Userinfo is refused by the url type itself.
    let e = Url::parse_str(
        &ArgSpec::new("url", &Constraints::NONE),
        "https://app.example.com:x@evil.com/",
        &ParseOptions::DEFAULT,
    )
    .unwrap_err();
    assert_eq!(e.rule, Rule::Url);
    // IP hosts go to the network entries.
    let s = scope(&["10.0.0.0/8"], &[]);
    assert!(s.check_url_host(&url("http://10.1.2.3:8080/")).is_ok());
    assert!(s.check_url_host(&url("http://11.1.2.3/")).is_err());
}

#[test]
fn cidr_containment_uses_the_whole_range() {
    let s = scope(&["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"], &[]);
    let net = |t: &str| t.parse().unwrap();
    assert!(s.check_cidr(&net("10.0.1.0/24")).is_ok());
    assert!(s.check_cidr(&net("10.0.1.128/25")).is_ok());
    // Network address inside, range outside.
    assert!(s.check_cidr(&net("10.0.1.0/16")).is_err());
    assert!(s.check_cidr(&net("10.0.0.0/8")).is_err());
    // Adjacent entries merge: 10.0.2.0/23 is 10.0.2.0/24 + 10.0.3.0/24.
    assert!(s.check_cidr(&net("10.0.2.0/23")).is_ok());
    // Host bits set: checked as the range 10.0.1.0/24.
    let t = target("10.0.1.77/24").unwrap();
    assert!(s.check_target(&t).is_ok());
    let t = target("10.0.1.77/16").unwrap();
    assert!(s.check_target(&t).is_err());
}

#[test]
fn exclusions_win() {
    let s = scope(
        &["10.0.0.0/16", "*.example.com"],
        &["10.0.0.1", "10.0.100.0/24", "admin.example.com"],
    );
    assert!(s.check_ip("10.0.0.2".parse().unwrap()).is_ok());
    assert_eq!(
        s.check_ip("10.0.0.1".parse().unwrap()),
        Err(ScopeViolation::Excluded {
            target: "10.0.0.1".into(),
            rule: "10.0.0.1/32".into()
        })
    );
    assert!(s.check_ip("10.0.100.9".parse().unwrap()).is_err());
    // A range that overlaps an exclusion is refused, in either direction.
    assert!(matches!(
        s.check_cidr(&"10.0.0.0/24".parse().unwrap()),
        Err(ScopeViolation::Excluded { .. })
    ));
    assert!(s.check_cidr(&"10.0.100.0/25".parse().unwrap()).is_err());
    assert!(s.check_cidr(&"10.0.1.0/24".parse().unwrap()).is_ok());
    assert!(s.check_host("admin.example.com.").is_err());
    assert!(s.check_host("Admin.Example.com").is_err());
    assert!(s.check_host("www.example.com").is_ok());
    // IPv4-mapped IPv6 reaches the IPv4 host.
    assert!(s.check_ip("::ffff:10.0.0.1".parse().unwrap()).is_err());
    assert!(s.check_ip("::ffff:10.0.0.2".parse().unwrap()).is_ok());
}

#[test]
fn ipv4_mapped_exclusions_match_the_ipv4_hosts_they_name() {
    let s = scope(&["10.0.0.0/8", "2001:db8::/32"], &["::ffff:10.1.0.0/112"]);
    let v = s.check_ip("10.1.2.3".parse().unwrap()).unwrap_err();
    assert_eq!(
        v,
        ScopeViolation::Excluded {
            target: "10.1.2.3".into(),
            rule: "10.1.0.0/16".into()
        }
    );
    assert!(s.check_ip("::ffff:10.1.2.3".parse().unwrap()).is_err());
    assert!(s.check_ip("10.2.0.1".parse().unwrap()).is_ok());
    assert!(s.check_cidr(&"10.1.0.0/24".parse().unwrap()).is_err());
    assert!(s.check_cidr(&"10.0.0.0/8".parse().unwrap()).is_err());
    assert!(
        s.check_cidr(&"::ffff:10.1.0.0/120".parse().unwrap())
            .is_err()
    );
    assert!(s.check_cidr(&"10.2.0.0/16".parse().unwrap()).is_ok());
    // The issue's form, /104 = 10.0.0.0/8.
    let s = scope(&["10.0.0.0/8", "192.168.0.0/16"], &["::ffff:10.0.0.0/104"]);
    assert!(s.check_ip("10.9.9.9".parse().unwrap()).is_err());
    assert!(s.check_ip("192.168.1.1".parse().unwrap()).is_ok());
    let t = target("10.0.0.0/24").unwrap();
    assert!(s.check_target(&t).is_err());
    // An exclusion wider than the mapped block covers every IPv4 host too.
    let s = scope(&["0.0.0.0/0", "::/0"], &["::/64"]);
    assert!(s.check_ip("8.8.8.8".parse().unwrap()).is_err());
    assert!(s.check_cidr(&"8.8.0.0/16".parse().unwrap()).is_err());
    assert!(s.check_ip("2001:db8::1".parse().unwrap()).is_ok());
    // A mapped target names the IPv4 range.
    let s = scope(&["::ffff:192.168.0.0/112"], &[]);
    assert!(s.check_ip("192.168.3.4".parse().unwrap()).is_ok());
    assert!(s.check_ip("192.169.0.1".parse().unwrap()).is_err());
}

#[test]
fn violation_becomes_an_arg_error() {
    let s = scope(&["10.0.0.0/8"], &[]);
    let v = s.check_ip("192.168.1.1".parse().unwrap()).unwrap_err();
    let e = v.to_arg_error("target", "192.168.1.1");
    assert_eq!(e.rule, Rule::OutOfScope);
    assert_eq!(
        e.message,
        "argument 'target': '192.168.1.1' is not in the scope"
    );
    assert_eq!(e.value.as_deref(), Some("192.168.1.1"));
}

#[test]
fn invalid_entries_are_errors() {
    for bad in [
        "",
        "10.0.0.0/33",
        "ex*ample.com",
        "*",
        "*.",
        "a..b",
        "-x.com",
        "1.2.3",
        "999.1.1.1",
        "10.0.0.0/08",
        "2001:db8::/032",
    ] {
        assert!(
            matches!(
                Scope::new([bad], [""; 0]),
                Err(ScopeError::InvalidEntry { .. })
            ),
            "{bad:?}"
        );
    }
    assert_eq!(
        ScopeEntry::parse("10.0.1.5/24").unwrap(),
        ScopeEntry::Network("10.0.1.0/24".parse().unwrap())
    );
    assert_eq!(ScopeEntry::parse("*.A.com").unwrap().to_string(), "*.a.com");
}

#[cfg(feature = "scope-file")]
mod file {
    use super::*;

    #[test]
    fn list_shape() {
        let s = Scope::from_toml(
            r#"
[scope]
targets = ["10.0.1.0/24", "192.168.1.0/24"]
domains = ["example.com", "*.test.example.com"]
exclude = ["10.0.1.1"]
"#,
        )
        .unwrap();
        assert_eq!(s.targets().len(), 4);
        assert!(s.check_ip("10.0.1.2".parse().unwrap()).is_ok());
        assert!(s.check_ip("10.0.1.1".parse().unwrap()).is_err());
        assert!(s.check_host("a.test.example.com").is_ok());
        assert!(s.check_host("test.example.com").is_err());
        assert!(s.check_host("example.com").is_ok());
    }

    #[test]
    fn table_shape_with_metadata() {
        let s = Scope::from_toml(
            r#"
[engagement]
id = "x"

[[targets]]
cidr = "10.0.1.0/24"
description = "staging"
restrictions = ["recon_only"]

[[targets]]
domain = "*.corp.example"

[[excluded]]
cidr = "10.0.1.1/32"
reason = "router"
"#,
        )
        .unwrap();
        assert!(s.check_ip("10.0.1.9".parse().unwrap()).is_ok());
        assert!(s.check_ip("10.0.1.1".parse().unwrap()).is_err());
        assert!(s.check_host("db.corp.example").is_ok());
    }

    #[test]
    fn bad_files() {
        assert_eq!(
            Scope::from_toml("[engagement]\nid = 1\n"),
            Err(ScopeError::NoTargets)
        );
        assert_eq!(Scope::from_toml("[scope]\n"), Err(ScopeError::NoTargets));
        assert!(matches!(
            Scope::from_toml("[scope]\ntargetz = [\"10.0.0.0/8\"]\n"),
            Err(ScopeError::File(_))
        ));
        assert!(matches!(
            Scope::from_toml("[[targets]]\ndescription = \"no address\"\n"),
            Err(ScopeError::File(m)) if m.contains("exactly one of cidr, ip, host, domain")
        ));
        assert!(matches!(
            Scope::from_toml("[[targets]]\ncidr = \"10.0.0.0/8\"\nhost = \"x.com\"\n"),
            Err(ScopeError::File(_))
        ));
        assert!(matches!(
            Scope::from_toml("[[targets]]\ncidr = \"10.0.0.0/99\"\n"),
            Err(ScopeError::InvalidEntry { .. })
        ));
        assert!(matches!(
            Scope::from_toml("[scope"),
            Err(ScopeError::File(_))
        ));
        let e = Scope::load(std::path::Path::new("/nonexistent/scope.toml")).unwrap_err();
        assert!(matches!(e, ScopeError::Io { .. }));
    }

    #[test]
    fn corpus_scope_file() {
        let Some(dir) = corpus() else { return };
        let path = dir.join("symbi-redteam/scope/scope.toml");
        if !path.is_file() {
            eprintln!("note: {} is absent; skipping", path.display());
            return;
        }
        let s = Scope::load(&path).unwrap();
        assert_eq!((s.targets().len(), s.excluded().len()), (5, 3));
        assert!(s.check_ip("10.0.1.5".parse().unwrap()).is_ok());
        assert!(s.check_ip("172.17.0.2".parse().unwrap()).is_ok());
        assert!(s.check_ip("172.17.0.3".parse().unwrap()).is_err());
        assert!(s.check_cidr(&"10.0.2.0/24".parse().unwrap()).is_ok());
        assert!(s.check_cidr(&"10.0.0.0/16".parse().unwrap()).is_err());
        let t = target("10.10.0.7").unwrap();
        assert!(s.check_target(&t).is_ok());
    }
}
