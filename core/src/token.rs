//! Invite tokens: 256-bit random secrets, shown once, stored only as a SHA-256 digest.

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::fmt;

const PREFIX: &str = "mki_";
const HEX_LEN: usize = 64;

/// A secret invite token. Its `Debug` form hides the secret so it never lands in logs.
#[derive(Clone, PartialEq, Eq)]
pub struct InviteToken(String);

/// The SHA-256 digest of a token: what the store keeps and looks up.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenDigest(pub [u8; 32]);

impl fmt::Debug for TokenDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenDigest({:02x}{:02x}…)", self.0[0], self.0[1])
    }
}

impl InviteToken {
    /// A fresh token from the operating system's CSPRNG: `mki_` + 64 hex digits (256 bits).
    /// The prefix lets secret scanners recognise leaked links.
    pub fn generate() -> Result<Self> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| Error::Storage {
            message: format!("no randomness available: {e}"),
            source: None,
        })?;
        let mut s = String::with_capacity(PREFIX.len() + HEX_LEN);
        s.push_str(PREFIX);
        for b in bytes {
            s.push_str(&format!("{b:02x}"));
        }
        Ok(Self(s))
    }

    /// Checks the shape of a token a person presented. Unknown but well-formed tokens are
    /// reported later as `not_found`.
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim();
        let ok = s
            .strip_prefix(PREFIX)
            .is_some_and(|hex| hex.len() == HEX_LEN && hex.bytes().all(|b| b.is_ascii_hexdigit()));
        if !ok {
            return Err(Error::invalid("token", "is not an invite token"));
        }
        Ok(Self(s.to_ascii_lowercase()))
    }

    /// The secret, to put in the invite link. Show it once; memberkit cannot show it again.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The digest stored in place of the token.
    pub fn digest(&self) -> TokenDigest {
        TokenDigest(Sha256::digest(self.0.as_bytes()).into())
    }
}

impl fmt::Debug for InviteToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InviteToken(mki_****)")
    }
}

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
        assert!(InviteToken::parse("mki_123").is_err());
        assert!(InviteToken::parse(&a.expose().replace("mki_", "xyz_")).is_err());
    }
}
