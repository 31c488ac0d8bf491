//! What the cross-store tests share.

/// A URL on the server `MEMBERKIT_TEST_POSTGRES` names whose tables live in a new schema
/// `{prefix}_<uuid>`; `None` (after saying the test is skipped) when no server is given.
// The Citus test names its schemas itself.
#[allow(dead_code)]
pub fn postgres_target(prefix: &str) -> Option<String> {
    let Ok(server) = std::env::var("MEMBERKIT_TEST_POSTGRES") else {
        eprintln!("skipped: MEMBERKIT_TEST_POSTGRES is not set");
        return None;
    };
    let schema = format!("{prefix}_{}", uuid::Uuid::now_v7().simple());
    let sep = if server.contains('?') { '&' } else { '?' };
    Some(format!(
        "{server}{sep}options=-csearch_path%3D{schema},public"
    ))
}

/// This test binary started again as a child process that runs only its ignored helper test
/// `helper`, with `var` set to `value` and its stdout piped back.
pub fn spawn_helper(helper: &str, var: &str, value: &str) -> std::process::Child {
    std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            helper,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(var, value)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Every other session's state, wait and statement, and the locks waited for.
// Only the crash test waits long enough to need it.
#[allow(dead_code)]
pub fn postgres_activity(target: &str) -> String {
    let mut conn = postgres::Client::connect(target, postgres::NoTls).unwrap();
    let sessions = conn
        .query(
            "SELECT pid, state, coalesce(wait_event_type, '') || ':' || coalesce(wait_event, ''),
                    round(extract(epoch FROM now() - query_start))::text,
                    left(regexp_replace(query, '\\s+', ' ', 'g'), 160)
             FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND state IS NOT NULL",
            &[],
        )
        .unwrap();
    let mut report = String::new();
    for r in sessions {
        let (pid, state, wait, secs, query): (i32, String, String, String, String) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
        report.push_str(&format!("\n  {pid} {state} {wait} {secs}s {query}"));
    }
    let waits = conn
        .query(
            "SELECT pid, locktype, mode, coalesce(relation::regclass::text, '')
             FROM pg_locks WHERE NOT granted",
            &[],
        )
        .unwrap();
    for r in waits {
        let (pid, kind, mode, rel): (i32, String, String, String) =
            (r.get(0), r.get(1), r.get(2), r.get(3));
        report.push_str(&format!("\n  {pid} waits for {mode} on {kind} {rel}"));
    }
    let tables = conn
        .query(
            "SELECT s.relname::text, s.n_live_tup, s.n_dead_tup, c.relpages, c.reltuples,
                    coalesce(s.last_autoanalyze::text, '-')
             FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
             WHERE s.schemaname = current_schema()",
            &[],
        )
        .unwrap();
    for r in tables {
        let (name, live, dead, pages, tuples, analyzed): (String, i64, i64, i32, f32, String) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5));
        report.push_str(&format!(
            "\n  {name}: live {live} dead {dead} pages {pages} reltuples {tuples} analyzed {analyzed}"
        ));
    }
    report
}

/// What a helper process of a racing test gets on one line: the database, the tenant, a
/// product, and invites as `email=token`.
#[allow(dead_code)]
pub fn plan_line(
    url: &str,
    tenant: memberkit::TenantId,
    product: memberkit::ProductId,
    invites: &[(String, String)],
) -> String {
    let mut line = format!("{url} {tenant} {product}");
    for (email, token) in invites {
        line.push_str(&format!(" {email}={token}"));
    }
    line
}

/// [`plan_line`] read back.
#[allow(dead_code)]
pub fn read_plan(
    plan: &str,
) -> (
    String,
    memberkit::TenantId,
    memberkit::ProductId,
    Vec<(String, String)>,
) {
    let mut parts = plan.split(' ');
    let url = parts.next().unwrap().to_owned();
    let tenant = parts.next().unwrap().parse().unwrap();
    let product = parts.next().unwrap().parse().unwrap();
    let invites = parts
        .map(|p| {
            let (e, t) = p.split_once('=').unwrap();
            (e.to_owned(), t.to_owned())
        })
        .collect();
    (url, tenant, product, invites)
}
