//! Sign-in and sign-out.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use jiujinan_app::AppError;
use serde::Deserialize;

use crate::AppState;
use crate::client::ClientAddr;
use crate::context::{Ctx, PRELOGIN_COOKIE, SESSION_COOKIE};
use crate::errors::PageResult;
use crate::pages::form::Form;
use crate::view::{Chrome, render};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

fn cookie(name: &str, value: &str, max_age_s: i64, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{secure}"))
        .ok()
}

/// The login form; sets the pre-login CSRF cookie the form echoes back.
pub async fn show(State(state): State<AppState>, mut ctx: Ctx) -> PageResult {
    if ctx.session.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let fresh = if ctx.cookie(PRELOGIN_COOKIE).is_none_or(|v| v.len() != 64) {
        let token = jiujinan_app::ids::new_secret();
        ctx.cookies.push((PRELOGIN_COOKIE.to_owned(), token.clone()));
        Some(token)
    } else {
        None
    };
    let mut res = render(&LoginPage { c: Chrome::new(&ctx), username: String::new(), error: None })?;
    if let Some(v) = fresh.and_then(|t| cookie(PRELOGIN_COOKIE, &t, 3600, state.web.secure_cookies)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

/// Checks the credentials; on success sets the session cookie and goes home.
pub async fn submit(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ctx: Ctx,
    Form(form): Form<LoginForm>,
) -> PageResult {
    match state.app.login(&form.username, &form.password, client).await {
        Ok(out) => {
            let max_age = (out.expires_ms - state.app.now_ms()) / 1000;
            let mut res = Redirect::to("/").into_response();
            if let Some(v) = cookie(SESSION_COOKIE, &out.session_token, max_age, state.web.secure_cookies) {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            if let Some(v) = cookie(PRELOGIN_COOKIE, "", 0, state.web.secure_cookies) {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            Ok(res)
        }
        Err(
            e @ (AppError::InvalidCredentials
            | AppError::LoginLocked { .. }
            | AppError::Validation(_)
            | AppError::Conflict("DEMO_PASSWORD_REFUSED")),
        ) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNAUTHORIZED);
            let page = LoginPage {
                c: Chrome::new(&ctx),
                username: form.username.chars().take(64).collect(),
                error: Some(e.message(ctx.lang)),
            };
            Ok((status, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Ends the session and clears the cookie.
pub async fn logout(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    if let Some(token) = &ctx.session_token {
        state.app.logout(token).await?;
    }
    let mut res = Redirect::to("/login").into_response();
    if let Some(v) = cookie(SESSION_COOKIE, "", 0, state.web.secure_cookies) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}
