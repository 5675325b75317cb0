//! C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, compatible with Go's
//! `golang.org/x/mod/sumdb/note`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// Signature type byte for Ed25519 in key ids and verifier keys.
const ALG_ED25519: u8 = 0x01;
/// Signature type byte of a timestamped Ed25519 cosignature (c2sp.org/tlog-cosignature).
pub(crate) const ALG_COSIGNATURE_V1: u8 = 0x04;
/// Go's `note.Open` refuses notes with more signatures than this.
const MAX_SIGNATURES: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("key name {0:?} is empty or has a space or '+'")]
    BadName(String),
    #[error("malformed verifier key: {0}")]
    BadVerifierKey(String),
    #[error("malformed signing key")]
    BadSigningKey,
    #[error("malformed note: {0}")]
    Malformed(&'static str),
    #[error("invalid signature by known key {0}")]
    BadSignature(String),
    #[error("no signature by a known key")]
    Unverified,
}

pub(crate) fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.contains('+') && !name.chars().any(char::is_whitespace)
}

/// `SHA-256(name || "\n" || type || public key)[:4]`, for any signature type.
pub(crate) fn key_id_of(name: &str, alg: u8, public: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([alg]);
    h.update(public);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// The public half: `name+hex8(key id)+base64(0x01 || public key)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    id: u32,
    key: VerifyingKey,
}

impl NoteVerifier {
    pub fn parse(vkey: &str) -> Result<NoteVerifier, NoteError> {
        let (name, id, key) = parse_vkey(vkey, ALG_ED25519)?;
        Ok(NoteVerifier { name, id, key })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key_id(&self) -> u32 {
        self.id
    }

    pub fn to_vkey(&self) -> String {
        format_key("", &self.name, self.id, ALG_ED25519, self.key.as_bytes())
    }

    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        Signature::from_slice(sig).is_ok_and(|s| self.key.verify_strict(msg, &s).is_ok())
    }
}

/// `prefix name+hex8(key id)+base64(type || 32 key bytes)`: a vkey (no prefix) or a
/// private key (`PRIVATE+KEY+`), for any signature type.
pub(crate) fn format_key(prefix: &str, name: &str, id: u32, alg: u8, bytes: &[u8; 32]) -> String {
    let mut raw = vec![alg];
    raw.extend_from_slice(bytes);
    format!("{prefix}{name}+{id:08x}+{}", STANDARD.encode(raw))
}

/// A signing key of type `alg` named `name`, from 32 random bytes: its key id and key.
pub(crate) fn signing_key(
    name: &str,
    alg: u8,
    seed: [u8; 32],
) -> Result<(u32, SigningKey), NoteError> {
    if !valid_name(name) {
        return Err(NoteError::BadName(name.to_owned()));
    }
    let key = SigningKey::from_bytes(&seed);
    Ok((key_id_of(name, alg, key.verifying_key().as_bytes()), key))
}

/// Reads `PRIVATE+KEY+name+hex8+base64(type || seed)` of type `alg`, checking the
/// key id: the name, id and key.
pub(crate) fn parse_skey(skey: &str, alg: u8) -> Result<(String, u32, SigningKey), NoteError> {
    let rest = skey
        .trim()
        .strip_prefix("PRIVATE+KEY+")
        .ok_or(NoteError::BadSigningKey)?;
    let mut parts = rest.splitn(3, '+');
    let (Some(name), Some(hex), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(NoteError::BadSigningKey);
    };
    let raw = STANDARD.decode(b64).map_err(|_| NoteError::BadSigningKey)?;
    let Some((_, seed)) = raw.split_first().filter(|(t, _)| **t == alg) else {
        return Err(NoteError::BadSigningKey);
    };
    let seed: [u8; 32] = seed.try_into().map_err(|_| NoteError::BadSigningKey)?;
    let (id, key) = signing_key(name, alg, seed)?;
    if format!("{id:08x}") != hex {
        return Err(NoteError::BadSigningKey);
    }
    Ok((name.to_owned(), id, key))
}

/// A vkey `name+hex8(key id)+base64(type || 32-byte Ed25519 key)` of signature type
/// `alg`: its name, key id and key.
pub(crate) fn parse_vkey(vkey: &str, alg: u8) -> Result<(String, u32, VerifyingKey), NoteError> {
    let bad = |why: &str| NoteError::BadVerifierKey(format!("{why}: {vkey:?}"));
    // The base64 key may itself contain '+': split only twice, as Go does.
    let mut parts = vkey.trim().splitn(3, '+');
    let (Some(name), Some(hex), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("want name+id+key"));
    };
    if !valid_name(name) {
        return Err(NoteError::BadName(name.to_owned()));
    }
    if hex.len() != 8 {
        return Err(bad("key id is not 8 hex digits"));
    }
    let id = u32::from_str_radix(hex, 16).map_err(|_| bad("key id is not hex"))?;
    let raw = STANDARD.decode(b64).map_err(|_| bad("key is not base64"))?;
    let Some((&found, public)) = raw.split_first().filter(|(t, _)| **t == alg) else {
        return Err(bad("not a key of this signature type"));
    };
    let public: [u8; 32] = public.try_into().map_err(|_| bad("key is not 32 bytes"))?;
    if key_id_of(name, found, &public) != id {
        return Err(bad("key id does not match the key"));
    }
    let key = VerifyingKey::from_bytes(&public).map_err(|_| bad("not a curve point"))?;
    Ok((name.to_owned(), id, key))
}

/// One signature line: the key name, the key id, and the bytes after the id.
pub(crate) type SignatureLine<'a> = (&'a str, u32, Vec<u8>);

/// The signature lines of a note, split from its text at the last blank line.
pub(crate) fn signature_lines(msg: &str) -> Result<(&str, Vec<SignatureLine<'_>>), NoteError> {
    if msg.chars().any(|c| c.is_control() && c != '\n') {
        return Err(NoteError::Malformed("control character"));
    }
    let split = msg
        .rfind("\n\n")
        .ok_or(NoteError::Malformed("no blank line before signatures"))?;
    let text = &msg[..=split];
    let sigs = &msg[split + 2..];
    if sigs.is_empty() || !sigs.ends_with('\n') {
        return Err(NoteError::Malformed(
            "signature block must end with a newline",
        ));
    }
    let mut out = Vec::new();
    for (n, line) in sigs[..sigs.len() - 1].split('\n').enumerate() {
        if n >= MAX_SIGNATURES {
            return Err(NoteError::Malformed("too many signatures"));
        }
        let rest = line.strip_prefix("— ").ok_or(NoteError::Malformed(
            "signature line must start with an em dash",
        ))?;
        let (name, b64) = rest
            .split_once(' ')
            .ok_or(NoteError::Malformed("signature line has no signature"))?;
        if !valid_name(name) || b64.contains(' ') {
            return Err(NoteError::Malformed("bad signature line"));
        }
        let raw = STANDARD
            .decode(b64)
            .map_err(|_| NoteError::Malformed("signature is not base64"))?;
        if raw.len() < 5 {
            return Err(NoteError::Malformed("signature too short"));
        }
        let id = u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]);
        out.push((name, id, raw[4..].to_vec()));
    }
    Ok((text, out))
}

/// The private half, stored as Go's `PRIVATE+KEY+name+hex8+base64(0x01 || seed)`.
#[derive(Clone)]
pub struct NoteSigner {
    name: String,
    id: u32,
    key: SigningKey,
}

impl std::fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NoteSigner({}+{:08x})", self.name, self.id)
    }
}

impl NoteSigner {
    /// Creates a signer from 32 random bytes supplied by the caller.
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<NoteSigner, NoteError> {
        let (id, key) = signing_key(name, ALG_ED25519, seed)?;
        Ok(NoteSigner {
            name: name.to_owned(),
            id,
            key,
        })
    }

    pub fn parse(skey: &str) -> Result<NoteSigner, NoteError> {
        let (name, id, key) = parse_skey(skey, ALG_ED25519)?;
        Ok(NoteSigner { name, id, key })
    }

    pub fn to_skey(&self) -> String {
        format_key(
            "PRIVATE+KEY+",
            &self.name,
            self.id,
            ALG_ED25519,
            self.key.as_bytes(),
        )
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            id: self.id,
            key: self.key.verifying_key(),
        }
    }

    /// Signs `text` and returns the whole note: text, blank line, signature line.
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        sign_note(text, std::slice::from_ref(self))
    }

    fn signature_line(&self, text: &str) -> String {
        let sig = self.key.sign(text.as_bytes());
        let mut raw = self.id.to_be_bytes().to_vec();
        raw.extend_from_slice(&sig.to_bytes());
        format!("— {} {}\n", self.name, STANDARD.encode(raw))
    }
}

/// Signs `text` with every signer, in order: one signature line each, as Go's
/// `note.Sign` does with several signers (a key rotation's overlap signs with both).
pub fn sign_note(text: &str, signers: &[NoteSigner]) -> Result<String, NoteError> {
    check_text(text)?;
    if signers.is_empty() {
        return Err(NoteError::Malformed("a note needs at least one signature"));
    }
    let mut note = format!("{text}\n");
    for signer in signers {
        note.push_str(&signer.signature_line(text));
    }
    Ok(note)
}

fn check_text(text: &str) -> Result<(), NoteError> {
    if text.is_empty() || !text.ends_with('\n') {
        return Err(NoteError::Malformed("text must end with a newline"));
    }
    if text.contains("\n\n") || text.starts_with('\n') {
        return Err(NoteError::Malformed("text has a blank line"));
    }
    Ok(())
}

/// A note whose signature by at least one known key verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenedNote {
    pub text: String,
    /// Names of the known keys whose signatures verified.
    pub verified_by: Vec<String>,
    /// Signature lines by keys we do not know (witnesses, other logs): ignored.
    pub unknown_signatures: usize,
}

/// Opens a signed note as Go's `note.Open` does: signatures by unknown keys are
/// ignored, a bad signature by a known key rejects the note, and at least one known
/// signature must verify.
pub fn open_note(msg: &str, known: &[NoteVerifier]) -> Result<OpenedNote, NoteError> {
    let (text, lines) = signature_lines(msg)?;
    let mut verified_by: Vec<String> = Vec::new();
    let mut seen: Vec<(&str, u32)> = Vec::new();
    let mut unknown = 0;
    for (name, id, sig) in lines {
        if seen.contains(&(name, id)) {
            continue;
        }
        seen.push((name, id));
        match known.iter().find(|v| v.name == name && v.id == id) {
            None => unknown += 1,
            Some(v) if v.verify(text.as_bytes(), &sig) => verified_by.push(name.to_owned()),
            Some(v) => return Err(NoteError::BadSignature(v.to_vkey())),
        }
    }
    if verified_by.is_empty() {
        return Err(NoteError::Unverified);
    }
    Ok(OpenedNote {
        text: text.to_owned(),
        verified_by,
        unknown_signatures: unknown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC_VKEY: &str = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
    const SPEC_NOTE: &str = "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

    #[test]
    fn the_c2sp_worked_example_verifies() {
        let v = NoteVerifier::parse(SPEC_VKEY).unwrap();
        assert_eq!(v.to_vkey(), SPEC_VKEY);
        let note = open_note(SPEC_NOTE, &[v]).unwrap();
        assert_eq!(note.text, "This is an example message.\n");
        assert_eq!(note.verified_by, ["example.com/foo"]);
    }

    #[test]
    fn mutated_notes_are_rejected() {
        let v = NoteVerifier::parse(SPEC_VKEY).unwrap();
        let edited = SPEC_NOTE.replace("example message", "exemplary message");
        assert!(matches!(
            open_note(&edited, std::slice::from_ref(&v)),
            Err(NoteError::BadSignature(_))
        ));
        assert!(open_note(&SPEC_NOTE.replace("\n\n", "\n"), std::slice::from_ref(&v)).is_err());
        assert!(open_note(SPEC_NOTE.trim_end(), std::slice::from_ref(&v)).is_err());
        assert!(open_note(&SPEC_NOTE.replace('—', "-"), std::slice::from_ref(&v)).is_err());
        let other = NoteSigner::from_seed("example.com/foo", [7; 32]).unwrap();
        assert_eq!(
            open_note(SPEC_NOTE, &[other.verifier()]),
            Err(NoteError::Unverified)
        );
        assert!(NoteVerifier::parse(&SPEC_VKEY.replace("530d903a", "530d903b")).is_err());
    }

    #[test]
    fn sign_open_round_trip_ignores_unknown_signers() {
        let log = NoteSigner::from_seed("log.example/x", [1; 32]).unwrap();
        let witness = NoteSigner::from_seed("witness.example/w", [2; 32]).unwrap();
        let text = "log.example/x\n1\nAAAA\n";
        let note = log.sign(text).unwrap();
        let witnessed = witness.sign(text).unwrap();
        let both = format!("{note}{}", &witnessed[text.len() + 1..]);
        let opened = open_note(&both, &[log.verifier()]).unwrap();
        assert_eq!(opened.unknown_signatures, 1);
        assert_eq!(
            NoteSigner::parse(&log.to_skey()).unwrap().to_skey(),
            log.to_skey()
        );
        assert!(log.sign("no newline").is_err());
        assert!(log.sign("a\n\nb\n").is_err());
        // A bad signature by a known key rejects the note even if another verifies.
        let line = note.lines().last().unwrap();
        let b64 = line.rsplit(' ').next().unwrap();
        let mut raw = STANDARD.decode(b64).unwrap();
        raw[10] ^= 1;
        // Put first: Go (and we) drop a repeated signature by the same key unread.
        let forged = format!("{text}\n— log.example/x {}\n{line}\n", STANDARD.encode(raw));
        assert!(matches!(
            open_note(&forged, &[log.verifier()]),
            Err(NoteError::BadSignature(_))
        ));
    }

    #[test]
    fn a_note_signed_by_two_keys_of_one_name_opens_with_either() {
        let old = NoteSigner::from_seed("log.example/x", [1; 32]).unwrap();
        let new = NoteSigner::from_seed("log.example/x", [9; 32]).unwrap();
        let text = "log.example/x\n1\nAAAA\n";
        let note = sign_note(text, &[old.clone(), new.clone()]).unwrap();
        assert_eq!(note.lines().filter(|l| l.starts_with("— ")).count(), 2);
        for key in [&old, &new] {
            let opened = open_note(&note, &[key.verifier()]).unwrap();
            assert_eq!((opened.text.as_str(), opened.unknown_signatures), (text, 1));
        }
        let both = open_note(&note, &[old.verifier(), new.verifier()]).unwrap();
        assert_eq!(both.verified_by.len(), 2);
        assert_eq!(
            note,
            format!(
                "{}{}",
                old.sign(text).unwrap(),
                &new.sign(text).unwrap()[text.len() + 1..]
            )
        );
        assert!(sign_note(text, &[]).is_err());
    }
}
