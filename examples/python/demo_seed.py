"""The demo academy the console examples show: a tenant with products, a bundle, an admin, a
team member and a few customers. Reused when the database already has it."""

from __future__ import annotations

from typing import Dict

import memberkit as mk

ADMIN = "admin@academy.example"
STAFF = {"admin": ADMIN, "member": "mia@academy.example"}


def seed(hub: mk.Hub) -> mk.Tenant:
    """The academy: found by its admin's email, or created."""
    for membership in hub.memberships_of(ADMIN):
        return hub.tenant(membership.member.tenant_id)
    academy = hub.create_tenant("Ada's Academy")
    course = academy.create_product(mk.SYSTEM, "Rust 101", "course")
    academy.create_product(mk.SYSTEM, "Async Rust", "course")
    bundle = academy.create_product(mk.SYSTEM, "All Access", "membership")
    academy.include_in_bundle(mk.SYSTEM, bundle.id, course.id)
    academy.add_customer(mk.SYSTEM, ADMIN, name="Ada Admin", role="admin")
    academy.add_customer(mk.SYSTEM, STAFF["member"], name="Mia Member", role="member")
    academy.add_customer(mk.SYSTEM, "grace@example.com", name="Grace Hopper", products=[bundle.id])
    academy.add_customer(mk.SYSTEM, "linus@example.com", name="Linus", products=[course.id])
    academy.add_customer(mk.SYSTEM, "nobody@example.com", name="No Access Yet")
    return academy


def staff_ids(tenant: mk.Tenant) -> Dict[str, str]:
    """The demo's people who may sign in, by role."""
    found = {role: tenant.member_by_email(email) for role, email in STAFF.items()}
    return {role: m.id for role, m in found.items() if m is not None}


def sign_in_page(tenant: mk.Tenant) -> str:
    """The demo's sign-in page: a button per person (a real app has its own login)."""
    buttons = "".join(
        f'<button name="member" value="{member}">Sign in as the {role}</button>'
        for role, member in staff_ids(tenant).items()
    )
    return f'<h1>Sign in</h1><form method="post" action="/login">{buttons}</form>'
