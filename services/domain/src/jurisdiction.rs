//! The grid tree: city > district > street > community > grid.

use crate::JurisdictionEvent;
use crate::aggregate::{Decided, Deciding};
use crate::{
    Buildings, Directory, DomainError, JurisdictionFacts, JurisdictionId, JurisdictionKind, Name,
    Refusal,
};

pub struct Jurisdiction;

#[derive(Clone, Debug, Default)]
pub struct JurisdictionState {
    pub created: Option<(JurisdictionKind, Option<JurisdictionId>)>,
    pub name: Option<Name>,
    pub buildings: Buildings,
}

#[derive(Clone, Debug)]
pub enum JurisdictionCommand {
    Create {
        kind: JurisdictionKind,
        name: Name,
        parent: Option<JurisdictionId>,
    },
    Rename {
        name: Name,
    },
    Move {
        parent: JurisdictionId,
    },
    /// The buildings and units of a grid, replacing the list before.
    SetBuildings {
        buildings: Buildings,
    },
}

/// Checks that a `kind` node may hang under `parent` (only a city has no parent).
fn check_placement(
    kind: JurisdictionKind,
    parent: Option<&JurisdictionId>,
    directory: &dyn Directory,
) -> Result<(), DomainError> {
    match parent {
        None if kind == JurisdictionKind::City => Ok(()),
        None => Err(DomainError::validation("parent", Refusal::ROOT_NOT_CITY)),
        Some(parent_id) => {
            let parent = directory.jurisdiction(parent_id).ok_or_else(|| {
                DomainError::not_found(Refusal::JURISDICTION_NOT_FOUND)
                    .with("jurisdiction", parent_id)
            })?;
            if parent.kind.child() == Some(kind) {
                Ok(())
            } else {
                Err(DomainError::validation("parent", Refusal::BAD_PLACEMENT)
                    .with_state("kind", kind)
                    .with_state("parent", parent.kind))
            }
        }
    }
}

crate::aggregate::aggregate!(Jurisdiction: JurisdictionId, JurisdictionState, JurisdictionCommand, JurisdictionEvent);

fn evolve(mut state: JurisdictionState, event: &JurisdictionEvent) -> JurisdictionState {
    match event {
        JurisdictionEvent::JurisdictionCreated { kind, name, parent } => {
            state.created = Some((*kind, parent.clone()));
            state.name = Some(name.clone());
        }
        JurisdictionEvent::JurisdictionRenamed { name } => state.name = Some(name.clone()),
        JurisdictionEvent::JurisdictionMoved { parent } => {
            if let Some((_, p)) = state.created.as_mut() {
                *p = Some(parent.clone());
            }
        }
        JurisdictionEvent::BuildingsSet { buildings } => state.buildings = buildings.clone(),
    }
    state
}

fn decide(cx: &Deciding<'_, Jurisdiction>, command: JurisdictionCommand) -> Decided<Jurisdiction> {
    let (id, state, actor, _now, directory) = cx.parts();
    match command {
        JurisdictionCommand::Create { kind, name, parent } => {
            actor.require_administrator("create a jurisdiction")?;
            if state.created.is_some() {
                return Err(DomainError::conflict(Refusal::ALREADY_EXISTS).with("id", id));
            }
            check_placement(kind, parent.as_ref(), directory)?;
            Ok(vec![JurisdictionEvent::JurisdictionCreated {
                kind,
                name,
                parent,
            }])
        }
        JurisdictionCommand::Rename { name } => {
            actor.require_administrator("rename a jurisdiction")?;
            if state.created.is_none() {
                return Err(DomainError::not_found(Refusal::JURISDICTION_NOT_FOUND)
                    .with("jurisdiction", id));
            }
            if state.name.as_ref() == Some(&name) {
                return Err(DomainError::conflict(Refusal::UNCHANGED));
            }
            Ok(vec![JurisdictionEvent::JurisdictionRenamed { name }])
        }
        JurisdictionCommand::Move { parent } => {
            actor.require_administrator("move a jurisdiction")?;
            let Some((kind, current)) = &state.created else {
                return Err(DomainError::not_found(Refusal::JURISDICTION_NOT_FOUND)
                    .with("jurisdiction", id));
            };
            if current.as_ref() == Some(&parent) {
                return Err(DomainError::conflict(Refusal::JURISDICTION_ALREADY_THERE));
            }
            if directory.is_within(&parent, id) {
                return Err(DomainError::validation("parent", Refusal::UNDER_ITSELF));
            }
            // Residents, councils, workers and children point at this node; moving
            // it would silently change what they belong to.
            if directory.jurisdiction_in_use(id) {
                return Err(DomainError::conflict(Refusal::JURISDICTION_IN_USE));
            }
            check_placement(*kind, Some(&parent), directory)?;
            Ok(vec![JurisdictionEvent::JurisdictionMoved { parent }])
        }
        JurisdictionCommand::SetBuildings { buildings } => {
            let Some((kind, _)) = &state.created else {
                return Err(DomainError::not_found(Refusal::JURISDICTION_NOT_FOUND)
                    .with("jurisdiction", id));
            };
            // The grid worker knows the grid's buildings; an administrator may set them too.
            actor.signed_in()?;
            if !actor.serves(directory, id) && !actor.is_administrator() {
                return Err(DomainError::forbidden(Refusal::ONLY_STAFF_OF_PLACE));
            }
            if *kind != JurisdictionKind::Grid {
                return Err(DomainError::validation(
                    "jurisdiction",
                    Refusal::PLACES_ON_GRIDS_ONLY,
                ));
            }
            if state.buildings == buildings {
                return Err(DomainError::conflict(Refusal::UNCHANGED));
            }
            Ok(vec![JurisdictionEvent::BuildingsSet { buildings }])
        }
    }
}

impl JurisdictionFacts {
    /// What deciders may know of a node in `state` (none before it is created).
    pub fn of(state: &JurisdictionState) -> Option<JurisdictionFacts> {
        let (kind, parent) = state.created.clone()?;
        Some(JurisdictionFacts { kind, parent })
    }
}
