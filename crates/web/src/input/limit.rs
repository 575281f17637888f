//! How much a request may send. A form or a JSON body carries a few fields of text, so it gets
//! kilobytes; only a file (a multipart upload of evidence or an attachment, a workbook posted
//! to the import API) gets megabytes.
//! The limit is set by the body's media type before any route runs, so no handler can forget
//! it, and an over-long body is refused as it arrives instead of after it is held in memory.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{LengthLimitError, Limited};

use super::Rejection;
use crate::i18n::Lang;

/// A JSON body or a form: the largest legitimate one (a symposium's batch of demands, each up
/// to 4,000 characters) stays well below.
pub const FORM_BYTES: usize = 256 * 1024;
/// One text field of a multipart form.
pub const TEXT_FIELD_BYTES: usize = 64 * 1024;
/// A multipart upload: the most files an entry takes at their largest, and the form around them.
pub const UPLOAD_BYTES: usize = shishi_service::files::MAX_FILES_PER_ENTRY
    * shishi_service::files::MAX_FILE_BYTES
    + 1024 * 1024;

/// The body limit for this request, by media type: a file (a multipart form, or a workbook
/// posted as it is) gets the upload limit, any other body the form limit.
fn limit_for(parts: &Parts) -> usize {
    let media = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let file = media == "multipart/form-data"
        || media == "application/octet-stream"
        || media.starts_with("application/vnd.openxmlformats-officedocument.")
        || media == "application/vnd.ms-excel";
    if file { UPLOAD_BYTES } else { FORM_BYTES }
}

/// Middleware: a declared length above the limit is refused at once; any other body is cut
/// off where it passes the limit, which its reader answers with 413.
pub async fn limit_body(req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let limit = limit_for(&parts);
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        let lang = Lang::from_request_parts(&mut parts, &())
            .await
            .unwrap_or_default();
        return unreadable(&parts, lang, StatusCode::PAYLOAD_TOO_LARGE).into_response();
    }
    let body = Body::new(Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}

/// Reads a whole body; `Err` is the status to answer: 413 past the limit, 400 when the
/// client broke off.
pub(crate) async fn read_body(body: Body) -> Result<Bytes, StatusCode> {
    axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|e| status_of_body_error(&e))
}

/// 413 when the error comes from the limit, 400 otherwise.
pub(crate) fn status_of_body_error(e: &(dyn std::error::Error + 'static)) -> StatusCode {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<LengthLimitError>() {
            return StatusCode::PAYLOAD_TOO_LARGE;
        }
        source = err.source();
    }
    StatusCode::BAD_REQUEST
}

/// The rejection of a body that could not be read.
pub(crate) fn unreadable(parts: &Parts, lang: Lang, status: StatusCode) -> Rejection {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        let limit = limit_for(parts);
        Rejection::request(
            parts,
            lang,
            status,
            "too_large",
            lang.tp("error.body_too_large", &human_size(limit)),
        )
    } else {
        Rejection::request(
            parts,
            lang,
            StatusCode::BAD_REQUEST,
            "bad_request",
            lang.t("error.body_broken"),
        )
    }
}

fn human_size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MB", bytes / 1024 / 1024)
    } else {
        format!("{} KB", bytes / 1024)
    }
}
