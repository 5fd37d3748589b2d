//! CSRF protection on every unsafe request.
//!
//! Two checks, both required for cookie-authenticated requests: the browser's own
//! `Sec-Fetch-Site` / `Origin` must say same origin (when sent), and the request must carry
//! the session's CSRF token (form field `csrf` or header `X-CSRF-Token`). Before sign-in the
//! login form uses a double-submit cookie. Requests with a bearer token and no cookies
//! carry no ambient credentials and skip the token check, as do API calls with no
//! credentials at all (they get 401).

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jiujinan_app::AppError;

use crate::context::{Ctx, PRELOGIN_COOKIE, SESSION_COOKIE};
use crate::errors::{ApiError, PageError};

/// Largest form body read for the token check.
const MAX_FORM: usize = 256 * 1024;

/// The middleware.
pub async fn check(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let ctx = req.extensions().get::<Ctx>().cloned();
    let Some(ctx) = ctx else { return next.run(req).await };
    let is_api = req.uri().path().starts_with("/api/");
    let reject = |ctx: &Ctx| -> Response {
        if is_api {
            ApiError::new(AppError::CsrfFailed, ctx.lang).into_response()
        } else {
            PageError::from(AppError::CsrfFailed).into_response()
        }
    };
    let has_cookie_auth = ctx.cookie(SESSION_COOKIE).is_some() || ctx.cookie(PRELOGIN_COOKIE).is_some();
    let bearer = req.headers().get(header::AUTHORIZATION).is_some_and(|v| v.as_bytes().starts_with(b"Bearer "));
    if bearer && !has_cookie_auth {
        return next.run(req).await;
    }
    // An API call with no credentials at all has nothing a forger could ride on: the handler
    // answers it 401 `UNAUTHENTICATED` (not 403, which would suggest a login would not help).
    if is_api && !has_cookie_auth && ctx.session.is_none() {
        return next.run(req).await;
    }
    // Signing out of a session that has already ended changes nothing; let it through so
    // an expired page's logout button still lands on the login page.
    if ctx.session.is_none() && req.uri().path() == "/logout" {
        return next.run(req).await;
    }
    if !same_origin(req.headers()) {
        return reject(&ctx);
    }
    let expected = ctx.csrf_token();
    if expected.is_empty() {
        return reject(&ctx);
    }
    if let Some(given) = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return if constant_eq(given, &expected) { next.run(req).await } else { reject(&ctx) };
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM).await else { return reject(&ctx) };
    let given = form_field(&bytes, "csrf");
    if !given.as_deref().is_some_and(|g| constant_eq(g, &expected)) {
        return reject(&ctx);
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// True unless the browser says the request came from another site.
fn same_origin(h: &HeaderMap) -> bool {
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match (h.get(header::ORIGIN).and_then(|v| v.to_str().ok()), h.get(header::HOST).and_then(|v| v.to_str().ok())) {
        (Some(origin), Some(host)) => origin.split_once("://").is_some_and(|(_, rest)| rest == host),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    url_decoded_pairs(body).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// Minimal `application/x-www-form-urlencoded` splitting: tokens are hex, so no decoding.
fn url_decoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(body);
    text.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_owned(), v.replace('+', " "))).collect()
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_checks() {
        let mut h = HeaderMap::new();
        assert!(same_origin(&h), "non-browser clients rely on the token");
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(!same_origin(&h));
        h.insert("sec-fetch-site", "same-origin".parse().unwrap());
        assert!(same_origin(&h));
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        h.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert!(!same_origin(&h));
        h.insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&h));
    }

    #[test]
    fn finds_the_form_token() {
        assert_eq!(form_field(b"a=1&csrf=abc&b=2", "csrf").as_deref(), Some("abc"));
        assert_eq!(form_field(b"a=1", "csrf"), None);
        assert!(constant_eq("abc", "abc"));
        assert!(!constant_eq("abc", "abd"));
        assert!(!constant_eq("abc", "ab"));
    }
}
