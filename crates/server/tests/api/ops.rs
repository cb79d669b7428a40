//! Health, readiness and metrics.

use gather_protocol::ServerFrame;

use crate::helpers::{spawn_app, TestApp};

async fn get_root(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.http.get(format!("http://{}{path}", app.addr)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The value of one series line, e.g. `gather_ws_frames_in_total{type="move"}`.
fn series(metrics: &str, name: &str) -> f64 {
    metrics
        .lines()
        .find(|line| line.starts_with(name) && line[name.len()..].starts_with(' '))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    assert_eq!(get_root(&app, "/healthz").await, (200, r#"{"status":"ok"}"#.to_owned()));
    assert_eq!(get_root(&app, "/readyz").await, (200, r#"{"status":"ready"}"#.to_owned()));
}

#[tokio::test]
async fn metrics_list_every_series_and_move_with_traffic() {
    let app = spawn_app().await;
    let (alice, bob) = (app.user().await, app.user().await);
    let space = app.create_space(&alice, "5x5").await;
    let (mut a, at) = app.ws_join(&space, &alice).await;
    let (mut b, _) = app.ws_join(&space, &bob).await;
    a.next().await; // user-joined
    a.send_move(at.x, at.y).await; // standing still: rejected
    assert!(matches!(a.next().await, ServerFrame::MovementRejected { .. }));

    let (status, metrics) = get_root(&app, "/metrics").await;
    assert_eq!(status, 200);
    for name in [
        "gather_ws_connections_open",
        "gather_spaces_live",
        "gather_space_population_bucket",
        "gather_ws_frames_in_total",
        "gather_ws_frames_out_total",
        "gather_ws_frames_coalesced_total",
        "gather_saturated",
        "gather_moves_rejected_total",
        "gather_http_requests_total",
        "gather_http_request_duration_seconds_bucket",
        "gather_db_query_duration_seconds_bucket",
    ] {
        assert!(metrics.contains(name), "{name} missing from:\n{metrics}");
    }
    assert_eq!(series(&metrics, "gather_ws_connections_open"), 2.0);
    assert_eq!(series(&metrics, "gather_spaces_live"), 1.0);
    assert_eq!(series(&metrics, "gather_ws_frames_coalesced_total"), 0.0, "both clients keep up");
    assert_eq!(series(&metrics, r#"gather_ws_frames_in_total{type="join"}"#), 2.0);
    assert_eq!(series(&metrics, r#"gather_ws_frames_in_total{type="move"}"#), 1.0);
    assert_eq!(series(&metrics, r#"gather_moves_rejected_total{reason="not-one-step"}"#), 1.0);
    assert_eq!(series(&metrics, r#"gather_ws_frames_out_total{type="user-joined"}"#), 1.0);
    assert_eq!(series(&metrics, "gather_space_population_count"), 2.0);
    let signups = r#"gather_http_requests_total{method="POST",route="/api/v1/signup",status="200"}"#;
    assert_eq!(series(&metrics, signups), 2.0);
    assert!(series(&metrics, r#"gather_db_query_duration_seconds_count{op="create_user"}"#) >= 2.0);

    drop(a);
    assert_eq!(b.next().await, ServerFrame::UserLeft { user_id: alice.id.parse().unwrap() });
    // Bob's barrier passes the room after it counted the frame.
    b.sync().await;
    let (_, later) = get_root(&app, "/metrics").await;
    assert_eq!(series(&later, "gather_ws_connections_open"), 1.0);
    assert_eq!(series(&later, r#"gather_ws_frames_out_total{type="user-left"}"#), 1.0);
}
