//! `roundtable-vault`: everything about people that must not be in the log.
//!
//! Personal data (display name, phone, real name, address, ID number) sealed with a
//! key per member; password hashes; sessions. One SQLite file (`vault.sqlite`) and
//! one key file (`vault.key`, 0600) in the data directory, beside the log. Erasing a
//! member deletes their key, record, credentials and sessions in one transaction.

mod crypto;
mod password;
mod personal;
mod vault;

pub use password::PasswordHashing;
pub use personal::{PersonalData, check_password, normalize_phone};
pub use vault::{Session, SessionTokens, VAULT_FILE, VAULT_KEY_FILE, Vault};

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("this phone number is already registered")]
    PhoneTaken,
    #[error("vault storage: {0}")]
    Storage(#[from] rusqlite::Error),
    #[error("vault crypto: {0}")]
    Crypto(String),
    #[error("vault file: {0}")]
    Io(String),
    #[error("vault record: {0}")]
    Corrupt(String),
}
