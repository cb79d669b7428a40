//! Several real `gather` processes sharing one PostgreSQL and one Redis: people on
//! different nodes see each other join, move, chat and leave under one set of rules.
//! Needs GATHER_TEST_DATABASE_URL and GATHER_TEST_REDIS_URL; skipped without them unless
//! GATHER_REQUIRE_SERVICES is set.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use gather_protocol::ServerFrame;
use serde_json::{json, Value};
use sqlx::Connection;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

#[path = "support/process.rs"]
mod process;
use process::spawn_gather;

const SECRET: &str = "a-cluster-wide-signing-secret-of-enough-length";

struct Services {
    database: String,
    redis: String,
    admin_url: String,
    schema: String,
}

async fn services() -> Option<Services> {
    let (Ok(server), Ok(redis)) =
        (std::env::var("GATHER_TEST_DATABASE_URL"), std::env::var("GATHER_TEST_REDIS_URL"))
    else {
        assert!(
            std::env::var_os("GATHER_REQUIRE_SERVICES").is_none(),
            "GATHER_REQUIRE_SERVICES is set but GATHER_TEST_DATABASE_URL or GATHER_TEST_REDIS_URL is not"
        );
        eprintln!("skipping: set GATHER_TEST_DATABASE_URL and GATHER_TEST_REDIS_URL to test clusters");
        return None;
    };
    sqlx::any::install_default_drivers();
    let schema = format!("gather_cluster_{}", gather_core::UserId::new().to_string().replace('-', ""));
    let mut admin = sqlx::AnyConnection::connect(&server).await.unwrap();
    sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&mut admin).await.unwrap();
    let separator = if server.contains('?') { '&' } else { '?' };
    let database = format!("{server}{separator}options=-c%20search_path%3D{schema}");
    Some(Services { database, redis, admin_url: server, schema })
}

impl Services {
    async fn cleanup(self) {
        let mut admin = sqlx::AnyConnection::connect(&self.admin_url).await.unwrap();
        sqlx::query(&format!("DROP SCHEMA {} CASCADE", self.schema)).execute(&mut admin).await.unwrap();
    }
}

struct Node {
    child: Child,
    addr: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_node(services: &Services, name: &str) -> Node {
    let dir = std::env::temp_dir().join(format!("gather-{name}-{}", std::process::id()));
    let mut command = Command::new(env!("CARGO_BIN_EXE_gather"));
    command
        .args(["serve", "--addr", "127.0.0.1:0", "--no-demo", "--admin-signup", "open"])
        .env("GATHER_DATA_DIR", &dir)
        .env("GATHER_DATABASE_URL", &services.database)
        .env("GATHER_REDIS_URL", &services.redis)
        .env("GATHER_NODE_ID", format!("{name}-{}", gather_core::UserId::new()))
        .env("GATHER_JWT_SECRET", SECRET)
        .env("RUST_LOG", "warn,gather=info");
    let (child, addr) = spawn_gather(command);
    Node { child, addr }
}

struct User {
    id: String,
    token: String,
}

async fn user(http: &reqwest::Client, node: &Node, name: &str) -> User {
    let base = format!("http://{}/api/v1", node.addr);
    let username = format!("{name}-{}", gather_core::UserId::new().to_string()[..8].to_owned());
    let body = json!({"username": username, "password": "password1", "type": "admin"});
    assert_eq!(http.post(format!("{base}/signup")).json(&body).send().await.unwrap().status(), 200);
    let signin: Value = http
        .post(format!("{base}/signin"))
        .json(&json!({"username": username, "password": "password1"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    User {
        id: signin["userId"].as_str().unwrap().to_owned(),
        token: signin["token"].as_str().unwrap().to_owned(),
    }
}

async fn create_space(http: &reqwest::Client, node: &Node, owner: &User, dims: &str) -> String {
    let reply: Value = http
        .post(format!("http://{}/api/v1/space", node.addr))
        .bearer_auth(&owner.token)
        .json(&json!({"name": "shared", "dimensions": dims}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reply["spaceId"].as_str().unwrap().to_owned()
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn join(node: &Node, space: &str, user: &User) -> (Socket, Vec<(String, i64, i64)>, (i64, i64)) {
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", node.addr)).await.unwrap();
    send(&mut socket, json!({"type": "join", "payload": {"spaceId": space, "token": user.token}})).await;
    match next(&mut socket).await {
        ServerFrame::SpaceJoined { spawn, users, .. } => {
            let users = users.into_iter().map(|u| (u.user_id.to_string(), u.x, u.y)).collect();
            (socket, users, (spawn.x, spawn.y))
        }
        other => panic!("expected space-joined, got {other:?}"),
    }
}

async fn send(socket: &mut Socket, frame: Value) {
    socket.send(Message::text(frame.to_string())).await.unwrap();
}

async fn next(socket: &mut Socket) -> ServerFrame {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    loop {
        let message = tokio::time::timeout_at(deadline, socket.next()).await.expect("a frame in time");
        match message {
            Some(Ok(Message::Text(text))) => return serde_json::from_str(text.as_str()).unwrap(),
            Some(Ok(Message::Close(frame))) => panic!("socket closed: {frame:?}"),
            Some(Ok(_)) => continue,
            other => panic!("socket ended: {other:?}"),
        }
    }
}

async fn drain(socket: &mut Socket, wait: Duration) -> Vec<ServerFrame> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut frames = Vec::new();
    while let Ok(Some(Ok(message))) = tokio::time::timeout_at(deadline, socket.next()).await {
        if let Message::Text(text) = message {
            frames.push(serde_json::from_str(text.as_str()).unwrap());
        }
    }
    frames
}

#[tokio::test]
async fn people_on_two_nodes_share_a_space() {
    let Some(services) = services().await else { return };
    let (a, b) = (start_node(&services, "a"), start_node(&services, "b"));
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
    send(&mut on_b, json!({"type": "move", "payload": {"x": to.0, "y": to.1}})).await;
    assert_eq!(
        next(&mut on_a).await,
        ServerFrame::Movement { user_id: bob.id.parse().unwrap(), x: to.0, y: to.1 }
    );
    send(&mut on_b, json!({"type": "move", "payload": {"x": 50, "y": 50}})).await;
    assert_eq!(next(&mut on_b).await, ServerFrame::MovementRejected { x: to.0, y: to.1 });

    // Chat crosses nodes, stored once and acknowledged to the sender.
    send(&mut on_b, json!({"type": "chat", "payload": {"text": "hello from b"}})).await;
    for socket in [&mut on_a, &mut on_b] {
        assert!(matches!(next(socket).await, ServerFrame::Chat(body) if body.text == "hello from b"));
    }

    // Each node reports its share: a owns the space, b forwarded bob's join.
    let metrics = |node: &Node| {
        let url = format!("http://{}/metrics", node.addr);
        let http = http.clone();
        async move { http.get(url).send().await.unwrap().text().await.unwrap() }
    };
    assert!(metrics(&a).await.contains("gather_spaces_owned 1"));
    let on_b_metrics = metrics(&b).await;
    assert!(on_b_metrics.contains(r#"gather_bus_messages_out_total{kind="join"} 1"#), "{on_b_metrics}");
    assert!(on_b_metrics.contains("gather_forward_latency_seconds_count"));

    // Furniture placed through node a reaches bob on node b.
    let element: Value = http
        .post(format!("http://{}/api/v1/admin/element", a.addr))
        .bearer_auth(&alice.token)
        .json(&json!({"imageUrl": "/demo/plant.svg", "width": 1, "height": 1, "static": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let free = (0..10).find(|x| (*x, 9) != alice_at && (*x, 9) != to).unwrap();
    let place = json!({"elementId": element["id"], "spaceId": space, "x": free, "y": 9});
    let placed = http
        .post(format!("http://{}/api/v1/space/element", a.addr))
        .bearer_auth(&alice.token)
        .json(&place)
        .send()
        .await
        .unwrap();
    assert_eq!(placed.status(), 200);
    assert!(matches!(next(&mut on_b).await, ServerFrame::ElementAdded { x, y: 9, .. } if x == free));
    assert!(matches!(next(&mut on_a).await, ServerFrame::ElementAdded { .. }));

    // Bob leaves by closing his socket on node b; alice on node a is told.
    drop(on_b);
    assert_eq!(next(&mut on_a).await, ServerFrame::UserLeft { user_id: bob.id.parse().unwrap() });
    drop((a, b));
    services.cleanup().await;
}

#[tokio::test]
async fn racing_moves_from_two_nodes_never_share_a_tile() {
    let Some(services) = services().await else { return };
    let (a, b) = (start_node(&services, "a"), start_node(&services, "b"));
    let http = reqwest::Client::new();
    let (alice, bob) = (user(&http, &a, "alice").await, user(&http, &b, "bob").await);
    for _ in 0..15 {
        // Three tiles in a row: whoever is in the middle steps aside, then both go for it.
        let space = create_space(&http, &a, &alice, "3x1").await;
        let (mut on_a, _, alice_at) = join(&a, &space, &alice).await;
        let (mut on_b, _, bob_at) = join(&b, &space, &bob).await;
        next(&mut on_a).await; // user-joined
        if alice_at.0 == 1 {
            send(&mut on_a, json!({"type": "move", "payload": {"x": 2 - bob_at.0, "y": 0}})).await;
            next(&mut on_b).await;
        } else if bob_at.0 == 1 {
            send(&mut on_b, json!({"type": "move", "payload": {"x": 2 - alice_at.0, "y": 0}})).await;
            next(&mut on_a).await;
        }
        let middle = json!({"type": "move", "payload": {"x": 1, "y": 0}});
        tokio::join!(send(&mut on_a, middle.clone()), send(&mut on_b, middle));
        let (fa, fb) = tokio::join!(
            drain(&mut on_a, Duration::from_millis(400)),
            drain(&mut on_b, Duration::from_millis(400))
        );
        let refused =
            |frames: &[ServerFrame]| frames.iter().any(|f| matches!(f, ServerFrame::MovementRejected { .. }));
        assert!(refused(&fa) ^ refused(&fb), "exactly one is refused: {fa:?} / {fb:?}");
    }
    drop((a, b));
    services.cleanup().await;
}

#[tokio::test]
async fn signing_out_on_one_node_closes_the_socket_on_another() {
    let Some(services) = services().await else { return };
    let (a, b) = (start_node(&services, "a"), start_node(&services, "b"));
    let http = reqwest::Client::new();
    let alice = user(&http, &a, "alice").await;
    let space = create_space(&http, &a, &alice, "5x5").await;
    let (mut on_b, _, _) = join(&b, &space, &alice).await;

    let started = Instant::now();
    let signout = http
        .post(format!("http://{}/api/v1/signout", a.addr))
        .bearer_auth(&alice.token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(signout.status(), 200);
    assert_eq!(next(&mut on_b).await, ServerFrame::SessionRevoked {});
    assert!(started.elapsed() < Duration::from_secs(1), "took {:?}", started.elapsed());
    let refused =
        http.get(format!("http://{}/api/v1/me", b.addr)).bearer_auth(&alice.token).send().await.unwrap();
    assert_eq!(refused.status(), 403, "node b refuses the token too");
    drop((a, b));
    services.cleanup().await;
}

#[test]
fn a_cluster_refuses_to_share_an_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_gather"))
        .args(["--addr", "127.0.0.1:0", "--data-dir", dir.path().to_str().unwrap()])
        .env("GATHER_REDIS_URL", "redis://127.0.0.1:6379")
        .env_remove("GATHER_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("needs PostgreSQL"));
}

#[tokio::test]
async fn when_the_owner_dies_the_survivors_take_the_space_over_without_ghosts() {
    let Some(services) = services().await else { return };
    let http = reqwest::Client::new();
    let mut owner = start_node(&services, "owner");
    let (b, c) = (start_node(&services, "b"), start_node(&services, "c"));
    let (alice, bob, carol) =
        (user(&http, &owner, "alice").await, user(&http, &b, "bob").await, user(&http, &c, "carol").await);
    let space = create_space(&http, &b, &bob, "12x12").await;

    let (mut on_owner, _, _) = join(&owner, &space, &alice).await; // The first joiner's node owns the space.
    let (mut on_b, _, bob_at) = join(&b, &space, &bob).await;
    let (mut on_c, _, carol_at) = join(&c, &space, &carol).await;
    drain(&mut on_owner, Duration::from_millis(300)).await;
    drain(&mut on_b, Duration::from_millis(300)).await;
    drain(&mut on_c, Duration::from_millis(300)).await;

    let killed = Instant::now();
    owner.child.kill().unwrap(); // SIGKILL: no goodbye.
    owner.child.wait().unwrap();
    drop(on_owner);
    let alice_left = ServerFrame::UserLeft { user_id: alice.id.parse().unwrap() };
    for socket in [&mut on_b, &mut on_c] {
        let frames = drain_until(socket, &alice_left, Duration::from_secs(10)).await;
        assert!(frames.contains(&alice_left), "alice reported gone: {frames:?}");
    }
    assert!(killed.elapsed() < Duration::from_secs(10), "took {:?}", killed.elapsed());

    // Bob kept his place: one step from where he stood is accepted and carol sees it.
    let to = step_from(bob_at, carol_at, 12);
    send(&mut on_b, json!({"type": "move", "payload": {"x": to.0, "y": to.1}})).await;
    let moved = ServerFrame::Movement { user_id: bob.id.parse().unwrap(), x: to.0, y: to.1 };
    let frames = drain_until(&mut on_c, &moved, Duration::from_secs(3)).await;
    assert!(frames.contains(&moved), "carol sees bob move: {frames:?}");

    // A newcomer sees exactly the survivors: no ghost of alice, nobody twice.
    let dave = user(&http, &b, "dave").await;
    let (_on_dave, others, _) = join(&b, &space, &dave).await;
    let mut ids: Vec<String> = others.into_iter().map(|(id, _, _)| id).collect();
    ids.sort();
    let mut expected = vec![bob.id.clone(), carol.id.clone()];
    expected.sort();
    assert_eq!(ids, expected);
    drop((b, c));
    services.cleanup().await;
}

/// A tile one step from `from` inside a `side`x`side` space, other than `avoid`.
fn step_from(from: (i64, i64), avoid: (i64, i64), side: i64) -> (i64, i64) {
    [(1, 0), (-1, 0), (0, 1), (0, -1)]
        .into_iter()
        .map(|(dx, dy)| (from.0 + dx, from.1 + dy))
        .find(|&(x, y)| (0..side).contains(&x) && (0..side).contains(&y) && (x, y) != avoid)
        .expect("a free neighbouring tile")
}

/// Reads frames until `wanted` arrives or `wait` passes; returns all it read.
async fn drain_until(socket: &mut Socket, wanted: &ServerFrame, wait: Duration) -> Vec<ServerFrame> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut frames = Vec::new();
    while let Ok(Some(Ok(message))) = tokio::time::timeout_at(deadline, socket.next()).await {
        if let Message::Text(text) = message {
            let frame: ServerFrame = serde_json::from_str(text.as_str()).unwrap();
            let done = &frame == wanted;
            frames.push(frame);
            if done {
                break;
            }
        }
    }
    frames
}

/// A Redis of the test's own on a free port, so stopping it disturbs no other test.
struct PrivateRedis {
    child: Child,
    port: u16,
}

impl PrivateRedis {
    fn start(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server runs");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn ready(http: &reqwest::Client, node: &Node) -> u16 {
    http.get(format!("http://{}/readyz", node.addr)).send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn nodes_ride_out_a_redis_restart() {
    let Some(mut services) = services().await else { return };
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut redis = PrivateRedis::start(port);
    services.redis = format!("redis://127.0.0.1:{}", redis.port);
    let (a, b) = (start_node(&services, "a"), start_node(&services, "b"));
    let http = reqwest::Client::new();
    let (alice, bob) = (user(&http, &a, "alice").await, user(&http, &b, "bob").await);
    let space = create_space(&http, &a, &alice, "10x10").await;
    let (mut on_a, _, alice_at) = join(&a, &space, &alice).await;
    let (mut on_b, _, mut bob_at) = join(&b, &space, &bob).await;
    next(&mut on_a).await; // user-joined
                           // A first step seen across nodes proves both joins are complete before Redis goes.
    let first = step_from(bob_at, alice_at, 10);
    send(&mut on_b, json!({"type": "move", "payload": {"x": first.0, "y": first.1}})).await;
    assert_eq!(
        next(&mut on_a).await,
        ServerFrame::Movement { user_id: bob.id.parse().unwrap(), x: first.0, y: first.1 }
    );
    bob_at = first;

    redis.kill();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(ready(&http, &a).await, 503, "not ready without Redis");
    assert_eq!(ready(&http, &b).await, 503);
    // Alice's node owns the space, so alice alone can still walk.
    let to = step_from(alice_at, bob_at, 10);
    send(&mut on_a, json!({"type": "move", "payload": {"x": to.0, "y": to.1}})).await;
    send(&mut on_a, json!({"type": "move", "payload": {"x": 99, "y": 99}})).await;
    assert_eq!(
        next(&mut on_a).await,
        ServerFrame::MovementRejected { x: to.0, y: to.1 },
        "the owner still applies the rules"
    );

    let _redis = PrivateRedis::start(port);
    let deadline = Instant::now() + Duration::from_secs(15);
    while ready(&http, &a).await != 200 || ready(&http, &b).await != 200 {
        assert!(Instant::now() < deadline, "nodes did not become ready again");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Working across nodes again, without restarting anything.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let bob_to = step_from(bob_at, to, 10);
    send(&mut on_b, json!({"type": "move", "payload": {"x": bob_to.0, "y": bob_to.1}})).await;
    let moved = ServerFrame::Movement { user_id: bob.id.parse().unwrap(), x: bob_to.0, y: bob_to.1 };
    let frames = drain_until(&mut on_a, &moved, Duration::from_secs(5)).await;
    assert!(frames.contains(&moved), "alice sees bob move after Redis returned: {frames:?}");
    drop((a, b));
    services.cleanup().await;
}
