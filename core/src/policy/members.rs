//! Which member a request means, and what reusing them changes: one routine for
//! `add_customer` and every import row.

use crate::error::Error;
use crate::ids::MemberId;
use crate::model::{Member, MemberStatus};
use crate::normalize::NormalizedEmail;
use time::OffsetDateTime;

/// Who a person is, as the host describes them (already normalised).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Person<'a> {
    pub email: &'a NormalizedEmail,
    pub name: Option<&'a str>,
    pub external_id: Option<&'a str>,
}

/// Why an existing member cannot be reused for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The email belongs to one member and the external id to another.
    Split {
        by_email: String,
        by_external: String,
    },
    /// The member already has a different external id.
    OtherExternalId {
        email: String,
        old: String,
        new: String,
    },
    /// The member is deactivated.
    Deactivated { id: MemberId, email: String },
}

impl Refusal {
    /// The error an interactive call returns.
    pub(crate) fn into_error(self) -> Error {
        match self {
            Refusal::Deactivated { id, .. } => Error::MemberDeactivated(id),
            other => Error::Conflict(other.reason()),
        }
    }

    /// The reason an import row reports.
    pub(crate) fn reason(&self) -> String {
        match self {
            Refusal::Split {
                by_email,
                by_external,
            } => format!("the email belongs to {by_email} and the external id to {by_external}"),
            Refusal::OtherExternalId { email, old, new } => {
                format!("{email} already has external id {old}, not {new}")
            }
            Refusal::Deactivated { email, .. } => format!("{email} is deactivated"),
        }
    }
}

/// The member found by email and the one found by external id must be the same person (or
/// one of them absent). Returns that member, or `None` for a new person.
pub(crate) fn matching(
    by_email: Option<Member>,
    by_external: Option<Member>,
) -> Result<Option<Member>, Refusal> {
    match (by_email, by_external) {
        (Some(a), Some(b)) if a.id != b.id => Err(Refusal::Split {
            by_email: a.email,
            by_external: b.email,
        }),
        (Some(m), _) | (None, Some(m)) => Ok(Some(m)),
        (None, None) => Ok(None),
    }
}

/// Reuses `member` for `person`: fills in a missing external id, takes a changed email
/// (found by external id: the host's contact changed address) and a given name, and, when
/// `activate`, turns an invited member active (they were added directly after all). Returns
/// what changed, by field name; `updated_at` is set when anything did.
pub(crate) fn reuse(
    member: &mut Member,
    person: Person<'_>,
    activate: bool,
    now: OffsetDateTime,
) -> Result<Vec<&'static str>, Refusal> {
    if member.status == MemberStatus::Deactivated {
        return Err(Refusal::Deactivated {
            id: member.id,
            email: member.email.clone(),
        });
    }
    let mut changed = Vec::new();
    if let Some(x) = person.external_id {
        match &member.external_id {
            Some(old) if old != x => {
                return Err(Refusal::OtherExternalId {
                    email: member.email.clone(),
                    old: old.clone(),
                    new: x.to_owned(),
                })
            }
            Some(_) => {}
            None => {
                member.external_id = Some(x.to_owned());
                changed.push("external_id");
            }
        }
    }
    if member.email_key != person.email.key {
        member.email = person.email.display.clone();
        member.email_key = person.email.key.clone();
        changed.push("email");
    }
    if person.name.is_some() && member.name.as_deref() != person.name {
        member.name = person.name.map(str::to_owned);
        changed.push("name");
    }
    if activate && member.status == MemberStatus::Invited {
        member.status = MemberStatus::Active;
        changed.push("status");
    }
    if !changed.is_empty() {
        member.updated_at = now;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TenantId;
    use crate::normalize;

    fn member(email: &str, external_id: Option<&str>, status: MemberStatus) -> Member {
        let e = normalize::email(email).unwrap();
        Member {
            id: MemberId::new(),
            tenant_id: TenantId::new(),
            email: e.display,
            email_key: e.key,
            name: None,
            external_id: external_id.map(str::to_owned),
            status,
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
            metadata: Default::default(),
        }
    }

    #[test]
    fn email_and_external_id_of_two_members_is_refused() {
        let a = member("a@x.com", None, MemberStatus::Active);
        let b = member("b@x.com", Some("crm-1"), MemberStatus::Active);
        assert!(matches!(
            matching(Some(a.clone()), Some(b)),
            Err(Refusal::Split { .. })
        ));
        assert_eq!(matching(Some(a.clone()), Some(a.clone())), Ok(Some(a)));
        assert_eq!(matching(None, None), Ok(None));
    }

    #[test]
    fn reuse_activates_an_invited_member_only_when_asked() {
        let email = normalize::email("a@x.com").unwrap();
        let person = Person {
            email: &email,
            name: None,
            external_id: None,
        };
        let now = OffsetDateTime::UNIX_EPOCH + time::Duration::hours(1);
        let mut m = member("a@x.com", None, MemberStatus::Invited);
        assert_eq!(reuse(&mut m, person, false, now), Ok(vec![]));
        assert_eq!(m.status, MemberStatus::Invited);
        assert_eq!(m.updated_at, OffsetDateTime::UNIX_EPOCH);
        assert_eq!(reuse(&mut m, person, true, now), Ok(vec!["status"]));
        assert_eq!((m.status, m.updated_at), (MemberStatus::Active, now));
    }

    #[test]
    fn another_external_id_or_a_deactivated_member_is_refused() {
        let email = normalize::email("a@x.com").unwrap();
        let person = Person {
            email: &email,
            name: Some("Ada"),
            external_id: Some("crm-2"),
        };
        let mut m = member("a@x.com", Some("crm-1"), MemberStatus::Active);
        let refusal = reuse(&mut m, person, true, OffsetDateTime::UNIX_EPOCH).unwrap_err();
        assert_eq!(
            refusal.reason(),
            "a@x.com already has external id crm-1, not crm-2"
        );
        assert_eq!(m.name, None, "nothing changed");
        let mut d = member("a@x.com", None, MemberStatus::Deactivated);
        assert!(matches!(
            reuse(&mut d, person, true, OffsetDateTime::UNIX_EPOCH)
                .unwrap_err()
                .into_error(),
            Error::MemberDeactivated(_)
        ));
    }
}
