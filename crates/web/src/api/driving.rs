//! Driving matters to done: supervision orders (督办单) and the supervision board, deadline
//! extensions (延期), the completion claim, the requesters' verdicts (评价) and callbacks
//! (回访), and the policy that governs them. Verdicts never carry a requester's identity.

use crate::input::Json;
use crate::input::Query;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use shishi_core::driving::DrivingPolicy;
use shishi_service::driving::{
    BoardFilter, BoardPage, CallbackInput, ExtensionDecision, OrderInput, OrderView, ReplyInput,
    VerdictSummary,
};
use shishi_store::evaluations::EvaluationRow;
use shishi_store::matters::MatterRow;
use shishi_store::orders::ExtensionRow;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, OrApi, Page};
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(matter_orders, issue_order))
        .routes(routes!(reply_order))
        .routes(routes!(close_order))
        .routes(routes!(board))
        .routes(routes!(matter_extensions, request_extension))
        .routes(routes!(pending_extensions))
        .routes(routes!(decide_extension))
        .routes(routes!(claim_completion))
        .routes(routes!(verdicts))
        .routes(routes!(my_evaluations))
        .routes(routes!(rate))
        .routes(routes!(callbacks))
        .routes(routes!(record_callback))
        .routes(routes!(get_policy, set_policy))
}

fn list<T: utoipa::ToSchema>(items: Vec<T>) -> Json<Page<T>> {
    Json(Page {
        total: items.len() as i64,
        items,
    })
}

/// Issues a supervision order on a matter: a supervisor over its unit, or its named
/// supervisor. Without `reply_due`, the policy's number of working days from today.
#[utoipa::path(post, path = "/matters/{id}/orders", tag = "driving", params(("id" = i64, Path)), request_body = OrderInput,
    responses((status = 201, body = OrderView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn issue_order(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<OrderInput>,
) -> Result<(StatusCode, Json<OrderView>), ApiError> {
    let order = st
        .services
        .issue_order(&user.actor, id, &input)
        .await
        .or_api(lang)?;
    Ok((StatusCode::CREATED, Json(order)))
}

/// The supervision orders on one matter, newest first.
#[utoipa::path(get, path = "/matters/{id}/orders", tag = "driving", params(("id" = i64, Path)),
    responses((status = 200, body = Page<OrderView>), (status = 404, body = ErrorBody)))]
async fn matter_orders(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Page<OrderView>> {
    Ok(list(
        st.services.orders_of(&user.actor, id).await.or_api(lang)?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ReplyBody {
    pub reply: String,
    /// When given, a progress entry at this percent is posted with the reply.
    #[serde(default)]
    pub percent: Option<i64>,
}

/// The responsible person (or a unit admin) answers an open order. Evidence files go with a
/// progress entry (`POST /matters/{id}/progress`) or through the matter page.
#[utoipa::path(post, path = "/orders/{id}/reply", tag = "driving", params(("id" = i64, Path)), request_body = ReplyBody,
    responses((status = 200, body = OrderView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reply_order(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(r): Json<ReplyBody>,
) -> ApiResult<OrderView> {
    let input = ReplyInput {
        reply: r.reply,
        percent: r.percent,
        uploads: vec![],
    };
    Ok(Json(
        st.services
            .reply_order(&user.actor, id, input)
            .await
            .or_api(lang)?,
    ))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct CloseBody {
    #[serde(default)]
    pub note: String,
}

/// The supervisor closes an open or answered order (办结).
#[utoipa::path(post, path = "/orders/{id}/close", tag = "driving", params(("id" = i64, Path)), request_body = CloseBody,
    responses((status = 200, body = OrderView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn close_order(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(c): Json<CloseBody>,
) -> ApiResult<OrderView> {
    Ok(Json(
        st.services
            .close_order(&user.actor, id, &c.note)
            .await
            .or_api(lang)?,
    ))
}

/// The supervision board (督办事项清单): orders on the matters the caller reads; open and
/// answered ones unless `state` says otherwise; `late` keeps open ones past their reply date.
#[utoipa::path(get, path = "/orders", tag = "driving", params(BoardFilter),
    responses((status = 200, body = BoardPage), (status = 422, body = ErrorBody)))]
async fn board(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Query(f): Query<BoardFilter>,
) -> ApiResult<BoardPage> {
    Ok(Json(
        st.services
            .supervision_board(&user.actor, &f)
            .await
            .or_api(lang)?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ExtensionRequest {
    /// `YYYY-MM-DD`, later than the current deadline.
    pub proposed_deadline: String,
    pub reason: String,
}

/// Asks for more time (the responsible person or a unit admin, on open work). One request
/// waits at a time; the matter keeps its original deadline.
#[utoipa::path(post, path = "/matters/{id}/extensions", tag = "driving", params(("id" = i64, Path)), request_body = ExtensionRequest,
    responses((status = 201, body = ExtensionRow), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn request_extension(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(r): Json<ExtensionRequest>,
) -> Result<(StatusCode, Json<ExtensionRow>), ApiError> {
    let row = st
        .services
        .request_extension(&user.actor, id, &r.proposed_deadline, &r.reason)
        .await
        .or_api(lang)?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// A matter's extension requests and their decisions.
#[utoipa::path(get, path = "/matters/{id}/extensions", tag = "driving", params(("id" = i64, Path)),
    responses((status = 200, body = Page<ExtensionRow>), (status = 404, body = ErrorBody)))]
async fn matter_extensions(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Page<ExtensionRow>> {
    Ok(list(
        st.services
            .extensions_of(&user.actor, id)
            .await
            .or_api(lang)?,
    ))
}

/// The extension requests waiting for the caller's decision.
#[utoipa::path(get, path = "/extensions", tag = "driving",
    responses((status = 200, body = Page<ExtensionRow>)))]
async fn pending_extensions(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
) -> ApiResult<Page<ExtensionRow>> {
    Ok(list(
        st.services
            .pending_extensions(&user.actor)
            .await
            .or_api(lang)?,
    ))
}

/// Approves (the deadline moves) or refuses (a note is required) an extension request. Nobody
/// decides their own request, except the organisation's system admin.
#[utoipa::path(post, path = "/extensions/{id}/decision", tag = "driving", params(("id" = i64, Path)), request_body = ExtensionDecision,
    responses((status = 200, body = ExtensionRow), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn decide_extension(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(d): Json<ExtensionDecision>,
) -> ApiResult<ExtensionRow> {
    Ok(Json(
        st.services
            .decide_extension(&user.actor, id, &d)
            .await
            .or_api(lang)?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CompletionBody {
    /// What was done, against the acceptance standard.
    pub narrative: String,
}

/// Claims completion: a 100 % progress entry and the completion step. The matter must already
/// carry evidence (post it with `POST /matters/{id}/progress`); otherwise 422 on `files`.
#[utoipa::path(post, path = "/matters/{id}/completion", tag = "driving", params(("id" = i64, Path)), request_body = CompletionBody,
    responses((status = 200, body = MatterRow), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn claim_completion(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(c): Json<CompletionBody>,
) -> ApiResult<MatterRow> {
    Ok(Json(
        st.services
            .claim_completion(&user.actor, id, &c.narrative, vec![])
            .await
            .or_api(lang)?,
    ))
}

/// The requesters' verdicts on a matter, counted, with comments and without identities.
#[utoipa::path(get, path = "/matters/{id}/verdicts", tag = "driving", params(("id" = i64, Path)),
    responses((status = 200, body = VerdictSummary), (status = 404, body = ErrorBody)))]
async fn verdicts(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<VerdictSummary> {
    Ok(Json(
        st.services
            .verdict_summary(&user.actor, "matter", id)
            .await
            .or_api(lang)?,
    ))
}

/// The results waiting for the caller's verdict.
#[utoipa::path(get, path = "/evaluations/mine", tag = "driving",
    responses((status = 200, body = Page<EvaluationRow>)))]
async fn my_evaluations(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
) -> ApiResult<Page<EvaluationRow>> {
    Ok(list(
        st.services.my_evaluations(&user.actor).await.or_api(lang)?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RatingInput {
    /// `satisfied` (满意), `basically` (基本满意) or `dissatisfied` (不满意).
    pub verdict: String,
    /// Required with `dissatisfied`.
    #[serde(default)]
    pub comment: String,
}

/// The caller's verdict on a result they were asked about. 不满意 reopens or escalates the
/// work, by the policy.
#[utoipa::path(post, path = "/evaluations/{id}/rating", tag = "driving", params(("id" = i64, Path)), request_body = RatingInput,
    responses((status = 200, body = EvaluationRow), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn rate(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(r): Json<RatingInput>,
) -> ApiResult<EvaluationRow> {
    Ok(Json(
        st.services
            .rate(&user.actor, id, &r.verdict, &r.comment)
            .await
            .or_api(lang)?,
    ))
}

/// The callback list (回访): open verdict requests in the units the caller handles.
#[utoipa::path(get, path = "/callbacks", tag = "driving",
    responses((status = 200, body = Page<EvaluationRow>)))]
async fn callbacks(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
) -> ApiResult<Page<EvaluationRow>> {
    Ok(list(
        st.services.callback_list(&user.actor).await.or_api(lang)?,
    ))
}

/// A clerk records a callback visit: the verdict heard by phone or in person, when, and whom
/// they reached (kept, never shown).
#[utoipa::path(post, path = "/evaluations/{id}/callback", tag = "driving", params(("id" = i64, Path)), request_body = CallbackInput,
    responses((status = 200, body = EvaluationRow), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn record_callback(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(c): Json<CallbackInput>,
) -> ApiResult<EvaluationRow> {
    Ok(Json(
        st.services
            .record_callback(&user.actor, id, &c)
            .await
            .or_api(lang)?,
    ))
}

/// The policy that drives matters to done.
#[utoipa::path(get, path = "/settings/driving", tag = "driving",
    responses((status = 200, body = DrivingPolicy)))]
async fn get_policy(State(st): State<AppState>, _user: ApiUser) -> Json<DrivingPolicy> {
    Json(st.services.driving_policy())
}

/// Sets the policy (the organisation's system admin); each number 1–60 working days.
#[utoipa::path(put, path = "/settings/driving", tag = "driving", request_body = DrivingPolicy,
    responses((status = 200, body = DrivingPolicy), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_policy(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Json(p): Json<DrivingPolicy>,
) -> ApiResult<DrivingPolicy> {
    st.services
        .set_driving_policy(&user.actor, p)
        .await
        .or_api(lang)?;
    Ok(Json(st.services.driving_policy()))
}
