//! `jiujinan supervise` as cron or a second server runs it: two processes sweeping the same
//! database at the same instant (a barrier) fire each of 600 breaches and escalations exactly
//! once, each finding some fired by the other first, on SQLite and on PostgreSQL; a later run
//! finds nothing left, and the audit chain both appended to verifies.
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

/// A valid 18-digit ID number of someone born on 1 January 1960 in 朝阳区 (check digit
/// computed per GB 11643), one per `n`.
fn id_number(n: usize) -> String {
    let body = format!("11010519600101{:03}", n % 1000);
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.chars().zip(weights).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// `cases` reviewed cases of 建外街道, each with three referrals nobody answers, made on
/// 30 September 2026 (three deadlines per case).
async fn prepare(url: &str, cases: usize) {
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
    let mut work = tokio::task::JoinSet::new();
    for n in 0..cases {
        let (app, reviewer) = (app.clone(), reviewer.clone());
        work.spawn(async move {
            let input = LeadInput {
                channel: "window".into(),
                subject: SubjectInput { name: format!("张伟{n}"), id_number: id_number(n), phone: String::new() },
                location_code: "110105001024".into(),
                description: "家中失火".into(),
                urgency: "urgent".into(),
                hardship_types: vec!["FIRE".into()],
                ..Default::default()
            };
            let (lead, _) = app.record_lead(&reviewer, &input, None).await.unwrap();
            let Verified::CaseOpened { case_id, .. } = app
                .verify_lead(&reviewer, &lead.id, 1, Verification::Accept { documents_pending: false })
                .await
                .unwrap()
            else {
                panic!("expected a case")
            };
            app.record_investigation(&reviewer, &case_id, "home_visit", None, "情况属实").await.unwrap();
            app.submit_for_review(&reviewer, &case_id, 1).await.unwrap();
            app.record_review(&reviewer, &case_id, 2, "建议转介", &["refer".into()]).await.unwrap();
            for p in ["medical", "housing", "employment"] {
                let a = ActionInput {
                    route: "refer".into(),
                    programme: p.into(),
                    request: "请办理".into(),
                    ..Default::default()
                };
                app.create_action(&reviewer, &case_id, a).await.unwrap();
            }
        });
        // A few at a time: the writers stay busy without a pile of waiting connections.
        if work.len() >= 8 {
            work.join_next().await.unwrap().unwrap();
        }
    }
    while let Some(done) = work.join_next().await {
        done.unwrap();
    }
    store.close().await;
}

/// (overdue, escalated, fired elsewhere first) printed by one `supervise` run.
fn counts(out: &str) -> (u32, u32, u32) {
    let words: Vec<&str> = out.split_whitespace().collect();
    let after = |w: &str| {
        words
            .iter()
            .position(|x| *x == w)
            .and_then(|i| words.get(i + 1))
            .and_then(|n| n.trim_end_matches(')').parse().ok())
            .unwrap_or_else(|| panic!("no {w} in {out}"))
    };
    (after("overdue"), after("escalated"), after("first:"))
}

/// A few hundred deadlines fall due at once; two `supervise` processes open the database, wait
/// at a barrier and sweep at the same instant. Every breach and escalation fires exactly once,
/// each process finds some already fired by the other (the sweeps really overlapped), and the
/// audit chain both appended to at once verifies.
fn two_processes_fire_once(url: &str) {
    const CASES: usize = 100;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(prepare(url, CASES));
    // The binary must read what the test's store sealed: the test suites' key, in a file.
    let keys = tempfile::tempdir().unwrap();
    let pii_key = keys.path().join("pii.key");
    std::fs::write(&pii_key, jiujinan_store::testing::pii_keys().to_file_text()).unwrap();
    // As on a production PostgreSQL: every process names the same audit key file.
    let audit_key = keys.path().join("audit.key");
    let made = Command::new(BIN).args(["key", "generate", "--out"]).arg(&audit_key).output().unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let barrier = keys.path().join("go");
    // Three working days after 30 September end on the make-up Saturday 10 October; two more
    // (12 and 13 October) bring escalation to the city. On the 20th both are due.
    let command = |args: &[&str]| {
        let mut c = Command::new(BIN);
        c.args(args)
            .args(["--database-url", url])
            .env_remove("JIUJINAN_DATABASE_URL")
            .env_remove("JIUJINAN_CONFIG")
            .env("JIUJINAN_PII_KEY_FILE", &pii_key)
            .env("JIUJINAN_AUDIT_KEY_FILE", &audit_key)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    };
    let spawn = || {
        command(&["supervise", "--at", "2026-10-20T09:00"]).env("JIUJINAN_SUPERVISE_BARRIER", &barrier).spawn().unwrap()
    };
    let (mut a, mut b) = (spawn(), spawn());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let ready = || {
        std::fs::read_dir(keys.path())
            .unwrap()
            .filter(|f| f.as_ref().unwrap().file_name().to_string_lossy().starts_with("go.ready."))
            .count()
    };
    while ready() < 2 {
        assert!(std::time::Instant::now() < deadline, "the two processes did not both open the database");
        for c in [&mut a, &mut b] {
            if let Some(status) = c.try_wait().unwrap() {
                let mut err = String::new();
                std::io::Read::read_to_string(c.stderr.as_mut().unwrap(), &mut err).unwrap();
                panic!("a supervisor stopped before the barrier ({status}): {err}");
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::fs::write(&barrier, b"").unwrap();
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(
        a.status.success() && b.status.success(),
        "{}{}",
        String::from_utf8_lossy(&a.stderr),
        String::from_utf8_lossy(&b.stderr)
    );
    let (ca, cb) = (counts(&String::from_utf8_lossy(&a.stdout)), counts(&String::from_utf8_lossy(&b.stdout)));
    let due = 3 * CASES as u32;
    assert_eq!(ca.0 + cb.0, due, "each breach fired by exactly one process: {ca:?} {cb:?}");
    assert_eq!(ca.1 + cb.1, due, "each escalation fired by exactly one process: {ca:?} {cb:?}");
    assert!(ca.2 > 0 && cb.2 > 0, "each found some fired by the other first: the sweeps overlapped: {ca:?} {cb:?}");
    let again = command(&["supervise", "--at", "2026-10-20T09:05"]).output().unwrap();
    assert_eq!(counts(&String::from_utf8_lossy(&again.stdout)), (0, 0, 0), "nothing fires twice");
    let verified = command(&["audit", "verify"]).output().unwrap();
    let text = String::from_utf8_lossy(&verified.stdout);
    assert!(
        verified.status.success() && text.contains("intact"),
        "the chain both appended to verifies: {text}{}",
        String::from_utf8_lossy(&verified.stderr)
    );
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
        prepare(&url, 1).await;
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
