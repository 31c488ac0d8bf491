//! Forged requests: every state-changing request must come from the console's own pages. Two
//! checks, both required: the browser's `Sec-Fetch-Site` / `Origin` say the post is
//! same-origin, and the form carries a token signed with the host's secret and bound to the
//! acting member, the tenant and the hour it was issued (valid for 12 hours).

use crate::http::Request;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use memberkit::{Actor, TenantId};
use sha2::Sha256;

/// How long a form's token stays valid, in hours.
const VALID_HOURS: i64 = 12;

/// The form field that carries the token.
pub const FIELD: &str = "csrf";

/// Signs and checks form tokens with the host's secret.
pub(crate) struct Signer {
    secret: Vec<u8>,
}

impl Signer {
    pub(crate) fn new(secret: &[u8]) -> Self {
        Signer {
            secret: secret.to_vec(),
        }
    }

    fn mac(&self, bound_to: &str, hour: i64) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.secret)
            .expect("HMAC takes a key of any length");
        mac.update(format!("memberkit-console csrf\n{bound_to}\n{hour}").as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// A token for forms shown now to `actor` in `tenant`.
    pub(crate) fn token(&self, tenant: TenantId, actor: Actor, now_hour: i64) -> String {
        self.token_for(&admin(tenant, actor), now_hour)
    }

    /// Whether `token` was issued by [`Signer::token`] for this actor and tenant within the
    /// last [`VALID_HOURS`].
    pub(crate) fn verify(
        &self,
        token: &str,
        tenant: TenantId,
        actor: Actor,
        now_hour: i64,
    ) -> bool {
        self.verify_for(token, &admin(tenant, actor), now_hour)
    }

    /// A token for the invitee's forms, bound to what identifies them there (the invite link
    /// they hold, or the email they signed in with).
    pub(crate) fn token_for(&self, bound_to: &str, now_hour: i64) -> String {
        format!("{now_hour}.{}", self.mac(bound_to, now_hour))
    }

    /// Whether `token` was issued by [`Signer::token_for`] for `bound_to` within the last
    /// [`VALID_HOURS`].
    pub(crate) fn verify_for(&self, token: &str, bound_to: &str, now_hour: i64) -> bool {
        let Some((hour, mac)) = token.split_once('.') else {
            return false;
        };
        let Ok(hour) = hour.parse::<i64>() else {
            return false;
        };
        if !(now_hour - VALID_HOURS..=now_hour).contains(&hour) {
            return false;
        }
        constant_time_eq(self.mac(bound_to, hour).as_bytes(), mac.as_bytes())
    }
}

impl Signer {
    /// `text` with a signature, for a cookie the console reads back (the flash message): only
    /// this console, with the host's secret, can have written it.
    pub(crate) fn seal(&self, text: &str) -> String {
        let body = URL_SAFE_NO_PAD.encode(text);
        let mac = self.mac(&format!("seal\n{body}"), 0);
        format!("{body}.{mac}")
    }

    /// The text [`Signer::seal`] sealed; `None` for anything else.
    pub(crate) fn open(&self, sealed: &str) -> Option<String> {
        let (body, mac) = sealed.split_once('.')?;
        let expected = self.mac(&format!("seal\n{body}"), 0);
        if !constant_time_eq(expected.as_bytes(), mac.as_bytes()) {
            return None;
        }
        String::from_utf8(URL_SAFE_NO_PAD.decode(body).ok()?).ok()
    }
}

/// What an admin's form token is bound to. Invitee tokens are bound to `invite:` or `email:`
/// strings, so no token of one kind passes for the other.
fn admin(tenant: TenantId, actor: Actor) -> String {
    format!("admin\n{tenant}\n{actor}")
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether the browser says the request came from another site: `Sec-Fetch-Site` other than
/// `same-origin` (or `none`, a typed URL), or an `Origin` whose host is not the request's.
pub(crate) fn cross_site(request: &Request) -> bool {
    if let Some(site) = request.header_value("sec-fetch-site") {
        if !matches!(site, "same-origin" | "none") {
            return true;
        }
    }
    match (request.header_value("origin"), request.header_value("host")) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => {
            let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
            !origin_host.eq_ignore_ascii_case(host)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_holds_for_its_actor_tenant_and_twelve_hours_only() {
        let signer = Signer::new(b"host secret");
        let (t, other_t) = (TenantId::new(), TenantId::new());
        let actor = Actor::Member(memberkit::MemberId::new());
        let token = signer.token(t, actor, 1000);
        assert!(signer.verify(&token, t, actor, 1000));
        assert!(signer.verify(&token, t, actor, 1012));
        assert!(!signer.verify(&token, t, actor, 1013), "expired");
        assert!(!signer.verify(&token, t, actor, 999), "from the future");
        assert!(
            !signer.verify(&token, other_t, actor, 1000),
            "another tenant"
        );
        assert!(
            !signer.verify(&token, t, Actor::System, 1000),
            "another actor"
        );
        assert!(
            !Signer::new(b"other").verify(&token, t, actor, 1000),
            "another secret"
        );
        assert!(!signer.verify("1000.forged", t, actor, 1000));
        assert!(!signer.verify("", t, actor, 1000));
    }

    #[test]
    fn a_sealed_text_opens_only_untouched_and_with_the_same_secret() {
        let signer = Signer::new(b"host secret");
        let sealed = signer.seal("3 invites sent.");
        assert_eq!(signer.open(&sealed).as_deref(), Some("3 invites sent."));
        let forged = format!("{}.{}", URL_SAFE_NO_PAD.encode("You won"), "x".repeat(43));
        assert_eq!(signer.open(&forged), None);
        assert_eq!(Signer::new(b"other").open(&sealed), None);
        assert_eq!(signer.open(&URL_SAFE_NO_PAD.encode("no signature")), None);
    }

    #[test]
    fn posts_from_other_sites_are_cross_site() {
        let post = |headers: &[(&str, &str)]| {
            let mut r = Request::new("POST", "/admin", "/customers");
            for (n, v) in headers {
                r = r.header(n, v);
            }
            cross_site(&r)
        };
        assert!(!post(&[("sec-fetch-site", "same-origin")]));
        assert!(post(&[("sec-fetch-site", "cross-site")]));
        assert!(post(&[("sec-fetch-site", "same-site")]));
        assert!(!post(&[
            ("origin", "https://shop.example"),
            ("host", "shop.example")
        ]));
        assert!(post(&[
            ("origin", "https://evil.example"),
            ("host", "shop.example")
        ]));
        assert!(post(&[("origin", "null"), ("host", "shop.example")]));
        assert!(!post(&[]), "no browser headers: the token alone decides");
    }
}
