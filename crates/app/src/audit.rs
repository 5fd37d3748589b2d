//! Reading and verifying the audit log.

use jiujinan_domain::audit::{AuditEntry, ChainBreak, ChainVerifier};
use jiujinan_domain::audit_key::Checkpoint;
use serde::Serialize;

use crate::auth::Actor;
use crate::{App, AppError};

/// Entries read per round trip while verifying.
const VERIFY_BATCH: i64 = 2_000;

/// The outcome of verifying the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ChainStatus {
    /// Every entry links and hashes correctly: the number of entries, how many carried a
    /// valid MAC (`None` without a key: MACs not checked) and how many checkpoints held.
    Intact { entries: i64, keyed: Option<i64>, checkpoints: usize },
    /// The first broken entry.
    Broken(ChainBreak),
}

/// A new random audit key (from the operating system's generator).
pub fn generate_key() -> jiujinan_domain::audit_key::AuditKey {
    use rand::RngCore;
    let mut bytes = [0u8; jiujinan_domain::audit_key::KEY_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    jiujinan_domain::audit_key::AuditKey::from_bytes(bytes)
}

impl App {
    /// Walks the whole chain in order and reports the first broken entry, if any. With the
    /// audit key configured, every MAC is checked and so are `checkpoints` (signed by the key,
    /// and each naming an entry the log still holds with the hash it recorded).
    pub async fn verify_audit_chain(&self, checkpoints: &[Checkpoint]) -> Result<ChainStatus, AppError> {
        let key = self.settings.audit_key.clone();
        if key.is_none() && !checkpoints.is_empty() {
            return Err(AppError::Conflict("NO_AUDIT_KEY"));
        }
        let mut v = match &key {
            Some(k) => match ChainVerifier::keyed(k.clone(), checkpoints.to_vec()) {
                Ok(v) => v,
                Err(b) => return Ok(ChainStatus::Broken(b)),
            },
            None => ChainVerifier::default(),
        };
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
            Ok(entries) => {
                ChainStatus::Intact { entries, keyed: key.map(|_| v.keyed_entries()), checkpoints: checkpoints.len() }
            }
            Err(b) => ChainStatus::Broken(b),
        })
    }

    /// A checkpoint of the chain's head now, signed by the audit key, for the operator to keep
    /// outside the database (`jiujinan audit checkpoint`). Verifies the chain first: a
    /// checkpoint must never bless a broken one.
    pub async fn audit_checkpoint(&self) -> Result<Result<Checkpoint, ChainBreak>, AppError> {
        let key = self.settings.audit_key.clone().ok_or(AppError::Conflict("NO_AUDIT_KEY"))?;
        if let ChainStatus::Broken(b) = self.verify_audit_chain(&[]).await? {
            return Ok(Err(b));
        }
        let (seq, hash) =
            self.store.audit_head().await?.unwrap_or((0, jiujinan_domain::audit::GENESIS_HASH.to_owned()));
        Ok(Ok(key.checkpoint(seq, &hash, self.now_ms())))
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
