//! Rule data, dated and audited: programmes, time limits, the calendar, aid standards, tiers,
//! ceilings and frequency limits.
//!
//! The trait and its one implementation on [`SqlStore`], written against `db.rs`.

use async_trait::async_trait;
use jiujinan_domain::audit::AuditDraft;

use crate::backend::SqlStore;
use crate::db::{DbRow, Sql, from_row};
use crate::query::unique_to_conflict;
use crate::rows::{self};
use crate::{
    AidRules, Authority, CalendarDay, Conflict, DeadlineRule, DutyRule, FrequencyRule, MoneyLimit, Programme,
    PublicityRule, Standard, StoreError, Tier, TimeLimit,
};

/// Rule data, dated and audited: programmes, time limits, the calendar, aid standards, tiers,
/// ceilings and frequency limits.
#[async_trait]
pub trait RuleStore: Send + Sync {
    /// The time limit in force at `at_ms` for a step and urgency.
    async fn time_limit(&self, step: &str, urgency: &str, at_ms: i64) -> Result<Option<TimeLimit>, StoreError>;
    /// The programme catalogue in force at `at_ms`.
    async fn programmes(&self, at_ms: i64) -> Result<Vec<Programme>, StoreError>;
    /// Adds a version of a programme from its `effective_from`; `Conflict::RuleExists` for
    /// the same code and date.
    async fn insert_programme(&self, p: &Programme, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
    /// Every time-limit rule, including superseded ones.
    async fn deadline_rules(&self) -> Result<Vec<DeadlineRule>, StoreError>;
    /// Adds a time-limit rule; `Conflict::RuleExists` for the same key and date.
    async fn insert_deadline_rule(&self, rule: &DeadlineRule, audit: AuditDraft, now_ms: i64)
    -> Result<(), StoreError>;
    /// The holidays and make-up working days.
    async fn calendar_days(&self) -> Result<Vec<CalendarDay>, StoreError>;
    /// Sets (or with `None` removes) the calendar entry of a day.
    async fn set_calendar_day(
        &self,
        day: i64,
        entry: Option<&CalendarDay>,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// Every rule row of aid (standards, tiers, authority, frequency, publicity).
    async fn aid_rules(&self) -> Result<AidRules, StoreError>;
    /// Adds a dated standard; `Conflict::RuleExists` for the same key and date.
    async fn insert_standard(&self, s: &Standard, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
    /// Adds a dated approval ceiling of a level; `Conflict::RuleExists` for the same key and date.
    async fn insert_authority(&self, a: &Authority, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
    /// Adds a dated tier (months of the standard); `Conflict::RuleExists` for the same key and date.
    async fn insert_tier(&self, t: &Tier, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
    /// Adds a dated frequency limit; `Conflict::RuleExists` for the same programme and date.
    async fn insert_frequency(&self, f: &FrequencyRule, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
    /// Adds a dated ceiling of a money operation; `Conflict::RuleExists` for the same
    /// operation and date.
    async fn insert_money_limit(&self, m: &MoneyLimit, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
    /// Adds a dated separation-of-duties exception; `Conflict::RuleExists` for the same
    /// division and date.
    async fn insert_duty_rule(&self, d: &DutyRule, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
}

#[async_trait]
impl RuleStore for SqlStore {
    async fn time_limit(&self, step: &str, urgency: &str, at_ms: i64) -> Result<Option<TimeLimit>, StoreError> {
        let row = Sql::new(
            "SELECT hours, placeholder, warn_hours, escalate_after_days, effective_from FROM rule_time_limits \
             WHERE step = $1 AND urgency = $2 AND effective_from <= $3 ORDER BY effective_from DESC LIMIT 1",
        )
        .bind(step)
        .bind(urgency)
        .bind(at_ms)
        .fetch_optional(self.reader())
        .await?;
        row.map(|r| {
            Ok(TimeLimit {
                hours: r.try_get("hours")?,
                placeholder: r.try_get("placeholder")?,
                warn_hours: r.try_get("warn_hours")?,
                escalate_after_days: r.try_get("escalate_after_days")?,
                effective_from: r.try_get("effective_from")?,
            })
        })
        .transpose()
    }

    async fn programmes(&self, at_ms: i64) -> Result<Vec<Programme>, StoreError> {
        let sql =
            "SELECT p.code, p.name_zh, p.name_en, p.department, p.level, p.route, p.hardship_types, p.reason_zh, \
             p.reason_en, p.effective_from, p.placeholder, p.source FROM programmes p WHERE p.effective_from = \
             (SELECT MAX(q.effective_from) FROM programmes q WHERE q.code = p.code AND q.effective_from <= $1) ORDER \
             BY p.code"
                .to_owned();
        let rows = Sql::new(sql).bind(at_ms).fetch_all(self.reader()).await?;
        Ok(rows.iter().map(rows::programme).collect::<Result<_, _>>()?)
    }

    async fn insert_programme(&self, p: &Programme, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        let row = Sql::new(
            "INSERT INTO programmes (code, name_zh, name_en, department, level, route, hardship_types, reason_zh, \
             reason_en, \
             effective_from, placeholder, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&p.code)
        .bind(&p.name_zh)
        .bind(&p.name_en)
        .bind(&p.department)
        .bind(&p.level)
        .bind(&p.route)
        .bind(&p.hardship_types)
        .bind(&p.reason_zh)
        .bind(&p.reason_en)
        .bind(p.effective_from)
        .bind(p.placeholder)
        .bind(&p.source);
        self.insert_rule_row(row, audit, now_ms).await
    }

    async fn deadline_rules(&self) -> Result<Vec<DeadlineRule>, StoreError> {
        let sql =
            "SELECT route, step, to_kind, unit, amount, warn_hours, escalate_after_days, effective_from, placeholder, \
             source, created_by, created_ms FROM rule_deadlines ORDER BY route, step, to_kind, effective_from"
                .to_owned();
        let rows = Sql::new(sql).fetch_all(self.reader()).await?;
        Ok(rows.iter().map(rows::rule).collect::<Result<_, _>>()?)
    }

    async fn insert_deadline_rule(&self, r: &DeadlineRule, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        let row = Sql::new(
            "INSERT INTO rule_deadlines (route, step, to_kind, unit, amount, warn_hours, escalate_after_days, \
             effective_from, placeholder, source, created_by, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
             $10, $11, $12)",
        )
        .bind(&r.route)
        .bind(&r.step)
        .bind(&r.to_kind)
        .bind(&r.unit)
        .bind(r.amount)
        .bind(r.warn_hours)
        .bind(r.escalate_after_days)
        .bind(r.effective_from)
        .bind(r.placeholder)
        .bind(&r.source)
        .bind(&r.created_by)
        .bind(now_ms);
        self.insert_rule_row(row, audit, now_ms).await
    }

    async fn calendar_days(&self) -> Result<Vec<CalendarDay>, StoreError> {
        let sql = "SELECT day, workday, name, placeholder, source FROM calendar_days ORDER BY day".to_owned();
        let rows = Sql::new(sql).fetch_all(self.reader()).await?;
        Ok(rows.iter().map(rows::day).collect::<Result<_, _>>()?)
    }

    async fn set_calendar_day(
        &self,
        day: i64,
        entry: Option<&CalendarDay>,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Sql::new("DELETE FROM calendar_days WHERE day = $1").bind(day).execute(&mut tx).await?;
        if let Some(e) = entry {
            Sql::new("INSERT INTO calendar_days (day, workday, name, placeholder, source) VALUES ($1, $2, $3, $4, $5)")
                .bind(day)
                .bind(e.workday)
                .bind(&e.name)
                .bind(e.placeholder)
                .bind(&e.source)
                .execute(&mut tx)
                .await?;
        }
        tx.finish(audit, now_ms).await
    }

    async fn aid_rules(&self) -> Result<AidRules, StoreError> {
        let q = |sql: &str| self.fetch_built(sql.to_owned(), vec![]);
        let (s, t, a, f, p, m, d) = tokio::try_join!(
            q("SELECT region, kind, effective_from, amount_fen, placeholder, source FROM assistance_standards ORDER \
                 BY region, kind, effective_from"),
            q("SELECT aid_type, tier, months, effective_from, placeholder, source FROM aid_tiers ORDER BY aid_type, \
                 tier, effective_from"),
            q("SELECT programme, level, max_fen, effective_from, placeholder, source FROM approval_authority ORDER \
                 BY programme, level, effective_from"),
            q("SELECT programme, max_per_year, effective_from, placeholder, source FROM frequency_rules ORDER BY \
                 programme, effective_from"),
            q("SELECT programme, aid_type, required, days, fields, effective_from, placeholder, source FROM \
                 publicity_rules ORDER BY programme, aid_type, effective_from"),
            q("SELECT operation, max_fen, effective_from, placeholder, source FROM money_limits ORDER BY operation, \
                 effective_from"),
            q("SELECT division, effective_from, allowed, placeholder, source FROM duty_rules ORDER BY division, \
                 effective_from"),
        )?;
        let std = |r: &DbRow| -> Result<Standard, sqlx::Error> {
            Ok(from_row!(r, Standard { region, kind, effective_from, amount_fen, placeholder, source }))
        };
        let tier = |r: &DbRow| -> Result<Tier, sqlx::Error> {
            Ok(from_row!(r, Tier { aid_type, tier, months, effective_from, placeholder, source }))
        };
        let auth = |r: &DbRow| -> Result<Authority, sqlx::Error> {
            Ok(from_row!(r, Authority { programme, level, max_fen, effective_from, placeholder, source }))
        };
        let freq = |r: &DbRow| -> Result<FrequencyRule, sqlx::Error> {
            Ok(from_row!(r, FrequencyRule { programme, max_per_year, effective_from, placeholder, source }))
        };
        let publ = |r: &DbRow| -> Result<PublicityRule, sqlx::Error> {
            Ok(from_row!(
                r,
                PublicityRule { programme, aid_type, required, days, fields, effective_from, placeholder, source }
            ))
        };
        let limit = |r: &DbRow| -> Result<MoneyLimit, sqlx::Error> {
            Ok(from_row!(r, MoneyLimit { operation, max_fen, effective_from, placeholder, source }))
        };
        let duty = |r: &DbRow| -> Result<DutyRule, sqlx::Error> {
            Ok(from_row!(r, DutyRule { division, effective_from, allowed, placeholder, source }))
        };
        Ok(AidRules {
            standards: s.iter().map(std).collect::<Result<_, _>>()?,
            tiers: t.iter().map(tier).collect::<Result<_, _>>()?,
            authority: a.iter().map(auth).collect::<Result<_, _>>()?,
            frequency: f.iter().map(freq).collect::<Result<_, _>>()?,
            publicity: p.iter().map(publ).collect::<Result<_, _>>()?,
            money_limits: m.iter().map(limit).collect::<Result<_, _>>()?,
            duty_rules: d.iter().map(duty).collect::<Result<_, _>>()?,
        })
    }

    async fn insert_standard(&self, s: &Standard, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        let row = Sql::new(
            "INSERT INTO assistance_standards (region, kind, effective_from, amount_fen, placeholder, source) VALUES \
             ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&s.region)
        .bind(&s.kind)
        .bind(s.effective_from)
        .bind(s.amount_fen)
        .bind(s.placeholder)
        .bind(&s.source);
        self.insert_rule_row(row, audit, now_ms).await
    }

    async fn insert_authority(&self, a: &Authority, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        let row = Sql::new(
            "INSERT INTO approval_authority (programme, level, max_fen, effective_from, placeholder, source) VALUES \
             ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&a.programme)
        .bind(&a.level)
        .bind(a.max_fen)
        .bind(a.effective_from)
        .bind(a.placeholder)
        .bind(&a.source);
        self.insert_rule_row(row, audit, now_ms).await
    }

    async fn insert_tier(&self, t: &Tier, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        let row = Sql::new(
            "INSERT INTO aid_tiers (aid_type, tier, months, effective_from, placeholder, source) VALUES ($1, $2, $3, \
             $4, $5, $6)",
        )
        .bind(&t.aid_type)
        .bind(t.tier)
        .bind(t.months)
        .bind(t.effective_from)
        .bind(t.placeholder)
        .bind(&t.source);
        self.insert_rule_row(row, audit, now_ms).await
    }

    async fn insert_frequency(&self, f: &FrequencyRule, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        let row = Sql::new(
            "INSERT INTO frequency_rules (programme, max_per_year, effective_from, placeholder, source) VALUES ($1, \
             $2, $3, $4, $5)",
        )
        .bind(&f.programme)
        .bind(f.max_per_year)
        .bind(f.effective_from)
        .bind(f.placeholder)
        .bind(&f.source);
        self.insert_rule_row(row, audit, now_ms).await
    }

    async fn insert_money_limit(&self, m: &MoneyLimit, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        let row = Sql::new(
            "INSERT INTO money_limits (operation, max_fen, effective_from, placeholder, source) VALUES ($1, $2, $3, \
             $4, $5)",
        )
        .bind(&m.operation)
        .bind(m.max_fen)
        .bind(m.effective_from)
        .bind(m.placeholder)
        .bind(&m.source);
        self.insert_rule_row(row, audit, now_ms).await
    }

    async fn insert_duty_rule(&self, d: &DutyRule, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        let row = Sql::new(
            "INSERT INTO duty_rules (division, effective_from, allowed, placeholder, source) VALUES ($1, $2, $3, $4, \
             $5)",
        )
        .bind(&d.division)
        .bind(d.effective_from)
        .bind(&d.allowed)
        .bind(d.placeholder)
        .bind(&d.source);
        self.insert_rule_row(row, audit, now_ms).await
    }
}

impl SqlStore {
    /// Inserts one dated rule row (the query, its values bound) with its audit entry in one
    /// transaction; the same key and date twice is `Conflict(Conflict::RuleExists)`.
    pub(crate) async fn insert_rule_row(&self, row: Sql, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        row.execute(&mut tx).await.map_err(|e| unique_to_conflict(e, Conflict::RuleExists))?;
        tx.finish(audit, now_ms).await
    }
}
