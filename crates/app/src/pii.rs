//! Personal data: the keys that seal it at rest, and the audited reading of full values.
//!
//! Lists and pages show names, ID numbers and phones masked (`jiujinan_domain::pii::mask`);
//! the full values are read only by a role that works with the person, and each such reading
//! is an audit entry (`pii.revealed`). See docs/adr/0023-pii-at-rest.md.

use jiujinan_domain::pii::{KEY_BYTES, PiiKey};

/// A new random personal-data key (from the operating system's generator).
pub fn generate_key() -> PiiKey {
    use rand::RngCore;
    let mut bytes = [0u8; KEY_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    PiiKey::from_bytes(bytes)
}

use jiujinan_domain::audit::AuditDraft;
use jiujinan_store::ResealReport;

use crate::{App, AppError};

/// Rows re-sealed per write transaction.
pub const RESEAL_BATCH: usize = 500;

impl App {
    /// Checks the key ring against the database and, when the current key is new (a rotation,
    /// or the first start after the upgrade that brought encryption), seals every value under
    /// it, recorded in the audit log as `pii.resealed`. `None` when nothing was due.
    pub async fn seal_personal_data(&self) -> Result<Option<ResealReport>, AppError> {
        let status = self.store.prepare_pii(self.now_ms()).await?;
        if !status.needs_reseal() {
            return Ok(None);
        }
        let report = self.store.reseal_pii(RESEAL_BATCH, self.now_ms()).await?;
        if report.rows == 0 && report.left == 0 {
            // A new database, or a rotation with nothing to re-seal: nothing happened to record.
            return Ok(Some(report));
        }
        let draft = AuditDraft::new(
            "system",
            "",
            "11",
            "pii.resealed",
            ("pii_key", &status.current),
            &serde_json::json!({"from": status.resealed_under, "rows": report.rows, "left": report.left}),
        );
        self.store.append_audit(draft, self.now_ms()).await?;
        Ok(Some(report))
    }
}

impl App {
    /// The keys that values in this database are sealed under (empty: a database with no
    /// personal data sealed yet, which may get a new key).
    pub async fn pii_key_ids(&self) -> Result<Vec<String>, AppError> {
        Ok(self.store.pii_key_ids().await?)
    }
}
