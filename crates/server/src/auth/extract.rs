//! Extractors for the `Authorization: Bearer <token>` header.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use gather_core::{Role, UserId};

use crate::error::ApiError;
use crate::state::AppState;

/// A signed-in user. Missing, malformed or expired token: 403.
#[derive(Debug, Clone, Copy)]
pub struct AuthUser(pub UserId);

/// A signed-in admin. Checked against the stored role, so a demotion takes effect at once.
#[derive(Debug, Clone, Copy)]
pub struct AdminUser;

/// A user if a token is sent; a token that is sent but bad is still a 403.
#[derive(Debug, Clone, Copy)]
pub struct MaybeAuthUser(pub Option<UserId>);

fn bearer(parts: &Parts) -> Result<Option<&str>, ApiError> {
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

fn user_from(parts: &Parts, state: &AppState) -> Result<Option<UserId>, ApiError> {
    bearer(parts)?
        .map(|token| state.tokens.verify(token).map_err(|e| ApiError::forbidden(e.to_string())))
        .transpose()
}

impl FromRequestParts<AppState> for MaybeAuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        user_from(parts, state).map(MaybeAuthUser)
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        user_from(parts, state)?
            .map(AuthUser)
            .ok_or_else(|| ApiError::forbidden("sign in first: this route needs a bearer token"))
    }
}

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let AuthUser(id) = AuthUser::from_request_parts(parts, state).await?;
        is_admin(state, id).await?.then_some(AdminUser).ok_or_else(admin_only)
    }
}

pub async fn is_admin(state: &AppState, id: UserId) -> Result<bool, ApiError> {
    Ok(state.store.user(id).await?.is_some_and(|user| user.role == Role::Admin))
}

pub fn admin_only() -> ApiError {
    ApiError::forbidden("only admins may do this")
}
