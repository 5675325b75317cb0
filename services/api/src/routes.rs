//! The HTTP side of the API: `POST /graphql` (with the caller's session and CSRF
//! state injected), GraphiQL at `GET /graphql` in development, and
//! `graphql-transport-ws` subscriptions at `/graphql/ws`, photo upload and
//! download at `/photos`, and the web app at every other path.

use std::sync::Arc;

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::http::GraphiQLSource;
use async_graphql_poem::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use poem::http::{StatusCode, header};
use poem::middleware::SizeLimit;
use poem::web::websocket::WebSocket;
use poem::web::{Data, Html, Json, Path};
use poem::{Body, EndpointExt, IntoResponse, Request, Response, Route, get, handler};
use roundtable_domain::{ContentHash, DomainError};

use crate::auth::RequestAuth;
use crate::graphql::{RoundtableSchema, schema};
use crate::photos::MAX_PHOTO_BYTES;
use crate::web::WebApp;
use crate::{ApiError, App};

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

/// An error of the plain HTTP routes: the status, and the same code as GraphQL's.
fn refuse(e: &ApiError) -> Response {
    let status = match e.code() {
        "UNAUTHENTICATED" => StatusCode::UNAUTHORIZED,
        "FORBIDDEN" => StatusCode::FORBIDDEN,
        "NOT_FOUND" => StatusCode::NOT_FOUND,
        "RATE_LIMITED" => StatusCode::TOO_MANY_REQUESTS,
        "INTERNAL" => {
            tracing::error!(error = %e, "photo route");
            StatusCode::INTERNAL_SERVER_ERROR
        }
        _ => StatusCode::BAD_REQUEST,
    };
    let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
        "internal error".to_owned()
    } else {
        e.to_string()
    };
    (
        status,
        Json(serde_json::json!({"code": e.code(), "message": message})),
    )
        .into_response()
}

/// `POST /photos`: a signed-in member uploads one image (the raw bytes as the
/// body); the answer names it by SHA-256 for `raiseIssue`.
#[handler]
async fn upload_photo(req: &Request, Data(app): Data<&Arc<App>>, body: Body) -> Response {
    let checked = RequestAuth::from_request(req, app).and_then(|auth| auth.member_for_change(app));
    if let Err(e) = checked {
        return refuse(&e);
    }
    let bytes = match body.into_bytes_limit(MAX_PHOTO_BYTES + 1).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return refuse(&ApiError::Domain(DomainError::validation(
                "photo",
                format!("at most {} MiB", MAX_PHOTO_BYTES / (1024 * 1024)),
            )));
        }
    };
    let app = app.clone();
    let stored = tokio::task::spawn_blocking(move || app.photos.put(&bytes))
        .await
        .map_err(ApiError::internal)
        .and_then(|r| r);
    match stored {
        Ok((hash, kind)) => Json(serde_json::json!({
            "hash": hash.as_str(),
            "type": kind.mime(),
            "url": format!("/photos/{}", hash.as_str()),
        }))
        .into_response(),
        Err(e) => refuse(&e),
    }
}

/// `GET /photos/{sha256}`: the stored image (immutable: its name is its hash).
#[handler]
async fn photo(Path(hash): Path<String>, Data(app): Data<&Arc<App>>) -> Response {
    let Ok(hash) = ContentHash::parse(&hash) else {
        return refuse(&ApiError::Domain(DomainError::NotFound(format!(
            "photo {hash}"
        ))));
    };
    match app.photos.get(&hash) {
        Ok(Some((bytes, kind))) => Response::builder()
            .content_type(kind.mime())
            .header("Cache-Control", "public, max-age=31536000, immutable")
            .header("X-Content-Type-Options", "nosniff")
            .body(bytes),
        Ok(None) => refuse(&ApiError::Domain(DomainError::NotFound(format!(
            "photo {}",
            hash.as_str()
        )))),
        Err(e) => refuse(&e),
    }
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

/// Whether a browser's request comes from a page of this very server: its
/// `Origin` names the host it was sent to. A WebSocket is not bound by the
/// same-origin policy, so without this any site could ride a visitor's cookie.
fn same_origin(req: &Request) -> bool {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok());
    match (host, origin) {
        (Some(host), Some(origin)) => origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority == host),
        _ => false,
    }
}

/// Subscriptions over `graphql-transport-ws`, authenticated by the token in
/// `connection_init` (a refused token closes the socket), else by the web app's
/// session cookie on a same-origin upgrade; otherwise anonymous.
#[handler]
async fn subscriptions(
    req: &Request,
    Data(schema): Data<&RoundtableSchema>,
    Data(app): Data<&Arc<App>>,
    protocol: GraphQLProtocol,
    websocket: WebSocket,
) -> Response {
    let cookie = match same_origin(req) {
        true => RequestAuth::from_request(req, app)
            .ok()
            .filter(|auth| auth.session.is_some()),
        false => None,
    };
    let (schema, app) = (schema.clone(), app.clone());
    websocket
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| {
            GraphQLWebSocket::new(stream, schema, protocol)
                .on_connection_init(move |payload: serde_json::Value| async move {
                    let auth = RequestAuth::from_connection_init(&payload, &app)
                        .map_err(|e| async_graphql::Error::new(e.to_string()))?;
                    let auth = match (auth.session.is_some(), cookie) {
                        (false, Some(cookie)) => cookie,
                        _ => auth,
                    };
                    let mut data = async_graphql::Data::default();
                    data.insert(auth);
                    Ok(data)
                })
                .serve()
        })
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
        .at(
            "/graphql/ws",
            get(subscriptions).data(app.clone()).data(schema),
        )
        .at("/photos", poem::post(upload_photo).data(app.clone()))
        .at("/photos/:hash", get(photo).data(app))
        .at("/", WebApp)
        .at("/*path", WebApp)
}
