//! Personal data sealed on its way into the database and opened on its way out
//! (`jiujinan_domain::pii`; docs/adr/0023-pii-at-rest.md).
//!
//! The store holds the key ring. Writes seal the values of a lead, a case file, an
//! investigation and a 公示 posting, and compute their blind indexes; reads open them, so
//! the layers above only ever see plain records. Nothing here is visible outside the crate
//! except the re-seal, which `jiujinan key rotate` and the start after an upgrade run.

use jiujinan_domain::pii::{Blind, Field, NONCE_BYTES, PiiError, PiiKeyring};
use rand::RngCore;

use crate::{CaseRecord, Investigation, LeadRecord, NewLeadRow, Posting, StoreError};

/// The blind indexes stored beside a lead's or case's sealed subject (a case has no name index).
#[derive(Debug, Clone)]
pub(crate) struct SubjectIndexes {
    pub id_bidx: Option<String>,
    pub phone_bidx: Option<String>,
    /// Name and phone together (none without a phone).
    pub name_phone_bidx: Option<String>,
    pub name_tokens: String,
}

/// A lead ready for the writers: its sealed row and the indexes stored beside it.
#[derive(Debug, Clone)]
pub(crate) struct SealedLead {
    /// The lead with every personal value sealed.
    pub row: NewLeadRow,
    pub id_bidx: Option<String>,
    pub phone_bidx: Option<String>,
    pub name_phone_bidx: Option<String>,
    pub name_tokens: String,
    /// What the duplicate check looks for, under the current and the previous key.
    pub dup_id: Option<[String; 2]>,
    pub dup_name_phone: Option<[String; 2]>,
}

/// The value of the name-and-phone index, when there is a phone.
fn name_phone(name: &str, phone: Option<&str>) -> Option<String> {
    phone.map(|p| Blind::name_and_phone(name, p))
}

fn nonce() -> [u8; NONCE_BYTES] {
    let mut n = [0u8; NONCE_BYTES];
    rand::rng().fill_bytes(&mut n);
    n
}

fn corrupt(e: PiiError) -> StoreError {
    StoreError::Corrupt(format!("personal data: {e}"))
}

/// Sealing and opening with one key ring.
pub(crate) trait Sealer {
    fn ring(&self) -> &PiiKeyring;

    fn seal_text(&self, field: Field, plain: &str) -> String {
        self.ring().seal(field, plain, nonce())
    }

    fn seal_opt(&self, field: Field, plain: Option<&str>) -> Option<String> {
        plain.map(|p| self.seal_text(field, p))
    }

    fn open_text(&self, field: Field, stored: &str) -> Result<String, StoreError> {
        self.ring().open(field, stored).map_err(corrupt)
    }

    fn open_opt(&self, field: Field, stored: Option<&str>) -> Result<Option<String>, StoreError> {
        stored.map(|s| self.open_text(field, s)).transpose()
    }

    fn blind_opt(&self, kind: Blind, plain: Option<&str>) -> Option<String> {
        plain.map(|p| self.ring().blind(kind, p))
    }

    fn seal_lead(&self, l: &NewLeadRow) -> SealedLead {
        let ring = self.ring();
        let row = NewLeadRow {
            reporter_name: self.seal_text(Field::Name, &l.reporter_name),
            reporter_phone: self.seal_opt(Field::Phone, l.reporter_phone.as_deref()),
            subject_name: self.seal_text(Field::Name, &l.subject_name),
            subject_id_number: self.seal_opt(Field::IdNumber, l.subject_id_number.as_deref()),
            subject_phone: self.seal_opt(Field::Phone, l.subject_phone.as_deref()),
            address: self.seal_text(Field::Address, &l.address),
            description: self.seal_text(Field::Description, &l.description),
            needs: self.seal_text(Field::Needs, &l.needs),
            ..l.clone()
        };
        SealedLead {
            row,
            id_bidx: self.blind_opt(Blind::IdNumber, l.subject_id_number.as_deref()),
            phone_bidx: self.blind_opt(Blind::Phone, l.subject_phone.as_deref()),
            name_phone_bidx: name_phone(&l.subject_name, l.subject_phone.as_deref())
                .map(|v| ring.blind(Blind::NamePhone, &v)),
            name_tokens: ring.name_tokens(&l.subject_name),
            dup_id: l.subject_id_number.as_deref().map(|v| ring.blind_both(Blind::IdNumber, v)),
            dup_name_phone: name_phone(&l.subject_name, l.subject_phone.as_deref())
                .map(|v| ring.blind_both(Blind::NamePhone, &v)),
        }
    }

    fn subject_indexes(&self, name: &str, id_number: Option<&str>, phone: Option<&str>) -> SubjectIndexes {
        SubjectIndexes {
            id_bidx: self.blind_opt(Blind::IdNumber, id_number),
            phone_bidx: self.blind_opt(Blind::Phone, phone),
            name_phone_bidx: name_phone(name, phone).map(|v| self.ring().blind(Blind::NamePhone, &v)),
            name_tokens: self.ring().name_tokens(name),
        }
    }

    /// A whole stored lead sealed (bulk seeding, re-sealing), with its indexes.
    fn seal_lead_record(&self, l: &LeadRecord) -> (LeadRecord, SubjectIndexes) {
        let ix = self.subject_indexes(&l.subject_name, l.subject_id_number.as_deref(), l.subject_phone.as_deref());
        let sealed = LeadRecord {
            reporter_name: self.seal_text(Field::Name, &l.reporter_name),
            reporter_phone: self.seal_opt(Field::Phone, l.reporter_phone.as_deref()),
            subject_name: self.seal_text(Field::Name, &l.subject_name),
            subject_id_number: self.seal_opt(Field::IdNumber, l.subject_id_number.as_deref()),
            subject_phone: self.seal_opt(Field::Phone, l.subject_phone.as_deref()),
            address: self.seal_text(Field::Address, &l.address),
            description: self.seal_text(Field::Description, &l.description),
            needs: self.seal_text(Field::Needs, &l.needs),
            ..l.clone()
        };
        (sealed, ix)
    }

    /// A whole stored case sealed, with its indexes.
    fn seal_case_record(&self, c: &CaseRecord) -> (CaseRecord, SubjectIndexes) {
        let ix = self.subject_indexes(&c.subject_name, c.subject_id_number.as_deref(), c.subject_phone.as_deref());
        let sealed = CaseRecord {
            subject_name: self.seal_text(Field::Name, &c.subject_name),
            subject_id_number: self.seal_opt(Field::IdNumber, c.subject_id_number.as_deref()),
            subject_phone: self.seal_opt(Field::Phone, c.subject_phone.as_deref()),
            household: self.seal_text(Field::Household, &c.household),
            economy: self.seal_text(Field::Economy, &c.economy),
            population: self.seal_text(Field::Population, &c.population),
            ..c.clone()
        };
        (sealed, ix)
    }

    fn open_lead(&self, l: LeadRecord) -> Result<LeadRecord, StoreError> {
        Ok(LeadRecord {
            reporter_name: self.open_text(Field::Name, &l.reporter_name)?,
            reporter_phone: self.open_opt(Field::Phone, l.reporter_phone.as_deref())?,
            subject_name: self.open_text(Field::Name, &l.subject_name)?,
            subject_id_number: self.open_opt(Field::IdNumber, l.subject_id_number.as_deref())?,
            subject_phone: self.open_opt(Field::Phone, l.subject_phone.as_deref())?,
            address: self.open_text(Field::Address, &l.address)?,
            description: self.open_text(Field::Description, &l.description)?,
            needs: self.open_text(Field::Needs, &l.needs)?,
            ..l
        })
    }

    /// A lead for a list: the subject opened, the rest of the personal data left empty (a list
    /// shows none of it, and opening it all would cost a list most of its time).
    fn open_lead_listing(&self, l: LeadRecord) -> Result<LeadRecord, StoreError> {
        Ok(LeadRecord {
            subject_name: self.open_text(Field::Name, &l.subject_name)?,
            subject_id_number: self.open_opt(Field::IdNumber, l.subject_id_number.as_deref())?,
            subject_phone: self.open_opt(Field::Phone, l.subject_phone.as_deref())?,
            reporter_name: String::new(),
            reporter_phone: None,
            address: String::new(),
            description: String::new(),
            needs: String::new(),
            ..l
        })
    }

    /// A case for a list: the subject opened, the household file left empty.
    fn open_case_listing(&self, c: CaseRecord) -> Result<CaseRecord, StoreError> {
        Ok(CaseRecord {
            subject_name: self.open_text(Field::Name, &c.subject_name)?,
            subject_id_number: self.open_opt(Field::IdNumber, c.subject_id_number.as_deref())?,
            subject_phone: self.open_opt(Field::Phone, c.subject_phone.as_deref())?,
            household: String::new(),
            economy: String::new(),
            population: String::new(),
            ..c
        })
    }

    fn open_case(&self, c: CaseRecord) -> Result<CaseRecord, StoreError> {
        Ok(CaseRecord {
            subject_name: self.open_text(Field::Name, &c.subject_name)?,
            subject_id_number: self.open_opt(Field::IdNumber, c.subject_id_number.as_deref())?,
            subject_phone: self.open_opt(Field::Phone, c.subject_phone.as_deref())?,
            household: self.open_text(Field::Household, &c.household)?,
            economy: self.open_text(Field::Economy, &c.economy)?,
            population: self.open_text(Field::Population, &c.population)?,
            ..c
        })
    }

    fn open_investigation(&self, i: Investigation) -> Result<Investigation, StoreError> {
        Ok(Investigation { findings: self.open_text(Field::Findings, &i.findings)?, ..i })
    }

    fn open_posting(&self, p: Posting) -> Result<Posting, StoreError> {
        Ok(Posting { head_name: self.open_text(Field::Name, &p.head_name)?, ..p })
    }

    /// A timeline note as stored: sealed for the steps whose note describes the person (see
    /// [`SEALED_STEPS`]), as it is otherwise.
    fn seal_note(&self, step: &str, note: &str) -> String {
        if SEALED_STEPS.contains(&step) { self.seal_text(Field::Findings, note) } else { note.to_owned() }
    }

    /// A timeline note as read (a sealed one opened).
    fn open_note(&self, note: String) -> Result<String, StoreError> {
        if note.starts_with(jiujinan_domain::pii::PREFIX) { self.open_text(Field::Findings, &note) } else { Ok(note) }
    }
}

/// Timeline steps whose note is what a worker found about the person (sealed like findings).
pub(crate) const SEALED_STEPS: &[&str] = &["followup_done"];

impl Sealer for PiiKeyring {
    fn ring(&self) -> &PiiKeyring {
        self
    }
}

/// What a search for `q` compares, as conditions on a lead or case table with their values:
/// the ID number and phone indexes, and (for anything that could be part of a name) every
/// token of the query among the name's tokens.
pub(crate) fn search_terms(ring: &PiiKeyring, q: &str) -> SearchTerms {
    let phone = Blind::Phone.normalise(q);
    SearchTerms {
        id: ring.blind_both(Blind::IdNumber, q),
        phone: (!phone.is_empty()).then(|| ring.blind_both(Blind::Phone, &phone)),
        name: ring.name_query(q),
        // Lead and case numbers have hyphens, names, ID numbers and phones none: only a number
        // is sent to the database as typed (so a typed ID number never shows in its logs).
        number: q.contains('-').then(|| q.to_owned()),
    }
}

/// See [`search_terms`].
pub(crate) struct SearchTerms {
    pub id: [String; 2],
    pub phone: Option<[String; 2]>,
    /// Each entry must be among the name's tokens (under either key).
    pub name: Vec<[String; 2]>,
    /// A lead or case number, as typed.
    pub number: Option<String>,
}
