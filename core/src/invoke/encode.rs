//! Encoders for values placed into HTTP requests: URL components, JSON string
//! content and header values. Used by the dynamic path and by generated code, so
//! they live outside the `load` feature.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::model::UrlPart;

/// Every byte except the RFC 3986 `unreserved` set (`A-Z a-z 0-9 - . _ ~`) is
/// encoded: a value can then never add a path segment, a query parameter or a
/// fragment, whatever it contains (`/ ? # & = + % ;` and spaces included).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Encodes `value` for the URL part it lands in.
///
/// [`UrlPart::Path`], [`UrlPart::Query`] and [`UrlPart::Fragment`] percent-encode
/// every byte outside the unreserved set (UTF-8 bytes of non-ASCII characters
/// included). [`UrlPart::Authority`] and [`UrlPart::Header`] return the value as is:
/// the loader only lets values whose validated form is already a safe host, URL or
/// port into the authority, and header values are checked with
/// [`check_header_value`] instead.
///
/// Note that `.` and `..` are unreserved and stay as they are; when a value fills a
/// whole path segment, refuse those with [`is_dot_segment`] (URL parsers resolve
/// them, even percent-encoded).
pub fn encode_url_component(value: &str, part: UrlPart) -> Cow<'_, str> {
    match part {
        UrlPart::Path | UrlPart::Query | UrlPart::Fragment => {
            utf8_percent_encode(value, COMPONENT).into()
        }
        UrlPart::Authority | UrlPart::Header => Cow::Borrowed(value),
    }
}

/// True for `.` and `..`, the path segments a URL parser removes or resolves
/// (`/api/{id}` with `id = ".."` would address `/`).
pub fn is_dot_segment(value: &str) -> bool {
    value == "." || value == ".."
}

/// The content of a JSON string holding `value`, without the surrounding quotes.
///
/// `"` and `\` are escaped, every control character below U+0020 is written as
/// `\b`, `\f`, `\n`, `\r`, `\t` or `\u00XX`, and U+2028/U+2029 as `\u2028`/`\u2029`
/// (valid in JSON, but line terminators for JavaScript consumers). Everything else is
/// copied as is.
pub fn json_string_content(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if u32::from(c) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// True when `v` may be sent as (part of) an HTTP header value.
///
/// This follows the RFC 9110 `field-value` grammar: every control character except
/// horizontal tab is refused — CR and LF (which would end the header and start
/// another), NUL, the other C0 controls and DEL. HTTP clients refuse these anyway;
/// checking first gives a clear error naming the argument.
pub fn check_header_value(v: &str) -> bool {
    !v.chars()
        .any(|c| c != '\t' && (u32::from(c) < 0x20 || c == '\u{7f}'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn components_encode_everything_but_unreserved() {
        for part in [UrlPart::Path, UrlPart::Query, UrlPart::Fragment] {
            assert_eq!(encode_url_component("abc-XYZ_0.9~", part), "abc-XYZ_0.9~");
            assert!(matches!(
                encode_url_component("plain", part),
                Cow::Borrowed("plain")
            ));
            assert_eq!(
                encode_url_component("a/b?c#d&e=f+g%h i;j", part),
                "a%2Fb%3Fc%23d%26e%3Df%2Bg%25h%20i%3Bj"
            );
            assert_eq!(encode_url_component("é€", part), "%C3%A9%E2%82%AC");
            assert_eq!(encode_url_component("\n\0\u{7f}", part), "%0A%00%7F");
            assert_eq!(encode_url_component("", part), "");
        }
    }

    #[test]
    fn authority_and_headers_are_verbatim() {
        assert_eq!(
            encode_url_component("example.com:8080", UrlPart::Authority),
            "example.com:8080"
        );
        assert_eq!(encode_url_component("a b/c", UrlPart::Header), "a b/c");
    }

    #[test]
    fn dot_segments() {
        assert!(is_dot_segment("."));
        assert!(is_dot_segment(".."));
        assert!(!is_dot_segment("..."));
        assert!(!is_dot_segment(".a"));
        assert!(!is_dot_segment(""));
    }

    #[test]
    fn encoded_path_value_stays_one_segment() {
        let value = "../../admin?x=1#top";
        let url = format!(
            "https://h.example/api/{}/tail",
            encode_url_component(value, UrlPart::Path)
        );
        let parsed = url::Url::parse(&url).unwrap();
        let segments: Vec<_> = parsed.path_segments().unwrap().collect();
        assert_eq!(segments.len(), 3, "{url}");
        assert_eq!(parsed.query(), None);
        assert_eq!(parsed.fragment(), None);
    }

    #[test]
    fn json_content_escapes() {
        assert_eq!(json_string_content("plain é"), "plain é");
        assert_eq!(json_string_content("a\"b\\c"), "a\\\"b\\\\c");
        assert_eq!(
            json_string_content("ends with quote\""),
            "ends with quote\\\""
        );
        assert_eq!(
            json_string_content("\n\r\t\u{8}\u{c}\u{0}\u{1f}"),
            "\\n\\r\\t\\b\\f\\u0000\\u001f"
        );
        assert_eq!(json_string_content("\u{2028}\u{2029}"), "\\u2028\\u2029");
        assert_eq!(json_string_content("\u{7f}/"), "\u{7f}/");
    }

    #[test]
    fn header_values() {
        assert!(check_header_value("Bearer abc.def"));
        assert!(check_header_value("a\tb é"));
        assert!(check_header_value(""));
        for bad in ["a\rb", "a\nb", "a\0b", "\u{1b}[0m", "x\u{7f}"] {
            assert!(!check_header_value(bad), "{bad:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn json_content_round_trips(value in any::<String>()) {
            let json = format!("\"{}\"", json_string_content(&value));
            let back: String = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, value);
        }

        #[test]
        fn component_round_trips_and_is_safe(value in any::<String>()) {
            let enc = encode_url_component(&value, UrlPart::Query);
            prop_assert!(enc.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
            let back = percent_encoding::percent_decode_str(&enc).decode_utf8().unwrap();
            prop_assert_eq!(back, value.as_str());
        }
    }
}
