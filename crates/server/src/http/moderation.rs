//! Keeping order in a space: mute someone's voice and video, remove them (kick), keep them
//! out (ban, by account, kept in the store so it holds on every node and after restarts),
//! and the audit log of all of it. A moderator acts only on those below them; the live
//! part travels to the space's owner node like any other notice about the space.

use axum::extract::State;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use gather_bus::SpaceNotice;
use gather_core::{SpaceAction, SpaceId, UserId};
use gather_protocol::http::{Empty, ErrorBody};
use gather_protocol::rules::{AuditEntryBody, AuditResponse, ModerationRequest};
use utoipa::OpenApi;

use super::json::{JsonBody, PathParam};
use super::openapi::{TooLarge, Unavailable};
use super::rules::{audit, entry_of, require};
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Entries `GET /audit` answers with, newest first.
const AUDIT_PAGE: u32 = 200;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/space/{id}/kick", post(kick))
        .route("/space/{id}/ban", post(ban))
        .route("/space/{id}/ban/{user}", delete(unban))
        .route("/space/{id}/mute", post(mute))
        .route("/space/{id}/audit", get(audit_log))
}

/// This file's routes in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(kick, ban, unban, mute, audit_log))]
pub(super) struct Api;

/// The caller may moderate `target` in `space`: a moderator or the owner, above them.
async fn may_moderate(state: &AppState, space: SpaceId, caller: UserId, target: UserId) -> ApiResult<()> {
    let role = require(state, space, caller, SpaceAction::Moderate).await?.role;
    let theirs = entry_of(state, space, target).await?.role;
    if target == caller || !role.outranks(theirs) {
        return Err(ApiError::forbidden(format!(
            "a {} cannot moderate a {}",
            role.as_str(),
            theirs.as_str()
        )));
    }
    Ok(())
}

async fn username_of(state: &AppState, user: UserId) -> ApiResult<String> {
    let user = state.store.user(user).await?;
    Ok(user
        .ok_or_else(|| ApiError::bad_request("unknown-user", "there is no account with that id"))?
        .username)
}

#[utoipa::path(
    post,
    path = "/space/{id}/kick",
    params(("id" = String, Path, format = "uuid", description = "The space")),
    request_body = ModerationRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "They are removed from the space (told `removed`, then closed), on whichever node; they may come back", body = Empty),
        (status = 400, description = "Malformed body, unknown space or user", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or not above them as owner or moderator", body = ErrorBody),
        TooLarge,
        Unavailable,
    )
)]
async fn kick(
    State(state): State<AppState>,
    AuthUser { user: caller, .. }: AuthUser,
    PathParam(id): PathParam<SpaceId>,
    JsonBody(req): JsonBody<ModerationRequest>,
) -> ApiResult<Json<Empty>> {
    let notice = SpaceNotice::Removed { user: req.user_id, banned: false };
    act_live(&state, id, caller, req.user_id, ("kick", "kicked"), notice).await
}

#[utoipa::path(
    post,
    path = "/space/{id}/ban",
    params(("id" = String, Path, format = "uuid", description = "The space")),
    request_body = ModerationRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "They are removed and may not join again, on any node, until unbanned", body = Empty),
        (status = 400, description = "Malformed body, unknown space or user", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or not above them as owner or moderator", body = ErrorBody),
        TooLarge,
        Unavailable,
    )
)]
async fn ban(
    State(state): State<AppState>,
    AuthUser { user: caller, .. }: AuthUser,
    PathParam(id): PathParam<SpaceId>,
    JsonBody(req): JsonBody<ModerationRequest>,
) -> ApiResult<Json<Empty>> {
    let target = req.user_id;
    let name = username_of(&state, target).await?;
    may_moderate(&state, id, caller, target).await?;
    // Stored first: from here on no node lets them in, whatever happens to the notice.
    state.store.ban(target, &audit(id, caller, "ban", Some(target), format!("banned {name}"))).await?;
    super::spaces::notify(&state, id, SpaceNotice::Removed { user: target, banned: true }).await;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    delete,
    path = "/space/{id}/ban/{user}",
    params(
        ("id" = String, Path, format = "uuid", description = "The space"),
        ("user" = String, Path, format = "uuid", description = "The banned account"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "They may join again", body = Empty),
        (status = 400, description = "Malformed ids, unknown space, or nobody banned by that id (`not-banned`)", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or not the owner or a moderator", body = ErrorBody),
        Unavailable,
    )
)]
async fn unban(
    State(state): State<AppState>,
    AuthUser { user: caller, .. }: AuthUser,
    PathParam((id, target)): PathParam<(SpaceId, UserId)>,
) -> ApiResult<Json<Empty>> {
    require(&state, id, caller, SpaceAction::Moderate).await?;
    let name = username_of(&state, target).await?;
    let entry = audit(id, caller, "unban", Some(target), format!("unbanned {name}"));
    if !state.store.unban(target, &entry).await? {
        return Err(ApiError::bad_request("not-banned", format!("{name} is not banned from this space")));
    }
    Ok(Json(Empty {}))
}

#[utoipa::path(
    post,
    path = "/space/{id}/mute",
    params(("id" = String, Path, format = "uuid", description = "The space")),
    request_body = ModerationRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Their microphone, camera and screen stop being forwarded until they turn them on again; they are told (`media-muted`)", body = Empty),
        (status = 400, description = "Malformed body, unknown space or user", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or not above them as owner or moderator", body = ErrorBody),
        TooLarge,
        Unavailable,
    )
)]
async fn mute(
    State(state): State<AppState>,
    AuthUser { user: caller, .. }: AuthUser,
    PathParam(id): PathParam<SpaceId>,
    JsonBody(req): JsonBody<ModerationRequest>,
) -> ApiResult<Json<Empty>> {
    act_live(&state, id, caller, req.user_id, ("mute", "muted"), SpaceNotice::MediaMuted(req.user_id)).await
}

/// A moderation that changes nothing stored, only the live space: checked, logged as
/// `action` ("<verb> <their name>"), then told to the room.
async fn act_live(
    state: &AppState,
    space: SpaceId,
    caller: UserId,
    target: UserId,
    (action, verb): (&'static str, &str),
    notice: SpaceNotice,
) -> ApiResult<Json<Empty>> {
    let name = username_of(state, target).await?;
    may_moderate(state, space, caller, target).await?;
    state.store.append_audit(&audit(space, caller, action, Some(target), format!("{verb} {name}"))).await?;
    super::spaces::notify(state, space, notice).await;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    get,
    path = "/space/{id}/audit",
    params(("id" = String, Path, format = "uuid", description = "The space")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "What owners and moderators did, newest first (the last 200)", body = AuditResponse),
        (status = 400, description = "Malformed or unknown space id", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or not the space's owner", body = ErrorBody),
        Unavailable,
    )
)]
async fn audit_log(
    State(state): State<AppState>,
    AuthUser { user: caller, .. }: AuthUser,
    PathParam(id): PathParam<SpaceId>,
) -> ApiResult<Json<AuditResponse>> {
    require(&state, id, caller, SpaceAction::Administer).await?;
    let entries = state.store.audit_log(id, AUDIT_PAGE).await?;
    Ok(Json(AuditResponse {
        entries: entries
            .into_iter()
            .map(|e| AuditEntryBody {
                actor_id: e.actor_id,
                actor: e.actor,
                action: e.action,
                target_id: e.target_id,
                detail: e.detail,
                at: e.at,
            })
            .collect(),
    }))
}
