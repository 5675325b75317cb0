//! Witness cosignatures (c2sp.org/tlog-cosignature, the Ed25519 `cosignature/v1`
//! type 0x04): a witness's statement that, as of its timestamp, this is the
//! largest tree consistent with what it saw of the log. A cosignature is a note
//! signature line on the checkpoint; verifiers that do not know the witness ignore
//! it (as Go's `note.Open` does).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::note::{
    ALG_COSIGNATURE_V1, NoteError, format_key, parse_skey, parse_vkey, signature_lines, signing_key,
};

/// The message a `cosignature/v1` signs: the header, the time, then the
/// checkpoint's note text (with its final newline, without signatures).
pub fn cosigned_message(checkpoint_text: &str, timestamp: u64) -> String {
    format!("cosignature/v1\ntime {timestamp}\n{checkpoint_text}")
}

/// A witness's public key: `name+hex8(key id)+base64(0x04 || Ed25519 key)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CosignatureVerifier {
    name: String,
    id: u32,
    key: VerifyingKey,
}

impl CosignatureVerifier {
    pub fn parse(vkey: &str) -> Result<CosignatureVerifier, NoteError> {
        let (name, id, key) = parse_vkey(vkey, ALG_COSIGNATURE_V1)?;
        Ok(CosignatureVerifier { name, id, key })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key_id(&self) -> u32 {
        self.id
    }

    pub fn to_vkey(&self) -> String {
        format_key(
            "",
            &self.name,
            self.id,
            ALG_COSIGNATURE_V1,
            self.key.as_bytes(),
        )
    }

    /// The timestamp of this witness's cosignature over `text` in `sig` (the bytes
    /// after the key id), if it verifies. Timestamps must be non-zero and below 2^63.
    fn verify(&self, text: &str, sig: &[u8]) -> Option<u64> {
        let (time, sig) = sig.split_first_chunk::<8>()?;
        let timestamp = u64::from_be_bytes(*time);
        if timestamp == 0 || timestamp > i64::MAX as u64 {
            return None;
        }
        let sig = Signature::from_slice(sig).ok()?;
        self.key
            .verify_strict(cosigned_message(text, timestamp).as_bytes(), &sig)
            .ok()
            .map(|()| timestamp)
    }
}

/// A witness's private key.
#[derive(Clone)]
pub struct CosignatureSigner {
    name: String,
    id: u32,
    key: SigningKey,
}

impl std::fmt::Debug for CosignatureSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CosignatureSigner({}+{:08x})", self.name, self.id)
    }
}

impl CosignatureSigner {
    /// A witness key from 32 random bytes supplied by the caller.
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<CosignatureSigner, NoteError> {
        let (id, key) = signing_key(name, ALG_COSIGNATURE_V1, seed)?;
        Ok(CosignatureSigner {
            name: name.to_owned(),
            id,
            key,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// `PRIVATE+KEY+name+hex8+base64(0x04 || seed)`, as a note key is written.
    pub fn to_skey(&self) -> String {
        format_key(
            "PRIVATE+KEY+",
            &self.name,
            self.id,
            ALG_COSIGNATURE_V1,
            self.key.as_bytes(),
        )
    }

    pub fn parse(skey: &str) -> Result<CosignatureSigner, NoteError> {
        let (name, id, key) = parse_skey(skey, ALG_COSIGNATURE_V1)?;
        Ok(CosignatureSigner { name, id, key })
    }

    pub fn verifier(&self) -> CosignatureVerifier {
        CosignatureVerifier {
            name: self.name.clone(),
            id: self.id,
            key: self.key.verifying_key(),
        }
    }

    /// The signature line cosigning `checkpoint_text` at `timestamp` (POSIX seconds,
    /// non-zero): `— <name> base64(key id || u64 timestamp || signature)\n`.
    pub fn cosign(&self, checkpoint_text: &str, timestamp: u64) -> Result<String, NoteError> {
        if timestamp == 0 || timestamp > i64::MAX as u64 {
            return Err(NoteError::Malformed(
                "a cosignature's time must be non-zero",
            ));
        }
        let sig = self
            .key
            .sign(cosigned_message(checkpoint_text, timestamp).as_bytes());
        let mut raw = self.id.to_be_bytes().to_vec();
        raw.extend_from_slice(&timestamp.to_be_bytes());
        raw.extend_from_slice(&sig.to_bytes());
        Ok(format!("— {} {}\n", self.name, STANDARD.encode(raw)))
    }
}

/// Which of `witnesses` cosigned the note, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witnessed {
    /// (witness name, timestamp) of each that verified, in the policy's order.
    pub cosigned: Vec<(String, u64)>,
    /// Names of the witnesses with no valid cosignature on it.
    pub missing: Vec<String>,
}

/// Checks a checkpoint note's cosignatures by the given witnesses. A line by a
/// known witness that does not verify counts as missing (the log's own signature is
/// checked elsewhere; unknown signers are ignored).
pub fn witnessed(note: &str, witnesses: &[CosignatureVerifier]) -> Result<Witnessed, NoteError> {
    let (text, lines) = signature_lines(note)?;
    let mut cosigned = Vec::new();
    let mut missing = Vec::new();
    for w in witnesses {
        let time = lines
            .iter()
            .filter(|(name, id, _)| *name == w.name && *id == w.id)
            .find_map(|(_, _, sig)| w.verify(text, sig));
        match time {
            Some(t) => cosigned.push((w.name.clone(), t)),
            None => missing.push(w.name.clone()),
        }
    }
    Ok(Witnessed { cosigned, missing })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::{NoteVerifier, open_note};

    // Made by an independent prototype and verified with Go x/mod and WebCrypto
    // (`../shared/research/transparency-logs.md` §2.8).
    const LOG_VKEY: &str =
        "log.example.org/deliberation+6dfbd5a8+AbUnbWU5bCBfVMj2pISUSrWUiLha02e6egbfdqeEy88B";
    const WITNESS_VKEY: &str =
        "witness.example.net/w1+bcc0945e+BNCuRAv0mtrXBJiZ5mDweNPNXE/zZxl69FrdDX0Cj0nf";
    const NOTE: &str = "log.example.org/deliberation\n7\niR7f6MGfrjdWuHru98/2fqKc65z3i/Dow51R2i/G74Q=\n\n— log.example.org/deliberation bfvVqPoe7RIhS9Rrg6GeA5nvdpKlGTjxWwHpbzObEgtrMmje4yIvL17orPezjNWl5wrtRwdZQeBe1tdlibuRTXPEjAA=\n— witness.example.net/w1 vMCUXgAAAABp9Hmghncbf4ARewacvcCgwV6xE8gR3CFQt9EuG4tLub2tbtnmYdphfSoR+5dAf7aQPmK295QAy1Nz4ioFHvk945e7CQ==\n";

    #[test]
    fn an_independent_witness_cosignature_verifies_and_the_log_note_ignores_it() {
        let w = CosignatureVerifier::parse(WITNESS_VKEY).unwrap();
        assert_eq!(w.to_vkey(), WITNESS_VKEY);
        let seen = witnessed(NOTE, std::slice::from_ref(&w)).unwrap();
        assert_eq!(
            seen.cosigned,
            [("witness.example.net/w1".to_owned(), 1_777_629_600)]
        );
        assert!(seen.missing.is_empty());
        // The log's own signature opens the note; the witness line is an unknown signer.
        let log = NoteVerifier::parse(LOG_VKEY).unwrap();
        let opened = open_note(NOTE, &[log]).unwrap();
        assert_eq!(opened.unknown_signatures, 1);
        // A cosignature key is not a note key, and the other way round.
        assert!(NoteVerifier::parse(WITNESS_VKEY).is_err());
        assert!(CosignatureVerifier::parse(LOG_VKEY).is_err());
    }

    #[test]
    fn a_changed_checkpoint_or_time_is_not_cosigned() {
        let w = CosignatureVerifier::parse(WITNESS_VKEY).unwrap();
        let edited = NOTE.replacen("\n7\n", "\n8\n", 1);
        let seen = witnessed(&edited, std::slice::from_ref(&w)).unwrap();
        assert_eq!(seen.missing, ["witness.example.net/w1"]);
        // The spec's example timestamp line, and the message layout.
        assert_eq!(
            cosigned_message(
                "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
                1_679_315_147
            ),
            "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        );
    }

    #[test]
    fn our_cosignatures_round_trip_and_a_zero_time_is_refused() {
        let signer =
            CosignatureSigner::from_seed("witness.roundtable.example/jiwei", [9; 32]).unwrap();
        let text = "roundtable.localhost/dev\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
        let line = signer.cosign(text, 1_800_000_000).unwrap();
        let note = format!("{text}\n{line}");
        let other =
            CosignatureSigner::from_seed("witness.roundtable.example/ribao", [8; 32]).unwrap();
        let seen = witnessed(&note, &[signer.verifier(), other.verifier()]).unwrap();
        assert_eq!(
            seen.cosigned,
            [("witness.roundtable.example/jiwei".to_owned(), 1_800_000_000)]
        );
        assert_eq!(seen.missing, ["witness.roundtable.example/ribao"]);
        assert!(signer.cosign(text, 0).is_err());
        let kept = CosignatureSigner::parse(&signer.to_skey()).unwrap();
        assert_eq!(kept.verifier(), signer.verifier());
        assert!(crate::note::NoteSigner::parse(&signer.to_skey()).is_err());
        assert_eq!(
            CosignatureVerifier::parse(&signer.verifier().to_vkey()).unwrap(),
            signer.verifier()
        );
    }
}
