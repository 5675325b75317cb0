//! Issues in GraphQL: the `Issue` type with its clocks and timeline, the `issues`
//! search, statistics, notifications, and the lifecycle mutations.

mod mutation;
mod objects;
mod query;

pub(in crate::graphql) use mutation::on_allowance;
pub use mutation::{IssueMutation, Receipt};
pub(crate) use objects::receipt_url;
pub use objects::{Channel, Issue, Rating};
pub use query::IssueQuery;
pub(crate) use query::{page_size, subtree};
