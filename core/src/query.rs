//! What callers ask for when they list: public query types, validated by the core.

use crate::error::{Error, Result};
use crate::ids::AuditId;
use crate::model::Actor;
use time::OffsetDateTime;

/// Which audit entries to read: all filters combine; newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only entries by this actor.
    pub actor: Option<Actor>,
    /// Only entries about this subject (an id as a string).
    pub subject: Option<String>,
    /// Only entries at or after this instant.
    pub since: Option<OffsetDateTime>,
    /// Only entries before this instant.
    pub until: Option<OffsetDateTime>,
    /// Cursor: only entries older than this one (pass the last id of the previous page).
    pub before: Option<AuditId>,
    /// Page size, 1 to 1000.
    pub limit: usize,
}

impl Default for AuditQuery {
    fn default() -> Self {
        Self {
            actor: None,
            subject: None,
            since: None,
            until: None,
            before: None,
            limit: 100,
        }
    }
}

/// How a customer list is ordered. Every order is total (ties broken by id), so cursors are
/// stable while rows are inserted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CustomerSort {
    /// Newest first (the default): the most recently added member first.
    #[default]
    Newest,
    /// By folded name, nameless members by email.
    Name,
    /// By folded email.
    Email,
}

impl CustomerSort {
    /// `newest`, `name` or `email`.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerSort::Newest => "newest",
            CustomerSort::Name => "name",
            CustomerSort::Email => "email",
        }
    }
}

impl std::str::FromStr for CustomerSort {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "newest" => Ok(CustomerSort::Newest),
            "name" => Ok(CustomerSort::Name),
            "email" => Ok(CustomerSort::Email),
            other => Err(Error::invalid(
                "sort",
                format!("`{other}` is not one of newest, name, email"),
            )),
        }
    }
}
