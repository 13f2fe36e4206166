//! `msf_options`: Metasploit `KEY VALUE` pairs.

use super::check::{check_edge_whitespace, describe_char, find_injection, json_str, shown};
use super::text::text_backed;
use super::{ArgError, ArgSpec, ArgValue, ParseOptions, Rule};

/// An `msf_options` argument: `;`-separated segments, each `KEY VALUE` or
/// `set KEY VALUE` (both forms seen in the wild), e.g.
/// `set RHOSTS 10.0.0.5; set RPORT 445` or `RHOSTS 10.0.0.5;LPORT 4444`.
///
/// Rules: no surrounding whitespace; not empty; spaces around a `;` are allowed, empty
/// segments are not; the `set ` prefix is matched in any case (`SET`, as msfconsole
/// does); `KEY` matches `^[A-Za-z][A-Za-z0-9_]*$` and is compared case-insensitively,
/// as Metasploit compares option names; a key that is a console command (`SET`,
/// `SETG`, `UNSET`, `UNSETG`) is refused; no key twice; a key outside the argument's
/// `allowed_keys` (when set) is refused, and a key of [`MSF_DANGEROUS_KEYS`] is refused
/// unless `allowed_keys` lists it; the value is non-empty and has no character of the
/// injection set other than the `;` separator.
/// `Display` is the text as given; [`MsfOptions::iter`] gives the pairs, keys in upper
/// case.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MsfOptions {
    text: String,
    pairs: Vec<(String, String)>,
}

text_backed!(MsfOptions);

impl MsfOptions {
    /// The `(KEY, VALUE)` pairs in order (a `set ` prefix removed, keys in upper case).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// How many pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Always false: an accepted value has at least one pair.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

/// Options that make Metasploit run code or commands chosen by whoever writes the
/// value, with the reason given in errors. They are refused unless the argument's
/// `allowed_keys` lists them.
pub const MSF_DANGEROUS_KEYS: &[(&str, &str)] = &[
    (
        "AUTORUNSCRIPT",
        "runs a script or console commands on every session that opens",
    ),
    (
        "INITIALAUTORUNSCRIPT",
        "runs a script or console commands on every session that opens",
    ),
    (
        "CMD",
        "is a shell command that command payloads and modules execute",
    ),
    (
        "COMMAND",
        "is a shell command that modules such as post/multi/general/execute execute",
    ),
    (
        "PAYLOAD",
        "chooses the code run on the target (manifests give the payload its own, checked argument)",
    ),
    (
        "EXITFUNC",
        "changes how the payload ends, which can kill the exploited process",
    ),
    (
        "PREPENDMIGRATEPROC",
        "moves the payload into another process of the target",
    ),
];

/// Console commands: as a key they would turn the pair into another command.
const CONSOLE_WORDS: &[&str] = &["SET", "SETG", "UNSET", "UNSETG"];

/// Why `key` (any case) is dangerous, if it is one of [`MSF_DANGEROUS_KEYS`].
pub fn msf_dangerous_key(key: &str) -> Option<&'static str> {
    MSF_DANGEROUS_KEYS
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, why)| *why)
}

/// Checks the shape of an `msf_options` key: `[A-Za-z][A-Za-z0-9_]*`, not a console
/// command. The same rule checks values and a manifest's `allowed_keys`.
pub fn check_msf_key(key: &str) -> Result<(), &'static str> {
    let mut b = key.bytes();
    if !(b.next().is_some_and(|c| c.is_ascii_alphabetic())
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_'))
    {
        return Err("a key is letters, digits and '_', starting with a letter");
    }
    if CONSOLE_WORDS.iter().any(|w| w.eq_ignore_ascii_case(key)) {
        return Err("it is a console command, not an option");
    }
    Ok(())
}

/// The segment without a `set ` prefix (any case, one or more spaces after it).
fn strip_set(seg: &str) -> &str {
    match seg.get(..4) {
        Some(p) if p.eq_ignore_ascii_case("set ") => {
            seg.get(4..).unwrap_or("").trim_start_matches(' ')
        }
        _ => seg,
    }
}

const FORM: &str = "';'-separated 'KEY VALUE' or 'set KEY VALUE' pairs, KEY letters, digits and '_', e.g. 'set RHOSTS 10.0.0.5; set RPORT 445'";

impl ArgValue for MsfOptions {
    fn to_value(&self) -> super::Value {
        super::Value::MsfOptions(self.clone())
    }

    fn to_argv(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(self.as_str())
    }

    fn parse_str(spec: &ArgSpec<'_>, input: &str, _opts: &ParseOptions) -> Result<Self, ArgError> {
        let name = spec.name;
        let bad = |rule: Rule, what: String| {
            ArgError::new(name, rule, format!("argument '{name}' msf_options: {what}"))
                .with_value(input)
                .with_expected(FORM)
        };
        check_edge_whitespace(name, input)?;
        if input.is_empty() {
            return Err(bad(Rule::Empty, "must not be empty".into()));
        }
        let mut pairs = Vec::new();
        for raw in input.split(';') {
            let seg = raw.trim_matches(' ');
            if seg.is_empty() {
                return Err(bad(
                    Rule::MsfOptions,
                    "empty option between ';' separators".into(),
                ));
            }
            let body = strip_set(seg);
            let Some((key, value)) = body.split_once(' ') else {
                return Err(bad(
                    Rule::MsfOptions,
                    format!("invalid pair '{}' (expected 'KEY VALUE')", shown(seg)),
                ));
            };
            if let Err(why) = check_msf_key(key) {
                return Err(bad(
                    Rule::MsfOptions,
                    format!("invalid key '{}' ({why})", shown(key)),
                ));
            }
            let upper = key.to_ascii_uppercase();
            let listed = spec
                .constraints
                .allowed_keys
                .as_ref()
                .map(|l| l.iter().any(|k| k.eq_ignore_ascii_case(&upper)));
            if listed == Some(false) {
                let list = spec
                    .constraints
                    .allowed_keys
                    .iter()
                    .flat_map(|l| l.iter())
                    .map(|k| k.as_ref())
                    .collect::<Vec<&str>>()
                    .join(", ");
                return Err(bad(
                    Rule::MsfOptions,
                    format!("key '{}' is not allowed (allowed: {list})", shown(key)),
                ));
            }
            if listed.is_none()
                && let Some(why) = msf_dangerous_key(&upper)
            {
                return Err(bad(
                    Rule::MsfOptions,
                    format!(
                        "key '{upper}' is refused: it {why}; a manifest allows it only by listing it in `allowed_keys`"
                    ),
                ));
            }
            if pairs.iter().any(|(k, _)| *k == upper) {
                return Err(bad(
                    Rule::MsfOptions,
                    format!("key '{upper}' is set twice (keys are case-insensitive)"),
                ));
            }
            if let Some(c) = find_injection(value, true) {
                return Err(bad(
                    Rule::Injection,
                    format!("value contains disallowed character '{}'", describe_char(c)),
                ));
            }
            pairs.push((upper, value.to_string()));
        }
        // Every character is covered: spaces around separators, the `set ` prefix,
        // a checked key, one space, a checked value.
        Ok(MsfOptions {
            text: input.to_string(),
            pairs,
        })
    }

    fn parse_json(
        spec: &ArgSpec<'_>,
        input: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Self, ArgError> {
        Self::parse_str(spec, json_str(spec.name, input, "msf_options")?, opts)
    }

    fn to_json(&self) -> serde_json::Value {
        self.text.clone().into()
    }
}
