//! A manifest type mapped to a Rust type of the user's own (`Builder::extern_type`).

use cladgen::{ArgError, ArgSpec, ArgValue, ExecContext, ParseOptions, Rule};
use serde_json::json;

/// A CSV file from a fixed allowed set: the kind of run-time-registered type the
/// corpus's `allowed_csv_path` stands for.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvPath(String);

const ALLOWED: [&str; 2] = ["data/a.csv", "data/b.csv"];

impl std::fmt::Display for CsvPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl ArgValue for CsvPath {
    fn parse_str(spec: &ArgSpec<'_>, input: &str, _opts: &ParseOptions) -> Result<Self, ArgError> {
        if ALLOWED.contains(&input) {
            Ok(CsvPath(input.to_owned()))
        } else {
            Err(ArgError::new(
                spec.name,
                Rule::NotAllowed,
                format!("'{input}' is not an allowed CSV file"),
            )
            .with_value(input)
            .with_expected(ALLOWED.join(", ")))
        }
    }

    fn parse_json(
        spec: &ArgSpec<'_>,
        input: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Self, ArgError> {
        match input {
            serde_json::Value::String(s) => Self::parse_str(spec, s, opts),
            _ => Err(ArgError::new(
                spec.name,
                Rule::JsonType,
                "expected a string",
            )),
        }
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::String(self.0.clone())
    }
}

mod ext {
    cladgen::include_tools!("extern");
}

#[test]
fn the_user_type_validates_and_renders_the_argument() {
    let ctx = ExecContext::new("s", "/tmp/e");
    let a = ext::read_csv::ReadCsvArgs::from_json(&json!({"path": "data/b.csv"})).unwrap();
    assert_eq!(a.path, CsvPath("data/b.csv".into()));
    assert_eq!(a.argv(&ctx), ["head", "-n", "20", "data/b.csv"]);
    let e = ext::read_csv::ReadCsvArgs::from_json(&json!({"path": "/etc/passwd", "lines": 0}))
        .unwrap_err();
    let got: Vec<_> = e.iter().map(|e| (e.arg.as_str(), e.rule)).collect();
    assert_eq!(got, [("path", Rule::NotAllowed), ("lines", Rule::BelowMin)]);
}

#[test]
fn the_dynamic_path_refuses_a_type_it_cannot_know() {
    let e = cladgen::Call::from_json(
        &ext::read_csv::MANIFEST,
        &json!({"path": "data/a.csv"}),
        &ParseOptions::DEFAULT,
    )
    .unwrap_err();
    assert_eq!(e.as_slice()[0].rule, Rule::Unsupported, "{e}");
}
