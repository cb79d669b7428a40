//! The catalogue: avatars, elements and maps. Anyone may read it; only admins change it.

use axum::extract::State;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use gather_core::{AvatarId, ElementId, MapId};
use gather_protocol::http::{
    AvatarBody, AvatarsResponse, CreateAvatarRequest, CreateAvatarResponse, CreateElementRequest,
    CreateMapRequest, ElementBody, ElementsResponse, Empty, IdResponse, MapBody, MapElementBody,
    MapsResponse, UpdateElementRequest,
};
use gather_store::{Avatar, Element, Limit, Map, MapElement, NewMap};

use super::json::{JsonBody, PathParam};
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
        .route("/admin/map", post(create_map))
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
        default_elements: map
            .elements
            .into_iter()
            .map(|e| MapElementBody { element_id: e.element_id, x: e.at.x, y: e.at.y })
            .collect(),
    }
}

async fn list_avatars(State(state): State<AppState>) -> ApiResult<Json<AvatarsResponse>> {
    let avatars = state.store.avatars().await?;
    let avatars =
        avatars.into_iter().map(|a| AvatarBody { id: a.id, image_url: a.image_url, name: a.name }).collect();
    Ok(Json(AvatarsResponse { avatars }))
}

async fn list_elements(State(state): State<AppState>) -> ApiResult<Json<ElementsResponse>> {
    let elements = state.store.elements().await?;
    Ok(Json(ElementsResponse { elements: elements.iter().map(element_body).collect() }))
}

async fn list_maps(State(state): State<AppState>) -> ApiResult<Json<MapsResponse>> {
    let maps = state.store.maps().await?;
    Ok(Json(MapsResponse { maps: maps.into_iter().map(map_body).collect() }))
}

async fn create_avatar(
    State(state): State<AppState>,
    _admin: AdminUser,
    JsonBody(req): JsonBody<CreateAvatarRequest>,
) -> ApiResult<Json<CreateAvatarResponse>> {
    let avatar = Avatar {
        id: AvatarId::new(),
        image_url: validate::image_url("imageUrl", &req.image_url)?,
        name: validate::name("name", &req.name)?,
    };
    state.store.create_avatar(&avatar).await?;
    Ok(Json(CreateAvatarResponse { avatar_id: avatar.id }))
}

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
    state.store.create_element(&element).await?;
    Ok(Json(IdResponse { id: element.id }))
}

// `AdminUser` comes first: a non-admin gets 403 before the id is even looked at.
async fn update_element(
    _admin: AdminUser,
    State(state): State<AppState>,
    PathParam(id): PathParam<ElementId>,
    JsonBody(req): JsonBody<UpdateElementRequest>,
) -> ApiResult<Json<Empty>> {
    let image_url = validate::image_url("imageUrl", &req.image_url)?;
    state.store.set_element_image(id, &image_url).await?;
    Ok(Json(Empty {}))
}

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
    let map = NewMap {
        id: MapId::new(),
        name: validate::name("name", &req.name)?,
        dims: validate::dimensions(&req.dimensions)?,
        thumbnail: validate::image_url("thumbnail", &req.thumbnail)?,
        elements,
    };
    state.store.create_map(&map).await?;
    Ok(Json(IdResponse { id: map.id }))
}
