//! The operations a generated sequence is made of. Indexes pick among a small fixed cast so
//! that sequences collide often: 2 tenants, 5 emails, products 0 and 1 paid, 2 free.

use proptest::prelude::*;

/// Tenants in a sequence.
pub const TENANTS: usize = 2;
/// Email addresses per tenant (the same addresses in both tenants).
pub const EMAILS: usize = 5;
/// Products per tenant: [`PAID`] paid ones, then one free one.
pub const PRODUCTS: usize = 3;
/// Paid products come first.
pub const PAID: usize = 2;
/// Role choices: admin, member, customer, then the two custom roles each tenant has.
pub const ROLES: usize = 5;

/// One operation. `t` a tenant, `e` an email, `p` a product, `k` an invite (by creation order,
/// modulo how many the tenant has), hours an expiry or a clock move.
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub enum Step {
    Add {
        t: usize,
        e: usize,
        products: Vec<usize>,
        hours: Option<u8>,
        shout: bool,
    },
    Grant {
        t: usize,
        e: usize,
        p: usize,
        hours: Option<u8>,
    },
    Revoke {
        t: usize,
        e: usize,
        p: usize,
    },
    Deactivate {
        t: usize,
        e: usize,
    },
    Reactivate {
        t: usize,
        e: usize,
    },
    Remove {
        t: usize,
        e: usize,
    },
    Invite {
        t: usize,
        e: usize,
        products: Vec<usize>,
    },
    Accept {
        t: usize,
        k: usize,
        stale: bool,
        elsewhere: bool,
    },
    Claim {
        t: usize,
        e: usize,
    },
    Resend {
        t: usize,
        k: usize,
    },
    RevokeInvite {
        t: usize,
        k: usize,
    },
    /// The invitee declines by the invite's current link.
    Decline {
        t: usize,
        k: usize,
    },
    Archive {
        t: usize,
        p: usize,
    },
    Assign {
        t: usize,
        e: usize,
        role: usize,
    },
    Import {
        t: usize,
        emails: Vec<usize>,
        products: Vec<usize>,
    },
    Advance {
        hours: u8,
    },
    Foreign {
        t: usize,
        e: usize,
        p: usize,
    },
}

impl Step {
    /// The tenant the step acts in (`None` for a clock move, which concerns all).
    pub fn tenant(&self) -> Option<usize> {
        use Step::*;
        match self {
            Add { t, .. }
            | Grant { t, .. }
            | Revoke { t, .. }
            | Deactivate { t, .. }
            | Reactivate { t, .. }
            | Remove { t, .. }
            | Invite { t, .. }
            | Accept { t, .. }
            | Claim { t, .. }
            | Resend { t, .. }
            | RevokeInvite { t, .. }
            | Decline { t, .. }
            | Archive { t, .. }
            | Assign { t, .. }
            | Import { t, .. }
            | Foreign { t, .. } => Some(*t),
            Advance { .. } => None,
        }
    }
}

fn step() -> impl Strategy<Value = Step> {
    let t = 0..TENANTS;
    let e = 0..EMAILS;
    let p = 0..PRODUCTS;
    let products = || proptest::collection::vec(0..PRODUCTS, 0..3);
    let hours = proptest::option::of(1u8..=200);
    prop_oneof![
        6 => (t.clone(), e.clone(), products(), hours.clone(), any::<bool>())
            .prop_map(|(t, e, products, hours, shout)| Step::Add { t, e, products, hours, shout }),
        6 => (t.clone(), e.clone(), p.clone(), hours)
            .prop_map(|(t, e, p, hours)| Step::Grant { t, e, p, hours }),
        3 => (t.clone(), e.clone(), p.clone()).prop_map(|(t, e, p)| Step::Revoke { t, e, p }),
        2 => (t.clone(), e.clone()).prop_map(|(t, e)| Step::Deactivate { t, e }),
        2 => (t.clone(), e.clone()).prop_map(|(t, e)| Step::Reactivate { t, e }),
        1 => (t.clone(), e.clone()).prop_map(|(t, e)| Step::Remove { t, e }),
        5 => (t.clone(), e.clone(), products())
            .prop_map(|(t, e, products)| Step::Invite { t, e, products }),
        4 => (t.clone(), 0..8usize, proptest::bool::weighted(0.2), proptest::bool::weighted(0.1))
            .prop_map(|(t, k, stale, elsewhere)| Step::Accept { t, k, stale, elsewhere }),
        3 => (t.clone(), e.clone()).prop_map(|(t, e)| Step::Claim { t, e }),
        2 => (t.clone(), 0..8usize).prop_map(|(t, k)| Step::Resend { t, k }),
        2 => (t.clone(), 0..8usize).prop_map(|(t, k)| Step::RevokeInvite { t, k }),
        1 => (t.clone(), 0..8usize).prop_map(|(t, k)| Step::Decline { t, k }),
        1 => (t.clone(), p.clone()).prop_map(|(t, p)| Step::Archive { t, p }),
        3 => (t.clone(), e.clone(), 0..ROLES).prop_map(|(t, e, role)| Step::Assign { t, e, role }),
        2 => (t.clone(), proptest::collection::vec(e.clone(), 1..6), products())
            .prop_map(|(t, emails, products)| Step::Import { t, emails, products }),
        3 => (1u8..=120).prop_map(|hours| Step::Advance { hours }),
        1 => (t, e, p).prop_map(|(t, e, p)| Step::Foreign { t, e, p }),
    ]
}

/// Sequences of 1 to `max` steps.
pub fn sequence(max: usize) -> impl Strategy<Value = Vec<Step>> {
    proptest::collection::vec(step(), 1..=max)
}
