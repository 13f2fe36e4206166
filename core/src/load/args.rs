//! `[args.<name>]` (and the `args` of session and browser commands).

use std::collections::BTreeMap;
use std::ops::Range;

use toml::de::DeValue;

use super::codes;
use super::constraints;
use super::diag::{Decorate, did_you_mean, list_names};
use super::types::{CustomTypes, RawConstraints};
use super::walk::{Cx, Sp, Tbl, de_float, de_int, type_name};
use crate::model::{Arg, ArgType, Constraints, Scalar, TypeKind};

/// The keys of an argument table.
pub(crate) const ARG_KEYS: &[&str] = &[
    "type",
    "position",
    "required",
    "description",
    "default",
    "allowed",
    "pattern",
    "sanitize",
    "min",
    "max",
    "min_float",
    "max_float",
    "clamp",
    "schemes",
    "scope_check",
    "feeds_decision",
    "allow_option_values",
    "allowed_keys",
];

/// Where the types come from.
pub(crate) struct TypeCtx<'a> {
    pub(crate) custom: Option<&'a CustomTypes>,
    pub(crate) externs: &'a BTreeMap<String, String>,
}

/// What the checks after decoding need to know about an argument besides the model.
#[derive(Clone, Debug)]
pub(crate) struct ArgInfo {
    /// The key naming the argument.
    pub(crate) name_span: Range<usize>,
    /// Whether its type resolved (otherwise `ty` is a stand-in and type-dependent
    /// checks are skipped to avoid follow-on errors).
    pub(crate) type_ok: bool,
    /// The `type` value.
    pub(crate) type_span: Range<usize>,
    /// The `default` value, as written, with its span.
    pub(crate) default: Option<Sp<Scalar>>,
}

/// `^[A-Za-z][A-Za-z0-9_]{0,63}$`.
pub(crate) fn is_valid_name(s: &str) -> bool {
    let mut b = s.bytes();
    s.len() <= 64
        && matches!(b.next(), Some(c) if c.is_ascii_alphabetic())
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// Reports a name that does not match `^[A-Za-z][A-Za-z0-9_]{0,63}$`.
pub(crate) fn check_name(cx: &mut Cx<'_>, what: &str, name: &str, span: Range<usize>) -> bool {
    if is_valid_name(name) {
        return true;
    }
    cx.sink
        .error(
            &codes::BAD_NAME,
            span,
            format!("{what} name `{name}` is not valid"),
        )
        .help("names start with a letter, followed by up to 63 letters, digits or `_` (`^[A-Za-z][A-Za-z0-9_]{0,63}$`)")
        .note("the name becomes an MCP tool or property name and a Rust identifier");
    false
}

/// Decodes every argument of `table` (an `[args]` table), sorted by `position` and
/// then declaration order. Arguments with errors are still returned (with a stand-in
/// type) so that later checks can resolve their names; errors make the manifest fail.
pub(crate) fn decode_args(
    cx: &mut Cx<'_>,
    table: &Tbl<'_, '_>,
    types: &TypeCtx<'_>,
) -> (Vec<Arg>, Vec<ArgInfo>) {
    let mut decoded: Vec<(Option<i64>, usize, Arg, ArgInfo)> = Vec::new();
    let mut positions: Vec<(i64, Range<usize>, String)> = Vec::new();
    for (order, (name, t)) in table.subtables(cx).into_iter().enumerate() {
        let (arg, info, position) = decode_arg(cx, &name, &t, types);
        if let Some(p) = &position {
            if let Some((_, first, other)) = positions.iter().find(|(q, _, _)| *q == p.v) {
                cx.sink
                    .error(
                        &codes::DUPLICATE_POSITION,
                        p.span.clone(),
                        format!(
                            "argument `{}` has `position = {}`, already used by argument `{other}`",
                            name.v, p.v
                        ),
                    )
                    .label(first.clone(), "first used here")
                    .help("give each argument its own position, or remove `position` to use declaration order");
            } else {
                positions.push((p.v, p.span.clone(), name.v.clone()));
            }
        }
        decoded.push((position.map(|p| p.v), order, arg, info));
    }
    decoded.sort_by_key(|(p, order, _, _)| (p.is_none(), *p, *order));
    decoded.into_iter().map(|(_, _, a, i)| (a, i)).unzip()
}

fn decode_arg(
    cx: &mut Cx<'_>,
    name: &Sp<String>,
    t: &Tbl<'_, '_>,
    types: &TypeCtx<'_>,
) -> (Arg, ArgInfo, Option<Sp<i64>>) {
    t.check_keys(cx, ARG_KEYS);
    check_name(cx, "argument", &name.v, name.span.clone());
    let what = format!("argument `{}`", name.v);
    let ty = t.req_str(cx, "type");
    let position = t.int(cx, "position");
    let required = t.bool(cx, "required").is_some_and(|b| b.v);
    let description = t.str(cx, "description").map(|s| s.v);
    let scope_check = t.bool(cx, "scope_check").map(|b| b.v);
    let feeds_decision = t.bool(cx, "feeds_decision").is_some_and(|b| b.v);
    let sanitize = t
        .str_list(cx, "sanitize")
        .map(|l| l.v.into_iter().map(|s| s.v.into()).collect::<Vec<_>>())
        .unwrap_or_default();
    let own = RawConstraints::read(cx, t);
    let default = read_default(cx, t);

    let type_span = ty.as_ref().map_or(t.span.clone(), |s| s.span.clone());
    let resolved = ty
        .as_ref()
        .and_then(|ty| resolve_type(cx, &name.v, ty, types));
    let type_ok = resolved.is_some();
    let (kind, constraints, type_description, type_scope_check) = match resolved {
        Some(Resolved {
            kind,
            base,
            description,
            scope_check,
        }) => {
            let merged = own.over(&base);
            constraints::check_own(&mut cx.sink, &what, &kind, &own, &merged);
            let c = constraints::finish(&mut cx.sink, &what, &kind, &merged, type_span.clone());
            (kind, c, description, scope_check)
        }
        None => {
            // Still check what can be checked without the type.
            constraints::check_own(
                &mut cx.sink,
                &what,
                &TypeKind::Extern {
                    rust_path: "".into(),
                },
                &own,
                &own,
            );
            (TypeKind::String, None, None, None)
        }
    };
    let type_ok = type_ok && constraints.is_some();

    let mut model_default = default.as_ref().map(|d| d.v.clone());
    if let Some(d) = &default {
        if matches!(&d.v, Scalar::String(s) if s.is_empty()) && !required {
            // An empty-string default on an optional argument means "no default".
            model_default = None;
        } else if required {
            cx.sink
                .warn(
                    &codes::REQUIRED_WITH_DEFAULT,
                    d.span.clone(),
                    format!("{what} is required, so its `default` is never used"),
                )
                .help("remove `default`, or make the argument optional with `required = false`");
            model_default = None;
        }
    }

    let arg = Arg {
        name: name.v.clone().into(),
        position: position.as_ref().map(|p| p.v),
        required,
        description: description.or(type_description).unwrap_or_default().into(),
        ty: ArgType {
            name: ty.as_ref().map(|t| t.v.clone()).unwrap_or_default().into(),
            kind,
            constraints: constraints.unwrap_or(Constraints::NONE),
        },
        default: model_default,
        scope_check: scope_check.or(type_scope_check).unwrap_or(false),
        feeds_decision,
        sanitize: sanitize.into(),
    };
    let info = ArgInfo {
        name_span: name.span.clone(),
        type_ok,
        type_span,
        default,
    };
    (arg, info, position)
}

fn read_default(cx: &mut Cx<'_>, t: &Tbl<'_, '_>) -> Option<Sp<Scalar>> {
    let (_, v) = t.get("default")?;
    let span = v.span();
    match scalar(v.get_ref()) {
        Ok(s) => Some(Sp::new(s, span)),
        Err(msg) => {
            cx.sink.error(
                &codes::WRONG_TYPE,
                span,
                format!(
                    "`{}` must be {msg}, found {}",
                    t.key_path("default"),
                    type_name(v.get_ref())
                ),
            );
            None
        }
    }
}

/// A TOML scalar (string, integer, float, boolean) as a model [`Scalar`].
pub(crate) fn scalar(v: &DeValue<'_>) -> Result<Scalar, &'static str> {
    match v {
        DeValue::String(s) => Ok(Scalar::String(s.to_string().into())),
        DeValue::Boolean(b) => Ok(Scalar::Boolean(*b)),
        DeValue::Integer(_) => match de_int(v) {
            Some(Some(i)) => Ok(Scalar::Integer(i)),
            _ => Err("an integer in range of i64"),
        },
        DeValue::Float(_) => match de_float(v) {
            Some(Some(f)) if f.is_finite() => Ok(Scalar::Float(f)),
            _ => Err("a finite number"),
        },
        _ => Err("a string, integer, float or boolean"),
    }
}

struct Resolved {
    kind: TypeKind,
    base: RawConstraints,
    description: Option<String>,
    scope_check: Option<bool>,
}

fn resolve_type(
    cx: &mut Cx<'_>,
    arg: &str,
    ty: &Sp<String>,
    types: &TypeCtx<'_>,
) -> Option<Resolved> {
    if let Some(kind) = TypeKind::builtin(&ty.v) {
        return Some(Resolved {
            kind,
            base: RawConstraints::default(),
            description: None,
            scope_check: None,
        });
    }
    if let Some(path) = types.externs.get(&ty.v) {
        return Some(Resolved {
            kind: TypeKind::Extern {
                rust_path: path.clone().into(),
            },
            base: RawConstraints::default(),
            description: None,
            scope_check: None,
        });
    }
    if let Some(c) = types.custom.and_then(|c| c.get(&ty.v)) {
        return Some(Resolved {
            kind: c.kind.clone(),
            base: c.raw.clone(),
            description: c.description.clone(),
            scope_check: c.scope_check,
        });
    }
    let builtins = TypeKind::BUILTINS.iter().map(|(n, _)| *n);
    let customs: Vec<&str> = types
        .custom
        .map(|c| c.names().collect())
        .unwrap_or_default();
    let externs = types.externs.keys().map(String::as_str);
    let suggestion = did_you_mean(
        &ty.v,
        builtins
            .clone()
            .chain(customs.iter().copied())
            .chain(externs),
    );
    let where_types = match types.custom {
        Some(c) => format!(
            "{} declares {}",
            c.path.display(),
            if c.is_empty() {
                "no custom types".to_string()
            } else {
                format!("the custom types {}", list_names(customs.iter().copied()))
            }
        ),
        None => {
            "no toolclad.toml was found beside the manifest or in a folder above it".to_string()
        }
    };
    let mut help = String::new();
    if let Some(s) = suggestion {
        help.push_str(&format!("did you mean `{s}`? Otherwise "));
    }
    // The macro option takes a bare name when it is an identifier, else a string.
    let macro_key = if ty
        .v
        .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && ty.v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        ty.v.to_string()
    } else {
        format!("\"{}\"", ty.v)
    };
    help.push_str(&format!(
        "declare the type in toolclad.toml (beside the manifest or in a folder above it):\n    [types.{0}]\n    base = \"string\"   # the built-in type it refines\nor map it to a Rust type of your own that implements `cladgen::ArgValue`: `Builder::extern_type(\"{0}\", \"::your_crate::YourType\")` in a build script, `extern_types = {{ {macro_key} = your_crate::YourType }}` in `include_manifest!`",
        ty.v
    ));
    cx.sink
        .error(
            &codes::UNKNOWN_TYPE,
            ty.span.clone(),
            format!("unknown type `{}` for argument `{arg}`", ty.v),
        )
        .help(help)
        .note(format!(
            "built-in types are: {}; {where_types}",
            list_names(builtins)
        ));
    None
}
