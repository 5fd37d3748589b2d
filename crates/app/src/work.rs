//! What is waiting for a user and their unit (the work-first home page): leads to verify,
//! cases to investigate or review, referrals to accept or answer, aid to review, approve or pay,
//! open 督办 items, follow-up visits due; each with how many are overdue where a deadline applies. Only what the
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
    /// Closed cases whose follow-up visit (结案回访) is due.
    FollowupsDue,
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
        if actor.may(Permission::WorkQueues) && actor.may(Permission::EditCaseFile) {
            let (count, overdue) = self.store.count_open_steps(&actor.jurisdiction, "case.followup", now).await?;
            items.push(WorkItem { kind: WorkKind::FollowupsDue, count, overdue });
        }
        Ok(items)
    }
}

/// How many running clocks the home page lists.
pub const DUE_LISTED: i64 = 12;
/// How many weeks the overdue trend covers, this week included.
pub const TREND_WEEKS: i64 = 8;

const DAY_MS: i64 = 24 * 3_600_000;
const WEEK_MS: i64 = 7 * DAY_MS;
const BEIJING_MS: i64 = 8 * 3_600_000;

/// The instant the Beijing week (Monday 00:00) holding `ms` began.
pub fn beijing_week_start(ms: i64) -> i64 {
    let day = (ms + BEIJING_MS).div_euclid(DAY_MS);
    // 1970-01-01 was a Thursday: three days after a Monday.
    let since_monday = (day + 3).rem_euclid(7);
    (day - since_monday) * DAY_MS - BEIJING_MS
}

/// What a reviewer or approver watches besides their list: the 督办 items opened in their
/// jurisdiction per week, and the funds they pay from.
#[derive(Debug, Clone, Default)]
pub struct HomeFigures {
    /// `(week start, items opened)`, oldest first, every week of the trend present.
    pub overdue_weeks: Vec<(i64, i64)>,
    pub funds: Vec<crate::model::Fund>,
}

impl App {
    /// The running clocks of the actor's unit, soonest due first (overdue ones lead).
    pub async fn deadlines_due(&self, actor: &Actor) -> Result<Vec<crate::model::DeadlineRecord>, AppError> {
        Ok(self.store.open_deadlines_of_unit(actor.unit.as_str(), DUE_LISTED).await?)
    }

    /// The figures of a civil-affairs reviewer or approver; `None` for everyone else.
    pub async fn home_figures(&self, actor: &Actor) -> Result<Option<HomeFigures>, AppError> {
        let watches = actor.may(Permission::ReviewCase) || actor.may(Permission::ReviewAid);
        if !watches || actor.jurisdiction.department.is_some() {
            return Ok(None);
        }
        let mut figures = HomeFigures::default();
        if actor.may(Permission::ReadSupervision) {
            let since = beijing_week_start(self.now_ms()) - (TREND_WEEKS - 1) * WEEK_MS;
            let counted = self.store.supervision_opened_by_week(&actor.jurisdiction, since).await?;
            figures.overdue_weeks = (0..TREND_WEEKS)
                .map(|w| (since + w * WEEK_MS, counted.iter().find(|(k, _)| *k == w).map(|(_, n)| *n).unwrap_or(0)))
                .collect();
        }
        if actor.may(Permission::ReadFunds) {
            figures.funds = self.store.funds(&actor.jurisdiction).await?;
        }
        Ok(Some(figures))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_beijing_week_starts_on_monday_at_midnight() {
        // 2026-12-07 is a Monday; 00:00 in Beijing is 2026-12-06 16:00 UTC.
        let monday = 1_796_572_800_000;
        assert_eq!(beijing_week_start(monday), monday);
        assert_eq!(beijing_week_start(monday + 6 * DAY_MS + DAY_MS - 1), monday, "Sunday 23:59:59.999");
        assert_eq!(beijing_week_start(monday - 1), monday - WEEK_MS, "Sunday night before");
    }
}
