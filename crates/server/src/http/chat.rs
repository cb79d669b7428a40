//! A space's chat log, newest first, a page at a time.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use gather_core::{ChatMessageId, SpaceId};
use gather_protocol::http::{ChatBody, ChatPageResponse};
use gather_store::{ChatMessage, Entity, StoreError};
use serde::Deserialize;

use super::json::PathParam;
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 200;

pub fn router() -> Router<AppState> {
    Router::new().route("/space/{id}/chat", get(chat_history))
}

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

async fn chat_history(
    State(state): State<AppState>,
    caller: AuthUser,
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
    if state.store.space_summary(space).await?.is_none() {
        return Err(ApiError::bad_request("unknown-id", "there is no space with that id"));
    }
    let page = match state.store.chat_page(space, caller.user, before, limit).await {
        Err(StoreError::NotFound(Entity::ChatMessage)) => {
            return Err(ApiError::bad_request("unknown-id", "before names no message of this space"))
        }
        other => other?,
    };
    let next = (page.len() == limit as usize).then(|| page.last().map(|m| m.id)).flatten();
    Ok(Json(ChatPageResponse { messages: page.into_iter().map(chat_body).collect(), next }))
}
