//! Timeline rows as lead and case pages show them: steps and codes in words, units by name
//! (their codes on hover).

use jiujinan_app::i18n::Lang;
use jiujinan_app::model::TimelineEntry;

use crate::AppState;
use crate::i18n::labels;
use crate::pages::unit_names::UnitNames;
use crate::view::beijing_time;

/// One step: when, which step, who in which unit, and a note in words.
pub struct StepRow {
    pub time: String,
    pub actor: String,
    /// The unit's name, and its code (shown on hover).
    pub unit: String,
    pub unit_code: String,
    pub step: &'static str,
    pub note: String,
}

/// The unit a step's note names, if any: `refer → 110105:wj` (a new action) names the health
/// commission, `lead.verify → 110105:mz` (a breach, an escalation) the supervising bureau.
fn unit_in_note(step: &str, note: &str) -> Option<String> {
    matches!(step, "action_created" | "overdue" | "escalated")
        .then(|| note.split_once(" → ").map(|(_, u)| u.to_owned()))
        .flatten()
}

/// The units a timeline mentions, named once each.
pub async fn unit_names(state: &AppState, entries: &[TimelineEntry]) -> UnitNames {
    let mut codes: Vec<String> = Vec::new();
    for t in entries {
        codes.push(t.unit.clone());
        if let Some(u) = unit_in_note(&t.step, &t.note) {
            codes.push(u);
        }
    }
    UnitNames::load(state, codes).await
}

/// The rows of a timeline, oldest first; `names` from [`unit_names`].
pub fn rows(entries: Vec<TimelineEntry>, lang: Lang, names: &UnitNames) -> Vec<StepRow> {
    let name = |code: &str| names.name(code);
    entries
        .into_iter()
        .map(|t| {
            let note = match (t.step.as_str(), t.note.split_once(" → ")) {
                ("action_created", Some((route, to))) => format!("{} → {}", labels::route(route, lang), name(to)),
                ("overdue" | "escalated", Some((step, to))) => {
                    format!("{} → {}", labels::deadline_step(step, lang), name(to))
                }
                _ => labels::step_note(&t.step, &t.note, lang),
            };
            StepRow {
                time: beijing_time(t.at_ms),
                step: labels::step(&t.step, lang),
                note,
                // The supervisor sweep writes as `system`: say so in the reader's language.
                actor: match (t.actor.as_str(), lang) {
                    ("system", Lang::Zh) => "系统".to_owned(),
                    _ => t.actor,
                },
                unit: name(&t.unit),
                unit_code: t.unit,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_action_names_its_route_and_receiver() {
        let t = TimelineEntry {
            at_ms: 0,
            actor: "jw_reviewer".into(),
            unit: "110105001:mz".into(),
            step: "action_created".into(),
            note: "refer → 110105:wj".into(),
        };
        let names = UnitNames::from_pairs(&[
            ("110105:wj", "朝阳区卫生健康委员会"),
            ("110105001:mz", "建外街道社会救助受理窗口"),
        ]);
        let r = rows(vec![t.clone()], Lang::Zh, &names);
        assert_eq!(r[0].note, "转介相关部门 → 朝阳区卫生健康委员会");
        assert_eq!((r[0].unit.as_str(), r[0].unit_code.as_str()), ("建外街道社会救助受理窗口", "110105001:mz"));
        assert_eq!(unit_in_note("reported", "refer → x"), None);
        let late = TimelineEntry { step: "overdue".into(), note: "lead.verify → 110105:mz".into(), ..t.clone() };
        let names =
            UnitNames::from_pairs(&[("110105:mz", "朝阳区民政局"), ("110105001:mz", "建外街道社会救助受理窗口")]);
        assert_eq!(unit_in_note("escalated", &late.note).as_deref(), Some("110105:mz"));
        assert_eq!(rows(vec![late], Lang::Zh, &names)[0].note, "线索核查 → 朝阳区民政局");
        let merged =
            TimelineEntry { step: "merged_report".into(), note: "L110105001-2026-000002 · discovery".into(), ..t };
        assert_eq!(rows(vec![merged], Lang::Zh, &names)[0].note, "L110105001-2026-000002 · 主动发现");
    }
}
