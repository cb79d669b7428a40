//! Malformed requests get a clear 4xx and change nothing; nothing a client sends is a 500.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn malformed_json_and_wrong_content_types_are_400() {
    let app = spawn_app().await;
    let user = app.user().await;
    for (content_type, body) in [
        ("application/json", "{\"name\": "),
        ("application/json", "not json"),
        ("text/plain", "{\"name\":\"x\",\"dimensions\":\"5x5\"}"),
        ("application/json", ""),
    ] {
        let response = app
            .http
            .post(app.url("/space"))
            .bearer_auth(&user.token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{content_type} {body:?}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid-body");
    }
    assert_eq!(app.get("/space/all", Some(&user.token)).await.ok()["spaces"], json!([]));
}

#[tokio::test]
async fn huge_bodies_are_refused_without_500() {
    let app = spawn_app().await;
    let huge = format!("{{\"username\":\"{}\",\"password\":\"123456\"}}", "a".repeat(200_000));
    let response = app
        .http
        .post(app.url("/signup"))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn malformed_and_expired_tokens_are_403() {
    let app = crate::helpers::spawn_app_on_manual_clock(|c| c.token_ttl_secs = 1).await;
    let user = app.user().await;
    for header in ["Bearer", "Bearer ", "Basic abc", "token", "Bearer a.b.c"] {
        let response =
            app.http.get(app.url("/space/all")).header("authorization", header).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{header}");
    }
    // Good through the second its lifetime ends in, then no more.
    app.clock.advance(std::time::Duration::from_secs(1));
    app.get("/space/all", Some(&user.token)).await.ok();
    app.clock.advance(std::time::Duration::from_secs(1));
    app.get("/space/all", Some(&user.token)).await.error(403);
}

#[tokio::test]
async fn unknown_routes_are_404_with_an_error_body() {
    let app = spawn_app().await;
    assert_eq!(app.get("/no/such/route", None).await.error(404), "not-found");
}
