//! A catalogue entry: published by the staff of a jurisdiction, revised (each
//! version hashed, and cited by the requests made under it), withdrawn.

use super::{ServiceFacts, ServiceSpec};
use crate::aggregate::{Decided, Deciding};
use crate::{
    Actor, ContentHash, Directory, DomainError, JurisdictionId, Reason, Refusal, ServiceEvent,
    ServiceId,
};

pub struct Service;

#[derive(Clone, Debug, Default)]
pub struct ServiceState {
    pub jurisdiction: Option<JurisdictionId>,
    pub spec: Option<(ServiceSpec, ContentHash)>,
    pub version: u32,
    pub withdrawn: bool,
}

impl ServiceState {
    /// What deciders may know of it (`None` before it is published).
    pub fn facts(&self, id: &ServiceId) -> Option<ServiceFacts> {
        let (spec, spec_hash) = self.spec.clone()?;
        Some(ServiceFacts {
            id: id.clone(),
            jurisdiction: self.jurisdiction.clone()?,
            spec,
            spec_hash,
            version: self.version,
            withdrawn: self.withdrawn,
        })
    }
}

#[derive(Clone, Debug)]
pub enum ServiceCommand {
    Publish {
        jurisdiction: JurisdictionId,
        spec: ServiceSpec,
    },
    Revise {
        spec: ServiceSpec,
        reason: Reason,
    },
    Withdraw {
        reason: Reason,
    },
}

crate::aggregate::aggregate!(Service: ServiceId, ServiceState, ServiceCommand, ServiceEvent);

fn evolve(mut state: ServiceState, event: &ServiceEvent) -> ServiceState {
    match event {
        ServiceEvent::ServicePublished {
            jurisdiction,
            spec,
            spec_hash,
        } => {
            state.jurisdiction = Some(jurisdiction.clone());
            state.spec = Some((spec.clone(), spec_hash.clone()));
            state.version = 1;
        }
        ServiceEvent::ServiceRevised {
            spec,
            spec_hash,
            version,
            ..
        } => {
            state.spec = Some((spec.clone(), spec_hash.clone()));
            state.version = *version;
        }
        ServiceEvent::ServiceWithdrawn { .. } => state.withdrawn = true,
    }
    state
}

/// The staff of a catalogue: an administrator, or a grid worker serving its node.
fn require_catalogue_staff(
    actor: &Actor,
    directory: &dyn Directory,
    jurisdiction: &JurisdictionId,
) -> Result<(), DomainError> {
    actor.signed_in()?;
    if actor.is_administrator() || actor.serves(directory, jurisdiction) {
        Ok(())
    } else {
        Err(DomainError::forbidden(Refusal::ONLY_CATALOGUE_STAFF)
            .with("jurisdiction", jurisdiction))
    }
}

fn decide(cx: &Deciding<'_, Service>, command: ServiceCommand) -> Decided<Service> {
    let (id, state, actor, _, directory) = cx.parts();
    // The entry as it stands, for a revision or a withdrawal by its staff.
    let live = || -> Result<(&JurisdictionId, &ServiceSpec), DomainError> {
        let (Some(jurisdiction), Some((current, _))) = (&state.jurisdiction, &state.spec) else {
            return Err(DomainError::not_found(Refusal::SERVICE_NOT_FOUND).with("service", id));
        };
        require_catalogue_staff(actor, directory, jurisdiction)?;
        if state.withdrawn {
            return Err(DomainError::conflict(Refusal::SERVICE_WITHDRAWN).with("service", id));
        }
        Ok((jurisdiction, current))
    };
    match command {
        ServiceCommand::Publish { jurisdiction, spec } => {
            directory.existing_jurisdiction(&jurisdiction)?;
            require_catalogue_staff(actor, directory, &jurisdiction)?;
            if state.spec.is_some() {
                return Err(DomainError::conflict(Refusal::ALREADY_EXISTS).with("id", id));
            }
            let spec = spec.checked(&jurisdiction, directory)?;
            let spec_hash = spec.hash();
            Ok(vec![ServiceEvent::ServicePublished {
                jurisdiction,
                spec,
                spec_hash,
            }])
        }
        ServiceCommand::Revise { spec, reason } => {
            let (jurisdiction, current) = live()?;
            let spec = spec.checked(jurisdiction, directory)?;
            if spec == *current {
                return Err(DomainError::conflict(Refusal::UNCHANGED));
            }
            let spec_hash = spec.hash();
            Ok(vec![ServiceEvent::ServiceRevised {
                spec,
                spec_hash,
                version: state.version + 1,
                reason,
            }])
        }
        ServiceCommand::Withdraw { reason } => {
            live()?;
            Ok(vec![ServiceEvent::ServiceWithdrawn { reason }])
        }
    }
}
