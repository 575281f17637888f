//! Matters: the ledger, one matter with its history, creating and decomposing, editing,
//! lifecycle steps, progress with evidence, evidence downloads, the summary line.

use crate::input::Json;
use crate::input::Query;
use crate::input::Query as MultiQuery;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shishi_service::matters::{LedgerFilter, LedgerPage, MatterDetail, MatterInput, Summary};
use shishi_store::matters::{MatterRow, ProgressRow};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, OrApi};
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(ledger, create_matter))
        .routes(routes!(get_matter, update_matter))
        .routes(routes!(create_child))
        .routes(routes!(transition))
        .routes(routes!(post_progress))
        .routes(routes!(download))
        .routes(routes!(summary))
}

/// The ledger: matters in the caller's scope, filtered, sorted and paged, with the summary
/// line of the unit subtree and the overdue and at-risk counts.
/// `status` may repeat; `sort` is `unit` (default), `deadline`, `-deadline`, `progress`,
/// `-progress`, `updated` or `newest`.
#[utoipa::path(get, path = "/matters", tag = "matters", params(LedgerFilter),
    responses((status = 200, body = LedgerPage), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn ledger(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    MultiQuery(f): MultiQuery<LedgerFilter>,
) -> ApiResult<LedgerPage> {
    Ok(Json(
        st.services.ledger(&user.actor, &f).await.or_api(lang)?,
    ))
}

/// Creates a proposed matter.
#[utoipa::path(post, path = "/matters", tag = "matters", request_body = MatterInput,
    responses((status = 201, body = MatterRow), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_matter(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Json(m): Json<MatterInput>,
) -> Result<(StatusCode, Json<MatterRow>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(
            st.services
                .create_matter(&user.actor, None, &m)
                .await
                .or_api(lang)?,
        ),
    ))
}

/// One matter with its parent, children, progress, files, history and the steps the caller may take.
#[utoipa::path(get, path = "/matters/{id}", tag = "matters", params(("id" = i64, Path)),
    responses((status = 200, body = MatterDetail), (status = 404, body = ErrorBody)))]
async fn get_matter(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<MatterDetail> {
    Ok(Json(
        st.services.matter(&user.actor, id).await.or_api(lang)?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct VersionQuery {
    /// The version the caller last read; a matter changed since is refused (409).
    pub version: Option<i64>,
}

/// Rewrites a matter's fields (the five determinations and the rest).
#[utoipa::path(put, path = "/matters/{id}", tag = "matters", params(("id" = i64, Path), VersionQuery), request_body = MatterInput,
    responses((status = 200, body = MatterRow), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_matter(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
    Query(v): Query<VersionQuery>,
    Json(m): Json<MatterInput>,
) -> ApiResult<MatterRow> {
    Ok(Json(
        st.services
            .update_matter(&user.actor, id, v.version, &m)
            .await
            .or_api(lang)?,
    ))
}

/// Decomposes a matter: a child matter for a sub-unit or a person (拉条挂账).
#[utoipa::path(post, path = "/matters/{id}/children", tag = "matters", params(("id" = i64, Path)), request_body = MatterInput,
    responses((status = 201, body = MatterRow), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_child(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(m): Json<MatterInput>,
) -> Result<(StatusCode, Json<MatterRow>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(
            st.services
                .create_matter(&user.actor, Some(id), &m)
                .await
                .or_api(lang)?,
        ),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TransitionInput {
    /// approve, start, complete, accept, return, close, suspend, resume or cancel.
    pub action: String,
    /// Required for suspend, cancel and return.
    #[serde(default)]
    pub reason: String,
}

/// Takes one lifecycle step. A refusal says why (409, in the caller's language).
#[utoipa::path(post, path = "/matters/{id}/transitions", tag = "matters", params(("id" = i64, Path)), request_body = TransitionInput,
    responses((status = 200, body = MatterRow), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn transition(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(t): Json<TransitionInput>,
) -> ApiResult<MatterRow> {
    Ok(Json(
        st.services
            .transition_by_code(&user.actor, id, &t.action, &t.reason)
            .await
            .or_api(lang)?,
    ))
}

/// Posts a progress entry: multipart with `percent`, `narrative` and any number of `files`
/// (JPEG, PNG, GIF, WebP or PDF, judged by content; at most 10 MB each).
#[utoipa::path(post, path = "/matters/{id}/progress", tag = "matters", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "percent, narrative, files"),
    responses((status = 201, body = ProgressRow), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn post_progress(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<(StatusCode, Json<ProgressRow>), ApiError> {
    let (fields, uploads) = crate::input::read_multipart(mp).await.or_api(lang)?;
    let text = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    let row = st
        .services
        .post_progress_form(&user.actor, id, text("percent"), text("narrative"), uploads)
        .await
        .or_api(lang)?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// Downloads an evidence file, under the media type it was uploaded with (an image, a PDF, a
/// spreadsheet…), hence `*/*`.
#[utoipa::path(get, path = "/files/{id}", tag = "matters", params(("id" = i64, Path)),
    responses((status = 200, content_type = "*/*", description = "the file's bytes"), (status = 404, body = ErrorBody)))]
async fn download(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (meta, data) = st.services.file(&user.actor, id).await.or_api(lang)?;
    Ok((
        [
            (header::CONTENT_TYPE, meta.content_type),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
        ],
        data,
    )
        .into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct SummaryQuery {
    pub unit_id: i64,
}

/// The summary line of a unit's subtree ("共18项，已完成15项，推进中3项").
#[utoipa::path(get, path = "/summary", tag = "matters", params(SummaryQuery),
    responses((status = 200, body = Summary), (status = 404, body = ErrorBody)))]
async fn summary(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Query(q): Query<SummaryQuery>,
) -> ApiResult<Summary> {
    Ok(Json(
        st.services
            .summary(&user.actor, q.unit_id)
            .await
            .or_api(lang)?,
    ))
}
