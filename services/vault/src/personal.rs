//! The personal data Roundtable holds about a member, checked at intake. None of it
//! ever enters a leaf.

use roundtable_domain::{DomainError, Refusal, checked_text};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalData {
    /// How the member is shown to others (may be their real name).
    pub display_name: String,
    /// Normalised: digits with an optional leading `+`.
    pub phone: String,
    #[serde(default)]
    pub real_name: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub id_number: Option<String>,
}

/// A phone number as typed: spaces and hyphens dropped, then `+`? and 5 to 15 digits.
pub fn normalize_phone(raw: &str) -> Result<String, DomainError> {
    let phone: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let digits = phone.strip_prefix('+').unwrap_or(&phone);
    if (5..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(phone)
    } else {
        Err(DomainError::validation("phone", Refusal::BAD_PHONE))
    }
}

fn optional(
    field: &'static str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, DomainError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => checked_text(field, text, max).map(Some),
    }
}

impl PersonalData {
    pub const DISPLAY_NAME_MAX: usize = 40;

    pub fn new(
        display_name: &str,
        phone: &str,
        real_name: Option<&str>,
        address: Option<&str>,
        id_number: Option<&str>,
    ) -> Result<PersonalData, DomainError> {
        let id_number = optional("idNumber", id_number, 30)?;
        if let Some(id) = &id_number
            && !id.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(DomainError::validation("idNumber", Refusal::BAD_ID_NUMBER));
        }
        Ok(PersonalData {
            display_name: checked_text("displayName", display_name, Self::DISPLAY_NAME_MAX)?,
            phone: normalize_phone(phone)?,
            real_name: optional("realName", real_name, 60)?,
            address: optional("address", address, 200)?,
            id_number,
        })
    }
}

/// A password as typed: 8 to 128 characters.
pub fn check_password(field: &'static str, password: &str) -> Result<(), DomainError> {
    let n = password.chars().count();
    if (8..=128).contains(&n) {
        Ok(())
    } else {
        Err(DomainError::validation(field, Refusal::BAD_PASSWORD))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_normalised_and_checked() {
        assert_eq!(normalize_phone("138 0000-0001").unwrap(), "13800000001");
        assert_eq!(
            normalize_phone("+86 13800000001").unwrap(),
            "+8613800000001"
        );
        assert!(normalize_phone("12ab5678").is_err());
        assert!(normalize_phone("1234").is_err());
        assert!(normalize_phone("").is_err());
    }

    #[test]
    fn personal_data_is_validated_by_field() {
        let field = |r: Result<PersonalData, DomainError>| match r {
            Err(DomainError::Validation { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(PersonalData::new(" ", "13800000001", None, None, None)),
            "displayName"
        );
        assert_eq!(
            field(PersonalData::new(
                &"王".repeat(41),
                "13800000001",
                None,
                None,
                None
            )),
            "displayName"
        );
        assert_eq!(
            field(PersonalData::new("王阿姨", "x", None, None, None)),
            "phone"
        );
        assert_eq!(
            field(PersonalData::new(
                "王阿姨",
                "13800000001",
                None,
                None,
                Some("21*")
            )),
            "idNumber"
        );
        let ok = PersonalData::new("王阿姨", "13800000001", Some(""), None, None).unwrap();
        assert_eq!(ok.real_name, None);
        assert!(check_password("password", "short").is_err());
        assert!(check_password("password", "long enough").is_ok());
    }
}
