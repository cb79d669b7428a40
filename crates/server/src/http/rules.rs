//! A space's own rules over HTTP: its tile effects, who may enter (public, members only, a
//! password), and who holds which role. Effects changes are published like furniture
//! changes, so the people inside take them on at once.

use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use gather_bus::SpaceNotice;
use gather_core::{SpaceAccess, SpaceAction, SpaceId, SpaceRole, UserId};
use gather_protocol::http::{Empty, ErrorBody};
use gather_protocol::rules::{
    BanBody, EffectsBody, GrantRequest, GrantResponse, MemberBody, SetAccessRequest, SetMemberRequest,
    SpaceSettingsResponse,
};
use gather_store::{Entry, NewAuditEntry};
use utoipa::OpenApi;

use super::json::{JsonBody, PathParam};
use super::openapi::{TooLarge, Unavailable};
use super::validate;
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Effects for a big map painted wall to wall are larger than other bodies.
pub const MAX_EFFECTS_BODY_BYTES: usize = 1024 * 1024;
/// The header a password grant travels in over HTTP (the `join` frame carries it as `grant`).
pub const GRANT_HEADER: &str = "x-gather-grant";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/space/{id}/effects", put(set_effects).layer(DefaultBodyLimit::max(MAX_EFFECTS_BODY_BYTES)))
        .route("/space/{id}/access", put(set_access))
        .route("/space/{id}/grant", post(grant))
        .route("/space/{id}/settings", get(settings))
        .route("/space/{id}/members", put(set_member))
}

/// This file's routes in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(set_effects, set_access, grant, settings, set_member))]
pub(super) struct Api;

/// What the store says of `user` in `space` (their role, its gate); `unknown-id` for an
/// unknown space.
pub async fn entry_of(state: &AppState, space: SpaceId, user: UserId) -> ApiResult<Entry> {
    let entry = state.store.entry(space, user).await?;
    entry.ok_or_else(|| ApiError::bad_request("unknown-id", "there is no space with that id"))
}

/// The caller's entry, when their role allows `action`.
pub async fn require(
    state: &AppState,
    space: SpaceId,
    user: UserId,
    action: SpaceAction,
) -> ApiResult<Entry> {
    let entry = entry_of(state, space, user).await?;
    let role = entry.role;
    if role.may(action) {
        return Ok(entry);
    }
    let who = match action {
        SpaceAction::Build => "the space's owner, moderators and builders",
        SpaceAction::Moderate => "the space's owner and moderators",
        SpaceAction::Administer => "the space's owner",
    };
    Err(ApiError::forbidden(format!("only {who} may do that; you are a {}", role.as_str())))
}

/// A password grant sent over HTTP.
pub fn grant_of(headers: &HeaderMap) -> Option<&str> {
    headers.get(GRANT_HEADER).and_then(|value| value.to_str().ok())
}

pub fn audit(
    space: SpaceId,
    actor: UserId,
    action: &'static str,
    target: Option<UserId>,
    detail: String,
) -> NewAuditEntry {
    NewAuditEntry { space_id: space, actor_id: actor, action, target_id: target, detail }
}

#[utoipa::path(
    put,
    path = "/space/{id}/effects",
    params(("id" = String, Path, format = "uuid", description = "The space")),
    request_body = EffectsBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The effects are replaced; anyone inside gets `effects-changed`", body = Empty),
        (status = 400, description = "Malformed body, unknown space, or effects that do not fit the space (`invalid-effects`)", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or not the owner, a moderator or a builder", body = ErrorBody),
        TooLarge,
        Unavailable,
    )
)]
async fn set_effects(
    State(state): State<AppState>,
    AuthUser { user: caller, .. }: AuthUser,
    PathParam(id): PathParam<SpaceId>,
    JsonBody(body): JsonBody<EffectsBody>,
) -> ApiResult<Json<Empty>> {
    require(&state, id, caller, SpaceAction::Build).await?;
    let summary = state
        .store
        .space_summary(id)
        .await?
        .ok_or_else(|| ApiError::bad_request("unknown-id", "there is no space with that id"))?;
    let spec = validate::effects(summary.dims, body)?;
    let detail = format!(
        "{} walls, {} spawns, {} portals, {} private areas, {} spotlights, {} quiet tiles",
        spec.impassable.len(),
        spec.spawns.len(),
        spec.portals.len(),
        spec.areas.len(),
        spec.spotlights.len(),
        spec.quiet.len()
    );
    state.store.set_space_effects(&spec, &audit(id, caller, "effects", None, detail)).await?;
    super::spaces::notify(&state, id, SpaceNotice::EffectsChanged(spec)).await;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    put,
    path = "/space/{id}/access",
    params(("id" = String, Path, format = "uuid", description = "The space")),
    request_body = SetAccessRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Who may enter is changed; a new password voids earlier grants", body = Empty),
        (status = 400, description = "Malformed body, unknown space or access, or `password` access without a password", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or not the space's owner", body = ErrorBody),
        TooLarge,
        Unavailable,
    )
)]
async fn set_access(
    State(state): State<AppState>,
    AuthUser { user: caller, .. }: AuthUser,
    PathParam(id): PathParam<SpaceId>,
    JsonBody(req): JsonBody<SetAccessRequest>,
) -> ApiResult<Json<Empty>> {
    require(&state, id, caller, SpaceAction::Administer).await?;
    let access = SpaceAccess::parse(&req.access).ok_or_else(|| {
        ApiError::bad_request("invalid-access", "access is \"public\", \"members\" or \"password\"")
    })?;
    let hash = match (access, req.password.as_deref()) {
        (SpaceAccess::Password, Some(password)) => {
            Some(state.passwords.hash(validate::password(password)?).await?)
        }
        (SpaceAccess::Password, None) => {
            return Err(ApiError::bad_request("invalid-access", "password access needs a password"));
        }
        (_, Some(_)) => {
            return Err(ApiError::bad_request("invalid-access", "only password access takes a password"));
        }
        (_, None) => None,
    };
    let detail = format!("access {}{}", access.as_str(), if hash.is_some() { ", new password" } else { "" });
    state.store.set_space_access(access, hash.as_deref(), &audit(id, caller, "access", None, detail)).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    post,
    path = "/space/{id}/grant",
    params(("id" = String, Path, format = "uuid", description = "The space")),
    request_body = GrantRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The password is right: a grant to join with (`grant` in the join frame, or the X-Gather-Grant header)", body = GrantResponse),
        (status = 400, description = "Malformed body, unknown space, or a space without a password", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or a wrong password", body = ErrorBody),
        (status = 429, description = "Too many wrong passwords; wait", body = ErrorBody),
        TooLarge,
        Unavailable,
    )
)]
async fn grant(
    State(state): State<AppState>,
    AuthUser { user: caller, .. }: AuthUser,
    PathParam(id): PathParam<SpaceId>,
    JsonBody(req): JsonBody<GrantRequest>,
) -> ApiResult<Json<GrantResponse>> {
    let entry = entry_of(&state, id, caller).await?;
    if entry.gate.access != SpaceAccess::Password {
        return Err(ApiError::bad_request("no-password", "this space asks for no password"));
    }
    // Guessing is throttled like signing in, per account and space (the account stands in
    // for the address: it is what a guesser must hold).
    let (attempt, from) = (format!("grant:{id}:{caller}"), std::net::IpAddr::from([0, 0, 0, 0]));
    let throttle = &state.signin_throttle;
    throttle
        .check(&attempt, from, state.clock.now())
        .map_err(|retry_after| ApiError::TooManyRequests { retry_after })?;
    if !state.passwords.verify(&req.password, entry.gate.password_hash.as_deref()).await? {
        throttle.failed(&attempt, from, state.clock.now());
        return Err(ApiError::forbidden("that is not the space's password"));
    }
    throttle.succeeded(&attempt, from);
    Ok(Json(GrantResponse { grant: state.grants.issue(caller, id, entry.gate.password_version) }))
}

#[utoipa::path(
    get,
    path = "/space/{id}/settings",
    params(("id" = String, Path, format = "uuid", description = "The space")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Access, roles and bans", body = SpaceSettingsResponse),
        (status = 400, description = "Malformed or unknown space id", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or not the owner or a moderator", body = ErrorBody),
        Unavailable,
    )
)]
async fn settings(
    State(state): State<AppState>,
    AuthUser { user: caller, .. }: AuthUser,
    PathParam(id): PathParam<SpaceId>,
) -> ApiResult<Json<SpaceSettingsResponse>> {
    let entry = require(&state, id, caller, SpaceAction::Moderate).await?;
    let members = state.store.space_members(id).await?;
    let bans = state.store.bans(id).await?;
    Ok(Json(SpaceSettingsResponse {
        access: entry.gate.access.as_str().to_owned(),
        your_role: entry.role.as_str().to_owned(),
        members: members
            .into_iter()
            .map(|m| MemberBody {
                user_id: m.user_id,
                username: m.username,
                role: m.role.as_str().to_owned(),
            })
            .collect(),
        bans: bans
            .into_iter()
            .map(|b| BanBody { user_id: b.user_id, username: b.username, at: b.at })
            .collect(),
    }))
}

#[utoipa::path(
    put,
    path = "/space/{id}/members",
    params(("id" = String, Path, format = "uuid", description = "The space")),
    request_body = SetMemberRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The role is given, changed, or (with `none`) taken away", body = Empty),
        (status = 400, description = "Malformed body, unknown space, user or role, or the owner themselves", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or not the space's owner", body = ErrorBody),
        TooLarge,
        Unavailable,
    )
)]
async fn set_member(
    State(state): State<AppState>,
    AuthUser { user: caller, .. }: AuthUser,
    PathParam(id): PathParam<SpaceId>,
    JsonBody(req): JsonBody<SetMemberRequest>,
) -> ApiResult<Json<Empty>> {
    require(&state, id, caller, SpaceAction::Administer).await?;
    let role = match req.role.as_str() {
        "none" => None,
        other => Some(SpaceRole::parse_grantable(other).ok_or_else(|| {
            ApiError::bad_request(
                "invalid-role",
                "role is \"moderator\", \"builder\", \"member\" or \"none\"",
            )
        })?),
    };
    let unknown = || ApiError::bad_request("unknown-user", "there is no account with that username");
    let name = validate::username_to_look_up(&req.username).ok_or_else(unknown)?;
    let user = state.store.user_by_username(name).await?.ok_or_else(unknown)?;
    if user.id == caller {
        return Err(ApiError::bad_request("invalid-role", "the owner holds every right already"));
    }
    let detail = format!("{} is {}", user.username, role.map_or("no longer a member", SpaceRole::as_str));
    state.store.set_space_role(user.id, role, &audit(id, caller, "role", Some(user.id), detail)).await?;
    Ok(Json(Empty {}))
}
