//! A `storage` error says what the server said (never only "db error"), and never the password.

mod common;

use memberkit::*;
use memberkit_postgres::PgStore;

#[test]
fn a_storage_error_carries_the_servers_message() {
    let Some(server) = common::server() else {
        return common::skip_note("storage errors");
    };
    let url = common::fresh_url(&server);
    let hub = Hub::new(PgStore::open(&url).unwrap());
    let tenant = hub.create_tenant("Shop").unwrap();
    // A column goes away behind the store's back: the next read fails on the server. (Not the
    // table: the search path's `public` may hold another hub's.)
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client
        .batch_execute("ALTER TABLE products DROP COLUMN archived")
        .unwrap();
    let error = tenant.products().unwrap_err();
    assert_eq!(error.code(), ErrorCode::Storage);
    let message = error.to_string();
    assert!(
        message.contains("archived") && message.contains("does not exist"),
        "{message}"
    );
}

#[test]
fn a_server_that_refuses_the_connection_is_named_without_the_password() {
    let error = PgStore::open("postgresql://app:hunter2-secret@127.0.0.1:9/members").unwrap_err();
    assert_eq!(error.code(), ErrorCode::Storage);
    let message = error.to_string();
    assert!(message.to_lowercase().contains("refused"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
}
