//! One tool: every item of its module.

use crate::args::{ArgSet, claim};
use crate::literal::Emitter;
use crate::{CodegenError, Gen, GenOptions, command, names, remote, session};
use cladgen_core::model::{Backend, Manifest};
use cladgen_core::schema::{self, Flavor};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// The module name of a tool (`nmap_scan`; keywords become raw identifiers).
pub fn tool_module_name(m: &Manifest) -> Ident {
    names::field_ident(&m.tool.name)
}

/// The items of a tool's module (without the `mod` around them).
pub fn tool_items(m: &Manifest, opts: &GenOptions) -> Result<TokenStream, CodegenError> {
    let mut g = Gen::new(opts, &m.tool.name)?;
    g.evidence_output_dir = m.tool.evidence.as_ref().map(|e| e.output_dir.to_string());
    let mut taken: Vec<String> = Vec::new();
    let args_name = format!("{}Args", names::pascal(&m.tool.name));
    claim(&mut taken, &args_name, &g.tool, "(the arguments struct)")?;
    claim(
        &mut taken,
        &format!("{args_name}Builder"),
        &g.tool,
        "(its builder)",
    )?;
    let ty = names::ident(&args_name);
    let set = ArgSet::new(&g, &m.args, ty.clone(), "__CLADGEN_ARG", &mut taken)?;
    let doc = format!(
        "Arguments of the `{}` tool: {}\n\nEvery field is valid once constructed: build it with [`{}::from_json`] (an LLM's call) or [`{}::builder`] (Rust callers).",
        m.tool.name,
        crate::manifest_prose(&m.tool.description),
        args_name,
        args_name
    );
    let mut items = set.items(&g, &doc);
    match &m.backend {
        Backend::Command(c) => items.extend(command::items(&g, &set, c)),
        Backend::Http(h) => items.extend(remote::http_items(&g, &set, h)),
        Backend::Mcp(x) => items.extend(remote::mcp_items(&g, &set, x)),
        Backend::Source(s) => {
            let op = s.operation.as_ref();
            items.extend(quote! {
                impl #ty {
                    /// The in-process operation (`[source] operation`) the host implements.
                    pub const OPERATION: &'static str = #op;
                }
            });
        }
        Backend::Session(s) => items.extend(session::session_items(&g, m, s, &mut taken)?),
        Backend::Browser(b) => items.extend(session::browser_items(&g, m, b, &mut taken)?),
        Backend::Callback => {}
    }
    items.extend(plan_impl(&g, m, &ty));
    items.extend(tool_impl(&g, m, &ty));
    items.extend(consts(&g, m)?);
    Ok(items)
}

/// `plan()`: what running this call means, as the dynamic path's `Call::plan` says it.
fn plan_impl(g: &Gen, m: &Manifest, ty: &Ident) -> TokenStream {
    let rt = &g.rt;
    let tool = m.tool.name.as_ref();
    let body = match &m.backend {
        Backend::Command(c) => match c.run {
            cladgen_core::model::CommandRun::Executor { .. } => {
                quote!(#rt::Plan::Executor(self.executor(ctx)?))
            }
            _ => quote!(#rt::Plan::Argv(self.argv(ctx))),
        },
        Backend::Http(_) => quote!(#rt::Plan::Http(self.http_request(ctx, secrets)?)),
        Backend::Mcp(x) => {
            let (server, t) = (x.server.as_ref(), x.tool.as_ref());
            quote!(#rt::Plan::Mcp { server: #server.into(), tool: #t.into(), arguments: self.mcp_arguments() })
        }
        Backend::Callback => quote!(#rt::Plan::Callback { tool: #tool.into() }),
        Backend::Source(s) => {
            let op = s.operation.as_ref();
            quote!(#rt::Plan::Source { operation: #op.into() })
        }
        Backend::Session(s) => {
            let argv = s.startup_argv.iter().map(|a| a.as_ref());
            quote!(#rt::Plan::Session { tool: #tool.into(), startup_argv: ::std::vec![#(::std::string::String::from(#argv)),*] })
        }
        Backend::Browser(_) => quote!(#rt::Plan::Browser { tool: #tool.into() }),
    };
    quote! {
        impl #ty {
            /// What running this call means for the tool's backend (the same `Plan`
            /// the dynamic path builds from the manifest).
            #[allow(unused_variables)] // not every backend needs the context and secrets
            pub fn plan(
                &self,
                ctx: &#rt::ExecContext,
                secrets: &dyn #rt::SecretResolver,
            ) -> ::core::result::Result<#rt::Plan, #rt::InvokeError> {
                ::core::result::Result::Ok(#body)
            }
        }
    }
}

fn tool_impl(g: &Gen, m: &Manifest, ty: &Ident) -> TokenStream {
    let rt = &g.rt;
    let t = &m.tool;
    let (name, version, description) =
        (t.name.as_ref(), t.version.as_ref(), t.description.as_ref());
    let risk = Emitter::new(rt.clone()).risk(t.risk_tier);
    let approval = t.human_approval;
    let timeout = t.timeout_seconds;
    let cedar = match &t.cedar {
        Some(c) => {
            let (r, a) = (c.resource.as_ref(), c.action.as_ref());
            quote!(::core::option::Option::Some(#rt::CedarRef { resource: #r, action: #a }))
        }
        None => quote!(::core::option::Option::None),
    };
    let output = match m.output.is_some() {
        true => quote!(::core::option::Option::Some(OUTPUT_SCHEMA)),
        false => quote!(::core::option::Option::None),
    };
    quote! {
        impl #rt::Tool for #ty {
            const NAME: &'static str = #name;
            const VERSION: &'static str = #version;
            const DESCRIPTION: &'static str = #description;
            const RISK_TIER: #rt::RiskTier = #risk;
            const HUMAN_APPROVAL: bool = #approval;
            const TIMEOUT_SECONDS: u64 = #timeout;
            const CEDAR: ::core::option::Option<#rt::CedarRef> = #cedar;
            const INPUT_SCHEMA: &'static str = INPUT_SCHEMA;
            const OUTPUT_SCHEMA: ::core::option::Option<&'static str> = #output;

            fn from_json(value: &#rt::__private::serde_json::Value) -> ::core::result::Result<Self, #rt::ArgErrors> {
                Self::from_json(value)
            }

            fn to_json(&self) -> #rt::__private::serde_json::Value {
                self.to_json()
            }
        }
    }
}

/// Schema constants and the static manifest.
fn consts(g: &Gen, m: &Manifest) -> Result<TokenStream, CodegenError> {
    let rt = &g.rt;
    let input = raw_str(&schema::input_schema(&m.args, Flavor::Mcp).to_string());
    let output = raw_str(
        &schema::output_schema(m)?
            .map(|v| v.to_string())
            .unwrap_or_default(),
    );
    let defs = |f: Flavor| -> Result<TokenStream, CodegenError> {
        Ok(raw_str(
            &serde_json::Value::Array(schema::tool_definitions(m, f)?).to_string(),
        ))
    };
    let (mcp, openai, anthropic) = (
        defs(Flavor::Mcp)?,
        defs(Flavor::OpenAiStrict)?,
        defs(Flavor::Anthropic)?,
    );
    let mut em = Emitter::new(rt.clone());
    let manifest = em.manifest(m);
    let hoisted = em.hoisted();
    let output_fn = if m.output.is_some() {
        quote! {
            /// [`OUTPUT_SCHEMA`] as a JSON value, parsed once per process.
            pub fn output_schema() -> ::core::option::Option<&'static #rt::__private::serde_json::Value> {
                static CELL: ::std::sync::OnceLock<#rt::__private::serde_json::Value> = ::std::sync::OnceLock::new();
                ::core::option::Option::Some(#rt::__private::parsed(&CELL, OUTPUT_SCHEMA))
            }
        }
    } else {
        quote! {
            /// The tool declares no `[output]`, so it has no output schema.
            pub fn output_schema() -> ::core::option::Option<&'static #rt::__private::serde_json::Value> {
                ::core::option::Option::None
            }
        }
    };
    let output_item = if m.output.is_some() {
        quote! {
            /// MCP `outputSchema` (JSON): the evidence envelope around `[output.schema]`.
            pub const OUTPUT_SCHEMA: &str = #output;
        }
    } else {
        TokenStream::new()
    };
    let name = m.tool.name.as_ref();
    Ok(quote! {
        /// The tool name.
        pub const NAME: &str = #name;
        /// MCP `inputSchema` (JSON), generated and checked at build time.
        pub const INPUT_SCHEMA: &str = #input;
        #output_item
        /// MCP tool definitions (JSON array; one per command for session and browser tools).
        pub const MCP_TOOLS: &str = #mcp;
        /// OpenAI strict function definitions (JSON array).
        pub const OPENAI_TOOLS: &str = #openai;
        /// Anthropic tool definitions (JSON array).
        pub const ANTHROPIC_TOOLS: &str = #anthropic;

        /// [`INPUT_SCHEMA`] as a JSON value, parsed once per process.
        pub fn input_schema() -> &'static #rt::__private::serde_json::Value {
            static CELL: ::std::sync::OnceLock<#rt::__private::serde_json::Value> = ::std::sync::OnceLock::new();
            #rt::__private::parsed(&CELL, INPUT_SCHEMA)
        }

        #output_fn

        /// The tool definitions of one flavour as JSON values, parsed once per process.
        pub fn tool_definitions(flavor: #rt::Flavor) -> &'static [#rt::__private::serde_json::Value] {
            static MCP: ::std::sync::OnceLock<#rt::__private::serde_json::Value> = ::std::sync::OnceLock::new();
            static OPENAI: ::std::sync::OnceLock<#rt::__private::serde_json::Value> = ::std::sync::OnceLock::new();
            static ANTHROPIC: ::std::sync::OnceLock<#rt::__private::serde_json::Value> = ::std::sync::OnceLock::new();
            let value = match flavor {
                #rt::Flavor::Mcp => #rt::__private::parsed(&MCP, MCP_TOOLS),
                #rt::Flavor::OpenAiStrict => #rt::__private::parsed(&OPENAI, OPENAI_TOOLS),
                #rt::Flavor::Anthropic => #rt::__private::parsed(&ANTHROPIC, ANTHROPIC_TOOLS),
            };
            value.as_array().map_or(&[], ::std::vec::Vec::as_slice)
        }

        /// The checked manifest, as static data (no parsing at run time).
        pub static MANIFEST: #rt::Manifest = #manifest;
        #(#hoisted)*
    })
}

/// A raw string literal (`r#"..."#`, with as many `#` as the text needs), so JSON
/// constants read without escapes.
fn raw_str(text: &str) -> TokenStream {
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
