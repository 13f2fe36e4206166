//! `include_manifest!`: one manifest checked and expanded at compile time.
//!
//! The expansion is the module the build-script path generates for that manifest
//! (same generator, same items), plus `SOURCE` (the exact bytes that were checked),
//! `SHA256` and `SHA256_BYTES`. Every file read is also named in a
//! `const _: &[u8] = include_bytes!(..)`, so rustc lists it in the crate's dep-info and
//! Cargo rebuilds when it changes.
//!
//! Errors become `compile_error!`s spanned at the path literal, each carrying the
//! rendered diagnostic (file:line:col, rule, snippet, hint), since stable Rust cannot
//! point inside another file. Warnings use the `#[deprecated]` trick (the only way a
//! stable proc macro can warn), also spanned at the literal.
//!
//! Only files inside the crate root are read: the manifest, an explicit types file,
//! and the implicit `toolclad.toml` (searched from the manifest's folder up to the
//! crate root, never above: [`TypesFile::Nearest`]), so a packaged crate builds from
//! its own files. The reading is `cladgen_core::load::Project`'s, the loader every
//! path uses; this module checks the paths, then turns the result into tokens.

use crate::GenOptions;
use cladgen_core::load::{self, Diagnostic, LoadedSet, Project, TypesFile, UnknownKeys};
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token};

/// The macro's input: the manifest path, then options.
///
/// ```text
/// include_manifest!("tools/x.clad.toml")
/// include_manifest!("tools/x.clad.toml", "config/toolclad.toml")   // types file, positional
/// include_manifest!(
///     "tools/x.clad.toml",
///     types = "config/toolclad.toml",
///     unknown_keys = warn,
///     extern_types = { allowed_csv_path = crate::CsvPath },
/// )
/// ```
struct Input {
    manifest: LitStr,
    types: Option<LitStr>,
    unknown_keys: UnknownKeys,
    extern_types: BTreeMap<String, String>,
}

const USAGE: &str = "expected `include_manifest!(\"tools/x.clad.toml\")`, optionally followed by a types file path and the options `types = \"toolclad.toml\"`, `unknown_keys = error|warn`, `extern_types = { type_name = path::to::RustType, ... }`";

const OPTIONS: [&str; 3] = ["types", "unknown_keys", "extern_types"];

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let manifest: LitStr = input
            .parse()
            .map_err(|e| syn::Error::new(e.span(), USAGE))?;
        let mut parsed = Input {
            manifest,
            types: None,
            unknown_keys: UnknownKeys::Error,
            extern_types: BTreeMap::new(),
        };
        let mut seen: Vec<String> = Vec::new();
        let mut first = true;
        while !input.is_empty() {
            input
                .parse::<Token![,]>()
                .map_err(|e| syn::Error::new(e.span(), USAGE))?;
            if input.is_empty() {
                break;
            }
            // The types file may also be given as a bare second literal.
            if first && input.peek(LitStr) {
                parsed.types = Some(input.parse()?);
                seen.push("types".into());
                first = false;
                continue;
            }
            first = false;
            let key: Ident = input
                .parse()
                .map_err(|e| syn::Error::new(e.span(), USAGE))?;
            let name = key.to_string();
            if seen.contains(&name) {
                return Err(syn::Error::new(
                    key.span(),
                    format!("option `{name}` is given twice"),
                ));
            }
            input.parse::<Token![=]>()?;
            match name.as_str() {
                "types" => parsed.types = Some(input.parse()?),
                "unknown_keys" => parsed.unknown_keys = parse_level(input)?,
                "extern_types" => parsed.extern_types = parse_extern_types(input)?,
                _ => {
                    let hint = load::did_you_mean(&name, OPTIONS)
                        .map(|o| format!(" (did you mean `{o}`?)"))
                        .unwrap_or_default();
                    let all = OPTIONS.map(|o| format!("`{o}`")).join(", ");
                    return Err(syn::Error::new(
                        key.span(),
                        format!("unknown option `{name}`{hint}; the options are {all}"),
                    ));
                }
            }
            seen.push(name);
        }
        Ok(parsed)
    }
}

/// `error` or `warn`.
fn parse_level(input: ParseStream<'_>) -> syn::Result<UnknownKeys> {
    let value: Ident = input.parse()?;
    match value.to_string().as_str() {
        "error" => Ok(UnknownKeys::Error),
        "warn" => Ok(UnknownKeys::Warn),
        other => Err(syn::Error::new(
            value.span(),
            format!("`unknown_keys` is `error` or `warn`, not `{other}`"),
        )),
    }
}

/// `{ type_name = path::to::Type, "type-name" = path::to::Type, ... }`.
fn parse_extern_types(input: ParseStream<'_>) -> syn::Result<BTreeMap<String, String>> {
    let body;
    syn::braced!(body in input);
    let mut map = BTreeMap::new();
    while !body.is_empty() {
        let (name, span) = if body.peek(LitStr) {
            let lit: LitStr = body.parse()?;
            (lit.value(), lit.span())
        } else {
            // Any identifier, keywords included (`type`, `r#type`).
            let ident: Ident = body.call(Ident::parse_any)?;
            (ident.unraw().to_string(), ident.span())
        };
        body.parse::<Token![=]>()?;
        let path: syn::Path = body.parse()?;
        if map.insert(name.clone(), rust_path(&path)?).is_some() {
            return Err(syn::Error::new(
                span,
                format!("extern type `{name}` is mapped twice"),
            ));
        }
        if body.is_empty() {
            break;
        }
        body.parse::<Token![,]>()?;
    }
    Ok(map)
}

/// `crate::CsvPath` as text, refusing generic arguments (the generated code names the
/// type in positions where only a plain path fits).
fn rust_path(path: &syn::Path) -> syn::Result<String> {
    let mut text = String::new();
    if path.leading_colon.is_some() {
        text.push_str("::");
    }
    for (i, segment) in path.segments.iter().enumerate() {
        if !segment.arguments.is_none() {
            return Err(syn::Error::new_spanned(
                segment,
                "an extern type is a plain path to a type (`crate::CsvPath`), without generic arguments; wrap a generic type in a type of your own",
            ));
        }
        if i > 0 {
            text.push_str("::");
        }
        text.push_str(&segment.ident.to_string());
    }
    Ok(text)
}

/// Expands `include_manifest!(...)`; `crate_dir` is `CARGO_MANIFEST_DIR`.
///
/// Never fails: every problem is a `compile_error!` in the returned tokens.
pub fn include_manifest(
    input: TokenStream,
    crate_dir: Option<&Path>,
    opts: &GenOptions,
) -> TokenStream {
    let input: Input = match syn::parse2(input) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error(),
    };
    match expand(&input, crate_dir, opts) {
        Ok(t) => t,
        Err(failure) => {
            let errors = failure.errors.iter().map(syn::Error::to_compile_error);
            // Track what was read even when it is broken, so fixing it recompiles.
            let tracking = track(&failure.tracked);
            let warnings = &failure.warnings;
            quote!(#(#errors)* #tracking #(#warnings)*)
        }
    }
}

/// Why the expansion failed, the warnings found on the way (reported too, as every
/// path reports every diagnostic) and the files read so far (still tracked for
/// rebuilds).
struct Failure {
    errors: Vec<syn::Error>,
    warnings: Vec<TokenStream>,
    tracked: Vec<PathBuf>,
}

impl Failure {
    fn new(span: Span, message: String) -> Self {
        Failure {
            errors: vec![syn::Error::new(span, message)],
            warnings: Vec::new(),
            tracked: Vec::new(),
        }
    }
}

/// Checks a path literal against the (canonical) crate root: absolute paths and
/// paths that end up outside the crate are refused. Returns the path as written,
/// which the loader takes relative to the root and shows in messages (never a
/// machine-specific absolute path).
fn resolve(lit: &LitStr, root: &Path, what: &str) -> Result<PathBuf, syn::Error> {
    let rel = lit.value();
    if Path::new(&rel).is_absolute() {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "{what} path `{rel}` is absolute; give it relative to the crate root (CARGO_MANIFEST_DIR) so the build does not depend on where the crate is checked out"
            ),
        ));
    }
    let canonical = root.join(&rel).canonicalize().map_err(|e| {
        syn::Error::new(
            lit.span(),
            format!(
                "{what} `{rel}` cannot be opened (relative to the crate root, CARGO_MANIFEST_DIR): {e}"
            ),
        )
    })?;
    if !canonical.starts_with(root) {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "{what} `{rel}` resolves to a file outside the crate root (CARGO_MANIFEST_DIR); keep manifests inside the crate so it builds from its own files"
            ),
        ));
    }
    Ok(PathBuf::from(rel))
}

fn expand(
    input: &Input,
    crate_dir: Option<&Path>,
    opts: &GenOptions,
) -> Result<TokenStream, Failure> {
    let span = input.manifest.span();
    let crate_dir = crate_dir.ok_or_else(|| {
        Failure::new(
            span,
            "CARGO_MANIFEST_DIR is not set; include_manifest! must be compiled by Cargo".into(),
        )
    })?;
    let root = crate_dir.canonicalize().map_err(|e| {
        Failure::new(
            span,
            format!("the crate root (CARGO_MANIFEST_DIR) cannot be opened: {e}"),
        )
    })?;
    let refused = |e: syn::Error| Failure {
        errors: vec![e],
        warnings: Vec::new(),
        tracked: Vec::new(),
    };
    let manifest = resolve(&input.manifest, &root, "manifest").map_err(refused)?;
    let explicit_types = match &input.types {
        Some(lit) => Some((
            resolve(lit, &root, "types file").map_err(refused)?,
            lit.span(),
        )),
        None => None,
    };
    // All reading is the loader's, with the one types-file policy of every path: the
    // implicit `toolclad.toml` is searched up to the crate root, never above it.
    let set = Project::new()
        .confined_to(&root)
        .base_dir(&root)
        .types_file(match &explicit_types {
            Some((path, _)) => TypesFile::At(path.clone()),
            None => TypesFile::Nearest,
        })
        .unknown_keys(input.unknown_keys)
        .extern_types(input.extern_types.clone())
        .load_file(&manifest);
    // Problems of an explicit types file point at its literal; all others at the
    // manifest's.
    let span_of = |d: &Diagnostic| match &explicit_types {
        Some((path, types_span)) if d.file == *path => *types_span,
        _ => span,
    };
    let tracked = set.inputs.clone();
    let warnings: Vec<TokenStream> = set
        .warnings()
        .map(|d| warning(span_of(d), &set.render_diagnostic(d, false)))
        .collect();
    if set.has_errors() {
        return Err(Failure {
            errors: errors_of(&set, span_of),
            warnings,
            tracked,
        });
    }
    let (Some((_, model)), Some(text)) = (set.valid().next(), set.sources.get(&manifest)) else {
        // A set without errors holds the one manifest it was given, with its text.
        return Err(Failure {
            errors: vec![syn::Error::new(
                span,
                "internal error: the loader returned no manifest and no error; please report this",
            )],
            warnings,
            tracked,
        });
    };
    let shown = manifest.to_string_lossy();
    let items = crate::tool_items(model, opts).map_err(|e| Failure {
        errors: vec![syn::Error::new(span, e.to_string())],
        warnings: warnings.clone(),
        tracked: tracked.clone(),
    })?;
    let module = crate::tool_module_name(model);
    let digest = Sha256::digest(text.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let bytes = digest.iter();
    let doc = crate::doc_lines(&format!(
        "{}\n\nTool `{}` {}, risk tier `{}`; embedded from {} by `include_manifest!`.",
        crate::manifest_prose(&model.tool.description),
        model.tool.name,
        crate::manifest_prose(&model.tool.version),
        model.tool.risk_tier,
        crate::code_span(&shown)
    ));
    let tracking = track(&tracked);
    Ok(quote_spanned! {span=>
        #doc
        #[allow(dead_code)] // generated API: a crate uses only what it needs
        pub mod #module {
            #items

            /// The manifest file's exact text, as checked and compiled in.
            // A literal rather than `include_str!`: SOURCE, SHA256 and MANIFEST then come
            // from the same read, even if the file changes while rustc runs.
            pub const SOURCE: &str = #text;
            /// SHA-256 of [`SOURCE`], lower-case hex (for signatures and evidence chains).
            pub const SHA256: &str = #hex;
            /// SHA-256 of [`SOURCE`] as bytes.
            pub const SHA256_BYTES: [u8; 32] = [#(#bytes),*];
            #tracking
            #(#warnings)*
        }
    })
}

/// One `compile_error!` per error diagnostic, each the full plain rendering.
///
/// rustc already prints `error: ` before the message, so the rendering's own leading
/// `error` is dropped: `error: [unknown-key]: unknown key ...`, not `error: error[...`.
fn errors_of(set: &LoadedSet, span_of: impl Fn(&Diagnostic) -> Span) -> Vec<syn::Error> {
    set.diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let text = set.render_diagnostic(d, false);
            let text = text.strip_prefix("error").unwrap_or(&text);
            syn::Error::new(span_of(d), text)
        })
        .collect()
}

/// A compiler warning at `span` carrying `message`: stable proc macros cannot emit
/// warnings, but using a `#[deprecated]` item makes rustc print its note (sqlx's trick).
/// `#![deny(deprecated)]` turns it into an error, `allow` silences it.
fn warning(span: Span, message: &str) -> TokenStream {
    quote_spanned! {span=>
        const _: () = {
            #[deprecated(note = #message)]
            const CLADGEN_MANIFEST_WARNING: () = ();
            CLADGEN_MANIFEST_WARNING
        };
    }
}

/// `const _: &[u8] = include_bytes!(...)` for each path: rustc then lists the files
/// as inputs of the crate, and Cargo rebuilds when they change.
fn track(paths: &[PathBuf]) -> TokenStream {
    let mut paths: Vec<String> = paths
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    paths.sort();
    paths.dedup();
    quote!(#(const _: &[u8] = ::core::include_bytes!(#paths);)*)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"[tool]
name = "demo"
version = "1.0.0"
description = "A demo tool"

[args.host]
type = "host"
required = true

[command]
exec = ["echo", "--host={host}"]

[output]
format = "text"
"#;

    const TYPES: &str = "[types.host]\nbase = \"string\"\npattern = \"^[a-z.]+$\"\n";

    /// A scratch folder holding `crate/` (the crate root) and whatever a test puts
    /// around it; removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let dir =
                std::env::temp_dir().join(format!("cladgen-embed-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(dir.join("crate/tools")).unwrap();
            Scratch(dir)
        }

        fn root(&self) -> PathBuf {
            self.0.join("crate")
        }

        fn write(&self, rel: &str, contents: &[u8]) {
            let p = self.0.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, contents).unwrap();
        }

        fn expand(&self, args: TokenStream) -> String {
            include_manifest(args, Some(&self.root()), &GenOptions::default()).to_string()
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn include_count(out: &str) -> usize {
        out.matches("include_bytes").count()
    }

    #[test]
    fn expansion_holds_the_build_script_items_and_tracks_both_files() {
        let s = Scratch::new("same");
        s.write("crate/tools/x.clad.toml", MANIFEST.as_bytes());
        s.write("crate/toolclad.toml", TYPES.as_bytes());
        let out = s.expand(quote!("tools/x.clad.toml"));
        assert!(!out.contains("compile_error"), "{out}");

        let types =
            load::load_types_str(Path::new("toolclad.toml"), TYPES, UnknownKeys::Error).unwrap();
        let opts = load::LoadOptions {
            custom_types: Some(types),
            ..load::LoadOptions::default()
        };
        let m = load::load_str(Path::new("x"), MANIFEST, &opts)
            .manifest
            .unwrap();
        let items = crate::tool_items(&m, &GenOptions::default())
            .unwrap()
            .to_string();
        assert!(
            out.contains(&items),
            "the module must hold tool_items verbatim"
        );
        assert!(out.contains("pub mod demo"), "{out}");
        assert!(
            out.contains(&format!("{:?}", MANIFEST)),
            "SOURCE is the file's text"
        );
        let digest: String = Sha256::digest(MANIFEST.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(
            out.contains(&format!("\"{digest}\"")),
            "SHA256 is the digest"
        );
        // The manifest and the toolclad.toml found for it, in sorted order.
        assert_eq!(include_count(&out), 2, "{out}");
        let manifest_at = out.find("x.clad.toml\")").unwrap();
        let types_at = out.find("toolclad.toml\")").unwrap();
        assert!(types_at < manifest_at, "paths are sorted");
    }

    #[test]
    fn implicit_types_file_errors_show_its_path_relative_to_the_crate() {
        let s = Scratch::new("types-rel");
        s.write("crate/tools/x.clad.toml", MANIFEST.as_bytes());
        s.write(
            "crate/tools/toolclad.toml",
            b"[types.host]\nbase = \"hots\"\n",
        );
        let out = s.expand(quote!("tools/x.clad.toml"));
        assert!(out.contains("compile_error"), "{out}");
        assert!(out.contains("--> tools/toolclad.toml:2:8"), "{out}");
        // Only the tracking `include_bytes!`, which follow the errors, name absolute paths.
        let (errors, tracking) = out.split_once("include_bytes").unwrap();
        assert!(!errors.contains(&*s.0.to_string_lossy()), "{errors}");
        assert!(tracking.contains("toolclad.toml"), "{tracking}");
    }

    #[test]
    fn the_types_search_stops_at_the_crate_root() {
        let s = Scratch::new("types-above");
        s.write("crate/tools/x.clad.toml", MANIFEST.as_bytes());
        s.write("toolclad.toml", TYPES.as_bytes()); // beside the crate, not in it
        let out = s.expand(quote!("tools/x.clad.toml"));
        assert!(out.contains("unknown type `host`"), "{out}");
        assert_eq!(include_count(&out), 1, "only the manifest is read: {out}");
    }

    #[test]
    fn an_explicit_types_file_outside_the_crate_is_refused() {
        let s = Scratch::new("types-outside");
        s.write("crate/tools/x.clad.toml", MANIFEST.as_bytes());
        s.write("types.toml", TYPES.as_bytes());
        let out = s.expand(quote!("tools/x.clad.toml", "../types.toml"));
        assert!(
            out.contains("types file `../types.toml` resolves to a file outside the crate root"),
            "{out}"
        );
    }

    #[test]
    fn unreadable_files_are_reported_and_not_tracked() {
        let s = Scratch::new("unreadable");
        std::fs::create_dir_all(s.root().join("tools/dir.clad.toml")).unwrap();
        let out = s.expand(quote!("tools/dir.clad.toml"));
        assert!(
            out.contains("[io]: tools/dir.clad.toml is a directory"),
            "{out}"
        );
        assert_eq!(include_count(&out), 0, "{out}");

        s.write("crate/tools/x.clad.toml", MANIFEST.as_bytes());
        std::fs::create_dir_all(s.root().join("tools/types.toml")).unwrap();
        let out = s.expand(quote!("tools/x.clad.toml", "tools/types.toml"));
        assert!(
            out.contains("[io]: tools/types.toml is a directory"),
            "{out}"
        );
        // The manifest was read, so fixing the types file is still noticed.
        assert_eq!(include_count(&out), 1, "{out}");
    }

    #[test]
    fn a_manifest_that_is_not_utf8_is_an_error_and_tracked() {
        let s = Scratch::new("utf8");
        s.write("crate/tools/x.clad.toml", b"[tool]\nname = \"\xff\"\n");
        let out = s.expand(quote!("tools/x.clad.toml"));
        assert!(
            out.contains(
                "[not-utf8]: tools/x.clad.toml is not UTF-8 text (invalid byte at offset 15)"
            ),
            "{out}"
        );
        assert_eq!(include_count(&out), 1, "{out}");
        assert!(out.contains("--> tools/x.clad.toml:2:"), "located: {out}");
    }

    #[test]
    fn warnings_become_deprecation_notes_and_do_not_block() {
        let s = Scratch::new("warn");
        let warned = MANIFEST.replace("required = true", "required = true\ndefault = \"a.b\"");
        s.write("crate/tools/x.clad.toml", warned.as_bytes());
        s.write("crate/toolclad.toml", TYPES.as_bytes());
        let out = s.expand(quote!("tools/x.clad.toml"));
        assert!(!out.contains("compile_error"), "{out}");
        assert!(out.contains("deprecated"), "{out}");
        assert!(out.contains("warning[required-with-default]"), "{out}");
        assert!(out.contains("--> tools/x.clad.toml:9:11"), "{out}");
    }

    #[test]
    fn warnings_are_reported_beside_errors() {
        let s = Scratch::new("warn-and-error");
        let both = MANIFEST.replace(
            "required = true",
            "required = true\ndefault = \"a.b\"\nrequird = 1",
        );
        s.write("crate/tools/x.clad.toml", both.as_bytes());
        s.write("crate/toolclad.toml", TYPES.as_bytes());
        let out = s.expand(quote!("tools/x.clad.toml"));
        assert!(out.contains("compile_error"), "{out}");
        assert!(out.contains("[unknown-key]"), "{out}");
        assert!(out.contains("deprecated"), "{out}");
        assert!(out.contains("warning[required-with-default]"), "{out}");
    }

    #[test]
    fn options_set_the_types_file_unknown_keys_and_extern_types() {
        let s = Scratch::new("options");
        s.write("crate/tools/x.clad.toml", MANIFEST.as_bytes());
        s.write("crate/config/types.toml", TYPES.as_bytes());
        let keyed = s.expand(quote!("tools/x.clad.toml", types = "config/types.toml"));
        assert!(!keyed.contains("compile_error"), "{keyed}");
        assert_eq!(
            keyed,
            s.expand(quote!("tools/x.clad.toml", "config/types.toml")),
            "`types = ` is the positional types file"
        );

        // An extern type needs no types file; the generated code names the Rust type.
        let out = s.expand(quote!(
            "tools/x.clad.toml",
            extern_types = { host = crate::net::Host },
        ));
        assert!(!out.contains("compile_error"), "{out}");
        assert!(out.contains("crate :: net :: Host"), "{out}");
        assert!(
            out.contains("rust_path"),
            "the model records the extern type: {out}"
        );
        // Raw identifiers name the type without `r#`.
        let raw = s.expand(quote!(
            "tools/x.clad.toml",
            extern_types = { r#host = crate::H }
        ));
        assert!(!raw.contains("compile_error"), "{raw}");

        let unknown_key = MANIFEST.replace("required = true", "required = true\nrequird = 1");
        s.write("crate/tools/k.clad.toml", unknown_key.as_bytes());
        let strict = s.expand(quote!("tools/k.clad.toml", "config/types.toml"));
        assert!(strict.contains("compile_error"), "{strict}");
        assert!(strict.contains("[unknown-key]"), "{strict}");
        let lenient = s.expand(quote!(
            "tools/k.clad.toml",
            types = "config/types.toml",
            unknown_keys = warn
        ));
        assert!(!lenient.contains("compile_error"), "{lenient}");
        assert!(lenient.contains("warning[unknown-key]"), "{lenient}");
        let explicit = s.expand(quote!(
            "tools/k.clad.toml",
            types = "config/types.toml",
            unknown_keys = error
        ));
        assert_eq!(explicit, strict);
    }

    #[test]
    fn bad_options_are_errors_naming_the_option() {
        let s = Scratch::new("bad-options");
        s.write("crate/tools/x.clad.toml", MANIFEST.as_bytes());
        for (args, message) in [
            (
                quote!("tools/x.clad.toml", typs = "t.toml"),
                "unknown option `typs` (did you mean `types`?); the options are `types`, `unknown_keys`, `extern_types`",
            ),
            (
                quote!("tools/x.clad.toml", "t.toml", types = "u.toml"),
                "option `types` is given twice",
            ),
            (
                quote!(
                    "tools/x.clad.toml",
                    unknown_keys = warn,
                    unknown_keys = error
                ),
                "option `unknown_keys` is given twice",
            ),
            (
                quote!("tools/x.clad.toml", unknown_keys = loud),
                "`unknown_keys` is `error` or `warn`, not `loud`",
            ),
            (
                quote!("tools/x.clad.toml", extern_types = { host = a::B, host = a::C }),
                "extern type `host` is mapped twice",
            ),
            (
                quote!("tools/x.clad.toml", extern_types = { host = a::B<u8> }),
                "an extern type is a plain path to a type",
            ),
            (
                quote!("tools/x.clad.toml", types = 3),
                "expected string literal",
            ),
        ] {
            let out = s.expand(args.clone());
            assert!(out.contains("compile_error"), "{args}: {out}");
            assert!(out.contains(message), "{args}: {out}");
        }
        // A type name that is not a Rust identifier is written as a string.
        let dashed = MANIFEST.replace("type = \"host\"", "type = \"lab-host\"");
        s.write("crate/tools/d.clad.toml", dashed.as_bytes());
        let out = s.expand(quote!(
            "tools/d.clad.toml",
            extern_types = { "lab-host" = ::lab::Host }
        ));
        assert!(!out.contains("compile_error"), "{out}");
        assert!(out.contains(":: lab :: Host"), "{out}");
    }

    #[test]
    fn without_cargo_manifest_dir_or_a_literal_it_is_an_error() {
        let out = include_manifest(quote!("tools/x.clad.toml"), None, &GenOptions::default());
        assert!(out.to_string().contains("CARGO_MANIFEST_DIR is not set"));
        let s = Scratch::new("input");
        for bad in [quote!(), quote!(x), quote!("a", "b", "c"), quote!("a" "b")] {
            let out = s.expand(bad.clone());
            assert!(out.contains("expected `include_manifest!"), "{bad}: {out}");
        }
        let out = s.expand(quote!("/abs/x.clad.toml"));
        assert!(out.contains("is absolute"), "{out}");
    }
}
