//! The options of `include_manifest!`: a manifest type mapped to a Rust type of the
//! crate's own, and unknown keys (here `sandbox_profile`) reported as warnings.
#![allow(deprecated)] // how a stable proc macro warns; see docs/include_manifest.md

use cladgen::{ArgError, ArgSpec, ArgValue, ParseOptions, Rule};

mod files {
    /// A CSV file from a fixed allowed set.
    #[derive(Clone, Debug, PartialEq)]
    pub struct CsvPath(pub String);
}

impl std::fmt::Display for files::CsvPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl ArgValue for files::CsvPath {
    fn parse_str(spec: &ArgSpec<'_>, input: &str, _: &ParseOptions) -> Result<Self, ArgError> {
        if input == "data/a.csv" {
            Ok(files::CsvPath(input.to_owned()))
        } else {
            Err(ArgError::new(spec.name, Rule::NotAllowed, "not an allowed CSV file"))
        }
    }

    fn parse_json(
        spec: &ArgSpec<'_>,
        input: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Self, ArgError> {
        match input.as_str() {
            Some(s) => Self::parse_str(spec, s, opts),
            None => Err(ArgError::new(spec.name, Rule::JsonType, "expected a string")),
        }
    }

    fn to_json(&self) -> serde_json::Value {
        self.0.clone().into()
    }
}

cladgen::include_manifest!(
    "tests/ui/manifests/read_csv.clad.toml",
    unknown_keys = warn,
    extern_types = { allowed_csv_path = crate::files::CsvPath },
);

fn main() {
    let ctx = cladgen::ExecContext::new("scan-1", "/var/evidence");
    let ok = read_csv::ReadCsvArgs::from_json(&serde_json::json!({"path": "data/a.csv"})).unwrap();
    assert_eq!(ok.path, files::CsvPath("data/a.csv".into()));
    assert_eq!(ok.argv(&ctx), ["head", "-n", "5", "data/a.csv"]);

    let err = read_csv::ReadCsvArgs::from_json(&serde_json::json!({"path": "/etc/passwd"}))
        .unwrap_err();
    let rules: Vec<Rule> = err.iter().map(|e| e.rule).collect();
    assert_eq!(rules, [Rule::NotAllowed]);
    assert!(read_csv::SOURCE.contains("sandbox_profile"));
}
