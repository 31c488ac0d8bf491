//! Kinds of outbox events: what a host may want to turn into an email or a notice.

/// An invite was created (or merged into a pending one): send the invitation email.
pub const INVITE_CREATED: &str = "invite.created";
/// An invite was resent with a new link.
pub const INVITE_RESENT: &str = "invite.resent";
/// An invite was revoked.
pub const INVITE_REVOKED: &str = "invite.revoked";
/// An invite was accepted or claimed.
pub const INVITE_ACCEPTED: &str = "invite.accepted";
/// A member got (or renewed) access to a product.
pub const ACCESS_GRANTED: &str = "access.granted";
/// A member's access to a product was revoked.
pub const ACCESS_REVOKED: &str = "access.revoked";
/// An active member joined another workspace (no email: an in-app notice at most).
pub const MEMBER_ADDED_TO_WORKSPACE: &str = "member.added_to_workspace";
/// A member was deactivated: end their sessions in the host.
pub const MEMBER_DEACTIVATED: &str = "member.deactivated";
/// A member was reactivated.
pub const MEMBER_REACTIVATED: &str = "member.reactivated";
/// A member was removed: end their sessions and forget them in the host.
pub const MEMBER_REMOVED: &str = "member.removed";
/// A team member started looking at a member's account (to tell that member, if desired).
pub const IMPERSONATION_STARTED: &str = "impersonation.started";
