"""What a Flask or Django app does with memberkit, without the framework.

Run: python examples/python/web_app.py   (after `pip install ./bindings-python`)

- on sign-up:   hub.claim(email)              -> pending invites become access
- on purchase:  tenant.grant(...)             -> access now
- on page view: tenant.has_access(...)        -> allow or 403
- on a cron:    hub.outbox() / hub.ack(...)   -> send your own emails
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import memberkit

DB = Path(tempfile.mkdtemp()) / "memberkit.db"
hub = memberkit.Hub.open(DB)  # open once at start-up; share across threads/requests

# One-time setup: a creator's hub with a paid course.
academy = hub.create_tenant("Ada's Academy")
course = academy.create_product(memberkit.SYSTEM, "Rust 101", "course")
ACADEMY_ID = academy.id


def tenant() -> memberkit.Tenant:
    return hub.tenant(ACADEMY_ID)


def invite_student(email: str) -> str:
    """The owner invites someone from the back office; returns the link for the email."""
    issued = tenant().invite(memberkit.SYSTEM, email, products=[course.id])
    return f"https://academy.example/join?token={issued.token}"


def on_signup(email: str) -> None:
    """POST /signup: the new user gets whatever their invites carried, in every tenant."""
    for accepted in hub.claim(email):
        print(f"signup {email}: {len(accepted.granted)} product(s) unlocked")


def on_purchase(email: str, product_id: str) -> None:
    """Stripe webhook: grant at once (an existing customer needs no invite)."""
    added = tenant().add_customer(memberkit.SYSTEM, email, products=[product_id], source="purchase")
    print(f"purchase by {email}: {added.outcome}")


def page_view(email: str, product_id: str) -> int:
    """GET /courses/<id>: 200 or 403."""
    member = tenant().member_by_email(email)
    allowed = member is not None and tenant().has_access(member.id, product_id)
    return 200 if allowed else 403


def drain_outbox() -> None:
    """Every minute: email what is meant to be emailed, then acknowledge everything."""
    events = hub.outbox(limit=100)
    for event in events:
        if event.channel == "email":
            print(f"email: {event.kind} -> {event.payload.get('email')}")
        else:  # "in_app" notices and "system" events: the app's own handling
            print(f"{event.channel}: {event.kind}")
    hub.ack([e.id for e in events])


if __name__ == "__main__":
    link = invite_student("lin@example.com")
    print("invite link:", link.split("token=")[0] + "token=mki_…")
    assert page_view("lin@example.com", course.id) == 403
    on_signup("Lin@Example.com")
    assert page_view("lin@example.com", course.id) == 200
    on_purchase("grace@example.com", course.id)
    assert page_view("grace@example.com", course.id) == 200
    try:
        tenant().accept("mki_" + "0" * 64)
    except memberkit.NotFoundError as err:
        print(f"bad link -> {err.code}")
    drain_outbox()
    assert hub.outbox() == []
    print("ok")
    sys.exit(0)
