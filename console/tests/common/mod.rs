//! What the console's route tests share: a site with a tenant, products, an admin and
//! customers, and helpers to get pages, take a form's token and post.
#![allow(dead_code)]

use memberkit::*;
use memberkit_console::{Console, Request, Response, Who};
use memberkit_open::OpenHub;

/// A page's HTML with the slashes the template engine escapes (`&#x2f;`, as OWASP advises)
/// read back, as a browser reads them.
pub trait Html {
    fn html(&self) -> String;
}

impl Html for Response {
    fn html(&self) -> String {
        self.text().replace("&#x2f;", "/")
    }
}

pub const XSS: &str = "\"><img src=x onerror=alert(1)><script>alert(2)</script>\u{202e}";

/// The secret the site's console signs its forms with.
pub const SECRET: &[u8] = b"test secret, thirty-two bytes long";

pub struct Site {
    pub hub: Hub,
    pub tenant: Tenant,
    pub console: Console,
    pub admin: Who,
    pub customer: Who,
    pub course: Product,
    pub bundle: Product,
    pub ada: MemberId,
}

pub fn site() -> Site {
    let hub = Hub::open(":memory:").unwrap();
    let tenant = hub.create_tenant("Ada's <Academy>").unwrap();
    let paid = |name: &str, kind| {
        tenant
            .create_product(Actor::System, NewProduct::paid(name, kind))
            .unwrap()
    };
    let course = paid("Rust 101", ProductKind::Course);
    let bundle = paid("All Access", ProductKind::Membership);
    tenant
        .include_in_bundle(Actor::System, bundle.id, course.id)
        .unwrap();
    let admin = tenant
        .add_customer(
            Actor::System,
            NewCustomer::new("admin@x.com").role(Role::Admin),
        )
        .unwrap()
        .member
        .id;
    let ada = NewCustomer::new("ada@x.com").name(XSS).product(bundle.id);
    let ada = tenant.add_customer(Actor::System, ada).unwrap().member.id;
    let grace = NewCustomer::new("grace@x.com");
    let grace = tenant.add_customer(Actor::System, grace).unwrap().member.id;
    let console = Console::new(hub.clone(), SECRET);
    Site {
        admin: Who {
            tenant: tenant.id(),
            actor: Actor::Member(admin),
        },
        customer: Who {
            tenant: tenant.id(),
            actor: Actor::Member(grace),
        },
        hub,
        tenant,
        console,
        course,
        bundle,
        ada,
    }
}

impl Site {
    pub fn get(&self, mount: &str, path: &str, who: &Who) -> Response {
        self.console
            .handle(&Request::new("GET", mount, path), Some(who))
    }

    /// The form token a page at `path` hands out.
    pub fn token(&self, mount: &str, path: &str, who: &Who) -> String {
        let html = self.get(mount, path, who).html();
        let at = html.find("name=\"csrf\" value=\"").expect("a form") + 19;
        html[at..].split('"').next().unwrap().to_owned()
    }

    pub fn post(&self, mount: &str, path: &str, who: &Who, fields: &[(&str, &str)]) -> Response {
        let request = Request::new("POST", mount, path)
            .header("host", "shop.example")
            .header("origin", "https://shop.example")
            .header("sec-fetch-site", "same-origin")
            .form(fields);
        self.console.handle(&request, Some(who))
    }

    /// Audit entries and outbox events: what any change writes.
    pub fn footprint(&self) -> (usize, usize) {
        let audit = AuditQuery {
            limit: 1000,
            ..Default::default()
        };
        (
            self.tenant.audit(&audit).unwrap().len(),
            self.tenant.outbox(1000).unwrap().len(),
        )
    }
}
