//! Session and browser tools: one typed command enum per tool, one argument struct per
//! declared command.
//!
//! A session command's struct has a `command` field (the text sent to the PTY, a
//! `cladgen::invoke::CommandText` checked exactly as the dynamic path checks it); its
//! declared `args` follow. A browser command's struct holds its declared `args`.

use crate::args::{ArgSet, claim};
use crate::{CodegenError, Gen, names};
use cladgen_core::model::{Arg, BrowserSpec, Manifest, SessionSpec};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

struct Cmd<'a> {
    name: &'a str,
    description: &'a str,
    args: Vec<Arg>,
    /// A session command: its struct carries the command text.
    session: bool,
}

/// Items of a `[session]` tool.
pub fn session_items(
    g: &Gen,
    m: &Manifest,
    s: &SessionSpec,
    taken: &mut Vec<String>,
) -> Result<TokenStream, CodegenError> {
    let cmds = s
        .commands
        .iter()
        .map(|c| Cmd {
            name: &c.name,
            description: &c.description,
            args: c.args.to_vec(),
            session: true,
        })
        .collect::<Vec<_>>();
    commands(g, m, "session", &cmds, taken)
}

/// Items of a `[browser]` tool.
pub fn browser_items(
    g: &Gen,
    m: &Manifest,
    b: &BrowserSpec,
    taken: &mut Vec<String>,
) -> Result<TokenStream, CodegenError> {
    let cmds = b
        .commands
        .iter()
        .map(|c| Cmd {
            name: &c.name,
            description: &c.description,
            args: c.args.to_vec(),
            session: false,
        })
        .collect::<Vec<_>>();
    commands(g, m, "browser", &cmds, taken)
}

fn commands(
    g: &Gen,
    m: &Manifest,
    what: &str,
    cmds: &[Cmd<'_>],
    taken: &mut Vec<String>,
) -> Result<TokenStream, CodegenError> {
    let rt = &g.rt;
    let enum_name = format!("{}Command", names::pascal(&m.tool.name));
    claim(taken, &enum_name, &g.tool, "(the command enum)")?;
    let en = names::ident(&enum_name);
    let mut items = TokenStream::new();
    let mut variants = Vec::new();
    let mut structs: Vec<Ident> = Vec::new();
    for (i, c) in cmds.iter().enumerate() {
        let sname = format!("{}Args", names::pascal(c.name));
        claim(
            taken,
            &sname,
            &g.tool,
            &format!("{what} command `{}`", c.name),
        )?;
        claim(
            taken,
            &format!("{sname}Builder"),
            &g.tool,
            &format!("{what} command `{}`", c.name),
        )?;
        let sid = names::ident(&sname);
        let mut set = ArgSet::new(g, &c.args, sid.clone(), &format!("__CLADGEN_CMD{i}"), taken)?;
        if c.session {
            set.session_command = Some(c.name.to_owned());
        }
        let doc = format!(
            "Arguments of the `{}` {what} command of `{}`: {}",
            c.name,
            m.tool.name,
            crate::manifest_prose(c.description)
        );
        items.extend(set.items(g, &doc));
        variants.push(names::type_ident(c.name));
        structs.push(sid);
    }
    let names_: Vec<&str> = cmds.iter().map(|c| c.name).collect();
    let tool_names: Vec<String> = cmds
        .iter()
        .map(|c| format!("{}__{}", m.tool.name, c.name))
        .collect();
    let docs = cmds
        .iter()
        .map(|c| crate::doc_lines(&crate::manifest_prose(c.description)));
    let n = crate::index(cmds.len());
    let doc = crate::doc_lines(&format!(
        "One variant per `[{what}.commands]` entry of `{}`, with that command's typed arguments.",
        m.tool.name
    ));
    let tool = m.tool.name.as_ref();
    let plan = match &m.backend {
        cladgen_core::model::Backend::Session(s) => {
            let argv = s.startup_argv.iter().map(|a| a.as_ref());
            quote!(#rt::Plan::Session { tool: #tool.into(), startup_argv: ::std::vec![#(::std::string::String::from(#argv)),*] })
        }
        _ => quote!(#rt::Plan::Browser { tool: #tool.into() }),
    };
    items.extend(quote! {
        #doc
        #[derive(Clone, Debug, PartialEq)]
        pub enum #en {
            #(#docs #variants(#structs),)*
        }

        impl #en {
            /// The command names, in manifest order.
            pub const NAMES: [&'static str; #n] = [#(#names_),*];
            /// The LLM tool name of each command (`<tool>__<command>`), in manifest order.
            pub const TOOL_NAMES: [&'static str; #n] = [#(#tool_names),*];

            /// Validates a call of command `command` with JSON `args`.
            pub fn from_call(command: &str, args: &#rt::__private::serde_json::Value) -> ::core::result::Result<Self, #rt::CallError> {
                match command {
                    #(#names_ => #structs::from_json(args).map(Self::#variants).map_err(|errors| #rt::CallError::Args { tool: #tool, errors }),)*
                    _ => ::core::result::Result::Err(#rt::CallError::UnknownTool { name: command.into(), known: &Self::NAMES }),
                }
            }

            /// Validates a call by its LLM tool name (`<tool>__<command>`).
            pub fn from_tool_call(name: &str, args: &#rt::__private::serde_json::Value) -> ::core::result::Result<Self, #rt::CallError> {
                match name.strip_prefix(::core::concat!(#tool, "__")) {
                    ::core::option::Option::Some(command) if Self::NAMES.contains(&command) => Self::from_call(command, args),
                    _ => ::core::result::Result::Err(#rt::CallError::UnknownTool { name: name.into(), known: &Self::TOOL_NAMES }),
                }
            }

            /// The command name.
            pub fn name(&self) -> &'static str {
                match self { #(Self::#variants(_) => #names_,)* }
            }

            /// The arguments of the command as JSON (`command` text included for sessions).
            pub fn args_json(&self) -> #rt::__private::serde_json::Value {
                match self { #(Self::#variants(a) => a.to_json(),)* }
            }

            /// What running a command of this tool means: a session (or browser) run.
            pub fn plan(
                &self,
                _ctx: &#rt::ExecContext,
                _secrets: &dyn #rt::SecretResolver,
            ) -> ::core::result::Result<#rt::Plan, #rt::InvokeError> {
                ::core::result::Result::Ok(#plan)
            }
        }
    });
    Ok(items)
}
