//! The intake clerk's entry of demands that arrived offline: by hotline, letter, suggestion
//! box, questionnaire, or many at once from a symposium or a leader's visit.

use std::collections::BTreeMap;

use crate::input::Query;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::routing::{get, post};

use crate::input::Form;
use serde::Deserialize;
use shishi_core::demand::Channel;
use shishi_service::ServiceError;
use shishi_service::demands::DemandInput;

use super::ledger::{UnitOption, tree_options};
use super::{Ctx, FormErrors, OrPage, PageError, PageResult, localized, opt_id, render_status};
use crate::auth::PageUser;
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/intake/new", get(intake_form))
        .route("/intake", post(intake))
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
        if name == "called_at" {
            "datetime-local"
        } else if name.ends_with("_on") || name.ends_with("_date") {
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
    if !user.actor.records_offline() {
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
                FormErrors::of("intake", &e, lang),
                None,
            )
            .await
        }
        Err(e) => Err(PageError { error: e, lang }),
    }
}
