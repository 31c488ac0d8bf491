//! A creator's hub in a few calls: products, a customer, an invite claimed on sign-up, a revoke,
//! and the outbox the host drains to send its emails. Runs on a SQLite file in a temp folder.
//!
//! `cargo run -p memberkit-examples --example quickstart`

use memberkit::*;
use memberkit_open::OpenHub;

fn main() -> Result<()> {
    let dir = tempfile::tempdir().map_err(Error::storage)?;
    let path = dir.path().join("memberkit.db");
    let hub = Hub::open(&path)?;
    println!("opened {}", path.display());

    let academy = hub.create_tenant("Ada's Academy")?;
    let owner = Actor::System; // the host platform acts for the owner here
    let course =
        academy.create_product(owner, NewProduct::paid("Rust 101", ProductKind::Course))?;
    let insiders =
        academy.create_product(owner, NewProduct::paid("Insiders", ProductKind::Membership))?;
    println!(
        "created {} ({}) and {} ({})",
        course.name, course.kind, insiders.name, insiders.kind
    );

    // A customer who already bought: access now, no email round trip.
    let grace = academy.add_customer(
        owner,
        NewCustomer::new("grace@example.com")
            .name("Grace")
            .product(course.id),
    )?;
    println!(
        "{} customer {} -> access to {}: {}",
        grace.outcome.as_str(),
        grace.member.email,
        course.name,
        academy.has_access(grace.member.id, course.id)?
    );

    // Invite someone: pending until they sign up with that email.
    let issued = academy.invite(
        owner,
        NewInvite::new("Lin@Example.com")
            .name("Lin")
            .product(course.id)
            .product(insiders.id),
    )?;
    println!(
        "invited {} ({}), link token {}…, expires {}",
        issued.invite.email,
        issued.invite.status,
        &issued.token.expose()[..12],
        issued.invite.expires_at.date()
    );

    // The host calls claim when Lin signs up (any letter case).
    for accepted in hub.claim("lin@example.com")? {
        println!(
            "{} signed up -> {} with {} grants",
            accepted.member.email,
            accepted.member.status,
            accepted.granted.len()
        );
        let products: Vec<String> = academy
            .access(accepted.member.id)?
            .into_iter()
            .map(|a| a.product.name)
            .collect();
        println!("  can use: {}", products.join(", "));
    }

    // A refund: revoke, effective at once.
    academy.revoke(owner, grace.member.id, course.id)?;
    println!(
        "revoked {} for {} -> access: {}",
        course.name,
        grace.member.email,
        academy.has_access(grace.member.id, course.id)?
    );

    // The host drains the outbox, emails what is meant to be emailed, then acknowledges.
    let events = hub.outbox(100)?;
    for e in &events {
        match e.channel {
            Channel::Email => println!("email:  {:<16} {}", e.kind, e.payload["email"]),
            Channel::InApp | Channel::System => println!("{:<7} {}", e.channel, e.kind),
        }
    }
    let delivered = hub.ack(&events.iter().map(|e| e.id).collect::<Vec<_>>())?;
    println!(
        "acknowledged {delivered} events; audit log has {} entries",
        academy
            .audit(&AuditQuery {
                limit: 1000,
                ..Default::default()
            })?
            .len()
    );
    Ok(())
}
