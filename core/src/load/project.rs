//! One entry point for "manifests plus types file plus options": [`Project`].
//!
//! The build script (`cladgen_build::Builder`), `include_manifest!` and every CLI
//! command load through it, so they agree on where the types file comes from, which
//! files are read, which diagnostics are reported and which inputs a rebuild tracks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::codes::{self, Code};
use super::{
    Diagnostic, LoadOptions, ReadError, UnknownKeys, check_set, collect_manifests, find_types_file,
    load_str, load_types_str, read_text,
};
use crate::model::Manifest;

/// Where a manifest's custom types (`toolclad.toml`) come from.
///
/// The one policy of every path (build script, `include_manifest!`, CLI):
/// [`TypesFile::Nearest`] takes the `toolclad.toml` in the manifest's folder or the
/// nearest folder above it, **up to the root and never above it**:
/// - the build script: the package root (`CARGO_MANIFEST_DIR`, or
///   `Builder::base_dir`);
/// - `include_manifest!`: the crate root (`CARGO_MANIFEST_DIR`);
/// - the CLI: the nearest folder above the manifest that holds a `Cargo.toml` (the
///   package the manifest belongs to); outside any package, the folder named on the
///   command line (a directory argument itself, a file argument's folder).
///
/// A manifest outside its root gets no implicit types file. A types file anywhere
/// else needs [`TypesFile::At`] (`Builder::types_file`, the macro's `types = "..."`,
/// the CLI's `--types`). This keeps a stray `toolclad.toml` in a parent folder (a home
/// directory, a checkout holding several crates) from changing what a crate means.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum TypesFile {
    /// The nearest `toolclad.toml`, from the manifest's folder up to the root.
    #[default]
    Nearest,
    /// This file, for every manifest (relative paths are taken against
    /// [`Project::base_dir`]).
    At(PathBuf),
    /// No custom types: only built-in and extern types exist.
    None,
}

/// The ceiling of the [`TypesFile::Nearest`] search.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum Root {
    /// The manifest's package (nearest folder with a `Cargo.toml`), else the folder
    /// the manifest was named through.
    #[default]
    Package,
    /// A fixed folder (the crate root).
    At(PathBuf),
}

/// How a set of manifests is loaded: inputs are given to [`Project::load`] (files
/// and folders), [`Project::load_file`] (exactly one file) or [`Project::load_text`]
/// (text already in hand); the rest is configured here.
///
/// ```no_run
/// use cladgen_core::load::{Project, TypesFile, UnknownKeys};
/// let set = Project::new()
///     .confined_to("/path/to/crate")
///     .types_file(TypesFile::Nearest)
///     .unknown_keys(UnknownKeys::Warn)
///     .load(&["/path/to/crate/tools".into()]);
/// eprint!("{}", set.render(false));
/// assert!(!set.has_errors());
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[must_use]
pub struct Project {
    root: Root,
    base: Option<PathBuf>,
    types: TypesFile,
    unknown_keys: UnknownKeys,
    extern_types: BTreeMap<String, String>,
}

/// One manifest of a [`LoadedSet`].
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedManifest {
    /// The path as given (or found below a folder that was given); diagnostics and
    /// [`LoadedSet::sources`] use the same path.
    pub path: PathBuf,
    /// The checked manifest; `None` when the file itself has an error, or when its
    /// types file is invalid (then the manifest is not loaded at all, so its
    /// arguments do not all report a follow-on `unknown-type`).
    pub manifest: Option<Manifest>,
    /// The types file used for it, as shown in diagnostics.
    pub types_file: Option<PathBuf>,
    /// Whether that types file could not be loaded.
    pub types_failed: bool,
}

/// The result of a [`Project`] load: every manifest, every diagnostic (errors and
/// warnings, types files' included), the text of every file read and the inputs a
/// rebuild must watch.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoadedSet {
    /// Every manifest, in the order given (folders' contents sorted).
    pub manifests: Vec<LoadedManifest>,
    /// Every problem: folder collection, then per manifest its types file (once per
    /// types file) and the manifest itself, then the checks across the set.
    pub diagnostics: Vec<Diagnostic>,
    /// The text of every file read, by the path diagnostics name.
    pub sources: BTreeMap<PathBuf, String>,
    /// Every folder scanned and every file read (resolved paths, sorted): what a
    /// rebuild has to watch. A file that could not be read is not in it.
    pub inputs: Vec<PathBuf>,
}

/// A types file, loaded once per set.
enum TypesState {
    Loaded(super::CustomTypes),
    Failed,
}

/// A manifest about to be loaded.
struct Entry {
    /// As shown in diagnostics.
    shown: PathBuf,
    /// As read.
    read: PathBuf,
    /// The folder it was named through (the root of last resort).
    named_in: PathBuf,
    /// Text already in hand ([`Project::load_text`]).
    text: Option<String>,
}

impl Project {
    /// Nearest types file (up to the package root), unknown keys are errors, no
    /// extern types, relative paths taken against the current directory.
    pub fn new() -> Self {
        Self::default()
    }

    /// The folder the [`TypesFile::Nearest`] search never leaves (the crate root).
    pub fn confined_to(mut self, root: impl Into<PathBuf>) -> Self {
        self.root = Root::At(root.into());
        self
    }

    /// The folder relative paths are taken against (default: the current directory).
    /// Diagnostics still show paths as given, and a found types file below this
    /// folder is shown relative to it, so messages do not name machine-specific
    /// absolute paths.
    pub fn base_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.base = Some(dir.into());
        self
    }

    /// Where custom types come from (default [`TypesFile::Nearest`]).
    pub fn types_file(mut self, types: TypesFile) -> Self {
        self.types = types;
        self
    }

    /// How unknown keys are reported, in manifests and in the types file alike.
    pub fn unknown_keys(mut self, level: UnknownKeys) -> Self {
        self.unknown_keys = level;
        self
    }

    /// Maps manifest type `name` to the Rust type at `rust_path` (see
    /// [`LoadOptions::extern_types`]).
    pub fn extern_type(mut self, name: impl Into<String>, rust_path: impl Into<String>) -> Self {
        self.extern_types.insert(name.into(), rust_path.into());
        self
    }

    /// Every extern type of `types` (name to Rust path), added to those set so far.
    pub fn extern_types<I, K, V>(mut self, types: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.extern_types
            .extend(types.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Loads `paths`: files as given, folders searched recursively for
    /// `*.clad.toml` (sorted; a folder without any is an `empty-dir` error). Each
    /// types file is loaded once; names are checked across the whole set.
    pub fn load(&self, paths: &[PathBuf]) -> LoadedSet {
        let mut set = LoadedSet::default();
        let mut entries: Vec<Entry> = Vec::new();
        for given in paths {
            let read = self.resolve(given);
            if read.is_dir() {
                set.inputs.push(read.clone());
                match collect_manifests(std::slice::from_ref(&read)) {
                    Ok(found) => entries.extend(found.into_iter().map(|f| Entry {
                        shown: match f.strip_prefix(&read) {
                            Ok(rel) => given.join(rel),
                            Err(_) => f.clone(),
                        },
                        read: f,
                        named_in: read.clone(),
                        text: None,
                    })),
                    Err(d) => set.diagnostics.push(d),
                }
            } else {
                entries.push(Entry {
                    shown: given.clone(),
                    named_in: parent_dir(&read),
                    read,
                    text: None,
                });
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        entries.retain(|e| seen.insert(e.read.clone()));
        self.load_entries(entries, set)
    }

    /// Loads exactly one manifest file (a folder is an `io` error, not searched).
    pub fn load_file(&self, path: &Path) -> LoadedSet {
        let read = self.resolve(path);
        let entry = Entry {
            shown: path.to_path_buf(),
            named_in: parent_dir(&read),
            read,
            text: None,
        };
        self.load_entries(vec![entry], LoadedSet::default())
    }

    /// Loads a manifest whose text is already in hand; `shown` names it in
    /// diagnostics and places it for the types-file search (relative to
    /// [`Project::base_dir`]). The manifest itself is not an input of the result.
    pub fn load_text(&self, shown: &Path, text: &str) -> LoadedSet {
        let read = self.resolve(shown);
        let entry = Entry {
            shown: shown.to_path_buf(),
            named_in: parent_dir(&read),
            read,
            text: Some(text.to_owned()),
        };
        self.load_entries(vec![entry], LoadedSet::default())
    }

    fn resolve(&self, path: &Path) -> PathBuf {
        match &self.base {
            Some(base) if path.is_relative() => base.join(path),
            _ => path.to_path_buf(),
        }
    }

    /// The types file for a manifest: (path to read, path to show).
    fn types_for(&self, entry: &Entry) -> Option<(PathBuf, PathBuf)> {
        match &self.types {
            TypesFile::None => None,
            TypesFile::At(p) => Some((self.resolve(p), p.clone())),
            TypesFile::Nearest => {
                let dir = parent_dir(&entry.read);
                let root = match &self.root {
                    Root::At(r) => r.clone(),
                    Root::Package => package_root(&dir).unwrap_or_else(|| entry.named_in.clone()),
                };
                let found = find_types_file(&dir, &root)?;
                let shown = self
                    .base
                    .as_ref()
                    .and_then(|b| b.canonicalize().ok())
                    .and_then(|b| found.strip_prefix(b).ok().map(Path::to_path_buf))
                    .unwrap_or_else(|| found.clone());
                Some((found, shown))
            }
        }
    }

    fn load_entries(&self, entries: Vec<Entry>, mut set: LoadedSet) -> LoadedSet {
        let mut types_cache: BTreeMap<PathBuf, TypesState> = BTreeMap::new();
        for entry in entries {
            let types = self.types_for(&entry);
            if let Some((read, shown)) = &types
                && !types_cache.contains_key(read)
            {
                let state = self.load_types(read, shown, &mut set);
                types_cache.insert(read.clone(), state);
            }
            let custom_types = match types.as_ref().and_then(|(read, _)| types_cache.get(read)) {
                Some(TypesState::Failed) => {
                    // Not checked (its types are unknown), but read: it is still an
                    // input, so editing it reruns the load.
                    if entry.text.is_none()
                        && let Ok(text) = read_text(&entry.read, &entry.shown)
                    {
                        set.inputs.push(entry.read.clone());
                        set.sources.insert(entry.shown.clone(), text);
                    }
                    set.manifests.push(LoadedManifest {
                        path: entry.shown,
                        manifest: None,
                        types_file: types.map(|(_, shown)| shown),
                        types_failed: true,
                    });
                    continue;
                }
                Some(TypesState::Loaded(t)) => Some(t.clone()),
                None => None,
            };
            let text = match entry.text {
                Some(text) => Ok(text),
                None => read_text(&entry.read, &entry.shown).inspect(|_| {
                    set.inputs.push(entry.read.clone());
                }),
            };
            let manifest = match text {
                Ok(text) => {
                    let opts = LoadOptions {
                        custom_types,
                        unknown_keys: self.unknown_keys,
                        extern_types: self.extern_types.clone(),
                    };
                    let loaded = load_str(&entry.shown, &text, &opts);
                    set.diagnostics.extend(loaded.diagnostics);
                    set.sources.insert(entry.shown.clone(), text);
                    loaded.manifest
                }
                Err(e) => {
                    set.failed_read(&entry.read, &entry.shown, e);
                    None
                }
            };
            set.manifests.push(LoadedManifest {
                path: entry.shown,
                manifest,
                types_file: types.map(|(_, shown)| shown),
                types_failed: false,
            });
        }
        let checked: Vec<(PathBuf, &Manifest)> = set
            .manifests
            .iter()
            .filter_map(|m| m.manifest.as_ref().map(|man| (m.path.clone(), man)))
            .collect();
        let across = check_set(&checked);
        set.diagnostics.extend(across);
        set.inputs.sort();
        set.inputs.dedup();
        set
    }

    fn load_types(&self, read: &Path, shown: &Path, set: &mut LoadedSet) -> TypesState {
        let text = match read_text(read, shown) {
            Ok(text) => text,
            Err(e) => {
                set.failed_read(read, shown, e);
                return TypesState::Failed;
            }
        };
        set.inputs.push(read.to_path_buf());
        let result = load_types_str(shown, &text, self.unknown_keys);
        set.sources.insert(shown.to_path_buf(), text);
        match result {
            Ok(types) => {
                set.diagnostics.extend(types.warnings.iter().cloned());
                TypesState::Loaded(types)
            }
            Err(diags) => {
                set.diagnostics.extend(diags);
                TypesState::Failed
            }
        }
    }
}

/// The folder of a file path (`.` for a bare file name).
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The nearest folder from `dir` up that holds a `Cargo.toml`.
fn package_root(dir: &Path) -> Option<PathBuf> {
    let dir = dir.canonicalize().ok()?;
    dir.ancestors()
        .find(|d| d.join("Cargo.toml").is_file())
        .map(Path::to_path_buf)
}

impl LoadedSet {
    /// Records a file that could not be read as text.
    fn failed_read(&mut self, read: &Path, shown: &Path, e: ReadError) {
        let d = match e {
            ReadError::Io(d) => d,
            ReadError::NotText(d, lossy) => {
                // Read, so a change to it matters; rendered against its lossy text.
                self.inputs.push(read.to_path_buf());
                self.sources.insert(shown.to_path_buf(), lossy);
                d
            }
        };
        self.diagnostics.push(d);
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }

    /// Number of errors reported for `file` (a manifest's or a types file's path as
    /// shown).
    pub fn errors_in(&self, file: &Path) -> usize {
        self.in_file(file).filter(|d| d.is_error()).count()
    }

    /// Number of warnings reported for `file`.
    pub fn warnings_in(&self, file: &Path) -> usize {
        self.in_file(file).filter(|d| !d.is_error()).count()
    }

    fn in_file<'a>(&'a self, file: &'a Path) -> impl Iterator<Item = &'a Diagnostic> + 'a {
        self.diagnostics.iter().filter(move |d| d.file == file)
    }

    /// Whether an input could not be used at all: a path that cannot be read (`io`),
    /// a file over the size cap, which is not read (`file-too-large`), or a folder
    /// without any manifest (`empty-dir`), as opposed to a file read and found
    /// invalid. The CLI's exit code 2.
    pub fn has_input_errors(&self) -> bool {
        const INPUT: [&Code; 3] = [&codes::IO, &codes::FILE_TOO_LARGE, &codes::EMPTY_DIR];
        self.diagnostics.iter().any(|d| INPUT.contains(&d.code))
    }

    /// The manifests that loaded without any error of their own (set checks
    /// included), with their paths.
    pub fn valid(&self) -> impl Iterator<Item = (&Path, &Manifest)> + '_ {
        self.manifests.iter().filter_map(|m| match &m.manifest {
            Some(man) if self.errors_in(&m.path) == 0 => Some((m.path.as_path(), man)),
            _ => None,
        })
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> + '_ {
        self.diagnostics.iter().filter(|d| !d.is_error())
    }

    /// The text `d` was produced from (empty for a file that could not be read).
    pub fn source_of(&self, d: &Diagnostic) -> &str {
        self.sources.get(&d.file).map_or("", String::as_str)
    }

    /// One diagnostic rendered like rustc (see [`Diagnostic::render`]).
    pub fn render_diagnostic(&self, d: &Diagnostic, styled: bool) -> String {
        d.render(self.source_of(d), styled)
    }

    /// Every diagnostic, warnings included, rendered like rustc, each followed by a
    /// newline (print it with `eprint!`).
    pub fn render(&self, styled: bool) -> String {
        self.diagnostics
            .iter()
            .map(|d| self.render_diagnostic(d, styled) + "\n")
            .collect()
    }
}
