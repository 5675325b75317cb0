//! RFC 6962 hashing: the leaf and node hashes every verifier recomputes.

use std::fmt;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// A SHA-256 value. Rendered everywhere as padded standard base64, the form Go's
/// `tlog.Hash` and the C2SP formats use.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash(pub [u8; 32]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a base64 SHA-256 hash: {0:?}")]
pub struct HashParseError(pub String);

impl Hash {
    pub const LEN: usize = 32;

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    pub fn from_slice(bytes: &[u8]) -> Option<Hash> {
        <[u8; 32]>::try_from(bytes).ok().map(Hash)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl FromStr for Hash {
    type Err = HashParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Exactly 44 characters: reject unpadded or URL-safe forms so every verifier
        // reads the same text the same way.
        if s.len() != 44 {
            return Err(HashParseError(s.to_owned()));
        }
        let bytes = STANDARD
            .decode(s)
            .map_err(|_| HashParseError(s.to_owned()))?;
        Hash::from_slice(&bytes).ok_or_else(|| HashParseError(s.to_owned()))
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_base64())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_base64())
    }
}

impl serde::Serialize for Hash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_base64())
    }
}

impl<'de> serde::Deserialize<'de> for Hash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// MTH({}) = SHA-256 of the empty string: the root of the empty tree.
pub fn empty_root() -> Hash {
    Hash(Sha256::digest([]).into())
}

/// SHA-256(0x00 || leaf).
pub fn leaf_hash(leaf: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(leaf);
    Hash(h.finalize().into())
}

/// SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(
            empty_root().to_base64(),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    #[test]
    fn parse_rejects_other_encodings() {
        let h = leaf_hash(b"x");
        assert_eq!(h.to_base64().parse::<Hash>().unwrap(), h);
        assert!(h.to_base64().trim_end_matches('=').parse::<Hash>().is_err());
        assert!("AAAA".parse::<Hash>().is_err());
        let url_safe = h.to_base64().replace('+', "-").replace('/', "_");
        if url_safe != h.to_base64() {
            assert!(url_safe.parse::<Hash>().is_err());
        }
    }
}
