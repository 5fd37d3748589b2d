//! The JSON API: bearer tokens, error shape and language, OpenAPI snapshot, operations.

use crate::common;

use axum::body::Body;
use axum::http::Request;
use common::*;
use jiujinan_app::users::cli_actor;

both!(
    bearer_tokens_authenticate_and_can_be_revoked,
    errors_have_a_stable_code_and_the_requested_language,
    organisation_endpoints,
    cookie_authenticated_api_posts_need_the_csrf_token,
    operations_endpoints,
    openapi_document_matches_the_snapshot
);

async fn api(t: &TestApp, path: &str, token: Option<&str>, lang: Option<&str>) -> Reply {
    let mut b = Request::get(path);
    if let Some(tok) = token {
        b = b.header("authorization", format!("Bearer {tok}"));
    }
    if let Some(l) = lang {
        b = b.header("accept-language", l);
    }
    t.send(b.body(Body::empty()).unwrap()).await
}

async fn bearer_tokens_authenticate_and_can_be_revoked(t: TestApp) {
    let tok = t.app.issue_token(&cli_actor(), "jw_clerk", "12345 hotline").await.unwrap();
    let me = api(&t, "/api/v1/me", Some(&tok.secret), None).await;
    assert_eq!(me.status, 200);
    let j = me.json();
    assert_eq!(j["username"], "jw_clerk");
    assert_eq!(j["role"], "window_clerk");
    assert_eq!(j["unit"], "110105001:mz");
    assert_eq!(j["jurisdiction"], "110105001");

    t.app.revoke_token(&cli_actor(), &tok.id).await.unwrap();
    let gone = api(&t, "/api/v1/me", Some(&tok.secret), None).await;
    assert_eq!(gone.status, 401);
    assert_eq!(gone.json()["error"]["code"], "UNAUTHENTICATED");
    let actions = t.audit_actions().await;
    assert!(actions.contains(&"token.issued".to_owned()) && actions.contains(&"token.revoked".to_owned()));
}

async fn errors_have_a_stable_code_and_the_requested_language(t: TestApp) {
    let zh = api(&t, "/api/v1/me", None, None).await;
    assert_eq!(zh.status, 401);
    let j = zh.json();
    assert_eq!(j["error"]["code"], "UNAUTHENTICATED");
    assert_eq!(j["error"]["message"], "请先登录");
    assert!(j["error"]["fields"].is_object());
    let en = api(&t, "/api/v1/me", None, Some("en-US,en;q=0.9")).await;
    assert_eq!(en.json()["error"]["message"], "Please sign in");

    let tok = t.app.issue_token(&cli_actor(), "admin", "").await.unwrap();
    let bad = api(&t, "/api/v1/units/11x", Some(&tok.secret), Some("en")).await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.json()["error"]["code"], "INVALID_UNIT_CODE");
    assert!(bad.json()["error"]["fields"]["unit"].is_string());
    let missing = api(&t, "/api/v1/units/110199", Some(&tok.secret), None).await;
    assert_eq!((missing.status, missing.json()["error"]["code"].as_str()), (404, Some("NOT_FOUND")));
    let bad_limit = api(&t, "/api/v1/units?q=a&limit=many", Some(&tok.secret), None).await;
    assert_eq!((bad_limit.status, bad_limit.json()["error"]["code"].as_str()), (422, Some("BAD_REQUEST")));
    let nowhere = api(&t, "/api/v1/nothing", Some(&tok.secret), None).await;
    assert_eq!(nowhere.json()["error"]["code"], "NOT_FOUND");
}

async fn organisation_endpoints(t: TestApp) {
    let tok = t.app.issue_token(&cli_actor(), "jw_clerk", "").await.unwrap();
    let u = api(&t, "/api/v1/units/110105:jzz", Some(&tok.secret), None).await.json();
    assert_eq!(u["name"], "朝阳区救助管理站");
    assert_eq!(u["kind"], "relief_station");
    assert_eq!(u["parent"], "110105");
    let kids = api(&t, "/api/v1/units/110105001/children", Some(&tok.secret), None).await.json();
    assert_eq!(kids.as_array().unwrap().len(), 2);
    let hits = api(&t, &format!("/api/v1/units?q={}", urlenc("时村")), Some(&tok.secret), None).await.json();
    assert_eq!(hits[0]["code"], "110108001001");
}

async fn cookie_authenticated_api_posts_need_the_csrf_token(t: TestApp) {
    let (cookie, _) = t.login("admin", PASSWORD).await.unwrap();
    let with_cookie = Request::post("/api/v1/me").header("cookie", &cookie).body(Body::empty()).unwrap();
    assert_eq!(t.send(with_cookie).await.json()["error"]["code"], "CSRF_FAILED");
}

async fn operations_endpoints(t: TestApp) {
    assert_eq!(t.get("/healthz", None).await.status, 200);
    assert_eq!(t.get("/readyz", None).await.status, 200);
    let m = t.get("/metrics", None).await;
    assert!(m.body.contains("jiujinan_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"200\"} 1"));
    assert!(m.body.contains("jiujinan_database_up 1"));
    let r = t.get("/healthz", None).await;
    assert!(r.headers.contains_key("x-request-id"));
    t.app.test_store().close().await;
    assert_eq!(t.get("/readyz", None).await.status, 503, "not ready without a database");
}

async fn openapi_document_matches_the_snapshot(t: TestApp) {
    let served = t.get("/api/openapi.json", None).await.json();
    let generated = jiujinan_web::openapi_json();
    assert_eq!(served, serde_json::from_str::<serde_json::Value>(&generated).unwrap());
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated && std::env::var("UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        // Rewriting is never a pass: the run that changes the snapshot fails, so a changed
        // API cannot go green unnoticed; the next run, with the reviewed file, passes.
        std::fs::write(&path, &generated).unwrap();
        panic!("openapi.json rewritten: review `git diff crates/web/openapi.json`, then run the tests again");
    }
    assert_eq!(
        committed, generated,
        "API changed: review it, then run UPDATE_SNAPSHOTS=1 cargo test -p jiujinan-web --test it api::"
    );
}
