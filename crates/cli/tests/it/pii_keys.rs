//! The personal-data key file as an operator meets it (ADR 0023): created beside an SQLite
//! database on first use, never replaced while values are sealed under it, rotated with
//! `key rotate` (every value re-sealed, the audit chain still keyed, one rotation at a time).

use std::sync::Arc;

use jiujinan_app::App;
use jiujinan_app::clock::SystemClock;
use jiujinan_app::leads::{LeadInput, SubjectInput};
use jiujinan_app::users::cli_actor;
use jiujinan_domain::audit_key::AuditKey;
use jiujinan_domain::pii::PiiKeyring;
use jiujinan_store::{Keys, LeadFilter, connect_with};

use crate::cli::Env;

const NAME: &str = "欧阳青松";

/// A lead recorded by the app itself with the keys the binary created beside the database.
fn record_lead(e: &Env, url: &str) -> String {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let keys = Keys {
            audit: Some(
                AuditKey::parse(&std::fs::read_to_string(e.dir.path().join("j.db.audit-key")).unwrap()).unwrap(),
            ),
            pii: Some(PiiKeyring::parse(&std::fs::read_to_string(e.dir.path().join("j.db.pii-key")).unwrap()).unwrap()),
        };
        let store = connect_with(url, keys).await.unwrap();
        let app = App::new(store, Arc::new(SystemClock), jiujinan_app::AppSettings::default());
        let input = LeadInput {
            channel: "window".into(),
            subject: SubjectInput { name: NAME.into(), id_number: "110105198001010016".into(), phone: String::new() },
            location_code: "110105001024".into(),
            description: "独居老人摔伤".into(),
            urgency: "urgent".into(),
            hardship_types: vec!["OTHER_ACCIDENT".into()],
            ..Default::default()
        };
        let token = app.issue_token(&cli_actor(), "k_admin", "").await.unwrap().secret;
        let admin = app.bearer(&token).await.unwrap().unwrap();
        let (lead, _) = app.record_lead(&admin, &input, None).await.unwrap();
        app.close().await;
        lead.id
    })
}

/// The names the app finds for a search, with the key file as it is now.
fn search(e: &Env, url: &str, q: &str) -> Vec<String> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let pii = PiiKeyring::parse(&std::fs::read_to_string(e.dir.path().join("j.db.pii-key")).unwrap()).unwrap();
        let store = connect_with(url, Keys { audit: None, pii: Some(pii) }).await.unwrap();
        let scope = jiujinan_domain::jurisdiction::Jurisdiction::for_unit(
            &jiujinan_domain::org::UnitCode::parse("11").unwrap(),
            jiujinan_domain::org::UnitKind::CivilAffairs,
        );
        let f = LeadFilter { search: Some(q.into()), limit: 10, ..Default::default() };
        let found = store.list_leads(&scope, &f).await.unwrap().into_iter().map(|l| l.subject_name).collect();
        store.close().await;
        found
    })
}

#[test]
fn a_rotation_reseals_everything_and_keeps_the_chain_keyed() {
    let e = Env::sqlite();
    let url = format!("sqlite://{}", e.db_path().display());
    e.import_small_org();
    e.ok(
        &["user", "add", "--username", "k_admin", "--unit", "11:mz", "--role", "admin", "--password-stdin"],
        Some("Good-password-1"),
    );
    let key_file = e.dir.path().join("j.db.pii-key");
    assert!(key_file.exists(), "the key is created beside the database on first use");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    record_lead(&e, &url);
    assert_eq!(search(&e, &url, "欧阳"), vec![NAME.to_owned()]);
    let before = PiiKeyring::parse(&std::fs::read_to_string(&key_file).unwrap()).unwrap();

    // Another rotation holding the lock: this one stops and changes nothing.
    let lock = e.dir.path().join("j.db.pii-key.rotate-lock");
    std::fs::write(&lock, "").unwrap();
    let out = e.run(&["key", "rotate"], None);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("another key rotation"));
    std::fs::remove_file(&lock).unwrap();

    let text = e.ok(&["key", "rotate"], None);
    assert!(text.contains("re-sealed 1 rows under"), "{text}");
    let after = PiiKeyring::parse(&std::fs::read_to_string(&key_file).unwrap()).unwrap();
    assert_eq!(after.ids().len(), 2, "the old key stays to open older backups");
    assert_ne!(after.current().id(), before.current().id());
    assert!(!lock.exists(), "the lock goes with the rotation");
    assert_eq!(search(&e, &url, "青松"), vec![NAME.to_owned()], "found through the new key's indexes");
    // No stored value is under the old key any more (freed space in the file may still hold old
    // ciphertext until a VACUUM; it is sealed, and the old key stays for older backups anyway).
    let old_id = format!("pii1:{}:%", before.current().id());
    let c = rusqlite::Connection::open(e.db_path()).unwrap();
    let under_old: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM leads WHERE subject_name LIKE ?1 OR reporter_name LIKE ?1 OR address LIKE ?1 \
             OR description LIKE ?1 OR needs LIKE ?1 OR subject_id_number LIKE ?1",
            [&old_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(under_old, 0, "nothing left under the old key");
    let under_new: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM leads WHERE subject_name LIKE ?1",
            [format!("pii1:{}:%", after.current().id())],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(under_new, 1, "the lead is under the new key");
    drop(c);

    // The re-seal's audit entry carries its MAC: the chain verifies under the audit key.
    let v = e.ok(&["audit", "verify"], None);
    assert!(v.contains("intact") && !v.contains("NOT checked"), "{v}");
    let again = e.ok(&["key", "rotate"], None);
    assert!(again.contains("re-sealed 1 rows under"), "{again}");

    // A lost key file is never replaced while values are sealed under it.
    std::fs::rename(&key_file, e.dir.path().join("elsewhere.key")).unwrap();
    let out = e.run(&["user", "list"], None);
    assert!(!out.status.success(), "refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("key file"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!key_file.exists(), "no new key was made");
    // Verification needs no personal-data key.
    assert!(e.ok(&["audit", "verify"], None).contains("intact"));
}
