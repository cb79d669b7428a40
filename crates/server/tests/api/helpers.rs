//! `spawn_app()` and clients that speak to it.

use std::net::SocketAddr;

use futures_util::SinkExt;
use gather_protocol::ServerFrame;

pub use crate::form::multipart;
use gather_server::{AdminSignup, Clock, Config, Parts, RunningApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub use crate::socket::FRAME_WAIT;

pub struct TestApp {
    pub addr: SocketAddr,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
    /// The server's clock: the system's, or with [`spawn_app_on_manual_clock`] one the
    /// test advances.
    pub clock: Clock,
    running: Option<RunningApp>,
    config: Config,
    /// A `gather` process instead of a server in this process, killed with the app.
    process: Option<std::process::Child>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(mut child) = self.process.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn init_logs() {
    if std::env::var_os("TEST_LOG").is_some() {
        let _ = tracing_subscriber::fmt().with_env_filter("info").with_test_writer().try_init();
    }
}

/// A fresh server in "open" admin sign-up, the mode public test suites need.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn(adjust, Clock::system()).await
}

/// A fresh server whose clock stands still until the test moves it with
/// `app.clock.advance(..)`: for expiry, throttling and rate limits without waiting.
pub async fn spawn_app_on_manual_clock(adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn(adjust, Clock::manual()).await
}

async fn start(config: Config, clock: &Clock) -> RunningApp {
    let parts = Parts { clock: Some(clock.clone()), ..Parts::default() };
    RunningApp::start_with(config, parts).await.expect("server starts")
}

async fn spawn(adjust: impl FnOnce(&mut Config), clock: Clock) -> TestApp {
    init_logs();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::new(dir.path().join("data"));
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.admin_signup = AdminSignup::Open;
    config.no_demo = true; // Tests count catalogue entries from zero.
    adjust(&mut config);
    let running = start(config.clone(), &clock).await;
    TestApp {
        addr: running.addr,
        http: reqwest::Client::new(),
        dir,
        clock,
        running: Some(running),
        config,
        process: None,
    }
}

/// The real `gather` binary on port 0 with a fresh data dir and these extra variables: for
/// settings that come only from the environment, such as an S3 store's `AWS_*`.
pub fn spawn_process(env: &[(&str, String)]) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_gather"));
    command
        .env("GATHER_ADDR", "127.0.0.1:0")
        .env("GATHER_DATA_DIR", dir.path().join("data"))
        .env("GATHER_ADMIN_SIGNUP", "open")
        .env("GATHER_NO_DEMO", "true")
        .env("GATHER_MEDIA_ADDR", "off")
        .env("RUST_LOG", "warn,gather=info");
    for (key, value) in env {
        command.env(key, value);
    }
    let (child, addr) = crate::process::spawn_gather(command);
    TestApp {
        addr: addr.parse().expect("gather reports a socket address"),
        http: reqwest::Client::new(),
        clock: Clock::system(),
        running: None,
        config: Config::new(dir.path().join("data")),
        dir,
        process: Some(child),
    }
}

#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub token: String,
    pub username: String,
}

/// A response: status and JSON body (`Value::Null` when the body is not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    #[track_caller]
    pub fn ok(self) -> Value {
        assert_eq!(self.status, StatusCode::OK, "body: {}", self.body);
        self.body
    }

    /// Asserts the status and that the body is a contract error.
    #[track_caller]
    pub fn error(self, status: u16) -> String {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        let message = self.body["error"]["message"].as_str().expect("error body has a message");
        assert!(!message.is_empty());
        self.body["error"]["code"].as_str().expect("error body has a code").to_owned()
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}/api/v1{}", self.addr, path)
    }

    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let mut request = self.http.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request reaches the server");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        Reply { status, body: serde_json::from_str(&text).unwrap_or(Value::Null) }
    }

    /// A multipart form (see [`multipart`]) to `path`.
    pub async fn post_form(&self, path: &str, token: Option<&str>, form: (String, Vec<u8>)) -> Reply {
        let mut request = self.http.post(self.url(path)).header("content-type", form.0).body(form.1);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request reaches the server");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        Reply { status, body: serde_json::from_str(&text).unwrap_or(Value::Null) }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::PUT, path, token, Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        self.call(Method::DELETE, path, token, body).await
    }

    pub async fn signup(&self, username: &str, password: &str, kind: &str) -> Reply {
        self.post("/signup", None, json!({"username": username, "password": password, "type": kind})).await
    }

    pub async fn signin(&self, username: &str, password: &str) -> Reply {
        self.post("/signin", None, json!({"username": username, "password": password})).await
    }

    async fn new_user(&self, kind: &str) -> TestUser {
        let username = format!("{kind}-{}", uuid_like());
        let id = self.signup(&username, "password1", kind).await.ok()["userId"].as_str().unwrap().to_owned();
        let token = self.signin(&username, "password1").await.ok()["token"].as_str().unwrap().to_owned();
        TestUser { id, token, username }
    }

    pub async fn user(&self) -> TestUser {
        self.new_user("user").await
    }

    pub async fn admin(&self) -> TestUser {
        self.new_user("admin").await
    }

    /// Another sign-in (another session) of the same user.
    pub async fn sign_in_again(&self, user: &TestUser) -> TestUser {
        let token = self.signin(&user.username, "password1").await.ok()["token"].as_str().unwrap().to_owned();
        TestUser { token, ..user.clone() }
    }

    pub async fn create_element(&self, admin: &TestUser, width: u32, height: u32, solid: bool) -> String {
        let body = json!({"imageUrl": "https://example.com/e.png", "width": width, "height": height, "static": solid});
        self.post("/admin/element", Some(&admin.token), body).await.ok()["id"].as_str().unwrap().to_owned()
    }

    pub async fn create_space(&self, owner: &TestUser, dimensions: &str) -> String {
        let body = json!({"name": "test space", "dimensions": dimensions});
        self.post("/space", Some(&owner.token), body).await.ok()["spaceId"].as_str().unwrap().to_owned()
    }

    pub async fn place(&self, owner: &TestUser, space: &str, element: &str, x: i64, y: i64) -> Reply {
        let body = json!({"elementId": element, "spaceId": space, "x": x, "y": y});
        self.post("/space/element", Some(&owner.token), body).await
    }

    pub async fn ws(&self) -> WsClient {
        self.ws_at("/ws").await
    }

    /// A WebSocket on `path` (the server answers on `/ws` and on `/`).
    pub async fn ws_at(&self, path: &str) -> WsClient {
        let connecting = tokio_tungstenite::connect_async(format!("ws://{}{path}", self.addr));
        let (stream, _) = tokio::time::timeout(FRAME_WAIT, connecting)
            .await
            .expect("websocket connects in time")
            .expect("websocket connects");
        WsClient { stream }
    }

    /// Connects, joins and returns the socket with its `space-joined` frame read.
    pub async fn ws_join(&self, space: &str, user: &TestUser) -> (WsClient, Joined) {
        let mut ws = self.ws().await;
        ws.join(space, &user.token).await;
        match ws.next().await {
            ServerFrame::SpaceJoined { spawn, user_id, users } => {
                assert_eq!(user_id.to_string(), user.id);
                let users = users.into_iter().map(|u| (u.user_id.to_string(), u.x, u.y)).collect();
                (ws, Joined { x: spawn.x, y: spawn.y, users })
            }
            other => panic!("expected space-joined, got {other:?}"),
        }
    }

    /// Stops the server gracefully and starts it again on the same data dir.
    pub async fn restart(&mut self) {
        self.running.take().expect("running").stop().await.expect("clean stop");
        let mut config = self.config.clone();
        config.addr = self.addr; // Same port, so clients keep their URLs.
        let running = start(config, &self.clock).await;
        self.addr = running.addr;
        self.running = Some(running);
    }
}

pub fn uuid_like() -> String {
    format!("{:x}", rand_u64())
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}

#[derive(Debug, Clone)]
pub struct Joined {
    pub x: i64,
    pub y: i64,
    pub users: Vec<(String, i64, i64)>,
}

pub struct WsClient {
    pub stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl WsClient {
    pub async fn send_json(&mut self, value: Value) {
        self.send_text(value.to_string()).await;
    }

    pub async fn send_text(&mut self, text: String) {
        self.stream.send(Message::text(text)).await.expect("frame sent");
    }

    pub async fn join(&mut self, space: &str, token: &str) {
        self.send_json(json!({"type": "join", "payload": {"spaceId": space, "token": token}})).await;
    }

    pub async fn send_chat(&mut self, payload: Value) {
        self.send_json(json!({"type": "chat", "payload": payload})).await;
    }

    pub async fn send_move(&mut self, x: i64, y: i64) {
        self.send_json(json!({"type": "move", "payload": {"x": x, "y": y}})).await;
    }

    /// The next text frame, parsed; fails the test after [`FRAME_WAIT`].
    #[track_caller]
    pub fn next(&mut self) -> impl std::future::Future<Output = ServerFrame> + '_ {
        let caller = std::panic::Location::caller();
        async move {
            match self.next_message().await {
                Some(Message::Text(text)) => serde_json::from_str(text.as_str())
                    .unwrap_or_else(|e| panic!("{caller}: unparseable frame {text}: {e}")),
                other => panic!("{caller}: expected a text frame, got {other:?}"),
            }
        }
    }

    /// The next non-ping message, or `None` when the socket ends. Fails after [`FRAME_WAIT`].
    pub async fn next_message(&mut self) -> Option<Message> {
        crate::socket::next_message(&mut self.stream, FRAME_WAIT).await
    }

    /// A barrier: a move the server must refuse, then every frame up to the refusal. Returns
    /// the frames that came before it, which are all the server had sent this socket.
    pub async fn sync(&mut self) -> Vec<ServerFrame> {
        crate::socket::sync(&mut self.stream, FRAME_WAIT).await
    }

    /// [`sync`](Self::sync), and where the refusal says this socket's person stands.
    pub async fn sync_at(&mut self) -> (Vec<ServerFrame>, (i64, i64)) {
        crate::socket::sync_at(&mut self.stream, FRAME_WAIT).await
    }

    /// Reads until the socket closes and returns the close code, if the server sent one.
    pub async fn expect_close(&mut self) -> Option<u16> {
        loop {
            match self.next_message().await {
                Some(Message::Close(frame)) => return frame.map(|f| f.code.into()),
                Some(Message::Text(_)) => continue,
                None => return None,
                Some(other) => panic!("expected a close, got {other:?}"),
            }
        }
    }
}

/// A free tile next to `(x, y)` inside a `w`x`h` space that is not `taken`.
pub fn neighbour(x: i64, y: i64, w: i64, h: i64, taken: &[(i64, i64)]) -> (i64, i64) {
    [(1, 0), (-1, 0), (0, 1), (0, -1)]
        .into_iter()
        .map(|(dx, dy)| (x + dx, y + dy))
        .find(|&(nx, ny)| (0..w).contains(&nx) && (0..h).contains(&ny) && !taken.contains(&(nx, ny)))
        .expect("some neighbour is free")
}
