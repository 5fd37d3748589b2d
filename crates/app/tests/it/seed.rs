//! The benchmark generator makes valid, queryable data and keeps numbering consistent.

use crate::common;

use common::*;
use jiujinan_app::seed::SeedPlan;
use jiujinan_store::LeadFilter;

use jiujinan_app::App;
use jiujinan_app::clock::ManualClock;
use jiujinan_app::seed::SeedReport;
use jiujinan_store::Store;
use std::sync::Arc;

both!(seeding_refuses_a_database_holding_work);

/// `common::setup` has created accounts and no benchmark mark: the generator writes nothing.
async fn seeding_refuses_a_database_holding_work(t: T) {
    let before = t.app.case_queue(&t.hotline, &LeadFilter { limit: 10, ..Default::default() }).await.unwrap().len();
    let err = t.app.seed_benchmark(SeedPlan { cases: 5, open_leads: 1, seed: 7 }, |_| {}).await.unwrap_err();
    assert_eq!(err.code(), "NOT_A_BENCH_DATABASE");
    let after = t.app.case_queue(&t.hotline, &LeadFilter { limit: 10, ..Default::default() }).await.unwrap().len();
    assert_eq!((before, after), (0, 0));
}

/// Seeds an empty database (which the generator marks for benchmarks), then sets up the usual
/// accounts on it; seeding again into the marked database is allowed.
async fn seeded(store: Arc<dyn Store>) -> (T, SeedReport) {
    let app = App::new(store.clone(), Arc::new(ManualClock::new(T0)), Default::default());
    app.import_org(&jiujinan_app::users::cli_actor(), &small_org()).await.unwrap();
    let report = app.seed_benchmark(SeedPlan { cases: 300, open_leads: 50, seed: 7 }, |_| {}).await.unwrap();
    (setup(store).await, report)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_data_is_valid_and_numbering_continues_sqlite() {
    let (store, _dir) = jiujinan_store::testing::fresh_sqlite().await;
    seeded_data_is_valid_and_numbering_continues(seeded(store).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_data_is_valid_and_numbering_continues_postgres() {
    if let Some(store) = jiujinan_store::testing::fresh_postgres().await {
        seeded_data_is_valid_and_numbering_continues(seeded(store).await).await;
    }
}

async fn seeded_data_is_valid_and_numbering_continues((t, report): (T, SeedReport)) {
    let again = t.app.seed_benchmark(SeedPlan { cases: 0, open_leads: 0, seed: 8 }, |_| {}).await.unwrap();
    assert_eq!(again.cases, 0, "a benchmark database takes more synthetic data");
    assert_eq!((report.leads, report.cases), (350, 300));
    // Every case has its household file and investigations; reviewed ones (about a quarter)
    // three actions with clocks and a paid aid item.
    let reviewed = report.aid_items;
    assert!((40..120).contains(&reviewed), "{report:?}");
    assert_eq!((report.actions, report.deadlines), (3 * reviewed, 3 * reviewed), "{report:?}");
    assert!((300..=600).contains(&report.investigations), "{report:?}");
    assert!(report.timeline_steps > 350 + 300 * 3, "{report:?}");
    let all = t.app.case_queue(&t.hotline, &LeadFilter { limit: 500, ..Default::default() }).await.unwrap();
    assert_eq!(all.len(), 300);
    let ids: Vec<String> = all.iter().map(|k| k.id.clone()).collect();
    for k in &t.app.test_store().cases_by_ids(&ids).await.unwrap() {
        if let Some(id) = &k.subject_id_number {
            assert!(jiujinan_domain::id_number::IdNumber::parse(id, 99_991_231).is_ok(), "{id}");
        }
    }
    let open = t
        .app
        .lead_queue(&t.hotline, &LeadFilter { status: Some("new".into()), limit: 500, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(open.len(), 50);
    // The case-file workload's sample: worked files, as a street's reviewed case is.
    assert!(!report.sample_case_ids.is_empty());
    for id in &report.sample_case_ids {
        let view = t.app.case_for(&t.hotline, id, false).await.unwrap();
        assert!((3..=5).contains(&view.members.len()), "a household of 3–5: {}", view.members.len());
        assert!(!view.economy.income.is_empty() && !view.economy.assets.is_empty());
        assert!((1..=2).contains(&view.investigations.len()));
        assert!((17..=23).contains(&view.timeline.len()), "about twenty steps: {}", view.timeline.len());
        let actions = t.app.test_store().actions_of_case(id).await.unwrap();
        assert_eq!(actions.len(), 3);
        let mut events = 0;
        for a in &actions {
            events += t.app.test_store().action_events(&a.id).await.unwrap().len();
        }
        assert_eq!(events, 4, "progress on the two accepted actions");
        let aid = t.app.test_store().aid_of_case(id).await.unwrap();
        assert_eq!(aid.iter().map(|i| i.status.code()).collect::<Vec<_>>(), ["paid"]);
    }
    // The planner's statistics describe the tables as seeded (issue 18): on PostgreSQL it
    // counts the seeded rows (taken before the seed, it would believe the tables empty);
    // SQLite gathers none.
    let counts = t.app.test_store().planner_row_counts_for_tests().await.unwrap();
    let believed = |table: &str| counts.iter().find(|c| c.0 == table).map(|c| c.1).unwrap_or(-1);
    match t.app.test_store().backend() {
        jiujinan_store::Backend::Sqlite => assert!(counts.is_empty(), "{counts:?}"),
        jiujinan_store::Backend::Postgres => {
            assert_eq!((believed("leads"), believed("cases")), (350, 300), "{counts:?}");
            assert_eq!(believed("aid_items"), report.aid_items as i64, "{counts:?}");
        }
    }
    // Their clocks run into the future: a server started on the data has nothing to sweep.
    assert_eq!(t.app.deadlines_due_now().await.unwrap(), 0);
    let street = report.busiest_street;
    let mut input = walk_in();
    input.location_code = street.clone();
    let (r, _) = t.app.record_lead(&t.hotline, &input, None).await.unwrap();
    let seeded_max = all.iter().filter(|k| k.division.starts_with(&street)).count();
    assert!(seeded_max > 0);
    let n: usize = r.number.rsplit('-').next().unwrap().parse().unwrap();
    assert!(n > seeded_max, "new numbers continue after the seeded ones: {} vs {seeded_max}", r.number);
}
