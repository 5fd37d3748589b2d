//! Reading and verifying the audit log.

use jiujinan_domain::audit::{AuditEntry, ChainBreak, ChainVerifier};
use serde::Serialize;

use crate::auth::Actor;
use crate::{App, AppError};

/// Entries read per round trip while verifying.
const VERIFY_BATCH: i64 = 2_000;

/// The outcome of verifying the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ChainStatus {
    /// Every entry links and hashes correctly; the number of entries.
    Intact { entries: i64 },
    /// The first broken entry.
    Broken(ChainBreak),
}

impl App {
    /// Walks the whole chain in order and reports the first broken entry, if any.
    pub async fn verify_audit_chain(&self) -> Result<ChainStatus, AppError> {
        let mut v = ChainVerifier::default();
        let mut after = 0;
        loop {
            let batch = self.store.audit_after(after, VERIFY_BATCH).await?;
            let Some(last) = batch.last() else { break };
            after = last.seq;
            for e in &batch {
                if let Err(b) = v.check(e) {
                    return Ok(ChainStatus::Broken(b));
                }
            }
        }
        let head = self.store.audit_head().await?;
        Ok(match v.finish(head) {
            Ok(entries) => ChainStatus::Intact { entries },
            Err(b) => ChainStatus::Broken(b),
        })
    }

    /// A page of the audit log within the actor's jurisdiction, newest first.
    pub async fn audit_page(
        &self,
        actor: &Actor,
        before_seq: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, AppError> {
        if !actor.may(jiujinan_domain::policy::Permission::ReadAudit) {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.audit_page(&actor.jurisdiction, before_seq, limit.clamp(1, 500)).await?)
    }
}
