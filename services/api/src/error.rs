//! The API's one error type and its mapping to the stable codes of docs/ARCHITECTURE.md ("Errors"). This
//! is the only place where an error becomes a code; it is logged here when it is
//! the server's fault (INTERNAL), never when it is the caller's.

use std::time::Duration;

use async_graphql::ErrorExtensions;
use roundtable_domain::DomainError;
use roundtable_store::StoreError;
use roundtable_vault::VaultError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("too many attempts; try again in {} s", .0.as_secs().max(1))]
    RateLimited(Duration),
    #[error("wrong phone number or password")]
    BadCredentials,
    #[error("your session has expired or was ended; sign in again")]
    SessionExpired,
    #[error("missing or wrong X-CSRF-Token header for a cookie-authenticated change")]
    Csrf,
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Domain(e) => e.code(),
            ApiError::RateLimited(_) => "RATE_LIMITED",
            ApiError::BadCredentials | ApiError::SessionExpired => "UNAUTHENTICATED",
            ApiError::Csrf => "FORBIDDEN",
            ApiError::Internal(_) => "INTERNAL",
        }
    }

    pub fn internal(what: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(what.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::Conflict { .. } => ApiError::Domain(DomainError::conflict(
                "the record changed meanwhile; try again",
            )),
            // A command whose events cannot become leaves (too large for the log's
            // limits): refused, nothing written.
            StoreError::InvalidEvent(e) => ApiError::Domain(DomainError::validation(
                "input",
                format!("too much for one record: {e}"),
            )),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<VaultError> for ApiError {
    fn from(e: VaultError) -> ApiError {
        match e {
            VaultError::PhoneTaken => ApiError::Domain(DomainError::conflict(
                "this phone number is already registered",
            )),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        let message = match self {
            // Details of server faults stay in the log, not in the response.
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                "internal error".to_owned()
            }
            other => other.to_string(),
        };
        async_graphql::Error::new(message).extend_with(|_, ext| {
            ext.set("code", self.code());
            match self {
                ApiError::Domain(DomainError::Validation { field, .. }) => ext.set("field", *field),
                ApiError::RateLimited(wait) => ext.set("retryAfter", wait.as_secs().max(1)),
                _ => {}
            }
        })
    }
}

/// `?` for resolvers: converts through [`ErrorExtensions`] so the code survives.
pub trait OrGql<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T, E: Into<ApiError>> OrGql<T> for Result<T, E> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| e.into().extend())
    }
}

/// Every resolver error carries a code ([`ApiError`]); one without is the
/// engine's: a syntax error, an unknown field, or an argument that does not fit
/// its type (`upTo: -1`), all the caller's doing. This extension gives those
/// `VALIDATION`, on both transports.
pub struct CodedErrors;

impl async_graphql::extensions::ExtensionFactory for CodedErrors {
    fn create(&self) -> std::sync::Arc<dyn async_graphql::extensions::Extension> {
        std::sync::Arc::new(CodedErrors)
    }
}

fn with_codes(mut response: async_graphql::Response) -> async_graphql::Response {
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if !has_code {
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", "VALIDATION");
        }
    }
    response
}

#[async_trait::async_trait]
impl async_graphql::extensions::Extension for CodedErrors {
    async fn request(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        next: async_graphql::extensions::NextRequest<'_>,
    ) -> async_graphql::Response {
        with_codes(next.run(ctx).await)
    }

    fn subscribe<'s>(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        stream: futures_util::stream::BoxStream<'s, async_graphql::Response>,
        next: async_graphql::extensions::NextSubscribe<'_>,
    ) -> futures_util::stream::BoxStream<'s, async_graphql::Response> {
        use futures_util::StreamExt;
        next.run(ctx, stream).map(with_codes).boxed()
    }
}
