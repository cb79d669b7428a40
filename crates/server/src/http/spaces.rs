//! Spaces and their furniture. Changes to a space's furniture, and its deletion, are also
//! published on the bus so the people inside see them at once.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use gather_bus::{PlacedPiece, SpaceNotice};
use gather_core::{SpaceAction, SpaceElementId, SpaceId, UserId};
use gather_protocol::http::{
    AddSpaceElementRequest, CreateSpaceRequest, CreateSpaceResponse, DeleteSpaceElementRequest, Empty,
    ErrorBody, IdResponse, SpaceElementBody, SpaceResponse, SpaceSummaryBody, SpacesResponse,
};
use gather_store::{NewSpace, SpaceSource, SpaceSummary};
use utoipa::OpenApi;

use super::catalog::element_body;
use super::json::{JsonBody, PathParam};
use super::openapi::{TooLarge, Unavailable};
use super::rules::{grant_of, require};
use super::validate;
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/space", post(create_space))
        .route("/space/all", get(list_my_spaces))
        .route("/space/{id}", get(get_space).delete(delete_space))
        .route("/space/element", post(add_element).delete(remove_element_by_body))
        .route("/space/element/{id}", delete(remove_element_by_path))
}

/// This file's routes in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(
    create_space,
    list_my_spaces,
    get_space,
    delete_space,
    add_element,
    remove_element_by_body,
    remove_element_by_path
))]
pub(super) struct Api;

#[utoipa::path(
    post,
    path = "/space",
    request_body = CreateSpaceRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The space is created", body = CreateSpaceResponse),
        (status = 400, description = "Malformed body, invalid name or dimensions, neither mapId nor dimensions, or unknown map", body = ErrorBody),
        (status = 403, description = "Missing or bad token", body = ErrorBody),
        (status = 409, description = "The caller owns as many spaces as one account may", body = ErrorBody),
        TooLarge,
        Unavailable,
    )
)]
async fn create_space(
    State(state): State<AppState>,
    AuthUser { user: owner, .. }: AuthUser,
    JsonBody(req): JsonBody<CreateSpaceRequest>,
) -> ApiResult<Json<CreateSpaceResponse>> {
    let name = validate::name("name", &req.name)?;
    // With a map, the map's size wins; without one, dimensions say how big a blank floor is.
    let source = match (req.map_id, req.dimensions.as_deref()) {
        (Some(map), _) => SpaceSource::Map(map),
        (None, Some(dims)) => SpaceSource::Blank(validate::dimensions(dims)?),
        (None, None) => {
            return Err(ApiError::bad_request(
                "invalid-space",
                "give a mapId, or dimensions like \"100x200\" for a blank space",
            ))
        }
    };
    let space = NewSpace { id: SpaceId::new(), name, owner, source };
    state.store.create_space(&space, state.config.max_spaces_per_user).await?;
    Ok(Json(CreateSpaceResponse { space_id: space.id }))
}

#[utoipa::path(
    get,
    path = "/space/all",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's spaces", body = SpacesResponse),
        (status = 403, description = "Missing or bad token", body = ErrorBody),
        Unavailable,
    )
)]
async fn list_my_spaces(
    State(state): State<AppState>,
    AuthUser { user: owner, .. }: AuthUser,
) -> ApiResult<Json<SpacesResponse>> {
    let spaces = state.store.spaces_of(owner).await?;
    let spaces = spaces
        .into_iter()
        .map(|s| SpaceSummaryBody {
            id: s.id,
            name: s.name,
            dimensions: s.dims.to_string(),
            thumbnail: s.thumbnail,
        })
        .collect();
    Ok(Json(SpacesResponse { spaces }))
}

#[utoipa::path(
    get,
    path = "/space/{id}",
    params(("id" = String, Path, format = "uuid", description = "The space")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The space and its furniture", body = SpaceResponse),
        (status = 400, description = "Malformed or unknown space id", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or not let in: `banned`, `members-only`, `password-required` (send a grant in X-Gather-Grant)", body = ErrorBody),
        Unavailable,
    )
)]
async fn get_space(
    State(state): State<AppState>,
    AuthUser { user: caller, .. }: AuthUser,
    headers: HeaderMap,
    PathParam(id): PathParam<SpaceId>,
) -> ApiResult<Json<SpaceResponse>> {
    // Who may enter may look inside; others learn why not (`banned`, `members-only`,
    // `password-required`).
    let entry = crate::entry::check(&state, id, caller, grant_of(&headers)).await?;
    let space = state.store.space(id).await?.ok_or_else(unknown_space)?;
    Ok(Json(SpaceResponse {
        effects: (&space.effects).into(),
        access: entry.gate.access.as_str().to_owned(),
        your_role: entry.role.as_str().to_owned(),
        floor_image_url: space.floor_image_url,
        name: space.summary.name,
        dimensions: space.summary.dims.to_string(),
        elements: space
            .elements
            .iter()
            .map(|p| SpaceElementBody { id: p.id, element: element_body(&p.element), x: p.at.x, y: p.at.y })
            .collect(),
    }))
}

#[utoipa::path(
    delete,
    path = "/space/{id}",
    params(("id" = String, Path, format = "uuid", description = "The space")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The space is deleted; anyone inside is told", body = Empty),
        (status = 400, description = "Malformed or unknown space id", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or not the space's owner", body = ErrorBody),
        Unavailable,
    )
)]
async fn delete_space(
    State(state): State<AppState>,
    AuthUser { user: caller, .. }: AuthUser,
    PathParam(id): PathParam<SpaceId>,
) -> ApiResult<Json<Empty>> {
    let space = state.store.space_summary(id).await?.ok_or_else(unknown_space)?;
    ensure_owner(&space, caller)?;
    state.store.delete_space(id).await?;
    notify(&state, id, SpaceNotice::Closed).await;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    post,
    path = "/space/element",
    request_body = AddSpaceElementRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The element is placed; anyone inside sees it", body = IdResponse<String>),
        (status = 400, description = "Malformed body, a position outside 0..1000, unknown space or element, or a place where it does not fit", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or not the space's owner, a moderator or a builder", body = ErrorBody),
        (status = 409, description = "The space holds as many elements as one space may", body = ErrorBody),
        TooLarge,
        Unavailable,
    )
)]
async fn add_element(
    State(state): State<AppState>,
    AuthUser { user: caller, .. }: AuthUser,
    JsonBody(req): JsonBody<AddSpaceElementRequest>,
) -> ApiResult<Json<IdResponse<SpaceElementId>>> {
    let space = state.store.space_summary(req.space_id).await?.ok_or_else(unknown_space)?;
    require(&state, space.id, caller, SpaceAction::Build).await?;
    let at = validate::position(req.x, req.y)?;
    let placed =
        state.store.place_element(space.id, req.element_id, at, state.config.max_elements_per_space).await?;
    let piece = PlacedPiece {
        id: placed.id,
        element_id: placed.element.id,
        image_url: placed.element.image_url.clone(),
        footprint: placed.footprint(),
        solid: placed.element.solid,
    };
    notify(&state, space.id, SpaceNotice::ElementAdded(piece)).await;
    Ok(Json(IdResponse { id: placed.id }))
}

#[utoipa::path(
    delete,
    path = "/space/element",
    request_body = DeleteSpaceElementRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The element is removed; anyone inside sees it", body = Empty),
        (status = 400, description = "Malformed body or unknown placed element", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or not the space's owner", body = ErrorBody),
        TooLarge,
        Unavailable,
    )
)]
async fn remove_element_by_body(
    State(state): State<AppState>,
    AuthUser { user: caller, .. }: AuthUser,
    JsonBody(req): JsonBody<DeleteSpaceElementRequest>,
) -> ApiResult<Json<Empty>> {
    remove_element(&state, caller, req.id).await
}

#[utoipa::path(
    delete,
    path = "/space/element/{id}",
    params(("id" = String, Path, format = "uuid", description = "The placed element")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The element is removed; anyone inside sees it", body = Empty),
        (status = 400, description = "Malformed or unknown placed element id", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or not the space's owner", body = ErrorBody),
        Unavailable,
    )
)]
async fn remove_element_by_path(
    State(state): State<AppState>,
    AuthUser { user: caller, .. }: AuthUser,
    PathParam(id): PathParam<SpaceElementId>,
) -> ApiResult<Json<Empty>> {
    remove_element(&state, caller, id).await
}

async fn remove_element(state: &AppState, caller: UserId, id: SpaceElementId) -> ApiResult<Json<Empty>> {
    let space = state
        .store
        .space_of_element(id)
        .await?
        .ok_or_else(|| ApiError::bad_request("unknown-id", "there is no placed element with that id"))?;
    require(state, space.id, caller, SpaceAction::Build).await?;
    state.store.remove_element(id).await?;
    notify(state, space.id, SpaceNotice::ElementRemoved(id)).await;
    Ok(Json(Empty {}))
}

fn unknown_space() -> ApiError {
    ApiError::bad_request("unknown-id", "there is no space with that id")
}

fn ensure_owner(space: &SpaceSummary, caller: UserId) -> ApiResult<()> {
    if space.owner == caller {
        Ok(())
    } else {
        Err(ApiError::forbidden("only the space's owner may change it"))
    }
}

/// The write is already committed, so a bus failure must not turn into an error for the
/// caller; the people inside will see the change when they next load the space.
pub(super) async fn notify(state: &AppState, space: SpaceId, notice: SpaceNotice) {
    if let Err(e) = state.bus.publish(space, notice).await {
        tracing::warn!(%space, error = %e, "could not tell the live space about a change");
    }
}
