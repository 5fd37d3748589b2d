//! `spawn_app` for web tests: the real router on a fresh database with a small organisation
//! and a few users, driven in-process with `tower::ServiceExt::oneshot`; `both!` runs each
//! test on SQLite and, when `JIUJINAN_TEST_PG_URL` is set, on PostgreSQL.
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, Response, header};
use jiujinan_app::clock::ManualClock;
use jiujinan_app::org::OrgFiles;
use jiujinan_app::users::{CreateUser, cli_actor};
use jiujinan_app::{App, AppSettings};
use jiujinan_store::Store;
use jiujinan_web::{AppState, WebSettings, router};
use tower::ServiceExt;

pub const PASSWORD: &str = "Test-password-2026";
pub const T0: i64 = 1_790_000_000_000;

pub struct TestApp {
    pub app: App,
    pub clock: Arc<ManualClock>,
    router: Router,
    /// The SQLite database's directory, kept until the test ends.
    _dir: Option<tempfile::TempDir>,
}

const DIVISIONS: &str = "code,name,level,parent_code\n11,北京市,city,\n110105,朝阳区,district,11\n110108,海淀区,district,11\n\
110105001,建外街道,street,110105\n110108001,八里庄街道,street,110108\n";
const COMMUNITIES: &str =
    "code,name,street_code\n110105001024,南郎家园社区居委会,110105001\n110108001001,时村,110108001\n";

/// Users created for every test: (username, unit, role).
pub const USERS: &[(&str, &str, &str)] = &[
    ("admin", "11:mz", "admin"),
    ("cy_admin", "110105:mz", "admin"),
    ("jw_clerk", "110105001:mz", "window_clerk"),
    ("auditor", "11:mz", "auditor"),
];

/// Runs each named `async fn(TestApp)` once on SQLite and once on PostgreSQL (when configured).
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::$name(crate::common::spawn_sqlite().await).await;
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                if let Some(t) = crate::common::spawn_postgres().await {
                    super::$name(t).await;
                }
            })*
        }
    };
}

/// The app on a fresh SQLite file.
pub async fn spawn_sqlite() -> TestApp {
    let (store, dir) = jiujinan_store::testing::fresh_sqlite().await;
    spawn_app(store, Some(dir)).await
}

/// The app on a fresh PostgreSQL database, or `None` when `JIUJINAN_TEST_PG_URL` is unset.
pub async fn spawn_postgres() -> Option<TestApp> {
    let store = jiujinan_store::testing::fresh_postgres().await?;
    Some(spawn_app(store, None).await)
}

pub async fn spawn_app(store: Arc<dyn Store>, dir: Option<tempfile::TempDir>) -> TestApp {
    let clock = Arc::new(ManualClock::new(T0));
    let app = App::new(store, clock.clone(), AppSettings::default());
    let files = OrgFiles {
        divisions_name: "d.csv".into(),
        divisions: DIVISIONS.into(),
        communities_name: "c.csv".into(),
        communities: COMMUNITIES.into(),
    };
    app.import_org(&cli_actor(), &files).await.unwrap();
    for (username, unit, role) in USERS {
        let req = CreateUser {
            username: (*username).into(),
            display_name: String::new(),
            unit: (*unit).into(),
            role: (*role).into(),
            password: PASSWORD.into(),
        };
        app.create_user(&cli_actor(), &req).await.unwrap();
    }
    let router = router(AppState::new(app.clone(), WebSettings::default()));
    TestApp { app, clock, router, _dir: dir }
}

/// A response with its body read.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as sent (for binary downloads such as XLSX).
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// `name=value` of a Set-Cookie header.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(|v| v.split(';').next().unwrap_or("").split_once('=').map(|(_, v)| v.to_owned()).unwrap_or_default())
    }
}

impl TestApp {
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res: Response<Body> = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = to_bytes(res.into_body(), 10 << 20).await.unwrap().to_vec();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        Reply { status, headers, body, bytes }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut b = Request::get(path);
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    pub async fn post_form(&self, path: &str, cookie: Option<&str>, body: &str) -> Reply {
        let mut b = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::from(body.to_owned())).unwrap()).await
    }

    /// Signs in through the login form; returns the cookie header value and the CSRF token.
    pub async fn login(&self, username: &str, password: &str) -> Result<(String, String), Reply> {
        let page = self.get("/login", None).await;
        let pre = page.cookie("jjn_pre").expect("pre-login cookie");
        let res = self
            .post_form(
                "/login",
                Some(&format!("jjn_pre={pre}")),
                &format!("csrf={pre}&username={username}&password={}", urlenc(password)),
            )
            .await;
        if res.status != 303 {
            return Err(res);
        }
        let session = res.cookie("jjn_session").expect("session cookie");
        let cookie = format!("jjn_session={session}");
        let home = self.get("/", Some(&cookie)).await;
        let csrf = extract_csrf(&home.body).expect("csrf token on the page");
        Ok((cookie, csrf))
    }

    /// Posts the login form as a client connected from `peer` (the address `serve` records),
    /// with an optional `X-Forwarded-For`; the reply (303 on success).
    pub async fn login_from(&self, peer: &str, forwarded_for: Option<&str>, username: &str, password: &str) -> Reply {
        let pre = self.get("/login", None).await.cookie("jjn_pre").expect("pre-login cookie");
        let mut b = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("jjn_pre={pre}"))
            .extension(axum::extract::ConnectInfo(peer.parse::<std::net::SocketAddr>().unwrap()));
        if let Some(f) = forwarded_for {
            b = b.header("x-forwarded-for", f);
        }
        let body = format!("csrf={pre}&username={username}&password={}", urlenc(password));
        self.send(b.body(Body::from(body)).unwrap()).await
    }

    /// The same app behind the given trusted proxies (`trusted_proxies` in the configuration).
    pub fn with_trusted_proxies(mut self, proxies: &[&str]) -> Self {
        let web = WebSettings {
            trusted_proxies: jiujinan_domain::client::TrustedProxies::parse(proxies).unwrap(),
            ..WebSettings::default()
        };
        self.router = router(AppState::new(self.app.clone(), web));
        self
    }

    pub async fn audit_actions(&self) -> Vec<String> {
        self.app.test_store().audit_after(0, 10_000).await.unwrap().into_iter().map(|e| e.action).collect()
    }
}

pub fn urlenc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect()
}

/// The CSRF token embedded in a page's hidden `csrf` field.
pub fn extract_csrf(html: &str) -> Option<String> {
    let i = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    Some(html[i..].split('"').next()?.to_owned())
}

/// Another user of the test organisation, with the shared test password.
pub async fn user(t: &TestApp, name: &str, unit: &str, role: &str) -> jiujinan_app::auth::Actor {
    let req = CreateUser {
        username: name.into(),
        display_name: String::new(),
        unit: unit.into(),
        role: role.into(),
        password: PASSWORD.into(),
    };
    jiujinan_app::auth::Actor::from_record(&t.app.create_user(&cli_actor(), &req).await.unwrap()).unwrap()
}

/// A walk-in application at 建外街道's window: 张伟, a fire, urgent.
pub fn walk_in() -> jiujinan_app::leads::LeadInput {
    jiujinan_app::leads::LeadInput {
        channel: "window".into(),
        subject: jiujinan_app::leads::SubjectInput {
            name: "张伟".into(),
            id_number: "11010519491231002X".into(),
            phone: String::new(),
        },
        location_code: "110105001024".into(),
        description: "家中失火".into(),
        urgency: "urgent".into(),
        hardship_types: vec!["FIRE".into()],
        ..Default::default()
    }
}

/// Records `input` and accepts it as a case (by `actor`, a street reviewer); the case id.
pub async fn open_case(
    t: &TestApp,
    actor: &jiujinan_app::auth::Actor,
    input: &jiujinan_app::leads::LeadInput,
) -> String {
    use jiujinan_app::cases::{Verification, Verified};
    let (lead, _) = t.app.record_lead(actor, input, None).await.unwrap();
    let verified =
        t.app.verify_lead(actor, &lead.id, 1, Verification::Accept { documents_pending: false }).await.unwrap();
    let Verified::CaseOpened { case_id, .. } = verified else { panic!("expected a case: {verified:?}") };
    case_id
}
