//! `memberkit console`: the back office for an operator on this machine, served on a loopback
//! address as one member of one tenant, so memberkit's permission and rank rules apply as they
//! do in the host app.
//!
//! Loopback is not enough on a shared machine: the address printed carries a one-time key,
//! exchanged at the first visit for a session cookie (HttpOnly, SameSite=Strict) and useless
//! afterwards; every other request without that cookie gets 401. The console's own checks
//! (signed forms, Origin) apply to every state-changing request.

use crate::output::Output;
use clap::Args;
use memberkit::*;
use memberkit_console::{Console, Request, Who};
use std::io::Read;
use std::net::SocketAddr;

/// The largest body read (a pasted import list is the largest form).
const MOST_BODY: u64 = 16 * 1024 * 1024;
const COOKIE: &str = "memberkit_operator";

#[derive(Args)]
pub(crate) struct ConsoleArgs {
    /// The tenant's id.
    #[arg(long)]
    tenant: String,
    /// The member to act as (their email in the tenant): the console shows what they may do.
    #[arg(long = "as")]
    email: String,
    /// A loopback address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
}

pub(crate) fn run(hub: &Hub, args: &ConsoleArgs, out: &Output) -> Result<()> {
    let address: SocketAddr = args
        .listen
        .parse()
        .map_err(|e| Error::invalid("listen", format!("`{}`: {e}", args.listen)))?;
    if !address.ip().is_loopback() {
        return Err(Error::invalid(
            "listen",
            "the console serves this machine only: give a loopback address (127.0.0.1:PORT)",
        ));
    }
    let tenant = hub.tenant(args.tenant.parse()?)?;
    let member = tenant
        .member_by_email(&args.email)?
        .ok_or_else(|| Error::NotFound {
            entity: "member",
            key: args.email.clone(),
        })?;
    let who = Who {
        tenant: tenant.id(),
        actor: Actor::Member(member.id),
    };
    let console = Console::new(hub.clone(), &random_key()?).site_url("/");
    let server = tiny_http::Server::http(address)
        .map_err(|e| Error::invalid("listen", format!("{address}: {e}")))?;
    let bound = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| Error::invalid("listen", "not an IP address"))?;
    let mut once = Some(hex(&random_key()?));
    let session = hex(&random_key()?);
    out.done(
        &format!(
            "the back office of {} as {}: http://{bound}/customers?key={} (the key works once; \
             Ctrl-C stops)",
            tenant.info()?.name,
            member.email,
            once.as_deref().unwrap_or_default()
        ),
        serde_json::json!({"listening": bound.to_string(),
                           "url": format!("http://{bound}/customers?key={}", once.as_deref().unwrap_or_default())}),
    )?;
    for request in server.incoming_requests() {
        let answer = answer(&console, &who, request, &mut once, &session);
        if let Err(e) = answer {
            eprintln!("memberkit console: {e}");
        }
    }
    Ok(())
}

fn answer(
    console: &Console,
    who: &Who,
    mut request: tiny_http::Request,
    once: &mut Option<String>,
    session: &str,
) -> std::io::Result<()> {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
    let cookie_ok = request.headers().iter().any(|h| {
        h.field.equiv("cookie")
            && h.value
                .as_str()
                .split(';')
                .any(|c| c.trim() == format!("{COOKIE}={session}"))
    });
    // The first visit trades the one-time key for the session cookie, then drops the key
    // from the address bar.
    let offered = query
        .split('&')
        .find_map(|p| p.strip_prefix("key="))
        .map(str::to_owned);
    if let (Some(key), Some(expected)) = (&offered, once.as_deref()) {
        if key == expected {
            *once = None;
            let cookie = format!("{COOKIE}={session}; Path=/; HttpOnly; SameSite=Strict");
            let mut response = tiny_http::Response::empty(303);
            for (name, value) in [
                ("Location", path),
                ("Set-Cookie", cookie.as_str()),
                ("Cache-Control", "no-store"),
            ] {
                // A path that is not a valid header value cannot be sent back: `/` instead.
                let value = tiny_http::Header::from_bytes(name, value)
                    .or_else(|()| tiny_http::Header::from_bytes(name, "/"));
                if let Ok(h) = value {
                    response.add_header(h);
                }
            }
            return request.respond(response);
        }
    }
    if !cookie_ok {
        let response = tiny_http::Response::from_string(
            "Open the address `memberkit console` printed (its key works once).",
        )
        .with_status_code(401);
        return request.respond(response);
    }
    let mut body = Vec::new();
    request.as_reader().take(MOST_BODY).read_to_end(&mut body)?;
    let mut ours = Request::new(request.method().as_str(), "", &url);
    ours.headers = request
        .headers()
        .iter()
        .map(|h| (h.field.to_string(), h.value.to_string()))
        .collect();
    ours.body = body;
    let page = console.handle(&ours, Some(who));
    let headers: Vec<tiny_http::Header> = page
        .headers
        .iter()
        .filter_map(|(n, v)| tiny_http::Header::from_bytes(n.as_bytes(), v.as_bytes()).ok())
        .collect();
    // The page's first part, then the rest as it is made (an import's progress), unsized.
    let (reader, length): (Box<dyn Read + Send>, _) = match page.rest {
        Some(rest) => (
            Box::new(Chunks {
                chunks: Box::new(std::iter::once(page.body).chain(rest)),
                current: std::io::Cursor::new(Vec::new()),
            }),
            None,
        ),
        None => {
            let length = page.body.len();
            (Box::new(std::io::Cursor::new(page.body)), Some(length))
        }
    };
    request.respond(tiny_http::Response::new(
        tiny_http::StatusCode(page.status),
        headers,
        reader,
        length,
        None,
    ))
}

/// Chunks of a body as they are made, as a reader.
struct Chunks {
    chunks: Box<dyn Iterator<Item = Vec<u8>> + Send>,
    current: std::io::Cursor<Vec<u8>>,
}

impl Read for Chunks {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let n = self.current.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            match self.chunks.next() {
                Some(chunk) => self.current = std::io::Cursor::new(chunk),
                None => return Ok(0),
            }
        }
    }
}

fn random_key() -> Result<[u8; 32]> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| Error::Storage {
        message: format!("the operating system's random source failed: {e}"),
        source: None,
    })?;
    Ok(key)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
