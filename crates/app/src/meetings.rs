//! The district joint meeting (社会救助联席会议, 257号 §二(一), §三(二)4): escalated cases on
//! the agenda, decisions with a lead department and a deadline each, and follow-up until
//! every decision is carried out.

use jiujinan_domain::case::Route;
use jiujinan_domain::disposition::{ActionStatus, DecisionStatus, MeetingStatus, reason};
use jiujinan_domain::org::{DivisionCode, DivisionLevel, UnitCode};
use jiujinan_domain::policy::Permission;
use jiujinan_store::{ActionChange, ActionRecord, AgendaItem, Conflict, Decision, Meeting, StoreError, Who};
use serde::Serialize;
use serde_json::json;

use crate::access::field;
use crate::auth::Actor;
use crate::calendar::parse_yyyymmdd;
use crate::deadlines::ClockOwner;
use crate::ids::new_id;
use crate::{App, AppError};

/// A meeting with its agenda (and the escalations behind it) and decisions.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingView {
    pub meeting: Meeting,
    pub agenda: Vec<(AgendaItem, ActionRecord)>,
    pub decisions: Vec<Decision>,
    /// Escalations of the district still waiting for a meeting.
    pub waiting: Vec<ActionRecord>,
}

/// District civil-affairs staff run the meeting of their district.
fn runs_meetings(actor: &Actor) -> Result<DivisionCode, AppError> {
    let d = &actor.jurisdiction.division;
    if !actor.may(Permission::RunMeetings) {
        return Err(AppError::Forbidden);
    }
    Ok(d.clone())
}

/// The meeting if the actor runs meetings for its district.
fn own_meeting(actor: &Actor, meeting: &Meeting) -> Result<(), AppError> {
    runs_meetings(actor)?;
    let district = DivisionCode::parse(&meeting.district).map_err(|_| AppError::NotFound)?;
    if !actor.jurisdiction.covers(&district) {
        return Err(AppError::NotFound);
    }
    Ok(())
}

impl App {
    /// Schedules a meeting of a district (the actor's, or any for the city).
    pub async fn create_meeting(
        &self,
        actor: &Actor,
        district: &str,
        title: &str,
        day: &str,
        departments: &[String],
    ) -> Result<String, AppError> {
        let scope = runs_meetings(actor)?;
        let district = DivisionCode::parse(district).map_err(|_| field("INVALID_DIVISION_CODE", "district"))?;
        if district.level() != DivisionLevel::District || !scope.contains(&district) {
            return Err(field("INVALID_DIVISION_CODE", "district"));
        }
        let title = reason(title, 200, "TITLE_REQUIRED", "title")?;
        let day = parse_yyyymmdd(day).ok_or(field("INVALID_DAY", "day"))?;
        let mut units = Vec::new();
        for d in departments.iter().map(|d| d.trim()).filter(|d| !d.is_empty()) {
            let code = UnitCode::parse(d).map_err(|_| field("UNKNOWN_UNIT", "departments"))?;
            if self.cached_unit(&code).await?.is_none() {
                return Err(field("UNKNOWN_UNIT", "departments"));
            }
            units.push(code.to_string());
        }
        units.sort();
        units.dedup();
        let now = self.now_ms();
        let m = Meeting {
            id: new_id(now),
            district: district.to_string(),
            title,
            meeting_day: day,
            departments: units.join(","),
            status: MeetingStatus::Scheduled,
            minutes: String::new(),
            created_by: actor.username.clone(),
            created_ms: now,
            version: 1,
        };
        let mut audit = actor.audit("meeting.created", ("meeting", &m.id), &json!({"day": day}));
        audit.division = m.district.clone();
        self.store.create_meeting(&m, audit, now).await?;
        Ok(m.id)
    }

    /// Meetings the actor may see (district civil affairs and above; lead departments see a
    /// meeting through its decisions).
    pub async fn meetings(&self, actor: &Actor) -> Result<Vec<Meeting>, AppError> {
        if !actor.may(Permission::ReadMeetings) {
            return Err(AppError::Forbidden);
        }
        let all = self.store.meetings(&actor.jurisdiction, 200).await?;
        if actor.jurisdiction.department.is_none() {
            return Ok(all);
        }
        // Departments: only the meetings they attend or lead a decision of.
        let mut mine = Vec::new();
        for m in all {
            let leads =
                self.store.decisions_of_meeting(&m.id).await?.iter().any(|d| d.lead_unit == actor.unit.as_str());
            if leads || m.departments.split(',').any(|u| u == actor.unit.as_str()) {
                mine.push(m);
            }
        }
        Ok(mine)
    }

    /// One meeting with its agenda and decisions.
    pub async fn meeting_for(&self, actor: &Actor, id: &str) -> Result<MeetingView, AppError> {
        let meeting = self.store.meeting(id).await?.ok_or(AppError::NotFound)?;
        let district = DivisionCode::parse(&meeting.district).map_err(|_| AppError::NotFound)?;
        let decisions = self.store.decisions_of_meeting(&meeting.id).await?;
        let lead = decisions.iter().any(|d| d.lead_unit == actor.unit.as_str())
            || meeting.departments.split(',').any(|u| u == actor.unit.as_str());
        let department = actor.jurisdiction.department.is_some();
        let supervises = !department && actor.jurisdiction.covers(&district);
        if !(supervises || lead) {
            return Err(AppError::NotFound);
        }
        if !actor.may(Permission::ReadMeetings) {
            return Err(AppError::NotFound);
        }
        let mut agenda = Vec::new();
        for item in self.store.agenda(&meeting.id).await? {
            if let Some(a) = self.store.action(&item.action_id).await? {
                agenda.push((item, a));
            }
        }
        let office = UnitCode::of(&district, jiujinan_domain::org::UnitKind::CivilAffairs);
        let waiting = if supervises {
            self.store
                .inbox(office.as_str(), Some(ActionStatus::Sent.code()), 100, 0)
                .await?
                .into_iter()
                .filter(|a| a.route == Route::JointMeeting)
                .collect()
        } else {
            Vec::new()
        };
        Ok(MeetingView { meeting, agenda, decisions, waiting })
    }

    /// Puts an escalated case on a meeting's agenda; this accepts the escalation.
    pub async fn add_to_agenda(&self, actor: &Actor, meeting_id: &str, action_id: &str) -> Result<(), AppError> {
        runs_meetings(actor)?;
        let meeting = self.store.meeting(meeting_id).await?.ok_or(AppError::NotFound)?;
        let a = self.store.action(action_id).await?.ok_or(AppError::NotFound)?;
        if a.route != Route::JointMeeting || !a.division.starts_with(&meeting.district) {
            return Err(field("MERGE_TARGET", "action"));
        }
        let district = DivisionCode::parse(&meeting.district).map_err(|_| AppError::NotFound)?;
        if !actor.jurisdiction.covers(&district) {
            return Err(AppError::NotFound);
        }
        let now = self.now_ms();
        let accept = (a.status == ActionStatus::Sent).then(|| ActionChange {
            accepted_by: Some(actor.username.clone()),
            close_deadlines: true,
            step: "on_agenda".into(),
            note: meeting.title.clone(),
            ..ActionChange::new(&a.id, a.version, a.status, ActionStatus::Accepted)
        });
        if accept.is_none() && a.status != ActionStatus::Accepted {
            return Err(AppError::Conflict("ACTION_CLOSED"));
        }
        let item = AgendaItem {
            meeting_id: meeting.id.clone(),
            action_id: a.id.clone(),
            case_id: a.case_id.clone(),
            added_by: actor.username.clone(),
            added_ms: now,
        };
        let mut audit = actor.audit("meeting.agenda_added", ("meeting", &meeting.id), &json!({"action": a.id}));
        audit.division = a.division.clone();
        let who = Who { user: actor.username.clone(), unit: actor.unit.to_string() };
        self.store.add_agenda_item(&item, accept.as_ref(), &who, audit, now).await.map_err(|e| match e {
            StoreError::Conflict(Conflict::AlreadyOnAgenda) => AppError::Conflict("ALREADY_ON_AGENDA"),
            StoreError::Conflict(_) => AppError::StaleVersion,
            other => other.into(),
        })
    }

    /// Records the minutes and marks the meeting held.
    pub async fn record_minutes(
        &self,
        actor: &Actor,
        meeting_id: &str,
        expected_version: i64,
        minutes: &str,
    ) -> Result<i64, AppError> {
        let meeting = self.store.meeting(meeting_id).await?.ok_or(AppError::NotFound)?;
        own_meeting(actor, &meeting)?;
        let minutes = reason(minutes, 8_000, "DETAIL_REQUIRED", "minutes")?;
        let mut audit = actor.audit("meeting.minutes", ("meeting", &meeting.id), &json!({}));
        audit.division = meeting.district.clone();
        Ok(self.store.record_minutes(&meeting.id, expected_version, &minutes, audit, self.now_ms()).await?)
    }

    /// Records a decision on an agenda item, with the lead unit and its deadline (rule data).
    pub async fn add_decision(
        &self,
        actor: &Actor,
        meeting_id: &str,
        action_id: &str,
        text: &str,
        lead_unit: &str,
    ) -> Result<String, AppError> {
        let meeting = self.store.meeting(meeting_id).await?.ok_or(AppError::NotFound)?;
        own_meeting(actor, &meeting)?;
        if !self.store.agenda(&meeting.id).await?.iter().any(|i| i.action_id == action_id) {
            return Err(AppError::NotFound);
        }
        let a = self.store.action(action_id).await?.ok_or(AppError::NotFound)?;
        let text = reason(text, 2_000, "DETAIL_REQUIRED", "text")?;
        let lead = UnitCode::parse(lead_unit).map_err(|_| field("LEAD_UNIT_REQUIRED", "lead_unit"))?;
        if self.cached_unit(&lead).await?.is_none() {
            return Err(field("LEAD_UNIT_REQUIRED", "lead_unit"));
        }
        let now = self.now_ms();
        let d = Decision {
            id: new_id(now),
            meeting_id: meeting.id.clone(),
            action_id: a.id.clone(),
            case_id: a.case_id.clone(),
            text,
            lead_unit: lead.to_string(),
            status: DecisionStatus::Open,
            done_note: String::new(),
            done_by: String::new(),
            done_ms: 0,
            created_ms: now,
        };
        let owner = ClockOwner {
            subject: ("decision", &d.id),
            case: (&a.case_id, &a.case_number, &a.division),
            responsible: (lead.as_str(), ""),
        };
        let deadline = self.new_deadline(Route::JointMeeting.code(), "decision", "*", owner).await?;
        let mut audit =
            actor.audit("meeting.decision", ("meeting", &meeting.id), &json!({"decision": d.id, "lead": d.lead_unit}));
        audit.division = a.division.clone();
        let who = Who { user: actor.username.clone(), unit: actor.unit.to_string() };
        self.store.add_decision(&d, &deadline, &who, audit, now).await?;
        Ok(d.id)
    }

    /// The lead unit reports a decision carried out; when every decision on an escalation is
    /// done, the escalation completes.
    pub async fn complete_decision(&self, actor: &Actor, decision_id: &str, note: &str) -> Result<(), AppError> {
        let d = self.store.decision(decision_id).await?.ok_or(AppError::NotFound)?;
        let a = self.store.action(&d.action_id).await?.ok_or(AppError::NotFound)?;
        let runs = runs_meetings(actor).is_ok()
            && DivisionCode::parse(&a.division).is_ok_and(|div| actor.jurisdiction.covers(&div));
        if d.lead_unit != actor.unit.as_str() && !runs {
            return Err(AppError::NotFound);
        }
        let note = reason(note, 2_000, "DETAIL_REQUIRED", "note")?;
        let now = self.now_ms();
        let who = Who { user: actor.username.clone(), unit: actor.unit.to_string() };
        let mut audit = actor.audit("meeting.decision_done", ("decision", &d.id), &json!({}));
        audit.division = a.division.clone();
        self.store.complete_decision(&d.id, &note, &who, audit, now).await.map_err(|e| match e {
            StoreError::Conflict(c) => {
                AppError::Conflict(if c == Conflict::DecisionDone { "DECISION_DONE" } else { "STALE_VERSION" })
            }
            other => other.into(),
        })?;
        let all = self.store.decisions_of_action(&a.id).await?;
        if all.iter().all(|x| x.status == DecisionStatus::Done) && a.status == ActionStatus::Accepted {
            let change = ActionChange {
                outcome: Some("granted".into()),
                outcome_detail: Some(note),
                close_deadlines: true,
                step: "decisions_carried_out".into(),
                ..ActionChange::new(&a.id, a.version, a.status, ActionStatus::Completed)
            };
            let mut audit = actor.audit("action.completed", ("action", &a.id), &json!({"by": "joint_meeting"}));
            audit.division = a.division.clone();
            // Another decision finished at the same moment may have completed it already.
            match self.store.change_action(&change, &who, audit, now).await {
                Ok(_) | Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}
