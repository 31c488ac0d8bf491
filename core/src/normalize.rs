//! Input checks and canonical forms for emails, names and external ids.

use crate::error::{Error, Result};
use unicode_normalization::UnicodeNormalization;

/// An email as given (trimmed, NFC) and its comparison key (NFC of the Unicode case fold).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedEmail {
    /// What is stored and shown.
    pub display: String,
    /// What is compared: equal keys are the same person within a tenant.
    pub key: String,
}

/// Checks an email address and returns its stored and comparison forms.
///
/// The check is deliberately pragmatic (what sign-up forms accept): one `@`, a local part of
/// 1-64 characters, a domain with at least one dot and no empty label, no spaces or control
/// characters, at most 254 characters. Unicode is allowed on both sides.
pub fn email(input: &str) -> Result<NormalizedEmail> {
    let display = nfc(input.trim());
    let bad = |why: &str| Error::invalid("email", format!("`{}`: {why}", input.trim()));
    if display.is_empty() {
        return Err(bad("is empty"));
    }
    if display.chars().count() > 254 {
        return Err(bad("is longer than 254 characters"));
    }
    if display
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"".contains(c))
    {
        return Err(bad(
            "contains a space, control character or one of <>()[],;:\\\"",
        ));
    }
    let Some((local, domain)) = display.split_once('@') else {
        return Err(bad("has no `@`"));
    };
    if local.is_empty() || local.chars().count() > 64 {
        return Err(bad("needs 1 to 64 characters before the `@`"));
    }
    if domain.contains('@') {
        return Err(bad("has more than one `@`"));
    }
    if !domain.contains('.') || domain.split('.').any(str::is_empty) {
        return Err(bad("needs a domain like example.com after the `@`"));
    }
    let key = fold(&display);
    Ok(NormalizedEmail { display, key })
}

/// NFC of `s`; ASCII text is already NFC, so it skips the Unicode tables (import hot path).
fn nfc(s: &str) -> String {
    if s.is_ascii() {
        s.to_owned()
    } else {
        s.nfc().collect()
    }
}

/// Unicode case folding with NFC on both sides: the form every search compares.
pub fn fold(s: &str) -> String {
    // ASCII is already NFC and folds to its lowercase: skip the Unicode tables (a hot path
    // in imports).
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let nfc: String = s.nfc().collect();
    caseless::default_case_fold_str(&nfc).nfc().collect()
}

/// What a member is found and sorted by: the search text (folded name and email key; schema
/// migration 3 calls it `normalize::search_text`) and the sort name (the folded name, or the
/// email key for nameless members). Both at once so the name is folded only once.
pub fn search_forms(name: Option<&str>, email_key: &str) -> (String, String) {
    match name.map(fold) {
        Some(folded) => {
            let mut text = String::with_capacity(folded.len() + 1 + email_key.len());
            text.push_str(&folded);
            text.push(' ');
            text.push_str(email_key);
            (text, folded)
        }
        None => (email_key.to_owned(), email_key.to_owned()),
    }
}

/// The comparison key of an email, or `None` when it is not a valid address.
pub fn email_key(input: &str) -> Option<String> {
    email(input).ok().map(|e| e.key)
}

/// Checks a required display name: trimmed, NFC, 1-200 characters, no control characters.
pub fn name(field: &'static str, input: &str) -> Result<String> {
    let value = nfc(input.trim());
    if value.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.chars().count() > 200 {
        return Err(Error::invalid(field, "must be at most 200 characters"));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(value)
}

/// Checks an optional person name: as [`name`], and an all-blank value counts as absent.
pub fn optional_name(input: Option<&str>) -> Result<Option<String>> {
    match input {
        Some(s) if !s.trim().is_empty() => name("name", s).map(Some),
        _ => Ok(None),
    }
}

/// Checks the host's external contact id: trimmed, 1-255 characters, no control characters.
pub fn external_id(input: Option<&str>) -> Result<Option<String>> {
    let Some(raw) = input else { return Ok(None) };
    let value = raw.trim();
    if value.is_empty() {
        return Err(Error::invalid(
            "external_id",
            "must not be empty when given",
        ));
    }
    if value.chars().count() > 255 || value.chars().any(char::is_control) {
        return Err(Error::invalid(
            "external_id",
            "must be at most 255 characters with no control characters",
        ));
    }
    Ok(Some(value.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_fold_case_and_keep_what_was_given() {
        let e = email("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(e.display, "Ada.Lovelace@Example.COM");
        assert_eq!(e.key, "ada.lovelace@example.com");
        // Full case folding: ß folds to ss; NFC makes composed and decomposed é equal.
        assert_eq!(
            email("STRASSE@x.de").unwrap().key,
            email("straße@x.de").unwrap().key
        );
        assert_eq!(
            email("Jose\u{301}@x.es").unwrap().key,
            email("josé@X.ES").unwrap().key
        );
    }

    #[test]
    fn folding_has_an_exact_ascii_fast_path() {
        assert_eq!(fold("MiXeD Case 42"), "mixed case 42");
        assert_eq!(fold("ÉCOLE"), "école");
        assert_eq!(fold("Straße"), "strasse");
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "   ",
            "no-at.example.com",
            "a@b",
            "a@@b.com",
            "@b.com",
            "a@.com",
            "a@b..com",
            "a b@c.com",
            "a\u{7}b@c.com",
            "<a@b.com>",
        ] {
            assert!(email(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("name", "  Grace ").unwrap(), "Grace");
        assert!(name("name", " ").is_err());
        assert!(name("name", &"x".repeat(201)).is_err());
        assert_eq!(optional_name(Some("  ")).unwrap(), None);
        assert!(external_id(Some(" ")).is_err());
    }
}
