//! The `memberkit` command for operators and support staff: imports, exports, the customer
//! list, tenants, invites, grants, the outbox and sweeps, on the database `--db` or
//! `MEMBERKIT_DATABASE_URL` names (a SQLite path or a `postgresql://` URL).
//!
//! It converts and presents only: arguments are parsed by the core's own parsers, every rule is
//! the core's, and every failure is a core error whose code is printed (`--json`: as JSON) and
//! gives the exit status ([`exit_status`]). It acts as the host platform (`system` in the audit
//! log).

mod console;
mod import;
mod outbox;
mod output;

use clap::{Args, Parser, Subcommand};
use memberkit::*;
use output::{print_customers, print_report, print_stats, print_tenants, Output};
use std::ffi::OsString;
use std::path::PathBuf;

pub use output::exit_status;

#[derive(Parser)]
#[command(
    name = "memberkit",
    version,
    about = "Customers and access, from a terminal: import, export, customers, invites, grants, \
             the outbox.",
    after_help = "Exit status: 0 done; 2 a usage error; 10-21 a memberkit error, by its code \
                  (10 not_found, 11 permission_denied, 12 invalid_input, 13 conflict, \
                  14 invite_expired, 15 invite_revoked, 16 invite_used, \
                  17 invite_email_mismatch, 18 member_deactivated, 19 impersonation_ended, \
                  20 seat_limit, 21 storage)."
)]
struct Cli {
    /// The database: a SQLite file path, `:memory:`, or a postgresql:// URL.
    #[arg(
        long,
        global = true,
        env = "MEMBERKIT_DATABASE_URL",
        hide_env_values = true
    )]
    db: Option<String>,
    /// Results and errors as JSON (errors on stderr as {"error": {"code", "message"}}).
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Imports people from a CSV file or pasted lines, with a report per row.
    Import(import::ImportArgs),
    /// Writes the tenant's customers as CSV (the same filters as `customers`).
    Export {
        #[command(flatten)]
        filter: Filter,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Lists the tenant's customers: a table, or JSON with --json.
    Customers {
        #[command(flatten)]
        filter: Filter,
        /// Order: newest, oldest, name or email.
        #[arg(long)]
        sort: Option<String>,
        /// Rows to show (1 to 500).
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Lists every tenant, oldest first.
    Tenants,
    /// Invites someone by email; the invite email goes through the outbox.
    Invite {
        /// Their email.
        email: String,
        #[arg(long)]
        tenant: String,
        /// Their name.
        #[arg(long)]
        name: Option<String>,
        /// A paid product the invite carries (repeatable).
        #[arg(long = "product")]
        products: Vec<String>,
        /// Their role: customer, member, admin, or a custom role's id.
        #[arg(long)]
        role: Option<String>,
    },
    /// Grants a member (id or email) access to a product.
    Grant {
        member: String,
        product: String,
        #[arg(long)]
        tenant: String,
    },
    /// Revokes a member's (id or email) access to a product, at once.
    Revoke {
        member: String,
        product: String,
        #[arg(long)]
        tenant: String,
    },
    /// Prints undelivered outbox events as JSON lines, for a mail worker to read.
    Outbox(outbox::OutboxArgs),
    /// Writes the events that came due with time (expiries, reminders); run it from cron.
    Sweep,
    /// Serves the back office on a loopback address, as one member of one tenant.
    Console(console::ConsoleArgs),
    /// Brings the database's schema up to date (opening it does) and says what was applied.
    Migrate {
        /// Only report the schema version (opening still applies what is pending).
        #[arg(long)]
        status: bool,
    },
    /// Counts across every tenant: members by status, grants, invites by status, the outbox
    /// backlog, the database size.
    Stats,
    /// Checks the database: schema version, the engine's integrity check, the kept counts
    /// against the rows. Exits with `storage` (21) when something is wrong.
    Doctor,
}

/// The customer list's filters.
#[derive(Args)]
struct Filter {
    /// The tenant's id.
    #[arg(long)]
    tenant: String,
    /// Part of a name or email.
    #[arg(long)]
    search: Option<String>,
    /// Only this status: invited, active or deactivated.
    #[arg(long)]
    status: Option<String>,
    /// Only members who can use this product now.
    #[arg(long)]
    product: Option<String>,
    /// Only members with no access to any paid product.
    #[arg(long)]
    no_access: bool,
}

impl Filter {
    fn query(&self) -> Result<CustomerQuery> {
        Ok(CustomerQuery {
            search: self.search.clone(),
            status: self.status.as_deref().map(str::parse).transpose()?,
            product: self.product.as_deref().map(str::parse).transpose()?,
            no_access: self.no_access,
            ..Default::default()
        })
    }
}

/// Runs the command line `args` (the program name first); returns the exit status.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version are successes; usage errors exit 2, as clap's own do.
            let _ = e.print();
            return e.exit_code();
        }
    };
    let out = Output { json: cli.json };
    match execute(&cli, &out) {
        Ok(()) => 0,
        Err(e) => out.error(&e),
    }
}

fn execute(cli: &Cli, out: &Output) -> Result<()> {
    let db = cli.db.as_deref().ok_or_else(|| {
        Error::invalid(
            "db",
            "no database: pass --db PATH_OR_URL or set MEMBERKIT_DATABASE_URL",
        )
    })?;
    let hub = memberkit_open::open(db)?;
    match &cli.command {
        Command::Import(args) => import::run(&hub, args, out),
        Command::Export { filter, output } => {
            let csv = tenant(&hub, &filter.tenant)?.export_customers(&filter.query()?)?;
            match output {
                Some(path) => std::fs::write(path, csv)
                    .map_err(|e| Error::invalid("output", format!("{}: {e}", path.display()))),
                None => out.raw(&csv),
            }
        }
        Command::Customers {
            filter,
            sort,
            limit,
        } => {
            let query = CustomerQuery {
                sort: sort
                    .as_deref()
                    .map(str::parse)
                    .transpose()?
                    .unwrap_or_default(),
                limit: *limit,
                ..filter.query()?
            };
            let t = tenant(&hub, &filter.tenant)?;
            let page = t.customers(&query)?;
            print_customers(out, &page, &t.products()?, t.count_customers(&query)?)
        }
        Command::Tenants => print_tenants(out, &hub.tenants()?),
        Command::Invite {
            email,
            tenant: t,
            name,
            products,
            role,
        } => {
            let mut new = NewInvite::new(email.as_str());
            new.name = name.clone();
            new.products = products.iter().map(|p| p.parse()).collect::<Result<_>>()?;
            if let Some(role) = role {
                new.role = role.parse()?;
            }
            let issued = tenant(&hub, t)?.invite(Actor::System, new)?;
            // The link's token is a secret: the invite email carries it, the screen never does.
            out.done(
                &format!("invited {} ({})", issued.invite.email, issued.invite.id),
                serde_json::json!({"invite_id": issued.invite.id.to_string(),
                                   "email": issued.invite.email,
                                   "status": issued.invite.status.as_str()}),
            )
        }
        Command::Grant {
            member,
            product,
            tenant: t,
        } => {
            let t = tenant(&hub, t)?;
            let member = member_id(&t, member)?;
            let g = t.grant(
                Actor::System,
                member,
                product.parse()?,
                GrantOptions::default(),
            )?;
            out.done(
                &format!("granted {} to {}", g.product_id, g.member_id),
                serde_json::json!({"grant_id": g.id.to_string(),
                                   "member_id": g.member_id.to_string(),
                                   "product_id": g.product_id.to_string()}),
            )
        }
        Command::Revoke {
            member,
            product,
            tenant: t,
        } => {
            let t = tenant(&hub, t)?;
            let member = member_id(&t, member)?;
            let revoked = t.revoke(Actor::System, member, product.parse()?)?;
            out.done(
                match revoked {
                    Some(_) => "revoked",
                    None => "no access to revoke",
                },
                serde_json::json!({"revoked": revoked.is_some()}),
            )
        }
        Command::Outbox(args) => outbox::run(&hub, args, out),
        Command::Migrate { status } => print_report(out, &hub.check()?, *status),
        Command::Stats => print_stats(out, &hub.stats()?),
        Command::Console(args) => console::run(&hub, args, out),
        Command::Doctor => {
            let report = hub.check()?;
            print_report(out, &report, true)?;
            match report.problems.len() {
                0 => Ok(()),
                n => Err(Error::Storage {
                    message: format!("the database check found {n} problems"),
                    source: None,
                }),
            }
        }
        Command::Sweep => {
            let report = hub.sweep(None)?;
            out.done(
                &format!(
                    "swept {} tenants, {} events written",
                    report.tenants, report.events
                ),
                serde_json::json!({"tenants": report.tenants, "events": report.events}),
            )
        }
    }
}

fn tenant(hub: &Hub, id: &str) -> Result<Tenant> {
    hub.tenant(id.parse()?)
}

/// A member by id, or by email when the argument is not an id.
fn member_id(t: &Tenant, given: &str) -> Result<MemberId> {
    if let Ok(id) = given.parse() {
        return Ok(id);
    }
    t.member_by_email(given)?
        .map(|m| m.id)
        .ok_or_else(|| Error::NotFound {
            entity: "member",
            key: given.to_string(),
        })
}
