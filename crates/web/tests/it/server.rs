//! The real server loop (`jiujinan_web::serve`) on a random port: half-sent requests, idle
//! keep-alive connections and stalled bodies are closed after their (small, test-set)
//! timeouts (ADR 0019), and requests carry the peer address for login throttling. Only that
//! a connection closes is asserted, with bounds of ten times the timeout.

use std::net::SocketAddr;
use std::time::Duration;

use jiujinan_web::{AppState, ConnectionTimeouts, WebSettings, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

use crate::common;

use common::*;

both!(slow_and_idle_connections_are_closed, requests_carry_the_peer_address, a_request_over_its_time_is_answered_408);

const HEADER_READ: Duration = Duration::from_millis(300);
const IDLE: Duration = Duration::from_millis(400);

/// Starts the server on 127.0.0.1 with the test timeouts; its address and its stop switch.
async fn start(t: &TestApp) -> (SocketAddr, oneshot::Sender<()>) {
    let web =
        WebSettings { timeouts: ConnectionTimeouts { header_read: HEADER_READ, idle: IDLE }, ..Default::default() };
    start_with(t, web).await
}

async fn start_with(t: &TestApp, web: WebSettings) -> (SocketAddr, oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let state = AppState::new(t.app.clone(), web);
    tokio::spawn(serve(state, listener, async move {
        let _ = stopped.await;
    }));
    (addr, stop)
}

/// Reads until the server closes the connection (EOF or reset); `false` if it is still open
/// after `within`. Whatever arrives before the close is returned too.
async fn closed_within(conn: &mut TcpStream, within: Duration) -> (bool, String) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, conn.read(&mut buf)).await {
            Err(_) => return (false, String::from_utf8_lossy(&got).into_owned()),
            Ok(Ok(0)) | Ok(Err(_)) => return (true, String::from_utf8_lossy(&got).into_owned()),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

async fn slow_and_idle_connections_are_closed(t: TestApp) {
    let (addr, _stop) = start(&t).await;

    // Half a request line, then nothing.
    let mut half = TcpStream::connect(addr).await.unwrap();
    half.write_all(b"GET /healthz HT").await.unwrap();
    let (closed, _) = closed_within(&mut half, HEADER_READ * 10).await;
    assert!(closed, "a half-sent request line is dropped");

    // A connection that never sends a byte.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    assert!(closed_within(&mut silent, HEADER_READ * 10).await.0, "a silent connection is dropped");

    // A keep-alive connection, idle after a complete exchange.
    let mut keep = TcpStream::connect(addr).await.unwrap();
    keep.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").await.unwrap();
    let (closed, reply) = closed_within(&mut keep, (HEADER_READ + IDLE) * 10).await;
    assert!(reply.starts_with("HTTP/1.1 200"), "served first: {reply}");
    assert!(reply.ends_with("ok"), "{reply}");
    assert!(closed, "then the idle keep-alive connection is closed");

    // A body that stops halfway (the login form's body is read for its CSRF field).
    let mut stalled = TcpStream::connect(addr).await.unwrap();
    stalled
        .write_all(
            b"POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 100\r\n\r\nusername=a",
        )
        .await
        .unwrap();
    assert!(closed_within(&mut stalled, IDLE * 10).await.0, "a stalled body is dropped");

    // The server still serves a fresh connection.
    let mut fresh = TcpStream::connect(addr).await.unwrap();
    fresh.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await.unwrap();
    let (closed, reply) = closed_within(&mut fresh, Duration::from_secs(10)).await;
    assert!(closed && reply.starts_with("HTTP/1.1 200"), "{reply}");
}

async fn requests_carry_the_peer_address(t: TestApp) {
    let (addr, stop) = start(&t).await;
    let mut conn = TcpStream::connect(addr).await.unwrap();
    conn.write_all(b"GET /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await.unwrap();
    let (_, page) = closed_within(&mut conn, Duration::from_secs(10)).await;
    let pre = page.split("jjn_pre=").nth(1).and_then(|r| r.split(';').next()).expect("pre-login cookie").to_owned();
    let body = format!("csrf={pre}&username=admin&password=Wrong-password-1");
    let req = format!(
        "POST /login HTTP/1.1\r\nHost: localhost\r\nOrigin: http://localhost\r\nSec-Fetch-Site: same-origin\r\n\
         Cookie: jjn_pre={pre}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    let mut conn = TcpStream::connect(addr).await.unwrap();
    conn.write_all(req.as_bytes()).await.unwrap();
    let (_, reply) = closed_within(&mut conn, Duration::from_secs(10)).await;
    assert!(reply.starts_with("HTTP/1.1 401"), "{reply}");
    let log = t.app.test_store().audit_after(0, 10_000).await.unwrap();
    assert!(
        log.iter().any(|e| e.action == "auth.login_failed" && e.detail.contains("\"address\":\"127.0.0.1\"")),
        "the failure is audited with the peer address"
    );
    let _ = stop.send(());
}

/// `request_timeout` bounds a request's whole handling, body included: a client whose body
/// trickles slower than that (bytes still moving, so the idle limit never fires) is answered
/// 408 at the limit, and the server goes on serving.
async fn a_request_over_its_time_is_answered_408(t: TestApp) {
    let timeout = Duration::from_millis(500);
    let web = WebSettings {
        request_timeout: timeout,
        timeouts: ConnectionTimeouts { header_read: Duration::from_secs(5), idle: Duration::from_secs(5) },
        ..Default::default()
    };
    let (addr, stop) = start_with(&t, web).await;
    let mut conn = TcpStream::connect(addr).await.unwrap();
    conn.write_all(
        b"POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n\
          Content-Length: 100\r\nConnection: close\r\n\r\nu",
    )
    .await
    .unwrap();
    let started = tokio::time::Instant::now();
    let (mut read, mut write) = conn.into_split();
    // One byte every 100 ms: never idle, never done.
    let writer = tokio::spawn(async move {
        for _ in 0..40 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if write.write_all(b"x").await.is_err() {
                break;
            }
        }
    });
    let mut first = [0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(10), read.read(&mut first)).await.expect("a reply").unwrap();
    let answered = started.elapsed();
    let reply = String::from_utf8_lossy(&first[..n]).into_owned();
    assert!(reply.starts_with("HTTP/1.1 408"), "answered at the limit: {reply}");
    assert!(answered >= timeout && answered < timeout * 4, "at the limit, not before nor much after: {answered:?}");
    writer.abort();
    let mut fresh = TcpStream::connect(addr).await.unwrap();
    fresh.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await.unwrap();
    let (_, reply) = closed_within(&mut fresh, Duration::from_secs(10)).await;
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    let _ = stop.send(());
}
