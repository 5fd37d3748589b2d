//! User management for administrators, within their jurisdiction.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use jiujinan_app::AppError;
use jiujinan_app::auth::Actor;
use jiujinan_app::users::CreateUser;
use jiujinan_domain::user::Role;
use serde::Deserialize;

use crate::AppState;
use crate::context::Ctx;
use crate::errors::{PageError, PageResult};
use crate::i18n::role_text;
use crate::pages::form::{Form, VersionForm};
use crate::view::{Chrome, render};

struct UserRow {
    id: String,
    username: String,
    display_name: String,
    role_name: &'static str,
    unit_code: String,
    unit_name: String,
    disabled: bool,
    version: i64,
    is_self: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    c: Chrome,
    users: Vec<UserRow>,
    roles: Vec<(&'static str, &'static str)>,
    form: NewUserForm,
    error: Option<String>,
    error_field: &'static str,
    created: bool,
}

/// The create-user form as typed (the password is never echoed back).
#[derive(Deserialize, Default, Clone)]
pub struct NewUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    form: NewUserForm,
    error: Option<AppError>,
    created: bool,
) -> PageResult {
    let users = state.app.list_users(actor).await?;
    let rows = users
        .into_iter()
        .map(|u| UserRow {
            is_self: u.id == actor.user_id,
            role_name: Role::parse(&u.role).map(|r| role_text(r, ctx.lang).0).unwrap_or("?"),
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            unit_code: u.unit_code,
            unit_name: u.unit_name,
            disabled: u.disabled,
            version: u.version,
        })
        .collect();
    let status = error
        .as_ref()
        .map(|e| StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST))
        .unwrap_or(StatusCode::OK);
    let p = UsersPage {
        c: Chrome::new(ctx),
        users: rows,
        roles: Role::ALL.iter().map(|r| (r.code(), role_text(*r, ctx.lang).0)).collect(),
        form: NewUserForm { password: String::new(), ..form },
        error_field: error.as_ref().and_then(|e| e.field()).unwrap_or(""),
        error: error.map(|e| e.message(ctx.lang)),
        created,
    };
    Ok((status, render(&p)?).into_response())
}

fn admin(ctx: &Ctx) -> Result<&Actor, PageError> {
    let actor = ctx.user()?;
    if !actor.may(jiujinan_domain::policy::Permission::ManageUsers) {
        return Err(AppError::Forbidden.into());
    }
    Ok(actor)
}

/// The users of the administrator's jurisdiction and the create form.
pub async fn list(State(state): State<AppState>, ctx: Ctx, uri: axum::http::Uri) -> PageResult {
    let actor = admin(&ctx)?;
    let created = uri.query().is_some_and(|q| q.contains("created=1"));
    page(&state, &ctx, actor, NewUserForm::default(), None, created).await
}

/// Creates a user; input errors re-show the form with the message next to the field.
pub async fn create(State(state): State<AppState>, ctx: Ctx, Form(form): Form<NewUserForm>) -> PageResult {
    let actor = admin(&ctx)?;
    let req = CreateUser {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        unit: form.unit.clone(),
        role: form.role.clone(),
        password: form.password.clone(),
    };
    match state.app.create_user(actor, &req).await {
        Ok(_) => Ok(Redirect::to("/admin/users?created=1").into_response()),
        Err(e) if e.status() < 500 && e.status() != 403 => page(&state, &ctx, actor, form, Some(e), false).await,
        Err(e) => Err(e.into()),
    }
}

async fn set_disabled(state: AppState, ctx: Ctx, id: String, version: i64, disabled: bool) -> PageResult {
    let actor = admin(&ctx)?;
    match state.app.set_user_disabled(actor, &id, disabled, version).await {
        Ok(()) => Ok(Redirect::to("/admin/users").into_response()),
        Err(e @ AppError::StaleVersion) => page(&state, &ctx, actor, NewUserForm::default(), Some(e), false).await,
        Err(e) => Err(e.into()),
    }
}

/// Disables a user (ends their sessions).
pub async fn disable(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> PageResult {
    set_disabled(state, ctx, id, f.version, true).await
}

/// Re-enables a user.
pub async fn enable(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> PageResult {
    set_disabled(state, ctx, id, f.version, false).await
}
