//! The language switch: a cookie, then back to where the user was.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::context::LANG_COOKIE;

/// Sets `zh` or `en` and returns to the referring page (same origin only).
pub async fn switch(Path(code): Path<String>, headers: HeaderMap) -> Response {
    let code = if code == "en" { "en" } else { "zh" };
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
        .filter(|p| p.starts_with('/') && !p.starts_with("//") && !p.starts_with("/lang/"))
        .unwrap_or("/")
        .to_owned();
    let mut res = Redirect::to(&back).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("{LANG_COOKIE}={code}; Path=/; SameSite=Lax; Max-Age=31536000")) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}
