//! Static files: the browser client (built by `build.rs` and compiled in) and the demo
//! images. Unknown non-API paths get the client's `index.html`, so its routes
//! (`/spaces`, `/space/<id>`, `/admin`) load on refresh.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::demo;
use crate::state::AppState;

include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

const NOT_BUILT: &str = "<!doctype html><title>Gather</title><p>Gather is running. The API is under \
    <code>/api/v1</code> and the WebSocket at <code>/ws</code>. The browser client was not built: \
    install Node.js 20+ and npm, then rebuild.</p>";

pub fn router() -> Router<AppState> {
    Router::new().route("/demo/{file}", get(demo_image)).fallback(get(client_file))
}

async fn demo_image(Path(file): Path<String>) -> Response {
    match demo::image(&file) {
        Some(bytes) => file_response(&file, bytes, "public, max-age=86400"),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn client_file(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if let Some((_, bytes)) = WEB_ASSETS.iter().find(|(name, _)| *name == path && !path.is_empty()) {
        // Vite puts content hashes in the names under static/ (web/vite.config.ts: not its
        // default assets/, which is where uploads are served), so those never change.
        let cache =
            if path.starts_with("static/") { "public, max-age=31536000, immutable" } else { "no-cache" };
        return file_response(path, bytes, cache);
    }
    if path.starts_with("api/") || path.contains('.') {
        return StatusCode::NOT_FOUND.into_response();
    }
    index()
}

/// The client's entry page, or a note that it was not built.
pub fn index() -> Response {
    match WEB_ASSETS.iter().find(|(name, _)| *name == "index.html") {
        Some((_, bytes)) => file_response("index.html", bytes, "no-cache"),
        None => Html(NOT_BUILT).into_response(),
    }
}

fn file_response(name: &str, bytes: &'static [u8], cache: &'static str) -> Response {
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type(name))),
        (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
    ];
    (headers, bytes).into_response()
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" | "map" => "application/json",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
