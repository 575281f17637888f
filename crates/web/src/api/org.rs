//! The organisation: units, people and their grants, campaigns, content areas.

use crate::input::Json;
use crate::input::Query;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use shishi_service::campaigns::CampaignInput;
use shishi_service::paging::Paging;
use shishi_service::units::UnitInput;
use shishi_service::users::UserInput;
use shishi_store::campaigns::{CampaignRow, ContentAreaRow};
use shishi_store::units::UnitRow;
use shishi_store::users::{GrantRow, UserRow};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, OrApi, Page};
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_units, create_unit))
        .routes(routes!(get_unit, update_unit))
        .routes(routes!(move_unit))
        .routes(routes!(set_unit_active))
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(add_grant))
        .routes(routes!(remove_grant))
        .routes(routes!(list_campaigns, create_campaign))
        .routes(routes!(get_campaign, update_campaign))
        .routes(routes!(content_areas))
}

/// Units the caller reads, parents before children.
#[utoipa::path(get, path = "/units", tag = "units", responses((status = 200, body = Page<UnitRow>)))]
async fn list_units(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
) -> ApiResult<Page<UnitRow>> {
    let items = st.services.visible_units(&user.actor).await.or_api(lang)?;
    Ok(Json(Page {
        total: items.len() as i64,
        items,
    }))
}

/// A unit and where it goes; written out member by member so that the schema lists what is
/// required and a bad member is named.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewUnit {
    pub parent_id: i64,
    pub name: String,
    /// group, subsidiary, unit or department.
    pub kind: String,
    #[serde(default)]
    pub sort_order: i64,
}

/// Adds a unit under a parent the caller administers.
#[utoipa::path(post, path = "/units", tag = "units", request_body = NewUnit,
    responses((status = 201, body = UnitRow), (status = 422, body = ErrorBody)))]
async fn create_unit(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Json(u): Json<NewUnit>,
) -> Result<(StatusCode, Json<UnitRow>), ApiError> {
    let unit = st
        .services
        .create_unit(
            &user.actor,
            Some(u.parent_id),
            &UnitInput {
                name: u.name,
                kind: u.kind,
                sort_order: u.sort_order,
            },
        )
        .await
        .or_api(lang)?;
    Ok((StatusCode::CREATED, Json(unit)))
}

#[utoipa::path(get, path = "/units/{id}", tag = "units", params(("id" = i64, Path)),
    responses((status = 200, body = UnitRow), (status = 404, body = ErrorBody)))]
async fn get_unit(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<UnitRow> {
    Ok(Json(st.services.unit(&user.actor, id).await.or_api(lang)?))
}

/// Renames a unit or changes its kind and order.
#[utoipa::path(put, path = "/units/{id}", tag = "units", params(("id" = i64, Path)), request_body = UnitInput,
    responses((status = 200, body = UnitRow), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_unit(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(u): Json<UnitInput>,
) -> ApiResult<UnitRow> {
    Ok(Json(
        st.services
            .update_unit(&user.actor, id, &u)
            .await
            .or_api(lang)?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MoveUnit {
    pub parent_id: i64,
}

/// Moves a unit, with its subtree and matters, under another parent.
#[utoipa::path(post, path = "/units/{id}/move", tag = "units", params(("id" = i64, Path)), request_body = MoveUnit,
    responses((status = 200, body = UnitRow), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn move_unit(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(m): Json<MoveUnit>,
) -> ApiResult<UnitRow> {
    Ok(Json(
        st.services
            .move_unit(&user.actor, id, m.parent_id)
            .await
            .or_api(lang)?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ActiveFlag {
    pub active: bool,
}

/// Deactivates (refused while the subtree has live matters) or reactivates a unit.
#[utoipa::path(put, path = "/units/{id}/active", tag = "units", params(("id" = i64, Path)), request_body = ActiveFlag,
    responses((status = 200, body = UnitRow), (status = 409, body = ErrorBody)))]
async fn set_unit_active(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(a): Json<ActiveFlag>,
) -> ApiResult<UnitRow> {
    Ok(Json(
        st.services
            .set_unit_active(&user.actor, id, a.active)
            .await
            .or_api(lang)?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct UserQuery {
    /// Part of a name or username.
    pub q: Option<String>,
    /// From 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<i64>,
}

/// People whose home unit the caller reads or administers.
#[utoipa::path(get, path = "/users", tag = "people", params(UserQuery), responses((status = 200, body = Page<UserRow>)))]
async fn list_users(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Query(q): Query<UserQuery>,
) -> ApiResult<Page<UserRow>> {
    let paging = Paging::new(q.page, q.per_page, 50, 500).or_api(lang)?;
    let page = st
        .services
        .list_users(
            &user.actor,
            q.q.as_deref().unwrap_or(""),
            paging.per_page,
            paging.offset(),
        )
        .await
        .or_api(lang)?;
    Ok(Json(Page {
        items: page.items,
        total: page.total,
    }))
}

/// Creates a person in a unit the caller administers.
#[utoipa::path(post, path = "/users", tag = "people", request_body = UserInput,
    responses((status = 201, body = UserRow), (status = 422, body = ErrorBody)))]
async fn create_user(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Json(u): Json<UserInput>,
) -> Result<(StatusCode, Json<UserRow>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(
            st.services
                .create_user(&user.actor, &u)
                .await
                .or_api(lang)?,
        ),
    ))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct UserWithGrants {
    pub user: UserRow,
    pub grants: Vec<GrantRow>,
}

#[utoipa::path(get, path = "/users/{id}", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = UserWithGrants), (status = 404, body = ErrorBody)))]
async fn get_user(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<UserWithGrants> {
    let (u, grants) = st.services.user(&user.actor, id).await.or_api(lang)?;
    Ok(Json(UserWithGrants { user: u, grants }))
}

/// Updates a person; an empty password keeps the current one. Deactivating the last active
/// system admin of the whole organisation is refused (409, `conflict`).
#[utoipa::path(put, path = "/users/{id}", tag = "people", params(("id" = i64, Path)), request_body = UserInput,
    responses((status = 200, body = UserRow), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "It would leave no active system admin of the whole organisation"),
        (status = 422, body = ErrorBody)))]
async fn update_user(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(u): Json<UserInput>,
) -> ApiResult<UserRow> {
    Ok(Json(
        st.services
            .update_user(&user.actor, id, &u)
            .await
            .or_api(lang)?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewGrant {
    /// member, intake_clerk, handler, unit_admin, supervisor, leader or system_admin.
    pub role: String,
    pub unit_id: i64,
}

/// Grants a role over a unit's subtree.
#[utoipa::path(post, path = "/users/{id}/grants", tag = "people", params(("id" = i64, Path)), request_body = NewGrant,
    responses((status = 201, body = GrantRow), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_grant(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(g): Json<NewGrant>,
) -> Result<(StatusCode, Json<GrantRow>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(
            st.services
                .add_grant(&user.actor, id, &g.role, g.unit_id)
                .await
                .or_api(lang)?,
        ),
    ))
}

/// Revokes a role grant. One's own system admin grant, and the last active system admin of
/// the whole organisation's, are refused (409, `conflict`).
#[utoipa::path(delete, path = "/grants/{id}", tag = "people", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "One's own system admin grant, or the last active one of the whole organisation")))]
async fn remove_grant(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    st.services
        .remove_grant(&user.actor, id)
        .await
        .or_api(lang)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Campaigns that concern the caller's units.
#[utoipa::path(get, path = "/campaigns", tag = "campaigns", responses((status = 200, body = Page<CampaignRow>)))]
async fn list_campaigns(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
) -> ApiResult<Page<CampaignRow>> {
    let items = st.services.campaigns(&user.actor).await.or_api(lang)?;
    Ok(Json(Page {
        total: items.len() as i64,
        items,
    }))
}

/// Creates a campaign; stage is planning, implementation or acceptance.
#[utoipa::path(post, path = "/campaigns", tag = "campaigns", request_body = CampaignInput,
    responses((status = 201, body = CampaignRow), (status = 422, body = ErrorBody)))]
async fn create_campaign(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Json(c): Json<CampaignInput>,
) -> Result<(StatusCode, Json<CampaignRow>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(
            st.services
                .create_campaign(&user.actor, &c)
                .await
                .or_api(lang)?,
        ),
    ))
}

#[utoipa::path(get, path = "/campaigns/{id}", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = CampaignRow), (status = 404, body = ErrorBody)))]
async fn get_campaign(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<CampaignRow> {
    Ok(Json(
        st.services.campaign(&user.actor, id).await.or_api(lang)?,
    ))
}

#[utoipa::path(put, path = "/campaigns/{id}", tag = "campaigns", params(("id" = i64, Path)), request_body = CampaignInput,
    responses((status = 200, body = CampaignRow), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_campaign(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(c): Json<CampaignInput>,
) -> ApiResult<CampaignRow> {
    Ok(Json(
        st.services
            .update_campaign(&user.actor, id, &c)
            .await
            .or_api(lang)?,
    ))
}

/// The configurable content areas (服务基层, 关爱员工, …).
#[utoipa::path(get, path = "/content-areas", tag = "campaigns", responses((status = 200, body = Vec<ContentAreaRow>)))]
async fn content_areas(
    State(st): State<AppState>,
    lang: Lang,
    _user: ApiUser,
) -> ApiResult<Vec<ContentAreaRow>> {
    Ok(Json(st.services.content_areas().await.or_api(lang)?))
}
