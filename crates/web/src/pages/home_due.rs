//! The home page's deadline list (the running clocks of the user's unit, soonest due first)
//! and the figures a reviewer or approver watches (督办 items per week, the funds).

use jiujinan_app::i18n::Lang;
use jiujinan_app::model::{DeadlineRecord, Fund};
use jiujinan_app::work::HomeFigures;
use serde::Serialize;

use crate::i18n::labels;
use crate::view::beijing_time;

/// One running clock: which step of which lead or case, due when, and how it stands.
pub struct DueRow {
    pub href: String,
    pub number: String,
    pub step: &'static str,
    pub due: String,
    /// `overdue`, `today`, `paused` or `running`.
    pub state: &'static str,
    pub state_text: String,
}

const DAY_MS: i64 = 24 * 3_600_000;
const BEIJING_MS: i64 = 8 * 3_600_000;

/// The end of the Beijing day holding `ms`.
fn end_of_day(ms: i64) -> i64 {
    ((ms + BEIJING_MS).div_euclid(DAY_MS) + 1) * DAY_MS - BEIJING_MS
}

/// Where a clock's step is handled: the lead's page, the referral's page (where the receiver
/// answers), the aid item on the case page.
fn href(d: &DeadlineRecord) -> String {
    match d.subject_type.as_str() {
        "lead" => format!("/leads/{}", d.subject_id),
        "action" => format!("/referrals/{}", d.subject_id),
        "aid" => format!("/cases/{}#aid-{}", d.case_id, d.subject_id),
        _ => format!("/cases/{}", d.case_id),
    }
}

pub fn due_rows(list: &[DeadlineRecord], now_ms: i64, lang: Lang) -> Vec<DueRow> {
    let zh = lang == Lang::Zh;
    let today_ends = end_of_day(now_ms);
    list.iter()
        .map(|d| {
            let (state, state_text) = if d.paused_ms > 0 {
                ("paused", if zh { "已暂停计时".to_owned() } else { "Clock paused".to_owned() })
            } else if d.due_ms <= now_ms {
                let level = if d.level > 0 {
                    format!("（{}）", labels::supervision_level(d.level, lang))
                } else {
                    String::new()
                };
                ("overdue", format!("{}{level}", if zh { "已超时" } else { "Overdue" }))
            } else if d.due_ms - 1 < today_ends {
                ("today", if zh { "今日到期".to_owned() } else { "Due today".to_owned() })
            } else {
                // A working-day limit ends at 00:00 after its last day: that day is the last.
                let days = (end_of_day(d.due_ms - 1) - today_ends) / DAY_MS;
                ("running", if zh { format!("还剩{days}天") } else { format!("{days} day(s) left") })
            };
            DueRow {
                href: href(d),
                number: d.case_number.clone(),
                step: labels::deadline_step(&d.step, lang),
                due: beijing_time(d.due_ms).chars().take(16).collect(),
                state,
                state_text,
            }
        })
        .collect()
}

/// A chart's data for `static/app.js`: one bar series, or several stacked.
#[derive(Serialize)]
pub struct ChartData {
    pub title: String,
    pub names: Vec<String>,
    pub series: Vec<Series>,
    pub stack: bool,
}

#[derive(Serialize)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

/// A chart with the table that says the same in words (screen readers, print, tests).
pub struct Chart {
    pub id: &'static str,
    pub json: String,
    pub title: String,
    /// What the rows are (the first column's heading).
    pub category: String,
    pub names: Vec<String>,
    pub series: Vec<(String, Vec<String>)>,
}

impl Chart {
    pub fn new(id: &'static str, category: &str, data: ChartData, unit: fn(f64) -> String) -> Option<Chart> {
        let json = serde_json::to_string(&data).ok()?;
        let series =
            data.series.iter().map(|s| (s.name.clone(), s.values.iter().map(|v| unit(*v)).collect())).collect();
        Some(Chart { id, json, title: data.title, category: category.to_owned(), names: data.names, series })
    }
}

fn count_text(v: f64) -> String {
    format!("{v:.0}")
}

fn yuan_text(v: f64) -> String {
    format!("{v:.2}")
}

/// The overdue trend and the funds' balances, for reviewers and approvers.
pub fn figure_charts(f: &HomeFigures, lang: Lang) -> Vec<Chart> {
    let zh = lang == Lang::Zh;
    let mut charts = Vec::new();
    if !f.overdue_weeks.is_empty() {
        let data = ChartData {
            title: if zh { "近8周新增督办事项" } else { "Supervision items opened, last 8 weeks" }.to_owned(),
            names: f
                .overdue_weeks
                .iter()
                .map(|(start, _)| beijing_time(*start).chars().skip(5).take(5).collect())
                .collect(),
            series: vec![Series {
                name: if zh { "督办事项" } else { "Items" }.to_owned(),
                values: f.overdue_weeks.iter().map(|(_, n)| *n as f64).collect(),
            }],
            stack: false,
        };
        charts.extend(Chart::new("home-trend", if zh { "周（起始日）" } else { "Week of" }, data, count_text));
    }
    if !f.funds.is_empty() {
        let values = |pick: fn(&Fund) -> i64| f.funds.iter().map(|x| pick(x) as f64 / 100.0).collect();
        let (available, reserved, paid) =
            if zh { ("可用余额", "已预留", "已发放") } else { ("Available", "Reserved", "Paid") };
        let data = ChartData {
            title: if zh { "资金余额与支出（元）" } else { "Fund balances and spending (yuan)" }.to_owned(),
            names: f.funds.iter().map(|x| x.name.clone()).collect(),
            series: vec![
                Series { name: available.to_owned(), values: values(|x| x.available_fen) },
                Series { name: reserved.to_owned(), values: values(|x| x.reserved_fen) },
                Series { name: paid.to_owned(), values: values(|x| x.paid_fen) },
            ],
            stack: true,
        };
        charts.extend(Chart::new("home-funds", if zh { "资金" } else { "Fund" }, data, yuan_text));
    }
    charts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(due_ms: i64) -> DeadlineRecord {
        DeadlineRecord {
            id: "d".into(),
            subject_type: "action".into(),
            subject_id: "a1".into(),
            case_id: "c1".into(),
            case_number: "110105001-2026-00001".into(),
            division: "110105001024".into(),
            step: "refer.accept".into(),
            rule: String::new(),
            responsible_unit: "110105:wj".into(),
            responsible_user: String::new(),
            started_ms: 0,
            due_ms,
            warn_ms: due_ms,
            escalate_days: 2,
            state: "open".into(),
            warned: false,
            level: 0,
            next_ms: due_ms,
            paused_ms: 0,
            pause_reason: String::new(),
            closed_ms: 0,
            version: 1,
        }
    }

    #[test]
    fn a_working_day_limit_counts_its_last_day() {
        let monday = 1_796_572_800_000; // 2026-12-07 00:00 Beijing
        let now = monday + 10 * 3_600_000;
        // Due "by the end of Tuesday": 00:00 on Wednesday, as working-day limits end.
        let rows = due_rows(&[due(monday + 2 * DAY_MS), due(monday + DAY_MS)], now, Lang::Zh);
        assert_eq!(rows[0].state_text, "还剩1天");
        assert_eq!((rows[1].state, rows[1].state_text.as_str()), ("today", "今日到期"), "ends at midnight tonight");
        assert_eq!(rows[0].href, "/referrals/a1", "the receiver answers on the referral's page");
    }

    #[test]
    fn a_beijing_day_ends_at_midnight_beijing_time() {
        // 2026-12-07 10:00 Beijing = 02:00 UTC; the day ends at 2026-12-07 16:00 UTC.
        let ten = 1_796_572_800_000 + 10 * 3_600_000;
        assert_eq!(end_of_day(ten), 1_796_572_800_000 + DAY_MS);
        assert_eq!(end_of_day(1_796_572_800_000 + DAY_MS - 1), 1_796_572_800_000 + DAY_MS);
    }
}
