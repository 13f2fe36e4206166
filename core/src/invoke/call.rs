//! [`Call`]: one validated call of a loaded manifest, and everything it builds.

use super::argv::{Argv, ArgvText, Flags, Token as ArgvToken};
use super::http::{HttpRequest, RequestText};
use super::plan::Plan;
use super::process::ExecutorCall;
use super::{ExecContext, InvokeError, SecretResolver};
use crate::field;
use crate::model::{
    Arg, Backend, BodyPiece, CmpOp, CommandRun, CommandSpec, Expr, JsonSlot, Literal, Manifest,
    Piece, Str, TextPiece, Token,
};
use crate::value::{ArgError, ArgErrors, ArgSpec, ParseOptions, Value};
use serde_json::Map;
use std::borrow::Cow;

/// One call of a tool whose arguments passed every rule: the dynamic twin of a
/// generated arguments struct.
///
/// Built from the JSON an LLM sent with [`Call::from_json`]; then gives the argv
/// ([`Call::argv`]), the executor run ([`Call::executor`]), the HTTP request
/// ([`Call::http_request`]), the MCP arguments ([`Call::mcp_arguments`]), or
/// whichever of those the manifest's backend uses ([`Call::plan`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Call<'m> {
    manifest: &'m Manifest,
    /// One slot per `manifest.args` entry; `None` when absent without default.
    values: Vec<Option<Value>>,
}

impl<'m> Call<'m> {
    /// Validates the JSON arguments of a call to `manifest`.
    ///
    /// The call must be a JSON object. Keys that name no argument are refused
    /// ([`Rule::UnknownArgument`](crate::value::Rule::UnknownArgument)). An argument is absent when its key is missing, its
    /// value is `null`, or, for an optional argument, the empty string. A required
    /// argument that is absent is [`Rule::Missing`](crate::value::Rule::Missing) (a default does not help); an
    /// optional one takes its default (parsed by the same rules) or stays absent.
    ///
    /// Every problem is reported at once: unknown keys first (in key order), then the
    /// arguments' errors in argument order.
    pub fn from_json(
        manifest: &'m Manifest,
        args: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Self, ArgErrors> {
        let obj = field::object(args)?;
        let mut errors = ArgErrors::new();
        let declared: Vec<&str> = manifest.args.iter().map(|a| a.name.as_ref()).collect();
        field::reject_unknown(obj, &declared, &mut errors);
        let values = parse_args(&manifest.args, obj, opts, &mut errors);
        errors.into_result(Call { manifest, values })
    }

    /// The manifest this call is for.
    pub fn manifest(&self) -> &'m Manifest {
        self.manifest
    }

    /// The value of argument `name` (its default when it was absent), or `None` when
    /// absent without default or not declared.
    pub fn value(&self, name: &str) -> Option<&Value> {
        let index = self.manifest.arg_index(name)?;
        self.values.get(index)?.as_ref()
    }

    /// Every argument's value, indexed like [`Manifest::args`].
    pub fn values(&self) -> &[Option<Value>] {
        &self.values
    }

    /// The arguments as a JSON object of typed values (absent arguments omitted).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Object(args_json(&self.manifest.args, &self.values))
    }

    fn tool(&self) -> String {
        self.manifest.tool.name.to_string()
    }

    fn wrong_backend(&self, operation: &'static str, expected: &'static str) -> InvokeError {
        InvokeError::WrongBackend {
            tool: self.tool(),
            operation,
            expected,
            found: backend_name(&self.manifest.backend),
        }
    }

    fn command_spec(&self, operation: &'static str) -> Result<&'m CommandSpec, InvokeError> {
        match &self.manifest.backend {
            Backend::Command(c) => Ok(c),
            _ => Err(self.wrong_backend(operation, "a [command] backend")),
        }
    }

    /// The argv of a `template` or `exec` command; `argv[0]` is the program.
    ///
    /// Each template token is one argv element, made of its pieces: literals as
    /// written, argument values as their exact text, executor variables from `ctx`.
    /// A token that is exactly one mapping or conditional is a splice: it expands to
    /// the mapped flags (or the fragment's tokens), possibly none. Inside a larger
    /// token a mapping inserts its flag string as written, a conditional its
    /// fragment's tokens joined by single spaces. A token that refers to
    /// an absent argument, a value without mapping or a false conditional is dropped
    /// as a whole. Values are never split. These rules are [`Argv`]'s, the builder
    /// generated code uses too.
    pub fn argv(&self, ctx: &ExecContext) -> Result<Vec<String>, InvokeError> {
        let spec = self.command_spec("argv")?;
        let tokens = match &spec.run {
            CommandRun::Template { tokens, .. } | CommandRun::Exec { tokens } => tokens,
            CommandRun::Executor { .. } => {
                return Err(self.wrong_backend("argv", "a `template` or `exec` command"));
            }
        };
        let expander = Expander {
            call: self,
            spec,
            ctx,
        };
        let argv = expander.tokens(Argv::with_capacity(tokens.len() + 4), tokens, false)?;
        let argv: Vec<String> = argv.finish().into_iter().map(Cow::into_owned).collect();
        match argv.first() {
            None => Err(InvokeError::EmptyArgv),
            Some(p) if p.is_empty() => Err(InvokeError::EmptyProgram),
            Some(_) => Ok(argv),
        }
    }

    /// The run of an `executor` command: the program with no arguments and the
    /// values in `TOOLCLAD_*` variables (see [`ExecutorCall`]).
    pub fn executor(&self, ctx: &ExecContext) -> Result<ExecutorCall, InvokeError> {
        let spec = self.command_spec("executor")?;
        let CommandRun::Executor { path } = &spec.run else {
            return Err(self.wrong_backend("executor", "an `executor` command"));
        };
        let output_dir = self
            .manifest
            .tool
            .evidence
            .as_ref()
            .map(|e| e.output_dir.as_ref());
        let args = self
            .manifest
            .args
            .iter()
            .zip(&self.values)
            .filter_map(|(a, v)| Some((a.name.as_ref(), v.as_ref()?.to_string())));
        ExecutorCall::new(
            path.as_ref(),
            &self.manifest.tool.name,
            ctx,
            output_dir,
            args,
        )
    }

    /// The HTTP request of an `[http]` tool.
    ///
    /// Values in the URL are percent-encoded for the part they land in (a path value
    /// `.` or `..` is refused: URL parsers resolve it); header values may not contain
    /// CR, LF or other controls; in a JSON body, values are JSON-escaped (numbers and
    /// booleans as scalars in value position). An absent optional argument is empty
    /// text, and `null` in JSON value position. Secrets come from `secrets` and are
    /// redacted wherever the request is shown. `ctx` is accepted for symmetry with the
    /// other builders (HTTP fields take no executor variables).
    pub fn http_request(
        &self,
        ctx: &ExecContext,
        secrets: &dyn SecretResolver,
    ) -> Result<HttpRequest, InvokeError> {
        let _ = ctx;
        let Backend::Http(spec) = &self.manifest.backend else {
            return Err(self.wrong_backend("http_request", "an [http] backend"));
        };
        let url = self.text(&spec.url, secrets)?;
        let mut headers = Vec::with_capacity(spec.headers.len());
        for h in spec.headers.iter() {
            headers.push((h.name.to_string(), self.text(&h.value, secrets)?));
        }
        let body = match &spec.body {
            None => None,
            Some(b) => {
                let mut text = RequestText::new();
                for piece in b.pieces.iter() {
                    match piece {
                        BodyPiece::Lit(l) => text.push_lit(l),
                        BodyPiece::Arg { arg, slot } => {
                            let slot = if b.json { *slot } else { JsonSlot::Raw };
                            match self.slot(*arg)? {
                                Some(v) => text.push_body_value(&v.to_string(), &v.to_json(), slot),
                                None => text.push_body_absent(slot),
                            }
                        }
                        BodyPiece::Secret { name, slot } => {
                            let slot = if b.json { *slot } else { JsonSlot::Raw };
                            text.push_body_secret(name, &secrets.resolve(name)?, slot);
                        }
                    }
                }
                Some(text)
            }
        };
        HttpRequest::new(spec.method, url, headers, body)
    }

    fn text(
        &self,
        pieces: &[TextPiece],
        secrets: &dyn SecretResolver,
    ) -> Result<RequestText, InvokeError> {
        let mut text = RequestText::new();
        for piece in pieces {
            match piece {
                TextPiece::Lit(l) => text.push_lit(l),
                TextPiece::Arg { arg, part } => {
                    if let Some(v) = self.slot(*arg)? {
                        let name = self.arg_name(*arg);
                        text.push_url_arg(&name, &v.to_string(), *part);
                    }
                }
                TextPiece::Secret { name, part } => {
                    text.push_url_secret(name, &secrets.resolve(name)?, *part);
                }
            }
        }
        Ok(text)
    }

    /// The arguments of an `[mcp]` tool: typed JSON values under their upstream
    /// names (`field_map`), absent optional arguments omitted.
    pub fn mcp_arguments(&self) -> Result<Map<String, serde_json::Value>, InvokeError> {
        let Backend::Mcp(spec) = &self.manifest.backend else {
            return Err(self.wrong_backend("mcp_arguments", "an [mcp] backend"));
        };
        let mut out = Map::new();
        for f in spec.fields.iter() {
            if let Some(v) = self.slot(f.arg)? {
                out.insert(f.name.to_string(), v.to_json());
            }
        }
        Ok(out)
    }

    /// What running this call means for the manifest's backend.
    pub fn plan(
        &self,
        ctx: &ExecContext,
        secrets: &dyn SecretResolver,
    ) -> Result<Plan, InvokeError> {
        Ok(match &self.manifest.backend {
            Backend::Command(c) => match c.run {
                CommandRun::Executor { .. } => Plan::Executor(self.executor(ctx)?),
                _ => Plan::Argv(self.argv(ctx)?),
            },
            Backend::Http(_) => Plan::Http(self.http_request(ctx, secrets)?),
            Backend::Mcp(m) => Plan::Mcp {
                server: m.server.to_string(),
                tool: m.tool.to_string(),
                arguments: self.mcp_arguments()?,
            },
            Backend::Callback => Plan::Callback { tool: self.tool() },
            Backend::Source(s) => Plan::Source {
                operation: s.operation.to_string(),
            },
            Backend::Session(s) => Plan::Session {
                tool: self.tool(),
                startup_argv: s.startup_argv.iter().map(|a| a.to_string()).collect(),
            },
            Backend::Browser(_) => Plan::Browser { tool: self.tool() },
        })
    }

    /// The value slot of argument `index`; an index the manifest lacks is a model
    /// error, never a panic.
    fn slot(&self, index: usize) -> Result<Option<&Value>, InvokeError> {
        match self.values.get(index) {
            Some(v) => Ok(v.as_ref()),
            None => Err(self.model_error(format!("argument index {index} is out of range"))),
        }
    }

    fn arg_name(&self, index: usize) -> String {
        self.manifest
            .args
            .get(index)
            .map_or_else(|| format!("#{index}"), |a| a.name.to_string())
    }

    fn model_error(&self, detail: String) -> InvokeError {
        InvokeError::Model {
            tool: self.tool(),
            detail,
        }
    }
}

/// The backend's name, for messages.
fn backend_name(b: &Backend) -> &'static str {
    match b {
        Backend::Command(c) => match c.run {
            CommandRun::Template { .. } => "[command] template",
            CommandRun::Exec { .. } => "[command] exec",
            CommandRun::Executor { .. } => "[command] executor",
        },
        Backend::Http(_) => "[http]",
        Backend::Mcp(_) => "[mcp]",
        Backend::Session(_) => "[session]",
        Backend::Browser(_) => "[browser]",
        Backend::Source(_) => "[source]",
        Backend::Callback => "callback",
    }
}

/// Parses the declared `args` out of a call object, recording every error; the
/// result has one slot per argument.
pub(crate) fn parse_args(
    args: &[Arg],
    obj: &Map<String, serde_json::Value>,
    opts: &ParseOptions,
    errors: &mut ArgErrors,
) -> Vec<Option<Value>> {
    args.iter()
        .map(|arg| errors.collect(parse_arg(arg, obj, opts)).flatten())
        .collect()
}

fn parse_arg(
    arg: &Arg,
    obj: &Map<String, serde_json::Value>,
    opts: &ParseOptions,
) -> Result<Option<Value>, ArgError> {
    let spec = ArgSpec::new(&arg.name, &arg.ty.constraints);
    let default_json;
    let input = match field::present(obj, &arg.name, arg.required) {
        Some(v) => v,
        None if arg.required => return Err(ArgError::missing(&arg.name)),
        None => match &arg.default {
            // A default was checked against the type by the loader; it is parsed
            // again so the value is the same typed value a call would give.
            Some(d) => {
                default_json = d.to_json();
                &default_json
            }
            None => return Ok(None),
        },
    };
    // User (`extern`) types are refused here with `Rule::Unsupported`.
    Value::parse_json(&spec, &arg.ty.kind, input, opts).map(Some)
}

/// The typed JSON object of a set of argument values (absent ones omitted).
pub(crate) fn args_json(args: &[Arg], values: &[Option<Value>]) -> Map<String, serde_json::Value> {
    args.iter()
        .zip(values)
        .filter_map(|(a, v)| Some((a.name.to_string(), v.as_ref()?.to_json())))
        .collect()
}

/// Evaluates a `when` expression over argument values.
///
/// `name == literal` compares by the argument's type: integers and ports numerically
/// with integer literals, numbers as f64, booleans with `true`/`false`, everything else
/// by its text. An absent argument equals `''` and differs from every other literal.
/// A bare `name` is true when the argument is present (and, for a boolean, true).
pub(crate) fn eval_when(expr: &Expr, values: &[Option<Value>]) -> Result<bool, usize> {
    match expr {
        Expr::Or(items) => {
            for e in items.iter() {
                if eval_when(e, values)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Expr::And(items) => {
            for e in items.iter() {
                if !eval_when(e, values)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Expr::Compare { arg, op, value } => {
            let slot = values.get(*arg).ok_or(*arg)?;
            let equal = match slot {
                None => matches!(value, Literal::Str(s) if s.is_empty()),
                Some(v) => value_equals(v, value),
            };
            Ok(match op {
                CmpOp::Eq => equal,
                CmpOp::Ne => !equal,
            })
        }
        Expr::Present { arg } => {
            let slot = values.get(*arg).ok_or(*arg)?;
            Ok(match slot {
                None => false,
                Some(Value::Boolean(b)) => b.get(),
                Some(_) => true,
            })
        }
    }
}

fn value_equals(v: &Value, lit: &Literal) -> bool {
    match (v, lit) {
        (Value::Integer(x), Literal::Int(i)) => x.get() == *i,
        (Value::Port(x), Literal::Int(i)) => i64::from(x.get()) == *i,
        (Value::Number(x), Literal::Int(i)) => x.get() == *i as f64,
        (Value::Number(x), Literal::Float(f)) => x.get() == *f,
        (Value::Boolean(x), Literal::Bool(b)) => x.get() == *b,
        // Text-typed arguments (and any other pairing the loader let through) compare
        // by the value's exact argv text.
        (v, Literal::Str(s)) => v.to_string() == s.as_ref(),
        (v, Literal::Int(i)) => v.to_string() == i.to_string(),
        (v, Literal::Float(f)) => v.to_string() == f.to_string(),
        (v, Literal::Bool(b)) => v.to_string() == b.to_string(),
    }
}

/// Drives [`Argv`] over the model's tokens: the dynamic twin of a generated
/// `argv_cow()`. It only resolves indices (a bad hand-built model is an error); the
/// argv rules are [`Argv`]'s.
struct Expander<'a, 'm> {
    call: &'a Call<'m>,
    spec: &'m CommandSpec,
    ctx: &'a ExecContext,
}

impl<'a> Expander<'a, '_> {
    /// Appends the argv elements of `tokens`; `in_fragment` is true inside a
    /// conditional's fragment, where another conditional cannot appear.
    fn tokens(
        &self,
        mut argv: Argv<'a>,
        tokens: &'a [Token],
        in_fragment: bool,
    ) -> Result<Argv<'a>, InvokeError> {
        for token in tokens {
            argv = match token.pieces.as_ref() {
                [Piece::Lit(l)] => argv.lit(l),
                [Piece::Arg(i)] => argv.opt(self.call.slot(*i)?),
                [Piece::Var(v)] => argv.var(self.ctx, *v),
                [Piece::Mapping(i)] => argv.splice(self.flags(*i)?),
                [Piece::Conditional(i)] => match self.fragment(*i, in_fragment)? {
                    Some(tokens) => self.tokens(argv, tokens, true)?,
                    None => argv,
                },
                pieces => argv.push_token(self.token(pieces, in_fragment)?),
            };
        }
        Ok(argv)
    }

    /// One compound token.
    fn token(&self, pieces: &'a [Piece], in_fragment: bool) -> Result<ArgvToken<'a>, InvokeError> {
        let mut t = ArgvToken::new();
        for piece in pieces {
            t = match piece {
                Piece::Lit(l) => t.lit(l),
                Piece::Arg(i) => t.opt(self.call.slot(*i)?),
                Piece::Mapping(i) => t.flags(self.flags(*i)?),
                Piece::Conditional(i) => {
                    let fragment = match self.fragment(*i, in_fragment)? {
                        Some(tokens) => Some(self.tokens(Argv::new(), tokens, true)?),
                        None => None,
                    };
                    t.fragment(fragment)
                }
                Piece::Var(v) => t.var(self.ctx, *v),
            };
        }
        Ok(t)
    }

    /// The flags mapping `index` gives the current value of its argument, or `None`
    /// when the argument is absent or its value has no entry.
    fn flags(&self, index: usize) -> Result<Option<Flags<'a, Str>>, InvokeError> {
        let mapping = self.spec.mappings.get(index).ok_or_else(|| {
            self.call
                .model_error(format!("mapping index {index} is out of range"))
        })?;
        let Some(value) = self.call.slot(mapping.arg)? else {
            return Ok(None);
        };
        let text = value.argv_text();
        Ok(mapping
            .entries
            .iter()
            .find(|e| e.value == *text)
            .map(|e| Flags::new(&e.text, &e.tokens)))
    }

    /// The tokens of conditional `index` when its condition holds.
    fn fragment(
        &self,
        index: usize,
        in_fragment: bool,
    ) -> Result<Option<&'a [Token]>, InvokeError> {
        let cond = self.spec.conditionals.get(index).ok_or_else(|| {
            self.call
                .model_error(format!("conditional index {index} is out of range"))
        })?;
        if in_fragment {
            return Err(self.call.model_error(format!(
                "conditional '{}' is used inside another conditional's fragment",
                cond.name
            )));
        }
        let holds = eval_when(&cond.when, &self.call.values).map_err(|i| {
            self.call.model_error(format!(
                "the condition of '{}' refers to argument index {i}, which is out of range",
                cond.name
            ))
        })?;
        Ok(holds.then_some(cond.tokens.as_ref()))
    }
}
