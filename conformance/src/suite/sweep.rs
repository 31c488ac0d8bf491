//! `Hub::sweep`: events that come due with time (`access.expiring`, `access.expired`,
//! `access.started`, `invite.expired`), written to the outbox exactly once.

use crate::fixture::*;
use memberkit::time::Duration;
use memberkit::*;

/// The tests of this module, by name.
pub(crate) const TESTS: &[Case] = &[
    case!(each_event_is_written_once_when_it_comes_due),
    case!(sweeps_at_once_from_many_threads_write_each_event_once),
    case!(only_what_existed_and_is_still_live_is_told),
    case!(a_sweep_never_runs_ahead_of_the_clock),
    case!(expiry_reminders_are_a_tenant_setting),
];

/// Sweeps now and returns the kinds of the events it wrote, acknowledging them.
fn sweep(f: &Fixture) -> Vec<String> {
    f.hub.sweep(None).unwrap();
    let events = f.tenant.outbox(1000).unwrap();
    f.tenant
        .ack(&events.iter().map(|e| e.id).collect::<Vec<_>>())
        .unwrap();
    events.into_iter().map(|e| e.kind).collect()
}

fn each_event_is_written_once_when_it_comes_due() {
    let f = Fixture::new();
    let course = f.course("Course");
    let ada = f.customer("ada@x.com", &[]);
    let now = f.hub.now();
    f.tenant
        .grant(
            Actor::System,
            ada.id,
            course.id,
            GrantOptions {
                starts_at: Some(now + Duration::days(2)),
                expires_at: Some(now + Duration::days(10)),
                ..Default::default()
            },
        )
        .unwrap();
    let invite = f
        .tenant
        .invite(Actor::System, NewInvite::new("bo@x.com"))
        .unwrap();
    assert_eq!(sweep(&f).len(), 2, "the grant and the invite themselves");
    assert!(sweep(&f).is_empty(), "nothing came due yet");

    f.advance(Duration::days(2));
    assert_eq!(sweep(&f), ["access.started"]);
    assert!(sweep(&f).is_empty(), "written once");
    f.advance(Duration::days(1));
    let expiring = f.hub.sweep(None).unwrap();
    assert_eq!(expiring.events, 1);
    let event = &f.tenant.outbox(10).unwrap()[0];
    assert_eq!(event.kind, "access.expiring");
    assert_eq!(event.channel, Channel::Email);
    assert_eq!(event.payload["lead_secs"], 7 * 86400);
    assert_eq!(event.payload["email"], "ada@x.com");
    assert_eq!(event.payload["expires_at"], "2026-01-15T09:00:00Z");
    sweep(&f);

    // Several instants in one window: each still written once, none early.
    f.advance(Duration::days(6));
    let mut kinds = sweep(&f);
    kinds.sort();
    assert_eq!(kinds, ["access.expiring", "invite.expired"]);
    let lapsed = f.tenant.get_invite(invite.invite.id).unwrap();
    assert_eq!(lapsed.status, InviteStatus::Expired);
    f.advance(Duration::days(1));
    assert_eq!(sweep(&f), ["access.expired"]);
    f.advance(Duration::days(30));
    assert!(sweep(&f).is_empty());
    assert_eq!(
        f.tenant.info().unwrap().swept_until,
        Some(f.hub.now()),
        "the mark moved to the last sweep"
    );
}

fn sweeps_at_once_from_many_threads_write_each_event_once() {
    let f = Fixture::new();
    let course = f.course("Course");
    let now = f.hub.now();
    for i in 0..20 {
        let m = f.customer(&format!("m{i}@x.com"), &[]);
        f.tenant
            .grant(
                Actor::System,
                m.id,
                course.id,
                GrantOptions {
                    expires_at: Some(now + Duration::days(2) + Duration::hours(i)),
                    ..Default::default()
                },
            )
            .unwrap();
    }
    sweep(&f);
    f.advance(Duration::days(3));
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..5 {
                    f.hub.sweep(None).unwrap();
                }
            });
        }
    });
    let kinds = sweep(&f);
    assert_eq!(
        kinds.len(),
        40,
        "20 one-day reminders and 20 expiries: {kinds:?}"
    );
    assert_eq!(kinds.iter().filter(|k| *k == "access.expired").count(), 20);
}

fn only_what_existed_and_is_still_live_is_told() {
    let f = Fixture::new();
    let course = f.course("Course");
    let now = f.hub.now();
    let in_days = |d: i64| GrantOptions {
        expires_at: Some(now + Duration::days(d)),
        ..Default::default()
    };
    // Granted with 2 days left: the 7-day reminder was due before it existed.
    let short = f.customer("short@x.com", &[]);
    f.tenant
        .grant(Actor::System, short.id, course.id, in_days(2))
        .unwrap();
    let gone = f.customer("gone@x.com", &[]);
    f.tenant
        .grant(Actor::System, gone.id, course.id, in_days(3))
        .unwrap();
    f.tenant.deactivate(Actor::System, gone.id).unwrap();
    let refunded = f.customer("refunded@x.com", &[]);
    f.tenant
        .grant(Actor::System, refunded.id, course.id, in_days(3))
        .unwrap();
    f.tenant
        .revoke(Actor::System, refunded.id, course.id)
        .unwrap();
    sweep(&f);
    f.advance(Duration::days(5));
    f.hub.sweep(None).unwrap();
    let events = f.tenant.outbox(100).unwrap();
    let mut told: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e.kind.as_str(), e.payload["email"].as_str().unwrap()))
        .collect();
    told.sort();
    // The one-day reminder came due after the grant was made; the seven-day one before.
    assert_eq!(
        told,
        [
            ("access.expired", "short@x.com"),
            ("access.expiring", "short@x.com")
        ]
    );
}

fn a_sweep_never_runs_ahead_of_the_clock() {
    let f = Fixture::new();
    let ahead = f.hub.now() + Duration::seconds(1);
    assert_eq!(code(f.hub.sweep(Some(ahead))), "invalid_input");
    let report = f.hub.sweep(Some(f.hub.now())).unwrap();
    assert_eq!(report.events, 0);
    // A sweep for an instant the last one already covered does nothing.
    let earlier = f.hub.now() - Duration::hours(1);
    assert_eq!(f.hub.sweep(Some(earlier)).unwrap(), SweepReport::default());
}

fn expiry_reminders_are_a_tenant_setting() {
    let f = Fixture::new();
    assert_eq!(
        f.tenant.info().unwrap().settings.expiry_reminders,
        [Duration::days(7), Duration::days(1)]
    );
    let before = f.footprint();
    for bad in [
        vec![Duration::minutes(5)],
        vec![Duration::days(400)],
        vec![Duration::days(1), Duration::days(1)],
        vec![Duration::days(1); 6],
    ] {
        let update = SettingsUpdate {
            expiry_reminders: Some(bad),
            ..Default::default()
        };
        assert_eq!(
            code(f.tenant.update_settings(Actor::System, update)),
            "invalid_input"
        );
    }
    assert_eq!(f.footprint(), before);
    let info = f
        .tenant
        .update_settings(
            Actor::System,
            SettingsUpdate {
                expiry_reminders: Some(vec![Duration::days(3)]),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(info.settings.expiry_reminders, [Duration::days(3)]);
    let course = f.course("Course");
    let ada = f.customer("ada@x.com", &[]);
    f.tenant
        .grant(
            Actor::System,
            ada.id,
            course.id,
            GrantOptions {
                expires_at: Some(f.hub.now() + Duration::days(10)),
                ..Default::default()
            },
        )
        .unwrap();
    sweep(&f);
    f.advance(Duration::days(7));
    let events = f.tenant.outbox(10).unwrap();
    assert!(events.is_empty());
    f.hub.sweep(None).unwrap();
    let events = f.tenant.outbox(10).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].payload["lead_secs"], 3 * 86400);
}
