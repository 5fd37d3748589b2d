//! Who may do what: every permission that depends on a user's role, level and department.
//!
//! The use cases check these before acting, and the pages ask the same functions whether to
//! show a button, so a rule is written once. What also depends on the record (is the case in
//! the user's jurisdiction, is the referral addressed to the user's unit) is checked by the
//! use case on top of this. `tests/policy_matrix.txt` holds the whole role × level ×
//! department × permission table; a change to a rule shows there in review.

use crate::aid::{AidStatus, Level};
use crate::duties::{DutyException, DutyHistory, DutyStep, SamePerson};
use crate::org::{DivisionLevel, UnitKind};
use crate::user::Role;

/// The acting user as far as permissions go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Principal {
    pub role: Role,
    /// The level of the user's unit (city, district, street, community).
    pub level: DivisionLevel,
    /// For staff of a department (health, education, …, relief station): its kind.
    pub department: Option<UnitKind>,
}

/// Something a user may be allowed to do, independent of which record it is done to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Record a lead (any channel; departments transfer, relief stations discover).
    RecordLead,
    /// Work the lead and case queues of a jurisdiction (departments use their inbox instead).
    WorkQueues,
    /// Verify a lead: accept it as a case, close or re-route it.
    VerifyLead,
    /// Read a case file (the read is audited).
    ReadCaseFile,
    /// Edit the household part of a case file and record investigations.
    EditCaseFile,
    /// Review a case (初审), send it back, close or reopen it.
    ReviewCase,
    /// Create disposition actions on a case of the jurisdiction (the six routes).
    DisposeCase,
    /// See every action on the cases of the jurisdiction (not only those of one's unit).
    OverseeActions,
    /// Open the referral inbox.
    ReadReferrals,
    /// Answer a referral addressed to one's unit, record its events, work its clocks.
    AnswerReferrals,
    /// Read the supervision (督办) list.
    ReadSupervision,
    /// Start a supervision sweep by hand.
    RunSupervision,
    /// Write the supervisor's instruction on a 督办 item addressed to one's unit or below
    /// (the responsible unit replies with `AnswerReferrals`).
    InstructSupervision,
    /// Move the server's test clock (only when the test clock is switched on).
    SetTestClock,
    /// Propose aid, pay approved aid, cancel it, record objections to postings.
    HandleAid,
    /// Review, refuse and approve aid (at the level of one's unit) and reverse payments.
    ReviewAid,
    /// See the funds and their ledgers.
    ReadFunds,
    /// Open funds, deposit money into them and allocate between them.
    ManageFunds,
    /// See the 公示 postings.
    ReadPostings,
    /// Edit rule data (standards, ceilings, tiers, limits, time limits, calendar, programmes)
    /// at all: city and district administrators; which rows, `edits_rules_at` says.
    EditRules,
    /// Schedule and run the district joint meeting (联席会议).
    RunMeetings,
    /// See joint meetings (lead departments see those whose decisions they carry out).
    ReadMeetings,
    /// Manage user accounts.
    ManageUsers,
    /// Read the audit log.
    ReadAudit,
    /// See a person's full ID number and phone numbers (masked otherwise; each reading is an
    /// audit entry). Onlookers never do, and see names masked as well.
    RevealPersonalData,
}

impl Permission {
    /// Every permission, in the order of the matrix file.
    pub const ALL: [Permission; 25] = [
        Self::RecordLead,
        Self::WorkQueues,
        Self::VerifyLead,
        Self::ReadCaseFile,
        Self::EditCaseFile,
        Self::ReviewCase,
        Self::DisposeCase,
        Self::OverseeActions,
        Self::ReadReferrals,
        Self::AnswerReferrals,
        Self::ReadSupervision,
        Self::RunSupervision,
        Self::InstructSupervision,
        Self::SetTestClock,
        Self::HandleAid,
        Self::ReviewAid,
        Self::ReadFunds,
        Self::ManageFunds,
        Self::ReadPostings,
        Self::EditRules,
        Self::RunMeetings,
        Self::ReadMeetings,
        Self::ManageUsers,
        Self::ReadAudit,
        Self::RevealPersonalData,
    ];
}

/// Civil-affairs caseworkers: the street window, its reviewers, district approvers, admins.
fn caseworker(role: Role) -> bool {
    matches!(role, Role::WindowClerk | Role::StreetReviewer | Role::DistrictApprover | Role::Admin)
}

/// Those who review and decide: street reviewers, district approvers, admins.
fn reviewer(role: Role) -> bool {
    matches!(role, Role::StreetReviewer | Role::DistrictApprover | Role::Admin)
}

/// District approvers and admins: money and meetings.
fn district_lead(role: Role) -> bool {
    matches!(role, Role::DistrictApprover | Role::Admin)
}

/// Roles that look on and never act on a case: auditors and city supervisors.
fn onlooker(role: Role) -> bool {
    matches!(role, Role::Auditor | Role::CitySupervisor)
}

impl Principal {
    /// Whether this user may do `p` at all (the record's scope is checked on top).
    pub fn may(&self, p: Permission) -> bool {
        use Permission as P;
        let role = self.role;
        let civil = self.department.is_none();
        match p {
            P::RecordLead | P::ReadCaseFile => role != Role::Auditor,
            P::WorkQueues => role != Role::Auditor && civil,
            P::VerifyLead => caseworker(role),
            P::DisposeCase => civil && caseworker(role),
            P::EditCaseFile => caseworker(role) || role == Role::CommunityWorker,
            P::ReviewCase => reviewer(role),
            P::OverseeActions => civil && !matches!(role, Role::Auditor | Role::CommunityWorker),
            P::ReadReferrals | P::ReadMeetings => !matches!(role, Role::Auditor | Role::CommunityWorker),
            P::AnswerReferrals => !onlooker(role),
            P::ReadSupervision => role != Role::CommunityWorker,
            P::RunSupervision => matches!(role, Role::Admin | Role::CitySupervisor),
            P::InstructSupervision => {
                civil && (reviewer(role) || role == Role::CitySupervisor) && self.level != DivisionLevel::Community
            }
            P::SetTestClock | P::ManageUsers => role == Role::Admin,
            P::EditRules => role == Role::Admin && matches!(self.level, DivisionLevel::City | DivisionLevel::District),
            P::HandleAid => civil && caseworker(role),
            P::ReviewAid => civil && reviewer(role),
            P::ReadFunds => (civil && caseworker(role)) || onlooker(role),
            P::ManageFunds => civil && district_lead(role),
            P::ReadPostings => civil && role != Role::Auditor,
            P::RunMeetings => {
                civil && district_lead(role) && matches!(self.level, DivisionLevel::City | DivisionLevel::District)
            }
            P::ReadAudit => matches!(role, Role::Admin | Role::Auditor | Role::CitySupervisor),
            P::RevealPersonalData => !onlooker(role),
        }
    }

    /// Whether this user may add rule rows that apply at `rule_level`: city-wide rows (time
    /// limits, the calendar, programmes, approval ceilings, tiers, yearly limits, Beijing's
    /// standard) only by the city; a district's own rows (its 低保 standard) by the city or that
    /// district's administrators (the caller checks the district is theirs). Approval ceilings
    /// are city-wide, so no level can raise the authority that limits it.
    pub fn edits_rules_at(&self, rule_level: DivisionLevel) -> bool {
        self.may(Permission::EditRules)
            && match rule_level {
                DivisionLevel::City => self.level == DivisionLevel::City,
                DivisionLevel::District => matches!(self.level, DivisionLevel::City | DivisionLevel::District),
                DivisionLevel::Street | DivisionLevel::Community => false,
            }
    }

    /// Whether this user may add a dated separation-of-duties exception for a street or a
    /// district (rows of `rule_level`): a street's by the city or its district's
    /// administrators, a district's only by the city (the caller checks the division is within
    /// the administrator's jurisdiction). As with approval ceilings, the level an exception
    /// relaxes never grants it to itself.
    pub fn edits_duty_exceptions_at(&self, rule_level: DivisionLevel) -> bool {
        match rule_level {
            DivisionLevel::Street => self.edits_rules_at(DivisionLevel::District),
            DivisionLevel::District => self.edits_rules_at(DivisionLevel::City),
            DivisionLevel::City | DivisionLevel::Community => false,
        }
    }

    /// The level at which this user approves aid: street staff at street level, district and
    /// city staff at district level; `None` for those who do not approve.
    pub fn aid_approval_level(&self) -> Option<Level> {
        if !self.may(Permission::ReviewAid) {
            return None;
        }
        match self.level {
            DivisionLevel::Street => Some(Level::Street),
            DivisionLevel::District | DivisionLevel::City => Some(Level::District),
            DivisionLevel::Community => None,
        }
    }

    /// Whether this user's approval suffices for an item that needs `required`.
    pub fn approves_at(&self, required: Level) -> bool {
        match (self.aid_approval_level(), required) {
            (Some(Level::District), _) | (Some(Level::Street), Level::Street) => true,
            (Some(Level::Street), Level::District) | (None, _) => false,
        }
    }

    /// What this user may do next to an aid item in `status` that needs `required` (the
    /// item's scope is checked by the use case on top).
    pub fn aid_steps(&self, status: AidStatus, required: Level) -> AidSteps {
        let handles = self.may(Permission::HandleAid);
        let reviews = self.may(Permission::ReviewAid);
        AidSteps {
            review: reviews && status == AidStatus::Proposed,
            approve: status == AidStatus::Reviewed && self.approves_at(required),
            pay: handles && status == AidStatus::Approved,
            reverse: reviews && status == AidStatus::Paid,
            cancel: handles && matches!(status, AidStatus::Proposed | AidStatus::Reviewed | AidStatus::Approved),
            separated: None,
        }
    }

    /// The steps of [`Self::aid_steps`] that `user` may also take under separation of duties,
    /// given who took the item's earlier steps and the exceptions in force where it is; a step
    /// withheld for that reason is named in `separated` (the page says why).
    pub fn aid_steps_of(
        &self,
        status: AidStatus,
        required: Level,
        user: &str,
        history: &DutyHistory,
        allowed: &[DutyException],
    ) -> AidSteps {
        let mut s = self.aid_steps(status, required);
        for (step, offered) in
            [(DutyStep::Review, &mut s.review), (DutyStep::Approve, &mut s.approve), (DutyStep::Pay, &mut s.pay)]
        {
            if *offered && let Err(e) = history.check(step, user, allowed) {
                *offered = false;
                s.separated = Some(e);
            }
        }
        s
    }
}

/// The next steps a user may take on one aid item (buttons on the case page).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AidSteps {
    pub review: bool,
    pub approve: bool,
    pub pay: bool,
    pub reverse: bool,
    pub cancel: bool,
    /// A step withheld because the user took an earlier step of the same item.
    pub separated: Option<SamePerson>,
}

#[cfg(test)]
mod tests;
