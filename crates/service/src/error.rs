//! What a command can answer besides success. Messages are keys (and parameters) that the
//! front end renders in the user's language; nothing internal leaks through them.

use serde::Serialize;
use shishi_core::Refusal;
use shishi_store::StoreError;

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FieldError {
    /// The form field or JSON member, e.g. `deadline`.
    pub field: String,
    /// A message key, e.g. `error.required`.
    pub code: String,
    /// A value for the message, e.g. the maximum length.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
}

impl FieldError {
    pub fn new(field: &str, code: &str) -> FieldError {
        FieldError {
            field: field.to_string(),
            code: code.to_string(),
            param: None,
        }
    }

    pub fn with(field: &str, code: &str, param: impl ToString) -> FieldError {
        FieldError {
            field: field.to_string(),
            code: code.to_string(),
            param: Some(param.to_string()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Not there, or not in the actor's scope: both look the same from outside.
    #[error("not found")]
    NotFound,
    /// In scope, but not the actor's to do; the key says why.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Not signed in, or the credentials are wrong.
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    /// Too many failed attempts; retry after the given seconds.
    #[error("throttled for {0} s")]
    Throttled(i64),
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("refused: {0}")]
    Refused(Refusal),
    /// A rule of the domain, by key (e.g. `error.unit_has_matters`).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("internal: {0}")]
    Internal(String),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    pub fn field(field: &str, code: &str) -> ServiceError {
        ServiceError::Invalid(vec![FieldError::new(field, code)])
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ServiceError::NotFound,
            StoreError::Duplicate(_) => ServiceError::Conflict("error.duplicate".into()),
            StoreError::Reference(_) => ServiceError::Conflict("error.reference".into()),
            StoreError::Stale => ServiceError::Conflict("error.stale".into()),
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

impl From<Refusal> for ServiceError {
    fn from(r: Refusal) -> Self {
        ServiceError::Refused(r)
    }
}
