//! Names that collide after a mapping cladgen applies.
//!
//! Distinct manifest names can become one name on the way out: two arguments that
//! differ only in case share one `TOOLCLAD_ARG_<NAME>` variable (the later would
//! replace the checked earlier one in the executor's environment); `self` and
//! `self_` become one Rust field; `scan_type` and `Scan_Type` one Rust enum type;
//! session commands `scan` and `Scan` one enum variant. Each such pair is a load
//! error located at the second name and naming the first, so that `validate`
//! refuses what could only fail (or silently misbehave) later.
//!
//! The mappings are the ones the runtime and the generator use:
//! [`crate::invoke::arg_env_name`], [`crate::names::field_name`] and
//! [`crate::names::pascal`]. LLM tool names (`<tool>__<command>`) cannot collide
//! within one manifest (the tool name is fixed and TOML keys are unique); across a
//! manifest set they can, and so can the Rust names of tools: [`check_set`].

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::codes;
use super::diag::{Decorate, Diagnostic, Severity};
use super::walk::Cx;
use crate::invoke::arg_env_name;
use crate::model::{Arg, Backend, CommandRun, Manifest, TypeKind};
use crate::names::{field_name, pascal};

/// One name in one namespace: what it is called after the mapping, what it is in the
/// manifest (for messages) and where it is written.
struct Claim {
    mapped: String,
    what: String,
    span: Range<usize>,
}

/// Reports every collision in the checked (error-free so far) manifest `m`, whose
/// text is `text`.
pub(super) fn check(cx: &mut Cx<'_>, m: &Manifest, text: &str) {
    let (root, _) = DeTable::parse_recoverable(text);
    let root = root.get_ref();
    let tool_span = table(root, &["tool"])
        .and_then(|t| t.get_key_value("name"))
        .map_or(0..0, |(_, v)| v.span());

    let top_args = table(root, &["args"]);
    let arg_span = |args: Option<&DeTable<'_>>, name: &str| {
        args.and_then(|t| t.get_key_value(name))
            .map_or(tool_span.clone(), |(k, _)| k.span())
    };

    // Environment variables of an executor.
    if let Backend::Command(c) = &m.backend
        && matches!(c.run, CommandRun::Executor { .. })
    {
        let claims = m
            .args
            .iter()
            .map(|a| Claim {
                mapped: arg_env_name(&a.name),
                what: format!("argument `{}`", a.name),
                span: arg_span(top_args, &a.name),
            })
            .collect();
        report(
            cx,
            claims,
            "environment variable",
            "rename one of them: the executor receives each argument as `TOOLCLAD_ARG_<NAME>` with the name upper-cased, so names differing only in case share one variable and the later replaces the earlier",
        );
    }

    // Rust field names, per argument set.
    field_claims(cx, &m.args, |n| arg_span(top_args, n));

    // Rust type names of one module, in the order the generator claims them.
    let tool_type = pascal(&m.tool.name);
    let mut types = vec![
        Claim {
            mapped: format!("{tool_type}Args"),
            what: format!("the arguments struct of tool `{}`", m.tool.name),
            span: tool_span.clone(),
        },
        Claim {
            mapped: format!("{tool_type}ArgsBuilder"),
            what: format!("the builder of tool `{}`", m.tool.name),
            span: tool_span.clone(),
        },
    ];
    enum_claims(&mut types, &m.args, |n| arg_span(top_args, n));

    let commands: Vec<(&str, &[Arg])> = match &m.backend {
        Backend::Session(s) => s.commands.iter().map(|c| (&*c.name, &*c.args)).collect(),
        Backend::Browser(b) => b.commands.iter().map(|c| (&*c.name, &*c.args)).collect(),
        _ => Vec::new(),
    };
    if !commands.is_empty() {
        let section = if matches!(m.backend, Backend::Session(_)) {
            "session"
        } else {
            "browser"
        };
        let cmds = table(root, &[section, "commands"]);
        let cmd_span = |name: &str| {
            cmds.and_then(|t| t.get_key_value(name))
                .map_or(tool_span.clone(), |(k, _)| k.span())
        };
        types.push(Claim {
            mapped: format!("{tool_type}Command"),
            what: format!("the command enum of tool `{}`", m.tool.name),
            span: tool_span.clone(),
        });
        let mut variants = Vec::new();
        for (name, args) in &commands {
            let span = cmd_span(name);
            variants.push(Claim {
                mapped: pascal(name),
                what: format!("{section} command `{name}`"),
                span: span.clone(),
            });
            let struct_name = format!("{}Args", pascal(name));
            types.push(Claim {
                mapped: struct_name.clone(),
                what: format!("the arguments struct of {section} command `{name}`"),
                span: span.clone(),
            });
            types.push(Claim {
                mapped: format!("{struct_name}Builder"),
                what: format!("the builder of {section} command `{name}`"),
                span,
            });
            let cmd_args = table(root, &[section, "commands", name, "args"]);
            let span_of = |n: &str| {
                cmd_args
                    .and_then(|t| t.get_key_value(n))
                    .map_or(cmd_span(name), |(k, _)| k.span())
            };
            field_claims(cx, args, span_of);
            enum_claims(&mut types, args, span_of);
        }
        report(
            cx,
            variants,
            "Rust enum variant",
            "rename one of the commands: command names become Rust variants in PascalCase (`scan_all` -> `ScanAll`), ignoring case inside words and every character other than ASCII letters and digits",
        );
    }
    report(
        cx,
        types,
        "Rust type name",
        "rename one of them: argument, tool and command names become Rust type names in PascalCase (`scan_type` -> `ScanType`, with `Args`, `ArgsBuilder` or `Command` appended for the generated structs)",
    );
}

/// The field names of one argument set.
fn field_claims(cx: &mut Cx<'_>, args: &[Arg], span: impl Fn(&str) -> Range<usize>) {
    let claims = args
        .iter()
        .map(|a| Claim {
            mapped: field_name(&a.name),
            what: format!("argument `{}`", a.name),
            span: span(&a.name),
        })
        .collect();
    report(
        cx,
        claims,
        "Rust field",
        "rename one of them: `self`, `Self`, `super` and `crate` become `self_`, `Self_`, `super_` and `crate_` in generated Rust",
    );
}

/// The type names of the enum arguments of one argument set.
fn enum_claims(types: &mut Vec<Claim>, args: &[Arg], span: impl Fn(&str) -> Range<usize>) {
    for a in args.iter().filter(|a| a.ty.kind == TypeKind::Enum) {
        types.push(Claim {
            mapped: pascal(&a.name),
            what: format!("the enum type of argument `{}`", a.name),
            span: span(&a.name),
        });
    }
}

/// One error per claim whose mapped name an earlier claim already has.
fn report(cx: &mut Cx<'_>, claims: Vec<Claim>, namespace: &str, help: &str) {
    let mut seen: HashMap<&str, &Claim> = HashMap::new();
    for c in &claims {
        if let Some(first) = seen.get(c.mapped.as_str()) {
            cx.sink
                .error(
                    &codes::NAME_COLLISION,
                    c.span.clone(),
                    format!(
                        "{} becomes the {namespace} `{}`, which {} already has",
                        c.what, c.mapped, first.what
                    ),
                )
                .help(help);
        } else {
            seen.insert(&c.mapped, c);
        }
    }
}

/// The table at `path` below `root`, if every step is a table.
fn table<'a, 'i>(root: &'a DeTable<'i>, path: &[&str]) -> Option<&'a DeTable<'i>> {
    let mut t = root;
    for key in path {
        match t.get(*key).map(|v| v.get_ref()) {
            Some(DeValue::Table(next)) => t = next,
            _ => return None,
        }
    }
    Some(t)
}

/// The collisions of a manifest set that no single manifest shows: two tools whose
/// names become one Rust name in the generated registry (`nmap_scan` and
/// `Nmap_Scan` are both the variant `NmapScan`; `self` and `self_` both the module
/// `self_`), and two session or browser commands of different tools exposed under
/// one LLM tool name (tool `a` command `b__c` and tool `a__b` command `c` are both
/// `a__b__c`). Reported without a line, as each concerns two files.
pub(super) fn check_set(manifests: &[(PathBuf, &Manifest)]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut variants: HashMap<String, (&Path, &str)> = HashMap::new();
    let mut modules: HashMap<String, (&Path, &str)> = HashMap::new();
    let mut exposed: HashMap<String, (&Path, String)> = HashMap::new();
    for (path, m) in manifests {
        let tool = m.tool.name.as_ref();
        claim_tool(
            &mut out,
            &mut variants,
            path,
            tool,
            pascal(tool),
            "registry variant",
        );
        claim_tool(
            &mut out,
            &mut modules,
            path,
            tool,
            field_name(tool),
            "module",
        );
        let commands: Vec<&str> = match &m.backend {
            Backend::Session(s) => s.commands.iter().map(|c| c.name.as_ref()).collect(),
            Backend::Browser(b) => b.commands.iter().map(|c| c.name.as_ref()).collect(),
            _ => continue,
        };
        for c in commands {
            let name = format!("{tool}__{c}");
            let what = format!("command `{c}` of tool `{tool}`");
            match exposed.get(&name) {
                Some((other, first)) => out.push(
                    Diagnostic::unlocated(
                        Severity::Error,
                        &codes::NAME_COLLISION,
                        path,
                        format!(
                            "{what} is exposed to LLMs as `{name}`, as is {first} in {}",
                            other.display()
                        ),
                    )
                    .with_help(
                        "rename one of the commands or tools: LLM tool names must be unique",
                    ),
                ),
                None => {
                    exposed.insert(name, (path.as_path(), what));
                }
            }
        }
    }
    out
}

/// Records the Rust name `mapped` of tool `tool`, or reports the earlier tool that
/// has it.
fn claim_tool<'a>(
    out: &mut Vec<Diagnostic>,
    map: &mut HashMap<String, (&'a Path, &'a str)>,
    path: &'a Path,
    tool: &'a str,
    mapped: String,
    what: &str,
) {
    match map.get(&mapped) {
        // Identical tool names are `duplicate-tool-name` already.
        Some((other, first)) if *first != tool => out.push(
            Diagnostic::unlocated(
                Severity::Error,
                &codes::NAME_COLLISION,
                path,
                format!(
                    "tool `{tool}` becomes the Rust {what} `{mapped}`, which tool `{first}` in {} already has",
                    other.display()
                ),
            )
            .with_help("rename one of the tools: the generated registry names each tool's module and variant after it"),
        ),
        Some(_) => {}
        None => {
            map.insert(mapped, (path, tool));
        }
    }
}
