//! Every HTTP request body decoded from arbitrary bytes the way the server's `JsonBody`
//! does (serde_json), and the pure input checks the server applies to what bodies carry:
//! `Dimensions::parse` and `ChatText::parse`. Nothing panics, a decoded body round-trips,
//! and each check accepts exactly what its rule says.
#![no_main]

use gather_core::chat::MAX_CHAT_CHARS;
use gather_core::geometry::MAX_SIDE;
use gather_core::{ChatText, ChatTextError, Dimensions, DimensionsError};
use gather_protocol::http::{
    AddSpaceElementRequest, ChangePasswordRequest, CreateAvatarRequest, CreateElementRequest,
    CreateMapRequest, CreateSpaceRequest, DeleteSpaceElementRequest, SigninRequest, SignupRequest,
    UpdateElementRequest, UpdateMetadataRequest,
};
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;

fuzz_target!(|data: &[u8]| {
    decode::<SignupRequest>(data);
    decode::<SigninRequest>(data);
    decode::<ChangePasswordRequest>(data);
    decode::<UpdateMetadataRequest>(data);
    decode::<AddSpaceElementRequest>(data);
    decode::<DeleteSpaceElementRequest>(data);
    decode::<CreateElementRequest>(data);
    decode::<UpdateElementRequest>(data);
    decode::<CreateAvatarRequest>(data);
    if let Some(dimensions) = decode::<CreateSpaceRequest>(data).and_then(|body| body.dimensions) {
        check_dimensions(&dimensions);
    }
    if let Some(body) = decode::<CreateMapRequest>(data) {
        check_dimensions(&body.dimensions);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        check_dimensions(text);
        check_chat_text(text);
    }
});

/// Decodes a `T`; when that works, writing it out and reading it back must give the same
/// JSON, so nothing a client sent changes on the way through.
fn decode<T: DeserializeOwned + Serialize>(data: &[u8]) -> Option<T> {
    let body: T = serde_json::from_slice(data).ok()?;
    let json = serde_json::to_string(&body).expect("a decoded body serialises");
    let again: T = serde_json::from_str(&json).expect("a body's own JSON decodes");
    assert_eq!(serde_json::to_string(&again).expect("it serialised once"), json);
    Some(body)
}

/// Accepted exactly when the text is digits, `x`, digits (blanks around allowed) and each
/// side is in range; the accepted value prints back as text that parses to itself.
fn check_dimensions(text: &str) {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let shaped = text.trim().split_once('x').is_some_and(|(w, h)| digits(w) && digits(h));
    match Dimensions::parse(text) {
        Ok(dims) => {
            assert!(shaped, "{text:?} accepted");
            assert!((1..=MAX_SIDE).contains(&dims.width) && (1..=MAX_SIDE).contains(&dims.height));
            assert_eq!(Dimensions::parse(&dims.to_string()), Ok(dims));
        }
        Err(DimensionsError::Malformed) => assert!(!shaped, "{text:?} called malformed"),
        Err(DimensionsError::OutOfRange) => assert!(shaped, "{text:?} called out of range"),
    }
}

/// Accepted text is the input trimmed, not empty and at most `MAX_CHAT_CHARS` characters.
fn check_chat_text(raw: &str) {
    let trimmed = raw.trim();
    match ChatText::parse(raw) {
        Ok(text) => {
            assert_eq!(text.as_str(), trimmed);
            assert!(!trimmed.is_empty() && trimmed.chars().count() <= MAX_CHAT_CHARS);
            assert_eq!(ChatText::parse(text.as_str()), Ok(text.clone()));
        }
        Err(ChatTextError::Empty) => assert!(trimmed.is_empty()),
        Err(ChatTextError::TooLong) => assert!(trimmed.chars().count() > MAX_CHAT_CHARS),
    }
}
