"""The route guards in the example apps (Flask, FastAPI, Django), driven with each framework's
own test client: 401 with nobody signed in, 403 without access or permission, the page
otherwise; a revoke applies on the very next request; a guarded request changes nothing."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any, Callable, Dict

import pytest

import memberkit as mk

EXAMPLES = Path(__file__).parents[2] / "examples" / "python"
sys.path.insert(0, str(EXAMPLES))


class People:
    """The demo academy's people and products, by what the guards should answer for them."""

    def __init__(self, academy: mk.Tenant) -> None:
        def member(email: str) -> str:
            found = academy.member_by_email(email)
            assert found is not None
            return found.id

        self.academy = academy
        self.course = next(p.id for p in academy.products() if p.name == "Rust 101")
        self.other = next(p.id for p in academy.products() if p.name == "Async Rust")
        self.admin = member("admin@academy.example")
        self.linus = member("linus@example.com")  # has Rust 101
        self.grace = member("grace@example.com")  # has it through the bundle
        self.nobody = member("nobody@example.com")


def check(people: People, get: Callable[[str, Any], int]) -> None:
    """What a user of any of the apps sees; ``get(path, member)`` answers the status code."""
    course, other = f"/courses/{people.course}", f"/courses/{people.other}"
    newest = people.academy.audit(limit=1)[0].id
    outbox = len(people.academy.outbox(1000))
    assert get(course, None) == 401
    assert get("/pricing", None) == 401
    assert get(course, people.linus) == 200
    assert get(course, people.grace) == 200, "access through a bundle counts"
    assert get(course, people.nobody) == 403
    assert get(other, people.linus) == 403
    assert get("/pricing", people.admin) == 200
    assert get("/pricing", people.linus) == 403
    # A member id the tenant does not have (a stale session, another tenant's id) may not.
    stranger = mk.Hub.open(":memory:").create_tenant("Elsewhere")
    outsider = stranger.add_customer(mk.SYSTEM, "out@example.com").member.id
    assert get(course, outsider) == 403
    assert get("/courses/01930000-0000-7000-8000-000000000000", people.linus) == 403, "no such product"
    assert people.academy.audit(limit=1)[0].id == newest, "guarded requests write nothing"
    assert len(people.academy.outbox(1000)) == outbox
    # Revoking applies on the very next request.
    people.academy.revoke(mk.SYSTEM, people.linus, people.course)
    assert get(course, people.linus) == 403


def test_flask_guards_course_and_pricing_routes() -> None:
    pytest.importorskip("flask")
    hub = mk.Hub.open(":memory:")
    app = importlib.import_module("guarded_flask").create_app(hub)
    people = People(hub.tenant(hub.memberships_of("admin@academy.example")[0].member.tenant_id))
    client = app.test_client()

    def get(path: str, member: Any) -> int:
        with client.session_transaction() as session:
            session.clear()
            if member is not None:
                session["member"] = member
        return int(client.get(path).status_code)

    check(people, get)


def test_fastapi_guards_are_dependencies() -> None:
    pytest.importorskip("fastapi")
    pytest.importorskip("itsdangerous")
    from fastapi.testclient import TestClient

    hub = mk.Hub.open(":memory:")
    app = importlib.import_module("guarded_fastapi").create_app(hub)
    people = People(hub.tenant(hub.memberships_of("admin@academy.example")[0].member.tenant_id))
    clients: Dict[Any, TestClient] = {}

    def get(path: str, member: Any) -> int:
        if member not in clients:
            clients[member] = TestClient(app)
            if member is not None:
                clients[member].post("/login", data={"member": member}, follow_redirects=False)
        return int(clients[member].get(path).status_code)

    check(people, get)
    # The dependency's value is the member: the pricing page names who asked.
    assert "admin@academy.example" in clients[people.admin].get("/pricing").text


def test_django_guards_views_and_template_filters() -> None:
    pytest.importorskip("django")
    app = importlib.import_module("guarded_django")
    from django.test import Client  # type: ignore[import-untyped]

    people = People(app.academy)

    def client_of(member: Any) -> Client:
        client = Client()
        if member is not None:
            client.post("/login", {"member": member})
        return client

    # The catalogue links each course only for those who may open it.
    page = client_of(people.linus).get("/catalogue").content.decode()
    assert f"/courses/{people.course}" in page and f"/courses/{people.other}" not in page
    assert "/pricing" not in page
    assert "/pricing" in client_of(people.admin).get("/catalogue").content.decode()
    assert "/courses/" not in client_of(None).get("/catalogue").content.decode()
    check(people, lambda path, member: int(client_of(member).get(path).status_code))
