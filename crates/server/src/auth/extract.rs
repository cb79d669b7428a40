//! Extractors for the `Authorization: Bearer <token>` header. A token counts only while its
//! signature, expiry and session all hold.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use gather_core::{Role, SessionId, UserId};

use super::Bearer;
use super::SessionError;
use crate::error::ApiError;
use crate::state::AppState;

/// A signed-in user. Missing, malformed, expired or revoked token: 403.
#[derive(Debug, Clone, Copy)]
pub struct AuthUser {
    pub user: UserId,
    pub session: SessionId,
}

/// A signed-in admin. Checked against the stored role, so a demotion takes effect at once.
#[derive(Debug, Clone, Copy)]
pub struct AdminUser(pub UserId);

/// A user if a token is sent; a token that is sent but bad is still a 403.
#[derive(Debug, Clone, Copy)]
pub struct MaybeAuthUser(pub Option<UserId>);

fn bearer_token(parts: &Parts) -> Result<Option<&str>, ApiError> {
    let Some(value) = parts.headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ApiError::forbidden("the Authorization header is malformed"))?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Ok(Some(token.trim()))
        }
        _ => Err(ApiError::forbidden("send the token as \"Authorization: Bearer <token>\"")),
    }
}

/// Verifies a token and its session: what both HTTP and WebSocket joins rely on.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Bearer, ApiError> {
    let bearer = state.tokens.verify(token).map_err(|e| ApiError::forbidden(e.to_string()))?;
    state.sessions.check(bearer).await.map_err(|e| match e {
        SessionError::Revoked => ApiError::forbidden(e.to_string()),
        SessionError::Store(e) => e.into(),
    })?;
    Ok(bearer)
}

async fn bearer(parts: &Parts, state: &AppState) -> Result<Option<Bearer>, ApiError> {
    match bearer_token(parts)? {
        Some(token) => authenticate(state, token).await.map(Some),
        None => Ok(None),
    }
}

impl FromRequestParts<AppState> for MaybeAuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(MaybeAuthUser(bearer(parts, state).await?.map(|b| b.user)))
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        bearer(parts, state)
            .await?
            .map(|b| AuthUser { user: b.user, session: b.session })
            .ok_or_else(|| ApiError::forbidden("sign in first: this route needs a bearer token"))
    }
}

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = AuthUser::from_request_parts(parts, state).await?;
        is_admin(state, caller.user).await?.then_some(AdminUser(caller.user)).ok_or_else(admin_only)
    }
}

pub async fn is_admin(state: &AppState, id: UserId) -> Result<bool, ApiError> {
    Ok(state.store.user(id).await?.is_some_and(|user| user.role == Role::Admin))
}

pub fn admin_only() -> ApiError {
    ApiError::forbidden("only admins may do this")
}
