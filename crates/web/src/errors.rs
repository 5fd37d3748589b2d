//! Turning use-case errors into responses: JSON for the API, pages for the browser.
//!
//! API errors always have the shape `{"error": {"code", "message", "fields"}}` with the
//! message in the language of `Accept-Language` (zh-CN by default). Internal errors are
//! logged with their cause and shown without it.

use std::collections::BTreeMap;

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiujinan_app::AppError;
use jiujinan_app::i18n::Lang;
use serde::Serialize;

use crate::context::Ctx;
use crate::view::Chrome;

/// The JSON error body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// Code, message and per-field messages.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `UNAUTHENTICATED`.
    pub code: String,
    /// Human-readable message in the requested language.
    pub message: String,
    /// Field name → message, for input errors.
    pub fields: BTreeMap<String, String>,
}

/// An API error in a language.
pub struct ApiError {
    err: AppError,
    lang: Lang,
    detail: Option<String>,
}

impl ApiError {
    pub fn new(err: AppError, lang: Lang) -> Self {
        Self { err, lang, detail: None }
    }

    /// Adds a technical explanation (e.g. the JSON parser's) to the offending field.
    pub fn with_detail(mut self, detail: String) -> Self {
        self.detail = Some(detail);
        self
    }
}

fn status_of(err: &AppError) -> StatusCode {
    StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn log_if_internal(err: &AppError) {
    if err.status() >= 500 {
        tracing::error!(error = %err, "request failed");
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        log_if_internal(&self.err);
        let message = self.err.message(self.lang);
        let mut fields = BTreeMap::new();
        if let Some(f) = self.err.field() {
            let text = match &self.detail {
                Some(d) => format!("{message}: {d}"),
                None => message.clone(),
            };
            fields.insert(f.to_owned(), text);
        }
        let body = ErrorBody { error: ErrorDetail { code: self.err.code().to_owned(), message, fields } };
        (status_of(&self.err), Json(body)).into_response()
    }
}

/// An error while serving a page.
pub struct PageError {
    err: AppError,
    lang: Lang,
    ctx: Option<Ctx>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    status: u16,
    code: &'static str,
    message: String,
}

impl PageError {
    pub fn from_app(err: AppError, lang: Lang) -> Self {
        Self { err, lang, ctx: None }
    }

    /// The redirect to the login page.
    pub fn login(ctx: &Ctx) -> Self {
        Self { err: AppError::Unauthenticated, lang: ctx.lang, ctx: Some(ctx.clone()) }
    }

    /// Attaches the request context so the error page has the full layout.
    pub fn with_ctx(mut self, ctx: &Ctx) -> Self {
        self.ctx = Some(ctx.clone());
        self
    }

    /// A bare text response, when even the context could not be built.
    pub fn into_plain_response(self) -> Response {
        log_if_internal(&self.err);
        (status_of(&self.err), self.err.message(self.lang)).into_response()
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if matches!(self.err, AppError::Unauthenticated) {
            return Redirect::to("/login").into_response();
        }
        log_if_internal(&self.err);
        let Some(ctx) = &self.ctx else { return self.into_plain_response() };
        let page = ErrorPage {
            c: Chrome::new(ctx),
            status: self.err.status(),
            code: self.err.code(),
            message: self.err.message(self.lang),
        };
        match page.render() {
            Ok(html) => (status_of(&self.err), Html(html)).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "error page failed to render");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
            }
        }
    }
}

/// Runs a page handler body, attaching the context to any error.
pub trait WithCtx<T> {
    fn ctx(self, ctx: &Ctx) -> Result<T, PageError>;
}

impl<T> WithCtx<T> for Result<T, AppError> {
    fn ctx(self, ctx: &Ctx) -> Result<T, PageError> {
        self.map_err(|e| PageError::from_app(e, ctx.lang).with_ctx(ctx))
    }
}

/// The fallback for unknown paths: JSON under `/api/`, a page elsewhere.
pub async fn not_found(ctx: Ctx, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::new(AppError::NotFound, ctx.lang).into_response()
    } else {
        PageError::from_app(AppError::NotFound, ctx.lang).with_ctx(&ctx).into_response()
    }
}
