//! The HTTP layer of jiujinan: server-rendered pages (askama, htmx), the JSON API with its
//! OpenAPI document, sign-in, CSRF, security headers, metrics and health endpoints.
//!
//! Handlers are thin: they parse input, call a use case on `App`, and render. No SQL here.
// A bad index is an error, not a panic: `.get()` or an iterator, never `v[i]`.
#![deny(clippy::indexing_slicing)]

mod api;
mod assets;
mod client;
mod context;
mod csrf;
mod errors;
mod i18n;
mod input;
mod metrics;
mod ops;
mod pages;
mod server;
mod submissions;
mod view;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, StatusCode};
use axum::middleware::from_fn_with_state;
use jiujinan_app::App;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use api::openapi_json;
pub use metrics::Metrics;
pub use server::ConnectionTimeouts;

/// Web settings from the configuration.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Mark cookies `Secure` (set when served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Requests taking longer are answered 408.
    pub request_timeout: Duration,
    /// Administrators may move the server's clock (demos and browser tests only).
    pub test_clock: bool,
    /// Reverse proxies whose `X-Forwarded-For` names the client (default: none).
    pub trusted_proxies: jiujinan_domain::client::TrustedProxies,
    /// Slow and idle connections are closed after these (`serve` only).
    pub timeouts: ConnectionTimeouts,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            request_timeout: Duration::from_secs(30),
            test_clock: false,
            trusted_proxies: jiujinan_domain::client::TrustedProxies::default(),
            timeouts: ConnectionTimeouts::default(),
        }
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub metrics: Arc<Metrics>,
    pub web: WebSettings,
}

impl AppState {
    /// Wraps the application for the router.
    pub fn new(app: App, web: WebSettings) -> Self {
        Self { app, metrics: Arc::new(Metrics::default()), web }
    }
}

/// The whole router with its middleware.
pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(pages::routes())
        .merge(api::routes())
        .merge(ops::routes())
        .merge(assets::routes())
        .fallback(errors::not_found)
        .layer(from_fn_with_state(state.clone(), submissions::guard))
        .layer(from_fn_with_state(state.clone(), csrf::check))
        .layer(axum::middleware::from_fn(input::check))
        .layer(from_fn_with_state(state.clone(), context::load))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, state.web.request_timeout))
        .layer(from_fn_with_state(state.clone(), metrics::track))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, context::MakeId::default()))
        .with_state(state)
}

/// Serves until `shutdown` resolves, then finishes in-flight requests and returns. Requests
/// carry the peer address; slow and idle connections are closed (`WebSettings::timeouts`).
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let timeouts = state.web.timeouts;
    server::serve_router(router(state), listener, timeouts, shutdown).await
}
