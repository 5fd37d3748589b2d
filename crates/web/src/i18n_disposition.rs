//! Messages of the disposition pages (actions, referrals, supervision, joint meetings, rule
//! data), one line per message with both languages side by side.

use jiujinan_app::i18n::Lang;

/// Declares a message struct with its Chinese and English instances.
macro_rules! messages {
    ($(#[$meta:meta])* $name:ident, $zh_name:ident, $en_name:ident { $($f:ident: $zh:literal, $en:literal;)* }) => {
        $(#[$meta])*
        pub struct $name { $(pub $f: &'static str,)* }
        static $zh_name: $name = $name { $($f: $zh,)* };
        static $en_name: $name = $name { $($f: $en,)* };
    };
}
pub(crate) use messages;

messages! {
    /// Every string the disposition pages show, in one language.
    D, ZH, EN {
    nav_referrals: "转办", "Referrals";
    nav_supervision: "督办", "Supervision";
    nav_meetings: "联席会议", "Joint meetings";
    nav_rules: "规则", "Rules";
    disposition: "处置", "Disposition";
    suggestions: "建议的处置途径", "Suggested routes";
    no_suggestions: "暂无建议", "No suggestions";
    actions: "处置事项", "Actions";
    no_actions: "尚无处置事项", "No actions yet";
    new_action: "新建处置事项", "New action";
    route: "途径", "Route";
    programme: "救助项目", "Programme";
    receiver: "接收单位", "Receiving unit";
    receiver_hint: "留空则按项目自动确定责任部门", "Leave empty for the programme's responsible department";
    to_party: "慈善组织或项目", "Charity organisation or project";
    request: "办理事项说明", "What is asked";
    amount_yuan: "金额（元）", "Amount (yuan)";
    given: "先行给予的实物或服务", "Goods or services given at once";
    hospital: "救治医院", "Treating hospital";
    identity_unknown: "身份不明", "Identity unknown";
    home_province: "户籍所在省份", "Home province";
    create_action: "发起", "Create";
    status: "状态", "Status";
    accountable: "当前责任单位", "Accountable now";
    accountable_hint: "接收前由首问（发起）单位负责", "The first-inquiry (sending) unit is accountable until acceptance";
    from: "发起", "From";
    outcome: "结果", "Outcome";
    accept: "接收", "Accept";
    return_action: "退回", "Return";
    return_reason: "退回理由", "Reason for returning";
    feedback: "反馈结果", "Feed back the result";
    detail: "说明", "Details";
    record_event: "记录", "Record";
    event_kind: "记录类型", "Record type";
    events: "办理记录", "Records";
    paperwork_done: "手续已补齐", "Paperwork completed";
    cancel: "撤回", "Withdraw";
    cancel_reason: "撤回理由", "Reason for withdrawing";
    redirect: "改派", "Redirect";
    clocks: "办理时限", "Time limits";
    step: "环节", "Step";
    due: "期限", "Due";
    paused: "已暂停计时", "Clock paused";
    pause: "暂停计时", "Pause clock";
    resume: "恢复计时", "Resume clock";
    pause_reason: "暂停原因", "Reason for pausing";
    state: "状态", "State";
    level: "督办层级", "Level";
    supervision: "督办事项", "Supervision items";
    supervising_unit: "督办单位", "Supervising unit";
    responsible: "责任单位/人", "Responsible";
    created: "生成时间", "Created";
    resolved: "已办结", "Resolved";
    open_only: "仅未办结", "Open only";
    show_all: "全部", "All";
    none: "无", "None";
    inbox_title: "待办转办事项", "Referrals to my unit";
    inbox_empty: "没有转办事项", "No referrals";
    case_number: "案件编号", "Case number";
    subject: "救助对象", "Person";
    referral: "转办事项", "Referral";
    close_case: "结案", "Close the case";
    close_note: "结案意见", "Closing opinion";
    reopen: "重新打开", "Reopen";
    reopen_reason: "重新打开原因", "Reason for reopening";
    followup: "回访", "Follow-up visit";
    followup_findings: "回访情况", "Follow-up findings";
    record_followup: "记录回访", "Record the visit";
    meetings_title: "区社会救助联席会议", "District joint meetings";
    new_meeting: "安排会议", "Schedule a meeting";
    title: "会议名称", "Title";
    district: "区", "District";
    meeting_day: "会议日期", "Date";
    departments: "参会单位（单位代码，逗号分隔）", "Participating units (codes, comma-separated)";
    agenda: "议程", "Agenda";
    waiting: "待上会的提请事项", "Escalations waiting for a meeting";
    add_to_agenda: "列入议程", "Put on the agenda";
    decision_text: "决定事项", "Decision";
    lead_unit: "牵头落实单位（代码）", "Lead unit (code)";
    add_decision: "记录决定", "Record the decision";
    done_note: "落实情况", "How it was carried out";
    mark_done: "已落实", "Carried out";
    minutes: "会议纪要", "Minutes";
    record_minutes: "保存纪要", "Save the minutes";
    scheduled: "待召开", "Scheduled";
    held: "已召开", "Held";
    rules_title: "规则数据", "Rule data";
    time_limits: "办理时限", "Time limits";
    to_kind: "接收部门类型", "Receiving kind";
    limit_unit: "单位", "Unit";
    amount: "时限", "Limit";
    warn_hours: "提前预警（小时）", "Warn before (hours)";
    escalate_after: "逾期后逐级上报间隔（工作日）", "Escalate every (working days)";
    effective_from: "生效日期", "Effective from";
    source: "依据", "Source";
    placeholder: "待确认", "Placeholder";
    apply_to_running: "同时调整正在计时的期限", "Also reschedule running deadlines";
    add_rule: "新增规则", "Add rule";
    calendar: "工作日历（节假日与调休上班日）", "Working-day calendar (holidays and make-up working days)";
    day: "日期", "Day";
    workday: "调休上班", "Make-up working day";
    holiday: "放假", "Holiday";
    name: "名称", "Name";
    set_day: "保存", "Save";
    remove: "删除", "Remove";
    programmes_title: "救助项目目录", "Programme catalogue";
    department: "责任部门", "Responsible department";
    decides_at: "审批层级", "Decided at";
    programme_code: "项目代码", "Programme code";
    name_zh: "中文名称", "Name (Chinese)";
    name_en: "英文名称", "Name (English)";
    hardship_codes: "对应困难类型（代码，逗号分隔）", "Hardship types answered (codes, comma-separated)";
    reason_zh: "建议理由（中文）", "Reason shown (Chinese)";
    reason_en: "建议理由（英文）", "Reason shown (English)";
    keep_current: "（沿用现行）", "(keep current)";
    no_department: "无（政府以外）", "None (outside government)";
    level_street: "街道", "Street";
    level_district: "区", "District";
    level_city: "市", "City";
    programme_hint: "新增项目的一个版本，自生效日期起替代现行版本；已有项目留空的字段沿用现行版本。", "Adds a version of a programme that replaces the one in force from its effective date; for an existing programme, empty fields keep the current values.";
    add_programme_version: "新增项目版本", "Add programme version";
    ceiling_title: "临时救助审批权限（各层级审批金额上限）", "Temporary assistance: approval ceilings per level";
    max_amount_yuan: "审批上限（元）", "Ceiling (yuan)";
    add_ceiling: "新增审批上限", "Add ceiling";
    aid_type_label: "救助类型", "Aid type";
    aid_emergency: "急难型", "Emergency";
    aid_expenditure: "支出型", "Expenditure";
    tier: "档次", "Tier";
    months: "月数（按标准倍数）", "Months of the standard";
    add_tier: "新增档次", "Add tier";
    max_per_year: "每个原因每年最多救助次数", "Times per cause per year at most";
    add_frequency: "新增频次限制", "Add frequency limit";
    run_supervision: "立即检查到期事项", "Check due items now";
    hours: "小时", "hours";
    working_days: "工作日", "working days";
}}

/// The disposition messages in `lang`.
pub fn dmsgs(lang: Lang) -> &'static D {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}
