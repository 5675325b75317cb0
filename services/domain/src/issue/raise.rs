//! Raising an issue (by the resident, or for them by their grid worker), editing it as versions, and withdrawing it.

use super::*;

pub(super) fn raise(cx: &Deciding<'_>, raising: RaiseIssue) -> Decided {
    let RaiseIssue {
        text,
        category,
        jurisdiction,
        on_behalf_of,
        photos,
        spot,
    } = raising;
    let (id, state, actor, now, directory) = cx.parts();
    let me = actor.signed_in()?.clone();
    if state.raiser.is_some() {
        return Err(DomainError::conflict(Refusal::ALREADY_EXISTS).with("id", id));
    }
    if photos.len() > MAX_PHOTOS {
        return Err(DomainError::validation("photos", Refusal::TOO_MANY).with("max", MAX_PHOTOS));
    }
    let (raiser, channel, on_behalf_by) = match on_behalf_of {
        None => (me.clone(), Channel::Online, None),
        Some((_, Channel::Online)) => {
            return Err(DomainError::validation(
                "channel",
                Refusal::CHANNEL_FOR_OTHERS,
            ));
        }
        Some((resident, channel)) => (resident, channel, Some(me.clone())),
    };
    if channel == Channel::Paper && photos.is_empty() {
        return Err(DomainError::validation(
            "photos",
            Refusal::PAPER_NEEDS_PHOTO,
        ));
    }
    let raiser_facts = directory
        .member(&raiser)
        .filter(|m| !m.erased)
        .ok_or_else(|| DomainError::not_found(Refusal::MEMBER_NOT_FOUND).with("member", &raiser))?;
    let home = match (&raiser_facts.kind, &raiser_facts.home_grid) {
        (MemberKind::Resident, Some(home)) => home.clone(),
        _ => {
            return Err(DomainError::forbidden(Refusal::ONLY_RESIDENTS_RAISE));
        }
    };
    // Every raise stays in the log for good: a resident raises for
    // themself once a grid worker has verified them (the grid
    // practice's gate); until then the grid worker raises for them.
    if on_behalf_by.is_none() && !raiser_facts.verified {
        return Err(DomainError::forbidden(Refusal::VERIFY_FIRST).with("action", "raise issues"));
    }
    if on_behalf_by.is_some() && !actor.serves(directory, &home) && !actor.is_administrator() {
        return Err(DomainError::forbidden(Refusal::ONLY_GRID_WORKER_RAISES_FOR));
    }
    let jurisdiction = jurisdiction.unwrap_or_else(|| home.clone());
    if directory.jurisdiction(&jurisdiction).is_none() {
        return Err(DomainError::not_found(Refusal::JURISDICTION_NOT_FOUND)
            .with("jurisdiction", &jurisdiction));
    }
    // A resident speaks for the places they live in: their grid and above.
    if !directory.is_within(&home, &jurisdiction) {
        return Err(DomainError::validation(
            "jurisdiction",
            Refusal::OUTSIDE_RAISER_REACH,
        ));
    }
    // A picked building must be one the grid lists (so the issue is where it says).
    if let Some(spot) = &spot
        && !directory.buildings(&jurisdiction).contains(spot)
    {
        return Err(DomainError::validation("spot", Refusal::SPOT_NOT_IN_GRID)
            .with("building", &spot.building));
    }
    let version_hash = text.hash();
    let clock = directory
        .responsible_council(&jurisdiction)
        .map(|council| Clock::start(Stage::Triage, &council, now, &directory.calendar()));
    Ok(vec![IssueEvent::IssueRaised {
        raiser,
        on_behalf_by,
        channel,
        category,
        jurisdiction,
        title: text.title,
        description: text.description,
        place: text.place,
        spot,
        photos,
        version_hash,
        clock,
    }])
}

pub(super) fn edit(cx: &Deciding<'_>, text: IssueText) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    let me = actor.signed_in()?.clone();
    live(state, id)?;
    if state.raiser.as_ref() != Some(&me) {
        return Err(DomainError::forbidden(Refusal::ONLY_RAISER_EDITS));
    }
    let version_hash = text.hash();
    if state.versions.last() == Some(&version_hash) {
        return Err(DomainError::conflict(Refusal::UNCHANGED));
    }
    Ok(vec![IssueEvent::IssueEdited {
        version: state.versions.len() as u32 + 1,
        title: text.title,
        description: text.description,
        place: text.place,
        version_hash,
    }])
}

pub(super) fn withdraw(cx: &Deciding<'_>, reason: String) -> Decided {
    let (id, state, actor, ..) = cx.parts();
    let me = actor.signed_in()?.clone();
    live(state, id)?;
    if state.raiser.as_ref() != Some(&me) {
        return Err(DomainError::forbidden(Refusal::ONLY_RAISER_WITHDRAWS));
    }
    Ok(vec![IssueEvent::IssueWithdrawn {
        reason: optional_text("reason", &reason, 500)?,
    }])
}
