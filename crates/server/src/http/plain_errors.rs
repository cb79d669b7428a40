//! Every error answers with the JSON error body, including those made below our handlers:
//! axum's 405 for a wrong method (empty body), its plain-text extractor rejections (a bad
//! query string, a missing content type), and any fallback. Responses that already carry a
//! content type of their own (JSON errors, pages, images) pass unchanged.

use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use gather_protocol::http::{ErrorBody, ErrorDetail};

/// Plain-text rejections are one line; anything longer is not worth relaying.
const MAX_MESSAGE_BYTES: usize = 1024;

pub async fn as_json(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if !needs_rewrite(&response) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = to_bytes(body, MAX_MESSAGE_BYTES).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_owned();
    let (code, fallback) = describe(parts.status);
    let message = if text.is_empty() { fallback.to_owned() } else { text };
    let body = ErrorBody { error: ErrorDetail { code: code.to_owned(), message } };
    let mut rewritten = (parts.status, Json(body)).into_response();
    // Keep what the status needs beside the body, e.g. `Allow` on a 405.
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = parts.headers.get(&name) {
            rewritten.headers_mut().insert(name, value.clone());
        }
    }
    rewritten
}

fn needs_rewrite(response: &Response) -> bool {
    let is_error = response.status().is_client_error() || response.status().is_server_error();
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    is_error && content_type.is_none_or(|t| t.starts_with("text/plain"))
}

fn describe(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::NOT_FOUND => ("not-found", "no such route"),
        StatusCode::METHOD_NOT_ALLOWED => ("method-not-allowed", "this route does not take that method"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("unsupported-media-type", "send the body as JSON with Content-Type: application/json")
        }
        StatusCode::PAYLOAD_TOO_LARGE => ("too-large", "the request body is too large"),
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => {
            ("invalid-request", "the request is malformed")
        }
        s if s.is_server_error() => ("internal", "internal error"),
        _ => ("error", "the request could not be served"),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::HeaderValue;

    use super::*;

    fn plain(status: StatusCode, text: &'static str) -> Response {
        let mut response = (status, Body::from(text)).into_response();
        let text_plain = HeaderValue::from_static("text/plain; charset=utf-8");
        response.headers_mut().insert(header::CONTENT_TYPE, text_plain);
        response
    }

    #[test]
    fn only_errors_without_a_content_type_of_their_own_are_rewritten() {
        assert!(needs_rewrite(&StatusCode::METHOD_NOT_ALLOWED.into_response()));
        assert!(needs_rewrite(&plain(StatusCode::BAD_REQUEST, "Failed to deserialize query string")));
        assert!(!needs_rewrite(&plain(StatusCode::OK, "fine")));
        let json = (StatusCode::BAD_REQUEST, Json(serde_json::json!({"error": {}}))).into_response();
        assert!(!needs_rewrite(&json));
    }
}
