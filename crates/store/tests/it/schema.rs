//! The live schemas of both databases, read back from their catalogues after migrating, are the
//! same: tables, columns (normalised type, nullability, default, generated keys), primary keys,
//! unique constraints, indexes (columns, uniqueness, partial predicate), foreign keys, checks
//! and triggers. Each database is described as a set of one-line facts; a fact found on one
//! side only is drift, unless `ALLOWED` names it with the reason the dialects force it.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeSet;

use sqlx::Row;
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

/// A difference the dialects force, with the reason. `fact` is a line of `sqlite_facts` or
/// `postgres_facts`; `sqlite` says which side has it alone.
struct Allowed {
    sqlite: bool,
    fact: &'static str,
    reason: &'static str,
}

/// Every intended difference. A stale entry (a fact no longer found) is reported too.
const ALLOWED: &[Allowed] = &[
    Allowed {
        sqlite: true,
        fact: "trigger audit_log_no_delete on audit_log before delete",
        reason: "SQLite triggers have one event each; PostgreSQL's audit_log_no_update covers UPDATE OR DELETE",
    },
    Allowed {
        sqlite: false,
        fact: "trigger audit_log_no_update on audit_log before delete",
        reason: "PostgreSQL's audit_log_no_update covers UPDATE OR DELETE (SQLite: audit_log_no_delete)",
    },
    Allowed {
        sqlite: false,
        fact: "trigger audit_log_no_truncate on audit_log before truncate",
        reason: "SQLite has no TRUNCATE",
    },
    Allowed {
        sqlite: true,
        fact: "trigger ledger_no_delete on ledger_entries before delete",
        reason: "SQLite triggers have one event each; PostgreSQL's ledger_no_update covers UPDATE OR DELETE",
    },
    Allowed {
        sqlite: false,
        fact: "trigger ledger_no_update on ledger_entries before delete",
        reason: "PostgreSQL's ledger_no_update covers UPDATE OR DELETE (SQLite: ledger_no_delete)",
    },
    Allowed {
        sqlite: false,
        fact: "trigger ledger_no_truncate on ledger_entries before truncate",
        reason: "SQLite has no TRUNCATE",
    },
];

/// The facts found on one side only and not allowed, plus allow-list entries that no longer
/// match anything; empty when the schemas agree.
fn compare(sqlite: &BTreeSet<String>, postgres: &BTreeSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    for (mine, theirs, side, is_sqlite) in [(sqlite, postgres, "SQLite", true), (postgres, sqlite, "PostgreSQL", false)]
    {
        for fact in mine.difference(theirs) {
            if !ALLOWED.iter().any(|a| a.sqlite == is_sqlite && a.fact == fact) {
                out.push(format!("only in {side}: {fact}"));
            }
        }
    }
    for a in ALLOWED {
        let (mine, theirs) = if a.sqlite { (sqlite, postgres) } else { (postgres, sqlite) };
        if !mine.contains(a.fact) || theirs.contains(a.fact) {
            out.push(format!("stale allow-list entry: {} ({})", a.fact, a.reason));
        }
    }
    out
}

/// One vocabulary for declared types: SQLite keeps the text written in the migration,
/// PostgreSQL reports its canonical names.
fn normal_type(declared: &str) -> String {
    let t = declared.trim().to_ascii_lowercase();
    match t.as_str() {
        "integer" | "int" | "bigint" | "int8" | "int4" | "smallint" => "int".into(),
        "text" | "character varying" | "varchar" => "text".into(),
        "boolean" | "bool" => "boolean".into(),
        "real" | "double" | "double precision" | "float8" => "real".into(),
        "blob" | "bytea" => "blob".into(),
        _ => format!("?{t}"),
    }
}

/// An expression (check, partial-index predicate, default) in one spelling: lower case, no
/// PostgreSQL casts (`'new'::text`), no quotes around a number PostgreSQL casts
/// (`'9000000000000000'::bigint`, a constant beyond 32 bits), no parentheses, single spaces.
fn normal_expr(expr: &str) -> String {
    let lower = expr.to_ascii_lowercase();
    let mut out = String::new();
    let mut rest = lower.as_str();
    while let Some(c) = rest.chars().next() {
        if let Some(number) = rest.strip_prefix('\'').and_then(|r| r.split_once("'::")).map(|(n, _)| n)
            && !number.is_empty()
            && number.bytes().all(|b| b.is_ascii_digit())
        {
            out.push_str(number);
            rest = &rest[number.len() + 2..];
            continue;
        }
        if let Some(after) = rest.strip_prefix("::") {
            let end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
            rest = &after[end..];
            for word in [" varying", " precision"] {
                rest = rest.strip_prefix(word).unwrap_or(rest);
            }
            continue;
        }
        out.push(if c == '(' || c == ')' { ' ' } else { c });
        rest = &rest[c.len_utf8()..];
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The bodies of `CHECK (…)` clauses in a `CREATE TABLE` statement, skipping comments and
/// string literals (SQLite keeps checks only in the statement's text).
fn sqlite_checks(sql: &str) -> Vec<String> {
    // `code` has comments blanked; `masked` has string literals blanked too, at the same offsets.
    let (mut code, mut masked) = (String::new(), String::new());
    let mut in_string = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        let blank = " ".repeat(c.len_utf8());
        if in_string {
            in_string = c != '\'';
            code.push(c);
            masked.push_str(if in_string { &blank } else { "'" });
        } else if c == '-' && chars.peek() == Some(&'-') {
            code.push(' ');
            masked.push(' ');
            while let Some(c) = chars.next_if(|c| *c != '\n') {
                let blank = " ".repeat(c.len_utf8());
                code.push_str(&blank);
                masked.push_str(&blank);
            }
        } else {
            in_string = c == '\'';
            code.push(c);
            masked.push(c.to_ascii_lowercase());
        }
    }
    let mut checks = Vec::new();
    let mut from = 0;
    while let Some(at) = masked[from..].find("check") {
        let start = from + at;
        from = start + "check".len();
        let word_start = start == 0 || !masked.as_bytes()[start - 1].is_ascii_alphanumeric();
        let after = masked[from..].trim_start();
        if !word_start || !after.starts_with('(') {
            continue;
        }
        let open = masked.len() - after.len();
        if let Some(close) = closing_paren(&masked, open) {
            checks.push(code[open..=close].to_owned());
            from = close + 1;
        }
    }
    checks
}

/// The offset of the `)` matching the `(` at `open`.
fn closing_paren(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in text[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => continue,
        }
        if depth == 0 {
            return Some(open + i);
        }
    }
    None
}

/// The key columns of a `CREATE INDEX` statement, as written (expressions included).
fn sqlite_index_keys(sql: &str) -> Vec<String> {
    let upper = sql.to_ascii_uppercase();
    let on = upper.find(" ON ").expect("CREATE INDEX … ON");
    let open = on + sql[on..].find('(').expect("a key list");
    let close = closing_paren(sql, open).expect("a closed key list");
    let mut keys = Vec::new();
    let (mut depth, mut start) = (0, open + 1);
    for (i, c) in sql[open + 1..close].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                keys.push(sql[start..open + 1 + i].to_owned());
                start = open + 2 + i;
            }
            _ => {}
        }
    }
    keys.push(sql[start..close].to_owned());
    keys
}

/// A trigger's timing and events from its `CREATE TRIGGER` text.
fn sqlite_trigger_events(sql: &str) -> (String, Vec<String>) {
    let upper = sql.to_ascii_uppercase();
    let head = upper.split(" ON ").next().unwrap_or("");
    let timing = ["INSTEAD OF", "BEFORE", "AFTER"].into_iter().find(|t| head.contains(t)).unwrap_or("BEFORE");
    let events =
        ["INSERT", "UPDATE", "DELETE"].into_iter().filter(|e| head.contains(e)).map(str::to_ascii_lowercase).collect();
    (timing.to_ascii_lowercase(), events)
}

/// The facts of a migrated SQLite database.
async fn sqlite_facts(pool: &SqlitePool) -> BTreeSet<String> {
    let mut facts = BTreeSet::new();
    let objects = sqlx::query(
        "SELECT type, name, tbl_name, COALESCE(sql, '') AS sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for o in &objects {
        let (kind, name, table, sql): (String, String, String, String) =
            (o.get("type"), o.get("name"), o.get("tbl_name"), o.get("sql"));
        match kind.as_str() {
            "table" => sqlite_table(pool, &name, &sql, &mut facts).await,
            "view" => {
                facts.insert(format!("view {name}"));
            }
            "trigger" => {
                let (timing, events) = sqlite_trigger_events(&sql);
                for event in events {
                    facts.insert(format!("trigger {name} on {table} {timing} {event}"));
                }
            }
            "index" => {} // read per table, with the origin of each index
            other => panic!("unexpected SQLite object {other} {name}"),
        }
    }
    facts
}

/// Columns, keys, indexes, foreign keys and checks of one SQLite table.
async fn sqlite_table(pool: &SqlitePool, table: &str, sql: &str, facts: &mut BTreeSet<String>) {
    facts.insert(format!("table {table}"));
    let autoincrement = sql.to_ascii_uppercase().contains("AUTOINCREMENT");
    let cols = sqlx::query("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid")
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap();
    let mut pk: Vec<(i64, String)> = Vec::new();
    for c in &cols {
        let (name, ty, not_null, default, key): (String, String, bool, Option<String>, i64) =
            (c.get("name"), c.get("type"), c.get("notnull"), c.get("dflt_value"), c.get("pk"));
        if key > 0 {
            pk.push((key, name.clone()));
        }
        let generated = key > 0 && autoincrement;
        // SQLite lets a primary key other than INTEGER PRIMARY KEY hold NULL (a compatibility
        // quirk of rowid tables); PostgreSQL never does. The app always writes its keys, so a
        // key column counts as NOT NULL here (ADR 0002 records the quirk).
        let not_null = not_null || key > 0;
        facts.insert(column_fact(table, &name, &normal_type(&ty), not_null, default.as_deref(), generated));
    }
    pk.sort();
    if !pk.is_empty() {
        let cols: Vec<String> = pk.into_iter().map(|(_, n)| n).collect();
        facts.insert(format!("primary key {table} ({})", cols.join(", ")));
    }
    let indexes = sqlx::query("SELECT name, \"unique\", origin FROM pragma_index_list(?)")
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap();
    for i in &indexes {
        let (name, unique, origin): (String, bool, String) = (i.get("name"), i.get("unique"), i.get("origin"));
        match origin.as_str() {
            "pk" => {}
            "u" => {
                let cols: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                    .bind(&name)
                    .fetch_all(pool)
                    .await
                    .unwrap();
                facts.insert(format!("unique {table} ({})", cols.join(", ")));
            }
            _ => {
                let sql: String = sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?")
                    .bind(&name)
                    .fetch_one(pool)
                    .await
                    .unwrap();
                let keys: Vec<String> = sqlite_index_keys(&sql).iter().map(|k| normal_expr(k)).collect();
                let upper = sql.to_ascii_uppercase();
                let predicate = upper.rfind(" WHERE ").map(|at| normal_expr(&sql[at + " WHERE ".len()..]));
                facts.insert(index_fact(&name, table, unique, &keys.join(", "), predicate.as_deref()));
            }
        }
    }
    let fks = sqlx::query(
        "SELECT id, \"table\" AS target, \"from\" AS col, \"to\" AS target_col, on_update, on_delete
         FROM pragma_foreign_key_list(?) ORDER BY id, seq",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .unwrap();
    // One foreign key per id, its columns in order: (target, from, to, on update, on delete).
    let mut keys: Vec<(i64, ForeignKey)> = Vec::new();
    for f in &fks {
        let id: i64 = f.get("id");
        if keys.last().is_none_or(|(last, _)| *last != id) {
            let (target, on_update, on_delete): (String, String, String) =
                (f.get("target"), f.get("on_update"), f.get("on_delete"));
            keys.push((id, ForeignKey { target, on_update, on_delete, ..ForeignKey::default() }));
        }
        let key = &mut keys.last_mut().unwrap().1;
        key.from.push(f.get("col"));
        key.to.push(f.get::<Option<String>, _>("target_col").unwrap_or_default());
    }
    for (_, k) in keys {
        facts.insert(format!(
            "foreign key {table} ({}) references {} ({}) on update {} on delete {}",
            k.from.join(", "),
            k.target,
            k.to.join(", "),
            k.on_update.to_ascii_lowercase(),
            k.on_delete.to_ascii_lowercase()
        ));
    }
    for check in sqlite_checks(sql) {
        facts.insert(format!("check {table}: {}", normal_expr(&check)));
    }
}

/// A SQLite foreign key gathered from its `pragma_foreign_key_list` rows.
#[derive(Default)]
struct ForeignKey {
    target: String,
    from: Vec<String>,
    to: Vec<String>,
    on_update: String,
    on_delete: String,
}

/// The facts of a migrated PostgreSQL database (schema `public`).
async fn postgres_facts(pool: &PgPool) -> BTreeSet<String> {
    let mut facts = BTreeSet::new();
    let rels = sqlx::query(
        "SELECT c.relname, c.relkind::text AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for r in &rels {
        let (name, kind): (String, String) = (r.get("relname"), r.get("kind"));
        facts.insert(if kind == "v" { format!("view {name}") } else { format!("table {name}") });
    }
    let cols = sqlx::query(
        "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS ty, a.attnotnull,
                pg_get_expr(d.adbin, d.adrelid) AS dflt, a.attidentity <> '' AS identity
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for c in &cols {
        let (table, name, ty, not_null, default, identity): (String, String, String, bool, Option<String>, bool) =
            (c.get("relname"), c.get("attname"), c.get("ty"), c.get("attnotnull"), c.get("dflt"), c.get("identity"));
        facts.insert(column_fact(&table, &name, &normal_type(&ty), not_null, default.as_deref(), identity));
    }
    let constraints = sqlx::query(
        "SELECT c.relname, con.contype::text AS kind, pg_get_constraintdef(con.oid) AS def,
                (SELECT string_agg(a.attname, ', ' ORDER BY k.o) FROM unnest(con.conkey) WITH ORDINALITY k(n, o)
                 JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n) AS cols,
                (SELECT string_agg(a.attname, ', ' ORDER BY k.o) FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
                 JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n) AS target_cols,
                ct.relname AS target, con.confupdtype::text AS on_update, con.confdeltype::text AS on_delete
         FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_class ct ON ct.oid = con.confrelid
         WHERE n.nspname = 'public'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let action = |code: &str| match code {
        "a" => "no action",
        "r" => "restrict",
        "c" => "cascade",
        "n" => "set null",
        "d" => "set default",
        other => panic!("unknown foreign key action {other}"),
    };
    for c in &constraints {
        let (table, kind, def, cols): (String, String, String, Option<String>) =
            (c.get("relname"), c.get("kind"), c.get("def"), c.get("cols"));
        let cols = cols.unwrap_or_default();
        match kind.as_str() {
            "p" => facts.insert(format!("primary key {table} ({cols})")),
            "u" => facts.insert(format!("unique {table} ({cols})")),
            "c" => {
                let body = def.strip_prefix("CHECK ").unwrap_or(&def);
                facts.insert(format!("check {table}: {}", normal_expr(body)))
            }
            "f" => {
                let (target, target_cols): (String, Option<String>) = (c.get("target"), c.get("target_cols"));
                let (on_update, on_delete): (String, String) = (c.get("on_update"), c.get("on_delete"));
                facts.insert(format!(
                    "foreign key {table} ({cols}) references {target} ({}) on update {} on delete {}",
                    target_cols.unwrap_or_default(),
                    action(&on_update),
                    action(&on_delete)
                ))
            }
            other => panic!("unexpected constraint kind {other} on {table}: {def}"),
        };
    }
    let indexes = sqlx::query(
        "SELECT ci.relname AS name, ct.relname AS tbl, i.indisunique,
                ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
                      FROM generate_series(1, i.indnkeyatts) k ORDER BY k) AS cols,
                pg_get_expr(i.indpred, i.indrelid) AS predicate
         FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid JOIN pg_class ct ON ct.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = ct.relnamespace
         WHERE n.nspname = 'public' AND NOT EXISTS (
             SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
             AND con.contype IN ('p', 'u'))",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for i in &indexes {
        let (name, table, unique, cols, predicate): (String, String, bool, Vec<String>, Option<String>) =
            (i.get("name"), i.get("tbl"), i.get("indisunique"), i.get("cols"), i.get("predicate"));
        // Operator classes (`text_pattern_ops` for prefix LIKE) exist on PostgreSQL only.
        let keys: Vec<String> = cols.iter().map(|k| normal_expr(&k.replace(" text_pattern_ops", ""))).collect();
        facts.insert(index_fact(
            &name,
            &table,
            unique,
            &keys.join(", "),
            predicate.map(|p| normal_expr(&p)).as_deref(),
        ));
    }
    let triggers = sqlx::query(
        "SELECT t.tgname, c.relname, t.tgtype::int AS tgtype FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND NOT t.tgisinternal",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for t in &triggers {
        let (name, table, bits): (String, String, i32) = (t.get("tgname"), t.get("relname"), t.get("tgtype"));
        let timing = if bits & 64 != 0 {
            "instead of"
        } else if bits & 2 != 0 {
            "before"
        } else {
            "after"
        };
        for (bit, event) in [(4, "insert"), (8, "delete"), (16, "update"), (32, "truncate")] {
            if bits & bit != 0 {
                facts.insert(format!("trigger {name} on {table} {timing} {event}"));
            }
        }
    }
    facts
}

fn column_fact(table: &str, name: &str, ty: &str, not_null: bool, default: Option<&str>, generated: bool) -> String {
    let mut fact = format!("column {table}.{name} {ty} {}", if not_null { "not null" } else { "null" });
    if let Some(d) = default {
        fact.push_str(&format!(" default {}", normal_expr(d)));
    }
    if generated {
        fact.push_str(" generated");
    }
    fact
}

fn index_fact(name: &str, table: &str, unique: bool, cols: &str, predicate: Option<&str>) -> String {
    let mut fact = format!("{}index {name} on {table} ({cols})", if unique { "unique " } else { "" });
    if let Some(p) = predicate {
        fact.push_str(&format!(" where {p}"));
    }
    fact
}

/// Two freshly migrated databases, raw pools on each, or `None` without PostgreSQL.
struct Pair {
    sqlite: SqlitePool,
    postgres: PgPool,
    _dir: tempfile::TempDir,
}

async fn migrated_pair() -> Option<Pair> {
    let url = jiujinan_store::testing::fresh_postgres_url().await?;
    let store = jiujinan_store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let postgres = PgPool::connect(&url).await.unwrap();
    let (_store, dir) = jiujinan_store::testing::fresh_sqlite().await;
    let sqlite = SqlitePool::connect(&format!("sqlite://{}/test.db", dir.path().display())).await.unwrap();
    Some(Pair { sqlite, postgres, _dir: dir })
}

#[tokio::test]
async fn both_databases_have_the_same_live_schema() {
    let Some(pair) = migrated_pair().await else { return };
    let (s, p) = (sqlite_facts(&pair.sqlite).await, postgres_facts(&pair.postgres).await);
    assert!(s.len() > 100, "read too little of the SQLite schema: {s:#?}");
    let unknown: Vec<&String> = s.iter().chain(&p).filter(|f| f.contains(" ?")).collect();
    assert!(unknown.is_empty(), "types without a normal name: {unknown:#?}");
    let diff = compare(&s, &p);
    assert!(diff.is_empty(), "the live schemas differ:\n{}", diff.join("\n"));
}

#[tokio::test]
async fn the_comparison_reports_a_column_or_nullability_changed_on_one_side() {
    let Some(pair) = migrated_pair().await else { return };
    sqlx::query("ALTER TABLE leads ADD COLUMN drift_probe TEXT").execute(&pair.sqlite).await.unwrap();
    let diff = compare(&sqlite_facts(&pair.sqlite).await, &postgres_facts(&pair.postgres).await);
    assert_eq!(diff, ["only in SQLite: column leads.drift_probe text null"]);

    sqlx::query("ALTER TABLE leads ALTER COLUMN description DROP NOT NULL").execute(&pair.postgres).await.unwrap();
    let diff = compare(&sqlite_facts(&pair.sqlite).await, &postgres_facts(&pair.postgres).await);
    assert_eq!(
        diff,
        [
            "only in SQLite: column leads.description text not null",
            "only in SQLite: column leads.drift_probe text null",
            "only in PostgreSQL: column leads.description text null",
        ]
    );
}

#[test]
fn expressions_and_checks_read_alike() {
    assert_eq!(normal_expr("(status = 'new'::text)"), "status = 'new'");
    assert_eq!(normal_expr("(substr(division, 1, 9))"), "substr division, 1, 9");
    assert_eq!(
        sqlite_index_keys("CREATE INDEX i ON t ((substr(a, 1, 9)), b DESC) WHERE c = 'x'"),
        ["(substr(a, 1, 9))", " b DESC"]
    );
    assert_eq!(normal_expr("''::character varying"), "''");
    assert_eq!(
        sqlite_checks(
            "CREATE TABLE t (\n  -- a check in a comment\n  a BIGINT CHECK (a >= 0),\n  b TEXT DEFAULT 'check (x)', CHECK ((a) < 5))"
        ),
        ["(a >= 0)", "((a) < 5)"]
    );
    assert_eq!(sqlite_trigger_events("CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; END").1, ["insert"]);
}
