//! `duration`: seconds, or `1h30m`-style parts.

use super::check::{check_edge_whitespace, json_str};
use super::{ArgError, ArgSpec, ArgValue, ParseOptions, Rule};
use std::fmt;

/// A `duration` argument: bare seconds (`30`) or `h`, `m`, `s`, `ms` parts in that
/// order, each at most once (`2h`, `5m`, `1h30m`, `1m30s500ms`, `500ms`).
///
/// Refuses the empty string, signs, fractions (`1.5h`), other units (`1d`), parts out
/// of order (`1m1h`), a trailing bare number (`5m30`), zero (`0`, `0s`) and values that
/// overflow. It is interpolated as **seconds**: `Display` gives the total in seconds,
/// with a decimal fraction when milliseconds remain (`5m` → `300`, `1h30m` → `5400`,
/// `1500ms` → `1.5`, `500ms` → `0.5`). [`Duration::as_str`] is the text as given.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Duration {
    text: String,
    millis: u64,
}

impl Duration {
    /// A manifest default that the loader already checked (`bad-default`), with the
    /// milliseconds the parser computed at build time; only generated builders call this.
    #[doc(hidden)]
    pub fn prechecked(text: &str, millis: u64) -> Self {
        Duration {
            text: text.to_owned(),
            millis,
        }
    }

    /// The text as given (`1h30m`).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The duration.
    pub const fn get(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.millis)
    }

    /// Total seconds (fractional when milliseconds remain).
    #[allow(clippy::cast_precision_loss)] // exact for any duration below 2^53 ms (285k years)
    pub fn seconds(&self) -> f64 {
        self.millis as f64 / 1000.0
    }

    /// Total milliseconds.
    pub const fn millis(&self) -> u64 {
        self.millis
    }
}

/// Total milliseconds of `s`, or why it is not a duration.
fn parse_millis(s: &str) -> Result<u64, &'static str> {
    const OVERFLOW: &str = "the duration is too large";
    let b = s.as_bytes();
    if b.iter().all(u8::is_ascii_digit) {
        let secs: u64 = s.parse().map_err(|_| OVERFLOW)?;
        return secs.checked_mul(1000).ok_or(OVERFLOW);
    }
    // Units in the only allowed order, with their size in milliseconds.
    const UNITS: [(&str, u64); 4] = [("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)];
    let mut total: u64 = 0;
    let mut next_unit = 0; // index into UNITS of the smallest unit still allowed
    let mut i = 0;
    while i < b.len() {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return Err("each part is a number followed by h, m, s or ms");
        }
        let n: u64 = s
            .get(start..i)
            .and_then(|d| d.parse().ok())
            .ok_or(OVERFLOW)?;
        let rest = &b[i..];
        let unit = if rest.starts_with(b"ms") {
            3
        } else {
            match rest.first() {
                Some(b'h') => 0,
                Some(b'm') => 1,
                Some(b's') => 2,
                None => return Err("a number after a unit needs its own unit"),
                Some(_) => return Err("units are h, m, s and ms"),
            }
        };
        if unit < next_unit {
            return Err("units must appear in the order h, m, s, ms, each at most once");
        }
        next_unit = unit + 1;
        i += UNITS[unit].0.len();
        total = n
            .checked_mul(UNITS[unit].1)
            .and_then(|ms| total.checked_add(ms))
            .ok_or(OVERFLOW)?;
    }
    Ok(total)
}

const FORMS: &str = "seconds such as '30', or h/m/s/ms parts such as '5m', '2h', '1h30m', '500ms'";

impl ArgValue for Duration {
    fn to_value(&self) -> super::Value {
        super::Value::Duration(self.clone())
    }

    fn parse_str(spec: &ArgSpec<'_>, input: &str, _opts: &ParseOptions) -> Result<Self, ArgError> {
        let name = spec.name;
        check_edge_whitespace(name, input)?;
        if input.is_empty() {
            return Err(ArgError::new(
                name,
                Rule::Empty,
                format!("argument '{name}' duration must not be empty"),
            )
            .with_value(input)
            .with_expected(FORMS));
        }
        let millis = parse_millis(input).map_err(|why| {
            ArgError::new(
                name,
                Rule::Duration,
                format!(
                    "argument '{name}' is not a valid duration (e.g. '30', '5m', '2h', '1h30m', '500ms'): {why}"
                ),
            )
            .with_value(input)
            .with_expected(FORMS)
        })?;
        if millis == 0 {
            return Err(ArgError::new(
                name,
                Rule::Duration,
                format!("argument '{name}' duration must be greater than zero"),
            )
            .with_value(input)
            .with_expected(FORMS));
        }
        Ok(Duration {
            text: input.to_string(),
            millis,
        })
    }

    fn parse_json(
        spec: &ArgSpec<'_>,
        input: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Self, ArgError> {
        Self::parse_str(spec, json_str(spec.name, input, "duration")?, opts)
    }

    /// The text as given (so that it parses back to the same value).
    fn to_json(&self) -> serde_json::Value {
        self.text.clone().into()
    }
}

/// Seconds: `300`, or `1.5` when milliseconds remain.
impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (secs, ms) = (self.millis / 1000, self.millis % 1000);
        if ms == 0 {
            write!(f, "{secs}")
        } else {
            let frac = format!("{ms:03}");
            write!(f, "{secs}.{}", frac.trim_end_matches('0'))
        }
    }
}

impl serde::Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}
