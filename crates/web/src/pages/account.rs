//! Signing in and out, the language switch, and a person's own account (password, tokens).

use crate::input::Form;
use crate::input::Query;
use askama::Template;
use axum::Router;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;
use shishi_service::ServiceError;
use shishi_store::users::TokenRow;

use super::{Ctx, FormErrors, OrPage, PageResult, render, render_status, see_other};
use crate::auth::{
    LOGIN_CSRF_COOKIE, PageUser, SESSION_COOKIE, removal, same_token, session_cookie, wants_secure,
};
use crate::i18n::{LANG_COOKIE, Lang};
use crate::limit::{device_cookie, retry_after, signin_client};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(switch_lang))
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/account/notifications", post(set_preferences))
}

/// Only a local path: never send a signed-in person off to another site.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => {
            n.to_string()
        }
        _ => "/".into(),
    }
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    lang: Lang,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

impl LoginPage {
    fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }
}

async fn login_form(lang: Lang, jar: CookieJar, Query(q): Query<NextQuery>) -> PageResult {
    let csrf = shishi_service::auth::random_token();
    let page = LoginPage {
        lang,
        csrf: csrf.clone(),
        next: safe_next(q.next.as_deref()),
        username: String::new(),
        error: None,
    };
    let cookie = Cookie::build((LOGIN_CSRF_COOKIE, csrf))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/login")
        .build();
    let body = render(&page, lang)?;
    Ok((jar.add(cookie), body).into_response())
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

async fn login(
    State(st): State<AppState>,
    lang: Lang,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    jar: CookieJar,
    Form(f): Form<LoginForm>,
) -> PageResult {
    let expected = jar
        .get(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    let next = safe_next(f.next.as_deref());
    let fail = |error: ServiceError, status: StatusCode| {
        let page = LoginPage {
            lang,
            csrf: expected.clone(),
            next: next.clone(),
            username: f.username.clone(),
            error: Some(lang.error(&error)),
        };
        render_status(&page, lang, status)
    };
    if expected.is_empty() || !same_token(&expected, &f.csrf) {
        return fail(
            ServiceError::Forbidden("error.csrf_login".into()),
            StatusCode::FORBIDDEN,
        );
    }
    let client = signin_client(addr, &jar);
    match st
        .services
        .login_from(&f.username, &f.password, &client)
        .await
    {
        Ok(session) => {
            let secure = wants_secure(st.config.secure_cookies, &headers);
            let jar = jar
                .add(session_cookie(session.token, secure))
                .add(device_cookie(session.device, secure))
                .remove(removal(LOGIN_CSRF_COOKIE));
            Ok((jar, see_other(&next)).into_response())
        }
        Err(e) => {
            let status = crate::error::status_of(&e);
            let wait = match &e {
                ServiceError::Throttled(seconds) => Some(*seconds),
                _ => None,
            };
            let mut page = fail(e, status)?;
            if let Some(seconds) = wait {
                retry_after(page.headers_mut(), seconds);
            }
            Ok(page)
        }
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    jar: CookieJar,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    if let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) {
        st.services.logout(&token).await.or_page(lang)?;
    }
    Ok((jar.remove(removal(SESSION_COOKIE)), see_other("/login")).into_response())
}

async fn switch_lang(
    Path(code): Path<String>,
    jar: CookieJar,
    Query(q): Query<NextQuery>,
) -> impl IntoResponse {
    let lang = Lang::from_code(&code).unwrap_or_default();
    let cookie = Cookie::build((LANG_COOKIE, lang.code()))
        .path("/")
        .same_site(SameSite::Lax)
        .max_age(time::Duration::days(365))
        .build();
    (jar.add(cookie), see_other(&safe_next(q.next.as_deref())))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: Ctx,
    username: String,
    grants: Vec<(String, String)>,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    errors: FormErrors,
    notice: Option<String>,
    /// The language of e-mails and whether they are sent.
    mail_locale: String,
    mail_on: bool,
    has_email: bool,
}

async fn account_page(
    st: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    new_token: Option<String>,
    errors: FormErrors,
    notice: Option<String>,
) -> PageResult {
    let tokens = st.services.tokens(&user.actor).await.or_page(lang)?;
    let (mail_locale, mail_on) = st
        .services
        .notification_preferences(&user.actor)
        .await
        .or_page(lang)?;
    let grants = user
        .actor
        .grants
        .iter()
        .map(|g| (lang.role(&g.role), g.unit_name.clone()))
        .collect();
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = AccountPage {
        ctx: Ctx::new(lang, user, uri, "account"),
        username: user.actor.user.username.clone(),
        grants,
        tokens,
        new_token,
        errors,
        notice,
        mail_locale,
        mail_on,
        has_email: !user.actor.user.email.trim().is_empty(),
    };
    render_status(&page, lang, status)
}

async fn account(State(st): State<AppState>, lang: Lang, user: PageUser, uri: Uri) -> PageResult {
    account_page(&st, lang, &user, &uri, None, FormErrors::default(), None).await
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    csrf: String,
    old_password: String,
    new_password: String,
}

async fn change_password(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    match st
        .services
        .change_own_password(&user.actor, &f.old_password, &f.new_password)
        .await
    {
        Ok(()) => {
            account_page(
                &st,
                lang,
                &user,
                &uri,
                None,
                FormErrors::default(),
                Some(lang.t("account.password_changed")),
            )
            .await
        }
        Err(e) => {
            account_page(
                &st,
                lang,
                &user,
                &uri,
                None,
                FormErrors::of("account", &e, lang),
                None,
            )
            .await
        }
    }
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    csrf: String,
    name: String,
}

async fn create_token(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Form(f): Form<TokenForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    match st.services.create_token(&user.actor, &f.name).await {
        Ok((_, token)) => {
            account_page(
                &st,
                lang,
                &user,
                &uri,
                Some(token),
                FormErrors::default(),
                None,
            )
            .await
        }
        Err(e) => {
            account_page(
                &st,
                lang,
                &user,
                &uri,
                None,
                FormErrors::of("account", &e, lang),
                None,
            )
            .await
        }
    }
}

async fn revoke_token(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    st.services
        .revoke_token(&user.actor, id)
        .await
        .or_page(lang)?;
    Ok(see_other("/account"))
}

#[derive(Deserialize)]
struct PreferencesForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    locale: String,
    /// A checkbox: present when ticked.
    email: Option<String>,
}

async fn set_preferences(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Form(f): Form<PreferencesForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    let (errors, notice) = match st
        .services
        .set_notification_preferences(&user.actor, &f.locale, f.email.is_some())
        .await
    {
        Ok(()) => (
            FormErrors::default(),
            Some(lang.t("account.preferences_saved")),
        ),
        Err(e) => (FormErrors::of("account", &e, lang), None),
    };
    account_page(&st, lang, &user, &uri, None, errors, notice).await
}
