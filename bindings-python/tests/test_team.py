from __future__ import annotations

from datetime import timedelta

import pytest

import memberkit as mk


def staff(tenant, email, role):
    return tenant.add_customer(mk.SYSTEM, email, role=role).member.id


def test_roles_permissions_and_workspaces(tenant):
    owner = staff(tenant, "owner@x.com", "admin")
    member = staff(tenant, "m@x.com", "member")
    assert tenant.can(owner, "pricing") and not tenant.can(member, "pricing")
    assert set(mk.PERMISSIONS) >= {"pricing", "payment", "users.manage", "impersonate"}
    billing = tenant.create_role(owner, "Billing", ["payment", "customers.manage"])
    assert billing.permissions == ("customers.manage", "payment")
    bill = staff(tenant, "bill@x.com", "customer")
    tenant.assign_role(owner, bill, billing.id)
    assert tenant.role(bill) == billing.id and tenant.can(bill, "payment")
    with pytest.raises(mk.PermissionDeniedError):
        tenant.create_role(member, "Sneaky", ["pricing"])
    with pytest.raises(mk.ConflictError):
        tenant.delete_role(owner, billing.id)
    tenant.update_role(owner, billing.id, "Billing", ["payment"])
    assert [r.name for r in tenant.roles()] == ["Billing"]

    acme = tenant.create_workspace(owner, "Acme")
    assert [w.name for w in tenant.workspaces()] == ["Acme"] and tenant.workspace(acme.id) == acme
    boss = staff(tenant, "boss@acme.com", "customer")
    tenant.add_to_workspace(owner, boss, acme.id, "admin")
    assert tenant.can(boss, "users.manage", acme.id) and not tenant.can(boss, "users.manage")
    assert [e.kind for e in tenant.outbox()] == ["member.added_to_workspace"]
    assert [w.member.id for w in tenant.workspace_members(acme.id)] == [boss]
    assert {a.workspace for a in tenant.assignments(boss)} == {None, acme.id}
    assert tenant.assign_role(owner, boss, "member", acme.id).role == "member"
    assert tenant.remove_from_workspace(owner, boss, acme.id)
    with pytest.raises(mk.ConflictError):
        tenant.assign_role(owner, owner, "member")


def test_the_team_and_who_may_manage_whom(tenant):
    owner = staff(tenant, "owner@x.com", "admin")
    member = staff(tenant, "m@x.com", "member")
    cleo = staff(tenant, "cleo@x.com", "customer")
    team = tenant.team()
    assert [(t.member.id, [(a.role, a.workspace) for a in t.roles]) for t in team] == [
        (owner, [("admin", None)]),
        (member, [("member", None)]),
    ]
    assert isinstance(team[0].roles, tuple)
    audit_before = len(tenant.audit())
    assert tenant.may_manage(owner, member) and tenant.may_manage(member, cleo)
    assert not tenant.may_manage(member, owner)
    assert tenant.may_manage(mk.SYSTEM, owner)
    assert len(tenant.audit()) == audit_before
    with pytest.raises(mk.NotFoundError):
        tenant.may_manage(owner, "00000000-0000-7000-8000-000000000000")


def test_deactivate_remove_and_passwords(tenant, course):
    m = tenant.add_customer(mk.SYSTEM, "c@x.com", products=[course.id]).member
    assert tenant.deactivate(mk.SYSTEM, m.id).status == "deactivated"
    assert not tenant.has_access(m.id, course.id)
    assert tenant.reactivate(mk.SYSTEM, m.id).status == "active"
    tenant.set_password(m.id, m.id, "correct horse battery")
    check = tenant.verify_password("C@x.com", "correct horse battery")
    assert check is not None and check.member.id == m.id and not check.must_change
    assert tenant.verify_password("c@x.com", "wrong password") is None
    assert tenant.verify_password("ghost@x.com", "correct horse battery") is None
    with pytest.raises(mk.InvalidInputError):
        tenant.set_password(mk.SYSTEM, m.id, "short")
    tenant.deactivate(mk.SYSTEM, m.id)
    with pytest.raises(mk.MemberDeactivatedError):
        tenant.verify_password("c@x.com", "correct horse battery")
    tenant.remove_member(mk.SYSTEM, m.id)
    with pytest.raises(mk.NotFoundError):
        tenant.member(m.id)
    assert tenant.member_by_email("c@x.com") is None


def test_impersonation(tenant, clock):
    admin = staff(tenant, "a@x.com", "admin")
    other_admin = staff(tenant, "b@x.com", "admin")
    c = tenant.add_customer(mk.SYSTEM, "c@x.com").member
    with pytest.raises(mk.PermissionDeniedError):
        tenant.impersonate(admin, other_admin, "why")
    issued = tenant.impersonate(admin, c.id, "ticket 42", duration=timedelta(minutes=10))
    assert issued.token.startswith("mkimp_") and issued.token not in repr(issued)
    live = tenant.verify_impersonation(issued.token)
    assert (live.actor_id, live.target_id) == (admin, c.id)
    clock.advance(timedelta(minutes=10))
    with pytest.raises(mk.ImpersonationEndedError):
        tenant.verify_impersonation(issued.token)
    second = tenant.impersonate(admin, c.id, "again")
    assert tenant.end_impersonation(second.token).ended_at is not None
    actions = [e.action for e in tenant.audit(actor=admin)]
    assert actions.count("impersonation.started") == 2
    assert tenant.update_settings(mk.SYSTEM, max_impersonation=timedelta(minutes=5)).max_impersonation_seconds == 300


def test_audit_query_and_paging(tenant, course):
    for i in range(5):
        tenant.add_customer(mk.SYSTEM, f"m{i}@x.com", products=[course.id])
    everything = tenant.audit(limit=1000)
    seen, before = [], None
    while True:
        page = tenant.audit(before=before, limit=3)
        if not page:
            break
        seen += [e.id for e in page]
        before = page[-1].id
    assert seen == [e.id for e in everything]
    assert all(e.at.tzinfo is not None for e in everything)


def test_seat_limits_cap_the_tenant_and_a_workspace(tenant, course):
    admin = tenant.add_customer(mk.SYSTEM, "admin@x.com", role="admin").member.id
    acme = tenant.create_workspace(mk.SYSTEM, "Acme")
    assert tenant.seats() == mk.Seats(workspace=None, limit=None, taken=1, available=None)
    with pytest.raises(mk.PermissionDeniedError):
        tenant.set_seat_limit(admin, 10)
    for bad in (0, -1, 2**40):
        with pytest.raises(mk.InvalidInputError):
            tenant.set_seat_limit(mk.SYSTEM, bad)
    seats = tenant.set_seat_limit(mk.SYSTEM, 2)
    assert (seats.limit, seats.taken, seats.available) == (2, 1, 1)
    assert tenant.info().seat_limit == 2

    tenant.invite(mk.SYSTEM, "bo@x.com")
    audit_before = len(tenant.audit())
    with pytest.raises(mk.SeatLimitError) as err:
        tenant.add_customer(mk.SYSTEM, "cy@x.com", products=[course.id])
    assert err.value.code == "seat_limit" and "2 seats" in str(err.value)
    assert tenant.member_by_email("cy@x.com") is None
    assert len(tenant.audit()) == audit_before

    report = tenant.import_customers(mk.SYSTEM, "email\ncy@x.com\n", skip_invalid=True)
    assert [r.outcome for r in report.rows] == ["seat_limit"]
    with pytest.raises(mk.SeatLimitError):
        tenant.import_customers(mk.SYSTEM, "email\ncy@x.com\n")

    tenant.set_seat_limit(mk.SYSTEM, None)
    ws = tenant.set_seat_limit(mk.SYSTEM, 1, workspace=acme.id)
    assert (ws.workspace, ws.limit, ws.taken) == (acme.id, 1, 0)
    assert tenant.workspace(acme.id).seat_limit == 1
    tenant.add_to_workspace(mk.SYSTEM, admin, acme.id, "admin")
    cy = tenant.add_customer(mk.SYSTEM, "cy@x.com").member.id
    with pytest.raises(mk.SeatLimitError):
        tenant.add_to_workspace(mk.SYSTEM, cy, acme.id, "member")
    assert tenant.seats(workspace=acme.id).available == 0


def test_verified_domains_join_or_suggest(tenant):
    acme = tenant.create_workspace(mk.SYSTEM, "Acme")
    globex = tenant.create_workspace(mk.SYSTEM, "Globex")
    rule = tenant.add_domain(mk.SYSTEM, acme.id, "@Acme.com")
    assert (rule.domain, rule.enrollment, rule.role) == ("acme.com", "join", "member")
    tenant.add_domain(mk.SYSTEM, globex.id, "globex.com", enrollment="suggest", role="customer")
    assert [d.domain for d in tenant.domains(acme.id)] == ["acme.com"]
    with pytest.raises(mk.InvalidInputError):
        tenant.add_domain(mk.SYSTEM, acme.id, "gmail.com")
    with pytest.raises(mk.ConflictError):
        tenant.add_domain(mk.SYSTEM, globex.id, "acme.com")

    pat = tenant.claim("pat@acme.com")
    assert pat is not None and pat.invite.workspace == acme.id
    assert tenant.claim("pat@acme.com.evil.io") is None
    assert tenant.claim("lee@globex.com") is None
    suggestion = tenant.invites("pending")[0]
    assert suggestion.suggested and suggestion.email == "lee@globex.com"
    assert tenant.accept_suggestion("lee@globex.com").member.email == "lee@globex.com"
    assert tenant.remove_domain(mk.SYSTEM, acme.id, "acme.com")
