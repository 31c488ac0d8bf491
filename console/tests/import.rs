//! Import: a preview from the dry run with each row's outcome, then the run; a CSV upload;
//! temporary passwords shown once; refusals with nothing changed.

mod common;

use common::*;
use memberkit::*;
use memberkit_console::{Console, Request, Response, Who};
use std::time::Duration;

const PASTED: &str = "Lin, lin@x.com\nnot an email\nLin again, LIN@x.com\nMax <max@x.com>";

#[test]
fn a_preview_changes_nothing_and_the_run_imports_the_valid_rows() {
    let s = site();
    let token = s.token("/bo", "/import", &s.admin);
    let course = s.course.id.to_string();
    let before = s.footprint();
    let fields = [
        ("csrf", token.as_str()),
        ("text", PASTED),
        ("product", course.as_str()),
        ("mode", "invite"),
        ("notify", "on"),
    ];
    let preview = s.post("/bo", "/import/preview", &s.admin, &fields);
    assert_eq!(preview.status, 200, "{}", preview.html());
    let html = preview.html();
    assert!(
        html.contains("2 created")
            && html.contains("1 invalid")
            && html.contains("1 duplicate in file")
    );
    assert!(html.contains("not an email"), "the row and why");
    assert!(html.contains("Some rows cannot be imported"));
    assert_eq!(s.footprint(), before, "a preview writes nothing");
    // Without "skip invalid", nothing is written.
    let run = s.post("/bo", "/import/run", &s.admin, &fields);
    assert_eq!(run.status, 200);
    assert!(run.html().contains("Not imported"));
    assert_eq!(s.footprint(), before);
    let mut skipping = fields.to_vec();
    skipping.push(("skip_invalid", "on"));
    let run = s.post("/bo", "/import/run", &s.admin, &skipping);
    assert!(run.html().contains("Imported") && run.html().contains("2 created"));
    let invites = s.tenant.invites(Some(InviteStatus::Pending)).unwrap();
    let mut emails: Vec<&str> = invites.iter().map(|i| i.email.as_str()).collect();
    emails.sort();
    assert_eq!(emails, ["lin@x.com", "max@x.com"]);
    assert!(invites.iter().all(|i| i.products == [s.course.id]));
}

fn multipart(fields: &[(&str, &str)], file: &str) -> Vec<u8> {
    let mut body = String::new();
    for (name, value) in fields {
        body += &format!(
            "--b0undary\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        );
    }
    body += &format!(
        "--b0undary\r\ncontent-disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\n\
         content-type: text/csv\r\n\r\n{file}\r\n--b0undary--\r\n"
    );
    body.into_bytes()
}

#[test]
fn a_csv_upload_previews_and_imports_with_names_escaped() {
    let s = site();
    let token = s.token("/bo", "/import", &s.admin);
    let csv = format!(
        "email,name\nzoe@x.com,\"{}\"\nyan@x.com,Yan\n",
        XSS.replace('"', "\"\"")
    );
    let upload = |path: &str, fields: &[(&str, &str)]| {
        let mut request = Request::new("POST", "/bo", path)
            .header("host", "shop.example")
            .header("origin", "https://shop.example")
            .header("content-type", "multipart/form-data; boundary=b0undary");
        request.body = multipart(fields, &csv);
        s.console.handle(&request, Some(&s.admin))
    };
    let preview = upload("/import/preview", &[("csrf", &token), ("mode", "grant")]);
    assert_eq!(preview.status, 200, "{}", preview.html());
    let html = preview.html();
    assert!(html.contains("zoe@x.com") && html.contains("2 created"));
    assert!(!html.contains("<img src=x") && html.contains("&lt;img src=x"));
    // Forged: the upload without the form's token changes nothing.
    let before = s.footprint();
    assert_eq!(upload("/import/run", &[("mode", "grant")]).status, 403);
    assert_eq!(s.footprint(), before);
    let run = upload("/import/run", &[("csrf", &token), ("mode", "grant")]);
    assert!(run.html().contains("Imported"));
    assert!(s.tenant.member_by_email("yan@x.com").unwrap().is_some());
}

/// The admin imports two people with temporary passwords through the form.
fn import_with_passwords(s: &Site) -> Response {
    let token = s.token("/bo", "/import", &s.admin);
    let fields = [
        ("csrf", token.as_str()),
        ("text", "Lin, lin@x.com\nmax@x.com"),
        ("mode", "temporary_password"),
    ];
    s.post("/bo", "/import/run", &s.admin, &fields)
}

#[test]
fn temporary_passwords_are_shown_once_and_never_cached() {
    let s = site();
    let run = import_with_passwords(&s);
    assert_eq!(run.header("cache-control"), Some("no-store"));
    let html = run.html();
    assert!(html.contains("They are not stored anywhere"));
    let at = html
        .find("data-mk-download=\"temporary-passwords.csv\">")
        .unwrap();
    let csv = html[at..]
        .split('>')
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    let lines: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(lines.len(), 2, "{csv}");
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let (email, password) = (cells[0], cells[2]);
        let check = s.tenant.verify_password(email, password).unwrap().unwrap();
        assert!(check.must_change);
    }
    // Sending the form again imports nothing new and shows no password.
    let again = import_with_passwords(&s).html();
    assert!(again.contains("2 existing") && !again.contains("data-mk-download"));
}

#[test]
fn someone_without_customers_manage_is_refused_with_nothing_changed() {
    let s = site();
    let token = s.token("/bo", "/import", &s.customer);
    let before = s.footprint();
    let fields = [
        ("csrf", token.as_str()),
        ("text", "new@x.com"),
        ("mode", "grant"),
    ];
    assert_eq!(
        s.post("/bo", "/import/run", &s.customer, &fields).status,
        403
    );
    assert_eq!(s.footprint(), before);
    assert!(s.tenant.member_by_email("new@x.com").unwrap().is_none());
}

/// The whole page: its first part, then every chunk of the rest as it comes.
fn whole(response: Response) -> (String, Vec<String>) {
    let chunks = response.rest.into_iter().flatten();
    let chunks = chunks.map(|c| String::from_utf8(c).unwrap()).collect();
    (String::from_utf8(response.body).unwrap(), chunks)
}

/// `who` runs a grant import of 2,500 new emails through the form.
fn import_many(s: &Site, who: &Who) -> Response {
    let token = s.token("/bo", "/import", who);
    let lines: Vec<String> = (0..2500).map(|i| format!("p{i}@x.com")).collect();
    let text = lines.join("\n");
    let fields = [("csrf", token.as_str()), ("text", &text), ("mode", "grant")];
    s.post("/bo", "/import/run", who, &fields)
}

#[test]
fn a_long_import_shows_each_chunk_as_it_is_written_then_the_result() {
    let mut s = site();
    // Every import counts as long here: the page shows progress at once.
    s.console = Console::new(s.hub.clone(), SECRET).progress_after(Duration::ZERO);
    let run = import_many(&s, &s.admin);
    assert_eq!(run.status, 200);
    assert_eq!(run.header("x-accel-buffering"), Some("no"));
    assert_eq!(run.header("cache-control"), Some("no-store"));
    assert!(run.rest.is_some(), "a page that grows");
    let (head, chunks) = whole(run);
    assert!(head.contains("Checking the rows") && !head.contains("</html>"));
    let steps: Vec<&String> = chunks.iter().filter(|c| c.contains("<progress")).collect();
    assert!(steps.len() >= 2, "a step per chunk: {chunks:?}");
    assert!(steps
        .last()
        .unwrap()
        .contains("<progress value=\"2500\" max=\"2500\">"));
    let end = chunks.last().unwrap();
    assert!(
        end.contains("Imported") && end.contains("2500 created"),
        "{end}"
    );
    assert!(end.trim_end().ends_with("</html>"));
    let all = CustomerQuery::default();
    assert_eq!(s.tenant.count_customers(&all).unwrap(), 2503);
}

#[test]
fn temporary_passwords_of_a_long_import_come_once_at_the_end_of_its_page() {
    let mut s = site();
    s.console = Console::new(s.hub.clone(), SECRET).progress_after(Duration::ZERO);
    let run = import_with_passwords(&s);
    assert_eq!(run.header("cache-control"), Some("no-store"));
    let (head, chunks) = whole(run);
    assert!(head.contains("the temporary passwords, shown only here"));
    let end = chunks.last().unwrap();
    assert!(end.contains("They are not stored anywhere"));
    let (_, chunks) = whole(import_with_passwords(&s));
    let end = chunks.last().unwrap();
    assert!(end.contains("2 existing") && !end.contains("data-mk-download"));
}

#[test]
fn a_refused_import_is_a_plain_refusal_not_a_progress_page() {
    let s = site();
    let before = s.footprint();
    let run = import_many(&s, &s.customer);
    assert_eq!(run.status, 403);
    assert!(run.rest.is_none());
    assert_eq!(s.footprint(), before);
}
