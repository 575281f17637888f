//! A JSON body: the media type checked, the syntax read into a value, every string (and
//! member name) held to the text rule, then the value deserialised with the path of any bad
//! member named. A drop-in for `axum::Json`, answers included.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use shishi_service::FieldError;

use super::{Rejection, check_text, deserialize_error};
use crate::i18n::Lang;

#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Rejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let lang = Lang::from_request_parts(&mut parts, state)
            .await
            .unwrap_or_default();
        if !is_json(&parts.headers) {
            return Err(Rejection::request(
                &parts,
                lang,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                lang.t("error.json_content_type"),
            ));
        }
        let bytes = super::limit::read_body(body)
            .await
            .map_err(|status| super::limit::unreadable(&parts, lang, status))?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
            Rejection::request(
                &parts,
                lang,
                StatusCode::BAD_REQUEST,
                "bad_request",
                rust_i18n::t!(
                    "error.malformed_json",
                    locale = lang.code(),
                    line = e.line(),
                    column = e.column()
                )
                .into_owned(),
            )
        })?;
        let mut errors = Vec::new();
        check_value(&value, &mut String::new(), &mut errors);
        if !errors.is_empty() {
            return Err(Rejection::fields(&parts, lang, errors));
        }
        serde_path_to_error::deserialize(value)
            .map(Json)
            .map_err(|e| {
                let path = e.path().to_string();
                let error = deserialize_error(&path, &e.inner().to_string());
                Rejection::fields(&parts, lang, vec![error])
            })
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Walks every string and member name; `path` is the member's place (`items[2].text`).
fn check_value(value: &Value, path: &mut String, errors: &mut Vec<FieldError>) {
    match value {
        Value::String(s) => check_text(field_name(path), s, errors),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                check_value(item, path, errors);
                path.truncate(len);
            }
        }
        Value::Object(members) => {
            for (name, member) in members {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(name);
                check_text(path, name, errors);
                check_value(member, path, errors);
                path.truncate(len);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn field_name(path: &str) -> &str {
    if path.is_empty() { "body" } else { path }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_member_that_holds_a_control_character() {
        let v: Value = serde_json::json!({
            "title": "ok",
            "channel_details": {"caller": "a\u{0}b"},
            "rows": [{"text": "fine"}, {"text": "bell\u{7}"}]
        });
        let mut errors = Vec::new();
        check_value(&v, &mut String::new(), &mut errors);
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["channel_details.caller", "rows[1].text"]);
        assert!(errors.iter().all(|e| e.code == "error.control_char"));
    }

    #[test]
    fn a_member_name_is_text_too() {
        let v: Value = serde_json::json!({ "a\u{0}": 1 });
        let mut errors = Vec::new();
        check_value(&v, &mut String::new(), &mut errors);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "a?");
    }
}
