//! A tiny run of the load tool against a real server, to prove it works end to end. The
//! big figures are benchmark runs recorded in docs/PERFORMANCE.md, not tests.

use std::time::{Duration, Instant};

use gather_bench::{run, Options};
use gather_server::{AdminSignup, Config, RunningApp};

fn server_config(dir: &tempfile::TempDir) -> Config {
    let mut config = Config::new(dir.path().join("data"));
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.admin_signup = AdminSignup::Open;
    config.no_demo = true;
    config
}

/// A tiny run against `server`; `server_pid` is this process (the server runs in it).
fn options(server: String, dir: &tempfile::TempDir) -> Options {
    Options {
        server,
        users: 20,
        spaces: 2,
        size: "12x12".into(),
        rate: 5.0,
        walkers: 1.0,
        chat_rate: 0.0,
        duration: 3,
        warmup: 1,
        interest_threshold: 100,
        stalled: 0,
        join_concurrency: 8,
        sockets_per_account: 1,
        source_addrs: 1,
        server_pid: Some(std::process::id()),
        also_server: None,
        also_server_pid: None,
        space_id: None,
        account_cache: dir.path().join("accounts.json"),
        json: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_people_walk_and_chat_for_three_seconds_and_everything_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let app = RunningApp::start(server_config(&dir)).await.unwrap();
    let options = Options { chat_rate: 1.0, ..options(format!("http://{}", app.addr), &dir) };
    let started = Instant::now();
    let report = run(&options).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(30), "the run stops by itself");
    assert_eq!(report.joined, 20);
    assert_eq!(report.errors, 0, "{report}");
    assert!(report.moves_sent > 100, "{report}");
    assert!(report.frames_received > 500, "{report}");
    assert!(report.delivery_ratio > 0.95 && report.delivery_ratio <= 1.01, "{report}");
    assert_eq!(report.missed_moves, 0, "{report}");
    assert!(report.chats_sent >= 40, "{report}");
    assert_eq!(report.chats_received, report.chats_expected, "every chat reaches the other nine: {report}");
    assert!(report.chat_latency_p99_ms > 0.0 && report.chat_latency_p99_ms < 1000.0, "{report}");
    assert!(report.latency_p99_ms > 0.0 && report.latency_p99_ms < 1000.0, "{report}");
    assert!(report.server_cpu_seconds.is_some() && report.server_rss_peak_mb.is_some());

    // The account cache makes a second run skip sign-ups.
    let cached = std::fs::read_to_string(&options.account_cache).unwrap();
    assert_eq!(cached.matches("\"token\"").count(), 20);
    app.stop().await.unwrap();
}

/// A crowd: everyone hears only those within 3 tiles, so who should receive a move changes
/// as people walk. Each client checks every move it gets against where it last saw the
/// mover (a jump means a move it missed), and nobody misses a neighbour's move.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_crowd_nobody_misses_a_neighbours_move() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = server_config(&dir);
    (config.interest_threshold, config.interest_radius) = (5, 3);
    let app = RunningApp::start(config).await.unwrap();
    let options = Options {
        spaces: 1,
        size: "16x16".into(),
        interest_threshold: 5,
        ..options(format!("http://{}", app.addr), &dir)
    };
    let report = run(&options).await.unwrap();
    assert_eq!(report.errors, 0, "{report}");
    assert!(report.frames_received > 100, "{report}");
    assert!(
        report.frames_received < report.moves_sent * 19 / 2,
        "far fewer frames than a broadcast to all 19 others: {report}"
    );
    assert_eq!(report.missed_moves, 0, "{report}");
    assert_eq!(report.delivery_ratio, 1.0, "{report}");
    app.stop().await.unwrap();
}

/// The Node.js baseline (crates/bench/baseline) still speaks what the tool asks, so its
/// figures in docs/PERFORMANCE.md can be made again. Needs node and the baseline's npm
/// packages; skipped without them unless GATHER_REQUIRE_SERVICES is set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_node_baseline_serves_the_same_run() {
    let baseline = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("baseline");
    let required = std::env::var_os("GATHER_REQUIRE_SERVICES").is_some();
    if !baseline.join("node_modules/ws").exists() {
        assert!(!required, "GATHER_REQUIRE_SERVICES is set but the baseline's packages are missing");
        eprintln!("skipping: run `npm ci` in crates/bench/baseline first");
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = std::process::Command::new("node")
        .arg(baseline.join("server.mjs"))
        .args(["--port", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("node runs");
    let _stop = KillOnDrop(child);
    let server = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while reqwest::get(format!("{server}/healthz")).await.is_err() {
        assert!(Instant::now() < deadline, "the baseline did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let options = Options { duration: 2, server_pid: None, ..options(server, &dir) };
    let report = run(&options).await.unwrap();
    assert_eq!((report.joined, report.errors), (20, 0), "{report}");
    assert!(report.frames_received > 300, "{report}");
    assert!(report.delivery_ratio > 0.95, "{report}");
    assert_eq!(report.missed_moves, 0, "{report}");
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sockets_share_accounts_and_come_from_several_source_addresses() {
    let dir = tempfile::tempdir().unwrap();
    let app = RunningApp::start(server_config(&dir)).await.unwrap();
    let base = options(format!("http://{}", app.addr), &dir);
    let options = Options { rate: 0.0, sockets_per_account: 2, source_addrs: 3, users: 12, ..base };
    let report = run(&options).await.unwrap();
    assert_eq!(report.joined, 12, "{report}");
    assert_eq!(report.errors, 0, "{report}");
    assert!(report.http_probe_ms.is_some(), "the server answered after the window");
    app.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_walking_share_of_the_people_moves() {
    let dir = tempfile::tempdir().unwrap();
    let app = RunningApp::start(server_config(&dir)).await.unwrap();
    let options = Options { walkers: 0.25, ..options(format!("http://{}", app.addr), &dir) };
    let report = run(&options).await.unwrap();
    // 5 of 20 walk at 5 moves a second for 3 seconds: about 75 moves, never the 300 of all.
    assert!((50..=100).contains(&report.moves_sent), "{report}");
    assert_eq!(report.delivery_ratio, 1.0, "{report}");
    app.stop().await.unwrap();
}
