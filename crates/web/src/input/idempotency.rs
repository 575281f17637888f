//! The `Idempotency-Key` header. Any visible key is taken as sent, Chinese included (HTTP
//! carries it as UTF-8 bytes); a key that is not text is refused, never ignored, because an
//! ignored key turns a client's retry into a second demand.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use shishi_service::FieldError;

use super::Rejection;
use crate::i18n::Lang;

pub const HEADER: &str = "idempotency-key";

/// The key, trimmed; `None` when the header is absent.
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Some(raw) = parts.headers.get(HEADER).cloned() else {
            return Ok(IdempotencyKey(None));
        };
        let lang = Lang::from_request_parts(parts, state)
            .await
            .unwrap_or_default();
        let Ok(text) = std::str::from_utf8(raw.as_bytes()) else {
            return Err(Rejection::request(
                parts,
                lang,
                StatusCode::BAD_REQUEST,
                "bad_request",
                lang.t("error.idempotency_key_encoding"),
            ));
        };
        let key = text.trim();
        if key.is_empty() || !shishi_core::text::is_clean(key) {
            return Err(Rejection::fields(
                parts,
                lang,
                vec![FieldError::new("idempotency_key", "error.idempotency_key")],
            ));
        }
        Ok(IdempotencyKey(Some(key.to_string())))
    }
}
