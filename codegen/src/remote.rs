//! `[http]` and `[mcp]`: request builders over the typed fields.
//!
//! The same `RequestText` calls as the dynamic path, so both encode values for the
//! URL part they land in, JSON-escape body values and redact secrets alike. An absent
//! optional argument adds nothing to a URL or header and is `null` in a JSON value
//! slot.

use crate::Gen;
use crate::args::ArgSet;
use crate::literal::Emitter;
use cladgen_core::model::{BodyPiece, HttpSpec, JsonSlot, McpSpec, TextPiece, UrlPart};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

fn part(g: &Gen, p: UrlPart) -> TokenStream {
    Emitter::new(g.rt.clone()).url_part(p)
}

fn slot(g: &Gen, s: JsonSlot) -> TokenStream {
    Emitter::new(g.rt.clone()).json_slot(s)
}

/// Statements pushing `pieces` onto the `RequestText` named `target`.
fn text_pieces(
    g: &Gen,
    set: &ArgSet<'_>,
    target: &proc_macro2::Ident,
    pieces: &[TextPiece],
) -> TokenStream {
    pieces
        .iter()
        .map(|p| match p {
            TextPiece::Lit(s) => {
                let s = s.as_ref();
                quote!(#target.push_lit(#s);)
            }
            TextPiece::Arg { arg, part: pt } => {
                let f = &set.fields[*arg];
                let id = &f.ident;
                let name = set.args[*arg].name.as_ref();
                let pt = part(g, *pt);
                if f.optional {
                    quote! {
                        if let __rt::Some(v) = &self.#id {
                            #target.push_url_arg(#name, &__rt::ToString::to_string(v), #pt);
                        }
                    }
                } else {
                    quote!(#target.push_url_arg(#name, &__rt::ToString::to_string(&self.#id), #pt);)
                }
            }
            TextPiece::Secret { name, part: pt } => {
                let name = name.as_ref();
                let pt = part(g, *pt);
                quote!(#target.push_url_secret(#name, &secrets.resolve(#name)?, #pt);)
            }
        })
        .collect()
}

/// `http_request()` for an `[http]` tool.
pub fn http_items(g: &Gen, set: &ArgSet<'_>, h: &HttpSpec) -> TokenStream {
    let ty = &set.ty;
    let url_id = format_ident!("url");
    let url = text_pieces(g, set, &url_id, &h.url);
    let headers = h.headers.iter().map(|hd| {
        let name = hd.name.as_ref();
        let v = format_ident!("value");
        let pushes = text_pieces(g, set, &v, &hd.value);
        quote! {
            {
                let mut value = __rt::RequestText::new();
                #pushes
                headers.push((__rt::String::from(#name), value));
            }
        }
    });
    let body = match &h.body {
        None => quote!(let body = __rt::None;),
        Some(b) => {
            let pushes = b.pieces.iter().map(|p| match p {
                BodyPiece::Lit(s) => {
                    let s = s.as_ref();
                    quote!(body.push_lit(#s);)
                }
                BodyPiece::Arg { arg, slot: sl } => {
                    let f = &set.fields[*arg];
                    let id = &f.ident;
                    let sl = slot(g, *sl);
                    let push = quote! {
                        body.push_body_value(
                            &__rt::ToString::to_string(v),
                            &__rt::ArgValue::to_json(v),
                            #sl,
                        );
                    };
                    if f.optional {
                        quote! {
                            match &self.#id {
                                __rt::Some(v) => { #push }
                                __rt::None => body.push_body_absent(#sl),
                            }
                        }
                    } else {
                        quote!({ let v = &self.#id; #push })
                    }
                }
                BodyPiece::Secret { name, slot: sl } => {
                    let name = name.as_ref();
                    let sl = slot(g, *sl);
                    quote!(body.push_body_secret(#name, &secrets.resolve(#name)?, #sl);)
                }
            });
            quote! {
                let mut body = __rt::RequestText::new();
                #(#pushes)*
                let body = __rt::Some(body);
            }
        }
    };
    // Without a secret in the request the resolver is unused; the parameter stays
    // (every `http_request` has one signature), so mark it used.
    let is_secret = |p: &TextPiece| matches!(p, TextPiece::Secret { .. });
    let uses_secrets = h.url.iter().any(is_secret)
        || h.headers.iter().any(|hd| hd.value.iter().any(is_secret))
        || h.body.as_ref().is_some_and(|b| {
            b.pieces
                .iter()
                .any(|p| matches!(p, BodyPiece::Secret { .. }))
        });
    let unused = if uses_secrets {
        quote!(let _ = ctx;)
    } else {
        quote!(let _ = (ctx, secrets);)
    };
    let method = format_ident!("{}", crate::names::pascal(h.method.as_str()));
    let source = h.url_source.as_ref();
    let doc = crate::doc_lines(&format!(
        "The HTTP request of this call: {}.\n\nValues are percent-encoded for the URL part they land in, JSON-escaped in a JSON body; header values cannot contain CR or LF. Secrets come from `secrets` and are redacted in `Debug`.",
        crate::code_span(&format!("{} {}", h.method.as_str(), source))
    ));
    quote! {
        impl #ty {
            #doc
            pub fn http_request(
                &self,
                ctx: &__rt::ExecContext,
                secrets: &dyn __rt::SecretResolver,
            ) -> __rt::Result<__rt::HttpRequest, __rt::InvokeError> {
                #unused
                let mut url = __rt::RequestText::new();
                #url
                let mut headers: __rt::Vec<(__rt::String, __rt::RequestText)> = __rt::Vec::new();
                #(#headers)*
                #body
                __rt::HttpRequest::new(__rt::HttpMethod::#method, url, headers, body)
            }
        }
    }
}

/// `mcp_arguments()` for an `[mcp]` proxy tool.
pub fn mcp_items(set: &ArgSet<'_>, x: &McpSpec) -> TokenStream {
    let ty = &set.ty;
    let inserts = x.fields.iter().map(|mf| {
        let f = &set.fields[mf.arg];
        let id = &f.ident;
        let name = mf.name.as_ref();
        if f.optional {
            quote! {
                if let __rt::Some(v) = &self.#id {
                    map.insert(#name.into(), __rt::ArgValue::to_json(v));
                }
            }
        } else {
            quote!(map.insert(#name.into(), __rt::ArgValue::to_json(&self.#id));)
        }
    });
    let (server, tool) = (x.server.as_ref(), x.tool.as_ref());
    quote! {
        impl #ty {
            /// Upstream MCP server of this proxy tool.
            pub const MCP_SERVER: &'static str = #server;
            /// Upstream MCP tool name.
            pub const MCP_TOOL: &'static str = #tool;

            /// The arguments for the upstream tool: typed JSON values (numbers and
            /// booleans as JSON scalars) under their `[mcp.field_map]` names; absent
            /// optional arguments omitted.
            pub fn mcp_arguments(&self) -> __rt::Map<__rt::String, __rt::Value> {
                let mut map = __rt::Map::new();
                #(#inserts)*
                map
            }
        }
    }
}
