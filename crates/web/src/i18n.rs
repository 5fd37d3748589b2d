//! The UI message catalogue: one struct, one instance per language, checked at compile time.
//!
//! Templates read `m.field`; a missing translation is a compile error, not a blank.

use jiujinan_app::i18n::Lang;
use jiujinan_domain::audit::ChainBreak;
use jiujinan_domain::org::UnitKind;
use jiujinan_domain::user::Role;

/// Every string the pages show, in one language.
pub struct Msgs {
    pub app_name: &'static str,
    pub app_tagline: &'static str,
    pub lang_switch: &'static str,
    pub nav_home: &'static str,
    pub nav_org: &'static str,
    pub nav_users: &'static str,
    pub nav_audit: &'static str,
    pub logout: &'static str,
    pub login_title: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub show_password: &'static str,
    pub login_submit: &'static str,
    pub login_hint: &'static str,
    pub home_welcome: &'static str,
    pub unit: &'static str,
    pub role: &'static str,
    pub jurisdiction: &'static str,
    pub duties: &'static str,
    pub shortcuts: &'static str,
    pub org_title: &'static str,
    pub org_search_placeholder: &'static str,
    pub search: &'static str,
    pub search_results: &'static str,
    pub no_results: &'static str,
    pub expand: &'static str,
    pub code: &'static str,
    pub kind: &'static str,
    pub level: &'static str,
    pub sub_units: &'static str,
    pub users_title: &'static str,
    pub display_name: &'static str,
    pub status: &'static str,
    pub active: &'static str,
    pub disabled: &'static str,
    pub disable: &'static str,
    pub enable: &'static str,
    pub create_user: &'static str,
    pub create: &'static str,
    pub user_created: &'static str,
    pub audit_title: &'static str,
    pub audit_chain_ok: &'static str,
    pub audit_verify: &'static str,
    pub audit_chain_broken: &'static str,
    pub time: &'static str,
    pub actor: &'static str,
    pub action: &'static str,
    pub entity: &'static str,
    pub older: &'static str,
    pub chart_streets: &'static str,
    pub error_title: &'static str,
    pub back_home: &'static str,
    pub print: &'static str,
}

/// Simplified Chinese (the default).
pub static ZH: Msgs = Msgs {
    app_name: "救急难综合服务平台",
    app_tagline: "一门受理 · 协同办理 · 资源统筹 · 及时救助",
    lang_switch: "English",
    nav_home: "首页",
    nav_org: "组织机构",
    nav_users: "用户管理",
    nav_audit: "审计日志",
    logout: "退出登录",
    login_title: "登录",
    username: "用户名",
    password: "密码",
    show_password: "显示密码",
    login_submit: "登录",
    login_hint: "连续多次输错密码将暂时锁定登录。",
    home_welcome: "您好",
    unit: "所属单位",
    role: "角色",
    jurisdiction: "管辖范围",
    duties: "岗位职责",
    shortcuts: "常用功能",
    org_title: "组织机构",
    org_search_placeholder: "输入名称或代码，如 时村、朝阳、110105",
    search: "搜索",
    search_results: "搜索结果",
    no_results: "没有找到匹配的单位",
    expand: "展开",
    code: "代码",
    kind: "类型",
    level: "层级",
    sub_units: "下级单位",
    users_title: "用户管理",
    display_name: "姓名",
    status: "状态",
    active: "正常",
    disabled: "已停用",
    disable: "停用",
    enable: "启用",
    create_user: "新建用户",
    create: "创建",
    user_created: "用户已创建",
    audit_title: "审计日志",
    audit_chain_ok: "哈希链校验通过，共 {} 条记录未被篡改",
    audit_verify: "校验哈希链（全量读取，可能较慢）",
    audit_chain_broken: "哈希链校验失败：",
    time: "时间",
    actor: "操作人",
    action: "操作",
    entity: "对象",
    older: "更早的记录",
    chart_streets: "各区街道（乡镇）数量",
    error_title: "出错了",
    back_home: "返回首页",
    print: "打印",
};

/// English.
pub static EN: Msgs = Msgs {
    app_name: "Jiujinan emergency assistance platform",
    app_tagline: "One door · joint handling · pooled resources · timely help",
    lang_switch: "中文",
    nav_home: "Home",
    nav_org: "Organisation",
    nav_users: "Users",
    nav_audit: "Audit log",
    logout: "Sign out",
    login_title: "Sign in",
    username: "Username",
    password: "Password",
    show_password: "Show password",
    login_submit: "Sign in",
    login_hint: "Repeated wrong passwords lock sign-in for a while.",
    home_welcome: "Welcome",
    unit: "Unit",
    role: "Role",
    jurisdiction: "Jurisdiction",
    duties: "Duties",
    shortcuts: "Shortcuts",
    org_title: "Organisation",
    org_search_placeholder: "Name or code, e.g. 时村, 朝阳, 110105",
    search: "Search",
    search_results: "Search results",
    no_results: "No unit matches",
    expand: "Expand",
    code: "Code",
    kind: "Kind",
    level: "Level",
    sub_units: "Sub-units",
    users_title: "Users",
    display_name: "Name",
    status: "Status",
    active: "Active",
    disabled: "Disabled",
    disable: "Disable",
    enable: "Enable",
    create_user: "New user",
    create: "Create",
    user_created: "User created",
    audit_title: "Audit log",
    audit_chain_ok: "Hash chain verified: {} entries, none altered",
    audit_verify: "Verify the hash chain (reads the whole log; may be slow)",
    audit_chain_broken: "Hash chain broken: ",
    time: "Time",
    actor: "Actor",
    action: "Action",
    entity: "Entity",
    older: "Older entries",
    chart_streets: "Streets and townships per district",
    error_title: "Something went wrong",
    back_home: "Back to home",
    print: "Print",
};

/// The catalogue for a language.
pub fn msgs(lang: Lang) -> &'static Msgs {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// The name of a role, and what the holder does, per the policy (257号).
pub fn role_text(role: Role, lang: Lang) -> (&'static str, &'static str) {
    let (zh, zh_duty, en, en_duty) = match role {
        Role::WindowClerk => ("窗口受理员", "在街道（乡镇）“一门受理”窗口登记求助，首问负责，及时核查。", "Window clerk", "Registers requests at the street's one-door window, holds first-inquiry responsibility and checks leads promptly."),
        Role::CommunityWorker => ("社区工作者", "主动发现辖区内遭遇急难的居民并及时报告，协助入户调查。", "Community worker", "Finds residents in sudden hardship, reports them and helps with home visits."),
        Role::StreetReviewer => ("街道审核员", "组织入户调查、邻里访问和家庭经济状况核对，提出初审意见。", "Street reviewer", "Organises investigations and household checks and writes the preliminary review."),
        Role::DistrictApprover => ("区民政审批员", "在权限内审批救助，统筹转办，提交区联席会议研究。", "District approver", "Approves aid within authority, coordinates referrals and escalates to the district joint meeting."),
        Role::DepartmentHandler => ("部门经办人", "接收转办事项，在时限内受理或退回并反馈办理结果。", "Department handler", "Accepts or returns referrals within time limits and reports the outcome."),
        Role::ReliefStationStaff => ("救助站工作人员", "为临时遇困人员提供食宿、返乡等救助。", "Relief-station staff", "Provides temporary food, shelter and help returning home."),
        Role::CitySupervisor => ("市级督导员", "督促检查各区救急难工作，跟踪超时事项。", "City supervisor", "Supervises the districts' work and chases overdue items."),
        Role::Auditor => ("审计员", "查阅并核验审计日志，确保记录真实完整。", "Auditor", "Reads and verifies the audit log so records stay complete and untampered."),
        Role::Admin => ("系统管理员", "管理组织机构、用户账号和系统配置。", "Administrator", "Manages the organisation, user accounts and configuration."),
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

/// Where and how the audit chain is broken, for people.
pub fn chain_break_text(b: &ChainBreak, lang: Lang) -> String {
    match lang {
        Lang::En => b.to_string(),
        Lang::Zh => match b {
            ChainBreak::Gap { expected, found } => format!("第 {expected} 条记录缺失（其后为第 {found} 条），记录被删除"),
            ChainBreak::PrevHashMismatch { seq } => format!("第 {seq} 条记录与前一条不衔接"),
            ChainBreak::DigestMismatch { seq } => format!("第 {seq} 条记录的内容与摘要不符（被修改）"),
            ChainBreak::HashMismatch { seq } => format!("第 {seq} 条记录的字段与哈希不符（被修改）"),
            ChainBreak::HeadMismatch { head_seq, last_seq } => {
                format!("链头记载最后一条为第 {head_seq} 条，但日志止于第 {last_seq} 条（记录被删除）")
            }
            ChainBreak::HeadHashMismatch { seq } => format!("链头与第 {seq} 条记录的哈希不符（被修改）"),
        },
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
