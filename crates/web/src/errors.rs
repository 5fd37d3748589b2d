//! Turning use-case errors into responses: JSON for the API, pages for the browser.
//!
//! API errors always have the shape `{"error": {"code", "message", "fields"}}` with the
//! message in the language of `Accept-Language` (zh-CN by default). Internal errors are
//! logged with their cause and shown without it.

use std::collections::BTreeMap;
use std::sync::Arc;

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
    field: Option<String>,
}

impl ApiError {
    pub fn new(err: AppError, lang: Lang) -> Self {
        Self { err, lang, detail: None, field: None }
    }

    /// Names the offending field where the error's own field is only the part of the request
    /// (`body`, `query`): e.g. `subject.name` in a JSON body.
    pub fn with_field(mut self, field: String) -> Self {
        self.field = Some(field);
        self
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
        if let Some(f) = self.field.as_deref().or(self.err.field()) {
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

/// What a page handler returns: its response, or an error shown as the error page.
pub type PageResult<T = Response> = Result<T, PageError>;

/// An error while serving a page. Handlers end in `?` on any use-case result; the error
/// becomes a response marked with [`Failure`], which [`crate::context::load`] (it knows the
/// request's language and user) renders as the error page with the full layout.
#[derive(Debug)]
pub struct PageError(AppError);

impl From<AppError> for PageError {
    fn from(err: AppError) -> Self {
        Self(err)
    }
}

/// The error of a failed page response, left in its extensions for the context layer.
#[derive(Clone)]
struct Failure(Arc<AppError>);

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    status: u16,
    code: &'static str,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if matches!(self.0, AppError::Unauthenticated) {
            return Redirect::to("/login").into_response();
        }
        log_if_internal(&self.0);
        // Replaced by the error page in the request's language; seen only if a response
        // escaped the context layer.
        let mut res = (status_of(&self.0), self.0.message(Lang::Zh)).into_response();
        res.extensions_mut().insert(Failure(Arc::new(self.0)));
        res
    }
}

/// A bare text response, when even the context could not be built.
pub fn plain_response(err: &AppError, lang: Lang) -> Response {
    log_if_internal(err);
    (status_of(err), err.message(lang)).into_response()
}

/// Turns a failed page response into the error page, in `ctx`'s language with its layout;
/// other responses pass unchanged.
pub fn render_failure(res: Response, ctx: &Ctx) -> Response {
    let Some(Failure(err)) = res.extensions().get::<Failure>().cloned() else { return res };
    let page =
        ErrorPage { c: Chrome::new(ctx), status: err.status(), code: err.code(), message: err.message(ctx.lang) };
    match page.render() {
        Ok(html) => (status_of(&err), Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// The fallback for unknown paths: JSON under `/api/`, a page elsewhere.
pub async fn not_found(ctx: Ctx, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::new(AppError::NotFound, ctx.lang).into_response()
    } else {
        PageError::from(AppError::NotFound).into_response()
    }
}
