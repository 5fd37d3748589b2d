//! The two backends' migration lists stay in step: same versions, same names, in order.

use jiujinan_store::{postgres_migrations, sqlite_migrations};

#[test]
fn sqlite_and_postgres_migrations_have_the_same_versions() {
    let s: Vec<(i64, &str)> = sqlite_migrations().iter().map(|m| (m.version, m.name)).collect();
    let p: Vec<(i64, &str)> = postgres_migrations().iter().map(|m| (m.version, m.name)).collect();
    assert_eq!(s, p);
    let expected: Vec<i64> = (1..=s.len() as i64).collect();
    assert_eq!(s.iter().map(|(v, _)| *v).collect::<Vec<_>>(), expected, "versions are 1, 2, 3, … without gaps");
}

#[test]
fn both_backends_create_the_same_tables() {
    let tables = |sql: &str| {
        let mut t: Vec<String> = sql
            .lines()
            .filter_map(|l| l.trim().strip_prefix("CREATE TABLE "))
            .map(|rest| rest.split_whitespace().next().unwrap_or_default().to_owned())
            .collect();
        t.sort();
        t
    };
    for (s, p) in sqlite_migrations().iter().zip(postgres_migrations()) {
        assert_eq!(tables(s.sql), tables(p.sql), "migration {}", s.version);
    }
}
