//! A web form sent twice is carried out once (`submissions.rs`): copies sent together or
//! later lead where the first one did; the same form rendered again, or changed, is a new
//! submission; a lead form shown again with its errors can be corrected and sent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use jiujinan_store::LeadFilter;

/// The value of hidden field `name` inside the form with id `form`.
fn form_field(html: &str, form: &str, name: &str) -> String {
    let at = html.find(&format!("id=\"{form}\"")).expect("form on the page");
    let rest = &html[at..];
    let key = format!("name=\"{name}\" value=\"");
    let i = rest.find(&key).expect("field in the form") + key.len();
    rest[i..].split('"').next().unwrap().to_owned()
}

async fn a_case(t: &TestApp) -> String {
    let reviewer = user(t, "jw_reviewer", "110105001:mz", "street_reviewer").await;
    open_case(t, &reviewer, &walk_in()).await
}

#[tokio::test]
async fn an_investigation_sent_twice_is_recorded_once() {
    let t = spawn_app().await;
    let case_id = a_case(&t).await;
    let (cookie, csrf) = t.login("jw_reviewer", PASSWORD).await.unwrap();
    let path = format!("/cases/{case_id}/investigations");
    let page = t.get(&format!("/cases/{case_id}"), Some(&cookie)).await;
    let token = form_field(&page.body, "investigation-form", "submission");
    let body = format!("csrf={csrf}&submission={token}&method=home_visit&findings=%E5%B1%9E%E5%AE%9E");

    // A double click: two copies at once, then a reload that posts again.
    let (a, b) = tokio::join!(t.post_form(&path, Some(&cookie), &body), t.post_form(&path, Some(&cookie), &body));
    let c = t.post_form(&path, Some(&cookie), &body).await;
    for r in [&a, &b, &c] {
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(r.location(), a.location());
    }
    assert!(a.location().contains("saved=1"), "{}", a.location());
    assert_eq!(t.app.test_store().investigations(&case_id).await.unwrap().len(), 1, "one record for three copies");

    // The page rendered again gives the form a new token: a second record on purpose.
    let page = t.get(&format!("/cases/{case_id}"), Some(&cookie)).await;
    let again = form_field(&page.body, "investigation-form", "submission");
    assert_ne!(again, token);
    let body = format!("csrf={csrf}&submission={again}&method=neighbours&findings=%E5%B1%9E%E5%AE%9E");
    assert_eq!(t.post_form(&path, Some(&cookie), &body).await.status, 303);
    // The same token with changed fields (back, edit, send) is carried out too.
    let changed = format!("csrf={csrf}&submission={again}&method=data_check&findings=%E5%B1%9E%E5%AE%9E");
    assert_eq!(t.post_form(&path, Some(&cookie), &changed).await.status, 303);
    assert_eq!(t.app.test_store().investigations(&case_id).await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_lead_form_sent_twice_records_one_lead_and_errors_can_be_corrected() {
    let t = spawn_app().await;
    let (cookie, csrf) = t.login("jw_clerk", PASSWORD).await.unwrap();
    let page = t.get("/leads/new", Some(&cookie)).await;
    let token = form_field(&page.body, "lead-form", "submission");
    let form = |description: &str| {
        format!(
            "csrf={csrf}&submission={token}&channel=window&subject_name={}&location_code=110105001024&urgency=urgent\
             &hardship_types=FIRE&description={}",
            urlenc("王芳"),
            urlenc(description)
        )
    };
    // Sent without a description: the form comes back with the error, and the claim is given back.
    let bad = t.post_form("/leads", Some(&cookie), &form("")).await;
    assert_ne!(bad.status, 303, "{}", bad.location());
    let good = form("家中失火，无处居住");
    let (a, b) = tokio::join!(t.post_form("/leads", Some(&cookie), &good), t.post_form("/leads", Some(&cookie), &good));
    assert_eq!((a.status, b.status), (303, 303), "{}", a.body);
    assert_eq!(a.location(), b.location());
    use jiujinan_app::domain::jurisdiction::Jurisdiction;
    use jiujinan_app::domain::org::{UnitCode, UnitKind};
    let scope = Jurisdiction::for_unit(&UnitCode::parse("11").unwrap(), UnitKind::Government);
    let leads = t.app.test_store().list_leads(&scope, &LeadFilter { limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(leads.len(), 1, "one lead for two copies");
}

#[tokio::test]
async fn posts_without_a_token_are_not_deduplicated() {
    let t = spawn_app().await;
    let case_id = a_case(&t).await;
    let (cookie, csrf) = t.login("jw_reviewer", PASSWORD).await.unwrap();
    let path = format!("/cases/{case_id}/investigations");
    let body = format!("csrf={csrf}&method=home_visit&findings=x");
    t.post_form(&path, Some(&cookie), &body).await;
    t.post_form(&path, Some(&cookie), &body).await;
    assert_eq!(
        t.app.test_store().investigations(&case_id).await.unwrap().len(),
        2,
        "scripts without the field: as before"
    );
}
