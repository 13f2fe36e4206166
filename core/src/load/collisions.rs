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
//! The mappings are the ones the runtime and the generator use, from one
//! implementation: [`crate::invoke::arg_env_name`] (executor variables),
//! [`crate::names::field_name`] (fields, builder setters, modules: snake_case, so
//! `targetIP` and `target_ip` meet), [`crate::names::type_name`] and
//! [`crate::names::pascal`] (types, enum variants: `a-b` and `a_b` meet, `é` and `è`
//! do not: values without ASCII letters or digits are spelled by code point),
//! [`crate::names::helper_names`] (the argv helpers), and the statics of the
//! manifest's lists (`<COMMAND>_ARGS`). LLM tool names (`<tool>__<command>`) cannot
//! collide within one manifest (the tool name is fixed and TOML keys are unique);
//! across a manifest set they can, and so can the Rust names of tools: [`check_set`].

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::codes;
use super::diag::{Decorate, Diagnostic, Severity};
use super::walk::Cx;
use crate::invoke::arg_env_name;
use crate::model::{Arg, Backend, CommandRun, Manifest, TypeKind};
use crate::names::{field_name, field_stem, helper_names, pascal, type_name};

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
    let cx = &mut Reporter {
        cx,
        reported: HashSet::new(),
    };
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

    // Rust field, builder and enum variant names, per argument set.
    field_claims(cx, &m.args, None, |n| arg_span(top_args, n));
    variant_claims(cx, &m.args, |n| arg_span(top_args, n));

    // The argv helpers of a command tool, named after mapped arguments and
    // conditionals.
    if let Backend::Command(c) = &m.backend {
        let (maps, conds) = helper_names(
            c.mappings
                .iter()
                .filter_map(|mp| m.args.get(mp.arg).map(|a| a.name.as_ref())),
            c.conditionals.iter().map(|k| k.name.as_ref()),
        );
        let conds_table = table(root, &["command", "conditionals"]);
        let mut claims: Vec<Claim> = c
            .mappings
            .iter()
            .zip(maps)
            .filter_map(|(mp, mapped)| {
                let a = m.args.get(mp.arg)?;
                Some(Claim {
                    mapped,
                    what: format!("the mapping of argument `{}`", a.name),
                    span: arg_span(top_args, &a.name),
                })
            })
            .collect();
        claims.extend(c.conditionals.iter().zip(conds).map(|(k, mapped)| {
            Claim {
                mapped,
                what: format!("conditional `{}`", k.name),
                span: conds_table
                    .and_then(|t| t.get_key_value(k.name.as_ref()))
                    .map_or(tool_span.clone(), |(key, _)| key.span()),
            }
        }));
        report(
            cx,
            claims,
            "Rust helper method",
            "rename one of them: each mapping gets a helper `<argument>_flags()` and each conditional one `cond_<name>()`, in snake_case",
        );
    }

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
        // The statics holding each command's argument list, beside the fixed ones.
        let mut statics: Vec<Claim> = ["MANIFEST", "ARGS", "COMMANDS"]
            .into_iter()
            .map(|s| Claim {
                mapped: s.to_owned(),
                what: format!("the generated static `{s}`"),
                span: tool_span.clone(),
            })
            .collect();
        for (name, args) in &commands {
            let span = cmd_span(name);
            variants.push(Claim {
                mapped: type_name(name),
                what: format!("{section} command `{name}`"),
                span: span.clone(),
            });
            statics.push(Claim {
                mapped: format!("{}_ARGS", name.to_ascii_uppercase()),
                what: format!("the argument list of {section} command `{name}`"),
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
            // A session command's struct starts with the `command` text field.
            let reserved = (section == "session").then_some("the command text field `command`");
            field_claims(cx, args, reserved, span_of);
            variant_claims(cx, args, span_of);
            enum_claims(&mut types, args, span_of);
        }
        report(
            cx,
            variants,
            "Rust enum variant",
            "rename one of the commands: command names become Rust variants in PascalCase (`scan_all` -> `ScanAll`), ignoring case inside words and every character other than ASCII letters and digits",
        );
        report(
            cx,
            statics,
            "Rust static",
            "rename one of the commands: each command's argument list is the static `<COMMAND>_ARGS`, upper-cased",
        );
    }
    report(
        cx,
        types,
        "Rust type name",
        "rename one of them: argument, tool and command names become Rust type names in PascalCase (`scan_type` -> `ScanType`, with `Args`, `ArgsBuilder` or `Command` appended for the generated structs)",
    );
}

/// The field names of one argument set (after `reserved`, a field the generator
/// adds first), and the method names of its builder: `build()` and one setter per
/// optional argument.
fn field_claims(
    cx: &mut Reporter<'_, '_>,
    args: &[Arg],
    reserved: Option<&str>,
    span: impl Fn(&str) -> Range<usize>,
) {
    let mut claims: Vec<Claim> = reserved
        .map(|what| Claim {
            mapped: "command".into(),
            what: what.into(),
            span: 0..0,
        })
        .into_iter()
        .collect();
    claims.extend(args.iter().map(|a| Claim {
        mapped: field_name(&a.name),
        what: format!("argument `{}`", a.name),
        span: span(&a.name),
    }));
    report(
        cx,
        claims,
        "Rust field",
        "rename one of them: argument names become Rust fields in snake_case (`targetIP` -> `target_ip`, `None` -> `none`, `a__b` -> `a_b`), and `self`, `super` and `crate` become `self_`, `super_` and `crate_`",
    );
    let mut methods = vec![Claim {
        mapped: "build".into(),
        what: "the builder's own `build()`".into(),
        span: 0..0,
    }];
    // Setters are as unique as the fields; only `build` can meet one.
    methods.extend(
        args.iter()
            .filter(|a| !a.required && field_stem(&a.name) == "build")
            .map(|a| Claim {
                mapped: field_stem(&a.name),
                what: format!("the builder setter of optional argument `{}`", a.name),
                span: span(&a.name),
            }),
    );
    report(
        cx,
        methods,
        "builder method",
        "rename the argument or make it required: each optional argument gets a builder setter named after it, and `build()` finishes the builder",
    );
}

/// The variant names of the generated enum of each enum argument.
fn variant_claims(cx: &mut Reporter<'_, '_>, args: &[Arg], span: impl Fn(&str) -> Range<usize>) {
    for a in args.iter().filter(|a| a.ty.kind == TypeKind::Enum) {
        let claims =
            a.ty.constraints
                .allowed
                .iter()
                .flat_map(|l| l.iter())
                .enumerate()
                // A value written twice is `duplicate-enum-value` already.
                .filter(|(i, v)| {
                    !a.ty
                        .constraints
                        .allowed
                        .iter()
                        .flat_map(|l| l.iter())
                        .take(*i)
                        .any(|w| w == *v)
                })
                .map(|(_, v)| Claim {
                    mapped: type_name(v),
                    what: format!("value `{}` of enum argument `{}`", v.escape_debug(), a.name),
                    span: span(&a.name),
                })
                .collect();
        report(
            cx,
            claims,
            "Rust enum variant",
            "rename one of the values: enum values become Rust variants in PascalCase (`os_detect` -> `OsDetect`), ignoring case inside words and every character other than ASCII letters and digits (`a-b` and `a_b` are both `AB`); a value with no ASCII letter or digit is spelled by its code points (`-` -> `U002D`)",
        );
    }
}

/// The type names of the enum arguments of one argument set.
fn enum_claims(types: &mut Vec<Claim>, args: &[Arg], span: impl Fn(&str) -> Range<usize>) {
    for a in args.iter().filter(|a| a.ty.kind == TypeKind::Enum) {
        types.push(Claim {
            mapped: type_name(&a.name),
            what: format!("the enum type of argument `{}`", a.name),
            span: span(&a.name),
        });
    }
}

/// The sink of one manifest's collisions: one error per place, so that `target`
/// and `TARGET` (one variable and one field) are reported once.
struct Reporter<'c, 'a> {
    cx: &'c mut Cx<'a>,
    reported: HashSet<usize>,
}

/// One error per claim whose mapped name an earlier claim already has (unless its
/// place has an error already).
fn report(cx: &mut Reporter<'_, '_>, claims: Vec<Claim>, namespace: &str, help: &str) {
    let mut seen: HashMap<&str, &Claim> = HashMap::new();
    for c in &claims {
        if let Some(first) = seen.get(c.mapped.as_str()) {
            if !cx.reported.insert(c.span.start) {
                continue;
            }
            cx.cx
                .sink
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
    let mut exposed: HashMap<String, (&Path, String, &str)> = HashMap::new();
    for (path, m) in manifests {
        let tool = m.tool.name.as_ref();
        claim_tool(
            &mut out,
            &mut variants,
            path,
            tool,
            type_name(tool),
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
        // The LLM tool names: the tool's own, or one per session or browser command.
        let exposed_names: Vec<(String, String)> = match &m.backend {
            Backend::Session(s) => s
                .commands
                .iter()
                .map(|c| {
                    (
                        format!("{tool}__{}", c.name),
                        format!("command `{}` of tool `{tool}`", c.name),
                    )
                })
                .collect(),
            Backend::Browser(b) => b
                .commands
                .iter()
                .map(|c| {
                    (
                        format!("{tool}__{}", c.name),
                        format!("command `{}` of tool `{tool}`", c.name),
                    )
                })
                .collect(),
            _ => vec![(tool.to_owned(), format!("tool `{tool}`"))],
        };
        for (name, what) in exposed_names {
            match exposed.get(&name) {
                // Identical tool names are `duplicate-tool-name` already.
                Some((_, _, first_tool)) if *first_tool == tool => {}
                Some((other, first, _)) => out.push(
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
                    exposed.insert(name, (path.as_path(), what, tool));
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
