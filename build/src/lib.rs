//! # cladgen-build
//!
//! The build-script side of cladgen: check every ToolClad manifest of a folder and
//! generate typed Rust for it into `OUT_DIR`.
//!
//! ```no_run
//! // build.rs: `fn main()` of the build script
//! cladgen_build::Builder::new()
//!     .manifest_dir("tools") // every *.clad.toml below it
//!     .generate()
//!     .expect("ToolClad manifests");
//! ```
//!
//! ```ignore
//! // src/main.rs
//! mod tools { cladgen::include_tools!(); }
//! ```
//!
//! Under Cargo, [`Builder::generate`] prints `cargo::rerun-if-changed` for every
//! manifest, every directory scanned and the types file (this narrows Cargo's default
//! "rerun when any file of the package changes" to exactly these inputs), prints each
//! warning as a `cargo::warning`, writes files only when their content changed, and on
//! errors prints the rendered diagnostics to stderr plus one `cargo::error` line each,
//! then returns an [`Error`] listing them.

#![warn(missing_docs)]

use cladgen_codegen::{CodegenError, GenOptions};
use cladgen_core::model::Manifest;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub use cladgen_core::load::{
    Diagnostic, LoadedManifest, LoadedSet, Project, TypesFile, UnknownKeys,
};

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// One or more manifests are invalid; `rendered` shows every diagnostic.
    #[error("{} invalid ToolClad manifest(s):\n{rendered}", count_errors(.diagnostics))]
    Manifests {
        /// Every diagnostic (errors and warnings).
        diagnostics: Vec<Diagnostic>,
        /// All of them rendered like rustc does.
        rendered: String,
    },
    /// Code could not be generated for a checked manifest (name collisions, ...).
    #[error("code generation failed: {0}")]
    Codegen(#[from] CodegenError),
    /// Writing the output failed.
    #[error("cannot write {}: {source}", .path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// No output directory: not running under Cargo and none configured.
    #[error("OUT_DIR is not set: run from a build script, or set Builder::out_dir")]
    NoOutDir,
    /// Nothing to generate from.
    #[error("no manifests configured: call Builder::manifest_dir or Builder::manifest")]
    NoInputs,
}

fn count_errors(d: &[Diagnostic]) -> usize {
    d.iter().filter(|d| d.is_error()).count()
}

/// One generated file, relative to the output directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the output directory (e.g. `nmap_scan.rs`, `mod.rs`).
    pub path: PathBuf,
    /// Formatted Rust source.
    pub contents: String,
}

/// The result of [`Builder::render`]: files to write and what was read.
#[derive(Clone, Debug, Default)]
pub struct Generated {
    /// The files, index (`mod.rs`) last.
    pub files: Vec<GeneratedFile>,
    /// Every file and directory read (for `rerun-if-changed`).
    pub inputs: Vec<PathBuf>,
    /// Warnings (the manifests are valid).
    pub warnings: Vec<Diagnostic>,
    /// Warnings rendered like rustc does.
    pub rendered_warnings: String,
}

/// Configures and runs code generation. See the crate docs.
#[derive(Clone, Debug)]
#[must_use]
pub struct Builder {
    dirs: Vec<PathBuf>,
    files: Vec<PathBuf>,
    types_file: Option<PathBuf>,
    out_dir: Option<PathBuf>,
    out_subdir: String,
    out_file: Option<String>,
    unknown_keys: UnknownKeys,
    extern_types: BTreeMap<String, String>,
    runtime_path: String,
    base_dir: Option<PathBuf>,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    /// A builder with no inputs; output to `$OUT_DIR/cladgen/`.
    pub fn new() -> Self {
        Builder {
            dirs: Vec::new(),
            files: Vec::new(),
            types_file: None,
            out_dir: None,
            out_subdir: "cladgen".into(),
            out_file: None,
            unknown_keys: UnknownKeys::Error,
            extern_types: BTreeMap::new(),
            runtime_path: "::cladgen".into(),
            base_dir: None,
        }
    }

    /// Every `*.clad.toml` below `dir` (recursively). Relative paths are relative to
    /// `CARGO_MANIFEST_DIR`. Custom types come from the `toolclad.toml` in each
    /// manifest's folder or the nearest folder above it up to `CARGO_MANIFEST_DIR`
    /// (never above), unless [`Builder::types_file`].
    pub fn manifest_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dirs.push(dir.into());
        self
    }

    /// One manifest file.
    pub fn manifest(mut self, file: impl Into<PathBuf>) -> Self {
        self.files.push(file.into());
        self
    }

    /// The `toolclad.toml` with custom types (instead of the nearest one); needed for
    /// a types file outside the package root.
    pub fn types_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.types_file = Some(file.into());
        self
    }

    /// Output directory (default `$OUT_DIR`).
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Sub-directory of the output directory (default `cladgen`; use
    /// `cladgen::include_tools!("name")` for another one).
    pub fn out_subdir(mut self, name: impl Into<String>) -> Self {
        self.out_subdir = name.into();
        self
    }

    /// Write everything into one file of this name (in the output directory) instead
    /// of one file per tool; include it with `include!(concat!(env!("OUT_DIR"), "/name"))`.
    pub fn out_file(mut self, name: impl Into<String>) -> Self {
        self.out_file = Some(name.into());
        self
    }

    /// Treat unknown manifest keys as errors (default) or warnings (forward compatibility).
    pub fn unknown_keys(mut self, level: UnknownKeys) -> Self {
        self.unknown_keys = level;
        self
    }

    /// Maps manifest type `name` (not built in, not a custom type) to a Rust type of your
    /// own at `rust_path` (e.g. `"::my_agent::CsvPath"`), which implements
    /// `cladgen::ArgValue` (plus `Clone`, `Debug`, `PartialEq`), like prost's `extern_path`.
    pub fn extern_type(mut self, name: impl Into<String>, rust_path: impl Into<String>) -> Self {
        self.extern_types.insert(name.into(), rust_path.into());
        self
    }

    /// Path of the runtime crate in generated code (default `::cladgen`).
    pub fn runtime_path(mut self, path: impl Into<String>) -> Self {
        self.runtime_path = path.into();
        self
    }

    /// Directory relative input paths are resolved against (default
    /// `CARGO_MANIFEST_DIR`, else the current directory).
    pub fn base_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.base_dir = Some(dir.into());
        self
    }

    fn base(&self) -> PathBuf {
        self.base_dir
            .clone()
            .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from))
            .unwrap_or_default()
    }

    /// The root of the types-file search and of relative paths: [`Builder::base_dir`],
    /// else `CARGO_MANIFEST_DIR`, else the current directory.
    fn root(&self) -> PathBuf {
        let base = self.base();
        if base.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            base
        }
    }

    /// The loader settings of this builder: the types file is the one given with
    /// [`Builder::types_file`], else the nearest `toolclad.toml` from each manifest's
    /// folder up to the package root ([`Builder::base_dir`], by default
    /// `CARGO_MANIFEST_DIR`), never above it (see [`TypesFile`]).
    pub fn project(&self) -> Project {
        let base = self.base();
        let types = match &self.types_file {
            Some(t) => TypesFile::At(base.join(t)),
            None => TypesFile::Nearest,
        };
        Project::new()
            .confined_to(self.root())
            .types_file(types)
            .unknown_keys(self.unknown_keys)
            .extern_types(self.extern_types.clone())
    }

    /// Loads and checks every manifest (and its types file) without generating or
    /// writing anything. `Ok` holds a set without errors (warnings allowed); every
    /// error is in [`Error::Manifests`].
    pub fn load(&self) -> Result<LoadedSet, Error> {
        if self.dirs.is_empty() && self.files.is_empty() {
            return Err(Error::NoInputs);
        }
        let base = self.base();
        let paths: Vec<PathBuf> = self
            .dirs
            .iter()
            .chain(&self.files)
            .map(|p| base.join(p))
            .collect();
        let set = self.project().load(&paths);
        if set.has_errors() {
            return Err(Error::Manifests {
                rendered: set.render(false),
                diagnostics: set.diagnostics,
            });
        }
        Ok(set)
    }

    /// Checks every manifest and renders the code, without writing anything or
    /// printing Cargo directives: [`Builder::load`], then [`Builder::render_set`]. The
    /// library form behind [`Builder::generate`].
    pub fn render(&self) -> Result<Generated, Error> {
        self.render_set(&self.load()?)
    }

    /// Renders the code of a loaded set (from [`Builder::load`] or a [`Project`] of
    /// your own), in path order whatever the order of the inputs.
    pub fn render_set(&self, set: &LoadedSet) -> Result<Generated, Error> {
        if set.has_errors() {
            return Err(Error::Manifests {
                diagnostics: set.diagnostics.clone(),
                rendered: set.render(false),
            });
        }
        let base = self.base();
        let mut manifests: Vec<(&Path, &Manifest)> = set.valid().collect();
        manifests.sort_by_key(|(p, _)| *p);
        let opts = GenOptions::default().with_runtime_path(self.runtime_path.clone());
        let mut files = Vec::new();
        let mut index = String::new();
        let mut single = String::new();
        for (path, m) in &manifests {
            let label = display_path(path, &base);
            let items = cladgen_codegen::tool_items(m, &opts)?;
            let module = cladgen_codegen::tool_module_name(m);
            let header = format!(
                "// @generated by cladgen {} from {label}. Do not edit.\n\n",
                env!("CARGO_PKG_VERSION")
            );
            let body = format_tokens(items);
            let doc = module_doc(m, &label);
            if self.out_file.is_some() {
                let _ = write!(
                    single,
                    "{doc}{ALLOW_DEAD_CODE}pub mod {module} {{\n{body}}}\n\n"
                );
            } else {
                let file = format!("{}.rs", m.tool.name);
                files.push(GeneratedFile {
                    path: PathBuf::from(&file),
                    contents: format!("{header}{body}"),
                });
                let _ = writeln!(
                    index,
                    "{doc}{ALLOW_DEAD_CODE}pub mod {module} {{\n    ::core::include!(\"{file}\");\n}}\n"
                );
            }
        }
        let refs: Vec<&Manifest> = manifests.iter().map(|(_, m)| *m).collect();
        let registry = format_tokens(cladgen_codegen::registry(&refs, &opts)?);
        let header = format!(
            "// @generated by cladgen {}. Do not edit.\n// One module per ToolClad manifest, and the `Tools` registry.\n\n",
            env!("CARGO_PKG_VERSION")
        );
        match &self.out_file {
            Some(name) => files.push(GeneratedFile {
                path: PathBuf::from(name),
                contents: format!("{header}{single}{registry}"),
            }),
            None => files.push(GeneratedFile {
                path: PathBuf::from("mod.rs"),
                contents: format!("{header}{index}{registry}"),
            }),
        }
        Ok(Generated {
            files,
            inputs: set.inputs.clone(),
            warnings: set.warnings().cloned().collect(),
            rendered_warnings: set.render(false),
        })
    }

    /// The build-script entry point: render, then write into the output directory and
    /// talk to Cargo (see the crate docs). Never panics; errors are returned.
    pub fn generate(&self) -> Result<Generated, Error> {
        let under_cargo =
            std::env::var_os("CARGO").is_some() && std::env::var_os("OUT_DIR").is_some();
        let result = self.render();
        if under_cargo {
            self.tell_cargo(&result);
        }
        let generated = result?;
        let out = match &self.out_dir {
            Some(d) => d.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(Error::NoOutDir)?,
        };
        let dir = if self.out_file.is_some() {
            out
        } else {
            out.join(&self.out_subdir)
        };
        std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
            path: dir.clone(),
            source,
        })?;
        for f in &generated.files {
            write_if_changed(&dir.join(&f.path), &f.contents)?;
        }
        Ok(generated)
    }

    /// The Cargo directives [`Builder::generate`] prints for `result` (one per line,
    /// without the newline): `cargo::rerun-if-changed` for every input (known even when
    /// generation fails, so fixing a manifest reruns the script), then one
    /// `cargo::warning` per warning, or one `cargo::error` per error.
    pub fn cargo_directives(&self, result: &Result<Generated, Error>) -> Vec<String> {
        let base = self.base();
        let mut inputs: Vec<PathBuf> = self.dirs.iter().map(|d| base.join(d)).collect();
        inputs.extend(self.files.iter().map(|f| base.join(f)));
        if let Some(t) = &self.types_file {
            inputs.push(base.join(t));
        }
        if let Ok(g) = result {
            inputs.extend(g.inputs.iter().cloned());
        }
        inputs.sort();
        inputs.dedup();
        let mut out: Vec<String> = inputs
            .iter()
            .map(|p| format!("cargo::rerun-if-changed={}", p.display()))
            .collect();
        match result {
            Ok(g) => out.extend(
                g.warnings
                    .iter()
                    .map(|w| format!("cargo::warning={}", w.one_line())),
            ),
            Err(Error::Manifests { diagnostics, .. }) => out.extend(diagnostics.iter().map(|d| {
                let level = if d.is_error() { "error" } else { "warning" };
                format!("cargo::{level}={}", d.one_line())
            })),
            Err(e) => out.push(format!("cargo::error={}", e.to_string().replace('\n', " "))),
        }
        out
    }

    fn tell_cargo(&self, result: &Result<Generated, Error>) {
        // The full rendering goes to stderr (Cargo shows it when the script fails);
        // stdout carries only directives, so Cargo's dump of it stays readable.
        if let Err(Error::Manifests { rendered, .. }) = result {
            eprintln!("{rendered}");
        }
        for line in self.cargo_directives(result) {
            println!("{line}");
        }
    }
}

/// A crate uses part of a tool's generated API (a binary may only call `from_json` and
/// `argv`), so unused items are expected, not a mistake to warn about.
const ALLOW_DEAD_CODE: &str =
    "#[allow(dead_code)] // generated API: a crate uses only what it needs\n";

fn module_doc(m: &Manifest, label: &str) -> String {
    let mut out = String::new();
    // Trimmed and made Markdown-safe like every generated doc comment: an indented
    // line would otherwise be a doctest in the user's crate.
    for line in cladgen_codegen::manifest_prose(&m.tool.description).lines() {
        if line.is_empty() {
            let _ = writeln!(out, "///");
        } else {
            let _ = writeln!(out, "/// {line}");
        }
    }
    let _ = writeln!(out, "///");
    let _ = writeln!(
        out,
        "/// Tool `{}` {}, risk tier `{}`; generated from `{label}`.",
        m.tool.name,
        cladgen_codegen::manifest_prose(&one_line(&m.tool.version)),
        m.tool.risk_tier
    );
    out
}

/// Formats tokens as a file with prettyplease.
fn format_tokens(tokens: proc_macro2::TokenStream) -> String {
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        // Generated tokens always parse; keep the raw text so a bug is visible, not lost.
        Err(e) => format!("compile_error!({:?});\n{tokens}\n", e.to_string()),
    }
}

/// `path` relative to `base` with `/` separators, for stable headers.
/// The manifest's path as the generated comments show it: relative to `base`, with
/// `/` separators, on one line (a file name cannot end the `// @generated` comment or
/// hide text with a bidi control: see `cladgen_codegen::visible`).
fn display_path(path: &Path, base: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    let label = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    one_line(&label)
}

/// Text for a one-line comment: [`cladgen_codegen::visible`], with line breaks
/// written as `\n`.
fn one_line(text: &str) -> String {
    cladgen_codegen::visible(text).replace('\n', "\\n")
}

fn write_if_changed(path: &Path, contents: &str) -> Result<(), Error> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    std::fs::write(path, contents).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Formats the tokens of one manifest's items the way [`Builder`] writes them.
pub fn expand_manifest(m: &Manifest, runtime_path: &str) -> Result<String, Error> {
    let opts = GenOptions::default().with_runtime_path(runtime_path);
    Ok(format_tokens(cladgen_codegen::tool_items(m, &opts)?))
}
