//! Text at the edge: every path, query string and form body is checked once, before any
//! handler, against the domain's text rule ([`jiujinan_domain::text`]) and for valid UTF-8.
//! JSON bodies are checked by [`crate::api::ApiJson`], string by string.
//!
//! A request that breaks the rule is answered 422 `INVALID_TEXT`, naming the offending
//! parameter or field, and reaches no use case: PostgreSQL refuses NUL in text (it used to
//! be a 500) and SQLite's search stopped at it; a form used to store invalid UTF-8 silently
//! as U+FFFD.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jiujinan_app::AppError;
use jiujinan_domain::ValidationError;
use jiujinan_domain::text::{INVALID_TEXT, first_forbidden};

use crate::context::Ctx;
use crate::errors::{ApiError, PageError};

/// Largest form body read (the CSRF check has the same bound).
const MAX_FORM: usize = 256 * 1024;

/// Where bad text was found: `path`, a query parameter's or a form field's name.
#[derive(Debug, PartialEq, Eq)]
pub struct BadText {
    /// Which part of the request: `path`, `query` or `body`.
    pub part: &'static str,
    /// The parameter or field name, as sent (lossily decoded).
    pub name: String,
}

impl BadText {
    fn new(part: &'static str, name: impl Into<String>) -> Self {
        Self { part, name: name.into() }
    }
}

/// Percent-decodes `raw` (and `+` as a space when `plus_is_space`), strictly: invalid UTF-8
/// is an error, never replaced.
fn decode(raw: &str, plus_is_space: bool) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                    }
                    None => {
                        // A lone `%` is kept as is (as browsers and `form_urlencoded` do).
                        out.push(b);
                        i += 1;
                    }
                }
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Checks `application/x-www-form-urlencoded` pairs (a query string or a form body).
pub fn check_pairs(raw: &str, part: &'static str) -> Result<(), BadText> {
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decode(k, true);
        let shown = name.clone().unwrap_or_else(|| String::from_utf8_lossy(k.as_bytes()).into_owned());
        let Some(name) = name else { return Err(BadText::new(part, shown)) };
        if first_forbidden(&name, false).is_some() {
            return Err(BadText::new(part, name.replace(|c: char| c.is_control(), "?")));
        }
        match decode(v, true) {
            Some(value) if first_forbidden(&value, true).is_none() => {}
            _ => return Err(BadText::new(part, name)),
        }
    }
    Ok(())
}

/// Checks a request path (percent-decoded, `+` kept).
pub fn check_path(path: &str) -> Result<(), BadText> {
    match decode(path, false) {
        Some(p) if first_forbidden(&p, false).is_none() => Ok(()),
        _ => Err(BadText::new("path", "path")),
    }
}

/// The answer to bad text: JSON under `/api/`, the error page elsewhere.
pub fn reject(bad: &BadText, is_api: bool, ctx: Option<&Ctx>) -> Response {
    let err = AppError::Validation(ValidationError::new(INVALID_TEXT, bad.part));
    if is_api {
        let lang = ctx.map(|c| c.lang).unwrap_or_default();
        ApiError::new(err, lang).with_field(bad.name.clone()).into_response()
    } else {
        PageError::from(err).into_response()
    }
}

/// The middleware: path, query and form body.
pub async fn check(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let ctx = req.extensions().get::<Ctx>().cloned();
    let uri_check = check_path(req.uri().path()).and_then(|()| check_pairs(req.uri().query().unwrap_or(""), "query"));
    if let Err(bad) = uri_check {
        return reject(&bad, is_api, ctx.as_ref());
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM).await else {
        let err = AppError::Validation(ValidationError::new("BODY_TOO_LARGE", "body"));
        return if is_api {
            ApiError::new(err, ctx.map(|c| c.lang).unwrap_or_default()).into_response()
        } else {
            PageError::from(err).into_response()
        };
    };
    let checked = match std::str::from_utf8(&bytes) {
        Ok(text) => check_pairs(text, "body"),
        Err(_) => Err(BadText::new("body", "body")),
    };
    if let Err(bad) = checked {
        return reject(&bad, is_api, ctx.as_ref());
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_strictly() {
        assert_eq!(decode("a%20b+c", true).as_deref(), Some("a b c"));
        assert_eq!(decode("a+b", false).as_deref(), Some("a+b"));
        assert_eq!(decode("%E5%BC%A0", true).as_deref(), Some("张"));
        assert_eq!(decode("100%", true).as_deref(), Some("100%"), "a lone percent sign is text");
        assert_eq!(decode("%FF", true), None, "invalid UTF-8 is refused, not replaced");
    }

    #[test]
    fn finds_the_offending_parameter() {
        assert_eq!(check_pairs("q=%00abc&page=1", "query"), Err(BadText::new("query", "q")));
        assert_eq!(check_pairs("name=a%FFb", "body"), Err(BadText::new("body", "name")));
        assert_eq!(check_pairs("note=%E7%AC%AC%0A%E4%BA%8C%09x&q=", "body"), Ok(()), "tab and newline in values");
        assert_eq!(check_pairs("a%00=1", "query"), Err(BadText::new("query", "a?")));
        assert!(check_pairs("q=%7F", "query").is_err(), "DEL");
        assert_eq!(check_path("/api/v1/leads/abc%00"), Err(BadText::new("path", "path")));
        assert_eq!(check_path("/api/v1/leads/L110105001-2026-000001"), Ok(()));
        assert!(check_path("/x%0Ay").is_err(), "no line break in a path");
    }
}
