//! Gather behind the real nginx with deploy/nginx/gather.conf: sign-up, sign-in and two
//! WebSocket clients joining, moving and leaving over https:// and wss://. Skips when nginx
//! or openssl is missing, unless GATHER_REQUIRE_SERVICES is set (CI installs them).

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use gather_protocol::ServerFrame;
use gather_server::{Config, RunningApp};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use serde_json::{json, Value};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

#[path = "support/form.rs"]
mod form;
#[path = "support/process.rs"]
#[allow(dead_code)] // Each suite uses a part.
mod process;
#[path = "support/socket.rs"]
#[allow(dead_code)] // Each suite uses a part.
mod socket;

use process::first_line_with;

fn find(program: &str) -> Option<PathBuf> {
    ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"]
        .iter()
        .map(|dir| Path::new(dir).join(program))
        .find(|path| path.exists())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The deploy config with its addresses and certificate paths pointed at this test. Every
/// substitution must apply, so the test breaks if the config drifts.
fn deploy_config(upstream: SocketAddr, https: u16, http: u16, tls: &Path) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/nginx/gather.conf");
    let mut config = std::fs::read_to_string(path).expect("deploy/nginx/gather.conf exists");
    for (from, to) in [
        ("server gather:3000;".to_owned(), format!("server {upstream};")),
        ("listen 443 ssl;".to_owned(), format!("listen 127.0.0.1:{https} ssl;")),
        ("listen 80;".to_owned(), format!("listen 127.0.0.1:{http};")),
        ("/etc/nginx/tls/fullchain.pem".to_owned(), tls.join("cert.pem").display().to_string()),
        ("/etc/nginx/tls/privkey.pem".to_owned(), tls.join("key.pem").display().to_string()),
    ] {
        assert!(config.contains(&from), "deploy/nginx/gather.conf no longer contains {from:?}");
        config = config.replace(&from, &to);
    }
    config
}

struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts nginx and returns once it listens: it logs starting its workers only after
/// opening every listening socket.
fn start_nginx(nginx: &Path, dir: &Path, site: &str) -> Nginx {
    std::fs::write(dir.join("gather.conf"), site).unwrap();
    let d = dir.display();
    let main = format!(
        "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log stderr notice;\nevents {{}}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
         include {d}/gather.conf;\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), main).unwrap();
    let mut child = Command::new(nginx)
        .args(["-p", &d.to_string(), "-c", &dir.join("nginx.conf").display().to_string(), "-e", "stderr"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nginx starts");
    let log = child.stderr.take().expect("piped stderr");
    let nginx = Nginx(child);
    let copy = std::fs::File::create(dir.join("error.log")).unwrap();
    let started = first_line_with(log, Some(copy), "start worker process", Duration::from_secs(10));
    assert!(
        started.is_some(),
        "nginx did not start: {}",
        std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
    );
    nginx
}

fn self_signed_certificate(openssl: &Path, dir: &Path) {
    let status = Command::new(openssl)
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        // A leaf, not a CA: clients refuse a CA certificate as a server's own.
        .args(["-addext", "basicConstraints=critical,CA:FALSE", "-addext", "extendedKeyUsage=serverAuth"])
        .args([
            "-keyout",
            &dir.join("key.pem").display().to_string(),
            "-out",
            &dir.join("cert.pem").display().to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "openssl made a certificate");
}

fn tls_config(cert: &Path) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots.add(CertificateDer::from_pem_file(cert).unwrap()).unwrap();
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

type TlsSocket = tokio_tungstenite::WebSocketStream<tokio_rustls::client::TlsStream<tokio::net::TcpStream>>;

async fn wss(tls: &Arc<ClientConfig>, port: u16) -> TlsSocket {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let stream = tokio_rustls::TlsConnector::from(tls.clone()).connect(name, tcp).await.unwrap();
    let (socket, _) =
        tokio_tungstenite::client_async(format!("wss://localhost:{port}/ws"), stream).await.unwrap();
    socket
}

async fn next_frame(socket: &mut TlsSocket) -> ServerFrame {
    socket::next_frame(socket, Duration::from_secs(5)).await
}

#[tokio::test]
async fn gather_works_through_nginx_over_https_and_wss() {
    let required = std::env::var_os("GATHER_REQUIRE_SERVICES").is_some();
    let (Some(nginx), Some(openssl)) = (find("nginx"), find("openssl")) else {
        assert!(!required, "GATHER_REQUIRE_SERVICES is set but nginx or openssl is missing");
        eprintln!("skipping: nginx or openssl not installed (apt-get install nginx openssl)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    self_signed_certificate(&openssl, dir.path());
    let mut config = Config::new(dir.path().join("data"));
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.no_demo = true;
    config.trust_proxy = true;
    let app = RunningApp::start(config).await.unwrap();
    let (https, http) = (free_port(), free_port());
    let _nginx = start_nginx(&nginx, dir.path(), &deploy_config(app.addr, https, http, dir.path()));

    let tls = tls_config(&dir.path().join("cert.pem"));
    let client = reqwest::Client::builder().use_preconfigured_tls((*tls).clone()).build().unwrap();
    let base = format!("https://localhost:{https}");
    let post = |path: &str, body: Value| client.post(format!("{base}/api/v1{path}")).json(&body).send();
    let mut users = Vec::new();
    for name in ["alice", "bob"] {
        let kind = if name == "alice" { "admin" } else { "user" };
        let signup =
            post("/signup", json!({"username": name, "password": "password1", "type": kind})).await.unwrap();
        assert_eq!(signup.status(), 200);
        let signin: Value = post("/signin", json!({"username": name, "password": "password1"}))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        users.push((
            signin["userId"].as_str().unwrap().to_owned(),
            signin["token"].as_str().unwrap().to_owned(),
        ));
    }
    let space: Value = client
        .post(format!("{base}/api/v1/space"))
        .bearer_auth(&users[0].1)
        .json(&json!({"name": "tls", "dimensions": "3x1"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let space = space["spaceId"].as_str().unwrap().to_owned();

    // Plain HTTP is sent to HTTPS; metrics are not public.
    let redirect = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let plain = redirect.get(format!("http://127.0.0.1:{http}/")).send().await.unwrap();
    assert_eq!(plain.status(), 301);
    assert_eq!(client.get(format!("{base}/metrics")).send().await.unwrap().status(), 404);
    assert_eq!(client.get(format!("{base}/healthz")).send().await.unwrap().status(), 200);

    // Uploads get past nginx's 64 KiB cap on bodies, up to Gather's own; other routes do not.
    let photo = gather_assets::testing::samples::noise(160, 160, 1);
    assert!(photo.len() > 64 * 1024, "{} bytes", photo.len());
    let (content_type, body) = form::multipart(&[("file", Some("photo.png"), "image/png", &photo)]);
    let uploaded = client
        .post(format!("{base}/api/v1/assets"))
        .bearer_auth(&users[1].1)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), 200);
    let url = uploaded.json::<Value>().await.unwrap()["url"].as_str().unwrap().to_owned();
    let served = client.get(format!("{base}{url}")).send().await.unwrap();
    assert_eq!(served.headers()["x-content-type-options"], "nosniff");
    assert!(served.bytes().await.unwrap().starts_with(b"\x89PNG"));
    let padding = "x".repeat(100 * 1024);
    let big = post("/space", json!({"name": padding, "dimensions": "3x1"})).await.unwrap();
    assert_eq!(big.status(), 413, "nginx refuses large bodies elsewhere");

    // One after the other, so alice is there first and told of bob.
    let mut sockets = Vec::new();
    let mut spawns = Vec::new();
    for (_, token) in &users {
        let mut socket = wss(&tls, https).await;
        socket::send(&mut socket, json!({"type": "join", "payload": {"spaceId": space, "token": token}}))
            .await;
        let ServerFrame::SpaceJoined { spawn, .. } = next_frame(&mut socket).await else { panic!("joined") };
        sockets.push(socket);
        spawns.push(spawn);
    }
    let (a_at, b_at) = (spawns[0], spawns[1]);
    assert!(matches!(next_frame(&mut sockets[0]).await, ServerFrame::UserJoined { .. }));

    // In a 3x1 corridor alice can always step towards the free tile.
    let free = (0..3).find(|x| *x != a_at.x && *x != b_at.x).unwrap();
    let to = a_at.x + (free - a_at.x).signum();
    socket::step(&mut sockets[0], (to, 0)).await;
    let expected = if to == b_at.x {
        ServerFrame::MovementRejected { x: a_at.x, y: 0 }
    } else {
        ServerFrame::Movement { user_id: users[0].0.parse().unwrap(), x: to, y: 0 }
    };
    let observer = if to == b_at.x { 0 } else { 1 };
    assert_eq!(next_frame(&mut sockets[observer]).await, expected);

    socket::send(&mut sockets[1], json!({"type": "leave"})).await;
    assert_eq!(
        next_frame(&mut sockets[0]).await,
        ServerFrame::UserLeft { user_id: users[1].0.parse().unwrap() }
    );
    app.stop().await.unwrap();
}
