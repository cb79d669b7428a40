//! A person's own avatars, made from images they uploaded: listed only to them, worn with
//! `POST /user/metadata` like a shared one, and seen by everyone on their name label.

use axum::extract::State;
use axum::routing::{delete, get};
use axum::{Json, Router};
use gather_core::AvatarId;
use gather_protocol::http::{AvatarsResponse, CreateAvatarRequest, CreateAvatarResponse, Empty, ErrorBody};
use gather_store::Avatar;
use utoipa::OpenApi;

use super::catalog::avatar_body;
use super::json::{JsonBody, PathParam};
use super::openapi::{TooLarge, Unavailable};
use super::validate;
use crate::assets::asset_hash;
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/user/avatars", get(list).post(create)).route("/user/avatars/{id}", delete(remove))
}

#[derive(OpenApi)]
#[openapi(paths(list, create, remove))]
pub(super) struct Api;

#[utoipa::path(
    get,
    path = "/user/avatars",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's own avatars, oldest first", body = AvatarsResponse),
        (status = 403, description = "Missing or bad token", body = ErrorBody),
        Unavailable,
    )
)]
async fn list(State(state): State<AppState>, caller: AuthUser) -> ApiResult<Json<AvatarsResponse>> {
    let avatars = state.store.own_avatars(caller.user).await?;
    let avatars = avatars.into_iter().map(avatar_body).collect();
    Ok(Json(AvatarsResponse { avatars }))
}

#[utoipa::path(
    post,
    path = "/user/avatars",
    request_body = CreateAvatarRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The avatar is made; wear it with POST /user/metadata", body = CreateAvatarResponse),
        (status = 400, description = "Malformed body, invalid name, or an image URL that is not \
            an uploaded image (`/assets/<hash>.png` from POST /assets)", body = ErrorBody),
        (status = 403, description = "Missing or bad token", body = ErrorBody),
        (status = 409, description = "The caller has as many own avatars as one account may", body = ErrorBody),
        TooLarge,
        Unavailable,
    )
)]
async fn create(
    State(state): State<AppState>,
    caller: AuthUser,
    JsonBody(req): JsonBody<CreateAvatarRequest>,
) -> ApiResult<Json<CreateAvatarResponse>> {
    // Only an uploaded image: it has passed the checks, and an address elsewhere could
    // change what everyone sees next to this person's name, or follow who looks at it.
    let image_url = req.image_url.trim();
    if asset_hash(image_url).is_none() {
        return Err(ApiError::bad_request(
            "invalid-url",
            "imageUrl must be an uploaded image: the url POST /api/v1/assets returned",
        ));
    }
    state.assets.check_reference("imageUrl", image_url).await?;
    let avatar = Avatar {
        id: AvatarId::new(),
        image_url: image_url.to_owned(),
        name: validate::name("name", &req.name)?,
        owner: Some(caller.user),
    };
    state.store.create_own_avatar(&avatar, state.config.max_avatars_per_user).await?;
    Ok(Json(CreateAvatarResponse { avatar_id: avatar.id }))
}

#[utoipa::path(
    delete,
    path = "/user/avatars/{id}",
    params(("id" = String, Path, format = "uuid", description = "One of the caller's own avatars")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The avatar is gone; if the caller wore it, they wear none", body = Empty),
        (status = 400, description = "Malformed id, or not one of the caller's own avatars", body = ErrorBody),
        (status = 403, description = "Missing or bad token", body = ErrorBody),
        Unavailable,
    )
)]
async fn remove(
    State(state): State<AppState>,
    caller: AuthUser,
    PathParam(id): PathParam<AvatarId>,
) -> ApiResult<Json<Empty>> {
    state.store.delete_own_avatar(caller.user, id).await?;
    Ok(Json(Empty {}))
}
