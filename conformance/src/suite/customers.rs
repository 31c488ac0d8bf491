//! The customer list: search, filters, order, keyset pages, counts.

use crate::fixture::*;
use memberkit::time::Duration;
use memberkit::*;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(the_list_and_has_access_agree_on_when_a_grant_ends),
    case!(search_is_a_case_insensitive_unicode_substring_of_name_or_email),
    case!(filters_by_status_product_no_access_and_workspace),
    case!(each_row_carries_its_active_products),
    case!(sorts_newest_by_name_and_by_email),
    case!(cursor_pages_cover_everything_once_even_while_rows_are_inserted),
    case!(export_quotes_per_rfc4180_and_neutralises_formulas),
    case!(searching_newest_first_pages_through_the_index_and_stays_in_the_tenant),
];

fn emails(page: &CustomerPage) -> Vec<String> {
    page.rows.iter().map(|r| r.member.email.clone()).collect()
}

fn query() -> CustomerQuery {
    CustomerQuery::default()
}

fn add(f: &Fixture, email: &str, name: Option<&str>, products: &[ProductId]) -> Member {
    let mut new = NewCustomer::new(email);
    new.name = name.map(str::to_owned);
    new.products = products.to_vec();
    f.tenant.add_customer(Actor::System, new).unwrap().member
}

fn search_is_a_case_insensitive_unicode_substring_of_name_or_email() {
    let f = Fixture::new();
    add(&f, "zoe@example.com", Some("ZOË Müller"), &[]);
    add(&f, "ada@lovelace.org", Some("Ada Lovelace"), &[]);
    add(&f, "STRASSE@example.de", None, &[]);
    let other = f.hub.create_tenant("Other").unwrap();
    other
        .add_customer(Actor::System, NewCustomer::new("zoe@other.com").name("Zoë"))
        .unwrap();
    let search = |s: &str| {
        let mut q = query();
        q.search = Some(s.into());
        emails(&f.tenant.customers(&q).unwrap())
    };
    assert_eq!(search("zoë"), ["zoe@example.com"]);
    assert_eq!(search("MÜLL"), ["zoe@example.com"]);
    assert_eq!(
        search("lovelace.o"),
        ["ada@lovelace.org"],
        "inside the email"
    );
    assert_eq!(
        search("straße"),
        ["STRASSE@example.de"],
        "full case folding"
    );
    assert_eq!(search("zo"), ["zoe@example.com"], "short terms work too");
    assert_eq!(search("example"), ["STRASSE@example.de", "zoe@example.com"]);
    assert!(search("nobody").is_empty());
    assert_eq!(search("  "), search(""), "blank search is no search");
    // A renamed member is found by the new name only.
    let m = f
        .tenant
        .member_by_email("ada@lovelace.org")
        .unwrap()
        .unwrap();
    f.tenant
        .add_customer(Actor::System, NewCustomer::new(&m.email).name("Countess"))
        .unwrap();
    assert_eq!(search("countess"), ["ada@lovelace.org"]);
    assert!(search("lovelace a").is_empty());
}

fn filters_by_status_product_no_access_and_workspace() {
    let f = Fixture::new();
    let course = f.course("Course");
    let cohort = f.course("Cohort");
    let free = f
        .tenant
        .create_product(
            Actor::System,
            NewProduct::free("Lounge", ProductKind::Community),
        )
        .unwrap();
    let ws = f.tenant.create_workspace(Actor::System, "Acme").unwrap();
    let a = add(&f, "a@x.com", None, &[course.id]);
    let b = add(&f, "b@x.com", None, &[cohort.id]);
    let c = add(&f, "c@x.com", None, &[]);
    f.tenant
        .grant(
            Actor::System,
            c.id,
            course.id,
            GrantOptions {
                expires_at: Some(f.hub.now() + Duration::hours(1)),
                ..Default::default()
            },
        )
        .unwrap();
    let d = add(&f, "d@x.com", None, &[course.id]);
    f.tenant.revoke(Actor::System, d.id, course.id).unwrap();
    f.tenant
        .invite(Actor::System, NewInvite::new("e@x.com").product(course.id))
        .unwrap();
    f.tenant.deactivate(Actor::System, b.id).unwrap();
    f.tenant
        .add_to_workspace(Actor::System, a.id, ws.id, Role::Customer)
        .unwrap();

    let list = |q: CustomerQuery| {
        let mut e = emails(&f.tenant.customers(&q).unwrap());
        e.sort();
        assert_eq!(
            f.tenant.count_customers(&q).unwrap(),
            e.len(),
            "count agrees with the list"
        );
        e
    };
    assert_eq!(
        list(CustomerQuery {
            status: Some(MemberStatus::Invited),
            ..query()
        }),
        ["e@x.com"]
    );
    assert_eq!(
        list(CustomerQuery {
            status: Some(MemberStatus::Deactivated),
            ..query()
        }),
        ["b@x.com"]
    );
    assert_eq!(
        list(CustomerQuery {
            product: Some(course.id),
            ..query()
        }),
        ["a@x.com", "c@x.com"]
    );
    assert_eq!(
        list(CustomerQuery {
            product: Some(free.id),
            ..query()
        }),
        ["a@x.com", "c@x.com", "d@x.com"]
    );
    assert_eq!(
        list(CustomerQuery {
            no_access: true,
            ..query()
        }),
        ["d@x.com", "e@x.com"]
    );
    assert_eq!(
        list(CustomerQuery {
            workspace: Some(ws.id),
            ..query()
        }),
        ["a@x.com"]
    );
    f.advance(Duration::hours(1));
    assert_eq!(
        list(CustomerQuery {
            product: Some(course.id),
            ..query()
        }),
        ["a@x.com"],
        "expired grants drop out"
    );
    assert_eq!(
        list(CustomerQuery {
            no_access: true,
            ..query()
        }),
        ["c@x.com", "d@x.com", "e@x.com"]
    );
    assert_eq!(
        list(CustomerQuery {
            no_access: true,
            status: Some(MemberStatus::Active),
            ..query()
        }),
        ["c@x.com", "d@x.com"]
    );
    assert_eq!(
        code(f.tenant.customers(&CustomerQuery {
            product: Some(ProductId::new()),
            ..query()
        })),
        "not_found"
    );
    assert_eq!(
        code(f.tenant.customers(&CustomerQuery {
            workspace: Some(WorkspaceId::new()),
            ..query()
        })),
        "not_found"
    );
}

fn each_row_carries_its_active_products() {
    let f = Fixture::new();
    let (a, b) = (f.course("A"), f.course("B"));
    let m = add(&f, "m@x.com", Some("M"), &[a.id, b.id]);
    f.tenant.revoke(Actor::System, m.id, b.id).unwrap();
    add(&f, "n@x.com", None, &[]);
    let page = f.tenant.customers(&query()).unwrap();
    let row = page.rows.iter().find(|r| r.member.id == m.id).unwrap();
    assert_eq!(
        row.products,
        [ProductRef {
            id: a.id,
            name: "A".into(),
            via: None,
        }]
    );
    assert!(page
        .rows
        .iter()
        .find(|r| r.member.email == "n@x.com")
        .unwrap()
        .products
        .is_empty());
}

fn sorts_newest_by_name_and_by_email() {
    let f = Fixture::new();
    add(&f, "c@x.com", Some("bob"), &[]);
    add(&f, "a@x.com", Some("Älice"), &[]);
    add(&f, "b@x.com", None, &[]);
    let sorted = |sort| {
        emails(
            &f.tenant
                .customers(&CustomerQuery { sort, ..query() })
                .unwrap(),
        )
    };
    assert_eq!(
        sorted(CustomerSort::Newest),
        ["b@x.com", "a@x.com", "c@x.com"]
    );
    assert_eq!(
        sorted(CustomerSort::Email),
        ["a@x.com", "b@x.com", "c@x.com"]
    );
    // Nameless members sort by email key: "b@x.com" < "bob" < "älice" (folded, code point order).
    assert_eq!(
        sorted(CustomerSort::Name),
        ["b@x.com", "c@x.com", "a@x.com"]
    );
}

fn cursor_pages_cover_everything_once_even_while_rows_are_inserted() {
    let f = Fixture::new();
    for i in 0..10 {
        add(
            &f,
            &format!("m{i:02}@x.com"),
            Some(&format!("Name {}", 9 - i)),
            &[],
        );
    }
    for sort in [
        CustomerSort::Newest,
        CustomerSort::Name,
        CustomerSort::Email,
    ] {
        let full = emails(
            &f.tenant
                .customers(&CustomerQuery {
                    sort,
                    limit: 500,
                    ..query()
                })
                .unwrap(),
        );
        let mut seen = Vec::new();
        let mut q = CustomerQuery {
            sort,
            limit: 3,
            ..query()
        };
        let mut inserted = 0;
        loop {
            let page = f.tenant.customers(&q).unwrap();
            assert!(page.rows.len() <= 3);
            seen.extend(emails(&page));
            // Someone adds customers between page loads.
            add(
                &f,
                &format!("late{}{inserted}@x.com", sort.as_str()),
                Some("aaa late"),
                &[],
            );
            inserted += 1;
            match page.next_cursor {
                Some(c) => q.cursor = Some(c),
                None => break,
            }
        }
        let before: Vec<_> = seen
            .iter()
            .filter(|e| !e.starts_with("late"))
            .cloned()
            .collect();
        assert_eq!(
            before,
            full.iter()
                .filter(|e| !e.starts_with("late"))
                .cloned()
                .collect::<Vec<_>>(),
            "{sort:?}"
        );
        let mut dedup = seen.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), seen.len(), "no row twice ({sort:?})");
    }
    let page = f
        .tenant
        .customers(&CustomerQuery {
            limit: 2,
            ..query()
        })
        .unwrap();
    let cursor = page.next_cursor.unwrap();
    assert_eq!(
        code(f.tenant.customers(&CustomerQuery {
            sort: CustomerSort::Name,
            cursor: Some(cursor),
            ..query()
        })),
        "invalid_input"
    );
    assert_eq!(
        code(f.tenant.customers(&CustomerQuery {
            cursor: Some("zz".into()),
            ..query()
        })),
        "invalid_input"
    );
    assert_eq!(
        code(f.tenant.customers(&CustomerQuery {
            limit: 0,
            ..query()
        })),
        "invalid_input"
    );
    assert_eq!(
        code(f.tenant.customers(&CustomerQuery {
            limit: 501,
            ..query()
        })),
        "invalid_input"
    );
    f.tenant
        .customers(&CustomerQuery {
            limit: 500,
            ..query()
        })
        .unwrap();
}

fn export_quotes_per_rfc4180_and_neutralises_formulas() {
    let f = Fixture::new();
    let course = f.course("Course, \"Pro\"");
    add(
        &f,
        "a@x.com",
        Some("=HYPERLINK(\"http://evil\")"),
        &[course.id],
    );
    add(&f, "-b@x.com", Some("Smith, \"Jo\""), &[]);
    add(&f, "c@x.com", Some("@SUM(A1)"), &[]);
    let csv = f
        .tenant
        .export_customers(&CustomerQuery {
            sort: CustomerSort::Email,
            ..query()
        })
        .unwrap();
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "name,email,external_id,status,products,created_at,metadata"
    );
    let line = |email: &str| *lines.iter().find(|l| l.contains(email)).unwrap();
    assert!(
        line(",a@x.com,").starts_with(
            "\"'=HYPERLINK(\"\"http://evil\"\")\",a@x.com,,active,\"Course, \"\"Pro\"\"\","
        ),
        "{}",
        line(",a@x.com,")
    );
    assert!(
        line("c@x.com").starts_with("'@SUM(A1),c@x.com,"),
        "{}",
        line("c@x.com")
    );
    assert!(
        line("-b@x.com").starts_with("\"Smith, \"\"Jo\"\"\",'-b@x.com,"),
        "{}",
        line("-b@x.com")
    );
    assert_eq!(lines[4], "", "CRLF after the last record");
    // No cell of the file starts a formula.
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell}"
            );
        }
    }
}

fn searching_newest_first_pages_through_the_index_and_stays_in_the_tenant() {
    let f = Fixture::new();
    let other = f.hub.create_tenant("Other").unwrap();
    for i in 0..12 {
        add(
            &f,
            &format!("ada{i:02}@example.com"),
            Some("Ada Lovelace"),
            &[],
        );
        other
            .add_customer(
                Actor::System,
                NewCustomer::new(format!("ada{i:02}@example.com")).name("Ada Lovelace"),
            )
            .unwrap();
        add(&f, &format!("bob{i:02}@example.com"), Some("Bob"), &[]);
    }
    let mut q = CustomerQuery {
        search: Some("LOVELACE".into()),
        limit: 5,
        ..query()
    };
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = f.tenant.customers(&q).unwrap();
        assert!(page
            .rows
            .iter()
            .all(|r| r.member.tenant_id == f.tenant.id()));
        seen.extend(emails(&page));
        pages += 1;
        add(
            &f,
            &format!("late{pages}@example.com"),
            Some("Ada Lovelace"),
            &[],
        );
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
    }
    let want: Vec<String> = (0..12)
        .rev()
        .map(|i| format!("ada{i:02}@example.com"))
        .collect();
    assert_eq!(
        seen, want,
        "newest first, each once, later inserts not mixed in"
    );
    assert_eq!(pages, 3);
    let count = f
        .tenant
        .count_customers(&CustomerQuery {
            search: Some("lovelace".into()),
            ..query()
        })
        .unwrap();
    assert_eq!(count, 12 + pages, "the count sees the late ones too");
    // Short terms take the scan path and agree with the index path.
    let short = emails(
        &f.tenant
            .customers(&CustomerQuery {
                search: Some("b0".into()),
                limit: 500,
                ..query()
            })
            .unwrap(),
    );
    assert_eq!(short.len(), 10);
}

/// The store's customer filters and the core's `has_access` are two translations of one rule
/// (`Grant::is_active_at`): they must flip at the same instant, the expiry itself.
fn the_list_and_has_access_agree_on_when_a_grant_ends() {
    let f = Fixture::new();
    let course = f.course("Course");
    let m = f.customer("a@example.com", &[]);
    let ends = START + Duration::days(3);
    f.tenant
        .grant(
            Actor::System,
            m.id,
            course.id,
            GrantOptions {
                expires_at: Some(ends),
                ..Default::default()
            },
        )
        .unwrap();
    let holders = CustomerQuery {
        product: Some(course.id),
        ..Default::default()
    };
    let without = CustomerQuery {
        no_access: true,
        ..Default::default()
    };
    let listed_products = |f: &Fixture| {
        f.tenant.customers(&CustomerQuery::default()).unwrap().rows[0]
            .products
            .len()
    };
    f.clock.set(ends - Duration::microseconds(1));
    assert!(f.tenant.has_access(m.id, course.id).unwrap());
    assert_eq!(f.tenant.count_customers(&holders).unwrap(), 1);
    assert_eq!(f.tenant.count_customers(&without).unwrap(), 0);
    assert_eq!(listed_products(&f), 1);
    f.clock.set(ends);
    assert!(!f.tenant.has_access(m.id, course.id).unwrap());
    assert_eq!(f.tenant.count_customers(&holders).unwrap(), 0);
    assert_eq!(f.tenant.count_customers(&without).unwrap(), 1);
    assert_eq!(listed_products(&f), 0);
}
