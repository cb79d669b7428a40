//! The metaverse contract's wire spellings: HTTP request and response bodies, and the
//! WebSocket `{type, payload}` frames. Only this crate knows that a user id is `userId`.
//! It converts core values to wire values and never decides anything.

pub mod assets;
pub mod close;
pub mod http;
pub mod node;
pub mod rules;
#[cfg(feature = "ts")]
pub mod typescript;
pub mod ws;

pub use ws::{parse_client_frame, ClientFrame, FrameError, MediaSignal, ServerFrame, Status, StatusPayload};
