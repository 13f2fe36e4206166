//! `path` and `credential_file`.

use super::check::{check_free_text, json_str, shown};
use super::text::text_backed;
use super::{ArgError, ArgSpec, ArgValue, ParseOptions, Rule};
use std::path::{Path, PathBuf};

/// Whether a `..` component occurs, splitting on both `/` and `\`.
fn has_dotdot(s: &str) -> bool {
    s.split(['/', '\\']).any(|c| c == "..")
}

/// Absolute on any platform: `/x`, `\x` (and so `\\server\share`), `C:` (the
/// reference refuses any second-byte `:`; so does cladgen).
fn is_absolute(s: &str) -> bool {
    s.starts_with('/') || s.starts_with('\\') || s.as_bytes().get(1) == Some(&b':')
}

/// A URL scheme or remote-host prefix: a `:` in the first component (before the first
/// `/` or `\`). curl, git, rsync, scp, ImageMagick and others read `file:///x`,
/// `text:/etc/x`, `ext::cmd`, `host:/path` and `user@host:path` as a URL, a coder or
/// another machine, never as a relative file. A `:` after the first separator
/// (`a/b:c`) is kept: none of them looks there.
fn has_prefix_colon(s: &str) -> bool {
    s.split(['/', '\\'])
        .next()
        .is_some_and(|first| first.contains(':'))
}

fn check_prefix(spec: &ArgSpec<'_>, input: &str) -> Result<(), ArgError> {
    if has_prefix_colon(input) {
        return Err(path_error(
            spec,
            input,
            Rule::AbsolutePath,
            "path must not start with a URL scheme or a host prefix (no ':' before the first '/'; 'file:', 'host:path' and 'user@host:path' are read as URLs or remote files)",
        ));
    }
    Ok(())
}

fn path_error(spec: &ArgSpec<'_>, input: &str, rule: Rule, what: &str) -> ArgError {
    let name = spec.name;
    ArgError::new(name, rule, format!("argument '{name}' {what}"))
        .with_value(input)
        .with_expected(
            "a relative path without '..' components, not starting with '~', '/' or a drive letter, without ':' before the first '/'",
        )
}

fn check_empty(spec: &ArgSpec<'_>, input: &str) -> Result<(), ArgError> {
    if input.is_empty() {
        return Err(path_error(
            spec,
            input,
            Rule::Empty,
            "path must not be empty",
        ));
    }
    Ok(())
}

fn check_tilde(spec: &ArgSpec<'_>, input: &str) -> Result<(), ArgError> {
    if input.starts_with('~') {
        return Err(path_error(
            spec,
            input,
            Rule::PathTraversal,
            "path must not start with '~' (home directory)",
        ));
    }
    Ok(())
}

/// A `path` argument: a relative path that cannot leave its base directory.
///
/// Rules, in order: the free-text rules (no surrounding whitespace, no injection
/// character, no leading `-` unless `allow_option_values`); not empty; no `..`
/// component (split on `/` and `\`, so `..`, `a/..` and `a\..\b` are refused while
/// `a..b` is fine); not absolute (`/x`, `\x`, `\\server\share`, `C:x`); no URL scheme
/// or host prefix (no `:` before the first `/` or `\`: `file:x`, `host:/p`,
/// `user@host:p`, `ext::cmd`); no leading `~`.
/// `Display` is the text as given.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelPath {
    text: String,
}

text_backed!(RelPath);

impl RelPath {
    /// A manifest default that the loader already checked (`bad-default`); only
    /// generated builders call this.
    #[doc(hidden)]
    pub fn prechecked(text: &str) -> Self {
        RelPath {
            text: text.to_owned(),
        }
    }

    /// The path.
    pub fn as_path(&self) -> &Path {
        Path::new(&self.text)
    }
}

impl ArgValue for RelPath {
    fn to_value(&self) -> super::Value {
        super::Value::Path(self.clone())
    }

    fn to_argv(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(self.as_str())
    }

    fn parse_str(spec: &ArgSpec<'_>, input: &str, _opts: &ParseOptions) -> Result<Self, ArgError> {
        check_free_text(spec, input)?;
        check_empty(spec, input)?;
        if has_dotdot(input) {
            return Err(path_error(
                spec,
                input,
                Rule::PathTraversal,
                "path must not contain traversal sequences (../)",
            ));
        }
        if is_absolute(input) {
            return Err(path_error(
                spec,
                input,
                Rule::AbsolutePath,
                "must be a relative path, not absolute",
            ));
        }
        check_prefix(spec, input)?;
        check_tilde(spec, input)?;
        Ok(RelPath {
            text: input.to_string(),
        })
    }

    fn parse_json(
        spec: &ArgSpec<'_>,
        input: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Self, ArgError> {
        Self::parse_str(spec, json_str(spec.name, input, "path")?, opts)
    }

    fn to_json(&self) -> serde_json::Value {
        self.text.clone().into()
    }
}

/// A `credential_file` argument: a relative path (the `path` rules) to an existing,
/// readable regular file, resolved against [`ParseOptions::credential_base`]
/// (default: the current directory) when the value is parsed.
///
/// Order as in the reference: free-text rules, not empty, not absolute, no `..`
/// component, no URL scheme or host prefix (as for `path`), no leading `~`, exists, is a regular file (symlinks are followed, as in
/// the reference; only the manifest owner can place them), is readable. `Display` is
/// the text as given (relative to the base); [`CredentialFile::resolved`] is the base
/// joined with it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CredentialFile {
    text: String,
    resolved: PathBuf,
}

text_backed!(CredentialFile);

impl CredentialFile {
    /// The path as given (relative).
    pub fn as_path(&self) -> &Path {
        Path::new(&self.text)
    }

    /// The base directory joined with the path (what was checked).
    pub fn resolved(&self) -> &Path {
        &self.resolved
    }
}

impl ArgValue for CredentialFile {
    fn to_value(&self) -> super::Value {
        super::Value::CredentialFile(self.clone())
    }

    fn to_argv(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(self.as_str())
    }

    fn parse_str(spec: &ArgSpec<'_>, input: &str, opts: &ParseOptions) -> Result<Self, ArgError> {
        check_free_text(spec, input)?;
        check_empty(spec, input)?;
        if is_absolute(input) {
            return Err(path_error(
                spec,
                input,
                Rule::AbsolutePath,
                "must be a relative path",
            ));
        }
        if has_dotdot(input) {
            return Err(path_error(
                spec,
                input,
                Rule::PathTraversal,
                "path must not contain traversal sequences",
            ));
        }
        check_prefix(spec, input)?;
        check_tilde(spec, input)?;
        let resolved = match &opts.credential_base {
            Some(base) => base.join(input),
            None => PathBuf::from(input),
        };
        let file_error = |what: &str| {
            let name = spec.name;
            ArgError::new(
                name,
                Rule::CredentialFile,
                format!("argument '{name}' {what}: {}", shown(input)),
            )
            .with_value(input)
            .with_expected("the relative path of an existing, readable regular file")
        };
        match regular_file_state(&resolved) {
            FileState::Missing => return Err(file_error("credential file not found")),
            FileState::NotAFile => return Err(file_error("is not a file")),
            FileState::Unreadable => return Err(file_error("credential file is not readable")),
            FileState::Readable => {}
        }
        Ok(CredentialFile {
            text: input.to_string(),
            resolved,
        })
    }

    fn parse_json(
        spec: &ArgSpec<'_>,
        input: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Self, ArgError> {
        Self::parse_str(spec, json_str(spec.name, input, "credential_file")?, opts)
    }

    fn to_json(&self) -> serde_json::Value {
        self.text.clone().into()
    }
}

/// What [`regular_file_state`] found at a path.
enum FileState {
    /// Nothing there, or a directory on the way cannot be searched.
    Missing,
    /// Something other than a regular file (after following symlinks).
    NotAFile,
    /// A regular file the process may not read.
    Unreadable,
    /// A regular file the process may read.
    Readable,
}

/// Type first, then readability, without opening the file: opening a FIFO blocks and
/// opening a device can act on it, so nothing but a regular file is ever touched.
/// On Unix that is one `stat` and one `faccessat` with the effective ids (the ids
/// the tool will run with), two system calls.
#[cfg(unix)]
fn regular_file_state(path: &Path) -> FileState {
    use rustix::fs::{Access, AtFlags, CWD, FileType, accessat, stat};
    let Ok(st) = stat(path) else {
        return FileState::Missing;
    };
    if !FileType::from_raw_mode(st.st_mode).is_file() {
        return FileState::NotAFile;
    }
    match accessat(CWD, path, Access::READ_OK, AtFlags::EACCESS) {
        Ok(()) => FileState::Readable,
        Err(_) => FileState::Unreadable,
    }
}

/// Elsewhere: metadata, then an open for reading (no FIFOs to block on).
#[cfg(not(unix))]
fn regular_file_state(path: &Path) -> FileState {
    let Ok(meta) = std::fs::metadata(path) else {
        return FileState::Missing;
    };
    if !meta.is_file() {
        return FileState::NotAFile;
    }
    match std::fs::File::open(path) {
        Ok(_) => FileState::Readable,
        Err(_) => FileState::Unreadable,
    }
}
