//! The storage contract, on a real directory and on a real S3-protocol server: `moto`
//! (`moto_server`, from PyPI) started here on a loopback port. Without `moto_server` the S3
//! half is skipped with a message, unless `GATHER_REQUIRE_SERVICES` is set, as in CI.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use gather_assets::AssetStorage;

async fn contract(storage: &AssetStorage) {
    let name = "0123abcd.png";
    assert_eq!(storage.get(name).await.unwrap(), None, "nothing there yet");
    storage.put(name, Bytes::from_static(b"first")).await.unwrap();
    assert_eq!(storage.get(name).await.unwrap().as_deref(), Some(&b"first"[..]));
    // Names are content hashes: a second write of a name keeps what is there.
    storage.put(name, Bytes::from_static(b"first")).await.unwrap();
    assert_eq!(storage.get(name).await.unwrap().as_deref(), Some(&b"first"[..]));
    storage.delete(name).await.unwrap();
    assert_eq!(storage.get(name).await.unwrap(), None);
    storage.delete(name).await.unwrap(); // Deleting twice is fine.
}

#[tokio::test]
async fn a_local_directory_keeps_assets() {
    let dir = tempfile::tempdir().unwrap();
    let storage = AssetStorage::local(&dir.path().join("assets")).unwrap();
    assert!(!storage.is_shared(), "a directory is one node's own");
    contract(&storage).await;
}

/// A `moto_server` on a free loopback port, stopped when dropped.
struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    fn start() -> Option<Self> {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match child {
            Ok(child) => child,
            Err(e) => {
                assert!(
                    std::env::var_os("GATHER_REQUIRE_SERVICES").is_none(),
                    "GATHER_REQUIRE_SERVICES is set but moto_server cannot start: {e}"
                );
                eprintln!(
                    "skipping the S3 half: install moto (pip install 'moto[s3]' flask flask-cors) to run it"
                );
                return None;
            }
        };
        let moto = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while moto.request("GET", "/").is_none() {
            assert!(Instant::now() < deadline, "moto_server did not answer on port {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(moto)
    }

    /// A bare HTTP/1.0 request; moto takes unsigned bucket creation.
    fn request(&self, method: &str, path: &str) -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        write!(
            stream,
            "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\n\r\n",
            self.port
        )
        .ok()?;
        let mut reply = String::new();
        stream.read_to_string(&mut reply).ok()?;
        Some(reply)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn an_s3_bucket_keeps_assets_under_its_prefix() {
    let Some(moto) = Moto::start() else { return };
    let created = moto.request("PUT", "/gather-test").expect("moto answers");
    assert!(created.starts_with("HTTP/1.0 200") || created.starts_with("HTTP/1.1 200"), "{created}");
    // The usual variables, as an operator would set them; this test binary's only use of them.
    for (key, value) in [
        ("AWS_ACCESS_KEY_ID", "test".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_ENDPOINT", format!("http://127.0.0.1:{}", moto.port)),
        ("AWS_ALLOW_HTTP", "true".to_owned()),
    ] {
        std::env::set_var(key, value);
    }
    let storage = AssetStorage::s3("s3://gather-test/uploads").unwrap();
    assert!(storage.is_shared());
    contract(&storage).await;
    storage.put("kept.png", Bytes::from_static(b"x")).await.unwrap();
    let listing = moto.request("GET", "/gather-test?list-type=2").expect("moto answers");
    assert!(listing.contains("<Key>uploads/kept.png</Key>"), "stored under the prefix: {listing}");
    assert!(AssetStorage::s3("s3:///nothing").is_err(), "no bucket");
    assert!(AssetStorage::s3("https://example.com/x").is_err(), "not an s3:// address");
}
