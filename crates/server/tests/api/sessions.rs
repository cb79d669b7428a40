use std::time::Duration;

use gather_protocol::ServerFrame;
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_on_manual_clock};

#[tokio::test]
async fn signing_out_voids_only_that_token() {
    let app = spawn_app().await;
    let phone = app.user().await;
    let laptop = app.sign_in_again(&phone).await;
    app.post("/signout", Some(&phone.token), json!({})).await.ok();
    app.get("/me", Some(&phone.token)).await.error(403);
    app.get("/space/all", Some(&phone.token)).await.error(403);
    app.post("/signout", Some(&phone.token), json!({})).await.error(403);
    app.get("/me", Some(&laptop.token)).await.ok();
}

#[tokio::test]
async fn sessions_are_listed_and_one_can_be_cut_off() {
    let app = spawn_app().await;
    let phone = app.user().await;
    let laptop = app.sign_in_again(&phone).await;
    let listed = app.get("/sessions", Some(&laptop.token)).await.ok();
    let sessions = listed["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    assert!(sessions.iter().all(|s| s["userAgent"].is_string() && s["lastSeenAt"].as_i64() > Some(0)));

    let phone_session =
        sessions.iter().find(|s| s["current"] == false).unwrap()["id"].as_str().unwrap().to_owned();
    let stranger = app.user().await;
    app.delete(&format!("/sessions/{phone_session}"), Some(&stranger.token), None).await.error(403);
    app.get("/me", Some(&phone.token)).await.ok();
    app.delete(&format!("/sessions/{phone_session}"), Some(&laptop.token), None).await.ok();
    app.get("/me", Some(&phone.token)).await.error(403);
    let left = app.get("/sessions", Some(&laptop.token)).await.ok();
    assert_eq!(left["sessions"].as_array().unwrap().len(), 1);
    app.delete("/sessions/6a2f41a3-c54c-4ce8-92d2-0324e1c32e22", Some(&laptop.token), None).await.error(400);
    app.delete("/sessions/nope", Some(&laptop.token), None).await.error(400);
}

#[tokio::test]
async fn a_revoked_session_loses_its_live_socket_at_once() {
    // The clock stands still, so no cached check can lapse: only the revocation itself
    // can close the socket.
    let app = spawn_app_on_manual_clock(|_| {}).await;
    let (alice, bob) = (app.user().await, app.user().await);
    let space = app.create_space(&alice, "5x5").await;
    let (mut a, _) = app.ws_join(&space, &alice).await;
    let (mut b, _) = app.ws_join(&space, &bob).await;
    a.next().await; // user-joined

    app.post("/signout", Some(&bob.token), json!({})).await.ok();
    assert_eq!(b.next().await, ServerFrame::SessionRevoked {});
    assert_eq!(b.expect_close().await, Some(4004));
    assert_eq!(a.next().await, ServerFrame::UserLeft { user_id: bob.id.parse().unwrap() });

    let mut again = app.ws().await;
    again.join(&space, &bob.token).await;
    assert!(matches!(again.next().await, ServerFrame::Error { code, .. } if code == "invalid-token"));
}

#[tokio::test]
async fn changing_the_password_signs_out_every_other_session() {
    let app = spawn_app().await;
    let here = app.user().await;
    let elsewhere = app.sign_in_again(&here).await;
    let space = app.create_space(&here, "5x5").await;
    let (mut ws, _) = app.ws_join(&space, &elsewhere).await;

    let wrong = json!({"oldPassword": "not-it", "newPassword": "brand-new-1"});
    app.post("/user/password", Some(&here.token), wrong).await.error(403);
    let short = json!({"oldPassword": "password1", "newPassword": "123"});
    app.post("/user/password", Some(&here.token), short).await.error(400);
    app.get("/me", Some(&elsewhere.token)).await.ok();

    let change = json!({"oldPassword": "password1", "newPassword": "brand-new-1"});
    app.post("/user/password", Some(&here.token), change).await.ok();
    assert_eq!(ws.next().await, ServerFrame::SessionRevoked {});
    app.get("/me", Some(&elsewhere.token)).await.error(403);
    app.get("/me", Some(&here.token)).await.ok();
    app.signin(&here.username, "password1").await.error(403);
    app.signin(&here.username, "brand-new-1").await.ok();
}

#[tokio::test]
async fn repeated_failed_sign_ins_are_slowed_down_then_allowed_again() {
    let app = spawn_app_on_manual_clock(|_| {}).await;
    let user = app.user().await;
    for _ in 0..5 {
        app.signin(&user.username, "wrong-guess").await.error(403);
    }
    let response = app
        .http
        .post(app.url("/signin"))
        .json(&json!({"username": user.username, "password": "password1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429, "even the right password waits while locked");
    let wait: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=300).contains(&wait));
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too-many-attempts");

    // Other accounts are unaffected.
    let other = app.user().await;
    app.signin(&other.username, "password1").await.ok();

    app.clock.advance(Duration::from_secs(wait) - Duration::from_millis(1));
    app.signin(&user.username, "password1").await.error(429);
    app.clock.advance(Duration::from_millis(1));
    app.signin(&user.username, "password1").await.ok();
    // Success cleared the count: one more mistake does not lock again.
    app.signin(&user.username, "wrong-guess").await.error(403);
    app.signin(&user.username, "password1").await.ok();
}

#[tokio::test]
async fn behind_a_trusted_proxy_throttling_follows_the_reported_client_address() {
    let app = crate::helpers::spawn_app_with(|c| c.trust_proxy = true).await;
    let user = app.user().await;
    let signin = |ip: &'static str, password: &'static str| {
        app.http
            .post(app.url("/signin"))
            .header("x-real-ip", ip)
            .json(&json!({"username": user.username, "password": password}))
            .send()
    };
    for _ in 0..5 {
        assert_eq!(signin("10.0.0.1", "wrong-guess").await.unwrap().status(), 403);
    }
    assert_eq!(signin("10.0.0.1", "password1").await.unwrap().status(), 429);
    assert_eq!(
        signin("10.0.0.2", "password1").await.unwrap().status(),
        200,
        "another client is not locked out"
    );
}
