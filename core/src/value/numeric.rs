//! `integer`, `number`, `port` and `boolean`.

use super::check::{JsonIntegral, json_integral, json_type_error, shown, whitespace_or};
use super::{ArgError, ArgSpec, ArgValue, ParseOptions, Rule};
use std::fmt;

/// An `integer` argument: an i64 within the argument's `min`/`max`.
///
/// Accepts ASCII decimal digits with an optional sign (`42`, `-7`, `+5`, `0042`), or a
/// JSON integer (`5`). Refuses `1e3`, `0x10`, `4_2`, `42.0` as text; a JSON number
/// written with a fraction or an exponent (`5.0`, `5e0`: serde_json holds it as an
/// f64, which has lost the text, so an exact fit cannot be checked); surrounding
/// whitespace; overflow (never saturated). Out of bounds is an error, or the bound
/// when the argument sets `clamp` (both bounds clamp). A negative value is refused
/// where the loader set `negative_is_option`, unless `allow_option_values`.
///
/// `Display` is the canonical decimal form (`+5` → `5`, `0042` → `42`, `-0` → `0`),
/// and after clamping, the bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Integer(i64);

impl Integer {
    /// A manifest default that the loader already checked (`bad-default`); only
    /// generated builders call this, so a builder without a failing default returns
    /// the arguments directly.
    #[doc(hidden)]
    pub const fn prechecked(value: i64) -> Self {
        Integer(value)
    }

    /// The value.
    pub const fn get(self) -> i64 {
        self.0
    }

    fn checked(spec: &ArgSpec<'_>, n: i64, raw: &str) -> Result<Self, ArgError> {
        let c = spec.constraints;
        let name = spec.name;
        let expected = || bounds_text("an integer", c.min, c.max);
        if let (Some(lo), Some(hi)) = (c.min, c.max)
            && lo > hi
        {
            return Err(empty_range(name, raw, &lo.to_string(), &hi.to_string()));
        }
        let mut n = n;
        if let Some(lo) = c.min
            && n < lo
        {
            if c.clamp {
                n = lo;
            } else {
                return Err(ArgError::new(
                    name,
                    Rule::BelowMin,
                    format!("argument '{name}' value {n} is below minimum {lo}"),
                )
                .with_value(raw)
                .with_expected(expected()));
            }
        }
        if let Some(hi) = c.max
            && n > hi
        {
            if c.clamp {
                n = hi;
            } else {
                return Err(ArgError::new(
                    name,
                    Rule::AboveMax,
                    format!("argument '{name}' value {n} is above maximum {hi}"),
                )
                .with_value(raw)
                .with_expected(expected()));
            }
        }
        if n < 0 && c.negative_is_option && !c.allow_option_values {
            return Err(negative_error(name, raw));
        }
        Ok(Integer(n))
    }

    fn not_integer(spec: &ArgSpec<'_>, raw: &str) -> ArgError {
        let name = spec.name;
        ArgError::new(
            name,
            Rule::Integer,
            format!("argument '{name}' is not a valid integer"),
        )
        .with_value(raw)
        .with_expected(bounds_text(
            "a decimal integer (64-bit)",
            spec.constraints.min,
            spec.constraints.max,
        ))
    }
}

impl ArgValue for Integer {
    fn to_value(&self) -> super::Value {
        super::Value::Integer(*self)
    }

    fn parse_str(spec: &ArgSpec<'_>, input: &str, _opts: &ParseOptions) -> Result<Self, ArgError> {
        let n: i64 = input
            .parse()
            .map_err(|_| whitespace_or(spec.name, input, || Self::not_integer(spec, input)))?;
        Self::checked(spec, n, input)
    }

    fn parse_json(
        spec: &ArgSpec<'_>,
        input: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Self, ArgError> {
        integral_json(
            spec,
            input,
            opts,
            Self::parse_str,
            Self::checked,
            Self::not_integer,
        )
    }

    fn to_json(&self) -> serde_json::Value {
        self.0.into()
    }
}

impl fmt::Display for Integer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl serde::Serialize for Integer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

/// A `number` argument: a finite f64 within `min_float`/`max_float` (else `min`/`max`).
///
/// Accepts Rust float syntax (`1.5`, `-2`, `1e3`, `.5`, `5.`) or a JSON number; refuses
/// NaN, infinities (also `1e400`, which overflows), surrounding whitespace, and values
/// whose argv form would be longer than [`NUMBER_MAX_CHARS`] (`1e300`). Clamps on
/// both bounds when `clamp`. `Display` is the shortest decimal that reads back as the
/// same f64, never in exponent form (`1e3` → `1000`, `0.50` → `0.5`); `-0` becomes `0`.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Number(f64);

impl Number {
    /// A manifest default that the loader already checked (`bad-default`); only
    /// generated builders call this, so a builder without a failing default returns
    /// the arguments directly.
    #[doc(hidden)]
    pub const fn prechecked(value: f64) -> Self {
        Number(value)
    }

    /// The value (always finite).
    pub const fn get(self) -> f64 {
        self.0
    }

    fn checked(spec: &ArgSpec<'_>, n: f64, raw: &str) -> Result<Self, ArgError> {
        let name = spec.name;
        if !n.is_finite() {
            return Err(ArgError::new(
                name,
                Rule::Number,
                format!("argument '{name}' must be a finite number (no NaN or infinity)"),
            )
            .with_value(raw)
            .with_expected("a finite decimal number"));
        }
        let c = spec.constraints;
        #[allow(clippy::cast_precision_loss)] // the format defines min/max as the f64 bounds
        let lo = c.min_float.or(c.min.map(|m| m as f64));
        #[allow(clippy::cast_precision_loss)]
        let hi = c.max_float.or(c.max.map(|m| m as f64));
        let expected = || match (lo, hi) {
            (Some(l), Some(h)) => format!("a number from {l} to {h}"),
            (Some(l), None) => format!("a number >= {l}"),
            (None, Some(h)) => format!("a number <= {h}"),
            (None, None) => "a finite number".to_string(),
        };
        // A NaN or inverted bound cannot come from a checked manifest; fail closed.
        if lo.is_some_and(f64::is_nan)
            || hi.is_some_and(f64::is_nan)
            || matches!((lo, hi), (Some(l), Some(h)) if l > h)
        {
            return Err(empty_range(
                name,
                raw,
                &lo.map_or("none".into(), |l| l.to_string()),
                &hi.map_or("none".into(), |h| h.to_string()),
            ));
        }
        let mut n = n;
        if let Some(lo) = lo
            && n < lo
        {
            if c.clamp {
                n = lo;
            } else {
                return Err(ArgError::new(
                    name,
                    Rule::BelowMin,
                    format!("argument '{name}' value {n} is below minimum {lo}"),
                )
                .with_value(raw)
                .with_expected(expected()));
            }
        }
        if let Some(hi) = hi
            && n > hi
        {
            if c.clamp {
                n = hi;
            } else {
                return Err(ArgError::new(
                    name,
                    Rule::AboveMax,
                    format!("argument '{name}' value {n} is above maximum {hi}"),
                )
                .with_value(raw)
                .with_expected(expected()));
            }
        }
        if n == 0.0 {
            n = 0.0; // normalise -0
        }
        if n < 0.0 && c.negative_is_option && !c.allow_option_values {
            return Err(negative_error(name, raw));
        }
        check_argv_length(name, n, raw)?;
        Ok(Number(n))
    }
}

impl ArgValue for Number {
    fn to_value(&self) -> super::Value {
        super::Value::Number(*self)
    }

    fn parse_str(spec: &ArgSpec<'_>, input: &str, _opts: &ParseOptions) -> Result<Self, ArgError> {
        let name = spec.name;
        let n: f64 = input.parse().map_err(|_| {
            whitespace_or(name, input, || {
                ArgError::new(
                    name,
                    Rule::Number,
                    format!("argument '{name}' is not a valid number"),
                )
                .with_value(input)
                .with_expected("a decimal number such as 1.5 or -2e3")
            })
        })?;
        Self::checked(spec, n, input)
    }

    fn parse_json(
        spec: &ArgSpec<'_>,
        input: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Self, ArgError> {
        match input {
            serde_json::Value::String(s) => Self::parse_str(spec, s, opts),
            serde_json::Value::Number(num) => {
                let raw = num.to_string();
                match num.as_f64() {
                    Some(n) => Self::checked(spec, n, &raw),
                    None => Self::parse_str(spec, &raw, opts),
                }
            }
            other => Err(json_type_error(
                spec.name,
                other,
                "a JSON number or a string holding one",
            )),
        }
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::Number::from_f64(self.0).map_or(serde_json::Value::Null, Into::into)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl serde::Serialize for Number {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0)
    }
}

/// A `port` argument: 1–65535, narrowed by the argument's `min`/`max`.
///
/// Accepts decimal text (`443`, `+443`, `0443`) or a JSON integer (`443`, not `443.0`). `clamp`
/// clamps into the narrowed range; a value outside 1–65535 is always an error.
/// `Display` is canonical (`0443` → `443`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Port(u16);

impl Port {
    /// A manifest default that the loader already checked (`bad-default`); only
    /// generated builders call this, so a builder without a failing default returns
    /// the arguments directly.
    #[doc(hidden)]
    pub const fn prechecked(value: u16) -> Self {
        Port(value)
    }

    /// The port number (1–65535).
    pub const fn get(self) -> u16 {
        self.0
    }

    fn checked(spec: &ArgSpec<'_>, n: i64, raw: &str) -> Result<Self, ArgError> {
        let name = spec.name;
        let c = spec.constraints;
        let lo = c.min.map_or(1, |m| m.max(1));
        let hi = c.max.map_or(65535, |m| m.min(65535));
        let expected = || format!("a port number from {lo} to {hi}");
        if !(1..=65535).contains(&n) {
            return Err(ArgError::new(
                name,
                Rule::Port,
                format!("argument '{name}' port must be 1-65535"),
            )
            .with_value(raw)
            .with_expected(expected()));
        }
        if lo > hi {
            return Err(empty_range(name, raw, &lo.to_string(), &hi.to_string()));
        }
        let mut n = n;
        if n < lo {
            if c.clamp {
                n = lo;
            } else {
                return Err(ArgError::new(
                    name,
                    Rule::BelowMin,
                    format!("argument '{name}' value {n} is below minimum {lo}"),
                )
                .with_value(raw)
                .with_expected(expected()));
            }
        }
        if n > hi {
            if c.clamp {
                n = hi;
            } else {
                return Err(ArgError::new(
                    name,
                    Rule::AboveMax,
                    format!("argument '{name}' value {n} is above maximum {hi}"),
                )
                .with_value(raw)
                .with_expected(expected()));
            }
        }
        u16::try_from(n)
            .map(Port)
            .map_err(|_| Self::not_port(spec, raw))
    }

    fn not_port(spec: &ArgSpec<'_>, raw: &str) -> ArgError {
        let name = spec.name;
        ArgError::new(
            name,
            Rule::Port,
            format!("argument '{name}' is not a valid port number"),
        )
        .with_value(raw)
        .with_expected("a port number from 1 to 65535")
    }
}

impl ArgValue for Port {
    fn to_value(&self) -> super::Value {
        super::Value::Port(*self)
    }

    fn parse_str(spec: &ArgSpec<'_>, input: &str, _opts: &ParseOptions) -> Result<Self, ArgError> {
        // Parse as i64 so that 0, -1 and 70000 get the range message, not "not a number".
        let n: i64 = input
            .parse()
            .map_err(|_| whitespace_or(spec.name, input, || Self::not_port(spec, input)))?;
        Self::checked(spec, n, input)
    }

    fn parse_json(
        spec: &ArgSpec<'_>,
        input: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Self, ArgError> {
        integral_json(
            spec,
            input,
            opts,
            Self::parse_str,
            Self::checked,
            Self::not_port,
        )
    }

    fn to_json(&self) -> serde_json::Value {
        self.0.into()
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl serde::Serialize for Port {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u16(self.0)
    }
}

/// A `boolean` argument: exactly `true` or `false` (case-sensitive), or a JSON boolean.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Boolean(bool);

impl Boolean {
    /// A manifest default that the loader already checked (`bad-default`); only
    /// generated builders call this, so a builder without a failing default returns
    /// the arguments directly.
    #[doc(hidden)]
    pub const fn prechecked(value: bool) -> Self {
        Boolean(value)
    }

    /// The value.
    pub const fn get(self) -> bool {
        self.0
    }

    /// `"true"` or `"false"`.
    pub const fn as_str(self) -> &'static str {
        if self.0 { "true" } else { "false" }
    }
}

impl ArgValue for Boolean {
    fn to_value(&self) -> super::Value {
        super::Value::Boolean(*self)
    }

    fn to_argv(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(self.as_str())
    }

    fn parse_str(spec: &ArgSpec<'_>, input: &str, _opts: &ParseOptions) -> Result<Self, ArgError> {
        let name = spec.name;
        match input {
            "true" => Ok(Boolean(true)),
            "false" => Ok(Boolean(false)),
            _ => Err(whitespace_or(name, input, || {
                ArgError::new(
                    name,
                    Rule::Boolean,
                    format!("argument '{name}' must be exactly 'true' or 'false'"),
                )
                .with_value(input)
                .with_expected("true, false")
            })),
        }
    }

    fn parse_json(
        spec: &ArgSpec<'_>,
        input: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Self, ArgError> {
        match input {
            serde_json::Value::Bool(b) => Ok(Boolean(*b)),
            serde_json::Value::String(s) => Self::parse_str(spec, s, opts),
            other => Err(json_type_error(
                spec.name,
                other,
                "a JSON boolean or the string 'true' or 'false'",
            )),
        }
    }

    fn to_json(&self) -> serde_json::Value {
        self.0.into()
    }
}

impl fmt::Display for Boolean {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Boolean {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(self.0)
    }
}

/// A negative `integer` or `number` where it would start an argv element: `-9` is an
/// option to `kill`, `-1` to `head`. Refused only where the loader set
/// `negative_is_option` (the value can start an argv element of a command) and the
/// manifest did not set `allow_option_values`.
fn negative_error(name: &str, raw: &str) -> ArgError {
    ArgError::new(
        name,
        Rule::OptionLike,
        format!(
            "argument '{name}' must not be negative: it starts an argv element, where a value starting with '-' would be read as an option (the manifest can set allow_option_values = true)"
        ),
    )
    .with_value(raw)
    .with_expected("a value that is not negative")
}

/// The longest argv form a `number` may have, in characters.
pub const NUMBER_MAX_CHARS: usize = 40;

/// Refuses a number whose argv form (the shortest round-tripping decimal, never in
/// exponent form) is longer than [`NUMBER_MAX_CHARS`]: `1e300` would be a 301-digit
/// argv element, `1e-300` a 302-character one.
fn check_argv_length(name: &str, n: f64, raw: &str) -> Result<(), ArgError> {
    // Up to 17 significant digits: anything in this range is at most 25 characters.
    if n == 0.0 || (1e-6..1e21).contains(&n.abs()) {
        return Ok(());
    }
    let len = n.to_string().len();
    if len <= NUMBER_MAX_CHARS {
        return Ok(());
    }
    Err(ArgError::new(
        name,
        Rule::Number,
        format!(
            "argument '{name}' value {} would be {len} characters long as a decimal (at most {NUMBER_MAX_CHARS}): use a value nearer to 1 in magnitude",
            shown(raw)
        ),
    )
    .with_value(raw)
    .with_expected(format!(
        "a finite number whose plain decimal form (no exponent) has at most {NUMBER_MAX_CHARS} characters"
    )))
}

/// `an integer from 1 to 10`, `an integer >= 1`, ...
fn bounds_text(what: &str, lo: Option<i64>, hi: Option<i64>) -> String {
    match (lo, hi) {
        (Some(l), Some(h)) => format!("{what} from {l} to {h}"),
        (Some(l), None) => format!("{what} >= {l}"),
        (None, Some(h)) => format!("{what} <= {h}"),
        (None, None) => what.to_string(),
    }
}

/// Bounds that admit nothing (refused by the loader; fail closed if they get here).
fn empty_range(name: &str, raw: &str, lo: &str, hi: &str) -> ArgError {
    ArgError::new(
        name,
        Rule::AboveMax,
        format!("argument '{name}' admits no value: its minimum {lo} is above its maximum {hi}"),
    )
    .with_value(raw)
}

/// The JSON form of an integer-like value: a string goes through `parse_str`, a JSON
/// integer within i64 through `checked` (bounds), anything else is refused.
fn integral_json<T>(
    spec: &ArgSpec<'_>,
    input: &serde_json::Value,
    opts: &ParseOptions,
    parse_str: fn(&ArgSpec<'_>, &str, &ParseOptions) -> Result<T, ArgError>,
    checked: fn(&ArgSpec<'_>, i64, &str) -> Result<T, ArgError>,
    not_this: fn(&ArgSpec<'_>, &str) -> ArgError,
) -> Result<T, ArgError> {
    match input {
        serde_json::Value::String(s) => parse_str(spec, s, opts),
        serde_json::Value::Number(num) => match json_integral(num) {
            Ok(n) => checked(spec, n, &num.to_string()),
            Err(JsonIntegral::OutOfRange) => Err(not_this(spec, &num.to_string())),
            Err(JsonIntegral::NotAnInteger) => {
                let name = spec.name;
                let e = not_this(spec, &num.to_string());
                let expected = e.expected.clone().unwrap_or_default();
                Err(ArgError::new(
                    name,
                    e.rule,
                    format!(
                        "argument '{name}' must be a JSON integer written without a fraction or exponent (5, not 5.0 or 5e0), in the 64-bit range"
                    ),
                )
                .with_value(num.to_string())
                .with_expected(expected))
            }
        },
        other => Err(json_type_error(
            spec.name,
            other,
            "a JSON integer or a string holding one",
        )),
    }
}
