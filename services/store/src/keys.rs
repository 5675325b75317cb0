//! The log's Ed25519 signing key on disk: created once, readable by its owner only.

use std::io::Write;
use std::path::{Path, PathBuf};

use roundtable_ledger::{KeyRotation, NoteError, NoteSigner, NoteVerifier, RotationError};

/// The key file inside a data directory.
pub const KEY_FILE: &str = "log.key";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}: the key file is readable by others (mode {1:o}); run chmod 600 on it")]
    Permissions(PathBuf, u32),
    #[error("{0}: not a signing key ({1})")]
    Malformed(PathBuf, NoteError),
    #[error("no randomness: {0}")]
    Random(String),
    #[error(transparent)]
    Name(NoteError),
    #[error("the next key (--next-key): {0}")]
    Rotation(RotationError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::Io {
        path: path.to_owned(),
        source,
    }
}

/// A fresh key for `origin`, from the operating system's randomness.
pub fn generate(origin: &str) -> Result<NoteSigner, KeyError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
    NoteSigner::from_seed(origin, seed).map_err(KeyError::Name)
}

/// Writes a key to a new file with mode 0600; never overwrites.
pub fn write_new(path: &Path, signer: &NoteSigner) -> Result<(), KeyError> {
    write_new_secret(path, &signer.to_skey())
}

/// Writes one secret line (any kind of key) to a new file with mode 0600, synced;
/// never overwrites.
pub fn write_new_secret(path: &Path, secret: &str) -> Result<(), KeyError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io(path))?;
    file.write_all(format!("{secret}\n").as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(io(path))
}

/// Reads a key file, refusing one that others can read.
pub fn read(path: &Path) -> Result<NoteSigner, KeyError> {
    let text = read_secret(path)?;
    NoteSigner::parse(&text).map_err(|e| KeyError::Malformed(path.to_owned(), e))
}

/// Reads a secret file (any kind of key), refusing one that others can read.
pub fn read_secret(path: &Path) -> Result<String, KeyError> {
    let meta = std::fs::metadata(path).map_err(io(path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(KeyError::Permissions(path.to_owned(), mode));
        }
    }
    std::fs::read_to_string(path).map_err(io(path))
}

/// The key in `dir` (created on first start), or the one in `explicit`.
pub fn load_or_create(
    dir: &Path,
    explicit: Option<&Path>,
    origin: &str,
) -> Result<NoteSigner, KeyError> {
    if let Some(path) = explicit {
        return read(path);
    }
    let path = dir.join(KEY_FILE);
    if path.exists() {
        return read(&path);
    }
    let signer = generate(origin)?;
    write_new(&path, &signer)?;
    Ok(signer)
}

/// The keys that sign the log's checkpoints: its key, and during a rotation's overlap
/// the next one as well (both sign every checkpoint until the old one is retired).
#[derive(Clone, Debug)]
pub struct SigningKeys {
    /// The current key first; a second one is the next key.
    signers: Vec<NoteSigner>,
}

impl SigningKeys {
    pub fn one(current: NoteSigner) -> SigningKeys {
        SigningKeys {
            signers: vec![current],
        }
    }

    /// The overlap of a rotation: the next key must be another key of the same log.
    pub fn rotating(current: NoteSigner, next: NoteSigner) -> Result<SigningKeys, KeyError> {
        KeyRotation::new(current.name(), current.verifier(), next.verifier())
            .map_err(KeyError::Rotation)?;
        Ok(SigningKeys {
            signers: vec![current, next],
        })
    }

    pub fn current(&self) -> &NoteSigner {
        &self.signers[0]
    }

    /// The log's origin (every key's name).
    pub fn origin(&self) -> &str {
        self.current().name()
    }

    /// Every key that signs, the current one first.
    pub fn signers(&self) -> &[NoteSigner] {
        &self.signers
    }

    pub fn verifiers(&self) -> Vec<NoteVerifier> {
        self.signers.iter().map(NoteSigner::verifier).collect()
    }

    /// The verifier keys, one per line, the current one first (`/log/vkey`).
    pub fn vkeys(&self) -> String {
        self.verifiers()
            .iter()
            .map(|v| format!("{}\n", v.to_vkey()))
            .collect()
    }

    /// The rotation under way, if any (checked when the keys were given).
    pub fn rotation(&self) -> Option<KeyRotation> {
        let [current, next] = self.signers.as_slice() else {
            return None;
        };
        KeyRotation::new(self.origin(), current.verifier(), next.verifier()).ok()
    }
}

impl From<NoteSigner> for SigningKeys {
    fn from(current: NoteSigner) -> SigningKeys {
        SigningKeys::one(current)
    }
}

/// Parses verifier keys, one per line (blank lines ignored), as `/log/vkey` serves
/// them and auditors pin them.
pub fn parse_vkeys(text: &str) -> Result<Vec<NoteVerifier>, NoteError> {
    let keys = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(NoteVerifier::parse)
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        return Err(NoteError::BadVerifierKey("no key".into()));
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_private_and_reread() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create(dir.path(), None, "example.org/log").unwrap();
        let b = load_or_create(dir.path(), None, "example.org/log").unwrap();
        assert_eq!(a.to_skey(), b.to_skey());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let path = dir.path().join(KEY_FILE);
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(matches!(read(&path), Err(KeyError::Permissions(..))));
        }
    }

    #[test]
    fn a_rotation_signs_with_both_keys_of_one_log() {
        let old = NoteSigner::from_seed("example.org/log", [1; 32]).unwrap();
        let new = NoteSigner::from_seed("example.org/log", [2; 32]).unwrap();
        let keys = SigningKeys::rotating(old.clone(), new.clone()).unwrap();
        assert_eq!(keys.signers().len(), 2);
        assert_eq!(parse_vkeys(&keys.vkeys()).unwrap(), keys.verifiers());
        assert_eq!(keys.rotation().unwrap().new, new.verifier());
        assert!(SigningKeys::one(old.clone()).rotation().is_none());
        assert!(SigningKeys::rotating(old.clone(), old.clone()).is_err());
        let foreign = NoteSigner::from_seed("other.org/log", [2; 32]).unwrap();
        assert!(matches!(
            SigningKeys::rotating(old, foreign),
            Err(KeyError::Rotation(_))
        ));
        assert!(parse_vkeys("\n").is_err());
    }
}
