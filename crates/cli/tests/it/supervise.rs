//! `jiujinan supervise` as cron or a second server runs it: two processes sweeping the same
//! database at the same instant fire each overdue deadline exactly once, on SQLite and on
//! PostgreSQL, and a later run finds nothing left.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};
use std::sync::Arc;

use jiujinan_app::auth::Actor;
use jiujinan_app::calendar::parse_beijing_datetime;
use jiujinan_app::cases::{Verification, Verified};
use jiujinan_app::clock::ManualClock;
use jiujinan_app::dispositions::ActionInput;
use jiujinan_app::leads::{LeadInput, SubjectInput};
use jiujinan_app::org::OrgFiles;
use jiujinan_app::users::{CreateUser, cli_actor};
use jiujinan_app::{App, AppSettings};

const BIN: &str = env!("CARGO_BIN_EXE_jiujinan");

/// A reviewed case of 建外街道 with three referrals nobody answers, made on 30 September 2026.
async fn prepare(url: &str) {
    let store = jiujinan_store::connect(url).await.unwrap();
    store.migrate().await.unwrap();
    let clock = Arc::new(ManualClock::new(parse_beijing_datetime("2026-09-30T10:00").unwrap()));
    let app = App::new(store.clone(), clock, AppSettings::default());
    let files = OrgFiles {
        divisions_name: "d".into(),
        divisions: "code,name,level,parent_code\n11,北京市,city,\n110105,朝阳区,district,11\n110105001,建外街道,street,110105\n"
            .into(),
        communities_name: "c".into(),
        communities: "code,name,street_code\n110105001024,南郎家园社区居委会,110105001\n".into(),
    };
    app.import_org(&cli_actor(), &files).await.unwrap();
    // A drill's database: `supervise --at` writes only on one marked as a demo.
    let audit = cli_actor().audit("instance.marked", ("instance", "demo"), &serde_json::json!({}));
    store.set_mark(jiujinan_store::DEMO_MARK, audit, 0).await.unwrap();
    let req = CreateUser {
        username: "jw_reviewer".into(),
        display_name: String::new(),
        unit: "110105001:mz".into(),
        role: "street_reviewer".into(),
        password: "Good-password-1".into(),
    };
    let reviewer = Actor::from_record(&app.create_user(&cli_actor(), &req).await.unwrap()).unwrap();
    let input = LeadInput {
        channel: "window".into(),
        subject: SubjectInput { name: "张伟".into(), id_number: "11010519491231002X".into(), phone: String::new() },
        location_code: "110105001024".into(),
        description: "家中失火".into(),
        urgency: "urgent".into(),
        hardship_types: vec!["FIRE".into()],
        ..Default::default()
    };
    let (lead, _) = app.record_lead(&reviewer, &input, None).await.unwrap();
    let Verified::CaseOpened { case_id, .. } =
        app.verify_lead(&reviewer, &lead.id, 1, Verification::Accept { documents_pending: false }).await.unwrap()
    else {
        panic!("expected a case")
    };
    app.record_investigation(&reviewer, &case_id, "home_visit", None, "情况属实").await.unwrap();
    app.submit_for_review(&reviewer, &case_id, 1).await.unwrap();
    app.record_review(&reviewer, &case_id, 2, "建议转介", &["refer".into()]).await.unwrap();
    for p in ["medical", "housing", "employment"] {
        let a =
            ActionInput {
                route: "refer".into(), programme: p.into(), request: "请办理".into(), ..Default::default()
            };
        app.create_action(&reviewer, &case_id, a).await.unwrap();
    }
    store.close().await;
}

/// (overdue, escalated) printed by one `supervise` run.
fn counts(out: &str) -> (u32, u32) {
    let words: Vec<&str> = out.split_whitespace().collect();
    let after =
        |w: &str| words.iter().position(|x| *x == w).and_then(|i| words.get(i + 1)).and_then(|n| n.parse().ok());
    (after("overdue").unwrap_or_else(|| panic!("{out}")), after("escalated").unwrap_or_else(|| panic!("{out}")))
}

fn two_processes_fire_once(url: &str) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(prepare(url));
    // The binary must read what the test's store sealed: the test suites' key, in a file.
    let keys = tempfile::tempdir().unwrap();
    let pii_key = keys.path().join("pii.key");
    std::fs::write(&pii_key, jiujinan_store::testing::pii_keys().to_file_text()).unwrap();
    // Three working days after 30 September end on the make-up Saturday 10 October; two more
    // (12 and 13 October) bring escalation to the city. On the 20th both are due.
    let spawn = || {
        Command::new(BIN)
            .args(["supervise", "--at", "2026-10-20T09:00", "--database-url", url])
            .env_remove("JIUJINAN_DATABASE_URL")
            .env_remove("JIUJINAN_CONFIG")
            .env("JIUJINAN_PII_KEY_FILE", &pii_key)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(
        a.status.success() && b.status.success(),
        "{}{}",
        String::from_utf8_lossy(&a.stderr),
        String::from_utf8_lossy(&b.stderr)
    );
    let (ca, cb) = (counts(&String::from_utf8_lossy(&a.stdout)), counts(&String::from_utf8_lossy(&b.stdout)));
    assert_eq!(ca.0 + cb.0, 3, "each breach fired by exactly one process: {ca:?} {cb:?}");
    assert_eq!(ca.1 + cb.1, 3, "each escalation fired by exactly one process: {ca:?} {cb:?}");
    let again = Command::new(BIN)
        .args(["supervise", "--at", "2026-10-20T09:05", "--database-url", url])
        .env_remove("JIUJINAN_DATABASE_URL")
        .env("JIUJINAN_PII_KEY_FILE", &pii_key)
        .output()
        .unwrap();
    assert_eq!(counts(&String::from_utf8_lossy(&again.stdout)), (0, 0), "nothing fires twice");
    let bad = Command::new(BIN).args(["supervise", "--at", "next week", "--database-url", url]).output().unwrap();
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("2026-10-12T09:00"));
}

fn city() -> jiujinan_domain::jurisdiction::Jurisdiction {
    let unit = jiujinan_domain::org::UnitCode::parse("11:mz").unwrap();
    jiujinan_domain::jurisdiction::Jurisdiction::for_unit(&unit, jiujinan_domain::org::UnitKind::CivilAffairs)
}

/// A drill at a made-up time writes nothing on a database that is not a demo; a dry run says
/// what would fire and writes nothing either.
#[test]
fn a_drill_on_a_real_database_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/j.db", dir.path().display());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        prepare(&url).await;
        // Made real: the mark goes (as on a database never made by `serve --demo`).
        let store = jiujinan_store::connect(&url).await.unwrap();
        store.raw_execute_for_tests("DELETE FROM instance_marks").await.unwrap();
        store.close().await;
    });
    let keys = tempfile::tempdir().unwrap();
    let pii_key = keys.path().join("pii.key");
    std::fs::write(&pii_key, jiujinan_store::testing::pii_keys().to_file_text()).unwrap();
    let run = |args: &[&str]| {
        Command::new(BIN)
            .arg("supervise")
            .args(args)
            .args(["--database-url", &url])
            .env_remove("JIUJINAN_DATABASE_URL")
            .env_remove("JIUJINAN_CONFIG")
            .env("JIUJINAN_PII_KEY_FILE", &pii_key)
            .output()
            .unwrap()
    };
    let refused = run(&["--at", "2026-10-20T09:00"]);
    assert!(!refused.status.success(), "{}", String::from_utf8_lossy(&refused.stdout));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--dry-run"));
    let dry = run(&["--at", "2026-10-20T09:00", "--dry-run"]);
    assert!(dry.status.success(), "{}", String::from_utf8_lossy(&dry.stderr));
    assert!(
        String::from_utf8_lossy(&dry.stdout).contains("dry run: 3 deadline(s)"),
        "{}",
        String::from_utf8_lossy(&dry.stdout)
    );
    let items = rt.block_on(async {
        let store = jiujinan_store::connect(&url).await.unwrap();
        let n = store.supervision_items(&city(), false, 100).await.unwrap().len();
        store.close().await;
        n
    });
    assert_eq!(items, 0, "no 督办 item was written");
}

#[test]
fn two_supervise_processes_on_one_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    two_processes_fire_once(&format!("sqlite://{}/j.db", dir.path().display()));
}

#[test]
fn two_supervise_processes_on_one_postgresql() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let Some(url) = rt.block_on(jiujinan_store::testing::fresh_postgres_url()) else { return };
    drop(rt);
    two_processes_fire_once(&url);
}
