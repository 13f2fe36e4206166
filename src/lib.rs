//! # cladgen
//!
//! Compile-time code generation for [ToolClad] manifests (`*.clad.toml`): every tool an
//! AI agent may call becomes Rust types the compiler checks. This crate is the small
//! runtime that generated code uses: validated value types, argument errors, the
//! execution context, argv / HTTP / MCP request building, and the [`Tool`] trait.
//!
//! Two ways to get typed tools:
//!
//! * a build script over a folder (`cladgen-build` as a build-dependency), then
//!   `cladgen::include_tools!()`;
//! * one manifest at a time with `cladgen::include_manifest!("tools/x.clad.toml")`.
//!
//! ```ignore
//! mod tools { cladgen::include_tools!(); }
//! use tools::nmap_scan::NmapScanArgs;
//!
//! let call = serde_json::json!({"target": "10.0.1.0/24", "scan_type": "service"});
//! let args = NmapScanArgs::from_json(&call)?;              // every error at once
//! let ctx = cladgen::ExecContext::new("scan-1", "/var/evidence");
//! let argv: Vec<String> = args.argv(&ctx);                 // argv[0] is the program
//! ```
//!
//! [ToolClad]: https://github.com/ThirdKeyAI/ToolClad

#![warn(missing_docs)]

// Lets generated code use `::cladgen::...` paths inside this crate's own tests/examples.
extern crate self as cladgen;

mod registry;
#[cfg(feature = "run")]
mod running;
mod tool;

// The public API is this explicit list (tests/it/generated.rs pins it): every addition is
// a decision. What only generated code needs is in `__private`.
pub use cladgen_core::invoke::{
    Call, EnvSecrets, ExecContext, ExecutorCall, HttpRequest, InvokeError, MapSecrets, Plan,
    Secret, SecretError, SecretResolver,
};
pub use cladgen_core::model::{self, Manifest, RiskTier};
pub use cladgen_core::schema::Flavor;
pub use cladgen_core::value::{ArgError, ArgErrors, ArgSpec, ArgValue, ParseOptions, Rule};

/// Validated argument values: the 15 built-in ToolClad types, the value of any of
/// them ([`value::Value`], chosen at run time), their errors, and [`ArgValue`], which a
/// type of your own implements to stand for a manifest type.
pub mod value {
    pub use cladgen_core::value::{
        ArgError, ArgErrors, ArgSpec, ArgValue, Boolean, Cidr, CredentialFile, Duration, EnumValue,
        Integer, IpAddress, MsfOptions, Number, ParseOptions, Port, RegexMatch, RelPath, Rule,
        ScopeTarget, TargetKind, Text, Url, Value, parse_call_json, parse_enum, parse_enum_json,
    };
}

/// Running a call: the execution context, what running it means ([`Plan`]), argv and
/// HTTP requests, secrets, and the checked calls of session and browser commands.
pub mod invoke {
    pub use cladgen_core::invoke::{
        BrowserCommandCall, Call, CommandCallError, CommandText, EnvSecrets, ExecContext,
        ExecutorCall, HttpRequest, InvokeError, MapSecrets, PlaceholderSecrets, Plan, RequestText,
        Secret, SecretError, SecretResolver, SessionCommandCall, argv_command, http_success,
    };
}

/// The LLM-facing schemas of a manifest: input and output schemas, and the tool
/// definitions of each provider flavour.
pub mod schema {
    pub use cladgen_core::schema::{
        ENVELOPE_FIELDS, ENVELOPE_STATUSES, ExposedTool, Flavor, SchemaError, ToolSource,
        command_tool_name, exposed_tools, input_schema, is_valid_tool_name, output_schema,
        portable_pattern, property_schema, tool_definition, tool_definitions,
    };
}

/// The engagement scope (`scope/scope.toml`): which hosts and networks a tool may
/// touch. [`Scope`](scope::Scope) holds the allowed and excluded entries and checks
/// a target, host, address, network or URL host against them
/// ([`ScopeViolation`](scope::ScopeViolation) says why not).
pub mod scope {
    pub use cladgen_core::scope::{Scope, ScopeEntry, ScopeError, ScopeViolation};
}

pub use registry::{CallError, Registry};
pub use tool::Tool;

#[cfg(feature = "macros")]
pub use cladgen_macros::include_manifest;
/// Governed execution (feature `run`): the gate, process groups, bounded output,
/// parsers and the evidence envelope. See `docs/execution.md`.
#[cfg(feature = "run")]
pub use cladgen_run as run;

/// Includes the code `cladgen-build` generated into `OUT_DIR`.
///
/// Use it inside a module: `mod tools { cladgen::include_tools!(); }`. With an argument,
/// includes a sub-directory set with `Builder::out_subdir` (default `cladgen`).
#[macro_export]
macro_rules! include_tools {
    () => {
        ::core::include!(::core::concat!(::core::env!("OUT_DIR"), "/cladgen/mod.rs"));
    };
    ($subdir:literal) => {
        ::core::include!(::core::concat!(
            ::core::env!("OUT_DIR"),
            "/",
            $subdir,
            "/mod.rs"
        ));
    };
}

/// serde impls of a generated arguments type: serialised as its `to_json()` form;
/// deserialising validates like `from_json` (every rule, unknown fields refused).
#[doc(hidden)]
#[macro_export]
macro_rules! __serde_args {
    ($ty:ty) => {
        impl $crate::__private::Serialize for $ty {
            fn serialize<S: $crate::__private::Serializer>(
                &self,
                s: S,
            ) -> $crate::__private::Result<S::Ok, S::Error> {
                $crate::__private::ser_json(self.to_json(), s)
            }
        }
        impl<'de> $crate::__private::Deserialize<'de> for $ty {
            fn deserialize<D: $crate::__private::Deserializer<'de>>(
                d: D,
            ) -> $crate::__private::Result<Self, D::Error> {
                $crate::__private::de_args(d, Self::from_json)
            }
        }
    };
}

/// `argv()` and `command()` of a generated argv tool, in its inherent impl: the
/// owned form of its `argv_cow()`, and that argv run directly.
#[doc(hidden)]
#[macro_export]
macro_rules! __argv_methods {
    () => {
        /// The argv of this call as owned strings (see [`argv_cow`](Self::argv_cow)).
        pub fn argv(
            &self,
            ctx: &$crate::__private::ExecContext,
        ) -> $crate::__private::Vec<$crate::__private::String> {
            $crate::__private::owned_argv(self.argv_cow(ctx))
        }
        /// A [`std::process::Command`] running [`argv`](Self::argv) directly (never a shell).
        pub fn command(&self, ctx: &$crate::__private::ExecContext) -> $crate::__private::Command {
            $crate::__private::argv_command(&self.argv_cow(ctx))
        }
    };
}

/// The schema accessors of a generated tool module: `input_schema()`,
/// `output_schema()` (`None` without an output schema constant) and
/// `tool_definitions(flavor)`, each computed once per process.
#[doc(hidden)]
#[macro_export]
macro_rules! __schema_fns {
    ($manifest:ident, $input:ident $(, $output:ident)?) => {
        /// The MCP `inputSchema` as a JSON value, parsed once per process.
        pub fn input_schema() -> &'static $crate::__private::Value {
            static INPUT: $crate::__private::LazyJson = $crate::__private::LazyJson::new($input);
            INPUT.get()
        }
        /// The MCP `outputSchema` as a JSON value, parsed once per process; `None` when
        /// the tool declares no `[output]`.
        pub fn output_schema() -> $crate::__private::Option<&'static $crate::__private::Value> {
            $crate::__schema_fns!(@output $($output)?)
        }
        /// The tool definitions of one flavour (one per command for session and browser
        /// tools), built from the checked manifest once per process.
        pub fn tool_definitions(flavor: $crate::__private::Flavor) -> &'static [$crate::__private::Value] {
            static DEFINITIONS: $crate::__private::Definitions =
                $crate::__private::Definitions::new(&$manifest);
            DEFINITIONS.get(flavor)
        }
    };
    (@output $output:ident) => {{
        static OUTPUT: $crate::__private::LazyJson = $crate::__private::LazyJson::new($output);
        $crate::__private::Some(OUTPUT.get())
    }};
    (@output) => {
        $crate::__private::None
    };
}

/// `Display`, `FromStr` and serde of a generated enum: the value as written in the
/// manifest, parsed through its `ManifestEnum` impl.
#[doc(hidden)]
#[macro_export]
macro_rules! __enum_traits {
    ($e:ty) => {
        impl $crate::__private::fmt::Display for $e {
            fn fmt(
                &self,
                f: &mut $crate::__private::fmt::Formatter<'_>,
            ) -> $crate::__private::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl $crate::__private::FromStr for $e {
            type Err = $crate::__private::ArgError;
            fn from_str(s: &str) -> $crate::__private::Result<Self, $crate::__private::ArgError> {
                $crate::__private::enum_from_str(s)
            }
        }
        impl $crate::__private::Serialize for $e {
            fn serialize<S: $crate::__private::Serializer>(
                &self,
                s: S,
            ) -> $crate::__private::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> $crate::__private::Deserialize<'de> for $e {
            fn deserialize<D: $crate::__private::Deserializer<'de>>(
                d: D,
            ) -> $crate::__private::Result<Self, D::Error> {
                $crate::__private::de_enum(d)
            }
        }
    };
}

/// Items generated code needs; not part of the public API.
///
/// Every generated tool module starts with `use ::cladgen::__private as __rt;` (the
/// registry puts its impls in `const _: () = { use … as __rt; … };`), so generated code
/// spells runtime names `__rt::Name` and nothing can clash with, or leak into, the
/// user's module.
#[doc(hidden)]
pub mod __private {
    pub use ::core;
    pub use ::serde;
    pub use ::serde_json;
    pub use ::std;
    pub use cladgen_core::field;
    pub use cladgen_core::invoke::{ARG_ENV_PREFIX, COMMAND_FIELD, arg_env_name, encode};
    pub use cladgen_core::invoke::{Argv, Flags};
    pub use cladgen_core::model::ExecVar;
    pub use cladgen_core::value::{
        REFERENCE_METACHARACTERS, check_edge_whitespace, check_free_text, check_host_name,
        check_injection, check_option_value, check_text, find_injection, is_absent_json,
        is_injection_char, shown,
    };

    pub use crate::{CallError, Registry, Tool};
    pub use ::core::default::Default;
    pub use ::core::fmt;
    pub use ::core::marker::{Send, Sync};
    pub use ::core::option::Option::{self, None, Some};
    pub use ::core::result::Result::{self, Err, Ok};
    pub use ::core::str::FromStr;
    pub use ::serde::{Deserialize, Deserializer, Serialize, Serializer};
    pub use ::serde_json::{Map, Value};
    pub use ::std::borrow::Cow;
    pub use ::std::string::String;
    pub use ::std::vec::Vec;
    pub use cladgen_core::field::Reader;
    pub use cladgen_core::invoke::{CommandText, ExecContext, InvokeError, Plan, SecretResolver};
    pub use cladgen_core::model::{Arg, Manifest};
    pub use cladgen_core::schema::Flavor;
    pub use cladgen_core::value::{
        ArgError, ArgErrors, ArgSpec, ArgValue, Boolean, Cidr, CredentialFile, Duration, Integer,
        IpAddress, ManifestEnum, MsfOptions, Number, ParseOptions, Port, RegexMatch, RelPath,
        ScopeTarget, Text, Url, enum_from_str, enum_str,
    };

    pub use crate::{
        __argv_methods as argv_methods, __enum_traits as enum_traits, __schema_fns as schema_fns,
        __serde_args as serde_args,
    };
    pub use ::std::process::Command;
    pub use ::std::string::ToString;
    pub use cladgen_core::invoke::{ExecutorCall, HttpRequest, RequestText};
    pub use cladgen_core::model::HttpMethod;

    /// `argv()` of generated code: the owned form of `argv_cow()`.
    pub fn owned_argv(argv: Vec<Cow<'_, str>>) -> Vec<String> {
        argv.into_iter().map(Cow::into_owned).collect()
    }

    /// `command()` of generated argv tools: `argv[0]` run with the rest, never a
    /// shell. A checked template always yields a program; an empty one fails at spawn.
    pub fn argv_command(argv: &[Cow<'_, str>]) -> Command {
        let mut parts = argv.iter().map(|s| s.as_ref());
        let mut cmd = Command::new(parts.next().unwrap_or_default());
        cmd.args(parts);
        cmd
    }

    /// `command()` of generated executor tools. Only an empty program fails, which the
    /// loader refuses; spawning the empty command would fail cleanly all the same.
    pub fn executor_command(call: Result<ExecutorCall, InvokeError>) -> Command {
        match call {
            Ok(call) => call.to_command(),
            Err(_) => Command::new(""),
        }
    }

    /// What a `MANIFEST` initialiser uses: the model types and `B` for
    /// `Cow::Borrowed`, imported inside the initialiser's own block.
    pub mod lit {
        pub use ::core::option::Option::{None, Some};
        pub use ::std::borrow::Cow::Borrowed as B;
        pub use cladgen_core::model::*;
    }

    /// The JSON object of a call's arguments, written key by key (`to_json` of the
    /// generated arguments types).
    #[derive(Default)]
    pub struct JsonArgs(Map<String, Value>);

    impl JsonArgs {
        /// An empty object.
        pub fn new() -> Self {
            JsonArgs(Map::new())
        }

        /// A session command's `command` text.
        pub fn command(mut self, text: &CommandText) -> Self {
            self.0
                .insert(cladgen_core::invoke::COMMAND_FIELD.into(), text.to_json());
            self
        }

        /// Argument `name` with its value.
        pub fn put<T: ArgValue>(mut self, name: &str, value: &T) -> Self {
            self.0.insert(name.into(), value.to_json());
            self
        }

        /// Argument `name` when present (absent optional arguments are omitted).
        pub fn opt<T: ArgValue>(self, name: &str, value: &Option<T>) -> Self {
            match value {
                Some(v) => self.put(name, v),
                None => self,
            }
        }

        /// The object.
        pub fn finish(self) -> Value {
            Value::Object(self.0)
        }
    }

    /// `Serialize` of a generated arguments type: its JSON form.
    pub fn ser_json<S: Serializer>(value: Value, serializer: S) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    /// `Deserialize` of a generated arguments type: validates like `from_json` (every
    /// error, unknown fields refused).
    pub fn de_args<'de, D, T>(
        deserializer: D,
        from_json: fn(&Value) -> Result<T, ArgErrors>,
    ) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
    {
        let value = Value::deserialize(deserializer)?;
        from_json(&value).map_err(<D::Error as ::serde::de::Error>::custom)
    }

    /// `Deserialize` of a generated enum: one of the allowed values.
    pub fn de_enum<'de, D: Deserializer<'de>, E: ManifestEnum>(
        deserializer: D,
    ) -> Result<E, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let spec = ArgSpec::new(E::ARG, &cladgen_core::model::Constraints::NONE);
        E::parse_json(&spec, &value, &ParseOptions::DEFAULT)
            .map_err(<D::Error as ::serde::de::Error>::custom)
    }

    /// `Tool::from_call` of a one-shot tool: the name must be the tool's, the arguments
    /// are validated by `from_json`.
    pub fn call_args<T>(
        tool: &'static [&'static str],
        name: &str,
        args: &Value,
        from_json: fn(&Value) -> Result<T, ArgErrors>,
    ) -> Result<T, CallError> {
        match tool.first() {
            Some(t) if *t == name => {
                from_json(args).map_err(|errors| CallError::Args { tool: t, errors })
            }
            _ => Err(CallError::UnknownTool {
                name: name.into(),
                known: tool,
            }),
        }
    }

    /// The dynamic value type (`Tool::values`), named apart from `serde_json::Value`.
    pub use cladgen_core::value::Value as DynValue;

    /// `values()` of the generated arguments types: the validated values in the
    /// order of the declaring argument list, written field by field like `JsonArgs`.
    #[derive(Default)]
    pub struct Values(Vec<Option<DynValue>>);

    impl Values {
        /// Room for `n` values.
        pub fn with_capacity(n: usize) -> Self {
            Values(Vec::with_capacity(n))
        }

        /// A required or defaulted argument.
        pub fn put<T: ArgValue>(mut self, value: &T) -> Self {
            self.0.push(Some(value.to_value()));
            self
        }

        /// An optional argument (`None` when absent).
        pub fn opt<T: ArgValue>(mut self, value: &Option<T>) -> Self {
            self.0.push(value.as_ref().map(ArgValue::to_value));
            self
        }

        /// The values.
        pub fn finish(self) -> Vec<Option<DynValue>> {
            self.0
        }
    }

    /// A call of any generated tool, object-safe: what a registry hands a generic
    /// host (`Registry::tool`). Implemented for every [`Tool`].
    pub trait DynTool {
        /// `Tool::MANIFEST`.
        fn manifest(&self) -> &'static Manifest;
        /// `Tool::tool_name`.
        fn tool_name(&self) -> &'static str;
        /// `Tool::values`.
        fn values(&self) -> Vec<Option<DynValue>>;
        /// `Tool::plan`.
        fn plan(
            &self,
            ctx: &ExecContext,
            secrets: &dyn SecretResolver,
        ) -> Result<Plan, InvokeError>;
        /// `Tool::to_json`.
        fn to_json(&self) -> Value;
    }

    impl<T: Tool> DynTool for T {
        fn manifest(&self) -> &'static Manifest {
            T::MANIFEST
        }
        fn tool_name(&self) -> &'static str {
            Tool::tool_name(self)
        }
        fn values(&self) -> Vec<Option<DynValue>> {
            Tool::values(self)
        }
        fn plan(
            &self,
            ctx: &ExecContext,
            secrets: &dyn SecretResolver,
        ) -> Result<Plan, InvokeError> {
            Tool::plan(self, ctx, secrets)
        }
        fn to_json(&self) -> Value {
            Tool::to_json(self)
        }
    }

    /// A call of tool `name` in a registry, mapped to the registry's variant.
    pub fn call<T: Tool>(name: &str, args: &Value) -> Result<T, CallError> {
        T::from_call(name, args)
    }

    /// A JSON constant generated at build time, parsed on first use and kept for the
    /// life of the process.
    pub struct LazyJson {
        text: &'static str,
        cell: ::std::sync::OnceLock<Value>,
    }

    impl LazyJson {
        /// The constant `text` (produced by serde_json at build time).
        pub const fn new(text: &'static str) -> Self {
            LazyJson {
                text,
                cell: ::std::sync::OnceLock::new(),
            }
        }

        /// The parsed value. The generator wrote the text with serde_json and checked
        /// that serde_json parses it back (the loader caps the nesting of
        /// `[output.schema]`), so parsing cannot fail; if it ever did, this panics
        /// with the reason rather than serve a wrong (`null`) schema.
        pub fn get(&'static self) -> &'static Value {
            self.cell.get_or_init(|| match ::serde_json::from_str(self.text) {
                Ok(v) => v,
                Err(e) => panic!(
                    "cladgen: a generated JSON constant does not parse ({e}); the build checked it, please report this"
                ),
            })
        }
    }

    /// The tool definitions of one manifest in the three flavours, built from the
    /// manifest on first use with [`crate::schema::tool_definitions`], the function
    /// the generator ran (and checked) at build time.
    pub struct Definitions {
        manifest: &'static Manifest,
        cells: [::std::sync::OnceLock<Vec<Value>>; 3],
    }

    impl Definitions {
        /// The definitions of `manifest`.
        pub const fn new(manifest: &'static Manifest) -> Self {
            Definitions {
                manifest,
                cells: [const { ::std::sync::OnceLock::new() }; 3],
            }
        }

        /// The definitions of one flavour. The build already produced them from the
        /// same manifest, so they cannot fail here; if they did, this panics with the
        /// reason rather than expose no definition or a wrong one.
        pub fn get(&'static self, flavor: Flavor) -> &'static [Value] {
            let i = match flavor {
                Flavor::Mcp => 0,
                Flavor::OpenAiStrict => 1,
                Flavor::Anthropic => 2,
            };
            self.cells[i].get_or_init(|| {
                match cladgen_core::schema::tool_definitions(self.manifest, flavor) {
                    Ok(d) => d,
                    Err(e) => panic!(
                        "cladgen: the tool definitions of `{}` cannot be built ({e}); the build built them, please report this",
                        self.manifest.tool.name
                    ),
                }
            })
        }
    }
}
