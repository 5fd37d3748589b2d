//! The `jiujinan` binary as an operator or integrator uses it: every subcommand, bad input,
//! tampering with the database file, and durability across `kill -9`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_jiujinan");
const DIVISIONS: &str =
    "code,name,level,parent_code\n11,北京市,city,\n110105,朝阳区,district,11\n110105001,建外街道,street,110105\n";
const COMMUNITIES: &str = "code,name,street_code\n110105001024,南郎家园社区居委会,110105001\n";

pub(crate) struct Env {
    pub(crate) dir: tempfile::TempDir,
    url: String,
}

impl Env {
    pub(crate) fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/j.db", dir.path().display());
        Self { dir, url }
    }

    /// An environment in `dir` on the database at `url`.
    pub(crate) fn at(dir: tempfile::TempDir, url: String) -> Self {
        Self { dir, url }
    }

    pub(crate) fn db_path(&self) -> PathBuf {
        self.dir.path().join("j.db")
    }

    pub(crate) fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// The binary with `args` on this environment's database, in its folder.
    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args).arg("--database-url").arg(&self.url).current_dir(self.dir.path());
        cmd.env_remove("JIUJINAN_DATABASE_URL").env_remove("JIUJINAN_CONFIG");
        cmd
    }

    pub(crate) fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = self.command(args);
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        if let Some(text) = stdin {
            child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        }
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    }

    pub(crate) fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin);
        assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    pub(crate) fn import_small_org(&self) {
        let d = self.file("d.csv", DIVISIONS);
        let c = self.file("c.csv", COMMUNITIES);
        self.ok(&["org", "import", "--divisions", d.to_str().unwrap(), "--communities", c.to_str().unwrap()], None);
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn org_import_is_idempotent_and_a_malformed_file_imports_nothing() {
    let e = Env::sqlite();
    let d = e.file("d.csv", DIVISIONS);
    let bad = e.file(
        "bad.csv",
        "code,name,street_code\n110105001024,南郎家园社区居委会,110105001\n1101050010XX,坏行,110105001\n",
    );
    let out =
        e.run(&["org", "import", "--divisions", d.to_str().unwrap(), "--communities", bad.to_str().unwrap()], None);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("IMPORT_MALFORMED") && err.contains("bad.csv, line 3"), "{err}");
    assert!(e.ok(&["user", "list"], None).is_empty());
    let c = e.file("c.csv", COMMUNITIES);
    let args = ["org", "import", "--divisions", d.to_str().unwrap(), "--communities", c.to_str().unwrap()];
    assert!(
        e.ok(&args, None).contains("16 new, 0 updated, 0 unchanged"),
        "1+5 city, 1+6 district, 1+1 street, 1 community"
    );
    assert!(e.ok(&args, None).contains("0 new, 0 updated, 16 unchanged"));
}

#[test]
fn user_add_rejects_unknown_units_and_roles_and_writes_nothing() {
    let e = Env::sqlite();
    e.import_small_org();
    let pw = Some("Good-password-1\n");
    let out = e.run(
        &[
            "user",
            "add",
            "--username",
            "x_clerk",
            "--unit",
            "110105999:mz",
            "--role",
            "window_clerk",
            "--password-stdin",
        ],
        pw,
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("UNKNOWN_UNIT"), "{}", stderr(&out));
    let out = e.run(
        &["user", "add", "--username", "x_clerk", "--unit", "110105001:mz", "--role", "superuser", "--password-stdin"],
        pw,
    );
    assert!(stderr(&out).contains("UNKNOWN_ROLE"));
    let out = e.run(
        &[
            "user",
            "add",
            "--username",
            "x_clerk",
            "--unit",
            "110105001:mz",
            "--role",
            "window_clerk",
            "--password-stdin",
        ],
        Some("weak\n"),
    );
    assert!(stderr(&out).contains("WEAK_PASSWORD"));
    assert!(e.ok(&["user", "list"], None).is_empty(), "nothing was written");

    let created = e.ok(
        &[
            "user",
            "add",
            "--username",
            "x_clerk",
            "--unit",
            "110105001:mz",
            "--role",
            "window_clerk",
            "--password-stdin",
        ],
        pw,
    );
    assert!(created.contains("created user x_clerk"));
    let dup = e.run(
        &[
            "user",
            "add",
            "--username",
            "x_clerk",
            "--unit",
            "110105001:mz",
            "--role",
            "window_clerk",
            "--password-stdin",
        ],
        pw,
    );
    assert!(stderr(&dup).contains("USERNAME_TAKEN"));
    e.ok(&["user", "disable", "x_clerk"], None);
    assert!(e.ok(&["user", "list"], None).contains("disabled"));
    e.ok(&["user", "enable", "x_clerk"], None);
    assert!(e.ok(&["user", "list"], None).contains("active"));
}

#[test]
fn tokens_are_printed_once_and_listed_without_the_secret() {
    let e = Env::sqlite();
    e.import_small_org();
    e.ok(
        &["user", "add", "--username", "hotline", "--unit", "110105:mz", "--role", "admin", "--password-stdin"],
        Some("Good-password-1"),
    );
    let token = e.ok(&["token", "issue", "--username", "hotline", "--name", "12345"], None);
    let token = token.trim();
    assert!(token.starts_with("jjn_") && token.len() == 68, "{token}");
    let list = e.ok(&["token", "list", "--username", "hotline"], None);
    assert!(list.contains("active\t12345") && !list.contains(token));
    let id = list.split('\t').next().unwrap();
    e.ok(&["token", "revoke", id], None);
    assert!(e.ok(&["token", "list", "--username", "hotline"], None).contains("revoked"));
    let db = std::fs::read(e.db_path()).unwrap();
    assert!(!db.windows(token.len()).any(|w| w == token.as_bytes()), "only the hash is stored");
}

#[test]
fn audit_verify_catches_a_row_edited_with_the_sqlite3_shell() {
    let e = Env::sqlite();
    e.import_small_org();
    for name in ["a_admin", "b_admin"] {
        e.ok(
            &["user", "add", "--username", name, "--unit", "110105:mz", "--role", "admin", "--password-stdin"],
            Some("Good-password-1"),
        );
    }
    assert!(e.ok(&["audit", "verify"], None).contains("intact: 3 entries"));
    let sqlite3 =
        which("sqlite3").expect("the sqlite3 shell is needed: apt-get install sqlite3 (scripts/test.sh does)");
    let blocked = Command::new(&sqlite3)
        .arg(e.db_path())
        .arg("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2;")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&blocked.stderr).contains("append-only"), "the trigger refuses edits");
    let tamper = Command::new(&sqlite3)
        .arg(e.db_path())
        .arg("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 2;")
        .output()
        .unwrap();
    assert!(tamper.status.success(), "{}", String::from_utf8_lossy(&tamper.stderr));
    let out = e.run(&["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("BROKEN") && text.contains("entry 2"), "{text}");
}

#[test]
fn audit_verify_catches_a_deleted_tail() {
    let e = Env::sqlite();
    e.import_small_org();
    e.ok(
        &["user", "add", "--username", "a_admin", "--unit", "110105:mz", "--role", "admin", "--password-stdin"],
        Some("Good-password-1"),
    );
    let sqlite3 = which("sqlite3").expect("the sqlite3 shell is needed: apt-get install sqlite3");
    let del = Command::new(&sqlite3)
        .arg(e.db_path())
        .arg("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 2;")
        .output()
        .unwrap();
    assert!(del.status.success());
    let out = e.run(&["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn an_unreachable_database_is_a_clear_error() {
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", "postgres://nobody@127.0.0.1:1/none"])
        .env_remove("JIUJINAN_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("cannot open the database"), "{}", stderr(&out));
    let out = Command::new(BIN).args(["migrate", "--database-url", "mysql://x"]).output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("unsupported database URL"));
}

#[test]
fn config_show_redacts_secrets_and_reads_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("jiujinan.toml"), "listen = \"0.0.0.0:9999\"\nlog_format = \"json\"\n").unwrap();
    let out = Command::new(BIN)
        .args(["config", "show", "--database-url", "postgres://app:hunter2@db:5432/jjn"])
        .current_dir(dir.path())
        .env("JIUJINAN_SESSION_TTL_MINUTES", "45")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("postgres://app:***@db:5432/jjn") && !text.contains("hunter2"), "{text}");
    assert!(text.contains("listen = \"0.0.0.0:9999\"") && text.contains("session_ttl_minutes = 45"), "{text}");
}

#[test]
fn a_user_created_just_before_kill_9_survives_the_restart() {
    let e = Env::sqlite();
    let (mut server, port) = start_server(&e);
    let user_count_before = e.ok(&["user", "list"], None).lines().count();
    let mut http = Http::new(port);
    let login_page = http.request("GET", "/login", None);
    let pre = cookie_value(&login_page, "jjn_pre").expect("pre-login cookie");
    http.cookies = format!("jjn_pre={pre}");
    let res = http.request("POST", "/login", Some(&format!("csrf={pre}&username=admin&password=Jiujinan%402026")));
    let session = cookie_value(&res, "jjn_session").expect("signed in");
    http.cookies = format!("jjn_session={session}");
    let home = http.request("GET", "/", None);
    let csrf = home.split("name=\"csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("csrf").to_owned();
    let form = format!(
        "csrf={csrf}&username=durable_clerk&display_name=&unit=110105001%3Amz&role=window_clerk&password=Good-password-1"
    );
    let created = http.request("POST", "/admin/users", Some(&form));
    assert!(created.starts_with("HTTP/1.1 303"), "{created}");
    server.kill().unwrap(); // SIGKILL, right after the 2xx/3xx reply
    server.wait().unwrap();
    let (mut again, _) = start_server(&e);
    let users = e.ok(&["user", "list"], None);
    assert!(users.contains("durable_clerk"), "{users}");
    assert_eq!(users.lines().count(), user_count_before + 1);
    assert!(e.ok(&["audit", "verify"], None).contains("intact"));
    again.kill().unwrap();
    again.wait().unwrap();
}

#[test]
fn leads_acknowledged_just_before_kill_9_survive_the_restart() {
    // Leads go through the synchronous writer (group commit); every 201 must be on disk.
    let e = Env::sqlite();
    let (mut server, port) = start_server(&e);
    let token = e.ok(&["token", "issue", "--username", "jw_clerk", "--name", "durability"], None).trim().to_owned();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let token = token.clone();
            std::thread::spawn(move || {
                let mut ids = Vec::new();
                for i in 0..25 {
                    let body = format!(
                        r#"{{"channel":"hotline_12345","subject":{{"name":"王芳","phone":"137{t:02}{i:06}"}},"location_code":"110105001024","description":"独居老人摔伤","urgency":"urgent","hardship_types":["OTHER_ACCIDENT"]}}"#
                    );
                    let reply = Http::new(port).json("POST", "/api/v1/leads", &token, &body);
                    assert!(reply.starts_with("HTTP/1.1 201"), "{reply}");
                    let id = reply.split("\"id\":\"").nth(1).and_then(|s| s.split('"').next()).expect("id").to_owned();
                    ids.push(id);
                }
                ids
            })
        })
        .collect();
    let ids: Vec<String> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
    server.kill().unwrap(); // SIGKILL, right after the last 201
    server.wait().unwrap();
    let (mut again, port) = start_server(&e);
    for id in &ids {
        let reply = Http::new(port).json("GET", &format!("/api/v1/leads/{id}"), &token, "");
        assert!(reply.starts_with("HTTP/1.1 200"), "lead {id} acknowledged but lost: {reply}");
    }
    assert_eq!(ids.len(), 200);
    assert!(e.ok(&["audit", "verify"], None).contains("intact"));
    again.kill().unwrap();
    again.wait().unwrap();
}

/// SIGTERM (a service manager stopping the server) lets a request already in flight finish
/// and be answered, refuses new connections meanwhile, and exits 0; the answered lead is kept.
#[test]
fn sigterm_lets_the_request_in_flight_finish_then_stops() {
    let e = Env::sqlite();
    let (mut server, port) = start_server(&e);
    let token = e.ok(&["token", "issue", "--username", "jw_clerk", "--name", "sigterm"], None).trim().to_owned();
    let body = r#"{"channel":"hotline_12345","subject":{"name":"王芳","phone":"13700000001"},"location_code":"110105001024","description":"独居老人摔伤","urgency":"urgent","hardship_types":["OTHER_ACCIDENT"]}"#;
    let (first, rest) = body.split_at(40);
    let mut slow = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let head = format!(
        "POST /api/v1/leads HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{first}",
        body.len()
    );
    slow.write_all(head.as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(300)); // the handler now waits for the rest
    let term = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(term.success());
    // The listener closes: new clients are turned away while the slow one is still served.
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(Instant::now() < deadline, "still accepting connections after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(server.try_wait().unwrap().is_none(), "the server waits for the request in flight");
    slow.write_all(rest.as_bytes()).unwrap();
    let mut reply = String::new();
    slow.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 201"), "the request in flight is answered: {reply}");
    let id = reply.split("\"id\":\"").nth(1).and_then(|s| s.split('"').next()).expect("id").to_owned();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = server.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "no exit within 30 s of its last reply");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "a graceful stop exits 0: {status:?}");
    let (mut again, port) = start_server(&e);
    let got = Http::new(port).json("GET", &format!("/api/v1/leads/{id}"), &token, "");
    assert!(got.starts_with("HTTP/1.1 200"), "{got}");
    again.kill().unwrap();
    again.wait().unwrap();
}

#[test]
fn the_binary_works_on_postgresql() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let Some(url) = rt.block_on(jiujinan_store::testing::fresh_postgres_url()) else { return };
    let dir = tempfile::tempdir().unwrap();
    // On PostgreSQL the key file has no default: the operator names one.
    std::fs::write(
        dir.path().join("jiujinan.toml"),
        "audit_key_file = \"keys/audit.key\"\npii_key_file = \"keys/pii.key\"\n",
    )
    .unwrap();
    let e = Env { dir, url };
    let all: Vec<i64> = jiujinan_store::postgres_migrations().iter().map(|m| m.version).collect();
    assert!(e.ok(&["migrate"], None).contains(&format!("{all:?}")), "a fresh database gets every migration");
    e.import_small_org();
    e.ok(
        &["user", "add", "--username", "pg_admin", "--unit", "110105:mz", "--role", "admin", "--password-stdin"],
        Some("Good-password-1"),
    );
    assert!(e.ok(&["user", "list"], None).contains("pg_admin"));
    let verified = e.ok(&["audit", "verify"], None);
    assert!(
        verified.contains("intact: 2 entries") && verified.contains("MACs checked under the audit key: 2"),
        "{verified}"
    );
    assert!(e.dir.path().join("keys/audit.key").exists());
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| Path::new(d).join(name)).find(|p| p.exists())
}

fn start_server(e: &Env) -> (Child, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(BIN)
        .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}"), "--database-url", &e.url])
        .current_dir(e.dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut buf = String::new();
            let _ = s.read_to_string(&mut buf);
            if buf.starts_with("HTTP/1.1 200") {
                return (child, port);
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("server did not become ready");
}

/// A minimal HTTP/1.1 client: one connection per request, cookies passed by hand.
struct Http {
    port: u16,
    cookies: String,
}

impl Http {
    fn new(port: u16) -> Self {
        Self { port, cookies: String::new() }
    }

    fn request(&mut self, method: &str, path: &str, form: Option<&str>) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let body = form.unwrap_or("");
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n", self.port);
        if !self.cookies.is_empty() {
            req.push_str(&format!("Cookie: {}\r\n", self.cookies));
        }
        if form.is_some() {
            req.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        req.push_str("\r\n");
        req.push_str(body);
        s.write_all(req.as_bytes()).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }
}

impl Http {
    /// A JSON API request with a bearer token (an empty body for GET).
    fn json(&mut self, method: &str, path: &str, token: &str, body: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.port,
            body.len()
        );
        s.write_all(req.as_bytes()).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }
}

fn cookie_value(response: &str, name: &str) -> Option<String> {
    response
        .lines()
        .filter_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
        .find(|l| l.starts_with(&format!("{name}=")))
        .and_then(|l| l.split(';').next())
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_owned())
}
