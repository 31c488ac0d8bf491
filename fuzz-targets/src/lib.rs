//! The fuzz targets, as plain functions of bytes so that two drivers share them:
//! `cargo fuzz run <target>` (libFuzzer, coverage-guided, needs a nightly toolchain; see
//! `fuzz/`) and `tests/bounded.rs` (a bounded run on stable that CI runs every time).
//!
//! Every target feeds untrusted text to a public entry point and checks what a host relies
//! on: the call returns, and a failure is a typed error of the input's kind, never a panic and
//! never a `storage` error. Invalid UTF-8 is skipped: every binding hands memberkit `str`.

use memberkit::*;
use memberkit_sqlite::SqliteStore;

/// A named target.
pub struct Target {
    /// The name `cargo fuzz run` takes.
    pub name: &'static str,
    /// Runs one input.
    pub run: fn(&[u8]),
}

/// Every target.
pub const TARGETS: &[Target] = &[
    Target {
        name: "import_csv",
        run: import_csv,
    },
    Target {
        name: "import_pasted",
        run: import_pasted,
    },
    Target {
        name: "email",
        run: email,
    },
    Target {
        name: "invite_token",
        run: invite_token,
    },
    Target {
        name: "impersonation_token",
        run: impersonation_token,
    },
    Target {
        name: "cursor",
        run: cursor,
    },
];

struct World {
    tenant: Tenant,
    product: ProductId,
}

thread_local! {
    // One in-memory hub per thread: a fresh database per input would measure SQLite's setup.
    static WORLD: World = {
        let hub = Hub::new(SqliteStore::open(":memory:").expect("an in-memory hub"));
        let tenant = hub.create_tenant("Fuzz").expect("a tenant");
        let new = NewProduct::paid("Course", ProductKind::Course);
        let product = tenant.create_product(Actor::System, new).expect("a product").id;
        tenant.add_customer(Actor::System, NewCustomer::new("ada@example.com")).expect("a member");
        World { tenant, product }
    };
}

fn expect_typed<T>(what: &str, input: &str, result: Result<T>, allowed: &[ErrorCode]) {
    if let Err(e) = result {
        assert!(
            allowed.contains(&e.code()),
            "{what}({input:?}) failed with {:?}: {e}",
            e.code()
        );
    }
}

fn import(data: &[u8], format: ImportFormat) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    WORLD.with(|w| {
        // A dry run checks every row exactly as the real run does, and leaves the hub as it was.
        let options = ImportOptions {
            products: vec![w.product],
            mode: ImportMode::Grant,
            dry_run: true,
            ..Default::default()
        };
        let result =
            w.tenant
                .import_customers(Actor::System, ImportSource::new(format, text), &options);
        if let Ok(report) = &result {
            assert!(!report.applied, "a dry run applied");
        }
        expect_typed("import", text, result, &[ErrorCode::InvalidInput]);
    });
}

/// The CSV importer.
pub fn import_csv(data: &[u8]) {
    import(data, ImportFormat::Csv)
}

/// The pasted-lines importer.
pub fn import_pasted(data: &[u8]) {
    import(data, ImportFormat::Pasted)
}

/// Email normalisation, and the lookups and sign-up that run it.
pub fn email(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let normalized = normalize::email(text);
    if let Ok(e) = &normalized {
        // Normalising is idempotent: a stored key normalises to itself.
        let again = normalize::email(&e.key).expect("a normalised key is a valid email");
        assert_eq!(
            again.key, e.key,
            "normalising {text:?} twice changed its key"
        );
    }
    expect_typed(
        "normalize::email",
        text,
        normalized,
        &[ErrorCode::InvalidInput],
    );
    WORLD.with(|w| {
        let found = w.tenant.member_by_email(text);
        expect_typed("member_by_email", text, found, &[ErrorCode::InvalidInput]);
        let claimed = w.tenant.claim(text);
        expect_typed("claim", text, claimed, &[ErrorCode::InvalidInput]);
    });
}

/// Invite links: whatever the link carries, the answer is `not_found` (or a typed refusal).
pub fn invite_token(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    WORLD.with(|w| {
        let accepted = w.tenant.accept(text, None);
        expect_typed("accept", text, accepted, &[ErrorCode::NotFound]);
        let with_email = w.tenant.accept(text, Some(text));
        let allowed = [ErrorCode::NotFound, ErrorCode::InvalidInput];
        expect_typed("accept with email", text, with_email, &allowed);
    });
}

/// Impersonation tokens.
pub fn impersonation_token(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    WORLD.with(|w| {
        let verified = w.tenant.verify_impersonation(text);
        expect_typed(
            "verify_impersonation",
            text,
            verified,
            &[ErrorCode::NotFound],
        );
        let ended = w.tenant.end_impersonation(text);
        expect_typed("end_impersonation", text, ended, &[ErrorCode::NotFound]);
    });
}

/// Customer-list cursors in every sort order, and search terms.
pub fn cursor(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    WORLD.with(|w| {
        for sort in [
            CustomerSort::Newest,
            CustomerSort::Name,
            CustomerSort::Email,
        ] {
            let q = CustomerQuery {
                cursor: Some(text.to_owned()),
                sort,
                ..Default::default()
            };
            expect_typed(
                "customers(cursor)",
                text,
                w.tenant.customers(&q),
                &[ErrorCode::InvalidInput],
            );
            let q = CustomerQuery {
                search: Some(text.to_owned()),
                sort,
                ..Default::default()
            };
            expect_typed(
                "customers(search)",
                text,
                w.tenant.customers(&q),
                &[ErrorCode::InvalidInput],
            );
        }
    });
}
