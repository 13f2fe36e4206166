//! `include_manifest!`: one manifest checked and expanded at compile time.
//!
//! The expansion is the module the build-script path generates for that manifest
//! (same generator, same items), plus `SOURCE` (the exact bytes, through
//! `include_str!`, which also makes rustc rebuild when the file changes) and `SHA256`.
//! Errors become `compile_error!`s spanned at the path literal, each carrying the
//! rendered diagnostic (file:line:col, rule, snippet, hint), since stable Rust cannot
//! point inside another file.

use crate::GenOptions;
use cladgen_core::load::{self, LoadOptions};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use syn::parse::{Parse, ParseStream};
use syn::{LitStr, Token};

/// The macro's input: `"path/to/x.clad.toml"` and an optional `"path/to/toolclad.toml"`.
struct Input {
    manifest: LitStr,
    types: Option<LitStr>,
}

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let manifest: LitStr = input.parse()?;
        let mut types = None;
        if input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
            types = Some(input.parse()?);
            input.parse::<Option<Token![,]>>()?;
        }
        if !input.is_empty() {
            return Err(input.error(
                "expected `include_manifest!(\"tools/x.clad.toml\")` or `include_manifest!(\"tools/x.clad.toml\", \"toolclad.toml\")`",
            ));
        }
        Ok(Input { manifest, types })
    }
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
        Err((errors, tracked)) => {
            let errors = errors.into_iter().map(|e| e.to_compile_error());
            // Track what was read even when it is broken, so fixing it recompiles.
            let tracking = track(&tracked);
            quote!(#(#errors)* #tracking)
        }
    }
}

type Failure = (Vec<syn::Error>, Vec<PathBuf>);

fn resolve(lit: &LitStr, crate_dir: &Path, what: &str) -> Result<PathBuf, syn::Error> {
    let rel = lit.value();
    if Path::new(&rel).is_absolute() {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "{what} path `{rel}` is absolute; give it relative to the crate root (CARGO_MANIFEST_DIR) so the build does not depend on where the crate is checked out"
            ),
        ));
    }
    let joined = crate_dir.join(&rel);
    let canonical = joined.canonicalize().map_err(|e| {
        syn::Error::new(
            lit.span(),
            format!("{what} `{rel}` cannot be opened (relative to the crate root, CARGO_MANIFEST_DIR): {e}"),
        )
    })?;
    let root = crate_dir
        .canonicalize()
        .unwrap_or_else(|_| crate_dir.to_path_buf());
    if !canonical.starts_with(&root) {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "{what} `{rel}` resolves to a file outside the crate root (CARGO_MANIFEST_DIR); keep manifests inside the crate so it builds from its own files"
            ),
        ));
    }
    Ok(canonical)
}

fn expand(
    input: &Input,
    crate_dir: Option<&Path>,
    opts: &GenOptions,
) -> Result<TokenStream, Failure> {
    let span = input.manifest.span();
    let fail = |msg: String| (vec![syn::Error::new(span, msg)], Vec::new());
    let crate_dir = crate_dir.ok_or_else(|| {
        fail("CARGO_MANIFEST_DIR is not set; include_manifest! must be compiled by Cargo".into())
    })?;
    let path =
        resolve(&input.manifest, crate_dir, "manifest").map_err(|e| (vec![e], Vec::new()))?;
    let mut tracked = vec![path.clone()];
    let source = std::fs::read(&path).map_err(|e| {
        (
            vec![syn::Error::new(
                span,
                format!("cannot read manifest `{}`: {e}", input.manifest.value()),
            )],
            tracked.clone(),
        )
    })?;
    let text = String::from_utf8(source.clone()).map_err(|e| {
        (
            vec![syn::Error::new(
                span,
                format!(
                    "manifest `{}` is not UTF-8 text: {e}",
                    input.manifest.value()
                ),
            )],
            tracked.clone(),
        )
    })?;

    let types_path = match &input.types {
        Some(lit) => {
            Some(resolve(lit, crate_dir, "types file").map_err(|e| (vec![e], tracked.clone()))?)
        }
        None => path.parent().and_then(load::find_types_file),
    };
    let custom_types = match &types_path {
        Some(tp) => {
            tracked.push(tp.clone());
            let tspan = input.types.as_ref().map_or(span, LitStr::span);
            match load::load_types_file(tp, cladgen_core::load::Level::Error) {
                Ok(t) => Some(t),
                Err(diags) => {
                    let src = std::fs::read_to_string(tp).unwrap_or_default();
                    let errors = diags
                        .iter()
                        .filter(|d| d.is_error())
                        .map(|d| syn::Error::new(tspan, d.render(&src, false)))
                        .collect();
                    return Err((errors, tracked));
                }
            }
        }
        None => None,
    };
    let opts_load = LoadOptions {
        custom_types,
        ..LoadOptions::default()
    };
    // Diagnostics name the path as the user wrote it: readable, and stable across machines.
    let loaded = load::load_str(Path::new(&input.manifest.value()), &text, &opts_load);
    let Some(manifest) = loaded.manifest else {
        let errors = loaded
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| syn::Error::new(span, d.render(&text, false)))
            .collect();
        return Err((errors, tracked));
    };
    let items = crate::tool_items(&manifest, opts)
        .map_err(|e| (vec![syn::Error::new(span, e.to_string())], tracked.clone()))?;
    let module = crate::tool_module_name(&manifest);
    let digest = Sha256::digest(&source);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let bytes = digest.iter();
    let abs = path.to_string_lossy().into_owned();
    let doc = crate::doc_lines(&format!(
        "{}\n\nTool `{}` {}, risk tier `{}`; embedded from `{}` by `include_manifest!`.",
        manifest.tool.description,
        manifest.tool.name,
        manifest.tool.version,
        manifest.tool.risk_tier,
        input.manifest.value()
    ));
    let others = track(&tracked[1..]);
    Ok(quote_spanned! {span=>
        #doc
        #[allow(dead_code)] // generated API: a crate uses only what it needs
        pub mod #module {
            #items

            /// The manifest file's exact bytes, as compiled in.
            pub const SOURCE: &str = ::core::include_str!(#abs);
            /// SHA-256 of [`SOURCE`], lower-case hex (for signatures and evidence chains).
            pub const SHA256: &str = #hex;
            /// SHA-256 of [`SOURCE`] as bytes.
            pub const SHA256_BYTES: [u8; 32] = [#(#bytes),*];
            #others
        }
    })
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
