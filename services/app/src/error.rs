//! The application's one error type. Every use case returns it; `roundtable-api`
//! turns it into the stable codes of docs/ARCHITECTURE.md ("Errors") in one place,
//! and logs it there when it is the server's fault (INTERNAL).

use std::time::Duration;

use roundtable_domain::DomainError;
use roundtable_store::StoreError;
use roundtable_vault::VaultError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("too many attempts; try again in {} s", .0.as_secs().max(1))]
    RateLimited(Duration),
    #[error("wrong phone number or password")]
    BadCredentials,
    #[error("your session has expired or was ended; sign in again")]
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

    pub fn internal(what: impl std::fmt::Display) -> AppError {
        AppError::Internal(what.to_string())
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Conflict { .. } => AppError::Domain(DomainError::conflict(
                "the record changed meanwhile; try again",
            )),
            // A command whose events cannot become leaves (too large for the log's
            // limits): refused, nothing written.
            StoreError::InvalidEvent(e) => AppError::Domain(DomainError::validation(
                "input",
                format!("too much for one record: {e}"),
            )),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<VaultError> for AppError {
    fn from(e: VaultError) -> AppError {
        match e {
            VaultError::PhoneTaken => AppError::Domain(DomainError::conflict(
                "this phone number is already registered",
            )),
            other => AppError::Internal(other.to_string()),
        }
    }
}
