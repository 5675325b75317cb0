//! Co-signatures: support (and re-confirmation after an edit), withdrawal, and the docket threshold.

use super::*;

pub(super) fn cosign(cx: &Deciding<'_>) -> Decided {
    let (id, state, actor, _, directory) = cx.parts();
    let me = actor.signed_in()?.clone();
    live(state, id)?;
    let jurisdiction = jurisdiction_of(state, id)?;
    if actor.kind != Some(MemberKind::Resident) {
        return Err(DomainError::forbidden(Refusal::COSIGN_RESIDENTS_ONLY));
    }
    if !actor.verified {
        return Err(DomainError::forbidden(Refusal::VERIFY_FIRST).with("action", "co-sign"));
    }
    let lives_within = actor
        .home_grid
        .as_ref()
        .is_some_and(|home| directory.is_within(home, jurisdiction));
    if !lives_within {
        return Err(DomainError::forbidden(Refusal::COSIGN_OUTSIDE_AREA));
    }
    let version = state.versions.len() as u32;
    let earlier = state.cosigners.get(&me).copied();
    if earlier == Some(version) {
        return Err(DomainError::conflict(Refusal::ALREADY_COSIGNED));
    }
    let version_hash = state
        .versions
        .last()
        .cloned()
        .ok_or_else(|| DomainError::not_found(Refusal::ISSUE_NOT_FOUND).with("issue", id))?;
    let mut events = vec![IssueEvent::IssueCosigned {
        member: me,
        version,
        version_hash,
    }];
    // A re-confirmation after an edit adds no new supporter.
    if earlier.is_none()
        && state.docketed_at.is_none()
        && let Some(council) = directory.responsible_council(jurisdiction)
    {
        let cosigners = state.cosigners.len() as u32 + 1;
        if cosigners >= council.rules.cosign_threshold {
            events.push(IssueEvent::ThresholdReached {
                council: council.id,
                rules_hash: council.rules_hash,
                cosigners,
            });
        }
    }
    Ok(events)
}

pub(super) fn withdraw_cosignature(cx: &Deciding<'_>) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    let me = actor.signed_in()?.clone();
    live(state, id)?;
    if !state.cosigners.contains_key(&me) {
        return Err(DomainError::conflict(Refusal::NOT_COSIGNED));
    }
    Ok(vec![IssueEvent::CosignatureWithdrawn { member: me }])
}
