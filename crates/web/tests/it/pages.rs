//! Sign-in, CSRF, role-shaped pages and jurisdiction, through the real router.

use crate::common;

use common::*;

both!(
    anonymous_pages_redirect_to_login,
    wrong_credentials_get_one_generic_message_and_are_audited,
    repeated_failures_lock_existing_and_unknown_names_alike,
    login_logout_and_session_expiry,
    unsafe_requests_need_the_csrf_token_and_same_origin,
    user_management_is_for_admins_within_their_jurisdiction,
    disabling_a_user_ends_their_session_and_checks_the_version,
    org_browser_tree_search_and_language,
    auditors_see_the_log_and_the_chain_status,
    every_step_has_its_own_route_and_unknown_steps_answer_404,
    page_errors_are_pages_in_the_users_language,
    the_navigation_offers_what_the_policy_allows,
    the_rules_page_offers_each_administrator_their_own_level
);

async fn anonymous_pages_redirect_to_login(t: TestApp) {
    for path in ["/", "/org", "/admin/users", "/audit"] {
        let r = t.get(path, None).await;
        assert_eq!((r.status, r.location()), (303, "/login"), "{path}");
    }
    let login = t.get("/login", None).await;
    assert_eq!(login.status, 200);
    assert!(login.body.contains("<html lang=\"zh-CN\">"));
    assert!(login.headers["content-security-policy"].to_str().unwrap().contains("script-src 'self' 'nonce-"));
}

async fn wrong_credentials_get_one_generic_message_and_are_audited(t: TestApp) {
    let wrong_pw = t.login("admin", "Wrong-password-1").await.unwrap_err();
    let no_user = t.login("nobody_here", "Wrong-password-1").await.unwrap_err();
    assert_eq!(wrong_pw.status, 401);
    assert_eq!(no_user.status, 401);
    let msg = |r: &Reply| {
        let i = r.body.find("id=\"login-error\"").expect("error shown");
        r.body[i..].split('<').next().unwrap().to_owned()
    };
    assert_eq!(msg(&wrong_pw), msg(&no_user), "the message does not reveal whether the user exists");
    assert!(msg(&wrong_pw).contains("用户名或密码错误"));
    let actions = t.audit_actions().await;
    assert_eq!(actions.iter().filter(|a| *a == "auth.login_failed").count(), 2);
}

async fn repeated_failures_lock_existing_and_unknown_names_alike(t: TestApp) {
    for name in ["admin", "ghost_user"] {
        for _ in 0..5 {
            assert_eq!(t.login(name, "Wrong-password-1").await.unwrap_err().status, 401);
        }
        let locked = t.login(name, PASSWORD).await.unwrap_err();
        assert_eq!(locked.status, 429, "{name}: even the right password is refused while locked");
    }
    t.clock.advance(5 * 60 * 1000 + 1);
    assert!(t.login("admin", PASSWORD).await.is_ok(), "the lock expires");
}

async fn login_logout_and_session_expiry(t: TestApp) {
    let (cookie, csrf) = t.login("admin", PASSWORD).await.unwrap();
    let home = t.get("/", Some(&cookie)).await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("id=\"whoami\""));
    assert!(home.body.contains("系统管理员"));
    let out = t.post_form("/logout", Some(&cookie), &format!("csrf={csrf}")).await;
    assert_eq!((out.status, out.location()), (303, "/login"));
    assert_eq!(t.get("/", Some(&cookie)).await.status, 303, "the old cookie no longer works");

    let (cookie, _) = t.login("admin", PASSWORD).await.unwrap();
    t.clock.advance(12 * 3600 * 1000);
    assert_eq!(t.get("/", Some(&cookie)).await.status, 303, "sessions expire");
    let actions = t.audit_actions().await;
    assert!(actions.contains(&"auth.login".to_owned()) && actions.contains(&"auth.logout".to_owned()));
}

async fn unsafe_requests_need_the_csrf_token_and_same_origin(t: TestApp) {
    let pre = t.get("/login", None).await.cookie("jjn_pre").unwrap();
    let no_token = t
        .post_form("/login", Some(&format!("jjn_pre={pre}")), &format!("username=admin&password={}", urlenc(PASSWORD)))
        .await;
    assert_eq!(no_token.status, 403, "login without the double-submit token");

    let (cookie, csrf) = t.login("admin", PASSWORD).await.unwrap();
    let form = format!("username=new_clerk&unit=110105001%3Amz&role=window_clerk&password={}", urlenc(PASSWORD));
    let r = t.post_form("/admin/users", Some(&cookie), &form).await;
    assert_eq!(r.status, 403, "no token");
    let r = t.post_form("/admin/users", Some(&cookie), &format!("csrf=deadbeef&{form}")).await;
    assert_eq!(r.status, 403, "wrong token");
    let cross = axum::http::Request::post("/admin/users")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &cookie)
        .header("sec-fetch-site", "cross-site")
        .body(axum::body::Body::from(format!("csrf={csrf}&{form}")))
        .unwrap();
    assert_eq!(t.send(cross).await.status, 403, "cross-site even with the token");
    assert!(t.app.test_store().user_by_username("new_clerk").await.unwrap().is_none(), "nothing was written");

    let ok = t.post_form("/admin/users", Some(&cookie), &format!("csrf={csrf}&{form}")).await;
    assert_eq!((ok.status, ok.location()), (303, "/admin/users?created=1"));
    assert!(t.app.test_store().user_by_username("new_clerk").await.unwrap().is_some());
    let header_token = axum::http::Request::post("/logout")
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(t.send(header_token).await.status, 303, "htmx sends the token as a header");
}

async fn user_management_is_for_admins_within_their_jurisdiction(t: TestApp) {
    let (clerk, _) = t.login("jw_clerk", PASSWORD).await.unwrap();
    assert_eq!(t.get("/admin/users", Some(&clerk)).await.status, 403);
    assert_eq!(t.get("/audit", Some(&clerk)).await.status, 403);

    let (cy, csrf) = t.login("cy_admin", PASSWORD).await.unwrap();
    let list = t.get("/admin/users", Some(&cy)).await;
    assert!(list.body.contains("jw_clerk") && list.body.contains("cy_admin"));
    assert!(!list.body.contains("data-username=\"auditor\""), "city users are outside a district's jurisdiction");

    let other_district =
        format!("csrf={csrf}&username=hd_clerk&unit=110108001%3Amz&role=window_clerk&password={}", urlenc(PASSWORD));
    let r = t.post_form("/admin/users", Some(&cy), &other_district).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("data-field=\"unit\""));
    let bad_role =
        format!("csrf={csrf}&username=cy_x&unit=110105001024&role=relief_station_staff&password={}", urlenc(PASSWORD));
    assert_eq!(t.post_form("/admin/users", Some(&cy), &bad_role).await.status, 422);
    let weak = format!("csrf={csrf}&username=cy_y&unit=110105001%3Amz&role=window_clerk&password=short");
    let r = t.post_form("/admin/users", Some(&cy), &weak).await;
    assert_eq!(r.status, 422);
    assert!(!r.body.contains("value=\"short\""), "passwords are never echoed");
    assert_eq!(t.app.test_store().list_users(&jiujinan_domain_scope("11")).await.unwrap().len(), USERS.len());
}

fn jiujinan_domain_scope(code: &str) -> jiujinan_app::domain::jurisdiction::Jurisdiction {
    use jiujinan_app::domain::org::{UnitCode, UnitKind};
    jiujinan_app::domain::jurisdiction::Jurisdiction::for_unit(&UnitCode::parse(code).unwrap(), UnitKind::Government)
}

async fn disabling_a_user_ends_their_session_and_checks_the_version(t: TestApp) {
    let (clerk, _) = t.login("jw_clerk", PASSWORD).await.unwrap();
    let (admin, csrf) = t.login("admin", PASSWORD).await.unwrap();
    let id = t.app.test_store().user_by_username("jw_clerk").await.unwrap().unwrap().id;
    let r = t.post_form(&format!("/admin/users/{id}/disable"), Some(&admin), &format!("csrf={csrf}&version=1")).await;
    assert_eq!(r.status, 303);
    assert_eq!(t.get("/", Some(&clerk)).await.status, 303, "the disabled user's session ended");
    assert!(t.login("jw_clerk", PASSWORD).await.is_err());
    let stale =
        t.post_form(&format!("/admin/users/{id}/enable"), Some(&admin), &format!("csrf={csrf}&version=1")).await;
    assert_eq!(stale.status, 409, "a stale form does not overwrite a newer change");
    let r = t.post_form(&format!("/admin/users/{id}/enable"), Some(&admin), &format!("csrf={csrf}&version=2")).await;
    assert_eq!(r.status, 303);
    assert!(t.login("jw_clerk", PASSWORD).await.is_ok());
}

async fn org_browser_tree_search_and_language(t: TestApp) {
    let (cookie, _) = t.login("jw_clerk", PASSWORD).await.unwrap();
    let org = t.get("/org", Some(&cookie)).await;
    assert!(org.body.contains("data-code=\"110105\""));
    let kids = t.get("/org/children/110105001", Some(&cookie)).await;
    assert!(kids.body.contains("data-code=\"110105001024\"") && kids.body.contains("data-code=\"110105001:mz\""));
    let hits = t.get(&format!("/org?q={}", urlenc("时村")), Some(&cookie)).await;
    assert!(hits.body.contains("id=\"org-search-results\"") && hits.body.contains("data-code=\"110108001001\""));
    let unit = t.get("/org/unit/110105:jzz", Some(&cookie)).await;
    assert!(unit.body.contains("朝阳区救助管理站"));
    assert_eq!(t.get("/org/unit/nonsense", Some(&cookie)).await.status, 422);
    assert_eq!(t.get("/org/unit/110199", Some(&cookie)).await.status, 404);

    let switch = t.get("/lang/en", None).await;
    assert_eq!(switch.status, 303);
    let en = format!("{cookie}; jjn_lang=en");
    let page = t.get("/org", Some(&en)).await;
    assert!(page.body.contains("<html lang=\"en\">") && page.body.contains("Organisation"));
}

async fn auditors_see_the_log_and_the_chain_status(t: TestApp) {
    let (cookie, _) = t.login("auditor", PASSWORD).await.unwrap();
    let page = t.get("/audit", Some(&cookie)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"verify-chain\""), "city auditors may verify on request");
    let verified = t.get("/audit?verify=true", Some(&cookie)).await;
    assert!(verified.body.contains("alert-ok") && verified.body.contains("哈希链校验通过"), "chain verifies");
    assert!(page.body.contains("user.created") && page.body.contains("auth.login"));
}

async fn every_step_has_its_own_route_and_unknown_steps_answer_404(t: TestApp) {
    let (cookie, csrf) = t.login("cy_admin", PASSWORD).await.unwrap();
    let steps: &[(&str, &[&str])] = &[
        (
            "/cases/x",
            &[
                "file",
                "investigations",
                "submit",
                "review",
                "send-back",
                "actions",
                "close",
                "reopen",
                "followup",
                "aid",
            ],
        ),
        ("/referrals/x", &["accept", "return", "feedback", "paperwork", "cancel", "event"]),
        ("/deadlines/x", &["pause", "resume"]),
        ("/aid/x", &["review", "approve", "refuse", "pay", "reverse", "cancel"]),
        ("/funds/x", &["deposit", "allocate"]),
        ("/meetings/x", &["agenda", "decision", "done", "minutes"]),
        ("/publicity/x", &["object"]),
    ];
    for (base, verbs) in steps {
        for verb in *verbs {
            // A route that takes only POST: a GET finds the path but not the method.
            assert_eq!(t.get(&format!("{base}/{verb}"), Some(&cookie)).await.status, 405, "{base}/{verb}");
        }
        let r = t.post_form(&format!("{base}/frobnicate"), Some(&cookie), &format!("csrf={csrf}&version=1")).await;
        assert_eq!(r.status, 404, "{base}/frobnicate");
        assert!(r.body.contains("id=\"error-message\"") && r.body.contains("id=\"nav-home\""), "{}", r.body);
    }
}

async fn page_errors_are_pages_in_the_users_language(t: TestApp) {
    let (cookie, csrf) = t.login("cy_admin", PASSWORD).await.unwrap();
    let en = format!("{cookie}; jjn_lang=en");
    // A form that does not fit its step (no version) is refused before any use case runs.
    let r = t.post_form("/aid/x/approve", Some(&en), &format!("csrf={csrf}&opinion=ok")).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("<html lang=\"en\">") && r.body.contains("data-code=\"BAD_REQUEST\""), "{}", r.body);
    assert!(r.body.contains("Something went wrong") && r.body.contains("id=\"nav-home\""));
    let r = t.get("/cases/nonexistent", Some(&cookie)).await;
    assert_eq!(r.status, 404);
    assert!(r.body.contains("<html lang=\"zh-CN\">") && r.body.contains("出错了"), "{}", r.body);
    let r = t.get("/cases/nonexistent", Some(&en)).await;
    assert!(r.body.contains("Something went wrong") && r.body.contains("data-code=\"NOT_FOUND\""));
}

/// The top navigation follows the permission policy: the queues for civil-affairs staff, the
/// intake form for departments (they record the requests they receive first), nothing of
/// either for auditors.
async fn the_navigation_offers_what_the_policy_allows(t: TestApp) {
    user(&t, "cy_health", "110105:wj", "department_handler").await;
    let nav = |body: &str, id: &str| body.contains(&format!("id=\"{id}\""));
    let (clerk, _) = t.login("jw_clerk", PASSWORD).await.unwrap();
    let home = t.get("/", Some(&clerk)).await.body;
    assert!(nav(&home, "nav-leads") && nav(&home, "nav-cases") && !nav(&home, "nav-new-lead"));
    assert!(nav(&home, "nav-approvals") && nav(&home, "nav-funds"), "a window clerk pays aid from the funds");
    let (health, _) = t.login("cy_health", PASSWORD).await.unwrap();
    let home = t.get("/", Some(&health)).await.body;
    assert!(nav(&home, "nav-new-lead") && !nav(&home, "nav-leads") && !nav(&home, "nav-cases"));
    assert!(nav(&home, "nav-referrals"));
    assert!(!nav(&home, "nav-approvals") && !nav(&home, "nav-funds"), "a department neither pays nor keeps the books");
    assert_eq!(t.get("/leads", Some(&health)).await.status, 403, "the queue itself stays closed");
    assert_eq!(t.get("/leads/new", Some(&health)).await.status, 200);
    let (auditor, _) = t.login("auditor", PASSWORD).await.unwrap();
    let home = t.get("/", Some(&auditor)).await.body;
    assert!(!nav(&home, "nav-leads") && !nav(&home, "nav-new-lead") && nav(&home, "nav-audit"));
}

/// Rule data by level on the page: the city administrator gets every form, a district
/// administrator only the standard form, prefilled with the district, and a city-wide post
/// from them is refused.
async fn the_rules_page_offers_each_administrator_their_own_level(t: TestApp) {
    let (city, _) = t.login("admin", PASSWORD).await.unwrap();
    let page = t.get("/admin/rules", Some(&city)).await.body;
    for form in ["limit-form", "day-form", "standard-form", "ceiling-form"] {
        assert!(page.contains(&format!("id=\"{form}\"")), "city: {form}");
    }
    let (district, csrf) = t.login("cy_admin", PASSWORD).await.unwrap();
    let page = t.get("/admin/rules", Some(&district)).await.body;
    assert!(page.contains("id=\"standard-form\"") && page.contains("name=\"region\" value=\"110105\""));
    for form in ["limit-form", "day-form", "ceiling-form"] {
        assert!(!page.contains(&format!("id=\"{form}\"")), "district: {form}");
    }
    let raise = format!("csrf={csrf}&level=street&effective_from=2026-12-01&amount=1234567&source=x");
    let r = t.post_form("/admin/rules/ceilings", Some(&district), &raise).await;
    assert!(r.location().ends_with("error=FORBIDDEN"), "{}", r.location());
    let page = t.get("/admin/rules", Some(&city)).await.body;
    assert!(!page.contains("1234567.00"), "nothing was written");
}
