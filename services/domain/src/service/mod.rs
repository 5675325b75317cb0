//! "At most one trip" (最多跑一次): a jurisdiction's service catalogue
//! (`service/sv_…`: what it offers, the documents to bring, where to go and when,
//! the limit in working days, the body responsible; versioned and hashed like
//! council rules) and residents' requests for those services
//! (`service_request/sr_…`: documents checked, each list of missing documents one
//! more trip, a clock in working days on the official calendar, done or refused,
//! rated). The figures the pilot is judged by are [`ServiceTally`]'s, one fold for
//! the dashboard and `audit verify`.

mod catalogue;
mod request;
mod stats;

use serde::{Deserialize, Serialize};

use crate::{
    ContentHash, Directory, DomainError, JurisdictionId, Name, Refusal, ServiceId,
    checked_multiline,
};

pub use catalogue::{Service, ServiceCommand, ServiceState};
pub use request::{
    MAX_MISSING, MAX_MISSING_LISTS, OpenRequest, RequestStatus, ServiceRequest,
    ServiceRequestCommand, ServiceRequestState,
};
pub use stats::{Misdated, RequestRecord, ServiceFigures, ServiceTally};

/// Most documents one service asks for.
pub const MAX_DOCUMENTS: usize = 30;
/// Most search words one service lists.
pub const MAX_KEYWORDS: usize = 20;
/// A service's description, in characters.
pub const MAX_SERVICE_DESCRIPTION: usize = 1000;

/// One version of a catalogue entry: what a resident needs to know before going.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// 居住证明, 低保申请, 老年优待证…
    pub name: Name,
    /// What it is for and who may ask, in plain words.
    pub description: String,
    /// Other words residents use for it (老年证 for 老年优待证), for the search.
    pub keywords: Vec<Name>,
    /// The documents to bring, each once.
    pub documents: Vec<Name>,
    /// The service point: the node of the grid tree whose counter handles it.
    pub point: JurisdictionId,
    /// Where at the point (银网社区党群服务中心一楼 2 号窗口).
    pub counter: Name,
    /// When it is open (周一至周五 8:30–11:30, 13:30–17:00).
    pub hours: Name,
    /// Done within this many working days of the documents' arrival.
    pub limit_working_days: u32,
    /// The body that answers for it (红旗街道民政办).
    pub responsible: Name,
}

impl ServiceSpec {
    /// Checks the spec for a catalogue of `jurisdiction`: some documents, each
    /// once; a limit of 1 to 250 working days; a service point in its subtree.
    pub fn checked(
        mut self,
        jurisdiction: &JurisdictionId,
        directory: &dyn Directory,
    ) -> Result<ServiceSpec, DomainError> {
        self.description =
            checked_multiline("description", &self.description, MAX_SERVICE_DESCRIPTION)?;
        if self.documents.is_empty() || self.documents.len() > MAX_DOCUMENTS {
            return Err(DomainError::validation("documents", Refusal::OUT_OF_RANGE)
                .with("min", 1)
                .with("max", MAX_DOCUMENTS)
                .with("got", self.documents.len()));
        }
        if self.keywords.len() > MAX_KEYWORDS {
            return Err(DomainError::validation("keywords", Refusal::OUT_OF_RANGE)
                .with("min", 0)
                .with("max", MAX_KEYWORDS)
                .with("got", self.keywords.len()));
        }
        for (n, doc) in self.documents.iter().enumerate() {
            if self.documents[..n].contains(doc) {
                return Err(
                    DomainError::validation("documents", Refusal::DOCUMENT_TWICE)
                        .with("document", doc),
                );
            }
        }
        if !(1..=crate::MAX_WORKING_DAYS).contains(&self.limit_working_days) {
            return Err(
                DomainError::validation("limitWorkingDays", Refusal::OUT_OF_RANGE)
                    .with("min", 1)
                    .with("max", crate::MAX_WORKING_DAYS)
                    .with("got", self.limit_working_days),
            );
        }
        directory.existing_jurisdiction(&self.point)?;
        if !directory.is_within(&self.point, jurisdiction) {
            return Err(
                DomainError::validation("point", Refusal::POINT_OUTSIDE_CATALOGUE)
                    .with("point", &self.point)
                    .with("jurisdiction", jurisdiction),
            );
        }
        Ok(self)
    }

    /// SHA-256 of the spec's canonical JSON (what requests cite).
    pub fn hash(&self) -> ContentHash {
        // Names and short texts: always encodable.
        ContentHash::of_canonical(&serde_json::to_value(self).unwrap_or_default())
    }
}

/// What deciders may know of a catalogue entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceFacts {
    pub id: ServiceId,
    /// Offered to residents of this node's subtree.
    pub jurisdiction: JurisdictionId,
    pub spec: ServiceSpec,
    pub spec_hash: ContentHash,
    pub version: u32,
    pub withdrawn: bool,
}
