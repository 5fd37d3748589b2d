//! Demo and test machinery stays off real databases (issue 19, guards): the demo is loaded only
//! into an empty database or one it made (marked `demo`), and every move of the test clock is
//! an audit entry written before the move.

use std::sync::Arc;

use jiujinan_app::clock::{Clock, ManualClock};
use jiujinan_app::{App, AppSettings};
use jiujinan_store::Store;

use crate::common::{T, T0};

both!(
    the_demo_is_never_loaded_over_real_accounts,
    moving_the_test_clock_is_on_record,
    the_test_clock_never_runs_backwards,
    the_demo_password_opens_nothing_outside_a_demo
);

async fn the_demo_is_never_loaded_over_real_accounts(t: T) {
    // The set-up's accounts (hotline, hd_clerk, jw_chief) are not demo accounts.
    assert_eq!(t.app.load_demo().await.unwrap_err().code(), "NOT_A_DEMO_DATABASE");
    assert!(!t.app.is_demo().await.unwrap());
    assert!(t.app.test_store().user_by_username("admin").await.unwrap().is_none(), "nothing was loaded");
}

async fn moving_the_test_clock_is_on_record(t: T) {
    let later = T0 + 7 * 24 * 3_600_000;
    assert!(matches!(t.app.set_test_clock(&t.clerk, later).await, Err(jiujinan_app::AppError::Forbidden)));
    t.app.set_test_clock(&t.hotline, later).await.unwrap();
    assert_eq!(t.clock.now_ms(), later);
    let moved: Vec<_> = t
        .app
        .test_store()
        .audit_after(0, 1_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "clock.moved")
        .collect();
    assert_eq!(moved.len(), 1, "one move, one entry (the refused one wrote none)");
    assert_eq!((moved[0].actor.as_str(), moved[0].at_ms), ("hotline", T0), "stamped before the move");
    assert!(moved[0].detail.contains(&later.to_string()), "{}", moved[0].detail);
}

async fn the_test_clock_never_runs_backwards(t: T) {
    let later = T0 + 3 * 3_600_000;
    t.app.set_test_clock(&t.hotline, later).await.unwrap();
    let err = t.app.set_test_clock(&t.hotline, later - 60_000).await.unwrap_err();
    assert_eq!(err.code(), "CLOCK_BACKWARDS");
    assert_eq!(t.clock.now_ms(), later, "the refused move changed nothing");
    // A start asked for before the newest entry resumes from that entry instead.
    let newest = t.app.test_store().audit_after(0, 10_000).await.unwrap().last().unwrap().at_ms;
    assert_eq!(newest, T0, "the move was stamped before it happened");
    t.clock.set_now(T0 - 86_400_000); // a restart with the real clock behind the records
    let moved = t.app.start_test_clock(Some(T0 - 30 * 86_400_000)).await.unwrap();
    assert_eq!(moved, Some((T0 - 86_400_000, T0)), "resumed at the newest entry, not the asked start");
    assert_eq!(t.clock.now_ms(), T0);
    assert_eq!(t.app.start_test_clock(None).await.unwrap(), None, "already there: no move");
    // The start goes on record only on a demo database.
    assert_eq!(t.app.record_clock_start((1, 2)).await.unwrap_err().code(), "NOT_A_DEMO_DATABASE");
}

async fn the_demo_password_opens_nothing_outside_a_demo(t: T) {
    let req = jiujinan_app::users::CreateUser {
        username: "old_demo".into(),
        display_name: "升级前的演示账号".into(),
        unit: "110105001:mz".into(),
        role: "window_clerk".into(),
        password: jiujinan_app::demo::DEMO_PASSWORD.into(),
    };
    t.app.create_user(&jiujinan_app::users::cli_actor(), &req).await.unwrap();
    let err = t.app.login("old_demo", jiujinan_app::demo::DEMO_PASSWORD, None).await.unwrap_err();
    assert_eq!(err.code(), "DEMO_PASSWORD_REFUSED");
    let wrong = t.app.login("old_demo", "Wrong-password-1", None).await.unwrap_err();
    assert_eq!(wrong.code(), "INVALID_CREDENTIALS", "a wrong password learns nothing new");
    let entries = t.app.test_store().audit_after(0, 10_000).await.unwrap();
    let refused: Vec<_> =
        entries.iter().filter(|e| e.action == "auth.login_failed" && e.detail.contains("demo_password")).collect();
    assert_eq!(refused.len(), 1, "the refusal is on record");
    assert!(!entries.iter().any(|e| e.action == "auth.login"), "nobody signed in");
}

/// An empty database takes the demo and is marked; loading it again changes nothing.
async fn an_empty_database_becomes_a_demo(store: Arc<dyn Store>) {
    let app = App::new(store, Arc::new(ManualClock::new(T0)), AppSettings::default());
    assert!(!app.is_demo().await.unwrap());
    let accounts = app.load_demo().await.unwrap();
    assert!(app.is_demo().await.unwrap());
    assert!(accounts.iter().any(|a| a.username == "admin"));
    // On a demo database the published password works.
    assert!(app.login("admin", jiujinan_app::demo::DEMO_PASSWORD, None).await.is_ok());
    app.load_demo().await.unwrap();
    let marked = app.test_store().audit_after(0, 10_000).await.unwrap();
    assert_eq!(marked.iter().filter(|e| e.action == "instance.marked").count(), 1, "marked once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_sqlite_database_becomes_a_demo() {
    let (store, _dir) = jiujinan_store::testing::fresh_sqlite().await;
    an_empty_database_becomes_a_demo(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_postgres_database_becomes_a_demo() {
    if let Some(store) = jiujinan_store::testing::fresh_postgres().await {
        an_empty_database_becomes_a_demo(store).await;
    }
}
