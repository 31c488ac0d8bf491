"""A long import's page grows as chunks are written, through WSGI and ASGI alike."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any, Dict, List
from urllib.parse import urlencode

import memberkit as mk
import memberkit.console

from test_console import SAME_SITE, SECRET, admin, asgi_messages, call_asgi, call_wsgi, footprint, token_of  # noqa: F401

LINES = "\n".join(f"p{i}@x.com" for i in range(2500))


def test_a_long_import_page_streams_its_progress_through_wsgi(hub: mk.Hub, tenant: mk.Tenant, admin: str) -> None:
    # Every import counts as long here: the page shows progress at once.
    console = mk.console.Console(hub, SECRET, progress_after=timedelta(0))
    app = memberkit.console.wsgi(console, tenant=lambda e: tenant.id, actor=lambda e: admin)
    token = token_of(call_wsgi(app, "GET", "/import")[2])
    body = urlencode({"csrf": token, "text": LINES, "mode": "grant"}).encode()
    environ: Dict[str, Any] = {
        "REQUEST_METHOD": "POST", "SCRIPT_NAME": "/back-office", "PATH_INFO": "/import/run",
        "QUERY_STRING": "", "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/x-www-form-urlencoded", **SAME_SITE,
    }
    seen: List[Any] = []
    chunks = [c.decode() for c in app(environ, lambda status, headers: seen.append((status, headers)))]
    status, headers = seen[0]
    assert status.startswith("200") and ("x-accel-buffering", "no") in headers
    assert "Checking the rows" in chunks[0] and "</html>" not in chunks[0]
    steps = [c for c in chunks if "<progress" in c]
    assert len(steps) >= 2 and 'value="2500" max="2500"' in steps[-1]
    assert "2500 created" in chunks[-1] and chunks[-1].rstrip().endswith("</html>")
    assert tenant.count_customers() == 2501


def test_a_long_import_page_streams_its_progress_through_asgi(hub: mk.Hub, tenant: mk.Tenant, admin: str) -> None:
    app: Any = memberkit.console.asgi(hub, secret=SECRET, tenant=lambda s: tenant.id, actor=lambda s: admin,
                                      progress_after=timedelta(0))
    token = token_of(call_asgi(app, "GET", "/import")[2])
    same = [(b"host", b"shop.example"), (b"origin", b"https://shop.example")]
    sent = asgi_messages(app, "POST", "/import/run", {"csrf": token, "text": LINES, "mode": "grant"}, same)
    start, *bodies = sent
    assert start["status"] == 200
    assert all(b["more_body"] for b in bodies[:-1]) and not bodies[-1].get("more_body")
    page = b"".join(b["body"] for b in bodies).decode()
    assert page.count("<progress") >= 2 and "2500 created" in page and page.rstrip().endswith("</html>")
    assert tenant.count_customers() == 2501


def test_a_long_import_refused_for_a_customer_is_a_plain_403(hub: mk.Hub, tenant: mk.Tenant) -> None:
    grace = tenant.add_customer(mk.SYSTEM, "grace@x.com").member.id
    app = memberkit.console.wsgi(hub, secret=SECRET, tenant=lambda e: tenant.id, actor=lambda e: grace)
    token = token_of(call_wsgi(app, "GET", "/import")[2])
    before = footprint(tenant)
    status, _, _ = call_wsgi(app, "POST", "/import/run", {"csrf": token, "text": LINES, "mode": "grant"}, SAME_SITE)
    assert status == 403 and footprint(tenant) == before
