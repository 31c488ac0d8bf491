//! A member `add_customer` creates can get a password at once: one the host passes (a CRM
//! contact that carries one) or a generated temporary one, returned once.

use crate::fixture::*;
use memberkit::*;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(a_given_password_is_hashed_and_signs_in),
    case!(a_temporary_password_is_returned_once_and_must_be_changed),
    case!(an_existing_member_keeps_their_password),
    case!(staff_set_passwords_are_must_change),
    case!(bad_passwords_change_nothing),
];

fn a_given_password_is_hashed_and_signs_in() {
    let f = Fixture::new();
    let added = f
        .tenant
        .add_customer(
            Actor::System,
            NewCustomer::new("ana@crm.example").password("chosen in the CRM"),
        )
        .unwrap();
    assert!(added.password_set);
    assert_eq!(added.temporary_password, None);
    let check = f
        .tenant
        .verify_password("ana@crm.example", "chosen in the CRM")
        .unwrap()
        .unwrap();
    assert_eq!(check.member.id, added.member.id);
    assert!(
        !check.must_change,
        "the host's own password is not must-change"
    );
    let trail = f.tenant.audit(&last(10)).unwrap();
    let created = trail.iter().find(|e| e.action == "member.created").unwrap();
    assert_eq!(created.details["password"]["temporary"], false);
    let everything = format!("{trail:?} {:?}", f.tenant.outbox(100).unwrap());
    assert!(
        !everything.contains("chosen in the CRM"),
        "never in audit or outbox"
    );
}

fn a_temporary_password_is_returned_once_and_must_be_changed() {
    let f = Fixture::new();
    let course = f.course("C");
    let added = f
        .tenant
        .add_customer(
            Actor::System,
            NewCustomer::new("ben@crm.example")
                .product(course.id)
                .temporary_password(),
        )
        .unwrap();
    let temporary = added.temporary_password.clone().unwrap();
    assert_eq!(temporary.expose().len(), 16);
    assert!(
        !format!("{added:?}").contains(temporary.expose()),
        "not in Debug"
    );
    let check = f
        .tenant
        .verify_password("ben@crm.example", temporary.expose())
        .unwrap()
        .unwrap();
    assert!(check.must_change);
    assert!(f.tenant.has_access(added.member.id, course.id).unwrap());
    let everything = format!(
        "{:?} {:?}",
        f.tenant.audit(&last(10)).unwrap(),
        f.tenant.outbox(100).unwrap()
    );
    assert!(!everything.contains(temporary.expose()));
}

fn an_existing_member_keeps_their_password() {
    let f = Fixture::new();
    let first = f
        .tenant
        .add_customer(
            Actor::System,
            NewCustomer::new("cy@crm.example").password("the first one"),
        )
        .unwrap();
    for again in [
        NewCustomer::new("CY@crm.example").password("a takeover attempt"),
        NewCustomer::new("cy@crm.example").temporary_password(),
    ] {
        let added = f.tenant.add_customer(Actor::System, again).unwrap();
        assert_eq!(added.member.id, first.member.id);
        assert!(!added.password_set);
        assert_eq!(added.temporary_password, None);
    }
    assert!(f
        .tenant
        .verify_password("cy@crm.example", "a takeover attempt")
        .unwrap()
        .is_none());
    assert!(f
        .tenant
        .verify_password("cy@crm.example", "the first one")
        .unwrap()
        .is_some());
}

fn staff_set_passwords_are_must_change() {
    let f = Fixture::new();
    let admin = f.staff("admin@agency.com", Role::Admin);
    f.tenant
        .add_customer(
            admin,
            NewCustomer::new("dee@crm.example").password("set by staff"),
        )
        .unwrap();
    let check = f
        .tenant
        .verify_password("dee@crm.example", "set by staff")
        .unwrap()
        .unwrap();
    assert!(check.must_change);
}

fn bad_passwords_change_nothing() {
    let f = Fixture::new();
    let before = (
        f.footprint(),
        f.tenant.count_customers(&Default::default()).unwrap(),
    );
    let too_long = "x".repeat(1025);
    for bad in [
        NewCustomer::new("eve@crm.example").password("short"),
        NewCustomer::new("eve@crm.example").password(too_long.as_str()),
        NewCustomer::new("eve@crm.example")
            .password("long enough")
            .temporary_password(),
    ] {
        let err = f
            .tenant
            .add_customer(Actor::System, bad.clone())
            .unwrap_err();
        assert_eq!(err.code().as_str(), "invalid_input", "{bad:?}");
        assert!(!format!("{bad:?}").contains("long enough"), "not in Debug");
    }
    // A customer without customers.manage is denied before anything is written.
    let customer = f.staff("cust@crm.example", Role::Customer);
    let before_denied = (
        f.footprint(),
        f.tenant.count_customers(&Default::default()).unwrap(),
    );
    assert_eq!(
        code(f.tenant.add_customer(
            customer,
            NewCustomer::new("eve@crm.example").temporary_password()
        )),
        "permission_denied"
    );
    assert_eq!(
        (
            f.footprint(),
            f.tenant.count_customers(&Default::default()).unwrap()
        ),
        before_denied
    );
    assert_eq!(before.1 + 1, before_denied.1, "only the customer was added");
}
