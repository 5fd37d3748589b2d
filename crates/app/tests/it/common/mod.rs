//! Shared setup of the use-case tests: a small organisation, three users, and `both!`
//! to run each test on SQLite and PostgreSQL.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use jiujinan_app::auth::Actor;
use jiujinan_app::clock::ManualClock;
use jiujinan_app::leads::{LeadInput, ReporterInput, SubjectInput};
use jiujinan_app::org::OrgFiles;
use jiujinan_app::users::{CreateUser, cli_actor};
use jiujinan_app::{App, AppSettings};
use jiujinan_store::Store;

/// 2026-11-29 10:00 Beijing time.
pub const T0: i64 = 1_795_917_600_000;

/// Runs each named `async fn(T)` once on SQLite and once on PostgreSQL (when configured).
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let (store, _dir) = jiujinan_store::testing::fresh_sqlite().await;
                super::$name(crate::common::setup(store).await).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(store) = jiujinan_store::testing::fresh_postgres().await {
                    super::$name(crate::common::setup(store).await).await;
                }
            })*
        }
    };
}

pub struct T {
    pub app: App,
    pub clerk: Actor,
    pub hotline: Actor,
    pub haidian: Actor,
    pub reviewer: Actor,
    /// A second street reviewer of 建外 (separation of duties needs another person to approve).
    pub chief: Actor,
    pub clock: Arc<ManualClock>,
}

pub const DIVISIONS: &str = "code,name,level,parent_code\n11,北京市,city,\n110105,朝阳区,district,11\n110108,海淀区,district,11\n\
110105001,建外街道,street,110105\n110108001,八里庄街道,street,110108\n";
pub const COMMUNITIES: &str =
    "code,name,street_code\n110105001024,南郎家园社区居委会,110105001\n110108001001,时村,110108001\n";

/// The small organisation every test starts from.
pub fn small_org() -> OrgFiles {
    OrgFiles {
        divisions_name: "d".into(),
        divisions: DIVISIONS.into(),
        communities_name: "c".into(),
        communities: COMMUNITIES.into(),
    }
}

pub async fn setup(store: Arc<dyn Store>) -> T {
    let clock = Arc::new(ManualClock::new(T0));
    let app = App::new(store, clock.clone(), AppSettings::default());
    app.import_org(&cli_actor(), &small_org()).await.unwrap();
    let mut actors = Vec::new();
    for (name, unit, role) in [
        ("jw_clerk", "110105001:mz", "window_clerk"),
        ("hotline", "11:mz", "admin"),
        ("hd_clerk", "110108001:mz", "window_clerk"),
        ("jw_reviewer", "110105001:mz", "street_reviewer"),
        ("jw_chief", "110105001:mz", "street_reviewer"),
    ] {
        let req = CreateUser {
            username: name.into(),
            display_name: String::new(),
            unit: unit.into(),
            role: role.into(),
            password: "Good-password-1".into(),
        };
        let u = app.create_user(&cli_actor(), &req).await.unwrap();
        actors.push(Actor::from_record(&u).unwrap());
    }
    let chief = actors.pop().unwrap();
    let reviewer = actors.pop().unwrap();
    let haidian = actors.pop().unwrap();
    let hotline = actors.pop().unwrap();
    let clerk = actors.pop().unwrap();
    T { app, clerk, hotline, haidian, reviewer, chief, clock }
}

pub fn walk_in() -> LeadInput {
    LeadInput {
        channel: "window".into(),
        reporter: ReporterInput::default(),
        subject: SubjectInput {
            name: "张伟".into(),
            id_number: "11010519491231002x".into(),
            phone: "13800138000".into(),
        },
        hukou: "110105".into(),
        location_code: "110105001024".into(),
        address: "南郎家园 3 号楼".into(),
        description: "家中失火，无处居住".into(),
        urgency: "critical".into(),
        hardship_types: vec!["FIRE".into()],
        needs: "临时住所".into(),
    }
}

/// Another user of the test organisation.
pub async fn user(app: &App, name: &str, unit: &str, role: &str) -> Actor {
    let req = CreateUser {
        username: name.into(),
        display_name: String::new(),
        unit: unit.into(),
        role: role.into(),
        password: "Good-password-1".into(),
    };
    Actor::from_record(&app.create_user(&cli_actor(), &req).await.unwrap()).unwrap()
}

/// A case accepted, investigated (home visit) and reviewed by the street, from `input`.
pub async fn reviewed_case(t: &T, input: LeadInput) -> String {
    use jiujinan_app::cases::{Verification, Verified};
    let (lead, _) = t.app.record_lead(&t.clerk, &input, None).await.unwrap();
    let Verified::CaseOpened { case_id, .. } =
        t.app.verify_lead(&t.reviewer, &lead.id, 1, Verification::Accept { documents_pending: false }).await.unwrap()
    else {
        panic!("expected a case")
    };
    t.app.record_investigation(&t.reviewer, &case_id, "home_visit", None, "入户核实，情况属实").await.unwrap();
    t.app.submit_for_review(&t.reviewer, &case_id, 1).await.unwrap();
    t.app.record_review(&t.reviewer, &case_id, 2, "建议转介并先行救助", &["refer".into()]).await.unwrap();
    case_id
}
