//! The GraphQL schema (its SDL is `schema/schema.graphql`).

mod calendar;
mod issues;
mod mediation;
mod meetings;
mod mutation;
mod query;
mod services;
mod subscription;
mod types;

use std::sync::Arc;

use async_graphql::{MergedObject, SDLExportOptions, Schema};

pub use subscription::Subscription;

use crate::Api;

/// Every query, by area.
#[derive(MergedObject, Default)]
pub struct Query(
    query::PeopleQuery,
    issues::IssueQuery,
    meetings::MeetingQuery,
    mediation::MediationQuery,
    calendar::CalendarQuery,
    services::ServiceQuery,
);

/// Every mutation, by area.
#[derive(MergedObject, Default)]
pub struct Mutation(
    mutation::PeopleMutation,
    issues::IssueMutation,
    meetings::MeetingMutation,
    mediation::MediationMutation,
    calendar::CalendarMutation,
    services::ServiceMutation,
);

pub type RoundtableSchema = Schema<Query, Mutation, Subscription>;

/// The schema with its limits on: the cost guard (`cost.rs`) before validation,
/// then the engine's depth limit.
pub fn schema(api: Arc<Api>) -> RoundtableSchema {
    Schema::build(Query::default(), Mutation::default(), Subscription)
        .extension(crate::error::CodedErrors)
        .extension(crate::cost::CostGuard(api.config.cost))
        .limit_depth(api.config.max_depth)
        .limit_recursive_depth(32)
        .limit_directives(8)
        .data(api)
        .finish()
}

/// The sorted SDL committed as `schema/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation::default(), Subscription)
        .finish()
        .sdl_with_options(
            SDLExportOptions::new()
                .sorted_fields()
                .sorted_arguments()
                .sorted_enum_items(),
        )
}
