//! `roundtable-app`: what Roundtable does, with no transport in it. The command
//! handler ties a domain decider to the log ([`App::execute`]); the use cases that
//! span the log and the vault (enrolment, sign-in, erasure, sealed ballots, closing
//! a vote) are methods of [`App`]; the deadline scheduler, the clock, the limiters
//! and the photo store are here too. `roundtable-api` (GraphQL and HTTP), the demo
//! seed and the server's duties all call this crate (docs/ARCHITECTURE.md, code map).
//!
//! Authorization is decided by the domain from the caller's roles, not here; errors
//! are one enum ([`AppError`]) that the API turns into stable codes.

mod app;
pub mod clock;
pub mod deadlines;
mod error;
pub mod limits;
mod mediation;
mod meetings;
mod operations;
pub mod photos;

pub use app::{App, AppConfig, Outcome};
pub use error::AppError;
pub use limits::{ActionPolicy, LoginPolicy};
pub use meetings::CastBallot;
pub use operations::{NewAccount, generate_password, mint, mint_for};
