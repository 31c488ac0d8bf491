//! Hub-wide listings an operator reads: every tenant.

use crate::fixture::*;
use memberkit::time::Duration;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[case!(tenants_lists_every_tenant_oldest_first)];

fn tenants_lists_every_tenant_oldest_first() {
    let f = Fixture::new();
    f.advance(Duration::minutes(1));
    let second = f.hub.create_tenant("Second").unwrap();
    f.advance(Duration::minutes(1));
    let third = f.hub.create_tenant("Third").unwrap();
    let listed = f.hub.tenants().unwrap();
    let names: Vec<&str> = listed.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Ada's Academy", "Second", "Third"]);
    let ids: Vec<_> = listed.iter().map(|t| t.id).collect();
    assert_eq!(ids, [f.tenant.id(), second.id(), third.id()]);
    assert_eq!(listed[1], second.info().unwrap(), "each as `info` reads it");
}
