//! What a client of one node does: sign up, make a space, join over WebSocket, read frames.

use std::time::Duration;

use gather_protocol::ServerFrame;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub use crate::socket::{read_until, send, step};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub struct User {
    pub id: String,
    pub token: String,
}

pub async fn user(http: &reqwest::Client, node: &str, name: &str) -> User {
    let base = format!("http://{node}/api/v1");
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

pub async fn post(http: &reqwest::Client, node: &str, path: &str, user: &User, body: Value) -> (u16, Value) {
    let response = http
        .post(format!("http://{node}/api/v1{path}"))
        .bearer_auth(&user.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub async fn get_json(http: &reqwest::Client, url: &str) -> Value {
    http.get(url).send().await.unwrap().json().await.unwrap()
}

/// The texts of a space's chat history, newest first, as `user` reads it through `node`.
pub async fn chat_texts(http: &reqwest::Client, node: &str, space: &str, user: &User) -> Vec<String> {
    let url = format!("http://{node}/api/v1/space/{space}/chat");
    let page: Value = http.get(url).bearer_auth(&user.token).send().await.unwrap().json().await.unwrap();
    page["messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap().to_owned()).collect()
}

/// An image uploaded through `node`: the upload's body (`id`, `url`, ...).
pub async fn upload(http: &reqwest::Client, node: &str, user: &User, image: &[u8]) -> Value {
    let (content_type, body) = crate::form::multipart(&[("file", Some("image.png"), "image/png", image)]);
    let request = http.post(format!("http://{node}/api/v1/assets")).bearer_auth(&user.token);
    let response = request.header("content-type", content_type).body(body).send().await.unwrap();
    response.json().await.unwrap()
}

pub async fn create_space(http: &reqwest::Client, node: &str, owner: &User, dims: &str) -> String {
    let (status, reply) =
        post(http, node, "/space", owner, json!({"name": "shared", "dimensions": dims})).await;
    assert_eq!(status, 200, "{reply}");
    reply["spaceId"].as_str().unwrap().to_owned()
}

/// Joins and returns the socket, the others already there, and where the joiner stands.
pub async fn join(node: &str, space: &str, user: &User) -> (Socket, Vec<(String, i64, i64)>, (i64, i64)) {
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{node}/ws")).await.unwrap();
    send(&mut socket, json!({"type": "join", "payload": {"spaceId": space, "token": user.token}})).await;
    match next(&mut socket).await {
        ServerFrame::SpaceJoined { spawn, users, .. } => {
            let users = users.into_iter().map(|u| (u.user_id.to_string(), u.x, u.y)).collect();
            (socket, users, (spawn.x, spawn.y))
        }
        other => panic!("expected space-joined, got {other:?}"),
    }
}

/// Frames between nodes take a hop more than on one node.
const FRAME_WAIT: Duration = Duration::from_secs(3);

pub async fn next(socket: &mut Socket) -> ServerFrame {
    crate::socket::next_frame(socket, FRAME_WAIT).await
}

/// A move the server must refuse, then every frame up to its refusal: what came before
/// the barrier, and proof that the socket's earlier frames were all handled.
pub async fn sync(socket: &mut Socket) -> Vec<ServerFrame> {
    crate::socket::sync(socket, FRAME_WAIT).await
}

/// Like [`sync`], but gives up after `wait`; then the refusal may still come later, and
/// is taken for the answer to a later call. Returns where the mover stands.
pub async fn answered_within(socket: &mut Socket, wait: Duration) -> Option<(i64, i64)> {
    step(socket, (-1, -1)).await;
    let deadline = tokio::time::Instant::now() + wait;
    while let Ok(Some(message)) = crate::socket::message_before(socket, deadline).await {
        if let Message::Text(text) = message {
            if let Ok(ServerFrame::MovementRejected { x, y }) = serde_json::from_str(text.as_str()) {
                return Some((x, y));
            }
        }
    }
    None
}

/// A tile one step from `from` inside a `side`x`side` space, other than `avoid`.
pub fn step_from(from: (i64, i64), avoid: (i64, i64), side: i64) -> (i64, i64) {
    [(1, 0), (-1, 0), (0, 1), (0, -1)]
        .into_iter()
        .map(|(dx, dy)| (from.0 + dx, from.1 + dy))
        .find(|&(x, y)| (0..side).contains(&x) && (0..side).contains(&y) && (x, y) != avoid)
        .expect("a free neighbouring tile")
}

pub async fn ready(http: &reqwest::Client, node: &str) -> u16 {
    http.get(format!("http://{node}/readyz")).send().await.unwrap().status().as_u16()
}

pub async fn metrics(http: &reqwest::Client, node: &str) -> String {
    http.get(format!("http://{node}/metrics")).send().await.unwrap().text().await.unwrap()
}
