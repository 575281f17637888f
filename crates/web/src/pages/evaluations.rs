//! The requesters' verdicts (评价): one's own demands with the results waiting for a verdict,
//! and the callback list (回访) where clerks record what they heard by phone or in person.
//! No page here names a requester.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::{get, post};

use crate::input::Form;
use serde::Deserialize;
use shishi_service::ServiceError;
use shishi_service::demands::DemandView;
use shishi_service::driving::CallbackInput;
use shishi_store::evaluations::EvaluationRow;

use super::matter_page::{VERDICTS, VIAS};
use super::{Ctx, FormErrors, OrPage, PageError, PageResult, render_status, see_other};
use crate::auth::PageUser;
use crate::error::status_of;
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/my/demands", get(mine))
        .route("/evaluations/{id}/rate", post(rate))
        .route("/callbacks", get(callbacks))
        .route("/callbacks/{id}", post(record_callback))
}

/// A refused form in a list: which row, the refusal, and what was typed.
pub struct RowFailure {
    pub id: i64,
    pub message: String,
    pub errors: FormErrors,
    pub values: Vec<(&'static str, String)>,
}

impl RowFailure {
    /// `form` is the page's template: its labels name the fields. The row shows each field's
    /// error beside the field; the alert above says what to do, not the same words again.
    pub fn new(
        form: &str,
        id: i64,
        e: &ServiceError,
        lang: Lang,
        values: Vec<(&'static str, String)>,
    ) -> Self {
        let errors = FormErrors::of(form, e, lang);
        RowFailure {
            id,
            message: errors.general.clone().unwrap_or_default(),
            errors,
            values,
        }
    }

    pub fn value(&self, id: i64, name: &str) -> String {
        if self.id != id {
            return String::new();
        }
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub fn err(&self, id: i64, field: &str) -> String {
        if self.id == id {
            self.errors.on(field)
        } else {
            String::new()
        }
    }
}

/// What a row's form shows: nothing typed yet, or the refused attempt.
fn row_value(f: &Option<RowFailure>, id: i64, name: &str) -> String {
    f.as_ref().map(|f| f.value(id, name)).unwrap_or_default()
}

fn row_err(f: &Option<RowFailure>, id: i64, field: &str) -> String {
    f.as_ref().map(|f| f.err(id, field)).unwrap_or_default()
}

// ---- one's own demands and verdicts ----

#[derive(Template)]
#[template(path = "my_demands.html")]
struct MineTemplate {
    ctx: Ctx,
    items: Vec<DemandView>,
    asked: Vec<EvaluationRow>,
    failure: Option<RowFailure>,
    notice: Option<String>,
}

impl MineTemplate {
    fn facts(&self, m: &shishi_service::demands::LinkedMatter) -> super::linked::MatterFacts {
        super::linked::matter_facts(self.ctx.lang, m)
    }
    fn verdicts(&self) -> [&'static str; 3] {
        VERDICTS
    }
    fn value(&self, id: &i64, name: &str) -> String {
        row_value(&self.failure, *id, name)
    }
    fn err(&self, id: &i64, field: &str) -> String {
        row_err(&self.failure, *id, field)
    }
}

async fn mine_page(
    st: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    failure: Option<(ServiceError, RowFailure)>,
    notice: Option<String>,
) -> PageResult {
    let items = st.services.my_demands(&user.actor).await.or_page(lang)?;
    let asked = st
        .services
        .my_evaluations(&user.actor)
        .await
        .or_page(lang)?;
    let (status, failure) = match failure {
        Some((e, f)) => (status_of(&e), Some(f)),
        None => (StatusCode::OK, None),
    };
    let t = MineTemplate {
        ctx: Ctx::new(lang, user, uri, "my_demands"),
        items,
        asked,
        failure,
        notice,
    };
    render_status(&t, lang, status)
}

#[derive(Deserialize)]
struct NoticeQuery {
    rated: Option<String>,
}

async fn mine(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    crate::input::Query(q): crate::input::Query<NoticeQuery>,
) -> PageResult {
    let notice = q.rated.map(|_| lang.t("verdict.thanks"));
    mine_page(&st, lang, &user, &uri, None, notice).await
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

async fn rate(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<RateForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    match st
        .services
        .rate(&user.actor, id, &f.verdict, &f.comment)
        .await
    {
        Ok(_) => Ok(see_other("/my/demands?rated=1#rate")),
        Err(ServiceError::NotFound) => Err(PageError {
            error: ServiceError::NotFound,
            lang,
        }),
        Err(e) => {
            let row = RowFailure::new(
                "my_demands",
                id,
                &e,
                lang,
                vec![("verdict", f.verdict), ("comment", f.comment)],
            );
            mine_page(&st, lang, &user, &uri, Some((e, row)), None).await
        }
    }
}

// ---- callbacks ----

#[derive(Template)]
#[template(path = "callbacks.html")]
struct CallbacksTemplate {
    ctx: Ctx,
    items: Vec<EvaluationRow>,
    failure: Option<RowFailure>,
    notice: Option<String>,
    now: String,
}

impl CallbacksTemplate {
    fn verdicts(&self) -> [&'static str; 3] {
        VERDICTS
    }
    /// Callbacks are by phone or in person; online verdicts come from the requesters.
    fn vias(&self) -> Vec<&'static str> {
        VIAS.iter().copied().filter(|v| *v != "online").collect()
    }
    fn value(&self, id: &i64, name: &str) -> String {
        row_value(&self.failure, *id, name)
    }
    fn err(&self, id: &i64, field: &str) -> String {
        row_err(&self.failure, *id, field)
    }
    /// Which of a result's requesters this row is ("2/3"), when it has several: the rows
    /// name nobody, so the clerk tells them apart by the demand page and this number.
    fn nth(&self, e: &EvaluationRow) -> String {
        let same: Vec<i64> = self
            .items
            .iter()
            .filter(|x| {
                x.demand_id == e.demand_id
                    && x.subject_type == e.subject_type
                    && x.subject_id == e.subject_id
            })
            .map(|x| x.id)
            .collect();
        match same.iter().position(|id| *id == e.id) {
            Some(i) if same.len() > 1 => self
                .ctx
                .lang
                .tp("callback.nth", &format!("{}/{}", i + 1, same.len())),
            _ => String::new(),
        }
    }
}

async fn callbacks_page(
    st: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    failure: Option<(ServiceError, RowFailure)>,
    notice: Option<String>,
) -> PageResult {
    let a = &user.actor;
    if !a.records_offline() {
        return Err(PageError {
            error: ServiceError::Forbidden("error.not_clerk".into()),
            lang,
        });
    }
    let items = st.services.callback_list(a).await.or_page(lang)?;
    let (status, failure) = match failure {
        Some((e, f)) => (status_of(&e), Some(f)),
        None => (StatusCode::OK, None),
    };
    let now = shishi_core::time::format_ms(st.services.clock.now_ms()).replace(' ', "T");
    let t = CallbacksTemplate {
        ctx: Ctx::new(lang, user, uri, "callbacks"),
        items,
        failure,
        notice,
        now,
    };
    render_status(&t, lang, status)
}

async fn callbacks(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    crate::input::Query(q): crate::input::Query<NoticeQuery>,
) -> PageResult {
    let notice = q.rated.map(|_| lang.t("callback.recorded"));
    callbacks_page(&st, lang, &user, &uri, None, notice).await
}

#[derive(Deserialize)]
struct CallbackForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    via: String,
    #[serde(default)]
    contacted_at: String,
    #[serde(default)]
    contact_name: String,
}

async fn record_callback(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<CallbackForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    let input = CallbackInput {
        verdict: f.verdict.clone(),
        comment: f.comment.clone(),
        via: f.via.clone(),
        contacted_at: f.contacted_at.clone(),
        contact_name: f.contact_name.clone(),
    };
    match st.services.record_callback(&user.actor, id, &input).await {
        Ok(_) => Ok(see_other("/callbacks?rated=1")),
        Err(ServiceError::NotFound) => Err(PageError {
            error: ServiceError::NotFound,
            lang,
        }),
        Err(e) => {
            let row = RowFailure::new(
                "callbacks",
                id,
                &e,
                lang,
                vec![
                    ("verdict", f.verdict),
                    ("comment", f.comment),
                    ("via", f.via),
                    ("contacted_at", f.contacted_at),
                    ("contact_name", f.contact_name),
                ],
            );
            callbacks_page(&st, lang, &user, &uri, Some((e, row)), None).await
        }
    }
}
