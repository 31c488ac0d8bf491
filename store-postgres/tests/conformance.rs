//! The conformance suite on PostgreSQL: every test in a fresh schema of the server that
//! `MEMBERKIT_TEST_POSTGRES` names. On a Citus coordinator (`scripts/citus start`, with
//! `MEMBERKIT_CITUS_LOG` naming its log) the coordinator also logs every statement that
//! reached more than one shard, and the run fails on any but the documented hub-wide ones
//! ([`memberkit_postgres::MULTI_SHARD_STATEMENTS`]).

mod common;

use memberkit::Hub;
use memberkit_conformance::{run_then, Variant};
use memberkit_postgres::{PgStore, MULTI_SHARD_STATEMENTS};

fn main() {
    let Some(server) = common::server() else {
        common::skip_note("conformance on PostgreSQL");
        return;
    };
    let log = std::env::var("MEMBERKIT_CITUS_LOG")
        .ok()
        .filter(|_| common::is_citus(&server));
    // This run's own name on the coordinator's log lines.
    let app = format!("memberkit_conformance_{}", std::process::id());
    let watch: &'static str = match &log {
        Some(_) => Box::leak(
            format!(
                " -ccitus.multi_task_query_log_level%3Dlog -clog_min_error_statement%3Dlog \
                 -capplication_name%3D{app}"
            )
            .replace(' ', "%20")
            .into_boxed_str(),
        ),
        None => "",
    };
    // `run` wants variants for the life of the process.
    let server: &'static str = Box::leak(server.into_boxed_str());
    let open = Box::leak(Box::new(move |clock| {
        let url = common::fresh_url(server) + watch;
        let store = PgStore::open_with_pool_size(&url, 4).unwrap();
        Hub::with_clock(store, clock)
    }));
    let variants = Box::leak(Box::new([Variant {
        name: "postgres",
        open,
    }]));
    run_then(variants, || match &log {
        Some(path) => only_documented_statements_reach_several_shards(path, &app),
        None => Ok(()),
    });
}

/// Every statement of this run that the coordinator logged as reaching several shards is one of
/// the documented hub-wide ones.
fn only_documented_statements_reach_several_shards(log: &str, app: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(log).map_err(|e| format!("reading {log}: {e}"))?;
    let statements = common::multi_shard_statements(&text, app);
    if statements.is_empty() {
        return Err(format!(
            "{log} logged no multi-shard statement of {app}: the check did not run"
        ));
    }
    let undocumented: Vec<&String> = statements
        .iter()
        .filter(|s| !MULTI_SHARD_STATEMENTS.iter().any(|(f, _)| s.contains(f)))
        .collect();
    match undocumented.is_empty() {
        true => Ok(()),
        false => Err(format!(
            "statements that reached several shards and are not documented hub-wide ones:\n{}",
            undocumented
                .iter()
                .map(|s| format!("  {s}"))
                .collect::<Vec<_>>()
                .join("\n")
        )),
    }
}
