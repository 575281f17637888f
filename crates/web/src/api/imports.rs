//! Excel import for programs: the workbook as the request body, the row-by-row plan back; and
//! the unit names of ledgers mapped to units (单位对应关系), kept for later imports.

use crate::input::Json;
use crate::input::Query;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde::Deserialize;
use shishi_service::ServiceError;
use shishi_service::imports::{
    ImportKind, ImportReport, ImportRequest, NoProgress, UnitAliasInput, UnitAliasView,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, OrApi};
use crate::auth::ApiUser;
use crate::error::ErrorBody;
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import))
        .routes(routes!(aliases, set_aliases))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check only (the default): the plan, nothing written. `false` imports when the plan has
    /// no problem, all rows in one transaction.
    #[serde(default = "yes")]
    pub dry_run: bool,
    /// The worksheet; the first one when not given.
    pub sheet: Option<String>,
    /// The file's name, for the audit trail.
    pub filename: Option<String>,
    /// Ledgers: the id of the campaign (批次) of every row that names none.
    pub campaign: Option<i64>,
    /// Ledgers: the year of deadlines written without one ("6月30日前") when the sheet's title
    /// names none.
    pub year: Option<i32>,
    /// Ledgers: the day (YYYY-MM-DD) rows marked done (已完成) were completed; the import's day
    /// when not given.
    #[param(value_type = Option<String>)]
    pub completed_on: Option<chrono::NaiveDate>,
}

fn yes() -> bool {
    true
}

/// Imports a ledger (`ledger`, into the units the caller manages), a unit list (`units`) or a
/// people list (`people`, with each new initial password in the answer, once). The body is the
/// workbook (.xlsx, .xls or .ods, at most 20 MB). Problems of the file or of a row come back in
/// the report (row and column, in the caller's language) with `written: false`, never as an
/// error status; importing the same file again skips what is there. A ledger row without all
/// five determinations comes in as proposed (拟办); unit names that name no unit are listed in
/// `unmatched_units`, to be mapped with `PUT /imports/unit-aliases`.
#[utoipa::path(post, path = "/imports/{kind}", tag = "imports",
    params(("kind" = String, Path, description = "ledger, units or people"), ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn import(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Path(kind): Path<String>,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> ApiResult<ImportReport> {
    let kind = ImportKind::from_code(&kind)
        .ok_or(ServiceError::NotFound)
        .or_api(lang)?;
    let mut req = ImportRequest::new(kind, q.filename.as_deref().unwrap_or(""), body.to_vec());
    req.sheet = q.sheet;
    req.dry_run = q.dry_run;
    req.locale = lang.code().to_string();
    req.campaign = q.campaign;
    req.year = q.year;
    req.completed_on = q.completed_on;
    Ok(Json(
        st.services
            .run_import(&user.actor, &req, &NoProgress)
            .await
            .or_api(lang)?,
    ))
}

/// The unit names of ledgers mapped to units the caller manages.
#[utoipa::path(get, path = "/imports/unit-aliases", tag = "imports",
    responses((status = 200, body = Vec<UnitAliasView>), (status = 403, body = ErrorBody)))]
async fn aliases(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
) -> ApiResult<Vec<UnitAliasView>> {
    Ok(Json(
        st.services.unit_aliases(&user.actor).await.or_api(lang)?,
    ))
}

/// Maps unit names as ledgers write them to units the caller manages (`unit_id` null forgets a
/// name), all or none; later ledger imports of the same organisation use them. A unit outside
/// the caller's subtree is not found. Answers the mappings in reach.
#[utoipa::path(put, path = "/imports/unit-aliases", tag = "imports",
    request_body = Vec<UnitAliasInput>,
    responses((status = 200, body = Vec<UnitAliasView>), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_aliases(
    State(st): State<AppState>,
    lang: Lang,
    user: ApiUser,
    Json(items): Json<Vec<UnitAliasInput>>,
) -> ApiResult<Vec<UnitAliasView>> {
    st.services
        .save_unit_aliases(&user.actor, &items)
        .await
        .or_api(lang)?;
    Ok(Json(
        st.services.unit_aliases(&user.actor).await.or_api(lang)?,
    ))
}
