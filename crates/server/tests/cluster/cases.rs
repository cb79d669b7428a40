//! The cluster's behaviours, each written once against [`Cluster`] and run on every
//! transport (see `main.rs`).

use std::future::Future;
use std::time::{Duration, Instant};

use gather_protocol::ServerFrame;
use serde_json::json;

use crate::clients::{
    answered_within, create_space, join, metrics, next, post, read_until, ready, send, step, step_from, sync,
    user, Socket,
};
use crate::harness::Cluster;
use crate::media_person::{both_in_media, hear_each_other, run_for, Person};

pub async fn people_on_two_nodes_share_a_space<C: Cluster, F: Future<Output = C>>(
    start: impl FnOnce(usize) -> F,
) {
    let cluster = start(2).await;
    let (a, b) = (cluster.addr(0).to_owned(), cluster.addr(1).to_owned());
    let http = reqwest::Client::new();
    let (alice, bob) = (user(&http, &a, "alice").await, user(&http, &b, "bob").await);
    let space = create_space(&http, &a, &alice, "10x10").await;

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
        let frames = read_until(socket, &alice_left, Duration::from_secs(10)).await;
        assert!(frames.contains(&alice_left), "alice reported gone: {frames:?}");
    }
    assert!(killed.elapsed() < Duration::from_secs(10), "took {:?}", killed.elapsed());

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

pub async fn a_kick_or_ban_through_one_node_removes_someone_connected_to_another<
    C: Cluster,
    F: Future<Output = C>,
>(
    start: impl FnOnce(usize) -> F,
) {
    let cluster = start(2).await;
    let (a, b) = (cluster.addr(0).to_owned(), cluster.addr(1).to_owned());
    let http = reqwest::Client::new();
    let (alice, bob) = (user(&http, &a, "alice").await, user(&http, &b, "bob").await);
    let space = create_space(&http, &a, &alice, "10x10").await;
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
    let (content_type, body) = crate::form::multipart(&[("file", Some("me.png"), "image/png", &png)]);
    let uploaded: serde_json::Value = http
        .post(format!("http://{a}/api/v1/assets"))
        .bearer_auth(&alice.token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
    let labels: serde_json::Value = http
        .get(format!("http://{a}/api/v1/user/metadata/bulk?ids=[{}]", alice.id))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(labels["avatars"][0]["imageUrl"], url.as_str());
    cluster.finish().await;
}
