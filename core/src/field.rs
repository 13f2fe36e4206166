//! Reading one argument out of a JSON call: the absence rules in one place, shared by
//! generated code (through `cladgen::__private`) and the dynamic path.
//!
//! Absent means: the key is missing, its value is JSON `null`, or (for an optional
//! argument only) it is the empty string. A required argument that is absent is an
//! error even when it has a default; an optional one falls back to its default.

use crate::invoke::{COMMAND_FIELD, CommandText};
use crate::model::{Arg, Manifest, Scalar};
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

/// The default of argument `arg`, parsed as a call's value would be (for the
/// builder of generated code, when the default depends on the run: a
/// `credential_file` must exist, an extern type has its own parser).
pub fn default_of<T: ArgValue>(arg: &Arg) -> Result<T, ArgError> {
    let spec = ArgSpec::new(&arg.name, &arg.ty.constraints);
    match &arg.default {
        Some(d) => T::parse_json(&spec, &d.to_json(), &ParseOptions::DEFAULT),
        None => Err(ArgError::missing(&arg.name)),
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

/// Reads the arguments of one call for generated code: the object check and one walk
/// over its keys on construction (each key to its argument's slot, unknown keys
/// reported in key order), then one call per argument, in argument order, as the
/// dynamic path does; [`Reader::finish`] reports every error at once.
///
/// `N` is the number of declared arguments (`args` is the manifest's static list); a
/// session command's call also carries its `command` text ([`Reader::with_command`]).
pub struct Reader<'a, const N: usize> {
    args: &'a [Arg; N],
    slots: [Option<&'a Value>; N],
    command: Option<Option<&'a Value>>,
    opts: &'a ParseOptions,
    errors: ArgErrors,
}

impl<'a, const N: usize> Reader<'a, N> {
    /// Checks that `value` is an object and sorts its keys into the slots of `args`.
    pub fn new(
        value: &'a Value,
        args: &'a [Arg; N],
        opts: &'a ParseOptions,
    ) -> Result<Self, ArgErrors> {
        Self::read(value, args, opts, false)
    }

    /// Like [`Self::new`] for a session command, whose call also carries `command`.
    pub fn with_command(
        value: &'a Value,
        args: &'a [Arg; N],
        opts: &'a ParseOptions,
    ) -> Result<Self, ArgErrors> {
        Self::read(value, args, opts, true)
    }

    fn read(
        value: &'a Value,
        args: &'a [Arg; N],
        opts: &'a ParseOptions,
        with_command: bool,
    ) -> Result<Self, ArgErrors> {
        let obj = object(value)?;
        let mut slots = [None; N];
        let mut command = with_command.then_some(None);
        let mut errors = ArgErrors::new();
        for (key, value) in obj {
            if let (Some(c), true) = (command.as_mut(), key == COMMAND_FIELD) {
                *c = Some(value);
            } else if let Some(i) = args.iter().position(|a| a.name == key.as_str()) {
                slots[i] = Some(value);
            } else {
                // The declared list is only needed for the message.
                let declared: Vec<&str> = with_command
                    .then_some(COMMAND_FIELD)
                    .into_iter()
                    .chain(args.iter().map(|a| a.name.as_ref()))
                    .collect();
                errors.push(ArgError::unknown(key, &declared));
            }
        }
        Ok(Reader {
            args,
            slots,
            command,
            opts,
            errors,
        })
    }

    /// Parses argument `i` with its own spec, required flag and default; an error is
    /// recorded and gives `None`.
    fn parse<T: ArgValue>(&mut self, i: usize) -> Option<(Option<T>, &'a str)> {
        let (Some(arg), Some(value)) = (self.args.get(i), self.slots.get(i)) else {
            // Generated code indexes its own manifest; a mismatch fails closed.
            self.errors.push(ArgError::new(
                "arguments",
                Rule::Unsupported,
                format!("argument index {i} is not declared"),
            ));
            return None;
        };
        let spec = ArgSpec::new(&arg.name, &arg.ty.constraints);
        let parsed = parse_value(*value, &spec, arg.required, arg.default.as_ref(), self.opts);
        self.errors.collect(parsed).map(|v| (v, arg.name.as_ref()))
    }

    /// A required argument: always a value when valid.
    pub fn required<T: ArgValue>(&mut self, i: usize) -> Option<T> {
        match self.parse(i)? {
            (Some(v), _) => Some(v),
            // Cannot happen for a required or defaulted argument; still an error.
            (None, name) => {
                self.errors.push(ArgError::missing(name));
                None
            }
        }
    }

    /// An optional argument with a default: the default when absent.
    pub fn defaulted<T: ArgValue>(&mut self, i: usize) -> Option<T> {
        self.required(i)
    }

    /// An optional argument without default: `Some(None)` when absent, `None` when
    /// invalid.
    pub fn optional<T: ArgValue>(&mut self, i: usize) -> Option<Option<T>> {
        self.parse(i).map(|(v, _)| v)
    }

    /// The `command` text of a session command call, checked for command `command` of
    /// `manifest` (absent when the reader was not made [`Self::with_command`]).
    ///
    /// An argument that a named group of the command's pattern binds is read from the
    /// text; sent as a field of its own, it is an error.
    pub fn command_text(&mut self, manifest: &Manifest, command: &str) -> Option<CommandText> {
        let value = self.command.flatten().filter(|v| !v.is_null());
        let slots = &self.slots;
        match CommandText::read(
            manifest,
            command,
            value,
            |i| slots.get(i).is_some_and(Option::is_some),
            self.opts,
        ) {
            Ok(t) => Some(t),
            Err(errors) => {
                for e in errors.as_slice() {
                    self.errors.push(e.clone());
                }
                None
            }
        }
    }

    /// Every error at once, or the value `build` assembles from the arguments read
    /// (each `Some` once no error was recorded).
    pub fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, ArgErrors> {
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        build().ok_or_else(|| {
            // Every read that returned `None` recorded an error, so this is unreachable;
            // it still fails closed.
            ArgError::new("arguments", Rule::Unsupported, "an argument was not read").into()
        })
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

    fn args() -> [Arg; 2] {
        use crate::model::{ArgType, TypeKind};
        use std::borrow::Cow::Borrowed as B;
        [
            Arg {
                name: B("port"),
                required: true,
                ty: ArgType::plain(B("port"), TypeKind::Port),
                ..Arg::BASE
            },
            Arg {
                name: B("verbose"),
                ty: ArgType::plain(B("boolean"), TypeKind::Boolean),
                default: Some(Scalar::Boolean(false)),
                ..Arg::BASE
            },
        ]
    }

    #[test]
    fn reader_reports_unknown_keys_then_every_bad_argument_at_once() {
        let args = args();
        let call = json!({"zzz": 1, "port": 0, "verbose": "maybe", "aaa": 2});
        let mut r = Reader::new(&call, &args, &ParseOptions::DEFAULT).unwrap();
        let port: Option<crate::value::Port> = r.required(0);
        let verbose: Option<crate::value::Boolean> = r.defaulted(1);
        assert!(port.is_none() && verbose.is_none());
        let e = r.finish(|| Some(())).unwrap_err();
        let got: Vec<(&str, Rule)> = e.iter().map(|e| (e.arg.as_str(), e.rule)).collect();
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!(got[0], ("zzz", Rule::UnknownArgument));
        assert_eq!(got[1], ("aaa", Rule::UnknownArgument));
        assert_eq!((got[2].0, got[3].0), ("port", "verbose"));
        assert!(e.as_slice()[0].message.contains("port, verbose"));
    }

    #[test]
    fn reader_applies_defaults_and_builds_when_valid() {
        let args = args();
        let call = json!({"port": 8080});
        let mut r = Reader::new(&call, &args, &ParseOptions::DEFAULT).unwrap();
        let port: Option<crate::value::Port> = r.required(0);
        let verbose: Option<crate::value::Boolean> = r.defaulted(1);
        let (port, verbose) = r.finish(|| Some((port?, verbose?))).unwrap();
        assert_eq!((port.get(), verbose.get()), (8080, false));
        // A missing required argument is an error even though the call is an object.
        let empty = json!({});
        let mut r = Reader::new(&empty, &args, &ParseOptions::DEFAULT).unwrap();
        let port: Option<crate::value::Port> = r.required(0);
        assert!(port.is_none());
        let e = r.finish(|| port).unwrap_err();
        assert_eq!(e.as_slice()[0].rule, Rule::Missing);
        // Not an object: one error for the whole call.
        assert!(Reader::new(&json!([1]), &args, &ParseOptions::DEFAULT).is_err());
    }

    #[test]
    fn a_session_reader_takes_the_command_key_and_lists_it() {
        let args = args();
        let call = json!({"port": 1, "nope": true});
        let r = Reader::with_command(&call, &args, &ParseOptions::DEFAULT).unwrap();
        let e = r.finish(|| Some(())).unwrap_err();
        assert!(
            e.as_slice()[0].message.contains("command, port, verbose"),
            "{e}"
        );
        let call = json!({"port": 1, "command": "x"});
        let r = Reader::new(&call, &args, &ParseOptions::DEFAULT).unwrap();
        assert_eq!(
            r.finish(|| Some(())).unwrap_err().len(),
            1,
            "`command` is unknown to a plain reader"
        );
    }
}
