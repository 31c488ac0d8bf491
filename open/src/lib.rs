//! # memberkit-open
//!
//! Opens a memberkit [`Hub`] by path or URL: the one place that decides which store a target
//! names, so Rust apps and the Python and Node packages all accept the same strings.
//!
//! | target | store |
//! | --- | --- |
//! | `":memory:"`, `"sqlite::memory:"` | a private in-memory SQLite database |
//! | `"members.db"`, `"/var/lib/app/members.db"` | a SQLite file (created if missing) |
//! | `"sqlite:members.db"`, `"sqlite://members.db"`, `"sqlite:///var/lib/members.db"` | the same, spelled as a URL |
//! | `"postgresql://user:pw@host:5432/db"`, `"postgres://…"` | PostgreSQL (cargo feature `postgres`, on by default) |
//!
//! Any other `scheme://` is `invalid_input`, so a typo never silently creates a file named
//! after a URL.
//!
//! ```
//! use memberkit::*;
//! use memberkit_open::OpenHub;
//! let hub = Hub::open(":memory:")?;
//! let t = hub.create_tenant("Ada's Academy")?;
//! # Ok::<(), memberkit::Error>(())
//! ```
#![warn(missing_docs)]

use memberkit::{Clock, Error, Hub, Result, SystemClock};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A parsed target: which store, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A private in-memory SQLite database.
    SqliteMemory,
    /// A SQLite file.
    SqliteFile(PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl Target {
    /// Reads a path or URL. `invalid_input` for an empty target or an unknown scheme.
    pub fn parse(target: &str) -> Result<Self> {
        if target.trim().is_empty() {
            return Err(Error::invalid("target", "give a file path or a URL"));
        }
        if target == ":memory:" || target == "sqlite::memory:" {
            return Ok(Target::SqliteMemory);
        }
        if let Some(rest) = target.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(Error::invalid("target", "the sqlite: URL names no file"));
            }
            return Ok(Target::SqliteFile(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = target.split_once("://") {
            let plausible = !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
            if plausible {
                return match scheme.to_ascii_lowercase().as_str() {
                    "postgres" | "postgresql" => Ok(Target::Postgres(target.to_owned())),
                    other => Err(Error::invalid(
                        "target",
                        format!(
                            "unknown store `{other}://`: use a file path, sqlite: or postgresql://"
                        ),
                    )),
                };
            }
        }
        Ok(Target::SqliteFile(PathBuf::from(target)))
    }

    /// Opens a hub on this target with `clock`.
    pub fn open(&self, clock: Arc<dyn Clock>) -> Result<Hub> {
        match self {
            #[cfg(feature = "sqlite")]
            Target::SqliteMemory => Ok(Hub::with_clock(
                memberkit_sqlite::SqliteStore::open(":memory:")?,
                clock,
            )),
            #[cfg(feature = "sqlite")]
            Target::SqliteFile(path) => Ok(Hub::with_clock(
                memberkit_sqlite::SqliteStore::open(path)?,
                clock,
            )),
            #[cfg(not(feature = "sqlite"))]
            Target::SqliteMemory | Target::SqliteFile(_) => {
                let _ = clock;
                Err(not_built("sqlite"))
            }
            #[cfg(feature = "postgres")]
            Target::Postgres(url) => Ok(Hub::with_clock(
                memberkit_postgres::PgStore::open(url)?,
                clock,
            )),
            #[cfg(not(feature = "postgres"))]
            Target::Postgres(_) => {
                let _ = clock;
                Err(not_built("postgres"))
            }
        }
    }
}

#[cfg_attr(all(feature = "sqlite", feature = "postgres"), allow(dead_code))]
fn not_built(store: &str) -> Error {
    Error::invalid(
        "target",
        format!("this build of memberkit has no {store} store (cargo feature `{store}`)"),
    )
}

/// Opens a hub by path or URL with the system clock (see the [crate] docs for the targets).
pub fn open(target: impl AsRef<Path>) -> Result<Hub> {
    open_with_clock(target, Arc::new(SystemClock))
}

/// Opens a hub by path or URL reading time from `clock` (tests pass a `ManualClock`).
pub fn open_with_clock(target: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<Hub> {
    let target = target.as_ref();
    match target.to_str() {
        Some(text) => Target::parse(text)?.open(clock),
        // Not UTF-8, so not a URL: a file path.
        None => Target::SqliteFile(target.to_owned()).open(clock),
    }
}

/// `Hub::open(target)`: [`open`] as a constructor, with this trait in scope.
pub trait OpenHub: Sized {
    /// Opens a hub by path or URL with the system clock.
    fn open(target: impl AsRef<Path>) -> Result<Self>;
    /// Opens a hub by path or URL with the given clock.
    fn open_with_clock(target: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<Self>;
}

impl OpenHub for Hub {
    fn open(target: impl AsRef<Path>) -> Result<Self> {
        open(target)
    }
    fn open_with_clock(target: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<Self> {
        open_with_clock(target, clock)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_urls_name_their_store() {
        let parse = |t: &str| Target::parse(t).unwrap();
        let file = |p: &str| Target::SqliteFile(PathBuf::from(p));
        assert_eq!(parse(":memory:"), Target::SqliteMemory);
        assert_eq!(parse("sqlite::memory:"), Target::SqliteMemory);
        assert_eq!(parse("members.db"), file("members.db"));
        assert_eq!(parse("sqlite:members.db"), file("members.db"));
        assert_eq!(parse("sqlite://members.db"), file("members.db"));
        assert_eq!(parse("sqlite:///var/m.db"), file("/var/m.db"));
        assert_eq!(parse(r"C:\data\m.db"), file(r"C:\data\m.db"));
        assert_eq!(
            parse("postgresql://u@localhost/db"),
            Target::Postgres("postgresql://u@localhost/db".into())
        );
        for bad in ["", "  ", "mysql://localhost/db", "sqlite:", "sqlite://"] {
            let err = Target::parse(bad).unwrap_err();
            assert_eq!(err.code(), memberkit::ErrorCode::InvalidInput, "{bad:?}");
        }
    }

    #[test]
    fn a_url_opens_the_same_file_as_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        let id = open(&path).unwrap().create_tenant("T").unwrap().id();
        let url = format!("sqlite://{}", path.display());
        assert_eq!(Hub::open(url).unwrap().tenant(id).unwrap().id(), id);
    }

    #[test]
    fn a_postgres_url_that_reaches_no_server_is_a_storage_error_naming_it() {
        // Port 1 on loopback: nothing listens there, so this fails fast and names the server,
        // never the password.
        let err = open("postgresql://app:s3cret@127.0.0.1:1/members").unwrap_err();
        assert_eq!(err.code(), memberkit::ErrorCode::Storage, "{err}");
        let text = err.to_string();
        assert!(text.contains("127.0.0.1:1/members"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
    }

    #[test]
    fn a_postgres_url_opens_a_hub_when_a_server_is_given() {
        let Ok(url) = std::env::var("MEMBERKIT_TEST_POSTGRES") else {
            eprintln!("skipped: MEMBERKIT_TEST_POSTGRES is not set");
            return;
        };
        let hub = open(&url).unwrap();
        let t = hub.create_tenant("Opened by URL").unwrap();
        // A second hub on the same database (another app server) sees the tenant.
        let again = open(&url).unwrap().tenant(t.id()).unwrap().info().unwrap();
        assert_eq!(again.name, "Opened by URL");
    }
}

// The README's Rust example runs as a doctest, so it cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExample;
