//! Who may enter a space, asked the same way by the WebSocket join and by the HTTP routes
//! that show what is inside (the layout, the chat log). The rule is the core's
//! ([`gather_core::may_enter`]); this reads the facts it needs and checks a grant.

use gather_core::{EntryRefusal, SpaceId, UserId};
use gather_store::{Entry, StoreError};

use crate::error::ApiError;
use crate::state::AppState;

pub enum EntryError {
    UnknownSpace,
    Refused(EntryRefusal),
    Store(StoreError),
}

/// What the store says of the caller and the space (their role, its gate) when they may
/// enter it. `grant` is a password grant
/// (`POST /space/{id}/grant`), if they have one.
pub async fn check(
    state: &AppState,
    space: SpaceId,
    user: UserId,
    grant: Option<&str>,
) -> Result<Entry, EntryError> {
    let entry =
        state.store.entry(space, user).await.map_err(EntryError::Store)?.ok_or(EntryError::UnknownSpace)?;
    let granted =
        grant.is_some_and(|grant| state.grants.opens(grant, user, space, entry.gate.password_version));
    gather_core::may_enter(entry.gate.access, entry.role, entry.banned, granted)
        .map_err(EntryError::Refused)?;
    Ok(entry)
}

/// The `error` code a refusal goes by, over WebSocket and HTTP alike.
pub fn refusal_code(refusal: EntryRefusal) -> &'static str {
    match refusal {
        EntryRefusal::Banned => "banned",
        EntryRefusal::MembersOnly => "members-only",
        EntryRefusal::PasswordRequired => "password-required",
    }
}

impl From<EntryError> for ApiError {
    fn from(error: EntryError) -> Self {
        match error {
            EntryError::UnknownSpace => ApiError::bad_request("unknown-id", "there is no space with that id"),
            EntryError::Refused(refusal) => {
                ApiError::Refused { code: refusal_code(refusal), message: refusal.to_string() }
            }
            EntryError::Store(e) => e.into(),
        }
    }
}
