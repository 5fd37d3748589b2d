//! Per-request context: language, session, CSP nonce, and the security headers that use it.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use jiujinan_app::AppError;
use jiujinan_app::auth::{Actor, SessionInfo};
use jiujinan_app::i18n::Lang;
use tower_http::request_id::{MakeRequestId, RequestId};

use crate::AppState;
use crate::errors::{PageError, plain_response, render_failure};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "jjn_session";
/// Name of the pre-login CSRF cookie (double-submit for the login form).
pub const PRELOGIN_COOKIE: &str = "jjn_pre";
/// Name of the language cookie.
pub const LANG_COOKIE: &str = "jjn_lang";

/// What every handler may need to know about the request.
#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub session: Option<SessionInfo>,
    pub session_token: Option<String>,
    pub nonce: String,
    /// Drawn per request and put in every form, so that a form sent twice is recognised
    /// (`submissions.rs`).
    pub form_token: String,
    pub cookies: Vec<(String, String)>,
}

impl Ctx {
    /// The signed-in user, or the error that sends the browser to the login page.
    pub fn user(&self) -> Result<&Actor, PageError> {
        match &self.session {
            Some(s) => Ok(&s.actor),
            None => Err(AppError::Unauthenticated.into()),
        }
    }

    /// A cookie's value.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The CSRF token to embed in forms: the session's, else the pre-login cookie's.
    pub fn csrf_token(&self) -> String {
        match &self.session {
            Some(s) => s.csrf_token.clone(),
            None => self.cookie(PRELOGIN_COOKIE).unwrap_or_default().to_owned(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Ctx>().cloned().unwrap_or_else(|| Ctx {
            lang: Lang::Zh,
            session: None,
            session_token: None,
            nonce: String::new(),
            form_token: String::new(),
            cookies: Vec::new(),
        }))
    }
}

/// Parses the `Cookie` header.
pub fn parse_cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

/// Loads the context into the request, renders a failed page in the request's language and
/// with its layout, and adds security headers to the response.
pub async fn load(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let cookies = parse_cookies(req.headers());
    let find = |name: &str| cookies.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let chosen = find(LANG_COOKIE);
    let lang = match chosen.as_deref() {
        Some("en") => Lang::En,
        Some("zh") => Lang::Zh,
        _ => Lang::from_header(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok())),
    };
    let session_token = find(SESSION_COOKIE).filter(|t| t.len() == 64);
    let session = match &session_token {
        Some(t) => match state.app.session(t).await {
            Ok(s) => s,
            Err(e) => return plain_response(&e, lang),
        },
        None => None,
    };
    let nonce = jiujinan_app::ids::new_secret()[..24].to_owned();
    let form_token = jiujinan_app::ids::new_secret()[..24].to_owned();
    let ctx = Ctx { lang, session, session_token, nonce: nonce.clone(), form_token, cookies };
    req.extensions_mut().insert(ctx.clone());
    let mut res = render_failure(next.run(req).await, &ctx);
    security_headers(res.headers_mut(), &nonce);
    res
}

fn security_headers(h: &mut HeaderMap, nonce: &str) {
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    let pairs = [
        ("x-content-type-options", "nosniff".to_owned()),
        ("x-frame-options", "DENY".to_owned()),
        ("referrer-policy", "same-origin".to_owned()),
        ("content-security-policy", csp),
    ];
    for (k, v) in pairs {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// Request ids: a random per-process prefix and a counter, short enough to read in logs.
#[derive(Clone)]
pub struct MakeId {
    prefix: String,
}

static COUNTER: AtomicU64 = AtomicU64::new(1);

impl Default for MakeId {
    fn default() -> Self {
        Self { prefix: jiujinan_app::ids::new_secret()[..8].to_owned() }
    }
}

impl MakeRequestId for MakeId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n}", self.prefix)).ok().map(RequestId::new)
    }
}
