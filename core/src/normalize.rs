//! Input checks and canonical forms for emails, names and external ids.

use crate::error::{Error, Result};
use unicode_normalization::UnicodeNormalization;

/// Longest search text `customers` accepts, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;

/// An email as given (trimmed, NFC) and its comparison key.
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
/// 1-64 characters, a domain with at least one dot and no empty label, at most 254
/// characters, no spaces, no control or invisible format characters (U+200B, U+2060, U+FEFF,
/// bidi marks: they make look-alike duplicates; nor U+FFFD), and none of `<>()[],;:\"`. Unicode letters
/// are allowed on both sides.
///
/// The key compares case the way mail systems do without merging distinct mailboxes: NFC,
/// then each letter lower-cased on its own (`A`→`a`, `É`→`é`, `Ａ`→`ａ`), never through full
/// Unicode case folding. So `ſ`, `ß`, ligatures such as `ﬀ`, dotless `ı`, `İ`, fullwidth and
/// Cyrillic letters all stay distinct from the ASCII letters they resemble, and a non-ASCII
/// letter is never lowered onto an ASCII one. A character that normalisation itself would turn
/// into ASCII (the Kelvin sign U+212A becomes `K`) is refused as `invalid_input`.
pub fn email(input: &str) -> Result<NormalizedEmail> {
    let trimmed = input.trim();
    let bad = |why: &str| Error::invalid("email", format!("`{}`: {why}", shown(trimmed)));
    if trimmed.chars().count() > 254 {
        return Err(bad("is longer than 254 characters"));
    }
    if let Some(c) = trimmed.chars().find(|&c| !c.is_ascii() && nfc_is_ascii(c)) {
        return Err(bad(&format!(
            "contains U+{:04X}, a look-alike of `{}`",
            c as u32,
            nfc(&c.to_string())
        )));
    }
    let display = nfc(trimmed);
    if display.is_empty() {
        return Err(bad("is empty"));
    }
    if display
        .chars()
        .any(|c| c.is_whitespace() || is_invisible(c) || "<>()[],;:\\\"".contains(c))
    {
        return Err(bad(
            "contains a space, an invisible or control character, or one of <>()[],;:\\\"",
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
    let key = email_key_of(&display);
    Ok(NormalizedEmail { display, key })
}

/// The comparison key of an email already in NFC: each character lower-cased on its own,
/// and only when that stays one character on the same side of ASCII (see [`email`]).
pub fn email_key_of(display: &str) -> String {
    if display.is_ascii() {
        return display.to_ascii_lowercase();
    }
    let lowered: String = display.chars().map(lower_one).collect();
    lowered.nfc().collect()
}

fn lower_one(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) if !l.is_ascii() => l,
        _ => c,
    }
}

fn nfc_is_ascii(c: char) -> bool {
    std::iter::once(c).nfc().all(|n| n.is_ascii())
}

/// Control characters (Cc), invisible format characters (Cf, Unicode 15), and U+FFFD: the
/// replacement character is what a lossy decoder leaves (Node hands a lone surrogate over as
/// one), never part of a real address.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || c == char::REPLACEMENT_CHARACTER
        || matches!(c as u32,
            0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
            | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
            | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// An input as quoted in an error message: invisible characters spelled out, long ones cut.
fn shown(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == 80 {
            out.push('…');
            break;
        }
        if is_invisible(c) {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            out.push(c);
        }
    }
    out
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
    // Search is forgiving (`strasse` finds `straße`): it folds fully, unlike the email key.
    let email_key = &*fold(email_key);
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

/// Checks an invite's personal message: trimmed, NFC, at most 2,000 characters; line breaks
/// and tabs are kept, other control characters are refused; an all-blank message is absent.
pub fn message(input: Option<&str>) -> Result<Option<String>> {
    let Some(raw) = input else { return Ok(None) };
    let value = nfc(raw.trim());
    if value.is_empty() {
        return Ok(None);
    }
    if value.chars().count() > 2000 {
        return Err(Error::invalid("message", "must be at most 2000 characters"));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Error::invalid(
            "message",
            "must not contain control characters other than line breaks and tabs",
        ));
    }
    Ok(Some(value))
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

/// Public mail providers: a workspace cannot take everyone who uses one.
const PUBLIC_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.de",
    "web.de",
    "mail.com",
    "yandex.com",
    "yandex.ru",
    "zoho.com",
    "qq.com",
    "163.com",
];

/// A workspace's email domain: trimmed, a leading `@` dropped, ASCII lower-cased; labels of
/// letters, digits and inner hyphens; at least two labels. An international domain is given
/// in its `xn--` form, so a look-alike in another script can never equal it.
pub fn workspace_domain(input: &str) -> Result<String> {
    let domain = input.trim().trim_start_matches('@').to_ascii_lowercase();
    let bad = |why: &str| Error::invalid("domain", format!("`{}`: {why}", shown(&domain)));
    if !domain.is_ascii() {
        return Err(bad(
            "is not ASCII: give an international domain in its xn-- form",
        ));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if domain.len() > 253 || labels.len() < 2 || !labels.iter().all(label_ok) {
        return Err(bad("is not a domain like example.com"));
    }
    if labels
        .last()
        .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(bad("is an address, not a domain"));
    }
    if PUBLIC_MAIL.contains(&domain.as_str()) {
        return Err(bad(
            "is a public mail provider: anyone can have an address there",
        ));
    }
    Ok(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_lower_case_and_keep_what_was_given() {
        let e = email("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(e.display, "Ada.Lovelace@Example.COM");
        assert_eq!(e.key, "ada.lovelace@example.com");
        // NFC makes composed and decomposed é equal; non-ASCII letters lower-case too.
        assert_eq!(
            email("Jose\u{301}@x.es").unwrap().key,
            email("josé@X.ES").unwrap().key
        );
        assert_eq!(email("ÉCOLE@Exemple.fr").unwrap().key, "école@exemple.fr");
        assert_eq!(
            email("ΣΟΦΙΑ@x.gr").unwrap().key,
            email("σοφια@x.gr").unwrap().key
        );
    }

    #[test]
    fn distinct_mailboxes_never_share_a_key() {
        // Each pair would merge under full Unicode case folding or compatibility forms.
        let pairs = [
            ("ſales@x.com", "sales@x.com"),         // long s
            ("straße@x.de", "strasse@x.de"),        // sharp s
            ("oﬀice@x.com", "office@x.com"),        // ff ligature
            ("ıan@x.com", "ian@x.com"),             // dotless i
            ("İan@x.com", "ian@x.com"),             // dotted capital I
            ("ａda@x.com", "ada@x.com"),            // fullwidth a
            ("Ａda@x.com", "ada@x.com"),            // fullwidth A
            ("аda@x.com", "ada@x.com"),             // Cyrillic a
            ("ada@ехample.com", "ada@example.com"), // Cyrillic e and x in the domain
        ];
        for (a, b) in pairs {
            let (ka, kb) = (email(a).unwrap().key, email(b).unwrap().key);
            assert_ne!(ka, kb, "{a} and {b} are different mailboxes");
        }
    }

    #[test]
    fn invisible_characters_and_ascii_look_alikes_are_refused() {
        for bad in [
            "\u{212A}elvin@x.com", // Kelvin sign: NFC would make it K
            "a\u{200B}da@x.com",
            "ada\u{2060}@x.com",
            "\u{FEFF}ada@x.com",
            "ada@x\u{200E}.com",
            "ad\u{202E}a@x.com",
            "a\u{AD}da@x.com",
            "\u{FFFD}@x.com", // a lone surrogate, decoded lossily
        ] {
            let err = email(bad).unwrap_err();
            assert_eq!(err.code(), crate::ErrorCode::InvalidInput, "{bad:?}");
            assert!(
                !err.to_string().contains('\u{200B}'),
                "invisible chars are spelled out"
            );
        }
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
