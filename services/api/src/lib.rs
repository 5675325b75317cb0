//! `roundtable-api`: the GraphQL API over the read models and the command handler
//! that turns mutations into appended events (docs/ARCHITECTURE.md, code map).
//!
//! Errors become stable codes in one place ([`error`]); authorization is decided by
//! the domain from the caller's roles, not here.

mod app;
mod auth;
pub mod clock;
pub mod cost;
pub mod deadlines;
mod error;
mod graphql;
mod limits;
mod log;
mod meetings;
mod operations;
pub mod photos;
mod routes;
pub mod stack;
mod web;
pub mod ws;

pub use app::{ApiConfig, App, Outcome};
pub use auth::{CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE};
pub use error::ApiError;
pub use graphql::{RoundtableSchema, schema, sdl};
pub use limits::{ActionPolicy, LoginPolicy};
pub use log::Log;
pub use operations::{NewAccount, generate_password, mint};
pub use routes::mount;
pub use web::WebApp;
pub use ws::SocketLimits;
