//! Funds, deposits, allocations and the month reconciliation of a fund's ledger.

use super::*;

/// A month of a fund: opening, money in, money out, reserved at the end, closing.
#[derive(Debug, Clone, Serialize)]
pub struct Reconciliation {
    pub fund: Fund,
    pub month: String,
    pub opening_fen: i64,
    pub in_fen: i64,
    pub out_fen: i64,
    pub reserved_fen: i64,
    pub closing_fen: i64,
    pub lines: Vec<jiujinan_store::LedgerEntry>,
    /// The case number of each aid item the lines name (people read numbers, not ids).
    pub aid_cases: std::collections::HashMap<String, String>,
}

/// A ledger line's kind or account as the spreadsheet shows it (Chinese, with the English word).
fn ledger_word(code: &str) -> String {
    let zh = match code {
        "deposit" => "拨入",
        "allocation" => "下拨",
        "reservation" => "预留",
        "posting" => "支付",
        "release" => "释放",
        "reversal" => "冲正",
        "available" => "可用",
        "reserved" => "已预留",
        "paid" => "已支付",
        "external" => "外部",
        "budget" => "预算资金",
        "reserve" => "备用金",
        "special" => "专项资金",
        "charity" => "慈善资金",
        other => return other.to_owned(),
    };
    format!("{zh} {code}")
}

/// The instants a Beijing month (`YYYY-MM`) begins and ends.
pub fn month_bounds(month: &str) -> Option<(i64, i64)> {
    let (y, m) = month.trim().split_once('-')?;
    let (y, m): (i64, u32) = (y.parse().ok()?, m.parse().ok()?);
    if !(1..=12).contains(&m) {
        return None;
    }
    let start = crate::calendar::beijing_noon_ms(&format!("{y:04}-{m:02}-01"))? - 12 * 3_600_000;
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let end = crate::calendar::beijing_noon_ms(&format!("{ny:04}-{nm:02}-01"))? - 12 * 3_600_000;
    Some((start, end))
}

impl Reconciliation {
    /// The month as a spreadsheet: the summary, then every ledger line.
    pub fn to_xlsx(&self) -> Vec<u8> {
        use crate::xlsx::{Cell, workbook, yuan_cell};
        let t = |s: &str| Cell::Text(s.to_owned());
        let mut rows = vec![
            vec![t("资金账户 Fund"), t(&self.fund.name), t(&self.fund.unit), t(&ledger_word(self.fund.kind.code()))],
            vec![t("月份 Month"), t(&self.month)],
            vec![t("期初 Opening"), yuan_cell(self.opening_fen)],
            vec![t("收入 In"), yuan_cell(self.in_fen)],
            vec![t("支出 Out"), yuan_cell(self.out_fen)],
            vec![t("期末预留 Reserved"), yuan_cell(self.reserved_fen)],
            vec![t("期末 Closing"), yuan_cell(self.closing_fen)],
            vec![],
            vec![
                t("序号 Seq"),
                t("时间 Time"),
                t("类型 Kind"),
                t("科目 Account"),
                t("金额 Amount (yuan)"),
                t("案件编号 Case"),
                t("摘要 Memo"),
                t("经办 By"),
            ],
        ];
        for l in &self.lines {
            rows.push(vec![
                Cell::Number(l.seq as f64),
                t(&crate::calendar::beijing_datetime_text(l.at_ms)),
                t(&ledger_word(&l.kind)),
                t(&ledger_word(&l.account)),
                yuan_cell(l.amount_fen),
                t(self.aid_cases.get(&l.aid_id).map(String::as_str).unwrap_or("")),
                t(&l.memo),
                t(&l.actor),
            ]);
        }
        workbook(&format!("{} {}", self.month, "对账"), &rows)
    }
}

/// A balance that would pass the most a fund may hold (caught by the store's conditional
/// update when another deposit came in since the check).
fn balance_limit(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(Conflict::BalanceLimit) => field("AMOUNT_TOO_LARGE", "amount"),
        other => other.into(),
    }
}

impl App {
    /// A positive amount for `op`, within the ceiling in force for it (`AMOUNT_TOO_LARGE` on
    /// `amount` beyond it).
    pub(crate) async fn money_within(&self, op: MoneyOperation, amount_fen: i64) -> Result<Fen, AppError> {
        if amount_fen <= 0 {
            return Err(field("NEGATIVE_AMOUNT", "amount"));
        }
        let amount = Fen::new(amount_fen, "amount")?;
        let rules = self.store.aid_rules().await?;
        Ok(amount.within(money_ceiling(&rules, op, self.now_ms()), "amount")?)
    }

    /// Opens a fund for a unit within the actor's jurisdiction (district approvers and
    /// administrators).
    pub async fn create_fund(&self, actor: &Actor, unit: &str, kind: &str, name: &str) -> Result<String, AppError> {
        if !actor.may(Permission::ManageFunds) {
            return Err(AppError::Forbidden);
        }
        let unit = UnitCode::parse(unit).map_err(|_| field("UNKNOWN_UNIT", "unit"))?;
        if self.cached_unit(&unit).await?.is_none() || !actor.jurisdiction.covers(&unit.division()) {
            return Err(field("UNKNOWN_UNIT", "unit"));
        }
        let kind = FundKind::parse(kind)?;
        let name = reason(name, 100, "TITLE_REQUIRED", "name")?;
        // A fund's name is one line (it heads ledgers, exports and lists).
        jiujinan_domain::text::check(&name, false, "name")?;
        let now = self.now_ms();
        let f = Fund {
            id: new_id(now),
            unit: unit.to_string(),
            division: unit.division().to_string(),
            kind,
            name,
            available_fen: 0,
            reserved_fen: 0,
            paid_fen: 0,
            created_ms: now,
            version: 1,
        };
        let mut audit = actor.audit("fund.created", ("fund", &f.id), &json!({"unit": f.unit, "kind": f.kind}));
        audit.division = f.division.clone();
        self.store.create_fund(&f, audit, now).await?;
        Ok(f.id)
    }

    /// Funds within the actor's jurisdiction.
    pub async fn funds(&self, actor: &Actor) -> Result<Vec<Fund>, AppError> {
        if !actor.may(Permission::ReadFunds) {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.funds(&actor.jurisdiction).await?)
    }

    async fn fund_in_scope(&self, actor: &Actor, id: &str) -> Result<Fund, AppError> {
        let f = self.store.fund(id).await?.ok_or(AppError::NotFound)?;
        if !covers(actor, &f.division) || actor.jurisdiction.department.is_some() {
            return Err(AppError::NotFound);
        }
        Ok(f)
    }

    /// Money into a fund from outside (budget appropriation, donation).
    pub async fn deposit(&self, actor: &Actor, fund_id: &str, amount_fen: i64, memo: &str) -> Result<(), AppError> {
        if !actor.may(Permission::ManageFunds) {
            return Err(AppError::Forbidden);
        }
        let f = self.fund_in_scope(actor, fund_id).await?;
        let amount = self.money_within(MoneyOperation::Deposit, amount_fen).await?;
        // The balance after it must stay within what a fund may hold.
        Fen::credit(f.available_fen, amount, "amount")?;
        let memo = reason(memo, 500, "DETAIL_REQUIRED", "memo")?;
        let mut audit = actor.audit("fund.deposit", ("fund", &f.id), &json!({"amount_fen": amount_fen}));
        audit.division = f.division.clone();
        self.store.deposit(&f.id, amount.get(), &memo, &who(actor), audit, self.now_ms()).await.map_err(balance_limit)
    }

    /// Allocates from a fund to another within the actor's jurisdiction (district to street).
    pub async fn allocate(
        &self,
        actor: &Actor,
        from: &str,
        to: &str,
        amount_fen: i64,
        memo: &str,
    ) -> Result<(), AppError> {
        if !actor.may(Permission::ManageFunds) {
            return Err(AppError::Forbidden);
        }
        let (f, t) = (self.fund_in_scope(actor, from).await?, self.fund_in_scope(actor, to).await?);
        if f.id == t.id {
            return Err(field("UNKNOWN_FUND", "to"));
        }
        let amount = self.money_within(MoneyOperation::Allocation, amount_fen).await?;
        Fen::credit(t.available_fen, amount, "amount")?;
        let memo = reason(memo, 500, "DETAIL_REQUIRED", "memo")?;
        let mut audit = actor.audit("fund.allocation", ("fund", &f.id), &json!({"to": t.id, "amount_fen": amount_fen}));
        audit.division = f.division.clone();
        self.store.allocate(&f.id, &t.id, amount_fen, &memo, &who(actor), audit, self.now_ms()).await.map_err(|e| {
            match e {
                StoreError::Conflict(Conflict::BalanceLimit) => field("AMOUNT_TOO_LARGE", "amount"),
                StoreError::Conflict(c) => AppError::Conflict(c.code()),
                other => other.into(),
            }
        })
    }

    /// A fund's month (YYYY-MM, Beijing): opening and closing money held (available and
    /// reserved), money in (deposits, allocations in, reversals), money out (payments,
    /// allocations out), reserved at the end, and every ledger line.
    pub async fn reconciliation(&self, actor: &Actor, fund_id: &str, month: &str) -> Result<Reconciliation, AppError> {
        if !actor.may(Permission::ReadFunds) {
            return Err(AppError::Forbidden);
        }
        let fund = self.fund_in_scope(actor, fund_id).await?;
        let (start, end) = month_bounds(month).ok_or(field("INVALID_DAY", "month"))?;
        let before = self.store.ledger(&fund.id, i64::MIN / 4, start).await?;
        let lines = self.store.ledger(&fund.id, start, end).await?;
        let after = self.store.ledger(&fund.id, end, i64::MAX / 4).await?;
        let held = |ls: &[jiujinan_store::LedgerEntry]| -> i64 {
            ls.iter().filter(|l| l.account == "available" || l.account == "reserved").map(|l| l.amount_fen).sum()
        };
        let reserved = |ls: &[jiujinan_store::LedgerEntry]| -> i64 {
            ls.iter().filter(|l| l.account == "reserved").map(|l| l.amount_fen).sum()
        };
        let opening = held(&before);
        let in_fen: i64 = lines
            .iter()
            .filter(|l| {
                l.account == "available"
                    && l.amount_fen > 0
                    && matches!(l.kind.as_str(), "deposit" | "allocation" | "reversal")
            })
            .map(|l| l.amount_fen)
            .sum();
        let out_fen: i64 = lines
            .iter()
            .filter(|l| {
                (l.account == "paid" && l.kind == "posting")
                    || (l.account == "available" && l.kind == "allocation" && l.amount_fen < 0)
            })
            .map(|l| l.amount_fen.abs())
            .sum();
        let closing = opening + held(&lines);
        debug_assert_eq!(closing, opening + in_fen - out_fen);
        let reserved_end = reserved(&before) + reserved(&lines);
        // The books agree with the balances when nothing was posted after the month.
        if after.is_empty() && closing != fund.available_fen + fund.reserved_fen {
            tracing::error!(fund = %fund.id, closing, "ledger and balances disagree");
            return Err(AppError::Internal("ledger and balances disagree".into()));
        }
        let mut aid_cases = std::collections::HashMap::new();
        for id in lines.iter().map(|l| &l.aid_id).filter(|id| !id.is_empty()) {
            if !aid_cases.contains_key(id)
                && let Some(item) = self.store.aid(id).await?
            {
                aid_cases.insert(id.clone(), item.case_number);
            }
        }
        Ok(Reconciliation {
            aid_cases,
            month: month.trim().to_owned(),
            opening_fen: opening,
            in_fen,
            out_fen,
            reserved_fen: reserved_end,
            closing_fen: closing,
            lines,
            fund,
        })
    }
}
