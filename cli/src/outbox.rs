//! `memberkit outbox`: undelivered events as JSON lines on stdout, for a mail worker to read.
//! With `--ack` each batch is marked delivered once it is written and flushed (at most once
//! for the reader); with `--follow` it keeps polling until interrupted.

use crate::output::{time, Output};
use clap::Args;
use memberkit::*;
use std::collections::HashSet;
use std::time::Duration;

#[derive(Args)]
pub(crate) struct OutboxArgs {
    /// Only this tenant's events.
    #[arg(long)]
    tenant: Option<String>,
    /// Events per batch (1 to 1000).
    #[arg(long, default_value_t = 100)]
    limit: usize,
    /// Mark the events printed as delivered.
    #[arg(long)]
    ack: bool,
    /// Keep printing new events as they are written.
    #[arg(long)]
    follow: bool,
    /// Seconds between polls with --follow.
    #[arg(long, default_value_t = 1.0)]
    interval: f64,
}

pub(crate) fn run(hub: &Hub, args: &OutboxArgs, out: &Output) -> Result<()> {
    let tenant = args
        .tenant
        .as_deref()
        .map(|t| hub.tenant(t.parse()?))
        .transpose()?;
    let interval = Duration::try_from_secs_f64(args.interval)
        .map_err(|_| Error::invalid("interval", "must be a number of seconds, 0 or more"))?;
    // Without --ack, --follow would see the same events again: print each once.
    let mut printed: HashSet<EventId> = HashSet::new();
    loop {
        let events = match &tenant {
            Some(t) => t.outbox(args.limit)?,
            None => hub.outbox(args.limit)?,
        };
        let fresh: Vec<&OutboxEvent> = events.iter().filter(|e| !printed.contains(&e.id)).collect();
        let lines: String = fresh.iter().map(|e| format!("{}\n", line(e))).collect();
        out.raw(&lines)?;
        if args.ack && !fresh.is_empty() {
            let ids: Vec<EventId> = fresh.iter().map(|e| e.id).collect();
            match &tenant {
                Some(t) => t.ack(&ids)?,
                None => hub.ack(&ids)?,
            };
        } else if !args.ack {
            printed.extend(fresh.iter().map(|e| e.id));
        }
        if !args.follow {
            return Ok(());
        }
        // A full batch may have more behind it: poll again at once.
        if fresh.len() < args.limit {
            std::thread::sleep(interval);
        }
    }
}

/// One event as a JSON object on one line (payloads never hold a token or password).
fn line(e: &OutboxEvent) -> serde_json::Value {
    serde_json::json!({
        "id": e.id.to_string(),
        "tenant_id": e.tenant_id.to_string(),
        "kind": e.kind,
        "channel": e.channel.as_str(),
        "payload": e.payload,
        "created_at": time(e.created_at),
    })
}
