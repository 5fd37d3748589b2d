//! Reading and verifying the audit log.

use jiujinan_domain::audit::{AuditDraft, AuditEntry, ChainBreak, ChainVerifier, action};
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
        let v = match &key {
            Some(k) => match ChainVerifier::keyed(k.clone(), checkpoints.to_vec()) {
                Ok(v) => v,
                Err(b) => return Ok(ChainStatus::Broken(b)),
            },
            None => ChainVerifier::default(),
        };
        Ok(match self.walk_chain(v).await? {
            Ok(v) => ChainStatus::Intact {
                entries: v.last().0,
                keyed: key.map(|_| v.keyed_entries()),
                checkpoints: checkpoints.len(),
            },
            Err(b) => ChainStatus::Broken(b),
        })
    }

    /// A checkpoint of the chain, signed by the audit key, for the operator to keep outside
    /// the database (`jiujinan audit checkpoint`). It signs the last entry this verification
    /// checked, never a head read afterwards: a checkpoint must never bless an unchecked entry.
    pub async fn audit_checkpoint(&self) -> Result<Result<Checkpoint, ChainBreak>, AppError> {
        let key = self.settings.audit_key.clone().ok_or(AppError::Conflict("NO_AUDIT_KEY"))?;
        let v = match ChainVerifier::keyed(key.clone(), Vec::new()) {
            Ok(v) => v,
            Err(b) => return Ok(Err(b)),
        };
        let v = match self.walk_chain(v).await? {
            Ok(v) => v,
            Err(b) => return Ok(Err(b)),
        };
        let (seq, hash) = v.last();
        Ok(Ok(key.checkpoint(seq, &hash, self.now_ms())))
    }

    /// Whether any audit entry carries a MAC (then a missing key file must not be replaced
    /// by a new key: the chain would no longer verify under either).
    pub async fn audit_chain_is_keyed(&self) -> Result<bool, AppError> {
        Ok(self.store.audit_has_macs().await?)
    }

    /// With a key: when the chain's last entry has no MAC (a chain written before keying),
    /// appends an `audit.keyed` entry so that the chain ends keyed (see `ChainVerifier::finish`).
    pub async fn ensure_chain_keyed(&self) -> Result<(), AppError> {
        if self.settings.audit_key.is_none() {
            return Ok(());
        }
        let Some((seq, _)) = self.store.audit_head().await? else { return Ok(()) };
        if seq == 0 {
            return Ok(());
        }
        let last = self.store.audit_after(seq - 1, 1).await?;
        if last.first().is_some_and(|e| e.mac.is_empty()) {
            let draft = AuditDraft::new(
                "system",
                "",
                "11",
                action::AUDIT_KEYED,
                ("audit", "chain"),
                &serde_json::json!({"after_seq": seq}),
            );
            self.store.append_audit(draft, self.now_ms()).await?;
        }
        Ok(())
    }

    /// Checks every entry in order with `v`; the verifier when all held, else the first break.
    async fn walk_chain(&self, mut v: ChainVerifier) -> Result<Result<ChainVerifier, ChainBreak>, AppError> {
        let mut after = 0;
        loop {
            let batch = self.store.audit_after(after, VERIFY_BATCH).await?;
            let Some(last) = batch.last() else { break };
            after = last.seq;
            for e in &batch {
                if let Err(b) = v.check(e) {
                    return Ok(Err(b));
                }
            }
        }
        let head = self.store.audit_head().await?;
        Ok(match v.finish(head) {
            Ok(_) => Ok(v),
            Err(b) => Err(b),
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
