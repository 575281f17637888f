//! Errors as HTTP answers. The API answers JSON `{"error": {code, message, fields}}`; pages
//! answer a page in the user's language. Internals are logged, never shown.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
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
    /// `conflict` or `internal`.
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
}

impl ApiError {
    pub fn new(error: ServiceError, lang: Lang) -> ApiError {
        ApiError { error, lang }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        log_internal(&self.error);
        let fields = match &self.error {
            ServiceError::Invalid(list) => list
                .iter()
                .map(|f: &FieldError| FieldMessage {
                    field: f.field.clone(),
                    code: f.code.clone(),
                    message: self.lang.field_error(f),
                })
                .collect(),
            _ => vec![],
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: code_of(&self.error).into(),
                message: self.lang.error(&self.error),
                fields,
            },
        };
        let mut response = (status_of(&self.error), Json(body)).into_response();
        if let ServiceError::Throttled(seconds) = self.error {
            crate::limit::retry_after(response.headers_mut(), seconds);
        }
        response
    }
}
