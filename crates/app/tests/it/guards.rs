//! Demo and test machinery stays off real databases (issue 19, guards): the demo is loaded only
//! into an empty database or one it made (marked `demo`), and every move of the test clock is
//! an audit entry written before the move.

use std::sync::Arc;

use jiujinan_app::clock::{Clock, ManualClock};
use jiujinan_app::{App, AppSettings};
use jiujinan_store::Store;

use crate::common::{T, T0};

both!(the_demo_is_never_loaded_over_real_accounts, moving_the_test_clock_is_on_record);

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

/// An empty database takes the demo and is marked; loading it again changes nothing.
async fn an_empty_database_becomes_a_demo(store: Arc<dyn Store>) {
    let app = App::new(store, Arc::new(ManualClock::new(T0)), AppSettings::default());
    assert!(!app.is_demo().await.unwrap());
    let accounts = app.load_demo().await.unwrap();
    assert!(app.is_demo().await.unwrap());
    assert!(accounts.iter().any(|a| a.username == "admin"));
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
