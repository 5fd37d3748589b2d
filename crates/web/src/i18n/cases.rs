//! Messages of the case file: household, investigations and the preliminary review.

use jiujinan_app::i18n::Lang;

use super::t;

/// Every string the case pages show, in one language.
#[derive(Debug)]
pub struct Cases {
    pub case_queue: &'static str,
    /// The case queue shows nothing (for this tab or search).
    pub no_cases: &'static str,
    pub case_number: &'static str,
    pub case_file: &'static str,
    /// The heading of the printed case file.
    pub print_title: &'static str,
    pub member_name: &'static str,
    pub relationship: &'static str,
    pub living_together: &'static str,
    pub income: &'static str,
    pub assets: &'static str,
    pub amount_yuan: &'static str,
    pub population: &'static str,
    pub investigations: &'static str,
    pub method: &'static str,
    pub done_at: &'static str,
    pub findings: &'static str,
    pub investigator: &'static str,
    pub record_investigation: &'static str,
    pub submit_review: &'static str,
    pub review: &'static str,
    pub opinion: &'static str,
    pub routes: &'static str,
    pub record_review: &'static str,
    pub send_back: &'static str,
    pub responsible_person: &'static str,
    pub step_deadline: &'static str,
    pub monthly_income: &'static str,
}

impl Cases {
    /// The messages in `l`, each written once with its Chinese and English text side by side.
    pub(super) const fn new(l: Lang) -> Self {
        Self {
            case_queue: t(l, "案件队列", "Case queue"),
            no_cases: t(l, "没有符合条件的案件", "No case matches"),
            case_number: t(l, "案件编号", "Case number"),
            case_file: t(l, "家庭情况", "Household file"),
            print_title: t(l, "救助案件档案", "Case file"),
            member_name: t(l, "成员姓名", "Member"),
            relationship: t(l, "关系", "Relationship"),
            living_together: t(l, "共同生活", "Living together"),
            income: t(l, "收入（元/月）", "Income (yuan/month)"),
            assets: t(l, "财产（元）", "Assets (yuan)"),
            amount_yuan: t(l, "金额（元）", "Amount (yuan)"),
            population: t(l, "人口状况", "Population status"),
            investigations: t(l, "调查记录", "Investigations"),
            method: t(l, "调查方式", "Method"),
            done_at: t(l, "调查日期", "Date"),
            findings: t(l, "调查情况", "Findings"),
            investigator: t(l, "调查人", "Investigator"),
            record_investigation: t(l, "添加调查记录", "Add investigation"),
            submit_review: t(l, "提交初审", "Submit for review"),
            review: t(l, "初审", "Preliminary review"),
            opinion: t(l, "初审意见", "Review opinion"),
            routes: t(l, "建议处置途径", "Recommended routes"),
            record_review: t(l, "出具初审意见", "Record the review"),
            send_back: t(l, "退回补充调查", "Send back for more investigation"),
            responsible_person: t(l, "责任人", "Responsible person"),
            step_deadline: t(l, "当前环节时限", "Current step due"),
            monthly_income: t(l, "月收入合计", "Monthly income in all"),
        }
    }
}
