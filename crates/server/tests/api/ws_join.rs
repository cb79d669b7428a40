use gather_protocol::ServerFrame;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_second_joiner_sees_the_first_and_the_first_is_told() {
    let app = spawn_app().await;
    let (alice, bob) = (app.user().await, app.user().await);
    let space = app.create_space(&alice, "10x10").await;

    let (mut a, a_joined) = app.ws_join(&space, &alice).await;
    assert!(a_joined.users.is_empty());
    assert!((0..10).contains(&a_joined.x) && (0..10).contains(&a_joined.y));

    let (_b, b_joined) = app.ws_join(&space, &bob).await;
    assert_eq!(b_joined.users, vec![(alice.id.clone(), a_joined.x, a_joined.y)]);
    assert_ne!((b_joined.x, b_joined.y), (a_joined.x, a_joined.y), "no two users share a tile");
    match a.next().await {
        ServerFrame::UserJoined { user_id, x, y } => {
            assert_eq!((user_id.to_string(), x, y), (bob.id.clone(), b_joined.x, b_joined.y));
        }
        other => panic!("expected user-joined, got {other:?}"),
    }
}

#[tokio::test]
async fn spawns_avoid_solid_furniture_and_other_people() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let owner = app.user().await;
    let wall = app.create_element(&admin, 3, 1, true).await;
    // A 3x2 room whose top row is a wall leaves three free tiles.
    let space = app.create_space(&owner, "3x2").await;
    app.place(&owner, &space, &wall, 0, 0).await.ok();
    let mut sockets = Vec::new();
    let mut tiles = Vec::new();
    for _ in 0..3 {
        let user = app.user().await;
        let (ws, joined) = app.ws_join(&space, &user).await;
        assert_eq!(joined.y, 1, "spawned on the wall");
        tiles.push(joined.x);
        sockets.push(ws);
    }
    tiles.sort();
    assert_eq!(tiles, vec![0, 1, 2]);

    let late = app.user().await;
    let mut ws = app.ws().await;
    ws.join(&space, &late.token).await;
    assert!(matches!(ws.next().await, ServerFrame::Error { code, .. } if code == "space-full"));
}

#[tokio::test]
async fn a_bad_token_or_unknown_space_gets_an_error_and_no_join() {
    let app = spawn_app().await;
    let (alice, bob) = (app.user().await, app.user().await);
    let space = app.create_space(&alice, "10x10").await;
    let (mut a, _) = app.ws_join(&space, &alice).await;

    let mut ws = app.ws().await;
    ws.join(&space, "not-a-token").await;
    assert!(matches!(ws.next().await, ServerFrame::Error { code, .. } if code == "invalid-token"));
    ws.join("6a2f41a3-c54c-4ce8-92d2-0324e1c32e22", &bob.token).await;
    assert!(matches!(ws.next().await, ServerFrame::Error { code, .. } if code == "unknown-space"));
    ws.join("not-an-id", &bob.token).await;
    assert!(matches!(ws.next().await, ServerFrame::Error { code, .. } if code == "bad-payload"));
    assert_eq!(a.sync().await, [], "nobody joined");

    // The same socket can still join properly afterwards.
    ws.join(&space, &bob.token).await;
    assert!(matches!(ws.next().await, ServerFrame::SpaceJoined { .. }));
}

#[tokio::test]
async fn a_second_join_on_one_socket_is_refused() {
    let app = spawn_app().await;
    let alice = app.user().await;
    let (space, other) = (app.create_space(&alice, "10x10").await, app.create_space(&alice, "5x5").await);
    let (mut ws, _) = app.ws_join(&space, &alice).await;
    ws.join(&other, &alice.token).await;
    assert!(matches!(ws.next().await, ServerFrame::Error { code, .. } if code == "already-joined"));
    ws.join(&space, &alice.token).await;
    assert!(matches!(ws.next().await, ServerFrame::Error { code, .. } if code == "already-joined"));
}

#[tokio::test]
async fn leaving_tells_the_others_and_allows_joining_again() {
    let app = spawn_app().await;
    let (alice, bob) = (app.user().await, app.user().await);
    let space = app.create_space(&alice, "10x10").await;
    let (mut a, _) = app.ws_join(&space, &alice).await;
    let (mut b, _) = app.ws_join(&space, &bob).await;
    a.next().await; // user-joined

    b.send_json(json!({"type": "leave"})).await;
    assert_eq!(a.next().await, ServerFrame::UserLeft { user_id: bob.id.parse().unwrap() });
    b.join(&space, &bob.token).await;
    assert!(matches!(b.next().await, ServerFrame::SpaceJoined { users, .. } if users.len() == 1));
    assert!(matches!(a.next().await, ServerFrame::UserJoined { .. }));
}

#[tokio::test]
async fn closing_the_socket_tells_the_others() {
    let app = spawn_app().await;
    let (alice, bob) = (app.user().await, app.user().await);
    let space = app.create_space(&alice, "10x10").await;
    let (mut a, _) = app.ws_join(&space, &alice).await;
    let (b, _) = app.ws_join(&space, &bob).await;
    a.next().await; // user-joined
    drop(b);
    assert_eq!(a.next().await, ServerFrame::UserLeft { user_id: bob.id.parse().unwrap() });
}

#[tokio::test]
async fn joining_from_a_second_socket_replaces_the_first() {
    let app = spawn_app().await;
    let (alice, bob) = (app.user().await, app.user().await);
    let space = app.create_space(&alice, "10x10").await;
    let (mut b, _) = app.ws_join(&space, &bob).await;
    let (mut first, _) = app.ws_join(&space, &alice).await;
    assert!(matches!(b.next().await, ServerFrame::UserJoined { .. }));

    let (_second, joined) = app.ws_join(&space, &alice).await;
    assert_eq!(joined.users.len(), 1, "only bob, not a ghost of alice: {joined:?}");
    assert_eq!(first.expect_close().await, Some(4001));
    assert_eq!(b.next().await, ServerFrame::UserLeft { user_id: alice.id.parse().unwrap() });
    assert!(matches!(b.next().await, ServerFrame::UserJoined { .. }));
    assert_eq!(b.sync().await, [], "alice is in once");
}

#[tokio::test]
async fn the_websocket_also_answers_on_the_root_path() {
    let app = spawn_app().await;
    let alice = app.user().await;
    let space = app.create_space(&alice, "4x4").await;
    let mut ws = app.ws_at("/").await;
    ws.join(&space, &alice.token).await;
    assert!(matches!(ws.next().await, ServerFrame::SpaceJoined { .. }));
}
