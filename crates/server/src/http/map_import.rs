//! `POST /admin/map/import`: a map made in Tiled becomes a Gather map. The tile layers make
//! the floor image (kept as an asset), and walls, spawn tiles and private areas become the
//! map's effects; what Gather does not understand is reported back, not dropped in silence.

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, State};
use axum::routing::post;
use axum::{Json, Router};
use bytes::Bytes;
use gather_assets::{import_tiled, ImportError, ImportLimits, ImportedMap, TiledFiles, ZipLimits};
use gather_core::{Dimensions, MapId};
use gather_protocol::assets::ImportMapResponse;
use gather_protocol::http::ErrorBody;
use gather_store::NewMap;
use utoipa::{OpenApi, ToSchema};

use super::form::{read_form, take_part, FormPart};
use super::openapi::Unavailable;
use super::validate;
use crate::assets::asset_url;
use crate::auth::AdminUser;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A map comes with its tileset images: room for several uploads' worth.
const IMPORT_BYTES_PER_UPLOAD: usize = 4;

pub fn router() -> Router<AppState> {
    // The cap is the configured one, counted while reading (`read_form`).
    Router::new().route("/admin/map/import", post(import).layer(DefaultBodyLimit::disable()))
}

#[derive(OpenApi)]
#[openapi(paths(import))]
pub(super) struct Api;

/// The form `POST /admin/map/import` takes.
#[derive(ToSchema)]
#[allow(dead_code)]
struct ImportForm {
    /// The map: Tiled's JSON (`.tmj`/`.json`), or one zip holding it and its images.
    #[schema(value_type = String, format = Binary)]
    map: Vec<u8>,
    /// Tileset images and external tilesets (`.tsj`), by their file names; repeated.
    #[schema(value_type = Option<Vec<String>>, format = Binary)]
    file: Option<Vec<Vec<u8>>>,
    /// The map's name in Gather; the file's name when left out.
    name: Option<String>,
}

#[utoipa::path(
    post,
    path = "/admin/map/import",
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The map is added, with what of it Gather left out", body = ImportMapResponse),
        (status = 400, description = "Not multipart, no `map` part, or a map that cannot be imported \
            (`invalid-map`, `map-too-large`, `bad-image`), with the reason", body = ErrorBody),
        (status = 403, description = "Missing or bad token, or not an admin", body = ErrorBody),
        (status = 409, description = "The floor image would pass the admin's upload quota", body = ErrorBody),
        (status = 413, description = "Over four times the upload size cap", body = ErrorBody),
        Unavailable,
    )
)]
async fn import(
    State(state): State<AppState>,
    admin: AdminUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<ImportMapResponse>> {
    let max = state.config.asset_max_bytes.saturating_mul(IMPORT_BYTES_PER_UPLOAD);
    let mut parts = read_form(multipart, max).await?;
    let map = take_part(&mut parts, "map")?;
    let name = match parts.iter().position(|p| p.name == "name") {
        Some(i) => validate::name("name", &String::from_utf8_lossy(&parts.swap_remove(i).bytes))?,
        None => validate::name("name", &default_name(&map))?,
    };
    let files = parts.into_iter().filter(|p| p.name == "file").collect();
    let imported = tokio::task::spawn_blocking(move || read_map(map.bytes, files))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(refused)?;
    let dims = Dimensions::new(imported.width, imported.height)
        .map_err(|e| ApiError::bad_request("map-too-large", e.to_string()))?;
    let warnings = imported.warnings;
    let floor = state.assets.keep(admin.0, imported.floor).await?;
    let url = asset_url(&floor.hash);
    let map = NewMap {
        id: MapId::new(),
        name,
        dims,
        thumbnail: url.clone(),
        floor_image_url: Some(url),
        elements: Vec::new(),
        effects: imported.effects,
    };
    state.store.create_map(&map).await?;
    Ok(Json(ImportMapResponse { id: map.id, dimensions: dims.to_string(), warnings }))
}

/// A zip is known by its first bytes, whatever it is called.
fn read_map(map: Bytes, files: Vec<FormPart>) -> Result<ImportedMap, ImportError> {
    let files = if map.starts_with(b"PK\x03\x04") {
        TiledFiles::from_zip(&map, ZipLimits::default())?
    } else {
        let files = files.into_iter().map(|f| (f.file_name.unwrap_or_default(), f.bytes.to_vec())).collect();
        TiledFiles::loose(map.to_vec(), files)
    };
    import_tiled(&files, ImportLimits::default())
}

fn default_name(map: &FormPart) -> String {
    let file = map.file_name.as_deref().unwrap_or_default();
    let stem = file.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = stem.rsplit_once('.').map_or(stem, |(stem, _)| stem);
    if stem.trim().is_empty() {
        "Imported map".to_owned()
    } else {
        stem.chars().take(validate::MAX_NAME_CHARS).collect()
    }
}

fn refused(error: ImportError) -> ApiError {
    let code = match error {
        ImportError::TooLarge(_) => "map-too-large",
        ImportError::BadImage { .. } => "bad-image",
        _ => "invalid-map",
    };
    ApiError::bad_request(code, error.to_string())
}
