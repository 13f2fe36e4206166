//! One tool: every item of its module.

use crate::args::{ArgSet, claim};
use crate::literal::Emitter;
use crate::{CodegenError, Gen, GenOptions, command, names, remote, session};
use cladgen_core::model::{Backend, Manifest};
use cladgen_core::schema::{self, Flavor};
use proc_macro2::{Ident, TokenStream};
use quote::{ToTokens, quote};

/// The module name of a tool (`nmap_scan`; keywords become raw identifiers).
pub fn tool_module_name(m: &Manifest) -> Ident {
    names::field_ident(&m.tool.name)
}

/// The items of a tool's module (without the `mod` around them).
///
/// Types, constants and statics are items of the module; every impl goes into one
/// `const _: () = { use <runtime>::__private as __rt; … };` (serde's pattern), so the
/// impls spell runtime names briefly and nothing leaks into the module. Inherent impls
/// of one type, emitted by several parts of the generator, are merged into one block.
pub fn tool_items(m: &Manifest, opts: &GenOptions) -> Result<TokenStream, CodegenError> {
    let mut g = Gen::new(opts, &m.tool.name)?;
    g.evidence_output_dir = m.tool.evidence.as_ref().map(|e| e.output_dir.to_string());
    let mut taken: Vec<String> = Vec::new();
    let mut items = TokenStream::new();
    let command_tool = matches!(m.backend, Backend::Session(_) | Backend::Browser(_));
    // A session or browser tool is called through its commands: its type is the
    // command enum, and it has an arguments struct only if the manifest declares
    // tool-level `[args]`.
    if !command_tool || !m.args.is_empty() {
        let args_name = format!("{}Args", names::pascal(&m.tool.name));
        claim(&mut taken, &args_name, &g.tool, "(the arguments struct)")?;
        claim(
            &mut taken,
            &format!("{args_name}Builder"),
            &g.tool,
            "(its builder)",
        )?;
        let ty = names::ident(&args_name);
        let set = ArgSet::new(
            &g,
            &m.args,
            ty.clone(),
            names::args_static(None),
            &mut taken,
        )?;
        let doc = format!(
            "Arguments of the `{}` tool: {}\n\nEvery field is valid once constructed: build it with [`{}::from_json`] (an LLM's call) or [`{}::builder`] (Rust callers).",
            m.tool.name,
            crate::manifest_prose(&m.tool.description),
            args_name,
            args_name
        );
        items.extend(set.items(&doc));
        match &m.backend {
            Backend::Command(c) => items.extend(command::items(&g, &set, c)),
            Backend::Http(h) => items.extend(remote::http_items(&g, &set, h)),
            Backend::Mcp(x) => items.extend(remote::mcp_items(&set, x)),
            Backend::Source(s) => {
                let op = s.operation.as_ref();
                items.extend(quote! {
                    impl #ty {
                        /// The in-process operation (`[source] operation`) the host implements.
                        pub const OPERATION: &'static str = #op;
                    }
                });
            }
            Backend::Session(_) | Backend::Browser(_) | Backend::Callback => {}
        }
        if !command_tool {
            items.extend(tool_impl(m, &ty));
        }
    }
    match &m.backend {
        Backend::Session(s) => items.extend(session::session_items(&g, m, s, &mut taken)?),
        Backend::Browser(b) => items.extend(session::browser_items(&g, m, b, &mut taken)?),
        _ => {}
    }
    items.extend(consts(&g, m)?);
    refuse_compile_error(&g, &items)?;
    prelude(&g, items)
}

/// The generator marks a model it cannot turn into code (one the loader would have
/// refused, built by hand) with `compile_error!`; such code is an error here, so that
/// neither a build script nor `cladgen expand` ever hands it on as a success.
fn refuse_compile_error(g: &Gen, items: &TokenStream) -> Result<(), CodegenError> {
    use proc_macro2::TokenTree;
    let mut iter = items.clone().into_iter().peekable();
    while let Some(tt) = iter.next() {
        match tt {
            TokenTree::Ident(i) if i == "compile_error" => {
                let message = iter
                    .find_map(|t| match t {
                        TokenTree::Group(grp) => Some(grp.stream().to_string()),
                        _ => None,
                    })
                    .unwrap_or_default();
                return Err(CodegenError::Internal {
                    tool: g.tool.clone(),
                    reason: format!("the generator emitted `compile_error!({message})`"),
                });
            }
            TokenTree::Group(grp) => refuse_compile_error(g, &grp.stream())?,
            _ => {}
        }
    }
    Ok(())
}

/// The module's items behind its runtime prelude (`use <runtime>::__private as __rt;`),
/// the inherent impls of each type merged into its first one.
///
/// The prelude is a private import of the generated module itself (its file is
/// included as `pub mod <tool> { … }` by `include_tools!`, and `include_manifest!`
/// expands to that module), so it cannot clash with or leak into the user's code.
fn prelude(g: &Gen, items: TokenStream) -> Result<TokenStream, CodegenError> {
    let rt = &g.rt;
    let file: syn::File = syn::parse2(items).map_err(|e| CodegenError::Internal {
        tool: g.tool.clone(),
        reason: e.to_string(),
    })?;
    let mut out: Vec<syn::Item> = Vec::new();
    for item in file.items {
        let syn::Item::Impl(imp) = item else {
            out.push(item);
            continue;
        };
        // Generated inherent impls are of plain types (no generics): the type's
        // tokens identify it.
        let key = |i: &syn::ItemImpl| {
            (i.trait_.is_none() && i.generics.params.is_empty())
                .then(|| i.self_ty.to_token_stream().to_string())
        };
        let this = key(&imp);
        let first = out.iter_mut().find_map(|i| match i {
            syn::Item::Impl(i) if this.is_some() && key(i) == this => Some(i),
            _ => None,
        });
        match first {
            Some(first) => first.items.extend(imp.items),
            None => out.push(syn::Item::Impl(imp)),
        }
    }
    Ok(quote! {
        use #rt::__private as __rt;
        #(#out)*
    })
}

/// `impl Tool` for the arguments struct of a one-shot tool.
fn tool_impl(m: &Manifest, ty: &Ident) -> TokenStream {
    let tool = m.tool.name.as_ref();
    let (uses_ctx, uses_secrets, body) = match &m.backend {
        Backend::Command(c) => match c.run {
            cladgen_core::model::CommandRun::Executor { .. } => (
                true,
                false,
                quote!(__rt::Plan::Executor(self.executor(ctx)?)),
            ),
            _ => (true, false, quote!(__rt::Plan::Argv(self.argv(ctx)))),
        },
        Backend::Http(_) => (
            true,
            true,
            quote!(__rt::Plan::Http(self.http_request(ctx, secrets)?)),
        ),
        Backend::Mcp(x) => {
            let (server, t) = (x.server.as_ref(), x.tool.as_ref());
            (
                false,
                false,
                quote!(__rt::Plan::Mcp { server: #server.into(), tool: #t.into(), arguments: self.mcp_arguments() }),
            )
        }
        Backend::Callback => (
            false,
            false,
            quote!(__rt::Plan::Callback { tool: #tool.into() }),
        ),
        Backend::Source(s) => {
            let op = s.operation.as_ref();
            (
                false,
                false,
                quote!(__rt::Plan::Source { operation: #op.into() }),
            )
        }
        // Command tools implement `Tool` on their command enum (session.rs).
        Backend::Session(_) | Backend::Browser(_) => return TokenStream::new(),
    };
    let ctx = if uses_ctx { quote!(ctx) } else { quote!(_ctx) };
    let secrets = if uses_secrets {
        quote!(secrets)
    } else {
        quote!(_secrets)
    };
    quote! {
        impl __rt::Tool for #ty {
            const MANIFEST: &'static __rt::Manifest = &MANIFEST;
            const TOOL_NAMES: &'static [&'static str] = &[#tool];

            fn from_call(name: &str, args: &__rt::Value) -> __rt::Result<Self, __rt::CallError> {
                __rt::call_args(Self::TOOL_NAMES, name, args, Self::from_json)
            }

            fn to_json(&self) -> __rt::Value {
                self.to_json()
            }

            fn values(&self) -> __rt::Vec<__rt::Option<__rt::DynValue>> {
                self.values()
            }

            fn plan(&self, #ctx: &__rt::ExecContext, #secrets: &dyn __rt::SecretResolver) -> __rt::Result<__rt::Plan, __rt::InvokeError> {
                __rt::Ok(#body)
            }

            fn definitions(flavor: __rt::Flavor) -> &'static [__rt::Value] {
                tool_definitions(flavor)
            }
        }
    }
}

/// Schema constants, the lazily built definitions and the static manifest.
fn consts(g: &Gen, m: &Manifest) -> Result<TokenStream, CodegenError> {
    let rt = &g.rt;
    let input = json_const(g, schema::input_schema(&m.args, Flavor::Mcp).to_string())?;
    let output = match schema::output_schema(m)? {
        Some(v) => Some(json_const(g, v.to_string())?),
        None => None,
    };
    // The three flavours are built from `MANIFEST` at run time by the same function;
    // running it here checks that they can be built (e.g. the tool names are valid).
    for f in Flavor::ALL {
        schema::tool_definitions(m, f)?;
    }
    let mut em = Emitter::short(rt.clone());
    let manifest = em.manifest(m);
    let hoisted = em.hoisted();
    let (output_item, accessors) = match output {
        Some(output) => (
            quote! {
                /// MCP `outputSchema` (JSON): the evidence envelope around `[output.schema]`.
                pub const OUTPUT_SCHEMA: &str = #output;
            },
            quote!(__rt::schema_fns!(MANIFEST, INPUT_SCHEMA, OUTPUT_SCHEMA);),
        ),
        None => (
            TokenStream::new(),
            quote!(__rt::schema_fns!(MANIFEST, INPUT_SCHEMA);),
        ),
    };
    let name = m.tool.name.as_ref();
    Ok(quote! {
        /// The tool name.
        pub const NAME: &str = #name;
        /// MCP `inputSchema` (JSON), generated and checked at build time.
        pub const INPUT_SCHEMA: &str = #input;
        #output_item
        #accessors
        pub use data::MANIFEST;

        /// The checked manifest and its lists, written with the model's own names.
        mod data {
            use super::__rt::lit::*;

            /// The checked manifest, as static data (no parsing at run time).
            pub static MANIFEST: Manifest = #manifest;
            #(#hoisted)*
        }
    })
}

/// A JSON constant's literal, after checking that serde_json (with its recursion
/// limit, which `LazyJson` meets at run time) parses the text back: the loader caps
/// schema nesting, so a failure here is a generator bug, reported rather than
/// emitted as a constant that would parse to nothing.
fn json_const(g: &Gen, text: String) -> Result<TokenStream, CodegenError> {
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&text) {
        return Err(CodegenError::Internal {
            tool: g.tool.clone(),
            reason: format!("a JSON constant does not parse back: {e}"),
        });
    }
    Ok(raw_str(&text))
}

/// A raw string literal (`r#"..."#`, with as many `#` as the text needs), so JSON
/// constants read without escapes; an escaped literal when the text holds a
/// character rustc refuses or lints in a raw literal (bidi controls such as U+202E,
/// other invisible format characters: everything `char::escape_debug` escapes).
fn raw_str(text: &str) -> TokenStream {
    let needs_escapes = text
        .chars()
        .any(|c| !matches!(c, '"' | '\\' | '\'') && c.escape_debug().len() > 1);
    if needs_escapes {
        return quote!(#text);
    }
    let mut hashes = 1;
    while text.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let h = "#".repeat(hashes);
    match format!("r{h}\"{text}\"{h}").parse::<proc_macro2::Literal>() {
        Ok(lit) => quote!(#lit),
        // Cannot happen for a string without a lone `\r`; fall back to an escaped literal.
        Err(_) => quote!(#text),
    }
}
