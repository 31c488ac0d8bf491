//! What SQLite keeps on disk: digests and hashes, never a token or a password.

mod common;
use common::*;
use memberkit::*;

/// Every value of one column, read straight from the file.
fn column(f: &Fixture, sql: &str) -> Vec<Vec<u8>> {
    let conn = rusqlite::Connection::open(f.path()).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let rows = stmt
        .query_map([], |r| r.get::<_, rusqlite::types::Value>(0))
        .unwrap()
        .map(|v| match v.unwrap() {
            rusqlite::types::Value::Blob(b) => b,
            rusqlite::types::Value::Text(t) => t.into_bytes(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    rows
}

/// Whether `secret` appears anywhere in the database file or its write-ahead log.
fn on_disk(f: &Fixture, secret: &str) -> bool {
    let mut bytes = std::fs::read(f.path()).unwrap();
    bytes.extend(std::fs::read(f.dir.path().join("hub.db-wal")).unwrap_or_default());
    bytes.windows(secret.len()).any(|w| w == secret.as_bytes())
}

#[test]
fn only_the_digest_of_an_invite_token_is_stored() {
    let f = Fixture::new();
    let issued = f
        .tenant
        .invite(Actor::System, NewInvite::new("d@example.com"))
        .unwrap();
    assert_eq!(
        column(&f, "SELECT token_digest FROM invites"),
        [issued.token.digest().0.to_vec()]
    );
    assert!(!on_disk(&f, issued.token.expose()));
    assert_eq!(issued.token.expose()[4..].len(), 64, "256 bits");
    let copied = f
        .tenant
        .copy_invite_link(Actor::System, issued.invite.id)
        .unwrap();
    assert_eq!(
        column(&f, "SELECT token_digest FROM invite_links"),
        [copied.token.digest().0.to_vec()]
    );
    assert!(!on_disk(&f, copied.token.expose()));
}

#[test]
fn passwords_are_stored_as_argon2id_phc_strings() {
    let f = Fixture::new();
    let m = f.customer("p@example.com", &[]);
    f.tenant
        .set_password(Actor::System, m.id, "correct horse battery", false)
        .unwrap();
    let report = f
        .tenant
        .import_customers(
            Actor::System,
            ImportSource::Pasted("A, a@x.com\nB, b@x.com"),
            &ImportOptions {
                mode: ImportMode::TemporaryPassword,
                ..Default::default()
            },
        )
        .unwrap();
    let stored = column(&f, "SELECT password_hash FROM credentials");
    assert_eq!(stored.len(), 3);
    for hash in &stored {
        let hash = String::from_utf8(hash.clone()).unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
    }
    for plain in report
        .rows
        .iter()
        .filter_map(|r| r.temporary_password.as_ref().map(|p| p.expose()))
        .chain(["correct horse battery"])
    {
        assert!(!on_disk(&f, plain), "a password is on disk in plain text");
    }
}
