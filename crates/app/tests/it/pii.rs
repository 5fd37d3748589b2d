//! Personal data at rest on SQLite and PostgreSQL: after a lead, a case file with a household,
//! an investigation and a 公示 posting, neither the SQLite files (database and WAL) nor a
//! `pg_dump` of the PostgreSQL database hold a name, ID number, phone or address of the person
//! in plain text; search and duplicate detection still work through the blind indexes. A
//! database written before encryption is sealed on the first start with a key; a rotation
//! re-seals everything under the new key, and a key file that lacks a key still in use is
//! refused.

use std::sync::Arc;

use jiujinan_app::aid::AidInput;
use jiujinan_app::cases::{MemberInput, Verification, Verified};
use jiujinan_app::leads::LeadInput;
use jiujinan_app::{App, AppSettings};
use jiujinan_domain::case::Economy;
use jiujinan_domain::org::DivisionCode;
use jiujinan_domain::pii::{KEY_BYTES, PiiKey, PiiKeyring};
use jiujinan_store::prelude::*;
use jiujinan_store::{Keys, LeadFilter, connect_with};

use crate::common::{self, T};

const NAME: &str = "欧阳青松";
const ID_NUMBER: &str = "110105198001010016";
const PHONE: &str = "13912345678";
const ADDRESS: &str = "光华路九十九号院";
const REPORTER: &str = "司马相如";
const REPORTER_PHONE: &str = "13687654321";
const MEMBER: &str = "欧阳小松";
const MEMBER_ID: &str = "110105194912310062";
const DESCRIPTION: &str = "心脏搭桥手术后无力支付";
const FINDINGS: &str = "邻居证实独居无业";
const NEEDS: &str = "需要轮椅和护工";
const SECOND_REPORT: &str = "楼道里又摔倒两次";
const FOLLOWUP: &str = "回访时已能下床走动";
const INSTRUCTION: &str = "请核实欧阳家是否另有住处";
const REPLY: &str = "已联系其女儿欧阳小松到场";

/// Every value that must not be found in plain text.
const SECRETS: [&str; 15] = [
    NAME,
    ID_NUMBER,
    PHONE,
    ADDRESS,
    REPORTER,
    REPORTER_PHONE,
    MEMBER,
    MEMBER_ID,
    DESCRIPTION,
    FINDINGS,
    NEEDS,
    SECOND_REPORT,
    FOLLOWUP,
    INSTRUCTION,
    REPLY,
];

fn ring(byte: u8) -> PiiKeyring {
    PiiKeyring::new(PiiKey::from_bytes([byte; KEY_BYTES]))
}

async fn open(url: &str, pii: PiiKeyring) -> T {
    let store = connect_with(url, Keys { audit: None, pii: Some(pii) }).await.unwrap();
    store.migrate().await.unwrap();
    common::setup(store).await
}

/// A lead, its case with a household member, an investigation and a 公示 posting.
async fn fill(t: &T) -> String {
    let mut input = common::walk_in();
    input.subject.name = NAME.into();
    input.subject.id_number = ID_NUMBER.into();
    input.subject.phone = PHONE.into();
    input.address = ADDRESS.into();
    input.description = DESCRIPTION.into();
    input.reporter.name = REPORTER.into();
    input.reporter.phone = REPORTER_PHONE.into();
    input.reporter.relation = "邻居".into();
    input.needs = NEEDS.into();
    let (lead, _) = t.app.record_lead(&t.clerk, &input, None).await.unwrap();
    // A second report about the same person, merged into the first: its description stays in
    // its own (sealed) lead, not in the first one's timeline.
    let second = LeadInput { description: SECOND_REPORT.into(), ..input.clone() };
    let (dup, _) = t.app.record_lead(&t.clerk, &second, None).await.unwrap();
    assert_eq!(dup.duplicate_of.as_deref(), Some(lead.id.as_str()), "found by the ID number's blind index");
    t.app.verify_lead(&t.reviewer, &dup.id, 1, Verification::Merge { into_id: lead.number.clone() }).await.unwrap();
    // Verified late: the district's instruction and the street's reply on the 督办 item are sealed.
    let approver = common::user(&t.app, "cy_approver", "110105:mz", "district_approver").await;
    jiujinan_app::clock::Clock::set_now(&*t.clock, common::T0 + 3 * 3_600_000);
    t.app.run_supervision().await.unwrap();
    let item = t.app.supervision_list(&approver, true).await.unwrap().pop().expect("the verification is overdue");
    t.app.instruct_supervision(&approver, &item.id, INSTRUCTION).await.unwrap();
    t.app.reply_supervision(&t.reviewer, &item.id, REPLY).await.unwrap();
    let Verified::CaseOpened { case_id, .. } =
        t.app.verify_lead(&t.reviewer, &lead.id, 1, Verification::Accept { documents_pending: false }).await.unwrap()
    else {
        panic!("expected a case")
    };
    t.app.record_investigation(&t.reviewer, &case_id, "home_visit", None, FINDINGS).await.unwrap();
    let member = MemberInput {
        name: MEMBER.into(),
        relationship: "child".into(),
        id_number: MEMBER_ID.into(),
        living_together: false,
    };
    let economy = Economy { income: vec![], assets: vec![], note: String::new() };
    let version = t.app.test_store().case_by_id(&case_id).await.unwrap().unwrap().version;
    let version = t.app.update_case_file(&t.reviewer, &case_id, version, &[member], &economy, "", false).await.unwrap();
    t.app.submit_for_review(&t.reviewer, &case_id, version).await.unwrap();
    t.app.record_review(&t.reviewer, &case_id, version + 1, "建议先行救助", &["refer".into()]).await.unwrap();
    let fund = t.app.create_fund(&t.hotline, "110105:mz", "budget", "朝阳区临时救助资金").await.unwrap();
    t.app.deposit(&t.hotline, &fund, 10_000_000, "区级预算").await.unwrap();
    let aid = AidInput {
        kind: "cash".into(),
        aid_type: "expenditure".into(),
        cause: "MEDICAL_EXPENSE".into(),
        tier: 1,
        description: "医疗支出".into(),
        fund_id: fund,
        ..Default::default()
    };
    let a = t.app.propose_aid(&t.clerk, &case_id, aid).await.unwrap();
    t.app.review_aid(&t.reviewer, &a, 1, "属实").await.unwrap();
    t.app.approve_aid(&t.chief, &a, 2, "同意").await.unwrap();
    assert_eq!(t.app.postings(&t.reviewer, true).await.unwrap().len(), 1, "a 公示 posting was made");
    // Closed, then visited again: the follow-up's findings are sealed like an investigation's.
    let version = t.app.test_store().case_by_id(&case_id).await.unwrap().unwrap().version;
    t.app.close_case(&t.reviewer, &case_id, version, "已救助，结案").await.unwrap();
    t.app.record_followup(&t.reviewer, &case_id, FOLLOWUP).await.unwrap();
    case_id
}

/// What the layers above see is plain, and search finds the person by every way it did.
async fn reads_and_finds(t: &T, case_id: &str) {
    let case = t.app.test_store().case_by_id(case_id).await.unwrap().unwrap();
    assert_eq!((case.subject_name.as_str(), case.subject_id_number.as_deref()), (NAME, Some(ID_NUMBER)));
    assert!(case.household.contains(MEMBER) && case.household.contains(MEMBER_ID), "{}", case.household);
    let lead = t.app.test_store().lead(&case.lead_id).await.unwrap().unwrap();
    assert_eq!((lead.address.as_str(), lead.reporter_name.as_str()), (ADDRESS, REPORTER));
    assert_eq!(lead.needs, NEEDS);
    let inv = t.app.test_store().investigations(case_id).await.unwrap();
    assert!(inv.iter().any(|i| i.findings == FINDINGS));
    let city = jiujinan_domain::jurisdiction::Jurisdiction { division: DivisionCode::city(), department: None };
    let items = t.app.test_store().supervision_items(&city, false, 10).await.unwrap();
    assert!(items.iter().any(|i| i.instruction == INSTRUCTION && i.reply == REPLY), "the 督办 notes read back");
    let steps = t.app.test_store().case_timeline(&case.lead_id, case_id).await.unwrap();
    assert!(steps.iter().any(|s| s.step == "followup_done" && s.note == FOLLOWUP), "the follow-up reads back");
    assert!(steps.iter().any(|s| s.step == "merged_report"), "the merge is in the timeline");
    assert!(!steps.iter().any(|s| s.note.contains(SECOND_REPORT)), "but not the merged report's text");
    for q in [NAME, "欧阳", "青", "青松", ID_NUMBER, &ID_NUMBER.to_lowercase(), PHONE, case.number.as_str()] {
        let f = LeadFilter { search: Some(q.into()), limit: 50, ..Default::default() };
        let found = t.app.case_queue(&t.reviewer, &f).await.unwrap();
        assert_eq!(found.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), vec![case_id], "search {q}");
    }
    for q in ["欧青", "张伟", "13900000000"] {
        let f = LeadFilter { search: Some(q.into()), limit: 50, ..Default::default() };
        assert!(t.app.case_queue(&t.reviewer, &f).await.unwrap().is_empty(), "search {q} finds nothing");
    }
    let f = LeadFilter { search: Some("欧阳".into()), limit: 50, ..Default::default() };
    let leads = t.app.lead_queue(&t.reviewer, &f).await.unwrap();
    assert_eq!(leads.len(), 2, "leads are searched the same way (the report and the one merged into it)");
}

fn assert_no_secret(what: &str, bytes: &[u8]) {
    for s in SECRETS {
        let needle = s.as_bytes();
        assert!(!bytes.windows(needle.len()).any(|w| w == needle), "{what} holds {s} in plain text");
    }
}

fn assert_secret(what: &str, bytes: &[u8], s: &str) {
    assert!(bytes.windows(s.len()).any(|w| w == s.as_bytes()), "{what} should hold {s} (the check can fail)");
}

/// Every file of the SQLite database: the main file and its write-ahead log.
fn sqlite_bytes(db: &std::path::Path) -> Vec<u8> {
    let mut all = std::fs::read(db).unwrap();
    if let Ok(wal) = std::fs::read(format!("{}-wal", db.display())) {
        all.extend(wal);
    }
    all
}

fn pg_dump(url: &str) -> Option<Vec<u8>> {
    let out = std::process::Command::new("pg_dump").args(["--no-owner", url]).output();
    match out {
        Ok(o) if o.status.success() => Some(o.stdout),
        _ => {
            assert!(std::env::var("JIUJINAN_REQUIRE_PG").is_err(), "pg_dump is needed");
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_files_hold_no_personal_data_in_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("at-rest.db");
    let url = format!("sqlite://{}", db.display());
    let t = open(&url, ring(1)).await;
    let case_id = fill(&t).await;
    reads_and_finds(&t, &case_id).await;
    t.app.test_store().close().await;
    let bytes = sqlite_bytes(&db);
    assert_secret("the SQLite files", &bytes, "建外街道");
    assert_no_secret("the SQLite files", &bytes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pg_dump_holds_no_personal_data_in_plain_text() {
    let Some(url) = jiujinan_store::testing::fresh_postgres_url().await else { return };
    let t = open(&url, ring(1)).await;
    let case_id = fill(&t).await;
    reads_and_finds(&t, &case_id).await;
    let Some(dump) = pg_dump(&url) else { return };
    assert_secret("pg_dump", &dump, "建外街道");
    assert_no_secret("pg_dump", &dump);
}

/// Values written before encryption (plain text) are sealed on the first start with a key; a
/// rotation re-seals under the new key; a ring without a key still in use is refused.
async fn upgrade_and_rotation(url: &str) {
    let t = open(url, ring(1)).await;
    let case_id = fill(&t).await;
    let store = t.app.test_store().clone();
    let clock = t.clock.clone();
    // Turn the sealed values back into what a database from before encryption held.
    let case = store.case_by_id(&case_id).await.unwrap().unwrap();
    let lead_id = case.lead_id.clone();
    plain_again(&store, &lead_id, &case_id).await;
    let app = |store: Arc<dyn Store>| App::new(store, clock.clone(), AppSettings::default());

    // Opening with the key seals them: every row, and the state records the key.
    let report = app(store.clone()).seal_personal_data().await.unwrap().expect("a re-seal was due");
    assert_eq!((report.rows, report.left), (4, 0), "lead, case, follow-up and merge notes: {report:?}");
    reads_and_finds(&t, &case_id).await;
    assert!(app(store.clone()).seal_personal_data().await.unwrap().is_none(), "nothing is due twice");

    // A rotation: the new ring opens everything, seals and indexes under its own key.
    let rotated = ring(1).rotated(PiiKey::from_bytes([2; KEY_BYTES])).unwrap();
    let second = connect_with(url, Keys { audit: None, pii: Some(rotated) }).await.unwrap();
    let report = app(second.clone()).seal_personal_data().await.unwrap().expect("a re-seal was due");
    assert_eq!(
        (report.rows, report.left),
        (8, 0),
        "two leads, case, investigation, posting, follow-up, 督办 instruction and reply: {report:?}"
    );
    let t2 = T { app: app(second.clone()), ..t };
    reads_and_finds(&t2, &case_id).await;
    // Only the new key now: the old one can go, and search still finds everyone.
    let only_new = PiiKeyring::new(PiiKey::from_bytes([2; KEY_BYTES]));
    let third = connect_with(url, Keys { audit: None, pii: Some(only_new) }).await.unwrap();
    assert!(app(third.clone()).seal_personal_data().await.unwrap().is_none());
    let t3 = T { app: app(third.clone()), ..t2 };
    reads_and_finds(&t3, &case_id).await;

    // A key file that lacks the key in use is refused at start, not at the first read.
    let wrong = connect_with(url, Keys { audit: None, pii: Some(ring(3)) }).await.unwrap();
    let err = app(wrong).seal_personal_data().await.unwrap_err();
    assert!(format!("{err:?}").contains("lacks"), "{err:?}");
}

/// Writes the lead's and the case's values back in plain text, as migration 14 left them.
async fn plain_again(store: &Arc<dyn Store>, lead_id: &str, case_id: &str) {
    let l = store.lead(lead_id).await.unwrap().unwrap();
    let c = store.case_by_id(case_id).await.unwrap().unwrap();
    let q = |s: &str| s.replace('\'', "''");
    let sql = format!(
        "UPDATE leads SET subject_name = '{}', subject_id_number = '{}', subject_phone = '{}', address = '{}', \
         reporter_name = '{}', reporter_phone = '{}', description = '{}', subject_id_bidx = NULL, \
         subject_phone_bidx = NULL, subject_name_phone_bidx = NULL, subject_name_tokens = '' WHERE id = '{}';\
         UPDATE cases SET subject_name = '{}', subject_id_number = '{}', subject_phone = '{}', household = '{}', \
         subject_id_bidx = NULL, subject_phone_bidx = NULL, subject_name_tokens = '' WHERE id = '{}';\
         UPDATE timeline SET note = note || ': {}' WHERE step = 'merged_report';\
         UPDATE timeline SET note = '{}' WHERE step = 'followup_done';\
         DELETE FROM pii_state; DELETE FROM pii_keys;",
        q(&l.subject_name),
        ID_NUMBER,
        PHONE,
        q(&l.address),
        q(&l.reporter_name),
        REPORTER_PHONE,
        q(&l.description),
        lead_id,
        q(&c.subject_name),
        ID_NUMBER,
        PHONE,
        q(&c.household),
        case_id,
        SECOND_REPORT,
        FOLLOWUP
    );
    store.raw_execute_for_tests(Box::leak(sql.into_boxed_str())).await.unwrap();
    let raw = store.lead(lead_id).await.unwrap().unwrap();
    assert_eq!(raw.subject_name, NAME, "plain values read as themselves");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_upgrade_and_rotation() {
    let dir = tempfile::tempdir().unwrap();
    upgrade_and_rotation(&format!("sqlite://{}/r.db", dir.path().display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_upgrade_and_rotation() {
    let Some(url) = jiujinan_store::testing::fresh_postgres_url().await else { return };
    upgrade_and_rotation(&url).await;
}

both!(masked_numbers_sent_back_keep_what_they_mask);

/// The case page shows ID numbers masked unless revealed, so the household form sends masked
/// numbers back: each keeps the number it masks; one that masks nothing known is refused.
async fn masked_numbers_sent_back_keep_what_they_mask(t: T) {
    let (lead, _) = t.app.record_lead(&t.clerk, &common::walk_in(), None).await.unwrap();
    let Verified::CaseOpened { case_id, .. } =
        t.app.verify_lead(&t.reviewer, &lead.id, 1, Verification::Accept { documents_pending: false }).await.unwrap()
    else {
        panic!("expected a case")
    };
    let view = t.app.case_for(&t.reviewer, &case_id, false).await.unwrap();
    assert_eq!(view.case.subject_id_number.as_deref(), Some("110105********002X"));
    let member = |name: &str, id: &str| MemberInput {
        name: name.into(),
        relationship: if name == "张伟" { "self".into() } else { "child".into() },
        id_number: id.into(),
        living_together: true,
    };
    let economy = Economy { income: vec![], assets: vec![], note: String::new() };
    let members = [member("张伟", "110105********002X"), member("张小伟", "110105194912310062")];
    let v = t.app.update_case_file(&t.reviewer, &case_id, 1, &members, &economy, "", false).await.unwrap();
    let stored = t.app.test_store().case_by_id(&case_id).await.unwrap().unwrap();
    assert!(stored.household.contains("11010519491231002X"), "the applicant's own number: {}", stored.household);
    // Sent back masked again, both keep their numbers.
    let view = t.app.case_for(&t.reviewer, &case_id, false).await.unwrap();
    let masked: Vec<MemberInput> =
        view.members.iter().map(|m| member(&m.name, m.id_number.as_deref().unwrap_or_default())).collect();
    assert_eq!(masked[1].id_number, "110105********0062");
    let v = t.app.update_case_file(&t.reviewer, &case_id, v, &masked, &economy, "", false).await.unwrap();
    let full = t.app.case_for(&t.reviewer, &case_id, true).await.unwrap();
    let numbers: Vec<Option<String>> = full.members.iter().map(|m| m.id_number.clone()).collect();
    assert_eq!(numbers, vec![Some("11010519491231002X".into()), Some("110105194912310062".into())]);
    // A masked number that masks nothing recorded is not a number.
    let stranger = [member("张伟", "110105********9999")];
    let err = t.app.update_case_file(&t.reviewer, &case_id, v, &stranger, &economy, "", false).await.unwrap_err();
    assert_eq!(err.code(), "ID_NUMBER_MASKED");
    let revealed = t.app.test_store().audit_after(0, 1_000).await.unwrap();
    assert_eq!(revealed.iter().filter(|e| e.action == "pii.revealed").count(), 1, "one reveal, one entry");
}
