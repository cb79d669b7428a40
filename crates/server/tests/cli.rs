//! The `gather` binary itself: flags, environment, the generated secret, and a clean stop.

use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

#[path = "support/process.rs"]
mod process;
use process::spawn_gather;

struct Server {
    child: Child,
    addr: String,
}

/// Starts `gather` with `args` on a free port and waits for its "listening" line.
fn start(args: &[&str], env: &[(&str, &str)]) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gather"));
    command.args(args).env_remove("RUST_LOG");
    for (key, value) in env {
        command.env(key, value);
    }
    let (child, addr) = spawn_gather(command);
    Server { child, addr }
}

fn http_get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// Sends SIGTERM and asserts a clean exit, within ten seconds.
#[track_caller]
fn assert_stops_cleanly(server: Server) {
    let pid = libc::pid_t::try_from(server.child.id()).unwrap();
    // SAFETY: a plain signal to our own child, not yet reaped.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let mut child = server.child;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let Ok(status) = rx.recv_timeout(Duration::from_secs(10)) else {
        // SAFETY: as above; the waiting thread has not reaped it.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        panic!("gather did not stop on SIGTERM");
    };
    let status = status.unwrap();
    assert!(status.success(), "gather exited with {status}");
}

#[test]
fn serve_runs_from_flags_keeps_a_private_secret_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server =
        start(&["serve", "--addr", "127.0.0.1:0", "--data-dir", data.to_str().unwrap(), "--no-demo"], &[]);
    let response = http_get(&server.addr, "/api/v1/avatars");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains(r#"{"avatars":[]}"#), "{response}");
    let secret = std::fs::metadata(data.join("jwt-secret")).expect("secret generated");
    assert_eq!(secret.permissions().mode() & 0o777, 0o600);
    assert!(data.join("gather.db").exists());
    assert_stops_cleanly(server);
}

#[test]
fn plain_gather_reads_its_settings_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("env-data");
    let secret = "an-operator-chosen-secret-of-enough-length";
    let server = start(
        &[],
        &[
            ("GATHER_ADDR", "127.0.0.1:0"),
            ("GATHER_DATA_DIR", data.to_str().unwrap()),
            ("GATHER_JWT_SECRET", secret),
        ],
    );
    let elements = http_get(&server.addr, "/api/v1/elements");
    assert!(elements.contains("/demo/desk.svg"), "demo content is seeded by default: {elements}");
    assert!(!data.join("jwt-secret").exists(), "a configured secret is not written to disk");
    assert_stops_cleanly(server);
}

#[test]
fn a_too_short_secret_is_refused_at_startup() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_gather"))
        .args(["--addr", "127.0.0.1:0", "--data-dir", dir.path().to_str().unwrap()])
        .env("GATHER_JWT_SECRET", "short")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 32 bytes"));
}

fn gather(args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_gather"))
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("GATHER_JWT_SECRET")
        .env_remove("GATHER_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(output: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[test]
fn migrate_creates_the_schema_and_exits() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let output = gather(&["migrate", "--data-dir", data.to_str().unwrap()], "");
    assert!(output.status.success(), "{}", text(&output));
    assert!(text(&output).contains("migrations applied"));
    assert!(data.join("gather.db").exists());
}

#[test]
fn admin_create_makes_an_admin_who_can_sign_in_and_promotes_existing_users() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    let created =
        gather(&["admin", "create", "--username", "boss", "--data-dir", data_arg], "a-strong-password\n");
    assert!(created.status.success(), "{}", text(&created));
    assert!(text(&created).contains("created admin boss"));
    let again = gather(&["admin", "create", "--username", "BOSS", "--data-dir", data_arg], "");
    assert!(again.status.success(), "{}", text(&again));
    assert!(text(&again).contains("boss is now an admin"));
    let no_password = gather(&["admin", "create", "--username", "other", "--data-dir", data_arg], "");
    assert!(!no_password.status.success());
    assert!(text(&no_password).contains("no password given"));

    let server = start(&["--addr", "127.0.0.1:0", "--data-dir", data_arg, "--no-demo"], &[]);
    let body = r#"{"username":"boss","password":"a-strong-password"}"#;
    let signin = http_post(&server.addr, "/api/v1/signin", body);
    assert!(signin.starts_with("HTTP/1.1 200"), "{signin}");
    let token = signin.split(r#""token":""#).nth(1).unwrap().split('"').next().unwrap().to_owned();
    let element = r#"{"imageUrl":"/demo/desk.svg","width":1,"height":1,"static":true}"#;
    let created = http_post_auth(&server.addr, "/api/v1/admin/element", element, &token);
    assert!(created.starts_with("HTTP/1.1 200"), "admins may create elements: {created}");
    assert_stops_cleanly(server);
}

#[test]
fn check_config_reports_problems_without_changing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("never-created");
    let fine = gather(&["check-config", "--data-dir", data.to_str().unwrap()], "");
    assert!(fine.status.success(), "{}", text(&fine));
    assert!(text(&fine).contains("ok    signing secret"));
    assert!(!data.exists(), "check-config must not create the data dir");

    let bad = Command::new(env!("CARGO_BIN_EXE_gather"))
        .args(["check-config", "--data-dir", data.to_str().unwrap()])
        .env("GATHER_JWT_SECRET", "short")
        .env("GATHER_DATABASE_URL", "postgres://nobody:secret@127.0.0.1:1/none")
        .env("GATHER_DB_ACQUIRE_TIMEOUT_SECS", "1")
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let report = text(&bad);
    assert!(report.contains("FAIL  signing secret") && report.contains("FAIL  database"), "{report}");
    assert!(!report.contains("secret@"), "passwords in URLs are hidden: {report}");
}

fn http_post(addr: &str, path: &str, body: &str) -> String {
    http_post_auth(addr, path, body, "")
}

fn http_post_auth(addr: &str, path: &str, body: &str, token: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let auth = if token.is_empty() { String::new() } else { format!("Authorization: Bearer {token}\r\n") };
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}
