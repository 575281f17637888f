//! Demand pages: the public submission form and tracking page, the unit inbox with its
//! response figures, a demand with its steps, the clerk's offline entry, one's own demands and
//! notifications.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Multipart, Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;
use shishi_core::demand::{Channel, DemandAction};
use shishi_service::ServiceError;
use shishi_service::demands::{
    DemandDetail, DemandInput, DemandView, InboxFilter, InboxPage, ResponseFigures, StepInput,
};
use shishi_service::files::Upload;
use shishi_store::demands::{ListEntry, NotificationRow};

use super::ledger::{UnitOption, tree_options};
use super::{
    Ctx, FormErrors, OrPage, PageError, PageResult, opt_id, render, render_status, see_other,
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
        .route("/inbox", get(inbox))
        .route("/demands/{id}", get(show))
        .route("/demands/{id}/step", post(step))
        .route("/demands/{id}/cosign", post(cosign))
        .route("/demand-files/{id}", get(download))
        .route("/my/demands", get(mine))
        .route("/notifications", get(notifications))
        .route("/notifications/read", post(mark_read))
        .route("/intake/new", get(intake_form))
        .route("/intake", post(intake))
}

fn localized(lang: Lang, e: &ListEntry) -> String {
    if lang.is_en() {
        e.name_en.clone()
    } else {
        e.name_zh.clone()
    }
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

/// Reads a multipart form into text fields and uploads.
async fn read_multipart(
    mut mp: Multipart,
) -> Result<(BTreeMap<String, String>, Vec<Upload>), ServiceError> {
    let mut fields = BTreeMap::new();
    let mut uploads = Vec::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Err(ServiceError::field("files", "error.upload_broken")),
        };
        let name = field.name().unwrap_or("").to_string();
        let filename = field.file_name().map(str::to_string);
        let data = field
            .bytes()
            .await
            .map_err(|_| ServiceError::field("files", "error.upload_broken"))?;
        match filename {
            Some(filename) if name == "files" => {
                if !data.is_empty() {
                    uploads.push(Upload {
                        filename,
                        data: data.to_vec(),
                    });
                }
            }
            _ => {
                fields.insert(name, String::from_utf8_lossy(&data).into_owned());
            }
        }
    }
    Ok((fields, uploads))
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
            submit_page(&st, lang, &user, expected, form, FormErrors::from(&e, lang)).await
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
}

impl TrackTemplate {
    fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }
    fn event_line(&self, action: &str, unit: &str) -> String {
        format!(
            "{} · {}",
            self.lang.t(&format!("demand_action.{action}")),
            unit
        )
    }
}

#[derive(Deserialize)]
struct CodeQuery {
    code: Option<String>,
}

async fn track_lookup(lang: Lang, Query(q): Query<CodeQuery>) -> PageResult {
    match q
        .code
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
    {
        Some(code) => Ok(see_other(&format!("/track/{}", code.to_ascii_uppercase()))),
        None => render(
            &TrackTemplate {
                lang,
                code: String::new(),
                detail: None,
                not_found: false,
            },
            lang,
        ),
    }
}

async fn track(State(st): State<AppState>, lang: Lang, Path(code): Path<String>) -> PageResult {
    match st.services.track(&code).await {
        Ok(d) => render(
            &TrackTemplate {
                lang,
                code,
                detail: Some(d),
                not_found: false,
            },
            lang,
        ),
        Err(ServiceError::NotFound) => render_status(
            &TrackTemplate {
                lang,
                code,
                detail: None,
                not_found: true,
            },
            lang,
            StatusCode::NOT_FOUND,
        ),
        Err(e) => Err(PageError { error: e, lang }),
    }
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
        status: form
            .status
            .clone()
            .filter(|s| !s.is_empty())
            .into_iter()
            .collect(),
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
    // The figures of the chosen unit (or the first the person reads) for the month so far.
    let today = st.services.clock.today();
    let month_start = chrono::Datelike::with_day0(&today, 0).unwrap_or(today);
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
    can_adopt_new: bool,
}

impl DemandTemplate {
    fn has(&self, action: &str) -> bool {
        self.d.actions.iter().any(|a| a.code() == action)
    }
    fn event_text(&self, action: &str) -> String {
        self.ctx.lang.t(&format!("demand_action.{action}"))
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
    let can_adopt_new = d.actions.contains(&DemandAction::Adopt) && user.actor.can_manage_any();
    let status = if error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let t = DemandTemplate {
        ctx: Ctx::new(lang, user, uri, "inbox"),
        d,
        error,
        units,
        reasons,
        category,
        can_adopt_new,
    };
    render_status(&t, lang, status)
}

async fn show(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
) -> PageResult {
    show_page(&st, lang, &user, &uri, id, None).await
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
        merge_into: opt_id(&f.merge_into),
        matter_id: opt_id(&f.matter_id),
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

// ---- mine and notifications ----

#[derive(Template)]
#[template(path = "my_demands.html")]
struct MineTemplate {
    ctx: Ctx,
    items: Vec<DemandView>,
}

async fn mine(State(st): State<AppState>, lang: Lang, user: PageUser, uri: Uri) -> PageResult {
    let items = st.services.my_demands(&user.actor).await.or_page(lang)?;
    render(
        &MineTemplate {
            ctx: Ctx::new(lang, &user, &uri, "my_demands"),
            items,
        },
        lang,
    )
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsTemplate {
    ctx: Ctx,
    items: Vec<NotificationRow>,
    unread: i64,
}

impl NotificationsTemplate {
    fn line(&self, n: &NotificationRow) -> String {
        let title = serde_json::from_str::<serde_json::Value>(&n.params)
            .ok()
            .and_then(|v| v.get("title").and_then(|t| t.as_str()).map(str::to_string))
            .unwrap_or_default();
        format!(
            "{}：{}",
            self.ctx.lang.t(&format!("notification.{}", n.kind)),
            title
        )
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

// ---- the clerk's entry of offline demands ----

#[derive(Deserialize, Default)]
struct ChannelQuery {
    channel: Option<String>,
}

#[derive(Template)]
#[template(path = "intake.html")]
struct IntakeTemplate {
    ctx: Ctx,
    channel: Channel,
    channels: Vec<Channel>,
    values: BTreeMap<String, String>,
    errors: FormErrors,
    units: Vec<UnitOption>,
    categories: Vec<(i64, String)>,
    rows: usize,
    notice: Option<String>,
}

impl IntakeTemplate {
    fn fields(&self) -> Vec<(&'static str, bool)> {
        self.channel.fields().to_vec()
    }
    fn value(&self, name: &str) -> String {
        self.values.get(name).cloned().unwrap_or_default()
    }
    fn row_value(&self, name: &str, row: &usize) -> String {
        self.value(&format!("{name}_{row}"))
    }
    fn row_unit_is(&self, row: &usize, id: &i64) -> bool {
        self.row_value("unit_id", row) == id.to_string()
    }
    fn row_category_is(&self, row: &usize, id: &i64) -> bool {
        self.row_value("category_id", row) == id.to_string()
    }
    fn row_range(&self) -> Vec<usize> {
        (0..self.rows).collect()
    }
    fn channel_field(&self, name: &str) -> String {
        self.ctx.lang.t(&format!("channel_field.{name}"))
    }
    fn input_type(&self, name: &str) -> &'static str {
        if name.ends_with("_on") || name.ends_with("_date") || name == "called_at" {
            "date"
        } else {
            "text"
        }
    }
}

fn batch_rows(channel: Channel) -> usize {
    if matches!(channel, Channel::Symposium | Channel::Visit) {
        5
    } else {
        1
    }
}

#[allow(clippy::too_many_arguments)]
async fn intake_page(
    st: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    channel: Channel,
    values: BTreeMap<String, String>,
    errors: FormErrors,
    notice: Option<String>,
) -> PageResult {
    if !(user.actor.has_role(shishi_core::Role::IntakeClerk) || user.actor.can_manage_any()) {
        return Err(PageError {
            error: ServiceError::Forbidden("error.not_clerk".into()),
            lang,
        });
    }
    let units = tree_options(st.services.visible_units(&user.actor).await.or_page(lang)?);
    let categories = st
        .services
        .demand_categories()
        .await
        .or_page(lang)?
        .iter()
        .map(|c| (c.id, localized(lang, c)))
        .collect();
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let t = IntakeTemplate {
        ctx: Ctx::new(lang, user, uri, "intake"),
        channel,
        channels: Channel::ALL
            .into_iter()
            .filter(|c| c.is_offline())
            .collect(),
        values,
        errors,
        units,
        categories,
        rows: batch_rows(channel),
        notice,
    };
    render_status(&t, lang, status)
}

async fn intake_form(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Query(q): Query<ChannelQuery>,
) -> PageResult {
    let channel = q
        .channel
        .as_deref()
        .and_then(Channel::from_code)
        .filter(|c| c.is_offline())
        .unwrap_or(Channel::Hotline);
    intake_page(
        &st,
        lang,
        &user,
        &uri,
        channel,
        BTreeMap::new(),
        FormErrors::default(),
        None,
    )
    .await
}

async fn intake(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Form(values): Form<BTreeMap<String, String>>,
) -> PageResult {
    user.check_csrf(values.get("csrf").map(String::as_str).unwrap_or(""))
        .or_page(lang)?;
    let channel = values
        .get("channel")
        .and_then(|c| Channel::from_code(c))
        .filter(|c| c.is_offline())
        .ok_or(ServiceError::field("channel", "error.choice"))
        .or_page(lang)?;
    let details: BTreeMap<String, String> = channel
        .fields()
        .iter()
        .filter_map(|(name, _)| {
            values
                .get(*name)
                .map(|v| (name.to_string(), v.trim().to_string()))
        })
        .filter(|(_, v)| !v.is_empty())
        .collect();
    // Every filled row becomes a demand; all of them are checked before any is written.
    let mut inputs = Vec::new();
    for row in 0..batch_rows(channel) {
        let get = |k: &str| {
            values
                .get(&format!("{k}_{row}"))
                .cloned()
                .unwrap_or_default()
        };
        if row > 0 && get("title").trim().is_empty() && get("body").trim().is_empty() {
            continue;
        }
        inputs.push(DemandInput {
            title: get("title"),
            body: get("body"),
            unit_id: get("unit_id").trim().parse().unwrap_or(0),
            category_id: opt_id(&Some(get("category_id"))),
            contact: get("contact"),
            anonymous: false,
            channel_details: details.clone(),
        });
    }
    let key = values.get("idempotency_key").cloned().unwrap_or_default();
    match st
        .services
        .record_offline(&user.actor, channel, &inputs, &key)
        .await
    {
        Ok(ids) => {
            let notice = lang.tp("intake.recorded", &ids.len().to_string());
            intake_page(
                &st,
                lang,
                &user,
                &uri,
                channel,
                BTreeMap::new(),
                FormErrors::default(),
                Some(notice),
            )
            .await
        }
        Err(
            e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_) | ServiceError::Forbidden(_)),
        ) => {
            intake_page(
                &st,
                lang,
                &user,
                &uri,
                channel,
                values,
                FormErrors::from(&e, lang),
                None,
            )
            .await
        }
        Err(e) => Err(PageError { error: e, lang }),
    }
}
