//! Uploaded images: `POST /assets` takes one, `GET /assets/<hash>.png` (outside `/api/v1`)
//! serves it, and admins may sweep the unused ones at once. Anyone signed in may upload,
//! within their quota; what they upload is only ever served as a re-encoded PNG.

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use gather_protocol::assets::{AssetBody, SweepResponse};
use gather_protocol::http::ErrorBody;
use utoipa::{OpenApi, ToSchema};

use super::form::{read_form, take_part};
use super::json::PathParam;
use super::openapi::Unavailable;
use crate::assets::{asset_hash, asset_url};
use crate::auth::{AdminUser, AuthUser};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A multipart envelope around the file: boundaries and part headers.
const FORM_OVERHEAD_BYTES: usize = 16 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        // The cap is the configured one, counted while reading (`read_form`).
        .route("/assets", post(upload).layer(DefaultBodyLimit::disable()))
        .route("/admin/assets/sweep", post(sweep))
}

/// The files themselves, outside `/api/v1`.
pub fn files_router() -> Router<AppState> {
    Router::new().route("/assets/{name}", get(serve))
}

#[derive(OpenApi)]
#[openapi(paths(upload, sweep))]
pub(super) struct Api;

/// The files, outside `/api/v1`, so merged into the document rather than nested.
#[derive(OpenApi)]
#[openapi(paths(serve))]
pub(super) struct FilesApi;

/// The form `POST /assets` takes.
#[derive(ToSchema)]
#[allow(dead_code)]
struct UploadForm {
    /// A PNG, JPEG, WebP or GIF image (decided by its bytes, not its name or type).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

pub fn asset_body(record: &gather_store::AssetRecord) -> AssetBody {
    AssetBody {
        id: record.hash.clone(),
        url: asset_url(&record.hash),
        width: record.width,
        height: record.height,
        bytes: record.bytes,
    }
}

#[utoipa::path(
    post,
    path = "/assets",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The image, re-encoded as PNG and stored", body = AssetBody),
        (status = 400, description = "Not multipart, no `file` part, not an image (`not-an-image`), \
            damaged (`bad-image`) or too many pixels (`image-too-large`)", body = ErrorBody),
        (status = 403, description = "Missing or bad token", body = ErrorBody),
        (status = 409, description = "The upload quota is used up", body = ErrorBody),
        (status = 413, description = "Over the upload size cap (5 MiB unless configured)", body = ErrorBody),
        Unavailable,
    )
)]
async fn upload(
    State(state): State<AppState>,
    AuthUser { user, .. }: AuthUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<AssetBody>> {
    let max = state.config.asset_max_bytes;
    let mut parts = read_form(multipart, max.saturating_add(FORM_OVERHEAD_BYTES)).await?;
    let file = take_part(&mut parts, "file")?;
    if file.bytes.len() > max {
        return Err(ApiError::PayloadTooLarge);
    }
    let record = state.assets.upload(user, file.bytes).await?;
    Ok(Json(asset_body(&record)))
}

#[utoipa::path(
    post,
    path = "/admin/assets/sweep",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Unused uploads past the grace period are removed", body = SweepResponse),
        (status = 403, description = "Missing or bad token, or not an admin", body = ErrorBody),
        Unavailable,
    )
)]
async fn sweep(State(state): State<AppState>, _admin: AdminUser) -> ApiResult<Json<SweepResponse>> {
    Ok(Json(SweepResponse { removed: state.assets.sweep().await? }))
}

/// An asset never changes (its name is its hash), so it may be cached for good; `nosniff`
/// keeps browsers from reading it as anything but the PNG it is.
#[utoipa::path(
    get,
    path = "/assets/{name}",
    params(
        ("name" = String, Path, description = "`<hash>.png`, as in the `url` of an upload"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of a cached copy"),
    ),
    responses(
        (status = 200, description = "The PNG, with its hash as ETag, cacheable for good", content_type = "image/png"),
        (status = 304, description = "The cached copy is the asset"),
        (status = 404, description = "No such asset", body = ErrorBody),
        Unavailable,
    )
)]
async fn serve(
    State(state): State<AppState>,
    PathParam(name): PathParam<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let hash = asset_hash(&format!("/assets/{name}")).ok_or(ApiError::NotFound)?.to_owned();
    let etag = format!("\"{hash}\"");
    let cache = [
        (header::ETAG, HeaderValue::from_str(&etag).map_err(|e| ApiError::Internal(e.into()))?),
        (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
    ];
    if matches_etag(&headers, &etag) {
        // Only a name that exists has an ETag to match.
        if state.assets.read(&hash).await?.is_some() {
            return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
        }
        return Err(ApiError::NotFound);
    }
    let bytes = state.assets.read(&hash).await?.ok_or(ApiError::NotFound)?;
    let content_type = [(header::CONTENT_TYPE, HeaderValue::from_static("image/png"))];
    Ok((cache, content_type, bytes).into_response())
}

fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).any(|list| {
        list.split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag == etag || tag.strip_prefix("W/") == Some(etag))
    })
}
