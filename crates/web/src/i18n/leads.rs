//! Messages of intake: recording a request, the lead queue, the lead file, verification and the
//! notice of non-acceptance. The case pages reuse the words about the person in need.

use jiujinan_app::i18n::Lang;

use super::t;

/// Every string the intake pages show, in one language.
#[derive(Debug)]
pub struct Leads {
    pub new_lead: &'static str,
    pub lead_queue: &'static str,
    /// The lead queue shows nothing (for this tab or search).
    pub no_leads: &'static str,
    pub lead_number: &'static str,
    pub channel: &'static str,
    pub reporter: &'static str,
    pub reporter_name: &'static str,
    pub reporter_phone: &'static str,
    pub reporter_relation: &'static str,
    pub subject: &'static str,
    pub subject_name: &'static str,
    pub id_number: &'static str,
    pub phone: &'static str,
    /// The link that shows the full ID numbers and phones (the reading is audited).
    pub reveal: &'static str,
    /// Said while the full values are shown.
    pub revealed: &'static str,
    pub hukou: &'static str,
    pub location: &'static str,
    /// The location list's first choice above street level: routed by the hukou instead.
    pub location_by_hukou: &'static str,
    pub address: &'static str,
    pub description: &'static str,
    pub urgency: &'static str,
    pub hardship_types: &'static str,
    pub needs: &'static str,
    pub submit_lead: &'static str,
    pub lead_recorded: &'static str,
    pub responsible_unit: &'static str,
    pub first_inquiry: &'static str,
    pub first_inquiry_note: &'static str,
    pub deadline: &'static str,
    pub overdue: &'static str,
    pub possible_duplicate: &'static str,
    pub timeline: &'static str,
    pub placeholder_rule: &'static str,
    pub duplicate_tag: &'static str,
    pub verification: &'static str,
    pub accept: &'static str,
    pub documents_pending: &'static str,
    pub not_accept: &'static str,
    pub reason: &'static str,
    pub transfer: &'static str,
    pub transfer_to: &'static str,
    pub merge: &'static str,
    pub merge_into: &'static str,
    pub notice_title: &'static str,
    pub notice_intro: &'static str,
    pub notice_rights: &'static str,
    pub print_notice: &'static str,
    pub outcome: &'static str,
    pub non_local_hint: &'static str,
}

impl Leads {
    /// The messages in `l`, each written once with its Chinese and English text side by side.
    pub(super) const fn new(l: Lang) -> Self {
        Self {
            new_lead: t(l, "登记求助", "Record a request"),
            lead_queue: t(l, "线索队列", "Lead queue"),
            no_leads: t(l, "没有符合条件的线索", "No lead matches"),
            lead_number: t(l, "线索编号", "Lead number"),
            channel: t(l, "求助渠道", "Channel"),
            reporter: t(l, "报告人 / 代办人", "Reporter / agent"),
            reporter_name: t(l, "报告人姓名", "Reporter's name"),
            reporter_phone: t(l, "报告人电话", "Reporter's phone"),
            reporter_relation: t(l, "与求助对象关系 / 委托情况", "Relation or entrustment"),
            subject: t(l, "求助对象", "Person in need"),
            subject_name: t(l, "姓名（身份不明可填写特征）", "Name (or a description if unknown)"),
            id_number: t(l, "身份证号码", "ID number"),
            phone: t(l, "联系电话", "Phone"),
            reveal: t(
                l,
                "显示完整证件号码和电话（本次查看记入审计）",
                "Show full ID numbers and phones (this reading is audited)",
            ),
            revealed: t(
                l,
                "正在显示完整证件号码和电话，本次查看已记入审计日志",
                "Full ID numbers and phones shown; this reading is in the audit log",
            ),
            hukou: t(l, "户籍地", "Hukou"),
            location: t(l, "现所在地", "Where the person is"),
            location_by_hukou: t(l, "不详（按户籍地确定受理街道）", "Not known (the hukou's street receives it)"),
            address: t(l, "详细地址", "Address"),
            description: t(l, "求助情况", "Situation"),
            urgency: t(l, "紧急程度", "Urgency"),
            hardship_types: t(l, "困难类型", "Hardship types"),
            needs: t(l, "主要需求", "Main needs"),
            submit_lead: t(l, "登记", "Record"),
            lead_recorded: t(l, "求助已登记，请在时限内核查", "Request recorded; verify it within the time limit"),
            responsible_unit: t(l, "责任单位", "Responsible unit"),
            first_inquiry: t(l, "首问负责", "First inquiry"),
            first_inquiry_note: t(
                l,
                "在责任单位受理前，首问单位和首问人负责跟进，不得推诿",
                "Until the responsible unit accepts, the first receiving unit and person stay accountable",
            ),
            deadline: t(l, "核查时限", "Verify by"),
            overdue: t(l, "已超时", "Overdue"),
            possible_duplicate: t(
                l,
                "疑似重复，同一对象已有待核查线索：",
                "Possible duplicate of an open lead about the same person: ",
            ),
            timeline: t(l, "办理过程", "Timeline"),
            placeholder_rule: t(
                l,
                "（时限为占位值，待管理员按本市规定设置）",
                " (placeholder time limit, to be set by an administrator)",
            ),
            duplicate_tag: t(l, "疑似重复", "Possible duplicate"),
            verification: t(l, "核查处理", "Verification"),
            accept: t(l, "受理", "Accept"),
            documents_pending: t(l, "先行受理，材料后补", "Accept first, documents later"),
            not_accept: t(l, "不予受理", "Do not accept"),
            reason: t(l, "理由", "Reasons"),
            transfer: t(l, "移交其他街道", "Transfer to another street"),
            transfer_to: t(l, "现所在地代码（街道或社区）", "Location code (street or community)"),
            merge: t(l, "合并为重复线索", "Merge as a duplicate"),
            merge_into: t(l, "合并至（线索或案件编号）", "Merge into (lead or case)"),
            notice_title: t(l, "不予受理告知书", "Notice of non-acceptance"),
            notice_intro: t(
                l,
                "经核查，您（或代为申请人）提出的救助申请不予受理，理由如下：",
                "After verification, the request for assistance is not accepted, for these reasons:",
            ),
            notice_rights: t(
                l,
                "如对本决定不服，可以自收到本告知书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼（《社会救助暂行办法》第六十五条）。",
                "If you disagree, you may apply for administrative reconsideration within sixty days of receiving this notice, or bring an administrative lawsuit within six months (Interim Measures on Social Assistance, Art. 65).",
            ),
            print_notice: t(l, "打印告知书", "Print the notice"),
            outcome: t(l, "处理结果", "Outcome"),
            non_local_hint: t(
                l,
                "户籍不在本市：急难情形由所在地先行救助；生活无着的，可协助其向区救助管理站申请（DOMAIN §3.3）：",
                "Hukou outside Beijing: emergencies are helped where they happen; a destitute person can be helped to apply to the district relief station (DOMAIN §3.3): ",
            ),
        }
    }
}
