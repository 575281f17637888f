//! The working-day calendar and the at-risk policy.

use crate::input::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shishi_service::calendar::CalendarYear;
use shishi_store::calendar::{CalendarDayRow, MovedDeadlineRow};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, OrApi};
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_days))
        .routes(routes!(set_day, delete_day))
        .routes(routes!(import_days))
        .routes(routes!(get_year))
        .routes(routes!(confirm_year))
        .routes(routes!(moved_deadlines))
        .routes(routes!(get_policy, set_policy))
}

/// Named days of the confirmed years: statutory holidays and make-up working days (调休).
#[utoipa::path(get, path = "/calendar/days", tag = "calendar", responses((status = 200, body = Vec<CalendarDayRow>)))]
async fn list_days(
    State(st): State<AppState>,
    lang: Lang,
    _user: ApiUser,
) -> ApiResult<Vec<CalendarDayRow>> {
    Ok(Json(st.services.calendar_days().await.or_api(lang)?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct DayInput {
    /// holiday or workday.
    pub kind: String,
    #[serde(default)]
    pub name: String,
    /// The festival: new_year, spring_festival, qingming, labour_day, dragon_boat,
    /// mid_autumn or national_day; without it, read from the name.
    #[serde(default)]
    pub holiday: Option<String>,
}

/// Names a day (root system admin). A year that was provisional is confirmed by it.
#[utoipa::path(put, path = "/calendar/days/{day}", tag = "calendar", params(("day" = String, Path, description = "YYYY-MM-DD")),
    request_body = DayInput, responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_day(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(day): Path<String>,
    Json(d): Json<DayInput>,
) -> Result<StatusCode, ApiError> {
    st.services
        .set_calendar_day(&user.actor, &day, &d.kind, &d.name, d.holiday.as_deref())
        .await
        .or_api(lang)?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/calendar/days/{day}", tag = "calendar", params(("day" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_day(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(day): Path<String>,
) -> Result<StatusCode, ApiError> {
    st.services
        .delete_calendar_day(&user.actor, &day)
        .await
        .or_api(lang)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Imported {
    pub days: usize,
}

/// Imports `date,kind,name` lines (a year's notice); all or nothing. Confirms the years it
/// touches.
#[utoipa::path(post, path = "/calendar/import", tag = "calendar", request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = Imported), (status = 422, body = ErrorBody)))]
async fn import_days(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    body: String,
) -> ApiResult<Imported> {
    Ok(Json(Imported {
        days: st
            .services
            .import_calendar(&user.actor, &body)
            .await
            .or_api(lang)?,
    }))
}

/// A year as the calendar counts it: the official days, or the provisional ones computed by
/// rule (statutory holidays, no make-up working days) until the year is confirmed.
#[utoipa::path(get, path = "/calendar/years/{year}", tag = "calendar", params(("year" = i32, Path)),
    responses((status = 200, body = CalendarYear)))]
async fn get_year(
    State(st): State<AppState>,
    lang: Lang,
    _user: ApiUser,
    Path(year): Path<i32>,
) -> ApiResult<CalendarYear> {
    Ok(Json(st.services.calendar_year(year).await.or_api(lang)?))
}

/// Takes a provisional year's computed days as official (root system admin).
#[utoipa::path(post, path = "/calendar/years/{year}/confirm", tag = "calendar", params(("year" = i32, Path)),
    responses((status = 200, body = Imported), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn confirm_year(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(year): Path<i32>,
) -> ApiResult<Imported> {
    Ok(Json(Imported {
        days: st
            .services
            .confirm_calendar_year(&user.actor, year)
            .await
            .or_api(lang)?,
    }))
}

/// Deadlines counted across a provisional year that its confirmation would have moved; the
/// dates were kept (root system admin).
#[utoipa::path(get, path = "/calendar/moved-deadlines", tag = "calendar",
    responses((status = 200, body = Vec<MovedDeadlineRow>), (status = 403, body = ErrorBody)))]
async fn moved_deadlines(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
) -> ApiResult<Vec<MovedDeadlineRow>> {
    Ok(Json(
        st.services
            .moved_deadlines(&user.actor)
            .await
            .or_api(lang)?,
    ))
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct Policy {
    /// A matter due within this many working days…
    pub warn_working_days: i64,
    /// …with progress under this percent is at risk (预警).
    pub progress_threshold: i64,
}

#[utoipa::path(get, path = "/settings/risk", tag = "calendar", responses((status = 200, body = Policy)))]
async fn get_policy(State(st): State<AppState>, _user: ApiUser) -> Json<Policy> {
    let p = st.services.risk_policy();
    Json(Policy {
        warn_working_days: p.warn_working_days as i64,
        progress_threshold: p.progress_threshold as i64,
    })
}

#[utoipa::path(put, path = "/settings/risk", tag = "calendar", request_body = Policy,
    responses((status = 200, body = Policy), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_policy(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Json(p): Json<Policy>,
) -> ApiResult<Policy> {
    st.services
        .set_risk_policy(&user.actor, p.warn_working_days, p.progress_threshold)
        .await
        .or_api(lang)?;
    Ok(Json(p))
}
