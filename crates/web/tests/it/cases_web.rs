//! Verification and the case file through the pages and the API.

use crate::common;

use axum::body::Body;
use axum::http::Request;
use common::*;
use jiujinan_app::leads::{LeadInput, SubjectInput};
use jiujinan_app::users::cli_actor;

both!(
    verify_accept_then_edit_with_a_stale_form_is_refused,
    people_from_other_provinces_are_pointed_to_the_relief_station,
    not_accepted_leads_print_a_notice_with_the_right_of_appeal,
    cases_over_the_api_are_scoped_and_masked_in_lists,
    a_duplicate_is_named_and_merged_by_its_number,
    the_case_queue_opens_where_the_work_is_and_searches_every_status
);

async fn lead(t: &TestApp) -> (String, String) {
    let actor = jiujinan_app::auth::Actor::from_record(
        &t.app.test_store().user_by_username("jw_clerk").await.unwrap().unwrap(),
    )
    .unwrap();
    let input = LeadInput {
        channel: "window".into(),
        subject: SubjectInput { name: "张伟".into(), id_number: "11010519491231002X".into(), phone: String::new() },
        location_code: "110105001024".into(),
        description: "家中失火".into(),
        urgency: "urgent".into(),
        ..Default::default()
    };
    let (r, _) = t.app.record_lead(&actor, &input, None).await.unwrap();
    (r.id, r.number)
}

async fn verify_accept_then_edit_with_a_stale_form_is_refused(t: TestApp) {
    let (lead_id, _) = lead(&t).await;
    let (cookie, csrf) = t.login("jw_clerk", PASSWORD).await.unwrap();
    let page = t.get(&format!("/leads/{lead_id}"), Some(&cookie)).await;
    assert!(page.body.contains("id=\"verify-panel\""));
    let r = t
        .post_form(
            &format!("/leads/{lead_id}/verify"),
            Some(&cookie),
            &format!("csrf={csrf}&version=1&action=accept&documents_pending=1"),
        )
        .await;
    assert_eq!(r.status, 303);
    let case_url = r.location().to_owned();
    assert!(case_url.starts_with("/cases/"));
    let again = t
        .post_form(&format!("/leads/{lead_id}/verify"), Some(&cookie), &format!("csrf={csrf}&version=1&action=accept"))
        .await;
    assert_eq!(again.status, 409, "a second verification of the same lead is refused");
    assert!(again.body.contains("id=\"verify-error\""));

    let file = |v: i64, pop: &str| {
        format!("csrf={csrf}&version={v}&member_name_0={}&member_rel_0=self&population={}", urlenc("张伟"), urlenc(pop))
    };
    let ok = t.post_form(&format!("{case_url}/file"), Some(&cookie), &file(1, "户籍人口")).await;
    assert_eq!(ok.status, 303);
    let stale = t.post_form(&format!("{case_url}/file"), Some(&cookie), &file(1, "流动人口")).await;
    assert_eq!(stale.status, 409, "the second editor sees a conflict instead of overwriting");
    assert!(stale.body.contains("数据已被他人修改"));
    let bad_money = format!("csrf={csrf}&version=2&income_kind_0={}&income_yuan_0=12.345", urlenc("工资"));
    let r = t.post_form(&format!("{case_url}/file"), Some(&cookie), &bad_money).await;
    assert_eq!(r.status, 422, "fractions of a fen are refused");
    let shown = t.get(&case_url, Some(&cookie)).await;
    assert!(shown.body.contains("户籍人口") && !shown.body.contains("流动人口"));
}

async fn people_from_other_provinces_are_pointed_to_the_relief_station(t: TestApp) {
    let actor = jiujinan_app::auth::Actor::from_record(
        &t.app.test_store().user_by_username("jw_clerk").await.unwrap().unwrap(),
    )
    .unwrap();
    let input = LeadInput {
        channel: "discovery".into(),
        subject: SubjectInput { name: "无名男子".into(), ..Default::default() },
        hukou: "河北省".into(),
        location_code: "110105001024".into(),
        description: "滞留街头，生活无着".into(),
        urgency: "urgent".into(),
        ..Default::default()
    };
    let (r, _) = t.app.record_lead(&actor, &input, None).await.unwrap();
    let (cookie, _) = t.login("jw_clerk", PASSWORD).await.unwrap();
    let page = t.get(&format!("/leads/{}", r.id), Some(&cookie)).await;
    assert!(page.body.contains("id=\"lead-non-local\"") && page.body.contains("110105:jzz"));
    let (local, _) = lead(&t).await;
    assert!(!t.get(&format!("/leads/{local}"), Some(&cookie)).await.body.contains("lead-non-local"));
}

async fn not_accepted_leads_print_a_notice_with_the_right_of_appeal(t: TestApp) {
    let (lead_id, number) = lead(&t).await;
    let (cookie, csrf) = t.login("jw_clerk", PASSWORD).await.unwrap();
    let empty = t
        .post_form(
            &format!("/leads/{lead_id}/verify"),
            Some(&cookie),
            &format!("csrf={csrf}&version=1&action=not_accept&reason="),
        )
        .await;
    assert_eq!(empty.status, 422);
    let reason = urlenc("经核实已纳入低保");
    let r = t
        .post_form(
            &format!("/leads/{lead_id}/verify"),
            Some(&cookie),
            &format!("csrf={csrf}&version=1&action=not_accept&reason={reason}"),
        )
        .await;
    assert_eq!(r.status, 303);
    let notice = t.get(&format!("/leads/{lead_id}/notice"), Some(&cookie)).await;
    assert_eq!(notice.status, 200);
    assert!(
        notice.body.contains("不予受理告知书")
            && notice.body.contains("经核实已纳入低保")
            && notice.body.contains(&number)
    );
    assert!(notice.body.contains("行政复议") && notice.body.contains("行政诉讼") && notice.body.contains("第六十五条"));
}

async fn cases_over_the_api_are_scoped_and_masked_in_lists(t: TestApp) {
    let (lead_id, _) = lead(&t).await;
    let reviewer = jiujinan_app::auth::Actor::from_record(
        &t.app.test_store().user_by_username("jw_clerk").await.unwrap().unwrap(),
    )
    .unwrap();
    t.app
        .verify_lead(&reviewer, &lead_id, 1, jiujinan_app::cases::Verification::Accept { documents_pending: false })
        .await
        .unwrap();
    let token = t.app.issue_token(&cli_actor(), "cy_admin", "").await.unwrap().secret;
    let get = |path: String| {
        let token = token.clone();
        let t = &t;
        async move {
            t.send(Request::get(path).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap())
                .await
        }
    };
    let list = get("/api/v1/cases".into()).await.json();
    assert_eq!(list[0]["subject_id_number"], "110105********002X");
    assert_eq!(list[0]["status"], "investigating");
    let id = list[0]["id"].as_str().unwrap().to_owned();
    let file = get(format!("/api/v1/cases/{id}")).await.json();
    assert_eq!(
        (file["subject_id_number"].as_str(), file["disclosure"].as_str()),
        (Some("110105********002X"), Some("working"))
    );
    let full = get(format!("/api/v1/cases/{id}?reveal=true")).await.json();
    assert_eq!(
        (full["subject_id_number"].as_str(), full["disclosure"].as_str()),
        (Some("11010519491231002X"), Some("full"))
    );
    assert_eq!(file["timeline"][0]["step"], "reported");
    assert!(file["timeline"].as_array().unwrap().iter().any(|s| s["step"] == "case_opened"));
    let hd = t.app.issue_token(&cli_actor(), "admin", "").await.unwrap().secret;
    let other = t
        .send(
            Request::get(format!("/api/v1/cases/{id}"))
                .header("authorization", format!("Bearer {hd}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(other.status, 200, "the city sees everything");
    let reads =
        t.app.test_store().audit_after(0, 1_000).await.unwrap().into_iter().filter(|e| e.action == "case.read").count();
    assert_eq!(reads, 2);
}

/// The duplicate banner names the first lead by its number, the merge field proposes that
/// number, and sending it merges (issue 12, item 1).
async fn a_duplicate_is_named_and_merged_by_its_number(t: TestApp) {
    let (first_id, first_number) = lead(&t).await;
    let (dup_id, _) = lead(&t).await;
    let (cookie, csrf) = t.login("jw_clerk", PASSWORD).await.unwrap();
    let page = t.get(&format!("/leads/{dup_id}"), Some(&cookie)).await.body;
    assert!(page.contains(&format!("<a href=\"/leads/{first_id}\">{first_number}</a>")), "{page}");
    assert!(page.contains(&format!("id=\"merge-into\" name=\"into\" value=\"{first_number}\"")), "{page}");
    let body = format!("csrf={csrf}&version=1&action=merge&into={first_number}");
    let r = t.post_form(&format!("/leads/{dup_id}/verify"), Some(&cookie), &body).await;
    assert!(!r.location().contains("error="), "{}", r.location());
    let after = t.get(&format!("/leads/{dup_id}"), Some(&cookie)).await.body;
    assert!(after.contains(&first_number) && !after.contains("id=\"verify-panel\""), "merged and closed");
}

/// Issue 12, item 2: the case queue opens on the first step that has work, says "no case"
/// (not "no unit") when a tab is empty, and a search looks through every status.
async fn the_case_queue_opens_where_the_work_is_and_searches_every_status(t: TestApp) {
    let (cookie, csrf) = t.login("jw_clerk", PASSWORD).await.unwrap();
    let empty = t.get("/cases", Some(&cookie)).await.body;
    assert!(empty.contains("id=\"cases-empty\"") && empty.contains("没有符合条件的案件"), "{empty}");
    assert!(!empty.contains("没有找到匹配的单位"));
    // One case, moved on to review: the queue opens on 审核中, not on the empty 调查中.
    let (lead_id, _) = lead(&t).await;
    let body = format!("csrf={csrf}&version=1&action=accept");
    let case_url = t.post_form(&format!("/leads/{lead_id}/verify"), Some(&cookie), &body).await.location().to_owned();
    let case_id = case_url.trim_start_matches("/cases/").to_owned();
    let form = format!("csrf={csrf}&method=home_visit&findings={}", urlenc("入户核实"));
    t.post_form(&format!("/cases/{case_id}/investigations"), Some(&cookie), &form).await;
    let r = t.post_form(&format!("/cases/{case_id}/submit"), Some(&cookie), &format!("csrf={csrf}&version=1")).await;
    assert!(!r.location().contains("error="), "{}", r.location());
    let queue = t.get("/cases", Some(&cookie)).await.body;
    assert!(queue.contains("class=\"active\" aria-current=\"page\" data-status=\"reviewing\""), "{queue}");
    assert!(queue.contains(&case_id) && !queue.contains("id=\"cases-empty\""));
    // A search from another tab finds it wherever it stands.
    let found = t.get("/cases?status=investigating&q=%E5%BC%A0%E4%BC%9F", Some(&cookie)).await.body;
    assert!(
        found.contains(&case_id) && found.contains("class=\"active\" aria-current=\"page\" data-status=\"all\""),
        "{found}"
    );
}
