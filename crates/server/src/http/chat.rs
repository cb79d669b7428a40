//! A space's chat log, newest first, a page at a time.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use gather_core::{ChatMessageId, SpaceId};
use gather_protocol::http::{ChatBody, ChatPageResponse, ErrorBody};
use gather_store::{ChatMessage, Entity, StoreError};
use serde::Deserialize;
use utoipa::OpenApi;

use super::json::PathParam;
use super::openapi::Unavailable;
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 200;

pub fn router() -> Router<AppState> {
    Router::new().route("/space/{id}/chat", get(chat_history))
}

/// This file's routes in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(chat_history))]
pub(super) struct Api;

#[derive(Deserialize)]
struct PageQuery {
    before: Option<String>,
    limit: Option<String>,
}

pub fn chat_body(message: ChatMessage) -> ChatBody {
    ChatBody {
        id: message.id,
        user_id: message.user_id,
        username: message.username,
        text: message.text,
        scope: message.scope,
        to: message.to,
        ts: message.ts,
    }
}

#[utoipa::path(
    get,
    path = "/space/{id}/chat",
    params(
        ("id" = String, Path, format = "uuid", description = "The space"),
        ("before" = Option<String>, Query, format = "uuid", description = "Start after this message: the previous page's `next`"),
        ("limit" = Option<u32>, Query, minimum = 1, description = "Messages per page; default 50, at most 200 are sent"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of messages the caller may see, newest first", body = ChatPageResponse),
        (status = 400, description = "Malformed id, limit or query, unknown space, or `before` names no message of it", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or not let into the space (`banned`, `members-only`, `password-required`)", body = ErrorBody),
        Unavailable,
    )
)]
async fn chat_history(
    State(state): State<AppState>,
    caller: AuthUser,
    headers: HeaderMap,
    PathParam(space): PathParam<SpaceId>,
    Query(query): Query<PageQuery>,
) -> ApiResult<Json<ChatPageResponse>> {
    let limit = match query.limit.as_deref() {
        None => DEFAULT_PAGE,
        Some(text) => match text.parse::<u32>() {
            Ok(0) | Err(_) => {
                return Err(ApiError::bad_request("invalid-limit", "limit must be a positive number"))
            }
            Ok(n) => n.min(MAX_PAGE),
        },
    };
    let before = query
        .before
        .as_deref()
        .map(|id| id.parse::<ChatMessageId>())
        .transpose()
        .map_err(|_| ApiError::bad_request("invalid-id", "before must be a message id"))?;
    // Only those who may enter read what was said inside.
    crate::entry::check(&state, space, caller.user, super::rules::grant_of(&headers)).await?;
    let page = match state.store.chat_page(space, caller.user, before, limit).await {
        Err(StoreError::NotFound(Entity::ChatMessage)) => {
            return Err(ApiError::bad_request("unknown-id", "before names no message of this space"))
        }
        other => other?,
    };
    let next = (page.len() == limit as usize).then(|| page.last().map(|m| m.id)).flatten();
    Ok(Json(ChatPageResponse { messages: page.into_iter().map(chat_body).collect(), next }))
}
