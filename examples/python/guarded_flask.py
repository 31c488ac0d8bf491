"""A Flask course site whose routes memberkit guards: a course page only for members with
access to it, a pricing page only for those holding the ``pricing`` permission.

Run:  pip install "./bindings-python[flask]" && python examples/python/guarded_flask.py
Then open http://127.0.0.1:8000/ (sign in as someone, then try their course pages).
"""

from __future__ import annotations

import secrets

from flask import Flask, redirect, request, session

import memberkit as mk
from memberkit.guards.flask import Guard

from demo_seed import seed, sign_in_page


def create_app(hub: mk.Hub) -> Flask:
    academy = seed(hub)
    app = Flask(__name__)
    app.secret_key = secrets.token_bytes(32)
    guard = Guard(hub, tenant=academy, member=lambda request: session.get("member"))

    @app.get("/courses/<course>")
    @guard.require_access(lambda request: request.view_args["course"])
    def course(course: str) -> str:
        return f"<h1>{academy.product(course).name}</h1>"

    @app.get("/pricing")
    @guard.require_permission("pricing")
    def pricing() -> str:
        return "<h1>Pricing</h1>"

    @app.get("/")
    def home() -> str:
        return sign_in_page(academy)

    @app.post("/login")
    def login():  # type: ignore[no-untyped-def]
        session["member"] = request.form["member"]
        return redirect("/")

    return app


if __name__ == "__main__":
    create_app(mk.Hub.open(":memory:")).run(port=8000)
