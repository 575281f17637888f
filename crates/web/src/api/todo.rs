//! 我的待办 as JSON: the same counts as the landing page, for the caller only.

use crate::input::Json;
use axum::extract::State;
use shishi_service::todo::Todo;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, OrApi};
use crate::auth::ApiUser;
use crate::error::ErrorBody;
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(todo))
}

/// What waits for the caller, by their roles and within their subtrees: one item per kind of
/// work their roles give them (with its count, zero included, and the page listing the rows),
/// and the reports their units still owe.
#[utoipa::path(get, path = "/todo", tag = "todo",
    responses((status = 200, body = Todo), (status = 401, body = ErrorBody)))]
async fn todo(State(st): State<AppState>, lang: Lang, user: ApiUser) -> ApiResult<Todo> {
    Ok(Json(st.services.todo(&user.actor).await.or_api(lang)?))
}
