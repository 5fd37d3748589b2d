//! Claims on web form submissions, so a form sent twice is carried out once.
//!
//! The trait and its one implementation on [`SqlStore`], written against `db.rs`.

use async_trait::async_trait;

use crate::backend::SqlStore;
use crate::db::Sql;
use crate::{StoreError, SubmissionClaim};

/// Claims on web form submissions, so a form sent twice is carried out once.
#[async_trait]
pub trait SubmissionStore: Send + Sync {
    /// Claims a web form submission by its key, stamped `now_ms`. `Fresh` the first time (the
    /// caller carries it out, then records where it led or releases the claim, naming the
    /// stamp); otherwise what the first one recorded. A claim left running longer than
    /// `abandon_after_ms` (its process died) is taken over as `Fresh` with the new stamp. A new
    /// claim prunes those older than a day.
    async fn claim_submission(
        &self,
        key: &str,
        now_ms: i64,
        abandon_after_ms: i64,
    ) -> Result<SubmissionClaim, StoreError>;
    /// Records where the claim stamped `stamp_ms` led (nothing if it was taken over since).
    async fn finish_submission(&self, key: &str, stamp_ms: i64, location: &str) -> Result<(), StoreError>;
    /// Gives the claim stamped `stamp_ms` back (the submission failed and may be sent again).
    async fn release_submission(&self, key: &str, stamp_ms: i64) -> Result<(), StoreError>;
}

#[async_trait]
impl SubmissionStore for SqlStore {
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
            "INSERT INTO form_submissions (key, created_ms, location) VALUES ($1, $2, NULL) ON CONFLICT (key) DO \
             NOTHING",
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
}
