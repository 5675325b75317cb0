//! Counting ballots and applying a majority rule: one pure function shared by the
//! decider that closes a vote and by the auditor who recounts it.

use serde::{Deserialize, Serialize};

use crate::MajorityKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    Yes,
    No,
    Abstain,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tally {
    pub yes: u32,
    pub no: u32,
    pub abstain: u32,
}

impl Tally {
    pub fn of(choices: impl IntoIterator<Item = Choice>) -> Tally {
        choices.into_iter().fold(Tally::default(), |mut t, c| {
            match c {
                Choice::Yes => t.yes += 1,
                Choice::No => t.no += 1,
                Choice::Abstain => t.abstain += 1,
            }
            t
        })
    }

    /// Votes cast: abstentions are not votes (Robert's Rules).
    pub fn cast(&self) -> u32 {
        self.yes + self.no
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteOutcome {
    Adopted,
    Rejected,
}

/// The denominators a majority rule may need, fixed when the vote opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Electorate {
    /// Voting members present in person or by proxy (the eligible voters).
    pub present: u32,
    /// All voting members of the council.
    pub members: u32,
}

/// The outcome `majority` gives `tally`. A tie never carries; nor does a vote in
/// which nobody voted yes.
pub fn outcome(majority: MajorityKind, tally: Tally, electorate: Electorate) -> VoteOutcome {
    let (yes, no) = (u64::from(tally.yes), u64::from(tally.no));
    let carried = match majority {
        MajorityKind::SimpleMajority => yes > no,
        MajorityKind::MajorityOfPresent => 2 * yes > u64::from(electorate.present),
        MajorityKind::MajorityOfMembers => 2 * yes > u64::from(electorate.members),
        MajorityKind::TwoThirds => yes > 0 && 3 * yes >= 2 * (yes + no),
        MajorityKind::TwoThirdsOfMembers => yes > 0 && 3 * yes >= 2 * u64::from(electorate.members),
        MajorityKind::Consensus => yes > 0 && no == 0,
    };
    if carried {
        VoteOutcome::Adopted
    } else {
        VoteOutcome::Rejected
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Choice::*;
    use MajorityKind::*;

    fn decide(kind: MajorityKind, choices: &[Choice], present: u32, members: u32) -> VoteOutcome {
        outcome(
            kind,
            Tally::of(choices.iter().copied()),
            Electorate { present, members },
        )
    }

    #[test]
    fn simple_majority_counts_votes_cast_and_a_tie_fails() {
        assert_eq!(
            decide(SimpleMajority, &[Yes, No, Yes], 3, 9),
            VoteOutcome::Adopted
        );
        assert_eq!(
            decide(SimpleMajority, &[Yes, No], 2, 9),
            VoteOutcome::Rejected
        );
        // Abstentions do not count against: 1 yes, 0 no, 5 abstain carries.
        let abstaining = [Yes, Abstain, Abstain, Abstain, Abstain, Abstain];
        assert_eq!(
            decide(SimpleMajority, &abstaining, 6, 9),
            VoteOutcome::Adopted
        );
        assert_eq!(
            decide(SimpleMajority, &[Abstain], 1, 9),
            VoteOutcome::Rejected
        );
        assert_eq!(decide(SimpleMajority, &[], 5, 9), VoteOutcome::Rejected);
    }

    #[test]
    fn majority_of_present_counts_abstentions_as_not_yes() {
        assert_eq!(
            decide(MajorityOfPresent, &[Yes, Yes, Abstain, Abstain], 4, 9),
            VoteOutcome::Rejected
        );
        assert_eq!(
            decide(MajorityOfPresent, &[Yes, Yes, Yes, Abstain], 4, 9),
            VoteOutcome::Adopted
        );
        // Present members who did not vote count too.
        assert_eq!(
            decide(MajorityOfPresent, &[Yes, Yes, Yes], 7, 9),
            VoteOutcome::Rejected
        );
    }

    #[test]
    fn majority_of_members_needs_more_than_half_of_all() {
        assert_eq!(
            decide(MajorityOfMembers, &[Yes; 5], 6, 10),
            VoteOutcome::Rejected
        );
        assert_eq!(
            decide(MajorityOfMembers, &[Yes; 6], 6, 10),
            VoteOutcome::Adopted
        );
        assert_eq!(
            decide(MajorityOfMembers, &[Yes; 5], 5, 9),
            VoteOutcome::Adopted
        );
    }

    #[test]
    fn two_thirds_of_members_counts_every_voting_member_not_the_votes() {
        // 6 of 9 members is two thirds; absent members and abstentions count against.
        assert_eq!(
            decide(TwoThirdsOfMembers, &[Yes, Yes, Yes, Yes, Yes, Yes], 6, 9),
            VoteOutcome::Adopted
        );
        assert_eq!(
            decide(
                TwoThirdsOfMembers,
                &[Yes, Yes, Yes, Yes, Yes, Abstain],
                6,
                9
            ),
            VoteOutcome::Rejected
        );
        // Unanimous among those present is not enough when too few came.
        assert_eq!(
            decide(TwoThirdsOfMembers, &[Yes, Yes, Yes, Yes, Yes], 5, 9),
            VoteOutcome::Rejected
        );
        assert_eq!(decide(TwoThirdsOfMembers, &[], 0, 0), VoteOutcome::Rejected);
    }

    #[test]
    fn two_thirds_of_votes_cast_is_reached_exactly() {
        assert_eq!(
            decide(TwoThirds, &[Yes, Yes, No], 3, 9),
            VoteOutcome::Adopted
        );
        assert_eq!(
            decide(TwoThirds, &[Yes, Yes, No, No], 4, 9),
            VoteOutcome::Rejected
        );
        assert_eq!(
            decide(TwoThirds, &[Yes, Yes, No, Abstain, Abstain], 5, 9),
            VoteOutcome::Adopted
        );
        assert_eq!(
            decide(TwoThirds, &[Abstain, Abstain], 2, 9),
            VoteOutcome::Rejected
        );
    }

    #[test]
    fn consensus_fails_on_one_no_but_not_on_abstentions() {
        assert_eq!(
            decide(Consensus, &[Yes, Yes, Abstain], 3, 9),
            VoteOutcome::Adopted
        );
        assert_eq!(
            decide(Consensus, &[Yes, Yes, No], 3, 9),
            VoteOutcome::Rejected
        );
        assert_eq!(decide(Consensus, &[Abstain], 1, 9), VoteOutcome::Rejected);
    }
}
