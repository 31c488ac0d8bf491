//! Temporary passwords for an import, hashed before its transaction: argon2id is slow by
//! design and must not hold the write lock.

use super::parse::ValidRow;
use super::PlainAndHash;
use crate::error::{Error, Result};
use crate::password;
use crate::tenant::Tenant;
use std::collections::HashMap;

impl Tenant {
    /// Generates and hashes a temporary password for each row that is new right now, in
    /// parallel. A row that turns out to exist by the time the transaction runs just leaves
    /// its password unused; one that turns out new gets hashed inline.
    pub(super) fn hash_new_passwords(
        &self,
        valid: &[ValidRow],
    ) -> Result<HashMap<String, PlainAndHash>> {
        let new_keys: Vec<&str> = self.read(|tx, _| {
            let mut keys = Vec::new();
            for v in valid {
                if tx.member_by_email_key(self.id(), &v.email.key)?.is_none() {
                    keys.push(v.email.key.as_str());
                }
            }
            Ok(keys)
        })?;
        let threads = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .max(1);
        let chunk = new_keys.len().div_ceil(threads).max(1);
        let results: Vec<Result<Vec<(String, PlainAndHash)>>> = std::thread::scope(|s| {
            let handles: Vec<_> = new_keys
                .chunks(chunk)
                .map(|keys| {
                    s.spawn(move || {
                        keys.iter()
                            .map(|k| {
                                let plain = password::temporary()?;
                                let hash = password::hash(&plain)?;
                                Ok((k.to_string(), (plain, hash)))
                            })
                            .collect::<Result<Vec<_>>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(Error::Storage {
                            message: "password hashing thread panicked".into(),
                            source: None,
                        })
                    })
                })
                .collect()
        });
        let mut out = HashMap::with_capacity(new_keys.len());
        for r in results {
            out.extend(r?);
        }
        Ok(out)
    }
}
