//! Excel import for programs: the workbook as the request body, the row-by-row plan back.

use crate::input::Json;
use crate::input::Query;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde::Deserialize;
use shishi_service::ServiceError;
use shishi_service::imports::{ImportKind, ImportReport, ImportRequest, NoProgress};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, OrApi};
use crate::auth::ApiUser;
use crate::error::ErrorBody;
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(import))
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
}

fn yes() -> bool {
    true
}

/// Imports a ledger (`ledger`, into the units the caller manages), a unit list (`units`) or a
/// people list (`people`, with each new initial password in the answer, once). The body is the
/// workbook (.xlsx, .xls or .ods, at most 20 MB). Problems of the file or of a row come back in
/// the report (row and column, in the caller's language) with `written: false`, never as an
/// error status; importing the same file again skips what is there.
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
    Ok(Json(
        st.services
            .run_import(&user.actor, &req, &NoProgress)
            .await
            .or_api(lang)?,
    ))
}
