//! Who is asking: a session cookie for people, `Authorization: Bearer` for scripts.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use shishi_service::{Actor, ServiceError};

use crate::error::ApiError;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "shishi_session";
/// A token for the sign-in form, before any session exists (double-submit).
pub const LOGIN_CSRF_COOKIE: &str = "shishi_login_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

pub fn session_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(time_days(7))
        .build()
}

pub fn removal(name: &'static str) -> Cookie<'static> {
    Cookie::build((name, ""))
        .path("/")
        .max_age(time_days(0))
        .build()
}

fn time_days(days: i64) -> time::Duration {
    time::Duration::days(days)
}

/// Whether the session cookie must be `Secure`: configured so, or the request came through a
/// TLS-terminating proxy that says so.
pub fn wants_secure(configured: bool, headers: &HeaderMap) -> bool {
    configured
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// Both sides equal, in time that does not depend on where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A signed-in person on a page.
pub struct PageUser {
    pub actor: Actor,
    pub csrf: String,
}

impl PageUser {
    pub fn check_csrf(&self, sent: &str) -> Result<(), ServiceError> {
        if same_token(&self.csrf, sent) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden("error.csrf".into()))
        }
    }
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let to_login = || {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let next = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
            Redirect::to(&format!("/login?{next}")).into_response()
        };
        let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) else {
            return Err(to_login());
        };
        match state.services.session(&token).await {
            Ok((actor, session)) => Ok(PageUser {
                actor,
                csrf: session.csrf,
            }),
            Err(_) => Err(to_login()),
        }
    }
}

/// A page that anyone may open; signed-in people are recognised.
pub struct MaybeUser(pub Option<PageUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(
            PageUser::from_request_parts(parts, state).await.ok(),
        ))
    }
}

/// A caller of the JSON API who may or may not have signed in; bad credentials count as none.
pub struct MaybeApiUser(pub Option<ApiUser>);

impl FromRequestParts<AppState> for MaybeApiUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(MaybeApiUser(
            ApiUser::from_request_parts(parts, state).await.ok(),
        ))
    }
}

/// A caller of the JSON API.
pub struct ApiUser {
    pub actor: Actor,
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = crate::i18n::Lang::from_request_parts(parts, state)
            .await
            .unwrap_or_default();
        let fail = |e: ServiceError| ApiError::new(e, lang);
        if let Some(token) = bearer(&parts.headers) {
            let actor = state.services.actor_by_token(token).await.map_err(fail)?;
            return Ok(ApiUser { actor });
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) else {
            return Err(fail(ServiceError::Unauthenticated("error.sign_in".into())));
        };
        let (actor, session) = state.services.session(&token).await.map_err(fail)?;
        // A browser session may change things only with its CSRF token in a header, which a
        // page of another site cannot set.
        let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if unsafe_method {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !same_token(sent, &session.csrf) {
                return Err(fail(ServiceError::Forbidden("error.csrf".into())));
            }
        }
        Ok(ApiUser { actor })
    }
}
