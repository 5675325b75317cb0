//! `roundtable-api`: GraphQL and HTTP over the application (`roundtable-app`): the
//! schema's queries, mutations and subscriptions, sign-in cookies, the query cost
//! guard, the HTTP stack's limits, the photo routes, the `/log/*` routes an auditor
//! reads, and the embedded web app (docs/ARCHITECTURE.md, code map).
//!
//! Errors become stable codes in one place ([`error`]); authorization is decided by
//! the domain from the caller's roles, not here.

mod auth;
mod config;
pub mod cost;
mod error;
mod graphql;
pub mod record;
mod routes;
pub mod stack;
mod web;
pub mod witnessed;
pub mod ws;

pub use auth::{CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE};
pub use config::{Api, ApiConfig};
pub use graphql::{RoundtableSchema, schema, sdl};
pub use routes::mount;
pub use web::WebApp;
pub use ws::SocketLimits;
