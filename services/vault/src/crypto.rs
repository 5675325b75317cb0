//! Envelope encryption: each member's record is sealed with their own key, and that
//! key is sealed with the vault's master key. Erasure deletes the member's key, so
//! any copy of the ciphertext (a backup, a stale page) becomes unreadable.

use std::io::Write;
use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use crate::VaultError;

pub const NONCE_LEN: usize = 24;
pub const KEY_LEN: usize = 32;

pub fn random<const N: usize>() -> Result<[u8; N], VaultError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| VaultError::Crypto(format!("no randomness: {e}")))?;
    Ok(bytes)
}

/// Encrypts `plain` under `key`, bound to `context` (the member id and purpose).
pub fn seal(
    key: &[u8; KEY_LEN],
    context: &[u8],
    plain: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), VaultError> {
    let nonce = random::<NONCE_LEN>()?;
    let cipher = XChaCha20Poly1305::new(key.into());
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: context,
            },
        )
        .map_err(|_| VaultError::Crypto("encryption failed".into()))?;
    Ok((nonce.to_vec(), sealed))
}

pub fn open(
    key: &[u8; KEY_LEN],
    context: &[u8],
    nonce: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, VaultError> {
    if nonce.len() != NONCE_LEN {
        return Err(VaultError::Crypto("bad nonce length".into()));
    }
    XChaCha20Poly1305::new(key.into())
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: context,
            },
        )
        .map_err(|_| VaultError::Crypto("a record does not decrypt (wrong key or tampered)".into()))
}

/// The vault's own secrets: the master key and the key of the login lookup hash.
pub struct MasterKeys {
    pub master: [u8; KEY_LEN],
    pub lookup: [u8; KEY_LEN],
}

/// Makes `path` readable and writable by its owner only (creating it empty first
/// when `create` and it is missing).
pub fn owner_only(path: &Path, create: bool) -> Result<(), VaultError> {
    let io = |e: std::io::Error| VaultError::Io(format!("{}: {e}", path.display()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if create && !path.exists() {
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(path)
                .map_err(io)?;
        }
        if path.exists() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
        }
    }
    #[cfg(not(unix))]
    let _ = (path, create, io);
    Ok(())
}

/// Reads `path` (64 bytes, mode 0600) or creates it.
pub fn load_or_create(path: &Path) -> Result<MasterKeys, VaultError> {
    let io = |e: std::io::Error| VaultError::Io(format!("{}: {e}", path.display()));
    if !path.exists() {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(io)?;
        file.write_all(&random::<{ 2 * KEY_LEN }>()?)
            .and_then(|()| file.sync_all())
            .map_err(io)?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_err(io)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(VaultError::Io(format!(
                "{}: readable by others (mode {mode:o}); run chmod 600 on it",
                path.display()
            )));
        }
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let (Ok(master), Ok(lookup)) = (
        <[u8; KEY_LEN]>::try_from(bytes.get(..KEY_LEN).unwrap_or_default()),
        <[u8; KEY_LEN]>::try_from(bytes.get(KEY_LEN..).unwrap_or_default()),
    ) else {
        return Err(VaultError::Io(format!(
            "{}: not a vault key file",
            path.display()
        )));
    };
    Ok(MasterKeys { master, lookup })
}

/// Whether two byte strings are equal, in time that depends only on their lengths
/// (so a guessed tag cannot be found a byte at a time).
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_data_opens_only_with_its_key_and_context() {
        let key = random::<KEY_LEN>().unwrap();
        let (nonce, sealed) = seal(&key, b"m_1", b"secret").unwrap();
        assert_eq!(open(&key, b"m_1", &nonce, &sealed).unwrap(), b"secret");
        assert!(open(&key, b"m_2", &nonce, &sealed).is_err());
        let other = random::<KEY_LEN>().unwrap();
        assert!(open(&other, b"m_1", &nonce, &sealed).is_err());
        let mut tampered = sealed.clone();
        tampered[0] ^= 1;
        assert!(open(&key, b"m_1", &nonce, &tampered).is_err());
    }
}
