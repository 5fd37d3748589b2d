//! The intake API as a hotline system uses it: idempotent posts, field errors in both
//! languages, jurisdiction, masked lists and an audited lead file.

use crate::common;

use axum::body::Body;
use axum::http::Request;
use common::*;
use jiujinan_app::users::cli_actor;
use serde_json::{Value, json};

both!(
    a_retried_post_creates_one_lead,
    bad_input_is_a_field_error_in_the_callers_language,
    leads_are_scoped_and_reading_one_is_audited,
    the_intake_form_records_and_shows_the_lead
);

fn lead_body() -> Value {
    json!({
        "channel": "hotline_12345",
        "reporter": {"name": "热心市民", "phone": "13900000000"},
        "subject": {"name": "王芳", "id_number": "11010519491231002X", "phone": "13700000000"},
        "location_code": "110105001024",
        "description": "独居老人摔伤，无人照顾",
        "urgency": "urgent",
        "hardship_types": ["OTHER_ACCIDENT"]
    })
}

async fn post(t: &TestApp, token: &str, key: Option<&str>, body: String, lang: Option<&str>) -> Reply {
    let mut b = Request::post("/api/v1/leads")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json");
    if let Some(k) = key {
        b = b.header("idempotency-key", k);
    }
    if let Some(l) = lang {
        b = b.header("accept-language", l);
    }
    t.send(b.body(Body::from(body)).unwrap()).await
}

async fn get(t: &TestApp, token: &str, path: &str) -> Reply {
    t.send(Request::get(path).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap()).await
}

async fn a_retried_post_creates_one_lead(t: TestApp) {
    let token = t.app.issue_token(&cli_actor(), "admin", "12345").await.unwrap().secret;
    let first = post(&t, &token, Some("wo-1"), lead_body().to_string(), None).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let j = first.json();
    assert_eq!(j["status"], "new");
    assert_eq!(j["responsible_unit"], "110105001:mz");
    assert_eq!(j["first_inquiry_unit"], "11:mz");
    assert!(j["number"].as_str().unwrap().starts_with("L110105001-"));
    let again = post(&t, &token, Some("wo-1"), lead_body().to_string(), None).await;
    assert_eq!((again.status, again.json()), (201, j.clone()));
    assert_eq!(again.headers["idempotent-replayed"], "true");
    let mut other = lead_body();
    other["description"] = json!("另一件事");
    let conflict = post(&t, &token, Some("wo-1"), other.to_string(), None).await;
    assert_eq!((conflict.status, conflict.json()["error"]["code"].as_str()), (409, Some("IDEMPOTENCY_KEY_REUSED")));
    let list = get(&t, &token, "/api/v1/leads").await.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["subject_id_number"], "110105********002X", "masked in lists");
}

async fn bad_input_is_a_field_error_in_the_callers_language(t: TestApp) {
    let token = t.app.issue_token(&cli_actor(), "admin", "").await.unwrap().secret;
    let mut bad = lead_body();
    bad["subject"]["id_number"] = json!("110105194912310021");
    let zh = post(&t, &token, None, bad.to_string(), None).await;
    assert_eq!(zh.status, 422);
    let e = zh.json();
    assert_eq!(e["error"]["code"], "ID_NUMBER_CHECK_DIGIT");
    assert!(e["error"]["fields"]["subject.id_number"].as_str().unwrap().contains("校验位"));
    let en = post(&t, &token, None, bad.to_string(), Some("en")).await.json();
    assert!(en["error"]["message"].as_str().unwrap().contains("check character"));

    let mut unknown = lead_body();
    unknown["hardship_types"] = json!(["FLOOD"]);
    assert_eq!(
        post(&t, &token, None, unknown.to_string(), None).await.json()["error"]["code"],
        "UNKNOWN_HARDSHIP_TYPE"
    );
    let malformed = post(&t, &token, None, "{\"channel\": ".into(), None).await;
    assert_eq!((malformed.status, malformed.json()["error"]["code"].as_str()), (422, Some("BAD_REQUEST")));
    let missing = post(&t, &token, None, json!({"channel": "window"}).to_string(), None).await;
    assert_eq!(missing.json()["error"]["code"], "BAD_REQUEST");
    assert!(missing.json()["error"]["fields"]["body"].as_str().unwrap().contains("subject"));
    let huge = post(&t, &token, None, format!("{{\"x\": \"{}\"}}", "a".repeat(100 * 1024)), None).await;
    assert_eq!((huge.status, huge.json()["error"]["code"].as_str()), (413, Some("BODY_TOO_LARGE")));
    assert!(get(&t, &token, "/api/v1/leads").await.json().as_array().unwrap().is_empty(), "nothing written");
}

async fn leads_are_scoped_and_reading_one_is_audited(t: TestApp) {
    let hotline = t.app.issue_token(&cli_actor(), "admin", "").await.unwrap().secret;
    let clerk = t.app.issue_token(&cli_actor(), "jw_clerk", "").await.unwrap().secret;
    let id = post(&t, &hotline, None, lead_body().to_string(), None).await.json()["id"].as_str().unwrap().to_owned();
    let file = get(&t, &clerk, &format!("/api/v1/leads/{id}")).await;
    assert_eq!(file.status, 200);
    let j = file.json();
    assert_eq!(
        (j["subject_id_number"].as_str(), j["subject_phone"].as_str(), j["reporter_phone"].as_str()),
        (Some("110105********002X"), Some("137****0000"), Some("139****0000")),
        "ID numbers and phones are masked unless revealed"
    );
    assert_eq!((j["disclosure"].as_str(), j["subject_name"].as_str()), (Some("working"), Some("王芳")));
    assert_eq!(j["timeline"][0]["step"], "reported");
    assert_eq!(j["first_inquiry_user"], "admin");

    let cy = t.app.issue_token(&cli_actor(), "cy_admin", "").await.unwrap().secret;
    assert_eq!(get(&t, &cy, &format!("/api/v1/leads/{id}")).await.status, 200, "the district sees its streets' leads");
    let mut haidian = lead_body();
    haidian["location_code"] = json!("110108001001");
    let hd = post(&t, &hotline, None, haidian.to_string(), None).await.json()["id"].as_str().unwrap().to_owned();
    let hidden = get(&t, &clerk, &format!("/api/v1/leads/{hd}")).await;
    assert_eq!(
        (hidden.status, hidden.json()["error"]["code"].as_str()),
        (404, Some("NOT_FOUND")),
        "existence does not leak"
    );
    assert_eq!(get(&t, &clerk, "/api/v1/leads").await.json().as_array().unwrap().len(), 1);
    assert_eq!(
        get(&t, &hotline, "/api/v1/leads?q=%E7%8E%8B%E8%8A%B3").await.json().as_array().unwrap().len(),
        2,
        "name search"
    );
    let reads =
        t.app.test_store().audit_after(0, 1_000).await.unwrap().into_iter().filter(|e| e.action == "lead.read").count();
    assert_eq!(reads, 2);

    // The full values on request, for a role that works with the person: a reveal of its own.
    let full = get(&t, &clerk, &format!("/api/v1/leads/{id}?reveal=true")).await.json();
    assert_eq!(
        (full["disclosure"].as_str(), full["subject_id_number"].as_str(), full["subject_phone"].as_str()),
        (Some("full"), Some("11010519491231002X"), Some("13700000000"))
    );
    let entries = t.app.test_store().audit_after(0, 1_000).await.unwrap();
    let revealed: Vec<_> = entries.iter().filter(|e| e.action == "pii.revealed").collect();
    assert_eq!(revealed.len(), 1);
    assert_eq!((revealed[0].actor.as_str(), revealed[0].entity_id.as_str()), ("jw_clerk", id.as_str()));
    // Auditors look on: names masked too, and no reveal.
    let auditor = t.app.issue_token(&cli_actor(), "auditor", "").await.unwrap().secret;
    let seen = get(&t, &auditor, &format!("/api/v1/leads/{id}")).await.json();
    assert_eq!(
        (seen["disclosure"].as_str(), seen["subject_name"].as_str(), seen["subject_id_number"].as_str()),
        (Some("onlooker"), Some("王*"), Some("110105********002X"))
    );
    assert_eq!(get(&t, &auditor, &format!("/api/v1/leads/{id}?reveal=true")).await.status, 403);
    let listed = get(&t, &hotline, "/api/v1/leads").await.json();
    assert!(listed.as_array().unwrap().iter().all(|l| l["subject_id_number"] == "110105********002X"), "{listed}");
}

async fn the_intake_form_records_and_shows_the_lead(t: TestApp) {
    let (cookie, csrf) = t.login("jw_clerk", PASSWORD).await.unwrap();
    let form = t.get("/leads/new", Some(&cookie)).await;
    assert!(form.body.contains("id=\"lead-form\"") && form.body.contains("value=\"110105001024\""));
    let body = format!(
        "csrf={csrf}&channel=window&urgency=critical&subject_name={}&subject_id_number=&location_code=110105001024&hardship_types=FIRE&hardship_types=SUDDEN_ILLNESS&description={}",
        urlenc("张伟"),
        urlenc("家中失火")
    );
    let r = t.post_form("/leads", Some(&cookie), &body).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = t.get(r.location(), Some(&cookie)).await;
    assert!(
        page.body.contains("id=\"lead-created\"") && page.body.contains("火灾") && page.body.contains("突发重大疾病")
    );
    let bad = t
        .post_form(
            "/leads",
            Some(&cookie),
            &format!(
                "csrf={csrf}&channel=window&urgency=critical&subject_name=&location_code=110105001024&description=x"
            ),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("data-field=\"subject.name\""));
    let (auditor, _) = t.login("auditor", PASSWORD).await.unwrap();
    assert_eq!(t.get("/leads/new", Some(&auditor)).await.status, 403);
}
