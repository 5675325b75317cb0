//! The GraphQL schema (DESIGN §6).

mod mutation;
mod query;
mod subscription;
mod types;

use std::sync::Arc;

use async_graphql::{SDLExportOptions, Schema};

pub use mutation::Mutation;
pub use query::Query;
pub use subscription::Subscription;

use crate::App;

pub type RoundtableSchema = Schema<Query, Mutation, Subscription>;

/// The schema with the limits of DESIGN §6 on.
pub fn schema(app: Arc<App>) -> RoundtableSchema {
    Schema::build(Query, Mutation, Subscription)
        .limit_depth(app.config.max_depth)
        .limit_complexity(app.config.max_complexity)
        .limit_recursive_depth(32)
        .data(app)
        .finish()
}

/// The sorted SDL committed as `schema/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(Query, Mutation, Subscription)
        .finish()
        .sdl_with_options(
            SDLExportOptions::new()
                .sorted_fields()
                .sorted_arguments()
                .sorted_enum_items(),
        )
}
