//! The dynamic path for `[http]` and `[mcp]`: encoding, header checks, JSON bodies,
//! secret redaction, MCP arguments; on hand-built manifest models.

use crate::invoke_util;

use cladgen_core::invoke::{
    Call, ExecContext, HttpRequest, InvokeError, MapSecrets, PlaceholderSecrets, RequestText,
    SecretError, http_success,
};
use cladgen_core::model::*;
use cladgen_core::value::ParseOptions;
use invoke_util::*;
use serde_json::json;
use std::borrow::Cow;

const OPTS: ParseOptions = ParseOptions::DEFAULT;
const TOKEN: &str = "s3cr3t-T0ken\"\\";

fn ctx() -> ExecContext {
    ExecContext::new("scan-1", "/ev")
}

fn tlit(t: &'static str) -> TextPiece {
    TextPiece::Lit(Cow::Borrowed(t))
}

fn targ(arg: usize, part: UrlPart) -> TextPiece {
    TextPiece::Arg { arg, part }
}

fn blit(t: &'static str) -> BodyPiece {
    BodyPiece::Lit(Cow::Borrowed(t))
}

fn barg(arg: usize, slot: JsonSlot) -> BodyPiece {
    BodyPiece::Arg { arg, slot }
}

/// `POST https://api.example/v1/items/{id}?q={q}&page={page}#{frag}` with an
/// `Authorization: Bearer {_secret:api_token}` header and a JSON body.
fn api() -> Manifest {
    manifest(
        "api_call",
        vec![
            arg("id", TypeKind::String).required(),
            arg("q", TypeKind::String),
            arg("page", TypeKind::Integer).default_to(Scalar::Integer(1)),
            arg("frag", TypeKind::String),
            arg("title", TypeKind::String).required(),
            arg("score", TypeKind::Number),
            arg("public", TypeKind::Boolean).default_to(Scalar::Boolean(false)),
            arg("severity", TypeKind::Enum).allowed(&["low", "high"]),
        ],
        Backend::Http(HttpSpec {
            method: HttpMethod::Post,
            url_source: Cow::Borrowed("(hand-built)"),
            url: Cow::Owned(vec![
                tlit("https://api.example/v1/items/"),
                targ(0, UrlPart::Path),
                tlit("?q="),
                targ(1, UrlPart::Query),
                tlit("&page="),
                targ(2, UrlPart::Query),
                tlit("#"),
                targ(3, UrlPart::Fragment),
            ]),
            headers: Cow::Owned(vec![
                Header {
                    name: Cow::Borrowed("Authorization"),
                    value: Cow::Owned(vec![
                        tlit("Bearer "),
                        TextPiece::Secret {
                            name: Cow::Borrowed("api_token"),
                            part: UrlPart::Header,
                        },
                    ]),
                },
                Header {
                    name: Cow::Borrowed("X-Title"),
                    value: Cow::Owned(vec![targ(4, UrlPart::Header)]),
                },
            ]),
            body: Some(Body {
                source: Cow::Borrowed("(hand-built)"),
                json: true,
                pieces: Cow::Owned(vec![
                    blit("{\"title\": \""),
                    barg(4, JsonSlot::InString),
                    blit("\", \"score\": "),
                    barg(5, JsonSlot::Value),
                    blit(", \"public\": "),
                    barg(6, JsonSlot::Value),
                    blit(", \"severity\": "),
                    barg(7, JsonSlot::Value),
                    blit(", \"page\": "),
                    barg(2, JsonSlot::Value),
                    blit(", \"auth\": \"x"),
                    BodyPiece::Secret {
                        name: Cow::Borrowed("api_token"),
                        slot: JsonSlot::InString,
                    },
                    blit("\"}"),
                ]),
            }),
            success_status: Cow::Borrowed(&[]),
            error_status: Cow::Borrowed(&[]),
        }),
    )
}

fn secrets() -> MapSecrets {
    MapSecrets::new().with("api_token", TOKEN)
}

fn request(args: serde_json::Value) -> Result<HttpRequest, InvokeError> {
    let m = api();
    let call = Call::from_json(&m, &args, &OPTS).unwrap_or_else(|e| panic!("{e}"));
    call.http_request(&ctx(), &secrets())
}

#[test]
fn url_values_are_encoded_for_their_part() {
    // Validated text can hold `#`, `/`, `?`, `=`, `+`, `%` and spaces; none of them
    // can end the path segment or add a query parameter or a fragment.
    let r = request(json!({"id": "a/b c", "q": "x?admin=1+2%#y", "frag": "f/g#h", "title": "t"}))
        .unwrap();
    assert_eq!(
        r.url(),
        "https://api.example/v1/items/a%2Fb%20c?q=x%3Fadmin%3D1%2B2%25%23y&page=1#f%2Fg%23h"
    );
    // `&` never passes a value type (injection set); the building block encodes it
    // anyway.
    let mut text = RequestText::new();
    text.push_lit("?q=");
    text.push_url_value("a&b=c#d/e", UrlPart::Query);
    assert_eq!(text.as_str(), "?q=a%26b%3Dc%23d%2Fe");
    assert_eq!(r.method(), HttpMethod::Post);
    // Absent optional values are empty text.
    let r = request(json!({"id": "7", "title": "t"})).unwrap();
    assert_eq!(r.url(), "https://api.example/v1/items/7?q=&page=1#");
}

#[test]
fn a_dot_segment_in_the_path_is_refused() {
    for id in [".", ".."] {
        assert_eq!(
            request(json!({"id": id, "title": "t"})).unwrap_err(),
            InvokeError::DotSegment {
                arg: Some("id".into())
            }
        );
    }
}

#[test]
fn a_dot_segment_pushed_by_hand_is_refused_too() {
    let mut url = RequestText::new();
    url.push_lit("https://h.example/files/");
    url.push_url_arg("name", "..", UrlPart::Path);
    let e = HttpRequest::new(HttpMethod::Get, url, vec![], None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "argument 'name' cannot be '.' or '..' in a URL path"
    );
    let mut url = RequestText::new();
    url.push_url_value(".", UrlPart::Path);
    assert_eq!(
        HttpRequest::new(HttpMethod::Get, url, vec![], None).unwrap_err(),
        InvokeError::DotSegment { arg: None }
    );
    // Elsewhere in a URL, dots are harmless.
    let mut url = RequestText::new();
    url.push_lit("https://h.example/x?q=");
    url.push_url_arg("q", "..", UrlPart::Query);
    assert!(HttpRequest::new(HttpMethod::Get, url, vec![], None).is_ok());
}

#[test]
fn json_body_stays_valid_with_hostile_strings() {
    let title = "ends with a quote\" and \\ backslash\"";
    let r = request(
        json!({"id": "1", "title": title, "score": 9.5, "public": true, "severity": "high"}),
    )
    .unwrap();
    let body: serde_json::Value = serde_json::from_str(r.body().unwrap()).unwrap();
    assert_eq!(
        body,
        json!({"title": title, "score": 9.5, "public": true, "severity": "high", "page": 1,
               "auth": format!("x{TOKEN}")})
    );
    // Absent optional in value position is `null`.
    let r = request(json!({"id": "1", "title": "t"})).unwrap();
    let body: serde_json::Value = serde_json::from_str(r.body().unwrap()).unwrap();
    assert_eq!(body["score"], serde_json::Value::Null);
    assert_eq!(body["severity"], serde_json::Value::Null);
    assert_eq!(body["public"], json!(false));
}

#[test]
fn secrets_are_sent_but_never_shown() {
    let r = request(json!({"id": "1", "title": "t"})).unwrap();
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert!(r.has_secrets());
    for shown in [
        format!("{r:?}"),
        format!("{r}"),
        r.to_json_redacted().to_string(),
    ] {
        assert!(!shown.contains("s3cr3t"), "secret leaked: {shown}");
        assert!(shown.contains("<secret:api_token>"), "{shown}");
    }
    // The redacted body is still valid JSON.
    let redacted: serde_json::Value = serde_json::from_str(r.redacted_body().unwrap()).unwrap();
    assert_eq!(redacted["auth"], json!("x<secret:api_token>"));
    assert_eq!(
        r.to_json_redacted()["headers"]["Authorization"],
        json!("Bearer <secret:api_token>")
    );
}

#[test]
fn header_values_with_cr_or_lf_are_refused_without_showing_them() {
    let m = api();
    let call = Call::from_json(&m, &json!({"id": "1", "title": "t"}), &OPTS).unwrap();
    let bad = MapSecrets::new().with("api_token", "x\r\nX-Evil: 1");
    let e = call.http_request(&ctx(), &bad).unwrap_err();
    assert_eq!(
        e,
        InvokeError::HeaderValue {
            header: "Authorization".into()
        }
    );
    assert!(!e.to_string().contains("Evil"), "{e}");
    // Building by hand is checked the same way.
    let mut text = RequestText::new();
    text.push_url_value("a\nb", UrlPart::Header);
    assert!(
        HttpRequest::new(
            HttpMethod::Get,
            RequestText::new(),
            vec![("X".into(), text)],
            None
        )
        .is_err()
    );
}

#[test]
fn a_missing_secret_is_an_error() {
    let m = api();
    let call = Call::from_json(&m, &json!({"id": "1", "title": "t"}), &OPTS).unwrap();
    let e = call.http_request(&ctx(), &MapSecrets::new()).unwrap_err();
    assert_eq!(
        e,
        InvokeError::Secret(SecretError::Unknown {
            name: "api_token".into()
        })
    );
}

#[test]
fn plan_shows_the_redacted_request() {
    let m = api();
    let call = Call::from_json(&m, &json!({"id": "1", "title": "t"}), &OPTS).unwrap();
    let plan = call.plan(&ctx(), &PlaceholderSecrets).unwrap().to_json();
    assert_eq!(plan["http"]["method"], json!("POST"));
    assert_eq!(
        plan["http"]["url"],
        json!("https://api.example/v1/items/1?q=&page=1#")
    );
    assert_eq!(
        plan["http"]["headers"],
        json!({"Authorization": "Bearer <secret:api_token>", "X-Title": "t"})
    );
    assert!(plan["http"]["body"].is_string());
    assert!(matches!(
        call.mcp_arguments(),
        Err(InvokeError::WrongBackend { .. })
    ));
}

#[test]
fn success_status_rules() {
    let Backend::Http(mut spec) = api().backend else {
        unreachable!()
    };
    assert!(http_success(&spec, 204));
    assert!(!http_success(&spec, 302));
    spec.success_status = Cow::Owned(vec![201, 302]);
    spec.error_status = Cow::Owned(vec![201]);
    assert!(!http_success(&spec, 201), "error_status is checked first");
    assert!(http_success(&spec, 302));
    assert!(
        !http_success(&spec, 200),
        "only success_status counts when set"
    );
}

#[test]
fn non_json_body_is_raw() {
    let m = manifest(
        "raw",
        vec![arg("msg", TypeKind::String).required()],
        Backend::Http(HttpSpec {
            method: HttpMethod::Put,
            url_source: Cow::Borrowed("x"),
            url: Cow::Owned(vec![tlit("https://h.example/")]),
            headers: Cow::Borrowed(&[]),
            body: Some(Body {
                source: Cow::Borrowed("x"),
                json: false,
                pieces: Cow::Owned(vec![blit("msg="), barg(0, JsonSlot::InString)]),
            }),
            success_status: Cow::Borrowed(&[]),
            error_status: Cow::Borrowed(&[]),
        }),
    );
    let call = Call::from_json(&m, &json!({"msg": "a \"b\""}), &OPTS).unwrap();
    let r = call.http_request(&ctx(), &MapSecrets::new()).unwrap();
    assert_eq!(r.body(), Some("msg=a \"b\""));
    assert!(!r.has_secrets());
}

#[test]
fn mcp_arguments_are_typed_and_renamed() {
    let m = manifest(
        "proxy",
        vec![
            arg("query", TypeKind::String).required(),
            arg("limit", TypeKind::Integer).default_to(Scalar::Integer(10)),
            arg("exact", TypeKind::Boolean),
            arg("port", TypeKind::Port),
            arg("ratio", TypeKind::Number),
        ],
        Backend::Mcp(McpSpec {
            server: Cow::Borrowed("search"),
            tool: Cow::Borrowed("find"),
            fields: Cow::Owned(vec![
                McpField {
                    arg: 0,
                    name: Cow::Borrowed("q"),
                },
                McpField {
                    arg: 1,
                    name: Cow::Borrowed("limit"),
                },
                McpField {
                    arg: 2,
                    name: Cow::Borrowed("exact_match"),
                },
                McpField {
                    arg: 3,
                    name: Cow::Borrowed("port"),
                },
                McpField {
                    arg: 4,
                    name: Cow::Borrowed("ratio"),
                },
            ]),
        }),
    );
    let call = Call::from_json(
        &m,
        &json!({"query": "a b", "exact": "true", "port": "8080", "ratio": 0.5}),
        &OPTS,
    )
    .unwrap();
    let args = serde_json::Value::Object(call.mcp_arguments().unwrap());
    assert_eq!(
        args,
        json!({"q": "a b", "limit": 10, "exact_match": true, "port": 8080, "ratio": 0.5})
    );
    assert_eq!(
        call.plan(&ctx(), &MapSecrets::new()).unwrap().to_json(),
        json!({"mcp": {"server": "search", "tool": "find", "arguments": args}})
    );
    // Absent optional arguments are omitted.
    let call = Call::from_json(&m, &json!({"query": "x"}), &OPTS).unwrap();
    assert_eq!(
        serde_json::Value::Object(call.mcp_arguments().unwrap()),
        json!({"q": "x", "limit": 10})
    );
}

/// `GET https://{host}:{port}/v1` with a `scope_target` host and a `port`.
fn host_port() -> Manifest {
    manifest(
        "host_port",
        vec![
            arg("host", TypeKind::ScopeTarget).required(),
            arg("port", TypeKind::Port).default_to(Scalar::Integer(443)),
        ],
        Backend::Http(HttpSpec {
            method: HttpMethod::Get,
            url_source: Cow::Borrowed("(hand-built)"),
            url: Cow::Owned(vec![
                tlit("https://"),
                targ(0, UrlPart::Authority),
                tlit(":"),
                targ(1, UrlPart::Authority),
                tlit("/v1"),
            ]),
            headers: Cow::Owned(vec![]),
            body: None,
            success_status: Cow::Owned(vec![]),
            error_status: Cow::Owned(vec![]),
        }),
    )
}

#[test]
fn scope_target_in_the_host_must_be_one_host() {
    let m = host_port();
    let send = |host: &str| {
        let call = Call::from_json(&m, &json!({"host": host}), &OPTS)
            .unwrap_or_else(|e| panic!("{host}: {e}"));
        call.http_request(&ctx(), &PlaceholderSecrets)
    };
    assert_eq!(
        send("api.example.com").unwrap().url(),
        "https://api.example.com:443/v1"
    );
    assert_eq!(send("10.0.0.5").unwrap().url(), "https://10.0.0.5:443/v1");
    // A CIDR range would put `/24` in the path; an IPv6 address reads as host:port.
    for host in [
        "10.0.0.0/24",
        "2001:db8::1",
        "::ffff:127.0.0.1",
        "2001:db8::/32",
    ] {
        match send(host) {
            Err(InvokeError::UrlAuthority { arg, reason }) => {
                assert_eq!(arg.as_deref(), Some("host"), "{host}");
                assert!(!reason.is_empty());
            }
            other => panic!("{host}: {other:?}"),
        }
    }
    let e = send("10.0.0.0/24").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("argument 'host' cannot be placed in the URL's host or port: a '/'"),
        "{e}"
    );
    // The whole-URL position (first push) is a `url` value and keeps its own rules.
    let mut url = RequestText::new();
    url.push_url_arg("base", "https://api.example.com/v1?x=1", UrlPart::Authority);
    assert!(HttpRequest::new(HttpMethod::Get, url, vec![], None).is_ok());
    let mut url = RequestText::new();
    url.push_lit("https://");
    url.push_url_value("evil.example@api.example.com", UrlPart::Authority);
    assert!(matches!(
        HttpRequest::new(HttpMethod::Get, url, vec![], None),
        Err(InvokeError::UrlAuthority { arg: None, .. })
    ));
}
