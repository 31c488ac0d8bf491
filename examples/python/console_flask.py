"""A Flask app with memberkit's back office mounted at /back-office and the invitee's pages at
/invite. The app owns sign-in (a demo "sign in as" page here); the console runs as whoever is
signed in, so memberkit's permissions and rank rules decide what each person may do.

Run:  pip install ./bindings-python flask && python examples/python/console_flask.py
Then open http://127.0.0.1:8000/ (MEMBERKIT_DATABASE picks a database; default in memory).
"""

from __future__ import annotations

import os
import secrets
from typing import Any, Dict, List, Optional, Tuple, Union
from urllib.parse import urlencode

from flask import Flask, redirect, request, session
from markupsafe import escape
from werkzeug.middleware.dispatcher import DispatcherMiddleware

import memberkit as mk
import memberkit.console

from demo_seed import seed, sign_in_page


def create_app(database: str = ":memory:", secret: Optional[bytes] = None) -> Flask:
    hub = mk.Hub.open(database)
    academy = seed(hub)
    secret = secret or secrets.token_bytes(32)
    app = Flask(__name__)
    app.secret_key = secret

    def signed_in(environ: Dict[str, Any]) -> Optional[str]:
        # The host's own session, read from the request the console is answering.
        with app.request_context(environ):
            member = session.get("member")
            return member if isinstance(member, str) else None

    def email_of(environ: Dict[str, Any]) -> Optional[str]:
        member = signed_in(environ)
        return academy.member(member).email if member else None

    def view_as(environ: Dict[str, Any], handoff: mk.Handoff) -> Union[None, str, List[Tuple[str, str]]]:
        if handoff.kind == "impersonation" and handoff.impersonation is not None:
            # "Log in as": the token goes into the app's own session (never a URL), then the
            # admin sees the site as that member does.
            with app.request_context(environ):
                session["view_as_token"] = handoff.impersonation.token
                saved = app.response_class()
                app.session_interface.save_session(app, session, saved)  # type: ignore[arg-type]
            return [("set-cookie", c) for c in saved.headers.getlist("set-cookie")] + [("location", "/")]
        # An accepted invite: on to sign-up with the email filled in.
        return "/signup?" + urlencode({"email": handoff.email or ""})

    back_office = memberkit.console.wsgi(
        hub, secret=secret, tenant=lambda environ: academy.id, actor=signed_in,
        on_handoff=view_as, login_url="/login", invite_links="/invite/?token=", site_url="/",
    )
    invites = memberkit.console.invitee_wsgi(hub, secret=secret, signed_in=email_of, on_handoff=view_as, site_url="/")
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/back-office": back_office, "/invite": invites})  # type: ignore[method-assign]

    @app.get("/")
    def home() -> str:
        who = academy.member(session["member"]).email if session.get("member") else None
        note = ""
        if session.get("view_as_token"):
            # Checked on every request: it ends by itself, or when the member is deactivated.
            try:
                viewing = academy.verify_impersonation(session["view_as_token"])
                note = f"<p class=viewing>Viewing the site as {escape(academy.member(viewing.target_id).email)}.</p>"
            except mk.MemberkitError:
                session.pop("view_as_token")
        return (f"<h1>Ada's Academy</h1>{note}<p>Signed in as {escape(who or 'nobody')}.</p>"
                '<p><a href="/back-office/">Back office</a> · <a href="/invite/workspaces">Your workspaces</a>'
                ' · <a href="/login">Sign in</a></p>')

    @app.get("/login")
    def login_form() -> str:
        return sign_in_page(academy)

    @app.post("/login")
    def login() -> Any:
        session["member"] = request.form["member"]
        return redirect("/back-office/")

    @app.get("/signup")
    def signup() -> str:
        return f"<h1>Create your account</h1><p>Email: {escape(request.args.get('email', ''))}</p>"

    return app


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8000"))
    create_app(os.environ.get("MEMBERKIT_DATABASE", ":memory:")).run("127.0.0.1", port)
