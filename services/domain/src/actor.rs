//! Who is acting, with which roles, and what the rest of the world looks like to a
//! decider. Authorization is decided here, in the domain, from these facts alone.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use roundtable_ledger::Timestamp;

use crate::mediation::{CommitteeFacts, DisputeFacts};
use crate::{
    Buildings, Channel, CommitteeId, CouncilId, CouncilRules, DisputeId, DomainError, IssueFacts,
    IssueId, JurisdictionId, MeetingFacts, MeetingId, MemberId, Refusal, ResolutionFacts,
    ResolutionId, RulesHash,
};

/// The levels of the grid, top down. Villages are communities.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JurisdictionKind {
    City,
    District,
    Street,
    Community,
    Grid,
}

impl JurisdictionKind {
    /// The kind a child of this node must have (a grid has none).
    pub fn child(self) -> Option<JurisdictionKind> {
        match self {
            JurisdictionKind::City => Some(JurisdictionKind::District),
            JurisdictionKind::District => Some(JurisdictionKind::Street),
            JurisdictionKind::Street => Some(JurisdictionKind::Community),
            JurisdictionKind::Community => Some(JurisdictionKind::Grid),
            JurisdictionKind::Grid => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberKind {
    /// Registered themself; must be verified before co-signing or voting.
    Resident,
    /// Invited by an administrator.
    Staff,
}

/// A role granted on a member's stream.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "RoleWire")]
pub enum Role {
    /// Serves a jurisdiction and everything below it.
    GridWorker {
        jurisdiction: JurisdictionId,
    },
    /// Reads everything, changes nothing.
    Auditor,
    Administrator,
}

/// A role as a leaf writes it. Read through this so that a unit role carrying
/// anything but its `kind` is refused, as the schemas do (serde would ignore it).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleWire {
    kind: String,
    #[serde(default, deserialize_with = "crate::event::present")]
    jurisdiction: Option<JurisdictionId>,
}

impl TryFrom<RoleWire> for Role {
    type Error = String;

    fn try_from(wire: RoleWire) -> Result<Role, String> {
        match (wire.kind.as_str(), wire.jurisdiction) {
            ("grid_worker", Some(jurisdiction)) => Ok(Role::GridWorker { jurisdiction }),
            ("auditor", None) => Ok(Role::Auditor),
            ("administrator", None) => Ok(Role::Administrator),
            (kind, jurisdiction) => Err(format!(
                "no role {kind:?} with jurisdiction {jurisdiction:?}"
            )),
        }
    }
}

impl Role {
    pub fn name(&self) -> &'static str {
        match self {
            Role::GridWorker { .. } => "grid_worker",
            Role::Auditor => "auditor",
            Role::Administrator => "administrator",
        }
    }
}

/// A seat at a council's table (committee membership).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Seat {
    Chair,
    Secretary,
    Member,
    Observer,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CouncilSeat {
    pub council: CouncilId,
    pub seat: Seat,
    pub voting: bool,
}

/// How much of the public API a caller may use at once and what they may read of
/// other people: strangers (anonymous, or registered but not yet verified by a grid
/// worker), verified residents, and staff (staff accounts, role holders, seats).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CallerClass {
    Public,
    Resident,
    Staff,
}

/// How a resident appears on an issue: as the one who raised it, or as anyone
/// else who acted on it (co-signers, raters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Appearance {
    Raiser,
    Supporter,
}

/// The authenticated (or anonymous) caller of a command, as the read models know them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Actor {
    /// `None`: not signed in.
    pub member: Option<MemberId>,
    pub kind: Option<MemberKind>,
    pub verified: bool,
    pub home_grid: Option<JurisdictionId>,
    pub roles: Vec<Role>,
    pub seats: Vec<CouncilSeat>,
    /// The mediation committees the member mediates for.
    pub mediator_of: Vec<MediatorSeat>,
}

/// A mediator's place on a mediation committee.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediatorSeat {
    pub committee: CommitteeId,
    /// Officers (主任, 副主任) assign cases and read their content.
    pub officer: bool,
}

impl Actor {
    pub fn anonymous() -> Actor {
        Actor::default()
    }

    /// The signed-in member, or `Unauthenticated`.
    pub fn signed_in(&self) -> Result<&MemberId, DomainError> {
        self.member.as_ref().ok_or(DomainError::Unauthenticated)
    }

    /// Which class of caller this is (see [`CallerClass`]).
    pub fn caller_class(&self) -> CallerClass {
        if self.member.is_none() {
            CallerClass::Public
        } else if self.kind == Some(MemberKind::Staff)
            || !self.roles.is_empty()
            || !self.seats.is_empty()
            || !self.mediator_of.is_empty()
        {
            CallerClass::Staff
        } else if self.verified {
            CallerClass::Resident
        } else {
            CallerClass::Public
        }
    }

    /// The privacy rule (docs/SECURITY.md): whether this caller may see *who* a
    /// resident is (id and name) where they appear on an issue at `place`.
    /// Office holders are public and are not asked about. Everyone sees
    /// themself; a raiser is seen by verified residents and staff; a supporter
    /// only by staff of the place (its grid workers, administrators, and seats of
    /// a council at or above it). Others see counts and a pseudonym.
    pub fn sees_who(
        &self,
        subject: &MemberId,
        appearance: Appearance,
        place: &JurisdictionId,
        directory: &dyn Directory,
    ) -> bool {
        if self.member.as_ref() == Some(subject) {
            return true;
        }
        let staff_of_place = self.is_administrator()
            || self.serves(directory, place)
            || self.seats.iter().any(|seat| {
                directory
                    .council(&seat.council)
                    .is_some_and(|c| directory.is_within(place, &c.jurisdiction))
            });
        match appearance {
            Appearance::Raiser => staff_of_place || self.caller_class() >= CallerClass::Resident,
            Appearance::Supporter => staff_of_place,
        }
    }

    /// Refuses strangers: signed in, and verified or staff. Uploads and other
    /// things that cost the server (or the log) for good need it.
    pub fn require_trusted(&self, what: &str) -> Result<(), DomainError> {
        self.signed_in()?;
        match self.caller_class() {
            CallerClass::Public => {
                Err(DomainError::forbidden(Refusal::VERIFY_FIRST).with("action", what))
            }
            _ => Ok(()),
        }
    }

    pub fn is_administrator(&self) -> bool {
        self.member.is_some() && self.roles.contains(&Role::Administrator)
    }

    pub fn is_auditor(&self) -> bool {
        self.member.is_some() && self.roles.contains(&Role::Auditor)
    }

    /// Refuses anyone who is not an administrator.
    pub fn require_administrator(&self, what: &str) -> Result<(), DomainError> {
        self.signed_in()?;
        if self.is_administrator() {
            Ok(())
        } else {
            Err(DomainError::forbidden(Refusal::ONLY_ADMINISTRATOR).with("action", what))
        }
    }

    /// A grid worker whose scope contains `jurisdiction`.
    pub fn serves(&self, directory: &dyn Directory, jurisdiction: &JurisdictionId) -> bool {
        self.member.is_some()
            && self.roles.iter().any(|role| match role {
                Role::GridWorker {
                    jurisdiction: scope,
                } => directory.is_within(jurisdiction, scope),
                _ => false,
            })
    }

    /// Whether the actor may ask, for `applicant`, for something at `jurisdiction`
    /// by `channel` (mediation, a service): a verified resident for themselves
    /// online in their own area, a grid worker of the place for a resident by
    /// another channel (returned as who took it down). The issue page asks this
    /// before offering to turn an issue into a case.
    pub fn acting_for(
        &self,
        directory: &dyn Directory,
        applicant: &MemberId,
        jurisdiction: &JurisdictionId,
        channel: Channel,
        action: &str,
    ) -> Result<Option<MemberId>, DomainError> {
        let actor = self;
        let me = actor.signed_in()?;
        directory.existing_jurisdiction(jurisdiction)?;
        let applicant_facts = directory.live_member(applicant)?;
        Ok(if me == applicant {
            if channel != Channel::Online {
                return Err(DomainError::validation(
                    "channel",
                    Refusal::CHANNEL_ONLINE_FOR_SELF,
                ));
            }
            if !actor.verified {
                return Err(DomainError::forbidden(Refusal::VERIFY_FIRST).with("action", action));
            }
            let home = applicant_facts.home_grid.as_ref().ok_or_else(|| {
                DomainError::validation("jurisdiction", Refusal::OUTSIDE_RAISER_REACH)
            })?;
            if !directory.is_within(home, jurisdiction) {
                return Err(DomainError::validation(
                    "jurisdiction",
                    Refusal::OUTSIDE_RAISER_REACH,
                ));
            }
            None
        } else {
            if !actor.serves(directory, jurisdiction) {
                return Err(DomainError::forbidden(Refusal::ONLY_GRID_WORKER_RAISES_FOR));
            }
            if channel == Channel::Online {
                return Err(DomainError::validation(
                    "channel",
                    Refusal::CHANNEL_FOR_OTHERS,
                ));
            }
            Some(me.clone())
        })
    }

    pub fn seat_in(&self, council: &CouncilId) -> Option<&CouncilSeat> {
        self.member.as_ref()?;
        self.seats.iter().find(|s| &s.council == council)
    }

    /// A mediator of `committee`.
    pub fn mediates_for(&self, committee: &CommitteeId) -> bool {
        self.member.is_some() && self.mediator_of.iter().any(|m| &m.committee == committee)
    }

    /// An officer of `committee`.
    pub fn officer_of(&self, committee: &CommitteeId) -> bool {
        self.member.is_some()
            && self
                .mediator_of
                .iter()
                .any(|m| &m.committee == committee && m.officer)
    }

    pub fn chairs(&self, council: &CouncilId) -> bool {
        self.seat_in(council).is_some_and(|s| s.seat == Seat::Chair)
    }

    /// The most significant role, for the envelope's `actor.role`.
    pub fn primary_role(&self) -> &'static str {
        if self.member.is_none() {
            "anonymous"
        } else if self.is_administrator() {
            "administrator"
        } else if let Some(role) = self.roles.iter().find(|r| !matches!(r, Role::Auditor)) {
            role.name()
        } else if !self.seats.is_empty() {
            "committee_member"
        } else if !self.mediator_of.is_empty() {
            "mediator"
        } else if self.is_auditor() {
            "auditor"
        } else if self.kind == Some(MemberKind::Staff) {
            "staff"
        } else if self.verified {
            "resident"
        } else {
            "unverified_resident"
        }
    }

    /// The `actor` object of the leaf envelope: a pseudonymous id and a role, nothing personal.
    pub fn envelope(&self) -> Value {
        match &self.member {
            Some(id) => json!({"id": id.as_str(), "role": self.primary_role()}),
            None => json!({"id": "anonymous", "role": "anonymous"}),
        }
    }
}

/// The time and the actor a command is decided with (both come from outside).
#[derive(Clone, Debug)]
pub struct Context {
    pub actor: Actor,
    pub now: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JurisdictionFacts {
    pub kind: JurisdictionKind,
    pub parent: Option<JurisdictionId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberFacts {
    pub kind: MemberKind,
    pub home_grid: Option<JurisdictionId>,
    pub verified: bool,
    pub erased: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CouncilFacts {
    pub id: CouncilId,
    pub jurisdiction: JurisdictionId,
    /// The rules in force now, and their hash.
    pub rules: CouncilRules,
    pub rules_hash: RulesHash,
}

/// What a decider may know about other aggregates: a read-only view the caller
/// supplies (the read models in production, a fixture in tests).
pub trait Directory {
    fn jurisdiction(&self, id: &JurisdictionId) -> Option<JurisdictionFacts>;
    /// Whether anything refers to the node: children, residents, councils, grid workers.
    fn jurisdiction_in_use(&self, id: &JurisdictionId) -> bool;
    fn member(&self, id: &MemberId) -> Option<MemberFacts>;
    fn council(&self, id: &CouncilId) -> Option<CouncilFacts>;
    fn has_administrator(&self) -> bool;
    /// Councils sitting at exactly this node.
    fn councils_at(&self, jurisdiction: &JurisdictionId) -> Vec<CouncilFacts>;
    /// The buildings of a grid (none for other nodes, and where none were set).
    fn buildings(&self, _grid: &JurisdictionId) -> Buildings {
        Buildings::default()
    }
    /// Another issue, for merges. Directories that hold no issues know none.
    fn issue(&self, _id: &IssueId) -> Option<IssueFacts> {
        None
    }
    /// A council's seats: member, seat, voting. Directories without seats know none.
    fn council_seats(&self, _id: &CouncilId) -> Vec<(MemberId, Seat, bool)> {
        Vec::new()
    }
    /// A meeting, for recording its resolutions.
    fn meeting(&self, _id: &MeetingId) -> Option<MeetingFacts> {
        None
    }
    /// A resolution, for the issues it answers.
    fn resolution(&self, _id: &ResolutionId) -> Option<ResolutionFacts> {
        None
    }
    /// A mediation committee. Directories without committees know none.
    fn committee(&self, _id: &CommitteeId) -> Option<CommitteeFacts> {
        None
    }
    /// Mediation committees sitting at exactly this node.
    fn committees_at(&self, _jurisdiction: &JurisdictionId) -> Vec<CommitteeFacts> {
        Vec::new()
    }
    /// A dispute case, for the issue it was turned from.
    fn dispute(&self, _id: &DisputeId) -> Option<DisputeFacts> {
        None
    }
    /// A service of a catalogue. Directories without a catalogue know none.
    fn service(&self, _id: &crate::ServiceId) -> Option<crate::ServiceFacts> {
        None
    }
    /// The working-day calendars in force now (none: Monday to Friday).
    fn calendar(&self) -> crate::WorkCalendar {
        crate::WorkCalendar::default()
    }

    /// The committee that mediates a dispute of `kind` at `place`: the nearest at
    /// or above it of the kind's specialist kind, else the nearest people's
    /// mediation committee (the first by id when a node has several).
    fn committee_for(
        &self,
        kind: crate::DisputeKind,
        place: &JurisdictionId,
    ) -> Option<CommitteeFacts> {
        let line = self.lineage(place);
        nearest_committee(self, &line, kind.specialist())
            .or_else(|| nearest_committee(self, &line, crate::CommitteeKind::Peoples))
    }

    /// Where a hard case goes from `committee`: the nearest committee above its node
    /// of the same kind, else the nearest people's mediation committee above it.
    fn committee_above(&self, committee: &CommitteeFacts) -> Option<CommitteeFacts> {
        let above: Vec<JurisdictionId> = self
            .lineage(&committee.jurisdiction)
            .into_iter()
            .skip(1)
            .collect();
        nearest_committee(self, &above, committee.kind)
            .or_else(|| nearest_committee(self, &above, crate::CommitteeKind::Peoples))
    }

    /// The node, or `JURISDICTION_NOT_FOUND`.
    fn existing_jurisdiction(&self, id: &JurisdictionId) -> Result<JurisdictionFacts, DomainError> {
        self.jurisdiction(id).ok_or_else(|| {
            DomainError::not_found(Refusal::JURISDICTION_NOT_FOUND).with("jurisdiction", id)
        })
    }

    /// The member, or `MEMBER_NOT_FOUND` / `MEMBER_ERASED`.
    fn live_member(&self, id: &MemberId) -> Result<MemberFacts, DomainError> {
        match self.member(id) {
            None => Err(DomainError::not_found(Refusal::MEMBER_NOT_FOUND).with("member", id)),
            Some(f) if f.erased => {
                Err(DomainError::not_found(Refusal::MEMBER_ERASED).with("member", id))
            }
            Some(f) => Ok(f),
        }
    }

    /// The node and its ancestors, nearest first. The tree is acyclic by
    /// construction (moves into one's own subtree are refused); the bound only
    /// guards against a corrupt read model.
    fn lineage(&self, node: &JurisdictionId) -> Vec<JurisdictionId> {
        let mut chain = vec![node.clone()];
        while chain.len() < 64 {
            match chain.last().and_then(|id| self.jurisdiction(id)?.parent) {
                Some(parent) => chain.push(parent),
                None => break,
            }
        }
        chain
    }

    /// The council responsible for a node: the one at the nearest node at or above
    /// it (the first by id when a node has several).
    fn responsible_council(&self, jurisdiction: &JurisdictionId) -> Option<CouncilFacts> {
        self.lineage(jurisdiction).iter().find_map(|id| {
            let mut here = self.councils_at(id);
            here.sort_by(|a, b| a.id.cmp(&b.id));
            here.into_iter().next()
        })
    }

    /// Whether `node` is `ancestor` or lies below it.
    fn is_within(&self, node: &JurisdictionId, ancestor: &JurisdictionId) -> bool {
        self.lineage(node).contains(ancestor)
    }
}

/// The first committee of `kind` along `nodes` (nearest first; the first by id when
/// a node has several).
fn nearest_committee<D: Directory + ?Sized>(
    directory: &D,
    nodes: &[JurisdictionId],
    kind: crate::CommitteeKind,
) -> Option<CommitteeFacts> {
    nodes.iter().find_map(|id| {
        directory
            .committees_at(id)
            .into_iter()
            .filter(|c| c.kind == kind)
            .min_by(|a, b| a.id.cmp(&b.id))
    })
}
