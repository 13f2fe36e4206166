//! HTTP requests built from `[http]`: encoded values, checked headers, and a
//! redacted twin of every part a secret went into.

use super::InvokeError;
use super::encode::{
    check_header_value, encode_url_component, is_dot_segment, json_string_content,
};
use super::secret::{Secret, redaction_marker};
use crate::model::{HttpMethod, HttpSpec, JsonSlot, UrlPart};
use std::fmt;

/// Text of one request part (URL, header value, body) under construction.
///
/// Values are encoded for where they land as they are pushed. Wherever a secret is
/// pushed, a redacted twin of the text gets `<secret:NAME>` instead, so the request
/// can be shown without the secret. Generated code and the dynamic path build
/// requests with the same calls.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RequestText {
    text: String,
    /// `None` until a secret is pushed: then the text as shown.
    redacted: Option<String>,
    /// Set when a value `.` or `..` was pushed into a URL path: the argument's name,
    /// if known. [`HttpRequest::new`] refuses such a request.
    dot_segment: Option<Option<String>>,
    /// Set when a value that does not read as one host or port was pushed into the
    /// URL's authority: the argument's name, if known, and why.
    /// [`HttpRequest::new`] refuses such a request.
    bad_authority: Option<(Option<String>, &'static str)>,
    /// Every secret pushed, as its value and as the text it became here, so a
    /// runtime can scrub an echo of it from what it shows.
    secret_texts: Vec<String>,
}

impl RequestText {
    /// Empty text.
    pub const fn new() -> Self {
        RequestText {
            text: String::new(),
            redacted: None,
            dot_segment: None,
            bad_authority: None,
            secret_texts: Vec::new(),
        }
    }

    fn push_both(&mut self, s: &str) {
        self.text.push_str(s);
        if let Some(r) = &mut self.redacted {
            r.push_str(s);
        }
    }

    fn push_split(&mut self, secret: &Secret, real: &str, shown: &str) {
        for t in [secret.expose(), real] {
            if !t.is_empty() && !self.secret_texts.iter().any(|s| s == t) {
                self.secret_texts.push(t.to_owned());
            }
        }
        let redacted = self.redacted.get_or_insert_with(|| self.text.clone());
        redacted.push_str(shown);
        self.text.push_str(real);
    }

    /// Literal text from the manifest, as written.
    pub fn push_lit(&mut self, lit: &str) {
        self.push_both(lit);
    }

    /// The value of argument `arg` in a URL or header, encoded for `part`.
    ///
    /// A value `.` or `..` in a path is recorded and makes [`HttpRequest::new`]
    /// fail: URL parsers resolve such a segment (even percent-encoded) into another
    /// path. So does a value in the authority (after the URL's first character) that
    /// fails [`crate::value::check_url_authority_value`].
    pub fn push_url_arg(&mut self, arg: &str, value: &str, part: UrlPart) {
        self.push_url(Some(arg), value, part);
    }

    /// Like [`RequestText::push_url_arg`], for a value without an argument name.
    pub fn push_url_value(&mut self, value: &str, part: UrlPart) {
        self.push_url(None, value, part);
    }

    fn push_url(&mut self, arg: Option<&str>, value: &str, part: UrlPart) {
        if part == UrlPart::Path && is_dot_segment(value) && self.dot_segment.is_none() {
            self.dot_segment = Some(arg.map(str::to_owned));
        }
        // A value at the very start is the whole URL (the loader allows only a `url`
        // argument there, checked by its type); any later authority value sits in
        // the host or port the manifest wrote around it.
        if part == UrlPart::Authority
            && !self.text.is_empty()
            && self.bad_authority.is_none()
            && let Err(reason) = crate::value::check_url_authority_value(value)
        {
            self.bad_authority = Some((arg.map(str::to_owned), reason));
        }
        let encoded = encode_url_component(value, part);
        self.push_both(&encoded);
    }

    /// A secret in a URL or header, encoded for `part`; shown as `<secret:NAME>`.
    pub fn push_url_secret(&mut self, name: &str, secret: &Secret, part: UrlPart) {
        let encoded = encode_url_component(secret.expose(), part);
        self.push_split(secret, &encoded, &redaction_marker(name));
    }

    /// An argument value in a body: `text` is its argv text, `json` its JSON form.
    ///
    /// In a JSON string the text is escaped as string content; in JSON value position
    /// numbers and booleans go in as JSON scalars and everything else as a quoted JSON
    /// string; in a non-JSON body the text goes in as it is.
    pub fn push_body_value(&mut self, text: &str, json: &serde_json::Value, slot: JsonSlot) {
        match slot {
            JsonSlot::InString => self.push_both(&json_string_content(text)),
            JsonSlot::Value => match json {
                serde_json::Value::Number(_) | serde_json::Value::Bool(_) => {
                    self.push_both(&json.to_string());
                }
                _ => self.push_both(&quoted(text)),
            },
            JsonSlot::Raw => self.push_both(text),
        }
    }

    /// An absent optional argument in a body: `null` in JSON value position, nothing
    /// elsewhere.
    pub fn push_body_absent(&mut self, slot: JsonSlot) {
        if slot == JsonSlot::Value {
            self.push_both("null");
        }
    }

    /// A secret in a body (always a string); shown as `<secret:NAME>`.
    pub fn push_body_secret(&mut self, name: &str, secret: &Secret, slot: JsonSlot) {
        let marker = redaction_marker(name);
        match slot {
            JsonSlot::InString => self.push_split(
                secret,
                &json_string_content(secret.expose()),
                &json_string_content(&marker),
            ),
            JsonSlot::Value => {
                self.push_split(secret, &quoted(secret.expose()), &quoted(&marker));
            }
            JsonSlot::Raw => self.push_split(secret, secret.expose(), &marker),
        }
    }

    /// The text to send (secrets included).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The text to show: secrets replaced by `<secret:NAME>`.
    pub fn redacted(&self) -> &str {
        self.redacted.as_deref().unwrap_or(&self.text)
    }

    /// Whether a secret was pushed.
    pub fn has_secret(&self) -> bool {
        self.redacted.is_some()
    }
}

impl fmt::Debug for RequestText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.redacted(), f)
    }
}

fn quoted(text: &str) -> String {
    let content = json_string_content(text);
    let mut out = String::with_capacity(content.len() + 2);
    out.push('"');
    out.push_str(&content);
    out.push('"');
    out
}

/// One HTTP request, ready to send.
///
/// `Debug`, `Display` and [`HttpRequest::to_json_redacted`] show every resolved
/// secret as `<secret:NAME>`; the accessors return what is sent.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    method: HttpMethod,
    url: RequestText,
    headers: Vec<(String, RequestText)>,
    body: Option<RequestText>,
}

impl HttpRequest {
    /// Assembles a request. Refuses a URL path value `.` or `..` (see
    /// [`RequestText::push_url_arg`]) and a header value with CR, LF or another
    /// control character (after secrets are inserted), naming the header but never
    /// its value.
    pub fn new(
        method: HttpMethod,
        url: RequestText,
        headers: Vec<(String, RequestText)>,
        body: Option<RequestText>,
    ) -> Result<Self, InvokeError> {
        if let Some(arg) = &url.dot_segment {
            return Err(InvokeError::DotSegment { arg: arg.clone() });
        }
        if let Some((arg, reason)) = &url.bad_authority {
            return Err(InvokeError::UrlAuthority {
                arg: arg.clone(),
                reason,
            });
        }
        for (name, value) in &headers {
            if !check_header_value(value.as_str()) {
                return Err(InvokeError::HeaderValue {
                    header: name.clone(),
                });
            }
        }
        Ok(HttpRequest {
            method,
            url,
            headers,
            body,
        })
    }

    /// The method.
    pub fn method(&self) -> HttpMethod {
        self.method
    }

    /// The URL to send.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// The headers to send, in manifest order.
    pub fn headers(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The value of the first header named `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body to send, if the manifest has a `body_template`.
    pub fn body(&self) -> Option<&str> {
        self.body.as_ref().map(RequestText::as_str)
    }

    /// The URL with secrets shown as `<secret:NAME>`.
    pub fn redacted_url(&self) -> &str {
        self.url.redacted()
    }

    /// The headers with secrets shown as `<secret:NAME>`.
    pub fn redacted_headers(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        self.headers.iter().map(|(n, v)| (n.as_str(), v.redacted()))
    }

    /// The body with secrets shown as `<secret:NAME>`.
    pub fn redacted_body(&self) -> Option<&str> {
        self.body.as_ref().map(RequestText::redacted)
    }

    /// Whether any resolved secret is part of the request.
    pub fn has_secrets(&self) -> bool {
        self.url.has_secret()
            || self.headers.iter().any(|(_, v)| v.has_secret())
            || self.body.as_ref().is_some_and(RequestText::has_secret)
    }

    /// Every secret in the request: its value and each encoded form it was sent
    /// in (never shown; for scrubbing a server's echo of it from what is shown).
    pub fn secret_texts(&self) -> impl Iterator<Item = &str> + '_ {
        std::iter::once(&self.url)
            .chain(self.headers.iter().map(|(_, v)| v))
            .chain(self.body.iter())
            .flat_map(|t| t.secret_texts.iter().map(String::as_str))
    }

    /// `{"method", "url", "headers": {name: value}, "body": text|null}` with secrets
    /// shown as `<secret:NAME>`.
    pub fn to_json_redacted(&self) -> serde_json::Value {
        let headers: serde_json::Map<String, serde_json::Value> = self
            .redacted_headers()
            .map(|(n, v)| (n.to_owned(), serde_json::Value::from(v)))
            .collect();
        serde_json::json!({
            "method": self.method.as_str(),
            "url": self.redacted_url(),
            "headers": headers,
            "body": self.redacted_body(),
        })
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method.as_str())
            .field("url", &self.url)
            .field("headers", &self.headers)
            .field("body", &self.body)
            .finish()
    }
}

/// `METHOD URL`, one `Name: value` line per header, and the body after a blank
/// line; secrets shown as `<secret:NAME>`.
impl fmt::Display for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method.as_str(), self.redacted_url())?;
        for (name, value) in self.redacted_headers() {
            write!(f, "\n{name}: {value}")?;
        }
        if let Some(body) = self.redacted_body() {
            write!(f, "\n\n{body}")?;
        }
        Ok(())
    }
}

/// Whether an HTTP status counts as success: a status in `error_status` never does;
/// otherwise membership in `success_status` when it is non-empty, else any 2xx.
pub fn http_success(spec: &HttpSpec, status: u16) -> bool {
    if spec.error_status.contains(&status) {
        return false;
    }
    if spec.success_status.is_empty() {
        (200..=299).contains(&status)
    } else {
        spec.success_status.contains(&status)
    }
}
