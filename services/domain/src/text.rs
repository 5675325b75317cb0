//! Short public texts that go into the log: names of places and bodies, reasons.
//! They are trimmed, free of control characters and bounded, so a leaf stays small
//! and a name renders the same everywhere.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{DomainError, Refusal};

/// Characters that reorder the text around them (bidirectional embeddings,
/// overrides, isolates and marks): U+202E can make a name or a reason read
/// differently from what it says, so public texts refuse them.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Checks a free text: trimmed, `1..=max` characters, no control characters and
/// no bidirectional controls.
pub fn checked_text(field: &'static str, raw: &str, max: usize) -> Result<String, DomainError> {
    let text = raw.trim();
    let chars = text.chars().count();
    if chars == 0 {
        return Err(DomainError::validation(field, Refusal::TEXT_EMPTY));
    }
    if chars > max {
        return Err(DomainError::validation(field, Refusal::TEXT_TOO_LONG)
            .with("max", max)
            .with("got", chars));
    }
    if text.chars().any(char::is_control) {
        return Err(DomainError::validation(field, Refusal::TEXT_CONTROL));
    }
    if text.chars().any(is_bidi_control) {
        return Err(DomainError::validation(field, Refusal::TEXT_BIDI));
    }
    Ok(text.to_owned())
}

/// Like [`checked_text`] for texts of several paragraphs: line breaks are kept
/// (`\r\n` becomes `\n`); other control characters are refused.
pub fn checked_multiline(
    field: &'static str,
    raw: &str,
    max: usize,
) -> Result<String, DomainError> {
    let unified = raw.replace("\r\n", "\n");
    let lines: Vec<&str> = unified.split('\n').collect();
    let mut checked = Vec::with_capacity(lines.len());
    for line in lines {
        match line.trim() {
            "" => checked.push(String::new()),
            l => checked.push(checked_text(field, l, max)?),
        }
    }
    checked_text(field, &checked.join("\n").replace('\n', " "), max)?;
    Ok(checked.join("\n").trim().to_owned())
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(raw: &str) -> Result<$name, DomainError> {
                checked_text($field, raw, $max).map($name)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = DomainError;
            fn try_from(s: String) -> Result<$name, DomainError> {
                $name::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(t: $name) -> String {
                t.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:?}", self.0)
            }
        }
    };
}

text_type!(
    /// The public name of a jurisdiction or a council (铁岭市, 银网社区圆桌议事会).
    Name, "name", 80
);
text_type!(
    /// Why a role was granted or revoked, rules changed, a member erased: public.
    Reason, "reason", 500
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_bounded_and_printable() {
        assert_eq!(Name::parse("  银网社区 ").unwrap().as_str(), "银网社区");
        assert!(Name::parse("   ").is_err());
        assert!(Name::parse(&"路".repeat(81)).is_err());
        assert!(Name::parse(&"路".repeat(80)).is_ok());
        assert!(Name::parse("a\u{7}b").is_err());
        let err = Reason::parse("").unwrap_err();
        assert_eq!(err.code(), "VALIDATION");
    }

    #[test]
    fn texts_that_reverse_their_direction_are_refused() {
        for c in [
            '\u{202E}', '\u{202A}', '\u{2066}', '\u{2069}', '\u{200F}', '\u{061C}',
        ] {
            let text = format!("居民{c}gpj.exe");
            assert!(Name::parse(&text).is_err(), "{:?}", c);
            assert!(checked_multiline("description", &text, 100).is_err());
        }
        // Arabic or Hebrew letters themselves are fine: only the controls are refused.
        assert!(Name::parse("مرحبا 你好").is_ok());
    }
}
