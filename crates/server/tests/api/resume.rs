//! Sessions that survive a flaky network: a client whose connection goes through a proxy
//! the test cuts comes back with `resume` and gets exactly the frames it missed, while the
//! others never see it leave; past the grace period, the drop is an ordinary leave.

use std::time::Duration;

use gather_protocol::ServerFrame;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{spawn_app, spawn_app_with, ws_to, TestUser, WsClient};
use crate::proxy::Proxy;

/// A client that counts every text frame it is sent, as `lastSeq` needs.
struct Counting {
    ws: WsClient,
    seen: u64,
}

impl Counting {
    async fn connect(proxy: &Proxy) -> Self {
        Self { ws: ws_to(proxy.addr, "/ws").await, seen: 0 }
    }

    async fn send(&mut self, frame: Value) {
        self.ws.send_json(frame).await;
    }

    /// Every frame that comes until `quiet` passes with none.
    async fn read_until_quiet(&mut self, quiet: Duration) -> Vec<ServerFrame> {
        let mut frames = Vec::new();
        while let Ok(Some(message)) =
            crate::socket::message_before(&mut self.ws.stream, tokio::time::Instant::now() + quiet).await
        {
            if let Message::Text(text) = message {
                let frame: ServerFrame = serde_json::from_str(text.as_str()).expect("a server frame");
                if !matches!(frame, ServerFrame::Resumed { .. }) {
                    self.seen += 1;
                }
                frames.push(frame);
            }
        }
        frames
    }
}

const QUIET: Duration = Duration::from_millis(400);

async fn joined_through(proxy: &Proxy, space: &str, user: &TestUser, key: &str) -> Counting {
    let mut bob = Counting::connect(proxy).await;
    let join = json!({"type": "join", "payload": {"spaceId": space, "token": user.token, "resumeKey": key}});
    bob.send(join).await;
    let frames = bob.read_until_quiet(QUIET).await;
    assert!(matches!(frames.first(), Some(ServerFrame::SpaceJoined { .. })), "{frames:?}");
    bob
}

fn resume(space: &str, user: &TestUser, key: &str, last_seq: u64) -> Value {
    json!({"type": "resume", "payload": {"spaceId": space, "token": user.token, "resumeKey": key, "lastSeq": last_seq}})
}

/// Alice, on the server directly, walks two steps (in a direction bob does not block) and
/// says something; returns the tiles she reached, as the server took them.
async fn alice_acts(
    alice: &mut WsClient,
    from: (i64, i64),
    bob: (i64, i64),
    size: (i64, i64),
) -> Vec<(i64, i64)> {
    let inside = |(x, y): (i64, i64)| (0..size.0).contains(&x) && (0..size.1).contains(&y) && (x, y) != bob;
    let (dx, dy) = [(1, 0), (-1, 0), (0, 1), (0, -1)]
        .into_iter()
        .find(|(dx, dy)| inside((from.0 + dx, from.1 + dy)) && inside((from.0 + 2 * dx, from.1 + 2 * dy)))
        .expect("some way is free");
    let steps = vec![(from.0 + dx, from.1 + dy), (from.0 + 2 * dx, from.1 + 2 * dy)];
    for (x, y) in &steps {
        alice.send_move(*x, *y).await;
    }
    alice.send_chat(json!({"text": "while you were away"})).await;
    let (_, at) = alice.sync_at().await;
    assert_eq!(at, steps[1], "both steps were taken");
    steps
}

fn is_user_left(frame: &ServerFrame) -> bool {
    matches!(frame, ServerFrame::UserLeft { .. })
}

#[tokio::test]
async fn a_blip_within_the_grace_period_loses_nothing_duplicates_nothing_and_shows_no_leave() {
    let app = spawn_app().await;
    let (alice_user, bob_user) = (app.user().await, app.user().await);
    let space = app.create_space(&alice_user, "20x3").await;
    let (mut alice, joined) = app.ws_join(&space, &alice_user).await;
    let proxy = Proxy::start(app.addr).await;
    let bob = joined_through(&proxy, &space, &bob_user, "key-1").await;
    let bob_at = alice
        .sync()
        .await
        .into_iter()
        .find_map(|f| match f {
            ServerFrame::UserJoined { x, y, .. } => Some((x, y)),
            _ => None,
        })
        .expect("alice hears bob arrive");

    // Bob's network goes; alice goes on meanwhile.
    proxy.cut();
    let steps = alice_acts(&mut alice, (joined.x, joined.y), bob_at, (20, 3)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut back = Counting { ws: ws_to(proxy.addr, "/ws").await, seen: bob.seen };
    back.send(resume(&space, &bob_user, "key-1", bob.seen)).await;
    let frames = back.read_until_quiet(QUIET).await;
    let Some(ServerFrame::Resumed { replayed, snapshot: false }) = frames.first() else {
        panic!("expected resumed: {frames:?}");
    };
    // Sent again (lost in flight), or waiting in the queue: everything after the resume.
    assert!((*replayed as usize) < frames.len(), "{frames:?}");
    let moves: Vec<(i64, i64)> = frames
        .iter()
        .filter_map(|f| match f {
            ServerFrame::Movement { x, y, .. } => Some((*x, *y)),
            _ => None,
        })
        .collect();
    assert_eq!(moves, steps, "each of alice's steps once, in order: {frames:?}");
    let chats = frames.iter().filter(|f| matches!(f, ServerFrame::Chat(_))).count();
    assert_eq!(chats, 1, "her message once: {frames:?}");
    assert!(!frames.iter().any(|f| matches!(f, ServerFrame::SpaceJoined { .. })), "no fresh start");

    // Bob is the same member, where he was: a move of his is rejected or seen by alice,
    // and she never saw him leave.
    for (dx, dy) in [(0, 1), (0, -1), (1, 0), (-1, 0)] {
        back.send(json!({"type": "move", "payload": {"x": bob_at.0 + dx, "y": bob_at.1 + dy}})).await;
    }
    // Through the proxy, bob's steps take a moment longer than alice's own frames.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let seen_by_alice = alice.sync().await;
    assert!(!seen_by_alice.iter().any(is_user_left), "{seen_by_alice:?}");
    let bob_moved = seen_by_alice
        .iter()
        .any(|f| matches!(f, ServerFrame::Movement { user_id, .. } if user_id.to_string() == bob_user.id));
    assert!(bob_moved, "one of bob's steps is free: {seen_by_alice:?}");
}

#[tokio::test]
async fn past_the_grace_period_a_dropped_socket_is_a_leave_and_cannot_be_resumed() {
    let app = spawn_app_with(|config| config.ws_resume_grace_secs = 1).await;
    let (alice_user, bob_user) = (app.user().await, app.user().await);
    let space = app.create_space(&alice_user, "10x10").await;
    let (mut alice, _) = app.ws_join(&space, &alice_user).await;
    let proxy = Proxy::start(app.addr).await;
    let bob = joined_through(&proxy, &space, &bob_user, "key-2").await;
    alice.sync().await;
    proxy.cut();
    let left = ServerFrame::UserLeft { user_id: bob_user.id.parse().unwrap() };
    let frames = crate::socket::read_until(&mut alice.stream, &left, Duration::from_secs(5)).await;
    assert_eq!(frames.last(), Some(&left), "the wait ran out: bob left");

    let mut back = Counting { ws: ws_to(proxy.addr, "/ws").await, seen: bob.seen };
    back.send(resume(&space, &bob_user, "key-2", bob.seen)).await;
    let frames = back.read_until_quiet(QUIET).await;
    assert!(
        matches!(frames.as_slice(), [ServerFrame::Error { code, .. }] if code == "resume-failed"),
        "{frames:?}"
    );
}

#[tokio::test]
async fn a_client_that_says_goodbye_leaves_at_once_and_a_revoked_session_cannot_come_back() {
    let app = spawn_app().await;
    let (alice_user, bob_user) = (app.user().await, app.user().await);
    let space = app.create_space(&alice_user, "10x10").await;
    let (mut alice, _) = app.ws_join(&space, &alice_user).await;
    let proxy = Proxy::start(app.addr).await;

    // A close frame is a leave, grace period or not.
    let mut bob = joined_through(&proxy, &space, &bob_user, "key-3").await;
    alice.sync().await;
    bob.ws.stream.close(None).await.unwrap();
    let left = ServerFrame::UserLeft { user_id: bob_user.id.parse().unwrap() };
    let frames = crate::socket::read_until(&mut alice.stream, &left, Duration::from_secs(2)).await;
    assert_eq!(frames.last(), Some(&left));

    // Dropped by the network, then signed out elsewhere: the session cannot resume.
    let bob = joined_through(&proxy, &space, &bob_user, "key-4").await;
    proxy.cut();
    app.post("/signout", Some(&bob_user.token), json!({})).await.ok();
    let mut back = Counting { ws: ws_to(proxy.addr, "/ws").await, seen: bob.seen };
    back.send(resume(&space, &bob_user, "key-4", bob.seen)).await;
    let frames = back.read_until_quiet(QUIET).await;
    assert!(
        matches!(frames.as_slice(), [ServerFrame::Error { code, .. }] if code == "invalid-token"),
        "{frames:?}"
    );
}

#[tokio::test]
async fn a_gap_too_long_to_replay_gets_a_fresh_picture_and_says_so() {
    // Nothing kept to send again: any frame missed is too many.
    let app = spawn_app_with(|config| config.ws_replay_frames = 0).await;
    let (alice_user, bob_user) = (app.user().await, app.user().await);
    let space = app.create_space(&alice_user, "20x3").await;
    let (mut alice, _) = app.ws_join(&space, &alice_user).await;
    // Behind a password: the fresh join in the old one's place keeps bob's grant.
    let access = json!({"access": "password", "password": "open sesame"});
    app.put(&format!("/space/{space}/access"), Some(&alice_user.token), access).await.ok();
    let grant = app
        .post(&format!("/space/{space}/grant"), Some(&bob_user.token), json!({"password": "open sesame"}))
        .await
        .ok()["grant"]
        .clone();
    let proxy = Proxy::start(app.addr).await;
    let mut bob = Counting::connect(&proxy).await;
    let join = json!({"type": "join", "payload": {"spaceId": space, "token": bob_user.token, "resumeKey": "key-5", "grant": grant}});
    bob.send(join).await;
    let frames = bob.read_until_quiet(QUIET).await;
    let Some(ServerFrame::SpaceJoined { spawn, .. }) = frames.first() else { panic!("{frames:?}") };
    let bob_at = *spawn;
    alice.sync().await; // bob's arrival
    proxy.cut();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut back = Counting { ws: ws_to(proxy.addr, "/ws").await, seen: bob.seen };
    // Claims to have seen nothing, not even `space-joined`.
    back.send(resume(&space, &bob_user, "key-5", 0)).await;
    let frames = back.read_until_quiet(QUIET).await;
    assert!(
        matches!(frames.as_slice(), [ServerFrame::Resumed { snapshot: true, .. }, ServerFrame::SpaceJoined { users, spawn, .. }, ..]
            if users.iter().any(|u| u.user_id.to_string() == alice_user.id) && *spawn == bob_at),
        "back where he stood: {frames:?}"
    );
    // The same place in the space, kept: alice saw bob neither leave nor come back.
    let seen = alice.sync().await;
    assert!(
        !seen.iter().any(|f| matches!(f, ServerFrame::UserLeft { .. } | ServerFrame::UserJoined { .. })),
        "{seen:?}"
    );
}

#[tokio::test]
async fn a_retried_chat_message_is_acknowledged_again_but_stored_and_delivered_once() {
    let app = spawn_app().await;
    let (alice_user, bob_user) = (app.user().await, app.user().await);
    let space = app.create_space(&alice_user, "10x10").await;
    let (mut alice, _) = app.ws_join(&space, &alice_user).await;
    let (mut bob, _) = app.ws_join(&space, &bob_user).await;
    alice.sync().await;
    for _ in 0..2 {
        bob.send_chat(json!({"text": "once only", "clientId": "msg-1"})).await;
    }
    let acks: Vec<_> = bob.sync().await.into_iter().filter(|f| matches!(f, ServerFrame::Chat(_))).collect();
    assert_eq!(acks.len(), 2, "each send is acknowledged");
    assert_eq!(acks[0], acks[1], "with the same message");
    let delivered = alice.sync().await.into_iter().filter(|f| matches!(f, ServerFrame::Chat(_))).count();
    assert_eq!(delivered, 1);
    let history = app.get(&format!("/space/{space}/chat"), Some(&alice_user.token)).await.ok();
    assert_eq!(history["messages"].as_array().unwrap().len(), 1);
    bob.send_chat(json!({"text": "x", "clientId": "k".repeat(65)})).await;
    let refused = bob.sync().await;
    assert!(
        matches!(refused.as_slice(), [ServerFrame::Error { code, .. }] if code == "invalid-chat"),
        "{refused:?}"
    );
}
