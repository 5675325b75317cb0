//! Photos stored content-addressed beside the log (`DATA/photos/ab/abcdef…`). The
//! log holds only their SHA-256, so a photo can be checked against the record and
//! taken down (personal data in a picture) without touching the log.

use std::io::Write;
use std::path::{Path, PathBuf};

use roundtable_domain::{ContentHash, DomainError};
use sha2::{Digest, Sha256};

use crate::ApiError;

/// Largest photo accepted, in bytes.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

/// The image formats accepted, recognised by their first bytes (not by a name or a
/// header the client chose).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageKind {
    Jpeg,
    Png,
    Webp,
}

impl ImageKind {
    pub fn sniff(bytes: &[u8]) -> Option<ImageKind> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageKind::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageKind::Png)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(ImageKind::Webp)
        } else {
            None
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Png => "image/png",
            ImageKind::Webp => "image/webp",
        }
    }
}

pub struct PhotoStore {
    dir: PathBuf,
}

impl PhotoStore {
    pub fn open(data: &Path) -> Result<PhotoStore, ApiError> {
        let dir = data.join("photos");
        std::fs::create_dir_all(&dir)
            .map_err(|e| ApiError::internal(format!("{}: {e}", dir.display())))?;
        Ok(PhotoStore { dir })
    }

    fn path(&self, hash: &ContentHash) -> PathBuf {
        let hex = hash.as_str();
        self.dir.join(&hex[..2]).join(hex)
    }

    /// Checks and stores a photo; returns its hash. Durable before it returns (the
    /// hash may go into the log right after). Storing the same bytes twice is a no-op.
    pub fn put(&self, bytes: &[u8]) -> Result<(ContentHash, ImageKind), ApiError> {
        if bytes.len() > MAX_PHOTO_BYTES {
            return Err(DomainError::validation(
                "photo",
                format!("at most {} MiB", MAX_PHOTO_BYTES / (1024 * 1024)),
            )
            .into());
        }
        let kind = ImageKind::sniff(bytes)
            .ok_or_else(|| DomainError::validation("photo", "not a JPEG, PNG or WebP image"))?;
        let hex: String = Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let hash = ContentHash::parse(&hex)?;
        let path = self.path(&hash);
        if path.exists() {
            return Ok((hash, kind));
        }
        let io = |e: std::io::Error| ApiError::internal(format!("{}: {e}", path.display()));
        let parent = path.parent().unwrap_or(&self.dir);
        std::fs::create_dir_all(parent).map_err(io)?;
        let mut tmp = tempfile::NamedTempFile::new_in(parent).map_err(io)?;
        tmp.write_all(bytes).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist(&path).map_err(|e| io(e.error))?;
        std::fs::File::open(parent)
            .and_then(|d| d.sync_all())
            .map_err(io)?;
        Ok((hash, kind))
    }

    /// The photo's bytes and kind, if stored.
    pub fn get(&self, hash: &ContentHash) -> Result<Option<(Vec<u8>, ImageKind)>, ApiError> {
        match std::fs::read(self.path(hash)) {
            Ok(bytes) => Ok(ImageKind::sniff(&bytes).map(|kind| (bytes, kind))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ApiError::internal(e)),
        }
    }

    pub fn contains(&self, hash: &ContentHash) -> bool {
        self.path(hash).is_file()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_recognised_by_content_and_stored_once_by_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = PhotoStore::open(dir.path()).unwrap();
        let png = b"\x89PNG\r\n\x1a\nrest-of-image".to_vec();
        let (hash, kind) = store.put(&png).unwrap();
        assert_eq!(kind, ImageKind::Png);
        assert_eq!(store.put(&png).unwrap().0, hash);
        assert_eq!(store.get(&hash).unwrap().unwrap().0, png);
        assert!(store.contains(&hash));
        let webp = b"RIFF\x10\0\0\0WEBPVP8 ".to_vec();
        assert_eq!(store.put(&webp).unwrap().1, ImageKind::Webp);
        let not_image = store.put(b"GIF89a...").unwrap_err();
        assert_eq!(not_image.code(), "VALIDATION");
        let big = vec![0xFF; MAX_PHOTO_BYTES + 1];
        assert_eq!(store.put(&big).unwrap_err().code(), "VALIDATION");
    }
}
