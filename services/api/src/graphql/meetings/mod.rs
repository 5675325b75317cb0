//! Round-table meetings and resolutions in GraphQL: the `Meeting` with its roll
//! call, motions, votes and minutes; `Resolution` with its follow-up; the lists,
//! the docket, and the procedural mutations.

mod mutation;
mod objects;
mod query;

pub use mutation::MeetingMutation;
pub use objects::Meeting;
pub use query::MeetingQuery;
