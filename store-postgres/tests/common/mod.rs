//! A fresh schema per test on the server `MEMBERKIT_TEST_POSTGRES` names
//! (`eval "$(scripts/postgres start)"` starts one on loopback).
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};

/// The server's URL, or `None` when no server was given (the tests then say so and pass).
pub fn server() -> Option<String> {
    std::env::var("MEMBERKIT_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A URL whose tables live in a new schema of their own (the store creates it).
pub fn fresh_url(server: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let schema = format!(
        "mk_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        uuid::Uuid::now_v7().simple()
    );
    static EXTENSION: std::sync::Once = std::sync::Once::new();
    EXTENSION.call_once(|| {
        // pg_trgm once per database, before tests migrate schemas side by side.
        let mut admin = postgres::Client::connect(server, postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to MEMBERKIT_TEST_POSTGRES: {e}"));
        admin
            .batch_execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            .unwrap();
    });
    let sep = if server.contains('?') { '&' } else { '?' };
    format!("{server}{sep}options=-csearch_path%3D{schema},public")
}

pub fn skip_note(what: &str) {
    eprintln!(
        "{what}: skipped, MEMBERKIT_TEST_POSTGRES is not set (eval \"$(scripts/postgres start)\")"
    );
}
