//! Helpers shared by the store modules: scope conditions, LIKE escaping, the queue query
//! built from a filter, and reads of queries built at run time.

use jiujinan_domain::jurisdiction::Jurisdiction;

use crate::backend::SqlStore;
use crate::db::{Arg, DbRow, Sql};
use crate::{Conflict, StoreError};

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub(crate) fn like_escape(q: &str) -> String {
    let mut s = String::with_capacity(q.len() + 2);
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s
}

/// The condition "`col` (a division code) lies within the division bound to `$1`", written so
/// that the queue indexes of migration 5 serve it on both databases: an equality on the code's
/// prefix of the scope's length.
pub(crate) fn in_scope(col: &str, scope: &jiujinan_domain::jurisdiction::Jurisdiction) -> String {
    let len = scope.division.level().code_len();
    if len == 12 { format!("{col} = $1") } else { format!("substr({col}, 1, {len}) = $1") }
}

/// A unique-key violation as the given conflict; other errors unchanged.
pub(crate) fn unique_to_conflict(e: sqlx::Error, code: Conflict) -> crate::StoreError {
    match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => crate::StoreError::Conflict(code),
        other => crate::StoreError::Database(other),
    }
}

/// The SELECT of a lead or case queue with only the filters asked for, so that the queue
/// indexes serve both the scope and the order (an `x = '' OR …` filter would defeat them).
pub(crate) fn queue_query(
    columns: &str,
    table: &str,
    due_col: &str,
    scope: &jiujinan_domain::jurisdiction::Jurisdiction,
    f: &crate::LeadFilter,
    ring: &jiujinan_domain::pii::PiiKeyring,
) -> (String, Vec<Arg>) {
    let mut binds = vec![Arg::Text(scope.division.to_string())];
    let mut cond = vec![in_scope("division", scope)];
    let next = |b: Arg, binds: &mut Vec<Arg>| {
        binds.push(b);
        format!("${}", binds.len())
    };
    if let Some(s) = f.status.as_deref().filter(|s| !s.is_empty()) {
        cond.push(format!("status = {}", next(Arg::Text(s.to_owned()), &mut binds)));
    }
    if let Some(u) = f.urgency.as_deref().filter(|s| !s.is_empty()) {
        cond.push(format!("urgency = {}", next(Arg::Text(u.to_owned()), &mut binds)));
    }
    if let Some(at) = f.overdue_at_ms {
        cond.push(format!("{due_col} < {}", next(Arg::Int(at), &mut binds)));
    }
    if let Some(q) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        // Personal data is sealed: the search compares blind indexes (crate::pii), never text.
        let terms = crate::pii::search_terms(ring, q);
        let pair = |[cur, prev]: [String; 2], binds: &mut Vec<Arg>| {
            (next(Arg::Text(cur), binds), next(Arg::Text(prev), binds))
        };
        let mut any = Vec::new();
        let (a, b) = pair(terms.id, &mut binds);
        any.push(format!("subject_id_bidx IN ({a}, {b})"));
        if let Some(p) = terms.phone {
            let (a, b) = pair(p, &mut binds);
            any.push(format!("subject_phone_bidx IN ({a}, {b})"));
        }
        if let Some(n) = terms.number {
            let (upper, raw) = pair([n.to_ascii_uppercase(), n], &mut binds);
            any.push(format!("number IN ({upper}, {raw})"));
        }
        if !terms.name.is_empty() {
            let all: Vec<String> = terms
                .name
                .into_iter()
                .map(|[cur, prev]| {
                    let (a, b) = pair([format!("% {cur} %"), format!("% {prev} %")], &mut binds);
                    format!("(subject_name_tokens LIKE {a} OR subject_name_tokens LIKE {b})")
                })
                .collect();
            any.push(format!("({})", all.join(" AND ")));
        }
        cond.push(format!("({})", any.join(" OR ")));
    }
    let limit = next(Arg::Int(f.limit.clamp(1, 500)), &mut binds);
    let offset = next(Arg::Int(f.offset.max(0)), &mut binds);
    let sql = format!(
        "SELECT {columns} FROM {table} WHERE {} ORDER BY urgency_rank, {due_col}, id LIMIT {limit} OFFSET {offset}",
        cond.join(" AND ")
    );
    (sql, binds)
}

/// `$1, $2, …` for a list of `n` values bound after `first - 1` others (`col IN (…)`).
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// How many ids one `IN (…)` list takes (well under both databases' limits).
pub(crate) const MAX_IN_LIST: usize = 500;

impl SqlStore {
    /// Runs a query built at run time (`queue_query`) on a reader.
    pub(crate) async fn fetch_built(&self, sql: String, binds: Vec<Arg>) -> Result<Vec<DbRow>, StoreError> {
        Ok(Sql::with_args(sql, binds).fetch_all(self.reader()).await?)
    }

    /// How many rows of `table` within `scope` have each status.
    pub(crate) async fn count_by_status(
        &self,
        table: &'static str,
        scope: &Jurisdiction,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        self.count_by_status_due(table, scope, None).await
    }

    /// Like [`Self::count_by_status`], only rows whose deadline (`due_col`) passed before the
    /// instant given, when one is.
    pub(crate) async fn count_by_status_due(
        &self,
        table: &'static str,
        scope: &Jurisdiction,
        due_before: Option<(&'static str, i64)>,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let due = due_before.map(|(col, _)| format!(" AND {col} < $2")).unwrap_or_default();
        let mut q = Sql::new(format!(
            "SELECT status, COUNT(*) AS n FROM {table} WHERE {}{due} GROUP BY status ORDER BY status",
            in_scope("division", scope)
        ))
        .bind(scope.division.as_str());
        if let Some((_, at)) = due_before {
            q = q.bind(at);
        }
        let rows = q.fetch_all(self.reader()).await?;
        rows.iter().map(|r| Ok((r.try_get("status")?, r.try_get("n")?))).collect()
    }
}
