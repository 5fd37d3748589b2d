//! Reading url-encoded form bodies, and the redirect after a form post (PRG) that carries a
//! success flag or an error code to the page it lands on.

use axum::response::{IntoResponse, Redirect, Response};
use jiujinan_app::AppError;

use crate::context::Ctx;
use crate::errors::{PageError, WithCtx};

/// The fields of a form body, in order (a key may repeat).
pub fn pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// The first value of `key`, or "".
pub fn get<'a>(p: &'a [(String, String)], key: &str) -> &'a str {
    p.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// The `version` field the form was rendered with.
pub fn version(p: &[(String, String)]) -> Result<i64, AppError> {
    get(p, "version")
        .parse()
        .map_err(|_| AppError::Validation(jiujinan_domain::ValidationError::new("BAD_REQUEST", "version")))
}

/// Where to go after a write: the page named by the form's `back` field (a local path only),
/// else `fallback`.
pub fn back(p: &[(String, String)], fallback: &str) -> String {
    let b = get(p, "back");
    // A path on this site only: not `//host` nor `/\host`, which browsers treat as another site.
    let local = b.starts_with('/') && !b.starts_with("//") && !b.contains('\\') && !b.chars().any(char::is_control);
    if local { b.to_owned() } else { fallback.to_owned() }
}

/// Back to `to` with `saved=1`, or with `error=CODE` for an expected refusal (shown in the
/// user's language there); other errors become the error page.
pub fn redirect_after(to: &str, r: Result<(), AppError>, ctx: &Ctx) -> Result<Response, PageError> {
    let sep = if to.contains('?') { '&' } else { '?' };
    match r {
        Ok(()) => Ok(Redirect::to(&format!("{to}{sep}saved=1")).into_response()),
        Err(e) if matches!(e.status(), 403 | 409 | 422) => {
            Ok(Redirect::to(&format!("{to}{sep}error={}", e.code())).into_response())
        }
        Err(e) => Err(e).ctx(ctx),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn back_stays_on_this_site() {
        let p = |v: &str| vec![("back".to_owned(), v.to_owned())];
        assert_eq!(super::back(&p("/cases/1"), "/x"), "/cases/1");
        for bad in ["//evil.example", "/\\evil.example", "https://evil.example", "/a\nb", ""] {
            assert_eq!(super::back(&p(bad), "/x"), "/x", "{bad:?}");
        }
    }
}
