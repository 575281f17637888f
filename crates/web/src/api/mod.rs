//! The JSON API under `/api/v1`. Each group of endpoints lives in its own file; `routes!`
//! collects the handlers with their `#[utoipa::path]` so the OpenAPI document stays true.

mod calendar;
mod demands;
mod driving;
mod imports;
mod matters;
mod org;
mod problems;
mod session;
mod todo;

pub use problems::json_errors;

use crate::input::Json;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "shishi API", description = "实事 — the practical-matters ledger. Sign in with POST /api/v1/session (cookie; send the returned csrf_token as X-CSRF-Token on changes) or use a personal token as `Authorization: Bearer …`."),
    modifiers(&Security),
    security(("bearer" = []), ("cookie" = [])),
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(session::router())
        .merge(org::router())
        .merge(matters::router())
        .merge(calendar::router())
        .merge(demands::router())
        .merge(driving::router())
        .merge(imports::router())
        .merge(todo::router())
}

/// The OpenAPI document, generated from the handlers.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = router().split_for_parts();
    let paths = std::mem::take(&mut doc.paths.paths);
    doc.paths.paths = paths
        .into_iter()
        .map(|(k, v)| (format!("/api/v1{k}"), v))
        .collect();
    problems::document_request_errors(&mut doc);
    doc
}

pub async fn openapi_json() -> Response {
    Json(openapi()).into_response()
}

/// A page of a list: `{"items": [...], "total": N}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Page<T: utoipa::ToSchema> {
    pub items: Vec<T>,
    pub total: i64,
}

type ApiResult<T> = Result<Json<T>, crate::error::ApiError>;

trait OrApi<T> {
    fn or_api(self, lang: crate::Lang) -> Result<T, crate::error::ApiError>;
    /// As `or_api`, with field errors worded as the page form `form` labels the fields, for
    /// the commands whose fields a page labels by what they are about (a demand's title).
    fn or_api_as(self, form: &'static str, lang: crate::Lang) -> Result<T, crate::error::ApiError>;
}

impl<T> OrApi<T> for Result<T, shishi_service::ServiceError> {
    fn or_api(self, lang: crate::Lang) -> Result<T, crate::error::ApiError> {
        self.map_err(|e| crate::error::ApiError::new(e, lang))
    }

    fn or_api_as(self, form: &'static str, lang: crate::Lang) -> Result<T, crate::error::ApiError> {
        self.map_err(|e| crate::error::ApiError::new(e, lang).in_form(form))
    }
}
