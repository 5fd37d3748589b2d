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

/// The unit a step's note names, if any (`refer → 110105:wj` names the health commission).
fn unit_in_note(step: &str, note: &str) -> Option<String> {
    (step == "action_created").then(|| note.split_once(" → ").map(|(_, u)| u.to_owned())).flatten()
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
                _ => labels::step_note(&t.step, &t.note, lang),
            };
            StepRow {
                time: beijing_time(t.at_ms),
                step: labels::step(&t.step, lang),
                note,
                actor: t.actor,
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
        let merged =
            TimelineEntry { step: "merged_report".into(), note: "L110105001-2026-000002 · discovery".into(), ..t };
        assert_eq!(rows(vec![merged], Lang::Zh, &names)[0].note, "L110105001-2026-000002 · 主动发现");
    }
}
