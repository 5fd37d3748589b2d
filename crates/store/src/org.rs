//! The organisation: units imported from the division table and browsed as a tree.
//!
//! The trait and its one implementation on [`SqlStore`], written against `db.rs`.

use async_trait::async_trait;
use jiujinan_domain::audit::AuditDraft;
use jiujinan_domain::org::{NewUnit, UnitCode};

use crate::backend::SqlStore;
use crate::db::Sql;
use crate::query::like_escape;
use crate::rows::{self, UNIT_COLUMNS};
use crate::{ImportCounts, StoreError, Unit, UnitCount, UnitNode};

/// Rows per multi-row INSERT in the organisation import.
const IMPORT_CHUNK: usize = 400;

/// The organisation: units imported from the division table and browsed as a tree.
#[async_trait]
pub trait OrgStore: Send + Sync {
    /// Inserts new units and updates changed ones, in one transaction with its audit entry.
    async fn import_units(&self, units: &[NewUnit], now_ms: i64, audit: AuditDraft)
    -> Result<ImportCounts, StoreError>;
    /// One unit by code.
    async fn unit(&self, code: &UnitCode) -> Result<Option<Unit>, StoreError>;
    /// The units directly below `parent`, each with its number of sub-units.
    async fn child_units(&self, parent: &UnitCode) -> Result<Vec<UnitNode>, StoreError>;
    /// Units whose name contains `q` (any length, including two-character names) or whose
    /// code starts with `q`, shortest codes first.
    async fn search_units(&self, q: &str, kind: UnitSearch, limit: i64) -> Result<Vec<Unit>, StoreError>;
    /// Number of units per level and kind.
    async fn unit_counts(&self) -> Result<Vec<UnitCount>, StoreError>;
}

/// Which units a search returns (filtered before the limit, so a narrow kind still fills it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnitSearch {
    /// Any unit.
    #[default]
    Any,
    /// A department or office that can receive a referral: any unit but a division's government.
    NotGovernment,
    /// A unit that holds civil-affairs money: a civil-affairs bureau or a street's office.
    CivilAffairs,
    /// A place a person lives: the government of a street or a community.
    Place,
}

impl UnitSearch {
    fn condition(self) -> &'static str {
        match self {
            Self::Any => "",
            Self::NotGovernment => " AND kind <> 'government'",
            Self::CivilAffairs => " AND kind IN ('civil_affairs', 'assistance_office')",
            Self::Place => " AND kind = 'government' AND length(division) >= 9",
        }
    }
}

#[async_trait]
impl OrgStore for SqlStore {
    async fn import_units(
        &self,
        units: &[NewUnit],
        now_ms: i64,
        audit: AuditDraft,
    ) -> Result<ImportCounts, StoreError> {
        use std::collections::HashMap;
        let mut tx = self.begin_write().await?;
        let rows = Sql::new(format!("SELECT {UNIT_COLUMNS} FROM units")).fetch_all(&mut tx).await?;
        let mut existing: HashMap<String, Unit> = HashMap::with_capacity(rows.len());
        for r in &rows {
            let u = rows::unit(r)?;
            existing.insert(u.code.clone(), u);
        }
        let mut counts = ImportCounts::default();
        let mut fresh: Vec<&NewUnit> = Vec::new();
        for u in units {
            match existing.get(u.code.as_str()) {
                None => fresh.push(u),
                Some(old) => {
                    let parent = u.parent.as_ref().map(|p| p.to_string());
                    let same = old.name == u.name
                        && old.kind == u.kind.code()
                        && old.level == u.level.code()
                        && old.parent == parent;
                    if same {
                        counts.unchanged += 1;
                    } else {
                        Sql::new(
                            "UPDATE units SET name = $1, kind = $2, level = $3, parent = $4, updated_ms = $5 \
                                  WHERE code = $6",
                        )
                        .bind(&u.name)
                        .bind(u.kind.code())
                        .bind(u.level.code())
                        .bind(parent)
                        .bind(now_ms)
                        .bind(u.code.as_str())
                        .execute(&mut tx)
                        .await?;
                        counts.updated += 1;
                    }
                }
            }
        }
        for chunk in fresh.chunks(IMPORT_CHUNK) {
            let mut sql =
                String::from("INSERT INTO units (code, name, kind, level, division, parent, updated_ms) VALUES ");
            for i in 0..chunk.len() {
                let b = i * 7;
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7
                ));
            }
            let mut q = Sql::new(sql);
            for u in chunk {
                q = q
                    .bind(u.code.as_str())
                    .bind(&u.name)
                    .bind(u.kind.code())
                    .bind(u.level.code())
                    .bind(u.division.as_str())
                    .bind(u.parent.as_ref().map(|p| p.to_string()))
                    .bind(now_ms);
            }
            q.execute(&mut tx).await?;
            counts.inserted += chunk.len() as i64;
        }
        let mut audit = audit;
        let mut detail: serde_json::Value = serde_json::from_str(&audit.detail).unwrap_or(serde_json::Value::Null);
        if let serde_json::Value::Object(map) = &mut detail {
            map.insert("inserted".into(), counts.inserted.into());
            map.insert("updated".into(), counts.updated.into());
            map.insert("unchanged".into(), counts.unchanged.into());
        }
        audit.detail = detail.to_string();
        tx.finish(audit, now_ms).await?;
        Ok(counts)
    }

    async fn unit(&self, code: &UnitCode) -> Result<Option<Unit>, StoreError> {
        let row = Sql::new(format!("SELECT {UNIT_COLUMNS} FROM units WHERE code = $1"))
            .bind(code.as_str())
            .fetch_optional(self.reader())
            .await?;
        Ok(row.as_ref().map(rows::unit).transpose()?)
    }

    async fn child_units(&self, parent: &UnitCode) -> Result<Vec<UnitNode>, StoreError> {
        let rows = Sql::new(
            "SELECT u.code, u.name, u.kind, u.level, u.division, u.parent, \
             (SELECT COUNT(*) FROM units c WHERE c.parent = u.code) AS children \
             FROM units u WHERE u.parent = $1 \
             ORDER BY CASE WHEN u.kind = 'government' THEN 1 ELSE 0 END, u.code",
        )
        .bind(parent.as_str())
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| Ok(UnitNode { unit: rows::unit(r)?, children: r.try_get("children")? })).collect()
    }

    async fn search_units(&self, q: &str, kind: UnitSearch, limit: i64) -> Result<Vec<Unit>, StoreError> {
        let q = q.trim();
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let esc = like_escape(q);
        let rows = Sql::new(format!(
            "SELECT {UNIT_COLUMNS} FROM units WHERE (name LIKE $1 ESCAPE '\\' OR code LIKE $2 ESCAPE '\\'){} \
             ORDER BY length(division), code LIMIT $3",
            kind.condition()
        ))
        .bind(format!("%{esc}%"))
        .bind(format!("{esc}%"))
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.iter().map(rows::unit).collect::<Result<_, _>>()?)
    }

    async fn unit_counts(&self) -> Result<Vec<UnitCount>, StoreError> {
        let rows = Sql::new("SELECT level, kind, COUNT(*) AS n FROM units GROUP BY level, kind ORDER BY level, kind")
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|r| Ok(UnitCount { level: r.try_get("level")?, kind: r.try_get("kind")?, count: r.try_get("n")? }))
            .collect()
    }
}
