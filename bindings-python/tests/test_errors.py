from __future__ import annotations

from datetime import timedelta

import pytest

import memberkit as mk


def test_every_error_code_has_a_class_and_is_raised_by_a_real_call(tmp_path, hub, tenant, course, clock):
    assert sorted(mk.ERRORS_BY_CODE) == sorted(mk.ERROR_CODES)
    for code, cls in mk.ERRORS_BY_CODE.items():
        assert issubclass(cls, mk.MemberkitError) and cls.code == code

    admin = tenant.add_customer(mk.SYSTEM, "admin@x.com", role="admin").member.id
    customer = tenant.add_customer(mk.SYSTEM, "c@x.com").member.id
    used = tenant.invite(mk.SYSTEM, "u@x.com")
    tenant.accept(used.token)
    revoked = tenant.invite(mk.SYSTEM, "r@x.com")
    tenant.revoke_invite(mk.SYSTEM, revoked.invite.id)
    expired = tenant.invite(mk.SYSTEM, "e@x.com")
    session = tenant.impersonate(admin, customer, "why", duration=timedelta(minutes=1))
    clock.advance(timedelta(days=8))
    deactivated = tenant.add_customer(mk.SYSTEM, "d@x.com").member.id
    tenant.deactivate(mk.SYSTEM, deactivated)
    full = hub.create_tenant("Full")
    full.add_customer(mk.SYSTEM, "only@x.com")
    full.set_seat_limit(mk.SYSTEM, 1)
    (tmp_path / "future.db").write_bytes(b"not a sqlite database at all" * 100)

    raised = {}
    cases = {
        "not_found": lambda: tenant.member("01a201ea-6388-7318-a9c7-d48f998f2b23"),
        "permission_denied": lambda: tenant.grant(customer, customer, course.id),
        "invalid_input": lambda: tenant.add_customer(mk.SYSTEM, "nope"),
        "conflict": lambda: tenant.invite(mk.SYSTEM, "c@x.com"),
        "invite_expired": lambda: tenant.accept(expired.token),
        "invite_revoked": lambda: tenant.accept(revoked.token),
        "invite_used": lambda: tenant.accept(used.token),
        "invite_email_mismatch": lambda: tenant.accept(tenant.invite(mk.SYSTEM, "m@x.com").token, "z@x.com"),
        "member_deactivated": lambda: tenant.grant(mk.SYSTEM, deactivated, course.id),
        "impersonation_ended": lambda: tenant.verify_impersonation(session.token),
        "seat_limit": lambda: full.invite(mk.SYSTEM, "next@x.com"),
        "storage": lambda: mk.Hub.open(tmp_path / "future.db"),
    }
    for code, call in cases.items():
        with pytest.raises(mk.MemberkitError) as err:
            call()
        assert err.value.code == code, (code, err.value)
        assert type(err.value) is mk.ERRORS_BY_CODE[code]
        assert str(err.value)
        raised[code] = True
    assert sorted(raised) == sorted(mk.ERROR_CODES), "every code is exercised"


def test_open_takes_a_path_or_a_url_and_an_unknown_store_is_invalid(tmp_path) -> None:
    path = tmp_path / "hub.db"
    tenant_id = mk.Hub.open(path).create_tenant("T").id
    again = mk.Hub.open(f"sqlite://{path}")
    assert again.tenant(tenant_id).id == tenant_id
    with pytest.raises(mk.InvalidInputError):
        mk.Hub.open("mysql://localhost/db")


def test_a_postgres_url_without_a_server_is_a_storage_error_that_hides_the_password() -> None:
    # Port 1 on loopback: nothing listens, so this fails at once.
    with pytest.raises(mk.StorageError) as err:
        mk.Hub.open("postgresql://app:s3cret@127.0.0.1:1/members")
    assert err.value.code == "storage"
    assert "127.0.0.1:1/members" in str(err.value)
    assert "s3cret" not in str(err.value) and "s3cret" not in repr(err.value)
