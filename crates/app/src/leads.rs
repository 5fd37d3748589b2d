//! Intake: recording leads from every channel, routing them to the responsible street's
//! handling office, first-inquiry responsibility, duplicate flags, and reading them back.

use jiujinan_domain::id_number::IdNumber;
use jiujinan_domain::lead::{self, Channel, HardshipType, MAX_DESCRIPTION, Urgency};
use jiujinan_domain::org::{DivisionCode, DivisionLevel, UnitCode, UnitKind};
use jiujinan_domain::policy::Permission;
use jiujinan_store::{
    Created, IdempotencyKey, LeadFilter, LeadReceipt, LeadRecord, NewLeadRow, TimelineEntry, VerifyClock,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::access::field;
use crate::auth::Actor;
use crate::calendar::{beijing_date, beijing_yyyymmdd};
use crate::ids::new_id;
use crate::pii::{Disclosure, disclose_lead, read_action};
use crate::{App, AppError};

/// Who reported the lead: the applicant, an agent applying on their behalf, a caller.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReporterInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    /// For `on_behalf`: the agent's relation and the entrustment (e.g. 居委会代为申请).
    #[serde(default)]
    pub relation: String,
}

/// The person in trouble.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SubjectInput {
    #[serde(default)]
    pub name: String,
    /// GB 11643 number (18 or legacy 15 digits), or empty for a person of unknown identity.
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub phone: String,
}

/// A lead as typed in the intake form or posted by a hotline system.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LeadInput {
    pub channel: String,
    #[serde(default)]
    pub reporter: ReporterInput,
    pub subject: SubjectInput,
    /// Beijing division code of the hukou, or the name of another province.
    #[serde(default)]
    pub hukou: String,
    /// Where the person is now: a community (12 digits) or street (9 digits) code; empty when
    /// unknown (then a Beijing street or community of hukou routes the lead).
    #[serde(default)]
    pub location_code: String,
    #[serde(default)]
    pub address: String,
    pub description: String,
    pub urgency: String,
    #[serde(default)]
    pub hardship_types: Vec<String>,
    #[serde(default)]
    pub needs: String,
}

/// A lead with its history, for the lead page and `GET /api/v1/leads/{id}`.
#[derive(Debug, Clone, Serialize)]
pub struct LeadView {
    pub lead: LeadRecord,
    pub timeline: Vec<TimelineEntry>,
    /// The number of the open lead this one may duplicate, when the actor may see that lead
    /// (caseworkers merge by number, not by internal id).
    pub duplicate_number: Option<String>,
    /// How much of the person's data is shown (`lead` is already masked accordingly).
    pub disclosure: crate::pii::Disclosure,
}

impl App {
    fn may_record_leads(actor: &Actor) -> bool {
        actor.may(Permission::RecordLead)
    }

    /// Validates, routes and stores a lead. With an idempotency key, a retry of the same
    /// request returns the first reply and a different request under the key is refused.
    pub async fn record_lead(
        &self,
        actor: &Actor,
        input: &LeadInput,
        idempotency_key: Option<&str>,
    ) -> Result<(LeadReceipt, bool), AppError> {
        if !Self::may_record_leads(actor) {
            return Err(AppError::Forbidden);
        }
        let now = self.now_ms();
        let channel = Channel::parse(&input.channel)?;
        let urgency = Urgency::parse(&input.urgency)?;
        let subject_name = lead::line(&input.subject.name, 50, "SUBJECT_NAME_REQUIRED", "subject.name")?;
        let id_number = match input.subject.id_number.trim() {
            "" => None,
            s => Some(
                IdNumber::parse(s, beijing_yyyymmdd(now))
                    .map_err(|r| AppError::Validation(r.error("subject.id_number")))?,
            ),
        };
        let subject_phone = lead::phone(&input.subject.phone).map_err(|_| field("INVALID_PHONE", "subject.phone"))?;
        let reporter_phone =
            lead::phone(&input.reporter.phone).map_err(|_| field("INVALID_PHONE", "reporter.phone"))?;
        let description = lead::text(&input.description, MAX_DESCRIPTION, "DESCRIPTION_REQUIRED", "description")?;
        let mut hardship: Vec<HardshipType> =
            input.hardship_types.iter().map(|h| HardshipType::parse(h)).collect::<Result<_, _>>()?;
        hardship.sort();
        hardship.dedup();
        // Optional text; `max` characters, on one line unless it is the free-text `needs`.
        let optional = |v: &str, max: usize, code: &'static str, f: &'static str| -> Result<String, AppError> {
            let v = v.trim();
            if v.chars().count() > max {
                return Err(field(code, f));
            }
            jiujinan_domain::text::check(v, f == "needs", f)?;
            Ok(v.to_owned())
        };
        let needs = optional(&input.needs, 1_000, "TEXT_TOO_LONG", "needs")?;
        let address = optional(&input.address, 200, "TEXT_TOO_LONG", "address")?;
        let hukou = optional(&input.hukou, 50, "TEXT_TOO_LONG", "hukou")?;
        let relation = optional(&input.reporter.relation, 100, "TEXT_TOO_LONG", "reporter.relation")?;
        let mut reporter_name = optional(&input.reporter.name, 50, "TEXT_TOO_LONG", "reporter.name")?;
        if channel == Channel::OnBehalf && (reporter_name.is_empty() || relation.is_empty()) {
            return Err(field("AGENT_REQUIRED", "reporter.name"));
        }
        if reporter_name.is_empty() {
            reporter_name = actor.display_name.clone();
        }

        // Routing: the handling office of the street where the person is; when that is unknown,
        // of the street where a Beijing hukou is registered (DOMAIN §3.3).
        let place = match input.location_code.trim() {
            "" => match DivisionCode::parse(&hukou) {
                Ok(h) if matches!(h.level(), DivisionLevel::Street | DivisionLevel::Community) => h.to_string(),
                _ => return Err(field("LOCATION_REQUIRED", "location_code")),
            },
            code => code.to_owned(),
        };
        let location = DivisionCode::parse(&place).map_err(|_| field("UNKNOWN_LOCATION", "location_code"))?;
        if !matches!(location.level(), DivisionLevel::Street | DivisionLevel::Community) {
            return Err(field("LOCATION_TOO_COARSE", "location_code"));
        }
        if self.cached_unit(&UnitCode::of(&location, UnitKind::Government)).await?.is_none() {
            return Err(field("UNKNOWN_LOCATION", "location_code"));
        }
        let street =
            DivisionCode::parse(&location.as_str()[..9]).map_err(|_| field("UNKNOWN_LOCATION", "location_code"))?;
        let office = UnitCode::of(&street, UnitKind::AssistanceOffice);
        if self.cached_unit(&office).await?.is_none() {
            return Err(field("UNKNOWN_LOCATION", "location_code"));
        }
        let limit = self.time_limit("verify", urgency.code()).await?;

        let hardship_codes: Vec<&str> = hardship.iter().map(|h| h.code()).collect();
        let row = NewLeadRow {
            id: new_id(now),
            channel,
            reporter_name,
            reporter_phone,
            reporter_relation: relation,
            subject_name,
            subject_id_number: id_number.map(|i| i.as_str().to_owned()),
            subject_phone,
            hukou,
            location_code: location.to_string(),
            address,
            division: location.to_string(),
            street: street.to_string(),
            year: beijing_date(now).0,
            responsible_unit: office.to_string(),
            first_inquiry_unit: actor.unit.to_string(),
            first_inquiry_user: actor.username.clone(),
            description,
            hardship_types: hardship_codes.join(","),
            urgency,
            needs,
            verify_due_ms: now + limit.hours * 3_600_000,
            verify_clock: VerifyClock {
                rule: crate::deadlines::limit_key("verify", urgency.code(), &limit),
                warn_ms: now + (limit.hours - limit.warn_hours) * 3_600_000,
                escalate_days: limit.escalate_after_days,
                // 首问负责: the recorder answers for the step while the lead stays in their unit.
                responsible_user: if actor.unit == office { actor.username.clone() } else { String::new() },
            },
            duplicate_window_start_ms: now - self.settings.duplicate_window_days * 86_400_000,
        };
        let key = match idempotency_key.map(str::trim) {
            Some(k) if !k.is_empty() => {
                if k.len() > 200 {
                    return Err(field("INVALID_IDEMPOTENCY_KEY", "Idempotency-Key"));
                }
                let body = serde_json::to_vec(input).map_err(|e| AppError::Internal(e.to_string()))?;
                Some(IdempotencyKey {
                    actor: actor.user_id.clone(),
                    key: k.to_owned(),
                    request_hash: hex::encode(Sha256::digest(&body)),
                })
            }
            _ => None,
        };
        let audit = actor.audit(
            "lead.created",
            ("lead", &row.id),
            &json!({"channel": row.channel, "responsible_unit": row.responsible_unit, "urgency": row.urgency,
                    "hardship_types": row.hardship_types}),
        );
        let mut audit = audit;
        audit.division = row.division.clone();
        match self.store.create_lead(&row, key.as_ref(), audit, now).await {
            Ok(Created::New(r)) => Ok((r, true)),
            Ok(Created::Replayed(r)) => Ok((r, false)),
            Err(jiujinan_store::StoreError::Conflict(jiujinan_store::Conflict::IdempotencyKeyReused)) => {
                Err(AppError::IdempotencyKeyReused)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A lead and its timeline if the actor may see it: it lies in the actor's jurisdiction,
    /// or the actor's unit received it first (首问负责). The read is audited. ID numbers and
    /// phones are masked unless `reveal` asks for them (a role that may; `pii.revealed`).
    pub async fn lead_for(&self, actor: &Actor, id: &str, reveal: bool) -> Result<LeadView, AppError> {
        let disclosure = Disclosure::for_actor(actor, reveal)?;
        let lead = self.store.lead(id).await?.ok_or(AppError::NotFound)?;
        let in_scope = actor.jurisdiction.department.is_none()
            && DivisionCode::parse(&lead.division).is_ok_and(|d| actor.jurisdiction.covers(&d));
        if !in_scope && lead.first_inquiry_unit != actor.unit.as_str() {
            return Err(AppError::NotFound);
        }
        let mut audit = actor.audit(&read_action("lead", disclosure), ("lead", &lead.id), &json!({}));
        audit.division = lead.division.clone();
        // The read is recorded durably before anything is shown; the history is read meanwhile.
        let (recorded, timeline) =
            tokio::join!(self.store.append_audit(audit, self.now_ms()), self.store.timeline(&lead.id));
        recorded?;
        let timeline = timeline?;
        let duplicate_number = match lead.duplicate_of.as_deref() {
            Some(d) => self
                .store
                .lead(d)
                .await?
                .filter(|first| DivisionCode::parse(&first.division).is_ok_and(|d| actor.jurisdiction.covers(&d)))
                .map(|first| first.number),
            None => None,
        };
        Ok(LeadView { lead: disclose_lead(lead, disclosure), timeline, duplicate_number, disclosure })
    }

    /// The readable number of the lead a case came from (for the case page, whose read the
    /// caller has checked and audited; nothing else of the lead is returned).
    pub async fn lead_number(&self, lead_id: &str) -> Result<Option<String>, AppError> {
        Ok(self.store.lead(lead_id).await?.map(|l| l.number))
    }

    /// The actor's queue: leads located in the jurisdiction, most urgent first.
    pub async fn lead_queue(&self, actor: &Actor, filter: &LeadFilter) -> Result<Vec<LeadRecord>, AppError> {
        // Departments work from their referral inbox, not the district's intake queue.
        if !actor.may(Permission::WorkQueues) {
            return Err(AppError::Forbidden);
        }
        let d = Disclosure::for_actor(actor, false)?;
        Ok(self.store.list_leads(&actor.jurisdiction, filter).await?.into_iter().map(|l| disclose_lead(l, d)).collect())
    }

    /// Lead counts per status in the actor's jurisdiction.
    pub async fn lead_counts(&self, actor: &Actor) -> Result<Vec<(String, i64)>, AppError> {
        Ok(self.store.count_leads(&actor.jurisdiction).await?)
    }
}
