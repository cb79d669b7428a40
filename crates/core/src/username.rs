//! Account names: what may be one, and when two names are the same account. A name is kept
//! in Unicode NFC; two names are the same when they match under full Unicode case folding
//! (`Ärger` and `ärger`, `STRASSE` and `straße`), decided here rather than by a database's
//! `lower()`, which folds only ASCII on SQLite and follows the locale on PostgreSQL.

use caseless::Caseless;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

pub const MAX_USERNAME_CHARS: usize = 64;

/// A valid account name, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("the username must be 1 to {MAX_USERNAME_CHARS} characters")]
    Length,
    #[error("the username may not contain spaces")]
    Space,
    /// Zero-width, joiner, bidi, soft hyphen, private-use or unassigned characters: they
    /// would let a name display exactly like someone else's.
    #[error("the username may not contain invisible, control or direction-changing characters")]
    Invisible,
}

impl Username {
    /// Trims, normalises to NFC and checks a name offered for a new account.
    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        let name: String = raw.trim().nfc().collect();
        let count = name.chars().count();
        if count == 0 || count > MAX_USERNAME_CHARS {
            return Err(UsernameError::Length);
        }
        if name.chars().any(char::is_whitespace) {
            return Err(UsernameError::Space);
        }
        if name.chars().any(is_invisible) {
            return Err(UsernameError::Invisible);
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// The form under which names are unique: canonical caseless matching (Unicode's D145),
/// stored in NFC. Defined for any text, so a sign-in with any spelling finds the account.
pub fn username_key(name: &str) -> String {
    name.trim().nfd().default_case_fold().nfd().nfc().collect()
}

fn is_invisible(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::PrivateUse
            | GeneralCategory::Unassigned
            | GeneralCategory::Surrogate
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_normalised() {
        assert_eq!(Username::parse("  kirat-0.5 ").unwrap().as_str(), "kirat-0.5");
        // "e" + combining acute becomes the one precomposed "é".
        assert_eq!(Username::parse("re\u{301}my").unwrap().as_str(), "r\u{e9}my");
    }

    #[test]
    fn look_alike_characters_are_refused() {
        for hidden in
            ['\u{200B}', '\u{200D}', '\u{FEFF}', '\u{202E}', '\u{2066}', '\u{00AD}', '\u{E000}', '\u{0007}']
        {
            assert_eq!(
                Username::parse(&format!("alice{hidden}")),
                Err(UsernameError::Invisible),
                "{hidden:?}"
            );
        }
        assert_eq!(Username::parse("two words"), Err(UsernameError::Space));
        assert_eq!(Username::parse("a\u{3000}b"), Err(UsernameError::Space));
    }

    #[test]
    fn lengths_count_characters() {
        assert_eq!(Username::parse(""), Err(UsernameError::Length));
        assert!(Username::parse(&"é".repeat(64)).is_ok());
        assert_eq!(Username::parse(&"x".repeat(65)), Err(UsernameError::Length));
    }

    #[test]
    fn keys_match_under_full_case_folding_and_normalisation() {
        assert_eq!(username_key("Ärger"), username_key("ärger"));
        assert_eq!(username_key("A\u{308}rger"), username_key("\u{e4}rger"));
        assert_eq!(username_key("STRASSE"), username_key("straße"));
        assert_eq!(username_key("ΣΊΣΥΦΟΣ"), username_key("σίσυφος"));
        assert_ne!(username_key("alice"), username_key("alicf"));
    }
}
