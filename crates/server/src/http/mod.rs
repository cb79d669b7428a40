//! The REST API under `/api/v1`: one file per resource, each exposing `router()`.

mod account;
mod assets;
mod catalog;
pub(crate) mod chat;
mod form;
mod json;
mod map_import;
mod media;
mod moderation;
mod openapi;
pub mod ops;
mod own_avatars;
pub mod plain_errors;
mod rules;
mod spaces;
mod users;
pub(crate) mod validate;

use axum::extract::DefaultBodyLimit;
use axum::Router;

use crate::error::ApiError;
use crate::state::AppState;

/// Request bodies are small JSON documents; anything bigger is refused before parsing.
const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(users::router())
        .merge(assets::router())
        .merge(own_avatars::router())
        .merge(map_import::router())
        .merge(account::router())
        .merge(chat::router())
        .merge(catalog::router())
        .merge(spaces::router())
        .merge(media::router())
        .merge(rules::router())
        .merge(moderation::router())
        .merge(openapi::router())
        .fallback(|| async { ApiError::NotFound })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// Uploaded images, served outside `/api/v1`.
pub fn files_router() -> Router<AppState> {
    assets::files_router()
}
