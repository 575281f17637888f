//! Every API error in one shape, whoever raised it, and the OpenAPI document saying so.
//!
//! Handlers and our extractors already answer `{"error": …}`; what is left is what the router
//! and axum's own extractors answer in plain text (an unknown path, a method the path does not
//! take, an id in the path that is not a number). [`json_errors`] rewrites those under `/api/`,
//! and [`document_request_errors`] adds to every operation the statuses that the extractors
//! and the router can answer, so that a client (or a fuzzer) finds each of them documented.

use axum::extract::{FromRequestParts, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};

use crate::error::json_error;
use crate::i18n::Lang;

/// Middleware: an error answer under `/api/` that is not JSON becomes the JSON error body.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let api = crate::input::is_api(&parts);
    let lang = Lang::from_request_parts(&mut parts, &())
        .await
        .unwrap_or_default();
    let res = next.run(Request::from_parts(parts, body)).await;
    let status = res.status();
    if !api || !(status.is_client_error() || status.is_server_error()) || is_json(&res) {
        return res;
    }
    let code = match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthenticated",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid",
        StatusCode::TOO_MANY_REQUESTS => "throttled",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    let key = format!("http.{}", status.as_u16());
    let message = match lang.t(&key) {
        m if m == key => lang.t("http.400"),
        m => m,
    };
    let mut out = json_error(status, code, message, vec![]);
    // Keep what tells the client how to go on (Allow on a 405, Retry-After on a 429).
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = res.headers().get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
}

fn is_json(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v: &HeaderValue| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// The statuses a request can meet before (or around) its handler, by what it carries.
pub fn document_request_errors(doc: &mut utoipa::openapi::OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let ops = [
            item.get.as_mut(),
            item.put.as_mut(),
            item.post.as_mut(),
            item.delete.as_mut(),
            item.patch.as_mut(),
        ];
        for op in ops.into_iter().flatten() {
            document_operation(op);
        }
    }
}

fn document_operation(op: &mut Operation) {
    let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let has_body = op.request_body.is_some();
    let public = op
        .security
        .as_ref()
        .is_some_and(|s| s.iter().any(|r| r == &Default::default()));
    let mut add = |status: StatusCode, why: &str| {
        let key = status.as_u16().to_string();
        if op.responses.responses.contains_key(&key) {
            return;
        }
        let response = ResponseBuilder::new()
            .description(why)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build();
        op.responses.responses.insert(key, response.into());
    };
    if has_params || has_body {
        add(
            StatusCode::BAD_REQUEST,
            "The request could not be read: a malformed JSON body, or a path or query value of the wrong kind.",
        );
        add(
            StatusCode::UNPROCESSABLE_ENTITY,
            "A value is missing, of the wrong kind or holds a control character; `fields` names each.",
        );
    }
    if has_params {
        add(
            StatusCode::NOT_FOUND,
            "Not found, or outside the caller's scope.",
        );
    }
    if has_body {
        add(
            StatusCode::PAYLOAD_TOO_LARGE,
            "The body is larger than the route takes (256 KB for JSON and forms).",
        );
        add(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "The body is not of the media type the route takes.",
        );
    }
    if !public {
        add(
            StatusCode::UNAUTHORIZED,
            "Not signed in, or the token or session is invalid.",
        );
        add(
            StatusCode::FORBIDDEN,
            "Not the caller's to do, or a change sent with the session cookie but without its CSRF token.",
        );
    }
}
