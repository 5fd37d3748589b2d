//! Names of the organisation's roles (with their duties), unit kinds and levels.

use jiujinan_app::i18n::Lang;
use jiujinan_domain::org::UnitKind;
use jiujinan_domain::user::Role;

/// The name of a role, and what the holder does, per the policy (257号).
pub fn role_text(role: Role, lang: Lang) -> (&'static str, &'static str) {
    let (zh, zh_duty, en, en_duty) = match role {
        Role::WindowClerk => (
            "窗口受理员",
            "在街道（乡镇）“一门受理”窗口登记求助，首问负责，及时核查。",
            "Window clerk",
            "Registers requests at the street's one-door window, holds first-inquiry responsibility and checks leads promptly.",
        ),
        Role::CommunityWorker => (
            "社区工作者",
            "主动发现辖区内遭遇急难的居民并及时报告，协助入户调查。",
            "Community worker",
            "Finds residents in sudden hardship, reports them and helps with home visits.",
        ),
        Role::StreetReviewer => (
            "街道审核员",
            "组织入户调查、邻里访问和家庭经济状况核对，提出初审意见。",
            "Street reviewer",
            "Organises investigations and household checks and writes the preliminary review.",
        ),
        Role::DistrictApprover => (
            "区民政审批员",
            "在权限内审批救助，统筹转办，提交区联席会议研究。",
            "District approver",
            "Approves aid within authority, coordinates referrals and escalates to the district joint meeting.",
        ),
        Role::DepartmentHandler => (
            "部门经办人",
            "接收转办事项，在时限内受理或退回并反馈办理结果。",
            "Department handler",
            "Accepts or returns referrals within time limits and reports the outcome.",
        ),
        Role::ReliefStationStaff => (
            "救助站工作人员",
            "为临时遇困人员提供食宿、返乡等救助。",
            "Relief-station staff",
            "Provides temporary food, shelter and help returning home.",
        ),
        Role::CitySupervisor => (
            "市级督导员",
            "督促检查各区救急难工作，跟踪超时事项。",
            "City supervisor",
            "Supervises the districts' work and chases overdue items.",
        ),
        Role::Auditor => (
            "审计员",
            "查阅并核验审计日志，确保记录真实完整。",
            "Auditor",
            "Reads and verifies the audit log so records stay complete and untampered.",
        ),
        Role::Admin => (
            "系统管理员",
            "管理组织机构、用户账号和系统配置。",
            "Administrator",
            "Manages the organisation, user accounts and configuration.",
        ),
    };
    match lang {
        Lang::Zh => (zh, zh_duty),
        Lang::En => (en, en_duty),
    }
}

/// The name of a unit kind.
pub fn kind_text(kind: &str, lang: Lang) -> &'static str {
    let (zh, en) = match UnitKind::parse(kind) {
        Ok(UnitKind::Government) => ("人民政府 / 办事处 / 居（村）委会", "Government / committee"),
        Ok(UnitKind::CivilAffairs) => ("民政部门", "Civil affairs"),
        Ok(UnitKind::Health) => ("卫生健康部门", "Health"),
        Ok(UnitKind::Education) => ("教育部门", "Education"),
        Ok(UnitKind::Housing) => ("住房城乡建设部门", "Housing"),
        Ok(UnitKind::HumanResources) => ("人力社保部门", "Human resources & social security"),
        Ok(UnitKind::ReliefStation) => ("救助管理站", "Relief station"),
        Ok(UnitKind::AssistanceOffice) => ("社会救助受理窗口", "Assistance intake office"),
        Err(_) => ("其他", "Other"),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// The name of a level.
pub fn level_text(level: &str, lang: Lang) -> &'static str {
    let (zh, en) = match level {
        "city" => ("市", "City"),
        "district" => ("区", "District"),
        "street" => ("街道（乡镇）", "Street / township"),
        "community" => ("社区（村）", "Community / village"),
        _ => ("其他", "Other"),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}
