//! `toolclad.toml`: project-level custom argument types (`[types.<name>]`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::de::DeTable;

use super::codes;
use super::diag::{Decorate, Diagnostic, Severity, Sink, did_you_mean, list_names};
use super::walk::{Cx, Sp, Tbl};
use super::{UnknownKeys, constraints};
use crate::model::{Constraints, TypeKind};

/// The keys of a `[types.<name>]` table.
pub(crate) const TYPE_KEYS: &[&str] = &[
    "base",
    "description",
    "allowed",
    "pattern",
    "min",
    "max",
    "min_float",
    "max_float",
    "clamp",
    "schemes",
    "scope_check",
    "allow_option_values",
    "allowed_keys",
];

/// Constraints as written: `None` where the key is absent, so that a more specific
/// declaration (a derived type, the argument itself) can override field by field.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct RawConstraints {
    pub(crate) pattern: Option<Sp<String>>,
    pub(crate) allowed: Option<Sp<Vec<Sp<String>>>>,
    pub(crate) min: Option<Sp<i64>>,
    pub(crate) max: Option<Sp<i64>>,
    pub(crate) min_float: Option<Sp<f64>>,
    pub(crate) max_float: Option<Sp<f64>>,
    pub(crate) clamp: Option<Sp<bool>>,
    pub(crate) schemes: Option<Sp<Vec<Sp<String>>>>,
    pub(crate) allow_option_values: Option<Sp<bool>>,
    pub(crate) allowed_keys: Option<Sp<Vec<Sp<String>>>>,
}

impl RawConstraints {
    /// Reads the constraint keys of an `[args.*]` or `[types.*]` table.
    pub(crate) fn read(cx: &mut Cx<'_>, t: &Tbl<'_, '_>) -> Self {
        RawConstraints {
            pattern: t.str(cx, "pattern"),
            allowed: t.str_list(cx, "allowed"),
            min: t.int(cx, "min"),
            max: t.int(cx, "max"),
            min_float: t.float(cx, "min_float"),
            max_float: t.float(cx, "max_float"),
            clamp: t.bool(cx, "clamp"),
            schemes: t.str_list(cx, "schemes"),
            allow_option_values: t.bool(cx, "allow_option_values"),
            allowed_keys: t.str_list(cx, "allowed_keys"),
        }
    }

    /// `self` where set, else `base`. Spans taken from `base` point into another file,
    /// so they are dropped (replaced by `None` spans would lose the value): the caller
    /// keeps track of which fields are its own via [`RawConstraints::own_keys`].
    pub(crate) fn over(&self, base: &RawConstraints) -> RawConstraints {
        RawConstraints {
            pattern: self.pattern.clone().or_else(|| base.pattern.clone()),
            allowed: self.allowed.clone().or_else(|| base.allowed.clone()),
            min: self.min.clone().or_else(|| base.min.clone()),
            max: self.max.clone().or_else(|| base.max.clone()),
            min_float: self.min_float.clone().or_else(|| base.min_float.clone()),
            max_float: self.max_float.clone().or_else(|| base.max_float.clone()),
            clamp: self.clamp.clone().or_else(|| base.clamp.clone()),
            schemes: self.schemes.clone().or_else(|| base.schemes.clone()),
            allow_option_values: self
                .allow_option_values
                .clone()
                .or_else(|| base.allow_option_values.clone()),
            allowed_keys: self
                .allowed_keys
                .clone()
                .or_else(|| base.allowed_keys.clone()),
        }
    }

    /// The constraint keys that are set, with their spans.
    pub(crate) fn set_keys(&self) -> Vec<(&'static str, std::ops::Range<usize>)> {
        let mut v = Vec::new();
        macro_rules! k {
            ($f:ident) => {
                if let Some(x) = &self.$f {
                    v.push((stringify!($f), x.span.clone()));
                }
            };
        }
        k!(pattern);
        k!(allowed);
        k!(min);
        k!(max);
        k!(min_float);
        k!(max_float);
        k!(clamp);
        k!(schemes);
        k!(allow_option_values);
        k!(allowed_keys);
        v
    }
}

/// One resolved custom type.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomType {
    /// The type name (`[types.<name>]`).
    pub name: String,
    /// `base` as written (a built-in type or another custom type).
    pub base: String,
    /// The built-in type the chain ends in.
    pub kind: TypeKind,
    /// Constraints merged along the chain (the most derived type's win).
    pub constraints: Constraints,
    /// `description`, from the most derived type that sets one.
    pub description: Option<String>,
    /// `scope_check`, from the most derived type that sets one.
    pub scope_check: Option<bool>,
    /// Merged constraints as written, for field-by-field override by arguments.
    pub(crate) raw: RawConstraints,
}

/// The custom types of one `toolclad.toml`, every chain resolved and checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CustomTypes {
    /// The file they were read from.
    pub path: PathBuf,
    /// Its text (to render `warnings`).
    pub source: String,
    /// Warnings found while loading (errors make loading fail instead).
    pub warnings: Vec<Diagnostic>,
    types: BTreeMap<String, CustomType>,
}

impl CustomTypes {
    /// The type with this name.
    pub fn get(&self, name: &str) -> Option<&CustomType> {
        self.types.get(name)
    }

    /// Every type name, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.types.keys().map(String::as_str)
    }

    /// Number of types.
    pub fn len(&self) -> usize {
        self.types.len()
    }

    /// Whether no type is declared.
    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }
}

struct Decl {
    name: Sp<String>,
    base: Option<Sp<String>>,
    description: Option<String>,
    scope_check: Option<bool>,
    raw: RawConstraints,
}

/// Parses and resolves a `toolclad.toml`.
pub(crate) fn load_types(
    path: &Path,
    text: &str,
    unknown_keys: UnknownKeys,
) -> Result<CustomTypes, Vec<Diagnostic>> {
    let mut cx = Cx {
        sink: Sink::new(path, text),
        unknown_keys,
    };
    let (root, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        super::report_toml_errors(&mut cx, &errors);
        return Err(cx.sink.diags);
    }
    let root = Tbl::new(root.get_ref(), "", 0..0);
    root.check_keys(&mut cx, &["types"]);
    let mut decls: Vec<Decl> = Vec::new();
    if let Some(types) = root.table(&mut cx, "types") {
        for (name, t) in types.subtables(&mut cx) {
            t.check_keys(&mut cx, TYPE_KEYS);
            let base = t.req_str(&mut cx, "base");
            let description = t.str(&mut cx, "description").map(|s| s.v);
            let scope_check = t.bool(&mut cx, "scope_check").map(|s| s.v);
            let raw = RawConstraints::read(&mut cx, &t);
            if TypeKind::builtin(&name.v).is_some() {
                cx.sink
                    .error(
                        &codes::BUILTIN_REDEFINED,
                        name.span.clone(),
                        format!("custom type `{}` has the name of a built-in type", name.v),
                    )
                    .help("choose another name: built-in type names cannot be redefined");
            }
            decls.push(Decl {
                name,
                base,
                description,
                scope_check,
                raw,
            });
        }
    } else if root.get("types").is_none() {
        cx.sink
            .warn(
                &codes::NO_TYPES,
                0..0,
                "this toolclad.toml declares no custom types (no [types.<name>] table)",
            )
            .help("declare a type with `[types.<name>]` and `base = \"<built-in type>\"`");
    }

    let by_name: BTreeMap<&str, usize> = decls
        .iter()
        .enumerate()
        .map(|(i, d)| (d.name.v.as_str(), i))
        .collect();
    let mut types = BTreeMap::new();
    let mut cycle_reported: Vec<usize> = Vec::new();
    for (i, d) in decls.iter().enumerate() {
        // Walk the chain, most derived first.
        let mut chain = vec![i];
        let mut ok = true;
        let kind = loop {
            let Some(cur) = chain.last().and_then(|&c| decls.get(c)) else {
                ok = false;
                break None;
            };
            let Some(base) = &cur.base else {
                ok = false;
                break None;
            };
            if let Some(k) = TypeKind::builtin(&base.v) {
                break Some(k);
            }
            match by_name.get(base.v.as_str()) {
                Some(&next) if chain.contains(&next) => {
                    ok = false;
                    let start = chain.iter().position(|&c| c == next).unwrap_or(0);
                    let members: Vec<usize> = chain
                        .get(start..)
                        .map(<[usize]>::to_vec)
                        .unwrap_or_default();
                    // Report a cycle once, at its first member in file order.
                    let first = members.iter().copied().min().unwrap_or(next);
                    if !cycle_reported.contains(&first) {
                        cycle_reported.extend(members.iter().copied());
                        let mut names: Vec<&str> = members
                            .iter()
                            .filter_map(|&m| decls.get(m).map(|d| d.name.v.as_str()))
                            .collect();
                        names.push(base.v.as_str());
                        let cycle = names
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(" -> ");
                        let at = decls.get(first).and_then(|d| d.base.clone());
                        let span = at.map_or(base.span.clone(), |b| b.span);
                        cx.sink
                            .error(
                                &codes::TYPE_CYCLE,
                                span,
                                format!("custom types form a cycle: {cycle}"),
                            )
                            .help("end the chain in a built-in type: set `base` of one of these types to a built-in type");
                    }
                    break None;
                }
                Some(&next) => chain.push(next),
                None => {
                    ok = false;
                    let candidates: Vec<&str> = TypeKind::BUILTINS
                        .iter()
                        .map(|(n, _)| *n)
                        .chain(by_name.keys().copied())
                        .collect();
                    let d = cx.sink.error(
                        &codes::UNKNOWN_TYPE,
                        base.span.clone(),
                        format!(
                            "custom type `{}` has unknown base type `{}`",
                            cur.name.v, base.v
                        ),
                    );
                    if let Some(s) = did_you_mean(&base.v, candidates.iter().copied()) {
                        d.help(format!("did you mean `{s}`?"));
                    } else {
                        d.help(
                            "`base` must be a built-in type or another type declared in this file",
                        );
                    }
                    d.note(format!(
                        "built-in types are: {}",
                        list_names(TypeKind::BUILTINS.iter().map(|(n, _)| *n))
                    ));
                    break None;
                }
            }
        };
        let (Some(kind), true) = (kind, ok) else {
            continue;
        };
        // Merge: start from the root of the chain, let each derived type override.
        let mut raw = RawConstraints::default();
        let mut description = None;
        let mut scope_check = None;
        for &c in chain.iter().rev() {
            if let Some(dc) = decls.get(c) {
                raw = dc.raw.over(&raw);
                description = dc.description.clone().or(description);
                scope_check = dc.scope_check.or(scope_check);
            }
        }
        // Checks on this type's own keys (the chain's are checked at their own types).
        let own = &d.raw;
        let what = format!("custom type `{}`", d.name.v);
        constraints::check_own(&mut cx.sink, &what, &kind, own, &raw);
        let Some(constraints) =
            constraints::finish(&mut cx.sink, &what, &kind, &raw, d.name.span.clone())
        else {
            continue;
        };
        let base = d.base.as_ref().map(|b| b.v.clone()).unwrap_or_default();
        types.insert(
            d.name.v.clone(),
            CustomType {
                name: d.name.v.clone(),
                base,
                kind,
                constraints,
                description,
                scope_check,
                raw,
            },
        );
    }
    if cx.sink.has_errors() {
        return Err(cx.sink.diags);
    }
    Ok(CustomTypes {
        path: path.to_path_buf(),
        source: text.to_string(),
        warnings: cx
            .sink
            .diags
            .into_iter()
            .filter(|d| d.severity == Severity::Warning)
            .collect(),
        types,
    })
}
