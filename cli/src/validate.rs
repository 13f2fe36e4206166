//! `cladgen validate <PATH>...`: load and check manifests, report every problem.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cladgen_core::load::{self, CustomTypes, Diagnostic, Level, LoadOptions, Loaded, codes};

/// How unknown keys are reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum UnknownKeys {
    /// Refuse the manifest.
    Error,
    /// Report a warning only.
    Warn,
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// Rendered diagnostics on stderr, one summary line per manifest on stdout.
    Text,
    /// JSON lines on stdout: one object per diagnostic, one per manifest.
    Json,
}

/// Arguments of `cladgen validate`.
#[derive(Debug, clap::Args)]
pub(crate) struct ValidateArgs {
    /// Manifest files, or directories searched recursively for `*.clad.toml`.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// `toolclad.toml` with custom types (default: the one in each manifest's folder
    /// or the nearest folder above it).
    #[arg(long, value_name = "FILE")]
    types: Option<PathBuf>,
    /// Report unknown keys as errors (default) or as warnings.
    #[arg(long, value_enum, default_value = "error")]
    unknown_keys: UnknownKeys,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Exit code when every manifest is valid (warnings allowed).
const EXIT_OK: u8 = 0;
/// Exit code when at least one manifest is invalid.
const EXIT_INVALID: u8 = 1;
/// Exit code for usage and I/O errors.
const EXIT_IO: u8 = 2;

/// A loaded `toolclad.toml`, or why it could not be.
enum TypesState {
    Ok(CustomTypes),
    Failed { path: PathBuf },
}

struct Reporter {
    format: Format,
    styled: bool,
}

impl Reporter {
    fn diagnostic(&self, d: &Diagnostic, source: &str) {
        match self.format {
            Format::Text => eprintln!("{}", d.render(source, self.styled)),
            Format::Json => println!("{}", d.to_json()),
        }
    }
}

pub(crate) fn run(args: &ValidateArgs) -> ExitCode {
    let reporter = Reporter {
        format: args.format,
        styled: std::io::stderr().is_terminal(),
    };
    let level = match args.unknown_keys {
        UnknownKeys::Error => Level::Error,
        UnknownKeys::Warn => Level::Warn,
    };
    let manifests = match load::collect_manifests(&args.paths) {
        Ok(m) => m,
        Err(d) => {
            reporter.diagnostic(&d, "");
            return ExitCode::from(EXIT_IO);
        }
    };

    let mut invalid = false;
    let mut io_failure = false;
    // One load per types file, shared by every manifest that uses it.
    let mut types_cache: BTreeMap<PathBuf, TypesState> = BTreeMap::new();
    let explicit_types = args
        .types
        .as_ref()
        .map(|t| load_types(&mut types_cache, t, level, &reporter, &mut io_failure));

    struct Outcome {
        loaded: Loaded,
        types_failed: Option<PathBuf>,
    }
    let mut outcomes: Vec<Outcome> = Vec::new();
    for path in &manifests {
        let types_key = explicit_types.clone().or_else(|| {
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            load::find_types_file(dir)
                .map(|t| load_types(&mut types_cache, &t, level, &reporter, &mut io_failure))
        });
        let (custom_types, types_failed) = match types_key.as_ref().and_then(|k| types_cache.get(k))
        {
            Some(TypesState::Ok(t)) => (Some(t.clone()), None),
            Some(TypesState::Failed { path }) => (None, Some(path.clone())),
            None => (None, None),
        };
        if let Some(failed) = types_failed {
            outcomes.push(Outcome {
                loaded: Loaded {
                    manifest: None,
                    diagnostics: Vec::new(),
                    source: String::new(),
                    path: path.clone(),
                },
                types_failed: Some(failed),
            });
            continue;
        }
        let opts = LoadOptions {
            custom_types,
            unknown_keys: level,
            extern_types: BTreeMap::new(),
        };
        outcomes.push(Outcome {
            loaded: load::load_file(path, &opts),
            types_failed: None,
        });
    }

    // Names must be unique across the set.
    let set: Vec<(PathBuf, &cladgen_core::model::Manifest)> = outcomes
        .iter()
        .filter_map(|o| {
            o.loaded
                .manifest
                .as_ref()
                .map(|m| (o.loaded.path.clone(), m))
        })
        .collect();
    let set_diags = load::check_set(&set);

    let mut ok_count = 0usize;
    for o in &outcomes {
        let l = &o.loaded;
        for d in &l.diagnostics {
            reporter.diagnostic(d, &l.source);
        }
        let extra: Vec<&Diagnostic> = set_diags.iter().filter(|d| d.file == l.path).collect();
        for d in &extra {
            reporter.diagnostic(d, &l.source);
        }
        if l.diagnostics.iter().any(|d| d.code == &codes::IO) {
            io_failure = true;
        }
        let errors = l.error_count() + extra.len();
        let warnings = l.warning_count();
        let good = errors == 0 && o.types_failed.is_none() && l.manifest.is_some();
        if good {
            ok_count += 1;
        } else {
            invalid = true;
        }
        let tool = l.manifest.as_ref().map(|m| m.tool.name.to_string());
        match args.format {
            Format::Text => {
                let counts = counts(errors, warnings);
                let line = match (&o.types_failed, good) {
                    (Some(t), _) => format!(
                        "error {}  (custom types in {} are invalid)",
                        l.path.display(),
                        t.display()
                    ),
                    (None, true) => format!(
                        "ok    {}  {}{}",
                        tool.as_deref().unwrap_or("-"),
                        l.path.display(),
                        if counts.is_empty() {
                            String::new()
                        } else {
                            format!(" ({counts})")
                        }
                    ),
                    (None, false) => format!("error {}  ({counts})", l.path.display()),
                };
                println!("{line}");
            }
            Format::Json => println!(
                "{}",
                serde_json::json!({
                    "manifest": l.path.display().to_string(),
                    "tool": tool,
                    "status": if good { "ok" } else { "error" },
                    "errors": errors,
                    "warnings": warnings,
                    "types_error": o.types_failed.as_ref().map(|p| p.display().to_string()),
                })
            ),
        }
    }
    if args.format == Format::Text {
        eprintln!(
            "validated {} manifest{}: {} ok, {} invalid",
            outcomes.len(),
            if outcomes.len() == 1 { "" } else { "s" },
            ok_count,
            outcomes.len() - ok_count
        );
    }
    if io_failure {
        ExitCode::from(EXIT_IO)
    } else if invalid {
        ExitCode::from(EXIT_INVALID)
    } else {
        ExitCode::from(EXIT_OK)
    }
}

fn counts(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => String::new(),
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

/// Loads a `toolclad.toml` once (reporting its diagnostics); returns its cache key.
fn load_types(
    types_cache: &mut BTreeMap<PathBuf, TypesState>,
    path: &Path,
    level: Level,
    reporter: &Reporter,
    io_failure: &mut bool,
) -> PathBuf {
    let key = path.to_path_buf();
    if !types_cache.contains_key(&key) {
        let state = match load::read_source(path) {
            Err(d) => {
                // A file that is there but not text is invalid, not an I/O failure.
                *io_failure |= d.code != &codes::NOT_UTF8;
                reporter.diagnostic(&d, "");
                TypesState::Failed { path: key.clone() }
            }
            Ok(text) => match load::load_types_str(path, &text, level) {
                Ok(t) => {
                    for w in &t.warnings {
                        reporter.diagnostic(w, &t.source);
                    }
                    TypesState::Ok(t)
                }
                Err(diags) => {
                    for d in &diags {
                        reporter.diagnostic(d, &text);
                    }
                    TypesState::Failed { path: key.clone() }
                }
            },
        };
        types_cache.insert(key.clone(), state);
    }
    key
}
