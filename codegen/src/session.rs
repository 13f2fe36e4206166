//! Session and browser tools: one typed command enum per tool, one argument struct per
//! declared command.
//!
//! A session command with a `template` has a struct of its typed arguments and a
//! `text()` that renders the template from them; any other session command's struct
//! has one `command` field (the text sent to the PTY, a `cladgen::invoke::CommandText`
//! checked exactly as the dynamic path checks it, which also holds the values its
//! named groups bind). A browser command's struct holds its declared `args`.

use crate::args::{ArgSet, claim};
use crate::{CodegenError, Gen, names};
use cladgen_core::model::{Arg, BrowserSpec, Manifest, SessionSpec, TextBinding};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

struct Cmd<'a> {
    name: &'a str,
    description: &'a str,
    /// The arguments that become fields (none for a command whose named groups bind
    /// them: they are read from its text).
    args: Vec<Arg>,
    /// A session command: how its struct carries the command text.
    session: Option<Text>,
}

/// How a session command's struct carries its text.
enum Text {
    /// A `command` field with the checked text (and the values its named groups
    /// bind, read with `CommandText::value`).
    Field,
    /// Typed fields only; `text()` renders the template.
    Template,
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
        .map(|c| match &c.binding {
            TextBinding::Template { .. } => Cmd {
                name: &c.name,
                description: &c.description,
                args: c.args.to_vec(),
                session: Some(Text::Template),
            },
            TextBinding::Free | TextBinding::Captures => Cmd {
                name: &c.name,
                description: &c.description,
                args: Vec::new(),
                session: Some(Text::Field),
            },
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
            session: None,
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
    for c in cmds {
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
        let list = names::args_static(Some(c.name));
        let mut set = ArgSet::new(g, &c.args, sid.clone(), list, taken)?;
        match c.session {
            Some(Text::Field) => set.session_command = Some(c.name.to_owned()),
            Some(Text::Template) => set.session_template = Some(c.name.to_owned()),
            None => {}
        }
        let doc = format!(
            "Arguments of the `{}` {what} command of `{}`: {}",
            c.name,
            m.tool.name,
            crate::manifest_prose(c.description)
        );
        items.extend(set.items(&doc));
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
            quote!(__rt::Plan::Session { tool: #tool.into(), startup_argv: ::std::vec![#(__rt::String::from(#argv)),*] })
        }
        _ => quote!(__rt::Plan::Browser { tool: #tool.into() }),
    };
    let _ = rt;
    items.extend(quote! {
        #doc
        #[derive(Clone, Debug, PartialEq)]
        pub enum #en {
            #(#docs #variants(#structs),)*
        }

        impl #en {
            /// The command names, in manifest order.
            pub const NAMES: [&'static str; #n] = [#(#names_),*];

            /// The command name.
            pub fn name(&self) -> &'static str {
                match self { #(Self::#variants(_) => #names_,)* }
            }
        }

        impl __rt::Tool for #en {
            const MANIFEST: &'static __rt::Manifest = &MANIFEST;
            const TOOL_NAMES: &'static [&'static str] = &[#(#tool_names),*];

            /// Validates a call by its LLM tool name (`<tool>__<command>`).
            fn from_call(name: &str, args: &__rt::Value) -> __rt::Result<Self, __rt::CallError> {
                match name {
                    #(#tool_names => #structs::from_json(args).map(Self::#variants),)*
                    _ => return __rt::Err(__rt::CallError::UnknownTool { name: name.into(), known: Self::TOOL_NAMES }),
                }
                .map_err(|errors| __rt::CallError::Args { tool: #tool, errors })
            }

            fn tool_name(&self) -> &'static str {
                match self { #(Self::#variants(_) => #tool_names,)* }
            }

            /// The arguments of the command as JSON (`command` text included for sessions).
            fn to_json(&self) -> __rt::Value {
                match self { #(Self::#variants(a) => a.to_json(),)* }
            }

            /// The values of the command's own arguments, in their order.
            fn values(&self) -> __rt::Vec<__rt::Option<__rt::DynValue>> {
                match self { #(Self::#variants(a) => a.values(),)* }
            }

            /// What running a command of this tool means: a session (or browser) run.
            fn plan(&self, _ctx: &__rt::ExecContext, _secrets: &dyn __rt::SecretResolver) -> __rt::Result<__rt::Plan, __rt::InvokeError> {
                __rt::Ok(#plan)
            }

            fn definitions(flavor: __rt::Flavor) -> &'static [__rt::Value] {
                tool_definitions(flavor)
            }
        }
    });
    Ok(items)
}
