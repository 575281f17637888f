//! Demand pages for those who handle them and those who raised them: the unit inbox with its
//! response figures, a demand with its steps, one's own demands, and notifications.

use crate::input::Query;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::{get, post};

use crate::input::Form;
use serde::Deserialize;
use shishi_core::demand::{Channel, DemandAction};
use shishi_service::demands::{DemandDetail, InboxFilter, InboxPage, ResponseFigures, StepInput};
use shishi_service::notify::texts;
use shishi_service::{ServiceError, Services};
use shishi_store::demands::NotificationRow;

use super::ledger::{UnitOption, tree_options};
use super::linked::{MatterFacts, matter_facts};
use super::pick::{self, Choice};
use super::{
    Ctx, OrPage, PageError, PageResult, localized, opt_id, render, render_status, see_other,
};
use crate::auth::PageUser;
use crate::i18n::Lang;
use crate::state::AppState;
use shishi_service::demands::LinkedMatter;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(inbox))
        .route("/demands/{id}", get(show))
        .route("/demands/{id}/step", post(step))
        .route("/demands/{id}/cosign", post(cosign))
        .route("/demands/{id}/reveal", post(reveal))
        .route("/demands/{id}/refer", post(refer))
        .route("/demand-files/{id}", get(download))
        .route("/notifications", get(notifications))
        .route("/notifications/read", post(mark_read))
}

// ---- the inbox ----

#[derive(Debug, Default, Deserialize)]
struct InboxForm {
    unit_id: Option<String>,
    status: Option<String>,
    channel: Option<String>,
    category_id: Option<String>,
    q: Option<String>,
    from: Option<String>,
    until: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxTemplate {
    ctx: Ctx,
    form: InboxForm,
    page: InboxPage,
    units: Vec<UnitOption>,
    categories: Vec<(i64, String)>,
    figures: Option<ResponseFigures>,
    period: String,
    pages: i64,
    base_query: String,
}

impl InboxTemplate {
    fn is(&self, field: &Option<String>, value: &str) -> bool {
        field.as_deref() == Some(value)
    }
    fn id_is(&self, field: &Option<String>, id: &i64) -> bool {
        opt_id(field) == Some(*id)
    }
    fn channels(&self) -> Vec<&'static str> {
        Channel::ALL.iter().map(|c| c.code()).collect()
    }
    fn statuses(&self) -> Vec<&'static str> {
        shishi_core::demand::DemandStatus::ALL
            .iter()
            .map(|s| s.code())
            .collect()
    }
    fn median(&self, v: &Option<f64>) -> String {
        v.map_or("—".into(), |d| format!("{d:.1}"))
    }
}

async fn inbox(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Query(form): Query<InboxForm>,
) -> PageResult {
    let filter = InboxFilter {
        unit_id: opt_id(&form.unit_id),
        // An inbox opens on the work still owed; "all" shows everything.
        status: match form.status.as_deref().unwrap_or("") {
            "" => vec!["submitted".into(), "accepted".into()],
            "all" => vec![],
            one => vec![one.to_string()],
        },
        channel: form.channel.clone().filter(|s| !s.is_empty()),
        category_id: opt_id(&form.category_id),
        q: form.q.clone(),
        from: form.from.clone().filter(|s| !s.is_empty()),
        until: form.until.clone().filter(|s| !s.is_empty()),
        page: opt_id(&form.page),
        per_page: Some(25),
    };
    let page = st
        .services
        .inbox(&user.actor, &filter)
        .await
        .or_page(lang)?;
    let units = tree_options(st.services.visible_units(&user.actor).await.or_page(lang)?);
    let categories = st
        .services
        .demand_categories()
        .await
        .or_page(lang)?
        .iter()
        .map(|c| (c.id, localized(lang, c)))
        .collect();
    // The figures of the chosen unit (or the first the person reads) for the chosen dates,
    // the month so far when none are chosen.
    let today = st.services.clock.today();
    let date = |v: &Option<String>| {
        v.as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
    };
    let month_start =
        date(&form.from).unwrap_or_else(|| chrono::Datelike::with_day0(&today, 0).unwrap_or(today));
    let today = date(&form.until).unwrap_or(today);
    let figure_unit =
        opt_id(&form.unit_id).or_else(|| user.actor.read_roots().first().map(|(id, _)| *id));
    let figures = match figure_unit {
        Some(u) => st
            .services
            .response_figures(&user.actor, u, month_start, today)
            .await
            .ok(),
        None => None,
    };
    let pages = ((page.total + page.per_page - 1) / page.per_page).max(1);
    let base_query = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("page="))
        .collect::<Vec<_>>()
        .join("&");
    let t = InboxTemplate {
        ctx: Ctx::new(lang, &user, &uri, "inbox"),
        form,
        page,
        units,
        categories,
        figures,
        period: format!("{month_start} ～ {today}"),
        pages,
        base_query,
    };
    render(&t, lang)
}

// ---- one demand ----

#[derive(Template)]
#[template(path = "demand.html")]
struct DemandTemplate {
    ctx: Ctx,
    d: DemandDetail,
    error: Option<String>,
    units: Vec<UnitOption>,
    reasons: Vec<(i64, String)>,
    category: String,
    /// 新建事项: may create matters in the demand's unit.
    can_adopt_new: bool,
    /// 转交单位管理员立项: works the inbox but may not create matters there.
    can_refer: bool,
    /// The first choices of the pickers, rendered with the page.
    matter_choices: Vec<Choice>,
    demand_choices: Vec<Choice>,
    can_reveal: bool,
    revealed: Option<String>,
    /// The lifecycle stepper (templates/_stepper.html).
    stepper: super::stepper::StepperView,
    notice: Option<String>,
}

impl DemandTemplate {
    fn has(&self, action: &str) -> bool {
        self.d.actions.iter().any(|a| a.code() == action)
    }
    fn facts(&self, m: &LinkedMatter) -> MatterFacts {
        matter_facts(self.ctx.lang, m)
    }
    fn event_text(&self, action: &str) -> String {
        self.ctx.lang.demand_event(action)
    }
    /// Steps besides the usual three, shown behind "更多操作".
    fn has_more(&self) -> bool {
        ["merge", "transfer", "send_back", "decline"]
            .iter()
            .any(|a| self.has(a))
    }
    fn channel_field(&self, name: &str) -> String {
        self.ctx.lang.t(&format!("channel_field.{name}"))
    }
}

async fn show_page(
    st: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    id: i64,
    error: Option<String>,
) -> PageResult {
    show_page_revealed(st, lang, user, uri, id, error, None, None).await
}

#[allow(clippy::too_many_arguments)]
async fn show_page_revealed(
    st: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    id: i64,
    error: Option<String>,
    revealed: Option<String>,
    notice: Option<String>,
) -> PageResult {
    let d = st.services.demand(&user.actor, id).await.or_page(lang)?;
    let units = tree_options(st.services.public_units().await.or_page(lang)?);
    let reasons = st
        .services
        .decline_reasons()
        .await
        .or_page(lang)?
        .iter()
        .filter(|r| r.active == 1)
        .map(|r| (r.id, localized(lang, r)))
        .collect();
    let category = match d.demand.category_id {
        Some(c) => st
            .services
            .demand_categories()
            .await
            .or_page(lang)?
            .iter()
            .find(|x| x.id == c)
            .map(|x| localized(lang, x))
            .unwrap_or_default(),
        None => String::new(),
    };
    let unit_path = st
        .services
        .unit(&user.actor, d.demand.unit_id)
        .await
        .map(|u| u.path)
        .unwrap_or_default();
    let adopts = d.actions.contains(&DemandAction::Adopt) && !unit_path.is_empty();
    let can_adopt_new = adopts && Services::may_adopt_into_new(&user.actor, &unit_path);
    let can_refer = adopts && Services::may_refer(&user.actor, &unit_path);
    let matter_choices = if adopts {
        pick::matter_choices(st, user, "").await.or_page(lang)?
    } else {
        vec![]
    };
    let demand_choices = if d.actions.contains(&DemandAction::Merge) {
        pick::demand_choices(st, user, "")
            .await
            .or_page(lang)?
            .into_iter()
            .filter(|c| c.id != id)
            .collect()
    } else {
        vec![]
    };
    let status = if error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let t = DemandTemplate {
        stepper: super::stepper::demand(lang, &d),
        ctx: Ctx::new(lang, user, uri, "inbox"),
        d,
        error,
        units,
        reasons,
        category,
        can_adopt_new,
        can_refer,
        matter_choices,
        demand_choices,
        can_reveal: false,
        revealed,
        notice,
    };
    let t = DemandTemplate {
        can_reveal: t.d.demand.anonymous && user.actor.has_role(shishi_core::Role::SystemAdmin),
        ..t
    };
    render_status(&t, lang, status)
}

#[derive(Deserialize)]
struct RevealForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

async fn reveal(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<RevealForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    match st
        .services
        .reveal_submitter(&user.actor, id, &f.reason)
        .await
    {
        Ok(who) => {
            let who = who.unwrap_or_else(|| lang.t("demand.nobody_known"));
            show_page_revealed(&st, lang, &user, &uri, id, None, Some(who), None).await
        }
        Err(ServiceError::NotFound) => Err(PageError {
            error: ServiceError::NotFound,
            lang,
        }),
        Err(e) => show_page(&st, lang, &user, &uri, id, Some(lang.error(&e))).await,
    }
}

#[derive(Debug, Default, Deserialize)]
struct ShowQuery {
    referred: Option<String>,
}

async fn show(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let notice = q.referred.is_some().then(|| lang.t("adopt.referred"));
    show_page_revealed(&st, lang, &user, &uri, id, None, None, notice).await
}

#[derive(Deserialize)]
struct ReferForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    text: String,
}

/// 转交单位管理员立项.
async fn refer(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<ReferForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    match st.services.refer_to_admins(&user.actor, id, &f.text).await {
        Ok(_) => Ok(see_other(&format!("/demands/{id}?referred=1"))),
        Err(ServiceError::NotFound) => Err(PageError {
            error: ServiceError::NotFound,
            lang,
        }),
        Err(e) => show_page(&st, lang, &user, &uri, id, Some(lang.error(&e))).await,
    }
}

#[derive(Deserialize)]
struct StepForm {
    #[serde(default)]
    csrf: String,
    action: String,
    #[serde(default)]
    text: String,
    decline_reason_id: Option<String>,
    to_unit_id: Option<String>,
    merge_into: Option<String>,
    matter_id: Option<String>,
}

async fn step(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    let input = StepInput {
        action: f.action,
        text: f.text,
        decline_reason_id: opt_id(&f.decline_reason_id),
        to_unit_id: opt_id(&f.to_unit_id),
        // A picker may send "#12 …" when its script did not run to the end.
        merge_into: f.merge_into.as_deref().and_then(pick::as_number),
        matter_id: f.matter_id.as_deref().and_then(pick::as_number),
    };
    match st.services.demand_step(&user.actor, id, &input).await {
        // After a transfer the demand may have left the clerk's scope: back to the inbox.
        Ok(_) if input.action == "transfer" || input.action == "send_back" => {
            Ok(see_other("/inbox"))
        }
        Ok(_) => Ok(see_other(&format!("/demands/{id}"))),
        Err(ServiceError::NotFound) => Err(PageError {
            error: ServiceError::NotFound,
            lang,
        }),
        Err(e) => show_page(&st, lang, &user, &uri, id, Some(lang.error(&e))).await,
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn cosign(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    match st.services.cosign(&user.actor, id).await {
        Ok(()) => Ok(see_other("/my/demands")),
        Err(ServiceError::NotFound) => Err(PageError {
            error: ServiceError::NotFound,
            lang,
        }),
        Err(e) => show_page(&st, lang, &user, &uri, id, Some(lang.error(&e))).await,
    }
}

async fn download(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    let (meta, data) = st
        .services
        .demand_file(&user.actor, id)
        .await
        .or_page(lang)?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, meta.content_type.clone()),
            (
                axum::http::header::X_CONTENT_TYPE_OPTIONS,
                "nosniff".to_string(),
            ),
        ],
        data,
    )
        .into_response())
}

// ---- notifications ----

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsTemplate {
    ctx: Ctx,
    items: Vec<NotificationRow>,
    unread: i64,
}

impl NotificationsTemplate {
    /// The line of one notification, worded by the same texts as its e-mail.
    fn line(&self, n: &NotificationRow) -> String {
        let code = self.ctx.lang.code();
        let params = serde_json::from_str::<serde_json::Value>(&n.params).unwrap_or_default();
        self.ctx.lang.labelled(
            &texts::subject(&n.kind, code),
            &texts::detail(&n.kind, code, &params),
        )
    }

    /// Where a notification leads: a request to rate leads to the rating form.
    fn link(&self, n: &NotificationRow) -> String {
        match (n.kind.as_str(), n.subject_type.as_str()) {
            ("rate_requested", _) => "/my/demands#rate".into(),
            (_, "demand") => format!("/demands/{}", n.subject_id),
            (_, "calendar") => format!("/calendar?year={}", n.subject_id),
            _ => format!("/matters/{}", n.subject_id),
        }
    }
}

async fn notifications(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
) -> PageResult {
    let (items, unread) = st.services.notifications(&user.actor).await.or_page(lang)?;
    render(
        &NotificationsTemplate {
            ctx: Ctx::new(lang, &user, &uri, "notifications"),
            items,
            unread,
        },
        lang,
    )
}

async fn mark_read(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    st.services
        .mark_notifications_read(&user.actor)
        .await
        .or_page(lang)?;
    Ok(see_other("/notifications"))
}
