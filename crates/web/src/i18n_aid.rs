//! Messages of the aid, approval, funds and 公示 pages.

use jiujinan_app::i18n::Lang;

use crate::i18n_disposition::messages;

messages! {
    /// Every string the aid pages show, in one language.
    A, ZH, EN {
    nav_approvals: "救助审批", "Approvals";
    nav_funds: "资金", "Funds";
    aid: "救助事项", "Aid";
    no_aid: "尚无救助事项", "No aid yet";
    propose: "提出救助", "Propose aid";
    kind: "救助方式", "Form of aid";
    aid_type: "救助类型", "Aid type";
    cause: "救助事由", "Cause";
    tier: "救助档次（月数）", "Tier (months)";
    amount_yuan: "金额（元）", "Amount (yuan)";
    amount_hint: "留空按标准计算", "Leave empty to use the computed amount";
    change_reason: "调整金额的理由", "Reason for a different amount";
    special: "一事一议（突破上限，须区级审批）", "Special case 一事一议 (lifts the cap, needs the district)";
    fund: "资金账户", "Fund";
    description: "说明", "Details";
    standard: "现行低保标准", "Current 低保 standard";
    placeholder: "待确认", "Placeholder";
    per_person_month: "元/人·月", "yuan per person per month";
    proposed: "测算金额", "Computed";
    calculation: "计算过程", "Calculation";
    level: "审批层级", "Approval level";
    opinion: "意见", "Opinion";
    review: "审核", "Review";
    approve: "审批同意", "Approve";
    refuse: "不予救助", "Refuse";
    refuse_reason: "不予救助理由", "Reasons for refusal";
    pay: "发放", "Pay";
    method: "发放方式", "Delivery";
    reference: "凭证号（银行流水、签收单）", "Reference (bank record, signed receipt)";
    reverse: "冲正（更正错发）", "Reverse (correct a wrong payment)";
    reverse_reason: "冲正原因", "Reason for the reversal";
    cancel: "撤销", "Cancel";
    cancel_reason: "撤销原因", "Reason for cancelling";
    notice: "不予救助告知书", "Notice of refusal";
    approvals_title: "救助审核审批", "Aid review and approval";
    to_approve: "待本级审批", "Waiting for approval at my level";
    to_review: "待审核", "Waiting for review";
    none: "无", "None";
    case_number: "案件编号", "Case";
    funds_title: "资金账户", "Funds";
    name: "名称", "Name";
    unit: "所属单位", "Unit";
    fund_kind: "类型", "Kind";
    available: "可用", "Available";
    reserved: "已预留", "Reserved";
    paid: "已支出", "Paid";
    new_fund: "开设账户", "Open a fund";
    deposit: "拨入资金", "Deposit";
    allocate: "下拨", "Allocate";
    to_fund: "下拨至", "To fund";
    memo: "摘要", "Memo";
    ledger: "明细账", "Ledger";
    time: "时间", "Time";
    entry_kind: "类型", "Kind";
    account: "科目", "Account";
    by: "经办", "By";
    reconciliation: "月末对账", "Month-end reconciliation";
    month: "月份", "Month";
    opening: "期初", "Opening";
    inflow: "收入", "In";
    outflow: "支出", "Out";
    closing: "期末", "Closing";
    export_xlsx: "导出 XLSX", "Export XLSX";
    show: "查看", "Show";
    publicity_title: "公示", "Public postings";
    posted_name: "户主", "Household head";
    persons: "人数", "Persons";
    reason: "事由", "Reason";
    period: "公示期", "Period";
    object: "登记异议", "Record an objection";
    objection: "异议内容", "Objection";
    open_only: "公示中", "Open";
    show_all: "全部", "All";
    notice_title: "不予临时救助告知书", "Notice: temporary assistance refused";
    notice_body: "经审核，您的临时救助申请不符合救助条件，决定不予救助。理由如下：", "After review, your application for temporary assistance does not meet the conditions and is refused, for these reasons:";
    notice_rights: "如对本决定不服，可以自收到本告知书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼（《社会救助暂行办法》第六十五条）。", "If you disagree, you may apply for administrative reconsideration within sixty days of receiving this notice, or bring an administrative lawsuit within six months (Interim Measures for Social Assistance, Art. 65).";
    print: "打印", "Print";
}}

/// The aid messages in `lang`.
pub fn amsgs(lang: Lang) -> &'static A {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}
