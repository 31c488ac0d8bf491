//! What the CLI tests share: a database the binary and the test both open, and how to read
//! what the binary said.
#![allow(dead_code)]

use memberkit::*;
use std::path::PathBuf;
use std::process::{Command, Output};

/// A database the binary and this test both open.
pub struct Db {
    pub target: String,
    dir: tempfile::TempDir,
}

impl Db {
    pub fn sqlite() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("hub.db").to_str().unwrap().to_string();
        Db { target, dir }
    }

    pub fn postgres() -> Option<Db> {
        let server = std::env::var("MEMBERKIT_TEST_POSTGRES")
            .ok()
            .filter(|s| !s.is_empty())?;
        let schema = format!("mk_cli_{}", uuid_like());
        let sep = if server.contains('?') { '&' } else { '?' };
        let target = format!("{server}{sep}options=-csearch_path%3D{schema},public");
        Some(Db {
            target,
            dir: tempfile::tempdir().unwrap(),
        })
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn hub(&self) -> Hub {
        memberkit_open::open(&self.target).unwrap()
    }

    /// Runs `memberkit --db <db> args…` with `MEMBERKIT_DATABASE_URL` unset.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_memberkit"))
            .env_remove("MEMBERKIT_DATABASE_URL")
            .arg("--db")
            .arg(&self.target)
            .args(args)
            .output()
            .unwrap()
    }
}

fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{}_{nanos}", std::process::id())
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The exit status and the JSON error's code.
pub fn refused(out: &Output) -> (i32, String) {
    let err: serde_json::Value = serde_json::from_slice(&out.stderr)
        .unwrap_or_else(|_| panic!("a JSON error, got {}", text(&out.stderr)));
    (
        out.status.code().unwrap(),
        err["error"]["code"].as_str().unwrap().to_string(),
    )
}

/// What a refusal must leave as it was: the tenant's audit log and outbox.
pub fn trail(t: &Tenant) -> (Option<AuditId>, usize) {
    let newest = t
        .audit(&AuditQuery {
            limit: 1,
            ..Default::default()
        })
        .unwrap()
        .first()
        .map(|e| e.id);
    (newest, t.outbox(1000).unwrap().len())
}
