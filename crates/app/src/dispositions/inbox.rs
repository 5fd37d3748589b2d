//! The referral inbox of a unit, with each referral's clocks and the case's subject.

use std::collections::HashMap;

use super::*;
use jiujinan_domain::pii::mask;

impl App {
    /// The referrals addressed to the actor's unit.
    pub async fn inbox(
        &self,
        actor: &Actor,
        status: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<ActionRecord>, AppError> {
        if let Some(s) = status.filter(|s| !s.is_empty()) {
            ActionStatus::parse(s)?;
        }
        Ok(self.store.inbox(actor.unit.as_str(), status, limit, offset).await?)
    }

    /// The inbox as shown: each referral with its own clocks, the unit accountable now and the
    /// case's subject, read in two queries for the whole page (not two per row).
    pub async fn inbox_items(
        &self,
        actor: &Actor,
        status: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<InboxItem>, AppError> {
        let actions = self.inbox(actor, status, limit, offset).await?;
        let action_ids: Vec<String> = actions.iter().map(|a| a.id.clone()).collect();
        let mut case_ids: Vec<String> = actions.iter().map(|a| a.case_id.clone()).collect();
        case_ids.sort();
        case_ids.dedup();
        let (clocks, cases) =
            tokio::try_join!(self.store.deadlines_of_actions(&action_ids), self.store.cases_by_ids(&case_ids))?;
        let cases: HashMap<&str, &CaseRecord> = cases.iter().map(|c| (c.id.as_str(), c)).collect();
        // Onlookers (city supervisors) see names masked, as everywhere.
        let onlooker = !actor.may(jiujinan_domain::policy::Permission::RevealPersonalData);
        actions
            .into_iter()
            .map(|a| {
                let case = cases.get(a.case_id.as_str());
                let details = stored_json(&a.details, "action details", &a.id)?;
                Ok(InboxItem {
                    subject_name: case
                        .map(|c| match onlooker {
                            true => mask(jiujinan_domain::pii::Blind::Name, &c.subject_name),
                            false => c.subject_name.clone(),
                        })
                        .unwrap_or_default(),
                    // Masked: the full number is read on the case file, where the read is audited.
                    subject_id_number: case.and_then(|c| {
                        c.subject_id_number.as_deref().map(|n| mask(jiujinan_domain::pii::Blind::IdNumber, n))
                    }),
                    view: ActionView {
                        accountable_unit: accountable_unit(&a),
                        deadlines: clocks.iter().filter(|d| d.subject_id == a.id).cloned().collect(),
                        events: vec![],
                        decisions: vec![],
                        details,
                        action: a,
                    },
                })
            })
            .collect()
    }

    /// A referral the actor may see (see `action_for`, which audits the read) with its case.
    pub async fn action_with_case(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<(ActionView, Option<CaseRecord>), AppError> {
        let view = self.action_for(actor, id).await?;
        let case = self.store.case_by_id(&view.action.case_id).await?;
        Ok((view, case))
    }
}

/// One row of a referral inbox.
#[derive(Debug, Clone, Serialize)]
pub struct InboxItem {
    pub view: ActionView,
    /// The case's subject (shown masked where lists mask).
    pub subject_name: String,
    pub subject_id_number: Option<String>,
}
