//! The one error a decider returns. The API maps each variant to a stable code
//! (docs/ARCHITECTURE.md, "Errors"); the message is for people and may change.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The actor is not signed in and the command needs someone who is.
    #[error("sign in first")]
    Unauthenticated,
    /// The actor's roles do not allow this command here.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The command names something that does not exist (or no longer does).
    #[error("{0} not found")]
    NotFound(String),
    /// One field of the command is unacceptable.
    #[error("{field}: {message}")]
    Validation {
        field: &'static str,
        message: String,
    },
    /// The command is well-formed but the current state does not allow it.
    #[error("conflict: {0}")]
    Conflict(String),
}

impl DomainError {
    pub fn validation(field: &'static str, message: impl Into<String>) -> DomainError {
        DomainError::Validation {
            field,
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> DomainError {
        DomainError::Forbidden(message.into())
    }

    pub fn conflict(message: impl Into<String>) -> DomainError {
        DomainError::Conflict(message.into())
    }

    /// The stable code (docs/ARCHITECTURE.md, "Errors").
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Unauthenticated => "UNAUTHENTICATED",
            DomainError::Forbidden(_) => "FORBIDDEN",
            DomainError::NotFound(_) => "NOT_FOUND",
            DomainError::Validation { .. } => "VALIDATION",
            DomainError::Conflict(_) => "CONFLICT",
        }
    }
}
