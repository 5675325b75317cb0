//! The "at most one trip" figures of `roundtable audit verify`: every request and
//! every calendar folded from the log with the domain's own [`ServiceTally`] (the
//! fold the dashboard uses), which recomputes each request's due time from the
//! calendars in force when it was opened; a due time the calendar does not give
//! fails the audit.

use roundtable_domain::{ServiceTally, codec};
use roundtable_ledger::AuditFailure;

use crate::recount::memchr_contains as contains;

/// Folds every calendar and request in `lines` (leaf i is line i).
pub fn recount_services(lines: &[&[u8]]) -> Result<ServiceTally, AuditFailure> {
    let mut tally = ServiceTally::default();
    for (i, line) in lines.iter().enumerate() {
        let index = i as u64;
        let relevant = contains(line, b"\"stream\":\"calendar/")
            || contains(line, b"\"stream\":\"service_request/");
        if !relevant {
            continue;
        }
        let head = codec::decode_bytes(line).map_err(|e| AuditFailure {
            index: Some(index),
            reason: e.to_string(),
        })?;
        let Some(event) = head.event else { continue };
        let id = head.stream.split_once('/').map_or("", |(_, id)| id);
        let before = tally.misdated().len();
        tally.record(id, &event, head.time);
        if let Some(bad) = tally.misdated().get(before) {
            return Err(AuditFailure {
                index: Some(index),
                reason: format!(
                    "{}: due {}, the calendar in force gives {}",
                    head.stream, bad.recorded, bad.computed
                ),
            });
        }
    }
    Ok(tally)
}
