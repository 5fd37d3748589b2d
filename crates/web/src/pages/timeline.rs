//! Timeline rows as lead and case pages show them.

use jiujinan_app::i18n::Lang;
use jiujinan_app::model::TimelineEntry;

use crate::i18n::labels;
use crate::view::beijing_time;

/// One step: when, which step, who in which unit, and a note in words.
pub struct StepRow {
    pub time: String,
    pub actor: String,
    pub unit: String,
    pub step: &'static str,
    pub note: String,
}

/// The rows of a timeline, oldest first.
pub fn rows(entries: Vec<TimelineEntry>, lang: Lang) -> Vec<StepRow> {
    entries
        .into_iter()
        .map(|t| StepRow {
            time: beijing_time(t.at_ms),
            step: labels::step(&t.step, lang),
            note: labels::step_note(&t.step, &t.note, lang),
            actor: t.actor,
            unit: t.unit,
        })
        .collect()
}
