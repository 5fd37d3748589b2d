//! The SQL both backends share and the one implementation of `Store` they instantiate.
//!
//! Both databases accept the same statements (`$1` placeholders, `ON CONFLICT`,
//! multi-row `VALUES`), so the trait is implemented once, by `impl_store!`, for each
//! backend type. Each backend supplies only what truly differs: how it connects and
//! migrates, how a write transaction begins (`BEGIN IMMEDIATE` on SQLite), and how the
//! audit head is locked (`FOR UPDATE` on PostgreSQL). See docs/adr/0002-storage.md.

#![allow(unused_imports)]
use jiujinan_domain::audit::{self, AuditDraft, AuditEntry};
use jiujinan_domain::jurisdiction::Jurisdiction;
use jiujinan_domain::org::{NewUnit, UnitCode};

use crate::aid_sql::*;
use crate::backend::SqlStore;
use crate::case_sql::CASE_COLUMNS;
use crate::db::*;
use crate::disposition_sql::*;
use crate::intake::*;
use crate::lead_sql::*;
use crate::*;

pub(crate) const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.unit_code, n.name AS unit_name, \
     n.kind AS unit_kind, u.division, u.role, u.password_hash, u.disabled, u.created_ms, u.version";

pub(crate) const UNIT_COLUMNS: &str = "code, name, kind, level, division, parent";

pub(crate) const AUDIT_COLUMNS: &str =
    "seq, at_ms, actor, unit, division, action, entity_type, entity_id, detail, digest, prev_hash, hash";

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub(crate) fn like_escape(q: &str) -> String {
    let mut s = String::with_capacity(q.len() + 2);
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s
}

/// The condition "`col` (a division code) lies within the division bound to `$1`", written so
/// that the queue indexes of migration 5 serve it on both databases: an equality on the code's
/// prefix of the scope's length.
pub(crate) fn in_scope(col: &str, scope: &jiujinan_domain::jurisdiction::Jurisdiction) -> String {
    let len = scope.division.level().code_len();
    if len == 12 { format!("{col} = $1") } else { format!("substr({col}, 1, {len}) = $1") }
}

/// A unique-key violation as the given conflict; other errors unchanged.
pub(crate) fn unique_to_conflict(e: sqlx::Error, code: Conflict) -> crate::StoreError {
    match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => crate::StoreError::Conflict(code),
        other => crate::StoreError::Database(other),
    }
}

/// The SELECT of a lead or case queue with only the filters asked for, so that the queue
/// indexes serve both the scope and the order (an `x = '' OR …` filter would defeat them).
pub(crate) fn queue_query(
    columns: &str,
    table: &str,
    due_col: &str,
    scope: &jiujinan_domain::jurisdiction::Jurisdiction,
    f: &crate::LeadFilter,
) -> (String, Vec<Arg>) {
    let mut binds = vec![Arg::Text(scope.division.to_string())];
    let mut cond = vec![in_scope("division", scope)];
    let next = |b: Arg, binds: &mut Vec<Arg>| {
        binds.push(b);
        format!("${}", binds.len())
    };
    if let Some(s) = f.status.as_deref().filter(|s| !s.is_empty()) {
        cond.push(format!("status = {}", next(Arg::Text(s.to_owned()), &mut binds)));
    }
    if let Some(u) = f.urgency.as_deref().filter(|s| !s.is_empty()) {
        cond.push(format!("urgency = {}", next(Arg::Text(u.to_owned()), &mut binds)));
    }
    if let Some(at) = f.overdue_at_ms {
        cond.push(format!("{due_col} < {}", next(Arg::Int(at), &mut binds)));
    }
    if let Some(q) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let like = next(Arg::Text(format!("%{}%", like_escape(q))), &mut binds);
        let upper = next(Arg::Text(q.to_ascii_uppercase()), &mut binds);
        let raw = next(Arg::Text(q.to_owned()), &mut binds);
        cond.push(format!(
            "(subject_name LIKE {like} ESCAPE '\\' OR subject_id_number = {upper} OR subject_phone = {raw} OR number IN ({upper}, {raw}))"
        ));
    }
    let limit = next(Arg::Int(f.limit.clamp(1, 500)), &mut binds);
    let offset = next(Arg::Int(f.offset.max(0)), &mut binds);
    let sql = format!(
        "SELECT {columns} FROM {table} WHERE {} ORDER BY urgency_rank, {due_col}, id LIMIT {limit} OFFSET {offset}",
        cond.join(" AND ")
    );
    (sql, binds)
}

/// Rows per multi-row INSERT in the organisation import.
pub(crate) const IMPORT_CHUNK: usize = 400;

mod row_map {
    use super::*;

    pub(super) fn user(r: &DbRow) -> Result<UserRecord, sqlx::Error> {
        Ok(UserRecord {
            id: r.try_get("id")?,
            username: r.try_get("username")?,
            display_name: r.try_get("display_name")?,
            unit_code: r.try_get("unit_code")?,
            unit_name: r.try_get("unit_name")?,
            unit_kind: r.try_get("unit_kind")?,
            division: r.try_get("division")?,
            role: r.try_get("role")?,
            password_hash: r.try_get("password_hash")?,
            disabled: r.try_get("disabled")?,
            created_ms: r.try_get("created_ms")?,
            version: r.try_get("version")?,
        })
    }

    pub(super) fn unit(r: &DbRow) -> Result<Unit, sqlx::Error> {
        Ok(Unit {
            code: r.try_get("code")?,
            name: r.try_get("name")?,
            kind: r.try_get("kind")?,
            level: r.try_get("level")?,
            division: r.try_get("division")?,
            parent: r.try_get("parent")?,
        })
    }

    pub(super) fn audit(r: &DbRow) -> Result<AuditEntry, sqlx::Error> {
        Ok(AuditEntry {
            seq: r.try_get("seq")?,
            at_ms: r.try_get("at_ms")?,
            actor: r.try_get("actor")?,
            unit: r.try_get("unit")?,
            division: r.try_get("division")?,
            action: r.try_get("action")?,
            entity_type: r.try_get("entity_type")?,
            entity_id: r.try_get("entity_id")?,
            detail: r.try_get("detail")?,
            digest: r.try_get("digest")?,
            prev_hash: r.try_get("prev_hash")?,
            hash: r.try_get("hash")?,
        })
    }
}

impl SqlStore {
    /// Inserts one dated rule row (the query, its values bound) with its audit entry in one
    /// transaction; the same key and date twice is `Conflict(Conflict::RuleExists)`.
    pub(crate) async fn insert_rule_row(&self, row: Sql, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        row.execute(&mut tx).await.map_err(|e| unique_to_conflict(e, Conflict::RuleExists))?;
        tx.finish(audit, now_ms).await?;
        Ok(())
    }

    /// Runs a query built at run time (`queue_query`) on a reader.
    pub(crate) async fn fetch_built(&self, sql: String, binds: Vec<Arg>) -> Result<Vec<DbRow>, StoreError> {
        Ok(Sql::with_args(sql, binds).fetch_all(self.reader()).await?)
    }

    /// How many rows of `table` within `scope` have each status.
    pub(crate) async fn count_by_status(
        &self,
        table: &'static str,
        scope: &Jurisdiction,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = Sql::new(format!(
            "SELECT status, COUNT(*) AS n FROM {table} WHERE {} GROUP BY status ORDER BY status",
            in_scope("division", scope)
        ))
        .bind(scope.division.as_str())
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| Ok((r.try_get("status")?, r.try_get("n")?))).collect()
    }

    pub(crate) async fn fetch_user(
        &self,
        where_sql: &'static str,
        arg: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u JOIN units n ON n.code = u.unit_code WHERE {where_sql}");
        let row = Sql::new(sql).bind(arg).fetch_optional(self.reader()).await?;
        Ok(row.as_ref().map(row_map::user).transpose()?)
    }
}

#[async_trait::async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.kind()
    }

    async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        self.run_migrations().await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.ping_db().await
    }

    async fn close(&self) {
        self.close_pools().await
    }

    async fn import_units(
        &self,
        units: &[NewUnit],
        now_ms: i64,
        audit: AuditDraft,
    ) -> Result<ImportCounts, StoreError> {
        use std::collections::HashMap;
        let mut tx = self.begin_write().await?;
        let rows = Sql::new(format!("SELECT {UNIT_COLUMNS} FROM units")).fetch_all(&mut tx).await?;
        let mut existing: HashMap<String, Unit> = HashMap::with_capacity(rows.len());
        for r in &rows {
            let u = row_map::unit(r)?;
            existing.insert(u.code.clone(), u);
        }
        let mut counts = ImportCounts::default();
        let mut fresh: Vec<&NewUnit> = Vec::new();
        for u in units {
            match existing.get(u.code.as_str()) {
                None => fresh.push(u),
                Some(old) => {
                    let parent = u.parent.as_ref().map(|p| p.to_string());
                    let same = old.name == u.name
                        && old.kind == u.kind.code()
                        && old.level == u.level.code()
                        && old.parent == parent;
                    if same {
                        counts.unchanged += 1;
                    } else {
                        Sql::new("UPDATE units SET name = $1, kind = $2, level = $3, parent = $4, updated_ms = $5 WHERE code = $6")
                            .bind(&u.name)
                            .bind(u.kind.code())
                            .bind(u.level.code())
                            .bind(parent)
                            .bind(now_ms)
                            .bind(u.code.as_str())
                            .execute(&mut tx)
                            .await?;
                        counts.updated += 1;
                    }
                }
            }
        }
        for chunk in fresh.chunks(IMPORT_CHUNK) {
            let mut sql =
                String::from("INSERT INTO units (code, name, kind, level, division, parent, updated_ms) VALUES ");
            for i in 0..chunk.len() {
                let b = i * 7;
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7
                ));
            }
            let mut q = Sql::new(sql);
            for u in chunk {
                q = q
                    .bind(u.code.as_str())
                    .bind(&u.name)
                    .bind(u.kind.code())
                    .bind(u.level.code())
                    .bind(u.division.as_str())
                    .bind(u.parent.as_ref().map(|p| p.to_string()))
                    .bind(now_ms);
            }
            q.execute(&mut tx).await?;
            counts.inserted += chunk.len() as i64;
        }
        let mut audit = audit;
        let mut detail: serde_json::Value = serde_json::from_str(&audit.detail).unwrap_or(serde_json::Value::Null);
        if let serde_json::Value::Object(map) = &mut detail {
            map.insert("inserted".into(), counts.inserted.into());
            map.insert("updated".into(), counts.updated.into());
            map.insert("unchanged".into(), counts.unchanged.into());
        }
        audit.detail = detail.to_string();
        tx.finish(audit, now_ms).await?;
        Ok(counts)
    }

    async fn unit(&self, code: &UnitCode) -> Result<Option<Unit>, StoreError> {
        let row = Sql::new(format!("SELECT {UNIT_COLUMNS} FROM units WHERE code = $1"))
            .bind(code.as_str())
            .fetch_optional(self.reader())
            .await?;
        Ok(row.as_ref().map(row_map::unit).transpose()?)
    }

    async fn child_units(&self, parent: &UnitCode) -> Result<Vec<UnitNode>, StoreError> {
        let rows = Sql::new(
            "SELECT u.code, u.name, u.kind, u.level, u.division, u.parent, \
             (SELECT COUNT(*) FROM units c WHERE c.parent = u.code) AS children \
             FROM units u WHERE u.parent = $1 \
             ORDER BY CASE WHEN u.kind = 'government' THEN 1 ELSE 0 END, u.code",
        )
        .bind(parent.as_str())
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| Ok(UnitNode { unit: row_map::unit(r)?, children: r.try_get("children")? })).collect()
    }

    async fn search_units(&self, q: &str, limit: i64) -> Result<Vec<Unit>, StoreError> {
        let q = q.trim();
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let esc = like_escape(q);
        let rows = Sql::new(format!(
            "SELECT {UNIT_COLUMNS} FROM units WHERE name LIKE $1 ESCAPE '\\' OR code LIKE $2 ESCAPE '\\' \
             ORDER BY length(division), code LIMIT $3"
        ))
        .bind(format!("%{esc}%"))
        .bind(format!("{esc}%"))
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.iter().map(row_map::unit).collect::<Result<_, _>>()?)
    }

    async fn unit_counts(&self) -> Result<Vec<UnitCount>, StoreError> {
        let rows = Sql::new("SELECT level, kind, COUNT(*) AS n FROM units GROUP BY level, kind ORDER BY level, kind")
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|r| Ok(UnitCount { level: r.try_get("level")?, kind: r.try_get("kind")?, count: r.try_get("n")? }))
            .collect()
    }

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
            "INSERT INTO users (id, username, display_name, unit_code, division, role, password_hash, disabled, created_ms, version) \
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
        tx.finish(audit, now_ms).await?;
        Ok(())
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
        Ok(rows.iter().map(row_map::user).collect::<Result<_, _>>()?)
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
        tx.finish(audit, now_ms).await?;
        Ok(())
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

    async fn record_login_failure(
        &self,
        username: &str,
        policy: LockoutPolicy,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<LoginThrottle, StoreError> {
        let mut tx = self.begin_write().await?;
        let prev = Sql::new("SELECT failures FROM login_throttle WHERE username = $1")
            .bind(username)
            .fetch_optional(&mut tx)
            .await?;
        let failures = match prev {
            Some(r) => r.try_get::<i64>("failures")? + 1,
            None => 1,
        };
        // Failures older than a day no longer count; their rows go, so random names
        // typed at the login form do not pile up.
        Sql::new("DELETE FROM login_throttle WHERE last_failure_ms < $1 AND locked_until_ms < $2")
            .bind(now_ms - 86_400_000)
            .bind(now_ms)
            .execute(&mut tx)
            .await?;
        let lock = policy.lock_after(failures);
        let locked_until_ms = if lock > 0 { now_ms + lock } else { 0 };
        Sql::new(
            "INSERT INTO login_throttle (username, failures, last_failure_ms, locked_until_ms) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (username) DO UPDATE SET failures = excluded.failures, \
             last_failure_ms = excluded.last_failure_ms, locked_until_ms = excluded.locked_until_ms",
        )
        .bind(username)
        .bind(failures)
        .bind(now_ms)
        .bind(locked_until_ms)
        .execute(&mut tx)
        .await?;
        tx.finish(audit, now_ms).await?;
        Ok(LoginThrottle { failures, locked_until_ms })
    }

    async fn record_login_success(&self, s: &NewSession, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Sql::new("DELETE FROM login_throttle WHERE username = $1").bind(&s.username).execute(&mut tx).await?;
        Sql::new("DELETE FROM sessions WHERE expires_ms <= $1").bind(now_ms).execute(&mut tx).await?;
        Sql::new("INSERT INTO sessions (token_hash, user_id, csrf_token, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5)")
            .bind(&s.token_hash)
            .bind(&s.user_id)
            .bind(&s.csrf_token)
            .bind(now_ms)
            .bind(s.expires_ms)
            .execute(&mut tx)
            .await?;
        tx.finish(audit, now_ms).await?;
        Ok(())
    }

    async fn session(&self, token_hash: &str, now_ms: i64) -> Result<Option<SessionRecord>, StoreError> {
        let row =
            Sql::new("SELECT user_id, csrf_token, expires_ms FROM sessions WHERE token_hash = $1 AND expires_ms > $2")
                .bind(token_hash)
                .bind(now_ms)
                .fetch_optional(self.reader())
                .await?;
        let Some(row) = row else { return Ok(None) };
        let user_id: String = row.try_get("user_id")?;
        let Some(user) = self.fetch_user("u.id = $1", &user_id).await? else { return Ok(None) };
        if user.disabled {
            return Ok(None);
        }
        Ok(Some(SessionRecord { csrf_token: row.try_get("csrf_token")?, expires_ms: row.try_get("expires_ms")?, user }))
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
        Sql::new("INSERT INTO api_tokens (id, user_id, name, token_hash, created_ms, revoked_ms) VALUES ($1, $2, $3, $4, $5, NULL)")
            .bind(&t.id)
            .bind(&t.user_id)
            .bind(&t.name)
            .bind(&t.token_hash)
            .bind(now_ms)
            .execute(&mut tx)
            .await?;
        tx.finish(audit, now_ms).await?;
        Ok(())
    }

    async fn api_token(&self, token_hash: &str) -> Result<Option<ApiTokenRecord>, StoreError> {
        let row = Sql::new("SELECT id, user_id FROM api_tokens WHERE token_hash = $1 AND revoked_ms IS NULL")
            .bind(token_hash)
            .fetch_optional(self.reader())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let user_id: String = row.try_get("user_id")?;
        let Some(user) = self.fetch_user("u.id = $1", &user_id).await? else { return Ok(None) };
        if user.disabled {
            return Ok(None);
        }
        Ok(Some(ApiTokenRecord { id: row.try_get("id")?, user }))
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
        tx.finish(audit, now_ms).await?;
        Ok(())
    }

    async fn claim_submission(
        &self,
        key: &str,
        now_ms: i64,
        abandon_after_ms: i64,
    ) -> Result<SubmissionClaim, StoreError> {
        // Not audited: a technical record holding no personal data.
        let mut tx = self.begin_write().await?;
        Sql::new("DELETE FROM form_submissions WHERE created_ms < $1")
            .bind(now_ms - 86_400_000)
            .execute(&mut tx)
            .await?;
        let claimed = Sql::new(
            "INSERT INTO form_submissions (key, created_ms, location) VALUES ($1, $2, NULL) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(now_ms)
        .execute(&mut tx)
        .await?
        .rows_affected();
        let claim = if claimed == 1 {
            SubmissionClaim::Fresh
        } else {
            let taken = Sql::new(
                "UPDATE form_submissions SET created_ms = $2 WHERE key = $1 AND location IS NULL AND created_ms < $3",
            )
            .bind(key)
            .bind(now_ms)
            .bind(now_ms - abandon_after_ms)
            .execute(&mut tx)
            .await?
            .rows_affected();
            if taken == 1 {
                SubmissionClaim::Fresh
            } else {
                let row = Sql::new("SELECT location FROM form_submissions WHERE key = $1")
                    .bind(key)
                    .fetch_one(&mut tx)
                    .await?;
                match row.try_get::<Option<String>>("location")? {
                    Some(to) => SubmissionClaim::Done(to),
                    None => SubmissionClaim::Running,
                }
            }
        };
        tx.commit().await?;
        Ok(claim)
    }

    async fn finish_submission(&self, key: &str, stamp_ms: i64, location: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Sql::new("UPDATE form_submissions SET location = $2 WHERE key = $1 AND created_ms = $3 AND location IS NULL")
            .bind(key)
            .bind(location)
            .bind(stamp_ms)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn release_submission(&self, key: &str, stamp_ms: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Sql::new("DELETE FROM form_submissions WHERE key = $1 AND created_ms = $2 AND location IS NULL")
            .bind(key)
            .bind(stamp_ms)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn append_audit(&self, audit: AuditDraft, now_ms: i64) -> Result<AuditEntry, StoreError> {
        self.append_standalone(audit, now_ms).await
    }

    async fn audit_page(
        &self,
        scope: &Jurisdiction,
        before_seq: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = Sql::new(format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE {} AND seq < $2 ORDER BY seq DESC LIMIT $3",
            in_scope("division", scope)
        ))
        .bind(scope.division.as_str())
        .bind(before_seq.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.iter().map(row_map::audit).collect::<Result<_, _>>()?)
    }

    async fn audit_after(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = Sql::new(format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"))
            .bind(after_seq)
            .bind(limit)
            .fetch_all(self.reader())
            .await?;
        Ok(rows.iter().map(row_map::audit).collect::<Result<_, _>>()?)
    }

    async fn audit_head(&self) -> Result<Option<(i64, String)>, StoreError> {
        let row = Sql::new("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_optional(self.reader()).await?;
        row.map(|r| Ok((r.try_get("seq")?, r.try_get("hash")?))).transpose()
    }

    #[cfg(feature = "testing")]
    async fn raw_execute_for_tests(&self, sql: &'static str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        tx.raw(sql).await?;
        tx.commit().await?;
        Ok(())
    }
}
