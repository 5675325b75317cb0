//! Identifiers of aggregates. They are pseudonymous (no personal data), minted
//! outside the domain (randomness is I/O) and checked here.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{DomainError, Refusal};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $stream:literal, $field:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The prefix every id of this kind starts with.
            pub const PREFIX: &'static str = $prefix;
            /// The aggregate kind, first half of the stream name.
            pub const STREAM_KIND: &'static str = $stream;

            pub fn parse(s: &str) -> Result<$name, DomainError> {
                let rest = s.strip_prefix($prefix).unwrap_or("");
                let ok = (1..=64).contains(&rest.len())
                    && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                if ok {
                    Ok($name(s.to_owned()))
                } else {
                    Err(DomainError::validation($field, Refusal::BAD_ID)
                        .with("value", format!("{s:?}"))
                        .with("kind", $stream))
                }
            }

            /// An id from an already unique suffix (e.g. a UUID's hex), minted by the caller.
            pub fn from_unique(suffix: &str) -> Result<$name, DomainError> {
                $name::parse(&format!("{}{}", $prefix, suffix))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The stream that holds this aggregate's events.
            pub fn stream(&self) -> String {
                format!("{}/{}", $stream, self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = DomainError;
            fn try_from(s: String) -> Result<$name, DomainError> {
                $name::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A person (resident or staff). Stream `member/<id>`.
    MemberId, "m_", "member", "member"
);
id_type!(
    /// A node of the grid tree. Stream `jurisdiction/<id>`.
    JurisdictionId, "j_", "jurisdiction", "jurisdiction"
);
id_type!(
    /// A round-table body. Stream `council/<id>`.
    CouncilId, "c_", "council", "council"
);

id_type!(
    /// An issue or petition raised by a resident. Stream `issue/<id>`.
    IssueId, "i_", "issue", "issue"
);

id_type!(
    /// A round-table meeting: agenda, roll call, motions, votes, minutes. Stream `meeting/<id>`.
    MeetingId, "mt_", "meeting", "meeting"
);

id_type!(
    /// What an adopted motion became, and its follow-up. Stream `resolution/<id>`.
    ResolutionId, "r_", "resolution", "resolution"
);

id_type!(
    /// A mediation committee (people's mediation committee or a specialised one).
    /// Stream `committee/<id>`.
    CommitteeId, "mc_", "committee", "committee"
);

id_type!(
    /// A dispute brought to mediation. Stream `dispute/<id>`.
    DisputeId, "d_", "dispute", "dispute"
);

id_type!(
    /// One year's official working-day calendar. Stream `calendar/cal_<year>`.
    CalendarId, "cal_", "calendar", "calendar"
);

id_type!(
    /// One service of a jurisdiction's catalogue (居住证明, 低保申请…). Stream `service/<id>`.
    ServiceId, "sv_", "service", "service"
);

id_type!(
    /// A resident's request for a service. Stream `service_request/<id>`.
    ServiceRequestId, "sr_", "service_request", "request"
);

impl CalendarId {
    /// The calendar of `year`: its id is the year itself.
    pub fn for_year(year: u16) -> Option<CalendarId> {
        CalendarId::parse(&format!("cal_{year}")).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_need_their_prefix_and_a_safe_suffix() {
        assert!(MemberId::parse("m_0a1b").is_ok());
        assert!(MemberId::parse("j_0a1b").is_err());
        assert!(MemberId::parse("m_").is_err());
        assert!(MemberId::parse("m_a/b").is_err());
        assert!(MemberId::parse("m_grid_worker-1").is_ok());
        assert!(MemberId::parse(&format!("m_{}", "a".repeat(65))).is_err());
        assert_eq!(CouncilId::parse("c_x").unwrap().stream(), "council/c_x");
    }
}
