"""The console's pages through the WSGI and ASGI adapters, as a host mounts them."""

from __future__ import annotations

import asyncio
import io
import re
from typing import Any, Dict, List, MutableMapping, Optional, Tuple
from urllib.parse import urlencode

import pytest

import memberkit as mk
import memberkit.console

SECRET = b"a secret of the host's, 32 bytes long"
SAME_SITE = {"HTTP_HOST": "shop.example", "HTTP_ORIGIN": "https://shop.example"}


def call_wsgi(app: Any, method: str, path: str, form: Optional[Dict[str, str]] = None,
              extra: Optional[Dict[str, str]] = None) -> Tuple[int, Dict[str, str], str]:
    path, _, query = path.partition("?")
    body = urlencode(form or {}).encode()
    environ: Dict[str, Any] = {
        "REQUEST_METHOD": method, "SCRIPT_NAME": "/back-office", "PATH_INFO": path,
        "QUERY_STRING": query, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
        **(extra or {}),
    }
    if form is not None:
        environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    seen: List[Any] = []
    chunks = app(environ, lambda status, headers: seen.append((status, headers)))
    status, headers = seen[0]
    return int(status.split()[0]), dict((k.lower(), v) for k, v in headers), b"".join(chunks).decode()


def token_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "a form"
    return found.group(1)


@pytest.fixture
def admin(tenant: mk.Tenant) -> str:
    return tenant.add_customer(mk.SYSTEM, "admin@x.com", role="admin").member.id


def footprint(tenant: mk.Tenant) -> Tuple[int, int]:
    return len(tenant.audit(limit=1000)), len(tenant.outbox(1000))


def test_wsgi_pages_forms_and_refusals(hub: mk.Hub, tenant: mk.Tenant, admin: str, course: Any) -> None:
    signed_in: Dict[str, Optional[str]] = {"actor": admin}
    app = memberkit.console.wsgi(
        hub, secret=SECRET, tenant=lambda environ: tenant.id, actor=lambda environ: signed_in["actor"]
    )
    status, headers, html = call_wsgi(app, "GET", "/customers")
    assert status == 200 and 'href="/back-office/customers/new"' in html.replace("&#x2f;", "/")
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    token = token_of(call_wsgi(app, "GET", "/customers/new")[2])
    before = footprint(tenant)
    forged = call_wsgi(app, "POST", "/customers", {"email": "lin@x.com"}, SAME_SITE)
    assert forged[0] == 403 and footprint(tenant) == before
    cross = call_wsgi(app, "POST", "/customers", {"csrf": token, "email": "lin@x.com"},
                      {"HTTP_HOST": "shop.example", "HTTP_ORIGIN": "https://evil.example"})
    assert cross[0] == 403 and footprint(tenant) == before
    added = call_wsgi(app, "POST", "/customers", {"csrf": token, "email": "lin@x.com", "product": course.id}, SAME_SITE)
    assert added[0] == 303 and added[1]["location"].startswith("/back-office/")
    lin = tenant.member_by_email("lin@x.com")
    assert lin is not None and tenant.has_access(lin.id, course.id)
    signed_in["actor"] = None
    assert call_wsgi(app, "GET", "/customers")[0] == 401


def test_log_in_as_hands_the_token_to_the_host(hub: mk.Hub, tenant: mk.Tenant, admin: str) -> None:
    ada = tenant.add_customer(mk.SYSTEM, "ada@x.com").member.id
    handed: List[mk.Handoff] = []

    def keep(environ: Any, handoff: mk.Handoff) -> List[Tuple[str, str]]:
        handed.append(handoff)
        return [("set-cookie", "host_session=viewing-as; HttpOnly")]

    app = memberkit.console.wsgi(hub, secret=SECRET, tenant=lambda e: tenant.id, actor=lambda e: admin, on_handoff=keep)
    token = token_of(call_wsgi(app, "GET", f"/members/{ada}/impersonate")[2])
    status, headers, html = call_wsgi(app, "POST", f"/members/{ada}/impersonate",
                                      {"csrf": token, "reason": "Ticket 7", "minutes": "5"}, SAME_SITE)
    assert status == 200 and "You are now viewing as" in html
    assert headers["set-cookie"] == "host_session=viewing-as; HttpOnly"
    [handoff] = handed
    assert handoff.kind == "impersonation" and handoff.impersonation is not None
    secret_token = handoff.impersonation.token
    assert tenant.verify_impersonation(secret_token).target_id == ada
    assert secret_token not in html and secret_token not in repr(handoff)


def call_asgi(app: Any, method: str, path: str, form: Optional[Dict[str, str]] = None,
              headers: Optional[List[Tuple[bytes, bytes]]] = None) -> Tuple[int, Dict[str, str], str]:
    start, done = asgi_messages(app, method, path, form, headers)
    found = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], found, done["body"].decode()


def asgi_messages(app: Any, method: str, path: str, form: Optional[Dict[str, str]] = None,
                  headers: Optional[List[Tuple[bytes, bytes]]] = None) -> List[MutableMapping[str, Any]]:
    """What the app sends for one request below ``/staff``: the start, then each body part."""
    body = urlencode(form or {}).encode()
    path, _, query = path.partition("?")
    scope = {"type": "http", "method": method, "root_path": "/staff", "path": "/staff" + path,
             "query_string": query.encode(),
             "headers": (headers or []) + [(b"content-type", b"application/x-www-form-urlencoded")]}
    sent: List[MutableMapping[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def test_asgi_follows_the_mount_prefix_and_checks_forms(hub: mk.Hub, tenant: mk.Tenant, admin: str) -> None:
    app = memberkit.console.asgi(hub, secret=SECRET, tenant=lambda s: tenant.id, actor=lambda s: admin)
    status, _, html = call_asgi(app, "GET", "/products")
    assert status == 200 and "/staff/products" in html.replace("&#x2f;", "/")
    token = token_of(html)
    before = footprint(tenant)
    same = [(b"host", b"shop.example"), (b"origin", b"https://shop.example")]
    assert call_asgi(app, "POST", "/products", {"name": "Lounge", "kind": "course"}, same)[0] == 403
    assert footprint(tenant) == before
    created = call_asgi(app, "POST", "/products", {"csrf": token, "name": "Lounge", "kind": "course"}, same)
    assert created[0] == 303 and created[1]["location"] == "/staff/products"
    assert "Lounge" in [p.name for p in tenant.products()]


def test_the_invitee_pages_move_the_token_out_of_the_url(hub: mk.Hub, tenant: mk.Tenant) -> None:
    issued = tenant.invite(mk.SYSTEM, "lin@x.com")
    accepted: List[mk.Handoff] = []

    def to_sign_up(environ: Any, handoff: mk.Handoff) -> str:
        accepted.append(handoff)
        return "/signup?" + urlencode({"email": handoff.email})

    app = memberkit.console.invitee_wsgi(hub, secret=SECRET, signed_in=lambda e: None, on_handoff=to_sign_up)
    status, headers, _ = call_wsgi(app, "GET", "/?" + urlencode({"token": issued.token}))
    assert status == 303 and headers["location"] == "/back-office/"
    cookie = headers["set-cookie"].split(";")[0]
    status, _, html = call_wsgi(app, "GET", "/", extra={"HTTP_COOKIE": cookie})
    assert status == 200 and "lin@x.com" in html and issued.token not in html
    done = call_wsgi(app, "POST", "/accept", {"csrf": token_of(html)}, {**SAME_SITE, "HTTP_COOKIE": cookie})
    assert done[0] == 303 and accepted[0].kind == "accepted" and accepted[0].email == "lin@x.com"
    assert done[1]["location"] == "/signup?email=lin%40x.com"
    assert "Max-Age=0" in done[1]["set-cookie"], "the link's cookie is cleared"
    assert tenant.get_invite(issued.invite.id).status == "accepted"


def test_a_console_response_repr_leaves_the_body_out(hub: mk.Hub, tenant: mk.Tenant, admin: str) -> None:
    console = mk.console.Console(hub, SECRET)
    response = console.handle("GET", "/bo", "/customers", "", [], b"", tenant.id, admin)
    assert response.status == 200 and b"<html" in response.body
    assert "bytes>" in repr(response) and "<html" not in repr(response)
    with pytest.raises(mk.InvalidInputError):
        mk.console.Console(hub, SECRET, templates={"nope.html": "x"})
    # A malformed tenant id is the host's mistake: raised. A well-formed unknown one is a page.
    with pytest.raises(mk.InvalidInputError):
        console.handle("GET", "/bo", "/customers", "", [], b"", "not-a-tenant", admin)
    unknown = console.handle("GET", "/bo", "/customers", "", [], b"", admin, admin)
    assert unknown.status == 404
