//! The exchange on a 督办 item: the supervising unit writes its instruction (督办意见), the
//! responsible unit replies how the step is being handled (办理情况反馈). The item itself
//! closes when the step is done (its clock stops), not by either note.

use jiujinan_domain::lead::text;
use jiujinan_domain::org::UnitCode;
use jiujinan_domain::policy::Permission;
use jiujinan_store::{StoreError, SupervisionNote, SupervisionRecord};
use serde_json::json;

use crate::access::{covers, who};
use crate::auth::Actor;
use crate::{App, AppError};

impl App {
    /// Writes the supervisor's instruction on an open item: the supervising unit itself, or a
    /// civil-affairs reviewer above it whose jurisdiction covers it (the city may instruct any).
    pub async fn instruct_supervision(&self, actor: &Actor, item_id: &str, words: &str) -> Result<(), AppError> {
        let item = self.visible_item(actor, item_id).await?;
        if !may_instruct(actor, &item) {
            return Err(AppError::Forbidden);
        }
        if item.resolved_ms != 0 {
            return Err(AppError::Conflict("SUPERVISION_RESOLVED"));
        }
        let words = text(words, 2_000, "INSTRUCTION_REQUIRED", "instruction")?;
        self.note(actor, &item, SupervisionNote::Instruction, &words).await
    }

    /// Writes the responsible unit's reply (also after the step is done: how it was handled).
    pub async fn reply_supervision(&self, actor: &Actor, item_id: &str, words: &str) -> Result<(), AppError> {
        let item = self.visible_item(actor, item_id).await?;
        if !may_reply(actor, &item) {
            return Err(AppError::Forbidden);
        }
        // A reply answers the instruction: one of each, in that order.
        if item.instruction_ms == 0 {
            return Err(AppError::Conflict("SUPERVISION_NOT_INSTRUCTED"));
        }
        let words = text(words, 2_000, "REPLY_REQUIRED", "reply")?;
        self.note(actor, &item, SupervisionNote::Reply, &words).await
    }

    async fn visible_item(&self, actor: &Actor, id: &str) -> Result<SupervisionRecord, AppError> {
        if !actor.may(Permission::ReadSupervision) {
            return Err(AppError::Forbidden);
        }
        let item = self.store.supervision_item(id).await?.ok_or(AppError::NotFound)?;
        let own = [&item.responsible_unit, &item.supervising_unit].iter().any(|u| u.as_str() == actor.unit.as_str());
        let in_scope = actor.jurisdiction.department.is_none()
            && (covers(actor, &item.division)
                || UnitCode::parse(&item.supervising_unit).is_ok_and(|u| covers(actor, u.division().as_str())));
        if !own && !in_scope {
            return Err(AppError::NotFound);
        }
        Ok(item)
    }

    async fn note(
        &self,
        actor: &Actor,
        item: &SupervisionRecord,
        note: SupervisionNote,
        words: &str,
    ) -> Result<(), AppError> {
        let act = match note {
            SupervisionNote::Instruction => "supervision.instructed",
            SupervisionNote::Reply => "supervision.replied",
        };
        let mut audit = actor.audit(act, ("supervision", &item.id), &json!({"step": item.step, "level": item.level}));
        audit.division = item.division.clone();
        let now = self.now_ms();
        self.store.note_supervision(&item.id, note, words, &who(actor), audit, now).await.map_err(|e| match e {
            StoreError::Conflict(_) => AppError::Conflict("SUPERVISION_NOTED"),
            other => other.into(),
        })
    }
}

/// The 督办 items of `items` the actor may read (with their instruction and reply): none
/// without `ReadSupervision`; a department only those it is party to.
pub fn visible_to(actor: &Actor, mut items: Vec<SupervisionRecord>) -> Vec<SupervisionRecord> {
    if !actor.may(Permission::ReadSupervision) {
        return Vec::new();
    }
    if actor.jurisdiction.department.is_some() {
        items.retain(|i| i.responsible_unit == actor.unit.as_str() || i.supervising_unit == actor.unit.as_str());
    }
    items
}

/// Whether the actor may write an item's instruction: the supervising unit itself, or a
/// civil-affairs reviewer above it whose jurisdiction covers it (the city may instruct any).
pub fn may_instruct(actor: &Actor, item: &SupervisionRecord) -> bool {
    let Ok(supervising) = UnitCode::parse(&item.supervising_unit) else { return false };
    let above = covers(actor, supervising.division().as_str())
        && actor.unit.division().level() < supervising.division().level();
    actor.may(Permission::InstructSupervision) && (actor.unit == supervising || above)
}

/// Whether the actor may write an item's reply: someone of the responsible unit.
pub fn may_reply(actor: &Actor, item: &SupervisionRecord) -> bool {
    actor.may(Permission::AnswerReferrals) && actor.unit.as_str() == item.responsible_unit
}
