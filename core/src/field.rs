//! Reading one argument out of a JSON call: the absence rules in one place, shared by
//! generated code (through `cladgen::__private`) and the dynamic path.
//!
//! Absent means: the key is missing, its value is JSON `null`, or (for an optional
//! argument only) it is the empty string. A required argument that is absent is an
//! error even when it has a default; an optional one falls back to its default.

use crate::model::Scalar;
use crate::value::{ArgError, ArgErrors, ArgSpec, ArgValue, ParseOptions, Rule, is_absent_json};
use serde_json::{Map, Value};

/// The JSON value of argument `name` after the absence rules, or `None` when absent.
pub fn present<'a>(obj: &'a Map<String, Value>, name: &str, required: bool) -> Option<&'a Value> {
    let value = obj.get(name);
    (!is_absent_json(value, !required))
        .then_some(value)
        .flatten()
}

/// Parses argument `name` of a call: `Ok(Some(v))` when present (or defaulted),
/// `Ok(None)` when an optional argument is absent without default.
pub fn parse<T: ArgValue>(
    obj: &Map<String, Value>,
    spec: &ArgSpec<'_>,
    required: bool,
    default: Option<&Scalar>,
    opts: &ParseOptions,
) -> Result<Option<T>, ArgError> {
    parse_value(obj.get(spec.name), spec, required, default, opts)
}

/// Like [`parse`], for the value already taken out of the call (`None`: the key is
/// missing). Generated code walks the call's object once and hands each value here.
pub fn parse_value<T: ArgValue>(
    value: Option<&Value>,
    spec: &ArgSpec<'_>,
    required: bool,
    default: Option<&Scalar>,
    opts: &ParseOptions,
) -> Result<Option<T>, ArgError> {
    let value = (!is_absent_json(value, !required))
        .then_some(value)
        .flatten();
    match value {
        Some(v) => T::parse_json(spec, v, opts).map(Some),
        None if required => Err(ArgError::missing(spec.name)),
        None => match default {
            Some(d) => T::parse_json(spec, &d.to_json(), opts).map(Some),
            None => Ok(None),
        },
    }
}

/// The call's arguments as an object, or an error for the whole call.
pub fn object(value: &Value) -> Result<&Map<String, Value>, ArgErrors> {
    value.as_object().ok_or_else(|| {
        ArgError::new(
            "arguments",
            Rule::JsonType,
            format!(
                "tool arguments must be a JSON object, got {}",
                json_kind(value)
            ),
        )
        .into()
    })
}

/// Records an error for every key of `obj` that is not a declared argument.
pub fn reject_unknown(obj: &Map<String, Value>, declared: &[&str], errors: &mut ArgErrors) {
    for key in obj.keys() {
        if !declared.contains(&key.as_str()) {
            errors.push(ArgError::unknown(key, declared));
        }
    }
}

/// A short name for the JSON type of `v`, for messages.
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn absence_rules() {
        let v = json!({"a": null, "b": "", "c": "x"});
        let o = v.as_object().unwrap();
        assert!(present(o, "missing", true).is_none());
        assert!(present(o, "a", false).is_none());
        assert!(
            present(o, "b", false).is_none(),
            "empty string is absent for optional args"
        );
        assert_eq!(
            present(o, "b", true),
            Some(&json!("")),
            "but handed to the parser when required"
        );
        assert_eq!(present(o, "c", true), Some(&json!("x")));
    }

    #[test]
    fn non_object_call_is_one_error() {
        let e = object(&json!([1])).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e.as_slice()[0].rule, Rule::JsonType);
        assert!(e.as_slice()[0].message.contains("an array"));
    }

    #[test]
    fn unknown_keys_are_reported_with_the_declared_list() {
        let v = json!({"target": "x", "tagret": "y"});
        let mut errors = ArgErrors::new();
        reject_unknown(v.as_object().unwrap(), &["target"], &mut errors);
        assert_eq!(errors.len(), 1);
        let e = &errors.as_slice()[0];
        assert_eq!((e.arg.as_str(), e.rule), ("tagret", Rule::UnknownArgument));
        assert!(e.message.contains("declared arguments are: target"));
    }
}
