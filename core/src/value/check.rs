//! Rules shared by several types: the injection set, the whitespace policy, the
//! option-value rule, and the JSON shapes a value may arrive in.

use super::{ArgError, ArgSpec, Rule};
use std::fmt::Write as _;

/// The 16 characters every reference implementation refuses, in the reference's order.
pub const REFERENCE_METACHARACTERS: [char; 16] = [
    '\n', '\r', ';', '|', '&', '$', '`', '(', ')', '{', '}', '[', ']', '<', '>', '!',
];

/// One bit per ASCII byte: the reference 16 plus every other ASCII control and DEL.
const ASCII_REFUSED: [bool; 128] = {
    let mut t = [false; 128];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[0x7f] = true;
    let mut j = 0;
    while j < REFERENCE_METACHARACTERS.len() {
        t[REFERENCE_METACHARACTERS[j] as usize] = true;
        j += 1;
    }
    t
};

/// The Unicode format characters (General_Category `Cf`) and default-ignorable code
/// points (`Default_Ignorable_Code_Point`), as sorted, disjoint, inclusive ranges.
///
/// Generated from the `regex-syntax` crate's Unicode tables (the class
/// `[\p{Cf}\p{Default_Ignorable_Code_Point}]`); the unit test
/// `invisible_table_matches_unicode_data` compares it with the crate and prints the
/// table to paste when a Unicode update changes it.
const INVISIBLE: [(u32, u32); 25] = [
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
];

/// Whether `u` lies in one of the [`INVISIBLE`] ranges (binary search).
const fn is_invisible(u: u32) -> bool {
    let (mut lo, mut hi) = (0, INVISIBLE.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        let (start, end) = INVISIBLE[mid];
        if u < start {
            hi = mid;
        } else if u > end {
            lo = mid + 1;
        } else {
            return true;
        }
    }
    false
}

/// Whether `c` belongs to cladgen's injection set.
///
/// The set is the reference's 16 shell metacharacters (`\n \r ; | & $ \` ( ) { } [ ] < > !`),
/// NUL and every other ASCII control character including DEL, the C1 controls
/// (U+0080–U+009F, which include NEL, a line break for some tools), the line and
/// paragraph separators U+2028 and U+2029, every format character (General_Category
/// `Cf`: bidirectional controls, zero-width characters, the soft hyphen, tag
/// characters, U+FEFF, ...) and every default-ignorable code point (fillers such as
/// U+3164, variation selectors, U+034F, unassigned default-ignorables). Spaces,
/// quotes and `#` are allowed: a value is always exactly one argv element, never
/// shell text.
pub const fn is_injection_char(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return ASCII_REFUSED[u as usize];
    }
    matches!(u, 0x80..=0x9f | 0x2028 | 0x2029) || is_invisible(u)
}

/// The first character of `value` (by position) in the injection set, if any;
/// `;` is skipped when `allow_semicolon` (the `msf_options` segment separator).
pub fn find_injection(value: &str, allow_semicolon: bool) -> Option<char> {
    if value.is_ascii() {
        // Fast path: one table lookup per byte.
        value
            .bytes()
            .find(|&b| ASCII_REFUSED[usize::from(b)] && !(allow_semicolon && b == b';'))
            .map(char::from)
    } else {
        value
            .chars()
            .find(|&c| is_injection_char(c) && !(allow_semicolon && c == ';'))
    }
}

/// How a refused character is named in a message: printable characters as
/// themselves, the rest as an escape, so that messages always stay on one line.
pub fn describe_char(c: char) -> String {
    match c {
        '\n' => "\\n".into(),
        '\r' => "\\r".into(),
        '\t' => "\\t".into(),
        '\0' => "\\0".into(),
        c if is_injection_char(c) && !REFERENCE_METACHARACTERS.contains(&c) => {
            format!("U+{:04X}", u32::from(c))
        }
        c => c.to_string(),
    }
}

/// A value as it appears inside a message: non-printable characters escaped and the
/// text cut at 200 characters, so a hostile value cannot forge or flood a message.
pub fn shown(value: &str) -> String {
    const LIMIT: usize = 200;
    let mut out = String::with_capacity(value.len().min(LIMIT + 8));
    for (i, c) in value.chars().enumerate() {
        if i == LIMIT {
            out.push('…');
            break;
        }
        if is_injection_char(c) {
            out.push_str(&describe_char(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// What the injection rule expects, for [`ArgError::expected`].
pub(crate) const NO_INJECTION: &str = "text without ; | & $ ` ( ) { } [ ] < > !, control characters or invisible/format/bidirectional Unicode characters";

/// Refuses a value that contains a character of the injection set
/// ([`is_injection_char`]); reports the first such character by position.
///
/// The message keeps the reference's wording:
/// `argument '<name>' contains disallowed shell metacharacter '<c>'` for the reference's
/// 16 characters, `... disallowed control character 'U+001B'` or
/// `... disallowed invisible or bidirectional character 'U+202E'` for the others.
pub fn check_injection(name: &str, value: &str) -> Result<(), ArgError> {
    match find_injection(value, false) {
        None => Ok(()),
        Some(c) => Err(injection_error(name, value, c)),
    }
}

pub(crate) fn injection_error(name: &str, value: &str, c: char) -> ArgError {
    let what = if REFERENCE_METACHARACTERS.contains(&c) {
        "shell metacharacter"
    } else if (c as u32) < 0xa0 {
        "control character"
    } else {
        "invisible or bidirectional character"
    };
    ArgError::new(
        name,
        Rule::Injection,
        format!(
            "argument '{name}' contains disallowed {what} '{}'",
            describe_char(c)
        ),
    )
    .with_value(value)
    .with_expected(NO_INJECTION)
}

/// Refuses leading or trailing whitespace (Unicode `White_Space`), the rule of every
/// type except `string`. Values are never trimmed.
pub fn check_edge_whitespace(name: &str, value: &str) -> Result<(), ArgError> {
    let starts = value.chars().next().is_some_and(char::is_whitespace);
    let ends = value.chars().next_back().is_some_and(char::is_whitespace);
    if starts || ends {
        return Err(ArgError::new(
            name,
            Rule::Whitespace,
            format!("argument '{name}' must not contain leading or trailing whitespace"),
        )
        .with_value(value)
        .with_expected("the value without surrounding whitespace (values are never trimmed)"));
    }
    Ok(())
}

/// For types whose parser refuses any whitespace anyway: the whitespace error when the
/// value has surrounding whitespace (the clearer message), else `other()`. Checking
/// only on failure keeps the whitespace scan off the accepting path.
pub(crate) fn whitespace_or(name: &str, value: &str, other: impl FnOnce() -> ArgError) -> ArgError {
    match check_edge_whitespace(name, value) {
        Err(e) => e,
        Ok(()) => other(),
    }
}

/// Refuses a free-text value that starts with `-` (it would be read as an option by
/// the tool) unless the argument sets `allow_option_values = true`.
pub fn check_option_value(spec: &ArgSpec<'_>, value: &str) -> Result<(), ArgError> {
    if value.starts_with('-') && !spec.constraints.allow_option_values {
        let name = spec.name;
        return Err(ArgError::new(
            name,
            Rule::OptionLike,
            format!(
                "argument '{name}' must not start with '-' (it would be read as an option; the manifest can set allow_option_values = true)"
            ),
        )
        .with_value(value)
        .with_expected("a value that does not start with '-'"));
    }
    Ok(())
}

/// The shared rules of the free-text types `path`, `regex_match` and
/// `credential_file`, in this order: no leading or trailing whitespace, no injection
/// character, no leading `-` unless `allow_option_values`.
///
/// `string` allows surrounding whitespace: use [`check_text`] for it.
pub fn check_free_text(spec: &ArgSpec<'_>, value: &str) -> Result<(), ArgError> {
    check_edge_whitespace(spec.name, value)?;
    check_text(spec, value)
}

/// The rules of `string` text (and of session command text): no injection character,
/// no leading `-` unless `allow_option_values`. Surrounding spaces are kept as given.
pub fn check_text(spec: &ArgSpec<'_>, value: &str) -> Result<(), ArgError> {
    check_injection(spec.name, value)?;
    check_option_value(spec, value)
}

/// Whether an argument's JSON value counts as absent: the key is missing
/// (`None`), the value is `null`, or, only when `optional` is true, it is the empty
/// string. A required argument's empty string is not absent: it goes to the type's
/// parser (which refuses it for most types).
pub fn is_absent_json(value: Option<&serde_json::Value>, optional: bool) -> bool {
    match value {
        None | Some(serde_json::Value::Null) => true,
        Some(serde_json::Value::String(s)) => optional && s.is_empty(),
        Some(_) => false,
    }
}

/// A short name for the JSON type of `v`, for messages.
pub(crate) use crate::field::json_kind;

/// The error for a JSON value of the wrong shape; `null` reads as a missing argument.
pub(crate) fn json_type_error(name: &str, v: &serde_json::Value, wanted: &str) -> ArgError {
    if v.is_null() {
        return ArgError::missing(name);
    }
    let mut text = String::new();
    // Writing to a String cannot fail.
    let _ = write!(text, "{v}");
    ArgError::new(
        name,
        Rule::JsonType,
        format!("argument '{name}' must be {wanted}, got {}", json_kind(v)),
    )
    .with_value(text)
    .with_expected(wanted.to_string())
}

/// The text of a JSON string, or a [`Rule::JsonType`] error naming the type.
pub(crate) fn json_str<'v>(
    name: &str,
    v: &'v serde_json::Value,
    type_name: &str,
) -> Result<&'v str, ArgError> {
    match v {
        serde_json::Value::String(s) => Ok(s),
        other => Err(json_type_error(
            name,
            other,
            &format!("a JSON string ({type_name})"),
        )),
    }
}

/// An integer JSON number as i64: only a number written as a JSON integer (no `.`,
/// no exponent) within the i64 range.
///
/// serde_json holds any other number as an f64, which has lost the text: `5.0`,
/// `65535.000000000001` and `-9223372036854775809` all arrive as an f64 equal to an
/// integer, so none of them can be told to fit exactly. They are refused
/// ([`JsonIntegral::NotAnInteger`]); so is a JSON integer outside i64
/// ([`JsonIntegral::OutOfRange`]).
pub(crate) fn json_integral(n: &serde_json::Number) -> Result<i64, JsonIntegral> {
    if let Some(i) = n.as_i64() {
        Ok(i)
    } else if n.is_u64() {
        Err(JsonIntegral::OutOfRange)
    } else {
        Err(JsonIntegral::NotAnInteger)
    }
}

/// Why [`json_integral`] refused a JSON number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JsonIntegral {
    /// A JSON integer above `i64::MAX`.
    OutOfRange,
    /// Written with a fraction or an exponent, or an integer below `i64::MIN`
    /// (serde_json reads those as floats).
    NotAnInteger,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Constraints;

    #[test]
    fn injection_set_membership() {
        for c in REFERENCE_METACHARACTERS {
            assert!(is_injection_char(c), "{c:?}");
        }
        for c in [
            '\0',
            '\t',
            '\x0b',
            '\x0c',
            '\x1b',
            '\x7f',
            '\u{85}',
            '\u{200b}',
            '\u{202e}',
            '\u{2066}',
            '\u{feff}',
            '\u{2028}',
            '\u{ad}',
            '\u{e0041}',
            '\u{3164}',
            '\u{fe0f}',
            '\u{115f}',
            '\u{180e}',
            '\u{2065}',
            '\u{600}',
            '\u{1d173}',
        ] {
            assert!(is_injection_char(c), "{c:?}");
        }
        for c in [
            ' ', '\'', '"', '#', '~', '%', '*', '?', '\\', 'é', '\u{a0}', '\u{2010}',
        ] {
            assert!(!is_injection_char(c), "{c:?}");
        }
    }

    #[test]
    fn invisible_table_matches_unicode_data() {
        use regex_syntax::hir::{Class, HirKind};
        let hir = regex_syntax::parse(r"[\p{Cf}\p{Default_Ignorable_Code_Point}]").unwrap();
        let HirKind::Class(Class::Unicode(class)) = hir.kind() else {
            panic!("not a Unicode class: {hir:?}");
        };
        let want: Vec<(u32, u32)> = class
            .ranges()
            .iter()
            .map(|r| (u32::from(r.start()), u32::from(r.end())))
            .collect();
        let table: String = want
            .iter()
            .map(|(a, b)| format!("    (0x{a:04X}, 0x{b:04X}),\n"))
            .collect();
        assert_eq!(
            INVISIBLE.as_slice(),
            want.as_slice(),
            "regenerate INVISIBLE ({} ranges):\n{table}",
            want.len()
        );
        // Every member and both neighbours of every range agree with the table.
        for &(a, b) in &INVISIBLE {
            for u in [a, b] {
                let c = char::from_u32(u).unwrap();
                assert!(is_injection_char(c), "U+{u:04X}");
            }
        }
        for u in [0xAC, 0xAE, 0x34E, 0x350, 0x3163, 0x3165, 0xDFFFF, 0xE1000] {
            let c = char::from_u32(u).unwrap();
            assert!(!is_injection_char(c), "U+{u:04X}");
        }
    }

    #[test]
    fn injection_reports_first_by_position_with_escaped_name() {
        let e = check_injection("q", "a|b;c").unwrap_err();
        assert_eq!(
            e.message,
            "argument 'q' contains disallowed shell metacharacter '|'"
        );
        assert_eq!(e.rule, Rule::Injection);
        assert_eq!(e.value.as_deref(), Some("a|b;c"));
        let e = check_injection("q", "a\nb").unwrap_err();
        assert_eq!(
            e.message,
            "argument 'q' contains disallowed shell metacharacter '\\n'"
        );
        let e = check_injection("q", "a\x1bb").unwrap_err();
        assert_eq!(
            e.message,
            "argument 'q' contains disallowed control character 'U+001B'"
        );
        let e = check_injection("q", "abc\u{202e}").unwrap_err();
        assert_eq!(
            e.message,
            "argument 'q' contains disallowed invisible or bidirectional character 'U+202E'"
        );
        assert!(check_injection("q", "it's \"fine\" #1 ~/x é").is_ok());
    }

    #[test]
    fn msf_separator_is_skipped_only_on_request() {
        assert_eq!(find_injection("A 1;B 2", true), None);
        assert_eq!(find_injection("A 1;B 2", false), Some(';'));
        assert_eq!(find_injection("A 1;B |", true), Some('|'));
    }

    #[test]
    fn whitespace_and_option_rules() {
        assert_eq!(
            check_edge_whitespace("a", " x").unwrap_err().rule,
            Rule::Whitespace
        );
        assert_eq!(
            check_edge_whitespace("a", "x\u{a0}").unwrap_err().rule,
            Rule::Whitespace
        );
        assert!(check_edge_whitespace("a", "x y").is_ok());
        let c = Constraints::NONE;
        let spec = ArgSpec::new("a", &c);
        let e = check_free_text(&spec, "-rf").unwrap_err();
        assert_eq!(e.rule, Rule::OptionLike);
        assert!(
            e.message
                .starts_with("argument 'a' must not start with '-'")
        );
        assert!(check_text(&spec, " padded ").is_ok());
        let allow = Constraints {
            allow_option_values: true,
            ..Constraints::NONE
        };
        assert!(check_free_text(&ArgSpec::new("a", &allow), "-v").is_ok());
    }

    #[test]
    fn absence() {
        use serde_json::json;
        assert!(is_absent_json(None, false));
        assert!(is_absent_json(Some(&json!(null)), false));
        assert!(is_absent_json(Some(&json!("")), true));
        assert!(!is_absent_json(Some(&json!("")), false));
        assert!(!is_absent_json(Some(&json!(0)), true));
    }

    #[test]
    fn shown_escapes_and_truncates() {
        assert_eq!(shown("a\nb\u{202e}"), "a\\nbU+202E");
        let long = "x".repeat(500);
        assert_eq!(shown(&long).chars().count(), 201);
    }

    #[test]
    fn integral_json_numbers() {
        let n = |s: &str| serde_json::from_str::<serde_json::Number>(s).unwrap();
        use JsonIntegral::*;
        assert_eq!(json_integral(&n("5")), Ok(5));
        assert_eq!(json_integral(&n("-9223372036854775808")), Ok(i64::MIN));
        assert_eq!(json_integral(&n("9223372036854775807")), Ok(i64::MAX));
        assert_eq!(json_integral(&n("9223372036854775808")), Err(OutOfRange));
        assert_eq!(json_integral(&n("-9223372036854775809")), Err(NotAnInteger));
        assert_eq!(json_integral(&n("5.0")), Err(NotAnInteger));
        assert_eq!(json_integral(&n("65535.000000000001")), Err(NotAnInteger));
        assert_eq!(json_integral(&n("5.5")), Err(NotAnInteger));
        assert_eq!(json_integral(&n("1e2")), Err(NotAnInteger));
        assert_eq!(json_integral(&n("1e300")), Err(NotAnInteger));
    }
}
