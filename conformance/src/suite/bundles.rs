//! Bundles: a paid product that includes others. A grant to the bundle gives everything it
//! includes, decided when asked, so changes reach every holder at once.

use crate::fixture::*;
use memberkit::time::Duration;
use memberkit::*;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(a_bundle_grant_gives_every_included_product_and_says_through_which),
    case!(the_list_the_filter_the_count_access_and_the_export_agree_on_bundled_products),
    case!(revoking_the_bundle_keeps_what_the_member_holds_directly),
    case!(including_or_removing_a_product_reaches_every_holder_at_once),
    case!(bundles_nest_and_cycles_are_refused_without_changing_anything),
    case!(only_paid_bundles_and_only_with_products_manage),
    case!(a_bundle_grant_keeps_its_own_window_and_status_rules),
];

struct Shop {
    f: Fixture,
    bundle: Product,
    a: Product,
    b: Product,
}

fn shop() -> Shop {
    let f = Fixture::new();
    let bundle = f
        .tenant
        .create_product(
            Actor::System,
            NewProduct::paid("All Access", ProductKind::Membership),
        )
        .unwrap();
    let (a, b) = (f.course("Course A"), f.course("Course B"));
    for p in [&a, &b] {
        f.tenant
            .include_in_bundle(Actor::System, bundle.id, p.id)
            .unwrap();
    }
    Shop { f, bundle, a, b }
}

fn grant(f: &Fixture, member: MemberId, product: ProductId) -> Grant {
    f.tenant
        .grant(Actor::System, member, product, GrantOptions::default())
        .unwrap()
}

fn a_bundle_grant_gives_every_included_product_and_says_through_which() {
    let Shop { f, bundle, a, b } = shop();
    let names: Vec<String> = f
        .tenant
        .bundle_items(bundle.id)
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["Course A", "Course B"]);
    let ada = f.customer("ada@x.com", &[]);
    assert!(!f.tenant.has_access(ada.id, a.id).unwrap());
    let g = grant(&f, ada.id, bundle.id);
    assert!(f.tenant.has_access(ada.id, a.id).unwrap());
    assert!(f.tenant.has_access(ada.id, b.id).unwrap());
    assert!(f.tenant.has_access(ada.id, bundle.id).unwrap());
    let access = f.tenant.access(ada.id).unwrap();
    let course_a = access.iter().find(|x| x.product.id == a.id).unwrap();
    assert_eq!(course_a.via, Some(bundle.id));
    assert_eq!(course_a.grant.as_ref().map(|g| g.id), Some(g.id));
    let whole = access.iter().find(|x| x.product.id == bundle.id).unwrap();
    assert_eq!(whole.via, None);
    let holders = CustomerQuery {
        product: Some(a.id),
        ..Default::default()
    };
    assert_eq!(f.tenant.count_customers(&holders).unwrap(), 1);
    let bo = f.customer("bo@x.com", &[]);
    assert!(!f.tenant.has_access(bo.id, a.id).unwrap(), "only holders");
}

fn the_list_the_filter_the_count_access_and_the_export_agree_on_bundled_products() {
    let Shop { f, bundle, a, b } = shop();
    let ada = f.customer("ada@x.com", &[]);
    grant(&f, ada.id, bundle.id);
    grant(&f, ada.id, a.id); // held directly too: listed once, without `via`
    let bo = f.customer("bo@x.com", &[b.id]);
    let holders_of_b = CustomerQuery {
        product: Some(b.id),
        ..Default::default()
    };
    let page = f.tenant.customers(&holders_of_b).unwrap();
    assert_eq!(f.tenant.count_customers(&holders_of_b).unwrap(), 2);
    assert_eq!(page.rows.len(), 2);
    let row = |id| page.rows.iter().find(|r| r.member.id == id).unwrap();
    let listed = |id| -> Vec<(String, Option<ProductId>)> {
        row(id)
            .products
            .iter()
            .map(|p| (p.name.clone(), p.via))
            .collect()
    };
    assert_eq!(
        listed(ada.id),
        [
            ("All Access".to_string(), None),
            ("Course A".to_string(), None),
            ("Course B".to_string(), Some(bundle.id)),
        ]
    );
    assert_eq!(listed(bo.id), [("Course B".to_string(), None)]);
    // access() names the same paid products, through the same bundle.
    let mut from_access: Vec<(String, Option<ProductId>)> = f
        .tenant
        .access(ada.id)
        .unwrap()
        .into_iter()
        .filter(|x| x.product.paid)
        .map(|x| (x.product.name, x.via))
        .collect();
    from_access.sort();
    assert_eq!(from_access, listed(ada.id));
    let csv = f.tenant.export_customers(&holders_of_b).unwrap();
    let ada_line = csv.lines().find(|l| l.contains("ada@x.com")).unwrap();
    assert!(
        ada_line.contains("All Access; Course A; Course B (via All Access)"),
        "{ada_line}"
    );
    // Revoking the bundle takes what came through it off the row at once.
    f.tenant.revoke(Actor::System, ada.id, bundle.id).unwrap();
    assert_eq!(f.tenant.count_customers(&holders_of_b).unwrap(), 1);
    let everyone = f.tenant.customers(&CustomerQuery::default()).unwrap();
    let ada_row = everyone
        .rows
        .iter()
        .find(|r| r.member.id == ada.id)
        .unwrap();
    let names: Vec<&str> = ada_row.products.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Course A"]);
}

fn revoking_the_bundle_keeps_what_the_member_holds_directly() {
    let Shop { f, bundle, a, b } = shop();
    let ada = f.customer("ada@x.com", &[]);
    let own = grant(&f, ada.id, a.id);
    grant(&f, ada.id, bundle.id);
    let course_a = f.tenant.access(ada.id).unwrap();
    let course_a = course_a.iter().find(|x| x.product.id == a.id).unwrap();
    assert_eq!(
        (course_a.via, course_a.grant.as_ref().map(|g| g.id)),
        (None, Some(own.id)),
        "a product held directly shows its own grant"
    );
    f.tenant.revoke(Actor::System, ada.id, bundle.id).unwrap();
    assert!(f.tenant.has_access(ada.id, a.id).unwrap());
    assert!(!f.tenant.has_access(ada.id, b.id).unwrap());
    assert!(!f.tenant.has_access(ada.id, bundle.id).unwrap());
}

fn including_or_removing_a_product_reaches_every_holder_at_once() {
    let Shop { f, bundle, a, .. } = shop();
    let c = f.course("Course C");
    let holders: Vec<Member> = (0..3)
        .map(|i| f.customer(&format!("h{i}@x.com"), &[]))
        .collect();
    for h in &holders {
        grant(&f, h.id, bundle.id);
    }
    grant(&f, holders[0].id, a.id);
    f.tenant
        .include_in_bundle(Actor::System, bundle.id, c.id)
        .unwrap();
    assert!(holders
        .iter()
        .all(|h| f.tenant.has_access(h.id, c.id).unwrap()));
    assert!(f
        .tenant
        .remove_from_bundle(Actor::System, bundle.id, a.id)
        .unwrap());
    assert!(!f
        .tenant
        .remove_from_bundle(Actor::System, bundle.id, a.id)
        .unwrap());
    assert!(
        f.tenant.has_access(holders[0].id, a.id).unwrap(),
        "held directly"
    );
    assert!(!f.tenant.has_access(holders[1].id, a.id).unwrap());
    let actions: Vec<String> = f
        .tenant
        .audit(&last(2))
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["bundle.item_removed", "bundle.item_added"]);
}

fn bundles_nest_and_cycles_are_refused_without_changing_anything() {
    let Shop { f, bundle, a, .. } = shop();
    let inner = f
        .tenant
        .create_product(
            Actor::System,
            NewProduct::paid("Pro Pack", ProductKind::Membership),
        )
        .unwrap();
    let deep = f.course("Deep Course");
    f.tenant
        .include_in_bundle(Actor::System, inner.id, deep.id)
        .unwrap();
    f.tenant
        .include_in_bundle(Actor::System, bundle.id, inner.id)
        .unwrap();
    let ada = f.customer("ada@x.com", &[]);
    grant(&f, ada.id, bundle.id);
    assert!(
        f.tenant.has_access(ada.id, deep.id).unwrap(),
        "through two bundles"
    );

    let before = (f.footprint(), f.tenant.bundle_items(inner.id).unwrap());
    assert_eq!(
        code(
            f.tenant
                .include_in_bundle(Actor::System, inner.id, bundle.id)
        ),
        "conflict"
    );
    assert_eq!(
        code(
            f.tenant
                .include_in_bundle(Actor::System, bundle.id, bundle.id)
        ),
        "conflict"
    );
    assert_eq!(
        (f.footprint(), f.tenant.bundle_items(inner.id).unwrap()),
        before
    );
    // Including what is included already changes nothing.
    let again = f
        .tenant
        .include_in_bundle(Actor::System, bundle.id, a.id)
        .unwrap();
    assert_eq!(again.len(), 3);
    assert_eq!(f.footprint(), before.0);
    f.tenant
        .remove_from_bundle(Actor::System, bundle.id, inner.id)
        .unwrap();
    assert!(!f.tenant.has_access(ada.id, deep.id).unwrap());
}

fn only_paid_bundles_and_only_with_products_manage() {
    let Shop { f, bundle, a, .. } = shop();
    let free = f
        .tenant
        .create_product(
            Actor::System,
            NewProduct::free("Community", ProductKind::Community),
        )
        .unwrap();
    let customer = f.customer("c@x.com", &[]);
    let before = f.footprint();
    assert_eq!(
        code(f.tenant.include_in_bundle(Actor::System, free.id, a.id)),
        "invalid_input"
    );
    assert_eq!(
        code(
            f.tenant
                .include_in_bundle(Actor::Member(customer.id), bundle.id, free.id)
        ),
        "permission_denied"
    );
    assert_eq!(
        code(
            f.tenant
                .remove_from_bundle(Actor::Member(customer.id), bundle.id, a.id)
        ),
        "permission_denied"
    );
    let other = f.hub.create_tenant("Other").unwrap();
    assert_eq!(
        code(other.include_in_bundle(Actor::System, bundle.id, a.id)),
        "not_found"
    );
    assert_eq!(code(other.bundle_items(bundle.id)), "not_found");
    assert_eq!(f.footprint(), before);
}

fn a_bundle_grant_keeps_its_own_window_and_status_rules() {
    let Shop { f, bundle, a, .. } = shop();
    let ada = f.customer("ada@x.com", &[]);
    let now = f.hub.now();
    f.tenant
        .grant(
            Actor::System,
            ada.id,
            bundle.id,
            GrantOptions {
                starts_at: Some(now + Duration::days(1)),
                expires_at: Some(now + Duration::days(2)),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(!f.tenant.has_access(ada.id, a.id).unwrap());
    f.advance(Duration::days(1));
    assert!(f.tenant.has_access(ada.id, a.id).unwrap());
    f.tenant.deactivate(Actor::System, ada.id).unwrap();
    assert!(!f.tenant.has_access(ada.id, a.id).unwrap());
    f.tenant.reactivate(Actor::System, ada.id).unwrap();
    f.advance(Duration::days(1));
    assert!(
        !f.tenant.has_access(ada.id, a.id).unwrap(),
        "the bundle grant ended"
    );
}
