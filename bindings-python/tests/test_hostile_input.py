"""Bad values give typed errors and change nothing; nothing crashes the interpreter; no secret is
printed; the rank rule and the consistent answers hold through the package."""

from __future__ import annotations

import io
import pathlib
from datetime import datetime, timedelta, timezone
from typing import Any, Tuple

import pytest

import memberkit as mk


def footprint(tenant: mk.Tenant) -> Tuple[int, int]:
    return len(tenant.audit(limit=1000)), len(tenant.outbox(1000))


def test_a_member_cannot_act_on_an_admin(tenant):
    admin = tenant.add_customer(mk.SYSTEM, "admin@x.com", role="admin").member.id
    tenant.add_customer(mk.SYSTEM, "owner@x.com", role="admin")
    mia = tenant.add_customer(mk.SYSTEM, "mia@x.com", role="member").member.id
    before = footprint(tenant)
    for call in (
        lambda: tenant.assign_role(mia, admin, "customer"),
        lambda: tenant.deactivate(mia, admin),
        lambda: tenant.remove_member(mia, admin),
        lambda: tenant.set_password(mia, admin, "correct horse battery"),
    ):
        with pytest.raises(mk.PermissionDeniedError) as err:
            call()
        assert err.value.code == "permission_denied"
    assert footprint(tenant) == before
    assert tenant.role(admin) == "admin"


def test_unknown_workspace_in_can_is_not_found(tenant):
    mia = tenant.add_customer(mk.SYSTEM, "mia@x.com", role="member").member.id
    with pytest.raises(mk.NotFoundError):
        tenant.can(mia, "customers.manage", workspace="01a201ea-6388-7318-a9c7-d48f998f2b23")


def test_foreign_products_and_bad_links_are_not_found(hub, tenant):
    theirs = hub.create_tenant("Other").create_product(mk.SYSTEM, "Theirs", "course")
    ada = tenant.add_customer(mk.SYSTEM, "ada@x.com").member.id
    with pytest.raises(mk.NotFoundError):
        tenant.grant(mk.SYSTEM, ada, theirs.id)
    with pytest.raises(mk.NotFoundError):
        tenant.invite(mk.SYSTEM, "b@x.com", products=[theirs.id])
    for token in ("not a token", "mki_" + "0" * 64, ""):
        with pytest.raises(mk.NotFoundError):
            tenant.accept(token)


def test_notify_false_writes_no_email_event_and_events_say_their_channel(tenant, course):
    tenant.add_customer(mk.SYSTEM, "quiet@x.com", products=[course.id], notify=False)
    tenant.invite(mk.SYSTEM, "hush@x.com", notify=False)
    assert tenant.outbox() == []
    assert {e.action for e in tenant.audit()} >= {"access.granted", "invite.created"}
    ada = tenant.add_customer(mk.SYSTEM, "ada@x.com", products=[course.id]).member.id
    tenant.revoke(mk.SYSTEM, ada, course.id)
    assert [(e.kind, e.channel) for e in tenant.outbox()] == [
        ("access.granted", "email"),
        ("access.revoked", "system"),
    ]


def test_look_alike_emails_do_not_claim_another_invite(hub, tenant):
    tenant.invite(mk.SYSTEM, "sales@x.com")
    for look_alike in ("ſales@x.com", "ｓales@x.com", "ѕales@x.com"):
        assert hub.claim(look_alike) == []
    for invisible in ("sa\u200bles@x.com", "\u212aim@x.com"):
        with pytest.raises(mk.InvalidInputError):
            hub.claim(invisible)
    assert len(hub.claim("SALES@x.com")) == 1


class ReadsItself:
    def read(self) -> Any:
        return self


def test_bad_import_sources_are_type_errors(tenant):
    with pytest.raises(TypeError):
        tenant.import_customers(mk.SYSTEM, ReadsItself())
    with pytest.raises(TypeError):
        tenant.import_customers(mk.SYSTEM, 42)
    with pytest.raises(TypeError):
        tenant.import_customers(mk.SYSTEM, [1, 2, 3])
    with pytest.raises(mk.InvalidInputError):
        tenant.import_customers(mk.SYSTEM, b"\xff\xfe")
    with pytest.raises(mk.InvalidInputError):
        tenant.import_customers(mk.SYSTEM, "a@x.com", format="xml")
    # A file that cannot be read is the same typed error as in Rust and Node.
    with pytest.raises(mk.InvalidInputError, match="no/such/file.csv"):
        tenant.import_customers(mk.SYSTEM, pathlib.Path("/no/such/file.csv"))
    assert tenant.import_customers(mk.SYSTEM, io.StringIO("email\na@x.com\n")).applied
    with pytest.raises(TypeError):
        tenant.import_customers(mk.SYSTEM, "email\nb@x.com", progress=5)


def test_a_raising_progress_callback_stops_an_atomic_import_and_propagates(tenant):
    csv = "email\n" + "\n".join(f"p{i}@x.com" for i in range(2500))
    before = footprint(tenant)

    class Stop(Exception):
        pass

    def progress(done: int, total: int) -> None:
        if done == 2000:
            raise Stop(done)

    with pytest.raises(Stop):
        tenant.import_customers(mk.SYSTEM, csv, progress=progress, atomic=True)
    assert footprint(tenant) == before
    assert tenant.count_customers() == 0


@pytest.mark.parametrize("in_memory", [False, True])
def test_calling_back_into_the_hub_from_an_atomic_progress_is_an_error_not_a_hang(tmp_path, in_memory):
    hub = mk.Hub.open(":memory:" if in_memory else tmp_path / "h.db")
    tenant = hub.create_tenant("T")
    seen = []

    def progress(done: int, total: int) -> None:
        try:
            tenant.products()
        except mk.ConflictError as err:
            seen.append(err.code)

    report = tenant.import_customers(mk.SYSTEM, "email\na@x.com", progress=progress, atomic=True)
    assert report.applied and seen == ["conflict"]
    assert tenant.products() == []


def test_out_of_range_numbers_are_typed_errors(hub, tenant, clock):
    for limit in (-1, 0, 10**30, 1001):
        with pytest.raises(mk.InvalidInputError):
            tenant.outbox(limit)
        with pytest.raises(mk.InvalidInputError):
            tenant.customers(limit=limit if limit != 1001 else 501)
    with pytest.raises(mk.InvalidInputError):
        hub.outbox(-5)
    now = clock.now()
    with pytest.raises(mk.InvalidInputError):
        clock.advance(timedelta.max)
    assert clock.now() == now
    clock.set(datetime(9999, 12, 30, tzinfo=timezone.utc))
    with pytest.raises(mk.InvalidInputError):
        tenant.invite(mk.SYSTEM, "late@x.com")
    with pytest.raises(mk.InvalidInputError):
        tenant.customers(search="x" * 10_000_000)


def test_datetimes_round_trip_to_the_microsecond_in_any_year(tenant, course, clock):
    ada = tenant.add_customer(mk.SYSTEM, "ada@x.com").member.id
    plus_two = timezone(timedelta(hours=2, minutes=30))
    for at in (
        datetime(2600, 7, 1, 12, 0, 0, 999_999, tzinfo=timezone.utc),
        datetime(9998, 1, 1, 0, 0, 0, 1, tzinfo=plus_two),
    ):
        grant = tenant.grant(mk.SYSTEM, ada, course.id, expires_at=at)
        assert grant.expires_at == at
    clock.set(datetime(9000, 1, 1, 0, 0, 0, 7, tzinfo=timezone.utc))
    assert clock.now().microsecond == 7


def test_reprs_never_show_secrets(tenant):
    report = tenant.import_customers(mk.SYSTEM, "email\nt@x.com", mode="temporary_password")
    row = report.rows[0]
    assert row.temporary_password and row.temporary_password not in repr(report)
    invited = tenant.import_customers(mk.SYSTEM, "email\ni@x.com")
    token = invited.rows[0].invite_token
    assert token and token[4:] not in repr(invited) and "mki_****" in repr(invited)
