//! Aid items with their approvals and 公示 postings.
//!
//! The trait and its one implementation on [`SqlStore`], written against `db.rs`.

use async_trait::async_trait;
use jiujinan_domain::aid::AidStatus;
use jiujinan_domain::audit::AuditDraft;
use jiujinan_domain::jurisdiction::Jurisdiction;

use crate::backend::SqlStore;
use crate::db::{Arg, Sql, WriteTx};
use crate::pii::Sealer;
use crate::query::in_scope;
use crate::rows::{self, AID_COLUMNS, POSTING_COLUMNS};
use crate::{AidApproval, AidChange, AidItem, Conflict, Money, Posting, StoreError, Who};
use jiujinan_domain::pii::{Blind, Field, PiiKeyring};

/// Approved or paid items of a programme for a cause since a time, in the same case or for the
/// same ID number, by its blind index under the current or previous key ($5, $6; an impossible
/// index when there is no number, so only the case counts).
pub(crate) const PRIOR_AID_COUNT: &str = "SELECT COUNT(*) AS n FROM aid_items a JOIN cases c ON c.id = a.case_id \
     WHERE a.programme = $1 AND a.cause = $2 AND a.status IN ('approved', 'paid') AND a.created_ms >= $3 \
     AND (a.case_id = $4 OR c.subject_id_bidx IN ($5, $6))";

/// The blind indexes of an ID number for `PRIOR_AID_COUNT` ("-", which no index is, without one).
fn id_indexes(ring: &PiiKeyring, id_number: Option<&str>) -> [String; 2] {
    match id_number {
        Some(n) => ring.blind_both(Blind::IdNumber, n),
        None => ["-".to_owned(), "-".to_owned()],
    }
}

/// Yuan with two decimals, for timeline notes.
pub(crate) fn yuan(fen: i64) -> String {
    jiujinan_domain::aid::yuan(fen)
}

/// The ledger lines of a money movement, its kind, and the balance columns it moves between.
type Movement<'a> = ([(&'a str, &'a str, i64); 2], &'a str, (&'a str, &'a str));

/// Aid items with their approvals and 公示 postings.
#[async_trait]
pub trait AidStore: Send + Sync {
    /// Stores a proposed aid item with its review clock, timeline step and audit entry.
    async fn create_aid(
        &self,
        item: &AidItem,
        clock: Option<&crate::NewDeadline>,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// One aid item.
    async fn aid(&self, id: &str) -> Result<Option<AidItem>, StoreError>;
    /// The aid items of a case, oldest first.
    async fn aid_of_case(&self, case_id: &str) -> Result<Vec<AidItem>, StoreError>;
    /// The opinions recorded on an aid item, in order.
    async fn aid_approvals(&self, aid_id: &str) -> Result<Vec<AidApproval>, StoreError>;
    /// Aid items within `scope` in a status (and needing a level), oldest first.
    async fn aid_queue(
        &self,
        scope: &Jurisdiction,
        status: &str,
        level: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AidItem>, StoreError>;
    /// Moves an aid item and its money in one transaction: `Conflict::AidState` when the
    /// status moved on, `Conflict::StaleVersion`, `Conflict::InsufficientFunds` when the
    /// fund cannot cover a reservation (nothing is written then).
    async fn change_aid(
        &self,
        change: &AidChange,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<AidItem, StoreError>;
    /// Approved or paid items of the same programme and cause for the same person (ID number)
    /// or case since `since_ms`.
    async fn prior_aid_count(
        &self,
        id_number: Option<&str>,
        case_id: &str,
        programme: &str,
        cause: &str,
        since_ms: i64,
    ) -> Result<i64, StoreError>;
    /// 公示 postings within `scope`.
    async fn postings(&self, scope: &Jurisdiction, open_only: bool) -> Result<Vec<Posting>, StoreError>;
    /// One posting.
    async fn posting(&self, id: &str) -> Result<Option<Posting>, StoreError>;
    /// Records an objection to an open posting and reopens the review (`reopen`) in one
    /// transaction; `Conflict::PostingClosed` when the posting is not open.
    async fn object_to_posting(
        &self,
        posting_id: &str,
        objection: (&str, &str),
        reopen: &AidChange,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
}

#[async_trait]
impl AidStore for SqlStore {
    async fn create_aid(
        &self,
        i: &AidItem,
        clock: Option<&crate::NewDeadline>,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Sql::new(
            "INSERT INTO aid_items (id, case_id, case_number, division, programme, kind, aid_type, cause, tier, \
             persons, description, \
             proposed_fen, amount_fen, calculation, change_reason, special, required_level, fund_id, status, \
             delivery_method, \
             delivery_ref, paid_ms, refusal_reason, action_id, created_by, created_unit, created_ms, updated_ms, \
             version, placeholders) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 'proposed', '', \
             '', 0, '', \
             $19, $20, $21, $22, $22, 1, $23)",
        )
        .bind(&i.id)
        .bind(&i.case_id)
        .bind(&i.case_number)
        .bind(&i.division)
        .bind(&i.programme)
        .bind(i.kind.code())
        .bind(i.aid_type.code())
        .bind(&i.cause)
        .bind(i.tier)
        .bind(i.persons)
        .bind(&i.description)
        .bind(i.proposed_fen)
        .bind(i.amount_fen)
        .bind(&i.calculation)
        .bind(&i.change_reason)
        .bind(i.special)
        .bind(i.required_level.code())
        .bind(&i.fund_id)
        .bind(&i.action_id)
        .bind(&i.created_by)
        .bind(&i.created_unit)
        .bind(now_ms)
        .bind(&i.placeholders)
        .execute(&mut tx)
        .await?;
        let at = (now_ms, who.user.as_str(), who.unit.as_str());
        let note = format!("{} {}", crate::aid::yuan(i.amount_fen), i.calculation);
        tx.timeline(format!("{}-proposed", i.id), ("case", &i.case_id), at, "aid_proposed", &note).await?;
        if let Some(d) = clock {
            Self::insert_deadline(&mut tx, d).await?;
        }
        tx.finish(audit, now_ms).await
    }

    async fn aid(&self, id: &str) -> Result<Option<AidItem>, StoreError> {
        Ok(self.fetch_aid("id = $1", vec![Arg::Text(id.to_owned())]).await?.into_iter().next())
    }

    async fn aid_of_case(&self, case_id: &str) -> Result<Vec<AidItem>, StoreError> {
        self.fetch_aid("case_id = $1 ORDER BY created_ms, id", vec![Arg::Text(case_id.to_owned())]).await
    }

    async fn aid_approvals(&self, aid_id: &str) -> Result<Vec<AidApproval>, StoreError> {
        let sql = "SELECT id, aid_id, step, level, actor, unit, opinion, at_ms FROM aid_approvals WHERE aid_id = $1 \
                   ORDER BY at_ms, id"
            .to_owned();
        let rows = Sql::new(sql).bind(aid_id).fetch_all(self.reader()).await?;
        Ok(rows.iter().map(rows::approval).collect::<Result<_, _>>()?)
    }

    async fn aid_queue(
        &self,
        scope: &Jurisdiction,
        status: &str,
        level: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AidItem>, StoreError> {
        let mut binds = vec![Arg::Text(scope.division.to_string()), Arg::Text(status.to_owned())];
        let mut cond = format!("{} AND status = $2", in_scope("division", scope));
        if let Some(l) = level {
            binds.push(Arg::Text(l.to_owned()));
            cond.push_str(" AND required_level = $3");
        }
        binds.push(Arg::Int(limit.clamp(1, 1_000)));
        let n = binds.len();
        self.fetch_aid(&format!("{cond} ORDER BY created_ms, id LIMIT ${n}"), binds).await
    }

    async fn change_aid(
        &self,
        c: &AidChange,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<AidItem, StoreError> {
        let mut tx = self.begin_write().await?;
        let item = Self::apply_aid_change(&mut tx, self.pii()?, c, who, now_ms).await?;
        tx.finish(audit, now_ms).await?;
        Ok(item)
    }

    async fn prior_aid_count(
        &self,
        id_number: Option<&str>,
        case_id: &str,
        programme: &str,
        cause: &str,
        since_ms: i64,
    ) -> Result<i64, StoreError> {
        let sql = PRIOR_AID_COUNT.to_owned();
        let [cur, prev] = id_indexes(self.pii()?, id_number);
        let binds = vec![
            Arg::Text(programme.to_owned()),
            Arg::Text(cause.to_owned()),
            Arg::Int(since_ms),
            Arg::Text(case_id.to_owned()),
            Arg::Text(cur),
            Arg::Text(prev),
        ];
        let rows = self.fetch_built(sql, binds).await?;
        Ok(rows.first().map(|r| r.try_get::<i64>("n")).transpose()?.unwrap_or(0))
    }

    async fn postings(&self, scope: &Jurisdiction, open_only: bool) -> Result<Vec<Posting>, StoreError> {
        let open = if open_only { " AND status = 'open'" } else { "" };
        let sql = format!(
            "SELECT {POSTING_COLUMNS} FROM publicity_postings WHERE {}{open} ORDER BY start_ms DESC, id LIMIT 500",
            in_scope("division", scope)
        );
        let ring = self.pii()?;
        let rows = Sql::new(sql).bind(scope.division.as_str()).fetch_all(self.reader()).await?;
        rows.iter().map(|r| ring.open_posting(rows::posting(r)?)).collect()
    }

    async fn posting(&self, id: &str) -> Result<Option<Posting>, StoreError> {
        let rows = Sql::new(format!("SELECT {POSTING_COLUMNS} FROM publicity_postings WHERE id = $1"))
            .bind(id)
            .fetch_all(self.reader())
            .await?;
        let ring = self.pii()?;
        rows.iter().map(|r| ring.open_posting(rows::posting(r)?)).next().transpose()
    }

    async fn object_to_posting(
        &self,
        posting_id: &str,
        objection: (&str, &str),
        reopen: &AidChange,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let res = Sql::new("UPDATE publicity_postings SET status = 'objected' WHERE id = $1 AND status = 'open'")
            .bind(posting_id)
            .execute(&mut tx)
            .await?;
        if res.rows_affected() == 0 {
            return Err(StoreError::Conflict(Conflict::PostingClosed));
        }
        Sql::new(
            "INSERT INTO publicity_objections (id, posting_id, text, recorded_by, at_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(objection.0)
        .bind(posting_id)
        .bind(objection.1)
        .bind(&who.user)
        .bind(now_ms)
        .execute(&mut tx)
        .await?;
        Self::apply_aid_change(&mut tx, self.pii()?, reopen, who, now_ms).await?;
        tx.finish(audit, now_ms).await
    }
}

impl SqlStore {
    pub(crate) async fn apply_aid_change(
        tx: &mut WriteTx,
        ring: &PiiKeyring,
        c: &AidChange,
        who: &Who,
        now_ms: i64,
    ) -> Result<AidItem, StoreError> {
        if let Some(g) = &c.frequency {
            let [cur, prev] = id_indexes(ring, g.id_number.as_deref());
            if tx.is_postgres() {
                // SQLite's single writer already serialises this transaction. The lock is named
                // by the blind index, never the number itself (it shows in pg_locks).
                let person = if g.id_number.is_some() { cur.as_str() } else { g.case_id.as_str() };
                Sql::new("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                    .bind(format!("aid-frequency:{person}:{}", g.cause))
                    .execute(&mut *tx)
                    .await?;
            }
            let prior: i64 = Sql::new(PRIOR_AID_COUNT)
                .bind(&g.programme)
                .bind(&g.cause)
                .bind(g.since_ms)
                .bind(&g.case_id)
                .bind(&cur)
                .bind(&prev)
                .fetch_one(&mut *tx)
                .await?
                .try_get("n")?;
            if prior >= g.max_per_year {
                return Err(StoreError::Conflict(Conflict::FrequencyLimit));
            }
        }
        let (method, reference) = c.delivery.clone().unwrap_or_default();
        let res = Sql::new(
            "UPDATE aid_items SET status = $1, version = version + 1, updated_ms = $2, \
             refusal_reason = COALESCE($3, refusal_reason), \
             delivery_method = CASE WHEN $4 = '' THEN delivery_method ELSE $4 END, \
             delivery_ref = CASE WHEN $4 = '' THEN delivery_ref ELSE $5 END, \
             paid_ms = CASE WHEN $4 = '' THEN paid_ms ELSE $2 END \
             WHERE id = $6 AND version = $7 AND status = $8",
        )
        .bind(c.to.code())
        .bind(now_ms)
        .bind(c.refusal_reason.as_deref())
        .bind(&method)
        .bind(&reference)
        .bind(&c.id)
        .bind(c.expected_version)
        .bind(c.from.code())
        .execute(&mut *tx)
        .await?;
        if res.rows_affected() == 0 {
            let row =
                Sql::new("SELECT status FROM aid_items WHERE id = $1").bind(&c.id).fetch_optional(&mut *tx).await?;
            return Err(match row {
                None => StoreError::NotFound,
                Some(r) if r.try_get::<String>("status")? != c.from.code() => StoreError::Conflict(Conflict::AidState),
                Some(_) => StoreError::Conflict(Conflict::StaleVersion),
            });
        }
        let row = Sql::new(format!("SELECT {AID_COLUMNS} FROM aid_items WHERE id = $1"))
            .bind(&c.id)
            .fetch_one(&mut *tx)
            .await?;
        let item = rows::aid(&row)?;
        Self::close_deadlines_of(tx, "aid", &item.id, now_ms).await?;
        if let Some(d) = &c.open_deadline {
            Self::insert_deadline(tx, d).await?;
        }
        if c.money == Money::Pay {
            let open = Sql::new(
                "SELECT 1 AS one FROM publicity_postings WHERE aid_id = $1 AND status = 'open' AND end_ms > $2",
            )
            .bind(&item.id)
            .bind(now_ms)
            .fetch_optional(&mut *tx)
            .await?;
            if open.is_some() {
                return Err(StoreError::Conflict(Conflict::PostingOpen));
            }
        }
        if matches!(c.to, AidStatus::Paid | AidStatus::Cancelled) {
            Sql::new("UPDATE publicity_postings SET status = 'closed' WHERE aid_id = $1 AND status = 'open'")
                .bind(&item.id)
                .execute(&mut *tx)
                .await?;
        }
        let (f, a) = (item.fund_id.as_str(), item.amount_fen);
        let tx_id = format!("{}-{}", item.id, c.expected_version + 1);
        let lines: Option<Movement<'_>> = match c.money {
            Money::None => None,
            Money::Reserve => {
                Some(([(f, "available", -a), (f, "reserved", a)], "reservation", ("available_fen", "reserved_fen")))
            }
            Money::Pay => Some(([(f, "reserved", -a), (f, "paid", a)], "posting", ("reserved_fen", "paid_fen"))),
            Money::Release => {
                Some(([(f, "reserved", -a), (f, "available", a)], "release", ("reserved_fen", "available_fen")))
            }
            Money::Reverse => Some(([(f, "paid", -a), (f, "available", a)], "reversal", ("paid_fen", "available_fen"))),
        };
        if let Some((lines, kind, (from, to))) = lines
            && a > 0
        {
            Self::move_balance(tx, f, from, to, a).await?;
            Self::post_ledger(tx, &tx_id, &lines, kind, &item.id, &c.approval.opinion, &who.user, now_ms).await?;
        }
        Self::insert_approval(tx, &c.approval).await?;
        if let Some(p) = &c.posting {
            Sql::new(
                "INSERT INTO publicity_postings (id, aid_id, case_id, division, programme, head_name, persons, \
                 amount_fen, reason, \
                 start_ms, end_ms, status, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', \
                 $12)",
            )
            .bind(&p.id)
            .bind(&p.aid_id)
            .bind(&p.case_id)
            .bind(&p.division)
            .bind(&p.programme)
            .bind(ring.seal_text(Field::Name, &p.head_name))
            .bind(p.persons)
            .bind(p.amount_fen)
            .bind(&p.reason)
            .bind(p.start_ms)
            .bind(p.end_ms)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        }
        let at = (now_ms, who.user.as_str(), who.unit.as_str());
        let note = format!("{} {}", crate::aid::yuan(a), c.approval.opinion);
        tx.timeline(format!("{tx_id}-aid"), ("case", &item.case_id), at, &format!("aid_{}", c.to.code()), note.trim())
            .await?;
        Ok(item)
    }

    pub(crate) async fn insert_approval(tx: &mut WriteTx, a: &AidApproval) -> Result<(), StoreError> {
        Sql::new(
            "INSERT INTO aid_approvals (id, aid_id, step, level, actor, unit, opinion, at_ms) VALUES ($1, $2, $3, $4, \
             $5, $6, $7, $8)",
        )
        .bind(&a.id)
        .bind(&a.aid_id)
        .bind(&a.step)
        .bind(&a.level)
        .bind(&a.actor)
        .bind(&a.unit)
        .bind(&a.opinion)
        .bind(a.at_ms)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    pub(crate) async fn fetch_aid(&self, where_sql: &str, binds: Vec<Arg>) -> Result<Vec<AidItem>, StoreError> {
        let rows = self.fetch_built(format!("SELECT {AID_COLUMNS} FROM aid_items WHERE {where_sql}"), binds).await?;
        Ok(rows.iter().map(rows::aid).collect::<Result<_, _>>()?)
    }
}
