//! The store conformance suite: every behaviour, on SQLite and on PostgreSQL.
//!
//! Each test is an `async fn(Arc<dyn Store>)`; `both!` runs it once per backend on a fresh
//! database. PostgreSQL runs when `JIUJINAN_TEST_PG_URL` is set (scripts/test.sh starts a
//! throwaway server) and is mandatory when `JIUJINAN_REQUIRE_PG=1`.

use std::sync::Arc;

use jiujinan_domain::audit::{AuditDraft, ChainVerifier, action};
use jiujinan_domain::case::{CaseStatus, Route};
use jiujinan_domain::disposition::ActionStatus;
use jiujinan_domain::jurisdiction::Jurisdiction;
use jiujinan_domain::lead::{Channel, LeadStatus, Urgency};
use jiujinan_domain::org::{DivisionCode, DivisionRow, UnitCode, UnitKind, units_for_divisions};
use jiujinan_store::testing::{fresh_postgres, fresh_sqlite};
use jiujinan_store::*;
use serde_json::json;

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let (store, _dir) = super::fresh_sqlite().await;
                super::$name(store).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(store) = super::fresh_postgres().await {
                    super::$name(store).await;
                }
            })*
        }
    };
}

both!(
    every_connection_reports_its_durability_settings,
    migrations_are_idempotent,
    org_import_is_idempotent_and_detects_changes,
    org_tree_and_search,
    users_are_unique_and_scoped,
    optimistic_concurrency_on_users,
    sessions_expire_and_end,
    login_throttle_counts_and_clears,
    concurrent_login_failures_each_count,
    api_tokens_are_revocable,
    audit_chain_links_and_verifies,
    audit_log_rejects_update_and_delete,
    audit_reads_are_scoped,
    concurrent_appends_keep_one_chain,
    leads_get_numbers_timeline_and_audit,
    duplicates_link_to_the_first_open_lead,
    idempotent_creates_replay_or_conflict,
    concurrent_retries_create_one_lead,
    lead_queue_sorts_filters_and_searches,
    verification_time_limits_are_rule_data,
    leads_and_cases_run_on_clocks_and_their_items_take_notes,
    accepting_a_lead_opens_a_numbered_case_once,
    leads_close_as_not_accepted_transferred_or_merged,
    the_case_file_guards_against_lost_updates,
    investigations_and_review_move_the_case,
    concurrent_writes_with_failures_commit_only_the_successes,
    intake_and_other_writes_interleave_on_one_chain,
    a_failing_lead_rolls_back_alone,
    an_audit_entry_the_database_refuses_fails_alone,
    a_form_submission_is_claimed_once,
    a_batch_rolled_back_under_its_callers_tells_each_the_truth,
    actions_move_only_from_the_expected_state,
    an_unknown_code_in_a_row_is_corrupt_data,
    inbox_pages_read_clocks_and_cases_in_batches,
    a_deadline_fires_once_under_concurrent_supervisors,
    rule_data_is_dated_and_editable,
);

const T0: i64 = 1_790_000_000_000;

fn draft(action: &str, division: &str) -> AuditDraft {
    AuditDraft::new("tester", "11:mz", division, action, ("test", "1"), &json!({"k": "v"}))
}

fn div(code: &str, name: &str) -> DivisionRow {
    let code = DivisionCode::parse(code).unwrap();
    DivisionRow { parent: code.parent(), code, name: name.into() }
}

fn sample_rows() -> Vec<DivisionRow> {
    vec![
        div("11", "北京市"),
        div("110105", "朝阳区"),
        div("110108", "海淀区"),
        div("110105001", "建外街道"),
        div("110108001", "八里庄街道"),
        div("110105001024", "南郎家园社区居委会"),
        div("110108001001", "时村"),
    ]
}

async fn seed_org(store: &Arc<dyn Store>) -> ImportCounts {
    let units = units_for_divisions(&sample_rows());
    store.import_units(&units, T0, draft(action::ORG_IMPORTED, "11")).await.unwrap()
}

fn user_row(id: &str, username: &str, unit: &str, division: &str) -> NewUserRow {
    NewUserRow {
        id: id.into(),
        username: username.into(),
        display_name: username.into(),
        unit_code: unit.into(),
        division: division.into(),
        role: "admin".into(),
        password_hash: "$argon2id$fake".into(),
    }
}

fn scope(unit: &str) -> Jurisdiction {
    Jurisdiction::for_unit(&UnitCode::parse(unit).unwrap(), UnitKind::Government)
}

async fn verify(store: &Arc<dyn Store>) -> Result<i64, jiujinan_domain::audit::ChainBreak> {
    let mut v = ChainVerifier::default();
    for e in store.audit_after(0, 100_000).await.unwrap() {
        v.check(&e)?;
    }
    v.finish(store.audit_head().await.unwrap())
}

async fn migrations_are_idempotent(store: Arc<dyn Store>) {
    assert!(store.migrate().await.unwrap().is_empty(), "second run applies nothing");
    store.ping().await.unwrap();
}

async fn org_import_is_idempotent_and_detects_changes(store: Arc<dyn Store>) {
    let first = seed_org(&store).await;
    let total = units_for_divisions(&sample_rows()).len() as i64;
    assert_eq!(first, ImportCounts { inserted: total, updated: 0, unchanged: 0 });
    let again = seed_org(&store).await;
    assert_eq!(again, ImportCounts { inserted: 0, updated: 0, unchanged: total });

    let mut rows = sample_rows();
    rows[3].name = "建国门外街道".into();
    let units = units_for_divisions(&rows);
    let changed = store.import_units(&units, T0 + 1, draft(action::ORG_IMPORTED, "11")).await.unwrap();
    assert_eq!(changed.updated, 2, "the street and its handling office are renamed");
    let u = store.unit(&UnitCode::parse("110105001:mz").unwrap()).await.unwrap().unwrap();
    assert_eq!(u.name, "建国门外街道社会救助受理窗口");
    let entries = store.audit_after(0, 100).await.unwrap();
    assert_eq!(entries.len(), 3, "each import is audited");
    assert!(entries[2].detail.contains("\"updated\":2"));
}

async fn org_tree_and_search(store: Arc<dyn Store>) {
    seed_org(&store).await;
    let kids = store.child_units(&UnitCode::parse("110105").unwrap()).await.unwrap();
    let codes: Vec<&str> = kids.iter().map(|k| k.unit.code.as_str()).collect();
    assert_eq!(codes, ["110105:jw", "110105:jzz", "110105:mz", "110105:rs", "110105:wj", "110105:zj", "110105001"]);
    let street = kids.iter().find(|k| k.unit.code == "110105001").unwrap();
    assert_eq!(street.children, 2, "handling office and one community");

    let hits = store.search_units("时村", UnitSearch::Any, 10).await.unwrap();
    assert_eq!(hits.len(), 1, "two-character names are found");
    assert_eq!(hits[0].code, "110108001001");
    let hits = store.search_units("朝阳", UnitSearch::Any, 50).await.unwrap();
    assert_eq!(hits[0].code, "110105", "the district comes before its departments");
    assert!(hits.len() >= 7);
    assert!(store.search_units("%", UnitSearch::Any, 10).await.unwrap().is_empty(), "LIKE wildcards are literal");
    let places = store.search_units("街道", UnitSearch::Place, 50).await.unwrap();
    let codes: Vec<&str> = places.iter().map(|u| u.code.as_str()).collect();
    assert_eq!(codes, ["110105001", "110108001"], "streets, not their offices");
    let offices = store.search_units("街道", UnitSearch::CivilAffairs, 1).await.unwrap();
    assert_eq!(offices.iter().map(|u| u.kind.as_str()).collect::<Vec<_>>(), ["assistance_office"], "kind before limit");
    assert_eq!(store.search_units("110108", UnitSearch::Any, 50).await.unwrap()[0].code, "110108");
    let counts = store.unit_counts().await.unwrap();
    let communities: i64 = counts.iter().filter(|c| c.level == "community").map(|c| c.count).sum();
    assert_eq!(communities, 2);
}

async fn users_are_unique_and_scoped(store: Arc<dyn Store>) {
    seed_org(&store).await;
    let a = user_row("u1", "cy_admin", "110105:mz", "110105");
    store.insert_user(&a, draft(action::USER_CREATED, "110105"), T0).await.unwrap();
    store
        .insert_user(&user_row("u2", "hd_admin", "110108:mz", "110108"), draft(action::USER_CREATED, "110108"), T0)
        .await
        .unwrap();
    store
        .insert_user(
            &user_row("u3", "jw_clerk", "110105001:mz", "110105001"),
            draft(action::USER_CREATED, "110105001"),
            T0,
        )
        .await
        .unwrap();
    let dup = store
        .insert_user(&user_row("u4", "cy_admin", "110105:mz", "110105"), draft(action::USER_CREATED, "110105"), T0)
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(Conflict::UsernameTaken))), "{dup:?}");
    let bad_unit =
        store.insert_user(&user_row("u5", "ghost", "999999:mz", "999999"), draft(action::USER_CREATED, "11"), T0).await;
    assert!(matches!(bad_unit, Err(StoreError::NotFound)));
    assert_eq!(store.audit_after(0, 100).await.unwrap().len(), 4, "failed inserts leave no audit entry");

    let names = |v: Vec<UserRecord>| v.into_iter().map(|u| u.username).collect::<Vec<_>>();
    assert_eq!(names(store.list_users(&scope("110105")).await.unwrap()), ["cy_admin", "jw_clerk"]);
    assert_eq!(names(store.list_users(&scope("110105001")).await.unwrap()), ["jw_clerk"]);
    assert_eq!(store.list_users(&scope("11")).await.unwrap().len(), 3);
    assert!(store.user_in_scope(&scope("110108"), "u1").await.unwrap().is_none());
    let u = store.user_in_scope(&scope("110105"), "u1").await.unwrap().unwrap();
    assert_eq!(u.unit_name, "朝阳区民政局");
    assert_eq!(u.unit_kind, "civil_affairs");
    assert!(!u.disabled);
}

async fn optimistic_concurrency_on_users(store: Arc<dyn Store>) {
    seed_org(&store).await;
    store
        .insert_user(&user_row("u1", "cy_admin", "110105:mz", "110105"), draft(action::USER_CREATED, "110105"), T0)
        .await
        .unwrap();
    store.set_user_disabled("u1", true, 1, draft(action::USER_DISABLED, "110105"), T0).await.unwrap();
    let stale = store.set_user_disabled("u1", false, 1, draft(action::USER_ENABLED, "110105"), T0).await;
    assert!(matches!(stale, Err(StoreError::Conflict(Conflict::StaleVersion))), "{stale:?}");
    let missing = store.set_user_disabled("nobody", false, 1, draft(action::USER_ENABLED, "110105"), T0).await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
    let u = store.user_by_username("cy_admin").await.unwrap().unwrap();
    assert!(u.disabled);
    assert_eq!(u.version, 2);
}

async fn sessions_expire_and_end(store: Arc<dyn Store>) {
    seed_org(&store).await;
    store
        .insert_user(&user_row("u1", "cy_admin", "110105:mz", "110105"), draft(action::USER_CREATED, "110105"), T0)
        .await
        .unwrap();
    let s = NewSession {
        token_hash: "h1".into(),
        user_id: "u1".into(),
        username: "cy_admin".into(),
        csrf_token: "c1".into(),
        expires_ms: T0 + 1000,
    };
    store.record_login_success(&s, draft(action::LOGIN, "110105"), T0).await.unwrap();
    let live = store.session("h1", T0 + 999).await.unwrap().unwrap();
    assert_eq!(live.user.username, "cy_admin");
    assert_eq!(live.csrf_token, "c1");
    assert!(store.session("h1", T0 + 1000).await.unwrap().is_none(), "expired");
    store.delete_session("h1", Some(draft(action::LOGOUT, "110105")), T0).await.unwrap();
    assert!(store.session("h1", T0).await.unwrap().is_none(), "logged out");

    let s2 = NewSession { token_hash: "h2".into(), expires_ms: T0 + 10_000, ..s };
    store.record_login_success(&s2, draft(action::LOGIN, "110105"), T0).await.unwrap();
    store.set_user_disabled("u1", true, 1, draft(action::USER_DISABLED, "110105"), T0).await.unwrap();
    assert!(store.session("h2", T0).await.unwrap().is_none(), "disabling ends sessions");
}

/// Twenty wrong passwords at the same instant from one address for one name: each counts (a
/// read-then-write count lost updates on PostgreSQL and let parallel guessers past the lock).
async fn concurrent_login_failures_each_count(store: Arc<dyn Store>) {
    seed_org(&store).await;
    let lax = LockoutPolicy { max_failures: 1_000, lock_ms: 60_000, max_lock_ms: 120_000 };
    let policy = ThrottlePolicy { name: lax, address: lax, address_quiet_ms: 3_600_000 };
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .record_login_failure("victim", Some("198.51.100.7"), policy, draft(action::LOGIN_FAILED, "11"), T0)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut seen = Vec::new();
    for t in tasks {
        let (name, address) = t.await.unwrap();
        seen.push((name.failures, address.map(|a| a.failures)));
    }
    let mut names: Vec<i64> = seen.iter().map(|s| s.0).collect();
    names.sort_unstable();
    assert_eq!(names, (1..=20).collect::<Vec<_>>(), "every failure counted once");
    let mut addresses: Vec<i64> = seen.iter().filter_map(|s| s.1).collect();
    addresses.sort_unstable();
    assert_eq!(addresses, (1..=20).collect::<Vec<_>>());
}

async fn login_throttle_counts_and_clears(store: Arc<dyn Store>) {
    seed_org(&store).await;
    store
        .insert_user(&user_row("u1", "cy_admin", "110105:mz", "110105"), draft(action::USER_CREATED, "110105"), T0)
        .await
        .unwrap();
    let name = LockoutPolicy { max_failures: 3, lock_ms: 60_000, max_lock_ms: 120_000 };
    let address = LockoutPolicy { max_failures: 4, lock_ms: 600_000, max_lock_ms: 6_000_000 };
    let policy = ThrottlePolicy { name, address, address_quiet_ms: 3_600_000 };
    for i in 1..=2 {
        let t =
            store.record_login_failure("nobody", None, policy, draft(action::LOGIN_FAILED, "11"), T0).await.unwrap();
        assert_eq!(t, (LoginThrottle { failures: i, locked_until_ms: 0 }, None));
    }
    let (t, _) =
        store.record_login_failure("nobody", None, policy, draft(action::LOGIN_FAILED, "11"), T0).await.unwrap();
    assert_eq!(t.locked_until_ms, T0 + 60_000, "unknown names lock like real ones");
    assert_eq!(store.login_throttle("nobody").await.unwrap(), Some(t));
    let (t, _) =
        store.record_login_failure("nobody", None, policy, draft(action::LOGIN_FAILED, "11"), T0).await.unwrap();
    assert_eq!(t.locked_until_ms, T0 + 120_000, "a name's lock doubles up to its cap");
    let (t, _) =
        store.record_login_failure("nobody", None, policy, draft(action::LOGIN_FAILED, "11"), T0).await.unwrap();
    assert_eq!(t.locked_until_ms, T0 + 120_000, "and no further");

    // An address counts across names, locks and grows past the name's cap.
    for (i, n) in ["a", "b", "c", "d", "e"].into_iter().enumerate() {
        let (_, a) = store
            .record_login_failure(n, Some("203.0.113.7"), policy, draft(action::LOGIN_FAILED, "11"), T0)
            .await
            .unwrap();
        let a = a.unwrap();
        assert_eq!(a.failures, i as i64 + 1);
        assert_eq!(a.locked_until_ms, [0, 0, 0, T0 + 600_000, T0 + 1_200_000][i]);
    }
    assert_eq!(store.address_throttle("203.0.113.7", 3_600_000, T0).await.unwrap().unwrap().failures, 5);
    assert_eq!(store.address_throttle("198.51.100.1", 3_600_000, T0).await.unwrap(), None);
    // Quiet for an hour after the lock ended: the address starts again from one.
    let later = T0 + 1_200_000 + 3_600_000 + 1;
    assert_eq!(store.address_throttle("203.0.113.7", 3_600_000, later).await.unwrap(), None);
    let (_, a) = store
        .record_login_failure("f", Some("203.0.113.7"), policy, draft(action::LOGIN_FAILED, "11"), later)
        .await
        .unwrap();
    assert_eq!(a, Some(LoginThrottle { failures: 1, locked_until_ms: 0 }));

    store.record_login_failure("cy_admin", None, policy, draft(action::LOGIN_FAILED, "11"), T0).await.unwrap();
    let s = NewSession {
        token_hash: "h".into(),
        user_id: "u1".into(),
        username: "cy_admin".into(),
        csrf_token: "c".into(),
        expires_ms: T0 + 1,
    };
    store.record_login_success(&s, draft(action::LOGIN, "110105"), T0).await.unwrap();
    assert_eq!(store.login_throttle("cy_admin").await.unwrap(), None, "success clears failures");
}

async fn api_tokens_are_revocable(store: Arc<dyn Store>) {
    seed_org(&store).await;
    store
        .insert_user(&user_row("u1", "hotline", "110105:mz", "110105"), draft(action::USER_CREATED, "110105"), T0)
        .await
        .unwrap();
    let t = NewApiToken { id: "t1".into(), user_id: "u1".into(), name: "12345".into(), token_hash: "th".into() };
    store.insert_api_token(&t, draft(action::TOKEN_ISSUED, "110105"), T0).await.unwrap();
    assert_eq!(store.api_token("th").await.unwrap().unwrap().user.username, "hotline");
    assert!(store.api_token("other").await.unwrap().is_none());
    store.revoke_api_token("t1", draft(action::TOKEN_REVOKED, "110105"), T0 + 5).await.unwrap();
    assert!(store.api_token("th").await.unwrap().is_none());
    assert!(matches!(
        store.revoke_api_token("t1", draft(action::TOKEN_REVOKED, "110105"), T0).await,
        Err(StoreError::NotFound)
    ));
    let infos = store.api_tokens_of("u1").await.unwrap();
    assert_eq!(
        infos,
        [ApiTokenInfo { id: "t1".into(), name: "12345".into(), created_ms: T0, revoked_ms: Some(T0 + 5) }]
    );
}

async fn audit_chain_links_and_verifies(store: Arc<dyn Store>) {
    assert_eq!(verify(&store).await, Ok(0), "an empty log verifies");
    for i in 0..5 {
        let e = store.append_audit(draft(action::LOGIN_FAILED, "11"), T0 + i).await.unwrap();
        assert_eq!(e.seq, i + 1);
    }
    let entries = store.audit_after(0, 100).await.unwrap();
    assert_eq!(entries[3].prev_hash, entries[2].hash);
    assert_eq!(store.audit_head().await.unwrap(), Some((5, entries[4].hash.clone())));
    assert_eq!(verify(&store).await, Ok(5));
    assert_eq!(store.audit_after(3, 1).await.unwrap()[0].seq, 4, "paging by sequence");
}

async fn audit_log_rejects_update_and_delete(store: Arc<dyn Store>) {
    store.append_audit(draft(action::LOGIN_FAILED, "11"), T0).await.unwrap();
    let probe = store.clone();
    let err = raw_exec(&probe, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 1").await;
    assert!(err.is_err(), "UPDATE must be rejected");
    let err = raw_exec(&probe, "DELETE FROM audit_log WHERE seq = 1").await;
    assert!(err.is_err(), "DELETE must be rejected");
    assert_eq!(verify(&store).await, Ok(1));
}

/// Runs raw SQL against the store's database, as an attacker with a database shell would.
async fn raw_exec(store: &Arc<dyn Store>, sql: &'static str) -> Result<(), StoreError> {
    store.raw_execute_for_tests(sql).await
}

async fn audit_reads_are_scoped(store: Arc<dyn Store>) {
    store.append_audit(draft(action::LOGIN, "110105"), T0).await.unwrap();
    store.append_audit(draft(action::LOGIN, "110108"), T0).await.unwrap();
    store.append_audit(draft(action::LOGIN, "110105001"), T0).await.unwrap();
    let seqs = |v: Vec<jiujinan_domain::audit::AuditEntry>| v.into_iter().map(|e| e.seq).collect::<Vec<_>>();
    assert_eq!(seqs(store.audit_page(&scope("110105"), None, 10).await.unwrap()), [3, 1]);
    assert_eq!(seqs(store.audit_page(&scope("11"), None, 10).await.unwrap()), [3, 2, 1]);
    assert_eq!(seqs(store.audit_page(&scope("11"), Some(3), 1).await.unwrap()), [2]);
}

async fn concurrent_appends_keep_one_chain(store: Arc<dyn Store>) {
    let mut tasks = Vec::new();
    for i in 0..40 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move { s.append_audit(draft(action::LOGIN, "11"), T0 + i).await }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(verify(&store).await, Ok(40));
}

fn lead_row(id: &str, name: &str, id_number: Option<&str>, urgency: Urgency, due: i64) -> NewLeadRow {
    NewLeadRow {
        id: id.into(),
        channel: Channel::Window,
        reporter_name: name.into(),
        reporter_phone: None,
        reporter_relation: "self".into(),
        subject_name: name.into(),
        subject_id_number: id_number.map(Into::into),
        subject_phone: Some("13800138000".into()),
        hukou: "110105".into(),
        location_code: "110105001024".into(),
        address: String::new(),
        division: "110105001024".into(),
        street: "110105001".into(),
        year: 2026,
        responsible_unit: "110105001:mz".into(),
        first_inquiry_unit: "110105001:mz".into(),
        first_inquiry_user: "jw_clerk".into(),
        description: "家中失火".into(),
        hardship_types: "FIRE".into(),
        urgency,
        needs: String::new(),
        verify_due_ms: due,
        verify_clock: VerifyClock {
            rule: "limits/verify/urgent@0".into(),
            warn_ms: due,
            escalate_days: 1,
            responsible_user: "jw_clerk".into(),
        },
        duplicate_window_start_ms: T0 - 30 * 86_400_000,
    }
}

fn created(c: Created) -> LeadReceipt {
    match c {
        Created::New(r) => r,
        Created::Replayed(r) => panic!("unexpected replay {r:?}"),
    }
}

async fn leads_get_numbers_timeline_and_audit(store: Arc<dyn Store>) {
    let a = created(
        store
            .create_lead(
                &lead_row("l1", "张伟", None, Urgency::Urgent, T0 + 10),
                None,
                draft("lead.created", "110105001024"),
                T0,
            )
            .await
            .unwrap(),
    );
    let b = created(
        store
            .create_lead(
                &lead_row("l2", "王芳", None, Urgency::Urgent, T0 + 10),
                None,
                draft("lead.created", "110105001024"),
                T0,
            )
            .await
            .unwrap(),
    );
    assert_eq!(a.number, "L110105001-2026-000001");
    assert_eq!(b.number, "L110105001-2026-000002");
    assert_eq!(a.status, LeadStatus::New);
    let stored = store.lead("l1").await.unwrap().unwrap();
    assert_eq!(
        (stored.subject_name.as_str(), stored.responsible_unit.as_str(), stored.version),
        ("张伟", "110105001:mz", 1)
    );
    let tl = store.timeline("l1").await.unwrap();
    assert_eq!(tl.len(), 1);
    assert_eq!((tl[0].step.as_str(), tl[0].actor.as_str()), ("reported", "jw_clerk"));
    let audit = store.audit_after(0, 10).await.unwrap();
    assert_eq!((audit[0].action.as_str(), audit[0].entity_id.as_str()), ("lead.created", "l1"));
    assert!(store.lead("nope").await.unwrap().is_none());
}

async fn duplicates_link_to_the_first_open_lead(store: Arc<dyn Store>) {
    let id = Some("11010519491231002X");
    let first = created(
        store
            .create_lead(&lead_row("l1", "张伟", id, Urgency::Urgent, T0), None, draft("lead.created", "110105"), T0)
            .await
            .unwrap(),
    );
    assert_eq!(first.duplicate_of, None);
    let second = created(
        store
            .create_lead(&lead_row("l2", "张伟", id, Urgency::Urgent, T0), None, draft("lead.created", "110105"), T0)
            .await
            .unwrap(),
    );
    assert_eq!(second.duplicate_of.as_deref(), Some("l1"));
    let by_phone = created(
        store
            .create_lead(&lead_row("l3", "王芳", None, Urgency::Urgent, T0), None, draft("lead.created", "110105"), T0)
            .await
            .unwrap(),
    );
    assert_eq!(by_phone.duplicate_of, None, "another name with the same phone is another person");
    let same_name_phone = created(
        store
            .create_lead(&lead_row("l4", "王芳", None, Urgency::Urgent, T0), None, draft("lead.created", "110105"), T0)
            .await
            .unwrap(),
    );
    assert_eq!(same_name_phone.duplicate_of.as_deref(), Some("l3"));
    let mut old = lead_row("l5", "李娜", Some("440524188001010014"), Urgency::Urgent, T0);
    old.duplicate_window_start_ms = T0 + 1;
    store.create_lead(&old, None, draft("lead.created", "110105"), T0).await.unwrap();
    let mut later = lead_row("l6", "李娜", Some("440524188001010014"), Urgency::Urgent, T0);
    later.duplicate_window_start_ms = T0 + 1;
    let r = created(store.create_lead(&later, None, draft("lead.created", "110105"), T0).await.unwrap());
    assert_eq!(r.duplicate_of, None, "leads older than the window are not duplicates");
    let steps: Vec<String> = store.timeline("l2").await.unwrap().into_iter().map(|t| t.step).collect();
    assert_eq!(steps, ["reported", "duplicate_flagged"]);
}

async fn idempotent_creates_replay_or_conflict(store: Arc<dyn Store>) {
    let key = IdempotencyKey { actor: "hotline".into(), key: "k-1".into(), request_hash: "h1".into() };
    let first = created(
        store
            .create_lead(
                &lead_row("l1", "张伟", None, Urgency::Urgent, T0),
                Some(&key),
                draft("lead.created", "110105"),
                T0,
            )
            .await
            .unwrap(),
    );
    let again = store
        .create_lead(
            &lead_row("l2", "张伟", None, Urgency::Urgent, T0),
            Some(&key),
            draft("lead.created", "110105"),
            T0,
        )
        .await
        .unwrap();
    assert_eq!(again, Created::Replayed(first.clone()), "the same key and body answer the first reply");
    assert!(store.lead("l2").await.unwrap().is_none(), "and create nothing");
    let other_body = IdempotencyKey { request_hash: "h2".into(), ..key.clone() };
    let conflict = store
        .create_lead(
            &lead_row("l3", "张伟", None, Urgency::Urgent, T0),
            Some(&other_body),
            draft("lead.created", "110105"),
            T0,
        )
        .await;
    assert!(matches!(conflict, Err(StoreError::Conflict(Conflict::IdempotencyKeyReused))), "{conflict:?}");
    let other_actor = IdempotencyKey { actor: "12349".into(), ..key };
    assert!(
        matches!(
            store
                .create_lead(
                    &lead_row("l4", "张伟", None, Urgency::Urgent, T0),
                    Some(&other_actor),
                    draft("lead.created", "110105"),
                    T0
                )
                .await,
            Ok(Created::New(_))
        ),
        "keys are per caller"
    );
    assert_eq!(store.audit_after(0, 10).await.unwrap().len(), 2, "replays and conflicts write nothing");
}

async fn concurrent_retries_create_one_lead(store: Arc<dyn Store>) {
    let mut tasks = Vec::new();
    for i in 0..16 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            let key = IdempotencyKey { actor: "hotline".into(), key: "same".into(), request_hash: "h".into() };
            s.create_lead(
                &lead_row(&format!("c{i}"), "张伟", None, Urgency::Urgent, T0),
                Some(&key),
                draft("lead.created", "110105"),
                T0,
            )
            .await
        }));
    }
    let mut new = 0;
    let mut ids = std::collections::HashSet::new();
    for t in tasks {
        match t.await.unwrap().unwrap() {
            Created::New(r) => {
                new += 1;
                ids.insert(r.id);
            }
            Created::Replayed(r) => {
                ids.insert(r.id);
            }
        }
    }
    assert_eq!((new, ids.len()), (1, 1), "one lead, and every retry got its reply");
    let all = store.list_leads(&scope("11"), &LeadFilter { limit: 100, ..Default::default() }).await.unwrap();
    assert_eq!(all.len(), 1);
}

async fn lead_queue_sorts_filters_and_searches(store: Arc<dyn Store>) {
    let rows = [
        lead_row("n1", "赵敏", None, Urgency::Normal, T0 + 300),
        lead_row("c1", "钱程", Some("11010519491231002X"), Urgency::Critical, T0 + 200),
        lead_row("u1", "孙悦", None, Urgency::Urgent, T0 + 100),
        lead_row("u2", "李雷", None, Urgency::Urgent, T0 + 50),
    ];
    for r in &rows {
        store.create_lead(r, None, draft("lead.created", "110105"), T0).await.unwrap();
    }
    let mut elsewhere = lead_row("h1", "周星", None, Urgency::Critical, T0);
    elsewhere.division = "110108001001".into();
    elsewhere.street = "110108001".into();
    store.create_lead(&elsewhere, None, draft("lead.created", "110108"), T0).await.unwrap();

    let ids = |v: Vec<LeadRecord>| v.into_iter().map(|l| l.id).collect::<Vec<_>>();
    let all = LeadFilter { limit: 50, ..Default::default() };
    assert_eq!(
        ids(store.list_leads(&scope("110105001"), &all).await.unwrap()),
        ["c1", "u2", "u1", "n1"],
        "urgency, then deadline"
    );
    assert_eq!(store.list_leads(&scope("11"), &all).await.unwrap().len(), 5);
    assert_eq!(ids(store.list_leads(&scope("110108"), &all).await.unwrap()), ["h1"]);
    let f = |search: &str| LeadFilter { search: Some(search.into()), limit: 50, ..Default::default() };
    assert_eq!(ids(store.list_leads(&scope("110105"), &f("孙悦")).await.unwrap()), ["u1"], "two-character names match");
    assert_eq!(
        ids(store.list_leads(&scope("110105"), &f("11010519491231002x")).await.unwrap()),
        ["c1"],
        "ID number, any case"
    );
    assert_eq!(
        ids(store.list_leads(&scope("110105"), &f("L110105001-2026-000004")).await.unwrap()),
        ["u2"],
        "lead number"
    );
    assert_eq!(store.list_leads(&scope("110105"), &f("13800138000")).await.unwrap().len(), 4, "phone");
    assert!(store.list_leads(&scope("110105"), &f("%")).await.unwrap().is_empty());
    let urgent = LeadFilter { urgency: Some("urgent".into()), limit: 50, ..Default::default() };
    assert_eq!(ids(store.list_leads(&scope("110105"), &urgent).await.unwrap()), ["u2", "u1"]);
    let overdue = LeadFilter { overdue_at_ms: Some(T0 + 150), limit: 50, ..Default::default() };
    assert_eq!(ids(store.list_leads(&scope("110105"), &overdue).await.unwrap()), ["u2", "u1"]);
    let page = LeadFilter { limit: 2, offset: 2, ..Default::default() };
    assert_eq!(ids(store.list_leads(&scope("110105"), &page).await.unwrap()), ["u1", "n1"]);
    assert_eq!(store.count_leads(&scope("110105")).await.unwrap(), [("new".to_owned(), 4)]);
}

async fn verification_time_limits_are_rule_data(store: Arc<dyn Store>) {
    let critical = store.time_limit("verify", "critical", T0).await.unwrap().unwrap();
    assert_eq!(
        critical,
        TimeLimit { hours: 2, placeholder: true, warn_hours: 1, escalate_after_days: 1, effective_from: 0 }
    );
    assert_eq!(store.time_limit("verify", "normal", T0).await.unwrap().unwrap().hours, 72);
    assert!(store.time_limit("approve", "normal", T0).await.unwrap().is_none());
}

fn who() -> Who {
    Who { user: "jw_reviewer".into(), unit: "110105001:mz".into() }
}

fn new_case(id: &str) -> NewCaseRow {
    NewCaseRow {
        id: id.into(),
        street: "110105001".into(),
        year: 2026,
        responsible_user: "jw_reviewer".into(),
        documents_pending: true,
        step_due_ms: T0 + 99,
        clock: NewDeadline {
            id: format!("{id}-investigate"),
            subject_type: "case".into(),
            subject_id: id.into(),
            case_id: id.into(),
            case_number: String::new(),
            division: "110105001024".into(),
            step: "case.investigate".into(),
            rule: "limits/investigate/urgent@0".into(),
            responsible_unit: "110105001:mz".into(),
            responsible_user: "jw_reviewer".into(),
            started_ms: T0,
            due_ms: T0 + 99,
            warn_ms: T0 + 50,
            escalate_days: 1,
        },
    }
}

async fn two_leads(store: &Arc<dyn Store>) {
    store
        .create_lead(&lead_row("l1", "张伟", None, Urgency::Urgent, T0), None, draft("lead.created", "110105"), T0)
        .await
        .unwrap();
    store
        .create_lead(&lead_row("l2", "王芳", None, Urgency::Critical, T0), None, draft("lead.created", "110105"), T0)
        .await
        .unwrap();
}

async fn accepting_a_lead_opens_a_numbered_case_once(store: Arc<dyn Store>) {
    two_leads(&store).await;
    let c =
        store.accept_lead("l1", 1, &new_case("c1"), &who(), draft("lead.accepted", "110105"), T0 + 5).await.unwrap();
    assert_eq!(
        (c.number.as_str(), c.status.code(), c.lead_id.as_str()),
        ("110105001-2026-00001", "investigating", "l1")
    );
    assert_eq!(
        (c.subject_name.as_str(), c.first_inquiry_unit.as_str(), c.documents_pending),
        ("张伟", "110105001:mz", true)
    );
    assert_eq!(store.lead("l1").await.unwrap().unwrap().status.code(), "accepted");
    let again = store.accept_lead("l1", 2, &new_case("c1b"), &who(), draft("lead.accepted", "110105"), T0).await;
    assert!(matches!(again, Err(StoreError::Conflict(Conflict::LeadClosed))), "{again:?}");
    let stale = store.accept_lead("l2", 7, &new_case("c2"), &who(), draft("lead.accepted", "110105"), T0).await;
    assert!(matches!(stale, Err(StoreError::Conflict(Conflict::StaleVersion))), "{stale:?}");
    assert!(matches!(
        store.accept_lead("zz", 1, &new_case("c3"), &who(), draft("x", "11"), T0).await,
        Err(StoreError::NotFound)
    ));
    let c2 = store.accept_lead("l2", 1, &new_case("c2"), &who(), draft("lead.accepted", "110105"), T0).await.unwrap();
    assert_eq!(c2.number, "110105001-2026-00002");
    assert_eq!(store.case_of_lead("l2").await.unwrap().unwrap().id, "c2");
    let ids: Vec<String> = store
        .list_cases(&scope("110105"), &LeadFilter { limit: 10, ..Default::default() })
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, ["c2", "c1"], "critical first");
    assert_eq!(store.count_cases(&scope("110105")).await.unwrap(), [("investigating".to_owned(), 2)]);
    assert!(
        store.list_cases(&scope("110108"), &LeadFilter { limit: 10, ..Default::default() }).await.unwrap().is_empty()
    );
    assert_eq!(store.timeline("c1").await.unwrap()[0].step, "case_opened");
    let merged: Vec<String> = store.case_timeline("l1", "c1").await.unwrap().into_iter().map(|t| t.step).collect();
    assert_eq!(merged, ["reported", "accepted", "case_opened"], "the lead's steps come first at the same instant");
}

async fn leads_close_as_not_accepted_transferred_or_merged(store: Arc<dyn Store>) {
    two_leads(&store).await;
    store
        .create_lead(&lead_row("l3", "张伟", None, Urgency::Urgent, T0), None, draft("lead.created", "110105"), T0)
        .await
        .unwrap();
    let reason = LeadOutcome::NotAccepted { reason: "经核实不属于救助范围".into() };
    store.close_lead("l1", 1, &reason, &who(), draft("lead.not_accepted", "110105"), T0).await.unwrap();
    let l1 = store.lead("l1").await.unwrap().unwrap();
    assert_eq!((l1.status.code(), l1.outcome_note.as_str(), l1.version), ("not_accepted", "经核实不属于救助范围", 2));

    let to_haidian = LeadOutcome::Transferred { division: "110108001".into(), office: "110108001:mz".into() };
    store.close_lead("l2", 1, &to_haidian, &who(), draft("lead.transferred", "110105"), T0).await.unwrap();
    let l2 = store.lead("l2").await.unwrap().unwrap();
    assert_eq!(
        (l2.status.code(), l2.responsible_unit.as_str(), l2.division.as_str()),
        ("new", "110108001:mz", "110108001")
    );
    assert_eq!(
        store.list_leads(&scope("110108"), &LeadFilter { limit: 10, ..Default::default() }).await.unwrap().len(),
        1,
        "now in Haidian's queue"
    );

    let c = store.accept_lead("l3", 1, &new_case("c3"), &who(), draft("lead.accepted", "110105"), T0).await.unwrap();
    store
        .create_lead(&lead_row("l4", "张伟", None, Urgency::Urgent, T0), None, draft("lead.created", "110105"), T0)
        .await
        .unwrap();
    let merge = LeadOutcome::Merged {
        into_id: c.id.clone(),
        into_number: c.number.clone(),
        into_type: "case",
        report: "L4: 家中失火".into(),
    };
    store.close_lead("l4", 1, &merge, &who(), draft("lead.merged", "110105"), T0).await.unwrap();
    let l4 = store.lead("l4").await.unwrap().unwrap();
    assert_eq!((l4.status.code(), l4.duplicate_of.as_deref()), ("merged", Some("c3")));
    let steps: Vec<String> =
        store.timeline("c3").await.unwrap().into_iter().map(|t| format!("{}:{}", t.step, t.note)).collect();
    assert!(steps.contains(&"merged_report:L4: 家中失火".to_owned()), "{steps:?}");
    assert!(matches!(
        store.close_lead("l4", 2, &reason, &who(), draft("x", "110105"), T0).await,
        Err(StoreError::Conflict(Conflict::LeadClosed))
    ));
}

async fn the_case_file_guards_against_lost_updates(store: Arc<dyn Store>) {
    two_leads(&store).await;
    store.accept_lead("l1", 1, &new_case("c1"), &who(), draft("lead.accepted", "110105"), T0).await.unwrap();
    let edit = CaseFileEdit {
        household: "[{\"name\":\"张伟\"}]".into(),
        economy: "{}".into(),
        population: "户籍人口".into(),
        documents_pending: false,
    };
    assert_eq!(
        store.update_case_file("c1", 1, &edit, &who(), draft("case.file_updated", "110105"), T0).await.unwrap(),
        2
    );
    let other = CaseFileEdit { population: "流动人口".into(), ..edit.clone() };
    let lost = store.update_case_file("c1", 1, &other, &who(), draft("case.file_updated", "110105"), T0).await;
    assert!(
        matches!(lost, Err(StoreError::Conflict(Conflict::StaleVersion))),
        "a second editor with the old version is refused"
    );
    let c = store.case_by_id("c1").await.unwrap().unwrap();
    assert_eq!((c.population.as_str(), c.documents_pending, c.version), ("户籍人口", false, 2));
    assert!(matches!(
        store.update_case_file("zz", 1, &edit, &who(), draft("x", "11"), T0).await,
        Err(StoreError::NotFound)
    ));
}

async fn investigations_and_review_move_the_case(store: Arc<dyn Store>) {
    two_leads(&store).await;
    store.accept_lead("l1", 1, &new_case("c1"), &who(), draft("lead.accepted", "110105"), T0).await.unwrap();
    let inv = Investigation {
        id: "i1".into(),
        case_id: "c1".into(),
        method: "home_visit".into(),
        investigator: "jw_reviewer".into(),
        unit: "110105001:mz".into(),
        done_ms: T0 + 10,
        findings: "房屋烧毁，暂住亲戚家".into(),
        created_ms: 0,
    };
    store.add_investigation(&inv, draft("case.investigated", "110105"), T0 + 20).await.unwrap();
    let list = store.investigations("c1").await.unwrap();
    assert_eq!((list.len(), list[0].findings.as_str(), list[0].created_ms), (1, "房屋烧毁，暂住亲戚家", T0 + 20));
    let submit = CaseTransition {
        from: CaseStatus::Investigating,
        to: CaseStatus::Reviewing,
        opinion: None,
        step_due_ms: T0 + 100,
        step: "submitted_for_review".into(),
        note: String::new(),
        close_case_deadlines: false,
        open_deadline: None,
    };
    assert_eq!(
        store.transition_case("c1", 1, &submit, &who(), draft("case.submitted", "110105"), T0 + 30).await.unwrap(),
        2
    );
    assert!(
        matches!(
            store.transition_case("c1", 2, &submit, &who(), draft("x", "110105"), T0).await,
            Err(StoreError::Conflict(_))
        ),
        "not from the wrong status"
    );
    let review = CaseTransition {
        from: CaseStatus::Reviewing,
        to: CaseStatus::Reviewed,
        opinion: Some(("建议临时救助并转介住建部门".into(), "refer,aid_first".into())),
        step_due_ms: T0 + 200,
        step: "reviewed".into(),
        note: String::new(),
        close_case_deadlines: false,
        open_deadline: None,
    };
    store.transition_case("c1", 2, &review, &who(), draft("case.reviewed", "110105"), T0 + 40).await.unwrap();
    let c = store.case_by_id("c1").await.unwrap().unwrap();
    assert_eq!(
        (c.status.code(), c.review_opinion.as_str(), c.recommended_routes.as_str(), c.step_due_ms),
        ("reviewed", "建议临时救助并转介住建部门", "refer,aid_first", T0 + 200)
    );
    let steps: Vec<String> = store.timeline("c1").await.unwrap().into_iter().map(|t| t.step).collect();
    assert_eq!(steps, ["case_opened", "investigated", "submitted_for_review", "reviewed"]);
}

async fn concurrent_writes_with_failures_commit_only_the_successes(store: Arc<dyn Store>) {
    seed_org(&store).await;
    let mut tasks = Vec::new();
    for i in 0..60 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            // Every third writer names a unit that does not exist, every fifth reuses a name.
            let unit = if i % 3 == 0 { "999999:mz" } else { "110105:mz" };
            let name = if i % 5 == 0 { "shared_name".to_owned() } else { format!("user_{i}") };
            s.insert_user(
                &user_row(&format!("u{i}"), &name, unit, "110105"),
                draft(action::USER_CREATED, "110105"),
                T0 + i,
            )
            .await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        if t.await.unwrap().is_ok() {
            ok += 1;
        }
    }
    let users = store.list_users(&scope("11")).await.unwrap();
    assert_eq!(users.len(), ok, "every acknowledged write is there, no failed one is");
    assert!(users.iter().all(|u| u.unit_code == "110105:mz"));
    assert_eq!(users.iter().filter(|u| u.username == "shared_name").count(), 1);
    assert_eq!(verify(&store).await, Ok(1 + ok as i64), "one audit entry per success, chain intact");
}

/// On SQLite, leads and stand-alone audit entries go through the synchronous writer and other
/// writes through the sqlx writer; they take turns, and every entry lands on one chain.
async fn intake_and_other_writes_interleave_on_one_chain(store: Arc<dyn Store>) {
    seed_org(&store).await;
    let mut tasks = Vec::new();
    for i in 0..90_i64 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            match i % 3 {
                0 => {
                    let unit = if i % 2 == 0 { "110105:mz" } else { "999999:mz" };
                    let row = user_row(&format!("u{i}"), &format!("user_{i}"), unit, "110105");
                    s.insert_user(&row, draft(action::USER_CREATED, "110105"), T0 + i).await.map(|_| "user")
                }
                1 => {
                    let mut row = lead_row(&format!("l{i}"), "张伟", None, Urgency::Urgent, T0);
                    row.subject_phone = Some(format!("1380013{i:04}"));
                    s.create_lead(&row, None, draft("lead.created", "110105"), T0 + i).await.map(|_| "lead")
                }
                _ => s.append_audit(draft(action::LOGIN, "11"), T0 + i).await.map(|_| "read"),
            }
        }));
    }
    let mut ok = std::collections::HashMap::new();
    for t in tasks {
        if let Ok(kind) = t.await.unwrap() {
            *ok.entry(kind).or_insert(0_i64) += 1;
        }
    }
    assert_eq!((ok.get("user"), ok.get("lead"), ok.get("read")), (Some(&15), Some(&30), Some(&30)));
    let leads = store.list_leads(&scope("11"), &LeadFilter { limit: 100, ..Default::default() }).await.unwrap();
    let mut numbers: Vec<_> = leads.iter().map(|l| l.number.clone()).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 30, "every lead stored with its own number");
    assert_eq!(store.list_users(&scope("11")).await.unwrap().len(), 15);
    assert_eq!(verify(&store).await, Ok(1 + 15 + 30 + 30), "one chain across both writers");
}

/// Leads are group-committed on both backends; one that fails (here: an id already taken)
/// is rolled back alone, and its number goes back.
async fn a_failing_lead_rolls_back_alone(store: Arc<dyn Store>) {
    let mut tasks = Vec::new();
    for i in 0..30_i64 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            let id = if i % 3 == 0 { "same-id".to_owned() } else { format!("l{i}") };
            let mut row = lead_row(&id, "张伟", None, Urgency::Urgent, T0);
            row.subject_phone = Some(format!("1380013{i:04}"));
            s.create_lead(&row, None, draft("lead.created", "110105"), T0 + i).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        if t.await.unwrap().is_ok() {
            ok += 1;
        }
    }
    assert_eq!(ok, 21, "twenty with their own id and one of the ten sharing one");
    let leads = store.list_leads(&scope("11"), &LeadFilter { limit: 100, ..Default::default() }).await.unwrap();
    let mut numbers: Vec<_> = leads.iter().map(|l| l.number.clone()).collect();
    numbers.sort();
    let expected: Vec<_> = (1..=21).map(|n| format!("L110105001-2026-{n:06}")).collect();
    assert_eq!(numbers, expected, "numbers without gaps: a failed lead gives its number back");
    assert_eq!(verify(&store).await, Ok(21));
}

/// Stand-alone audit entries are group-committed (on PostgreSQL inserted together); one the
/// database refuses (PostgreSQL rejects NUL in text, SQLite stores it) must not fail the others.
async fn an_audit_entry_the_database_refuses_fails_alone(store: Arc<dyn Store>) {
    let mut tasks = Vec::new();
    for i in 0..40_i64 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut d = draft(action::LOGIN, "11");
            if i == 7 {
                d.actor = "nul\0actor".into();
            }
            (i, s.append_audit(d, T0 + i).await)
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let (i, r) = t.await.unwrap();
        if i != 7 {
            assert!(r.is_ok(), "{r:?}");
        }
        if r.is_ok() {
            ok += 1;
        }
    }
    let refused = if store.backend() == jiujinan_store::Backend::Postgres { 1 } else { 0 };
    assert_eq!(ok, 40 - refused);
    assert_eq!(verify(&store).await, Ok(ok));
}

async fn a_form_submission_is_claimed_once(store: Arc<dyn Store>) {
    use jiujinan_store::SubmissionClaim::{Done, Fresh, Running};
    let minute = 60_000;
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move { s.claim_submission("k1", T0, minute).await.unwrap() }));
    }
    let mut claims = Vec::new();
    for t in tasks {
        claims.push(t.await.unwrap());
    }
    assert_eq!(claims.iter().filter(|c| **c == Fresh).count(), 1, "{claims:?}");
    assert_eq!(claims.iter().filter(|c| **c == Running).count(), 9);
    store.finish_submission("k1", T0, "/cases/1?saved=1").await.unwrap();
    assert_eq!(store.claim_submission("k1", T0 + 1, minute).await.unwrap(), Done("/cases/1?saved=1".into()));
    store.release_submission("k1", T0).await.unwrap();
    assert_eq!(
        store.claim_submission("k1", T0 + 2, minute).await.unwrap(),
        Done("/cases/1?saved=1".into()),
        "a finished claim stays"
    );

    assert_eq!(store.claim_submission("k2", T0, minute).await.unwrap(), Fresh);
    store.release_submission("k2", T0).await.unwrap();
    assert_eq!(store.claim_submission("k2", T0 + 1, minute).await.unwrap(), Fresh, "released: may be sent again");
    assert_eq!(store.claim_submission("k2", T0 + minute, minute).await.unwrap(), Running);
    assert_eq!(store.claim_submission("k2", T0 + 2 * minute, minute).await.unwrap(), Fresh, "abandoned: taken over");
    // The abandoned first one ends late: it neither records nor releases the new claim.
    store.finish_submission("k2", T0 + 1, "/stale").await.unwrap();
    store.release_submission("k2", T0 + 1).await.unwrap();
    assert_eq!(store.claim_submission("k2", T0 + 2 * minute + 1, minute).await.unwrap(), Running);
    store.finish_submission("k2", T0 + 2 * minute, "/cases/2?saved=1").await.unwrap();
    assert_eq!(
        store.claim_submission("k2", T0 + 2 * minute + 2, minute).await.unwrap(),
        Done("/cases/2?saved=1".into())
    );
    assert_eq!(store.claim_submission("k1", T0 + 86_400_001, minute).await.unwrap(), Fresh, "pruned after a day");
    assert_eq!(store.audit_after(0, 10).await.unwrap().len(), 0, "technical records, not audited");
}

/// SQLite can roll a whole transaction back on its own (disk full, I/O error), here forced by
/// a `ROLLBACK` inside one caller's work. Whatever the others in that batch are told must be
/// true: a success is stored, a failure is not (none may run outside the batch and commit
/// alone). On PostgreSQL every caller has its own transaction and the same holds trivially.
async fn a_batch_rolled_back_under_its_callers_tells_each_the_truth(store: Arc<dyn Store>) {
    seed_org(&store).await;
    let mut tasks = Vec::new();
    for i in 0..120_i64 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            if i % 20 == 7 {
                return (None, s.raw_execute_for_tests("ROLLBACK").await.is_err());
            }
            let row = user_row(&format!("u{i}"), &format!("user_{i}"), "110105:mz", "110105");
            (
                Some(format!("user_{i}")),
                s.insert_user(&row, draft(action::USER_CREATED, "110105"), T0 + i).await.is_ok(),
            )
        }));
    }
    let (mut told, mut rollbacks_refused) = (Vec::new(), 0);
    for t in tasks {
        match t.await.unwrap() {
            (Some(name), ok) => told.push((name, ok)),
            (None, refused) => rollbacks_refused += usize::from(refused),
        }
    }
    let stored: std::collections::HashSet<String> =
        store.list_users(&scope("11")).await.unwrap().into_iter().map(|u| u.username).collect();
    let failed = told.iter().filter(|t| !t.1).count();
    if store.backend() == Backend::Sqlite {
        // The forced ROLLBACKs really ended batches: each is refused (the savepoint or the
        // batch is gone) and the callers sharing those batches are told they failed.
        assert_eq!(rollbacks_refused, 6, "every forced ROLLBACK lands inside a batch");
        assert!(failed > 0, "some callers shared a rolled-back batch");
    } else {
        assert_eq!((rollbacks_refused, failed), (0, 0), "a stray ROLLBACK touches no one's transaction");
    }
    for (name, ok) in &told {
        assert_eq!(stored.contains(name), *ok, "{name}: told {}", if *ok { "stored" } else { "failed" });
    }
    assert_eq!(verify(&store).await, Ok(1 + stored.len() as i64), "one audit entry per stored user");
}

/// Issue 19: the settings that make a reply mean "on disk", read back from every connection.
/// On SQLite each writer and all four readers run WAL with `synchronous=FULL`; on PostgreSQL
/// the three server settings are reported and judged by their values (the test cluster of
/// `scripts/test.sh` runs with fsync off for speed: the report must say so).
async fn every_connection_reports_its_durability_settings(store: Arc<dyn Store>) {
    let report = store.durability().await.unwrap();
    let pairs: Vec<(String, String, String)> =
        report.iter().map(|s| (s.connection.clone(), s.name.clone(), s.value.clone())).collect();
    match store.backend() {
        Backend::Sqlite => {
            let mut expected = Vec::new();
            for c in ["writer", "intake writer", "reader 1", "reader 2", "reader 3", "reader 4"] {
                expected.push((c.to_owned(), "synchronous".to_owned(), "full".to_owned()));
                expected.push((c.to_owned(), "journal_mode".to_owned(), "wal".to_owned()));
            }
            assert_eq!(pairs, expected);
            assert_eq!(unsafe_settings(&report), Vec::<String>::new());
        }
        Backend::Postgres => {
            let names: Vec<&str> = pairs.iter().map(|p| p.1.as_str()).collect();
            assert_eq!(names, ["fsync", "synchronous_commit", "full_page_writes"]);
            for s in &report {
                let safe = if s.name == "synchronous_commit" { s.value != "off" } else { s.value == "on" };
                assert_eq!(s.safe, safe, "{s:?}");
            }
        }
    }
}

// --- disposition ---

async fn a_case(store: &Arc<dyn Store>) {
    two_leads(store).await;
    store.accept_lead("l1", 1, &new_case("c1"), &who(), draft("lead.accepted", "110105"), T0).await.unwrap();
}

/// A lead's verification clock is written with the lead, stops when it is accepted (the case's
/// investigation clock starting with the case's number) and moves with a transfer; an item
/// raised on it takes an instruction and a reply once each, on the lead's timeline.
async fn leads_and_cases_run_on_clocks_and_their_items_take_notes(store: Arc<dyn Store>) {
    a_case(&store).await;
    let l1 = store.deadline("l1-verify").await.unwrap().expect("written with the lead");
    assert_eq!((l1.state.as_str(), l1.closed_ms, l1.step.as_str()), ("met", T0, "lead.verify"));
    let case = store.case_by_id("c1").await.unwrap().unwrap();
    let c1 = store.deadline("c1-investigate").await.unwrap().expect("opened with the case");
    assert_eq!((c1.state.as_str(), c1.case_number.as_str()), ("open", case.number.as_str()));
    let l2 = store.deadline("l2-verify").await.unwrap().unwrap();
    assert_eq!(
        (l2.state.as_str(), l2.case_number.as_str(), l2.responsible_user.as_str(), l2.rule.as_str()),
        ("open", store.lead("l2").await.unwrap().unwrap().number.as_str(), "jw_clerk", "limits/verify/urgent@0")
    );
    let moved = LeadOutcome::Transferred { division: "110108001001".into(), office: "110108001:mz".into() };
    store.close_lead("l2", 1, &moved, &who(), draft("lead.transferred", "110105"), T0 + 1).await.unwrap();
    let l2 = store.deadline("l2-verify").await.unwrap().unwrap();
    assert_eq!(
        (l2.state.as_str(), l2.responsible_unit.as_str(), l2.division.as_str()),
        ("open", "110108001:mz", "110108001001")
    );

    let fire = DeadlineFire {
        id: l2.id.clone(),
        expected_version: l2.version,
        warned: true,
        level: 1,
        next_ms: T0 + 10_000,
        supervision: Some(NewSupervision {
            id: "s1".into(),
            deadline_id: l2.id.clone(),
            subject_type: "lead".into(),
            subject_id: "l2".into(),
            case_id: String::new(),
            case_number: l2.case_number.clone(),
            division: l2.division.clone(),
            step: l2.step.clone(),
            level: 1,
            responsible_unit: l2.responsible_unit.clone(),
            responsible_user: String::new(),
            supervising_unit: "110108:mz".into(),
            due_ms: l2.due_ms,
        }),
        step: "overdue".into(),
        note: "lead.verify".into(),
    };
    assert!(store.fire_deadline(&fire, draft("deadline.overdue", "110108"), T0 + 2).await.unwrap());
    let boss = Who { user: "hd_approver".into(), unit: "110108:mz".into() };
    let first =
        store.note_supervision("s1", SupervisionNote::Reply, "已办", &who(), draft("x", "110108"), T0 + 3).await;
    assert!(matches!(first, Err(StoreError::Conflict(_))), "no reply before the instruction: {first:?}");
    store
        .note_supervision("s1", SupervisionNote::Instruction, "今日办结", &boss, draft("x", "110108"), T0 + 3)
        .await
        .unwrap();
    let twice =
        store.note_supervision("s1", SupervisionNote::Instruction, "再催", &boss, draft("x", "110108"), T0 + 4).await;
    assert!(matches!(twice, Err(StoreError::Conflict(Conflict::StaleVersion))), "{twice:?}");
    let nobody = store.note_supervision("s9", SupervisionNote::Reply, "x", &who(), draft("x", "110108"), T0 + 4).await;
    assert!(matches!(nobody, Err(StoreError::NotFound)), "{nobody:?}");
    let item = store.supervision_item("s1").await.unwrap().unwrap();
    assert_eq!(
        (item.instruction.as_str(), item.instruction_by.as_str(), item.instruction_ms, item.reply_ms),
        ("今日办结", "hd_approver", T0 + 3, 0)
    );
    assert_eq!((item.subject_type.as_str(), item.subject_id.as_str()), ("lead", "l2"));
    let steps: Vec<(String, String)> =
        store.timeline("l2").await.unwrap().into_iter().map(|t| (t.step, t.note)).collect();
    assert!(steps.contains(&("overdue".into(), "lead.verify".into())), "{steps:?}");
    assert!(steps.contains(&("supervision_instructed".into(), "lead.verify".into())), "{steps:?}");
    // The home page: the unit's running clocks soonest first, and its 督办 items per week.
    let mine: Vec<String> =
        store.open_deadlines_of_unit("110108001:mz", 10).await.unwrap().into_iter().map(|d| d.id).collect();
    assert_eq!(mine, ["l2-verify"]);
    let theirs: Vec<String> =
        store.open_deadlines_of_unit("110105001:mz", 10).await.unwrap().into_iter().map(|d| d.id).collect();
    assert_eq!(theirs, ["c1-investigate"], "the met verification of l1 is not listed");
    let c1_due = store.deadline("c1-investigate").await.unwrap().unwrap().due_ms;
    let steps = |scope_of: &'static str, at: i64| {
        let store = store.clone();
        async move { store.count_open_steps(&scope(scope_of), "case.investigate", at).await.unwrap() }
    };
    assert_eq!(steps("110105", c1_due - 1).await, (1, 0));
    assert_eq!(steps("110105001024", c1_due + 1).await, (1, 1), "past due");
    assert_eq!(steps("110108", c1_due + 1).await, (0, 0), "scoped");
    let week = 7 * 24 * 3_600_000;
    assert_eq!(store.supervision_opened_by_week(&scope("110108"), T0 - 3 * week).await.unwrap(), [(3, 1)]);
    assert_eq!(store.supervision_opened_by_week(&scope("110108"), T0 + 3).await.unwrap(), []);
    assert_eq!(store.supervision_opened_by_week(&scope("110105"), T0 - week).await.unwrap(), [], "scoped");
    // Transferred while overdue: the old office's item and clock end; a fresh clock with the
    // same due time starts at level 0 for the new office (its district opens the next level-1
    // item) and is due for the sweep.
    let back = LeadOutcome::Transferred { division: "110105001024".into(), office: "110105001:mz".into() };
    let fired = store.deadline("l2-verify").await.unwrap().unwrap();
    store.close_lead("l2", 2, &back, &who(), draft("lead.transferred", "110108"), T0 + 5).await.unwrap();
    assert_eq!(
        store.supervision_item("s1").await.unwrap().unwrap().resolved_ms,
        T0 + 5,
        "handed over: the item closes"
    );
    let old = store.deadline("l2-verify").await.unwrap().unwrap();
    assert_eq!((old.state.as_str(), old.closed_ms), ("handed_over", T0 + 5));
    let l2 = store.deadline(&format!("l2-verify-{}", fired.version)).await.unwrap().expect("a fresh clock");
    assert_eq!(
        (l2.state.as_str(), l2.responsible_unit.as_str(), l2.level, l2.warned, l2.due_ms, l2.started_ms),
        ("open", "110105001:mz", 0, false, fired.due_ms, T0 + 5),
        "the same due time; started at the handover, where its escalation counts from"
    );
    assert_eq!(l2.next_ms, l2.warn_ms.min(l2.due_ms), "the sweep looks at it again from its warning time");
    assert!(store.due_deadlines(T0 + 5, 10).await.unwrap().iter().any(|d| d.id == l2.id), "overdue: swept at once");
    let again = DeadlineFire {
        id: l2.id.clone(),
        expected_version: l2.version,
        supervision: fire.supervision.clone().map(|s| NewSupervision {
            id: "s2".into(),
            deadline_id: l2.id.clone(),
            responsible_unit: "110105001:mz".into(),
            supervising_unit: "110105:mz".into(),
            division: "110105001024".into(),
            ..s
        }),
        ..fire
    };
    assert!(store.fire_deadline(&again, draft("deadline.overdue", "110105"), T0 + 6).await.unwrap());
    store
        .close_lead(
            "l2",
            3,
            &LeadOutcome::NotAccepted { reason: "不符合条件".into() },
            &who(),
            draft("x", "110105"),
            T0 + 7,
        )
        .await
        .unwrap();
    assert_eq!(store.supervision_item("s2").await.unwrap().unwrap().resolved_ms, T0 + 7, "done: the item closes");
}

fn new_action(id: &str, status: ActionStatus) -> NewAction {
    NewAction {
        id: id.into(),
        case_id: "c1".into(),
        case_number: "110105001-2026-00001".into(),
        route: Route::Refer,
        programme: "medical".into(),
        division: "110105001024".into(),
        from_unit: "110105001:mz".into(),
        from_user: "jw_reviewer".into(),
        to_unit: "110105:wj".into(),
        to_party: String::new(),
        status,
        request: "医疗救助".into(),
        amount_fen: 0,
        redirected_from: String::new(),
        details: "{}".into(),
    }
}

fn clock(id: &str, subject: &str, due: i64) -> NewDeadline {
    NewDeadline {
        id: id.into(),
        subject_type: "action".into(),
        subject_id: subject.into(),
        case_id: "c1".into(),
        case_number: "110105001-2026-00001".into(),
        division: "110105001024".into(),
        step: "refer.accept".into(),
        rule: "refer/accept/*@0".into(),
        responsible_unit: "110105:wj".into(),
        responsible_user: String::new(),
        started_ms: T0,
        due_ms: due,
        warn_ms: due - 10,
        escalate_days: 2,
    }
}

async fn actions_move_only_from_the_expected_state(store: Arc<dyn Store>) {
    a_case(&store).await;
    store
        .create_action(
            &new_action("a1", ActionStatus::Sent),
            Some(&clock("d1", "a1", T0 + 100)),
            &who(),
            draft("action.created", "110105"),
            T0,
        )
        .await
        .unwrap();
    let accept = ActionChange {
        accepted_by: Some("cy_health".into()),
        close_deadlines: true,
        open_deadline: Some(NewDeadline {
            id: "d2".into(),
            step: "refer.feedback".into(),
            ..clock("d2", "a1", T0 + 1_000)
        }),
        step: "action_accepted".into(),
        ..ActionChange::new("a1", 1, ActionStatus::Sent, ActionStatus::Accepted)
    };
    let a = store.change_action(&accept, &who(), draft("action.accepted", "110105"), T0 + 1).await.unwrap();
    assert_eq!((a.status.code(), a.version, a.accepted_by.as_str()), ("accepted", 2, "cy_health"));
    let twice = store
        .change_action(&ActionChange { expected_version: 2, ..accept.clone() }, &who(), draft("x", "110105"), T0 + 2)
        .await;
    assert!(matches!(twice, Err(StoreError::Conflict(Conflict::ActionState))), "{twice:?}");
    let stale = ActionChange {
        from: ActionStatus::Accepted,
        to: ActionStatus::Completed,
        open_deadline: None,
        ..accept.clone()
    };
    assert!(matches!(
        store.change_action(&stale, &who(), draft("x", "110105"), T0 + 2).await,
        Err(StoreError::Conflict(Conflict::StaleVersion))
    ));
    let clocks = store.deadlines_of_case("c1").await.unwrap();
    let states: Vec<(&str, &str)> =
        clocks.iter().filter(|d| d.subject_type == "action").map(|d| (d.id.as_str(), d.state.as_str())).collect();
    assert_eq!(states, vec![("d1", "met"), ("d2", "open")], "acceptance stops one clock and starts the next");
    assert_eq!(store.inbox("110105:wj", Some("accepted"), 10, 0).await.unwrap().len(), 1);
    assert!(store.inbox("110105:wj", Some("sent"), 10, 0).await.unwrap().is_empty());
    let steps: Vec<String> = store.timeline("c1").await.unwrap().into_iter().map(|t| t.step).collect();
    assert!(steps.contains(&"action_created".to_owned()), "{steps:?}");
    assert_eq!(steps.last().map(String::as_str), Some("action_accepted"), "{steps:?}");
}

/// A referral inbox page reads its clocks and cases in one query each.
/// Records carry domain enums, parsed at the row boundary: a code the enum does not know is
/// `Corrupt` with the column and value, never a default.
async fn an_unknown_code_in_a_row_is_corrupt_data(store: Arc<dyn Store>) {
    a_case(&store).await;
    store
        .create_action(&new_action("a1", ActionStatus::Sent), None, &who(), draft("action.created", "110105"), T0)
        .await
        .unwrap();
    let corrupt = |e: Result<(), StoreError>, column: &str, value: &str| match e {
        Err(StoreError::Corrupt(m)) => assert!(m.contains(column) && m.contains(value), "{m}"),
        other => panic!("expected Corrupt for {column}, got {other:?}"),
    };

    raw_exec(&store, "UPDATE leads SET status = 'pending' WHERE id = 'l2'").await.unwrap();
    corrupt(store.lead("l2").await.map(drop), "status", "pending");
    assert!(store.lead("l1").await.unwrap().is_some(), "other rows still read");
    raw_exec(&store, "UPDATE leads SET status = 'new', channel = 'carrier_pigeon' WHERE id = 'l2'").await.unwrap();
    corrupt(store.lead("l2").await.map(drop), "channel", "carrier_pigeon");

    raw_exec(&store, "UPDATE cases SET status = 'archived' WHERE id = 'c1'").await.unwrap();
    corrupt(store.case_by_id("c1").await.map(drop), "status", "archived");

    raw_exec(&store, "UPDATE actions SET route = 'teleport' WHERE id = 'a1'").await.unwrap();
    corrupt(store.action("a1").await.map(drop), "route", "teleport");
    raw_exec(&store, "UPDATE actions SET route = 'refer', status = 'lost' WHERE id = 'a1'").await.unwrap();
    corrupt(store.actions_of_case("c1").await.map(drop), "status", "lost");
}

async fn inbox_pages_read_clocks_and_cases_in_batches(store: Arc<dyn Store>) {
    a_case(&store).await;
    for (a, d, due) in [("a1", "d1", T0 + 100), ("a2", "d2", T0 + 200)] {
        store
            .create_action(
                &new_action(a, ActionStatus::Sent),
                Some(&clock(d, a, due)),
                &who(),
                draft("action.created", "110105"),
                T0,
            )
            .await
            .unwrap();
    }
    let ids = |v: Vec<DeadlineRecord>| v.into_iter().map(|d| (d.id, d.subject_id)).collect::<Vec<_>>();
    let both = store.deadlines_of_actions(&["a2".into(), "a1".into(), "nope".into()]).await.unwrap();
    assert_eq!(ids(both), [("d1".to_owned(), "a1".to_owned()), ("d2".to_owned(), "a2".to_owned())]);
    assert_eq!(ids(store.deadlines_of_actions(&["a2".into()]).await.unwrap()), [("d2".to_owned(), "a2".to_owned())]);
    assert!(store.deadlines_of_actions(&[]).await.unwrap().is_empty());
    let cases = store.cases_by_ids(&["c1".into(), "missing".into()]).await.unwrap();
    assert_eq!(cases.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["c1"]);
    assert_eq!(cases.first().map(|c| c.number.as_str()), Some("110105001-2026-00001"));
    assert!(store.cases_by_ids(&[]).await.unwrap().is_empty());
}

async fn a_deadline_fires_once_under_concurrent_supervisors(store: Arc<dyn Store>) {
    a_case(&store).await;
    store
        .create_action(
            &new_action("a1", ActionStatus::Sent),
            Some(&clock("d1", "a1", T0 + 100)),
            &who(),
            draft("action.created", "110105"),
            T0,
        )
        .await
        .unwrap();
    // The leads' and the case's own clocks are due too; this test fires the action's.
    let actions = |ds: Vec<DeadlineRecord>| ds.into_iter().filter(|d| d.subject_type == "action").collect::<Vec<_>>();
    assert!(actions(store.due_deadlines(T0 + 50, 10).await.unwrap()).is_empty());
    let due = actions(store.due_deadlines(T0 + 200, 10).await.unwrap());
    assert_eq!(due.len(), 1, "due once the warning time has come");
    let d = &due[0];
    let mut tasks = Vec::new();
    for i in 0..8 {
        let s = store.clone();
        let fire = DeadlineFire {
            id: d.id.clone(),
            expected_version: d.version,
            warned: true,
            level: 1,
            next_ms: T0 + 10_000,
            supervision: Some(NewSupervision {
                id: format!("s{i}"),
                deadline_id: d.id.clone(),
                subject_type: d.subject_type.clone(),
                subject_id: d.subject_id.clone(),
                case_id: "c1".into(),
                case_number: d.case_number.clone(),
                division: d.division.clone(),
                step: d.step.clone(),
                level: 1,
                responsible_unit: "110105:wj".into(),
                responsible_user: String::new(),
                supervising_unit: "110105:mz".into(),
                due_ms: d.due_ms,
            }),
            step: "overdue".into(),
            note: "refer.accept".into(),
        };
        tasks.push(tokio::spawn(
            async move { s.fire_deadline(&fire, draft("deadline.overdue", "110105"), T0 + 200).await },
        ));
    }
    let mut fired = 0;
    for t in tasks {
        if t.await.unwrap().unwrap() {
            fired += 1;
        }
    }
    assert_eq!(fired, 1, "one supervisor fires, the others find the version moved on");
    let items = store.supervision_items(&scope("110105"), true, 10).await.unwrap();
    assert_eq!(items.len(), 1);
    assert!(store.supervision_items(&scope("110108"), true, 10).await.unwrap().is_empty(), "scoped");
    assert!(actions(store.due_deadlines(T0 + 200, 10).await.unwrap()).is_empty());
    // Pausing stops the clock; resuming moves every instant by the shift the use case gives.
    let d = store.deadline("d1").await.unwrap().unwrap();
    store
        .set_deadline_paused(
            "d1",
            d.version,
            ClockChange::Pause("等待材料"),
            &who(),
            draft("deadline.paused", "110105"),
            T0 + 300,
        )
        .await
        .unwrap();
    let again = store
        .set_deadline_paused("d1", d.version + 1, ClockChange::Pause("x"), &who(), draft("x", "110105"), T0 + 301)
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(Conflict::DeadlineState))), "{again:?}");
    assert!(actions(store.due_deadlines(T0 + 50_000, 10).await.unwrap()).is_empty(), "a paused clock is never due");
    store
        .set_deadline_paused(
            "d1",
            d.version + 1,
            ClockChange::Resume { shift_ms: 1_000 },
            &who(),
            draft("deadline.resumed", "110105"),
            T0 + 1_300,
        )
        .await
        .unwrap();
    let r = store.deadline("d1").await.unwrap().unwrap();
    assert_eq!((r.due_ms, r.next_ms, r.paused_ms), (d.due_ms + 1_000, d.next_ms + 1_000, 0));
    // Finishing the step resolves its supervision items.
    store
        .close_subject_deadlines(
            ("action", "a1"),
            "c1",
            ("action_accepted", ""),
            &who(),
            draft("x", "110105"),
            T0 + 2_000,
        )
        .await
        .unwrap();
    assert!(store.supervision_items(&scope("110105"), true, 10).await.unwrap().is_empty());
    assert_eq!(store.supervision_items(&scope("110105"), false, 10).await.unwrap()[0].resolved_ms, T0 + 2_000);
}

async fn rule_data_is_dated_and_editable(store: Arc<dyn Store>) {
    let rules = store.deadline_rules().await.unwrap();
    assert!(rules.iter().any(|r| r.route == "refer" && r.step == "accept" && r.placeholder));
    let mut r = rules[0].clone();
    r.effective_from = T0;
    r.placeholder = false;
    store.insert_deadline_rule(&r, draft("rule.added", "11"), T0).await.unwrap();
    assert!(matches!(
        store.insert_deadline_rule(&r, draft("rule.added", "11"), T0).await,
        Err(StoreError::Conflict(Conflict::RuleExists))
    ));
    let days = store.calendar_days().await.unwrap();
    let oct10 = days.iter().find(|d| d.day == 20_261_010).unwrap();
    assert!(oct10.workday && !oct10.placeholder, "the 2026 National Day make-up Saturday");
    assert!(days.iter().any(|d| d.day / 10_000 == 2027 && d.placeholder), "2027 is provisional");
    let entry = CalendarDay {
        day: 20_261_201,
        workday: false,
        name: "临时休假".into(),
        placeholder: false,
        source: "admin".into(),
    };
    store.set_calendar_day(20_261_201, Some(&entry), draft("calendar.day_set", "11"), T0).await.unwrap();
    store.set_calendar_day(20_261_201, Some(&entry), draft("calendar.day_set", "11"), T0).await.unwrap();
    assert_eq!(store.calendar_days().await.unwrap().iter().filter(|d| d.day == 20_261_201).count(), 1);
    store.set_calendar_day(20_261_201, None, draft("calendar.day_set", "11"), T0).await.unwrap();
    assert!(!store.calendar_days().await.unwrap().iter().any(|d| d.day == 20_261_201));
    let programmes = store.programmes(T0).await.unwrap();
    assert!(programmes.len() >= 13 && programmes.iter().any(|p| p.code == "medical" && p.department == "health"));
}
