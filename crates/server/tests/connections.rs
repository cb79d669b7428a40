//! The real `gather` binary against connections that never finish a request: they are
//! closed after the header deadline, and a crowd of them cannot lock anyone else out even
//! under a small open-file limit.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

#[path = "support/process.rs"]
mod process;
use process::spawn_gather;

struct Server {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `gather` with its open-file limit fixed at `files` (soft and hard alike, so it
/// cannot raise it), plus `args`.
fn start(files: u64, args: &[&str]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_gather"));
    command
        .args(["serve", "--addr", "127.0.0.1:0", "--no-demo", "--data-dir"])
        .arg(dir.path())
        .args(args)
        .env_remove("RUST_LOG");
    // SAFETY: setrlimit is async-signal-safe, and the closure touches nothing else.
    unsafe {
        command.pre_exec(move || {
            let limit = libc::rlimit { rlim_cur: files, rlim_max: files };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let (child, addr) = spawn_gather(command);
    Server { child, addr, _dir: dir }
}

/// This test process holds thousands of sockets itself.
fn raise_own_file_limit() {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: plain reads and writes of the struct passed.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        limit.rlim_cur = limit.rlim_max;
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
    }
    assert!(limit.rlim_cur >= 4096, "the test needs a hard open-file limit of at least 4096");
}

fn healthz(addr: &str) -> Result<String, std::io::Error> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    write!(stream, "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

/// True when the server closed the stream within `within`.
fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 512];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue, // e.g. a 408 before the close
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

#[test]
fn silent_and_half_sent_connections_are_closed_after_the_header_deadline() {
    let server = start(1024, &["--http-idle-timeout-secs", "1"]);
    let mut silent = TcpStream::connect(&server.addr).unwrap();
    let mut half = TcpStream::connect(&server.addr).unwrap();
    write!(half, "GET /healthz HTTP/1.1\r\nHost: x\r\n").unwrap();
    let mut idle_after_one = TcpStream::connect(&server.addr).unwrap();
    write!(idle_after_one, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let started = Instant::now();
    for stream in [&mut silent, &mut half, &mut idle_after_one] {
        assert!(closed_within(stream, Duration::from_secs(5)), "still open after {:?}", started.elapsed());
    }
}

#[test]
fn thousands_of_idle_connections_under_a_small_file_limit_leave_the_server_answering() {
    raise_own_file_limit();
    let server = start(1024, &[]);
    let mut idle = Vec::new();
    for i in 0..2000 {
        match TcpStream::connect(&server.addr) {
            Ok(mut stream) => {
                if i % 2 == 0 {
                    // Half of them stop in the middle of their headers.
                    let _ = write!(stream, "GET / HTTP/1.1\r\nHost: x\r\n");
                }
                idle.push(stream);
            }
            Err(e) => panic!("connection {i} failed: {e}"),
        }
    }
    let started = Instant::now();
    let response = healthz(&server.addr).expect("healthz answers");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(started.elapsed() < Duration::from_secs(2), "healthz took {:?}", started.elapsed());
    // And again, with the crowd still there.
    assert!(healthz(&server.addr).unwrap().starts_with("HTTP/1.1 200"));
    drop(idle);
}

#[test]
fn a_server_whose_connections_are_all_busy_refuses_newcomers_clearly() {
    let server = start(1024, &["--max-connections", "2"]);
    let (mut a, mut b) = (upgrade(&server.addr), upgrade(&server.addr));
    let response = healthz(&server.addr).unwrap();
    assert!(response.starts_with("HTTP/1.1 503"), "{response}");
    assert!(response.contains("too-many-connections"), "{response}");
    // Once the server has closed a socket, its place is free.
    for socket in [&mut a, &mut b] {
        socket.shutdown(std::net::Shutdown::Write).unwrap();
        assert!(closed_within(socket, Duration::from_secs(5)), "the server kept a socket open");
    }
    let response = healthz(&server.addr).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "the places of closed sockets came back: {response}");
}

/// A WebSocket: busy by design, so never closed to make room.
fn upgrade(addr: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET /ws HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    .unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let mut buf = [0u8; 256];
    let n = stream.read(&mut buf).unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 101"), "{}", String::from_utf8_lossy(&buf[..n]));
    stream
}
