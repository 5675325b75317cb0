//! Argon2id password hashes (PHC strings). The standard cost (m = 19 MiB, t = 5,
//! p = 1) takes about 50 ms per hash on this project's reference machine; the
//! parameters are stored in each hash, so changing them never breaks old ones.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::VaultError;
use crate::crypto::random;

/// Argon2id memory (KiB) and passes of [`PasswordHashing::standard`]: OWASP's
/// 19 MiB, with passes raised from 2 to 5 because 2 took only ≈ 23 ms here.
pub const STANDARD_MEMORY_KIB: u32 = 19 * 1024;
pub const STANDARD_ITERATIONS: u32 = 5;

#[derive(Clone)]
pub struct PasswordHashing {
    argon: Argon2<'static>,
    params: (u32, u32),
    /// Verified against when the login is unknown, so both failures cost the same.
    decoy: String,
}

impl PasswordHashing {
    /// `memory_kib`, `iterations`: the Argon2id cost; see [`PasswordHashing::standard`].
    pub fn new(memory_kib: u32, iterations: u32) -> Result<PasswordHashing, VaultError> {
        let params = Params::new(memory_kib, iterations, 1, None)
            .map_err(|e| VaultError::Crypto(format!("argon2 parameters: {e}")))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut hashing = PasswordHashing {
            argon,
            params: (memory_kib, iterations),
            decoy: String::new(),
        };
        hashing.decoy = hashing.hash("decoy password for unknown logins")?;
        Ok(hashing)
    }

    /// The production cost, ≈ 50 ms per hash here.
    pub fn standard() -> Result<PasswordHashing, VaultError> {
        PasswordHashing::new(STANDARD_MEMORY_KIB, STANDARD_ITERATIONS)
    }

    /// The cost, for reports: `m = … KiB, t = …, p = 1`.
    pub fn describe(&self) -> String {
        format!("m = {} KiB, t = {}, p = 1", self.params.0, self.params.1)
    }

    pub fn hash(&self, password: &str) -> Result<String, VaultError> {
        let salt = SaltString::encode_b64(&random::<16>()?)
            .map_err(|e| VaultError::Crypto(format!("salt: {e}")))?;
        self.argon
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| VaultError::Crypto(format!("hashing: {e}")))
    }

    /// True when `password` matches the stored hash; `None` checks the decoy instead.
    pub fn verify(&self, stored: Option<&str>, password: &str) -> bool {
        let (phc, real) = match stored {
            Some(s) => (s, true),
            None => (self.decoy.as_str(), false),
        };
        let matches = PasswordHash::new(phc)
            .map(|hash| {
                self.argon
                    .verify_password(password.as_bytes(), &hash)
                    .is_ok()
            })
            .unwrap_or(false);
        real && matches
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify_only_the_right_password() {
        let hashing = PasswordHashing::new(1024, 1).unwrap();
        let a = hashing.hash("correct horse").unwrap();
        let b = hashing.hash("correct horse").unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));
        assert_ne!(a, b, "salted");
        assert!(hashing.verify(Some(&a), "correct horse"));
        assert!(!hashing.verify(Some(&a), "wrong horse"));
        assert!(!hashing.verify(None, "decoy password for unknown logins"));
        assert!(!hashing.verify(Some("not a phc string"), "x"));
    }
}
