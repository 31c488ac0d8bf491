//! Core results as the frozen dataclasses of `memberkit._types`.

use crate::convert::*;
use memberkit as mk;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::IntoPyObjectExt;

pub(crate) static TYPES: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// Builds `memberkit._types.<class>(**fields)`.
macro_rules! record {
    ($py:expr, $class:literal, { $($field:literal => $value:expr),* $(,)? }) => {{
        let py = $py;
        let kwargs = pyo3::types::PyDict::new(py);
        $( kwargs.set_item($field, $value)?; )*
        $crate::module(py, &$crate::types::TYPES, "memberkit._types")?.getattr($class)?.call((), Some(&kwargs))
    }};
}
pub(crate) use record;

pub(crate) fn py_tenant<'py>(py: Python<'py>, t: &mk::TenantInfo) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "TenantInfo", {
        "id" => t.id.to_string(), "name" => &t.name,
        "invite_lifetime_seconds" => t.settings.invite_lifetime.whole_seconds(),
        "max_impersonation_seconds" => t.settings.max_impersonation.whole_seconds(),
        "max_invite_lifetime_seconds" => t.settings.max_invite_lifetime.whole_seconds(),
        "seat_limit" => t.settings.seat_limit, "created_at" => dt(py, t.created_at)?,
        "expiry_reminders_seconds" => tuple(py, &t.settings.expiry_reminders, |py, d| {
            d.whole_seconds().into_bound_py_any(py)
        })?,
        "swept_until" => opt_dt(py, t.swept_until)?,
    })
}

pub(crate) fn py_member<'py>(py: Python<'py>, m: &mk::Member) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Member", {
        "id" => m.id.to_string(), "tenant_id" => m.tenant_id.to_string(), "email" => &m.email,
        "email_key" => &m.email_key, "name" => &m.name, "external_id" => &m.external_id,
        "status" => m.status.as_str(), "created_at" => dt(py, m.created_at)?,
        "updated_at" => dt(py, m.updated_at)?, "metadata" => py_metadata(py, &m.metadata)?,
    })
}

pub(crate) fn py_product<'py>(py: Python<'py>, p: &mk::Product) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Product", {
        "id" => p.id.to_string(), "tenant_id" => p.tenant_id.to_string(), "name" => &p.name,
        "kind" => p.kind.as_str(), "paid" => p.paid, "archived" => p.archived,
        "created_at" => dt(py, p.created_at)?, "metadata" => py_metadata(py, &p.metadata)?,
    })
}

pub(crate) fn py_grant<'py>(py: Python<'py>, g: &mk::Grant) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Grant", {
        "id" => g.id.to_string(), "member_id" => g.member_id.to_string(),
        "product_id" => g.product_id.to_string(), "source" => g.source.as_str(),
        "granted_by" => g.granted_by.to_string(), "granted_at" => dt(py, g.granted_at)?,
        "expires_at" => opt_dt(py, g.expires_at)?, "revoked_at" => opt_dt(py, g.revoked_at)?,
        "revoked_by" => g.revoked_by.map(|a| a.to_string()),
        "starts_at" => opt_dt(py, g.starts_at)?,
    })
}

pub(crate) fn py_invite<'py>(py: Python<'py>, i: &mk::Invite) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Invite", {
        "id" => i.id.to_string(), "tenant_id" => i.tenant_id.to_string(),
        "member_id" => i.member_id.to_string(), "email" => &i.email, "name" => &i.name,
        "role" => i.role.key(), "workspace" => i.workspace.map(|w| w.to_string()),
        "products" => tuple(py, &i.products, |py, p| p.to_string().into_bound_py_any(py))?,
        "created_by" => i.created_by.to_string(), "created_at" => dt(py, i.created_at)?,
        "expires_at" => dt(py, i.expires_at)?, "status" => i.status.as_str(),
        "accepted_at" => opt_dt(py, i.accepted_at)?, "revoked_at" => opt_dt(py, i.revoked_at)?,
        "lifetime_seconds" => i.lifetime.map(|d| d.whole_seconds()), "message" => &i.message,
        "declined_at" => opt_dt(py, i.declined_at)?, "metadata" => py_metadata(py, &i.metadata)?,
        "suggested" => i.suggested,
    })
}

pub(crate) fn py_issued<'py>(py: Python<'py>, i: &mk::IssuedInvite) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "IssuedInvite", {
        "invite" => py_invite(py, &i.invite)?, "token" => i.token.expose(), "merged" => i.merged,
    })
}

pub(crate) fn py_invite_for_email<'py>(
    py: Python<'py>,
    i: &mk::InviteForEmail,
) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "InviteForEmail", {
        "tenant_name" => &i.tenant_name, "invite" => py_invite(py, &i.invite)?,
    })
}

pub(crate) fn py_membership<'py>(
    py: Python<'py>,
    m: &mk::Membership,
) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Membership", {
        "tenant_name" => &m.tenant_name, "member" => py_member(py, &m.member)?,
        "role" => m.role.map(|r| r.key()),
    })
}

pub(crate) fn py_accepted<'py>(py: Python<'py>, a: &mk::Accepted) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Accepted", {
        "invite" => py_invite(py, &a.invite)?, "member" => py_member(py, &a.member)?,
        "granted" => tuple(py, &a.granted, py_grant)?,
    })
}

pub(crate) fn py_domain<'py>(
    py: Python<'py>,
    d: &mk::WorkspaceDomain,
) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "WorkspaceDomain", {
        "workspace" => d.workspace_id.to_string(), "domain" => &d.domain,
        "enrollment" => d.enrollment.as_str(), "role" => d.role.key(),
        "created_at" => dt(py, d.created_at)?,
    })
}

pub(crate) fn py_workspace<'py>(py: Python<'py>, w: &mk::Workspace) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Workspace", {
        "id" => w.id.to_string(), "tenant_id" => w.tenant_id.to_string(), "name" => &w.name,
        "seat_limit" => w.seat_limit, "created_at" => dt(py, w.created_at)?,
    })
}

pub(crate) fn py_seats<'py>(py: Python<'py>, s: &mk::Seats) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Seats", {
        "workspace" => s.workspace.map(|w| w.to_string()), "limit" => s.limit,
        "taken" => s.taken, "available" => s.available(),
    })
}

pub(crate) fn py_role<'py>(py: Python<'py>, r: &mk::CustomRole) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "CustomRole", {
        "id" => r.id.to_string(), "tenant_id" => r.tenant_id.to_string(), "name" => &r.name,
        "permissions" => tuple(py, &r.permissions, |py, p| p.as_str().into_bound_py_any(py))?,
        "created_at" => dt(py, r.created_at)?,
    })
}

pub(crate) fn py_assignment<'py>(
    py: Python<'py>,
    a: &mk::RoleAssignment,
) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "RoleAssignment", {
        "member_id" => a.member_id.to_string(), "role" => a.role.key(),
        "workspace" => a.workspace.map(|w| w.to_string()),
    })
}

pub(crate) fn py_session<'py>(
    py: Python<'py>,
    s: &mk::Impersonation,
) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "Impersonation", {
        "id" => s.id.to_string(), "tenant_id" => s.tenant_id.to_string(),
        "actor_id" => s.actor_id.to_string(), "target_id" => s.target_id.to_string(),
        "reason" => &s.reason, "started_at" => dt(py, s.started_at)?,
        "ends_at" => dt(py, s.ends_at)?, "ended_at" => opt_dt(py, s.ended_at)?,
    })
}

pub(crate) fn py_event<'py>(py: Python<'py>, e: &mk::OutboxEvent) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "OutboxEvent", {
        "id" => e.id.to_string(), "tenant_id" => e.tenant_id.to_string(), "kind" => &e.kind,
        "channel" => e.channel.as_str(), "payload" => json(py, &e.payload)?, "created_at" => dt(py, e.created_at)?,
        "delivered_at" => opt_dt(py, e.delivered_at)?,
    })
}

pub(crate) fn py_audit<'py>(py: Python<'py>, e: &mk::AuditEntry) -> PyResult<Bound<'py, PyAny>> {
    record!(py, "AuditEntry", {
        "id" => e.id.to_string(), "tenant_id" => e.tenant_id.to_string(),
        "at" => dt(py, e.at)?, "actor" => e.actor.as_argument(), "action" => &e.action,
        "subject" => &e.subject, "details" => json(py, &e.details)?,
    })
}

pub(crate) fn py_page<'py>(py: Python<'py>, p: &mk::CustomerPage) -> PyResult<Bound<'py, PyAny>> {
    let rows = tuple(py, &p.rows, |py, r| {
        record!(py, "CustomerRow", {
            "member" => py_member(py, &r.member)?,
            "products" => tuple(py, &r.products, |py, p| record!(py, "ProductRef", {
                "id" => p.id.to_string(), "name" => &p.name,
                "via" => p.via.map(|v| v.to_string()),
            }))?,
        })
    })?;
    record!(py, "CustomerPage", { "rows" => rows, "next_cursor" => &p.next_cursor })
}

pub(crate) fn py_report<'py>(py: Python<'py>, r: &mk::ImportReport) -> PyResult<Bound<'py, PyAny>> {
    let rows = tuple(py, &r.rows, |py, row| {
        record!(py, "ImportRow", {
            "line" => row.line, "email" => &row.email, "name" => &row.name,
            "outcome" => row.outcome.as_str(), "reason" => &row.reason,
            "member_id" => row.member_id.map(|m| m.to_string()),
            "invite_token" => row.invite_token.as_ref().map(|t| t.expose().to_owned()),
            "temporary_password" => row.temporary_password.as_ref().map(|p| p.expose()),
        })
    })?;
    record!(py, "ImportReport", {
        "rows" => rows, "applied" => r.applied, "written" => r.written, "dry_run" => r.dry_run,
        "temporary_passwords_csv" => r.temporary_passwords_csv(),
    })
}

// ----- classes ----------------------------------------------------------------------------
