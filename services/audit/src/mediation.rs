//! The mediation figures of `roundtable audit verify`: every case folded from the
//! log with the domain's own [`MediationTally`] (the fold the dashboard uses), after
//! checking each clock a case carries against its committee's rules at that point
//! of the log: the consent deadline, the mediation time limit (at start, on
//! escalation and on reopening) and the judicial-confirmation window.

use std::collections::HashMap;

use roundtable_domain::{
    Aggregate, CONFIRMATION_WINDOW_DAYS, Committee, CommitteeId, CommitteeState, DisputeEvent,
    DisputeId, Event, MediationTally, codec,
};
use roundtable_ledger::{AuditFailure, Timestamp};

use crate::recount::memchr_contains as contains;

fn fail(index: u64, reason: String) -> AuditFailure {
    AuditFailure {
        index: Some(index),
        reason,
    }
}

/// Folds every case in `lines` (leaf i is line i) and checks its clocks.
pub fn recount_mediation(lines: &[&[u8]]) -> Result<MediationTally, AuditFailure> {
    let mut committees: HashMap<CommitteeId, CommitteeState> = HashMap::new();
    let mut tally = MediationTally::default();
    for (i, line) in lines.iter().enumerate() {
        let index = i as u64;
        let relevant =
            contains(line, b"\"stream\":\"committee/") || contains(line, b"\"stream\":\"dispute/");
        if !relevant {
            continue;
        }
        let head = codec::decode_bytes(line).map_err(|e| fail(index, e.to_string()))?;
        let Some(event) = head.event else { continue };
        let (kind, id) = head.stream.split_once('/').unwrap_or_default();
        match (kind, event) {
            ("committee", Event::Committee(event)) => {
                let id = CommitteeId::parse(id).map_err(|e| fail(index, e.to_string()))?;
                let state = committees.remove(&id).unwrap_or_default();
                committees.insert(id, Committee::evolve(state, &event));
            }
            ("dispute", Event::Dispute(event)) => {
                let id = DisputeId::parse(id).map_err(|e| fail(index, e.to_string()))?;
                let committee_now = tally.case(&id).and_then(|c| c.state.committee.clone());
                check_clock(&committees, committee_now, &event, head.time)
                    .map_err(|reason| fail(index, format!("{}: {reason}", head.stream)))?;
                tally.record(&id, &event, head.time);
            }
            _ => {}
        }
    }
    Ok(tally)
}

/// The committee's rules in force (by hash) and the due time they give.
fn check_clock(
    committees: &HashMap<CommitteeId, CommitteeState>,
    handling: Option<CommitteeId>,
    event: &DisputeEvent,
    time: Timestamp,
) -> Result<(), String> {
    let rules_of = |id: &CommitteeId| {
        committees
            .get(id)
            .and_then(|c| c.rules.clone())
            .ok_or_else(|| format!("names unknown committee {id}"))
    };
    let expect = |what: &str, got: Timestamp, days: u32| {
        let want = time.plus_hours(days * 24);
        if got == want {
            Ok(())
        } else {
            Err(format!("{what} is {got}, the rules give {want}"))
        }
    };
    let cites = |id: &CommitteeId, hash: &roundtable_domain::RulesHash| {
        let (rules, in_force) = rules_of(id)?;
        if &in_force == hash {
            Ok(rules)
        } else {
            Err(format!("cites rules {hash}, not {id}'s rules in force"))
        }
    };
    match event {
        DisputeEvent::DisputeRaised {
            committee,
            rules_hash,
            consent_due,
            ..
        } => {
            let rules = cites(committee, rules_hash)?;
            expect("the consent deadline", *consent_due, rules.consent_days)
        }
        DisputeEvent::MediationStarted {
            committee,
            rules_hash,
            due,
        } => {
            let rules = cites(committee, rules_hash)?;
            expect("the mediation deadline", *due, rules.time_limit_days)
        }
        DisputeEvent::DisputeEscalated {
            to,
            rules_hash,
            due,
            ..
        } => {
            let rules = cites(to, rules_hash)?;
            expect("the mediation deadline", *due, rules.time_limit_days)
        }
        DisputeEvent::DisputeReopened { rules_hash, due } => {
            let committee = handling.ok_or("reopens a case no committee handles")?;
            let rules = cites(&committee, rules_hash)?;
            expect("the mediation deadline", *due, rules.time_limit_days)
        }
        DisputeEvent::AgreementSigned {
            confirmation_window_ends,
            ..
        } => expect(
            "the judicial-confirmation window",
            *confirmation_window_ends,
            CONFIRMATION_WINDOW_DAYS,
        ),
        _ => Ok(()),
    }
}
