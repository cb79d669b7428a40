//! A real S3-protocol server for tests: `moto_server` (from PyPI), started on a free
//! loopback port and stopped when dropped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `moto_server` on a free loopback port, stopped when dropped.
pub struct Moto {
    child: Child,
    pub port: u16,
}

impl Moto {
    /// `None`, with a message, when `moto_server` is not installed (a failure when
    /// `GATHER_REQUIRE_SERVICES` is set).
    pub fn start() -> Option<Self> {
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
    pub fn request(&self, method: &str, path: &str) -> Option<String> {
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

impl Moto {
    /// Whether `moto_server` is on the `PATH`.
    pub fn installed() -> bool {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join("moto_server").is_file()))
    }

    pub fn create_bucket(&self, bucket: &str) {
        let created = self.request("PUT", &format!("/{bucket}")).expect("moto answers");
        assert!(created.starts_with("HTTP/1.0 200") || created.starts_with("HTTP/1.1 200"), "{created}");
    }

    /// The `AWS_*` variables that point an S3 client here.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", "test".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
            ("AWS_REGION", "us-east-1".to_owned()),
            ("AWS_ENDPOINT", format!("http://127.0.0.1:{}", self.port)),
            ("AWS_ALLOW_HTTP", "true".to_owned()),
        ]
    }
}
