//! Sessions and bearer tokens: a revocation or a disabled user made by another process (the
//! command line) is refused on the very next request, with no cache window (ADR 0019).
//! Login throttling per name and per client address (ADR 0020).

use std::net::IpAddr;

use crate::common;

use common::*;
use jiujinan_app::users::cli_actor;
use jiujinan_app::{App, AppError, AppSettings};

both!(
    revocation_and_disabling_reach_another_process_at_once,
    thirty_names_from_one_address_are_throttled,
    the_real_user_elsewhere_is_locked_only_briefly,
);

const GOOD: &str = "Good-password-1";
const WRONG: &str = "Wrong-password-1";

fn ip(s: &str) -> Option<IpAddr> {
    Some(s.parse().unwrap())
}

async fn revocation_and_disabling_reach_another_process_at_once(t: T) {
    // `t.app` is the server; `cli` is a second process on the same database, as
    // `jiujinan token revoke` or `jiujinan user disable` would be. The clock stands still, so
    // nothing may expire in between.
    let server = &t.app;
    let cli = App::new(server.test_store().clone(), t.clock.clone(), AppSettings::default());

    let tok = cli.issue_token(&cli_actor(), "jw_clerk", "hotline").await.unwrap();
    for _ in 0..3 {
        let who = server.bearer(&tok.secret).await.unwrap().expect("a live token authenticates");
        assert_eq!(who.username, "jw_clerk");
    }
    cli.revoke_token(&cli_actor(), &tok.id).await.unwrap();
    assert!(server.bearer(&tok.secret).await.unwrap().is_none(), "the next request after revocation is refused");

    let tok = cli.issue_token(&cli_actor(), "jw_reviewer", "dept").await.unwrap();
    assert!(server.bearer(&tok.secret).await.unwrap().is_some());
    let login = server.login("jw_reviewer", GOOD, None).await.unwrap();
    assert!(server.session(&login.session_token).await.unwrap().is_some());
    let user = cli.user_by_name_in_scope(&cli_actor(), "jw_reviewer").await.unwrap();
    cli.set_user_disabled(&cli_actor(), &user.id, true, user.version).await.unwrap();
    assert!(server.bearer(&tok.secret).await.unwrap().is_none(), "a disabled user's token is refused at once");
    assert!(server.session(&login.session_token).await.unwrap().is_none(), "and their browser session has ended");

    // Enabling the user again brings the (unrevoked) token back, but not the ended session.
    let user = cli.user_by_name_in_scope(&cli_actor(), "jw_reviewer").await.unwrap();
    cli.set_user_disabled(&cli_actor(), &user.id, false, user.version).await.unwrap();
    assert_eq!(server.bearer(&tok.secret).await.unwrap().map(|a| a.username).as_deref(), Some("jw_reviewer"));
    assert!(server.session(&login.session_token).await.unwrap().is_none());
}

async fn thirty_names_from_one_address_are_throttled(t: T) {
    let attacker = ip("203.0.113.7");
    let max = t.app.settings.lockout.address.max_failures;
    let mut outcomes = Vec::new();
    for i in 0..30 {
        outcomes.push(match t.app.login(&format!("guess{i}"), WRONG, attacker).await {
            Err(AppError::InvalidCredentials) => "invalid",
            Err(AppError::LoginLocked { .. }) => "locked",
            other => panic!("{other:?}"),
        });
    }
    let invalid = outcomes.iter().take_while(|o| **o == "invalid").count();
    assert_eq!(invalid as i64, max, "each name was new, so only the address can lock: {outcomes:?}");
    assert!(outcomes.iter().skip(invalid).all(|o| *o == "locked"), "{outcomes:?}");
    // The locked address is refused even with a real user's right password ...
    assert!(matches!(t.app.login("jw_clerk", GOOD, attacker).await, Err(AppError::LoginLocked { .. })));
    // ... which still works from anywhere else.
    assert!(t.app.login("jw_clerk", GOOD, ip("198.51.100.20")).await.is_ok());
    // IPv6: the whole /64 is one client.
    for i in 0..max {
        let from = ip(&format!("2001:db8:7:1::{:x}", i + 1));
        assert!(matches!(t.app.login(&format!("v6guess{i}"), WRONG, from).await, Err(AppError::InvalidCredentials)));
    }
    assert!(matches!(
        t.app.login("another", WRONG, ip("2001:db8:7:1:ffff::1")).await,
        Err(AppError::LoginLocked { .. })
    ));

    // Failures are audited with the address.
    let log = t.app.test_store().audit_after(0, 10_000).await.unwrap();
    let failed: Vec<_> = log.iter().filter(|e| e.action == "auth.login_failed").collect();
    assert_eq!(failed.len(), 30 + 1 + max as usize + 1);
    assert!(failed.iter().all(|e| e.detail.contains("\"address\"")));
    assert!(failed.iter().any(|e| e.detail.contains("203.0.113.7") && e.detail.contains("address_locked")));
}

async fn the_real_user_elsewhere_is_locked_only_briefly(t: T) {
    let attacker = ip("203.0.113.8");
    let home = ip("198.51.100.30");
    let p = t.app.settings.lockout;
    let cap_s = p.name.max_lock_ms / 1000;
    let mut longest_name_lock = 0;
    let mut attacker_wait = None;
    // The attacker keeps guessing the real user's password whenever they are let in.
    for _ in 0..100 {
        match t.app.login("jw_clerk", WRONG, attacker).await {
            Err(AppError::InvalidCredentials) => continue,
            Err(AppError::LoginLocked { retry_after_s }) if retry_after_s > cap_s => {
                attacker_wait = Some(retry_after_s);
                break;
            }
            Err(AppError::LoginLocked { .. }) => {}
            other => panic!("{other:?}"),
        }
        // The real user, from their own address, meets only the name's lock: short and capped.
        match t.app.login("jw_clerk", GOOD, home).await {
            Err(AppError::LoginLocked { retry_after_s }) => {
                assert!(retry_after_s <= cap_s, "victim locked {retry_after_s} s > {cap_s} s");
                longest_name_lock = longest_name_lock.max(retry_after_s);
                t.clock.advance(retry_after_s * 1000);
            }
            other => panic!("the name is locked, so the user is too: {other:?}"),
        }
    }
    assert_eq!(longest_name_lock, cap_s, "the name's lock grew to its cap and no further");
    let attacker_wait = attacker_wait.expect("the attacker's address was locked longer than the name");
    // The victim waits at most the name's cap, then signs in while the attacker is still locked out.
    match t.app.login("jw_clerk", GOOD, home).await {
        Err(AppError::LoginLocked { retry_after_s }) => {
            assert!(retry_after_s <= cap_s && retry_after_s < attacker_wait);
            t.clock.advance(retry_after_s * 1000);
        }
        other => panic!("{other:?}"),
    }
    assert!(t.app.login("jw_clerk", GOOD, home).await.is_ok());
    assert!(matches!(t.app.login("jw_clerk", GOOD, attacker).await, Err(AppError::LoginLocked { .. })));
    assert!(p.address.max_failures > p.name.max_failures);
}
