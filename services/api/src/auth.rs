//! Who is calling: a session from the `rt_session` cookie (browsers) or an
//! `Authorization: Bearer` token (API clients), the CSRF header, the address.

use std::net::IpAddr;

use poem::Request;
use poem::http::header;
use roundtable_domain::{Actor, DomainError, Refusal};
use roundtable_vault::Session;

use roundtable_app::{App, AppError};

use crate::Api;

pub const SESSION_COOKIE: &str = "rt_session";
pub const CSRF_COOKIE: &str = "rt_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Proof that this browser signed in to an account before (`limits.rs`).
pub const DEVICE_COOKIE: &str = "rt_device";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    Cookie,
    Bearer,
}

/// What a request proved about its caller; put into every GraphQL request's data.
#[derive(Clone, Debug, Default)]
pub struct RequestAuth {
    /// A live session and the token that names it.
    pub session: Option<(Session, String, Via)>,
    /// Credentials were sent but name no live session (expired or ended).
    pub stale: bool,
    pub csrf_header: Option<String>,
    pub address: Option<IpAddr>,
    /// The device token of the `rt_device` cookie.
    pub device: Option<String>,
    /// The request came over TLS (directly or via a proxy that says so).
    pub tls: bool,
}

fn cookie<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

impl RequestAuth {
    pub fn from_request(req: &Request, api: &Api) -> Result<RequestAuth, AppError> {
        let app = &api.app;
        let bearer = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| (t.trim().to_owned(), Via::Bearer));
        let credentials =
            bearer.or_else(|| cookie(req, SESSION_COOKIE).map(|t| (t.to_owned(), Via::Cookie)));
        let now = app.clock.now().unix_millis();
        let (session, stale) = match credentials {
            Some((token, via)) => match app.vault.session(&token, now)? {
                Some(s) => (Some((s, token, via)), false),
                None => (None, true),
            },
            None => (None, false),
        };
        let forwarded_tls = req
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.eq_ignore_ascii_case("https"));
        Ok(RequestAuth {
            session,
            stale,
            csrf_header: req
                .headers()
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            address: client_address(req, api),
            device: cookie(req, DEVICE_COOKIE).map(str::to_owned),
            tls: forwarded_tls || req.uri().scheme_str() == Some("https"),
        })
    }

    /// A WebSocket's caller, from the token its `connection_init` payload carries
    /// (`{"token": "…"}` or `{"Authorization": "Bearer …"}`); anonymous without one.
    pub fn from_connection_init(
        payload: &serde_json::Value,
        app: &App,
    ) -> Result<RequestAuth, AppError> {
        let token = payload
            .get("token")
            .and_then(|t| t.as_str())
            .or_else(|| {
                payload
                    .get("Authorization")
                    .or_else(|| payload.get("authorization"))
                    .and_then(|t| t.as_str())
                    .and_then(|t| t.strip_prefix("Bearer "))
            })
            .map(str::trim);
        let Some(token) = token else {
            return Ok(RequestAuth::default());
        };
        let now = app.clock.now().unix_millis();
        match app.vault.session(token, now)? {
            Some(s) => Ok(RequestAuth {
                session: Some((s, token.to_owned(), Via::Bearer)),
                ..RequestAuth::default()
            }),
            None => Err(AppError::SessionExpired),
        }
    }

    /// The caller as the domain sees them (anonymous without a session).
    pub fn actor(&self, app: &App) -> Actor {
        match &self.session {
            Some((session, _, _)) => app.projections.registry().actor(&session.member),
            None => Actor::anonymous(),
        }
    }

    /// The caller of a change: cookie sessions must echo their CSRF token, and stale
    /// credentials are an error rather than a silent downgrade to anonymous.
    pub fn actor_for_change(&self, app: &App) -> Result<Actor, AppError> {
        if self.stale {
            return Err(AppError::SessionExpired);
        }
        if let Some((session, _, Via::Cookie)) = &self.session
            && self.csrf_header.as_deref() != Some(session.csrf.as_str())
        {
            return Err(AppError::Domain(DomainError::forbidden(
                Refusal::CSRF_TOKEN,
            )));
        }
        Ok(self.actor(app))
    }

    /// As [`RequestAuth::actor_for_change`], for changes that need someone signed in.
    pub fn member_for_change(&self, app: &App) -> Result<Actor, AppError> {
        let actor = self.actor_for_change(app)?;
        if actor.member.is_none() {
            return Err(DomainError::Unauthenticated.into());
        }
        Ok(actor)
    }
}

/// The caller's address: the TCP peer, or, when the peer is one of
/// `--trusted-proxy`, the address that proxy appended to `X-Forwarded-For` (nginx's
/// `$proxy_add_x_forwarded_for`). Every per-address limit keys on it.
pub fn client_address(req: &Request, api: &Api) -> Option<IpAddr> {
    let peer = req.remote_addr().as_socket_addr().map(|a| a.ip());
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .next_back();
    client_of(peer, forwarded, &api.config.trusted_proxies)
}

/// [`client_address`] on plain values: the rightmost `X-Forwarded-For` entry that is
/// not itself a trusted proxy, if the peer is trusted; else the peer.
fn client_of(peer: Option<IpAddr>, forwarded: Option<&str>, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let hops: Vec<IpAddr> = forwarded
        .unwrap_or_default()
        .split(',')
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    Some(
        hops.into_iter()
            .rev()
            .find(|hop| !trusted.contains(hop))
            .unwrap_or(peer),
    )
}

/// Cookies are `Secure` when the request came over TLS or the server says so.
fn secure(api: &Api, tls: bool) -> &'static str {
    if tls || api.config.secure_cookies {
        "; Secure"
    } else {
        ""
    }
}

/// The `Set-Cookie` values that start a browser session.
pub fn session_cookies(api: &Api, token: &str, csrf: &str, tls: bool) -> [String; 2] {
    let max_age = api.app.config.session_ttl.as_secs();
    let secure = secure(api, tls);
    [
        format!(
            "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
        ),
        format!("{CSRF_COOKIE}={csrf}; Path=/; SameSite=Lax; Max-Age={max_age}{secure}"),
    ]
}

/// The `Set-Cookie` value that keeps a device token for a year (HttpOnly, sent
/// only to our own pages' requests).
pub fn device_cookie(api: &Api, token: &str, tls: bool) -> String {
    let secure = secure(api, tls);
    format!("{DEVICE_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000{secure}")
}

/// The `Set-Cookie` values that end it.
pub fn cleared_cookies() -> [String; 2] {
    [
        format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
        format!("{CSRF_COOKIE}=; Path=/; SameSite=Lax; Max-Age=0"),
    ]
}

#[cfg(test)]
mod tests {
    use super::client_of;

    #[test]
    fn behind_a_trusted_proxy_the_client_is_the_address_it_appended() {
        let proxy = "127.0.0.1".parse().unwrap();
        let trusted = [proxy];
        let client = "203.0.113.7".parse().unwrap();
        // The proxy appended the real client; a forged entry before it is ignored.
        assert_eq!(
            client_of(Some(proxy), Some("198.51.100.1, 203.0.113.7"), &trusted),
            Some(client)
        );
        // Without the header, the proxy itself.
        assert_eq!(client_of(Some(proxy), None, &trusted), Some(proxy));
        // A peer that is not a trusted proxy cannot choose its address.
        assert_eq!(
            client_of(Some(client), Some("198.51.100.1"), &trusted),
            Some(client)
        );
    }
}
