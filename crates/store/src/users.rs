//! People who sign in: users, the login throttle, sessions and API tokens.
//!
//! The trait and its one implementation on [`SqlStore`], written against `db.rs`.

use async_trait::async_trait;
use jiujinan_domain::audit::AuditDraft;
use jiujinan_domain::jurisdiction::Jurisdiction;

use crate::backend::SqlStore;
use crate::db::Sql;
use crate::query::in_scope;
use crate::rows::{self, USER_COLUMNS};
use crate::{
    ApiTokenInfo, ApiTokenRecord, Conflict, LoginThrottle, NewApiToken, NewSession, NewUserRow, SessionRecord,
    StoreError, ThrottlePolicy, UserRecord,
};

/// People who sign in: users, the login throttle, sessions and API tokens.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Creates a user; `Conflict::UsernameTaken` if the name exists.
    async fn insert_user(&self, user: &NewUserRow, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
    /// A user by login name, for authentication only (not scoped).
    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>, StoreError>;
    /// Users whose unit lies within `scope`.
    async fn list_users(&self, scope: &Jurisdiction) -> Result<Vec<UserRecord>, StoreError>;
    /// A user by id if within `scope`.
    async fn user_in_scope(&self, scope: &Jurisdiction, id: &str) -> Result<Option<UserRecord>, StoreError>;
    /// Disables or enables a user if `expected_version` still matches; disabling also ends
    /// the user's sessions and revokes nothing else.
    async fn set_user_disabled(
        &self,
        id: &str,
        disabled: bool,
        expected_version: i64,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// The failure record of a login name (existing or not).
    async fn login_throttle(&self, username: &str) -> Result<Option<LoginThrottle>, StoreError>;
    /// The failure record of a client address (its throttle key), once it has been quiet for
    /// `quiet_ms` after its last failure or lock it counts as clean.
    async fn address_throttle(
        &self,
        address: &str,
        quiet_ms: i64,
        now_ms: i64,
    ) -> Result<Option<LoginThrottle>, StoreError>;
    /// Counts a failed login against the name and, when known, the client address, and locks
    /// either when `policy` says so; audited. Returns the name's and the address's records.
    async fn record_login_failure(
        &self,
        username: &str,
        address: Option<&str>,
        policy: ThrottlePolicy,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(LoginThrottle, Option<LoginThrottle>), StoreError>;
    /// Clears failures, stores the new session; audited.
    async fn record_login_success(
        &self,
        session: &NewSession,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// A live session with its user.
    async fn session(&self, token_hash: &str, now_ms: i64) -> Result<Option<SessionRecord>, StoreError>;
    /// Moves every session's times by `delta_ms` (the test clock moved: nobody is signed out
    /// by a jump of the clock, nor kept in by one back).
    async fn shift_sessions(&self, delta_ms: i64) -> Result<(), StoreError>;
    /// Ends a session; audited when `audit` is given.
    async fn delete_session(&self, token_hash: &str, audit: Option<AuditDraft>, now_ms: i64) -> Result<(), StoreError>;
    /// Stores a token (its hash only); audited.
    async fn insert_api_token(&self, token: &NewApiToken, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
    /// A token that is not revoked, with its user.
    async fn api_token(&self, token_hash: &str) -> Result<Option<ApiTokenRecord>, StoreError>;
    /// The tokens of a user.
    async fn api_tokens_of(&self, user_id: &str) -> Result<Vec<ApiTokenInfo>, StoreError>;
    /// The user a token (revoked or not) belongs to.
    async fn api_token_owner(&self, id: &str) -> Result<Option<UserRecord>, StoreError>;
    /// Revokes a token; `NotFound` if unknown or already revoked.
    async fn revoke_api_token(&self, id: &str, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
}

#[async_trait]
impl UserStore for SqlStore {
    async fn insert_user(&self, user: &NewUserRow, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let taken = Sql::new("SELECT 1 AS one FROM users WHERE username = $1")
            .bind(&user.username)
            .fetch_optional(&mut tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict(Conflict::UsernameTaken));
        }
        let unit = Sql::new("SELECT 1 AS one FROM units WHERE code = $1")
            .bind(&user.unit_code)
            .fetch_optional(&mut tx)
            .await?;
        if unit.is_none() {
            return Err(StoreError::NotFound);
        }
        Sql::new(
            "INSERT INTO users (id, username, display_name, unit_code, division, role, password_hash, disabled, \
             created_ms, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1)",
        )
        .bind(&user.id)
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(&user.unit_code)
        .bind(&user.division)
        .bind(&user.role)
        .bind(&user.password_hash)
        .bind(false)
        .bind(now_ms)
        .execute(&mut tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(Conflict::UsernameTaken),
            _ => StoreError::Database(e),
        })?;
        tx.finish(audit, now_ms).await
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
        self.fetch_user("u.username = $1", username).await
    }

    async fn list_users(&self, scope: &Jurisdiction) -> Result<Vec<UserRecord>, StoreError> {
        let rows = Sql::new(format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN units n ON n.code = u.unit_code \
             WHERE {} ORDER BY u.division, u.username",
            in_scope("u.division", scope)
        ))
        .bind(scope.division.as_str())
        .fetch_all(self.reader())
        .await?;
        Ok(rows.iter().map(rows::user).collect::<Result<_, _>>()?)
    }

    async fn user_in_scope(&self, scope: &Jurisdiction, id: &str) -> Result<Option<UserRecord>, StoreError> {
        let user = self.fetch_user("u.id = $1", id).await?;
        Ok(user.filter(|u| u.division.starts_with(scope.division.as_str())))
    }

    async fn set_user_disabled(
        &self,
        id: &str,
        disabled: bool,
        expected_version: i64,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let res = Sql::new("UPDATE users SET disabled = $1, version = version + 1 WHERE id = $2 AND version = $3")
            .bind(disabled)
            .bind(id)
            .bind(expected_version)
            .execute(&mut tx)
            .await?;
        if res.rows_affected() == 0 {
            let exists = Sql::new("SELECT 1 AS one FROM users WHERE id = $1").bind(id).fetch_optional(&mut tx).await?;
            return Err(if exists.is_some() {
                StoreError::Conflict(Conflict::StaleVersion)
            } else {
                StoreError::NotFound
            });
        }
        if disabled {
            Sql::new("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut tx).await?;
        }
        tx.finish(audit, now_ms).await
    }

    async fn login_throttle(&self, username: &str) -> Result<Option<LoginThrottle>, StoreError> {
        let row = Sql::new("SELECT failures, locked_until_ms FROM login_throttle WHERE username = $1")
            .bind(username)
            .fetch_optional(self.reader())
            .await?;
        row.map(|r| {
            Ok(LoginThrottle { failures: r.try_get("failures")?, locked_until_ms: r.try_get("locked_until_ms")? })
        })
        .transpose()
    }

    async fn address_throttle(
        &self,
        address: &str,
        quiet_ms: i64,
        now_ms: i64,
    ) -> Result<Option<LoginThrottle>, StoreError> {
        let row = Sql::new(
            "SELECT failures, locked_until_ms FROM login_throttle_addresses WHERE address = $1 \
             AND (last_failure_ms >= $2 OR locked_until_ms >= $2)",
        )
        .bind(address)
        .bind(now_ms - quiet_ms)
        .fetch_optional(self.reader())
        .await?;
        row.map(|r| {
            Ok(LoginThrottle { failures: r.try_get("failures")?, locked_until_ms: r.try_get("locked_until_ms")? })
        })
        .transpose()
    }

    async fn record_login_failure(
        &self,
        username: &str,
        address: Option<&str>,
        policy: ThrottlePolicy,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(LoginThrottle, Option<LoginThrottle>), StoreError> {
        let mut tx = self.begin_write().await?;
        // Failures older than a day no longer count; their rows go, so random names
        // typed at the login form do not pile up.
        Sql::new("DELETE FROM login_throttle WHERE last_failure_ms < $1 AND locked_until_ms < $2")
            .bind(now_ms - 86_400_000)
            .bind(now_ms)
            .execute(&mut tx)
            .await?;
        // Counted in one statement: concurrent failures (PostgreSQL, READ COMMITTED) wait on
        // the row and each adds one, instead of overwriting each other's count.
        let failures: i64 = Sql::new(
            "INSERT INTO login_throttle (username, failures, last_failure_ms, locked_until_ms) VALUES ($1, 1, $2, 0) \
             ON CONFLICT (username) DO UPDATE SET failures = login_throttle.failures + 1, \
             last_failure_ms = excluded.last_failure_ms RETURNING failures",
        )
        .bind(username)
        .bind(now_ms)
        .fetch_one(&mut tx)
        .await?
        .try_get("failures")?;
        let lock = policy.name.lock_after(failures);
        let locked_until_ms = if lock > 0 { now_ms + lock } else { 0 };
        Sql::new("UPDATE login_throttle SET locked_until_ms = $2 WHERE username = $1")
            .bind(username)
            .bind(locked_until_ms)
            .execute(&mut tx)
            .await?;
        let name = LoginThrottle { failures, locked_until_ms };
        let address = match address {
            Some(a) => Some(count_address_failure(&mut tx, a, policy, now_ms).await?),
            None => None,
        };
        tx.finish(audit, now_ms).await?;
        Ok((name, address))
    }

    async fn record_login_success(&self, s: &NewSession, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Sql::new("DELETE FROM login_throttle WHERE username = $1").bind(&s.username).execute(&mut tx).await?;
        Sql::new("DELETE FROM sessions WHERE expires_ms <= $1").bind(now_ms).execute(&mut tx).await?;
        Sql::new(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_ms, expires_ms) VALUES ($1, $2, $3, \
                  $4, $5)",
        )
        .bind(&s.token_hash)
        .bind(&s.user_id)
        .bind(&s.csrf_token)
        .bind(now_ms)
        .bind(s.expires_ms)
        .execute(&mut tx)
        .await?;
        tx.finish(audit, now_ms).await
    }

    async fn shift_sessions(&self, delta_ms: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Sql::new("UPDATE sessions SET created_ms = created_ms + $1, expires_ms = expires_ms + $1")
            .bind(delta_ms)
            .execute(&mut tx)
            .await?;
        tx.commit().await
    }

    async fn session(&self, token_hash: &str, now_ms: i64) -> Result<Option<SessionRecord>, StoreError> {
        // One statement: the session, its user and unit; a disabled user has no session.
        let row = Sql::new(format!(
            "SELECT s.csrf_token, s.expires_ms, {USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id \
             JOIN units n ON n.code = u.unit_code WHERE s.token_hash = $1 AND s.expires_ms > $2 AND u.disabled = $3"
        ))
        .bind(token_hash)
        .bind(now_ms)
        .bind(false)
        .fetch_optional(self.reader())
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(SessionRecord {
            csrf_token: row.try_get("csrf_token")?,
            expires_ms: row.try_get("expires_ms")?,
            user: rows::user(&row)?,
        }))
    }

    async fn delete_session(&self, token_hash: &str, audit: Option<AuditDraft>, now_ms: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Sql::new("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut tx).await?;
        if let Some(a) = audit {
            tx.append_audit(a, now_ms).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn insert_api_token(&self, t: &NewApiToken, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Sql::new(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, created_ms, revoked_ms) VALUES ($1, $2, $3, \
                  $4, $5, NULL)",
        )
        .bind(&t.id)
        .bind(&t.user_id)
        .bind(&t.name)
        .bind(&t.token_hash)
        .bind(now_ms)
        .execute(&mut tx)
        .await?;
        tx.finish(audit, now_ms).await
    }

    async fn api_token(&self, token_hash: &str) -> Result<Option<ApiTokenRecord>, StoreError> {
        // One indexed statement per API request (no cache, ADR 0019): a revoked token or a
        // disabled user is refused on the next request, whichever process made the change.
        let row = Sql::new(format!(
            "SELECT t.id AS token_id, {USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
             JOIN units n ON n.code = u.unit_code WHERE t.token_hash = $1 AND t.revoked_ms IS NULL AND u.disabled = $2"
        ))
        .bind(token_hash)
        .bind(false)
        .fetch_optional(self.reader())
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(ApiTokenRecord { id: row.try_get("token_id")?, user: rows::user(&row)? }))
    }

    async fn api_tokens_of(&self, user_id: &str) -> Result<Vec<ApiTokenInfo>, StoreError> {
        let rows = Sql::new(
            "SELECT id, name, created_ms, revoked_ms FROM api_tokens WHERE user_id = $1 ORDER BY created_ms, id",
        )
        .bind(user_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiTokenInfo {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    created_ms: r.try_get("created_ms")?,
                    revoked_ms: r.try_get("revoked_ms")?,
                })
            })
            .collect()
    }

    async fn api_token_owner(&self, id: &str) -> Result<Option<UserRecord>, StoreError> {
        let row =
            Sql::new("SELECT user_id FROM api_tokens WHERE id = $1").bind(id).fetch_optional(self.reader()).await?;
        match row {
            Some(r) => {
                let user_id: String = r.try_get("user_id")?;
                self.fetch_user("u.id = $1", &user_id).await
            }
            None => Ok(None),
        }
    }

    async fn revoke_api_token(&self, id: &str, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let res = Sql::new("UPDATE api_tokens SET revoked_ms = $1 WHERE id = $2 AND revoked_ms IS NULL")
            .bind(now_ms)
            .bind(id)
            .execute(&mut tx)
            .await?;
        if res.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.finish(audit, now_ms).await
    }
}

/// Counts a failure of a client address: addresses quiet for `address_quiet_ms` after their
/// last failure or lock start again from one (and their rows go), the others count on.
async fn count_address_failure(
    tx: &mut crate::db::WriteTx,
    address: &str,
    policy: ThrottlePolicy,
    now_ms: i64,
) -> Result<LoginThrottle, StoreError> {
    let quiet_since = now_ms - policy.address_quiet_ms;
    Sql::new("DELETE FROM login_throttle_addresses WHERE last_failure_ms < $1 AND locked_until_ms < $1")
        .bind(quiet_since)
        .execute(&mut *tx)
        .await?;
    // One statement, as for names: concurrent failures each count.
    let failures: i64 = Sql::new(
        "INSERT INTO login_throttle_addresses (address, failures, last_failure_ms, locked_until_ms) \
         VALUES ($1, 1, $2, 0) ON CONFLICT (address) DO UPDATE SET \
         failures = login_throttle_addresses.failures + 1, last_failure_ms = excluded.last_failure_ms \
         RETURNING failures",
    )
    .bind(address)
    .bind(now_ms)
    .fetch_one(&mut *tx)
    .await?
    .try_get("failures")?;
    let lock = policy.address.lock_after(failures);
    let locked_until_ms = if lock > 0 { now_ms + lock } else { 0 };
    Sql::new("UPDATE login_throttle_addresses SET locked_until_ms = $2 WHERE address = $1")
        .bind(address)
        .bind(locked_until_ms)
        .execute(&mut *tx)
        .await?;
    Ok(LoginThrottle { failures, locked_until_ms })
}

impl SqlStore {
    pub(crate) async fn fetch_user(
        &self,
        where_sql: &'static str,
        arg: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u JOIN units n ON n.code = u.unit_code WHERE {where_sql}");
        let row = Sql::new(sql).bind(arg).fetch_optional(self.reader()).await?;
        Ok(row.as_ref().map(rows::user).transpose()?)
    }
}
