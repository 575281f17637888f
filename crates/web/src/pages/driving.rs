//! The forms of the matter page that drive it to done: supervision orders (issue, reply,
//! close), a request for more time, and the completion claim with its evidence. Each answers
//! with the matter page: at the section on success, with the refusal beside the form otherwise.

use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::Uri;
use axum::routing::post;

use crate::input::Form;
use serde::Deserialize;
use shishi_service::ServiceError;
use shishi_service::driving::{OrderInput, ReplyInput};

use super::matter_page::{read_matter_form, step_outcome};
use super::{OrPage, PageResult};
use crate::auth::PageUser;
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/matters/{id}/orders", post(issue))
        .route("/matters/{id}/orders/{order}/reply", post(reply))
        .route("/matters/{id}/orders/{order}/close", post(close))
        .route("/matters/{id}/extensions", post(request_extension))
        .route("/matters/{id}/completion", post(claim_completion))
}

#[derive(Deserialize)]
struct OrderForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    requirement: String,
    #[serde(default)]
    reply_due: String,
}

async fn issue(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<OrderForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    let input = OrderInput {
        level: f.level.clone(),
        requirement: f.requirement.clone(),
        reply_due: Some(f.reply_due.clone()),
    };
    let result = st.services.issue_order(&user.actor, id, &input).await;
    step_outcome(
        &st,
        lang,
        &user,
        &uri,
        id,
        result,
        "orders",
        vec![
            ("level", f.level),
            ("requirement", f.requirement),
            ("reply_due", f.reply_due),
        ],
    )
    .await
}

/// A blank percent is "no progress entry with this reply"; anything else must be a number.
fn optional_percent(text: &str) -> Result<Option<i64>, ServiceError> {
    match text.trim() {
        "" => Ok(None),
        t => t
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ServiceError::field("percent", "error.number")),
    }
}

async fn reply(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path((id, order)): Path<(i64, i64)>,
    mp: Multipart,
) -> PageResult {
    let (fields, uploads) = match read_matter_form(&st, lang, &user, &uri, id, mp, "orders").await {
        Ok(x) => x,
        Err(page) => return page,
    };
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let (text, percent_text) = (get("reply"), get("percent"));
    let result = match optional_percent(&percent_text) {
        Ok(percent) => {
            st.services
                .reply_order(
                    &user.actor,
                    order,
                    ReplyInput {
                        reply: text.clone(),
                        percent,
                        uploads,
                    },
                )
                .await
        }
        Err(e) => Err(e),
    };
    // The order names its matter; a forged pair lands on the order's own matter.
    let id = match &result {
        Ok(o) => o.row.matter_id,
        Err(_) => id,
    };
    step_outcome(
        &st,
        lang,
        &user,
        &uri,
        id,
        result,
        "orders",
        vec![
            ("order", order.to_string()),
            ("reply", text),
            ("percent", percent_text),
        ],
    )
    .await
}

#[derive(Deserialize)]
struct CloseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    note: String,
}

async fn close(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path((id, order)): Path<(i64, i64)>,
    Form(f): Form<CloseForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    let result = st.services.close_order(&user.actor, order, &f.note).await;
    let id = match &result {
        Ok(o) => o.row.matter_id,
        Err(_) => id,
    };
    step_outcome(
        &st,
        lang,
        &user,
        &uri,
        id,
        result,
        "orders",
        vec![("order", order.to_string()), ("note", f.note)],
    )
    .await
}

#[derive(Deserialize)]
struct ExtensionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    proposed_deadline: String,
    #[serde(default)]
    reason: String,
}

async fn request_extension(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<ExtensionForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    let result = st
        .services
        .request_extension(&user.actor, id, &f.proposed_deadline, &f.reason)
        .await;
    step_outcome(
        &st,
        lang,
        &user,
        &uri,
        id,
        result,
        "extensions",
        vec![
            ("proposed_deadline", f.proposed_deadline),
            ("reason", f.reason),
        ],
    )
    .await
}

async fn claim_completion(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
    mp: Multipart,
) -> PageResult {
    let (fields, uploads) =
        match read_matter_form(&st, lang, &user, &uri, id, mp, "completion").await {
            Ok(x) => x,
            Err(page) => return page,
        };
    let narrative = fields.get("narrative").cloned().unwrap_or_default();
    let result = st
        .services
        .claim_completion(&user.actor, id, &narrative, uploads)
        .await;
    step_outcome(
        &st,
        lang,
        &user,
        &uri,
        id,
        result,
        "completion",
        vec![("narrative", narrative)],
    )
    .await
}
