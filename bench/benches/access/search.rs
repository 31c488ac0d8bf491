//! A search box on SQLite: memberkit's customer search beside the same question asked of the
//! trigram index by hand.

use crate::{interleave, Figures};
use memberkit::*;
use memberkit_bench::{Population, Size};
use rusqlite::{params, Connection};

/// The newest 50 members of the tenant whose search text holds the term, through the
/// trigram index, as a developer with the schema would write it.
const SEARCH_SQL: &str = "SELECT m.id, m.email, m.name FROM members_fts f
     JOIN members m ON m.seq = f.rowid
     WHERE members_fts MATCH ?2 AND m.tenant_id = ?1
     ORDER BY f.rowid DESC LIMIT 50";

pub fn compare(size: &Size, conn: &Connection, tenant: &Tenant, pop: &Population) {
    let mut stmt = conn.prepare(SEARCH_SQL).unwrap();
    let terms: Vec<String> = (0..200)
        .map(|i| format!("member {}", (i * 7919) % pop.members.len()))
        .collect();
    let mut by_hand = |term: &String| -> usize {
        let phrase = format!("\"{term}\"");
        let rows = stmt
            .query_map(params![pop.tenant.as_uuid(), phrase], |r| {
                r.get::<_, uuid::Uuid>(0)
            })
            .unwrap();
        rows.count()
    };
    let ours = |term: &String| -> usize {
        let q = CustomerQuery {
            search: Some(term.clone()),
            limit: 50,
            ..Default::default()
        };
        tenant.customers(&q).unwrap().rows.len()
    };
    for term in &terms[..20] {
        assert_eq!(ours(term), by_hand(term), "{term}");
    }
    let mut figures = Figures::default();
    for _ in 0..size.reps {
        let by_hand = std::cell::RefCell::new(&mut by_hand);
        interleave(
            &mut figures,
            &terms,
            vec![
                ("memberkit", Box::new(|t: &String| ours(t) > 0)),
                (
                    "by hand",
                    Box::new(|t: &String| by_hand.borrow_mut()(t) > 0),
                ),
            ],
        );
    }
    figures.print("search (newest 50)", "memberkit", &["by hand"]);
}
