//! Separation of duties on one aid item: the proposer, the reviewer (审核) and the approver
//! (审批) are three different people, and the payment is recorded by someone other than the
//! approver. A street or district with too few staff may have a dated exception in the rule
//! data letting one person take two named steps; one person never takes all three of
//! proposing, reviewing and approving.

use serde::{Deserialize, Serialize};

use crate::ValidationError;

crate::code_enum!(
    /// A step of an aid item that separation of duties is about.
    DutyStep, "UNKNOWN_STEP", "step" {
        Propose = "propose",
        Review = "review",
        Approve = "approve",
        Pay = "pay",
    }
);

crate::code_enum!(
    /// Two steps one person may take on the same item under a rule exception.
    DutyException, "UNKNOWN_DUTY_EXCEPTION", "allowed" {
        ProposeReview = "propose_review",
        ProposeApprove = "propose_approve",
        ReviewApprove = "review_approve",
        ApprovePay = "approve_pay",
    }
);

impl DutyException {
    /// The two steps, earlier first.
    pub fn steps(self) -> (DutyStep, DutyStep) {
        use DutyStep::*;
        match self {
            Self::ProposeReview => (Propose, Review),
            Self::ProposeApprove => (Propose, Approve),
            Self::ReviewApprove => (Review, Approve),
            Self::ApprovePay => (Approve, Pay),
        }
    }

    /// Parses a comma-separated list (the stored form; empty means strict).
    pub fn parse_list(s: &str) -> Result<Vec<DutyException>, ValidationError> {
        let mut out: Vec<DutyException> = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let e = Self::parse(part)?;
            if !out.contains(&e) {
                out.push(e);
            }
        }
        out.sort();
        Ok(out)
    }

    /// The stored form of a list: codes joined by commas.
    pub fn list_code(list: &[DutyException]) -> String {
        list.iter().map(|e| e.code()).collect::<Vec<_>>().join(",")
    }
}

/// Which earlier step must have been taken by someone else than the one taking `step`.
fn separated_from(step: DutyStep) -> &'static [DutyStep] {
    match step {
        DutyStep::Propose => &[],
        DutyStep::Review => &[DutyStep::Propose],
        DutyStep::Approve => &[DutyStep::Propose, DutyStep::Review],
        DutyStep::Pay => &[DutyStep::Approve],
    }
}

/// Who took the steps of one aid item so far, read from the item's stored opinions. A step
/// taken more than once (an approval withdrawn by an objection and given again) counts for
/// everyone who took it, so the order of the opinions does not matter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DutyHistory {
    proposer: String,
    reviewers: Vec<String>,
    approvers: Vec<String>,
    payers: Vec<String>,
}

impl DutyHistory {
    /// The history of an item proposed by `proposer` with its opinions `(step, user)`; steps
    /// other than review, approve and pay are ignored.
    pub fn new<'a>(proposer: &str, opinions: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut h = DutyHistory { proposer: proposer.to_owned(), ..Default::default() };
        for (step, user) in opinions {
            let takers = match DutyStep::parse(step) {
                Ok(DutyStep::Review) => &mut h.reviewers,
                Ok(DutyStep::Approve) => &mut h.approvers,
                Ok(DutyStep::Pay) => &mut h.payers,
                _ => continue,
            };
            if !takers.iter().any(|u| u == user) {
                takers.push(user.to_owned());
            }
        }
        h
    }

    /// Whether `user` took `step` on this item.
    pub fn took(&self, step: DutyStep, user: &str) -> bool {
        match step {
            DutyStep::Propose => self.proposer == user,
            DutyStep::Review => self.reviewers.iter().any(|u| u == user),
            DutyStep::Approve => self.approvers.iter().any(|u| u == user),
            DutyStep::Pay => self.payers.iter().any(|u| u == user),
        }
    }

    /// May `user` take `step` now, given the exceptions `allowed` where the item is? On success,
    /// the exceptions this step relies on (empty when the duties stay separate), to be recorded
    /// with the step; otherwise the earlier step the same person took.
    pub fn check(
        &self,
        step: DutyStep,
        user: &str,
        allowed: &[DutyException],
    ) -> Result<Vec<DutyException>, SamePerson> {
        let mut used = Vec::new();
        for earlier in separated_from(step) {
            if !self.took(*earlier, user) {
                continue;
            }
            let pair = DutyException::ALL.iter().copied().find(|e| e.steps() == (*earlier, step));
            match pair.filter(|p| allowed.contains(p)) {
                // One person takes at most two of proposing, reviewing and approving.
                Some(p) if used.is_empty() => used.push(p),
                _ => return Err(SamePerson { earlier: *earlier, step }),
            }
        }
        Ok(used)
    }

    /// The pairs of steps one person took on this item (shown on the item: only a rule
    /// exception lets that happen).
    pub fn shared(&self) -> Vec<DutyException> {
        let takers = |s: DutyStep| -> Vec<&str> {
            match s {
                DutyStep::Propose => vec![self.proposer.as_str()],
                DutyStep::Review => self.reviewers.iter().map(String::as_str).collect(),
                DutyStep::Approve => self.approvers.iter().map(String::as_str).collect(),
                DutyStep::Pay => self.payers.iter().map(String::as_str).collect(),
            }
        };
        DutyException::ALL
            .iter()
            .copied()
            .filter(|e| {
                let (a, b) = e.steps();
                takers(a).iter().any(|u| self.took(b, u))
            })
            .collect()
    }
}

/// The same person already took `earlier` on the item and may not take `step` too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SamePerson {
    pub earlier: DutyStep,
    pub step: DutyStep,
}

impl SamePerson {
    /// The stable code users and API clients see.
    pub const CODE: &'static str = "SAME_PERSON";
}

#[cfg(test)]
mod tests {
    use super::*;
    use DutyException::*;
    use DutyStep::*;

    fn refused(earlier: DutyStep, step: DutyStep) -> Result<Vec<DutyException>, SamePerson> {
        Err(SamePerson { earlier, step })
    }

    #[test]
    fn three_people_and_a_fourth_to_pay_by_default() {
        let proposed = DutyHistory::new("clerk", []);
        assert_eq!(proposed.check(Review, "clerk", &[]), refused(Propose, Review), "the proposer does not review");
        assert_eq!(proposed.check(Review, "reviewer", &[]), Ok(vec![]));
        let reviewed = DutyHistory::new("clerk", [("review", "reviewer")]);
        assert_eq!(reviewed.check(Approve, "reviewer", &[]), refused(Review, Approve), "nor the reviewer approves");
        assert_eq!(reviewed.check(Approve, "clerk", &[]), refused(Propose, Approve), "nor the proposer");
        assert_eq!(reviewed.check(Approve, "chief", &[]), Ok(vec![]));
        let approved = DutyHistory::new("clerk", [("review", "reviewer"), ("approve", "chief")]);
        assert_eq!(approved.check(Pay, "chief", &[]), refused(Approve, Pay), "the approver does not pay");
        assert_eq!(approved.check(Pay, "clerk", &[]), Ok(vec![]), "the proposer may record the payment");
        assert_eq!(approved.shared(), vec![]);
    }

    #[test]
    fn an_exception_lets_one_person_take_two_steps_never_three() {
        let reviewed = DutyHistory::new("clerk", [("review", "reviewer")]);
        assert_eq!(reviewed.check(Approve, "reviewer", &[ReviewApprove]), Ok(vec![ReviewApprove]));
        assert_eq!(reviewed.check(Approve, "reviewer", &[ProposeReview]), refused(Review, Approve), "another pair");
        let own = DutyHistory::new("reviewer", [("review", "reviewer")]);
        assert_eq!(
            own.check(Approve, "reviewer", DutyException::ALL),
            refused(Review, Approve),
            "proposing, reviewing and approving by one person: never"
        );
        let shared = DutyHistory::new("clerk", [("review", "reviewer"), ("approve", "reviewer"), ("pay", "clerk")]);
        assert_eq!(shared.shared(), vec![ReviewApprove]);
    }

    #[test]
    fn everyone_who_took_a_step_counts_in_any_order() {
        // Approved by A, objected to (back to review), approved again by C; B reviewed.
        let h = DutyHistory::new("p", [("approve", "c"), ("review", "b"), ("approve", "a"), ("cancel", "x")]);
        assert!(h.took(Approve, "a") && h.took(Approve, "c") && !h.took(Approve, "x"));
        assert_eq!(h.check(Pay, "a", &[]), refused(Approve, Pay), "an earlier approver does not pay either");
        assert_eq!(h.check(Pay, "c", &[]), refused(Approve, Pay));
        assert_eq!(h.check(Pay, "p", &[]), Ok(vec![]));
        assert_eq!(h.shared(), vec![]);
    }

    #[test]
    fn exception_lists_parse_and_print() {
        assert_eq!(
            DutyException::parse_list(" review_approve,propose_review,review_approve "),
            Ok(vec![ProposeReview, ReviewApprove])
        );
        assert_eq!(DutyException::parse_list(""), Ok(vec![]));
        assert_eq!(DutyException::parse_list("review_pay").unwrap_err().code, "UNKNOWN_DUTY_EXCEPTION");
        assert_eq!(DutyException::list_code(&[ProposeReview, ApprovePay]), "propose_review,approve_pay");
    }
}
