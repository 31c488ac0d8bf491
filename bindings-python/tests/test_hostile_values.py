"""Hostile values through the package on every store (SQLite, and PostgreSQL when
MEMBERKIT_TEST_POSTGRES names a server): wrong types, huge strings, NUL bytes, lone surrogates,
hostile file-likes, bogus cursors and tokens. Each is a typed error, the interpreter survives,
and nothing changes."""

from __future__ import annotations

import os
import uuid
from typing import Any, Callable, List, Tuple

import pytest

import memberkit as mk

STORES = ["sqlite"] + (["postgres"] if os.environ.get("MEMBERKIT_TEST_POSTGRES") else [])

HUGE = "a" * 1_000_000 + "@example.com"
BAD_STRINGS = ["a\x00b@example.com", "\ud800@example.com", HUGE, "", "not an email", "a@b@c"]
BAD_TYPES: List[Any] = [None, 42, 3.5, b"bytes@example.com", ["a@example.com"], object()]


@pytest.fixture(params=STORES)
def store_hub(request, tmp_path, clock) -> mk.Hub:
    if request.param == "sqlite":
        return mk.Hub.open(tmp_path / "hub.db", clock)
    server = os.environ["MEMBERKIT_TEST_POSTGRES"]
    schema = f"mk_py_{uuid.uuid4().hex}"
    sep = "&" if "?" in server else "?"
    return mk.Hub.open(f"{server}{sep}options=-csearch_path%3D{schema},public", clock)


def footprint(tenant: mk.Tenant) -> Tuple[int, int, int, int]:
    return (
        len(tenant.audit(limit=1000)),
        len(tenant.outbox(1000)),
        len(tenant.invites()),
        tenant.count_customers(),
    )


def refused(call: Callable[[], Any]) -> BaseException:
    """The call raises a typed error: a MemberkitError, or TypeError/ValueError for a value
    Python itself cannot hand over (wrong type, a lone surrogate)."""
    with pytest.raises((mk.MemberkitError, TypeError, ValueError)) as err:
        call()
    return err.value


def test_bad_emails_and_types_change_nothing(store_hub):
    tenant = store_hub.create_tenant("Hostile")
    course = tenant.create_product(mk.SYSTEM, "Course", "course")
    before = footprint(tenant)
    for bad in BAD_STRINGS + BAD_TYPES:
        refused(lambda: tenant.add_customer(mk.SYSTEM, bad, products=[course.id]))
        refused(lambda: tenant.invite(mk.SYSTEM, bad, products=[course.id]))
        if not isinstance(bad, str):
            refused(lambda: tenant.claim(bad))
        if bad is not None and not isinstance(bad, str):
            refused(lambda: tenant.customers(search=bad))
    for name in [HUGE, "x" * 201, "a\x00b", 42, b"name"]:
        refused(lambda: tenant.add_customer(mk.SYSTEM, "ok@example.com", name=name))
    assert footprint(tenant) == before


def test_bogus_tokens_and_cursors_are_typed_errors(store_hub):
    tenant = store_hub.create_tenant("Hostile")
    tenant.add_customer(mk.SYSTEM, "ada@example.com")
    before = footprint(tenant)
    for token in ["", "mki_", "mki_" + "0" * 64, "mki_" + "g" * 64, "x\x00y", "\ud800", HUGE]:
        err = refused(lambda: tenant.accept(token))
        assert isinstance(err, (mk.NotFoundError, ValueError)), err
        refused(lambda: tenant.verify_impersonation(token))
    for cursor in ["", "garbage", "\x00", "\ud800", HUGE, "MTIz", "bmFtZR9hZGE"]:
        for sort in ["newest", "name", "email"]:
            err = refused(lambda: tenant.customers(cursor=cursor, sort=sort))
            assert isinstance(err, (mk.InvalidInputError, ValueError)), err
    for term in ["x" * 10_000, "a\x00b", "\x07"]:
        err = refused(lambda: tenant.customers(search=term))
        assert isinstance(err, mk.InvalidInputError), err
    assert isinstance(refused(lambda: tenant.customers(search="\ud800")), ValueError)
    assert footprint(tenant) == before


def test_nul_bytes_in_every_free_text_are_typed_errors(store_hub):
    # PostgreSQL text cannot hold a NUL: it must be refused before it reaches the store.
    tenant = store_hub.create_tenant("Hostile")
    ada = tenant.add_customer(mk.SYSTEM, "ada@example.com").member.id
    before = footprint(tenant)
    nul = "a\x00b"
    for call in (
        lambda: store_hub.create_tenant(nul),
        lambda: tenant.create_workspace(mk.SYSTEM, nul),
        lambda: tenant.create_role(mk.SYSTEM, nul, ["pricing"]),
        lambda: tenant.create_role(mk.SYSTEM, "Role", [nul]),
        lambda: tenant.create_product(mk.SYSTEM, nul, "course"),
        lambda: tenant.impersonate(mk.SYSTEM, ada, nul),
        lambda: tenant.add_customer(mk.SYSTEM, "b@example.com", external_id=nul),
        lambda: tenant.audit(subject=nul),
        lambda: tenant.member_by_email(nul),
        lambda: tenant.customers(sort="email", cursor=("email\n" + nul).encode().hex()),
    ):
        err = refused(call)
        assert isinstance(err, mk.InvalidInputError), err
    assert footprint(tenant) == before


class ExplodingFile:
    """A file-like whose read fails."""

    def read(self, *args: Any) -> str:
        raise OSError("disk on fire")


class LyingFile:
    """A file-like whose read returns something that is not text."""

    def read(self, *args: Any) -> Any:
        return 12345


def test_hostile_import_sources_change_nothing(store_hub):
    tenant = store_hub.create_tenant("Hostile")
    course = tenant.create_product(mk.SYSTEM, "Course", "course")
    before = footprint(tenant)
    for source in [ExplodingFile(), LyingFile(), 42, None, object()]:
        with pytest.raises((mk.MemberkitError, TypeError, ValueError, OSError)):
            tenant.import_customers(mk.SYSTEM, source, products=[course.id], mode="grant")
    # NUL bytes and a huge cell: rows are reported invalid and, without skip_invalid, the
    # import changes nothing.
    for text in ["email\nada@example.com\nb\x00b@example.com\n", "email\n" + HUGE + "\nada@example.com\n"]:
        try:
            report = tenant.import_customers(mk.SYSTEM, text, products=[course.id], mode="grant")
        except (mk.MemberkitError, ValueError):
            continue
        assert not report.applied
        assert any(r.outcome == "invalid" for r in report.rows)
    assert footprint(tenant) == before
