from __future__ import annotations

from datetime import timedelta

import pytest

import memberkit as mk


def test_invite_accept_applies_everything(tenant, course):
    issued = tenant.invite(mk.SYSTEM, "lin@example.com", name="Lin", products=[course.id])
    assert issued.invite.status == "pending" and issued.token.startswith("mki_")
    assert "mki_****" in repr(issued) and issued.token not in repr(issued)
    assert tenant.member(issued.invite.member_id).status == "invited"
    accepted = tenant.accept(issued.token, "LIN@example.com")
    assert accepted.member.status == "active" and len(accepted.granted) == 1
    assert tenant.has_access(accepted.member.id, course.id)
    with pytest.raises(mk.InviteUsedError):
        tenant.accept(issued.token)


def test_claim_resend_revoke_expiry_and_merge(hub, tenant, course, clock):
    first = tenant.invite(mk.SYSTEM, "sam@example.com")
    merged = tenant.invite(mk.SYSTEM, "SAM@example.com", products=[course.id])
    assert merged.merged and merged.invite.id == first.invite.id
    with pytest.raises(mk.NotFoundError):
        tenant.accept(first.token)
    clock.advance(timedelta(days=7, seconds=1))
    assert tenant.get_invite(merged.invite.id).status == "expired"
    with pytest.raises(mk.InviteExpiredError):
        tenant.accept(merged.token)
    # An expired invite is not pending: a sign-up claims nothing, here or hub-wide.
    assert tenant.claim("sam@example.com") is None
    assert hub.claim("sam@example.com") == []
    assert tenant.decline_pending("sam@example.com") is None
    resent = tenant.resend_invite(mk.SYSTEM, merged.invite.id)
    assert [i.id for i in tenant.invites("pending")] == [merged.invite.id]
    claimed = tenant.claim("Sam@Example.com")
    assert claimed is not None and tenant.has_access(claimed.member.id, course.id)
    assert tenant.claim("sam@example.com") is None
    with pytest.raises(mk.InviteUsedError):
        tenant.accept(resent.token)

    r = tenant.invite(mk.SYSTEM, "r@example.com")
    assert tenant.revoke_invite(mk.SYSTEM, r.invite.id).status == "revoked"
    with pytest.raises(mk.InviteRevokedError):
        tenant.accept(r.token)
    with pytest.raises(mk.InviteEmailMismatchError):
        tenant.accept(tenant.invite(mk.SYSTEM, "x@example.com").token, "y@example.com")

    other = hub.create_tenant("Other", invite_lifetime=timedelta(hours=1))
    o = other.invite(mk.SYSTEM, "kim@example.com")
    assert o.invite.expires_at == hub.now() + timedelta(hours=1)
    tenant.invite(mk.SYSTEM, "kim@example.com")
    assert len(hub.claim("KIM@example.com")) == 2


def test_outbox_drain_and_ack(hub, tenant, course):
    tenant.invite(mk.SYSTEM, "a@example.com", products=[course.id])
    events = hub.outbox()
    assert [e.kind for e in events] == ["invite.created"]
    assert events[0].payload["email"] == "a@example.com"
    assert "token" not in events[0].payload
    assert hub.ack([e.id for e in events]) == 1
    assert hub.ack([e.id for e in events]) == 0
    assert hub.outbox() == [] and tenant.outbox() == []


def test_invite_lifetime_and_message(hub, tenant, clock):
    issued = tenant.invite(mk.SYSTEM, "ada@client.com", lifetime=timedelta(days=2), message="Hi Ada,\nwelcome.")
    invite = issued.invite
    assert invite.lifetime_seconds == 2 * 86400 and invite.message == "Hi Ada,\nwelcome."
    assert invite.expires_at == hub.now() + timedelta(days=2)
    [event] = tenant.outbox()
    assert event.payload["message"] == "Hi Ada,\nwelcome." and issued.token not in str(event.payload)
    clock.advance(timedelta(days=3))
    resent = tenant.resend_invite(mk.SYSTEM, invite.id)
    assert resent.invite.expires_at == hub.now() + timedelta(days=2), "its own lifetime again"
    assert tenant.info().max_invite_lifetime_seconds == 30 * 86400


def test_invite_lifetime_and_message_errors_change_nothing(tenant):
    before = (len(tenant.audit()), len(tenant.outbox()), len(tenant.invites()))
    for kwargs in (
        {"lifetime": timedelta(days=31)},
        {"lifetime": timedelta(seconds=59)},
        {"lifetime": timedelta(days=-1)},
        {"message": "x" * 2001},
        {"message": "nul \0 inside"},
    ):
        with pytest.raises(mk.InvalidInputError):
            tenant.invite(mk.SYSTEM, "new@client.com", **kwargs)
    with pytest.raises(UnicodeEncodeError):
        tenant.invite(mk.SYSTEM, "new@client.com", message="\ud800 lone surrogate")
    for wrong in (86400, "7d", 1.5):
        with pytest.raises(TypeError):
            tenant.invite(mk.SYSTEM, "new@client.com", lifetime=wrong)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tenant.invite(mk.SYSTEM, "new@client.com", message=42)  # type: ignore[arg-type]
    assert (len(tenant.audit()), len(tenant.outbox()), len(tenant.invites())) == before
    with pytest.raises(mk.InvalidInputError):
        tenant.update_settings(mk.SYSTEM, max_invite_lifetime=timedelta(days=6))
    info = tenant.update_settings(mk.SYSTEM, max_invite_lifetime=timedelta(days=60))
    assert info.max_invite_lifetime_seconds == 60 * 86400


def test_an_invite_link_shows_its_invite_in_every_status(hub, tenant, course, clock):
    issued = tenant.invite(mk.SYSTEM, "lin@example.com", products=[course.id])
    shown = hub.invite_by_link(issued.token)
    assert shown.tenant_name == tenant.info().name and shown.invite.id == issued.invite.id
    assert shown.invite.status == "pending" and shown.invite.products == (course.id,)
    clock.advance(timedelta(days=8))
    assert hub.invite_by_link(issued.token).invite.status == "expired"
    with pytest.raises(mk.NotFoundError):
        hub.invite_by_link("mki_123")
