//! Managing user accounts within an administrator's jurisdiction.

use jiujinan_domain::ValidationError;
use jiujinan_domain::audit::action;
use jiujinan_domain::org::{DivisionCode, DivisionLevel, UnitCode, UnitKind};
use jiujinan_domain::user::{NewPassword, Role, Username};
use jiujinan_store::{NewUserRow, UserRecord};
use serde_json::json;

use crate::auth::{Actor, hash_password};
use crate::ids::new_id;
use crate::{App, AppError};

/// A request to create a user, as typed in a form or on the command line.
#[derive(Debug, Clone)]
pub struct CreateUser {
    pub username: String,
    pub display_name: String,
    pub unit: String,
    pub role: String,
    pub password: String,
}

/// The actor the CLI acts as: a city-level administrator named `cli`.
pub fn cli_actor() -> Actor {
    let unit = UnitCode::of(&DivisionCode::city(), UnitKind::Government);
    Actor {
        user_id: "cli".into(),
        username: "cli".into(),
        display_name: "command line".into(),
        role: Role::Admin,
        jurisdiction: jiujinan_domain::jurisdiction::Jurisdiction::for_unit(&unit, UnitKind::Government),
        unit,
        unit_name: "北京市".into(),
        unit_kind: UnitKind::Government,
    }
}

impl App {
    /// Creates a user. The actor must manage users, the unit must exist within the actor's
    /// jurisdiction, and the role must fit the unit. Nothing is written on any error.
    pub async fn create_user(&self, actor: &Actor, req: &CreateUser) -> Result<UserRecord, AppError> {
        if !actor.may(jiujinan_domain::policy::Permission::ManageUsers) {
            return Err(AppError::Forbidden);
        }
        let username = Username::parse(&req.username)?;
        let role = Role::parse(&req.role)?;
        let unit_code = UnitCode::parse(&req.unit)?;
        let display_name = req.display_name.trim();
        let display_name = if display_name.is_empty() { username.as_str() } else { display_name };
        // One line: a name with a line break would forge lines in lists and logs.
        if display_name.chars().count() > 40
            || jiujinan_domain::text::check(display_name, false, "display_name").is_err()
        {
            return Err(ValidationError::new("INVALID_DISPLAY_NAME", "display_name").into());
        }
        let password = NewPassword::parse(&req.password)?;
        if !actor.jurisdiction.covers(&unit_code.division()) {
            return Err(AppError::UnknownUnit);
        }
        let unit = self.store.unit(&unit_code).await?.ok_or(AppError::UnknownUnit)?;
        let kind = UnitKind::parse(&unit.kind).map_err(|_| AppError::Internal(format!("bad kind on {}", unit.code)))?;
        let level =
            DivisionLevel::parse(&unit.level).map_err(|_| AppError::Internal(format!("bad level on {}", unit.code)))?;
        if !role.fits_unit(kind, level) {
            return Err(AppError::RoleUnitMismatch);
        }
        let hash = {
            let p = password.clone();
            tokio::task::spawn_blocking(move || hash_password(&p))
                .await
                .map_err(|e| AppError::Internal(e.to_string()))??
        };
        let now = self.now_ms();
        let row = NewUserRow {
            id: new_id(now),
            username: username.to_string(),
            display_name: display_name.to_owned(),
            unit_code: unit.code.clone(),
            division: unit.division.clone(),
            role: role.code().to_owned(),
            password_hash: hash,
        };
        let audit = actor.audit(
            action::USER_CREATED,
            ("user", &row.id),
            &json!({"username": row.username, "unit": row.unit_code, "role": row.role, "display_name": row.display_name}),
        );
        self.store.insert_user(&row, audit, now).await?;
        self.store.user_by_username(&row.username).await?.ok_or(AppError::Internal("user vanished after insert".into()))
    }

    /// Users the actor may see: those of units within the actor's jurisdiction.
    pub async fn list_users(&self, actor: &Actor) -> Result<Vec<UserRecord>, AppError> {
        if !actor.may(jiujinan_domain::policy::Permission::ManageUsers)
            && !actor.may(jiujinan_domain::policy::Permission::ReadAudit)
        {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.list_users(&actor.jurisdiction).await?)
    }

    /// Disables or re-enables a user; `expected_version` guards against concurrent edits.
    pub async fn set_user_disabled(
        &self,
        actor: &Actor,
        user_id: &str,
        disabled: bool,
        expected_version: i64,
    ) -> Result<(), AppError> {
        if !actor.may(jiujinan_domain::policy::Permission::ManageUsers) {
            return Err(AppError::Forbidden);
        }
        let user = self.store.user_in_scope(&actor.jurisdiction, user_id).await?.ok_or(AppError::NotFound)?;
        if user.id == actor.user_id && disabled {
            return Err(AppError::Forbidden);
        }
        let act = if disabled { action::USER_DISABLED } else { action::USER_ENABLED };
        let audit = actor.audit(act, ("user", &user.id), &json!({"username": user.username}));
        self.store.set_user_disabled(&user.id, disabled, expected_version, audit, self.now_ms()).await?;
        Ok(())
    }

    /// Finds a user by name within the actor's jurisdiction (CLI `user disable`).
    pub async fn user_by_name_in_scope(&self, actor: &Actor, username: &str) -> Result<UserRecord, AppError> {
        let name = Username::parse(username)?;
        let user = self.store.user_by_username(name.as_str()).await?.ok_or(AppError::NotFound)?;
        if !actor.jurisdiction.covers(&DivisionCode::parse(&user.division)?) {
            return Err(AppError::NotFound);
        }
        Ok(user)
    }
}
