//! The public side of demands: the submission form anyone may use (signed in or not) and the
//! tracking page an anonymous submitter follows with their code.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use crate::input::Query;
use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::input::Form;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;
use shishi_core::demand::Channel;
use shishi_service::ServiceError;
use shishi_service::demands::{DemandDetail, DemandInput};
use shishi_store::evaluations::EvaluationRow;

use super::evaluations::RowFailure;
use super::ledger::{UnitOption, tree_options};
use super::matter_page::VERDICTS;
use super::{
    FormErrors, OrPage, PageError, PageResult, localized, opt_id, read_multipart, render,
    render_status, see_other,
};
use crate::auth::{MaybeUser, PageUser, same_token};
use crate::i18n::Lang;
use crate::state::AppState;

/// Double-submit token for the public form, which may have no session behind it.
const FORM_CSRF_COOKIE: &str = "shishi_form_csrf";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/submit", get(submit_form).post(submit))
        .route("/track", get(track_lookup))
        .route("/track/{code}", get(track))
        .route("/track/{code}/rate/{id}", axum::routing::post(rate))
}

// ---- the public form ----

#[derive(Debug, Default, Clone)]
struct SubmitForm {
    title: String,
    body: String,
    unit_id: String,
    category_id: String,
    contact: String,
    anonymous: bool,
    idempotency_key: String,
}

#[derive(Template)]
#[template(path = "submit.html")]
struct SubmitTemplate {
    lang: Lang,
    signed_in: Option<String>,
    /// The session's token, for co-signing a similar demand from this page.
    session_csrf: String,
    csrf: String,
    form: SubmitForm,
    errors: FormErrors,
    units: Vec<UnitOption>,
    categories: Vec<(i64, String)>,
}

impl SubmitTemplate {
    fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }
    fn unit_is(&self, id: &i64) -> bool {
        self.form.unit_id == id.to_string()
    }
    fn category_is(&self, id: &i64) -> bool {
        self.form.category_id == id.to_string()
    }
}

#[derive(Template)]
#[template(path = "submitted.html")]
struct SubmittedTemplate {
    lang: Lang,
    id: i64,
    code: Option<String>,
    signed_in: bool,
}

impl SubmittedTemplate {
    fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }
}

async fn submit_page(
    st: &AppState,
    lang: Lang,
    user: &Option<PageUser>,
    csrf: String,
    form: SubmitForm,
    errors: FormErrors,
) -> PageResult {
    let units = tree_options(st.services.public_units().await.or_page(lang)?);
    let categories = st
        .services
        .demand_categories()
        .await
        .or_page(lang)?
        .iter()
        .filter(|c| c.active == 1)
        .map(|c| (c.id, localized(lang, c)))
        .collect();
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let t = SubmitTemplate {
        lang,
        signed_in: user.as_ref().map(|u| u.actor.user.display_name.clone()),
        session_csrf: user.as_ref().map(|u| u.csrf.clone()).unwrap_or_default(),
        csrf,
        form,
        errors,
        units,
        categories,
    };
    render_status(&t, lang, status)
}

async fn submit_form(
    State(st): State<AppState>,
    lang: Lang,
    MaybeUser(user): MaybeUser,
    jar: CookieJar,
) -> PageResult {
    let csrf = jar
        .get(FORM_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_else(shishi_service::auth::random_token);
    let form = SubmitForm {
        idempotency_key: shishi_service::auth::random_token(),
        ..Default::default()
    };
    let cookie = Cookie::build((FORM_CSRF_COOKIE, csrf.clone()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .build();
    let page = submit_page(&st, lang, &user, csrf, form, FormErrors::default()).await?;
    Ok((jar.add(cookie), page).into_response())
}

async fn submit(
    State(st): State<AppState>,
    lang: Lang,
    MaybeUser(user): MaybeUser,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    mp: Multipart,
) -> PageResult {
    let expected = jar
        .get(FORM_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    let (fields, uploads) = read_multipart(mp).await.or_page(lang)?;
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let form = SubmitForm {
        title: get("title"),
        body: get("body"),
        unit_id: get("unit_id"),
        category_id: get("category_id"),
        contact: get("contact"),
        anonymous: user.is_none() || fields.contains_key("anonymous"),
        idempotency_key: get("idempotency_key"),
    };
    if expected.is_empty() || !same_token(&expected, &get("csrf")) {
        return Err(PageError {
            error: ServiceError::Forbidden("error.csrf".into()),
            lang,
        });
    }
    if let Err(wait) = st.submit_limit.check(addr.ip()) {
        return Err(PageError {
            error: ServiceError::Throttled(wait as i64),
            lang,
        });
    }
    let input = DemandInput {
        title: form.title.clone(),
        body: form.body.clone(),
        unit_id: form.unit_id.trim().parse().unwrap_or(0),
        category_id: opt_id(&Some(form.category_id.clone())),
        contact: form.contact.clone(),
        anonymous: form.anonymous,
        channel_details: BTreeMap::new(),
    };
    let actor = user.as_ref().map(|u| &u.actor);
    let key = Some(form.idempotency_key.as_str()).filter(|k| !k.is_empty());
    match st
        .services
        .submit_demand(actor, Channel::Online, &input, key, uploads)
        .await
    {
        Ok(out) => render(
            &SubmittedTemplate {
                lang,
                id: out.id,
                code: out.tracking_code,
                signed_in: user.is_some(),
            },
            lang,
        ),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            submit_page(
                &st,
                lang,
                &user,
                expected,
                form,
                FormErrors::of("submit", &e, lang),
            )
            .await
        }
        Err(e) => Err(PageError { error: e, lang }),
    }
}

// ---- tracking ----

#[derive(Template)]
#[template(path = "track.html")]
struct TrackTemplate {
    lang: Lang,
    code: String,
    detail: Option<DemandDetail>,
    not_found: bool,
    /// Results waiting for this code holder's verdict.
    asked: Vec<EvaluationRow>,
    csrf: String,
    notice: Option<String>,
    failure: Option<RowFailure>,
}

impl TrackTemplate {
    fn empty(lang: Lang, code: String, not_found: bool) -> TrackTemplate {
        TrackTemplate {
            lang,
            code,
            detail: None,
            not_found,
            asked: vec![],
            csrf: String::new(),
            notice: None,
            failure: None,
        }
    }
    fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }
    fn event_line(&self, action: &str, unit: &str) -> String {
        format!("{} · {}", self.lang.demand_event(action), unit)
    }
    fn facts(&self, m: &shishi_service::demands::LinkedMatter) -> super::linked::MatterFacts {
        super::linked::matter_facts(self.lang, m)
    }
    fn verdicts(&self) -> [&'static str; 3] {
        VERDICTS
    }
    fn value(&self, id: &i64, name: &str) -> String {
        self.failure
            .as_ref()
            .map(|f| f.value(*id, name))
            .unwrap_or_default()
    }
    fn err(&self, id: &i64, field: &str) -> String {
        self.failure
            .as_ref()
            .map(|f| f.err(*id, field))
            .unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct CodeQuery {
    code: Option<String>,
    rated: Option<String>,
}

async fn track_lookup(lang: Lang, Query(q): Query<CodeQuery>) -> PageResult {
    match q
        .code
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
    {
        Some(code) => Ok(see_other(&format!("/track/{}", code.to_ascii_uppercase()))),
        None => render(&TrackTemplate::empty(lang, String::new(), false), lang),
    }
}

/// The tracking page, with the verdicts the holder may give and a token for giving them.
async fn track_page(
    st: &AppState,
    lang: Lang,
    jar: CookieJar,
    code: String,
    notice: Option<String>,
    failure: Option<(ServiceError, RowFailure)>,
) -> PageResult {
    let detail = match st.services.track(&code).await {
        Ok(d) => d,
        Err(ServiceError::NotFound) => {
            return render_status(
                &TrackTemplate::empty(lang, code, true),
                lang,
                StatusCode::NOT_FOUND,
            );
        }
        Err(e) => return Err(PageError { error: e, lang }),
    };
    let asked = st.services.evaluations_by_code(&code).await.or_page(lang)?;
    let csrf = jar
        .get(FORM_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_else(shishi_service::auth::random_token);
    let cookie = Cookie::build((FORM_CSRF_COOKIE, csrf.clone()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .build();
    let (status, failure) = match failure {
        Some((e, f)) => (crate::error::status_of(&e), Some(f)),
        None => (StatusCode::OK, None),
    };
    let t = TrackTemplate {
        lang,
        code,
        detail: Some(detail),
        not_found: false,
        asked,
        csrf,
        notice,
        failure,
    };
    let page = render_status(&t, lang, status)?;
    Ok((jar.add(cookie), page).into_response())
}

async fn track(
    State(st): State<AppState>,
    lang: Lang,
    jar: CookieJar,
    Path(code): Path<String>,
    Query(q): Query<CodeQuery>,
) -> PageResult {
    let notice = q.rated.map(|_| lang.t("verdict.thanks"));
    track_page(&st, lang, jar, code, notice, None).await
}

#[derive(Deserialize)]
struct RateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    comment: String,
}

/// A verdict from whoever holds the tracking code of an anonymous demand.
async fn rate(
    State(st): State<AppState>,
    lang: Lang,
    jar: CookieJar,
    Path((code, id)): Path<(String, i64)>,
    Form(f): Form<RateForm>,
) -> PageResult {
    let expected = jar
        .get(FORM_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    if expected.is_empty() || !same_token(&expected, &f.csrf) {
        return Err(PageError {
            error: ServiceError::Forbidden("error.csrf".into()),
            lang,
        });
    }
    match st
        .services
        .rate_by_code(&code, id, &f.verdict, &f.comment)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/track/{code}?rated=1"))),
        Err(ServiceError::NotFound) => Err(PageError {
            error: ServiceError::NotFound,
            lang,
        }),
        Err(e) => {
            let row = RowFailure::new(
                "track",
                id,
                &e,
                lang,
                vec![("verdict", f.verdict), ("comment", f.comment)],
            );
            track_page(&st, lang, jar, code, None, Some((e, row))).await
        }
    }
}
