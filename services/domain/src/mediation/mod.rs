//! People's mediation (人民调解): disputes between residents settled before court,
//! voluntarily, by mediators of a mediation committee. Two aggregates: the
//! committee (`committee/<id>`: where it sits, its kind, its rules, its mediators)
//! and the case (`dispute/<id>`: parties, consent, mediator, sessions, agreement,
//! judicial confirmation, follow-up).
//!
//! What the parties say is private: the log carries only commitments to it
//! ([`Sealed::commitment`]: SHA-256 over a random nonce and the text), the texts
//! live in the vault. That a case was handled, by whom, how fast and with what
//! result is public and recomputable from the log ([`MediationTally`]).

mod agreement;
mod committee;
mod dispute;
mod procedure;
mod stats;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{
    CommitteeId, ContentHash, DomainError, JurisdictionId, MemberId, Refusal, RulesHash,
    checked_multiline,
};

pub use agreement::{AgreementNaming, agreement_hash, render_agreement};
pub use committee::{Committee, CommitteeCommand, CommitteeState};
pub use dispute::{
    AgreementState, DisputeAccess, DisputeState, DisputeStatus, JudicialConfirmation, SessionState,
    Told,
};
pub use procedure::{
    Dispute, DisputeCommand, MAX_CASE_HISTORY, MAX_FOLLOW_UPS, MAX_PRIVATE_TEXT, MAX_SESSIONS,
    RaiseDispute,
};
pub use stats::{CaseRecord, MediationFigures, MediationTally};

/// Days a party has, after the agreement is signed, to apply jointly to a court for
/// judicial confirmation (People's Mediation Law art. 33: 30 days).
pub const CONFIRMATION_WINDOW_DAYS: u32 = 30;

/// Most respondents one case names.
pub const MAX_RESPONDENTS: usize = 5;

/// Most mediators one committee has.
pub const MAX_MEDIATORS: usize = 100;

/// What kind of committee mediates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitteeKind {
    /// 人民调解委员会 of a community or street.
    Peoples,
    /// 律师调解工作室: lawyers mediating.
    Lawyers,
    /// 行业性专业调解: property management, labour, consumer disputes.
    Industry,
    /// 医疗纠纷人民调解.
    Medical,
}

/// What a dispute is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeKind {
    Neighbours,
    Family,
    PropertyManagement,
    Labour,
    Consumer,
    Land,
    Other,
}

impl DisputeKind {
    pub const ALL: [DisputeKind; 7] = [
        DisputeKind::Neighbours,
        DisputeKind::Family,
        DisputeKind::PropertyManagement,
        DisputeKind::Labour,
        DisputeKind::Consumer,
        DisputeKind::Land,
        DisputeKind::Other,
    ];

    /// The committee kind that mediates this kind first, where one sits at or above
    /// the place; otherwise the people's mediation committee does.
    pub fn specialist(self) -> CommitteeKind {
        match self {
            DisputeKind::PropertyManagement | DisputeKind::Labour | DisputeKind::Consumer => {
                CommitteeKind::Industry
            }
            DisputeKind::Neighbours
            | DisputeKind::Family
            | DisputeKind::Land
            | DisputeKind::Other => CommitteeKind::Peoples,
        }
    }

    /// Where to go when mediation does not settle it: labour disputes to labour
    /// arbitration first (Labour Dispute Mediation and Arbitration Law), consumer and
    /// land disputes to the administrative body, the rest to court.
    pub fn advice(self) -> Advice {
        match self {
            DisputeKind::Labour => Advice::Arbitration,
            DisputeKind::Consumer | DisputeKind::Land => Advice::Administrative,
            DisputeKind::Neighbours
            | DisputeKind::Family
            | DisputeKind::PropertyManagement
            | DisputeKind::Other => Advice::Litigation,
        }
    }
}

/// How a case ended without (or after a failed) agreement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseOutcome {
    /// A respondent declined mediation.
    Declined,
    /// A respondent did not answer before the consent deadline.
    NoReply,
    /// Sessions were held and no agreement was reached.
    NoAgreement,
    /// A party stayed away from the sessions.
    PartyAbsent,
    /// The applicant withdrew.
    Withdrawn,
    /// The agreement was not performed and the case was referred on.
    NotPerformed,
}

/// Where the parties are pointed when mediation ends without settling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Advice {
    /// 向人民法院起诉.
    Litigation,
    /// 申请仲裁 (labour arbitration, or an arbitration clause).
    Arbitration,
    /// 请求行政机关处理.
    Administrative,
    /// Nothing to advise (a withdrawn case).
    None,
}

/// What a follow-up visit found of the agreement's performance (履行).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Performance {
    Performed,
    Partly,
    NotPerformed,
}

/// A committee's rules (versioned by hash like a council's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediationRules {
    /// Days a respondent has to accept or decline.
    pub consent_days: u32,
    /// Days from the start of mediation to an agreement (or a failure), before the
    /// case is overdue and escalated.
    pub time_limit_days: u32,
}

impl Default for MediationRules {
    /// Seven days to answer; 30 days to settle (the Ministry of Justice's usual
    /// limit for people's mediation).
    fn default() -> MediationRules {
        MediationRules {
            consent_days: 7,
            time_limit_days: 30,
        }
    }
}

impl MediationRules {
    pub fn validate(&self) -> Result<(), DomainError> {
        let bounded = |field: &'static str, value: u32, max: u32| {
            if (1..=max).contains(&value) {
                Ok(())
            } else {
                Err(DomainError::validation(field, Refusal::OUT_OF_RANGE)
                    .with("min", 1)
                    .with("max", max)
                    .with("got", value))
            }
        };
        bounded("consentDays", self.consent_days, 30)?;
        bounded("timeLimitDays", self.time_limit_days, 90)
    }

    /// SHA-256 of the rules' canonical JSON.
    pub fn hash(&self) -> RulesHash {
        ContentHash::of_canonical(&serde_json::to_value(self).unwrap_or_default())
    }
}

/// What a decider may know of a mediation committee.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitteeFacts {
    pub id: CommitteeId,
    pub jurisdiction: JurisdictionId,
    pub kind: CommitteeKind,
    pub rules: MediationRules,
    pub rules_hash: RulesHash,
    /// Mediators, and whether each is an officer (主任/副主任: assigns cases).
    pub mediators: Vec<(MemberId, bool)>,
}

impl CommitteeFacts {
    pub fn is_mediator(&self, member: &MemberId) -> bool {
        self.mediators.iter().any(|(m, _)| m == member)
    }

    pub fn is_officer(&self, member: &MemberId) -> bool {
        self.mediators
            .iter()
            .any(|(m, officer)| m == member && *officer)
    }
}

/// What another decider may know of a dispute (an issue turned into one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisputeFacts {
    pub from_issue: Option<crate::IssueId>,
}

/// A private text and the random nonce that makes its commitment unguessable
/// (a short claim such as "赔偿 500 元" must not be found by hashing guesses).
/// The nonce is drawn outside the domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    /// 32 lower-case hex digits.
    pub nonce: String,
    pub text: String,
}

impl Sealed {
    /// Checks the text (1 to `max` characters, as multi-line text) and the nonce.
    pub fn new(
        nonce: &str,
        text: &str,
        field: &'static str,
        max: usize,
    ) -> Result<Sealed, DomainError> {
        if nonce.len() != 32
            || !nonce
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            // The caller's bug (nonces are drawn by the app), not the user's input.
            return Err(DomainError::validation("nonce", Refusal::BAD_NONCE));
        }
        Ok(Sealed {
            nonce: nonce.to_owned(),
            text: checked_multiline(field, text, max)?,
        })
    }

    /// SHA-256 of the canonical `{"nonce", "text"}`: what the log carries.
    pub fn commitment(&self) -> ContentHash {
        ContentHash::of_canonical(&json!({"nonce": self.nonce, "text": self.text}))
    }
}
