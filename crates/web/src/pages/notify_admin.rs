//! Where notifications go beyond the in-app list: the webhooks (chat robots, integrations) of
//! the units a person manages, and, for the organisation's system admin, the outbox with its
//! deliveries, retries and the background jobs.

use crate::input::Query;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::{get, post};

use crate::input::Form;
use serde::Deserialize;
use shishi_service::ServiceError;
use shishi_service::notify::{WebhookInput, texts};
use shishi_store::outbox::{DeliveryRow, JobRow, WebhookRow};

use super::ledger::{UnitOption, tree_options};
use super::{
    Ctx, FormErrors, OrPage, PageError, PageResult, opt_id, page_count, render_status, see_other,
};
use crate::auth::PageUser;
use crate::i18n::Lang;
use crate::state::AppState;

/// The robot formats a webhook may speak.
pub const WEBHOOK_KINDS: [&str; 4] = ["generic", "wecom", "dingtalk", "feishu"];
pub const DELIVERY_STATES: [&str; 3] = ["pending", "sent", "failed"];
const DELIVERIES_PER_PAGE: i64 = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/webhooks", get(webhooks).post(create_webhook))
        .route("/admin/webhooks/{id}/active", post(set_active))
        .route("/admin/deliveries", get(deliveries))
        .route("/admin/deliveries/retry", post(retry))
}

// ---- webhooks ----

#[derive(Debug, Default, Deserialize)]
struct WebhookForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    secret: String,
    include_subtree: Option<String>,
    /// Each ticked event kind; none for all.
    #[serde(default)]
    events: Vec<String>,
}

#[derive(Template)]
#[template(path = "webhooks.html")]
struct WebhooksTemplate {
    ctx: Ctx,
    hooks: Vec<WebhookRow>,
    units: Vec<UnitOption>,
    form: WebhookForm,
    errors: FormErrors,
    notice: Option<String>,
}

impl WebhooksTemplate {
    fn kinds(&self) -> [&'static str; 4] {
        WEBHOOK_KINDS
    }
    /// Each event kind with its name in the person's language.
    fn events(&self) -> Vec<(&'static str, String)> {
        texts::kinds()
            .map(|k| (k, texts::subject(k, self.ctx.lang.code())))
            .collect()
    }
    fn event_names(&self, events: &str) -> String {
        let names: Vec<String> = events
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|e| texts::subject(e, self.ctx.lang.code()))
            .collect();
        if names.is_empty() {
            self.ctx.t("webhook.all_events")
        } else {
            names.join(self.ctx.lang.list_sep())
        }
    }
    fn ticked(&self, kind: &str) -> bool {
        self.form.events.iter().any(|e| e == kind)
    }
    fn unit_is(&self, id: &i64) -> bool {
        self.form.unit_id.trim() == id.to_string()
    }
    /// Where a webhook points, without the key a robot URL carries in its path or query.
    fn masked(&self, url: &str) -> String {
        let mut parts = url.splitn(4, '/');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(scheme), Some(""), Some(host)) => format!("{scheme}//{host}/…"),
            _ => "…".into(),
        }
    }
}

async fn webhooks_page(
    st: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    form: WebhookForm,
    errors: FormErrors,
    notice: Option<String>,
) -> PageResult {
    if !user.actor.can_manage_any() {
        return Err(PageError {
            error: ServiceError::Forbidden("error.not_admin".into()),
            lang,
        });
    }
    let hooks = st.services.webhooks(&user.actor).await.or_page(lang)?;
    let units = tree_options(
        st.services
            .manageable_units(&user.actor)
            .await
            .or_page(lang)?,
    );
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let t = WebhooksTemplate {
        ctx: Ctx::new(lang, user, uri, "webhooks"),
        hooks,
        units,
        form,
        errors,
        notice,
    };
    render_status(&t, lang, status)
}

#[derive(Deserialize)]
struct CreatedQuery {
    created: Option<String>,
}

async fn webhooks(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Query(q): Query<CreatedQuery>,
) -> PageResult {
    let form = WebhookForm {
        kind: "wecom".into(),
        include_subtree: Some("1".into()),
        ..Default::default()
    };
    let notice = q.created.map(|_| lang.t("webhook.created"));
    webhooks_page(&st, lang, &user, &uri, form, FormErrors::default(), notice).await
}

async fn create_webhook(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    axum_extra::extract::Form(f): axum_extra::extract::Form<WebhookForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    let input = WebhookInput {
        unit_id: f.unit_id.trim().parse().unwrap_or(0),
        name: f.name.clone(),
        kind: f.kind.clone(),
        url: f.url.clone(),
        secret: f.secret.clone(),
        include_subtree: f.include_subtree.is_some(),
        events: f.events.join(","),
    };
    match st.services.create_webhook(&user.actor, &input).await {
        Ok(_) => Ok(see_other("/admin/webhooks?created=1")),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Forbidden(_))) => {
            // The secret is never sent back into the page.
            let form = WebhookForm {
                secret: String::new(),
                ..f
            };
            webhooks_page(
                &st,
                lang,
                &user,
                &uri,
                form,
                FormErrors::of("webhooks", &e, lang),
                None,
            )
            .await
        }
        Err(e) => Err(PageError { error: e, lang }),
    }
}

#[derive(Deserialize)]
struct ActiveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    active: String,
}

async fn set_active(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<ActiveForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    st.services
        .set_webhook_active(&user.actor, id, f.active == "1")
        .await
        .or_page(lang)?;
    Ok(see_other("/admin/webhooks"))
}

// ---- the outbox ----

#[derive(Debug, Default, Deserialize)]
struct DeliveriesQuery {
    state: Option<String>,
    troubled: Option<String>,
    page: Option<String>,
    retried: Option<String>,
}

#[derive(Template)]
#[template(path = "deliveries.html")]
struct DeliveriesTemplate {
    ctx: Ctx,
    q: DeliveriesQuery,
    items: Vec<DeliveryRow>,
    total: i64,
    page: i64,
    pages: i64,
    base_query: String,
    counts: Vec<(String, i64)>,
    jobs: Vec<JobRow>,
    notice: Option<String>,
}

impl DeliveriesTemplate {
    fn states(&self) -> [&'static str; 3] {
        DELIVERY_STATES
    }
    fn is(&self, field: &Option<String>, value: &str) -> bool {
        field.as_deref() == Some(value)
    }
    fn troubled(&self) -> bool {
        self.q.troubled.as_deref().is_some_and(|v| !v.is_empty())
    }
    fn state_name(&self, state: &str) -> String {
        if DELIVERY_STATES.contains(&state) {
            self.ctx.t(&format!("delivery_state.{state}"))
        } else {
            state.to_string()
        }
    }
    fn job_name(&self, name: &str) -> String {
        if shishi_service::worker::JOBS.contains(&name) {
            self.ctx.t(&format!("job.{name}"))
        } else {
            name.to_string()
        }
    }
    fn time(&self, ms: &Option<i64>) -> String {
        match ms {
            Some(ms) if *ms > 0 => self.ctx.lang.time(ms),
            _ => "—".into(),
        }
    }
    fn at(&self, ms: &i64) -> String {
        if *ms > 0 {
            self.ctx.lang.time(ms)
        } else {
            "—".into()
        }
    }
    fn channel_name(&self, channel: &str) -> String {
        match channel {
            "email" | "webhook" => self.ctx.t(&format!("delivery_channel.{channel}")),
            other => other.to_string(),
        }
    }
    fn event_name(&self, event: &str) -> String {
        texts::subject(event, self.ctx.lang.code())
    }
}

async fn deliveries(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Query(q): Query<DeliveriesQuery>,
) -> PageResult {
    let page = opt_id(&q.page).unwrap_or(1).max(1);
    let troubled = q.troubled.as_deref().is_some_and(|v| !v.is_empty());
    let (items, total) = st
        .services
        .deliveries(&user.actor, q.state.as_deref(), troubled, page)
        .await
        .or_page(lang)?;
    let (jobs, found) = st
        .services
        .background_status(&user.actor)
        .await
        .or_page(lang)?;
    // Every state is shown, none as zero; anything else the outbox holds after them.
    let mut counts: Vec<(String, i64)> = DELIVERY_STATES
        .iter()
        .map(|s| {
            let n = found.iter().find(|(f, _)| f == s).map_or(0, |(_, n)| *n);
            (s.to_string(), n)
        })
        .collect();
    counts.extend(
        found
            .into_iter()
            .filter(|(s, _)| !DELIVERY_STATES.contains(&s.as_str())),
    );
    let base_query = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("page=") && !p.starts_with("retried="))
        .collect::<Vec<_>>()
        .join("&");
    let notice = q
        .retried
        .as_deref()
        .and_then(|n| n.trim().parse::<u64>().ok())
        .map(|n| lang.tp("delivery.retried", &n.to_string()));
    let t = DeliveriesTemplate {
        ctx: Ctx::new(lang, &user, &uri, "deliveries"),
        q,
        items,
        total,
        page,
        pages: page_count(total, DELIVERIES_PER_PAGE),
        base_query,
        counts,
        jobs,
        notice,
    };
    render_status(&t, lang, StatusCode::OK)
}

#[derive(Deserialize)]
struct RetryForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    ids: Vec<String>,
}

async fn retry(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    axum_extra::extract::Form(f): axum_extra::extract::Form<RetryForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    let ids: Vec<i64> = f.ids.iter().filter_map(|i| i.trim().parse().ok()).collect();
    if ids.is_empty() {
        return Err(PageError {
            error: ServiceError::field("ids", "error.required"),
            lang,
        });
    }
    let n = st
        .services
        .retry_deliveries(&user.actor, &ids)
        .await
        .or_page(lang)?;
    Ok(see_other(&format!(
        "/admin/deliveries?state=failed&retried={n}"
    )))
}
