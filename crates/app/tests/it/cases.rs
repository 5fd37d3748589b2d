//! Verification and the case file on SQLite and PostgreSQL: the street reviewer merges a
//! duplicate, accepts a lead, fills the household file, records a home visit and writes the
//! review opinion; the timeline shows each step with its responsible person.

use crate::common;

use common::*;
use jiujinan_app::AppError;
use jiujinan_app::cases::{MemberInput, Verification, Verified};
use jiujinan_domain::case::{Economy, MoneyItem};
use jiujinan_store::LeadFilter;

both!(
    the_intake_journey_from_lead_to_review,
    not_accepted_and_transferred_leads,
    verification_is_scoped_and_single,
    a_corrupt_household_is_an_error_not_an_empty_household,
    leads_merge_by_the_number_a_caseworker_sees
);

async fn the_intake_journey_from_lead_to_review(t: T) {
    let (first, _) = t.app.record_lead(&t.hotline, &walk_in(), Some("wo-1")).await.unwrap();
    let mut again = walk_in();
    again.channel = "window".into();
    let (dup, _) = t.app.record_lead(&t.clerk, &again, None).await.unwrap();
    assert_eq!(dup.duplicate_of.as_deref(), Some(first.id.as_str()));

    t.clock.advance(60_000);
    let merged =
        t.app.verify_lead(&t.reviewer, &dup.id, 1, Verification::Merge { into_id: first.id.clone() }).await.unwrap();
    assert_eq!(merged, Verified::Closed);
    t.clock.advance(60_000);
    let Verified::CaseOpened { case_id, number } =
        t.app.verify_lead(&t.reviewer, &first.id, 1, Verification::Accept { documents_pending: true }).await.unwrap()
    else {
        panic!("expected a case")
    };
    assert_eq!(number, "110105001-2026-00001");
    assert!(matches!(
        t.app.verify_lead(&t.clerk, &first.id, 1, Verification::Accept { documents_pending: false }).await,
        Err(AppError::LeadClosed)
    ));

    let members = vec![
        MemberInput {
            name: "张伟".into(),
            relationship: "self".into(),
            id_number: "11010519491231002X".into(),
            living_together: true,
        },
        MemberInput {
            name: "李娜".into(),
            relationship: "spouse".into(),
            id_number: String::new(),
            living_together: true,
        },
    ];
    let economy = Economy {
        income: vec![MoneyItem { kind: "养老金".into(), amount_fen: 180_000 }],
        assets: vec![],
        note: String::new(),
    };
    let v2 = t.app.update_case_file(&t.clerk, &case_id, 1, &members, &economy, "户籍人口", false).await.unwrap();
    assert_eq!(v2, 2);
    let stale = t.app.update_case_file(&t.reviewer, &case_id, 1, &members[..1], &economy, "户籍人口", false).await;
    assert!(matches!(stale, Err(AppError::StaleVersion)), "the second editor does not overwrite the first");
    let bad = MemberInput { name: "王五".into(), relationship: "cousin".into(), ..Default::default() };
    assert_eq!(
        t.app.update_case_file(&t.clerk, &case_id, 2, &[bad], &economy, "", false).await.unwrap_err().code(),
        "UNKNOWN_RELATIONSHIP"
    );

    assert_eq!(t.app.submit_for_review(&t.clerk, &case_id, 2).await.unwrap_err().code(), "INVESTIGATION_REQUIRED");
    t.clock.advance(60_000);
    t.app
        // Dated earlier than the registration (a date-only field reads as noon): the history
        // still lists it where it was recorded.
        .record_investigation(
            &t.reviewer,
            &case_id,
            "home_visit",
            Some(T0 - 3 * 3_600_000),
            "房屋烧毁，暂住亲戚家，无收入来源",
        )
        .await
        .unwrap();
    assert_eq!(
        t.app.record_investigation(&t.reviewer, &case_id, "telepathy", None, "x").await.unwrap_err().code(),
        "UNKNOWN_METHOD"
    );
    t.clock.advance(60_000);
    let v3 = t.app.submit_for_review(&t.clerk, &case_id, 2).await.unwrap();
    assert_eq!(
        t.app.record_review(&t.clerk, &case_id, v3, "同意", &[]).await.unwrap_err().code(),
        "FORBIDDEN",
        "clerks do not review"
    );
    t.clock.advance(60_000);
    t.app
        .record_review(
            &t.reviewer,
            &case_id,
            v3,
            "情况属实，建议临时救助并转介住建部门",
            &["refer".into(), "aid_first".into()],
        )
        .await
        .unwrap();

    let view = t.app.case_for(&t.reviewer, &case_id, false).await.unwrap();
    assert_eq!(view.case.status.code(), "reviewed");
    assert_eq!(view.case.recommended_routes, "refer,aid_first", "in the policy's order");
    assert_eq!(view.members.len(), 2);
    assert_eq!(view.economy.monthly_income_fen(), 180_000);
    assert_eq!(view.investigations[0].investigator, "jw_reviewer");
    let steps: Vec<(String, String)> = view.timeline.iter().map(|e| (e.step.clone(), e.actor.clone())).collect();
    let expect = [
        ("reported", "hotline"),
        ("merged_report", "jw_reviewer"),
        ("accepted", "jw_reviewer"),
        ("case_opened", "jw_reviewer"),
        ("file_updated", "jw_clerk"),
        ("investigated", "jw_reviewer"),
        ("submitted_for_review", "jw_clerk"),
        ("reviewed", "jw_reviewer"),
    ];
    let got: Vec<(&str, &str)> = steps.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(got, expect);
    let queue = t
        .app
        .case_queue(&t.clerk, &LeadFilter { status: Some("reviewed".into()), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(queue.len(), 1);
    assert!(t.app.case_for(&t.haidian, &case_id, false).await.is_err(), "outside Haidian's jurisdiction");
}

async fn not_accepted_and_transferred_leads(t: T) {
    let (a, _) = t.app.record_lead(&t.clerk, &walk_in(), None).await.unwrap();
    assert_eq!(
        t.app
            .verify_lead(&t.reviewer, &a.id, 1, Verification::NotAccept { reason: " ".into() })
            .await
            .unwrap_err()
            .code(),
        "REASON_REQUIRED"
    );
    t.app
        .verify_lead(
            &t.reviewer,
            &a.id,
            1,
            Verification::NotAccept { reason: "经核实，已纳入低保，不属于临时救助对象".into() },
        )
        .await
        .unwrap();
    let l = t.app.lead_for(&t.reviewer, &a.id, false).await.unwrap().lead;
    assert_eq!((l.status.code(), l.outcome_note.as_str()), ("not_accepted", "经核实，已纳入低保，不属于临时救助对象"));

    let mut other = walk_in();
    other.subject.id_number = String::new();
    let (b, _) = t.app.record_lead(&t.clerk, &other, None).await.unwrap();
    let moved = t
        .app
        .verify_lead(&t.reviewer, &b.id, 1, Verification::Transfer { location_code: "110108001001".into() })
        .await
        .unwrap();
    assert_eq!(moved, Verified::Closed);
    let in_haidian = t.app.lead_queue(&t.haidian, &LeadFilter { limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(in_haidian.len(), 1);
    assert_eq!(in_haidian[0].responsible_unit, "110108001:mz");
}

async fn verification_is_scoped_and_single(t: T) {
    let (a, _) = t.app.record_lead(&t.clerk, &walk_in(), None).await.unwrap();
    assert!(matches!(
        t.app.verify_lead(&t.haidian, &a.id, 1, Verification::Accept { documents_pending: false }).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        t.app.verify_lead(&t.reviewer, &a.id, 9, Verification::Accept { documents_pending: false }).await,
        Err(AppError::StaleVersion)
    ));
    let (first, second) = tokio::join!(
        t.app.verify_lead(&t.reviewer, &a.id, 1, Verification::Accept { documents_pending: false }),
        t.app.verify_lead(&t.clerk, &a.id, 1, Verification::NotAccept { reason: "重复".into() }),
    );
    assert_eq!(first.is_ok() as u8 + second.is_ok() as u8, 1, "two verifiers at once: exactly one wins");
}

/// A household that no longer parses must not read as "nobody": aid would be computed for one
/// person. The case page and the aid proposal answer `CORRUPT_DATA` instead.
async fn a_corrupt_household_is_an_error_not_an_empty_household(t: T) {
    let case_id = reviewed_case(&t, walk_in()).await;
    assert!(t.app.case_for(&t.reviewer, &case_id, false).await.is_ok());
    t.app.test_store().raw_execute_for_tests("UPDATE cases SET household = '[{\"name\": 1'").await.unwrap();
    let err = t.app.case_for(&t.reviewer, &case_id, false).await.unwrap_err();
    assert_eq!(err.code(), "CORRUPT_DATA");
    assert_eq!(err.status(), 500);
    let input = jiujinan_app::aid::AidInput {
        kind: "cash".into(),
        aid_type: "emergency".into(),
        cause: "FIRE".into(),
        tier: 1,
        ..Default::default()
    };
    let err = t.app.propose_aid(&t.reviewer, &case_id, input).await.unwrap_err();
    assert_eq!(err.code(), "CORRUPT_DATA");
}

/// Issue 12, item 1: a caseworker merges a duplicate by the lead or case number shown on the
/// page (typed in any case), not only by the internal id; the lead page names the duplicate
/// by its number.
async fn leads_merge_by_the_number_a_caseworker_sees(t: T) {
    let (first, _) = t.app.record_lead(&t.clerk, &walk_in(), None).await.unwrap();
    let (dup, _) = t.app.record_lead(&t.clerk, &walk_in(), None).await.unwrap();
    assert_eq!(dup.duplicate_of.as_deref(), Some(first.id.as_str()));
    let view = t.app.lead_for(&t.reviewer, &dup.id, false).await.unwrap();
    assert_eq!(view.duplicate_number.as_deref(), Some(first.number.as_str()));

    let unknown = Verification::Merge { into_id: "L110105001-2026-999999".into() };
    let err = t.app.verify_lead(&t.reviewer, &dup.id, 1, unknown).await.unwrap_err();
    assert_eq!((err.code(), err.field()), ("MERGE_TARGET", Some("into")));
    let itself = Verification::Merge { into_id: dup.number.clone() };
    assert_eq!(t.app.verify_lead(&t.reviewer, &dup.id, 1, itself).await.unwrap_err().code(), "MERGE_TARGET");

    let typed = format!("  {}  ", first.number.to_lowercase());
    let merged = t.app.verify_lead(&t.reviewer, &dup.id, 1, Verification::Merge { into_id: typed }).await.unwrap();
    assert_eq!(merged, Verified::Closed);
    let closed = t.app.lead_for(&t.reviewer, &dup.id, false).await.unwrap().lead;
    assert_eq!(closed.status.code(), "merged");

    // Into a case, by the case number.
    let Verified::CaseOpened { number, .. } =
        t.app.verify_lead(&t.reviewer, &first.id, 1, Verification::Accept { documents_pending: false }).await.unwrap()
    else {
        panic!("expected a case")
    };
    let (third, _) = t.app.record_lead(&t.clerk, &walk_in(), None).await.unwrap();
    let into_case = Verification::Merge { into_id: number.clone() };
    assert_eq!(t.app.verify_lead(&t.reviewer, &third.id, 1, into_case).await.unwrap(), Verified::Closed);
    let timeline = t.app.lead_for(&t.reviewer, &third.id, false).await.unwrap().timeline;
    assert!(timeline.iter().any(|e| e.note.contains(&number)), "{timeline:?}");
}
