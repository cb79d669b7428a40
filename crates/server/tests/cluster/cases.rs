//! The cluster's behaviours, each written once against [`Cluster`] and run on every
//! transport (see `main.rs`).

use std::future::Future;
use std::time::{Duration, Instant};

use gather_protocol::ServerFrame;
use serde_json::json;

use crate::clients::{
    answered_within, chat_texts, create_space, get_json, join, metrics, next, post, read_until, ready, send,
    step, step_from, sync, upload, user, Socket,
};
use crate::harness::Cluster;
use crate::media_person::{both_in_media, hear_each_other, run_for, Person};

pub async fn people_on_two_nodes_share_a_space<C: Cluster, F: Future<Output = C>>(
    start: impl FnOnce(usize) -> F,
) {
    let Pair { cluster, a, b, http, alice, bob, space } = two_nodes_and_a_space(start).await;

    let (mut on_a, others, alice_at) = join(&a, &space, &alice).await;
    assert!(others.is_empty());
    let (mut on_b, others, bob_at) = join(&b, &space, &bob).await;
    assert_eq!(
        others,
        vec![(alice.id.clone(), alice_at.0, alice_at.1)],
        "bob on node b sees alice on node a"
    );
    assert_eq!(
        next(&mut on_a).await,
        ServerFrame::UserJoined { user_id: bob.id.parse().unwrap(), x: bob_at.0, y: bob_at.1 }
    );

    // A move on node b is seen on node a, and a refused move is told only to its mover.
    let to = step_from(bob_at, alice_at, 10);
    step(&mut on_b, to).await;
    assert_eq!(
        next(&mut on_a).await,
        ServerFrame::Movement { user_id: bob.id.parse().unwrap(), x: to.0, y: to.1 }
    );
    step(&mut on_b, (50, 50)).await;
    assert_eq!(next(&mut on_b).await, ServerFrame::MovementRejected { x: to.0, y: to.1 });

    // Chat crosses nodes, stored once and acknowledged to the sender.
    send(&mut on_b, json!({"type": "chat", "payload": {"text": "hello from b"}})).await;
    for socket in [&mut on_a, &mut on_b] {
        assert!(matches!(next(socket).await, ServerFrame::Chat(body) if body.text == "hello from b"));
    }

    // Each node reports its share: a owns the space, b forwarded bob's join.
    assert!(metrics(&http, &a).await.contains("gather_spaces_owned 1"));
    let on_b_metrics = metrics(&http, &b).await;
    assert!(on_b_metrics.contains(r#"gather_bus_messages_out_total{kind="join"} 1"#), "{on_b_metrics}");
    assert!(on_b_metrics.contains("gather_forward_latency_seconds_count"));

    // Furniture placed through node a reaches bob on node b.
    let plant = json!({"imageUrl": "/demo/plant.svg", "width": 1, "height": 1, "static": true});
    let (_, element) = post(&http, &a, "/admin/element", &alice, plant).await;
    let free = (0..10).find(|x| (*x, 9) != alice_at && (*x, 9) != to).unwrap();
    let place = json!({"elementId": element["id"], "spaceId": space, "x": free, "y": 9});
    assert_eq!(post(&http, &a, "/space/element", &alice, place).await.0, 200);
    assert!(matches!(next(&mut on_b).await, ServerFrame::ElementAdded { x, y: 9, .. } if x == free));
    assert!(matches!(next(&mut on_a).await, ServerFrame::ElementAdded { .. }));

    // Bob leaves by closing his socket on node b; alice on node a is told.
    drop(on_b);
    assert_eq!(next(&mut on_a).await, ServerFrame::UserLeft { user_id: bob.id.parse().unwrap() });
    cluster.finish().await;
}

pub async fn racing_moves_from_two_nodes_never_share_a_tile<C: Cluster, F: Future<Output = C>>(
    start: impl FnOnce(usize) -> F,
) {
    let cluster = start(2).await;
    let (a, b) = (cluster.addr(0).to_owned(), cluster.addr(1).to_owned());
    let http = reqwest::Client::new();
    let (alice, bob) = (user(&http, &a, "alice").await, user(&http, &b, "bob").await);
    for _ in 0..15 {
        // Three tiles in a row: whoever is in the middle steps aside, then both go for it.
        let space = create_space(&http, &a, &alice, "3x1").await;
        let (mut on_a, _, alice_at) = join(&a, &space, &alice).await;
        let (mut on_b, _, bob_at) = join(&b, &space, &bob).await;
        next(&mut on_a).await; // user-joined
        if alice_at.0 == 1 {
            step(&mut on_a, (2 - bob_at.0, 0)).await;
            next(&mut on_b).await;
        } else if bob_at.0 == 1 {
            step(&mut on_b, (2 - alice_at.0, 0)).await;
            next(&mut on_a).await;
        }
        let (got_a, got_b) = tokio::join!(takes_the_middle(&mut on_a), takes_the_middle(&mut on_b));
        assert!(got_a ^ got_b, "exactly one gets the middle tile: alice {got_a}, bob {got_b}");
    }
    cluster.finish().await;
}

/// Steps onto the middle of a 3x1 space, then onto a tile outside it, which is always
/// refused. The first refusal says where the mover stands: on the middle only if the
/// first step was accepted.
async fn takes_the_middle(socket: &mut Socket) -> bool {
    step(socket, (1, 0)).await;
    step(socket, (-1, 0)).await;
    loop {
        if let ServerFrame::MovementRejected { x, .. } = next(socket).await {
            return x == 1;
        }
    }
}

pub async fn signing_out_on_one_node_closes_the_socket_on_another<C: Cluster, F: Future<Output = C>>(
    start: impl FnOnce(usize) -> F,
) {
    let cluster = start(2).await;
    let (a, b) = (cluster.addr(0).to_owned(), cluster.addr(1).to_owned());
    let http = reqwest::Client::new();
    let alice = user(&http, &a, "alice").await;
    let space = create_space(&http, &a, &alice, "5x5").await;
    let (mut on_b, _, _) = join(&b, &space, &alice).await;

    let started = Instant::now();
    assert_eq!(post(&http, &a, "/signout", &alice, json!({})).await.0, 200);
    assert_eq!(next(&mut on_b).await, ServerFrame::SessionRevoked {});
    assert!(started.elapsed() < Duration::from_secs(1), "took {:?}", started.elapsed());
    let refused = http.get(format!("http://{b}/api/v1/me")).bearer_auth(&alice.token).send().await.unwrap();
    assert_eq!(refused.status(), 403, "node b refuses the token too");
    cluster.finish().await;
}

pub async fn when_the_owner_dies_the_survivors_take_the_space_over_without_ghosts<
    C: Cluster,
    F: Future<Output = C>,
>(
    start: impl FnOnce(usize) -> F,
) {
    let mut cluster = start(3).await;
    let (owner, b, c) = (cluster.addr(0).to_owned(), cluster.addr(1).to_owned(), cluster.addr(2).to_owned());
    let http = reqwest::Client::new();
    let (alice, bob, carol) =
        (user(&http, &owner, "alice").await, user(&http, &b, "bob").await, user(&http, &c, "carol").await);
    let space = create_space(&http, &b, &bob, "12x12").await;

    let (mut on_owner, _, _) = join(&owner, &space, &alice).await; // The first joiner's node owns the space.
    let (mut on_b, _, bob_at) = join(&b, &space, &bob).await;
    let (mut on_c, _, carol_at) = join(&c, &space, &carol).await;
    // Every join is through and told: each socket's refused barrier comes after them.
    for socket in [&mut on_owner, &mut on_b, &mut on_c] {
        sync(socket).await;
    }

    let killed = Instant::now();
    cluster.kill(0).await;
    drop(on_owner);
    let alice_left = ServerFrame::UserLeft { user_id: alice.id.parse().unwrap() };
    for socket in [&mut on_b, &mut on_c] {
        let frames = read_until(socket, &alice_left, Duration::from_secs(15)).await;
        assert!(frames.contains(&alice_left), "alice reported gone: {frames:?}");
    }
    // The lease runs out, a survivor takes over, and holds alice for a resume that never
    // comes: the resume grace, then she is gone.
    let bound = Duration::from_secs(crate::harness::RESUME_GRACE_SECS + 8);
    assert!(killed.elapsed() < bound, "took {:?}", killed.elapsed());

    // Bob kept his place: one step from where he stood is accepted and carol sees it.
    let to = step_from(bob_at, carol_at, 12);
    step(&mut on_b, to).await;
    let moved = ServerFrame::Movement { user_id: bob.id.parse().unwrap(), x: to.0, y: to.1 };
    let frames = read_until(&mut on_c, &moved, Duration::from_secs(3)).await;
    assert!(frames.contains(&moved), "carol sees bob move: {frames:?}");

    // A newcomer sees exactly the survivors: no ghost of alice, nobody twice.
    let dave = user(&http, &b, "dave").await;
    let (_on_dave, others, _) = join(&b, &space, &dave).await;
    let mut ids: Vec<String> = others.into_iter().map(|(id, _, _)| id).collect();
    ids.sort();
    let mut expected = vec![bob.id.clone(), carol.id.clone()];
    expected.sort();
    assert_eq!(ids, expected);
    cluster.finish().await;
}

pub async fn nodes_ride_out_a_link_outage<C: Cluster, F: Future<Output = C>>(start: impl FnOnce(usize) -> F) {
    let mut cluster = start(2).await;
    let (a, b) = (cluster.addr(0).to_owned(), cluster.addr(1).to_owned());
    let http = reqwest::Client::new();
    let (alice, bob) = (user(&http, &a, "alice").await, user(&http, &b, "bob").await);
    let space = create_space(&http, &a, &alice, "10x10").await;
    let (mut on_a, _, alice_at) = join(&a, &space, &alice).await;
    let (mut on_b, _, mut bob_at) = join(&b, &space, &bob).await;
    next(&mut on_a).await; // user-joined
                           // A first step seen across nodes proves both joins are complete before the link goes.
    let first = step_from(bob_at, alice_at, 10);
    step(&mut on_b, first).await;
    assert_eq!(
        next(&mut on_a).await,
        ServerFrame::Movement { user_id: bob.id.parse().unwrap(), x: first.0, y: first.1 }
    );
    bob_at = first;

    cluster.link_down().await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while ready(&http, &a).await != 503 || ready(&http, &b).await != 503 {
        assert!(Instant::now() < deadline, "nodes still ready without their link");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Alice's node owns the space, so alice alone can still walk.
    let to = step_from(alice_at, bob_at, 10);
    step(&mut on_a, to).await;
    step(&mut on_a, (99, 99)).await;
    assert_eq!(
        next(&mut on_a).await,
        ServerFrame::MovementRejected { x: to.0, y: to.1 },
        "the owner still applies the rules"
    );

    cluster.link_up().await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while ready(&http, &a).await != 200 || ready(&http, &b).await != 200 {
        assert!(Instant::now() < deadline, "nodes did not become ready again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Working across nodes again, without restarting anything: once a refused move of bob's
    // comes back through the owner, his next step reaches alice.
    let deadline = Instant::now() + Duration::from_secs(10);
    while answered_within(&mut on_b, Duration::from_secs(1)).await.is_none() {
        assert!(Instant::now() < deadline, "bob's node never reached the owner again");
    }
    let bob_to = step_from(bob_at, to, 10);
    step(&mut on_b, bob_to).await;
    let moved = ServerFrame::Movement { user_id: bob.id.parse().unwrap(), x: bob_to.0, y: bob_to.1 };
    let frames = read_until(&mut on_a, &moved, Duration::from_secs(5)).await;
    assert!(frames.contains(&moved), "alice sees bob move after the link returned: {frames:?}");
    cluster.finish().await;
}

/// Voice and video between people on two nodes: each client's media goes to the relay of
/// the node that owns the space, whichever node holds its socket. Run once with the owner
/// on each node.
pub async fn people_on_two_nodes_hear_each_other_with_the_owner_on_either<
    C: Cluster,
    F: Future<Output = C>,
>(
    start: impl FnOnce(usize) -> F,
) {
    let cluster = start(2).await;
    let nodes = [cluster.addr(0).to_owned(), cluster.addr(1).to_owned()];
    let http = reqwest::Client::new();
    for (owner_node, other_node) in [(0, 1), (1, 0)] {
        let (owner, other) = (&nodes[owner_node], &nodes[other_node]);
        let first = user(&http, owner, &format!("first{owner_node}")).await;
        let second = user(&http, other, &format!("second{owner_node}")).await;
        // 3x1: nobody is ever more than two tiles from anyone.
        let space = create_space(&http, owner, &first, "3x1").await;
        // The first to join claims the space for their node.
        let (socket, _, at) = join(owner, &space, &first).await;
        let mut a = Person::new(first.id.clone(), socket, at).await;
        let (socket, _, at) = join(other, &space, &second).await;
        let mut b = Person::new(second.id.clone(), socket, at).await;
        assert!(
            metrics(&http, owner).await.contains("gather_spaces_owned 1"),
            "the first joiner's node owns it"
        );

        both_in_media(&mut a, &mut b).await;
        assert!(
            hear_each_other(&mut a, &mut b).await,
            "owner on node {owner_node}: {} and {}",
            a.from(&b),
            b.from(&a)
        );
        assert_eq!((a.peers.clone(), b.peers.clone()), (vec![b.id.clone()], vec![a.id.clone()]));
        // Only the owner's relay carries the space's media.
        let relayed = |text: &str| text.lines().any(|l| l.starts_with("gather_media_peer_connections 2"));
        assert!(relayed(&metrics(&http, owner).await), "the owner's relay has both sessions");
        assert!(!relayed(&metrics(&http, other).await), "the other node's relay has none");
        run_for(&mut [&mut a, &mut b], std::time::Duration::from_millis(100)).await;
    }
    cluster.finish().await;
}

/// What a join on `node` is answered with: `joined`, or the `error` frame's code.
async fn join_outcome(node: &str, space: &str, user: &crate::clients::User) -> String {
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{node}/ws")).await.unwrap();
    send(&mut socket, json!({"type": "join", "payload": {"spaceId": space, "token": user.token}})).await;
    match next(&mut socket).await {
        ServerFrame::SpaceJoined { .. } => "joined".to_owned(),
        ServerFrame::Error { code, .. } => code,
        other => panic!("expected space-joined or an error, got {other:?}"),
    }
}

/// Reads past text frames to the close, and returns its code.
async fn close_code(socket: &mut Socket) -> Option<u16> {
    use tokio_tungstenite::tungstenite::Message;
    loop {
        match crate::socket::next_message(socket, Duration::from_secs(3)).await {
            Some(Message::Close(frame)) => return frame.map(|f| f.code.into()),
            Some(Message::Text(_)) => continue,
            None => return None,
            Some(other) => panic!("expected a close, got {other:?}"),
        }
    }
}

/// Two nodes; alice signed up on node a, bob on node b, and a 10x10 space of alice's.
struct Pair<C> {
    cluster: C,
    a: String,
    b: String,
    http: reqwest::Client,
    alice: crate::clients::User,
    bob: crate::clients::User,
    space: String,
}

async fn two_nodes_and_a_space<C: Cluster, F: Future<Output = C>>(start: impl FnOnce(usize) -> F) -> Pair<C> {
    let cluster = start(2).await;
    let (a, b) = (cluster.addr(0).to_owned(), cluster.addr(1).to_owned());
    let http = reqwest::Client::new();
    let (alice, bob) = (user(&http, &a, "alice").await, user(&http, &b, "bob").await);
    let space = create_space(&http, &a, &alice, "10x10").await;
    Pair { cluster, a, b, http, alice, bob, space }
}

pub async fn a_kick_or_ban_through_one_node_removes_someone_connected_to_another<
    C: Cluster,
    F: Future<Output = C>,
>(
    start: impl FnOnce(usize) -> F,
) {
    let Pair { cluster, a, b, http, alice, bob, space } = two_nodes_and_a_space(start).await;
    let (mut on_a, _, _) = join(&a, &space, &alice).await; // Node a owns the space.
    let (mut on_b, _, _) = join(&b, &space, &bob).await;
    next(&mut on_a).await; // user-joined

    // Effects painted through node b reach alice on node a.
    let walls = json!({"impassable": [{"x": 9, "y": 9}]});
    let painted = http
        .put(format!("http://{b}/api/v1/space/{space}/effects"))
        .bearer_auth(&alice.token)
        .json(&walls)
        .send()
        .await
        .unwrap();
    assert_eq!(painted.status(), 200);
    assert!(matches!(next(&mut on_a).await, ServerFrame::EffectsChanged { .. }));
    assert!(matches!(next(&mut on_b).await, ServerFrame::EffectsChanged { .. }));

    // A kick asked of node b, the owner on node a, bob's socket on node b.
    let target = json!({"userId": bob.id});
    assert_eq!(post(&http, &b, &format!("/space/{space}/kick"), &alice, target.clone()).await.0, 200);
    assert_eq!(next(&mut on_b).await, ServerFrame::Removed { reason: "kicked".into() });
    assert_eq!(close_code(&mut on_b).await, Some(4006));
    assert_eq!(next(&mut on_a).await, ServerFrame::UserLeft { user_id: bob.id.parse().unwrap() });

    let (mut on_b, _, _) = join(&b, &space, &bob).await;
    next(&mut on_a).await; // user-joined
    assert_eq!(post(&http, &a, &format!("/space/{space}/ban"), &alice, target).await.0, 200);
    assert_eq!(next(&mut on_b).await, ServerFrame::Removed { reason: "banned".into() });
    assert_eq!(close_code(&mut on_b).await, Some(4006));
    for node in [&a, &b] {
        assert_eq!(join_outcome(node, &space, &bob).await, "banned", "banned on every node");
    }
    cluster.finish().await;
}

pub async fn an_image_uploaded_through_one_node_is_served_by_every_node<C: Cluster, F: Future<Output = C>>(
    start: impl FnOnce(usize) -> F,
) {
    let cluster = start(2).await;
    let (a, b) = (cluster.addr(0).to_owned(), cluster.addr(1).to_owned());
    let http = reqwest::Client::new();
    let alice = user(&http, &a, "alice").await;
    let png = gather_assets::testing::samples::file(24, 24, gather_assets::testing::samples::Format::Png);
    let uploaded = upload(&http, &a, &alice, &png).await;
    let url = uploaded["url"].as_str().unwrap_or_else(|| panic!("uploaded: {uploaded}")).to_owned();
    let served_by = |node: String| {
        let (http, url) = (http.clone(), url.clone());
        async move { http.get(format!("http://{node}{url}")).send().await.unwrap().bytes().await.unwrap() }
    };
    let (on_a, on_b) = (served_by(a.clone()).await, served_by(b.clone()).await);
    assert!(on_a.starts_with(b"\x89PNG"), "node a serves it");
    assert_eq!(on_a, on_b, "node b serves the same bytes");
    // And an avatar made of it on node b shows on node a.
    let (status, made) =
        post(&http, &b, "/user/avatars", &alice, json!({"name": "Me", "imageUrl": url})).await;
    assert_eq!(status, 200, "{made}");
    let (status, _) = post(&http, &b, "/user/metadata", &alice, json!({"avatarId": made["avatarId"]})).await;
    assert_eq!(status, 200);
    let labels = get_json(&http, &format!("http://{a}/api/v1/user/metadata/bulk?ids=[{}]", alice.id)).await;
    assert_eq!(labels["avatars"][0]["imageUrl"], url.as_str());
    cluster.finish().await;
}

pub async fn a_dropped_socket_resumes_on_its_node_while_another_node_owns_the_space<
    C: Cluster,
    F: Future<Output = C>,
>(
    start: impl FnOnce(usize) -> F,
) {
    let Pair { cluster, a, b, http: _, alice, bob, space } = two_nodes_and_a_space(start).await;
    let (mut on_a, _, alice_at) = join(&a, &space, &alice).await; // Node a owns the space.

    // Bob reaches node b through a line the test can cut.
    let proxy = crate::proxy::Proxy::start(b.parse().unwrap()).await;
    let connect = || tokio_tungstenite::connect_async(format!("ws://{}/ws", proxy.addr));
    let (mut on_b, _) = connect().await.unwrap();
    let join =
        json!({"type": "join", "payload": {"spaceId": space, "token": bob.token, "resumeKey": "bob-1"}});
    send(&mut on_b, join).await;
    let ServerFrame::SpaceJoined { spawn, .. } = next(&mut on_b).await else { panic!("bob joined") };
    let bob_at = (spawn.x, spawn.y);
    assert!(matches!(next(&mut on_a).await, ServerFrame::UserJoined { .. }));

    // The line goes; alice steps and speaks; bob comes back to node b with what he saw.
    proxy.cut();
    let to = step_from(alice_at, bob_at, 10);
    step(&mut on_a, to).await;
    send(&mut on_a, json!({"type": "chat", "payload": {"text": "still there?"}})).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (mut back, _) = connect().await.unwrap();
    let resume = json!({"type": "resume", "payload": {"spaceId": space, "token": bob.token, "resumeKey": "bob-1", "lastSeq": 1}});
    send(&mut back, resume).await;
    assert!(matches!(next(&mut back).await, ServerFrame::Resumed { snapshot: false, .. }));
    let alice_id = alice.id.parse().unwrap();
    assert_eq!(next(&mut back).await, ServerFrame::Movement { user_id: alice_id, x: to.0, y: to.1 });
    assert!(matches!(next(&mut back).await, ServerFrame::Chat(chat) if chat.text == "still there?"));

    // Still the same member on the owner: alice saw no leave, and his step reaches her.
    let bob_to = step_from(bob_at, to, 10);
    step(&mut back, bob_to).await;
    let seen = read_until(
        &mut on_a,
        &ServerFrame::Movement { user_id: bob.id.parse().unwrap(), x: bob_to.0, y: bob_to.1 },
        Duration::from_secs(3),
    )
    .await;
    assert!(!seen.iter().any(|f| matches!(f, ServerFrame::UserLeft { .. })), "{seen:?}");
    assert!(matches!(seen.last(), Some(ServerFrame::Movement { .. })), "{seen:?}");
    cluster.finish().await;
}

/// Joins with a resume key, as the web client does; returns the socket and where it stands.
async fn join_resumable(
    node: &str,
    space: &str,
    user: &crate::clients::User,
    key: &str,
) -> (Socket, (i64, i64)) {
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{node}/ws")).await.unwrap();
    let join = json!({"type": "join", "payload": {"spaceId": space, "token": user.token, "resumeKey": key}});
    send(&mut socket, join).await;
    let ServerFrame::SpaceJoined { spawn, .. } = next(&mut socket).await else { panic!("joined") };
    (socket, (spawn.x, spawn.y))
}

/// Resumes on `node` as a client would after its node died: again and again while the
/// server says it cannot reach the space yet (the dead owner's lease still runs), until it
/// is back in. Returns the socket and its `space-joined`.
async fn resume_until_back(
    node: &str,
    space: &str,
    user: &crate::clients::User,
    key: &str,
) -> (Socket, ServerFrame) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        assert!(Instant::now() < deadline, "never got back in");
        let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{node}/ws")).await.unwrap();
        let resume = json!({"type": "resume", "payload": {"spaceId": space, "token": user.token, "resumeKey": key, "lastSeq": 0}});
        send(&mut socket, resume).await;
        // Asking a dead owner takes the node link's request timeout.
        match crate::socket::next_frame(&mut socket, Duration::from_secs(10)).await {
            ServerFrame::Resumed { snapshot: true, replayed: 0 } => {
                let joined = next(&mut socket).await;
                assert!(
                    matches!(joined, ServerFrame::SpaceJoined { .. }),
                    "a fresh picture follows: {joined:?}"
                );
                return (socket, joined);
            }
            ServerFrame::Error { code, .. } if code == "unavailable" => {
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            other => panic!("expected to resume, got {other:?}"),
        }
    }
}

/// Someone on the node that owned a space and died comes back on another node: where they
/// stood, seen by nobody as leaving or arriving, with the chat said before in the history.
pub async fn when_the_owner_dies_its_people_resume_on_a_survivor_without_a_false_leave<
    C: Cluster,
    F: Future<Output = C>,
>(
    start: impl FnOnce(usize) -> F,
) {
    let Pair { mut cluster, a, b, http, alice, bob, space } = two_nodes_and_a_space(start).await;
    let (mut on_a, alice_spawn) = join_resumable(&a, &space, &alice, "alice-1").await; // Node a owns it.
    let (mut on_b, bob_at) = join_resumable(&b, &space, &bob, "bob-1").await;
    next(&mut on_a).await; // user-joined

    // Alice steps off her spawn tile and speaks; bob sees and hears both.
    let alice_at = step_from(alice_spawn, bob_at, 10);
    step(&mut on_a, alice_at).await;
    send(&mut on_a, json!({"type": "chat", "payload": {"text": "before the fall", "clientId": "c1"}})).await;
    let alice_id = alice.id.parse().unwrap();
    let moved = ServerFrame::Movement { user_id: alice_id, x: alice_at.0, y: alice_at.1 };
    assert!(read_until(&mut on_b, &moved, Duration::from_secs(3)).await.contains(&moved));
    loop {
        if let ServerFrame::Chat(chat) = next(&mut on_a).await {
            assert_eq!(chat.text, "before the fall", "acknowledged");
            break;
        }
    }

    cluster.kill(0).await;
    drop(on_a);
    let (mut back, joined) = resume_until_back(&b, &space, &alice, "alice-1").await;
    let ServerFrame::SpaceJoined { spawn, users, .. } = joined else { unreachable!() };
    assert_eq!((spawn.x, spawn.y), alice_at, "back where she stood");
    let others: Vec<_> = users.iter().map(|u| (u.user_id.to_string(), u.x, u.y)).collect();
    assert_eq!(others, vec![(bob.id.clone(), bob_at.0, bob_at.1)], "and sees bob where he stands");

    // Bob saw her neither go nor come; her next step reaches him as a plain move.
    let to = step_from(alice_at, bob_at, 10);
    step(&mut back, to).await;
    let moved = ServerFrame::Movement { user_id: alice_id, x: to.0, y: to.1 };
    let seen = read_until(&mut on_b, &moved, Duration::from_secs(5)).await;
    assert!(seen.contains(&moved), "{seen:?}");
    assert!(
        !seen.iter().any(|f| matches!(f, ServerFrame::UserLeft { .. } | ServerFrame::UserJoined { .. })),
        "no false leave: {seen:?}"
    );
    let history = chat_texts(&http, &b, &space, &bob).await;
    assert!(history.contains(&"before the fall".to_owned()), "the acknowledged chat is kept: {history:?}");
    cluster.finish().await;
}

/// The node link's Redis restarts (empty) while people on both nodes share a space: what
/// the owner sent meanwhile never reached the other node, so its people get a fresh
/// picture once the link is back, and nobody is shown leaving.
pub async fn after_the_node_link_restarts_everyone_sees_the_space_as_it_is<
    C: Cluster,
    F: Future<Output = C>,
>(
    start: impl FnOnce(usize) -> F,
) {
    let Pair { mut cluster, a, b, http, alice, bob, space } = two_nodes_and_a_space(start).await;
    let (mut on_a, alice_at) = join_resumable(&a, &space, &alice, "alice-1").await; // Node a owns it.
    let (mut on_b, bob_at) = join_resumable(&b, &space, &bob, "bob-1").await;
    next(&mut on_a).await; // user-joined
    sync(&mut on_b).await;

    cluster.link_down().await;
    // Alice, on the owner's node, walks and talks while bob's node cannot hear it.
    let to = step_from(alice_at, bob_at, 10);
    step(&mut on_a, to).await;
    send(&mut on_a, json!({"type": "chat", "payload": {"text": "during the outage", "clientId": "c1"}}))
        .await;
    // Her refused move comes back after the others: the owner has taken them all.
    sync(&mut on_a).await;
    cluster.link_up().await;

    // Bob's node asks the owner for a fresh picture: alice where she is now.
    let deadline = Instant::now() + Duration::from_secs(15);
    let picture = loop {
        assert!(Instant::now() < deadline, "bob never got a fresh picture");
        match crate::socket::next_frame(&mut on_b, Duration::from_secs(15)).await {
            ServerFrame::SpaceJoined { spawn, users, .. } => break (spawn, users),
            ServerFrame::UserLeft { .. } => panic!("a false leave"),
            _ => {}
        }
    };
    let (spawn, users) = picture;
    assert_eq!((spawn.x, spawn.y), bob_at, "bob stays where he stood");
    let others: Vec<_> = users.iter().map(|u| (u.user_id.to_string(), u.x, u.y)).collect();
    assert_eq!(others, vec![(alice.id.clone(), to.0, to.1)]);
    // The chat he did not hear live is in the history he catches up from.
    let history = chat_texts(&http, &b, &space, &bob).await;
    assert!(history.contains(&"during the outage".to_owned()), "{history:?}");
    // Both still there for each other: bob's step reaches alice, who saw no leave.
    let bob_to = step_from(bob_at, to, 10);
    step(&mut on_b, bob_to).await;
    let moved = ServerFrame::Movement { user_id: bob.id.parse().unwrap(), x: bob_to.0, y: bob_to.1 };
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        // The first steps after the link is back may go before the owner renews its lease.
        let seen = read_until(&mut on_a, &moved, Duration::from_secs(2)).await;
        assert!(!seen.iter().any(|f| matches!(f, ServerFrame::UserLeft { .. })), "{seen:?}");
        if seen.contains(&moved) {
            break;
        }
        assert!(Instant::now() < deadline, "bob's step never reached alice");
        step(&mut on_b, bob_at).await;
        step(&mut on_b, bob_to).await;
    }
    cluster.finish().await;
}
