//! The caller's own sessions: sign out, see where you are signed in, cut off a device,
//! change your password.

use axum::extract::State;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use gather_core::SessionId;
use gather_protocol::http::{ChangePasswordRequest, Empty, ErrorBody, SessionBody, SessionsResponse};
use utoipa::OpenApi;

use super::json::{JsonBody, PathParam};
use super::openapi::{TooLarge, Unavailable};
use super::validate;
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/signout", post(sign_out))
        .route("/sessions", get(list_sessions))
        .route("/sessions/{id}", delete(revoke_session))
        .route("/user/password", post(change_password))
}

/// This file's routes in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(sign_out, list_sessions, revoke_session, change_password))]
pub(super) struct Api;

#[utoipa::path(
    post,
    path = "/signout",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The token's session is revoked", body = Empty),
        (status = 403, description = "Missing or bad token", body = ErrorBody),
        Unavailable,
    )
)]
async fn sign_out(State(state): State<AppState>, caller: AuthUser) -> ApiResult<Json<Empty>> {
    state.sessions.revoke(caller.session).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    get,
    path = "/sessions",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's live sessions, newest first", body = SessionsResponse),
        (status = 403, description = "Missing or bad token", body = ErrorBody),
        Unavailable,
    )
)]
async fn list_sessions(State(state): State<AppState>, caller: AuthUser) -> ApiResult<Json<SessionsResponse>> {
    let sessions = state.store.active_sessions(caller.user).await?;
    let sessions = sessions
        .into_iter()
        .map(|s| SessionBody {
            id: s.id,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            user_agent: s.user_agent,
            current: s.id == caller.session,
        })
        .collect();
    Ok(Json(SessionsResponse { sessions }))
}

#[utoipa::path(
    delete,
    path = "/sessions/{id}",
    params(("id" = String, Path, format = "uuid", description = "The session to revoke")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The session is revoked", body = Empty),
        (status = 400, description = "Malformed or unknown session id", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or someone else's session", body = ErrorBody),
        Unavailable,
    )
)]
async fn revoke_session(
    State(state): State<AppState>,
    caller: AuthUser,
    PathParam(id): PathParam<SessionId>,
) -> ApiResult<Json<Empty>> {
    let session = state
        .store
        .session(id)
        .await?
        .ok_or_else(|| ApiError::bad_request("unknown-id", "there is no session with that id"))?;
    if session.user_id != caller.user {
        return Err(ApiError::forbidden("that session belongs to someone else"));
    }
    state.sessions.revoke(id).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    post,
    path = "/user/password",
    request_body = ChangePasswordRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The password is changed and every other session revoked", body = Empty),
        (status = 400, description = "Malformed body or invalid new password", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or the current password is wrong", body = ErrorBody),
        TooLarge,
        Unavailable,
    )
)]
async fn change_password(
    State(state): State<AppState>,
    caller: AuthUser,
    JsonBody(req): JsonBody<ChangePasswordRequest>,
) -> ApiResult<Json<Empty>> {
    let new_password = validate::password(&req.new_password)?;
    let user = state.store.user(caller.user).await?.ok_or_else(|| ApiError::forbidden("unknown user"))?;
    if !state.passwords.verify(&req.old_password, Some(&user.password_hash)).await? {
        return Err(ApiError::forbidden("the current password is wrong"));
    }
    let hash = state.passwords.hash(new_password).await?;
    state.store.set_password_hash(user.id, &hash).await?;
    // Whoever else knew the old password is signed out everywhere but here.
    state.sessions.revoke_others(user.id, caller.session).await?;
    Ok(Json(Empty {}))
}
