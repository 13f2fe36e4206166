//! Sending one checked request: the shared client, redirects hop by hop, the
//! response body read up to its cap.

use super::guard::{Denied, Guard, GuardedResolver, ResolveError, UrlRefusal};
use cladgen_core::invoke::HttpRequest;
use cladgen_core::model::HttpMethod;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use std::fmt::Write as _;
use std::sync::Arc;
use tokio::time::Instant;

/// Redirects followed at most; the next one is an error.
pub(crate) const MAX_REDIRECTS: usize = 5;

/// Response headers whose values are never shown (credentials the server hands out).
const HIDDEN_RESPONSE_HEADERS: [&str; 4] = [
    "set-cookie",
    "set-cookie2",
    "authorization",
    "proxy-authorization",
];

/// Request headers dropped when a redirect leaves the origin.
const CREDENTIAL_HEADERS: [&str; 4] = ["authorization", "cookie", "cookie2", "proxy-authorization"];

/// The client every `[http]` call of one runner uses: connections are pooled and
/// reused. Names resolve through the guard; environment proxies are ignored (a
/// proxy would resolve and connect on our behalf, past the guard); redirects are
/// followed by [`send`] itself, hop by hop.
pub(crate) fn build_client(guard: &Guard) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .dns_resolver(Arc::new(GuardedResolver(guard.clone())))
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("cladgen/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {}", error_chain(&e)))
}

/// A response whose head arrived (after any redirects followed).
pub(crate) struct Arrived {
    pub response: reqwest::Response,
    /// `HTTP/1.1 200 OK` and the response headers, credentials hidden.
    pub head: String,
    /// Redirects followed to get here.
    pub redirects: usize,
}

/// Why no response head arrived.
#[derive(Debug)]
pub(crate) enum SendFailure {
    /// The guard refused the first hop: nothing was sent.
    Refused(Denied),
    /// A redirect was not followed (guard, scheme, cap, secrets leaving the origin).
    Redirect {
        /// Why.
        message: String,
        /// The 3xx response's head.
        head: String,
    },
    /// The request failed (connect, TLS, protocol); something may have been sent.
    Failed(String),
}

/// Sends `request`, following up to [`MAX_REDIRECTS`] redirects, each re-checked,
/// until `deadline`. Never follows a redirect that downgrades https to http, and
/// never one leaving the origin when the request carries secrets.
pub(crate) async fn send(
    client: &reqwest::Client,
    guard: &Guard,
    request: &HttpRequest,
    first: Url,
    deadline: Instant,
) -> Result<Arrived, SendFailure> {
    let origin = first.clone();
    let mut url = first;
    let mut method = method_of(request.method());
    let mut headers = header_map(request).map_err(SendFailure::Failed)?;
    let mut body = request.body().map(str::to_owned);
    let mut redirects = 0;
    // The head of the last redirect response, shown when the next hop fails.
    let mut last_head: Option<String> = None;
    loop {
        let mut builder = client
            .request(method.clone(), url.clone())
            .headers(headers.clone())
            .timeout(deadline.saturating_duration_since(Instant::now()));
        if let Some(b) = &body {
            builder = builder.body(b.clone());
        }
        let response = match builder.send().await {
            Ok(r) => r,
            Err(e) => {
                return Err(match (&last_head, denied_in(&e)) {
                    (None, Some(d)) => SendFailure::Refused(d),
                    (Some(head), Some(d)) => SendFailure::Redirect {
                        message: format!("the redirect to {url} was not followed: {d}"),
                        head: head.clone(),
                    },
                    _ => SendFailure::Failed(error_message(e, redirects)),
                });
            }
        };
        let head = response_head(&response);
        last_head = Some(head.clone());
        let status = response.status();
        let Some(location) = redirect_target(&response) else {
            return Ok(Arrived {
                response,
                head,
                redirects,
            });
        };
        let refuse = |message: String| SendFailure::Redirect {
            message,
            head: head.clone(),
        };
        let next = url.join(&location).map_err(|e| {
            refuse(format!(
                "the redirect target {location:?} is not a URL: {e}"
            ))
        })?;
        if redirects >= MAX_REDIRECTS {
            return Err(refuse(format!(
                "more than {MAX_REDIRECTS} redirects; the last one (to {next}) was not followed"
            )));
        }
        if url.scheme() == "https" && next.scheme() == "http" {
            return Err(refuse(format!(
                "the redirect to {next} downgrades https to http; not followed"
            )));
        }
        guard.check_url(&next).map_err(|r| {
            refuse(match r {
                UrlRefusal::Denied(d) => format!("the redirect to {next} was not followed: {d}"),
                other => format!("the redirect to {next} was not followed: {other}"),
            })
        })?;
        let same_origin = next.origin() == origin.origin();
        if !same_origin && request.has_secrets() {
            return Err(refuse(format!(
                "the redirect to {next} leaves the origin {} and the request carries secrets; not followed",
                origin.origin().ascii_serialization()
            )));
        }
        if !same_origin {
            for h in CREDENTIAL_HEADERS {
                headers.remove(h);
            }
        }
        // 301/302/303 turn into a GET without a body (HEAD stays HEAD), as browsers
        // and curl do; 307/308 repeat the method and body.
        if matches!(
            status,
            StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND | StatusCode::SEE_OTHER
        ) && method != Method::HEAD
        {
            method = Method::GET;
            body = None;
            headers.remove(reqwest::header::CONTENT_TYPE);
            headers.remove(reqwest::header::CONTENT_LENGTH);
        }
        redirects += 1;
        url = next;
    }
}

/// The `Location` of a redirect response (301, 302, 303, 307, 308), if any.
fn redirect_target(response: &reqwest::Response) -> Option<String> {
    let redirect = matches!(
        response.status(),
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    );
    if !redirect {
        return None;
    }
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn method_of(m: HttpMethod) -> Method {
    match m {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Delete => Method::DELETE,
        HttpMethod::Patch => Method::PATCH,
        HttpMethod::Head => Method::HEAD,
    }
}

/// The manifest's headers, in order; a value is marked sensitive (hyper never logs
/// it) when it carries a secret. Errors name the header, never its value.
fn header_map(request: &HttpRequest) -> Result<HeaderMap, String> {
    let mut map = HeaderMap::new();
    let secret_headers: Vec<(&str, &str)> = request.redacted_headers().collect();
    for (i, (name, value)) in request.headers().enumerate() {
        let n = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("header name {name:?} is not a valid HTTP header name"))?;
        let mut v = HeaderValue::from_str(value).map_err(|_| {
            format!("the value of header '{name}' is not a valid HTTP header value")
        })?;
        if secret_headers
            .get(i)
            .is_some_and(|(_, shown)| *shown != value)
        {
            v.set_sensitive(true);
        }
        map.append(n, v);
    }
    Ok(map)
}

/// `HTTP/1.1 200 OK` and `name: value` lines; credential values hidden.
pub(crate) fn response_head(response: &reqwest::Response) -> String {
    let status = response.status();
    let mut out = format!(
        "{:?} {} {}",
        response.version(),
        status.as_str(),
        status.canonical_reason().unwrap_or("")
    )
    .trim_end()
    .to_owned();
    for (name, value) in response.headers() {
        let shown = if HIDDEN_RESPONSE_HEADERS.contains(&name.as_str()) {
            "<hidden>".into()
        } else {
            String::from_utf8_lossy(value.as_bytes())
        };
        let _ = write!(out, "\n{name}: {shown}");
    }
    out
}

/// The guard's refusal inside a reqwest error, if that is why it failed.
fn denied_in(e: &reqwest::Error) -> Option<Denied> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(ResolveError::Denied(d)) = s.downcast_ref::<ResolveError>() {
            return Some(d.clone());
        }
        source = s.source();
    }
    None
}

/// The error and its causes, without the request URL (it may carry a secret; the
/// envelope's `command` shows it redacted).
fn error_message(e: reqwest::Error, redirects: usize) -> String {
    let hop = if redirects > 0 {
        e.url().map(|u| format!(" (redirect {redirects}, to {u})"))
    } else {
        None
    };
    let e = e.without_url();
    let what = if e.is_timeout() {
        "the request timed out".to_owned()
    } else if e.is_connect() {
        "cannot connect".to_owned()
    } else {
        "the request failed".to_owned()
    };
    format!("{what}{}: {}", hop.unwrap_or_default(), error_chain(&e))
}

/// `error: cause: cause`, repeated texts skipped.
pub(crate) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}
