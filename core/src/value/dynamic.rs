//! [`Value`]: any built-in value, chosen by the argument's [`TypeKind`] at run time.

use super::{
    ArgError, ArgSpec, ArgValue, Boolean, Cidr, CredentialFile, Duration, EnumValue, Integer,
    IpAddress, MsfOptions, Number, ParseOptions, Port, RegexMatch, RelPath, Rule, ScopeTarget,
    Text, Url,
};
use crate::model::TypeKind;
use std::fmt;

/// A validated value of any built-in type (the dynamic path: manifest loaded at run
/// time). There is no variant for user (`extern`) types: the dynamic path cannot
/// validate them and refuses them with [`Rule::Unsupported`].
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `string`.
    Text(Text),
    /// `integer`.
    Integer(Integer),
    /// `number`.
    Number(Number),
    /// `port`.
    Port(Port),
    /// `boolean`.
    Boolean(Boolean),
    /// `enum`.
    Enum(EnumValue),
    /// `scope_target`.
    ScopeTarget(ScopeTarget),
    /// `url`.
    Url(Url),
    /// `path`.
    Path(RelPath),
    /// `ip_address`.
    IpAddress(IpAddress),
    /// `cidr`.
    Cidr(Cidr),
    /// `msf_options`.
    MsfOptions(MsfOptions),
    /// `credential_file`.
    CredentialFile(CredentialFile),
    /// `duration`.
    Duration(Duration),
    /// `regex_match`.
    RegexMatch(RegexMatch),
}

/// Dispatches `$parse` (`parse_str` or `parse_json`) on the type for `$kind`.
macro_rules! dispatch {
    ($kind:expr, $spec:expr, $input:expr, $opts:expr, $parse:ident) => {
        match $kind {
            TypeKind::String => Text::$parse($spec, $input, $opts).map(Value::Text),
            TypeKind::Integer => Integer::$parse($spec, $input, $opts).map(Value::Integer),
            TypeKind::Number => Number::$parse($spec, $input, $opts).map(Value::Number),
            TypeKind::Port => Port::$parse($spec, $input, $opts).map(Value::Port),
            TypeKind::Boolean => Boolean::$parse($spec, $input, $opts).map(Value::Boolean),
            TypeKind::Enum => EnumValue::$parse($spec, $input, $opts).map(Value::Enum),
            TypeKind::ScopeTarget => {
                ScopeTarget::$parse($spec, $input, $opts).map(Value::ScopeTarget)
            }
            TypeKind::Url => Url::$parse($spec, $input, $opts).map(Value::Url),
            TypeKind::Path => RelPath::$parse($spec, $input, $opts).map(Value::Path),
            TypeKind::IpAddress => IpAddress::$parse($spec, $input, $opts).map(Value::IpAddress),
            TypeKind::Cidr => Cidr::$parse($spec, $input, $opts).map(Value::Cidr),
            TypeKind::MsfOptions => MsfOptions::$parse($spec, $input, $opts).map(Value::MsfOptions),
            TypeKind::CredentialFile => {
                CredentialFile::$parse($spec, $input, $opts).map(Value::CredentialFile)
            }
            TypeKind::Duration => Duration::$parse($spec, $input, $opts).map(Value::Duration),
            TypeKind::RegexMatch => RegexMatch::$parse($spec, $input, $opts).map(Value::RegexMatch),
            TypeKind::Extern { rust_path } => Err(unsupported($spec, rust_path)),
        }
    };
}

fn unsupported(spec: &ArgSpec<'_>, rust_path: &str) -> ArgError {
    let name = spec.name;
    ArgError::new(
        name,
        Rule::Unsupported,
        format!(
            "argument '{name}' has a user type ({rust_path}) that only generated code can validate"
        ),
    )
}

impl Value {
    /// Parses text as the type `kind` (for `enum`, against `spec.constraints.allowed`).
    pub fn parse_str(
        spec: &ArgSpec<'_>,
        kind: &TypeKind,
        input: &str,
        opts: &ParseOptions,
    ) -> Result<Value, ArgError> {
        dispatch!(kind, spec, input, opts, parse_str)
    }

    /// Parses an LLM's JSON value as the type `kind`.
    pub fn parse_json(
        spec: &ArgSpec<'_>,
        kind: &TypeKind,
        input: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Value, ArgError> {
        dispatch!(kind, spec, input, opts, parse_json)
    }

    /// The JSON form (numbers and booleans as JSON scalars, everything else a string).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Text(v) => v.to_json(),
            Value::Integer(v) => v.to_json(),
            Value::Number(v) => v.to_json(),
            Value::Port(v) => v.to_json(),
            Value::Boolean(v) => v.to_json(),
            Value::Enum(v) => v.to_json(),
            Value::ScopeTarget(v) => v.to_json(),
            Value::Url(v) => v.to_json(),
            Value::Path(v) => v.to_json(),
            Value::IpAddress(v) => v.to_json(),
            Value::Cidr(v) => v.to_json(),
            Value::MsfOptions(v) => v.to_json(),
            Value::CredentialFile(v) => v.to_json(),
            Value::Duration(v) => v.to_json(),
            Value::RegexMatch(v) => v.to_json(),
        }
    }

    /// The built-in type of the value.
    pub fn kind(&self) -> TypeKind {
        match self {
            Value::Text(_) => TypeKind::String,
            Value::Integer(_) => TypeKind::Integer,
            Value::Number(_) => TypeKind::Number,
            Value::Port(_) => TypeKind::Port,
            Value::Boolean(_) => TypeKind::Boolean,
            Value::Enum(_) => TypeKind::Enum,
            Value::ScopeTarget(_) => TypeKind::ScopeTarget,
            Value::Url(_) => TypeKind::Url,
            Value::Path(_) => TypeKind::Path,
            Value::IpAddress(_) => TypeKind::IpAddress,
            Value::Cidr(_) => TypeKind::Cidr,
            Value::MsfOptions(_) => TypeKind::MsfOptions,
            Value::CredentialFile(_) => TypeKind::CredentialFile,
            Value::Duration(_) => TypeKind::Duration,
            Value::RegexMatch(_) => TypeKind::RegexMatch,
        }
    }
}

/// The argv text.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(v) => v.fmt(f),
            Value::Integer(v) => v.fmt(f),
            Value::Number(v) => v.fmt(f),
            Value::Port(v) => v.fmt(f),
            Value::Boolean(v) => v.fmt(f),
            Value::Enum(v) => v.fmt(f),
            Value::ScopeTarget(v) => v.fmt(f),
            Value::Url(v) => v.fmt(f),
            Value::Path(v) => v.fmt(f),
            Value::IpAddress(v) => v.fmt(f),
            Value::Cidr(v) => v.fmt(f),
            Value::MsfOptions(v) => v.fmt(f),
            Value::CredentialFile(v) => v.fmt(f),
            Value::Duration(v) => v.fmt(f),
            Value::RegexMatch(v) => v.fmt(f),
        }
    }
}

impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Text(v) => v.serialize(s),
            Value::Integer(v) => v.serialize(s),
            Value::Number(v) => v.serialize(s),
            Value::Port(v) => v.serialize(s),
            Value::Boolean(v) => v.serialize(s),
            Value::Enum(v) => v.serialize(s),
            Value::ScopeTarget(v) => v.serialize(s),
            Value::Url(v) => v.serialize(s),
            Value::Path(v) => v.serialize(s),
            Value::IpAddress(v) => v.serialize(s),
            Value::Cidr(v) => v.serialize(s),
            Value::MsfOptions(v) => v.serialize(s),
            Value::CredentialFile(v) => v.serialize(s),
            Value::Duration(v) => v.serialize(s),
            Value::RegexMatch(v) => v.serialize(s),
        }
    }
}
