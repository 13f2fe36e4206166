//! Checks on argument constraints (shared by `[args.*]` and `[types.*]`).

use std::ops::Range;

use super::codes;
use super::diag::{Decorate, Sink};
use super::types::RawConstraints;
use crate::model::{Constraints, Pattern, TypeKind};

/// The types a constraint key applies to (`None`: every type).
fn applies_to(key: &str, kind: &TypeKind) -> bool {
    use TypeKind as K;
    if matches!(kind, K::Extern { .. }) {
        // A user type receives every constraint; it decides what they mean.
        return true;
    }
    match key {
        "pattern" => matches!(kind, K::String | K::RegexMatch),
        "allowed" => matches!(kind, K::Enum),
        "min" | "max" | "clamp" => matches!(kind, K::Integer | K::Port | K::Number),
        "min_float" | "max_float" => matches!(kind, K::Number),
        "schemes" => matches!(kind, K::Url),
        "allow_option_values" => {
            kind.is_free_text() || super::option_values::is_signed_number(kind)
        }
        "allowed_keys" => matches!(kind, K::MsfOptions),
        _ => true,
    }
}

fn applicable_types(key: &str) -> &'static str {
    match key {
        "pattern" => "`string` and `regex_match`",
        "allowed" => "`enum`",
        "min" | "max" | "clamp" => "`integer`, `port` and `number`",
        "min_float" | "max_float" => "`number`",
        "schemes" => "`url`",
        "allow_option_values" => {
            "`string`, `regex_match`, `path`, `credential_file`, `integer` and `number`"
        }
        "allowed_keys" => "`msf_options`",
        _ => "every type",
    }
}

/// Checks the constraint keys written on one declaration (`own`), given the merged
/// constraints it ends up with (`merged`): regexes compile, enum values are unique,
/// bounds are ordered, schemes are valid; warns about keys that do not apply.
pub(crate) fn check_own(
    sink: &mut Sink<'_>,
    what: &str,
    kind: &TypeKind,
    own: &RawConstraints,
    merged: &RawConstraints,
) {
    for (key, span) in own.set_keys() {
        if !applies_to(key, kind) {
            sink.warn(
                &codes::CONSTRAINT_NOT_APPLICABLE,
                span,
                format!(
                    "`{key}` has no effect on {what} of type `{}`",
                    kind.as_str()
                ),
            )
            .note(format!("`{key}` applies to {}", applicable_types(key)))
            .help(format!("remove `{key}`"));
        }
    }
    if let Some(p) = &own.pattern
        && let Err(e) = Pattern::new(p.v.clone())
    {
        let msg = regex_error_line(&e);
        sink.error(
            &codes::BAD_REGEX,
            p.span.clone(),
            format!("`pattern` of {what} is not a valid regex: {msg}"),
        )
        .note("patterns use the syntax of the Rust `regex` crate (no look-around, no backreferences) and must match the whole value");
    }
    if let Some(allowed) = &own.allowed {
        if allowed.v.is_empty() {
            sink.error(
                &codes::ENUM_WITHOUT_VALUES,
                allowed.span.clone(),
                format!("`allowed` of {what} is empty: no value would be accepted"),
            )
            .help("list the accepted values, e.g. `allowed = [\"a\", \"b\"]`");
        }
        // First occurrence of each value: one pass, however long the list.
        let mut first_seen: std::collections::HashMap<&str, &Range<usize>> =
            std::collections::HashMap::with_capacity(allowed.v.len());
        for a in &allowed.v {
            if let Some(first) = first_seen.get(a.v.as_str()).copied() {
                sink.error(
                    &codes::DUPLICATE_ENUM_VALUE,
                    a.span.clone(),
                    format!("`allowed` of {what} lists `{}` twice", a.v),
                )
                .label(first.clone(), "first listed here")
                .help("remove the duplicate");
            } else {
                first_seen.insert(a.v.as_str(), &a.span);
            }
        }
    }
    if (own.min.is_some() || own.max.is_some())
        && let (Some(min), Some(max)) = (&merged.min, &merged.max)
        && min.v > max.v
    {
        let span = own
            .min
            .as_ref()
            .or(own.max.as_ref())
            .map_or(min.span.clone(), |s| s.span.clone());
        sink.error(
            &codes::BAD_RANGE,
            span,
            format!(
                "{what} has `min = {}` greater than `max = {}`",
                min.v, max.v
            ),
        )
        .help("swap the bounds or fix one of them");
    }
    if (own.min_float.is_some() || own.max_float.is_some())
        && let (Some(min), Some(max)) = (&merged.min_float, &merged.max_float)
        && min.v > max.v
    {
        let span = own
            .min_float
            .as_ref()
            .or(own.max_float.as_ref())
            .map_or(min.span.clone(), |s| s.span.clone());
        sink.error(
            &codes::BAD_RANGE,
            span,
            format!(
                "{what} has `min_float = {}` greater than `max_float = {}`",
                min.v, max.v
            ),
        )
        .help("swap the bounds or fix one of them");
    }
    if let Some(schemes) = &own.schemes {
        if schemes.v.is_empty() {
            sink.error(
                &codes::BAD_SCHEME,
                schemes.span.clone(),
                format!("`schemes` of {what} is empty: no URL would be accepted"),
            )
            .help("remove `schemes` to accept `http` and `https`, or list the schemes");
        }
        for s in &schemes.v {
            if let Some(why) = crate::value::forbidden_scheme(&s.v) {
                sink.error(
                    &codes::FORBIDDEN_SCHEME,
                    s.span.clone(),
                    format!(
                        "`{}` in `schemes` of {what} is never accepted: it {why}",
                        s.v
                    ),
                )
                .note("a `url` argument names a network resource; these schemes are refused whatever `schemes` says")
                .help("list `http`, `https` or another network scheme");
            } else if !is_scheme(&s.v) {
                sink.error(
                    &codes::BAD_SCHEME,
                    s.span.clone(),
                    format!(
                        "`{}` in `schemes` of {what} is not a lower-case URL scheme",
                        s.v
                    ),
                )
                .help("write schemes in lower case without `://`, e.g. `\"https\"`");
            }
        }
    }
    if let Some(keys) = &own.allowed_keys {
        check_allowed_keys(sink, what, keys);
    }
    if matches!(kind, TypeKind::Port) {
        for (k, b) in [("min", &own.min), ("max", &own.max)] {
            if let Some(b) = b
                && !(1..=65535).contains(&b.v)
            {
                sink.warn(
                    &codes::CONSTRAINT_NOT_APPLICABLE,
                    b.span.clone(),
                    format!(
                        "`{k} = {}` of {what} is outside the port range 1-65535",
                        b.v
                    ),
                )
                .note("ports are always 1-65535; the bound only narrows that range");
            }
        }
    }
}

/// `allowed_keys` of an `msf_options` argument: not empty, each a key the value
/// parser accepts and not a console command; a dangerous key listed is allowed on
/// purpose, but said out loud.
fn check_allowed_keys(
    sink: &mut Sink<'_>,
    what: &str,
    keys: &super::walk::Sp<Vec<super::walk::Sp<String>>>,
) {
    if keys.v.is_empty() {
        sink.error(
            &codes::BAD_ALLOWED_KEYS,
            keys.span.clone(),
            format!("`allowed_keys` of {what} is empty: no option could be set"),
        )
        .help("list the Metasploit options the value may set, e.g. `allowed_keys = [\"RHOSTS\", \"RPORT\"]`");
    }
    for k in &keys.v {
        if let Err(why) = crate::value::check_msf_key(&k.v) {
            sink.error(
                &codes::BAD_ALLOWED_KEYS,
                k.span.clone(),
                format!(
                    "`{}` in `allowed_keys` of {what} cannot be allowed: {why}",
                    k.v.escape_debug()
                ),
            )
            .help("keys are letters, digits and `_`, starting with a letter, e.g. `RHOSTS`");
        } else if let Some(reason) = crate::value::msf_dangerous_key(&k.v) {
            sink.warn(
                &codes::DANGEROUS_MSF_KEY,
                k.span.clone(),
                format!("`allowed_keys` of {what} allows `{}`, which {reason}", k.v),
            )
            .note("the key is refused unless listed; listing it lets an LLM set it");
        }
    }
}

/// `[a-z][a-z0-9+.-]*`.
fn is_scheme(s: &str) -> bool {
    let mut b = s.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_lowercase())
        && b.all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'+' | b'.' | b'-')
        })
}

/// The last meaningful line of a regex error (the crate's message is multi-line).
pub(crate) fn regex_error_line(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .rev()
        .find(|l| l.trim_start().starts_with("error:"))
        .map(|l| {
            l.trim_start()
                .trim_start_matches("error:")
                .trim()
                .to_string()
        })
        .unwrap_or_else(|| text.lines().last().unwrap_or("").trim().to_string())
}

/// Builds the checked [`Constraints`] from merged ones; reports what is required by
/// the type but missing (`allowed` for `enum`, `pattern` for `regex_match`) at
/// `at` (the `type` key).
pub(crate) fn finish(
    sink: &mut Sink<'_>,
    what: &str,
    kind: &TypeKind,
    merged: &RawConstraints,
    at: Range<usize>,
) -> Option<Constraints> {
    let mut ok = true;
    if matches!(kind, TypeKind::Enum) && merged.allowed.is_none() {
        ok = false;
        sink.error(
            &codes::ENUM_WITHOUT_VALUES,
            at.clone(),
            format!("{what} is of type `enum` but has no `allowed` list"),
        )
        .help("add `allowed = [\"...\", \"...\"]` with the accepted values");
    }
    if matches!(kind, TypeKind::RegexMatch) && merged.pattern.is_none() {
        ok = false;
        sink.error(
            &codes::MISSING_PATTERN,
            at,
            format!("{what} is of type `regex_match` but has no `pattern`"),
        )
        .help("add `pattern = \"...\"`: the value must match it as a whole");
    }
    let pattern = match &merged.pattern {
        Some(p) => match Pattern::new(p.v.clone()) {
            Ok(p) => Some(p),
            // Reported by `check_own` where the pattern is written.
            Err(_) => {
                ok = false;
                None
            }
        },
        None => None,
    };
    ok.then(|| Constraints {
        pattern,
        allowed: merged.allowed.as_ref().map(|a| {
            a.v.iter()
                .map(|s| s.v.clone().into())
                .collect::<Vec<_>>()
                .into()
        }),
        min: merged.min.as_ref().map(|m| m.v),
        max: merged.max.as_ref().map(|m| m.v),
        min_float: merged.min_float.as_ref().map(|m| m.v),
        max_float: merged.max_float.as_ref().map(|m| m.v),
        clamp: merged.clamp.as_ref().is_some_and(|c| c.v),
        schemes: merged.schemes.as_ref().map(|a| {
            a.v.iter()
                .map(|s| s.v.clone().into())
                .collect::<Vec<_>>()
                .into()
        }),
        allow_option_values: merged.allow_option_values.as_ref().is_some_and(|c| c.v),
        // Decided from the command's placement once the manifest is read.
        negative_is_option: false,
        allowed_keys: merged.allowed_keys.as_ref().map(|a| {
            a.v.iter()
                .map(|s| s.v.to_ascii_uppercase().into())
                .collect::<Vec<_>>()
                .into()
        }),
    })
}
