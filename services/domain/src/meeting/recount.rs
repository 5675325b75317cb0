//! The auditor's recount: replays one meeting's events and recomputes every
//! closed vote (eligibility from the roll call and proxies, the ballots, the method,
//! the majority rule under the rules named by hash), refusing the first that differs
//! from what the log records.

use std::collections::BTreeMap;

use super::{MeetingState, Tally, VoteMethod, VoteSubject, evolve, members_of, outcome};
use crate::{MeetingEvent, MemberId};

/// A recorded vote that the recount contradicts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("vote {vote} (leaf {index}): {reason}")]
pub struct RecountError {
    pub vote: u32,
    pub index: u64,
    pub reason: String,
}

/// One closed vote, recounted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recounted {
    pub vote: u32,
    pub tally: Tally,
    /// Global index of each ballot counted, for the checkpoint check.
    pub last_ballot: Option<u64>,
    pub checkpoint_size: u64,
    pub checkpoint_root: String,
}

/// Recounts the votes of one meeting stream, given as (global index, event) in order.
pub fn recount(events: &[(u64, MeetingEvent)]) -> Result<Vec<Recounted>, RecountError> {
    let mut state = MeetingState::default();
    let mut last_ballot: BTreeMap<u32, u64> = BTreeMap::new();
    let mut done = Vec::new();
    for (index, event) in events {
        let fail = |vote: u32, reason: String| RecountError {
            vote,
            index: *index,
            reason,
        };
        match event {
            MeetingEvent::MeetingConvened {
                rules, rules_hash, ..
            } if rules.hash() != *rules_hash => {
                return Err(fail(
                    0,
                    "the meeting's rules do not hash to the cited rules hash".into(),
                ));
            }
            MeetingEvent::VoteOpened {
                vote,
                subject,
                present,
                voting_members,
                rules_hash,
                ..
            } => {
                let expected: BTreeMap<MemberId, MemberId> = match subject {
                    VoteSubject::Motion { .. } => state.eligible(),
                    VoteSubject::Minutes { .. } => state
                        .voting_members()
                        .map(|m| (m.clone(), m.clone()))
                        .collect(),
                };
                let recorded = &state.listed_electorate;
                if *recorded != expected {
                    return Err(fail(
                        *vote,
                        "the eligible voters differ from the roll call and proxies".into(),
                    ));
                }
                let members = super::count(state.voting_members().count());
                if *present != super::count(expected.len()) || *voting_members != members {
                    return Err(fail(*vote, "the electorate's counts are wrong".into()));
                }
                if Some(rules_hash) != state.rules_hash.as_ref() {
                    return Err(fail(
                        *vote,
                        "the vote cites rules other than the meeting's".into(),
                    ));
                }
                if state.open_vote.is_some() && !state.open_vote_is_void() {
                    return Err(fail(*vote, "opened while another vote was open".into()));
                }
            }
            MeetingEvent::BallotCast {
                vote,
                member,
                cast_by,
                choice,
            } => {
                let v = state
                    .votes
                    .get(vote)
                    .ok_or_else(|| fail(*vote, "a ballot for a vote never opened".into()))?;
                if v.closed.is_some() || state.open_vote != Some(*vote) {
                    return Err(fail(*vote, "a ballot after the vote closed".into()));
                }
                if v.eligible.get(member) != Some(cast_by) {
                    return Err(fail(
                        *vote,
                        format!("{member} was not eligible, or not by {cast_by}"),
                    ));
                }
                if v.ballots.contains_key(member) {
                    return Err(fail(*vote, format!("{member} voted twice")));
                }
                if v.sealed() == choice.is_some() {
                    return Err(fail(
                        *vote,
                        "a ballot's choice is public in a sealed vote, or missing in a public one"
                            .into(),
                    ));
                }
                last_ballot.insert(*vote, *index);
            }
            MeetingEvent::VoteClosed {
                vote,
                tally,
                outcome: recorded_outcome,
                majority,
                rules_hash,
                checkpoint,
            } => {
                let revealed = &state.listed_ballots;
                let v = state
                    .votes
                    .get(vote)
                    .ok_or_else(|| fail(*vote, "closing a vote never opened".into()))?;
                if v.closed.is_some() {
                    return Err(fail(*vote, "closed twice".into()));
                }
                if *majority != v.majority || *rules_hash != v.rules_hash {
                    return Err(fail(
                        *vote,
                        "closed under another rule than it was opened with".into(),
                    ));
                }
                let choices: Vec<_> = if v.sealed() {
                    if revealed.len() != v.ballots.len() {
                        return Err(fail(
                            *vote,
                            format!(
                                "{} ballots revealed for {} cast",
                                revealed.len(),
                                v.ballots.len()
                            ),
                        ));
                    }
                    if v.method == VoteMethod::RollCall
                        && members_of(revealed) != v.ballots.keys().collect()
                    {
                        return Err(fail(
                            *vote,
                            "the revealed ballots name other members than voted".into(),
                        ));
                    }
                    revealed.iter().map(|b| b.choice).collect()
                } else {
                    if !revealed.is_empty() {
                        return Err(fail(*vote, "a public vote with revealed ballots".into()));
                    }
                    v.ballots.values().filter_map(|c| *c).collect()
                };
                let recount = Tally::of(choices);
                if recount != *tally {
                    return Err(fail(
                        *vote,
                        format!("recorded tally {tally:?}, recount {recount:?}"),
                    ));
                }
                let expected = outcome(v.majority, recount, v.electorate);
                if expected != *recorded_outcome {
                    return Err(fail(
                        *vote,
                        format!(
                            "recorded outcome {recorded_outcome:?}, the rule gives {expected:?}"
                        ),
                    ));
                }
                done.push(Recounted {
                    vote: *vote,
                    tally: recount,
                    last_ballot: last_ballot.get(vote).copied(),
                    checkpoint_size: checkpoint.size,
                    checkpoint_root: checkpoint.root.clone(),
                });
            }
            _ => {}
        }
        state = evolve(state, event);
    }
    Ok(done)
}
