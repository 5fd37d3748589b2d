//! What is written on a 督办 item: the supervising unit's instruction (督办意见) and the
//! responsible unit's reply (办理情况反馈). Both may describe the person, so both are sealed
//! like an investigation's findings. The items themselves are raised by `fire_deadline`
//! (`deadlines.rs`) and resolved when their step's clock stops.

use async_trait::async_trait;
use jiujinan_domain::audit::AuditDraft;
use jiujinan_domain::pii::{Field, PiiKeyring};

use crate::backend::SqlStore;
use crate::db::Sql;
use crate::pii::Sealer;
use crate::rows::{self, SUPERVISION_COLUMNS};
use crate::{Conflict, StoreError, SupervisionNote, SupervisionRecord, Who};

/// The instruction and reply of 督办 items.
#[async_trait]
pub trait SupervisionStore: Send + Sync {
    /// One supervision item by id, its instruction and reply opened.
    async fn supervision_item(&self, id: &str) -> Result<Option<SupervisionRecord>, StoreError>;
    /// Writes the instruction or the reply, once each: `Conflict::StaleVersion` when it was
    /// written meanwhile. A timeline step on the item's lead or case says who wrote which.
    async fn note_supervision(
        &self,
        id: &str,
        note: SupervisionNote,
        text: &str,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
}

#[async_trait]
impl SupervisionStore for SqlStore {
    async fn supervision_item(&self, id: &str) -> Result<Option<SupervisionRecord>, StoreError> {
        let ring = self.pii()?;
        let sql = format!("SELECT {SUPERVISION_COLUMNS} FROM supervision_items WHERE id = $1");
        let row = Sql::new(sql).bind(id).fetch_optional(self.reader()).await?;
        row.map(|r| open_supervision(ring, rows::supervision(&r)?)).transpose()
    }

    async fn note_supervision(
        &self,
        id: &str,
        note: SupervisionNote,
        text: &str,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let sealed = self.pii()?.seal_text(Field::Findings, text);
        let (column, step) = match note {
            SupervisionNote::Instruction => ("instruction", "supervision_instructed"),
            SupervisionNote::Reply => ("reply", "supervision_replied"),
        };
        // An instruction only while the step is open; a reply only to an instruction.
        let guard = match note {
            SupervisionNote::Instruction => "resolved_ms = 0",
            SupervisionNote::Reply => "instruction_ms <> 0",
        };
        let mut tx = self.begin_write().await?;
        let done = Sql::new(format!(
            "UPDATE supervision_items SET {column} = $1, {column}_by = $2, {column}_ms = $3 \
             WHERE id = $4 AND {column}_ms = 0 AND {guard}"
        ))
        .bind(&sealed)
        .bind(&who.user)
        .bind(now_ms)
        .bind(id)
        .execute(&mut tx)
        .await?;
        if done.rows_affected() == 0 {
            let exists = Sql::new("SELECT 1 AS one FROM supervision_items WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut tx)
                .await?;
            return Err(if exists.is_some() {
                StoreError::Conflict(Conflict::StaleVersion)
            } else {
                StoreError::NotFound
            });
        }
        let row = Sql::new("SELECT case_id, subject_type, subject_id, step FROM supervision_items WHERE id = $1")
            .bind(id)
            .fetch_one(&mut tx)
            .await?;
        let (case_id, subject_type, subject_id, overdue_step): (String, String, String, String) =
            (row.try_get("case_id")?, row.try_get("subject_type")?, row.try_get("subject_id")?, row.try_get("step")?);
        let on =
            if case_id.is_empty() { (subject_type.as_str(), subject_id.as_str()) } else { ("case", case_id.as_str()) };
        let at = (now_ms, who.user.as_str(), who.unit.as_str());
        // The timeline names the exchange and the overdue step, not its words (sealed on the item).
        tx.timeline(format!("{id}-{column}"), on, at, step, &overdue_step).await?;
        tx.finish(audit, now_ms).await
    }
}

/// An item as read: its instruction and reply opened.
pub(crate) fn open_supervision(ring: &PiiKeyring, s: SupervisionRecord) -> Result<SupervisionRecord, StoreError> {
    Ok(SupervisionRecord {
        instruction: ring.open_text(Field::Findings, &s.instruction)?,
        reply: ring.open_text(Field::Findings, &s.reply)?,
        ..s
    })
}
