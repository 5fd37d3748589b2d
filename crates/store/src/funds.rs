//! Funds, their deposits and allocations, and the ledger.
//!
//! The trait and its one implementation on [`SqlStore`], written against `db.rs`.

use async_trait::async_trait;
use jiujinan_domain::audit::AuditDraft;
use jiujinan_domain::jurisdiction::Jurisdiction;
use jiujinan_domain::money::MAX_BALANCE_FEN;

use crate::backend::SqlStore;
use crate::db::{Sql, WriteTx};
use crate::query::in_scope;
use crate::rows::{self, FUND_COLUMNS};
use crate::{Conflict, Fund, LedgerEntry, StoreError, Who};

/// A suffix that keeps ledger transaction ids unique: process and a counter.
fn rand_suffix() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    format!("{}-{}", std::process::id(), NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
}

/// Funds, their deposits and allocations, and the ledger.
#[async_trait]
pub trait FundStore: Send + Sync {
    /// Opens a fund account with zero balances.
    async fn create_fund(&self, f: &Fund, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
    /// Funds whose division lies within `scope`.
    async fn funds(&self, scope: &Jurisdiction) -> Result<Vec<Fund>, StoreError>;
    /// Funds of the division and the divisions above it (street, district, city funds that
    /// can pay for a case there).
    async fn funds_covering(&self, division: &str) -> Result<Vec<Fund>, StoreError>;
    /// One fund.
    async fn fund(&self, id: &str) -> Result<Option<Fund>, StoreError>;
    /// Money into a fund from outside (a budget appropriation, a donation);
    /// `Conflict::BalanceLimit` when the balance would pass `MAX_BALANCE_FEN`.
    async fn deposit(
        &self,
        fund_id: &str,
        amount_fen: i64,
        memo: &str,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// Money from one fund to another (district to street); `Conflict::InsufficientFunds`,
    /// `Conflict::BalanceLimit` when the receiving balance would pass `MAX_BALANCE_FEN`.
    #[allow(clippy::too_many_arguments)]
    async fn allocate(
        &self,
        from: &str,
        to: &str,
        amount_fen: i64,
        memo: &str,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// Ledger lines of a fund with `from_ms <= at_ms < to_ms`, in order.
    async fn ledger(&self, fund_id: &str, from_ms: i64, to_ms: i64) -> Result<Vec<LedgerEntry>, StoreError>;
}

#[async_trait]
impl FundStore for SqlStore {
    async fn create_fund(&self, f: &Fund, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Sql::new(
            "INSERT INTO funds (id, unit, division, kind, name, available_fen, reserved_fen, paid_fen, created_ms, \
             version) \
             VALUES ($1, $2, $3, $4, $5, 0, 0, 0, $6, 1)",
        )
        .bind(&f.id)
        .bind(&f.unit)
        .bind(&f.division)
        .bind(f.kind.code())
        .bind(&f.name)
        .bind(now_ms)
        .execute(&mut tx)
        .await?;
        tx.finish(audit, now_ms).await
    }

    async fn funds(&self, scope: &Jurisdiction) -> Result<Vec<Fund>, StoreError> {
        let sql = format!(
            "SELECT {FUND_COLUMNS} FROM funds WHERE {} ORDER BY division, kind, name",
            in_scope("division", scope)
        );
        let rows = Sql::new(sql).bind(scope.division.as_str()).fetch_all(self.reader()).await?;
        Ok(rows.iter().map(rows::fund).collect::<Result<_, _>>()?)
    }

    async fn funds_covering(&self, division: &str) -> Result<Vec<Fund>, StoreError> {
        let sql = format!(
            "SELECT {FUND_COLUMNS} FROM funds WHERE substr($1, 1, length(division)) = division ORDER BY \
             length(division) DESC, kind, name"
        );
        let rows = Sql::new(sql).bind(division).fetch_all(self.reader()).await?;
        Ok(rows.iter().map(rows::fund).collect::<Result<_, _>>()?)
    }

    async fn fund(&self, id: &str) -> Result<Option<Fund>, StoreError> {
        let rows = Sql::new(format!("SELECT {FUND_COLUMNS} FROM funds WHERE id = $1"))
            .bind(id)
            .fetch_all(self.reader())
            .await?;
        Ok(rows.iter().map(rows::fund).next().transpose()?)
    }

    async fn deposit(
        &self,
        fund_id: &str,
        amount_fen: i64,
        memo: &str,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Self::credit(&mut tx, fund_id, amount_fen).await?;
        let tx_id = format!("dep-{fund_id}-{now_ms}-{}", rand_suffix());
        Self::post_ledger(
            &mut tx,
            &tx_id,
            &[(fund_id, "external", -amount_fen), (fund_id, "available", amount_fen)],
            "deposit",
            "",
            memo,
            &who.user,
            now_ms,
        )
        .await?;
        tx.finish(audit, now_ms).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn allocate(
        &self,
        from: &str,
        to: &str,
        amount_fen: i64,
        memo: &str,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let res = Sql::new(
            "UPDATE funds SET available_fen = available_fen - $1, version = version + 1 WHERE id = $2 \
                            AND available_fen >= $1",
        )
        .bind(amount_fen)
        .bind(from)
        .execute(&mut tx)
        .await?;
        if res.rows_affected() == 0 {
            return Err(StoreError::Conflict(Conflict::InsufficientFunds));
        }
        Self::credit(&mut tx, to, amount_fen).await?;
        let tx_id = format!("alloc-{from}-{now_ms}-{}", rand_suffix());
        Self::post_ledger(
            &mut tx,
            &tx_id,
            &[(from, "available", -amount_fen), (to, "available", amount_fen)],
            "allocation",
            "",
            memo,
            &who.user,
            now_ms,
        )
        .await?;
        tx.finish(audit, now_ms).await
    }

    async fn ledger(&self, fund_id: &str, from_ms: i64, to_ms: i64) -> Result<Vec<LedgerEntry>, StoreError> {
        let sql =
            "SELECT seq, tx_id, fund_id, account, amount_fen, kind, aid_id, memo, actor, at_ms FROM ledger_entries \
             WHERE fund_id = $1 AND at_ms >= $2 AND at_ms < $3 ORDER BY seq"
                .to_owned();
        let rows = Sql::new(sql).bind(fund_id).bind(from_ms).bind(to_ms).fetch_all(self.reader()).await?;
        Ok(rows.iter().map(rows::entry).collect::<Result<_, _>>()?)
    }
}

impl SqlStore {
    /// Adds money to a fund's available balance inside the caller's transaction (a deposit, the
    /// receiving side of an allocation); `NotFound` for an unknown fund.
    async fn credit(tx: &mut WriteTx, fund_id: &str, amount_fen: i64) -> Result<(), StoreError> {
        // The balance stays within the range both databases hold as an integer (the table's
        // CHECK says the same; this turns a breach into a conflict the app can name).
        let res = Sql::new(
            "UPDATE funds SET available_fen = available_fen + $1, version = version + 1 WHERE id = $2 \
             AND available_fen <= $3 - $1",
        )
        .bind(amount_fen)
        .bind(fund_id)
        .bind(MAX_BALANCE_FEN)
        .execute(&mut *tx)
        .await?;
        if res.rows_affected() == 0 {
            let exists = Sql::new("SELECT id FROM funds WHERE id = $1").bind(fund_id).fetch_optional(tx).await?;
            return Err(match exists {
                Some(_) => StoreError::Conflict(Conflict::BalanceLimit),
                None => StoreError::NotFound,
            });
        }
        Ok(())
    }

    /// Appends the lines of one ledger transaction (they sum to zero).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn post_ledger(
        tx: &mut WriteTx,
        tx_id: &str,
        lines: &[(&str, &str, i64)],
        kind: &str,
        aid_id: &str,
        memo: &str,
        actor: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        debug_assert_eq!(lines.iter().map(|l| l.2).sum::<i64>(), 0, "a ledger transaction balances");
        for (fund, account, amount) in lines {
            Sql::new(
                "INSERT INTO ledger_entries (tx_id, fund_id, account, amount_fen, kind, aid_id, memo, actor, at_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(tx_id)
            .bind(*fund)
            .bind(*account)
            .bind(*amount)
            .bind(kind)
            .bind(aid_id)
            .bind(memo)
            .bind(actor)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        }
        Ok(())
    }

    /// Moves `amount` between two balance columns of a fund if the source holds it.
    pub(crate) async fn move_balance(
        tx: &mut WriteTx,
        fund: &str,
        from: &str,
        to: &str,
        amount: i64,
    ) -> Result<(), StoreError> {
        let sql = format!(
            "UPDATE funds SET {from} = {from} - $1, {to} = {to} + $1, version = version + 1 WHERE id = $2 AND {from} \
             >= $1"
        );
        let res = Sql::new(sql).bind(amount).bind(fund).execute(&mut *tx).await?;
        if res.rows_affected() == 0 {
            return Err(StoreError::Conflict(Conflict::InsufficientFunds));
        }
        Ok(())
    }
}
