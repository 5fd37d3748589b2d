//! Issue 19: several `jiujinan serve` processes extend one audit chain. Two servers on one
//! database take leads from eight clients at once (each lead an audit entry, appended by each
//! server's own group-commit writer); every lead is answered 201 and stored once, and
//! `audit verify` then finds the chain intact with every entry. Without the chain head's row
//! lock (PostgreSQL `FOR UPDATE`) the two servers' batches collide on the same sequence number.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_jiujinan");

fn command(dir: &Path, url: &str, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .args(["--database-url", url])
        .current_dir(dir)
        .env_remove("JIUJINAN_DATABASE_URL")
        .env_remove("JIUJINAN_CONFIG")
        .env("JIUJINAN_AUDIT_KEY_FILE", dir.join("audit.key"))
        .env("JIUJINAN_PII_KEY_FILE", dir.join("pii.key"))
        // One sweeper is enough; the test is about the chain.
        .env("JIUJINAN_SUPERVISION_INTERVAL_SECONDS", "0");
    c
}

fn ok(dir: &Path, url: &str, args: &[&str]) -> String {
    let out = command(dir, url, args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn serve(dir: &Path, url: &str, demo: bool) -> (Child, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let listen = format!("127.0.0.1:{port}");
    let mut args = vec!["serve", "--listen", &listen];
    if demo {
        args.push("--demo");
    }
    let mut child = command(dir, url, &args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if request(port, "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").starts_with("HTTP/1.1 200") {
            return (child, port);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("server did not become ready");
}

fn request(port: u16, text: &str) -> String {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { return String::new() };
    let _ = s.write_all(text.as_bytes());
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

fn post_lead(port: u16, token: &str, phone: &str) -> String {
    let body = format!(
        r#"{{"channel":"hotline_12345","subject":{{"name":"王芳","phone":"{phone}"}},"location_code":"110105001024","description":"独居老人摔伤","urgency":"urgent","hardship_types":["OTHER_ACCIDENT"]}}"#
    );
    request(
        port,
        &format!(
            "POST /api/v1/leads HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
}

fn two_servers_extend_one_chain(url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, url, &["key", "generate", "--out", "audit.key"]);
    ok(d, url, &["key", "generate", "--pii", "--out", "pii.key"]);
    let (mut first, p1) = serve(d, url, true);
    let (mut second, p2) = serve(d, url, false);
    let token = ok(d, url, &["token", "issue", "--username", "jw_clerk", "--name", "two-servers"]).trim().to_owned();
    let before = ok(d, url, &["audit", "verify"]);
    let clients: Vec<_> = (0..8)
        .map(|c| {
            let token = token.clone();
            let port = if c % 2 == 0 { p1 } else { p2 };
            std::thread::spawn(move || {
                (0..40)
                    .map(|i| {
                        let reply = post_lead(port, &token, &format!("137{c:02}{i:06}"));
                        assert!(reply.starts_with("HTTP/1.1 201"), "server on {port}: {reply}");
                        reply.split("\"id\":\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let ids: std::collections::HashSet<String> = clients.into_iter().flat_map(|c| c.join().unwrap()).collect();
    assert_eq!(ids.len(), 320, "every lead answered once, with its own id");
    for child in [&mut first, &mut second] {
        child.kill().unwrap();
        child.wait().unwrap();
    }
    let entries = |text: &str| -> i64 {
        text.split("intact: ")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{text}"))
    };
    let after = ok(d, url, &["audit", "verify"]);
    assert!(after.contains("intact"), "{after}");
    assert_eq!(entries(&after), entries(&before) + 320, "one entry per lead, all in one chain: {after}");
}

#[test]
fn two_servers_extend_one_chain_on_postgresql() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let Some(url) = rt.block_on(jiujinan_store::testing::fresh_postgres_url()) else { return };
    drop(rt);
    two_servers_extend_one_chain(&url);
}

#[test]
fn two_servers_extend_one_chain_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    two_servers_extend_one_chain(&format!("sqlite://{}/j.db", dir.path().display()));
}
