//! The application's one error type. Every use case returns it; `roundtable-api`
//! turns it into the stable codes of docs/ARCHITECTURE.md ("Errors") in one place,
//! and logs it there when it is the server's fault (INTERNAL).

use std::time::Duration;

use roundtable_domain::{DomainError, Refusal};
use roundtable_store::StoreError;
use roundtable_vault::VaultError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("too many attempts; try again in {} s", .0.as_secs().max(1))]
    RateLimited(Duration),
    #[error("{}", Refusal::BAD_CREDENTIALS.english())]
    BadCredentials,
    #[error("{}", Refusal::SESSION_EXPIRED.english())]
    SessionExpired,
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// The stable code (docs/ARCHITECTURE.md, "Errors").
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Domain(e) => e.code(),
            AppError::RateLimited(_) => "RATE_LIMITED",
            AppError::BadCredentials | AppError::SessionExpired => "UNAUTHENTICATED",
            AppError::Internal(_) => "INTERNAL",
        }
    }

    /// Why it was refused, with the values the message names: what the app
    /// translates (docs/ARCHITECTURE.md, "Errors").
    pub fn refusal(&self) -> (Refusal, Vec<(&'static str, String)>) {
        match self {
            AppError::Domain(e) => (e.refusal(), e.params().to_vec()),
            AppError::RateLimited(wait) => (
                Refusal::RATE_LIMITED,
                vec![("seconds", wait.as_secs().max(1).to_string())],
            ),
            AppError::BadCredentials => (Refusal::BAD_CREDENTIALS, Vec::new()),
            AppError::SessionExpired => (Refusal::SESSION_EXPIRED, Vec::new()),
            AppError::Internal(_) => (Refusal::INTERNAL, Vec::new()),
        }
    }

    pub fn internal(what: impl std::fmt::Display) -> AppError {
        AppError::Internal(what.to_string())
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Conflict { .. } => {
                AppError::Domain(DomainError::conflict(Refusal::CHANGED_MEANWHILE))
            }
            // A command whose events cannot become leaves (too large for the log's
            // limits): refused, nothing written.
            StoreError::InvalidEvent(e) => AppError::Domain(
                DomainError::validation("input", Refusal::RECORD_TOO_LARGE).with("detail", e),
            ),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<VaultError> for AppError {
    fn from(e: VaultError) -> AppError {
        match e {
            VaultError::PhoneTaken => AppError::Domain(DomainError::conflict(Refusal::PHONE_TAKEN)),
            other => AppError::Internal(other.to_string()),
        }
    }
}
