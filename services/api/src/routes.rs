//! The HTTP side of the API: `POST /graphql` (with the caller's session and CSRF
//! state injected), `graphql-transport-ws` subscriptions at `/graphql/ws`, photo upload and
//! download at `/photos`, and the web app at every other path.

use std::sync::Arc;

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_poem::{GraphQLProtocol, GraphQLResponse, GraphQLWebSocket};
use poem::http::{StatusCode, header};
use poem::web::websocket::WebSocket;
use poem::web::{Data, Json, Path};
use poem::{Body, EndpointExt, IntoResponse, Request, Response, Route, get, handler};
use roundtable_domain::{ContentHash, DomainError, Refusal};

use crate::auth::RequestAuth;
use crate::graphql::{RoundtableSchema, schema};
use roundtable_app::AppError;
use roundtable_app::limits::Action;
use roundtable_app::photos::MAX_PHOTO_BYTES;

use crate::Api;
use crate::web::WebApp;

/// A refusal before GraphQL runs, in GraphQL's error shape so every client reads
/// the code the same way.
fn refuse_request(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(serde_json::json!({
            "errors": [{"message": message, "extensions": {"code": code}}],
        })),
    )
        .into_response()
}

/// `POST /graphql`: one JSON request (`application/json` only: a form or
/// `text/plain` from another site, which a browser sends without asking, is
/// refused, so no page elsewhere can sign a visitor in or change anything),
/// at most `max_body_bytes`.
#[handler]
async fn graphql(
    req: &Request,
    Data(api): Data<&Arc<Api>>,
    Data(schema): Data<&RoundtableSchema>,
    body: Body,
) -> Response {
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return refuse_request(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the request as Content-Type: application/json",
        );
    }
    let limit = api.config.max_body_bytes;
    let bytes = match body.into_bytes_limit(limit).await {
        Ok(bytes) => bytes,
        Err(poem::error::ReadBodyError::PayloadTooLarge) => {
            return refuse_request(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                &format!("a request is at most {} KiB", limit / 1024),
            );
        }
        Err(_) => {
            return refuse_request(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "the body could not be read",
            );
        }
    };
    let request: async_graphql::Request = match serde_json::from_slice(&bytes) {
        Ok(request) => request,
        Err(e) => {
            return refuse_request(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                &format!("not a GraphQL request: {e}"),
            );
        }
    };
    let auth = match RequestAuth::from_request(req, api) {
        Ok(auth) => auth,
        Err(e) => {
            tracing::error!(error = %e, "reading the session");
            return refuse_request(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
            );
        }
    };
    GraphQLResponse(schema.execute(request.data(auth)).await).into_response()
}

/// An error of the plain HTTP routes: the status, and the same code as GraphQL's.
fn refuse(e: &AppError) -> Response {
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
    let (reason, params) = crate::error::refusal(e);
    let params = params.into_json().unwrap_or_default();
    let mut body = serde_json::json!({"code": e.code(), "reason": reason, "params": params, "message": message});
    if let AppError::Domain(DomainError::Validation { field, .. }) = e {
        body["field"] = (*field).into();
    }
    (status, Json(body)).into_response()
}

/// `POST /photos`: a signed-in member uploads one image (the raw bytes as the
/// body); the answer names it by SHA-256 for `raiseIssue`.
#[handler]
async fn upload_photo(req: &Request, Data(api): Data<&Arc<Api>>, body: Body) -> Response {
    let app = &api.app;
    // Only members a grid worker verified (or staff) upload: every upload is
    // disk until it is swept, and the rate and byte allowances are theirs.
    let checked = RequestAuth::from_request(req, api)
        .and_then(|auth| auth.member_for_change(app))
        .and_then(|actor| {
            actor.require_trusted("upload photos")?;
            Ok(actor)
        });
    let actor = match checked {
        Ok(actor) => actor,
        Err(e) => return refuse(&e),
    };
    let me = actor.member.as_ref().map_or("", |m| m.as_str()).to_owned();
    let now = std::time::Instant::now();
    if let Err(wait) = app.actions.take(&me, Action::Upload, now) {
        return refuse(&AppError::RateLimited(wait));
    }
    let bytes = match body.into_bytes_limit(MAX_PHOTO_BYTES + 1).await {
        Ok(bytes) => bytes,
        Err(_) => {
            app.actions.give_back(&me, Action::Upload);
            return refuse(&AppError::Domain(
                DomainError::validation("photo", Refusal::PHOTO_TOO_LARGE)
                    .with("mib", MAX_PHOTO_BYTES / (1024 * 1024)),
            ));
        }
    };
    // A byte allowance too: the uploads of an hour hold at most this much disk.
    if let Err(wait) = app
        .actions
        .take_n(&me, Action::UploadBytes, bytes.len() as u64, now)
    {
        app.actions.give_back(&me, Action::Upload);
        return refuse(&AppError::RateLimited(wait));
    }
    let storing = app.clone();
    let stored = tokio::task::spawn_blocking(move || storing.photos.put(&bytes))
        .await
        .map_err(AppError::internal)
        .and_then(|r| r);
    match stored {
        Ok((hash, kind)) => Json(serde_json::json!({
            "hash": hash.as_str(),
            "type": kind.mime(),
            "url": format!("/photos/{}", hash.as_str()),
        }))
        .into_response(),
        Err(e) => {
            app.actions.give_back(&me, Action::Upload);
            refuse(&e)
        }
    }
}

/// `GET /photos/{sha256}`: the stored image (immutable: its name is its hash).
#[handler]
async fn photo(Path(hash): Path<String>, Data(api): Data<&Arc<Api>>) -> Response {
    let app = &api.app;
    let Ok(hash) = ContentHash::parse(&hash) else {
        return refuse(&AppError::Domain(
            DomainError::not_found(Refusal::PHOTO_NOT_FOUND).with("photo", &hash),
        ));
    };
    match app.photos.get(&hash) {
        Ok(Some((bytes, kind))) => Response::builder()
            .content_type(kind.mime())
            .header("Cache-Control", "public, max-age=31536000, immutable")
            .header("X-Content-Type-Options", "nosniff")
            .body(bytes),
        Ok(None) => refuse(&AppError::Domain(
            DomainError::not_found(Refusal::PHOTO_NOT_FOUND).with("photo", hash.as_str()),
        )),
        Err(e) => refuse(&e),
    }
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
    Data(api): Data<&Arc<Api>>,
    protocol: GraphQLProtocol,
    websocket: WebSocket,
) -> Response {
    let cookie = match same_origin(req) {
        true => RequestAuth::from_request(req, api)
            .ok()
            .filter(|auth| auth.session.is_some()),
        false => None,
    };
    let address = crate::auth::client_address(req, api);
    let limits = api.config.sockets;
    let Ok(place) = api.sockets.take(address, limits.per_address) else {
        return refuse_request(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            &format!(
                "at most {} live connections from one address",
                limits.per_address
            ),
        );
    };
    let message_limit = api.config.max_body_bytes;
    let config = poem::web::websocket::WebSocketConfig::default()
        .max_message_size(Some(message_limit))
        .max_frame_size(Some(message_limit));
    let (schema, app) = (schema.clone(), api.app.clone());
    websocket
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .config(config)
        .on_upgrade(move |socket| {
            let (sink, stream) = futures_util::StreamExt::split(socket);
            let (stream, sink) =
                crate::ws::limit_subscriptions(stream, sink, limits.subscriptions_per_socket);
            let served =
                GraphQLWebSocket::new_with_pair(Box::pin(sink), Box::pin(stream), schema, protocol)
                    .on_connection_init(move |payload: serde_json::Value| async move {
                        let auth = RequestAuth::from_connection_init(&payload, &app)
                            .map_err(|e| async_graphql::Error::new(e.to_string()))?;
                        let mut auth = match (auth.session.is_some(), cookie) {
                            (false, Some(cookie)) => cookie,
                            _ => auth,
                        };
                        // Sign-in over the socket is throttled by the same address.
                        auth.address = address;
                        let mut data = async_graphql::Data::default();
                        data.insert(auth);
                        Ok(data)
                    })
                    .serve();
            async move {
                served.await;
                drop(place);
            }
        })
        .into_response()
}

/// Adds the API's routes to `route`.
pub fn mount(route: Route, api: Arc<Api>) -> Route {
    let schema = schema(api.clone());
    route
        .at(
            "/graphql",
            poem::post(graphql).data(api.clone()).data(schema.clone()),
        )
        .at(
            "/graphql/ws",
            get(subscriptions).data(api.clone()).data(schema),
        )
        .at("/photos", poem::post(upload_photo).data(api.clone()))
        .at("/photos/:hash", get(photo).data(api))
        .at("/", WebApp)
        .at("/*path", WebApp)
}
