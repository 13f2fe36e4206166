//! Shared inputs of the cladgen benchmarks.
//!
//! [`value_cases`] lists, per built-in type, the argument definition and typical
//! inputs (all accepted by both cladgen and the reference `toolclad` crate, so both
//! do their full work). The benches build the cladgen [`Constraints`] with
//! [`ValueCase::constraints`] and the reference's `ArgDef` from the same fields.

use cladgen_core::model::{Constraints, Pattern, Str, TypeKind};
use std::borrow::Cow;

/// One type to benchmark: its argument definition and inputs.
#[derive(Clone, Debug)]
pub struct ValueCase {
    /// Label in reports (`string+pattern` for the string case with a pattern).
    pub label: &'static str,
    /// The manifest type name.
    pub type_name: &'static str,
    /// `pattern`, written with explicit anchors so that the reference's unanchored
    /// search and cladgen's whole-value match accept the same inputs.
    pub pattern: Option<&'static str>,
    /// `allowed` (enum).
    pub allowed: Option<&'static [&'static str]>,
    /// `min`.
    pub min: Option<i64>,
    /// `max`.
    pub max: Option<i64>,
    /// The inputs, validated in turn in one benchmark iteration.
    pub inputs: &'static [&'static str],
}

impl ValueCase {
    /// The built-in type.
    pub fn kind(&self) -> TypeKind {
        TypeKind::builtin(self.type_name).unwrap_or(TypeKind::String)
    }

    /// The cladgen constraints for this case. Patterns are compiled here, once, as
    /// the loader does; validation then reuses them.
    pub fn constraints(&self) -> Constraints {
        Constraints {
            pattern: self.pattern.and_then(|p| Pattern::new(p.to_string()).ok()),
            allowed: self
                .allowed
                .map(|a| Cow::Owned(a.iter().map(|s| Str::Borrowed(s)).collect::<Vec<_>>())),
            min: self.min,
            max: self.max,
            ..Constraints::NONE
        }
    }
}

/// The credential file the `credential_file` case names (created by the bench in its
/// working directory).
pub const CREDENTIAL_FILE: &str = "cladgen-bench-credentials.txt";

const fn case(
    label: &'static str,
    type_name: &'static str,
    inputs: &'static [&'static str],
) -> ValueCase {
    ValueCase {
        label,
        type_name,
        pattern: None,
        allowed: None,
        min: None,
        max: None,
        inputs,
    }
}

/// One case per built-in type, plus `string` with a pattern.
pub fn value_cases() -> Vec<ValueCase> {
    vec![
        case(
            "string",
            "string",
            &[
                "hello world",
                "report-2024.txt",
                "a longer description of the target, 42",
            ],
        ),
        ValueCase {
            pattern: Some(r"^[A-Za-z0-9_.-]+$"),
            ..case(
                "string+pattern",
                "string",
                &["report_2024.txt", "abc", "node-17.internal"],
            )
        },
        ValueCase {
            min: Some(1),
            max: Some(100_000),
            ..case("integer", "integer", &["42", "65000", "7"])
        },
        ValueCase {
            min: Some(0),
            max: Some(10_000),
            ..case("number", "number", &["3.14", "1e3", "0.5"])
        },
        case("port", "port", &["443", "8080", "22"]),
        case("boolean", "boolean", &["true", "false"]),
        ValueCase {
            allowed: Some(&[
                "ping",
                "service",
                "version",
                "syn",
                "os_detect",
                "aggressive",
            ]),
            ..case("enum", "enum", &["syn", "aggressive", "ping"])
        },
        case(
            "scope_target",
            "scope_target",
            &[
                "10.0.1.1",
                "10.0.1.0/24",
                "scanme.example.com",
                "2001:db8::1",
            ],
        ),
        case(
            "url",
            "url",
            &[
                "https://example.com/path/to/page",
                "http://api.example.org/v1/items",
            ],
        ),
        // Shapes `Url` leaves to the URL parser (an `xn--` label, `--` in a label):
        // rare, shown so the fast path's limit is measured too.
        case(
            "url (parser path)",
            "url",
            &[
                "https://xn--bcher-kva.example/books",
                "http://ab--cd.example.org/v1",
            ],
        ),
        case("path", "path", &["reports/out.txt", "a/b/c.txt"]),
        case("ip_address", "ip_address", &["192.168.1.1", "2001:db8::1"]),
        case("cidr", "cidr", &["10.0.0.0/24", "192.168.0.0/16"]),
        case(
            "msf_options",
            "msf_options",
            &["RHOSTS 10.0.0.1;RPORT 445", "LHOST 10.0.0.2"],
        ),
        case("credential_file", "credential_file", &[CREDENTIAL_FILE]),
        case("duration", "duration", &["30", "1h30m", "500ms"]),
        ValueCase {
            pattern: Some(r"^exploit/[a-z0-9_/]+$"),
            ..case(
                "regex_match",
                "regex_match",
                &["exploit/windows/smb/ms17_010_eternalblue"],
            )
        },
    ]
}
