//! The JSON Schema of one argument, per type and flavour.
//!
//! Each schema is the strongest one that never rejects a value the validator accepts
//! in its canonical JSON form (numbers for `integer`/`number`/`port`, booleans for
//! `boolean`, strings otherwise), and that only allows values the validator accepts
//! except for the rules listed per type in `docs/schemas.md` (injection set, option
//! values, scope, credential existence, ...), which JSON Schema cannot say in a form
//! every provider supports.

use super::Flavor;
use super::ecma::portable_pattern;
use crate::model::{Arg, Scalar, TypeKind};
use serde_json::{Map, Value, json};

/// Rust's `.` / ECMA `[^\n]`-style "anything" for URL tails.
const ANY_TAIL: &str = r"[^\n]*";

/// `scope_target`: every accepted form (IPv4, IPv6, CIDR, host name) is 1–253
/// characters of letters, digits, `.`, `:`, `/` and `-`.
pub(crate) const SCOPE_TARGET_PATTERN: &str = r"^[0-9A-Za-z.:\/\-]{1,253}$";
/// `ip_address`: strict IPv4/IPv6 text is 2 (`::`) to 45 hex digits, dots and colons.
pub(crate) const IP_ADDRESS_PATTERN: &str = r"^[0-9A-Fa-f.:]{2,45}$";
/// `cidr`: an address as above, `/`, and a prefix of 1–3 digits.
pub(crate) const CIDR_PATTERN: &str = r"^[0-9A-Fa-f.:]{2,45}\/[0-9]{1,3}$";
/// `duration`: bare seconds, or `h`, `m`, `s`, `ms` parts in that order, each at
/// most once, non-empty. (Zero and overflow are refused by the validator only.)
pub(crate) const DURATION_PATTERN: &str = r"^[0-9]+(?:h(?:[0-9]+m)?(?:[0-9]+s)?(?:[0-9]+ms)?|m(?:[0-9]+s)?(?:[0-9]+ms)?|s(?:[0-9]+ms)?|ms)?$";

/// The schema of one argument (without the nullable wrapping of OpenAI strict mode,
/// which [`property_schema`] adds).
fn base_schema(arg: &Arg, flavor: Flavor, notes: &mut Vec<String>) -> Map<String, Value> {
    let c = &arg.ty.constraints;
    let mut s = Map::new();
    let mut ty = |t: &str| {
        s.insert("type".into(), Value::String(t.into()));
    };
    match &arg.ty.kind {
        TypeKind::Integer => {
            ty("integer");
            int_bounds(&mut s, c.min, c.max, c.clamp, notes);
        }
        TypeKind::Number => {
            ty("number");
            #[allow(clippy::cast_precision_loss)] // the validator uses the same f64 bounds
            let lo = c.min_float.or(c.min.map(|m| m as f64));
            #[allow(clippy::cast_precision_loss)]
            let hi = c.max_float.or(c.max.map(|m| m as f64));
            if c.clamp {
                if lo.is_some() || hi.is_some() {
                    notes.push(clamp_note(lo.map(fmt_f64), hi.map(fmt_f64)));
                }
            } else {
                if let Some(v) = lo.and_then(float_json) {
                    s.insert("minimum".into(), v);
                }
                if let Some(v) = hi.and_then(float_json) {
                    s.insert("maximum".into(), v);
                }
            }
        }
        TypeKind::Port => {
            ty("integer");
            let lo = c.min.map_or(1, |m| m.max(1));
            let hi = c.max.map_or(65535, |m| m.min(65535));
            if c.clamp {
                // Outside 1-65535 is always an error; inside, the narrowed range clamps.
                s.insert("minimum".into(), json!(1));
                s.insert("maximum".into(), json!(65535));
                if lo != 1 || hi != 65535 {
                    notes.push(clamp_note(Some(lo.to_string()), Some(hi.to_string())));
                }
            } else {
                s.insert("minimum".into(), json!(lo));
                s.insert("maximum".into(), json!(hi));
            }
        }
        TypeKind::Boolean => ty("boolean"),
        TypeKind::Enum => {
            ty("string");
            let allowed = c.allowed.as_deref().unwrap_or_default();
            s.insert(
                "enum".into(),
                Value::Array(
                    allowed
                        .iter()
                        .map(|v| Value::String(v.to_string()))
                        .collect(),
                ),
            );
        }
        TypeKind::String | TypeKind::RegexMatch => {
            ty("string");
            if let Some(p) = &c.pattern {
                match portable_pattern(p.as_str()) {
                    Some(ecma) => {
                        s.insert("pattern".into(), Value::String(ecma));
                    }
                    None => notes.push(format!(
                        "Must match the regular expression `{}` as a whole.",
                        p.as_str()
                    )),
                }
            }
        }
        TypeKind::ScopeTarget => {
            ty("string");
            s.insert("pattern".into(), SCOPE_TARGET_PATTERN.into());
        }
        TypeKind::Url => {
            ty("string");
            if flavor != Flavor::OpenAiStrict {
                s.insert("format".into(), "uri".into());
            }
            let default_schemes = ["http", "https"];
            let schemes: Vec<&str> = match &c.schemes {
                Some(list) => list.iter().map(|x| x.as_ref()).collect(),
                None => default_schemes.to_vec(),
            };
            s.insert("pattern".into(), Value::String(url_pattern(&schemes)));
        }
        TypeKind::IpAddress => {
            ty("string");
            s.insert("pattern".into(), IP_ADDRESS_PATTERN.into());
        }
        TypeKind::Cidr => {
            ty("string");
            s.insert("pattern".into(), CIDR_PATTERN.into());
        }
        TypeKind::Duration => {
            ty("string");
            s.insert("pattern".into(), DURATION_PATTERN.into());
        }
        // Rules too rich for a portable pattern: see docs/schemas.md.
        TypeKind::Path | TypeKind::CredentialFile | TypeKind::MsfOptions => ty("string"),
        // A user type: its text form is what every `ArgValue` parses.
        TypeKind::Extern { .. } => ty("string"),
    }
    s
}

fn int_bounds(
    s: &mut Map<String, Value>,
    min: Option<i64>,
    max: Option<i64>,
    clamp: bool,
    notes: &mut Vec<String>,
) {
    if clamp {
        // The validator clamps instead of refusing: bounds in the schema would reject
        // values it accepts. Say it in words instead.
        if min.is_some() || max.is_some() {
            notes.push(clamp_note(
                min.map(|m| m.to_string()),
                max.map(|m| m.to_string()),
            ));
        }
        return;
    }
    if let Some(m) = min {
        s.insert("minimum".into(), json!(m));
    }
    if let Some(m) = max {
        s.insert("maximum".into(), json!(m));
    }
}

fn clamp_note(lo: Option<String>, hi: Option<String>) -> String {
    match (lo, hi) {
        (Some(l), Some(h)) => format!("Values outside {l} to {h} are clamped to that range."),
        (Some(l), None) => format!("Values below {l} are raised to {l}."),
        (None, Some(h)) => format!("Values above {h} are lowered to {h}."),
        (None, None) => String::new(),
    }
}

/// 2^53: integers below it are exact in f64 and print as JSON integers.
const EXACT_INT: f64 = 9_007_199_254_740_992.0;

/// A float bound as JSON: an integer when it is one (`0`, not `0.0`), else a float;
/// `None` for NaN and infinities (no bound).
fn float_json(f: f64) -> Option<Value> {
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0 && f.abs() < EXACT_INT {
        #[allow(clippy::cast_possible_truncation)] // integral and below 2^53
        return Some(json!(f as i64));
    }
    serde_json::Number::from_f64(f).map(Value::Number)
}

fn fmt_f64(f: f64) -> String {
    f.to_string()
}

/// `^(?:http|https)://authority(tail)?$` with each scheme letter matched in both cases
/// (the validator compares schemes case-insensitively). The authority is non-empty
/// and has no `@` (userinfo is refused).
fn url_pattern(schemes: &[&str]) -> String {
    let mut alts = Vec::with_capacity(schemes.len());
    for scheme in schemes {
        let mut alt = String::new();
        for ch in scheme.chars() {
            if ch.is_ascii_alphabetic() {
                alt.push('[');
                alt.push(ch.to_ascii_lowercase());
                alt.push(ch.to_ascii_uppercase());
                alt.push(']');
            } else if ch.is_ascii_alphanumeric() {
                alt.push(ch);
            } else {
                // `+`, `-`, `.`: escaped (valid identity escapes or class-free syntax).
                alt.push_str(&format!(r"\u{:04X}", u32::from(ch)));
            }
        }
        alts.push(alt);
    }
    format!(
        r"^(?:{}):\/\/[^@\/?#]+(?:[\/?#]{ANY_TAIL})?$",
        alts.join("|")
    )
}

/// The default of an optional argument in the argument's canonical JSON form
/// (numbers for numeric types, booleans for `boolean`, strings otherwise).
/// `None` for required arguments: a required argument's default is never used.
pub(crate) fn default_json(arg: &Arg) -> Option<Value> {
    if arg.required {
        return None;
    }
    let d = arg.default.as_ref()?;
    Some(match (&arg.ty.kind, d) {
        (TypeKind::Integer | TypeKind::Port, Scalar::String(s)) => {
            s.parse::<i64>().map_or_else(|_| d.to_json(), Value::from)
        }
        (TypeKind::Integer | TypeKind::Port, Scalar::Float(f)) => {
            if f.fract() == 0.0 && f.abs() < EXACT_INT {
                #[allow(clippy::cast_possible_truncation)] // integral and below 2^53
                Value::from(*f as i64)
            } else {
                d.to_json()
            }
        }
        (TypeKind::Number, Scalar::String(s)) => s
            .parse::<f64>()
            .ok()
            .and_then(float_json)
            .unwrap_or_else(|| d.to_json()),
        (TypeKind::Boolean, Scalar::String(s)) if s == "true" || s == "false" => {
            Value::Bool(s == "true")
        }
        (TypeKind::Integer | TypeKind::Port | TypeKind::Number | TypeKind::Boolean, _) => {
            d.to_json()
        }
        // Every other type takes text: `default = 5` on a string argument is "5".
        (_, other) => Value::String(other.to_text()),
    })
}

/// The property schema of `arg` for `flavor`.
///
/// Keys are inserted in this order: `type`, `enum`, `pattern`, `format`, `minimum`,
/// `maximum`, `description`, `default` (serde_json keeps that order only with its
/// `preserve_order` feature; otherwise keys are sorted, which is just as stable).
/// In OpenAI strict mode an optional argument's `type` becomes `[type, "null"]` (and
/// `null` joins an `enum`), and its default moves into the description because strict
/// mode has no `default`.
pub fn property_schema(arg: &Arg, flavor: Flavor) -> Value {
    let mut notes = Vec::new();
    let mut s = base_schema(arg, flavor, &mut notes);
    let default = default_json(arg);
    let nullable = flavor == Flavor::OpenAiStrict && !arg.required;
    if nullable {
        if let Some(Value::String(t)) = s.get("type").cloned() {
            s.insert("type".into(), json!([t, "null"]));
        }
        if let Some(Value::Array(values)) = s.get_mut("enum") {
            values.push(Value::Null);
        }
        if let Some(d) = &default {
            notes.push(format!("Default: {d}."));
        }
    }
    if let Some(text) = describe(&arg.description, &notes) {
        s.insert("description".into(), Value::String(text));
    }
    if flavor != Flavor::OpenAiStrict
        && let Some(d) = default
    {
        s.insert("default".into(), d);
    }
    Value::Object(s)
}

/// The argument's description followed by generated notes; `None` when both are empty.
pub(crate) fn describe(description: &str, notes: &[String]) -> Option<String> {
    let notes: Vec<&str> = notes
        .iter()
        .map(String::as_str)
        .filter(|n| !n.is_empty())
        .collect();
    let description = description.trim_end();
    let mut text = description.to_string();
    if !notes.is_empty() {
        if !text.is_empty() {
            if !text.ends_with(['.', '!', '?']) {
                text.push('.');
            }
            text.push(' ');
        }
        text.push_str(&notes.join(" "));
    }
    (!text.is_empty()).then_some(text)
}
