//! shishi-web: the HTTP face of shishi. Server-rendered pages for people, a JSON API under
//! `/api/v1` (with its OpenAPI document) for programs, both over the same service commands.

rust_i18n::i18n!("locales", fallback = "zh-CN");

pub mod api;
mod auth;
mod error;
mod i18n;
mod input;
mod labels;
mod limit;
mod pages;
mod state;

use std::future::Future;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

pub use i18n::Lang;
pub use state::{AppState, WebConfig};

pub fn router(state: AppState) -> Router {
    let (api, _) = api::router().split_for_parts();
    Router::new()
        .merge(pages::router())
        .nest("/api/v1", api)
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(api::openapi_json),
        )
        // The limits themselves are set by media type in `input::limit_body`; axum's own
        // limit only has to stay out of its way.
        .layer(DefaultBodyLimit::max(input::UPLOAD_BYTES))
        .layer(axum::middleware::from_fn(input::limit_body))
        .layer(axum::middleware::from_fn(api::json_errors))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until `shutdown` resolves. Tests pass a listener on `127.0.0.1:0`.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
