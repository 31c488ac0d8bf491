"""A FastAPI app with memberkit's back office mounted at /staff (ASGI) and the invitee's pages
at /invite. The app owns sign-in (a demo "sign in as" page, a signed cookie); the console runs
as whoever is signed in, on a worker thread, so the event loop never waits on the database.

Run:  pip install ./bindings-python fastapi uvicorn && python examples/python/console_fastapi.py
Then open http://127.0.0.1:8000/ (MEMBERKIT_DATABASE picks a database; default in memory).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from typing import Any, List, Optional, Tuple, Union
from urllib.parse import urlencode

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

import memberkit as mk
import memberkit.console

from demo_seed import seed, sign_in_page

COOKIE = "demo_session"


def create_app(database: str = ":memory:", secret: Optional[bytes] = None) -> FastAPI:
    hub = mk.Hub.open(database)
    academy = seed(hub)
    key = secret or secrets.token_bytes(32)

    def sign(value: str) -> str:
        return value + "." + hmac.new(key, value.encode(), hashlib.sha256).hexdigest()

    def unsign(cookie: Optional[str]) -> Optional[str]:
        value, _, mac = (cookie or "").rpartition(".")
        return value if value and hmac.compare_digest(sign(value), cookie or "") else None

    def cookie_of(scope: Any) -> Optional[str]:
        return Request(scope).cookies.get(COOKIE)

    def signed_in(scope: Any) -> Optional[str]:
        return unsign(cookie_of(scope))

    def email_of(scope: Any) -> Optional[str]:
        member = signed_in(scope)
        return academy.member(member).email if member else None

    def handoff(scope: Any, given: mk.Handoff) -> Union[str, List[Tuple[str, str]]]:
        if given.kind == "impersonation" and given.impersonation is not None:
            # The token goes into an HttpOnly cookie of the app's own (never a URL).
            cookie = f"view_as={given.impersonation.token}; Path=/; HttpOnly; SameSite=Lax"
            return [("set-cookie", cookie), ("location", "/")]
        return "/signup?" + urlencode({"email": given.email or ""})

    app = FastAPI()
    app.mount("/staff", memberkit.console.asgi(
        hub, secret=key, tenant=lambda scope: academy.id, actor=signed_in, on_handoff=handoff,
        login_url="/login", invite_links="/invite/?token=", site_url="/",
    ))
    app.mount("/invite", memberkit.console.invitee_asgi(hub, secret=key, signed_in=email_of, on_handoff=handoff))

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> str:
        note = ""
        if request.cookies.get("view_as"):
            try:
                viewing = academy.verify_impersonation(request.cookies["view_as"])
                note = f"<p>Viewing the site as {academy.member(viewing.target_id).email}.</p>"
            except mk.MemberkitError:
                pass
        return f'<h1>Ada\'s Academy</h1>{note}<p><a href="/staff/">Back office</a> · <a href="/login">Sign in</a></p>'

    @app.get("/login", response_class=HTMLResponse)
    def login_form() -> str:
        return sign_in_page(academy)

    @app.post("/login")
    def login(member: str = Form(...)) -> RedirectResponse:
        answer = RedirectResponse("/staff/", status_code=303)
        answer.set_cookie(COOKIE, sign(member), httponly=True, samesite="lax")
        return answer

    return app


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(create_app(os.environ.get("MEMBERKIT_DATABASE", ":memory:")), host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
