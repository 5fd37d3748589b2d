//! The benchmark generator makes valid, queryable data and keeps numbering consistent.

use crate::common;

use common::*;
use jiujinan_app::seed::SeedPlan;
use jiujinan_store::LeadFilter;

both!(seeded_data_is_valid_and_numbering_continues);

async fn seeded_data_is_valid_and_numbering_continues(t: T) {
    let report = t.app.seed_benchmark(SeedPlan { cases: 300, open_leads: 50, seed: 7 }, |_| {}).await.unwrap();
    assert_eq!((report.leads, report.cases, report.timeline_steps), (350, 300, 650));
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
    let view = t
        .app
        .case_for(&t.hotline, &report.sample_case_ids.first().cloned().unwrap_or_else(|| all[0].id.clone()), false)
        .await
        .unwrap();
    assert_eq!(view.timeline.len(), 2);
    let street = report.busiest_street;
    let mut input = walk_in();
    input.location_code = street.clone();
    let (r, _) = t.app.record_lead(&t.hotline, &input, None).await.unwrap();
    let seeded_max = all.iter().filter(|k| k.division.starts_with(&street)).count();
    assert!(seeded_max > 0);
    let n: usize = r.number.rsplit('-').next().unwrap().parse().unwrap();
    assert!(n > seeded_max, "new numbers continue after the seeded ones: {} vs {seeded_max}", r.number);
}
