//! `roundtable-audit`: what `roundtable audit verify` recomputes once the log itself
//! verifies ([`recount_votes`]: every closed vote from its meeting's events, bound to
//! its council's rules and seats and to the checkpoint it names; [`recount_mediation`]:
//! the mediation figures, from the domain's own fold, with every case's clocks
//! checked against its committee's rules; [`recount_services`]: the one-trip
//! figures, every request's due time recomputed from the calendar in force), and the wire forms of the `/log/*`
//! routes ([`wire`]) that the server writes and the auditor reads.
//! Pure: no I/O, no clock.

mod mediation;
mod recount;
mod services;
pub mod wire;

pub use mediation::recount_mediation;
pub use recount::recount_votes;
pub use services::recount_services;
