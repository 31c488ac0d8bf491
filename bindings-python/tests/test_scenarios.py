"""Runs the cross-language scenario files in ../../tests/scenarios (format: tests/README.md)."""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import memberkit as mk

SCENARIOS = sorted((Path(__file__).parents[2] / "tests" / "scenarios").glob("*.json"))

# Every scenario runs on SQLite, and on PostgreSQL when a server is given
# (`eval "$(scripts/postgres start)"`), each run in a schema of its own.
POSTGRES = os.environ.get("MEMBERKIT_TEST_POSTGRES")
STORES = ["sqlite"] + (["postgres"] if POSTGRES else [])


def target(store: str) -> str:
    if store == "sqlite":
        return ":memory:"
    assert POSTGRES
    sep = "&" if "?" in POSTGRES else "?"
    return f"{POSTGRES}{sep}options=-csearch_path%3Dmk_py_{uuid.uuid4().hex},public"


class Runner:
    def __init__(self, store: str) -> None:
        self.clock = mk.ManualClock(datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc))
        self.hub = mk.Hub.open(target(store), self.clock)
        self.vars: dict[str, Any] = {}

    def resolve(self, v: Any) -> Any:
        if isinstance(v, str) and v.startswith("$"):
            name, _, field = v[1:].partition(".")
            value = self.vars[name]
            return value[field] if field else value
        if isinstance(v, list):
            return [self.resolve(i) for i in v]
        if isinstance(v, dict):
            return {k: self.resolve(i) for k, i in v.items()}
        return v

    def arg(self, step: dict, key: str, default: Any = None) -> Any:
        return self.resolve(step[key]) if key in step else default

    def bind(self, step: dict, value: Any) -> None:
        if "as" in step:
            self.vars[step["as"]] = value

    def run(self, step: dict) -> Any:
        op = step["op"]
        a = lambda k, d=None: self.arg(step, k, d)  # noqa: E731
        t: Any = self.hub.tenant(a("tenant")) if "tenant" in step else None
        actor = a("actor", mk.SYSTEM)
        if op == "create_tenant":
            secs = step.get("invite_lifetime_secs")
            lifetime = timedelta(seconds=secs) if secs else None
            tenant = self.hub.create_tenant(a("name"), invite_lifetime=lifetime)
            self.bind(step, tenant.id)
            return tenant.id
        if op == "create_product":
            p = t.create_product(actor, a("name"), a("kind"), paid=a("paid"), metadata=a("metadata"))
            self.bind(step, p.id)
            return p.id
        if op == "archive_product":
            t.archive_product(actor, a("product"))
            return None
        if op == "add_customer":
            added = t.add_customer(
                actor, a("email"), name=a("name"), external_id=a("external_id"), products=a("products", []),
                role=a("role", "customer"), password=a("password"), temporary_password=a("temporary_password"),
                metadata=a("metadata"),
            )
            self.bind(step, {"id": added.member.id, "temporary_password": added.temporary_password})
            return added.outcome
        if op == "grant":
            later = {
                option: self.hub.now() + timedelta(seconds=step[key])
                for option, key in (("expires_at", "expires_in_secs"), ("starts_at", "starts_in_secs"))
                if key in step
            }
            t.grant(actor, a("member"), a("product"), **later)
            return None
        if op == "revoke":
            return t.revoke(actor, a("member"), a("product")) is not None
        if op == "has_access":
            return t.has_access(a("member"), a("product"))
        if op == "member_status":
            return t.member(a("member")).status
        if op == "copy_invite_link":
            issued = t.copy_invite_link(actor, a("invite"))
            self.bind(step, {"id": issued.invite.id, "token": issued.token, "member": issued.invite.member_id})
            return None
        if op in ("invite", "resend_invite"):
            if op == "invite":
                lifetime = timedelta(seconds=step["lifetime_secs"]) if "lifetime_secs" in step else None
                issued = t.invite(
                    actor, a("email"), products=a("products", []), role=a("role", "customer"),
                    workspace=a("workspace"), lifetime=lifetime, message=a("message"), metadata=a("metadata"),
                )
            else:
                issued = t.resend_invite(actor, a("invite"))
            self.bind(step, {"id": issued.invite.id, "token": issued.token, "member": issued.invite.member_id})
            return issued.merged if op == "invite" else None
        if op == "revoke_invite":
            t.revoke_invite(actor, a("invite"))
            return None
        if op == "invite_details":
            invite = t.get_invite(a("invite"))
            left = invite.expires_at - self.hub.now()
            return {"status": invite.status, "message": invite.message, "expires_in_secs": int(left.total_seconds())}
        if op == "invite_status":
            return t.get_invite(a("invite")).status
        if op == "accept":
            accepted = t.accept(a("token"), a("email"))
            self.bind(step, {"id": accepted.member.id})
            return None
        if op in ("claim", "accept_suggestion"):
            claimed = t.claim(a("email")) if op == "claim" else t.accept_suggestion(a("email"))
            if claimed is None:
                return None
            self.bind(step, {"id": claimed.member.id})
            return {"id": claimed.member.id}
        if op == "decline":
            return t.decline(a("token"), a("email")).status
        if op == "decline_pending":
            declined = t.decline_pending(a("email"))
            return None if declined is None else declined.status
        if op == "hub_invites_for":
            return sorted(i.tenant_name for i in self.hub.invites_for(a("email")))
        if op == "hub_memberships_of":
            rows = sorted(self.hub.memberships_of(a("email")), key=lambda m: m.tenant_name)
            return [{"tenant": m.tenant_name, "role": m.role, "status": m.member.status} for m in rows]
        if op == "hub_claim":
            return len(self.hub.claim(a("email")))
        if op == "advance":
            self.clock.advance(timedelta(seconds=step["secs"]))
            return None
        if op == "sweep":
            return self.hub.sweep().events
        if op == "outbox_kinds":
            return [e.kind for e in t.outbox(1000)]
        if op == "ack_all":
            return t.ack([e.id for e in t.outbox(1000)])
        if op == "create_workspace":
            w = t.create_workspace(actor, a("name"))
            self.bind(step, w.id)
            return w.id
        if op == "create_role":
            r = t.create_role(actor, a("name"), a("permissions"))
            self.bind(step, r.id)
            return r.id
        if op == "assign_role":
            t.assign_role(actor, a("member"), a("role"), a("workspace"))
            return None
        if op == "add_to_workspace":
            t.add_to_workspace(actor, a("member"), a("workspace"), a("role"))
            return None
        if op == "can":
            return t.can(a("member"), a("permission"), a("workspace"))
        if op == "deactivate":
            return t.deactivate(actor, a("member")).status
        if op == "reactivate":
            return t.reactivate(actor, a("member")).status
        if op == "remove_member":
            t.remove_member(actor, a("member"))
            return None
        if op == "set_password":
            t.set_password(actor, a("member"), a("password"), must_change=a("must_change", False))
            return None
        if op == "verify_password":
            check = t.verify_password(a("email"), a("password"))
            return None if check is None else {"member": check.member.id, "must_change": check.must_change}
        if op == "impersonate":
            minutes = step.get("minutes")
            issued = t.impersonate(actor, a("target"), a("reason"), duration=timedelta(minutes=minutes) if minutes else None)
            self.bind(step, {"id": issued.session.id, "token": issued.token})
            return None
        if op == "verify_impersonation":
            s = t.verify_impersonation(a("token"))
            return {"actor": s.actor_id, "target": s.target_id}
        if op == "end_impersonation":
            t.end_impersonation(a("token"))
            return None
        return self.run_more(op, t, actor, a, step)

    def run_more(self, op: str, t: Any, actor: str, a: Any, step: dict) -> Any:
        """Lists, import, export, audit, settings, roles and workspaces."""
        filters = {k: a(k) for k in ("search", "status", "product", "no_access", "workspace") if k in step}
        if op == "import":
            text = step["text"] if isinstance(step["text"], str) else "\n".join(step["text"])
            options = {k: a(k) for k in ("format", "mode", "products", "role", "workspace", "dry_run", "skip_invalid") if k in step}
            report = t.import_customers(actor, text, **options)
            return {"applied": report.applied, "outcomes": [r.outcome for r in report.rows]}
        if op == "customers":
            page = t.customers(**filters, sort=a("sort"), cursor=a("cursor"), limit=a("limit"))
            self.bind(step, {"next": page.next_cursor})
            return {"emails": [r.member.email for r in page.rows], "more": page.next_cursor is not None}
        if op == "count_customers":
            return t.count_customers(**filters)
        if op == "export_customers":
            return t.export_customers(**filters, sort=a("sort")).splitlines()
        if op == "audit_actions":
            return [e.action for e in t.audit(actor=a("by"), subject=a("subject"), limit=a("limit"))]
        if op == "update_settings":
            names = ("invite_lifetime", "max_impersonation", "max_invite_lifetime")
            secs = {k: timedelta(seconds=step[k + "_secs"]) for k in names if k + "_secs" in step}
            info = t.update_settings(actor, **secs)
            return {k + "_secs": getattr(info, k + "_seconds") for k in names}
        if op == "update_role":
            t.update_role(actor, a("role"), a("name"), a("permissions"))
            return None
        if op == "delete_role":
            t.delete_role(actor, a("role"))
            return None
        if op == "role_names":
            return [r.name for r in t.roles()]
        if op == "workspace_names":
            return [w.name for w in t.workspaces()]
        if op == "workspace_members":
            return [{"member": m.member.id, "role": m.role} for m in t.workspace_members(a("workspace"))]
        if op == "remove_from_workspace":
            return t.remove_from_workspace(actor, a("member"), a("workspace"))
        if op == "add_domain":
            options = {k: a(k) for k in ("enrollment", "role") if k in step}
            return t.add_domain(actor, a("workspace"), a("domain"), **options).domain
        if op == "remove_domain":
            return t.remove_domain(actor, a("workspace"), a("domain"))
        if op == "include_in_bundle":
            return [p.name for p in t.include_in_bundle(actor, a("bundle"), a("product"))]
        if op == "remove_from_bundle":
            return t.remove_from_bundle(actor, a("bundle"), a("product"))
        if op == "access_via":
            return [{"product": x.product.name, "via": x.via} for x in t.access(a("member"))]
        if op == "update_member_metadata":
            return t.update_member_metadata(actor, a("member"), a("metadata")).metadata
        if op == "update_product_metadata":
            return t.update_product_metadata(actor, a("product"), a("metadata")).metadata
        if op == "member_metadata":
            return t.member(a("member")).metadata
        if op == "product_metadata":
            return t.product(a("product")).metadata
        if op == "invite_metadata":
            return t.get_invite(a("invite")).metadata
        if op in ("set_seat_limit", "seats"):
            where = {"workspace": a("workspace")} if "workspace" in step else {}
            seats = t.set_seat_limit(actor, a("limit"), **where) if op == "set_seat_limit" else t.seats(**where)
            return {"limit": seats.limit, "taken": seats.taken, "available": seats.available}
        raise AssertionError(f"unknown op {op}")


@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path: Path, store: str) -> None:
    assert len(SCENARIOS) >= 6
    runner = Runner(store)
    for i, step in enumerate(json.loads(path.read_text())["steps"], 1):
        where = f"{path.name} step {i}: {step}"
        if "error" in step:
            with pytest.raises(mk.MemberkitError) as err:
                runner.run(step)
            assert err.value.code == step["error"], where
        else:
            value = runner.run(step)
            if "expect" in step:
                assert value == runner.resolve(step["expect"]), where
