//! "At most one trip" in GraphQL: the service catalogue, requests as each viewer
//! may read them, the service points' queues, and the public figures.

mod mutation;
mod objects;
mod query;

pub use mutation::ServiceMutation;
pub use objects::Figures as ServiceFiguresView;
pub use query::ServiceQuery;
