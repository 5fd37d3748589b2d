//! The programme catalogue as rule data an administrator edits without a release: a new
//! version of a programme (its responsible department, deciding level, route, the hardship
//! types it answers and the reason shown with a suggestion) from an effective date.

use jiujinan_domain::case::Route;
use jiujinan_domain::disposition::reason;
use jiujinan_domain::lead::HardshipType;
use jiujinan_domain::org::{DivisionLevel, UnitKind};
use jiujinan_store::{Programme, StoreError};
use serde_json::json;

use crate::access::field;
use crate::auth::Actor;
use crate::calendar::start_of_beijing_day;
use crate::{App, AppError};

/// A programme version as typed by an administrator. For a programme that exists, an empty
/// field keeps the value of the version in force; a new programme needs its names and route.
#[derive(Debug, Clone, Default)]
pub struct ProgrammeInput {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// A department's unit kind code, `-` for none (a party outside government).
    pub department: String,
    pub level: String,
    pub route: String,
    /// Hardship type codes, comma-separated.
    pub hardship_types: String,
    pub reason_zh: String,
    pub reason_en: String,
    /// YYYY-MM-DD (from the start of that Beijing day); today when empty.
    pub effective_from: String,
    pub source: String,
}

/// Text field: the typed value, else the current one; required when both are empty.
fn text_or(
    typed: &str,
    current: Option<&str>,
    max: usize,
    code: &'static str,
    name: &'static str,
) -> Result<String, AppError> {
    let t = typed.trim();
    let v = if t.is_empty() { current.unwrap_or("") } else { t };
    if v.is_empty() {
        return Err(field(code, name));
    }
    if v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(field("TEXT_TOO_LONG", name));
    }
    Ok(v.to_owned())
}

impl App {
    /// The programme catalogue in force now (route suggestions, forms, pages).
    pub async fn programmes_in_force(&self) -> Result<Vec<Programme>, AppError> {
        Ok(self.store.programmes(self.now_ms()).await?)
    }

    /// Adds a version of a programme from its effective date; audited.
    pub async fn add_programme_version(&self, actor: &Actor, input: ProgrammeInput) -> Result<Programme, AppError> {
        if !actor.principal().edits_rules_at(DivisionLevel::City) {
            return Err(AppError::Forbidden);
        }
        let code = input.code.trim();
        let well_formed = (2..=40).contains(&code.len())
            && code.starts_with(|c: char| c.is_ascii_lowercase())
            && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !well_formed {
            return Err(field("INVALID_PROGRAMME_CODE", "code"));
        }
        let now = self.now_ms();
        let current = self.store.programmes(now).await?.into_iter().find(|p| p.code == code);
        let cur = |f: fn(&Programme) -> &str| current.as_ref().map(f);
        let name_zh = text_or(&input.name_zh, cur(|p| &p.name_zh), 100, "NAME_REQUIRED", "name_zh")?;
        let name_en = text_or(&input.name_en, cur(|p| &p.name_en), 100, "NAME_REQUIRED", "name_en")?;
        let route = text_or(&input.route, cur(|p| &p.route), 40, "ROUTE_REQUIRED", "route")?;
        Route::parse(&route)?;
        let department = match input.department.trim() {
            "" => current.as_ref().map(|p| p.department.clone()).unwrap_or_default(),
            "-" => String::new(),
            k => UnitKind::parse(k).map_err(|_| field("INVALID_UNIT_KIND", "department"))?.code().to_owned(),
        };
        let level = text_or(&input.level, cur(|p| &p.level), 20, "LEVEL_REQUIRED", "level")?;
        if !matches!(level.as_str(), "street" | "district" | "city") {
            return Err(field("INVALID_LEVEL", "level"));
        }
        let hardship_types = match input.hardship_types.trim() {
            "" => current.as_ref().map(|p| p.hardship_types.clone()).unwrap_or_default(),
            typed => {
                let mut codes = Vec::new();
                for c in typed.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                    codes.push(HardshipType::parse(c)?.code());
                }
                codes.dedup();
                codes.join(",")
            }
        };
        // The reason shown with a suggestion may stay empty.
        let optional = |typed: &str, current: Option<&str>, name: &'static str| match typed.trim() {
            "" => Ok(current.unwrap_or("").to_owned()),
            t => text_or(t, None, 500, "DETAIL_REQUIRED", name),
        };
        let reason_zh = optional(&input.reason_zh, cur(|p| &p.reason_zh), "reason_zh")?;
        let reason_en = optional(&input.reason_en, cur(|p| &p.reason_en), "reason_en")?;

        let effective_from = match input.effective_from.trim() {
            "" => now,
            s => start_of_beijing_day(s).ok_or(field("INVALID_DAY", "effective_from"))?,
        };
        let p = Programme {
            code: code.to_owned(),
            name_zh,
            name_en,
            department,
            level,
            route,
            hardship_types,
            reason_zh,
            reason_en,
            effective_from,
            placeholder: false,
            source: reason(&input.source, 500, "DETAIL_REQUIRED", "source")?,
        };
        let audit = actor.audit(
            "rule.programme_added",
            ("programme", &format!("{}@{}", p.code, effective_from)),
            &json!({"department": p.department, "level": p.level, "route": p.route, "hardship_types": p.hardship_types,
                    "replaces": current.as_ref().map(|c| c.effective_from)}),
        );
        self.store.insert_programme(&p, audit, now).await.map_err(|e| match e {
            StoreError::Conflict(_) => AppError::Conflict("RULE_EXISTS"),
            other => other.into(),
        })?;
        Ok(p)
    }
}
