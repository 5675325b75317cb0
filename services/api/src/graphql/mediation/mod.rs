//! Mediation in GraphQL: committees and their mediators, cases as each viewer may
//! read them (`DisputeCase`), the public figures (`mediationStats`), and the
//! procedure's mutations.

mod mutation;
mod objects;
mod query;

pub use mutation::MediationMutation;
pub(in crate::graphql) use mutation::{channel, party_or_me};
pub use objects::{DisputeCase, dispute_case};
pub use query::MediationQuery;
