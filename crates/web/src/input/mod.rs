//! Reading what a request sends, in one place for every route: JSON bodies, forms, query
//! strings, the `Idempotency-Key` header and the size of a body. Each extractor applies the
//! text rule of `shishi_core::text` (no control characters) to every value before anything is
//! deserialised, and every rejection names the field it is about and answers in the caller's
//! shape: the JSON error body under `/api/`, an error page elsewhere.

mod idempotency;
mod json;
mod limit;
mod multipart;
mod urlencoded;

use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use shishi_service::{FieldError, ServiceError};

use crate::error::{field_messages, json_error};
use crate::i18n::Lang;

pub use idempotency::IdempotencyKey;
pub use json::Json;
pub use limit::{UPLOAD_BYTES, limit_body};
pub use multipart::read_multipart;
pub use urlencoded::{Form, Query};

/// A request refused before a handler runs.
pub struct Rejection {
    status: StatusCode,
    code: &'static str,
    problem: Problem,
    lang: Lang,
    api: bool,
}

enum Problem {
    /// Bad values, each named.
    Fields(Vec<FieldError>),
    /// Something about the request as a whole, by message key.
    Request(String),
}

impl Rejection {
    fn new(
        parts: &Parts,
        lang: Lang,
        status: StatusCode,
        code: &'static str,
        problem: Problem,
    ) -> Self {
        Rejection {
            status,
            code,
            problem,
            lang,
            api: is_api(parts),
        }
    }

    /// Fields that cannot be taken as they are (422).
    pub(crate) fn fields(parts: &Parts, lang: Lang, errors: Vec<FieldError>) -> Self {
        Self::new(
            parts,
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            Problem::Fields(errors),
        )
    }

    /// The request itself is unreadable (400, 413, 415), said by a message key.
    pub(crate) fn request(
        parts: &Parts,
        lang: Lang,
        status: StatusCode,
        code: &'static str,
        message: String,
    ) -> Self {
        Self::new(parts, lang, status, code, Problem::Request(message))
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let (message, fields) = match self.problem {
            Problem::Fields(list) => {
                let message = self.lang.error(&ServiceError::Invalid(list.clone()));
                (message, field_messages(&list, self.lang))
            }
            Problem::Request(message) => (message, vec![]),
        };
        if self.api {
            json_error(self.status, self.code, message, fields)
        } else {
            crate::error::error_page(self.lang, self.status, &message)
        }
    }
}

/// Whether the request is for the JSON API; nesting strips `/api/v1` from the URI, the
/// original keeps it.
pub(crate) fn is_api(parts: &Parts) -> bool {
    path_of(parts).starts_with("/api/")
}

pub(crate) fn path_of(parts: &Parts) -> String {
    parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map(|u| u.0.path().to_string())
        .unwrap_or_else(|| parts.uri.path().to_string())
}

/// The text rule over one named value.
pub(crate) fn check_text(field: &str, value: &str, errors: &mut Vec<FieldError>) {
    if let Some((at, _)) = shishi_core::text::forbidden_char(value) {
        errors.push(FieldError::with(
            &printable(field),
            "error.control_char",
            at,
        ));
    }
}

/// A field name fit to show: its own control characters replaced.
fn printable(field: &str) -> String {
    field
        .chars()
        .map(|c| {
            if shishi_core::text::is_clean(&c.to_string()) {
                c
            } else {
                '?'
            }
        })
        .collect()
}

/// A deserialisation failure named by its path, as a field error: a missing member is
/// "required", anything else "not a valid value".
pub(crate) fn deserialize_error(path: &str, message: &str) -> FieldError {
    let at = |name: &str| {
        if path.is_empty() || path == "." {
            name.to_string()
        } else {
            format!("{path}.{name}")
        }
    };
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or("");
        return FieldError::new(&printable(&at(name)), "error.required");
    }
    let field = if path.is_empty() || path == "." {
        "body"
    } else {
        path
    };
    if message.starts_with("invalid type: null") {
        return FieldError::new(&printable(field), "error.required");
    }
    FieldError::new(&printable(field), "error.invalid_value")
}
