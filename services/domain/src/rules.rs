//! A council's procedure rules as data. Every outcome they decide (quorum, majority,
//! deadlines, thresholds) cites the content hash of the rules in force, so an auditor
//! can recompute the outcome under exactly those rules.

use std::fmt;

use roundtable_ledger::Leaf;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{DomainError, Refusal};

/// A fraction `num/den` with `0 < num <= den <= 1000` (leaves hold no floats).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fraction {
    pub num: u32,
    pub den: u32,
}

impl Fraction {
    /// True when `part` of `whole` reaches this fraction (`part/whole >= num/den`).
    pub fn reached(&self, part: u64, whole: u64) -> bool {
        part * u64::from(self.den) >= whole * u64::from(self.num)
    }
}

/// How many votes carry a motion (the meetings issue applies these).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MajorityKind {
    /// More yes than no among votes cast.
    SimpleMajority,
    /// More than half of the members present.
    MajorityOfPresent,
    /// More than half of all voting members.
    MajorityOfMembers,
    /// At least two thirds of votes cast.
    TwoThirds,
    /// At least two thirds of all voting members (amending a council's own rules).
    TwoThirdsOfMembers,
    /// No vote against.
    Consensus,
}

impl MajorityKind {
    /// Every kind, for lists and for the verifiers' shared test cases.
    pub const ALL: [MajorityKind; 6] = [
        MajorityKind::SimpleMajority,
        MajorityKind::MajorityOfPresent,
        MajorityKind::MajorityOfMembers,
        MajorityKind::TwoThirds,
        MajorityKind::TwoThirdsOfMembers,
        MajorityKind::Consensus,
    ];
}

/// One version of a council's rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CouncilRules {
    /// Share of voting members (present or by proxy) needed to open a meeting or a vote.
    pub quorum: Fraction,
    pub default_majority: MajorityKind,
    /// Minimum notice before a meeting starts, in hours.
    pub notice_hours: u32,
    /// Distinct co-signers that put an issue on the council's docket.
    pub cosign_threshold: u32,
    /// Time to triage a new issue, in hours.
    pub triage_hours: u32,
    /// Time to respond to an accepted issue, in hours.
    pub response_hours: u32,
    /// Whether a motion needs a second before it can be voted.
    pub seconds_required: bool,
    /// How many proxies one member may hold at a meeting.
    pub proxies_per_member: u32,
    /// When set, triage and response are due in working days on the official
    /// calendar instead of `triage_hours` / `response_hours` (absent from the
    /// canonical JSON otherwise, so earlier rules keep their hash).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_days: Option<WorkingDayLimits>,
}

/// A council's limits in working days (最多跑一次: "within 3 working days").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkingDayLimits {
    pub triage: u32,
    pub response: u32,
}

impl Default for CouncilRules {
    /// The "four deliberations" practice: two thirds present, majority of members.
    fn default() -> CouncilRules {
        CouncilRules {
            quorum: Fraction { num: 2, den: 3 },
            default_majority: MajorityKind::MajorityOfMembers,
            notice_hours: 72,
            cosign_threshold: 10,
            triage_hours: 72,
            response_hours: 15 * 24,
            seconds_required: true,
            proxies_per_member: 1,
            working_days: None,
        }
    }
}

impl CouncilRules {
    pub fn validate(&self) -> Result<(), DomainError> {
        let Fraction { num, den } = self.quorum;
        if num == 0 || den == 0 || num > den || den > 1000 {
            return Err(DomainError::validation("quorum", Refusal::BAD_FRACTION));
        }
        let bounded = |field: &'static str, value: u32, min: u32, max: u32| {
            if (min..=max).contains(&value) {
                Ok(())
            } else {
                Err(DomainError::validation(field, Refusal::OUT_OF_RANGE)
                    .with("min", min)
                    .with("max", max)
                    .with("got", value))
            }
        };
        bounded("noticeHours", self.notice_hours, 0, 30 * 24)?;
        bounded("cosignThreshold", self.cosign_threshold, 1, 1_000_000)?;
        bounded("triageHours", self.triage_hours, 1, 30 * 24)?;
        bounded("responseHours", self.response_hours, 1, 366 * 24)?;
        bounded("proxiesPerMember", self.proxies_per_member, 0, 10)?;
        if let Some(days) = self.working_days {
            let max = crate::MAX_WORKING_DAYS;
            bounded("triageWorkingDays", days.triage, 1, max)?;
            bounded("responseWorkingDays", days.response, 1, max)?;
        }
        Ok(())
    }

    /// SHA-256 of the rules' canonical JSON (RFC 8785, as in the leaves).
    pub fn hash(&self) -> RulesHash {
        // Only integers, booleans and short ASCII strings: always encodable.
        ContentHash::of_canonical(&serde_json::to_value(self).unwrap_or_default())
    }
}

/// Hex SHA-256 of canonical JSON or of stored bytes (an issue's text version, a photo).
pub type ContentHash = RulesHash;

/// Hex SHA-256 of one version of a council's rules.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RulesHash(String);

impl RulesHash {
    /// SHA-256 of a value's canonical JSON (the leaves' RFC 8785 profile). Callers
    /// hash only values they built, which always encode.
    pub fn of_canonical(value: &serde_json::Value) -> ContentHash {
        let bytes = Leaf::encode(value)
            .map(Leaf::into_bytes)
            .unwrap_or_default();
        RulesHash::of_bytes(&bytes)
    }

    /// SHA-256 of bytes (a rendered text, a ballot token).
    pub fn of_bytes(bytes: &[u8]) -> ContentHash {
        RulesHash(
            Sha256::digest(bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        )
    }

    pub fn parse(s: &str) -> Result<RulesHash, DomainError> {
        if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(RulesHash(s.to_owned()))
        } else {
            Err(DomainError::validation("rulesHash", Refusal::BAD_HASH))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RulesHash {
    type Error = DomainError;
    fn try_from(s: String) -> Result<RulesHash, DomainError> {
        RulesHash::parse(&s)
    }
}

impl From<RulesHash> for String {
    fn from(h: RulesHash) -> String {
        h.0
    }
}

impl fmt::Display for RulesHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RulesHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RulesHash({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Its place in [`MajorityKind::ALL`]: the match makes a new kind a compile error
    /// here (in the test build), and the test makes one missing from `ALL` fail.
    fn position(kind: MajorityKind) -> usize {
        match kind {
            MajorityKind::SimpleMajority => 0,
            MajorityKind::MajorityOfPresent => 1,
            MajorityKind::MajorityOfMembers => 2,
            MajorityKind::TwoThirds => 3,
            MajorityKind::TwoThirdsOfMembers => 4,
            MajorityKind::Consensus => 5,
        }
    }

    #[test]
    fn every_majority_kind_is_listed_once_in_its_place() {
        for (n, kind) in MajorityKind::ALL.iter().enumerate() {
            assert_eq!(position(*kind), n, "{kind:?}");
        }
    }

    #[test]
    fn the_hash_is_of_the_canonical_json_and_changes_with_any_rule() {
        let rules = CouncilRules::default();
        let canonical = r#"{"cosign_threshold":10,"default_majority":"majority_of_members","notice_hours":72,"proxies_per_member":1,"quorum":{"den":3,"num":2},"response_hours":360,"seconds_required":true,"triage_hours":72}"#;
        let expected: String = Sha256::digest(canonical.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(rules.hash().as_str(), expected);
        let changed = CouncilRules {
            cosign_threshold: 11,
            ..rules.clone()
        };
        assert_ne!(changed.hash(), rules.hash());
    }

    #[test]
    fn quorum_is_reached_at_the_fraction_exactly() {
        let two_thirds = Fraction { num: 2, den: 3 };
        assert!(two_thirds.reached(6, 9));
        assert!(!two_thirds.reached(5, 9));
        assert!(two_thirds.reached(0, 0));
    }

    #[test]
    fn rules_out_of_bounds_are_refused_by_field() {
        let bad = CouncilRules {
            quorum: Fraction { num: 4, den: 3 },
            ..CouncilRules::default()
        };
        assert!(matches!(
            bad.validate(),
            Err(DomainError::Validation {
                field: "quorum",
                ..
            })
        ));
        let bad = CouncilRules {
            cosign_threshold: 0,
            ..CouncilRules::default()
        };
        assert!(matches!(
            bad.validate(),
            Err(DomainError::Validation {
                field: "cosignThreshold",
                ..
            })
        ));
        assert!(CouncilRules::default().validate().is_ok());
    }
}
