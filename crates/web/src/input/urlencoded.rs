//! Query strings and HTML forms: decoded into name/value pairs, every name and value held to
//! the text rule, then deserialised (repeated names fill a list) with the bad field named.
//! Drop-ins for `axum::extract::Query`, `axum_extra::extract::Query` and `axum::Form`.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use super::{Rejection, check_text, deserialize_error};
use crate::i18n::Lang;

/// The query string.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

/// An `application/x-www-form-urlencoded` body.
#[derive(Debug, Clone, Copy, Default)]
pub struct Form<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_request_parts(parts, state)
            .await
            .unwrap_or_default();
        let query = parts.uri.query().unwrap_or("").to_string();
        decode(parts, lang, query.as_bytes()).map(Query)
    }
}

impl<T, S> FromRequest<S> for Form<T>
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
        let form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
        if !form {
            return Err(Rejection::request(
                &parts,
                lang,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                lang.t("error.form_content_type"),
            ));
        }
        let bytes = super::limit::read_body(body)
            .await
            .map_err(|status| super::limit::unreadable(&parts, lang, status))?;
        decode(&parts, lang, &bytes).map(Form)
    }
}

fn decode<T: DeserializeOwned>(parts: &Parts, lang: Lang, bytes: &[u8]) -> Result<T, Rejection> {
    let mut errors = Vec::new();
    for (name, value) in form_urlencoded::parse(bytes) {
        check_text(&name, &name, &mut errors);
        check_text(&name, &value, &mut errors);
    }
    if !errors.is_empty() {
        errors.dedup();
        return Err(Rejection::fields(parts, lang, errors));
    }
    let de = serde_html_form::Deserializer::from_bytes(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let error = deserialize_error(&path, &e.inner().to_string());
        Rejection::fields(parts, lang, vec![error])
    })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    struct Filter {
        q: Option<String>,
        status: Option<Vec<String>>,
        page: Option<i64>,
    }

    fn parse(q: &str) -> Result<Filter, String> {
        let de = serde_html_form::Deserializer::from_bytes(q.as_bytes());
        serde_path_to_error::deserialize(de).map_err(|e| {
            let f = super::deserialize_error(&e.path().to_string(), &e.inner().to_string());
            format!("{} {}", f.field, f.code)
        })
    }

    #[test]
    fn repeated_names_fill_a_list_and_a_bad_number_is_named() {
        let f = parse("q=%E8%B7%AF%E7%81%AF&status=approved&status=in_progress").unwrap();
        assert_eq!(f.q.as_deref(), Some("路灯"));
        assert_eq!(f.status.map(|s| s.len()), Some(2));
        assert_eq!(f.page, None);
        assert_eq!(parse("page=abc").unwrap_err(), "page error.invalid_value");
    }
}
