//! Secret tokens (invite links, impersonation sessions): 256-bit random secrets, shown once,
//! stored only as a SHA-256 digest.

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::fmt;

const HEX_LEN: usize = 64;

/// The SHA-256 digest of a secret token: what the store keeps and looks up.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenDigest(pub [u8; 32]);

impl fmt::Debug for TokenDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenDigest({:02x}{:02x}…)", self.0[0], self.0[1])
    }
}

fn generate(prefix: &str) -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::Storage {
        message: format!("no randomness available: {e}"),
        source: None,
    })?;
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(prefix.len() + HEX_LEN);
    s.push_str(prefix);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    Ok(s)
}

fn parse(prefix: &str, entity: &'static str, s: &str) -> Result<String> {
    let s = s.trim();
    let ok = s
        .strip_prefix(prefix)
        .is_some_and(|hex| hex.len() == HEX_LEN && hex.bytes().all(|b| b.is_ascii_hexdigit()));
    if !ok {
        // A mangled link and an unknown one get the same answer: the host shows one
        // "this link is not valid" page, and the shape of a guess teaches nothing.
        return Err(Error::not_found(entity, "token"));
    }
    Ok(s.to_ascii_lowercase())
}

macro_rules! secret_token {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $entity:literal) => {
        $(#[$doc])*
        /// Its `Debug` form hides the secret so it never lands in logs.
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// A fresh token from the operating system's CSPRNG: the prefix and 64 hex digits
            /// (256 bits). The prefix lets secret scanners recognise a leaked token.
            pub fn generate() -> Result<Self> {
                generate($prefix).map(Self)
            }

            /// Checks the shape of a presented token: `not_found` when it is not one, the
            /// same answer an unknown but well-formed token gets later.
            pub fn parse(s: &str) -> Result<Self> {
                parse($prefix, $entity, s).map(Self)
            }

            /// The secret. Show it once; memberkit keeps only its digest.
            pub fn expose(&self) -> &str {
                &self.0
            }

            /// The digest stored in place of the token.
            pub fn digest(&self) -> TokenDigest {
                TokenDigest(Sha256::digest(self.0.as_bytes()).into())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({}****)", stringify!($name), $prefix)
            }
        }
    };
}

secret_token!(
    /// A secret invite token, for the invite link: `mki_` + 64 hex digits.
    InviteToken, "mki_", "invite"
);
secret_token!(
    /// A secret impersonation token, exchanged by the host via `verify_impersonation`:
    /// `mkimp_` + 64 hex digits.
    ImpersonationToken, "mkimp_", "impersonation"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_well_formed_and_hidden_from_debug() {
        let a = InviteToken::generate().unwrap();
        let b = InviteToken::generate().unwrap();
        assert_ne!(a, b);
        assert_ne!(a.digest(), b.digest());
        assert_eq!(InviteToken::parse(a.expose()).unwrap().digest(), a.digest());
        assert!(!format!("{a:?}").contains(&a.expose()[4..]));
        assert_eq!(
            InviteToken::parse("mki_123").unwrap_err().code(),
            crate::ErrorCode::NotFound
        );
        let imp = ImpersonationToken::generate().unwrap();
        assert!(
            InviteToken::parse(imp.expose()).is_err(),
            "kinds do not mix"
        );
        assert!(InviteToken::parse(&a.expose().replace("mki_", "xyz_")).is_err());
    }
}
