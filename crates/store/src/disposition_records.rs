//! Rows of disposition: actions and their events, deadlines, supervision items, rule data
//! (programmes, time limits, the working-day calendar) and joint meetings.

use jiujinan_domain::case::Route;
use jiujinan_domain::disposition::{ActionStatus, DecisionStatus, MeetingStatus};
use serde::Serialize;

/// A new action on a case.
#[derive(Debug, Clone)]
pub struct NewAction {
    pub id: String,
    pub case_id: String,
    pub case_number: String,
    pub route: Route,
    pub programme: String,
    pub division: String,
    pub from_unit: String,
    pub from_user: String,
    /// The receiving unit; empty for a party outside the platform (a charity).
    pub to_unit: String,
    /// The receiver's name as shown (the unit's name, a charity project, a hospital).
    pub to_party: String,
    pub status: ActionStatus,
    pub request: String,
    pub amount_fen: i64,
    pub redirected_from: String,
    pub details: String,
}

/// An action as stored.
#[derive(Debug, Clone, Serialize)]
pub struct ActionRecord {
    pub id: String,
    pub case_id: String,
    pub case_number: String,
    pub route: Route,
    pub programme: String,
    pub division: String,
    pub from_unit: String,
    pub from_user: String,
    pub to_unit: String,
    pub to_party: String,
    pub status: ActionStatus,
    pub request: String,
    pub amount_fen: i64,
    pub accepted_by: String,
    pub return_reason: String,
    pub outcome: String,
    pub outcome_detail: String,
    pub redirected_from: String,
    pub details: String,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub version: i64,
}

/// A status change of an action with everything that goes with it, applied in one
/// transaction only if the action is still at `expected_version` and in `from`.
#[derive(Debug, Clone)]
pub struct ActionChange {
    pub id: String,
    pub expected_version: i64,
    pub from: ActionStatus,
    pub to: ActionStatus,
    pub accepted_by: Option<String>,
    pub return_reason: Option<String>,
    pub outcome: Option<String>,
    pub outcome_detail: Option<String>,
    pub amount_fen: Option<i64>,
    /// Closes the open deadlines of the action (the step they timed is done).
    pub close_deadlines: bool,
    /// Starts the clock of the next step.
    pub open_deadline: Option<NewDeadline>,
    /// Timeline step and note on the case.
    pub step: String,
    pub note: String,
}

impl ActionChange {
    /// A move of action `id` (at `expected_version`) from `from` to `to` with nothing else
    /// attached; callers add what the step needs with struct update syntax.
    pub fn new(id: &str, expected_version: i64, from: ActionStatus, to: ActionStatus) -> Self {
        Self {
            id: id.to_owned(),
            expected_version,
            from,
            to,
            accepted_by: None,
            return_reason: None,
            outcome: None,
            outcome_detail: None,
            amount_fen: None,
            close_deadlines: false,
            open_deadline: None,
            step: String::new(),
            note: String::new(),
        }
    }
}

/// Something recorded on an action: a stay, items, a contact with the home government…
#[derive(Debug, Clone, Serialize)]
pub struct ActionEvent {
    pub id: String,
    pub action_id: String,
    pub kind: String,
    pub at_ms: i64,
    pub actor: String,
    pub unit: String,
    pub detail: String,
    pub created_ms: i64,
}

/// A running clock on a step.
#[derive(Debug, Clone)]
pub struct NewDeadline {
    pub id: String,
    /// `lead`, `case`, `action`, `aid` or `decision`.
    pub subject_type: String,
    pub subject_id: String,
    pub case_id: String,
    pub case_number: String,
    pub division: String,
    /// e.g. `refer.accept`, `aid_first.paperwork`, `joint_meeting.decision`, `case.followup`.
    pub step: String,
    /// The rule the limit came from (`route/step/to_kind@effective_from`).
    pub rule: String,
    pub responsible_unit: String,
    pub responsible_user: String,
    pub started_ms: i64,
    pub due_ms: i64,
    pub warn_ms: i64,
    pub escalate_days: i64,
}

/// A deadline as stored. `next_ms` is when the supervisor must look at it next: the
/// warning, the breach, or the next escalation.
#[derive(Debug, Clone, Serialize)]
pub struct DeadlineRecord {
    pub id: String,
    pub subject_type: String,
    pub subject_id: String,
    pub case_id: String,
    pub case_number: String,
    pub division: String,
    pub step: String,
    pub rule: String,
    pub responsible_unit: String,
    pub responsible_user: String,
    pub started_ms: i64,
    pub due_ms: i64,
    pub warn_ms: i64,
    pub escalate_days: i64,
    pub state: String,
    pub warned: bool,
    pub level: i64,
    pub next_ms: i64,
    pub paused_ms: i64,
    pub pause_reason: String,
    pub closed_ms: i64,
    pub version: i64,
}

/// What the supervisor does to a deadline, applied only if it is still at `expected_version`.
#[derive(Debug, Clone)]
pub struct DeadlineFire {
    pub id: String,
    pub expected_version: i64,
    pub warned: bool,
    pub level: i64,
    pub next_ms: i64,
    pub supervision: Option<NewSupervision>,
    /// Timeline step and note on the case.
    pub step: String,
    pub note: String,
}

/// A supervision item (督办) for an overdue step.
#[derive(Debug, Clone)]
pub struct NewSupervision {
    pub id: String,
    pub deadline_id: String,
    /// What the overdue step is about: `lead` (its verification, before any case) or the
    /// deadline's own subject (`case`, `action`, `aid`, `decision`).
    pub subject_type: String,
    pub subject_id: String,
    pub case_id: String,
    pub case_number: String,
    pub division: String,
    pub step: String,
    pub level: i64,
    pub responsible_unit: String,
    pub responsible_user: String,
    pub supervising_unit: String,
    pub due_ms: i64,
}

/// A supervision item as stored; `resolved_ms` is 0 while the step is still open.
#[derive(Debug, Clone, Serialize)]
pub struct SupervisionRecord {
    pub id: String,
    pub deadline_id: String,
    pub case_id: String,
    pub case_number: String,
    pub division: String,
    pub step: String,
    pub level: i64,
    pub responsible_unit: String,
    pub responsible_user: String,
    pub supervising_unit: String,
    pub due_ms: i64,
    pub created_ms: i64,
    pub resolved_ms: i64,
    pub subject_type: String,
    pub subject_id: String,
    /// The supervisor's instruction (督办意见), opened; empty until written.
    pub instruction: String,
    pub instruction_by: String,
    pub instruction_ms: i64,
    /// The responsible unit's reply (办理情况反馈), opened; empty until written.
    pub reply: String,
    pub reply_by: String,
    pub reply_ms: i64,
}

/// What is written on a 督办 item: the supervisor's instruction or the responsible unit's reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupervisionNote {
    Instruction,
    Reply,
}

/// A programme of the catalogue with its responsible department.
#[derive(Debug, Clone, Serialize)]
pub struct Programme {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Unit kind code of the responsible department; empty for parties outside government.
    pub department: String,
    /// The level whose department decides (`district`, `city`).
    pub level: String,
    pub route: String,
    pub hardship_types: String,
    pub reason_zh: String,
    pub reason_en: String,
    pub effective_from: i64,
    pub placeholder: bool,
    pub source: String,
}

/// A time limit per route, step and receiving department kind (`*` for any).
#[derive(Debug, Clone, Serialize)]
pub struct DeadlineRule {
    pub route: String,
    pub step: String,
    pub to_kind: String,
    pub unit: String,
    pub amount: i64,
    pub warn_hours: i64,
    pub escalate_after_days: i64,
    pub effective_from: i64,
    pub placeholder: bool,
    pub source: String,
    pub created_by: String,
    pub created_ms: i64,
}

/// A day that differs from the Monday–Friday week: a holiday or a make-up working day (调休).
#[derive(Debug, Clone, Serialize)]
pub struct CalendarDay {
    /// YYYYMMDD.
    pub day: i64,
    pub workday: bool,
    pub name: String,
    pub placeholder: bool,
    pub source: String,
}

/// A district joint meeting (联席会议).
#[derive(Debug, Clone, Serialize)]
pub struct Meeting {
    pub id: String,
    pub district: String,
    pub title: String,
    /// YYYYMMDD.
    pub meeting_day: i64,
    /// Participating units, comma-separated codes.
    pub departments: String,
    pub status: MeetingStatus,
    pub minutes: String,
    pub created_by: String,
    pub created_ms: i64,
    pub version: i64,
}

/// A case on a meeting's agenda, through its escalation action.
#[derive(Debug, Clone, Serialize)]
pub struct AgendaItem {
    pub meeting_id: String,
    pub action_id: String,
    pub case_id: String,
    pub added_by: String,
    pub added_ms: i64,
}

/// A decision of a joint meeting, with the lead department that carries it out.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub id: String,
    pub meeting_id: String,
    pub action_id: String,
    pub case_id: String,
    pub text: String,
    pub lead_unit: String,
    pub status: DecisionStatus,
    pub done_note: String,
    pub done_by: String,
    pub done_ms: i64,
    pub created_ms: i64,
}

/// Stopping or restarting a deadline's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockChange<'a> {
    /// Stops the clock, with the reason.
    Pause(&'a str),
    /// Restarts it, moving its due, warning and next instants by `shift_ms`.
    Resume { shift_ms: i64 },
}
