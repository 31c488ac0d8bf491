//! `memberkit console` as a browser uses it: loopback only, a one-time key traded for a
//! session cookie, forged forms refused, signed ones acting as the member named.

mod common;

use common::*;
use memberkit::*;
use std::process::Command;

/// One HTTP/1.1 request over a fresh connection: the status, the raw headers and the body.
fn http(
    address: &str,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: &str,
) -> (u16, String, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    if let Some(c) = cookie {
        head.push_str(&format!("Cookie: {c}\r\n"));
    }
    if !body.is_empty() {
        head.push_str(&format!(
            "Origin: http://{address}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    stream
        .write_all(format!("{head}\r\n{body}").as_bytes())
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (headers, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = headers.split(' ').nth(1).unwrap().parse().unwrap();
    (status, headers.to_string(), body.to_string())
}

#[test]
fn the_console_serves_one_operator_on_loopback() {
    use std::io::BufRead;
    let db = Db::sqlite();
    let hub = db.hub();
    let t = hub.create_tenant("Ada's Academy").unwrap();
    let mut admin = NewCustomer::new("admin@example.com");
    admin.role = Role::Admin;
    t.add_customer(Actor::System, admin).unwrap();
    t.add_customer(Actor::System, NewCustomer::new("grace@example.com"))
        .unwrap();
    let tid = t.id().to_string();
    for (args, status, code) in [
        (
            vec!["--listen", "0.0.0.0:0", "--as", "admin@example.com"],
            12,
            "invalid_input",
        ),
        (vec!["--as", "nobody@example.com"], 10, "not_found"),
    ] {
        let mut all = vec!["--json", "console", "--tenant", &tid];
        all.extend(args);
        assert_eq!(refused(&db.run(&all)), (status, code.into()));
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_memberkit"))
        .args(["--db", &db.target, "--json", "console", "--tenant", &tid])
        .args(["--as", "admin@example.com"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let started: serde_json::Value = serde_json::from_str(&line).unwrap();
    let address = started["listening"].as_str().unwrap().to_string();
    let url = started["url"].as_str().unwrap();
    let with_key = &url[url.find("/customers").unwrap()..];
    let checks = || {
        assert_eq!(
            http(&address, "GET", "/customers", None, "").0,
            401,
            "no cookie"
        );
        let (status, headers, _) = http(&address, "GET", with_key, None, "");
        assert_eq!(status, 303);
        let cookie = headers
            .lines()
            .find_map(|l| l.strip_prefix("Set-Cookie: "))
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        assert!(headers.contains("HttpOnly") && headers.contains("SameSite=Strict"));
        assert_eq!(
            http(&address, "GET", with_key, None, "").0,
            401,
            "the key works once"
        );
        let (status, _, page) = http(&address, "GET", "/customers", Some(&cookie), "");
        assert_eq!(status, 200);
        assert!(page.contains("grace@example.com"), "{page}");
        let before = trail(&t);
        let forged = http(
            &address,
            "POST",
            "/customers",
            Some(&cookie),
            "email=new%40example.com",
        );
        assert_eq!(forged.0, 403, "a form without its signed token is refused");
        assert_eq!(trail(&t), before);
        assert!(t.member_by_email("new@example.com").unwrap().is_none());
        // The same form with its signed token, as the browser sends it: the admin adds someone.
        let (_, _, form) = http(&address, "GET", "/customers/new", Some(&cookie), "");
        let token = form.split("name=\"csrf\" value=\"").nth(1).unwrap();
        let token = &token[..token.find('"').unwrap()];
        let body = format!("csrf={token}&email=new%40example.com");
        let added = http(&address, "POST", "/customers", Some(&cookie), &body);
        assert_eq!(added.0, 303, "{}", added.2);
        let new = t.member_by_email("new@example.com").unwrap();
        assert!(new.is_some(), "added through the console");
        let entry = &t
            .audit(&AuditQuery {
                limit: 1,
                ..Default::default()
            })
            .unwrap()[0];
        assert_ne!(entry.actor, Actor::System, "as the admin, not as the host");
    };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(checks));
    child.kill().unwrap();
    child.wait().unwrap();
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
