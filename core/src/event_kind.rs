//! Kinds of outbox events, and the [`Channel`] each is meant for: whether a host would send an
//! email for it (`email`), show a notice in its app (`in_app`), or only update its own systems
//! (`system`: end sessions, sync a CRM). Every event carries its channel, so an outbox worker
//! emails only what is meant to be emailed.

use crate::model::Channel;

/// An invite was created (or merged into a pending one): send the invitation email.
/// Channel `email`.
pub const INVITE_CREATED: &str = "invite.created";
/// An invite was resent with a new link: send the invitation email again. Channel `email`.
pub const INVITE_RESENT: &str = "invite.resent";
/// Another link to a pending invite was handed to its owner ("copy invite link"). Audit
/// only: never an outbox event.
pub const INVITE_LINK_COPIED: &str = "invite.link_copied";
/// An invite was revoked: its link no longer works. Channel `system`.
pub const INVITE_REVOKED: &str = "invite.revoked";
/// The invitee declined an invite: tell the inviter in the app. Channel `in_app`.
pub const INVITE_DECLINED: &str = "invite.declined";
/// A workspace's email domain suggested that someone who signed up join it: show it in the
/// app. Channel `in_app`.
pub const INVITE_SUGGESTED: &str = "invite.suggested";
/// An invite was accepted or claimed: tell the inviter in the app. Channel `in_app`.
pub const INVITE_ACCEPTED: &str = "invite.accepted";
/// A member got (or renewed) access to a product: "you now have access". Channel `email`.
pub const ACCESS_GRANTED: &str = "access.granted";
/// A member's access to a product was revoked (a refund, a cancellation). Channel `system`.
pub const ACCESS_REVOKED: &str = "access.revoked";
/// A grant ends in `lead_secs` (one of the tenant's `expiry_reminders`): "renew before it
/// ends". Written by `Hub::sweep`. Channel `email`.
pub const ACCESS_EXPIRING: &str = "access.expiring";
/// A grant ended at its `expires_at`. Written by `Hub::sweep`. Channel `email`.
pub const ACCESS_EXPIRED: &str = "access.expired";
/// A grant that started later has started ("your course is open"). Written by `Hub::sweep`.
/// Channel `email`.
pub const ACCESS_STARTED: &str = "access.started";
/// A pending invite's link lapsed unused: tell the inviter, who may resend it. Written by
/// `Hub::sweep`. Channel `in_app`.
pub const INVITE_EXPIRED: &str = "invite.expired";
/// An active member joined another workspace: an in-app notice, never an email.
/// Channel `in_app`.
pub const MEMBER_ADDED_TO_WORKSPACE: &str = "member.added_to_workspace";
/// A member was deactivated: end their sessions in the host. Channel `system`.
pub const MEMBER_DEACTIVATED: &str = "member.deactivated";
/// A member was reactivated. Channel `in_app`.
pub const MEMBER_REACTIVATED: &str = "member.reactivated";
/// A member was removed: end their sessions and forget them in the host. Channel `system`.
pub const MEMBER_REMOVED: &str = "member.removed";
/// A team member started looking at a member's account (to tell that member, if desired).
/// Channel `in_app`.
pub const IMPERSONATION_STARTED: &str = "impersonation.started";

/// Every event kind memberkit writes, with its channel.
pub const ALL: [(&str, Channel); 17] = [
    (INVITE_CREATED, Channel::Email),
    (INVITE_RESENT, Channel::Email),
    (INVITE_REVOKED, Channel::System),
    (INVITE_ACCEPTED, Channel::InApp),
    (INVITE_DECLINED, Channel::InApp),
    (INVITE_SUGGESTED, Channel::InApp),
    (ACCESS_GRANTED, Channel::Email),
    (ACCESS_REVOKED, Channel::System),
    (ACCESS_EXPIRING, Channel::Email),
    (ACCESS_EXPIRED, Channel::Email),
    (ACCESS_STARTED, Channel::Email),
    (INVITE_EXPIRED, Channel::InApp),
    (MEMBER_ADDED_TO_WORKSPACE, Channel::InApp),
    (MEMBER_DEACTIVATED, Channel::System),
    (MEMBER_REACTIVATED, Channel::InApp),
    (MEMBER_REMOVED, Channel::System),
    (IMPERSONATION_STARTED, Channel::InApp),
];

/// The channel of an event kind (`system` for a kind this version does not know).
pub fn channel(kind: &str) -> Channel {
    ALL.iter()
        .find(|(k, _)| *k == kind)
        .map_or(Channel::System, |(_, c)| *c)
}
