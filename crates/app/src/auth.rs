//! Signing in and out, sessions, bearer tokens and the acting user.
//!
//! Passwords are argon2id, verified on a blocking thread. A login name that does not exist
//! costs the same verification against a dummy hash, gets the same message, and is
//! throttled the same way, so responses never reveal which names exist.

use std::net::IpAddr;
use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use jiujinan_domain::audit::{AuditDraft, action};
use jiujinan_domain::client::throttle_key;
use jiujinan_domain::jurisdiction::Jurisdiction;
use jiujinan_domain::org::{UnitCode, UnitKind};
use jiujinan_domain::policy::{Permission, Principal};
use jiujinan_domain::user::{NewPassword, Role};
use jiujinan_store::{NewSession, UserRecord};
use rand::RngCore;
use serde::Serialize;
use serde_json::json;

use crate::ids::{new_secret, secret_hash};
use crate::{App, AppError};

/// The signed-in user a use case acts for, with parsed role, unit and jurisdiction.
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit: UnitCode,
    pub unit_name: String,
    pub unit_kind: UnitKind,
    pub jurisdiction: Jurisdiction,
}

impl Actor {
    /// Builds the actor from a stored user; corrupt rows are an internal error.
    pub fn from_record(u: &UserRecord) -> Result<Self, AppError> {
        let role = Role::parse(&u.role).map_err(|_| AppError::Internal(format!("bad role on user {}", u.id)))?;
        let unit =
            UnitCode::parse(&u.unit_code).map_err(|_| AppError::Internal(format!("bad unit on user {}", u.id)))?;
        let unit_kind =
            UnitKind::parse(&u.unit_kind).map_err(|_| AppError::Internal(format!("bad unit kind {}", u.unit_code)))?;
        let jurisdiction = Jurisdiction::for_unit(&unit, unit_kind);
        Ok(Self {
            user_id: u.id.clone(),
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role,
            unit,
            unit_name: u.unit_name.clone(),
            unit_kind,
            jurisdiction,
        })
    }

    /// The actor as the permission policy sees them (role, level, department).
    pub fn principal(&self) -> Principal {
        Principal {
            role: self.role,
            level: self.jurisdiction.division.level(),
            department: self.jurisdiction.department,
        }
    }

    /// Whether the policy lets this actor do `p` at all (the record's scope is checked on top).
    pub fn may(&self, p: Permission) -> bool {
        self.principal().may(p)
    }

    /// An audit draft for an action of this actor.
    pub fn audit(&self, act: &str, entity: (&str, &str), detail: &serde_json::Value) -> AuditDraft {
        AuditDraft::new(&self.username, self.unit.as_str(), self.jurisdiction.division.as_str(), act, entity, detail)
    }
}

/// A signed-in browser session, as the web layer needs it.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub actor: Actor,
    pub csrf_token: String,
}

/// What a successful login hands back: the cookie token and the CSRF token.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    pub session_token: String,
    pub csrf_token: String,
    pub expires_ms: i64,
    pub actor: Actor,
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &NewPassword) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// A hash no password matches, verified for unknown names so that they cost the same.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        NewPassword::parse("Dummy-password-never-used-1").ok().and_then(|p| hash_password(&p).ok()).unwrap_or_default()
    })
}

fn verify_password(hash: &str, password: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

impl App {
    /// Signs a user in from `client` (the request's client address; `None` where there is
    /// none). Every failure gives the same `INVALID_CREDENTIALS` and is audited with the
    /// address; a name or an address with too many recent failures is locked (ADR 0020).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: Option<IpAddr>,
    ) -> Result<LoginOutcome, AppError> {
        let name: String = username.trim().to_ascii_lowercase().chars().take(64).collect();
        let now = self.now_ms();
        let policy = self.settings.lockout;
        let address = client.map(|ip| ip.to_string());
        let key = client.map(throttle_key);
        let user = self.store.user_by_username(&name).await?;
        // Failed attempts are filed under the user's division (so the district's auditors
        // see them), or the city's when the name does not exist.
        let (unit, division) = match &user {
            Some(u) => (u.unit_code.clone(), u.division.clone()),
            None => (String::new(), "11".to_owned()),
        };
        let failed = |reason: &str| {
            AuditDraft::new(
                &name,
                &unit,
                &division,
                action::LOGIN_FAILED,
                ("login", &name),
                &json!({"reason": reason, "address": address}),
            )
        };
        // The address first: a locked client learns nothing about the name.
        let by_address = match &key {
            Some(k) => self.store.address_throttle(k, policy.address_quiet_ms, now).await?,
            None => None,
        };
        let by_name = self.store.login_throttle(&name).await?;
        let locked_until = [by_address, by_name].iter().flatten().map(|t| t.locked_until_ms).max().unwrap_or(0);
        if locked_until > now {
            let reason = if by_address.is_some_and(|t| t.locked_until_ms > now) { "address_locked" } else { "locked" };
            self.store.append_audit(failed(reason), now).await?;
            return Err(AppError::LoginLocked { retry_after_s: (locked_until - now + 999) / 1000 });
        }
        let (hash, usable) = match &user {
            Some(u) if !u.disabled => (u.password_hash.clone(), true),
            _ => (dummy_hash().to_owned(), false),
        };
        let pw = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || verify_password(&hash, &pw))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        // Asked only of the right password, so it costs nothing on a wrong one.
        let demo_refused = ok && usable && password == crate::demo::DEMO_PASSWORD && !self.is_demo().await?;
        match user {
            Some(_) if demo_refused => {
                // The published demo password opens nothing outside a demo database (an old
                // demo upgraded, or an account given that password by hand).
                self.store.append_audit(failed("demo_password"), now).await?;
                Err(AppError::Conflict("DEMO_PASSWORD_REFUSED"))
            }
            Some(u) if ok && usable => {
                let actor = Actor::from_record(&u)?;
                let session_token = new_secret();
                let csrf_token = new_secret();
                let expires_ms = now + self.settings.session_ttl_ms;
                let s = NewSession {
                    token_hash: secret_hash(&session_token),
                    user_id: u.id.clone(),
                    username: u.username.clone(),
                    csrf_token: csrf_token.clone(),
                    expires_ms,
                };
                let audit =
                    actor.audit(action::LOGIN, ("user", &u.id), &json!({"via": "password", "address": address}));
                self.store.record_login_success(&s, audit, now).await?;
                Ok(LoginOutcome { session_token, csrf_token, expires_ms, actor })
            }
            _ => {
                let audit = failed("bad_credentials");
                self.store.record_login_failure(&name, key.as_deref(), policy, audit, now).await?;
                Err(AppError::InvalidCredentials)
            }
        }
    }

    /// The live session behind a cookie token, if any.
    pub async fn session(&self, session_token: &str) -> Result<Option<SessionInfo>, AppError> {
        let rec = self.store.session(&secret_hash(session_token), self.now_ms()).await?;
        match rec {
            Some(r) => Ok(Some(SessionInfo { actor: Actor::from_record(&r.user)?, csrf_token: r.csrf_token })),
            None => Ok(None),
        }
    }

    /// Ends a session; audited when it belonged to a signed-in user.
    pub async fn logout(&self, session_token: &str) -> Result<(), AppError> {
        let now = self.now_ms();
        let hash = secret_hash(session_token);
        let audit = match self.store.session(&hash, now).await? {
            Some(r) => Some(Actor::from_record(&r.user)?.audit(action::LOGOUT, ("user", &r.user.id), &json!({}))),
            None => None,
        };
        self.store.delete_session(&hash, audit, now).await?;
        Ok(())
    }

    /// The user behind an `Authorization: Bearer` token, if the token is live and its user
    /// enabled. Read from the database on every request (one indexed lookup, no cache), so a
    /// revocation or a disabled user takes effect on the next request in every process.
    pub async fn bearer(&self, token: &str) -> Result<Option<Actor>, AppError> {
        match self.store.api_token(&secret_hash(token)).await? {
            Some(t) => Ok(Some(Actor::from_record(&t.user)?)),
            None => Ok(None),
        }
    }
}
