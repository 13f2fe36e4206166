//! Typed, located access to a spanned TOML table: every read names its key, every
//! wrong type and every unknown key becomes a diagnostic.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::UnknownKeys;
use super::codes;
use super::diag::{Decorate, Sink, did_you_mean, list_names};

/// A value with the byte range it was written at.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Sp<T> {
    pub(crate) v: T,
    pub(crate) span: Range<usize>,
}

impl<T> Sp<T> {
    pub(crate) fn new(v: T, span: Range<usize>) -> Self {
        Sp { v, span }
    }
}

/// Loader context: where diagnostics go and how strict unknown keys are.
pub(crate) struct Cx<'s> {
    pub(crate) sink: Sink<'s>,
    pub(crate) unknown_keys: UnknownKeys,
}

impl Cx<'_> {
    pub(crate) fn source(&self) -> &str {
        self.sink.source
    }
}

/// One spanned TOML entry.
pub(crate) type Entry<'a, 'i> = (
    &'a toml::Spanned<std::borrow::Cow<'i, str>>,
    &'a toml::Spanned<DeValue<'i>>,
);

/// A table being read: the table, its display path (`[args.target]`) and the span
/// used for "missing key" errors (the header, or the key of an inline table).
#[derive(Clone)]
pub(crate) struct Tbl<'a, 'i> {
    pub(crate) table: &'a DeTable<'i>,
    pub(crate) path: String,
    pub(crate) span: Range<usize>,
}

/// The TOML type name of a value, for messages.
pub(crate) fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// The integer a TOML integer literal denotes, if it fits i64.
pub(crate) fn de_int(v: &DeValue<'_>) -> Option<Option<i64>> {
    match v {
        DeValue::Integer(i) => Some(i64::from_str_radix(i.as_str(), i.radix()).ok()),
        _ => None,
    }
}

/// The float a TOML float literal denotes.
pub(crate) fn de_float(v: &DeValue<'_>) -> Option<Option<f64>> {
    match v {
        DeValue::Float(f) => {
            let s = f.as_str();
            let parsed = match s {
                "inf" | "+inf" => Some(f64::INFINITY),
                "-inf" => Some(f64::NEG_INFINITY),
                "nan" | "+nan" | "-nan" => Some(f64::NAN),
                _ => s.replace('_', "").parse::<f64>().ok(),
            };
            Some(parsed)
        }
        _ => None,
    }
}

impl<'a, 'i> Tbl<'a, 'i> {
    pub(crate) fn new(table: &'a DeTable<'i>, path: impl Into<String>, span: Range<usize>) -> Self {
        Tbl {
            table,
            path: path.into(),
            span,
        }
    }

    /// Entries in the order they were written (the TOML map is sorted by name).
    pub(crate) fn entries(&self) -> Vec<Entry<'a, 'i>> {
        let mut v: Vec<Entry<'a, 'i>> = self.table.iter().collect();
        v.sort_by_key(|(k, _)| k.span().start);
        v
    }

    /// Reports every key that is not in `valid` (error, or warning when configured),
    /// with a suggestion and the list of valid keys.
    pub(crate) fn check_keys(&self, cx: &mut Cx<'_>, valid: &[&str]) {
        for (k, _) in self.entries() {
            let key: &str = k.get_ref();
            if valid.contains(&key) {
                continue;
            }
            let severity = match cx.unknown_keys {
                UnknownKeys::Error => super::Severity::Error,
                UnknownKeys::Warn => super::Severity::Warning,
            };
            let suggestion = did_you_mean(key, valid.iter().copied());
            let d = cx.sink.push(
                severity,
                &codes::UNKNOWN_KEY,
                k.span(),
                format!("unknown key `{key}` in {}", self.path),
            );
            if let Some(s) = suggestion {
                d.help(format!("did you mean `{s}`?"));
            }
            d.note(format!(
                "valid keys in {} are: {}",
                self.path,
                list_names(valid.iter().copied())
            ));
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<Entry<'a, 'i>> {
        self.table.get_key_value(key)
    }

    fn child_path(&self, key: &str) -> String {
        let inner = self.path.trim_start_matches('[').trim_end_matches(']');
        if inner.is_empty() {
            format!("[{key}]")
        } else {
            format!("[{inner}.{key}]")
        }
    }

    /// The display name of a key (`tool.name`).
    pub(crate) fn key_path(&self, key: &str) -> String {
        let inner = self.path.trim_start_matches('[').trim_end_matches(']');
        if inner.is_empty() {
            key.to_string()
        } else {
            format!("{inner}.{key}")
        }
    }

    fn wrong_type(
        &self,
        cx: &mut Cx<'_>,
        key: &str,
        v: &DeValue<'_>,
        span: Range<usize>,
        want: &str,
    ) {
        cx.sink.error(
            &codes::WRONG_TYPE,
            span,
            format!(
                "`{}` must be {want}, found {}",
                self.key_path(key),
                type_name(v)
            ),
        );
    }

    /// Reports a missing required key at the table's span.
    pub(crate) fn missing(&self, cx: &mut Cx<'_>, key: &str, what: &str) {
        cx.sink
            .error(
                &codes::MISSING_KEY,
                self.span.clone(),
                format!("missing required key `{key}` in {}", self.path),
            )
            .help(format!("add `{key} = {what}`"));
    }

    pub(crate) fn str(&self, cx: &mut Cx<'_>, key: &str) -> Option<Sp<String>> {
        let (_, v) = self.get(key)?;
        match v.get_ref() {
            DeValue::String(s) => Some(Sp::new(s.to_string(), v.span())),
            other => {
                self.wrong_type(cx, key, other, v.span(), "a string");
                None
            }
        }
    }

    pub(crate) fn req_str(&self, cx: &mut Cx<'_>, key: &str) -> Option<Sp<String>> {
        if self.get(key).is_none() {
            self.missing(cx, key, "\"...\"");
            return None;
        }
        self.str(cx, key)
    }

    pub(crate) fn bool(&self, cx: &mut Cx<'_>, key: &str) -> Option<Sp<bool>> {
        let (_, v) = self.get(key)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(Sp::new(*b, v.span())),
            other => {
                self.wrong_type(cx, key, other, v.span(), "a boolean (`true` or `false`)");
                None
            }
        }
    }

    pub(crate) fn int(&self, cx: &mut Cx<'_>, key: &str) -> Option<Sp<i64>> {
        let (_, v) = self.get(key)?;
        match de_int(v.get_ref()) {
            Some(Some(i)) => Some(Sp::new(i, v.span())),
            Some(None) => {
                cx.sink.error(
                    &codes::WRONG_TYPE,
                    v.span(),
                    format!(
                        "`{}` is out of range for a 64-bit integer",
                        self.key_path(key)
                    ),
                );
                None
            }
            None => {
                self.wrong_type(cx, key, v.get_ref(), v.span(), "an integer");
                None
            }
        }
    }

    /// A non-negative integer (timeouts, sizes).
    pub(crate) fn u64(&self, cx: &mut Cx<'_>, key: &str) -> Option<Sp<u64>> {
        let i = self.int(cx, key)?;
        match u64::try_from(i.v) {
            Ok(u) => Some(Sp::new(u, i.span)),
            Err(_) => {
                cx.sink.error(
                    &codes::WRONG_TYPE,
                    i.span,
                    format!("`{}` must not be negative", self.key_path(key)),
                );
                None
            }
        }
    }

    /// A float; an integer literal is accepted (`min_float = 0`).
    pub(crate) fn float(&self, cx: &mut Cx<'_>, key: &str) -> Option<Sp<f64>> {
        let (_, v) = self.get(key)?;
        let f = match (de_float(v.get_ref()), de_int(v.get_ref())) {
            (Some(f), _) => f,
            (None, Some(Some(i))) => Some(i as f64),
            _ => {
                self.wrong_type(cx, key, v.get_ref(), v.span(), "a number");
                return None;
            }
        };
        match f {
            Some(f) if f.is_finite() => Some(Sp::new(f, v.span())),
            _ => {
                cx.sink.error(
                    &codes::WRONG_TYPE,
                    v.span(),
                    format!("`{}` must be a finite number", self.key_path(key)),
                );
                None
            }
        }
    }

    /// An array of strings; each element keeps its span.
    pub(crate) fn str_list(&self, cx: &mut Cx<'_>, key: &str) -> Option<Sp<Vec<Sp<String>>>> {
        let (_, v) = self.get(key)?;
        let DeValue::Array(arr) = v.get_ref() else {
            self.wrong_type(cx, key, v.get_ref(), v.span(), "an array of strings");
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (i, e) in arr.iter().enumerate() {
            match e.get_ref() {
                DeValue::String(s) => out.push(Sp::new(s.to_string(), e.span())),
                other => {
                    ok = false;
                    cx.sink.error(
                        &codes::WRONG_TYPE,
                        e.span(),
                        format!(
                            "`{}[{i}]` must be a string, found {}",
                            self.key_path(key),
                            type_name(other)
                        ),
                    );
                }
            }
        }
        ok.then(|| Sp::new(out, v.span()))
    }

    /// An array of integers.
    pub(crate) fn int_list(&self, cx: &mut Cx<'_>, key: &str) -> Option<Sp<Vec<Sp<i64>>>> {
        let (_, v) = self.get(key)?;
        let DeValue::Array(arr) = v.get_ref() else {
            self.wrong_type(cx, key, v.get_ref(), v.span(), "an array of integers");
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (i, e) in arr.iter().enumerate() {
            match de_int(e.get_ref()) {
                Some(Some(n)) => out.push(Sp::new(n, e.span())),
                _ => {
                    ok = false;
                    cx.sink.error(
                        &codes::WRONG_TYPE,
                        e.span(),
                        format!(
                            "`{}[{i}]` must be an integer, found {}",
                            self.key_path(key),
                            type_name(e.get_ref())
                        ),
                    );
                }
            }
        }
        ok.then(|| Sp::new(out, v.span()))
    }

    /// A sub-table (from a `[header]` or an inline table).
    pub(crate) fn table(&self, cx: &mut Cx<'_>, key: &str) -> Option<Tbl<'a, 'i>> {
        let (k, v) = self.get(key)?;
        match v.get_ref() {
            DeValue::Table(t) => Some(Tbl::new(t, self.child_path(key), table_span(k, v))),
            other => {
                self.wrong_type(cx, key, other, v.span(), "a table");
                None
            }
        }
    }

    /// Every entry as a sub-table (`[args.<name>]`), in declaration order, with the
    /// key span; entries that are not tables are reported.
    pub(crate) fn subtables(&self, cx: &mut Cx<'_>) -> Vec<(Sp<String>, Tbl<'a, 'i>)> {
        let mut out = Vec::new();
        for (k, v) in self.entries() {
            let name: &str = k.get_ref();
            match v.get_ref() {
                DeValue::Table(t) => out.push((
                    Sp::new(name.to_string(), k.span()),
                    Tbl::new(t, self.child_path(name), table_span(k, v)),
                )),
                other => self.wrong_type(cx, name, other, v.span(), "a table"),
            }
        }
        out
    }
}

/// The span to report a table at: its `[header]` when it has one, else its key.
fn table_span(
    k: &toml::Spanned<std::borrow::Cow<'_, str>>,
    v: &toml::Spanned<DeValue<'_>>,
) -> Range<usize> {
    let vs = v.span();
    // Implicit tables (`[a.b]` defines `a` implicitly) carry their key's span; inline
    // tables start with `{` after the key. A header span starts before the key.
    if vs.start <= k.span().start && vs.end >= k.span().end {
        vs
    } else {
        k.span()
    }
}
