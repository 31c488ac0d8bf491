//! Defects the model-based test and the fuzz targets found, each kept as a plain test of what
//! a user would see.

use crate::fixture::*;
use memberkit::*;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(the_product_filter_lists_only_members_who_can_use_the_product_now),
    case!(an_archived_free_product_filter_lists_nobody),
    case!(a_search_with_a_nul_is_invalid_input_and_tabs_are_spaces),
    case!(forged_cursors_and_audit_subjects_with_a_nul_are_invalid_input),
];

fn listed(f: &Fixture, product: ProductId) -> (Vec<MemberId>, usize) {
    let q = CustomerQuery {
        product: Some(product),
        ..Default::default()
    };
    let page = f.tenant.customers(&q).unwrap();
    let ids = page.rows.iter().map(|r| r.member.id).collect();
    (ids, f.tenant.count_customers(&q).unwrap())
}

/// Shrunk from: import with a product, then deactivate (and: invite, then grant while invited).
fn the_product_filter_lists_only_members_who_can_use_the_product_now() {
    let f = Fixture::new();
    let course = f.course("Course").id;
    let active = f.customer("active@example.com", &[course]);
    let deactivated = f.customer("gone@example.com", &[course]);
    f.tenant.deactivate(Actor::System, deactivated.id).unwrap();
    let invited = f
        .tenant
        .invite(Actor::System, NewInvite::new("later@example.com"))
        .unwrap()
        .invite
        .member_id;
    f.tenant
        .grant(Actor::System, invited, course, GrantOptions::default())
        .unwrap();
    for (m, expected) in [(active.id, true), (deactivated.id, false), (invited, false)] {
        assert_eq!(f.tenant.has_access(m, course).unwrap(), expected);
    }
    assert_eq!(listed(&f, course), (vec![active.id], 1));
}

/// Shrunk from: archive the free product, then add a customer.
fn an_archived_free_product_filter_lists_nobody() {
    let f = Fixture::new();
    let free = f
        .tenant
        .create_product(
            Actor::System,
            NewProduct::free("Community", ProductKind::Community),
        )
        .unwrap()
        .id;
    let m = f.customer("ada@example.com", &[]);
    assert_eq!(listed(&f, free), (vec![m.id], 1));
    f.tenant.archive_product(Actor::System, free).unwrap();
    assert!(!f.tenant.has_access(m.id, free).unwrap());
    assert_eq!(listed(&f, free), (vec![], 0));
}

/// Found by the `cursor` fuzz target: a NUL in a search term was a `storage` error on SQLite
/// (the full-text query ended at it) and would be one on PostgreSQL (text cannot hold it).
fn a_search_with_a_nul_is_invalid_input_and_tabs_are_spaces() {
    let f = Fixture::new();
    let mut new = NewCustomer::new("ada@example.com");
    new.name = Some("Ada Lovelace".into());
    let ada = f.tenant.add_customer(Actor::System, new).unwrap().member;
    for term in ["Ada\0", "\0", "Lovelace\u{7f}x", "mkimp_FFF\0FFF"] {
        let q = CustomerQuery {
            search: Some(term.into()),
            ..Default::default()
        };
        let err = f.tenant.customers(&q).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{term:?}: {err}");
        assert_eq!(
            f.tenant.count_customers(&q).unwrap_err().code(),
            ErrorCode::InvalidInput
        );
    }
    let q = CustomerQuery {
        search: Some("ada\tlovelace".into()),
        ..Default::default()
    };
    let page = f.tenant.customers(&q).unwrap();
    assert_eq!(
        page.rows.iter().map(|r| r.member.id).collect::<Vec<_>>(),
        vec![ada.id]
    );
}

/// Found by the hostile-input tests on PostgreSQL: a NUL in an audit subject, or inside a
/// well-formed (hex) cursor, reached the database and came back as a `storage` error.
fn forged_cursors_and_audit_subjects_with_a_nul_are_invalid_input() {
    let f = Fixture::new();
    let ada = f.customer("ada@example.com", &[]);
    let hex = |s: &str| s.bytes().map(|b| format!("{b:02x}")).collect::<String>();
    for (sort, position) in [
        (CustomerSort::Name, format!("a\0b\u{1f}{}", ada.id)),
        (CustomerSort::Email, "a\0b".to_owned()),
        (CustomerSort::Newest, "1\0".to_owned()),
    ] {
        let q = CustomerQuery {
            sort,
            cursor: Some(hex(&format!("{}\n{position}", sort.as_str()))),
            ..Default::default()
        };
        let err = f.tenant.customers(&q).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{sort:?}: {err}");
    }
    let q = AuditQuery {
        subject: Some("a\0b".into()),
        ..last(10)
    };
    assert_eq!(
        f.tenant.audit(&q).unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    let q = AuditQuery {
        subject: Some(ada.id.to_string()),
        ..last(10)
    };
    assert!(!f.tenant.audit(&q).unwrap().is_empty());
}
