//! Loading: spanned TOML to a checked [`crate::model::Manifest`], with located diagnostics.
//!
//! [`load_str`] parses a manifest with `toml`'s recoverable, spanned parser, walks
//! every table by hand (so that every unknown key is found), decodes every section
//! into the model and runs every build-time check. Every problem is collected, each
//! as a [`Diagnostic`] with file, line, column, the rule (`code`) and a hint; a
//! manifest is returned only when there is no error (warnings are allowed).

mod args;
mod browser;
mod careless;
pub mod codes;
mod collisions;
mod command;
mod constraints;
mod defaults;
mod diag;
mod http;
mod http_layout;
mod http_template;
mod manifest;
mod option_values;
mod project;
mod session;
mod session_text;
mod template;
mod types;
mod walk;
mod when;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use diag::{Diagnostic, Severity, did_you_mean};
pub use project::{LoadedManifest, LoadedSet, Project, TypesFile};
pub use types::{CustomType, CustomTypes};

use crate::model::{Backend, Manifest};
use diag::Sink;
use walk::Cx;

/// How an unknown key is reported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum UnknownKeys {
    /// As an error: the manifest is refused (the default; fail closed).
    #[default]
    Error,
    /// As a warning (forward compatibility with newer ToolClad keys).
    Warn,
}

/// Options of a load.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoadOptions {
    /// Custom types (from a `toolclad.toml`; [`Project`] finds and loads it).
    /// `None`: only built-in and extern types exist.
    pub custom_types: Option<CustomTypes>,
    /// How unknown keys are reported.
    pub unknown_keys: UnknownKeys,
    /// Manifest type names mapped to Rust types of the user's own
    /// (`"allowed_csv_path" -> "::my_agent::CsvPath"`); arguments of these types get
    /// [`crate::model::TypeKind::Extern`].
    pub extern_types: BTreeMap<String, String>,
}

/// The result of loading one manifest.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    /// The checked manifest; `Some` exactly when no diagnostic is an error.
    pub manifest: Option<Manifest>,
    /// Every problem found, errors and warnings, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// The file's text (to render the diagnostics with).
    pub source: String,
    /// The file's path as given.
    pub path: PathBuf,
}

impl Loaded {
    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }

    /// Every diagnostic rendered like rustc (see [`Diagnostic::render`]).
    pub fn render(&self, styled: bool) -> String {
        self.diagnostics
            .iter()
            .map(|d| d.render(&self.source, styled))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Loads and checks a manifest from text; `path` is used in diagnostics only.
pub fn load_str(path: &Path, text: &str, opts: &LoadOptions) -> Loaded {
    let mut cx = Cx {
        sink: Sink::new(path, text),
        unknown_keys: opts.unknown_keys,
    };
    let manifest = manifest::decode(&mut cx, text, opts);
    if let Some(m) = &manifest {
        collisions::check(&mut cx, m, text);
    }
    careless::check(&mut cx, text);
    let mut diagnostics = cx.sink.diags;
    diagnostics.sort_by_key(|d| (d.line, d.column));
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    Loaded {
        manifest: if has_errors {
            None
        } else {
            manifest.map(option_values::apply)
        },
        diagnostics,
        source: text.to_string(),
        path: path.to_path_buf(),
    }
}

/// The largest manifest or types file read, in bytes (4 MiB; real manifests are a
/// few KiB). A larger file is refused with `file-too-large` rather than read whole.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Reads a manifest or types file as UTF-8 text, the way every load does; problems
/// become diagnostics (`io`, `file-too-large`, `not-utf8`). Only regular files are
/// opened: opening a FIFO for reading would block until something writes to it.
#[allow(clippy::result_large_err)] // a cold path; `Diagnostic` is the error the API hands out
pub fn read_source(path: &Path) -> Result<String, Diagnostic> {
    read_text(path, path).map_err(ReadError::into_diagnostic)
}

/// [`read_source`] with the diagnostics naming the file as `shown` (the path as the
/// user wrote it), and a file that is not text kept apart from one not read at all.
#[allow(clippy::result_large_err)] // a cold path; `Diagnostic` is the error the API hands out
fn read_text(path: &Path, shown: &Path) -> Result<String, ReadError> {
    use std::io::Read as _;
    let meta = std::fs::metadata(path).map_err(|e| ReadError::Io(io_error(shown, &e)))?;
    if meta.is_dir() {
        return Err(ReadError::Io(Diagnostic::unlocated(
            Severity::Error,
            &codes::IO,
            shown,
            format!("{} is a directory, not a file", shown.display()),
        )));
    }
    if !meta.is_file() {
        return Err(ReadError::Io(
            Diagnostic::unlocated(
                Severity::Error,
                &codes::IO,
                shown,
                format!(
                    "{} is not a regular file (a FIFO, socket or device); it is not read",
                    shown.display()
                ),
            )
            .with_help("pass the path of a regular `*.toml` file"),
        ));
    }
    let too_large = |size: u64| {
        ReadError::Io(
            Diagnostic::unlocated(
                Severity::Error,
                &codes::FILE_TOO_LARGE,
                shown,
                format!(
                    "{} is {size} bytes or more; files over {MAX_FILE_BYTES} bytes are not read",
                    shown.display()
                ),
            )
            .with_help("split the manifest, or check that the path names the intended file"),
        )
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    // The file may grow between `metadata` and reading: the cap holds for the read too.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| ReadError::Io(io_error(shown, &e)))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        let path = shown;
        let at = e.utf8_error().valid_up_to();
        let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
        let prefix = String::from_utf8_lossy(e.as_bytes().get(..at).unwrap_or(&[])).into_owned();
        let d = Diagnostic::new(
            Severity::Error,
            &codes::NOT_UTF8,
            path,
            &lossy,
            prefix.len()..prefix.len() + 1,
            format!(
                "{} is not UTF-8 text (invalid byte at offset {at})",
                path.display()
            ),
        );
        ReadError::NotText(d.with_note("TOML files must be UTF-8"), lossy)
    })
}

/// Why [`read_text`] failed: the file could not be read at all, or it was read and is
/// not text (then it is still an input whose change matters, and its lossy text is
/// what the diagnostic's location refers to).
enum ReadError {
    Io(Diagnostic),
    NotText(Diagnostic, String),
}

impl ReadError {
    fn into_diagnostic(self) -> Diagnostic {
        match self {
            ReadError::Io(d) | ReadError::NotText(d, _) => d,
        }
    }
}

fn io_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    let what = match e.kind() {
        std::io::ErrorKind::NotFound => "does not exist",
        std::io::ErrorKind::PermissionDenied => "cannot be read (permission denied)",
        std::io::ErrorKind::IsADirectory => "is a directory",
        _ => "cannot be read",
    };
    Diagnostic::unlocated(
        Severity::Error,
        &codes::IO,
        path,
        format!("{} {what}: {e}", path.display()),
    )
}

/// Loads and checks a manifest file. I/O problems are reported as diagnostics with
/// code `io` (and `not-utf8` for a file that is not text).
pub fn load_file(path: &Path, opts: &LoadOptions) -> Loaded {
    match read_text(path, path) {
        Ok(text) => load_str(path, &text, opts),
        Err(e) => Loaded {
            manifest: None,
            diagnostics: vec![e.into_diagnostic()],
            source: String::new(),
            path: path.to_path_buf(),
        },
    }
}

#[allow(clippy::result_large_err)]
/// Parses a `toolclad.toml` and resolves every custom type (chains followed, cycles
/// and unknown bases reported). Warnings are kept in [`CustomTypes::warnings`].
pub fn load_types_str(
    path: &Path,
    text: &str,
    unknown_keys: UnknownKeys,
) -> Result<CustomTypes, Vec<Diagnostic>> {
    types::load_types(path, text, unknown_keys)
}

#[allow(clippy::result_large_err)]
/// Reads and resolves a `toolclad.toml`.
pub fn load_types_file(
    path: &Path,
    unknown_keys: UnknownKeys,
) -> Result<CustomTypes, Vec<Diagnostic>> {
    let text = read_text(path, path).map_err(|e| vec![e.into_diagnostic()])?;
    load_types_str(path, &text, unknown_keys)
}

/// The `toolclad.toml` in `start_dir` or the nearest folder above it, never above
/// `root` (see [`TypesFile::Nearest`]). Both are resolved through symlinks first, so
/// `..` cannot lead out of `root`; when `start_dir` is not inside `root`, or either
/// cannot be resolved, there is none. The path returned is canonical.
pub fn find_types_file(start_dir: &Path, root: &Path) -> Option<PathBuf> {
    let start = start_dir.canonicalize().ok()?;
    let root = root.canonicalize().ok()?;
    start
        .ancestors()
        .take_while(|d| d.starts_with(&root))
        .map(|d| d.join("toolclad.toml"))
        .find(|p| p.is_file())
}

#[allow(clippy::result_large_err)]
/// The manifests named by `paths`: files as given, directories searched recursively
/// for `*.clad.toml` (sorted). A path that cannot be read, or a directory without
/// any manifest, is an error.
pub fn collect_manifests(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut out: Vec<PathBuf> = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| io_error(p, &e))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk_dir(p, &mut found)?;
            if found.is_empty() {
                return Err(Diagnostic::unlocated(
                    Severity::Error,
                    &codes::EMPTY_DIR,
                    p,
                    format!("{} contains no `*.clad.toml` manifest", p.display()),
                )
                .with_help(
                    "name manifest files `<tool>.clad.toml`, or pass the files themselves",
                ));
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|p| seen.insert(p.clone()));
    Ok(out)
}

#[allow(clippy::result_large_err)]
fn walk_dir(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Diagnostic> {
    let entries = std::fs::read_dir(dir).map_err(|e| io_error(dir, &e))?;
    for entry in entries {
        let entry = entry.map_err(|e| io_error(dir, &e))?;
        let path = entry.path();
        // `file_type` does not follow symlinks: symlinked folders are not entered
        // (no loops), symlinked files are taken when they point at a file.
        let ft = entry.file_type().map_err(|e| io_error(&path, &e))?;
        if ft.is_dir() {
            walk_dir(&path, out)?;
        } else if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with(".clad.toml"))
            && path.is_file()
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Checks a set of manifests together: tool names must be unique across the set
/// (they are MCP tool names).
pub fn check_set(manifests: &[(PathBuf, &Manifest)]) -> Vec<Diagnostic> {
    let mut first: BTreeMap<&str, &Path> = BTreeMap::new();
    let mut out = Vec::new();
    for (path, m) in manifests {
        let name = m.tool.name.as_ref();
        match first.get(name) {
            Some(other) => out.push(
                Diagnostic::unlocated(
                    Severity::Error,
                    &codes::DUPLICATE_TOOL_NAME,
                    path,
                    format!("tool name `{name}` is also used by {}", other.display()),
                )
                .with_help(
                    "tool names must be unique across a manifest set: rename one of the tools",
                )
                .with_note("the tool name is the MCP tool name an LLM calls"),
            ),
            None => {
                first.insert(name, path);
            }
        }
    }
    // Session and browser commands are called as `<tool>__<command>`, which a tool
    // of that literal name would shadow.
    for (path, m) in manifests {
        let commands: Vec<&str> = match &m.backend {
            Backend::Session(s) => s.commands.iter().map(|c| c.name.as_ref()).collect(),
            Backend::Browser(b) => b.commands.iter().map(|c| c.name.as_ref()).collect(),
            _ => continue,
        };
        for c in commands {
            let exposed = format!("{}__{c}", m.tool.name);
            if let Some(other) = first.get(exposed.as_str()) {
                out.push(
                    Diagnostic::unlocated(
                        Severity::Error,
                        &codes::DUPLICATE_TOOL_NAME,
                        path,
                        format!(
                            "command `{c}` is exposed to LLMs as `{exposed}`, the name of the tool in {}",
                            other.display()
                        ),
                    )
                    .with_help("rename the tool or the command: LLM tool names must be unique"),
                );
            }
        }
    }
    out.extend(collisions::check_set(manifests));
    out
}

/// Reports the TOML parser's errors (syntax, duplicate keys), located.
pub(crate) fn report_toml_errors(cx: &mut Cx<'_>, errors: &[toml::de::Error]) {
    for e in errors {
        let span = e.span().unwrap_or(0..0);
        let msg = e.message().trim();
        let duplicate = msg.contains("duplicate key");
        let code = if duplicate {
            &codes::DUPLICATE_KEY
        } else {
            &codes::TOML_SYNTAX
        };
        let d = cx.sink.error(code, span, format!("invalid TOML: {msg}"));
        if duplicate {
            diag::Decorate::help(d, "each key may be set only once per table");
        }
    }
}
