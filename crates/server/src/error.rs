//! The one place where failures become HTTP statuses and `{"error":{code,message}}` bodies.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use gather_protocol::http::{ErrorBody, ErrorDetail};
use gather_store::StoreError;

/// A busy database clears in well under a second; a lost one takes longer, but clients
/// that retry every second do it no harm.
const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 1;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Bad input or an unknown id: 400.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// No, malformed or expired token; wrong role; not the owner: 403. The contract answers
    /// 403, not 401, for a missing token.
    #[error("{0}")]
    Forbidden(String),
    /// Not allowed into a space, and why (`banned`, `members-only`, `password-required`): 403.
    #[error("{message}")]
    Refused { code: &'static str, message: String },
    #[error("no such route")]
    NotFound,
    /// Too many attempts; the client should wait `retry_after` before trying again.
    #[error("too many attempts; try again in {} seconds", retry_after.as_secs().max(1))]
    TooManyRequests { retry_after: std::time::Duration },
    #[error("the request body is too large")]
    PayloadTooLarge,
    /// A cap on what one account or space may hold: 409, the request is fine but the
    /// state does not allow it.
    #[error("{0}")]
    LimitReached(gather_store::Limit),
    /// The database is unreachable or too busy to answer in time; worth retrying.
    #[error("the service is temporarily unavailable; try again shortly")]
    Unavailable(#[source] anyhow::Error),
    /// Logged with its causes; the client gets a bare 500.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest { code, message: message.into() }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden(message.into())
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, code),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            Self::Refused { code, .. } => (StatusCode::FORBIDDEN, code),
            Self::NotFound => (StatusCode::NOT_FOUND, "not-found"),
            Self::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "too-many-attempts"),
            Self::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too-large"),
            Self::LimitReached(_) => (StatusCode::CONFLICT, "limit-reached"),
            Self::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        match &self {
            Self::Internal(e) => tracing::error!(error = ?e, "request failed"),
            Self::Unavailable(e) => tracing::warn!(error = ?e, "database unavailable"),
            _ => {}
        }
        let body = ErrorBody { error: ErrorDetail { code: code.to_owned(), message: self.to_string() } };
        let mut response = (status, Json(body)).into_response();
        let retry_after = match self {
            Self::TooManyRequests { retry_after } => Some(retry_after.as_secs_f64().ceil().max(1.0) as u64),
            Self::Unavailable(_) => Some(UNAVAILABLE_RETRY_AFTER_SECS),
            _ => None,
        };
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(entity) => {
                Self::bad_request("unknown-id", format!("there is no {entity} with that id"))
            }
            StoreError::UsernameTaken => Self::bad_request("username-taken", error.to_string()),
            StoreError::NotFirstUser => {
                Self::forbidden("creating an admin account needs an admin's bearer token")
            }
            StoreError::Placement(e) => Self::bad_request("invalid-placement", e.to_string()),
            StoreError::Limit(limit) => Self::LimitReached(limit),
            StoreError::Unavailable(e) => Self::Unavailable(e.into()),
            other => Self::Internal(other.into()),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
