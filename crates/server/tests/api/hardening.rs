//! Regression tests for defects found by hostile testing: each input here once produced a
//! 500, a value outside the rules, or a way around a limit.

use std::time::{Duration, Instant};

use futures_util::SinkExt;
use gather_protocol::ServerFrame;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{spawn_app, spawn_app_on_manual_clock, spawn_app_with};

#[tokio::test]
async fn parallel_placements_into_a_big_space_never_answer_5xx_nor_stall_sign_ins() {
    let app = spawn_app().await;
    let (owner, admin) = (app.user().await, app.admin().await);
    let space = app.create_space(&owner, "1000x1000").await;
    let rug = app.create_element(&admin, 1, 1, false).await;
    let desk = app.create_element(&admin, 2, 2, true).await;
    let (clients, per_client) = (4, 1250);
    let placing: Vec<_> = (0..clients)
        .map(|client| {
            let (http, url, token) = (app.http.clone(), app.url("/space/element"), owner.token.clone());
            let (space, rug) = (space.clone(), rug.clone());
            tokio::spawn(async move {
                let mut statuses = Vec::new();
                for i in 0..per_client {
                    // Every tile distinct: columns by client, rows by i.
                    let (x, y) = (client * 250 + i % 250, i / 250);
                    let body = json!({"elementId": rug, "spaceId": space, "x": x, "y": y});
                    let reply = http.post(&url).bearer_auth(&token).json(&body).send().await.unwrap();
                    statuses.push(reply.status().as_u16());
                }
                statuses
            })
        })
        .collect();
    // Meanwhile another user signs in, over and over: each must answer promptly.
    let someone = app.user().await;
    let mut slowest = Duration::ZERO;
    while !placing.iter().all(|task| task.is_finished()) {
        let started = Instant::now();
        app.signin(&someone.username, "password1").await.ok();
        slowest = slowest.max(started.elapsed());
    }
    for task in placing {
        let statuses = task.await.unwrap();
        assert!(statuses.iter().all(|s| *s == 200), "placements answered {:?}", unexpected(&statuses));
    }
    assert!(slowest < Duration::from_secs(1), "a sign-in took {slowest:?}");
    // The space holds 5,000 pieces and the rule still holds against all of them.
    app.place(&owner, &space, &desk, 500, 500).await.ok();
    assert_eq!(app.place(&owner, &space, &desk, 501, 501).await.error(400), "invalid-placement");
    let listed = app.get(&format!("/space/{space}"), Some(&owner.token)).await.ok();
    assert_eq!(listed["elements"].as_array().unwrap().len(), 5001);
}

fn unexpected(statuses: &[u16]) -> Vec<u16> {
    statuses.iter().copied().filter(|s| *s != 200).collect()
}

#[tokio::test]
async fn a_locked_database_answers_503_with_retry_after() {
    let app = spawn_app_with(|c| c.db_acquire_timeout_secs = 1).await;
    let url = format!("sqlite://{}", app.dir.path().join("data/gather.db").display());
    let mut other = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url).await.unwrap();
    // Another writer holds the lock past the busy timeout.
    sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await.unwrap();
    let started = Instant::now();
    let response = app
        .http
        .post(app.url("/signup"))
        .json(&json!({"username": "waits", "password": "password1", "type": "user"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 503, "after {:?}", started.elapsed());
    assert_eq!(response.headers()["retry-after"], "1");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unavailable");
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    // Nothing was half-written: the same sign-up now succeeds.
    app.signup("waits", "password1", "user").await.ok();
}

#[tokio::test]
async fn coordinates_beyond_any_space_are_400_and_change_nothing() {
    let app = spawn_app().await;
    let (owner, admin) = (app.user().await, app.admin().await);
    let space = app.create_space(&owner, "10x10").await;
    let chair = app.create_element(&admin, 1, 1, true).await;
    let sofa = app.create_element(&admin, 3, 1, true).await;
    for (x, y) in
        [(i64::MAX, 0), (0, i64::MAX), (i64::MAX - 1, 0), (i64::MIN, 0), (-1, 0), (1000, 0), (0, 1000)]
    {
        assert_eq!(
            app.place(&owner, &space, &chair, x, y).await.error(400),
            "invalid-position",
            "({x}, {y})"
        );
    }
    // Inside the largest space but outside this one, or hanging over its edge.
    assert_eq!(app.place(&owner, &space, &chair, 999, 0).await.error(400), "invalid-placement");
    assert_eq!(app.place(&owner, &space, &sofa, 8, 0).await.error(400), "invalid-placement");
    let listed = app.get(&format!("/space/{space}"), Some(&owner.token)).await.ok();
    assert_eq!(listed["elements"], json!([]));
    let map = json!({
        "thumbnail": "/t.png", "dimensions": "10x10", "name": "m",
        "defaultElements": [{"elementId": chair, "x": i64::MAX, "y": 0}],
    });
    assert_eq!(app.post("/admin/map", Some(&admin.token), map).await.error(400), "invalid-position");
    assert_eq!(app.get("/maps", None).await.ok()["maps"], json!([]));
}

#[tokio::test]
async fn binary_frames_meet_the_same_size_and_rate_limits_as_text() {
    let app = spawn_app_on_manual_clock(|_| {}).await;
    let mut big = app.ws().await;
    big.stream.send(Message::binary(vec![b'{'; 128 * 1024])).await.unwrap();
    assert!(matches!(big.next().await, ServerFrame::Error { code, .. } if code == "frame-too-large"));
    assert_eq!(big.expect_close().await, Some(1009));

    let mut flood = app.ws().await;
    for _ in 0..100 {
        flood.stream.send(Message::binary(vec![0u8; 64])).await.unwrap();
    }
    // Each frame is answered with an error: not JSON text, or too many.
    let mut codes = Vec::new();
    for _ in 0..100 {
        match flood.next().await {
            ServerFrame::Error { code, .. } => codes.push(code),
            other => panic!("expected an error, got {other:?}"),
        }
    }
    assert!(codes.iter().any(|c| c == "rate-limited"), "{codes:?}");
    assert!(codes.iter().filter(|c| *c == "bad-json").count() <= 60, "more than the burst got through");
}

#[tokio::test]
async fn an_account_may_own_only_so_many_spaces() {
    let app = spawn_app_with(|c| c.max_spaces_per_user = 2).await;
    let user = app.user().await;
    let first = app.create_space(&user, "5x5").await;
    app.create_space(&user, "5x5").await;
    let third = app.post("/space", Some(&user.token), json!({"name": "x", "dimensions": "5x5"})).await;
    assert_eq!(third.error(409), "limit-reached");
    assert_eq!(app.get("/space/all", Some(&user.token)).await.ok()["spaces"].as_array().unwrap().len(), 2);
    // Another account is not affected, and deleting makes room again.
    app.create_space(&app.user().await, "5x5").await;
    app.delete(&format!("/space/{first}"), Some(&user.token), None).await.ok();
    app.create_space(&user, "5x5").await;
}

#[tokio::test]
async fn a_space_holds_only_so_many_elements() {
    let app = spawn_app_with(|c| c.max_elements_per_space = 2).await;
    let (owner, admin) = (app.user().await, app.admin().await);
    let space = app.create_space(&owner, "5x5").await;
    let rug = app.create_element(&admin, 1, 1, false).await;
    app.place(&owner, &space, &rug, 0, 0).await.ok();
    app.place(&owner, &space, &rug, 1, 0).await.ok();
    assert_eq!(app.place(&owner, &space, &rug, 2, 0).await.error(409), "limit-reached");
    let items: Vec<_> = (0..3).map(|x| json!({"elementId": rug, "x": x, "y": 0})).collect();
    let map = json!({"thumbnail": "/t.png", "dimensions": "5x5", "name": "m", "defaultElements": items});
    assert_eq!(app.post("/admin/map", Some(&admin.token), map).await.error(409), "limit-reached");
}

#[tokio::test]
async fn an_account_may_have_only_so_many_sockets_in_spaces() {
    let app = spawn_app_with(|c| c.max_sockets_per_user = 2).await;
    let (user, watcher) = (app.user().await, app.user().await);
    let spaces = [app.create_space(&user, "10x10").await, app.create_space(&user, "10x10").await];
    let (mut watching, _) = app.ws_join(&spaces[0], &watcher).await;
    let (first, _) = app.ws_join(&spaces[0], &user).await;
    assert!(matches!(watching.next().await, ServerFrame::UserJoined { .. }));
    let (_second, _) = app.ws_join(&spaces[1], &user).await;
    let space = app.create_space(&user, "10x10").await;
    let mut third = app.ws().await;
    third.join(&space, &user.token).await;
    let refused = third.next().await;
    assert!(matches!(&refused, ServerFrame::Error { code, .. } if code == "too-many-sockets"), "{refused:?}");
    drop(first);
    // The slot comes back once the first socket is gone, which its space is told.
    assert_eq!(watching.next().await, ServerFrame::UserLeft { user_id: user.id.parse().unwrap() });
    third.join(&space, &user.token).await;
    let joined = third.next().await;
    assert!(matches!(joined, ServerFrame::SpaceJoined { .. }), "{joined:?}");
}

#[tokio::test]
async fn look_alike_usernames_are_refused_and_case_is_folded_fully() {
    let app = spawn_app().await;
    app.signup("alice", "password1", "user").await.ok();
    for hidden in ["\u{200B}", "\u{200D}", "\u{FEFF}", "\u{202E}", "\u{2066}", "\u{00AD}"] {
        let reply = app.signup(&format!("alice{hidden}"), "password1", "user").await;
        assert_eq!(reply.error(400), "invalid-username", "{hidden:?}");
    }
    let id = app.signup("Ärger", "password1", "user").await.ok()["userId"].clone();
    assert_eq!(app.signup("ärger", "password1", "user").await.error(400), "username-taken");
    // The same name composed differently is the same name.
    assert_eq!(app.signup("A\u{308}RGER", "password1", "user").await.error(400), "username-taken");
    assert_eq!(app.signin("äRGER", "password1").await.ok()["userId"], id);
}

#[tokio::test]
async fn image_urls_that_a_browser_would_load_from_another_host_are_refused() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for url in ["//other.example/x.png", "/\\other.example/x.png", "https://", "https://a@b.example/x.png"] {
        let body = json!({"imageUrl": url, "name": "fox"});
        assert_eq!(
            app.post("/admin/avatar", Some(&admin.token), body).await.error(400),
            "invalid-url",
            "{url}"
        );
    }
    assert_eq!(app.get("/avatars", None).await.ok()["avatars"], json!([]));
}

#[tokio::test]
async fn errors_made_below_the_handlers_are_json_too() {
    let app = spawn_app().await;
    let user = app.user().await;
    let wrong_method = app.call(reqwest::Method::PATCH, "/space/all", Some(&user.token), None).await;
    assert_eq!(wrong_method.error(405), "method-not-allowed");
    let response = app.http.patch(app.url("/space/all")).send().await.unwrap();
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    assert!(response.headers().contains_key("allow"));
    assert_eq!(app.get("/no/such/route", None).await.error(404), "not-found");
    // Outside the API too: a missing demo image.
    let missing = app.http.get(format!("http://{}/demo/nope.svg", app.addr)).send().await.unwrap();
    assert_eq!(missing.status().as_u16(), 404);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not-found");
}

#[tokio::test]
async fn the_bulk_metadata_cap_counts_every_id_asked_for() {
    let app = spawn_app().await;
    let junk = vec!["not-a-uuid"; 1000].join(",");
    assert_eq!(app.get(&format!("/user/metadata/bulk?ids=[{junk}]"), None).await.error(400), "too-many-ids");
    let few = vec!["not-a-uuid"; 100].join(",");
    assert_eq!(app.get(&format!("/user/metadata/bulk?ids=[{few}]"), None).await.ok()["avatars"], json!([]));
}
