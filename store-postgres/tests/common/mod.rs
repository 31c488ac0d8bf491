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

/// Whether the server is a Citus coordinator.
pub fn is_citus(server: &str) -> bool {
    let Ok(mut client) = postgres::Client::connect(server, postgres::NoTls) else {
        return false;
    };
    client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')",
            &[],
        )
        .is_ok_and(|r| r.get::<_, bool>(0))
}

/// The statements (whitespace folded) that a Citus coordinator's log shows as multi-task
/// queries of `app` (`citus.multi_task_query_log_level = log`, `log_min_error_statement =
/// log`, and `%a` in `log_line_prefix`).
pub fn multi_shard_statements(log: &str, app: &str) -> std::collections::BTreeSet<String> {
    let mut found = std::collections::BTreeSet::new();
    let tag = format!(" {app} ");
    let mut lines = log.lines().peekable();
    let mut armed = false;
    while let Some(line) = lines.next() {
        if !line.contains(&tag) {
            continue;
        }
        if line.contains("multi-task query about to be executed") {
            armed = true;
        } else if armed && line.contains("STATEMENT:") {
            armed = false;
            let mut statement = line.split_once("STATEMENT:").map_or("", |p| p.1).to_owned();
            // A long statement continues on lines without the prefix.
            while let Some(next) = lines.peek() {
                if next.starts_with(char::is_numeric) {
                    break;
                }
                statement.push(' ');
                statement.push_str(next);
                lines.next();
            }
            found.insert(statement.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    found
}
