//! The HTTP side of the API: `POST /graphql` (with the caller's session and CSRF
//! state injected), GraphiQL at `GET /graphql` in development, and
//! `graphql-transport-ws` subscriptions at `/graphql/ws`.

use std::sync::Arc;

use async_graphql::http::GraphiQLSource;
use async_graphql_poem::{GraphQLRequest, GraphQLResponse, GraphQLSubscription};
use poem::http::StatusCode;
use poem::middleware::SizeLimit;
use poem::web::{Data, Html};
use poem::{EndpointExt, IntoResponse, Request, Response, Route, get, handler};

use crate::App;
use crate::auth::RequestAuth;
use crate::graphql::{RoundtableSchema, schema};

#[handler]
async fn graphql(
    req: &Request,
    Data(app): Data<&Arc<App>>,
    Data(schema): Data<&RoundtableSchema>,
    gql: GraphQLRequest,
) -> Response {
    let auth = match RequestAuth::from_request(req, app) {
        Ok(auth) => auth,
        Err(e) => {
            tracing::error!(error = %e, "reading the session");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut response = schema.execute(gql.0.data(auth)).await;
    // Errors raised by the engine itself (syntax, unknown fields, depth and
    // complexity limits) carry no code; they are all the caller's doing.
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if !has_code {
            let code = if error.path.is_empty() {
                "VALIDATION"
            } else {
                "INTERNAL"
            };
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", code);
        }
    }
    GraphQLResponse(response).into_response()
}

#[handler]
async fn graphiql(Data(app): Data<&Arc<App>>) -> Response {
    if !app.config.graphiql {
        return StatusCode::NOT_FOUND.into_response();
    }
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws")
            .finish(),
    )
    .into_response()
}

/// Adds the API's routes to `route`.
pub fn mount(route: Route, app: Arc<App>) -> Route {
    let schema = schema(app.clone());
    let limit = app.config.max_body_bytes;
    route
        .at(
            "/graphql",
            get(graphiql)
                .post(graphql.with(SizeLimit::new(limit)))
                .data(app.clone())
                .data(schema.clone()),
        )
        .at("/graphql/ws", get(GraphQLSubscription::new(schema)))
}
