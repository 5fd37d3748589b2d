//! Messages of the shell (layout, navigation, sign-in, home) and of the administration pages
//! (organisation, users, audit log, error page).

use jiujinan_app::i18n::Lang;
use jiujinan_domain::audit::ChainBreak;

use super::t;

/// Every string the shell and the administration pages show, in one language.
#[derive(Debug)]
pub struct Common {
    pub app_name: &'static str,
    pub app_tagline: &'static str,
    pub lang_switch: &'static str,
    /// The first link of every page, for keyboard and screen-reader users.
    pub skip_to_content: &'static str,
    /// The names of the main menu and of the breadcrumbs, for screen readers.
    pub nav_main: &'static str,
    pub breadcrumbs: &'static str,
    /// The home page's list of what waits for the user and their unit.
    pub work_waiting: &'static str,
    pub work_item: &'static str,
    pub work_count: &'static str,
    pub work_overdue: &'static str,
    pub nav_home: &'static str,
    pub nav_org: &'static str,
    pub nav_users: &'static str,
    pub nav_audit: &'static str,
    pub nav_referrals: &'static str,
    pub nav_supervision: &'static str,
    pub nav_meetings: &'static str,
    pub nav_rules: &'static str,
    pub nav_approvals: &'static str,
    pub nav_funds: &'static str,
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
    /// The search box of a unit picker, and what it found.
    pub unit_search: &'static str,
    pub unit_search_found: &'static str,
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
    pub audit_chain_unkeyed: &'static str,
    pub audit_chain_keyed: &'static str,
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
    pub nav_leads: &'static str,
    pub all: &'static str,
    pub filter: &'static str,
    pub optional: &'static str,
    pub nav_cases: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
}

impl Common {
    /// The messages in `l`, each written once with its Chinese and English text side by side.
    pub(super) const fn new(l: Lang) -> Self {
        Self {
            app_name: t(l, "救急难综合服务平台", "Jiujinan emergency assistance platform"),
            app_tagline: t(
                l,
                "一门受理 · 协同办理 · 资源统筹 · 及时救助",
                "One door · joint handling · pooled resources · timely help",
            ),
            lang_switch: t(l, "English", "中文"),
            skip_to_content: t(l, "跳到正文", "Skip to the content"),
            nav_main: t(l, "主菜单", "Main menu"),
            breadcrumbs: t(l, "当前位置", "Breadcrumbs"),
            work_waiting: t(l, "今日待办", "Waiting for you"),
            work_item: t(l, "事项", "Item"),
            work_count: t(l, "数量", "Count"),
            work_overdue: t(l, "已超时", "Overdue"),
            nav_home: t(l, "首页", "Home"),
            nav_org: t(l, "组织机构", "Organisation"),
            nav_users: t(l, "用户管理", "Users"),
            nav_audit: t(l, "审计日志", "Audit log"),
            nav_referrals: t(l, "转办", "Referrals"),
            nav_supervision: t(l, "督办", "Supervision"),
            nav_meetings: t(l, "联席会议", "Joint meetings"),
            nav_rules: t(l, "规则", "Rules"),
            nav_approvals: t(l, "救助审批", "Approvals"),
            nav_funds: t(l, "资金", "Funds"),
            logout: t(l, "退出登录", "Sign out"),
            login_title: t(l, "登录", "Sign in"),
            username: t(l, "用户名", "Username"),
            password: t(l, "密码", "Password"),
            show_password: t(l, "显示密码", "Show password"),
            login_submit: t(l, "登录", "Sign in"),
            login_hint: t(l, "连续多次输错密码将暂时锁定登录。", "Repeated wrong passwords lock sign-in for a while."),
            home_welcome: t(l, "您好", "Welcome"),
            unit: t(l, "所属单位", "Unit"),
            role: t(l, "角色", "Role"),
            jurisdiction: t(l, "管辖范围", "Jurisdiction"),
            duties: t(l, "岗位职责", "Duties"),
            shortcuts: t(l, "常用功能", "Shortcuts"),
            org_title: t(l, "组织机构", "Organisation"),
            org_search_placeholder: t(
                l,
                "输入名称或代码，如 时村、朝阳、110105",
                "Name or code, e.g. 时村, 朝阳, 110105",
            ),
            search: t(l, "搜索", "Search"),
            search_results: t(l, "搜索结果", "Search results"),
            no_results: t(l, "没有找到匹配的单位", "No unit matches"),
            unit_search: t(l, "按名称搜索（输入两个字即可）", "Search by name (two characters are enough)"),
            unit_search_found: t(l, "找到 {n} 个，请在下拉框中选择", "{n} found: choose in the list"),
            expand: t(l, "展开", "Expand"),
            code: t(l, "代码", "Code"),
            kind: t(l, "类型", "Kind"),
            level: t(l, "层级", "Level"),
            sub_units: t(l, "下级单位", "Sub-units"),
            users_title: t(l, "用户管理", "Users"),
            display_name: t(l, "姓名", "Name"),
            status: t(l, "状态", "Status"),
            active: t(l, "正常", "Active"),
            disabled: t(l, "已停用", "Disabled"),
            disable: t(l, "停用", "Disable"),
            enable: t(l, "启用", "Enable"),
            create_user: t(l, "新建用户", "New user"),
            create: t(l, "创建", "Create"),
            user_created: t(l, "用户已创建", "User created"),
            audit_title: t(l, "审计日志", "Audit log"),
            audit_chain_ok: t(
                l,
                "哈希链校验通过，共 {} 条记录未被篡改",
                "Hash chain verified: {} entries, none altered",
            ),
            audit_verify: t(
                l,
                "校验哈希链（全量读取，可能较慢）",
                "Verify the hash chain (reads the whole log; may be slow)",
            ),
            audit_chain_broken: t(l, "哈希链校验失败：", "Hash chain broken: "),
            audit_chain_keyed: t(l, "（其中 {} 条经审计密钥签名核对）", " ({} checked against the audit key)"),
            audit_chain_unkeyed: t(
                l,
                "（本服务未配置审计密钥，未核对签名）",
                " (this server has no audit key: MACs not checked)",
            ),
            time: t(l, "时间", "Time"),
            actor: t(l, "操作人", "Actor"),
            action: t(l, "操作", "Action"),
            entity: t(l, "对象", "Entity"),
            older: t(l, "更早的记录", "Older entries"),
            chart_streets: t(l, "各区街道（乡镇）数量", "Streets and townships per district"),
            error_title: t(l, "出错了", "Something went wrong"),
            back_home: t(l, "返回首页", "Back to home"),
            print: t(l, "打印", "Print"),
            nav_leads: t(l, "线索受理", "Intake"),
            all: t(l, "全部", "All"),
            filter: t(l, "筛选", "Filter"),
            optional: t(l, "选填", "optional"),
            nav_cases: t(l, "案件办理", "Cases"),
            save: t(l, "保存", "Save"),
            saved: t(l, "已保存", "Saved"),
        }
    }
}

/// Where and how the audit chain is broken, for people.
pub fn chain_break_text(b: &ChainBreak, lang: Lang) -> String {
    match lang {
        Lang::En => b.to_string(),
        Lang::Zh => match b {
            ChainBreak::Gap { expected, found } => {
                format!("第 {expected} 条记录缺失（其后为第 {found} 条），记录被删除")
            }
            ChainBreak::PrevHashMismatch { seq } => format!("第 {seq} 条记录与前一条不衔接"),
            ChainBreak::DigestMismatch { seq } => format!("第 {seq} 条记录的内容与摘要不符（被修改）"),
            ChainBreak::HashMismatch { seq } => format!("第 {seq} 条记录的字段与哈希不符（被修改）"),
            ChainBreak::HeadMismatch { head_seq, last_seq } => {
                format!("链头记载最后一条为第 {head_seq} 条，但日志止于第 {last_seq} 条（记录被删除）")
            }
            ChainBreak::HeadHashMismatch { seq } => format!("链头与第 {seq} 条记录的哈希不符（被修改）"),
            ChainBreak::HeadMissing => "链头（audit_head）缺失（被删除或清空）".to_owned(),
            ChainBreak::MacMissing { seq } => format!("第 {seq} 条记录缺少密钥签名，而此前的记录都有（被改写）"),
            ChainBreak::MacMismatch { seq } => {
                format!("第 {seq} 条记录的密钥签名不符（被改写，或使用了另一把密钥）")
            }
            ChainBreak::CheckpointBeyondLog { checkpoint_seq, last_seq } => {
                format!("检查点记载已有第 {checkpoint_seq} 条记录，但日志止于第 {last_seq} 条（记录被删除）")
            }
            ChainBreak::CheckpointMismatch { seq } => {
                format!("第 {seq} 条记录与检查点记载的哈希不符（整条链被改写）")
            }
            ChainBreak::CheckpointForged { seq } => {
                format!("第 {seq} 条记录的检查点未经审计密钥签名（被伪造，或使用了另一把密钥）")
            }
        },
    }
}
