//! The cosignatures witnesses gave the log's recent checkpoints, and which
//! checkpoint `/log/checkpoint` serves: the newest one that `quorum` of the
//! configured witnesses cosigned (a witness that is down delays only that:
//! verifiers requiring the quorum keep the last witnessed one), with every
//! cosignature it has; before any is witnessed, the store's newest.

use std::collections::BTreeMap;
use std::sync::RwLock;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use roundtable_ledger::{CosignatureVerifier, witnessed};

/// Checkpoints kept with their cosignatures (the newest ones).
const KEPT: usize = 256;

/// A checkpoint the log signed: its note, and the cosignature line of each witness
/// (by name) that cosigned it.
type Witnessing = (String, BTreeMap<String, String>);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct WitnessLabel {
    pub witness: String,
}

pub struct WitnessBook {
    pub witnesses: Vec<CosignatureVerifier>,
    pub quorum: usize,
    /// size → (the log's note, cosignature lines by witness name).
    notes: RwLock<BTreeMap<u64, Witnessing>>,
    /// The largest size each witness cosigned, and its failed requests.
    pub cosigned_size: Family<WitnessLabel, Gauge>,
    pub failures: Family<WitnessLabel, Counter>,
}

impl WitnessBook {
    pub fn new(witnesses: Vec<CosignatureVerifier>, quorum: usize) -> WitnessBook {
        WitnessBook {
            quorum: quorum.min(witnesses.len()),
            witnesses,
            notes: RwLock::default(),
            cosigned_size: Family::default(),
            failures: Family::default(),
        }
    }

    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "roundtable_witness_cosigned_size",
            "The largest checkpoint size each witness cosigned",
            self.cosigned_size.clone(),
        );
        registry.register(
            "roundtable_witness_failures",
            "Requests to each witness that failed (down, refused, or a bad cosignature)",
            self.failures.clone(),
        );
    }

    /// A checkpoint the log signed (its note, the log's signatures only).
    pub fn signed(&self, size: u64, note: &str) {
        let mut notes = self.notes.write().unwrap_or_else(|p| p.into_inner());
        notes
            .entry(size)
            .or_insert_with(|| (note.to_owned(), BTreeMap::new()));
        while notes.len() > KEPT {
            notes.pop_first();
        }
    }

    /// Keeps `line` if it is `witness`'s valid cosignature of the checkpoint at `size`.
    pub fn cosigned(&self, size: u64, witness: &CosignatureVerifier, line: &str) -> bool {
        let mut notes = self.notes.write().unwrap_or_else(|p| p.into_inner());
        let Some((note, lines)) = notes.get_mut(&size) else {
            return false;
        };
        let candidate = format!("{note}{line}");
        let valid = witnessed(&candidate, std::slice::from_ref(witness))
            .is_ok_and(|w| w.missing.is_empty());
        if valid {
            lines.insert(witness.name().to_owned(), line.to_owned());
            self.cosigned_size
                .get_or_create(&WitnessLabel {
                    witness: witness.name().to_owned(),
                })
                .set(i64::try_from(size).unwrap_or(i64::MAX));
        }
        valid
    }

    fn with_lines(note: &str, lines: &BTreeMap<String, String>) -> String {
        let mut out = note.to_owned();
        for line in lines.values() {
            out.push_str(line);
        }
        out
    }

    /// The note of the checkpoint at `size` with the cosignatures it has.
    pub fn note_at(&self, size: u64) -> Option<String> {
        let notes = self.notes.read().unwrap_or_else(|p| p.into_inner());
        notes.get(&size).map(|(n, l)| Self::with_lines(n, l))
    }

    /// The policy this log asks of its witnesses, in c2sp.org/tlog-policy form: what
    /// `/log/witnesses` suggests to verifiers (who should check the keys against
    /// what each witness publishes itself).
    pub fn policy(&self) -> String {
        let mut out = String::new();
        let mut names = Vec::new();
        for (n, w) in self.witnesses.iter().enumerate() {
            let name = format!("w{}", n + 1);
            out.push_str(&format!("witness {name} {}\n", w.to_vkey()));
            names.push(name);
        }
        if self.quorum == 0 || names.is_empty() {
            out.push_str("quorum none\n");
        } else {
            out.push_str(&format!(
                "group witnesses {} {}\n",
                self.quorum,
                names.join(" ")
            ));
            out.push_str("quorum witnesses\n");
        }
        out
    }

    /// The newest checkpoint `quorum` witnesses cosigned, with its cosignatures.
    pub fn served(&self) -> Option<String> {
        let notes = self.notes.read().unwrap_or_else(|p| p.into_inner());
        notes
            .values()
            .rev()
            .find(|(_, lines)| lines.len() >= self.quorum)
            .map(|(n, l)| Self::with_lines(n, l))
    }
}
