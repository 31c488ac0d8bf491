//! What the cross-store tests share.

/// A URL on the server `MEMBERKIT_TEST_POSTGRES` names whose tables live in a new schema
/// `{prefix}_<uuid>`; `None` (after saying the test is skipped) when no server is given.
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
