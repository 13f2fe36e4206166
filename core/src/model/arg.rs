//! `[args.<name>]`: one typed argument.

use super::{List, Pattern, Str};
use std::borrow::Cow;

/// One declared argument, with its type resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    /// The argument name (`^[A-Za-z][A-Za-z0-9_]{0,63}$`): the JSON property name.
    pub name: Str,
    /// `position` as written, if any (ordering only; argv order comes from the command).
    pub position: Option<i64>,
    /// Whether the call must supply it.
    pub required: bool,
    /// Description shown to the LLM (may be empty).
    pub description: Str,
    /// The resolved type and its constraints.
    pub ty: ArgType,
    /// Default for an optional argument, already checked against the type.
    /// An empty-string default in the manifest means "no default" and is `None` here.
    pub default: Option<Scalar>,
    /// `scope_check`: the value's host must be inside the project scope.
    pub scope_check: bool,
    /// `feeds_decision` (Symbiont): the value influences a policy decision.
    pub feeds_decision: bool,
    /// `sanitize` as written. It has no effect: the injection check is unconditional.
    pub sanitize: List<Str>,
}

/// A resolved argument type.
#[derive(Clone, Debug, PartialEq)]
pub struct ArgType {
    /// The type name as written in the manifest (a built-in or a custom type name).
    pub name: Str,
    /// The built-in type it resolves to.
    pub kind: TypeKind,
    /// Constraints after merging the custom type chain with the argument's own
    /// (the argument's win).
    pub constraints: Constraints,
}

/// The 15 built-in ToolClad types, plus user-provided Rust types.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TypeKind {
    /// `string`: free text, optional whole-value `pattern`.
    String,
    /// `integer`: i64.
    Integer,
    /// `number`: finite f64.
    Number,
    /// `port`: 1-65535.
    Port,
    /// `boolean`: `true` / `false`.
    Boolean,
    /// `enum`: one of `allowed`.
    Enum,
    /// `scope_target`: IP, CIDR or hostname.
    ScopeTarget,
    /// `url`.
    Url,
    /// `path`: relative, no traversal.
    Path,
    /// `ip_address`: IPv4 or IPv6.
    IpAddress,
    /// `cidr`: IPv4 or IPv6 network.
    Cidr,
    /// `msf_options`: Metasploit `KEY VALUE` pairs.
    MsfOptions,
    /// `credential_file`: an existing, readable, relative file.
    CredentialFile,
    /// `duration`: seconds or `1h30m`-style.
    Duration,
    /// `regex_match`: free text matching the required `pattern`.
    RegexMatch,
    /// A manifest type name mapped to a Rust type of the user's own (build option,
    /// like prost's `extern_path`). The Rust type implements `cladgen::ArgValue`.
    Extern {
        /// Absolute Rust path of the user's type, e.g. `::my_agent::CsvPath`.
        rust_path: Str,
    },
}

impl TypeKind {
    /// Every built-in type with its manifest spelling.
    pub const BUILTINS: [(&'static str, TypeKind); 15] = [
        ("string", TypeKind::String),
        ("integer", TypeKind::Integer),
        ("number", TypeKind::Number),
        ("port", TypeKind::Port),
        ("boolean", TypeKind::Boolean),
        ("enum", TypeKind::Enum),
        ("scope_target", TypeKind::ScopeTarget),
        ("url", TypeKind::Url),
        ("path", TypeKind::Path),
        ("ip_address", TypeKind::IpAddress),
        ("cidr", TypeKind::Cidr),
        ("msf_options", TypeKind::MsfOptions),
        ("credential_file", TypeKind::CredentialFile),
        ("duration", TypeKind::Duration),
        ("regex_match", TypeKind::RegexMatch),
    ];

    /// The built-in type with this manifest name.
    pub fn builtin(name: &str) -> Option<TypeKind> {
        Self::BUILTINS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, k)| k.clone())
    }

    /// The manifest spelling (`extern` for user types).
    pub fn as_str(&self) -> &'static str {
        Self::BUILTINS
            .iter()
            .find(|(_, k)| k == self)
            .map_or("extern", |(n, _)| n)
    }

    /// Free-text types: the injection set and the option-value rule apply.
    pub fn is_free_text(&self) -> bool {
        matches!(
            self,
            TypeKind::String | TypeKind::RegexMatch | TypeKind::Path | TypeKind::CredentialFile
        )
    }
}

/// Validation constraints of an argument (or of a custom type).
///
/// Which fields apply to which type is fixed by the format: `pattern` to `string` and
/// `regex_match`; `allowed` to `enum`; `min`/`max`/`clamp` to `integer`, `port` and (as
/// a fallback) `number`; `min_float`/`max_float` to `number`; `schemes` to `url`;
/// `allow_option_values` to the free-text types, `integer` and `number`; `allowed_keys` to `msf_options`. The loader warns about a constraint
/// set on a type it does not apply to.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Constraints {
    /// Whole-value regex.
    pub pattern: Option<Pattern>,
    /// Allowed values of an `enum`, in manifest order, non-empty and unique.
    pub allowed: Option<List<Str>>,
    /// Integer lower bound.
    pub min: Option<i64>,
    /// Integer upper bound.
    pub max: Option<i64>,
    /// Float lower bound (`number`; wins over `min`).
    pub min_float: Option<f64>,
    /// Float upper bound (`number`; wins over `max`).
    pub max_float: Option<f64>,
    /// Clamp out-of-range numbers to the bounds instead of rejecting them.
    pub clamp: bool,
    /// Allowed URL schemes (lower case); `None` means `http` and `https`.
    pub schemes: Option<List<Str>>,
    /// Allow a free-text value to start with `-`, and an `integer` or `number` to be
    /// negative where [`negative_is_option`](Self::negative_is_option) is set
    /// (cladgen extension key). The loader also sets it on free-text arguments whose
    /// value can never start an argv element (see `docs/semantics.md`, "Option
    /// values").
    pub allow_option_values: bool,
    /// Set by the loader (never written in a manifest) on an `integer` or `number`
    /// argument whose value can start an argv element of a command: a negative value
    /// there is refused (`kill {pid}` with `-9`) unless `allow_option_values`.
    pub negative_is_option: bool,
    /// `msf_options` keys a value may set (cladgen extension key), upper case and
    /// compared case-insensitively; `None` allows every key but the dangerous ones
    /// ([`crate::value::MSF_DANGEROUS_KEYS`]), which are allowed only when listed here.
    pub allowed_keys: Option<List<Str>>,
}

impl Constraints {
    /// No constraints (usable in `static` items).
    pub const NONE: Constraints = Constraints {
        pattern: None,
        allowed: None,
        min: None,
        max: None,
        min_float: None,
        max_float: None,
        clamp: false,
        schemes: None,
        allow_option_values: false,
        negative_is_option: false,
        allowed_keys: None,
    };
}

/// A TOML scalar from the manifest (`default`, `[command.defaults]`).
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    /// A string.
    String(Str),
    /// An integer.
    Integer(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Boolean(bool),
}

impl Scalar {
    /// The text a placeholder receives (`true`, `0.5`, `42`, or the string itself).
    pub fn to_text(&self) -> String {
        match self {
            Scalar::String(s) => s.to_string(),
            Scalar::Integer(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Boolean(b) => b.to_string(),
        }
    }

    /// The JSON form (used for schema `default`s and as validator input).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Scalar::String(s) => serde_json::Value::String(s.to_string()),
            Scalar::Integer(i) => serde_json::Value::from(*i),
            Scalar::Float(f) => serde_json::Number::from_f64(*f)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Scalar::Boolean(b) => serde_json::Value::Bool(*b),
        }
    }
}

impl Arg {
    /// The base of the `Arg` literals in generated code (`Arg { name: .., ..Arg::BASE }`):
    /// an optional `string` argument with no description, default or flags, so only
    /// what a manifest sets is written out.
    #[doc(hidden)]
    pub const BASE: Arg = Arg {
        name: Cow::Borrowed(""),
        position: None,
        required: false,
        description: Cow::Borrowed(""),
        ty: ArgType::BASE,
        default: None,
        scope_check: false,
        feeds_decision: false,
        sanitize: Cow::Borrowed(&[]),
    };

    /// Whether the value is checked against the project scope: every `scope_target`
    /// and every argument with `scope_check = true` (the rule of the runner's gate).
    pub fn is_scope_checked(&self) -> bool {
        self.scope_check || self.ty.kind == TypeKind::ScopeTarget
    }
}

impl ArgType {
    /// The base of the `ArgType` literals in generated code: `string` without
    /// constraints.
    #[doc(hidden)]
    pub const BASE: ArgType = ArgType {
        name: Cow::Borrowed("string"),
        kind: TypeKind::String,
        constraints: Constraints::NONE,
    };
}

impl ArgType {
    /// Type `name` of kind `kind` without constraints.
    pub const fn plain(name: Str, kind: TypeKind) -> Self {
        ArgType {
            name,
            kind,
            constraints: Constraints::NONE,
        }
    }

    /// Type `name` of kind `kind` with `constraints`.
    pub const fn new(name: Str, kind: TypeKind, constraints: Constraints) -> Self {
        ArgType {
            name,
            kind,
            constraints,
        }
    }
}
