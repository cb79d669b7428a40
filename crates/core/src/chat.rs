//! Chat rules: what a message may say, and who hears it. `Space::chat_audience` applies the
//! scopes to where people stand.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Longest message, in characters (not bytes: "é" counts once).
pub const MAX_CHAT_CHARS: usize = 500;

/// Who a message is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChatScope {
    /// Everyone in the space.
    #[default]
    Space,
    /// Everyone within the nearby radius of the sender's tile when it is sent.
    Nearby,
    /// One person in the same space.
    Direct,
}

impl ChatScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Space => "space",
            Self::Nearby => "nearby",
            Self::Direct => "direct",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "space" => Some(Self::Space),
            "nearby" => Some(Self::Nearby),
            "direct" => Some(Self::Direct),
            _ => None,
        }
    }
}

/// A message's text: trimmed, not empty, at most [`MAX_CHAT_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatText(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChatTextError {
    #[error("the message is empty")]
    Empty,
    #[error("the message is longer than {MAX_CHAT_CHARS} characters")]
    TooLong,
}

impl ChatText {
    pub fn parse(raw: &str) -> Result<Self, ChatTextError> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(ChatTextError::Empty);
        }
        if text.chars().count() > MAX_CHAT_CHARS {
            return Err(ChatTextError::TooLong);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for ChatText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a message cannot be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ChatError {
    #[error("you are not in this space")]
    SenderAbsent,
    #[error("a direct message needs a \"to\" naming someone in this space")]
    NoRecipient,
    #[error("that person is not in this space")]
    RecipientAbsent,
    #[error("you cannot send a direct message to yourself")]
    ToSelf,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_counted_in_characters() {
        assert_eq!(ChatText::parse("  hi  ").unwrap().as_str(), "hi");
        assert_eq!(ChatText::parse(" \n\t "), Err(ChatTextError::Empty));
        assert!(ChatText::parse(&"é".repeat(MAX_CHAT_CHARS)).is_ok());
        assert_eq!(ChatText::parse(&"é".repeat(MAX_CHAT_CHARS + 1)), Err(ChatTextError::TooLong));
    }

    #[test]
    fn scopes_round_trip() {
        for scope in [ChatScope::Space, ChatScope::Nearby, ChatScope::Direct] {
            assert_eq!(ChatScope::parse(scope.as_str()), Some(scope));
        }
        assert_eq!(ChatScope::parse("shout"), None);
    }
}
