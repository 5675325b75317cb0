//! Residents' issues and petitions (stream `issue/<id>`): raise, edit as versions,
//! co-sign and withdraw, and the threshold that puts an issue on a council's docket.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{
    Aggregate, ContentHash, Context, CouncilId, Directory, DomainError, Event, IssueId,
    JurisdictionId, MemberId, MemberKind, checked_text,
};

/// The fixed, translatable list of what an issue is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Water,
    Drainage,
    Roads,
    Greening,
    Sanitation,
    Safety,
    NeighbourDispute,
    Employment,
    ElderlyCare,
    Other,
}

/// How the issue reached us.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The resident raised it themself.
    Online,
    Visit,
    Phone,
    Wechat,
    /// A paper form; its photo must be attached.
    Paper,
}

/// Most photos one issue carries.
pub const MAX_PHOTOS: usize = 5;

/// One version of what the issue says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueText {
    pub title: String,
    pub description: String,
    /// Where, in the raiser's words (may be empty).
    pub place: String,
}

impl IssueText {
    pub fn new(title: &str, description: &str, place: &str) -> Result<IssueText, DomainError> {
        let place = match place.trim() {
            "" => String::new(),
            p => checked_text("place", p, 200)?,
        };
        Ok(IssueText {
            title: checked_text("title", title, 100)?,
            description: checked_text("description", description, 2000)?,
            place,
        })
    }

    /// SHA-256 of this version's canonical JSON: what a co-signature names.
    pub fn hash(&self) -> ContentHash {
        ContentHash::of_canonical(
            &json!({"title": self.title, "description": self.description, "place": self.place}),
        )
    }
}

pub struct Issue;

#[derive(Clone, Debug, Default)]
pub struct IssueState {
    pub raiser: Option<MemberId>,
    pub jurisdiction: Option<JurisdictionId>,
    /// Hashes of every version, first to last.
    pub versions: Vec<ContentHash>,
    /// Who supports the issue, and the version (1-based) they supported.
    pub cosigners: BTreeMap<MemberId, u32>,
    pub docketed_at: Option<CouncilId>,
}

#[derive(Clone, Debug)]
pub enum IssueCommand {
    Raise {
        text: IssueText,
        category: Category,
        /// Defaults to the raiser's home grid.
        jurisdiction: Option<JurisdictionId>,
        /// A grid worker raising for a resident (visit, phone, WeChat, paper).
        on_behalf_of: Option<(MemberId, Channel)>,
        /// SHA-256 of each stored photo.
        photos: Vec<ContentHash>,
    },
    Edit {
        text: IssueText,
    },
    Cosign,
    WithdrawCosignature,
}

fn open(state: &IssueState, id: &IssueId) -> Result<(), DomainError> {
    if state.raiser.is_none() {
        return Err(DomainError::NotFound(format!("issue {id}")));
    }
    Ok(())
}

impl Aggregate for Issue {
    type Id = IssueId;
    type State = IssueState;
    type Command = IssueCommand;
    const STREAM_KIND: &'static str = IssueId::STREAM_KIND;

    fn stream(id: &IssueId) -> String {
        id.stream()
    }

    fn evolve(mut state: IssueState, event: &Event) -> IssueState {
        match event {
            Event::IssueRaised {
                raiser,
                jurisdiction,
                version_hash,
                ..
            } => {
                state.raiser = Some(raiser.clone());
                state.jurisdiction = Some(jurisdiction.clone());
                state.versions = vec![version_hash.clone()];
            }
            Event::IssueEdited { version_hash, .. } => state.versions.push(version_hash.clone()),
            Event::IssueCosigned {
                member, version, ..
            } => {
                state.cosigners.insert(member.clone(), *version);
            }
            Event::CosignatureWithdrawn { member } => {
                state.cosigners.remove(member);
            }
            Event::ThresholdReached { council, .. } => state.docketed_at = Some(council.clone()),
            _ => {}
        }
        state
    }

    fn decide(
        id: &IssueId,
        state: &IssueState,
        command: IssueCommand,
        context: &Context,
        directory: &dyn Directory,
    ) -> Result<Vec<Event>, DomainError> {
        let actor = &context.actor;
        let me = actor.signed_in()?.clone();
        match command {
            IssueCommand::Raise {
                text,
                category,
                jurisdiction,
                on_behalf_of,
                photos,
            } => {
                if state.raiser.is_some() {
                    return Err(DomainError::conflict(format!("issue {id} exists")));
                }
                if photos.len() > MAX_PHOTOS {
                    return Err(DomainError::validation(
                        "photos",
                        format!("at most {MAX_PHOTOS} photos"),
                    ));
                }
                let (raiser, channel, on_behalf_by) = match on_behalf_of {
                    None => (me.clone(), Channel::Online, None),
                    Some((_, Channel::Online)) => {
                        return Err(DomainError::validation(
                            "channel",
                            "an issue raised for someone came by visit, phone, WeChat or paper",
                        ));
                    }
                    Some((resident, channel)) => (resident, channel, Some(me.clone())),
                };
                if channel == Channel::Paper && photos.is_empty() {
                    return Err(DomainError::validation(
                        "photos",
                        "attach the photo of the paper form",
                    ));
                }
                let raiser_facts = directory
                    .member(&raiser)
                    .filter(|m| !m.erased)
                    .ok_or_else(|| DomainError::NotFound(format!("member {raiser}")))?;
                let home = match (&raiser_facts.kind, &raiser_facts.home_grid) {
                    (MemberKind::Resident, Some(home)) => home.clone(),
                    _ => {
                        return Err(DomainError::forbidden(
                            "issues are raised by residents (staff raise them on a resident's behalf)",
                        ));
                    }
                };
                if on_behalf_by.is_some()
                    && !actor.serves(directory, &home)
                    && !actor.is_administrator()
                {
                    return Err(DomainError::forbidden(
                        "only a grid worker serving the resident's grid may raise on their behalf",
                    ));
                }
                let jurisdiction = jurisdiction.unwrap_or_else(|| home.clone());
                if directory.jurisdiction(&jurisdiction).is_none() {
                    return Err(DomainError::NotFound(format!(
                        "jurisdiction {jurisdiction}"
                    )));
                }
                // A resident speaks for the places they live in: their grid and above.
                if !directory.is_within(&home, &jurisdiction) {
                    return Err(DomainError::validation(
                        "jurisdiction",
                        "outside the raiser's reach: choose their grid or a place above it",
                    ));
                }
                let version_hash = text.hash();
                Ok(vec![Event::IssueRaised {
                    raiser,
                    on_behalf_by,
                    channel,
                    category,
                    jurisdiction,
                    title: text.title,
                    description: text.description,
                    place: text.place,
                    photos,
                    version_hash,
                }])
            }
            IssueCommand::Edit { text } => {
                open(state, id)?;
                if state.raiser.as_ref() != Some(&me) {
                    return Err(DomainError::forbidden("only the raiser may edit the issue"));
                }
                let version_hash = text.hash();
                if state.versions.last() == Some(&version_hash) {
                    return Err(DomainError::conflict("the text is unchanged"));
                }
                Ok(vec![Event::IssueEdited {
                    version: state.versions.len() as u32 + 1,
                    title: text.title,
                    description: text.description,
                    place: text.place,
                    version_hash,
                }])
            }
            IssueCommand::Cosign => {
                open(state, id)?;
                let jurisdiction = state
                    .jurisdiction
                    .as_ref()
                    .ok_or_else(|| DomainError::NotFound(format!("issue {id}")))?;
                let eligible = actor.kind == Some(MemberKind::Resident)
                    && actor.verified
                    && actor
                        .home_grid
                        .as_ref()
                        .is_some_and(|home| directory.is_within(home, jurisdiction));
                if !eligible {
                    return Err(DomainError::forbidden(
                        "only verified residents living within the issue's area may co-sign",
                    ));
                }
                if state.cosigners.contains_key(&me) {
                    return Err(DomainError::conflict("you already co-signed this issue"));
                }
                let version = state.versions.len() as u32;
                let version_hash = state
                    .versions
                    .last()
                    .cloned()
                    .ok_or_else(|| DomainError::NotFound(format!("issue {id}")))?;
                let mut events = vec![Event::IssueCosigned {
                    member: me,
                    version,
                    version_hash,
                }];
                if state.docketed_at.is_none()
                    && let Some(council) = directory.responsible_council(jurisdiction)
                {
                    let cosigners = state.cosigners.len() as u32 + 1;
                    if cosigners >= council.rules.cosign_threshold {
                        events.push(Event::ThresholdReached {
                            council: council.id,
                            rules_hash: council.rules_hash,
                            cosigners,
                        });
                    }
                }
                Ok(events)
            }
            IssueCommand::WithdrawCosignature => {
                open(state, id)?;
                if !state.cosigners.contains_key(&me) {
                    return Err(DomainError::conflict("you have not co-signed this issue"));
                }
                Ok(vec![Event::CosignatureWithdrawn { member: me }])
            }
        }
    }
}
