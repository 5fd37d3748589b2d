//! What is waiting for a user and their unit (the work-first home page): leads to verify,
//! cases to investigate or review, referrals to accept or answer, aid to review, approve or pay,
//! open 督办 items; each with how many are overdue where a deadline applies. Only what the
//! user's role may act on is counted.

use jiujinan_domain::policy::Permission;

use crate::auth::Actor;
use crate::{App, AppError};

/// Most items counted per kind (a count shown as "500+" beyond).
pub const MAX_COUNTED: i64 = 500;

/// What waits, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkKind {
    LeadsToVerify,
    CasesToInvestigate,
    CasesToReview,
    ReferralsToAccept,
    ReferralsInProgress,
    AidToReview,
    AidToApprove,
    AidToPay,
    SupervisionOpen,
}

/// One line of the list: how many, and how many of them are past their deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkItem {
    pub kind: WorkKind,
    pub count: i64,
    pub overdue: i64,
}

fn of(counts: &[(String, i64)], status: &str) -> i64 {
    counts.iter().find(|(s, _)| s == status).map(|(_, n)| *n).unwrap_or(0)
}

impl App {
    /// The work waiting for `actor`, in the order a day's work takes it.
    pub async fn work_waiting(&self, actor: &Actor) -> Result<Vec<WorkItem>, AppError> {
        let now = self.now_ms();
        let mut items = Vec::new();
        let len = |n: usize| n as i64;
        if actor.may(Permission::WorkQueues) {
            // Counts, not lists: four grouped COUNTs on the queue indexes.
            let scope = &actor.jurisdiction;
            if actor.may(Permission::VerifyLead) {
                let (all, late) =
                    (self.store.count_leads(scope).await?, self.store.count_leads_overdue(scope, now).await?);
                items.push(WorkItem {
                    kind: WorkKind::LeadsToVerify,
                    count: of(&all, "new"),
                    overdue: of(&late, "new"),
                });
            }
            if actor.may(Permission::EditCaseFile) || actor.may(Permission::ReviewCase) {
                let (all, late) =
                    (self.store.count_cases(scope).await?, self.store.count_cases_overdue(scope, now).await?);
                if actor.may(Permission::EditCaseFile) {
                    let (count, overdue) = (of(&all, "investigating"), of(&late, "investigating"));
                    items.push(WorkItem { kind: WorkKind::CasesToInvestigate, count, overdue });
                }
                if actor.may(Permission::ReviewCase) {
                    let (count, overdue) = (of(&all, "reviewing"), of(&late, "reviewing"));
                    items.push(WorkItem { kind: WorkKind::CasesToReview, count, overdue });
                }
            }
        }
        if actor.may(Permission::AnswerReferrals) && actor.may(Permission::ReadReferrals) {
            let sent = self.inbox(actor, Some("sent"), MAX_COUNTED, 0).await?;
            let accepted = self.inbox(actor, Some("accepted"), MAX_COUNTED, 0).await?;
            // Each list's clocks in one query (at most `MAX_IN_LIST` ids per query).
            for (kind, list) in [(WorkKind::ReferralsToAccept, sent), (WorkKind::ReferralsInProgress, accepted)] {
                let ids: Vec<String> = list.iter().map(|a| a.id.clone()).collect();
                let clocks = self.store.deadlines_of_actions(&ids).await?;
                let overdue = len(list
                    .iter()
                    .filter(|a| {
                        clocks
                            .iter()
                            .any(|d| d.subject_id == a.id && d.state == "open" && d.paused_ms == 0 && d.due_ms <= now)
                    })
                    .count());
                items.push(WorkItem { kind, count: len(list.len()), overdue });
            }
        }
        if actor.may(Permission::ReviewAid) && actor.principal().aid_approval_level().is_some() {
            let (to_approve, to_review) = self.approvals_inbox(actor).await?;
            items.push(WorkItem { kind: WorkKind::AidToReview, count: len(to_review.len()), overdue: 0 });
            items.push(WorkItem { kind: WorkKind::AidToApprove, count: len(to_approve.len()), overdue: 0 });
        }
        if actor.may(Permission::HandleAid) {
            let approved = self.aid_to_pay(actor).await?;
            items.push(WorkItem { kind: WorkKind::AidToPay, count: len(approved.len()), overdue: 0 });
        }
        if actor.may(Permission::ReadSupervision) {
            let open = self.supervision_list(actor, true).await?;
            items.push(WorkItem { kind: WorkKind::SupervisionOpen, count: len(open.len()), overdue: 0 });
        }
        Ok(items)
    }
}
