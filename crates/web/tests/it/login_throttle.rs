//! Login throttling through the login form (ADR 0020): per client address as well as per
//! name; the client is the socket peer, or the forwarded address behind a trusted proxy.

use crate::common;

use common::*;

both!(thirty_names_from_one_client_are_throttled, behind_a_trusted_proxy_the_forwarded_client_counts);

const WRONG: &str = "Wrong-password-1";

async fn thirty_names_from_one_client_are_throttled(t: TestApp) {
    let max = t.app.settings.lockout.address.max_failures as usize;
    let mut statuses = Vec::new();
    for i in 0..30 {
        // A forged X-Forwarded-For changes nothing: no proxy is trusted by default.
        let forged = format!("10.9.8.{i}");
        let r = t.login_from("203.0.113.7:40000", Some(&forged), &format!("guess{i}"), WRONG).await;
        if r.status == 429 {
            assert!(r.body.contains("id=\"login-error\""), "the form says why");
        }
        statuses.push(r.status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), max, "{statuses:?}");
    assert!(statuses.iter().skip(max).all(|s| *s == 429), "{statuses:?}");
    // The same client with the right password is refused; the user elsewhere is not.
    assert_eq!(t.login_from("203.0.113.7:40001", None, "admin", PASSWORD).await.status, 429);
    let ok = t.login_from("198.51.100.2:50000", None, "admin", PASSWORD).await;
    assert_eq!((ok.status, ok.location()), (303, "/"));
}

async fn behind_a_trusted_proxy_the_forwarded_client_counts(t: TestApp) {
    let t = t.with_trusted_proxies(&["127.0.0.1", "10.0.0.0/8"]);
    let max = t.app.settings.lockout.address.max_failures;
    for i in 0..max {
        let r = t.login_from("127.0.0.1:3000", Some("203.0.113.9, 10.1.1.1"), &format!("guess{i}"), WRONG).await;
        assert_eq!(r.status, 401);
    }
    let locked = t.login_from("127.0.0.1:3000", Some("203.0.113.9, 10.1.1.1"), "admin", PASSWORD).await;
    assert_eq!(locked.status, 429, "the forwarded client is locked");
    // Another client behind the same proxy is not.
    let ok = t.login_from("127.0.0.1:3000", Some("198.51.100.3"), "admin", PASSWORD).await;
    assert_eq!(ok.status, 303);
    let log = t.app.test_store().audit_after(0, 10_000).await.unwrap();
    assert!(
        log.iter().any(|e| e.action == "auth.login_failed" && e.detail.contains("\"address\":\"203.0.113.9\"")),
        "failures are audited with the client address"
    );
}
