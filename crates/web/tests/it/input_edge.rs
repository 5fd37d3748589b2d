//! Text at the edge (issue 11, defects 3 and 10): NUL and other control characters, invalid
//! UTF-8, wrong media types and oversized bodies are field errors with their own status,
//! never a 500, and change nothing; an unauthenticated API call is 401; `1.0` is an integer.

use crate::common;

use axum::body::Body;
use axum::http::Request;
use common::*;
use jiujinan_app::users::cli_actor;
use serde_json::{Value, json};

both!(
    control_characters_in_json_are_a_field_error_and_store_nothing,
    control_characters_in_paths_and_queries_are_a_field_error,
    forms_with_control_characters_or_invalid_utf8_are_refused,
    the_api_answers_with_the_documented_statuses
);

fn lead_body() -> Value {
    json!({
        "channel": "hotline_12345",
        "subject": {"name": "王芳", "phone": "13700000000"},
        "location_code": "110105001024",
        "description": "独居老人摔伤\n无人照顾\t（来电）",
        "urgency": "urgent",
        "hardship_types": ["OTHER_ACCIDENT"]
    })
}

async fn call(t: &TestApp, method: &str, path: &str, token: Option<&str>, ctype: Option<&str>, body: Vec<u8>) -> Reply {
    let mut b = Request::builder().method(method).uri(path);
    if let Some(tok) = token {
        b = b.header("authorization", format!("Bearer {tok}"));
    }
    if let Some(c) = ctype {
        b = b.header("content-type", c);
    }
    t.send(b.body(Body::from(body)).unwrap()).await
}

async fn token(t: &TestApp) -> String {
    t.app.issue_token(&cli_actor(), "admin", "edge").await.unwrap().secret
}

async fn lead_count(t: &TestApp, token: &str) -> usize {
    let r = call(t, "GET", "/api/v1/leads", Some(token), None, vec![]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json().as_array().unwrap().len()
}

async fn control_characters_in_json_are_a_field_error_and_store_nothing(t: TestApp) {
    let tok = token(&t).await;
    for (field, value) in [("name", "a\u{0}b"), ("name", "\u{0}"), ("phone", "139\u{1b}[0m"), ("name", "王\n芳")] {
        let mut body = lead_body();
        body["subject"][field] = json!(value);
        let r = call(&t, "POST", "/api/v1/leads", Some(&tok), Some("application/json"), body.to_string().into_bytes())
            .await;
        assert_eq!(r.status, 422, "{field}={value:?}: {}", r.body);
        let e = r.json();
        assert_eq!(e["error"]["code"], "INVALID_TEXT");
        let path = format!("subject.{field}");
        assert!(e["error"]["fields"][&path].as_str().unwrap().contains("不允许的字符"), "{e}");
    }
    assert_eq!(lead_count(&t, &tok).await, 0, "nothing was stored");
    // Tab and line breaks in free text are text, and the lead is recorded with them.
    let ok =
        call(&t, "POST", "/api/v1/leads", Some(&tok), Some("application/json"), lead_body().to_string().into_bytes())
            .await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    let id = ok.json()["id"].as_str().unwrap().to_owned();
    let lead = call(&t, "GET", &format!("/api/v1/leads/{id}"), Some(&tok), None, vec![]).await.json();
    assert_eq!(lead["description"], "独居老人摔伤\n无人照顾\t（来电）");
}

async fn control_characters_in_paths_and_queries_are_a_field_error(t: TestApp) {
    let tok = token(&t).await;
    call(&t, "POST", "/api/v1/leads", Some(&tok), Some("application/json"), lead_body().to_string().into_bytes()).await;
    for (path, field) in [
        ("/api/v1/leads?q=%00abc", "q"),
        ("/api/v1/units?q=%00%E5%BB%BA", "q"),
        ("/api/v1/units?q=a%FF", "q"),
        ("/api/v1/leads/abc%00", "path"),
    ] {
        let r = call(&t, "GET", path, Some(&tok), None, vec![]).await;
        assert_eq!(r.status, 422, "{path}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "INVALID_TEXT", "{path}");
        assert!(r.json()["error"]["fields"][field].is_string(), "{path} names {field}: {}", r.body);
    }
    // The pages too: a leading NUL no longer switches the search off, it is refused.
    let (cookie, _) = t.login("jw_clerk", PASSWORD).await.unwrap();
    for path in ["/leads?q=%00abc", "/org?q=%00abc"] {
        let r = t.get(path, Some(&cookie)).await;
        assert_eq!(r.status, 422, "{path}");
        assert!(r.body.contains("INVALID_TEXT") && r.body.contains("不允许的字符"), "{path}: {}", r.body);
    }
    // An ordinary search still works.
    let r = call(&t, "GET", "/api/v1/units?q=%E5%BB%BA%E5%A4%96", Some(&tok), None, vec![]).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

async fn forms_with_control_characters_or_invalid_utf8_are_refused(t: TestApp) {
    // A login name with NUL: a field error, not a 500 (PostgreSQL refuses NUL in text).
    let page = t.get("/login", None).await;
    let pre = page.cookie("jjn_pre").unwrap();
    let r = t
        .post_form("/login", Some(&format!("jjn_pre={pre}")), &format!("csrf={pre}&username=jw%00clerk&password=x"))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    // Invalid UTF-8 in the intake form is refused, not stored with U+FFFD.
    let (cookie, csrf) = t.login("jw_clerk", PASSWORD).await.unwrap();
    let tok = token(&t).await;
    for name in ["%FF%FE", "%E5%BC", "a%00b", "a%07b"] {
        let body = format!(
            "csrf={csrf}&channel=window&urgency=critical&subject_name={name}&subject_id_number=&location_code=110105001024&hardship_types=FIRE&description=x"
        );
        let r = t.post_form("/leads", Some(&cookie), &body).await;
        assert_eq!(r.status, 422, "{name}: {}", r.body);
        assert!(r.body.contains("INVALID_TEXT"), "{name}");
    }
    assert_eq!(lead_count(&t, &tok).await, 0, "nothing was stored");
    // A multi-line note keeps its line breaks.
    let body = format!(
        "csrf={csrf}&channel=window&urgency=critical&subject_name={}&subject_id_number=&location_code=110105001024&hardship_types=FIRE&description={}",
        urlenc("张伟"),
        urlenc("家中失火\r\n需要安置")
    );
    let r = t.post_form("/leads", Some(&cookie), &body).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(lead_count(&t, &tok).await, 1);
}

async fn the_api_answers_with_the_documented_statuses(t: TestApp) {
    let tok = token(&t).await;
    let body = lead_body().to_string().into_bytes();
    // No credentials at all: 401, not a CSRF refusal.
    let r = call(&t, "POST", "/api/v1/leads", None, Some("application/json"), body.clone()).await;
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (401, Some("UNAUTHENTICATED")), "{}", r.body);
    // A browser session without the CSRF token is still refused.
    let (cookie, _) = t.login("jw_clerk", PASSWORD).await.unwrap();
    let r = t
        .send(
            Request::post("/api/v1/leads")
                .header("cookie", &cookie)
                .header("content-type", "application/json")
                .body(Body::from(body.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (403, Some("CSRF_FAILED")));
    // A wrong or missing Content-Type is 415; a body over the limit is 413.
    for ctype in [Some("text/plain"), None, Some("application/x-www-form-urlencoded")] {
        let r = call(&t, "POST", "/api/v1/leads", Some(&tok), ctype, body.clone()).await;
        assert_eq!((r.status, r.json()["error"]["code"].as_str()), (415, Some("UNSUPPORTED_MEDIA_TYPE")), "{ctype:?}");
    }
    let big = format!("{{\"description\": \"{}\"}}", "x".repeat(200 * 1024));
    let r = call(&t, "POST", "/api/v1/leads", Some(&tok), Some("application/json"), big.into_bytes()).await;
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (413, Some("BODY_TOO_LARGE")), "{}", r.body);
    // A charset parameter is fine.
    let r = call(&t, "POST", "/api/v1/leads", Some(&tok), Some("application/json; charset=utf-8"), body.clone()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(lead_count(&t, &tok).await, 1);
    // Integers sent as 1.0 are integers: the version of a referral's accept, here checked on
    // a query-free JSON reader with a number field.
    let referral_body = json!({"version": 1.0}).to_string();
    let r = call(
        &t,
        "POST",
        "/api/v1/referrals/0123456789abcdef0123456789abcdef/accept",
        Some(&tok),
        Some("application/json"),
        referral_body.into_bytes(),
    )
    .await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_str()),
        (404, Some("NOT_FOUND")),
        "1.0 reads as 1, and the unknown referral is not found: {}",
        r.body
    );
    // The document describes those answers and the case file's household as a list.
    let doc: Value = serde_json::from_str(&jiujinan_web::openapi_json()).unwrap();
    let post = &doc["paths"]["/api/v1/leads"]["post"]["responses"];
    for s in ["201", "401", "403", "413", "415", "422"] {
        assert!(post[s].is_object(), "POST /api/v1/leads documents {s}");
    }
    assert!(doc["paths"]["/api/v1/cases/{id}"]["get"]["responses"]["404"].is_object());
    let household = &doc["components"]["schemas"]["CaseDto"]["allOf"];
    let text = household.to_string() + &doc["components"]["schemas"]["CaseDto"].to_string();
    assert!(text.contains("\"household\"") && text.contains("MemberDto"), "{text}");
}
