//! The catalogue: avatars, elements and maps. Anyone may read it; only admins change it.

use axum::extract::{DefaultBodyLimit, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use gather_core::{AvatarId, ElementId, MapId};
use gather_protocol::http::{
    AvatarBody, AvatarsResponse, CreateAvatarRequest, CreateAvatarResponse, CreateElementRequest,
    CreateMapRequest, ElementBody, ElementsResponse, Empty, ErrorBody, IdResponse, MapBody, MapElementBody,
    MapsResponse, UpdateElementRequest,
};
use gather_store::{Avatar, Element, Limit, Map, MapElement, NewMap};
use utoipa::OpenApi;

use super::json::{JsonBody, PathParam};
use super::openapi::{TooLarge, Unavailable};
use super::validate;
use crate::auth::AdminUser;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/avatars", get(list_avatars))
        .route("/elements", get(list_elements))
        .route("/maps", get(list_maps))
        .route("/admin/avatar", post(create_avatar))
        .route("/admin/element", post(create_element))
        .route("/admin/element/{id}", put(update_element))
        .route(
            "/admin/map",
            post(create_map).layer(DefaultBodyLimit::max(super::rules::MAX_EFFECTS_BODY_BYTES)),
        )
}

/// This file's routes in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(
    list_avatars,
    list_elements,
    list_maps,
    create_avatar,
    create_element,
    update_element,
    create_map
))]
pub(super) struct Api;

pub fn avatar_body(avatar: Avatar) -> AvatarBody {
    AvatarBody { id: avatar.id, image_url: avatar.image_url, name: avatar.name }
}

pub fn element_body(element: &Element) -> ElementBody {
    ElementBody {
        id: element.id,
        image_url: element.image_url.clone(),
        width: element.width,
        height: element.height,
        solid: element.solid,
    }
}

fn map_body(map: Map) -> MapBody {
    MapBody {
        id: map.id,
        name: map.name,
        dimensions: map.dims.to_string(),
        thumbnail: map.thumbnail,
        floor_image_url: map.floor_image_url,
        default_elements: map
            .elements
            .into_iter()
            .map(|e| MapElementBody { element_id: e.element_id, x: e.at.x, y: e.at.y })
            .collect(),
    }
}

#[utoipa::path(
    get,
    path = "/avatars",
    responses(
        (status = 200, description = "Every avatar", body = AvatarsResponse),
        Unavailable,
    )
)]
async fn list_avatars(State(state): State<AppState>) -> ApiResult<Json<AvatarsResponse>> {
    let avatars = state.store.avatars().await?;
    let avatars = avatars.into_iter().map(avatar_body).collect();
    Ok(Json(AvatarsResponse { avatars }))
}

#[utoipa::path(
    get,
    path = "/elements",
    responses(
        (status = 200, description = "Every element (kind of furniture)", body = ElementsResponse),
        Unavailable,
    )
)]
async fn list_elements(State(state): State<AppState>) -> ApiResult<Json<ElementsResponse>> {
    let elements = state.store.elements().await?;
    Ok(Json(ElementsResponse { elements: elements.iter().map(element_body).collect() }))
}

#[utoipa::path(
    get,
    path = "/maps",
    responses(
        (status = 200, description = "Every map, with its default furniture", body = MapsResponse),
        Unavailable,
    )
)]
async fn list_maps(State(state): State<AppState>) -> ApiResult<Json<MapsResponse>> {
    let maps = state.store.maps().await?;
    Ok(Json(MapsResponse { maps: maps.into_iter().map(map_body).collect() }))
}

#[utoipa::path(
    post,
    path = "/admin/avatar",
    request_body = CreateAvatarRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The avatar is added", body = CreateAvatarResponse),
        (status = 400, description = "Malformed body, invalid name or image URL", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or not an admin", body = ErrorBody),
        TooLarge,
        Unavailable,
    )
)]
async fn create_avatar(
    State(state): State<AppState>,
    _admin: AdminUser,
    JsonBody(req): JsonBody<CreateAvatarRequest>,
) -> ApiResult<Json<CreateAvatarResponse>> {
    let avatar = Avatar {
        id: AvatarId::new(),
        image_url: validate::image_url("imageUrl", &req.image_url)?,
        name: validate::name("name", &req.name)?,
        owner: None,
    };
    state.assets.check_reference("imageUrl", &avatar.image_url).await?;
    state.store.create_avatar(&avatar).await?;
    Ok(Json(CreateAvatarResponse { avatar_id: avatar.id }))
}

#[utoipa::path(
    post,
    path = "/admin/element",
    request_body = CreateElementRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The element is added", body = IdResponse<String>),
        (status = 400, description = "Malformed body, invalid image URL or size (each side 1 to 100)", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or not an admin", body = ErrorBody),
        TooLarge,
        Unavailable,
    )
)]
async fn create_element(
    State(state): State<AppState>,
    _admin: AdminUser,
    JsonBody(req): JsonBody<CreateElementRequest>,
) -> ApiResult<Json<IdResponse<ElementId>>> {
    validate::element_size(req.width, req.height)?;
    let element = Element {
        id: ElementId::new(),
        image_url: validate::image_url("imageUrl", &req.image_url)?,
        width: req.width,
        height: req.height,
        solid: req.solid,
    };
    state.assets.check_reference("imageUrl", &element.image_url).await?;
    state.store.create_element(&element).await?;
    Ok(Json(IdResponse { id: element.id }))
}

// `AdminUser` comes first: a non-admin gets 403 before the id is even looked at.
#[utoipa::path(
    put,
    path = "/admin/element/{id}",
    params(("id" = String, Path, format = "uuid", description = "The element")),
    request_body = UpdateElementRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The image is changed everywhere the element is placed", body = Empty),
        (status = 400, description = "Malformed body or id, invalid image URL, or unknown element", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or not an admin", body = ErrorBody),
        TooLarge,
        Unavailable,
    )
)]
async fn update_element(
    _admin: AdminUser,
    State(state): State<AppState>,
    PathParam(id): PathParam<ElementId>,
    JsonBody(req): JsonBody<UpdateElementRequest>,
) -> ApiResult<Json<Empty>> {
    let image_url = validate::image_url("imageUrl", &req.image_url)?;
    state.assets.check_reference("imageUrl", &image_url).await?;
    state.store.set_element_image(id, &image_url).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    post,
    path = "/admin/map",
    request_body = CreateMapRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The map is added", body = IdResponse<String>),
        (status = 400, description = "Malformed body, invalid name, dimensions or thumbnail, a position outside 0..1000, unknown element, or furniture that does not fit", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or not an admin", body = ErrorBody),
        (status = 409, description = "More default elements than one space may hold", body = ErrorBody),
        TooLarge,
        Unavailable,
    )
)]
async fn create_map(
    State(state): State<AppState>,
    _admin: AdminUser,
    JsonBody(req): JsonBody<CreateMapRequest>,
) -> ApiResult<Json<IdResponse<MapId>>> {
    let max = state.config.max_elements_per_space;
    if req.default_elements.len() > max as usize {
        return Err(ApiError::LimitReached(Limit::ElementsPerSpace(max)));
    }
    let elements = req
        .default_elements
        .iter()
        .map(|e| Ok(MapElement { element_id: e.element_id, at: validate::position(e.x, e.y)? }))
        .collect::<ApiResult<_>>()?;
    let dims = validate::dimensions(&req.dimensions)?;
    let map = NewMap {
        id: MapId::new(),
        name: validate::name("name", &req.name)?,
        dims,
        thumbnail: validate::image_url("thumbnail", &req.thumbnail)?,
        floor_image_url: req
            .floor_image_url
            .as_deref()
            .map(|u| validate::image_url("floorImageUrl", u))
            .transpose()?,
        elements,
        effects: validate::effects(dims, req.effects.unwrap_or_default())?,
    };
    state.assets.check_reference("thumbnail", &map.thumbnail).await?;
    if let Some(floor) = &map.floor_image_url {
        state.assets.check_reference("floorImageUrl", floor).await?;
    }
    state.store.create_map(&map).await?;
    Ok(Json(IdResponse { id: map.id }))
}
