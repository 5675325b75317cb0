//! Photos stored content-addressed beside the log (`DATA/photos/ab/abcdef…`). The
//! log holds only their SHA-256, so a photo can be checked against the record and
//! taken down (personal data in a picture) without touching the log.
//!
//! An upload is decoded in full (at most [`MAX_SIDE`] pixels a side), turned the
//! way its EXIF says, and encoded again: JPEG and WebP as JPEG, PNG as PNG. What
//! is stored is only pixels, so no metadata survives (phones write the home's GPS
//! position into photos), and a file that only looks like an image is refused.

use std::io::Write;
use std::path::{Path, PathBuf};

use roundtable_domain::{ContentHash, DomainError, Refusal};
use sha2::{Digest, Sha256};

use crate::AppError;

/// Largest photo accepted, in bytes.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

/// Largest width or height decoded, in pixels (a 5 MiB file can claim far more).
pub const MAX_SIDE: u32 = 8_000;

/// An upload that no issue or progress report names is removed after this.
pub const UNREFERENCED_TTL: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

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
    pub fn open(data: &Path) -> Result<PhotoStore, AppError> {
        let dir = data.join("photos");
        std::fs::create_dir_all(&dir)
            .map_err(|e| AppError::internal(format!("{}: {e}", dir.display())))?;
        Ok(PhotoStore { dir })
    }

    fn path(&self, hash: &ContentHash) -> PathBuf {
        let hex = hash.as_str();
        self.dir.join(&hex[..2]).join(hex)
    }

    /// Checks, cleans and stores a photo; returns the stored image's hash and
    /// kind. Durable before it returns (the hash may go into the log right after).
    /// Storing the same image twice is a no-op.
    pub fn put(&self, bytes: &[u8]) -> Result<(ContentHash, ImageKind), AppError> {
        if bytes.len() > MAX_PHOTO_BYTES {
            return Err(DomainError::validation("photo", Refusal::PHOTO_TOO_LARGE)
                .with("mib", MAX_PHOTO_BYTES / (1024 * 1024))
                .into());
        }
        let kind = ImageKind::sniff(bytes)
            .ok_or_else(|| DomainError::validation("photo", Refusal::PHOTO_NOT_IMAGE))?;
        let (clean, kind) = reencode(bytes, kind)?;
        let hex: String = Sha256::digest(&clean)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let hash = ContentHash::parse(&hex)?;
        let path = self.path(&hash);
        if path.exists() {
            return Ok((hash, kind));
        }
        let io = |e: std::io::Error| AppError::internal(format!("{}: {e}", path.display()));
        let parent = path.parent().unwrap_or(&self.dir);
        std::fs::create_dir_all(parent).map_err(io)?;
        let mut tmp = tempfile::NamedTempFile::new_in(parent).map_err(io)?;
        tmp.write_all(&clean).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist(&path).map_err(|e| io(e.error))?;
        std::fs::File::open(parent)
            .and_then(|d| d.sync_all())
            .map_err(io)?;
        Ok((hash, kind))
    }

    /// Removes every stored photo older than `ttl` that `referenced` does not
    /// name; how many were removed.
    pub fn sweep(
        &self,
        ttl: std::time::Duration,
        referenced: &std::collections::HashSet<ContentHash>,
    ) -> Result<usize, AppError> {
        let io = |e: std::io::Error| AppError::internal(format!("{}: {e}", self.dir.display()));
        let cutoff = std::time::SystemTime::now()
            .checked_sub(ttl)
            .unwrap_or(std::time::UNIX_EPOCH);
        let mut removed = 0;
        for shard in std::fs::read_dir(&self.dir).map_err(io)? {
            let shard = shard.map_err(io)?.path();
            if !shard.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(&shard).map_err(io)? {
                let path = file.map_err(io)?.path();
                let Some(hash) = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| ContentHash::parse(n).ok())
                else {
                    continue; // a temporary file of an upload in progress
                };
                let old = std::fs::metadata(&path)
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t < cutoff);
                if old && !referenced.contains(&hash) {
                    std::fs::remove_file(&path).map_err(io)?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }

    /// The photo's bytes and kind, if stored.
    pub fn get(&self, hash: &ContentHash) -> Result<Option<(Vec<u8>, ImageKind)>, AppError> {
        match std::fs::read(self.path(hash)) {
            Ok(bytes) => Ok(ImageKind::sniff(&bytes).map(|kind| (bytes, kind))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(AppError::internal(e)),
        }
    }

    pub fn contains(&self, hash: &ContentHash) -> bool {
        self.path(hash).is_file()
    }
}

/// Every photo the read models name: issues' and progress reports'.
fn referenced(app: &crate::App) -> std::collections::HashSet<ContentHash> {
    let mut named: std::collections::HashSet<ContentHash> = app
        .projections
        .issues()
        .all()
        .flat_map(|i| i.photos.iter().cloned())
        .collect();
    let meetings = app.projections.meetings();
    for resolution in meetings.resolutions() {
        named.extend(
            resolution
                .progress
                .iter()
                .flat_map(|p| p.photos.iter().cloned()),
        );
    }
    named
}

/// Removes, every `every`, the uploads nothing has named for
/// [`UNREFERENCED_TTL`] (run by the process that holds the duties).
pub async fn run_sweeper(app: std::sync::Arc<crate::App>, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let named = referenced(&app);
        let sweeping = app.clone();
        let swept =
            tokio::task::spawn_blocking(move || sweeping.photos.sweep(UNREFERENCED_TTL, &named))
                .await;
        match swept {
            Ok(Ok(0)) => {}
            Ok(Ok(removed)) => tracing::info!(removed, "unreferenced photos removed"),
            Ok(Err(e)) => tracing::error!(error = %e, "photo sweep failed; retrying"),
            Err(e) => tracing::error!(error = %e, "photo sweep task"),
        }
    }
}

/// Decodes `bytes` in full within bounds, applies the EXIF orientation and
/// encodes the pixels again (JPEG quality 85, or PNG), which drops all metadata.
fn reencode(bytes: &[u8], kind: ImageKind) -> Result<(Vec<u8>, ImageKind), AppError> {
    use image::ImageDecoder;
    let bad = |e: image::ImageError| {
        DomainError::validation("photo", Refusal::PHOTO_UNREADABLE).with("detail", e)
    };
    let format = match kind {
        ImageKind::Jpeg => image::ImageFormat::Jpeg,
        ImageKind::Png => image::ImageFormat::Png,
        ImageKind::Webp => image::ImageFormat::WebP,
    };
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(u64::from(MAX_SIDE) * u64::from(MAX_SIDE) * 4);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(bad)?;
    let orientation = decoder.orientation().map_err(bad)?;
    let mut picture = image::DynamicImage::from_decoder(decoder).map_err(bad)?;
    picture.apply_orientation(orientation);
    let mut out = std::io::Cursor::new(Vec::new());
    let stored = match kind {
        ImageKind::Png => {
            picture
                .write_to(&mut out, image::ImageFormat::Png)
                .map_err(AppError::internal)?;
            ImageKind::Png
        }
        ImageKind::Jpeg | ImageKind::Webp => {
            let rgb = image::DynamicImage::ImageRgb8(picture.to_rgb8());
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
                .encode_image(&rgb)
                .map_err(AppError::internal)?;
            ImageKind::Jpeg
        }
    };
    Ok((out.into_inner(), stored))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small image encoded as `format`.
    fn image_bytes(format: image::ImageFormat, width: u32, height: u32) -> Vec<u8> {
        let picture =
            image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
                image::Rgb([(x * 7) as u8, (y * 13) as u8, 90])
            }));
        let mut out = std::io::Cursor::new(Vec::new());
        picture.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    /// A JPEG with an EXIF block holding a GPS position and orientation 6
    /// (rotated 90°), as a phone writes it.
    fn phone_jpeg() -> Vec<u8> {
        let plain = image_bytes(image::ImageFormat::Jpeg, 40, 20);
        // TIFF, little-endian: IFD0 with Orientation = 6 and a GPS IFD pointer;
        // the GPS IFD with GPSLatitudeRef = "N".
        let mut tiff: Vec<u8> = b"II*\0\x08\0\0\0".to_vec();
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]);
        tiff.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0, 38, 0, 0, 0]);
        tiff.extend_from_slice(&0u32.to_le_bytes());
        tiff.extend_from_slice(&1u16.to_le_bytes());
        tiff.extend_from_slice(&[0x01, 0x00, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0]);
        tiff.extend_from_slice(&0u32.to_le_bytes());
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1];
        jpeg.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
        jpeg.extend_from_slice(&app1);
        jpeg.extend_from_slice(&plain[2..]);
        jpeg
    }

    #[test]
    fn images_are_decoded_cleaned_and_stored_once_by_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = PhotoStore::open(dir.path()).unwrap();
        let png = image_bytes(image::ImageFormat::Png, 30, 10);
        let (hash, kind) = store.put(&png).unwrap();
        assert_eq!(kind, ImageKind::Png);
        assert_eq!(store.put(&png).unwrap().0, hash);
        assert!(store.contains(&hash));
        let webp = image_bytes(image::ImageFormat::WebP, 30, 10);
        assert_eq!(
            store.put(&webp).unwrap().1,
            ImageKind::Jpeg,
            "WebP is stored as JPEG"
        );
        let not_image = store.put(b"GIF89a...").unwrap_err();
        assert_eq!(not_image.code(), "VALIDATION");
        // Looks like a PNG, is not one.
        let fake = store.put(b"\x89PNG\r\n\x1a\nrest-of-image").unwrap_err();
        assert_eq!(fake.code(), "VALIDATION");
        let big = vec![0xFF; MAX_PHOTO_BYTES + 1];
        assert_eq!(store.put(&big).unwrap_err().code(), "VALIDATION");
    }

    #[test]
    fn a_phones_gps_position_is_not_stored_and_the_picture_is_turned_upright() {
        let dir = tempfile::tempdir().unwrap();
        let store = PhotoStore::open(dir.path()).unwrap();
        let uploaded = phone_jpeg();
        assert!(uploaded.windows(4).any(|w| w == b"Exif"));
        let (hash, kind) = store.put(&uploaded).unwrap();
        assert_eq!(kind, ImageKind::Jpeg);
        let (stored, _) = store.get(&hash).unwrap().unwrap();
        assert!(!stored.windows(4).any(|w| w == b"Exif"), "no EXIF block");
        assert!(
            !stored.windows(2).any(|w| w == [0xFF, 0xE1]),
            "no APP1 segment"
        );
        let picture = image::load_from_memory(&stored).unwrap();
        assert_eq!(
            (picture.width(), picture.height()),
            (20, 40),
            "rotated by its orientation"
        );
    }

    #[test]
    fn a_picture_claiming_huge_dimensions_is_refused_before_it_is_decoded() {
        let dir = tempfile::tempdir().unwrap();
        let store = PhotoStore::open(dir.path()).unwrap();
        let mut png = image_bytes(image::ImageFormat::Png, 4, 4);
        // IHDR's width (bytes 16..20) claims 100,000 pixels, with its CRC right,
        // so only the dimension limit can refuse it.
        png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        let refused = store.put(&png).unwrap_err();
        assert_eq!(refused.code(), "VALIDATION");
        assert!(refused.to_string().contains("limit"), "{refused}");
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn unreferenced_uploads_are_swept_after_their_time_and_referenced_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = PhotoStore::open(dir.path()).unwrap();
        let (kept, _) = store
            .put(&image_bytes(image::ImageFormat::Png, 3, 3))
            .unwrap();
        let (dropped, _) = store
            .put(&image_bytes(image::ImageFormat::Png, 5, 5))
            .unwrap();
        let referenced = std::collections::HashSet::from([kept.clone()]);
        assert_eq!(
            store.sweep(UNREFERENCED_TTL, &referenced).unwrap(),
            0,
            "too young"
        );
        assert_eq!(
            store.sweep(std::time::Duration::ZERO, &referenced).unwrap(),
            1
        );
        assert!(store.contains(&kept));
        assert!(!store.contains(&dropped));
    }
}
