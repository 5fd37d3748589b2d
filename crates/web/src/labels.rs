//! Names of the intake code lists in both languages.

use jiujinan_app::i18n::Lang;
use jiujinan_domain::case::{CaseStatus, InvestigationMethod, Relationship, Route};
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
        _ => pick(lang, "其他", "Other"),
    }
}

/// A timeline note in words: codes that steps record are shown by name.
pub fn step_note(step: &str, note: &str, lang: Lang) -> String {
    match step {
        "reported" => channel(note, lang).to_owned(),
        "investigated" => method(note, lang).to_owned(),
        _ => note.to_owned(),
    }
}

/// A case status's name.
pub fn case_status(code: &str, lang: Lang) -> &'static str {
    match CaseStatus::parse(code) {
        Ok(CaseStatus::Investigating) => pick(lang, "调查中", "Investigating"),
        Ok(CaseStatus::Reviewing) => pick(lang, "待初审", "Awaiting review"),
        Ok(CaseStatus::Reviewed) => pick(lang, "已初审", "Reviewed"),
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
