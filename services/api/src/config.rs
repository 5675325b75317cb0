//! What the API adds around the application: its own limits, and the state that
//! belongs to connections (open WebSockets per address), not to the application.

use std::sync::Arc;

use roundtable_app::App;

/// The API's limits (the application's are `roundtable_app::AppConfig`).
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    pub max_depth: usize,
    /// Query cost limits per caller class (`cost.rs`).
    pub cost: crate::cost::CostLimits,
    /// Cookies carry `Secure` (set when served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// WebSockets per address and subscriptions per socket.
    pub sockets: crate::ws::SocketLimits,
    /// Proxies whose `X-Forwarded-For` names the caller (`auth::client_address`).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for ApiConfig {
    fn default() -> ApiConfig {
        ApiConfig {
            max_body_bytes: 256 * 1024,
            max_depth: 12,
            cost: crate::cost::CostLimits::default(),
            secure_cookies: false,
            sockets: crate::ws::SocketLimits::default(),
            trusted_proxies: Vec::new(),
        }
    }
}

/// The application as the API serves it: what every route and resolver reads.
pub struct Api {
    pub app: Arc<App>,
    pub config: ApiConfig,
    /// Open WebSockets per address.
    pub(crate) sockets: crate::ws::OpenSockets,
    /// Witnesses' cosignatures, when the log has witnesses (receipts carry them).
    pub witnesses: Option<Arc<crate::witnessed::WitnessBook>>,
}

impl Api {
    pub fn new(app: Arc<App>, config: ApiConfig) -> Arc<Api> {
        Api::with_witnesses(app, config, None)
    }

    pub fn with_witnesses(
        app: Arc<App>,
        config: ApiConfig,
        witnesses: Option<Arc<crate::witnessed::WitnessBook>>,
    ) -> Arc<Api> {
        Arc::new(Api {
            app,
            config,
            sockets: crate::ws::OpenSockets::default(),
            witnesses,
        })
    }
}
