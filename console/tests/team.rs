//! Team and workspaces: members by status with their roles, actions offered by the rank rule
//! and refused when forged, custom roles, workspaces with members, seats and domains; every
//! refusal changes nothing.

mod common;

use common::*;
use memberkit::*;
use memberkit_console::Who;

fn staff(s: &Site, email: &str, role: Role) -> MemberId {
    s.tenant
        .add_customer(Actor::System, NewCustomer::new(email).role(role))
        .unwrap()
        .member
        .id
}

fn who(s: &Site, id: MemberId) -> Who {
    Who {
        tenant: s.tenant.id(),
        actor: Actor::Member(id),
    }
}

fn admin_id(s: &Site) -> MemberId {
    match s.admin.actor {
        Actor::Member(id) => id,
        Actor::System => unreachable!(),
    }
}

#[test]
fn the_team_by_status_offers_only_what_the_rank_rule_allows() {
    let s = site();
    let mia = staff(&s, "mia@x.com", Role::Member);
    let admin = admin_id(&s);
    let html = s.get("/bo", "/team", &s.admin).html();
    assert!(html.contains("admin@x.com") && html.contains("mia@x.com"));
    assert!(!html.contains("ada@x.com"), "customers are not the team");
    assert!(html.contains(&format!("/bo/members/{mia}/deactivate")));
    // A member sees the admin but is offered nothing on them.
    let as_mia = s.get("/bo", "/team", &who(&s, mia)).html();
    assert!(as_mia.contains("admin@x.com"));
    assert!(!as_mia.contains(&format!("/members/{admin}/")));
    // Forged anyway, with a valid form token: refused by the core, nothing changed.
    let token = s.token("/bo", "/team", &who(&s, mia));
    for action in ["deactivate", "remove", "role"] {
        let before = s.footprint();
        let path = format!("/members/{admin}/{action}");
        let fields = [("csrf", token.as_str()), ("role", "customer")];
        let refused = s.post("/bo", &path, &who(&s, mia), &fields);
        assert_eq!(refused.status, 403, "{action}");
        assert_eq!(s.footprint(), before);
    }
    assert_eq!(s.tenant.member(admin).unwrap().status, MemberStatus::Active);
    // The invited tab lists pending team invites, not customers'.
    let invite = |email: &str, role| {
        let mut new = NewInvite::new(email);
        new.role = role;
        s.tenant.invite(Actor::System, new).unwrap();
    };
    invite("new.admin@x.com", Role::Admin);
    invite("new.customer@x.com", Role::Customer);
    let invited = s.get("/bo", "/team?status=invited", &s.admin).html();
    assert!(invited.contains("new.admin@x.com") && !invited.contains("new.customer@x.com"));
}

#[test]
fn deactivate_reactivate_remove_and_set_a_role() {
    let s = site();
    let mia = staff(&s, "mia@x.com", Role::Member);
    let token = s.token("/bo", "/team", &s.admin);
    // The confirmation changes nothing.
    let before = s.footprint();
    let confirm = s.get(
        "/bo",
        &format!("/members/{mia}/deactivate?back=/team"),
        &s.admin,
    );
    assert_eq!(confirm.status, 200);
    assert!(confirm.html().contains("Deactivate mia@x.com?"));
    assert_eq!(s.footprint(), before);
    let path = format!("/members/{mia}/deactivate");
    let done = s.post(
        "/bo",
        &path,
        &s.admin,
        &[("csrf", &token), ("back", "/team")],
    );
    assert_eq!(done.status, 303);
    assert_eq!(done.header("location"), Some("/bo/team"));
    assert_eq!(
        s.tenant.member(mia).unwrap().status,
        MemberStatus::Deactivated
    );
    let tab = s.get("/bo", "/team?status=deactivated", &s.admin).html();
    assert!(tab.contains("mia@x.com") && tab.contains(&format!("/bo/members/{mia}/reactivate")));
    let path = format!("/members/{mia}/reactivate");
    assert_eq!(
        s.post("/bo", &path, &s.admin, &[("csrf", &token)]).status,
        303
    );
    assert_eq!(s.tenant.member(mia).unwrap().status, MemberStatus::Active);
    // A role, then removal.
    let path = format!("/members/{mia}/role");
    let set = s.post(
        "/bo",
        &path,
        &s.admin,
        &[("csrf", &token), ("role", "admin")],
    );
    assert_eq!(set.status, 303);
    assert_eq!(s.tenant.role(mia).unwrap(), Some(Role::Admin));
    // Back never leaves the site.
    let path = format!("/members/{mia}/role");
    let fields = [
        ("csrf", token.as_str()),
        ("role", "member"),
        ("back", "//evil.example"),
    ];
    let set = s.post("", &path, &s.admin, &fields);
    assert_eq!(set.header("location"), Some("/team"));
    let path = format!("/members/{mia}/remove");
    assert_eq!(
        s.post("/bo", &path, &s.admin, &[("csrf", &token)]).status,
        303
    );
    assert_eq!(code(s.tenant.member(mia)), "not_found");
    // The last admin stays: the core's refusal is shown, nothing changed.
    let before = s.footprint();
    let path = format!("/members/{}/deactivate", admin_id(&s));
    let refused = s.post("/bo", &path, &s.admin, &[("csrf", &token)]);
    assert_eq!(refused.status, 409);
    assert_eq!(s.footprint(), before);
}

fn code<T: std::fmt::Debug>(r: Result<T>) -> &'static str {
    r.unwrap_err().code().as_str()
}

#[test]
fn custom_roles_with_module_permissions() {
    let s = site();
    let token = s.token("/bo", "/team", &s.admin);
    let fields = [
        ("csrf", token.as_str()),
        ("name", "Support"),
        ("permission", "customers.manage"),
        ("other", "tickets.reply, reports.view"),
    ];
    assert_eq!(s.post("/bo", "/roles", &s.admin, &fields).status, 303);
    let role = s.tenant.roles().unwrap().pop().unwrap();
    let names: Vec<&str> = role.permissions.iter().map(Permission::as_str).collect();
    assert_eq!(names, ["customers.manage", "reports.view", "tickets.reply"]);
    let html = s.get("/bo", "/team", &s.admin).html();
    assert!(html.contains("Support") && html.contains("tickets.reply"));
    // A member may not create a role above their own: refused, nothing changed.
    let mia = staff(&s, "mia@x.com", Role::Member);
    let mia_token = s.token("/bo", "/team", &who(&s, mia));
    let before = s.footprint();
    let fields = [
        ("csrf", mia_token.as_str()),
        ("name", "Boss"),
        ("permission", "pricing"),
    ];
    assert_eq!(s.post("/bo", "/roles", &who(&s, mia), &fields).status, 403);
    assert_eq!(s.footprint(), before);
    let confirm = s.get("/bo", &format!("/roles/{}/delete", role.id), &s.admin);
    assert!(confirm.html().contains("Delete the role Support?"));
    let path = format!("/roles/{}/delete", role.id);
    assert_eq!(
        s.post("/bo", &path, &s.admin, &[("csrf", &token)]).status,
        303
    );
    assert!(s.tenant.roles().unwrap().is_empty());
}

#[test]
fn workspaces_members_existing_users_seats_and_domains() {
    let s = site();
    let token = s.token("/bo", "/workspaces", &s.admin);
    let created = s.post(
        "/bo",
        "/workspaces",
        &s.admin,
        &[("csrf", &token), ("name", XSS)],
    );
    assert_eq!(created.status, 303);
    let acme = s.tenant.workspaces().unwrap().pop().unwrap();
    let list = s.get("/bo", "/workspaces", &s.admin).html();
    assert!(list.contains(&format!("/bo/workspaces/{}", acme.id)));
    assert!(!list.contains("<img src=x"), "names are escaped");
    let page = format!("/workspaces/{}", acme.id);
    // Add Client User: an invite into the workspace.
    let fields = [
        ("csrf", token.as_str()),
        ("email", "cleo@acme.example"),
        ("role", "member"),
        ("notify", "on"),
    ];
    let invited = s.post("/bo", &format!("{page}/invite"), &s.admin, &fields);
    assert_eq!(invited.status, 303, "{}", invited.html());
    let invite = s
        .tenant
        .invites(Some(InviteStatus::Pending))
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(
        (invite.workspace, invite.role),
        (Some(acme.id), Role::Member)
    );
    // From Existing Workspace: someone from another workspace joins, no email.
    let other = s.tenant.create_workspace(Actor::System, "Globex").unwrap();
    s.tenant
        .add_to_workspace(Actor::System, s.ada, other.id, Role::Customer)
        .unwrap();
    let html = s.get("/bo", &page, &s.admin).html();
    assert!(
        html.contains("ada@x.com (Globex)"),
        "offered from the other workspace"
    );
    let (_, outbox) = s.footprint();
    let ada = s.ada.to_string();
    let fields = [
        ("csrf", token.as_str()),
        ("member", ada.as_str()),
        ("role", "customer"),
    ];
    assert_eq!(
        s.post("/bo", &format!("{page}/add"), &s.admin, &fields)
            .status,
        303
    );
    let members = s.tenant.workspace_members(acme.id).unwrap();
    assert_eq!(members.len(), 1);
    let kinds: Vec<String> = s
        .tenant
        .outbox(1000)
        .unwrap()
        .into_iter()
        .skip(outbox)
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        ["member.added_to_workspace"],
        "an event, and no invite email"
    );
    // Take out, after a confirmation that changes nothing.
    let before = s.footprint();
    let confirm = s.get("/bo", &format!("{page}/remove?member={ada}"), &s.admin);
    assert!(confirm.html().contains("Take ada@x.com out of"));
    assert_eq!(s.footprint(), before);
    let fields = [("csrf", token.as_str()), ("member", ada.as_str())];
    assert_eq!(
        s.post("/bo", &format!("{page}/remove"), &s.admin, &fields)
            .status,
        303
    );
    assert!(s.tenant.workspace_members(acme.id).unwrap().is_empty());
    // Seats: only the platform sets a cap; an admin is refused and nothing changes.
    let before = s.footprint();
    let fields = [("csrf", token.as_str()), ("limit", "5")];
    assert_eq!(
        s.post("/bo", &format!("{page}/seats"), &s.admin, &fields)
            .status,
        403
    );
    assert_eq!(s.footprint(), before);
    let host = Who {
        tenant: s.tenant.id(),
        actor: Actor::System,
    };
    let host_token = s.token("/bo", "/workspaces", &host);
    let fields = [("csrf", host_token.as_str()), ("limit", "5")];
    assert_eq!(
        s.post("/bo", &format!("{page}/seats"), &host, &fields)
            .status,
        303
    );
    assert_eq!(s.tenant.seats(Some(acme.id)).unwrap().limit, Some(5));
    assert!(s
        .get("/bo", &page, &s.admin)
        .html()
        .contains("1 seat taken of 5"));
    // Domains.
    let fields = [
        ("csrf", token.as_str()),
        ("domain", "acme.example"),
        ("enrollment", "suggest"),
        ("role", "customer"),
    ];
    assert_eq!(
        s.post("/bo", &format!("{page}/domains"), &s.admin, &fields)
            .status,
        303
    );
    let domains = s.tenant.domains(acme.id).unwrap();
    assert_eq!(
        (domains[0].domain.as_str(), domains[0].enrollment),
        ("acme.example", Enrollment::Suggest)
    );
    let public = [("csrf", token.as_str()), ("domain", "gmail.com")];
    assert_eq!(
        s.post("/bo", &format!("{page}/domains"), &s.admin, &public)
            .status,
        400
    );
    let fields = [("csrf", token.as_str()), ("domain", "acme.example")];
    assert_eq!(
        s.post("/bo", &format!("{page}/domains/remove"), &s.admin, &fields)
            .status,
        303
    );
    assert!(s.tenant.domains(acme.id).unwrap().is_empty());
}

#[test]
fn other_tenants_ids_are_not_found_and_forged_posts_refused() {
    let s = site();
    let other = s.hub.create_tenant("Other").unwrap();
    let stranger = other
        .add_customer(
            Actor::System,
            NewCustomer::new("s@y.com").role(Role::Member),
        )
        .unwrap()
        .member
        .id;
    let their_ws = other.create_workspace(Actor::System, "Theirs").unwrap();
    let token = s.token("/bo", "/team", &s.admin);
    assert_eq!(
        s.get("/bo", &format!("/workspaces/{}", their_ws.id), &s.admin)
            .status,
        404
    );
    assert_eq!(
        s.get("/bo", &format!("/members/{stranger}/remove"), &s.admin)
            .status,
        404
    );
    for path in [
        format!("/members/{stranger}/deactivate"),
        format!("/members/{stranger}/remove"),
        format!("/workspaces/{}/invite", their_ws.id),
    ] {
        let fields = [("csrf", token.as_str()), ("email", "x@y.com")];
        assert_eq!(
            s.post("/bo", &path, &s.admin, &fields).status,
            404,
            "{path}"
        );
    }
    assert_eq!(other.member(stranger).unwrap().status, MemberStatus::Active);
    // Without the form's token, every new route is refused before anything runs.
    let mia = staff(&s, "mia@x.com", Role::Member);
    let ws = s.tenant.create_workspace(Actor::System, "Acme").unwrap();
    let before = s.footprint();
    for path in [
        format!("/members/{mia}/deactivate"),
        format!("/members/{mia}/reactivate"),
        format!("/members/{mia}/remove"),
        format!("/members/{mia}/role"),
        "/roles".to_owned(),
        "/workspaces".to_owned(),
        format!("/workspaces/{}/invite", ws.id),
        format!("/workspaces/{}/add", ws.id),
        format!("/workspaces/{}/remove", ws.id),
        format!("/workspaces/{}/seats", ws.id),
        format!("/workspaces/{}/domains", ws.id),
        format!("/workspaces/{}/domains/remove", ws.id),
    ] {
        let fields = [
            ("name", "X"),
            ("email", "x@y.com"),
            ("role", "admin"),
            ("domain", "y.com"),
        ];
        assert_eq!(
            s.post("/bo", &path, &s.admin, &fields).status,
            403,
            "{path}"
        );
    }
    assert_eq!(s.footprint(), before);
}
