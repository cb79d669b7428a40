//! Operations endpoints, outside `/api/v1`: liveness, readiness and Prometheus metrics,
//! plus the middleware that counts and times every HTTP request.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// This file's routes in the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(healthz, readyz, metrics))]
pub struct Api;

/// The body of `/healthz` and `/readyz`.
#[derive(Serialize, ToSchema)]
struct Status {
    /// `ok`, `ready` or `not-ready`.
    status: &'static str,
    /// Why the node is not ready.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

fn status(status: &'static str) -> Json<Status> {
    Json(Status { status, reason: None })
}

/// The process is up and serving HTTP.
#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, description = "Serving", body = Status)))]
async fn healthz() -> Json<Status> {
    status("ok")
}

/// The node can do useful work: the database answers and is fully migrated, and in a
/// cluster the link to Redis is up.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "ops",
    responses(
        (status = 200, description = "Ready", body = Status),
        (status = 503, description = "Not ready, with the reason", body = Status),
    )
)]
async fn readyz(State(state): State<AppState>) -> Response {
    if !state.cluster.link().connected() {
        return not_ready("Redis is unreachable");
    }
    match state.store.ready().await {
        Ok(true) => status("ready").into_response(),
        Ok(false) => not_ready("database migrations are not all applied"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            not_ready("the database is unreachable")
        }
    }
}

fn not_ready(reason: &'static str) -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, Json(Status { status: "not-ready", reason: Some(reason) }))
        .into_response()
}

#[utoipa::path(
    get,
    path = "/metrics",
    tag = "ops",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain"))
)]
async fn metrics(State(state): State<AppState>) -> Response {
    let live = state.rooms.live_count() as i64;
    state.metrics.spaces_live.set(live);
    // In a cluster every room this node runs holds that space's lease.
    state.metrics.spaces_owned.set(if state.cluster.is_shared() { live } else { 0 });
    let mut text = state.metrics.render();
    if let Some(media) = &state.media {
        text.push_str(&media.render_metrics());
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}

/// Counts and times each request by its route pattern (not its raw path, which would make
/// one series per id).
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_owned();
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    state.metrics.http_requests.with_label_values(&[&route, &method, &status]).inc();
    state.metrics.http_latency.with_label_values(&[&route, &method]).observe(started.elapsed().as_secs_f64());
    response
}
