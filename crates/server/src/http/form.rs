//! Multipart form bodies (uploads), read whole but never past a cap: the parts are counted
//! as they arrive, so a client that sends too much is stopped at the cap, not after.

use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use bytes::{Bytes, BytesMut};

use crate::error::{ApiError, ApiResult};

/// Most parts one form may have: a map and its tileset images.
const MAX_PARTS: usize = 64;

/// One part of a form.
pub struct FormPart {
    /// The form field's name.
    pub name: String,
    /// The file's name as the browser gave it (for files; never trusted for the type).
    pub file_name: Option<String>,
    pub bytes: Bytes,
}

/// Every part of the form, together at most `max_bytes`.
pub async fn read_form(
    multipart: Result<Multipart, MultipartRejection>,
    max_bytes: usize,
) -> ApiResult<Vec<FormPart>> {
    let mut multipart = multipart.map_err(|rejection| {
        ApiError::bad_request(
            "invalid-body",
            format!("send the body as multipart/form-data: {}", rejection.body_text()),
        )
    })?;
    let mut parts = Vec::new();
    let mut total = 0usize;
    while let Some(mut field) = multipart.next_field().await.map_err(malformed)? {
        if parts.len() == MAX_PARTS {
            return Err(ApiError::bad_request("too-many-parts", format!("send at most {MAX_PARTS} parts")));
        }
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let mut bytes = BytesMut::new();
        while let Some(chunk) = field.chunk().await.map_err(malformed)? {
            total = total.saturating_add(chunk.len());
            if total > max_bytes {
                return Err(ApiError::PayloadTooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        parts.push(FormPart { name, file_name, bytes: bytes.freeze() });
    }
    Ok(parts)
}

fn malformed(error: MultipartError) -> ApiError {
    if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::PayloadTooLarge;
    }
    ApiError::bad_request("invalid-body", format!("malformed multipart body: {}", error.body_text()))
}

/// The one part named `name`, or a 400 that says it is missing.
pub fn take_part(parts: &mut Vec<FormPart>, name: &str) -> ApiResult<FormPart> {
    let index = parts.iter().position(|p| p.name == name).ok_or_else(|| {
        ApiError::bad_request("missing-file", format!("send the file in a form field named `{name}`"))
    })?;
    Ok(parts.swap_remove(index))
}
