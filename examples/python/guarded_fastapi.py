"""A FastAPI course site whose routes memberkit guards, as dependencies: a course only for
members with access to it, pricing only for those holding the ``pricing`` permission.

Run:  pip install "./bindings-python[fastapi]" uvicorn itsdangerous
      uvicorn --app-dir examples/python guarded_fastapi:app
"""

from __future__ import annotations

import secrets

from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.middleware.sessions import SessionMiddleware

import memberkit as mk
from memberkit.guards.fastapi import Guard

from demo_seed import seed, sign_in_page


def create_app(hub: mk.Hub) -> FastAPI:
    academy = seed(hub)
    app = FastAPI()
    app.add_middleware(SessionMiddleware, secret_key=secrets.token_hex(32))
    guard = Guard(hub, tenant=academy, member=lambda request: request.session.get("member"))
    course_of = guard.require_access(lambda request: request.path_params["course"])

    @app.get("/courses/{course}", response_class=HTMLResponse, dependencies=[Depends(course_of)])
    def course(course: str) -> str:
        return f"<h1>{academy.product(course).name}</h1>"

    @app.get("/pricing", response_class=HTMLResponse)
    def pricing(member: str = Depends(guard.require_permission("pricing"))) -> str:
        return f"<h1>Pricing</h1><p>for {academy.member(member).email}</p>"

    @app.get("/", response_class=HTMLResponse)
    def home() -> str:
        return sign_in_page(academy)

    @app.post("/login")
    def login(request: Request, member: str = Form()) -> RedirectResponse:
        request.session["member"] = member
        return RedirectResponse("/", status_code=303)

    return app


if __name__ != "__main__":
    app = create_app(mk.Hub.open(":memory:"))
