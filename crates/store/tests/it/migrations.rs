//! The two backends' migration lists stay in step: same versions, same names, in order, and
//! the text of a migration already applied somewhere never changes.

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

/// FNV-1a, 64 bits: enough to notice any edit of a migration's text.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Fingerprints (version, SQLite, PostgreSQL) of every applied migration's text, taken when the
/// migrations were still two folders of files. Databases that ran them must keep upgrading, so
/// an applied migration never changes: add a line for a new one, never edit an old line.
const APPLIED: &[(i64, u64, u64)] = &[
    (1, 0x87a7_24e1_b169_08fa, 0xb3b8_bf8a_05c6_5a8f),
    (2, 0x3a1f_09e4_a984_df22, 0xdb01_e706_aa3a_2d6f),
    (3, 0x38f0_0733_b55e_c431, 0x6e8d_a163_7bc1_3eb2),
    (4, 0x4abb_e7bf_692c_1598, 0x986c_5dce_78a0_81c4),
    (5, 0xaa79_9eb1_2062_68c0, 0xaa79_9eb1_2062_68c0),
    (6, 0xe35f_e63e_1227_cd80, 0xe35f_e63e_1227_cd80),
    (7, 0xb13e_02ca_ce37_6937, 0xf0b1_fcad_7127_6656),
    (8, 0x2001_76a0_7318_6c8b, 0x2001_76a0_7318_6c8b),
    (9, 0x5683_6082_dafc_1615, 0x5683_6082_dafc_1615),
    (10, 0x6b24_d23d_d9f2_42ab, 0xbe82_17e9_7b36_a923),
    (11, 0x37b7_086b_c39f_6b44, 0x31dc_c42e_8372_d686),
    (12, 0xccdd_485d_a7fb_355a, 0xccdd_485d_a7fb_355a),
    (13, 0xae6c_4bf7_e418_3dd4, 0xae6c_4bf7_e418_3dd4),
    (14, 0x874c_2ebd_fe22_6d9e, 0x874c_2ebd_fe22_6d9e),
    (15, 0x43c5_95fb_c1af_5e6f, 0x43c5_95fb_c1af_5e6f),
    (16, 0x91e7_dbcb_8cf3_142a, 0x91e7_dbcb_8cf3_142a),
    (17, 0xa095_b94c_ce3f_5f2f, 0xa095_b94c_ce3f_5f2f),
    (18, 0x12e2_6e20_d536_fecf, 0x12e2_6e20_d536_fecf),
    (19, 0xaaf9_2b53_cd1f_40e1, 0xaaf9_2b53_cd1f_40e1),
    (20, 0x88af_a81b_ba88_77ff, 0x88af_a81b_ba88_77ff),
    (21, 0x0187_67e9_f94c_1856, 0x0187_67e9_f94c_1856),
];

#[test]
fn applied_migrations_keep_their_exact_text() {
    let s = sqlite_migrations();
    let p = postgres_migrations();
    assert!(s.len() >= APPLIED.len(), "an applied migration was removed");
    for ((version, sqlite, postgres), (s, p)) in APPLIED.iter().zip(s.iter().zip(p)) {
        assert_eq!(s.version, *version);
        assert_eq!(fnv1a(s.sql), *sqlite, "SQLite migration {version} changed: write a new migration instead");
        assert_eq!(fnv1a(p.sql), *postgres, "PostgreSQL migration {version} changed: write a new migration instead");
    }
}
