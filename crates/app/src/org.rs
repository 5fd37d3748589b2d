//! Loading and browsing the organisation: Beijing's divisions and their units.

use std::collections::HashSet;
use std::path::Path;

use jiujinan_domain::audit::action;
use jiujinan_domain::org::{DivisionCode, DivisionLevel, DivisionRow, UnitCode, units_for_divisions};
use jiujinan_store::{ImportCounts, Unit, UnitCount, UnitNode};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::auth::Actor;
use crate::{App, AppError};

/// A divisions file and a communities file, read into memory.
#[derive(Debug, Clone)]
pub struct OrgFiles {
    pub divisions_name: String,
    pub divisions: String,
    pub communities_name: String,
    pub communities: String,
}

impl OrgFiles {
    /// Reads both files from disk.
    pub fn read(divisions: &Path, communities: &Path) -> Result<Self, AppError> {
        let read = |p: &Path| {
            std::fs::read_to_string(p).map_err(|e| AppError::ImportMalformed {
                file: p.display().to_string(),
                line: 0,
                reason: format!("cannot read: {e}"),
            })
        };
        Ok(Self {
            divisions_name: divisions.display().to_string(),
            divisions: read(divisions)?,
            communities_name: communities.display().to_string(),
            communities: read(communities)?,
        })
    }

    /// The reference files shipped in the binary (`data/reference/`).
    pub fn embedded() -> Self {
        Self {
            divisions_name: "data/reference/beijing-divisions.csv".into(),
            divisions: include_str!("../../../data/reference/beijing-divisions.csv").into(),
            communities_name: "data/reference/beijing-communities.csv".into(),
            communities: include_str!("../../../data/reference/beijing-communities.csv").into(),
        }
    }

    fn digest(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.divisions.as_bytes());
        h.update(self.communities.as_bytes());
        hex::encode(h.finalize())
    }
}

/// Parses both files completely, or returns the first error with file and line.
pub fn parse_org_files(files: &OrgFiles) -> Result<Vec<DivisionRow>, AppError> {
    let mut rows =
        parse_csv(&files.divisions_name, &files.divisions, &["code", "name", "level", "parent_code"], |rec| {
            let code = DivisionCode::parse(rec[0]).map_err(|_| format!("invalid division code {:?}", rec[0]))?;
            let level = DivisionLevel::parse(rec[2]).map_err(|_| format!("invalid level {:?}", rec[2]))?;
            if level == DivisionLevel::Community || level != code.level() {
                return Err(format!("level {:?} does not match code {code}", rec[2]));
            }
            let parent = if rec[3].is_empty() {
                None
            } else {
                Some(DivisionCode::parse(rec[3]).map_err(|_| format!("invalid parent {:?}", rec[3]))?)
            };
            if parent != code.parent() {
                return Err(format!("parent {:?} is not the division above {code}", rec[3]));
            }
            Ok(DivisionRow { code, name: rec[1].to_owned(), parent })
        })?;
    let known: HashSet<DivisionCode> = rows.iter().map(|r| r.code.clone()).collect();
    for (i, r) in rows.iter().enumerate() {
        if let Some(p) = &r.parent
            && !known.contains(p)
        {
            return Err(malformed(&files.divisions_name, i as u64 + 2, format!("parent {p} is not in the file")));
        }
    }
    let communities =
        parse_csv(&files.communities_name, &files.communities, &["code", "name", "street_code"], |rec| {
            let code = DivisionCode::parse(rec[0]).map_err(|_| format!("invalid community code {:?}", rec[0]))?;
            if code.level() != DivisionLevel::Community {
                return Err(format!("{code} is not a 12-digit community code"));
            }
            let street = DivisionCode::parse(rec[2]).map_err(|_| format!("invalid street code {:?}", rec[2]))?;
            if code.parent().as_ref() != Some(&street) {
                return Err(format!("street {street} is not the division above {code}"));
            }
            if !known.contains(&street) {
                return Err(format!("street {street} is not in the divisions file"));
            }
            Ok(DivisionRow { code, name: rec[1].to_owned(), parent: Some(street) })
        })?;
    rows.extend(communities);
    Ok(rows)
}

fn malformed(file: &str, line: u64, reason: String) -> AppError {
    AppError::ImportMalformed { file: file.to_owned(), line, reason }
}

/// Reads a headed CSV, checking the header and each row; line numbers count the header as 1.
fn parse_csv<T, const N: usize>(
    file: &str,
    text: &str,
    header: &[&str; N],
    mut row: impl FnMut(&[&str; N]) -> Result<T, String>,
) -> Result<Vec<T>, AppError> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 1;
        let rec = rec.map_err(|e| malformed(file, line, e.to_string()))?;
        let fields: Vec<&str> = rec.iter().map(str::trim).collect();
        if i == 0 {
            let got: Vec<&str> = fields.iter().map(|f| f.trim_start_matches('\u{feff}')).collect();
            if got != header {
                return Err(malformed(file, line, format!("header must be {}", header.join(","))));
            }
            continue;
        }
        let found = fields.len();
        let Ok(fields) = <[&str; N]>::try_from(fields) else {
            return Err(malformed(file, line, format!("expected {N} fields, found {found}")));
        };
        // Every file starts with a code and a name.
        let (code, name) = (fields.first().copied().unwrap_or(""), fields.get(1).copied().unwrap_or(""));
        if name.is_empty() || name.chars().count() > 100 {
            return Err(malformed(file, line, "name is empty or too long".into()));
        }
        if !seen.insert(code.to_owned()) {
            return Err(malformed(file, line, format!("duplicate code {code}")));
        }
        out.push(row(&fields).map_err(|r| malformed(file, line, r))?);
    }
    if out.is_empty() {
        return Err(malformed(file, 1, "no data rows".into()));
    }
    Ok(out)
}

impl App {
    /// Imports the organisation from both files: all or nothing, idempotent, audited.
    pub async fn import_org(&self, actor: &Actor, files: &OrgFiles) -> Result<ImportCounts, AppError> {
        if !actor.may(jiujinan_domain::policy::Permission::ManageUsers)
            || actor.jurisdiction.division != DivisionCode::city()
        {
            return Err(AppError::Forbidden);
        }
        let rows = parse_org_files(files)?;
        let units = units_for_divisions(&rows);
        let audit = actor.audit(
            action::ORG_IMPORTED,
            ("org", "11"),
            &json!({"divisions_file": files.divisions_name, "communities_file": files.communities_name,
                    "sha256": files.digest(), "divisions": rows.len(), "units": units.len()}),
        );
        let counts = self.store.import_units(&units, self.now_ms(), audit).await?;
        self.caches.clear_units();
        if counts.inserted > 0 || counts.updated > 0 {
            self.store.refresh_statistics().await?;
        }
        Ok(counts)
    }

    /// One unit by code (the organisation is public within the platform).
    pub async fn unit(&self, code: &str) -> Result<Unit, AppError> {
        let code = UnitCode::parse(code)?;
        self.cached_unit(&code).await?.ok_or(AppError::NotFound)
    }

    /// The units directly below a unit.
    pub async fn child_units(&self, code: &str) -> Result<Vec<UnitNode>, AppError> {
        let code = UnitCode::parse(code)?;
        Ok(self.store.child_units(&code).await?)
    }

    /// Units whose name contains the query or whose code starts with it.
    pub async fn search_units(&self, q: &str, limit: i64) -> Result<Vec<Unit>, AppError> {
        self.search_units_of(q, jiujinan_store::UnitSearch::Any, limit).await
    }

    /// Units of one kind whose name contains the query or whose code starts with it.
    pub async fn search_units_of(
        &self,
        q: &str,
        kind: jiujinan_store::UnitSearch,
        limit: i64,
    ) -> Result<Vec<Unit>, AppError> {
        let q: String = q.trim().chars().take(40).collect();
        Ok(self.store.search_units(&q, kind, limit.clamp(1, 200)).await?)
    }

    /// The chain of units from the city down to `code`, for breadcrumbs.
    pub async fn unit_path(&self, code: &str) -> Result<Vec<Unit>, AppError> {
        let mut path = vec![self.unit(code).await?];
        while let Some(parent) = path.last().and_then(|u| u.parent.clone()) {
            if path.len() > 8 {
                break;
            }
            path.push(self.unit(&parent).await?);
        }
        path.reverse();
        Ok(path)
    }

    /// Unit counts per level and kind.
    pub async fn unit_counts(&self) -> Result<Vec<UnitCount>, AppError> {
        Ok(self.store.unit_counts().await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(div: &str, com: &str) -> OrgFiles {
        OrgFiles {
            divisions_name: "d.csv".into(),
            divisions: div.into(),
            communities_name: "c.csv".into(),
            communities: com.into(),
        }
    }

    const DIV: &str =
        "code,name,level,parent_code\n11,北京市,city,\n110105,朝阳区,district,11\n110105001,建外街道,street,110105\n";
    const COM: &str = "code,name,street_code\n110105001024,南郎家园社区居委会,110105001\n";

    #[test]
    fn parses_good_files() {
        let rows = parse_org_files(&files(DIV, COM)).unwrap();
        assert_eq!(rows.len(), 4);
    }

    #[test]
    fn names_file_and_line_of_the_first_error() {
        let bad = format!("{DIV}110105002,X,street,110106\n");
        let e = parse_org_files(&files(&bad, COM)).unwrap_err();
        assert!(matches!(e, AppError::ImportMalformed { ref file, line: 5, .. } if file == "d.csv"), "{e:?}");

        let bad = "code,name,street_code\n110105001024,A,110105001\n11010500102X,B,110105001\n";
        let e = parse_org_files(&files(DIV, bad)).unwrap_err();
        assert!(matches!(e, AppError::ImportMalformed { ref file, line: 3, .. } if file == "c.csv"), "{e:?}");

        let e = parse_org_files(&files("code,name\n11,北京市\n", COM)).unwrap_err();
        assert!(matches!(e, AppError::ImportMalformed { line: 1, .. }), "{e:?}");

        let dup = format!("{COM}110105001024,again,110105001\n");
        let e = parse_org_files(&files(DIV, &dup)).unwrap_err();
        assert!(matches!(e, AppError::ImportMalformed { line: 3, .. }), "{e:?}");
    }

    #[test]
    fn embedded_reference_data_is_complete() {
        let rows = parse_org_files(&OrgFiles::embedded()).unwrap();
        let count = |l| rows.iter().filter(|r| r.code.level() == l).count();
        assert_eq!(count(DivisionLevel::City), 1);
        assert_eq!(count(DivisionLevel::District), 16);
        assert_eq!(count(DivisionLevel::Street), 349);
        assert_eq!(count(DivisionLevel::Community), 7535);
    }
}
