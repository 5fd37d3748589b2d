//! The case file: the household as declared and the investigations.

use super::*;

impl App {
    /// Replaces the household, economy and population part of the file. Returns the new
    /// version; a stale version is refused, so two editors never overwrite each other.
    #[allow(clippy::too_many_arguments)]
    pub async fn update_case_file(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: i64,
        members: &[MemberInput],
        economy: &Economy,
        population: &str,
        documents_pending: bool,
    ) -> Result<i64, AppError> {
        let case = self.editable_case(actor, id).await?;
        let today = beijing_yyyymmdd(self.now_ms());
        // The page shows ID numbers masked unless revealed: a masked number sent back unchanged
        // keeps the number it masks (a member's, or the applicant's); a new one is typed in full.
        let known: Vec<Member> = stored_json(&case.household, "household", &case.id)?;
        let mut known_numbers: Vec<String> = known.into_iter().filter_map(|m| m.id_number).collect();
        known_numbers.extend(case.subject_id_number.clone());
        known_numbers.sort();
        known_numbers.dedup();
        let unmask = |s: &str| -> Option<String> {
            let masked = |n: &String| jiujinan_domain::pii::mask(jiujinan_domain::pii::Blind::IdNumber, n) == s;
            let mut hits = known_numbers.iter().filter(|n| masked(n));
            match (hits.next(), hits.next()) {
                (Some(n), None) => Some(n.clone()),
                _ => None,
            }
        };
        let mut parsed = Vec::new();
        for m in members.iter().filter(|m| !m.name.trim().is_empty()) {
            let id_number = match m.id_number.trim() {
                "" => None,
                s if s.contains('*') => Some(unmask(s).ok_or(field("ID_NUMBER_MASKED", "members.id_number"))?),
                s => Some(
                    IdNumber::parse(s, today)
                        .map_err(|r| AppError::Validation(r.error("members.id_number")))?
                        .to_string(),
                ),
            };
            parsed.push(Member {
                name: jiujinan_domain::lead::line(&m.name, 50, "INVALID_MEMBER", "members.name")?,
                relationship: Relationship::parse(&m.relationship)?,
                id_number,
                living_together: m.living_together,
            });
        }
        economy.validate()?;
        let population = population.trim();
        if population.chars().count() > 200 {
            return Err(field("TEXT_TOO_LONG", "population"));
        }
        let edit = CaseFileEdit {
            household: serde_json::to_string(&parsed).map_err(|e| AppError::Internal(e.to_string()))?,
            economy: serde_json::to_string(economy).map_err(|e| AppError::Internal(e.to_string()))?,
            population: population.to_owned(),
            documents_pending,
        };
        let audit = Self::case_audit(
            actor,
            &case,
            "case.file_updated",
            json!({"members": parsed.len(), "documents_pending": documents_pending}),
        );
        Ok(self.store.update_case_file(&case.id, expected_version, &edit, &who(actor), audit, self.now_ms()).await?)
    }

    /// Records an investigation by one of the five methods; `done_ms` defaults to now.
    pub async fn record_investigation(
        &self,
        actor: &Actor,
        case_id: &str,
        method: &str,
        done_ms: Option<i64>,
        findings: &str,
    ) -> Result<(), AppError> {
        let case = self.editable_case(actor, case_id).await?;
        let method = InvestigationMethod::parse(method)?;
        let findings = text(findings, 4_000, "FINDINGS_REQUIRED", "findings")?;
        let now = self.now_ms();
        let done = done_ms.unwrap_or(now);
        if done > now || done < case.created_ms - 30 * 86_400_000 {
            return Err(field("INVALID_DATE", "done_at"));
        }
        let rec = Investigation {
            id: new_id(now),
            case_id: case.id.clone(),
            method: method.code().to_owned(),
            investigator: actor.username.clone(),
            unit: actor.unit.to_string(),
            done_ms: done,
            findings,
            created_ms: now,
        };
        let audit = Self::case_audit(actor, &case, "case.investigated", json!({"method": method.code()}));
        Ok(self.store.add_investigation(&rec, audit, now).await?)
    }
}
