//! Passwords: argon2id with OWASP's parameters, PHC strings, constant-shape verification.

use crate::error::{Error, Result};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::fmt;
use std::sync::OnceLock;

/// A password in plain text on its way in (given to `add_customer`) or out (a generated
/// temporary password, shown once). Its `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wraps a password as given.
    pub fn new(plain: impl Into<String>) -> Self {
        Self(plain.into())
    }
    /// A generated temporary password (see [`temporary`]).
    pub fn temporary() -> Result<Self> {
        temporary().map(Self)
    }
    /// The password itself. Show a temporary one once; memberkit keeps only its hash.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(****)")
    }
}

/// OWASP (2023) argon2id minimum: 19 MiB of memory, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

/// Shortest and longest password accepted (the upper bound caps hashing work per request).
pub const MIN_LEN: usize = 8;
/// See [`MIN_LEN`].
pub const MAX_LEN: usize = 1024;

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Checks the length policy.
pub fn check(password: &str) -> Result<()> {
    let n = password.chars().count();
    if !(MIN_LEN..=MAX_LEN).contains(&n) {
        return Err(Error::invalid(
            "password",
            format!("must be {MIN_LEN} to {MAX_LEN} characters"),
        ));
    }
    Ok(())
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub fn hash(password: &str) -> Result<String> {
    check(password)?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| Error::Storage {
        message: format!("no randomness available: {e}"),
        source: None,
    })?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::Storage {
        message: format!("salt encoding failed: {e}"),
        source: None,
    })?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Storage {
            message: format!("password hashing failed: {e}"),
            source: None,
        })
}

/// Whether `password` matches `phc`. A malformed stored hash never matches.
pub fn verify(phc: &str, password: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Does the work of a verification against a hash no password matches, so an unknown email
/// takes as long as a wrong password.
pub fn verify_nothing(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash("memberkit-dummy-password").unwrap_or_default());
    let _ = verify(phc, password);
}

/// A random temporary password: 16 characters from an alphabet without look-alikes
/// (no 0/O, 1/l/I), about 93 bits. Shown once to the owner; the member must change it.
pub fn temporary() -> Result<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut out = String::with_capacity(16);
    let mut buf = [0u8; 64];
    while out.len() < 16 {
        getrandom::fill(&mut buf).map_err(|e| Error::Storage {
            message: format!("no randomness available: {e}"),
            source: None,
        })?;
        // Rejection sampling keeps every character equally likely.
        let limit = 256 - (256 % ALPHABET.len());
        for &b in &buf {
            if (b as usize) < limit && out.len() < 16 {
                out.push(ALPHABET[b as usize % ALPHABET.len()] as char);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_phc_strings_that_verify() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify(&h, "correct horse"));
        assert!(!verify(&h, "correct horsE"));
        assert_ne!(h, hash("correct horse").unwrap(), "salted");
        assert!(!verify("not a hash", "x"));
        assert!(hash("short").is_err());
    }

    #[test]
    fn a_password_never_shows_in_debug() {
        let p = Password::temporary().unwrap();
        assert_eq!(format!("{p:?}"), "Password(****)");
        assert_eq!(p.expose().len(), 16);
    }

    #[test]
    fn temporary_passwords_are_long_random_and_unambiguous() {
        let a = temporary().unwrap();
        assert_eq!(a.len(), 16);
        assert_ne!(a, temporary().unwrap());
        assert!(!a.contains(['0', 'O', '1', 'l', 'I']));
        check(&a).unwrap();
    }
}
