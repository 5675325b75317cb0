//! The vote recount of `roundtable audit verify`: after the log itself verifies,
//! every closed vote is recomputed from its meeting's events (eligibility from the
//! roll call and proxies, the ballots, the method, the majority rule), the rules a
//! meeting cites are checked against its council's rules at convening, and the
//! checkpoint each tally names is checked to include every counted ballot and to
//! have the root the log gives at that size. Every vote's listed electorate must
//! hold voting seats of the council when the vote opens (the domain's
//! `MeetingState::electorate_now`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use roundtable_domain::{
    Aggregate, Council, CouncilState, Event, MeetingEvent, Seat, SeatHolder, codec, recount,
};
use roundtable_ledger::{AuditFailure, CompactRange, leaf_hash};

fn fail(index: u64, reason: String) -> AuditFailure {
    AuditFailure {
        index: Some(index),
        reason,
    }
}

fn seats_of(state: &CouncilState) -> BTreeMap<String, (Seat, bool)> {
    state
        .seats
        .iter()
        .map(|(m, s)| (m.to_string(), *s))
        .collect()
}

fn seats_listed(seats: &[SeatHolder]) -> BTreeMap<String, (Seat, bool)> {
    seats
        .iter()
        .map(|h| (h.member.to_string(), (h.seat, h.voting)))
        .collect()
}

/// Recounts every closed vote in `lines` (leaf i is line i). Returns how many.
pub fn recount_votes(lines: &[&[u8]]) -> Result<usize, AuditFailure> {
    let mut councils: HashMap<String, CouncilState> = HashMap::new();
    let mut meetings: BTreeMap<String, Vec<(u64, MeetingEvent)>> = BTreeMap::new();
    let mut seats_listed_for: HashMap<String, Vec<SeatHolder>> = HashMap::new();
    let mut council_of: HashMap<String, String> = HashMap::new();
    for (i, line) in lines.iter().enumerate() {
        let index = i as u64;
        // Cheap filter: only councils and meetings matter here.
        let relevant = memchr_contains(line, b"\"stream\":\"council/")
            || memchr_contains(line, b"\"stream\":\"meeting/");
        if !relevant {
            continue;
        }
        let head = codec::decode_bytes(line).map_err(|e| fail(index, e.to_string()))?;
        let event = match head.event {
            Some(Event::Council(event)) => {
                let id = head.stream.strip_prefix("council/").unwrap_or_default();
                let state = councils.remove(id).unwrap_or_default();
                councils.insert(id.to_owned(), Council::evolve(state, &event));
                continue;
            }
            Some(Event::Meeting(event)) => event,
            Some(
                Event::Jurisdiction(_)
                | Event::Member(_)
                | Event::Issue(_)
                | Event::Resolution(_)
                | Event::Calendar(_)
                | Event::Service(_)
                | Event::ServiceRequest(_)
                | Event::Committee(_)
                | Event::Dispute(_),
            )
            | None => continue,
        };
        if let MeetingEvent::ElectorateListed { vote, eligible } = &event {
            let council = council_of.get(&head.stream).cloned().unwrap_or_default();
            let seats = councils.get(&council).map(seats_of).unwrap_or_default();
            let voting = |m: &str| seats.get(m).is_some_and(|(_, v)| *v);
            if let Some(e) = eligible
                .iter()
                .find(|e| !voting(e.member.as_str()) || !voting(e.cast_by.as_str()))
            {
                return Err(fail(
                    index,
                    format!(
                        "vote {vote} of {}: {} (cast by {}) is in the electorate without a voting seat of {council} when the vote opens",
                        head.stream, e.member, e.cast_by
                    ),
                ));
            }
        }
        if let MeetingEvent::SeatsListed { seats } = &event {
            seats_listed_for
                .entry(head.stream.clone())
                .or_default()
                .extend(seats.iter().cloned());
        }
        if let MeetingEvent::MeetingConvened {
            council,
            rules_hash,
            ..
        } = &event
        {
            let seats = seats_listed_for.remove(&head.stream).unwrap_or_default();
            council_of.insert(head.stream.clone(), council.to_string());
            let Some(state) = councils.get(council.as_str()) else {
                return Err(fail(
                    index,
                    format!("{} convenes unknown council {council}", head.stream),
                ));
            };
            if state.rules.as_ref().map(|(_, h)| h) != Some(rules_hash) {
                return Err(fail(
                    index,
                    format!(
                        "{} cites rules {rules_hash} that were not {council}'s rules at convening",
                        head.stream
                    ),
                ));
            }
            if seats_listed(&seats) != seats_of(state) {
                return Err(fail(
                    index,
                    format!(
                        "{} lists seats other than {council}'s at convening",
                        head.stream
                    ),
                ));
            }
        }
        meetings
            .entry(head.stream)
            .or_default()
            .push((index, event));
    }

    let mut needed: BTreeMap<u64, Vec<(String, u32, String, u64)>> = BTreeMap::new();
    let mut votes = 0;
    for (stream, events) in &meetings {
        let recounted = recount(events).map_err(|e| {
            fail(
                e.index,
                format!("vote {} of {stream}: {}", e.vote, e.reason),
            )
        })?;
        for r in recounted {
            let close = events
                .iter()
                .rev()
                .find(
                    |(_, e)| matches!(e, MeetingEvent::VoteClosed { vote, .. } if *vote == r.vote),
                )
                .map_or(0, |(i, _)| *i);
            if r.last_ballot.is_some_and(|b| b >= r.checkpoint_size) || r.checkpoint_size > close {
                return Err(fail(
                    close,
                    format!(
                        "vote {} of {stream}: the checkpoint it names (size {}) does not include every ballot or is not one that existed when it closed",
                        r.vote, r.checkpoint_size
                    ),
                ));
            }
            needed.entry(r.checkpoint_size).or_default().push((
                stream.clone(),
                r.vote,
                r.checkpoint_root,
                close,
            ));
            votes += 1;
        }
    }
    check_roots(lines, &needed)?;
    Ok(votes)
}

/// The root of the log's first `size` leaves equals what each tally names.
fn check_roots(
    lines: &[&[u8]],
    needed: &BTreeMap<u64, Vec<(String, u32, String, u64)>>,
) -> Result<(), AuditFailure> {
    let sizes: BTreeSet<u64> = needed.keys().copied().collect();
    let Some(&last) = sizes.last() else {
        return Ok(());
    };
    let mut range = CompactRange::new();
    let check = |range: &CompactRange| -> Result<(), AuditFailure> {
        let root = range.root().to_base64();
        for (stream, vote, named, close) in needed.get(&range.size()).into_iter().flatten() {
            if *named != root {
                return Err(fail(
                    *close,
                    format!(
                        "vote {vote} of {stream}: the checkpoint root it names is not the log's root at size {}",
                        range.size()
                    ),
                ));
            }
        }
        Ok(())
    };
    check(&range)?;
    for line in lines.iter().take(last as usize) {
        range.append(leaf_hash(line), |_, _, _| {});
        if sizes.contains(&range.size()) {
            check(&range)?;
        }
    }
    Ok(())
}

pub(crate) fn memchr_contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    //! The recount's own checks: a meeting is bound to its council's rules and
    //! seats at convening. (Recounting a vote itself is the domain's `recount`,
    //! tested there; a whole served log is recounted by `audit_cli.rs`.)

    use roundtable_domain::codec::draft;
    use roundtable_domain::{
        CouncilEvent, CouncilId, CouncilRules, JurisdictionId, MemberId, Name, Reason, RulesHash,
    };
    use roundtable_ledger::{StreamName, Timestamp};

    use super::*;

    fn leaf(stream: &str, seq: u64, event: Event) -> Vec<u8> {
        let time = Timestamp::from_unix_millis(1_795_000_000_000 + seq as i64);
        let actor = serde_json::json!({"id": "m_chair", "role": "resident"});
        let id = format!("00000000-0000-4000-8000-{:06}{seq:06}", stream.len());
        draft(&event, id, actor, time)
            .seal(
                "roundtable.test/recount",
                &StreamName::new(stream).unwrap(),
                seq,
                None,
            )
            .unwrap()
            .into_bytes()
    }

    fn council() -> CouncilId {
        CouncilId::from_unique("c1").unwrap()
    }

    /// A council with one voting member, created under the default rules.
    fn council_leaves(rules: &CouncilRules) -> Vec<Vec<u8>> {
        let stream = format!("council/{}", council());
        vec![
            leaf(
                &stream,
                1,
                Event::Council(CouncilEvent::CouncilCreated {
                    jurisdiction: JurisdictionId::from_unique("j1").unwrap(),
                    name: Name::parse("居民议事会").unwrap(),
                    rules: rules.clone(),
                    rules_hash: rules.hash(),
                }),
            ),
            leaf(
                &stream,
                2,
                Event::Council(CouncilEvent::MemberSeated {
                    member: MemberId::from_unique("chen").unwrap(),
                    seat: Seat::Member,
                    voting: true,
                    reason: Reason::parse("elected").unwrap(),
                    rules_hash: rules.hash(),
                }),
            ),
        ]
    }

    fn convened(seats: Vec<SeatHolder>, rules: &CouncilRules, cited: RulesHash) -> Vec<Vec<u8>> {
        let stream = "meeting/mt_1";
        vec![
            leaf(
                stream,
                1,
                Event::Meeting(MeetingEvent::SeatsListed { seats }),
            ),
            leaf(
                stream,
                2,
                Event::Meeting(MeetingEvent::MeetingConvened {
                    council: council(),
                    title: "月度议事".into(),
                    starts_at: Timestamp::from_unix_millis(1_795_100_000_000),
                    venue: "社区活动室".into(),
                    online: false,
                    agenda: vec![],
                    rules: rules.clone(),
                    rules_hash: cited,
                    urgent_reason: None,
                }),
            ),
        ]
    }

    fn seat(member: &str, voting: bool) -> SeatHolder {
        SeatHolder {
            member: MemberId::from_unique(member).unwrap(),
            seat: Seat::Member,
            voting,
        }
    }

    fn recount_of(leaves: &[Vec<u8>]) -> Result<usize, AuditFailure> {
        let lines: Vec<&[u8]> = leaves.iter().map(Vec::as_slice).collect();
        recount_votes(&lines)
    }

    #[test]
    fn a_meeting_convened_with_its_councils_rules_and_seats_passes() {
        let rules = CouncilRules::default();
        let mut log = council_leaves(&rules);
        log.extend(convened(vec![seat("chen", true)], &rules, rules.hash()));
        assert_eq!(recount_of(&log).unwrap(), 0);
        assert_eq!(recount_of(&[]).unwrap(), 0);
    }

    #[test]
    fn a_meeting_citing_rules_its_council_did_not_have_fails_at_its_leaf() {
        let rules = CouncilRules::default();
        let other = RulesHash::parse(&"0".repeat(64)).unwrap();
        let mut log = council_leaves(&rules);
        log.extend(convened(vec![seat("chen", true)], &rules, other));
        let failure = recount_of(&log).unwrap_err();
        assert_eq!(failure.index, Some(3));
        assert!(failure.reason.contains("cites rules"), "{}", failure.reason);
    }

    #[test]
    fn a_meeting_listing_other_seats_than_its_councils_fails() {
        let rules = CouncilRules::default();
        for seats in [
            vec![seat("chen", false)],
            vec![seat("chen", true), seat("zhou", true)],
            vec![],
        ] {
            let mut log = council_leaves(&rules);
            log.extend(convened(seats, &rules, rules.hash()));
            let failure = recount_of(&log).unwrap_err();
            assert!(
                failure.reason.contains("lists seats other than"),
                "{}",
                failure.reason
            );
        }
    }

    #[test]
    fn a_meeting_of_an_unknown_council_or_an_unreadable_leaf_fails() {
        let rules = CouncilRules::default();
        let failure = recount_of(&convened(vec![], &rules, rules.hash())).unwrap_err();
        assert!(
            failure.reason.contains("unknown council"),
            "{}",
            failure.reason
        );

        let mut log = council_leaves(&rules);
        let broken = String::from_utf8(log[1].clone())
            .unwrap()
            .replace("\"voting\":true", "\"voting\":\"yes\"");
        log[1] = broken.into_bytes();
        assert_eq!(recount_of(&log).unwrap_err().index, Some(1));
    }
}
