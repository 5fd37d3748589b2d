//! Names of the intake code lists in both languages.

use jiujinan_app::i18n::Lang;
use jiujinan_domain::aid::PlaceholderRule;
use jiujinan_domain::case::{CaseStatus, InvestigationMethod, Relationship, Route};
use jiujinan_domain::disposition::{ActionStatus, EventKind, Outcome};
use jiujinan_domain::duties::{DutyException, DutyStep, SamePerson};
use jiujinan_domain::lead::{Channel, HardshipType, LeadStatus, Urgency};

fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// A channel's name.
pub fn channel(code: &str, lang: Lang) -> &'static str {
    match Channel::parse(code) {
        Ok(Channel::Window) => pick(lang, "窗口申请", "Walk-in at the window"),
        Ok(Channel::OnBehalf) => pick(lang, "委托代为申请", "Application on someone's behalf"),
        Ok(Channel::Discovery) => pick(lang, "主动发现", "Proactive discovery"),
        Ok(Channel::Hotline12349) => pick(lang, "12349 热线", "Hotline 12349"),
        Ok(Channel::Hotline96156) => pick(lang, "96156 热线", "Hotline 96156"),
        Ok(Channel::Hotline12345) => pick(lang, "12345 转办", "12345 work order"),
        Ok(Channel::LettersVisits) => pick(lang, "来信来访", "Letters and visits"),
        Ok(Channel::Online) => pick(lang, "网上申请", "Online application"),
        Ok(Channel::DepartmentTransfer) => pick(lang, "部门转介", "Department transfer"),
        Ok(Channel::EarlyWarning) => pick(lang, "数据预警", "Data early warning"),
        Err(_) => pick(lang, "其他", "Other"),
    }
}

/// An urgency level's name.
pub fn urgency(code: &str, lang: Lang) -> &'static str {
    match Urgency::parse(code) {
        Ok(Urgency::Critical) => pick(lang, "危急", "Critical"),
        Ok(Urgency::Urgent) => pick(lang, "紧急", "Urgent"),
        Ok(Urgency::Normal) => pick(lang, "一般", "Normal"),
        Err(_) => pick(lang, "未知", "Unknown"),
    }
}

/// A hardship type's name.
pub fn hardship(code: &str, lang: Lang) -> &'static str {
    match HardshipType::parse(code) {
        Ok(HardshipType::Fire) => pick(lang, "火灾", "Fire"),
        Ok(HardshipType::Traffic) => pick(lang, "交通事故", "Traffic accident"),
        Ok(HardshipType::OtherAccident) => pick(lang, "意外事件", "Other accident"),
        Ok(HardshipType::SuddenIllness) => pick(lang, "突发重大疾病", "Sudden serious illness"),
        Ok(HardshipType::NaturalDisaster) => pick(lang, "自然灾害", "Natural disaster"),
        Ok(HardshipType::PublicEvent) => pick(lang, "突发公共事件", "Public emergency"),
        Ok(HardshipType::DomesticViolence) => pick(lang, "家庭暴力或监护侵害", "Domestic violence or abuse"),
        Ok(HardshipType::BreadwinnerDeath) => {
            pick(lang, "家庭主要劳动力死亡或丧失劳动能力", "Breadwinner's death or incapacity")
        }
        Ok(HardshipType::Stranded) => pick(lang, "临时遇困、生活无着", "Stranded or destitute"),
        Ok(HardshipType::OtherUrgent) => pick(lang, "其他特殊困难", "Other special hardship"),
        Ok(HardshipType::MedicalExpense) => pick(lang, "医疗支出", "Medical expenses"),
        Ok(HardshipType::EducationExpense) => pick(lang, "教育支出", "Education expenses"),
        Ok(HardshipType::PriceRise) => pick(lang, "生活必需品价格上涨", "Price rises for necessities"),
        Ok(HardshipType::HousingRebuild) => pick(lang, "住房修缮或重建", "Housing repair or rebuilding"),
        Ok(HardshipType::CareCost) => pick(lang, "照料护理支出", "Care costs"),
        Err(_) => pick(lang, "其他", "Other"),
    }
}

/// A lead status's name.
pub fn status(code: &str, lang: Lang) -> &'static str {
    match LeadStatus::parse(code) {
        Ok(LeadStatus::New) => pick(lang, "待核查", "To verify"),
        Ok(LeadStatus::Accepted) => pick(lang, "已受理", "Accepted"),
        Ok(LeadStatus::NotAccepted) => pick(lang, "不予受理", "Not accepted"),
        Ok(LeadStatus::Transferred) => pick(lang, "已移交", "Transferred"),
        Ok(LeadStatus::Merged) => pick(lang, "已合并", "Merged"),
        Err(_) => pick(lang, "未知", "Unknown"),
    }
}

/// A timeline step's name.
pub fn step(code: &str, lang: Lang) -> &'static str {
    match code {
        "reported" => pick(lang, "登记求助", "Reported"),
        "duplicate_flagged" => pick(lang, "疑似重复", "Flagged as possible duplicate"),
        "accepted" => pick(lang, "核查受理", "Verified and accepted"),
        "not_accepted" => pick(lang, "不予受理", "Not accepted"),
        "transferred" => pick(lang, "移交街道", "Transferred to another street"),
        "merged" => pick(lang, "合并至", "Merged into"),
        "merged_report" => pick(lang, "合并重复报告", "Duplicate report merged in"),
        "case_opened" => pick(lang, "建立案件", "Case opened"),
        "file_updated" => pick(lang, "更新家庭情况", "Household file updated"),
        "investigated" => pick(lang, "调查核实", "Investigated"),
        "submitted_for_review" => pick(lang, "提交初审", "Submitted for review"),
        "sent_back" => pick(lang, "退回补充调查", "Sent back for more investigation"),
        "reviewed" => pick(lang, "出具初审意见", "Preliminary review recorded"),
        "action_created" => pick(lang, "发起处置", "Action created"),
        "action_accepted" => pick(lang, "接收转办", "Referral accepted"),
        "action_returned" => pick(lang, "退回转办", "Referral returned"),
        "action_feedback" => pick(lang, "反馈结果", "Result fed back"),
        "action_cancelled" => pick(lang, "撤回处置", "Action withdrawn"),
        "paperwork_completed" => pick(lang, "补齐手续", "Paperwork completed"),
        "paperwork_approved" => pick(lang, "补办审批", "Paperwork approved"),
        "deadline_warning" => pick(lang, "临期预警", "Deadline approaching"),
        "overdue" => pick(lang, "逾期督办", "Overdue: supervision opened"),
        "escalated" => pick(lang, "逐级上报督办", "Escalated to the next level"),
        "clock_paused" => pick(lang, "暂停计时", "Clock paused"),
        "clock_resumed" => pick(lang, "恢复计时", "Clock resumed"),
        "deadline_opened" => pick(lang, "开始计时", "Clock started"),
        "supervision_instructed" => pick(lang, "下达督办意见", "Supervision instruction given"),
        "supervision_replied" => pick(lang, "反馈督办办理情况", "Supervision answered"),
        "on_agenda" => pick(lang, "列入联席会议议程", "Put on the joint meeting's agenda"),
        "joint_decision" => pick(lang, "联席会议决定", "Joint meeting decision"),
        "decision_done" => pick(lang, "决定已落实", "Decision carried out"),
        "decisions_carried_out" => pick(lang, "会议决定全部落实", "All decisions carried out"),
        "closed" => pick(lang, "结案", "Case closed"),
        "reopened" => pick(lang, "重新打开", "Case reopened"),
        "followup_done" => pick(lang, "回访", "Follow-up visit"),
        "aid_proposed" => pick(lang, "提出救助", "Aid proposed"),
        "aid_reviewed" => pick(lang, "救助审核", "Aid reviewed"),
        "aid_approved" => pick(lang, "救助审批", "Aid approved"),
        "aid_paid" => pick(lang, "救助发放", "Aid paid"),
        "aid_refused" => pick(lang, "不予救助", "Aid refused"),
        "aid_cancelled" => pick(lang, "撤销救助", "Aid cancelled"),
        "aid_reversed" => pick(lang, "冲正", "Payment reversed"),
        "stay_in" | "stay_out" | "items_provided" | "home_contact" | "return_trip" | "arrival_confirmed"
        | "proactive_check" | "progress" => event_kind(code, lang),
        _ => pick(lang, "其他", "Other"),
    }
}

/// A timeline note in words: codes that steps record are shown by name.
pub fn step_note(step: &str, note: &str, lang: Lang) -> String {
    match step {
        "reported" => channel(note, lang).to_owned(),
        // `L110105001-2026-000002 · discovery`: the merged lead's number and its channel.
        "merged_report" => match note.split_once(" · ") {
            Some((number, ch)) => format!("{number} · {}", channel(ch, lang)),
            None => note.to_owned(),
        },
        "investigated" => method(note, lang).to_owned(),
        "supervision_instructed" | "supervision_replied" => deadline_step(note, lang).to_owned(),
        "deadline_warning" | "overdue" | "escalated" | "deadline_opened" => match note.split_once(' ') {
            Some((step, rest)) => format!("{} {rest}", deadline_step(step, lang)),
            None => deadline_step(note, lang).to_owned(),
        },
        // Rows written before the approval had its own step: `aid <internal id>`.
        "paperwork_completed" if note.starts_with("aid ") => pick(lang, "补办审批", "Approved as aid").to_owned(),
        "paperwork_approved" => match lang {
            Lang::Zh => format!("{note} 元"),
            _ => format!("{note} yuan"),
        },
        "action_feedback" => match note.split_once(": ") {
            Some((o, rest)) => format!("{}：{rest}", outcome(o, lang)),
            None => note.to_owned(),
        },
        _ => note.to_owned(),
    }
}

/// How far a step has been escalated: not yet (level 0), or the 督办 level it reached.
pub fn supervision_level(level: i64, lang: Lang) -> String {
    match (level, lang) {
        (0, _) => pick(lang, "未督办", "None yet").to_owned(),
        (n, Lang::Zh) => format!("第{n}级"),
        (n, _) => format!("Level {n}"),
    }
}

/// A case status's name.
pub fn case_status(code: &str, lang: Lang) -> &'static str {
    match CaseStatus::parse(code) {
        Ok(CaseStatus::Investigating) => pick(lang, "调查中", "Investigating"),
        Ok(CaseStatus::Reviewing) => pick(lang, "待初审", "Awaiting review"),
        Ok(CaseStatus::Reviewed) => pick(lang, "已初审", "Reviewed"),
        Ok(CaseStatus::Closed) => pick(lang, "已结案", "Closed"),
        Err(_) => pick(lang, "未知", "Unknown"),
    }
}

/// An investigation method's name (Order 649 Art. 11(2)).
pub fn method(code: &str, lang: Lang) -> &'static str {
    match InvestigationMethod::parse(code) {
        Ok(InvestigationMethod::HomeVisit) => pick(lang, "入户调查", "Home visit"),
        Ok(InvestigationMethod::Neighbours) => pick(lang, "邻里访问", "Neighbours interviewed"),
        Ok(InvestigationMethod::Letters) => pick(lang, "信函索证", "Letters for evidence"),
        Ok(InvestigationMethod::CommunityAppraisal) => pick(lang, "群众评议", "Community appraisal"),
        Ok(InvestigationMethod::DataCheck) => pick(lang, "信息核查", "Data check"),
        Err(_) => pick(lang, "其他", "Other"),
    }
}

/// A household relationship's name.
pub fn relationship(code: &str, lang: Lang) -> &'static str {
    match Relationship::parse(code) {
        Ok(Relationship::Applicant) => pick(lang, "本人", "Applicant"),
        Ok(Relationship::Spouse) => pick(lang, "配偶", "Spouse"),
        Ok(Relationship::Child) => pick(lang, "子女", "Child"),
        Ok(Relationship::Parent) => pick(lang, "父母", "Parent"),
        Ok(Relationship::Sibling) => pick(lang, "兄弟姐妹", "Sibling"),
        Ok(Relationship::Grandparent) => pick(lang, "祖父母/外祖父母", "Grandparent"),
        Ok(Relationship::Grandchild) => pick(lang, "孙子女/外孙子女", "Grandchild"),
        Ok(Relationship::Other) => pick(lang, "其他", "Other relative"),
        Err(_) => pick(lang, "其他", "Other"),
    }
}

/// A disposition route's name (257号 §三(二)).
pub fn route(code: &str, lang: Lang) -> &'static str {
    match Route::parse(code) {
        Ok(Route::Refer) => pick(lang, "转介相关部门", "Refer to the responsible department"),
        Ok(Route::Shelter) => pick(lang, "临时食宿、护送返乡", "Temporary food, shelter, help home"),
        Ok(Route::Charity) => pick(lang, "慈善救助", "Charity"),
        Ok(Route::JointMeeting) => pick(lang, "提交区联席会议", "District joint meeting"),
        Ok(Route::AidFirst) => pick(lang, "先行救助", "Aid first, paperwork later"),
        Ok(Route::DiseaseEmergency) => pick(lang, "疾病应急救助", "Disease emergency aid"),
        Err(_) => pick(lang, "其他", "Other"),
    }
}

/// An action status's name.
pub fn action_status(code: &str, lang: Lang) -> &'static str {
    match ActionStatus::parse(code) {
        Ok(ActionStatus::Sent) => pick(lang, "待接收", "Awaiting acceptance"),
        Ok(ActionStatus::Accepted) => pick(lang, "办理中", "In progress"),
        Ok(ActionStatus::Returned) => pick(lang, "已退回", "Returned"),
        Ok(ActionStatus::Completed) => pick(lang, "已办结", "Completed"),
        Ok(ActionStatus::Cancelled) => pick(lang, "已撤回", "Withdrawn"),
        Err(_) => pick(lang, "未知", "Unknown"),
    }
}

/// An outcome's name.
pub fn outcome(code: &str, lang: Lang) -> &'static str {
    match Outcome::parse(code) {
        Ok(Outcome::Granted) => pick(lang, "已给予救助", "Granted"),
        Ok(Outcome::Refused) => pick(lang, "不予救助", "Refused"),
        Ok(Outcome::InProgress) => pick(lang, "仍在办理", "Still in progress"),
        Err(_) => "",
    }
}

/// The name of something recorded on an action.
pub fn event_kind(code: &str, lang: Lang) -> &'static str {
    match EventKind::parse(code) {
        Ok(EventKind::StayIn) => pick(lang, "入站安置", "Admitted to shelter"),
        Ok(EventKind::StayOut) => pick(lang, "离站", "Left the shelter"),
        Ok(EventKind::ItemsProvided) => pick(lang, "提供物品", "Items provided"),
        Ok(EventKind::HomeContact) => pick(lang, "联系户籍地", "Contact with the home government"),
        Ok(EventKind::ReturnTrip) => pick(lang, "返乡（车票、护送）", "Trip home (ticket, escort)"),
        Ok(EventKind::ArrivalConfirmed) => pick(lang, "确认到达", "Arrival confirmed"),
        Ok(EventKind::ProactiveCheck) => pick(lang, "主动核查", "Proactive check"),
        Ok(EventKind::Progress) => pick(lang, "进展", "Progress"),
        Err(_) => pick(lang, "其他", "Other"),
    }
}

/// The name of an aid code: kind, type, status, delivery, fund kind, ledger kind or account.
pub fn aid(code: &str, lang: Lang) -> &'static str {
    match code {
        "cash" => pick(lang, "救助金", "Cash"),
        "in_kind" => pick(lang, "实物", "In kind"),
        "service" => pick(lang, "服务", "Services"),
        "medical" => pick(lang, "医疗", "Medical"),
        "emergency" => pick(lang, "急难型", "Emergency"),
        "expenditure" => pick(lang, "支出型", "Expenditure"),
        "proposed" => pick(lang, "待审核", "Proposed"),
        "reviewed" => pick(lang, "待审批", "Reviewed"),
        "approved" => pick(lang, "已审批待发放", "Approved"),
        "paid" => pick(lang, "已发放", "Paid"),
        "refused" => pick(lang, "不予救助", "Refused"),
        "cancelled" => pick(lang, "已撤销", "Cancelled"),
        "reversed" => pick(lang, "已冲正", "Reversed"),
        "street" => pick(lang, "街道", "Street"),
        "district" => pick(lang, "区", "District"),
        "bank" => pick(lang, "银行转账", "Bank transfer"),
        "goods" => pick(lang, "实物交付", "Goods handed over"),
        "budget" => pick(lang, "预算资金", "Budget"),
        "reserve" => pick(lang, "备用金", "Reserve"),
        "special" => pick(lang, "专项资金", "Special fund"),
        "charity" => pick(lang, "慈善资金", "Charity fund"),
        "deposit" => pick(lang, "拨入", "Deposit"),
        "grant" => pick(lang, "单笔救助", "Grant"),
        "allocation" => pick(lang, "下拨", "Allocation"),
        "reservation" => pick(lang, "预留", "Reservation"),
        "posting" => pick(lang, "支付", "Payment"),
        "release" => pick(lang, "释放", "Release"),
        "reversal" => pick(lang, "冲正", "Reversal"),
        "available" => pick(lang, "可用", "Available"),
        "reserved" => pick(lang, "已预留", "Reserved"),
        "external" => pick(lang, "外部", "External"),
        "review" => pick(lang, "审核", "Review"),
        "approve" => pick(lang, "审批", "Approval"),
        "refuse" => pick(lang, "不予救助", "Refusal"),
        "pay" => pick(lang, "发放", "Payment"),
        "cancel" => pick(lang, "撤销", "Cancellation"),
        "reverse" => pick(lang, "冲正", "Reversal"),
        "objection" => pick(lang, "公示异议", "Objection"),
        _ => pick(lang, "其他", "Other"),
    }
}

/// The mark on an aid item decided under a placeholder rule.
pub fn placeholder_rule(rule: PlaceholderRule, lang: Lang) -> &'static str {
    match rule {
        PlaceholderRule::Standard => pick(lang, "救助标准待确认", "Standard is a placeholder"),
        PlaceholderRule::Tier => pick(lang, "救助档次待确认", "Tier is a placeholder"),
        PlaceholderRule::Authority => pick(lang, "审批权限待确认", "Approval ceiling is a placeholder"),
    }
}

/// The placeholder marks of a stored item: those on its amount (standard, tier) and the one on
/// its approval level, each as (code, label).
pub fn placeholder_marks(stored: &str, lang: Lang) -> (Vec<(&'static str, &'static str)>, Option<&'static str>) {
    let rules = jiujinan_domain::aid::placeholders_of(stored);
    let amount = rules
        .iter()
        .filter(|r| **r != PlaceholderRule::Authority)
        .map(|r| (r.code(), placeholder_rule(*r, lang)))
        .collect();
    let level = rules.contains(&PlaceholderRule::Authority).then(|| placeholder_rule(PlaceholderRule::Authority, lang));
    (amount, level)
}

/// How aid was delivered.
pub fn delivery(code: &str, lang: Lang) -> &'static str {
    match code {
        "bank" => pick(lang, "银行转账", "Bank transfer"),
        "cash" => pick(lang, "现金（签收）", "Cash against a signed receipt"),
        "goods" => pick(lang, "实物交付", "Goods handed over"),
        _ => "",
    }
}

/// The name of a timed step (`route.step`).
pub fn deadline_step(code: &str, lang: Lang) -> &'static str {
    match code {
        "refer.accept" | "charity.accept" | "shelter.accept" | "disease_emergency.accept" => {
            pick(lang, "接收时限", "Acceptance")
        }
        "refer.feedback" | "charity.feedback" | "shelter.feedback" | "disease_emergency.feedback" => {
            pick(lang, "结果反馈时限", "Result feedback")
        }
        "joint_meeting.accept" => pick(lang, "提请上会时限", "Meeting agenda"),
        "joint_meeting.decision" => pick(lang, "决定落实时限", "Decision carried out"),
        "aid_first.paperwork" => pick(lang, "先行救助补办手续", "Aid-first paperwork"),
        "case.followup" => pick(lang, "结案回访", "Follow-up visit"),
        "lead.verify" => pick(lang, "线索核查", "Lead verification"),
        "case.investigate" => pick(lang, "入户调查", "Investigation"),
        "case.review" => pick(lang, "初审", "Preliminary review"),
        "aid.review" => pick(lang, "救助审核", "Aid review"),
        "aid.approve" => pick(lang, "救助审批", "Aid approval"),
        "aid.pay" => pick(lang, "救助发放", "Aid payment"),
        _ => pick(lang, "办理时限", "Time limit"),
    }
}

/// Two steps of one aid item taken by the same person under a rule exception (shown on the item).
pub fn duty_shared(e: DutyException, lang: Lang) -> &'static str {
    match e {
        DutyException::ProposeReview => pick(
            lang,
            "同一人办理提出与审核（依据规则例外）",
            "Proposed and reviewed by the same person (rule exception)",
        ),
        DutyException::ProposeApprove => pick(
            lang,
            "同一人办理提出与审批（依据规则例外）",
            "Proposed and approved by the same person (rule exception)",
        ),
        DutyException::ReviewApprove => pick(
            lang,
            "同一人办理审核与审批（依据规则例外）",
            "Reviewed and approved by the same person (rule exception)",
        ),
        DutyException::ApprovePay => {
            pick(lang, "同一人办理审批与发放（依据规则例外）", "Approved and paid by the same person (rule exception)")
        }
    }
}

/// Why a step of an aid item is not offered to the user: they took an earlier one.
pub fn duty_separated(e: SamePerson, lang: Lang) -> String {
    let step = |s: DutyStep| match s {
        DutyStep::Propose => pick(lang, "提出", "proposal"),
        DutyStep::Review => pick(lang, "审核", "review"),
        DutyStep::Approve => pick(lang, "审批", "approval"),
        DutyStep::Pay => pick(lang, "发放", "payment"),
    };
    match lang {
        Lang::Zh => format!("职责分离：您已办理本事项的{}，{}须由他人办理", step(e.earlier), step(e.step)),
        Lang::En => format!(
            "Separation of duties: you took this item's {}, so its {} is for someone else",
            step(e.earlier),
            step(e.step)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_name_in_both_languages() {
        for lang in [Lang::Zh, Lang::En] {
            let other = pick(lang, "其他", "Other");
            for c in Channel::ALL {
                assert_ne!(channel(c.code(), lang), other);
            }
            for h in HardshipType::ALL {
                assert_ne!(hardship(h.code(), lang), other);
            }
        }
    }
}
