//! What callers ask for when they list: public query types, validated by the core.

use crate::error::{Error, Result};
use crate::ids::{AuditId, ProductId, WorkspaceId};
use crate::model::{Actor, MemberStatus};
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

/// Most rows one list call returns.
pub const MAX_PAGE: usize = 1000;

/// How many outbox events `outbox` returns when the caller does not say.
pub const DEFAULT_OUTBOX_LIMIT: usize = 100;

pub(crate) fn check_limit(limit: usize) -> Result<()> {
    if (1..=MAX_PAGE).contains(&limit) {
        Ok(())
    } else {
        Err(Error::invalid("limit", format!("must be 1 to {MAX_PAGE}")))
    }
}

/// Largest page `customers` returns.
pub const MAX_CUSTOMER_PAGE: usize = 500;

/// What to list. All filters combine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerQuery {
    /// Case-insensitive substring of the name or email (Unicode-aware), at most
    /// [`crate::normalize::MAX_SEARCH_CHARS`] (200) characters, with no control characters
    /// (tabs and line breaks count as spaces).
    pub search: Option<String>,
    /// Only this status.
    pub status: Option<MemberStatus>,
    /// Only members who can use this product now, as `has_access` answers: active members
    /// with an active grant (for a free product, every active member; nobody once it is
    /// archived).
    pub product: Option<ProductId>,
    /// Only members with no active grant to any paid product.
    pub no_access: bool,
    /// Only members of this workspace.
    pub workspace: Option<WorkspaceId>,
    /// Order (default newest first).
    pub sort: CustomerSort,
    /// Where to continue: `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    pub limit: usize,
}

impl Default for CustomerQuery {
    fn default() -> Self {
        Self {
            search: None,
            status: None,
            product: None,
            no_access: false,
            workspace: None,
            sort: CustomerSort::Newest,
            cursor: None,
            limit: 50,
        }
    }
}
