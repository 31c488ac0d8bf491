"""The console example apps (Flask and FastAPI), driven with each framework's own test client:
sign in, the back office at the app's prefix, a form, a forged post, "Log in as"."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).parents[2] / "examples" / "python"
sys.path.insert(0, str(EXAMPLES))


def token_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "a form"
    return found.group(1)


def test_flask_app_mounts_the_console_at_back_office() -> None:
    pytest.importorskip("flask")
    app = importlib.import_module("console_flask").create_app()
    client = app.test_client()
    assert client.get("/back-office/customers").status_code == 303, "to the app's login page"
    login = client.get("/login").get_data(as_text=True)
    admin = re.search(r'value="([^"]+)">Sign in as the admin', login)
    assert admin
    client.post("/login", data={"member": admin.group(1)})
    page = client.get("/back-office/customers").get_data(as_text=True).replace("&#x2f;", "/")
    assert "Grace Hopper" in page and 'href="/back-office/customers/new"' in page
    form = client.get("/back-office/customers/new").get_data(as_text=True)
    origin = {"Origin": "http://localhost"}
    forged = client.post("/back-office/customers", data={"email": "new@example.com"}, headers=origin)
    assert forged.status_code == 403
    added = client.post("/back-office/customers", data={"csrf": token_of(form), "email": "new@example.com"}, headers=origin)
    assert added.status_code == 303 and added.headers["Location"].startswith("/back-office/")
    # Log in as Grace: the token lands in the app's session, never in a URL.
    grace = re.search(r'href="/back-office/customers/([0-9a-f-]+)">Grace', page)
    assert grace
    impersonate = f"/back-office/members/{grace.group(1)}/impersonate"
    html = client.get(impersonate).get_data(as_text=True)
    started = client.post(impersonate, data={"csrf": token_of(html), "reason": "Ticket 1"}, headers=origin)
    assert started.status_code == 303 and started.headers["Location"] == "/"
    assert "token" not in started.headers["Location"]
    assert "Viewing the site as grace@example.com" in client.get("/").get_data(as_text=True)


def test_fastapi_app_mounts_the_console_at_staff() -> None:
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx")
    from fastapi.testclient import TestClient

    client = TestClient(importlib.import_module("console_fastapi").create_app(), base_url="http://testserver")
    assert client.get("/staff/customers", follow_redirects=False).status_code == 303
    login = client.get("/login").text
    admin = re.search(r'value="([^"]+)">Sign in as the admin', login)
    assert admin
    client.post("/login", data={"member": admin.group(1)}, follow_redirects=False)
    page = client.get("/staff/products").text.replace("&#x2f;", "/")
    assert "All Access" in page and 'action="/staff/products"' in page
    origin = {"Origin": "http://testserver"}
    forged = client.post("/staff/products", data={"name": "X", "kind": "course"}, headers=origin, follow_redirects=False)
    assert forged.status_code == 403
    created = client.post("/staff/products", data={"csrf": token_of(page), "name": "Lounge", "kind": "community"},
                          headers=origin, follow_redirects=False)
    assert created.status_code == 303 and created.headers["location"] == "/staff/products"
    assert "Lounge" in client.get("/staff/products").text
