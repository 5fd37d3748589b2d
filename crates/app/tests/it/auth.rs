//! Sessions and bearer tokens: a revocation or a disabled user made by another process (the
//! command line) is refused on the very next request, with no cache window (ADR 0019).

use crate::common;

use common::*;
use jiujinan_app::users::cli_actor;
use jiujinan_app::{App, AppSettings};

both!(revocation_and_disabling_reach_another_process_at_once);

const GOOD: &str = "Good-password-1";

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
    let login = server.login("jw_reviewer", GOOD).await.unwrap();
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
