//! Signing in for API clients, the caller's identity, and personal API tokens.

use crate::input::Json;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::CookieJar;
use serde::{Deserialize, Serialize};
use shishi_store::users::{GrantRow, TokenRow, UserRow};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, OrApi};
use crate::auth::{ApiUser, SESSION_COOKIE, removal, session_cookie, wants_secure};
use crate::error::{ApiError, ErrorBody};
use crate::i18n::Lang;
use crate::limit::{device_cookie, signin_client};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_session, delete_session))
        .routes(routes!(me))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    pub user: UserRow,
    pub grants: Vec<GrantRow>,
    /// Send as `X-CSRF-Token` on every change made with the session cookie.
    pub csrf_token: String,
}

/// Signs in and sets the session cookie, and the device cookie that marks this client as one
/// the account signed in from.
///
/// Attempts are counted per client address and per account name (real or not, alike), or,
/// with a device cookie of that account, per device; past a few failures a count locks for a
/// time that doubles with each further attempt. A wrong name or password answers 401; a
/// locked count answers 429 with `Retry-After` (seconds) without checking the password.
#[utoipa::path(post, path = "/session", tag = "session", request_body = Credentials,
    responses((status = 200, body = SessionInfo),
        (status = 401, body = ErrorBody, description = "Wrong username or password (unknown names answer the same)"),
        (status = 429, body = ErrorBody, description = "Too many attempts from this client or on this account",
            headers(("Retry-After" = i64, description = "Seconds to wait before the next attempt")))))]
async fn create_session(
    State(st): State<AppState>,
    lang: Lang,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    jar: CookieJar,
    Json(c): Json<Credentials>,
) -> Result<impl IntoResponse, ApiError> {
    let s = st
        .services
        .login_from(&c.username, &c.password, &signin_client(addr, &jar))
        .await
        .or_api(lang)?;
    let body = SessionInfo {
        user: s.actor.user.clone(),
        grants: s.actor.grants.clone(),
        csrf_token: s.csrf,
    };
    let secure = wants_secure(st.config.secure_cookies, &headers);
    Ok((
        jar.add(session_cookie(s.token, secure))
            .add(device_cookie(s.device, secure)),
        Json(body),
    ))
}

/// Signs out.
#[utoipa::path(delete, path = "/session", tag = "session", responses((status = 204)))]
async fn delete_session(
    State(st): State<AppState>,
    lang: Lang,
    jar: CookieJar,
) -> Result<impl IntoResponse, ApiError> {
    if let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) {
        st.services.logout(&token).await.or_api(lang)?;
    }
    Ok((jar.remove(removal(SESSION_COOKIE)), StatusCode::NO_CONTENT))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub user: UserRow,
    pub grants: Vec<GrantRow>,
}

/// Who the caller is and what they hold.
#[utoipa::path(get, path = "/me", tag = "session", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(user: ApiUser) -> ApiResult<Me> {
    Ok(Json(Me {
        user: user.actor.user,
        grants: user.actor.grants,
    }))
}

/// The caller's personal API tokens (never the secrets).
#[utoipa::path(get, path = "/tokens", tag = "session", responses((status = 200, body = Vec<TokenRow>)))]
async fn list_tokens(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
) -> ApiResult<Vec<TokenRow>> {
    Ok(Json(st.services.tokens(&user.actor).await.or_api(lang)?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewToken {
    pub name: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    pub id: i64,
    /// Shown once; keep it secret.
    pub token: String,
}

/// Creates a personal API token for scripts.
#[utoipa::path(post, path = "/tokens", tag = "session", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 422, body = ErrorBody)))]
async fn create_token(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Json(t): Json<NewToken>,
) -> Result<impl IntoResponse, ApiError> {
    let (id, token) = st
        .services
        .create_token(&user.actor, &t.name)
        .await
        .or_api(lang)?;
    Ok((StatusCode::CREATED, Json(CreatedToken { id, token })))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "session", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn revoke_token(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    st.services
        .revoke_token(&user.actor, id)
        .await
        .or_api(lang)?;
    Ok(StatusCode::NO_CONTENT)
}
