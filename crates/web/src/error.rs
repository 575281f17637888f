//! Errors as HTTP answers. The API answers JSON `{"error": {code, message, fields}}`; pages
//! answer a page in the user's language. Internals are logged, never shown.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use shishi_service::{FieldError, ServiceError};

use crate::i18n::Lang;

pub fn status_of(e: &ServiceError) -> StatusCode {
    match e {
        ServiceError::NotFound => StatusCode::NOT_FOUND,
        ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
        ServiceError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        ServiceError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
        ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::Refused(_) | ServiceError::Conflict(_) => StatusCode::CONFLICT,
        ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

pub fn code_of(e: &ServiceError) -> &'static str {
    match e {
        ServiceError::NotFound => "not_found",
        ServiceError::Forbidden(_) => "forbidden",
        ServiceError::Unauthenticated(_) => "unauthenticated",
        ServiceError::Throttled(_) => "throttled",
        ServiceError::Invalid(_) => "invalid",
        ServiceError::Refused(_) => "refused",
        ServiceError::Conflict(_) => "conflict",
        ServiceError::Internal(_) => "internal",
    }
}

pub fn log_internal(e: &ServiceError) {
    if let ServiceError::Internal(detail) = e {
        tracing::error!(%detail, "internal error");
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// `not_found`, `forbidden`, `unauthenticated`, `throttled`, `invalid`, `refused`,
    /// `conflict` or `internal`; for a request the server could not read: `bad_request`
    /// (malformed JSON or URL), `unsupported_media_type`, `too_large`, `method_not_allowed`.
    pub code: String,
    /// A sentence in the caller's language (Accept-Language or the language cookie).
    pub message: String,
    /// For `invalid`: each field and what is wrong with it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldMessage>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldMessage {
    pub field: String,
    pub code: String,
    pub message: String,
}

pub struct ApiError {
    error: ServiceError,
    lang: Lang,
    /// The page form whose labels name the fields, where one does.
    form: Option<&'static str>,
}

impl ApiError {
    pub fn new(error: ServiceError, lang: Lang) -> ApiError {
        ApiError {
            error,
            lang,
            form: None,
        }
    }

    pub fn in_form(mut self, form: &'static str) -> ApiError {
        self.form = Some(form);
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        log_internal(&self.error);
        let fields = match &self.error {
            ServiceError::Invalid(list) => field_messages_in(self.form, list, self.lang),
            _ => vec![],
        };
        let mut response = json_error(
            status_of(&self.error),
            code_of(&self.error),
            self.lang.error_in(self.form, &self.error),
            fields,
        );
        if let ServiceError::Throttled(seconds) = self.error {
            crate::limit::retry_after(response.headers_mut(), seconds);
        }
        response
    }
}

/// The one shape of every API error, whoever raises it: a handler, an extractor, the router.
pub fn json_error(
    status: StatusCode,
    code: &str,
    message: String,
    fields: Vec<FieldMessage>,
) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.into(),
            message,
            fields,
        },
    };
    (status, Json(body)).into_response()
}

/// Each field error worded in the caller's language.
pub fn field_messages(errors: &[FieldError], lang: Lang) -> Vec<FieldMessage> {
    field_messages_in(None, errors, lang)
}

/// Each field error worded in the caller's language, named as `form` labels the field.
pub fn field_messages_in(
    form: Option<&str>,
    errors: &[FieldError],
    lang: Lang,
) -> Vec<FieldMessage> {
    errors
        .iter()
        .map(|f| FieldMessage {
            field: f.field.clone(),
            code: f.code.clone(),
            message: lang.field_error_in(form, f),
        })
        .collect()
}

// The page form of an error, for whatever answers a browser (pages, and request readers
// that refuse before a page handler runs).
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    lang: Lang,
    title: String,
    message: String,
    status: u16,
    _p: std::marker::PhantomData<&'a ()>,
}

/// An error page with its status and one sentence, in the person's language.
pub fn error_page(lang: Lang, status: StatusCode, message: &str) -> Response {
    let page = ErrorPage {
        lang,
        title: lang.t(&format!("http.{}", status.as_u16())),
        message: message.to_string(),
        status: status.as_u16(),
        _p: std::marker::PhantomData,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, message.to_string()).into_response(),
    }
}
