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

use jiujinan_domain::case::Member;
use jiujinan_domain::pii::{Blind, mask};
use jiujinan_domain::policy::Permission;
use jiujinan_store::{CaseRecord, LeadRecord};

use crate::auth::Actor;

/// How much of a person's data a reader is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Disclosure {
    /// Everything (asked for, by a role that may; the read is recorded as `pii.revealed`).
    Full,
    /// ID numbers and phones masked; names and address as they are.
    Working,
    /// For onlookers (auditors, city supervisors): names and address masked as well.
    Onlooker,
}

impl Disclosure {
    /// What `actor` sees: `reveal` asks for the full values, which only a role that works with
    /// the person may have (`Forbidden` otherwise).
    pub fn for_actor(actor: &Actor, reveal: bool) -> Result<Self, AppError> {
        match (reveal, actor.may(Permission::RevealPersonalData)) {
            (true, true) => Ok(Self::Full),
            (true, false) => Err(AppError::Forbidden),
            (false, true) => Ok(Self::Working),
            (false, false) => Ok(Self::Onlooker),
        }
    }

    /// Whether the full values are shown.
    pub fn is_full(self) -> bool {
        self == Self::Full
    }

    fn names(self) -> bool {
        self == Self::Onlooker
    }
}

fn mask_opt(kind: Blind, v: &mut Option<String>) {
    if let Some(s) = v.as_mut() {
        *s = mask(kind, s);
    }
}

/// A place shown to onlookers: its first six characters (the district and street, typically).
fn mask_address(a: &str) -> String {
    let kept: String = a.chars().take(6).collect();
    if kept.chars().count() < a.chars().count() { format!("{kept}…") } else { kept }
}

/// The lead as `d` shows it.
pub fn disclose_lead(mut l: LeadRecord, d: Disclosure) -> LeadRecord {
    if d.is_full() {
        return l;
    }
    mask_opt(Blind::IdNumber, &mut l.subject_id_number);
    mask_opt(Blind::Phone, &mut l.subject_phone);
    mask_opt(Blind::Phone, &mut l.reporter_phone);
    if d.names() {
        l.subject_name = mask(Blind::Name, &l.subject_name);
        l.reporter_name = mask(Blind::Name, &l.reporter_name);
        l.address = mask_address(&l.address);
    }
    l
}

/// The case as `d` shows it.
pub fn disclose_case(mut c: CaseRecord, d: Disclosure) -> CaseRecord {
    if d.is_full() {
        return c;
    }
    mask_opt(Blind::IdNumber, &mut c.subject_id_number);
    mask_opt(Blind::Phone, &mut c.subject_phone);
    if d.names() {
        c.subject_name = mask(Blind::Name, &c.subject_name);
    }
    c
}

/// Household members as `d` shows them.
pub fn disclose_members(members: Vec<Member>, d: Disclosure) -> Vec<Member> {
    if d.is_full() {
        return members;
    }
    members
        .into_iter()
        .map(|mut m| {
            mask_opt(Blind::IdNumber, &mut m.id_number);
            if d.names() {
                m.name = mask(Blind::Name, &m.name);
            }
            m
        })
        .collect()
}

/// The audit action of reading a file under `d`: the full values are a reveal of their own.
pub(crate) fn read_action(entity: &str, d: Disclosure) -> String {
    if d.is_full() { "pii.revealed".to_owned() } else { format!("{entity}.read") }
}
