//! Metadata: the host's own JSON object on members, invites and products, stored, returned,
//! exported, patched key by key, and copied from an invite to the member who accepts it.

use crate::fixture::*;
use memberkit::*;
use serde_json::{json, Value};

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(metadata_is_stored_and_returned_on_members_invites_and_products),
    case!(an_invites_metadata_is_merged_into_the_member_who_accepts),
    case!(a_patch_sets_replaces_and_removes_keys_and_audits_only_the_keys),
    case!(metadata_past_the_limits_is_refused_and_changes_nothing),
    case!(patching_someones_metadata_needs_the_rights_to_manage_them),
    case!(the_export_carries_metadata_as_json),
];

fn object(v: Value) -> Metadata {
    v.as_object().unwrap().clone()
}

fn metadata_is_stored_and_returned_on_members_invites_and_products() {
    let f = Fixture::new();
    let product = f
        .tenant
        .create_product(
            Actor::System,
            NewProduct::paid("Pro", ProductKind::Membership)
                .metadata(object(json!({"stripe_price": "price_123"}))),
        )
        .unwrap();
    assert_eq!(product.metadata["stripe_price"], "price_123");
    assert_eq!(
        f.tenant.product(product.id).unwrap().metadata,
        product.metadata
    );
    assert_eq!(f.tenant.products().unwrap()[0].metadata, product.metadata);

    let crm = object(json!({"hubspot_id": 42, "tags": ["vip"], "address": {"city": "Oslo"}}));
    let ada = f
        .tenant
        .add_customer(
            Actor::System,
            NewCustomer::new("ada@x.com").metadata(crm.clone()),
        )
        .unwrap()
        .member;
    assert_eq!(ada.metadata, crm);
    assert_eq!(f.tenant.member(ada.id).unwrap().metadata, crm);
    let page = f.tenant.customers(&CustomerQuery::default()).unwrap();
    assert_eq!(page.rows[0].member.metadata, crm);

    let issued = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("bo@x.com").metadata(object(json!({"source": "webinar"}))),
        )
        .unwrap();
    assert_eq!(issued.invite.metadata["source"], "webinar");
    assert_eq!(
        f.tenant.get_invite(issued.invite.id).unwrap().metadata,
        issued.invite.metadata
    );
    // Merging into the pending invite patches its metadata.
    let merged = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("bo@x.com").metadata(object(json!({"source": null, "cohort": 3}))),
        )
        .unwrap();
    assert_eq!(merged.invite.metadata, object(json!({"cohort": 3})));
    assert!(
        f.tenant
            .outbox(100)
            .unwrap()
            .iter()
            .all(|e| e.payload.get("metadata").is_none()),
        "metadata is the host's: it does not travel in events"
    );
}

fn an_invites_metadata_is_merged_into_the_member_who_accepts() {
    let f = Fixture::new();
    // A new person: the member starts with the invite's metadata.
    let issued = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("new@x.com").metadata(object(json!({"plan": "team"}))),
        )
        .unwrap();
    let accepted = f.tenant.accept(issued.token.expose(), None).unwrap();
    assert_eq!(accepted.member.metadata, object(json!({"plan": "team"})));
    assert_eq!(
        f.tenant.member(accepted.member.id).unwrap().metadata,
        object(json!({"plan": "team"}))
    );

    // An invited member with metadata of their own: the invite's keys win, the others stay.
    let pending = f
        .tenant
        .invite(
            Actor::System,
            NewInvite::new("pat@x.com").metadata(object(json!({"plan": "solo", "ref": "ad"}))),
        )
        .unwrap();
    f.tenant
        .update_member_metadata(
            Actor::System,
            pending.invite.member_id,
            object(json!({"plan": "trial", "crm": 7})),
        )
        .unwrap();
    let claimed = f.tenant.claim("pat@x.com").unwrap().unwrap();
    assert_eq!(
        claimed.member.metadata,
        object(json!({"plan": "solo", "ref": "ad", "crm": 7}))
    );
}

fn a_patch_sets_replaces_and_removes_keys_and_audits_only_the_keys() {
    let f = Fixture::new();
    let ada = f.customer("ada@x.com", &[]);
    let m = f
        .tenant
        .update_member_metadata(
            Actor::System,
            ada.id,
            object(json!({"plan": "gold", "secret_note": "owes us"})),
        )
        .unwrap();
    assert_eq!(m.metadata.len(), 2);
    let m = f
        .tenant
        .update_member_metadata(
            Actor::System,
            ada.id,
            object(json!({"plan": "silver", "secret_note": null})),
        )
        .unwrap();
    assert_eq!(m.metadata, object(json!({"plan": "silver"})));
    let entry = &f.tenant.audit(&last(1)).unwrap()[0];
    assert_eq!(entry.action, "member.metadata_updated");
    assert_eq!(entry.details["keys"], json!(["plan", "secret_note"]));
    assert!(
        !entry.details.to_string().contains("silver"),
        "values stay out of the log"
    );

    // A patch that changes nothing writes nothing.
    let before = f.footprint();
    f.tenant
        .update_member_metadata(Actor::System, ada.id, object(json!({"plan": "silver"})))
        .unwrap();
    assert_eq!(f.footprint(), before);

    // add_customer for a known member patches theirs too.
    let added = f
        .tenant
        .add_customer(
            Actor::System,
            NewCustomer::new("ada@x.com").metadata(object(json!({"crm": 1}))),
        )
        .unwrap();
    assert_eq!(added.outcome, AddOutcome::Updated);
    assert_eq!(
        added.member.metadata,
        object(json!({"plan": "silver", "crm": 1}))
    );

    let course = f.course("Course");
    let p = f
        .tenant
        .update_product_metadata(Actor::System, course.id, object(json!({"sku": "C-1"})))
        .unwrap();
    assert_eq!(f.tenant.product(p.id).unwrap().metadata["sku"], "C-1");
    assert_eq!(
        f.tenant.audit(&last(1)).unwrap()[0].action,
        "product.metadata_updated"
    );
    assert!(f.event_kinds().iter().all(|k| !k.contains("metadata")));
}

fn metadata_past_the_limits_is_refused_and_changes_nothing() {
    let f = Fixture::new();
    let ada = f.customer("ada@x.com", &[]);
    f.tenant
        .update_member_metadata(
            Actor::System,
            ada.id,
            object(json!({"a": "x".repeat(MAX_METADATA_BYTES - 100)})),
        )
        .unwrap();
    let before = (f.footprint(), f.tenant.member(ada.id).unwrap());
    let big = object(json!({"b": "y".repeat(200)}));
    assert_eq!(
        code(
            f.tenant
                .update_member_metadata(Actor::System, ada.id, big.clone())
        ),
        "invalid_input",
        "the patched object is what must fit"
    );
    assert_eq!(
        code(
            f.tenant
                .add_customer(Actor::System, NewCustomer::new("ada@x.com").metadata(big))
        ),
        "invalid_input"
    );
    let huge = object(json!({"notes": "z".repeat(MAX_METADATA_BYTES)}));
    assert_eq!(
        code(f.tenant.invite(
            Actor::System,
            NewInvite::new("bo@x.com").metadata(huge.clone())
        )),
        "invalid_input"
    );
    assert_eq!(
        code(f.tenant.create_product(
            Actor::System,
            NewProduct::paid("P", ProductKind::Course).metadata(huge)
        )),
        "invalid_input"
    );
    let mut deep = json!("leaf");
    for _ in 0..MAX_METADATA_DEPTH {
        deep = json!({ "k": deep });
    }
    assert_eq!(
        code(f.tenant.add_customer(
            Actor::System,
            NewCustomer::new("cy@x.com").metadata(object(json!({ "top": deep })))
        )),
        "invalid_input"
    );
    assert_eq!((f.footprint(), f.tenant.member(ada.id).unwrap()), before);
    assert!(f.tenant.products().unwrap().is_empty());
}

fn patching_someones_metadata_needs_the_rights_to_manage_them() {
    let f = Fixture::new();
    let admin = f.staff("admin@x.com", Role::Admin);
    let member = f.staff("member@x.com", Role::Member);
    let customer = f.customer("c@x.com", &[]);
    let patch = || object(json!({"k": 1}));
    let before = f.footprint();
    let Actor::Member(admin_id) = admin else {
        unreachable!()
    };
    assert_eq!(
        code(f.tenant.update_member_metadata(member, admin_id, patch())),
        "permission_denied",
        "nobody acts above their rank"
    );
    assert_eq!(
        code(
            f.tenant
                .update_member_metadata(Actor::Member(customer.id), customer.id, patch())
        ),
        "permission_denied"
    );
    let course = f.course("Course");
    let before = (before.0 + 1, before.1, before.2); // the course's audit entry
    assert_eq!(
        code(
            f.tenant
                .update_product_metadata(Actor::Member(customer.id), course.id, patch())
        ),
        "permission_denied"
    );
    let other = f.hub.create_tenant("Other").unwrap();
    assert_eq!(
        code(other.update_member_metadata(Actor::System, customer.id, patch())),
        "not_found"
    );
    assert_eq!(
        code(other.update_product_metadata(Actor::System, course.id, patch())),
        "not_found"
    );
    assert_eq!(f.footprint(), before);
    f.tenant
        .update_member_metadata(member, customer.id, patch())
        .unwrap();
}

fn the_export_carries_metadata_as_json() {
    let f = Fixture::new();
    f.tenant
        .add_customer(
            Actor::System,
            NewCustomer::new("ada@x.com").metadata(object(json!({"plan": "gold", "n": 2}))),
        )
        .unwrap();
    f.customer("bo@x.com", &[]);
    let csv = f
        .tenant
        .export_customers(&CustomerQuery {
            sort: CustomerSort::Email,
            ..Default::default()
        })
        .unwrap();
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert!(lines[0].ends_with(",metadata"));
    assert!(
        lines[1].ends_with(r#","{""n"":2,""plan"":""gold""}""#),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].ends_with("Z,"),
        "no metadata, empty cell: {}",
        lines[2]
    );
}
