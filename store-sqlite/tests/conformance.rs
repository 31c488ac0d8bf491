//! The conformance suite on SQLite: a file, `:memory:`, and a file through a store that runs
//! every transaction body twice (as a retrying networked store would).

use memberkit::Hub;
use memberkit_conformance::{run, RetryingStore, Variant};
use memberkit_sqlite::SqliteStore;

fn temp_file() -> std::path::PathBuf {
    // Kept for the process's life: a failing test's file stays to look at.
    let dir = tempfile::tempdir().unwrap().keep();
    dir.join("hub.db")
}

fn main() {
    run(&[
        Variant {
            name: "file",
            open: &|clock| Hub::with_clock(SqliteStore::open(temp_file()).unwrap(), clock),
        },
        Variant {
            name: "memory",
            open: &|clock| Hub::with_clock(SqliteStore::open(":memory:").unwrap(), clock),
        },
        Variant {
            name: "retrying",
            open: &|clock| {
                Hub::with_clock(
                    RetryingStore(SqliteStore::open(temp_file()).unwrap()),
                    clock,
                )
            },
        },
    ]);
}
