//! Accounts: sign-up, sign-in, choosing an avatar, and looking up other users' avatars.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Query, State};
use axum::http::header::USER_AGENT;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use gather_core::{username_key, Role, UserId};
use gather_protocol::http::{
    BulkMetadataResponse, Empty, ErrorBody, MeResponse, SigninRequest, SigninResponse, SignupRequest,
    SignupResponse, UpdateMetadataRequest, UserAvatarBody,
};
use gather_store::{NewUser, StoreError};
use utoipa::OpenApi;

use super::json::JsonBody;
use super::openapi::{TooLarge, Unavailable};
use super::validate;
use crate::auth::{admin_only, is_admin, AuthUser, MaybeAuthUser};
use crate::config::AdminSignup;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Most users one bulk metadata request may ask about.
const MAX_BULK_IDS: usize = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/signup", post(signup))
        .route("/signin", post(signin))
        .route("/user/metadata", post(update_metadata))
        .route("/user/metadata/bulk", get(bulk_metadata))
        .route("/me", get(me))
}

/// This file's routes in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(signup, signin, update_metadata, bulk_metadata, me))]
pub(super) struct Api;

#[utoipa::path(
    post,
    path = "/signup",
    request_body = SignupRequest,
    // Anyone may sign up; a token matters only for creating an admin (see `--admin-signup`).
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The account is created", body = SignupResponse),
        (status = 400, description = "Malformed body, invalid username or password, or the username is taken", body = ErrorBody),
        (status = 403, description = "An admin account needs an admin's token, or the token sent is bad", body = ErrorBody),
        TooLarge,
        Unavailable,
    )
)]
async fn signup(
    State(state): State<AppState>,
    caller: MaybeAuthUser,
    JsonBody(req): JsonBody<SignupRequest>,
) -> ApiResult<Json<SignupResponse>> {
    let username = validate::username(&req.username)?;
    let password = validate::password(&req.password)?;
    let only_if_first = match (req.role, state.config.admin_signup, caller.0) {
        (Role::User, _, _) | (Role::Admin, AdminSignup::Open, _) => false,
        (Role::Admin, _, Some(caller)) if is_admin(&state, caller).await? => false,
        (Role::Admin, _, Some(_)) => return Err(admin_only()),
        (Role::Admin, AdminSignup::First, None) => true,
        (Role::Admin, AdminSignup::Closed, None) => {
            return Err(ApiError::forbidden("creating an admin account needs an admin's bearer token"))
        }
    };
    let user = NewUser {
        id: UserId::new(),
        username,
        password_hash: state.passwords.hash(password).await?,
        role: req.role,
    };
    let user_id = user.id;
    state.store.create_user(user, only_if_first).await?;
    tracing::info!(%user_id, role = req.role.as_str(), "signed up");
    Ok(Json(SignupResponse { user_id }))
}

#[utoipa::path(
    post,
    path = "/signin",
    request_body = SigninRequest,
    responses(
        (status = 200, description = "A bearer token for a new session", body = SigninResponse),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 403, description = "Wrong username or password", body = ErrorBody),
        TooLarge,
        (status = 429, description = "Too many failed sign-ins; wait `Retry-After` seconds", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        Unavailable,
    )
)]
async fn signin(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    JsonBody(req): JsonBody<SigninRequest>,
) -> ApiResult<Json<SigninResponse>> {
    let wrong = || ApiError::forbidden("wrong username or password");
    // Malformed input cannot match any account; answer like a wrong password.
    let (Some(username), Ok(password)) =
        (validate::username_to_look_up(&req.username), validate::password(&req.password))
    else {
        return Err(wrong());
    };
    // Throttled by the account the name reaches, whatever its spelling.
    let account = username_key(username);
    let (throttle, ip) = (&state.signin_throttle, client_ip(&state, peer, &headers));
    throttle
        .check(&account, ip, state.clock.now())
        .map_err(|retry_after| ApiError::TooManyRequests { retry_after })?;
    let user = state.store.user_by_username(username).await?;
    // Verified even for unknown users (against a decoy), so timing does not tell them apart.
    let matches = state.passwords.verify(password, user.as_ref().map(|u| u.password_hash.as_str())).await?;
    let user = match user {
        Some(user) if matches => user,
        _ => {
            throttle.failed(&account, ip, state.clock.now());
            return Err(wrong());
        }
    };
    throttle.succeeded(&account, ip);
    let agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("unknown");
    let bearer = state.sessions.open(user.id, agent).await?;
    Ok(Json(SigninResponse { token: state.tokens.issue(bearer), user_id: user.id }))
}

/// The client's address: the peer's, or behind a trusted proxy the one it reports.
fn client_ip(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
    let forwarded = || headers.get("x-real-ip")?.to_str().ok()?.trim().parse().ok();
    state.config.trust_proxy.then(forwarded).flatten().unwrap_or(peer.ip())
}

#[utoipa::path(
    post,
    path = "/user/metadata",
    request_body = UpdateMetadataRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The avatar is chosen", body = Empty),
        (status = 400, description = "Malformed body or unknown avatar", body = ErrorBody),
        (status = 403, description = "Missing or bad token", body = ErrorBody),
        TooLarge,
        Unavailable,
    )
)]
async fn update_metadata(
    State(state): State<AppState>,
    AuthUser { user, .. }: AuthUser,
    JsonBody(req): JsonBody<UpdateMetadataRequest>,
) -> ApiResult<Json<Empty>> {
    match state.store.set_user_avatar(user, req.avatar_id).await {
        // A valid token for a user that no longer exists.
        Err(StoreError::NotFound(gather_store::Entity::User)) => Err(ApiError::forbidden("unknown user")),
        other => other.map(|()| Json(Empty {})).map_err(Into::into),
    }
}

#[utoipa::path(
    get,
    path = "/me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Who the token belongs to", body = MeResponse),
        (status = 403, description = "Missing or bad token", body = ErrorBody),
        Unavailable,
    )
)]
async fn me(
    State(state): State<AppState>,
    AuthUser { user: id, .. }: AuthUser,
) -> ApiResult<Json<MeResponse>> {
    let user = state.store.user(id).await?.ok_or_else(|| ApiError::forbidden("unknown user"))?;
    Ok(Json(MeResponse {
        user_id: user.id,
        username: user.username,
        role: user.role,
        avatar_id: user.avatar_id,
    }))
}

#[utoipa::path(
    get,
    path = "/user/metadata/bulk",
    params(
        // Not `maxItems`: one value may hold several ids, and empty ones do not count, so
        // the cap of 100 is on ids, not on parameter values.
        ("ids" = Option<Vec<String>>, Query, explode,
            description = "User ids, repeated (`ids=a&ids=b`), or in one value as `[a,b]` or `a,b`; \
                           at most 100; ids that name no user are left out"),
    ),
    responses(
        (status = 200, description = "The avatars of the users that exist", body = BulkMetadataResponse),
        (status = 400, description = "More than 100 ids", body = ErrorBody),
        Unavailable,
    )
)]
async fn bulk_metadata(
    State(state): State<AppState>,
    Query(params): Query<Vec<(String, String)>>,
) -> ApiResult<Json<BulkMetadataResponse>> {
    let ids = parse_ids(&params)?;
    let avatars = state.store.user_avatars(&ids).await?;
    let avatars = avatars
        .into_iter()
        .map(|a| UserAvatarBody { user_id: a.user_id, image_url: a.image_url, username: a.username })
        .collect();
    Ok(Json(BulkMetadataResponse { avatars }))
}

/// Accepts `ids=[a,b]`, `ids=a,b` and repeated `ids=a&ids=b`. The cap counts every id
/// asked for, well-formed or not (parsing is the work it bounds); unparseable ids cannot
/// name a user, so they are then left out like unknown ones.
fn parse_ids(params: &[(String, String)]) -> ApiResult<Vec<UserId>> {
    let asked: Vec<&str> = params
        .iter()
        .filter(|(key, _)| key == "ids" || key == "ids[]")
        .flat_map(|(_, value)| value.trim().trim_start_matches('[').trim_end_matches(']').split(','))
        .map(|id| id.trim().trim_matches('"'))
        .filter(|id| !id.is_empty())
        .collect();
    if asked.len() > MAX_BULK_IDS {
        return Err(ApiError::bad_request(
            "too-many-ids",
            format!("ask for at most {MAX_BULK_IDS} users at a time"),
        ));
    }
    let mut ids: Vec<UserId> = asked.into_iter().filter_map(|id| id.parse().ok()).collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn ids_come_in_every_common_spelling() {
        let (a, b) = (UserId::new(), UserId::new());
        let mut expected = vec![a, b];
        expected.sort();
        for spelling in [
            q(&[("ids", &format!("[{a},{b}]"))]),
            q(&[("ids", &format!("{a},{b}"))]),
            q(&[("ids", &a.to_string()), ("ids", &b.to_string())]),
            q(&[("ids", &format!("[\"{a}\", \"{b}\"]"))]),
        ] {
            assert_eq!(parse_ids(&spelling).unwrap(), expected, "{spelling:?}");
        }
        assert!(parse_ids(&q(&[("ids", "[nope]")])).unwrap().is_empty());
    }

    #[test]
    fn more_than_a_hundred_ids_is_refused() {
        let many: Vec<String> = (0..101).map(|_| UserId::new().to_string()).collect();
        assert!(parse_ids(&q(&[("ids", &many.join(","))])).is_err());
    }

    #[test]
    fn malformed_ids_count_toward_the_cap() {
        let junk = vec!["nope"; 101].join(",");
        assert!(parse_ids(&q(&[("ids", &junk)])).is_err());
        let repeated: Vec<(&str, &str)> = (0..101).map(|_| ("ids", "x")).collect();
        assert!(parse_ids(&q(&repeated)).is_err());
        assert!(parse_ids(&q(&[("ids", &vec!["nope"; 100].join(","))])).unwrap().is_empty());
    }
}
