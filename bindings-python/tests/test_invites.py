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
    with pytest.raises(mk.InviteExpiredError):
        tenant.claim("sam@example.com")
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
