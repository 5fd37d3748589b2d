//! Disposition through the pages and the referral API: a street refers a case, the district
//! health commission answers through its system, the pages show the loop, supervision and
//! the rule data.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use axum::body::Body;
use axum::http::Request;
use common::*;
use jiujinan_app::auth::Actor;
use jiujinan_app::dispositions::ActionInput;
use jiujinan_app::leads::LeadInput;
use jiujinan_app::users::cli_actor;
use serde_json::json;

both!(
    a_department_system_answers_referrals_through_the_api,
    the_case_page_disposes_and_the_department_answers_in_its_inbox
);

/// A reviewed case of 建外街道 and its reviewer.
async fn reviewed_case(t: &TestApp) -> (String, Actor) {
    let reviewer = user(t, "jw_reviewer", "110105001:mz", "street_reviewer").await;
    let input = LeadInput {
        description: "家中失火，住院治疗".into(),
        hardship_types: vec!["FIRE".into(), "MEDICAL_EXPENSE".into()],
        ..walk_in()
    };
    let case_id = open_case(t, &reviewer, &input).await;
    t.app.record_investigation(&reviewer, &case_id, "home_visit", None, "情况属实").await.unwrap();
    t.app.submit_for_review(&reviewer, &case_id, 1).await.unwrap();
    t.app.record_review(&reviewer, &case_id, 2, "建议转介医疗救助", &["refer".into()]).await.unwrap();
    (case_id, reviewer)
}

async fn api(t: &TestApp, token: &str, method: &str, path: &str, body: Option<serde_json::Value>, lang: &str) -> Reply {
    let b = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("accept-language", lang)
        .header("content-type", "application/json");
    let body = body.map(|v| Body::from(v.to_string())).unwrap_or_else(Body::empty);
    t.send(b.body(body).unwrap()).await
}

async fn a_department_system_answers_referrals_through_the_api(t: TestApp) {
    let (case_id, reviewer) = reviewed_case(&t).await;
    user(&t, "cy_health", "110105:wj", "department_handler").await;
    user(&t, "hd_clerk", "110108001:mz", "window_clerk").await;
    let refer = |p: &str| ActionInput {
        route: "refer".into(),
        programme: p.into(),
        request: "请办理".into(),
        ..Default::default()
    };
    let r1 = t.app.create_action(&reviewer, &case_id, refer("medical")).await.unwrap();
    let r2 = t.app.create_action(&reviewer, &case_id, refer("major_illness")).await.unwrap();
    let health = t.app.issue_token(&cli_actor(), "cy_health", "卫健委系统").await.unwrap().secret;
    let outsider = t.app.issue_token(&cli_actor(), "hd_clerk", "海淀").await.unwrap().secret;

    let list = api(&t, &health, "GET", "/api/v1/referrals?status=sent", None, "zh-CN").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let ids: Vec<String> =
        list.json().as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&r1) && ids.contains(&r2));
    let one = api(&t, &health, "GET", &format!("/api/v1/referrals/{r1}"), None, "zh-CN").await.json();
    assert_eq!((one["status"].as_str(), one["accountable_unit"].as_str()), (Some("sent"), Some("110105001:mz")));
    assert_eq!(one["clocks"][0]["step"], "refer.accept");
    assert_eq!(api(&t, &outsider, "GET", &format!("/api/v1/referrals/{r1}"), None, "zh-CN").await.status, 404);
    assert_eq!(
        api(&t, &outsider, "POST", &format!("/api/v1/referrals/{r1}/accept"), Some(json!({"version": 1})), "en")
            .await
            .status,
        404
    );

    let ok =
        api(&t, &health, "POST", &format!("/api/v1/referrals/{r1}/accept"), Some(json!({"version": 1})), "zh-CN").await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.json()["accountable_unit"], "110105:wj");
    let twice =
        api(&t, &health, "POST", &format!("/api/v1/referrals/{r1}/accept"), Some(json!({"version": 2})), "en").await;
    assert_eq!((twice.status, twice.json()["error"]["code"].as_str()), (409, Some("ALREADY_ANSWERED")));
    let fb = json!({"version": 2, "outcome": "granted", "detail": "核定医疗救助 5000 元", "amount_fen": 500000});
    let done = api(&t, &health, "POST", &format!("/api/v1/referrals/{r1}/feedback"), Some(fb), "zh-CN").await.json();
    assert_eq!((done["status"].as_str(), done["amount_fen"].as_i64()), (Some("completed"), Some(500_000)));

    let no_reason = api(
        &t,
        &health,
        "POST",
        &format!("/api/v1/referrals/{r2}/return"),
        Some(json!({"version": 1, "reason": ""})),
        "en",
    )
    .await;
    assert_eq!(no_reason.status, 422);
    let e = no_reason.json();
    assert_eq!(
        (e["error"]["code"].as_str(), e["error"]["fields"]["reason"].is_string()),
        (Some("REASON_REQUIRED"), true)
    );
    assert!(e["error"]["message"].as_str().unwrap().contains("reasons"));
    let back = api(
        &t,
        &health,
        "POST",
        &format!("/api/v1/referrals/{r2}/return"),
        Some(json!({"version": 1, "reason": "不属于本部门职责"})),
        "zh-CN",
    )
    .await;
    assert_eq!(back.json()["status"], "returned");
    // Returned, the referral is the sender's again: the department no longer holds it.
    let from = back.json()["from_unit"].as_str().unwrap().to_owned();
    assert_eq!(back.json()["accountable_unit"].as_str(), Some(from.as_str()), "{}", back.body);
    assert_ne!(from, "110105:wj");
    let late =
        api(&t, &health, "POST", &format!("/api/v1/referrals/{r2}/accept"), Some(json!({"version": 2})), "zh-CN").await;
    assert_eq!(late.json()["error"]["code"], "ALREADY_ANSWERED");
    assert!(late.json()["error"]["message"].as_str().unwrap().contains("已被接收或退回"));
    let bad = api(&t, &health, "POST", &format!("/api/v1/referrals/{r2}/accept"), Some(json!({"v": 1})), "en").await;
    assert_eq!(bad.status, 422, "a body without its version is refused: {}", bad.body);
}

async fn the_case_page_disposes_and_the_department_answers_in_its_inbox(t: TestApp) {
    let (case_id, _) = reviewed_case(&t).await;
    user(&t, "cy_health", "110105:wj", "department_handler").await;
    let (street, csrf) = t.login("jw_reviewer", PASSWORD).await.unwrap();
    let page = t.get(&format!("/cases/{case_id}"), Some(&street)).await;
    assert!(page.body.contains("id=\"disposition\"") && page.body.contains("id=\"action-form\""), "{}", page.body);
    assert!(page.body.contains("data-programme=\"medical\""), "the catalogue suggests medical assistance");
    let form = format!("csrf={csrf}&route=refer&programme=medical&request={}", urlenc("住院费用申请医疗救助"));
    let r = t.post_form(&format!("/cases/{case_id}/actions"), Some(&street), &form).await;
    assert_eq!((r.status, r.location().ends_with("saved=1")), (303, true), "{}", r.body);
    let empty = format!("csrf={csrf}&route=refer&programme=medical&request=");
    let r = t.post_form(&format!("/cases/{case_id}/actions"), Some(&street), &empty).await;
    assert!(r.location().contains("error=REQUEST_REQUIRED"));
    let shown = t.get(r.location(), Some(&street)).await;
    assert!(shown.body.contains("请说明需要对方办理的事项"), "the error is shown in words");

    let (health, hcsrf) = t.login("cy_health", PASSWORD).await.unwrap();
    let home = t.get("/", Some(&health)).await;
    assert!(
        home.body.contains("id=\"home-referrals\"") && !home.body.contains("id=\"home-to-verify\""),
        "{}",
        home.body
    );
    let inbox = t.get("/referrals", Some(&health)).await;
    assert_eq!(inbox.status, 200);
    let id = inbox.body.split("data-id=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
    let referral = t.get(&format!("/referrals/{id}"), Some(&health)).await;
    assert!(referral.body.contains("id=\"accept\"") && referral.body.contains("110105********002X"));
    assert!(!referral.body.contains("11010519491231002X"), "the full number is read on the case file (audited)");
    let r = t.post_form(&format!("/referrals/{id}/accept"), Some(&health), &format!("csrf={hcsrf}&version=1")).await;
    assert_eq!(r.status, 303);
    let r = t.post_form(&format!("/referrals/{id}/accept"), Some(&health), &format!("csrf={hcsrf}&version=1")).await;
    let again = t.get(r.location(), Some(&health)).await;
    assert!(again.body.contains("id=\"referral-error\""), "accepting twice shows the conflict");
    let fb = format!("csrf={hcsrf}&version=2&outcome=granted&detail={}&amount=5000", urlenc("核定医疗救助"));
    t.post_form(&format!("/referrals/{id}/feedback"), Some(&health), &fb).await;
    let case_page = t.get(&format!("/cases/{case_id}"), Some(&street)).await;
    assert!(case_page.body.contains("data-status=\"completed\"") && case_page.body.contains("5000.00"));
    assert!(t.audit_actions().await.iter().any(|a| a == "action.read"), "opening a referral is audited");

    assert_eq!(t.get("/supervision", Some(&street)).await.status, 200);
    // The same pages in English.
    let en = format!("{street}; jjn_lang=en");
    let case_en = t.get(&format!("/cases/{case_id}"), Some(&en)).await;
    assert!(case_en.body.contains("Suggested routes") && case_en.body.contains("Refer to the responsible department"));
    assert!(t.get("/supervision", Some(&en)).await.body.contains("Supervision items"));
    assert!(t.get("/meetings", Some(&en)).await.body.contains("District joint meetings"));
    assert_eq!(t.get("/meetings", Some(&street)).await.status, 200);
    let (admin, acsrf) = t.login("admin", PASSWORD).await.unwrap();
    let rules = t.get("/admin/rules", Some(&admin)).await;
    assert!(rules.body.contains("国庆节调休上班") && rules.body.contains("id=\"limit-form\""));
    let add = format!(
        "csrf={acsrf}&route=refer&step=accept&to_kind=health&unit=working_days&amount=2&source={}",
        urlenc("区政府通知")
    );
    let r = t.post_form("/admin/rules/limits", Some(&admin), &add).await;
    assert!(r.location().ends_with("saved=1"), "{}", r.location());
    let r = t.post_form("/admin/rules/limits", Some(&street), &add.replace(&acsrf, &csrf)).await;
    assert!(r.location().contains("error=FORBIDDEN"));
    // The programme catalogue: a new version of medical assistance from a date; a bad code is
    // refused with its error on the page.
    assert!(rules.body.contains("id=\"programme-form\""));
    let programme = format!(
        "csrf={acsrf}&code=medical&department=civil_affairs&effective_from=2027-01-01&source={}",
        urlenc("医疗救助划转")
    );
    let r = t.post_form("/admin/rules/programmes", Some(&admin), &programme).await;
    assert!(r.location().ends_with("saved=1"), "{}", r.location());
    let r = t.post_form("/admin/rules/programmes", Some(&admin), &programme.replace("code=medical", "code=Bad!")).await;
    assert!(r.location().contains("error=INVALID_PROGRAMME_CODE"), "{}", r.location());
    let r = t.post_form("/admin/rules/programmes", Some(&street), &programme.replace(&acsrf, &csrf)).await;
    assert!(r.location().contains("error=FORBIDDEN"));
    assert!(t.audit_actions().await.iter().filter(|a| *a == "rule.programme_added").count() == 1);
    // The street's approval ceiling, from a date.
    assert!(rules.body.contains("id=\"ceiling-form\""));
    let ceiling =
        format!("csrf={acsrf}&level=street&effective_from=2027-01-01&amount=1000&source={}", urlenc("区民政局通知"));
    let r = t.post_form("/admin/rules/ceilings", Some(&admin), &ceiling).await;
    assert!(r.location().ends_with("saved=1"), "{}", r.location());
    let r = t.post_form("/admin/rules/ceilings", Some(&admin), &ceiling.replace("amount=1000", "amount=-5")).await;
    assert!(r.location().contains("error="), "{}", r.location());
    let page = t.get("/admin/rules", Some(&admin)).await;
    assert!(page.body.contains("≤ 1000.00") && page.body.contains("区民政局通知"), "listed with the other aid rules");
    // Tiers and the yearly limit.
    let tier =
        format!("csrf={acsrf}&aid_type=emergency&tier=4&months=6&effective_from=2027-01-01&source={}", urlenc("四档"));
    let r = t.post_form("/admin/rules/tiers", Some(&admin), &tier).await;
    assert!(r.location().ends_with("saved=1"), "{}", r.location());
    let freq = format!("csrf={acsrf}&max_per_year=2&effective_from=2027-01-01&source={}", urlenc("每年两次"));
    let r = t.post_form("/admin/rules/frequency", Some(&admin), &freq).await;
    assert!(r.location().ends_with("saved=1"), "{}", r.location());
    let r =
        t.post_form("/admin/rules/frequency", Some(&admin), &freq.replace("max_per_year=2", "max_per_year=x")).await;
    assert!(r.location().contains("error=INVALID_FREQUENCY"), "{}", r.location());
    let page = t.get("/admin/rules", Some(&admin)).await;
    assert!(page.body.contains("四档") && page.body.contains("每年两次"));
    let clock = t.post_form("/admin/test-clock", Some(&admin), &format!("csrf={acsrf}&at=2027-01-01T00:00")).await;
    assert_eq!(clock.status, 404, "the clock cannot be moved unless the server runs with test_clock");
}
