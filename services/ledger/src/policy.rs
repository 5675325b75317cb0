//! A witness policy (c2sp.org/tlog-policy): known logs, known witnesses, groups with
//! a threshold (`k`, `any`, `all`) over witnesses and earlier groups, and the
//! quorum. A checkpoint is accepted when a listed log signed it and the quorum
//! cosigned it; a refusal names the witnesses that did not.

use std::collections::BTreeMap;

use crate::checkpoint::{CheckpointError, SignedCheckpoint};
use crate::cosignature::{CosignatureVerifier, witnessed};
use crate::note::{NoteError, NoteVerifier};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("policy line {line}: {why}")]
    Line { line: usize, why: String },
    #[error("the policy has no quorum line")]
    NoQuorum,
    #[error("the checkpoint: {0}")]
    Checkpoint(#[from] CheckpointError),
    #[error("the cosignatures: {0}")]
    Note(#[from] NoteError),
    #[error("below the witness quorum: missing cosignatures from {}", .missing.join(", "))]
    BelowQuorum { missing: Vec<String> },
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Threshold {
    Count(usize),
    All,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Member {
    Witness(CosignatureVerifier),
    Group(Threshold, Vec<String>),
}

#[derive(Clone, Debug)]
pub struct Policy {
    pub logs: Vec<NoteVerifier>,
    names: BTreeMap<String, Member>,
    /// `None`: `quorum none` (no witness needed).
    quorum: Option<String>,
}

impl Policy {
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let mut logs = Vec::new();
        let mut names: BTreeMap<String, Member> = BTreeMap::new();
        let mut quorum: Option<Option<String>> = None;
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim_matches([' ', '\t']);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |why: &str| PolicyError::Line {
                line: n + 1,
                why: why.to_owned(),
            };
            let words: Vec<&str> = line.split([' ', '\t']).filter(|w| !w.is_empty()).collect();
            let fresh = |name: &str| -> Result<(), PolicyError> {
                if name == "none" || names.contains_key(name) {
                    return Err(bad("a name defined twice (or `none`)"));
                }
                Ok(())
            };
            match words.as_slice() {
                ["log", vkey, rest @ ..] if rest.len() <= 1 => {
                    logs.push(NoteVerifier::parse(vkey).map_err(|e| bad(&e.to_string()))?)
                }
                ["witness", name, vkey, rest @ ..] if rest.len() <= 1 => {
                    fresh(name)?;
                    let key = CosignatureVerifier::parse(vkey).map_err(|e| bad(&e.to_string()))?;
                    names.insert((*name).to_owned(), Member::Witness(key));
                }
                ["group", name, threshold, members @ ..] if !members.is_empty() => {
                    fresh(name)?;
                    if let Some(m) = members.iter().find(|m| !names.contains_key(**m)) {
                        return Err(bad(&format!("group member {m} is not defined above")));
                    }
                    let threshold = match *threshold {
                        "all" => Threshold::All,
                        "any" => Threshold::Count(1),
                        k => Threshold::Count(
                            k.parse()
                                .ok()
                                .filter(|k| (1..=members.len()).contains(k))
                                .ok_or_else(|| bad("a threshold is 1..members, any or all"))?,
                        ),
                    };
                    let members = members.iter().map(|m| (*m).to_owned()).collect();
                    names.insert((*name).to_owned(), Member::Group(threshold, members));
                }
                ["quorum", name] => {
                    if quorum.is_some() {
                        return Err(bad("a second quorum line"));
                    }
                    if *name != "none" && !names.contains_key(*name) {
                        return Err(bad("the quorum names nothing defined above"));
                    }
                    quorum = Some((*name != "none").then(|| (*name).to_owned()));
                }
                _ => return Err(bad("not a log, witness, group or quorum line")),
            }
        }
        Ok(Policy {
            logs,
            names,
            quorum: quorum.ok_or(PolicyError::NoQuorum)?,
        })
    }

    pub fn witnesses(&self) -> Vec<CosignatureVerifier> {
        self.names
            .values()
            .filter_map(|m| match m {
                Member::Witness(k) => Some(k.clone()),
                Member::Group(..) => None,
            })
            .collect()
    }

    /// Whether `name` is satisfied by the witnesses that cosigned.
    fn satisfied(&self, name: &str, cosigned: &[String]) -> bool {
        match self.names.get(name) {
            Some(Member::Witness(k)) => cosigned.iter().any(|c| c == k.name()),
            Some(Member::Group(threshold, members)) => {
                let met = members
                    .iter()
                    .filter(|m| self.satisfied(m, cosigned))
                    .count();
                match threshold {
                    Threshold::All => met == members.len(),
                    Threshold::Count(k) => met >= *k,
                }
            }
            None => false,
        }
    }

    /// Opens a checkpoint note: signed by one of the policy's logs (or `logs`, when
    /// the policy lists none) and cosigned by its quorum.
    pub fn check(
        &self,
        note: &str,
        logs: &[NoteVerifier],
    ) -> Result<SignedCheckpoint, PolicyError> {
        let keys = if self.logs.is_empty() {
            logs
        } else {
            &self.logs
        };
        let signed = SignedCheckpoint::open_by_any(note, keys)?;
        let Some(quorum) = &self.quorum else {
            return Ok(signed);
        };
        let seen = witnessed(note, &self.witnesses())?;
        let cosigned: Vec<String> = seen.cosigned.into_iter().map(|(n, _)| n).collect();
        if self.satisfied(quorum, &cosigned) {
            Ok(signed)
        } else {
            Err(PolicyError::BelowQuorum {
                missing: seen.missing,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::Checkpoint;
    use crate::cosignature::CosignatureSigner;
    use crate::hash::empty_root;
    use crate::note::NoteSigner;

    fn setup() -> (NoteSigner, Vec<CosignatureSigner>, String) {
        let log = NoteSigner::from_seed("log.test/x", [1; 32]).unwrap();
        let ws: Vec<CosignatureSigner> = ["a", "b", "c"]
            .iter()
            .enumerate()
            .map(|(i, n)| {
                CosignatureSigner::from_seed(&format!("w.test/{n}"), [10 + i as u8; 32]).unwrap()
            })
            .collect();
        let policy = format!(
            "# ours\nlog {}\nwitness A {}\nwitness B {} https://b.test\nwitness C {}\ngroup two 2 A B C\ngroup AB all A B\ngroup both all two AB\nquorum both\n",
            log.verifier().to_vkey(),
            ws[0].verifier().to_vkey(),
            ws[1].verifier().to_vkey(),
            ws[2].verifier().to_vkey(),
        );
        (log, ws, policy)
    }

    fn note(log: &NoteSigner, by: &[&CosignatureSigner]) -> String {
        let cp = Checkpoint {
            origin: "log.test/x".into(),
            size: 0,
            root: empty_root(),
        };
        let mut note = cp.sign(log).unwrap().note;
        for w in by {
            note.push_str(&w.cosign(&cp.body(), 1_800_000_000).unwrap());
        }
        note
    }

    #[test]
    fn groups_and_thresholds_decide_and_a_refusal_names_who_is_missing() {
        let (log, ws, text) = setup();
        let policy = Policy::parse(&text).unwrap();
        // `two` wants 2 of {AB (all of A, B), C}: A+B+C, A+B, ... pass; A+C fails (AB unmet).
        assert!(policy.check(&note(&log, &[&ws[0], &ws[1]]), &[]).is_ok());
        assert!(
            policy
                .check(&note(&log, &[&ws[0], &ws[1], &ws[2]]), &[])
                .is_ok()
        );
        let short = policy
            .check(&note(&log, &[&ws[0], &ws[2]]), &[])
            .unwrap_err();
        assert_eq!(
            short,
            PolicyError::BelowQuorum {
                missing: vec!["w.test/b".into()]
            }
        );
        assert!(short.to_string().contains("w.test/b"));
        assert!(policy.check(&note(&log, &[]), &[]).is_err());
        // Another log's checkpoint is refused whatever its cosignatures.
        let other = NoteSigner::from_seed("log.test/x", [2; 32]).unwrap();
        assert!(matches!(
            policy.check(&note(&other, &[&ws[0], &ws[1]]), &[]),
            Err(PolicyError::Checkpoint(_))
        ));
    }

    #[test]
    fn bad_policies_are_refused_by_line() {
        let (_, ws, _) = setup();
        let w = ws[0].verifier().to_vkey();
        for (text, line) in [
            (format!("witness A {w}\ngroup G 2 A\nquorum G\n"), 2),
            (format!("witness A {w}\nwitness A {w}\nquorum A\n"), 2),
            (format!("witness A {w}\nquorum B\n"), 2),
            ("group G any A\nquorum G\n".to_owned(), 1),
            ("hello\n".to_owned(), 1),
        ] {
            assert!(
                matches!(Policy::parse(&text), Err(PolicyError::Line { line: l, .. }) if l == line),
                "{text}"
            );
        }
        assert_eq!(
            Policy::parse(&format!("witness A {w}\n")).unwrap_err(),
            PolicyError::NoQuorum
        );
        assert!(
            Policy::parse("quorum none\n")
                .unwrap()
                .check("x", &[])
                .is_err()
        );
    }
}
