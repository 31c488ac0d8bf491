from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

import memberkit as mk


def test_add_customer_grant_revoke_and_access(tenant, course):
    added = tenant.add_customer(mk.SYSTEM, "Ada@Example.com", name="Ada", products=[course.id])
    assert added.outcome == "created"
    assert added.member.email == "Ada@Example.com"
    assert added.member.email_key == "ada@example.com"
    assert added.member.status == "active"
    assert tenant.has_access(added.member.id, course.id)
    again = tenant.add_customer(mk.SYSTEM, "ADA@example.com")
    assert again.member.id == added.member.id and again.outcome == "existing"
    assert [a.product.id for a in tenant.access(added.member.id)] == [course.id]
    revoked = tenant.revoke(mk.SYSTEM, added.member.id, course.id)
    assert revoked is not None and revoked.revoked_by == "system"
    assert not tenant.has_access(added.member.id, course.id)
    assert tenant.revoke(mk.SYSTEM, added.member.id, course.id) is None
    assert [e.kind for e in tenant.outbox()] == ["access.granted", "access.revoked"]


def test_grant_expiry_at_the_instant(tenant, course, clock, hub):
    m = tenant.add_customer(mk.SYSTEM, "x@example.com").member
    ends = hub.now() + timedelta(days=30)
    g = tenant.grant(mk.SYSTEM, m.id, course.id, expires_at=ends, source="purchase")
    assert g.expires_at == ends and g.source == "purchase"
    clock.advance(timedelta(days=30, seconds=-1))
    assert tenant.has_access(m.id, course.id)
    clock.advance(timedelta(seconds=1))
    assert not tenant.has_access(m.id, course.id)


def test_products_free_archived_and_kinds(tenant):
    free = tenant.create_product(mk.SYSTEM, "Lounge", "community", paid=False)
    custom = tenant.create_product(mk.SYSTEM, "Call", "coaching-call")
    assert (free.paid, custom.kind) == (False, "coaching-call")
    m = tenant.add_customer(mk.SYSTEM, "a@example.com").member
    assert tenant.has_access(m.id, free.id)
    with pytest.raises(mk.InvalidInputError):
        tenant.grant(mk.SYSTEM, m.id, free.id)
    archived = tenant.archive_product(mk.SYSTEM, free.id)
    assert archived.archived and not tenant.has_access(m.id, free.id)
    assert {p.id for p in tenant.products()} == {free.id, custom.id}
    assert tenant.product(custom.id) == custom


def test_results_are_frozen_comparable_and_typed(tenant, course):
    m = tenant.add_customer(mk.SYSTEM, "a@example.com").member
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.email = "b@example.com"  # type: ignore[misc]
    assert tenant.member(m.id) == m
    assert "a@example.com" in repr(m)
    assert m.created_at.tzinfo is not None and m.created_at.utcoffset() == timedelta(0)
    assert isinstance(m.id, str)


def test_naive_datetimes_and_wrong_types_are_refused(tenant, course):
    m = tenant.add_customer(mk.SYSTEM, "a@example.com").member
    with pytest.raises(ValueError, match="timezone-aware"):
        tenant.grant(mk.SYSTEM, m.id, course.id, expires_at=datetime(2030, 1, 1))
    with pytest.raises(TypeError):
        tenant.grant(mk.SYSTEM, m.id, course.id, expires_at="2030-01-01")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tenant.has_access(42, course.id)  # type: ignore[arg-type]
    with pytest.raises(mk.InvalidInputError) as err:
        tenant.has_access("not-an-id", course.id)
    assert isinstance(err.value, ValueError) and err.value.code == "invalid_input"


def test_tenants_are_isolated(hub, tenant, course):
    other = hub.create_tenant("Other")
    m = tenant.add_customer(mk.SYSTEM, "a@example.com", products=[course.id]).member
    with pytest.raises(mk.NotFoundError):
        other.has_access(m.id, course.id)
    with pytest.raises(mk.NotFoundError):
        other.member(m.id)
    assert hub.tenant(tenant.id).id == tenant.id
    assert tenant.info().name == "Ada's Academy"


def test_add_customer_with_a_password_or_a_temporary_one(tenant):
    given = tenant.add_customer(mk.SYSTEM, "ana@crm.example", password="chosen in the CRM")
    assert given.password_set and given.temporary_password is None
    check = tenant.verify_password("ana@crm.example", "chosen in the CRM")
    assert check is not None and not check.must_change
    temp = tenant.add_customer(mk.SYSTEM, "ben@crm.example", temporary_password=True)
    assert temp.temporary_password is not None and len(temp.temporary_password) == 16
    assert temp.temporary_password not in repr(temp) and "'****'" in repr(temp)
    check = tenant.verify_password("ben@crm.example", temp.temporary_password)
    assert check is not None and check.must_change
    again = tenant.add_customer(mk.SYSTEM, "ANA@crm.example", password="a takeover attempt")
    assert again.outcome == "existing" and not again.password_set
    assert tenant.verify_password("ana@crm.example", "a takeover attempt") is None


def test_add_customer_password_errors_change_nothing(tenant):
    before = (len(tenant.audit()), len(tenant.outbox()), tenant.count_customers())
    with pytest.raises(mk.InvalidInputError):
        tenant.add_customer(mk.SYSTEM, "cat@crm.example", password="short")
    with pytest.raises(mk.InvalidInputError):
        tenant.add_customer(mk.SYSTEM, "cat@crm.example", password="long enough", temporary_password=True)
    with pytest.raises(TypeError):
        tenant.add_customer(mk.SYSTEM, "cat@crm.example", password=12345678)  # type: ignore[arg-type]
    with pytest.raises(UnicodeEncodeError):
        tenant.add_customer(mk.SYSTEM, "cat@crm.example", password="\ud800 surrogate pw")
    assert (len(tenant.audit()), len(tenant.outbox()), tenant.count_customers()) == before


def test_metadata_on_members_invites_and_products(tenant):
    product = tenant.create_product(mk.SYSTEM, "Pro", "membership", metadata={"stripe_price": "price_1"})
    assert tenant.product(product.id).metadata == {"stripe_price": "price_1"}
    crm = {"hubspot_id": 42, "ratio": 0.5, "vip": True, "tags": ["a", "b"], "address": {"city": "Oslo"}, "none": None}
    ada = tenant.add_customer(mk.SYSTEM, "ada@x.com", metadata=crm).member
    assert ada.metadata == crm and tenant.member(ada.id).metadata == crm
    hash(ada)  # still hashable: metadata is left out of the hash

    patched = tenant.update_member_metadata(mk.SYSTEM, ada.id, {"hubspot_id": 43, "tags": None})
    assert patched.metadata["hubspot_id"] == 43 and "tags" not in patched.metadata
    assert tenant.update_product_metadata(mk.SYSTEM, product.id, {"sku": "P"}).metadata == {
        "stripe_price": "price_1",
        "sku": "P",
    }

    issued = tenant.invite(mk.SYSTEM, "bo@x.com", metadata={"cohort": 3})
    assert issued.invite.metadata == {"cohort": 3}
    assert tenant.accept(issued.token).member.metadata == {"cohort": 3}
    assert tenant.export_customers().splitlines()[0].endswith(",metadata")


def test_metadata_that_is_not_json_is_refused_without_crashing(tenant):
    ada = tenant.add_customer(mk.SYSTEM, "ada@x.com").member
    looped: list = []
    looped.append(looped)
    audit = len(tenant.audit())
    for bad, error in [
        ({"x": looped}, mk.InvalidInputError),
        ({"x": float("nan")}, mk.InvalidInputError),
        ({"x": 2**70}, mk.InvalidInputError),
        ({"x": "y" * 9000}, mk.InvalidInputError),
        ({"x": {1, 2}}, TypeError),
        ({1: "x"}, TypeError),
        (["not", "a", "dict"], TypeError),
    ]:
        with pytest.raises(error):
            tenant.update_member_metadata(mk.SYSTEM, ada.id, bad)
    assert len(tenant.audit()) == audit and tenant.member(ada.id).metadata == {}


def test_a_grant_can_start_later_and_sweep_tells_each_event_once(hub, tenant, course, clock):
    ada = tenant.add_customer(mk.SYSTEM, "ada@x.com").member
    opens = hub.now() + timedelta(days=1)
    grant = tenant.grant(mk.SYSTEM, ada.id, course.id, starts_at=opens, expires_at=opens + timedelta(days=30))
    assert grant.starts_at == opens
    assert not tenant.has_access(ada.id, course.id)
    with pytest.raises(mk.InvalidInputError):
        tenant.grant(mk.SYSTEM, ada.id, course.id, starts_at=opens, expires_at=opens)
    tenant.ack([e.id for e in tenant.outbox()])
    clock.advance(timedelta(days=1))
    assert tenant.has_access(ada.id, course.id)
    assert hub.sweep() == mk.SweepReport(tenants=1, events=1)
    assert hub.sweep().events == 0
    assert [e.kind for e in tenant.outbox()] == ["access.started"]
    with pytest.raises(mk.InvalidInputError):
        hub.sweep(hub.now() + timedelta(seconds=1))

    info = tenant.update_settings(mk.SYSTEM, expiry_reminders=[timedelta(days=3)])
    assert info.expiry_reminders_seconds == (3 * 86400,) and info.swept_until == hub.now()
    with pytest.raises(mk.InvalidInputError):
        tenant.update_settings(mk.SYSTEM, expiry_reminders=[timedelta(minutes=1)])


def test_bundles_give_what_they_include_and_refuse_cycles(tenant, course):
    bundle = tenant.create_product(mk.SYSTEM, "All Access", "membership")
    other = tenant.create_product(mk.SYSTEM, "Masterclass", "course")
    assert [p.id for p in tenant.include_in_bundle(mk.SYSTEM, bundle.id, course.id)] == [course.id]
    tenant.include_in_bundle(mk.SYSTEM, bundle.id, other.id)
    assert [p.name for p in tenant.bundle_items(bundle.id)] == ["Rust 101", "Masterclass"]
    ada = tenant.add_customer(mk.SYSTEM, "ada@x.com", products=[bundle.id]).member
    assert tenant.has_access(ada.id, course.id)
    via = {a.product.id: a.via for a in tenant.access(ada.id)}
    assert via[course.id] == bundle.id and via[bundle.id] is None
    with pytest.raises(mk.ConflictError):
        tenant.include_in_bundle(mk.SYSTEM, bundle.id, bundle.id)
    assert tenant.remove_from_bundle(mk.SYSTEM, bundle.id, course.id)
    assert not tenant.has_access(ada.id, course.id)
    assert tenant.has_access(ada.id, other.id)
