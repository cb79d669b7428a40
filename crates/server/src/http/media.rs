//! `GET /media`: whether this server relays voice and video, and the ICE servers a browser
//! needs to reach it. Signed-in people only: TURN credentials let their holder relay
//! traffic through the TURN server.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use gather_protocol::http::{ErrorBody, MediaConfigResponse};
use utoipa::OpenApi;

use super::openapi::Unavailable;
use crate::auth::AuthUser;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/media", get(media_config))
}

#[derive(OpenApi)]
#[openapi(paths(media_config))]
pub(super) struct Api;

#[utoipa::path(
    get,
    path = "/media",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Whether voice and video are on, and the ICE servers to use", body = MediaConfigResponse),
        (status = 403, description = "Missing or bad token", body = ErrorBody),
        Unavailable,
    )
)]
async fn media_config(
    State(state): State<AppState>,
    AuthUser { user, .. }: AuthUser,
) -> Json<MediaConfigResponse> {
    let now = state.clock.unix_secs();
    let ice_servers = state
        .media
        .as_ref()
        .and_then(|media| media.turn.as_ref())
        .map(|turn| vec![turn.credentials(user, now)])
        .unwrap_or_default();
    Json(MediaConfigResponse { enabled: state.media.is_some(), ice_servers })
}
