//! Demands (诉求): submission by integrations, the inbox and its steps, co-signing, one's own
//! demands, the public tracking lookup, response figures and the in-app notifications.

use crate::input::Json;
use std::collections::BTreeMap;

use crate::input::Query;
use crate::input::Query as MultiQuery;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shishi_core::demand::Channel;
use shishi_service::ServiceError;
use shishi_service::demands::{
    DemandDetail, DemandInput, DemandView, InboxFilter, InboxPage, ResponseFigures, Similar,
    StepInput, Submitted,
};
use shishi_store::demands::{LimitRow, ListEntry, NotificationRow};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, OrApi, Page};
use crate::auth::{ApiUser, MaybeApiUser};
use crate::error::{ApiError, ErrorBody};
use crate::i18n::Lang;
use crate::input::IdempotencyKey;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(inbox, submit))
        .routes(routes!(get_demand))
        .routes(routes!(step))
        .routes(routes!(cosign))
        .routes(routes!(refer))
        .routes(routes!(mine))
        .routes(routes!(track))
        .routes(routes!(figures))
        .routes(routes!(notifications))
        .routes(routes!(mark_read))
        .routes(routes!(categories))
        .routes(routes!(decline_reasons))
        .routes(routes!(similar))
        .routes(routes!(reveal))
        .routes(routes!(list_limits, set_limit))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RevealInput {
    /// Why the identity must be known; recorded in the audit trail.
    pub reason: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Revealed {
    /// The submitter's name, or the contact they left; none when nobody signed in and no contact was left.
    pub submitter: Option<String>,
}

/// A system admin over the demand's unit reveals who raised an anonymous demand. Audited.
#[utoipa::path(post, path = "/demands/{id}/reveal", tag = "demands", params(("id" = i64, Path)), request_body = RevealInput,
    responses((status = 200, body = Revealed), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reveal(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(r): Json<RevealInput>,
) -> ApiResult<Revealed> {
    Ok(Json(Revealed {
        submitter: st
            .services
            .reveal_submitter(&user.actor, id, &r.reason)
            .await
            .or_api(lang)?,
    }))
}

/// Working-day limits to accept and to answer demands (unit 0 and category 0 mean "any").
#[utoipa::path(get, path = "/response-limits", tag = "demands", responses((status = 200, body = Vec<LimitRow>)))]
async fn list_limits(
    State(st): State<AppState>,
    lang: Lang,
    _user: ApiUser,
) -> ApiResult<Vec<LimitRow>> {
    Ok(Json(st.services.response_limits().await.or_api(lang)?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LimitInput {
    #[serde(default)]
    pub unit_id: i64,
    #[serde(default)]
    pub category_id: i64,
    pub accept_days: i64,
    pub answer_days: i64,
}

/// Sets one limit (system admin of the whole organisation); the most specific one applies.
#[utoipa::path(put, path = "/response-limits", tag = "demands", request_body = LimitInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_limit(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Json(l): Json<LimitInput>,
) -> Result<StatusCode, ApiError> {
    st.services
        .set_response_limit(
            &user.actor,
            l.unit_id,
            l.category_id,
            l.accept_days,
            l.answer_days,
        )
        .await
        .or_api(lang)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct SimilarQuery {
    /// The title and details typed so far.
    pub text: String,
}

/// Open demands and listed matters that read like the text being typed, to co-sign or follow
/// instead of filing again; never who raised them. Without signing in, a caller learns only
/// that similar open demands exist (their ids), no title.
#[utoipa::path(get, path = "/similar", tag = "demands", params(SimilarQuery), security((), ("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Similar)))]
async fn similar(
    State(st): State<AppState>,
    lang: Lang,
    MaybeApiUser(user): MaybeApiUser,
    Query(q): Query<SimilarQuery>,
) -> ApiResult<Similar> {
    let text: String = q.text.chars().take(4000).collect();
    let actor = user.as_ref().map(|u| &u.actor);
    Ok(Json(st.services.similar(actor, &text).await.or_api(lang)?))
}

/// A demand as an integration sends it: `DemandInput` and its channel. Written out member by
/// member (not flattened) so that the schema lists what is required and a bad member is named.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewDemand {
    /// online, mobile, mailbox, hotline, suggestion_box, questionnaire, symposium, visit or api.
    pub channel: String,
    pub title: String,
    #[serde(default)]
    pub body: String,
    pub unit_id: i64,
    #[serde(default)]
    pub category_id: Option<i64>,
    /// Phone or e-mail for a callback; shown to handlers only for named demands.
    #[serde(default)]
    pub contact: String,
    /// A signed-in submitter may hide their name from everyone who handles the demand.
    #[serde(default)]
    pub anonymous: bool,
    /// The channel's own fields, e.g. `caller_number`, `called_at` for a hotline call.
    #[serde(default)]
    pub channel_details: BTreeMap<String, String>,
}

impl NewDemand {
    fn into_input(self) -> DemandInput {
        DemandInput {
            title: self.title,
            body: self.body,
            unit_id: self.unit_id,
            category_id: self.category_id,
            contact: self.contact,
            anonymous: self.anonymous,
            channel_details: self.channel_details,
        }
    }
}

/// Submits a demand. Send an `Idempotency-Key` header: a repeat with the same key answers the
/// first demand again instead of creating a second. Offline channels need an intake clerk.
#[utoipa::path(post, path = "/demands", tag = "demands", request_body = NewDemand,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Submitted), (status = 200, body = Submitted, description = "a repeat"), (status = 422, body = ErrorBody)))]
async fn submit(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    IdempotencyKey(key): IdempotencyKey,
    Json(d): Json<NewDemand>,
) -> Result<(StatusCode, Json<Submitted>), ApiError> {
    let channel = Channel::from_code(d.channel.trim())
        .ok_or_else(|| ServiceError::field("channel", "error.choice"))
        .or_api(lang)?;
    let demand = d.into_input();
    let out = st
        .services
        .submit_demand(Some(&user.actor), channel, &demand, key.as_deref(), vec![])
        .await
        .or_api_as(
            if channel.is_offline() {
                "intake"
            } else {
                "submit"
            },
            lang,
        )?;
    let status = if out.repeated {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(out)))
}

/// The inbox: demands in the caller's scope, oldest first, with their age and limits.
#[utoipa::path(get, path = "/demands", tag = "demands", params(InboxFilter),
    responses((status = 200, body = InboxPage), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn inbox(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    MultiQuery(f): MultiQuery<InboxFilter>,
) -> ApiResult<InboxPage> {
    Ok(Json(st.services.inbox(&user.actor, &f).await.or_api(lang)?))
}

#[utoipa::path(get, path = "/demands/{id}", tag = "demands", params(("id" = i64, Path)),
    responses((status = 200, body = DemandDetail), (status = 404, body = ErrorBody)))]
async fn get_demand(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<DemandDetail> {
    Ok(Json(
        st.services.demand(&user.actor, id).await.or_api(lang)?,
    ))
}

/// One step: accept, answer, adopt (`matter_id`), merge (`merge_into`), decline
/// (`decline_reason_id` and `text`), transfer (`to_unit_id` and `text`) or send_back (`text`).
#[utoipa::path(post, path = "/demands/{id}/steps", tag = "demands", params(("id" = i64, Path)), request_body = StepInput,
    responses((status = 200, body = DemandView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn step(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(s): Json<StepInput>,
) -> ApiResult<DemandView> {
    Ok(Json(
        st.services
            .demand_step(&user.actor, id, &s)
            .await
            .or_api(lang)?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ReferInput {
    /// A note for the unit admins; may be empty.
    #[serde(default)]
    pub text: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Referred {
    /// How many unit admins were told.
    pub notified: usize,
}

/// 转交单位管理员立项: an intake clerk hands an open demand to the unit admins nearest above
/// its unit, who may make it a matter; the demand's log records it and it stays open.
#[utoipa::path(post, path = "/demands/{id}/referral", tag = "demands", params(("id" = i64, Path)), request_body = ReferInput,
    responses((status = 200, body = Referred), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn refer(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(r): Json<ReferInput>,
) -> ApiResult<Referred> {
    let told = st
        .services
        .refer_to_admins(&user.actor, id, &r.text)
        .await
        .or_api(lang)?;
    Ok(Json(Referred {
        notified: told.len(),
    }))
}

/// 附议: join an open demand instead of filing it again.
#[utoipa::path(post, path = "/demands/{id}/cosign", tag = "demands", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn cosign(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    st.services.cosign(&user.actor, id).await.or_api(lang)?;
    Ok(StatusCode::NO_CONTENT)
}

/// 我的诉求: what the caller raised or co-signed.
#[utoipa::path(get, path = "/my/demands", tag = "demands", responses((status = 200, body = Page<DemandView>)))]
async fn mine(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
) -> ApiResult<Page<DemandView>> {
    let items = st.services.my_demands(&user.actor).await.or_api(lang)?;
    Ok(Json(Page {
        total: items.len() as i64,
        items,
    }))
}

/// Follows an anonymous demand by its private tracking code; no sign-in.
#[utoipa::path(get, path = "/track/{code}", tag = "demands", params(("code" = String, Path)), security(()),
    responses((status = 200, body = DemandDetail), (status = 404, body = ErrorBody)))]
async fn track(
    State(st): State<AppState>,
    lang: Lang,
    Path(code): Path<String>,
) -> ApiResult<DemandDetail> {
    Ok(Json(st.services.track(&code).await.or_api(lang)?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct FiguresQuery {
    pub unit_id: i64,
    /// `YYYY-MM-DD` (Beijing), inclusive.
    pub from: String,
    pub until: String,
}

/// Response figures of a unit's subtree over a period, from the demand events.
#[utoipa::path(get, path = "/response-figures", tag = "demands", params(FiguresQuery),
    responses((status = 200, body = ResponseFigures), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn figures(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Query(q): Query<FiguresQuery>,
) -> ApiResult<ResponseFigures> {
    let date = |field: &str, v: &str| {
        chrono::NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
            .map_err(|_| ApiError::new(ServiceError::field(field, "error.date"), lang))
    };
    let (from, until) = (date("from", &q.from)?, date("until", &q.until)?);
    Ok(Json(
        st.services
            .response_figures(&user.actor, q.unit_id, from, until)
            .await
            .or_api(lang)?,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Notifications {
    pub items: Vec<NotificationRow>,
    pub unread: i64,
}

/// The caller's in-app notifications, newest first.
#[utoipa::path(get, path = "/notifications", tag = "demands", responses((status = 200, body = Notifications)))]
async fn notifications(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
) -> ApiResult<Notifications> {
    let (items, unread) = st.services.notifications(&user.actor).await.or_api(lang)?;
    Ok(Json(Notifications { items, unread }))
}

#[utoipa::path(post, path = "/notifications/read", tag = "demands", responses((status = 204)))]
async fn mark_read(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
) -> Result<StatusCode, ApiError> {
    st.services
        .mark_notifications_read(&user.actor)
        .await
        .or_api(lang)?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/demand-categories", tag = "demands", security(()), responses((status = 200, body = Vec<ListEntry>)))]
async fn categories(State(st): State<AppState>, lang: Lang) -> ApiResult<Vec<ListEntry>> {
    Ok(Json(st.services.demand_categories().await.or_api(lang)?))
}

#[utoipa::path(get, path = "/decline-reasons", tag = "demands", responses((status = 200, body = Vec<ListEntry>)))]
async fn decline_reasons(
    State(st): State<AppState>,
    lang: Lang,
    _user: ApiUser,
) -> ApiResult<Vec<ListEntry>> {
    Ok(Json(st.services.decline_reasons().await.or_api(lang)?))
}
