//! The Python and Node packages beside the standard library's `sqlite3` and better-sqlite3:
//! builds what they need (incrementally), then runs `bench/python/access.py` and
//! `bench/node/access.mjs` on the same dataset. Not in the smoke run that `cargo test` makes.

use memberkit_bench::Size;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `cmd`, returning whether it succeeded; its output goes to ours only on failure.
fn run(what: &str, cmd: &mut Command) -> bool {
    match cmd.output() {
        Ok(out) if out.status.success() => true,
        Ok(out) => {
            eprintln!(
                "{what} failed:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            false
        }
        Err(e) => {
            eprintln!("{what}: {e}");
            false
        }
    }
}

/// Prints the Python and Node figures for `db`.
pub fn compare(size: &Size, db: &Path) {
    if size.name == "smoke" {
        println!("python and node: left out of the smoke run (cargo bench runs them)");
        return;
    }
    let samples = (size.samples / 2).to_string();
    let reps = size.reps.to_string();
    if python(db, &samples, &reps).is_none() {
        println!("python: skipped (see the error above)");
    }
    if node(db, &samples, &reps).is_none() {
        println!("node: skipped (see the error above)");
    }
}

fn python(db: &Path, samples: &str, reps: &str) -> Option<()> {
    let root = repo();
    let venv = root.join("target").join("bench-venv");
    let python = venv.join("bin").join("python");
    if !python.exists() {
        run(
            "python3 -m venv",
            Command::new("python3").args(["-m", "venv"]).arg(&venv),
        )
        .then_some(())?;
        run(
            "pip install maturin",
            Command::new(&python).args(["-m", "pip", "install", "-q", "maturin"]),
        )
        .then_some(())?;
    }
    // An optimised build of the current source into the bench's own virtualenv.
    run(
        "maturin develop --release",
        Command::new(venv.join("bin").join("maturin"))
            .args(["develop", "--release", "-q"])
            .env("VIRTUAL_ENV", &venv)
            .current_dir(root.join("bindings-python")),
    )
    .then_some(())?;
    let window = if samples.parse::<usize>().unwrap_or(0) >= 25_000 {
        "2"
    } else {
        "1"
    };
    show(
        Command::new(&python)
            .arg(root.join("bench").join("python").join("access.py"))
            .args([db.to_str()?, samples, reps, window]),
    )
}

/// Runs a comparison script and prints what it prints; `None` (and its errors) if it fails.
fn show(cmd: &mut Command) -> Option<()> {
    let out = cmd.output().ok()?;
    print!("{}", String::from_utf8_lossy(&out.stdout));
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    Some(())
}

fn node(db: &Path, samples: &str, reps: &str) -> Option<()> {
    let root = repo();
    let package = root.join("bindings-node");
    if !package.join("node_modules").exists() {
        run(
            "npm install (bindings-node)",
            Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--ignore-scripts"])
                .current_dir(&package),
        )
        .then_some(())?;
    }
    // napi build --release: incremental, and it keeps index.js / index.d.ts current.
    run(
        "npm run build (bindings-node)",
        Command::new("npm")
            .args(["run", "build"])
            .current_dir(&package),
    )
    .then_some(())?;
    let bench = root.join("bench").join("node");
    if !bench.join("node_modules").join("better-sqlite3").exists() {
        // No prebuilt binary is reachable here: better-sqlite3 builds from source once.
        run(
            "npm install (bench/node, better-sqlite3 from source)",
            Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--build-from-source"])
                .current_dir(&bench),
        )
        .then_some(())?;
    }
    show(
        Command::new("node")
            .arg(bench.join("access.mjs"))
            .args([db.to_str()?, samples, reps])
            .current_dir(&bench),
    )
}
