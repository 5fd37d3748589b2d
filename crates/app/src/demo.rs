//! Demo data: Beijing's organisation and one account per role, for a first look.

use jiujinan_domain::org::UnitCode;
use serde::Serialize;

use crate::org::OrgFiles;
use crate::users::{CreateUser, cli_actor};
use crate::{App, AppError};
use jiujinan_store::DEMO_MARK;

/// The password of every demo account. Demo databases are not for production.
pub const DEMO_PASSWORD: &str = "Jiujinan@2026";

/// A demo account as printed by `serve --demo`.
#[derive(Debug, Clone, Serialize)]
pub struct DemoAccount {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: &'static str,
    pub unit: &'static str,
}

/// One account per role, around 朝阳区建外街道 so that the roles see each other's work.
pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    DemoAccount { username: "admin", display_name: "系统管理员", role: "admin", unit: "11:mz" },
    DemoAccount {
        username: "supervisor", display_name: "市民政局督导员", role: "city_supervisor", unit: "11:mz"
    },
    DemoAccount { username: "auditor", display_name: "市民政局审计员", role: "auditor", unit: "11:mz" },
    DemoAccount {
        username: "cy_approver",
        display_name: "朝阳区民政局审批员",
        role: "district_approver",
        unit: "110105:mz",
    },
    DemoAccount {
        username: "cy_health",
        display_name: "朝阳区卫健委经办人",
        role: "department_handler",
        unit: "110105:wj",
    },
    DemoAccount {
        username: "city_health",
        display_name: "市卫健委疾病应急救助经办人",
        role: "department_handler",
        unit: "11:wj",
    },
    DemoAccount {
        username: "cy_relief",
        display_name: "朝阳区救助站工作人员",
        role: "relief_station_staff",
        unit: "110105:jzz",
    },
    DemoAccount {
        username: "jw_reviewer",
        display_name: "建外街道审核员",
        role: "street_reviewer",
        unit: "110105001:mz",
    },
    DemoAccount {
        username: "jw_clerk",
        display_name: "建外街道窗口受理员",
        role: "window_clerk",
        unit: "110105001:mz",
    },
    DemoAccount {
        username: "jw_community",
        display_name: "南郎家园社区工作者",
        role: "community_worker",
        unit: "110105001024",
    },
];

impl App {
    /// Chaoyang's temporary-assistance budget and 建外街道's reserve fund for aid first, once.
    async fn demo_funds(&self) -> Result<(), AppError> {
        let admin = self.store.user_by_username("admin").await?.ok_or(AppError::NotFound)?;
        let admin = crate::auth::Actor::from_record(&admin)?;
        if !self.store.funds(&admin.jurisdiction).await?.is_empty() {
            return Ok(());
        }
        let budget = self.create_fund(&admin, "110105:mz", "budget", "朝阳区临时救助资金").await?;
        let reserve = self.create_fund(&admin, "110105001:mz", "reserve", "建外街道临时救助备用金").await?;
        self.deposit(&admin, &budget, 100_000_000, "2026 年度区级临时救助预算（演示数据）").await?;
        self.allocate(&admin, &budget, &reserve, 5_000_000, "下拨建外街道备用金（演示数据）").await?;
        Ok(())
    }

    /// Loads the organisation when the database has none, then creates the demo accounts
    /// that do not exist yet. Safe to run on every start.
    pub async fn load_demo(&self) -> Result<&'static [DemoAccount], AppError> {
        let actor = cli_actor();
        self.mark_demo().await?;
        let city = UnitCode::parse("11")?;
        if self.store.unit(&city).await?.is_none() {
            self.import_org(&actor, &OrgFiles::embedded()).await?;
        }
        for a in DEMO_ACCOUNTS {
            if self.store.user_by_username(a.username).await?.is_some() {
                continue;
            }
            let req = CreateUser {
                username: a.username.into(),
                display_name: a.display_name.into(),
                unit: a.unit.into(),
                role: a.role.into(),
                password: DEMO_PASSWORD.into(),
            };
            self.create_user(&actor, &req).await?;
        }
        self.demo_funds().await?;
        Ok(DEMO_ACCOUNTS)
    }

    /// Marks the database as a demo, unless it holds anyone else's accounts: the demo accounts
    /// share a published password, and a demo database lets the test clock move time.
    pub async fn mark_demo(&self) -> Result<(), AppError> {
        if !self.store.has_mark(DEMO_MARK).await? {
            let known: Vec<&str> = DEMO_ACCOUNTS.iter().map(|a| a.username).collect();
            if !self.store.other_usernames(&known, 1).await?.is_empty() {
                return Err(AppError::Conflict("NOT_A_DEMO_DATABASE"));
            }
            let audit = cli_actor().audit(
                jiujinan_domain::audit::action::INSTANCE_MARKED,
                ("instance", DEMO_MARK),
                &serde_json::json!({}),
            );
            self.store.set_mark(DEMO_MARK, audit, self.now_ms()).await?;
        }
        Ok(())
    }

    /// Whether this database was made by `serve --demo` (the test clock works only there).
    pub async fn is_demo(&self) -> Result<bool, AppError> {
        Ok(self.store.has_mark(DEMO_MARK).await?)
    }
}
