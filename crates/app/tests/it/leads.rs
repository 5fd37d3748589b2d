//! Intake use cases on SQLite and PostgreSQL: validation, routing, first-inquiry
//! responsibility, duplicates, idempotency and jurisdiction.

use crate::common;

use common::*;
use jiujinan_app::AppError;
use jiujinan_app::leads::{LeadInput, ReporterInput, SubjectInput};
use jiujinan_store::LeadFilter;

both!(
    a_walk_in_is_routed_to_its_street_with_first_inquiry_kept,
    bad_input_names_the_field_and_writes_nothing,
    retries_with_the_same_key_create_one_lead,
    duplicates_are_flagged,
    leads_are_visible_in_jurisdiction_or_to_the_first_receiver,
    agents_must_be_named_for_applications_on_behalf,
    unknown_whereabouts_route_by_beijing_hukou,
);

async fn a_walk_in_is_routed_to_its_street_with_first_inquiry_kept(t: T) {
    let (r, new) = t.app.record_lead(&t.clerk, &walk_in(), None).await.unwrap();
    assert!(new);
    assert_eq!(r.responsible_unit, "110105001:mz");
    assert_eq!(r.first_inquiry_unit, "110105001:mz");
    assert_eq!(r.number, "L110105001-2026-000001");
    assert_eq!(r.verify_due_ms, T0 + 2 * 3_600_000, "critical: the 2-hour placeholder rule");

    let mut call = walk_in();
    call.channel = "hotline_12345".into();
    call.subject =
        SubjectInput { name: "无名男子，约60岁".into(), id_number: String::new(), phone: String::new() };
    call.urgency = "urgent".into();
    let (r2, _) = t.app.record_lead(&t.hotline, &call, None).await.unwrap();
    assert_eq!((r2.responsible_unit.as_str(), r2.first_inquiry_unit.as_str()), ("110105001:mz", "11:mz"));
    let view = t.app.lead_for(&t.clerk, &r2.id, false).await.unwrap();
    assert_eq!(view.lead.subject_id_number, None, "unknown identity is allowed");
    assert_eq!(view.lead.first_inquiry_user, "hotline");
    assert_eq!(view.timeline[0].step, "reported");
    let stored = t.app.lead_for(&t.clerk, &r.id, false).await.unwrap();
    assert_eq!(stored.lead.subject_id_number.as_deref(), Some("110105********002X"), "masked unless revealed");
    let stored = t.app.lead_for(&t.clerk, &r.id, true).await.unwrap();
    assert_eq!(stored.lead.subject_id_number.as_deref(), Some("11010519491231002X"), "normalised");
}

async fn bad_input_names_the_field_and_writes_nothing(t: T) {
    type Edit = Box<dyn Fn(&mut LeadInput)>;
    let cases: Vec<(Edit, &str, &str)> = vec![
        (Box::new(|l| l.subject.id_number = "110105194912310021".into()), "ID_NUMBER_CHECK_DIGIT", "subject.id_number"),
        (Box::new(|l| l.subject.id_number = "110105194902300020".into()), "ID_NUMBER_BIRTH_DATE", "subject.id_number"),
        (Box::new(|l| l.channel = "fax".into()), "UNKNOWN_CHANNEL", "channel"),
        (Box::new(|l| l.location_code = "110105001999".into()), "UNKNOWN_LOCATION", "location_code"),
        (Box::new(|l| l.location_code = "110105".into()), "LOCATION_TOO_COARSE", "location_code"),
        (Box::new(|l| l.hardship_types = vec!["FLOOD".into()]), "UNKNOWN_HARDSHIP_TYPE", "hardship_types"),
        (Box::new(|l| l.description = "  ".into()), "DESCRIPTION_REQUIRED", "description"),
        (Box::new(|l| l.description = "字".repeat(4_001)), "DESCRIPTION_REQUIRED", "description"),
        (Box::new(|l| l.urgency = "asap".into()), "UNKNOWN_URGENCY", "urgency"),
        (Box::new(|l| l.subject.phone = "call me".into()), "INVALID_PHONE", "subject.phone"),
    ];
    for (mutate, code, field) in cases {
        let mut input = walk_in();
        mutate(&mut input);
        match t.app.record_lead(&t.clerk, &input, None).await {
            Err(e @ AppError::Validation(_)) => {
                assert_eq!((e.code(), e.field()), (code, Some(field)));
                assert!(!e.message(jiujinan_app::i18n::Lang::Zh).is_empty());
            }
            other => panic!("{code}: {other:?}"),
        }
    }
    let all = t.app.lead_queue(&t.hotline, &LeadFilter { limit: 10, ..Default::default() }).await.unwrap();
    assert!(all.is_empty(), "nothing half-written");
}

async fn retries_with_the_same_key_create_one_lead(t: T) {
    let (a, new_a) = t.app.record_lead(&t.hotline, &walk_in(), Some("call-42")).await.unwrap();
    let (b, new_b) = t.app.record_lead(&t.hotline, &walk_in(), Some("call-42")).await.unwrap();
    assert!(new_a && !new_b);
    assert_eq!(a, b);
    let mut other = walk_in();
    other.description = "另一件事".into();
    assert!(matches!(
        t.app.record_lead(&t.hotline, &other, Some("call-42")).await,
        Err(AppError::IdempotencyKeyReused)
    ));
    let all = t.app.lead_queue(&t.hotline, &LeadFilter { limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(all.len(), 1);
}

async fn duplicates_are_flagged(t: T) {
    let (a, _) = t.app.record_lead(&t.clerk, &walk_in(), None).await.unwrap();
    let mut again = walk_in();
    again.channel = "discovery".into();
    again.subject.id_number = "110105491231002".into(); // the same person's 15-digit number
    let (b, _) = t.app.record_lead(&t.clerk, &again, None).await.unwrap();
    assert_eq!(b.duplicate_of.as_deref(), Some(a.id.as_str()));
}

async fn leads_are_visible_in_jurisdiction_or_to_the_first_receiver(t: T) {
    let (mine, _) = t.app.record_lead(&t.clerk, &walk_in(), None).await.unwrap();
    assert!(
        matches!(t.app.lead_for(&t.haidian, &mine.id, false).await, Err(AppError::NotFound)),
        "outside Haidian's jurisdiction"
    );
    let mut in_chaoyang = walk_in();
    in_chaoyang.subject.id_number = String::new();
    let (received, _) = t.app.record_lead(&t.haidian, &in_chaoyang, None).await.unwrap();
    assert_eq!(received.responsible_unit, "110105001:mz", "received by the wrong street: routed, not dropped");
    assert!(t.app.lead_for(&t.haidian, &received.id, false).await.is_ok(), "the first receiver still sees it");
    assert!(t.app.lead_queue(&t.haidian, &LeadFilter { limit: 10, ..Default::default() }).await.unwrap().is_empty());
    assert_eq!(t.app.lead_queue(&t.clerk, &LeadFilter { limit: 10, ..Default::default() }).await.unwrap().len(), 2);
    let reads =
        t.app.test_store().audit_after(0, 1000).await.unwrap().into_iter().filter(|e| e.action == "lead.read").count();
    assert_eq!(reads, 1, "each successful read of a lead file is audited");
}

async fn unknown_whereabouts_route_by_beijing_hukou(t: T) {
    let mut l = walk_in();
    l.location_code = String::new();
    l.hukou = "110108001001".into();
    let (r, _) = t.app.record_lead(&t.hotline, &l, None).await.unwrap();
    assert_eq!(r.responsible_unit, "110108001:mz", "registered in 八里庄街道");
    l.hukou = "河北省".into();
    assert_eq!(t.app.record_lead(&t.hotline, &l, None).await.unwrap_err().code(), "LOCATION_REQUIRED");
    l.hukou = "110105".into();
    assert_eq!(
        t.app.record_lead(&t.hotline, &l, None).await.unwrap_err().code(),
        "LOCATION_REQUIRED",
        "a district is too coarse"
    );
}

async fn agents_must_be_named_for_applications_on_behalf(t: T) {
    let mut l = walk_in();
    l.channel = "on_behalf".into();
    let e = t.app.record_lead(&t.clerk, &l, None).await.unwrap_err();
    assert_eq!(e.code(), "AGENT_REQUIRED");
    l.reporter = ReporterInput {
        name: "南郎家园社区居委会".into(),
        phone: String::new(),
        relation: "居委会受本人委托代为申请".into(),
    };
    let (r, _) = t.app.record_lead(&t.clerk, &l, None).await.unwrap();
    let v = t.app.lead_for(&t.clerk, &r.id, false).await.unwrap();
    assert_eq!(v.lead.reporter_relation, "居委会受本人委托代为申请");
}
