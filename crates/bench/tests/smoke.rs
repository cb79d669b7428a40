//! A tiny run of the load tool against a real server, to prove it works end to end. The
//! big figures are benchmark runs recorded in docs/PERFORMANCE.md, not tests.

use std::time::{Duration, Instant};

use gather_bench::{run, Options};
use gather_server::{AdminSignup, Config, RunningApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_people_walk_for_three_seconds_and_every_move_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::new(dir.path().join("data"));
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.admin_signup = AdminSignup::Open;
    config.no_demo = true;
    let app = RunningApp::start(config).await.unwrap();
    let options = Options {
        server: format!("http://{}", app.addr),
        users: 20,
        spaces: 2,
        size: "12x12".into(),
        rate: 5.0,
        duration: 3,
        warmup: 1,
        stalled: 0,
        join_concurrency: 8,
        server_pid: Some(std::process::id()),
        account_cache: dir.path().join("accounts.json"),
        json: None,
    };
    let started = Instant::now();
    let report = run(&options).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(30), "the run stops by itself");
    assert_eq!(report.joined, 20);
    assert_eq!(report.errors, 0, "{report}");
    assert!(report.moves_sent > 100, "{report}");
    assert!(report.frames_received > 500, "{report}");
    assert!(report.delivery_ratio > 0.95 && report.delivery_ratio <= 1.01, "{report}");
    assert!(report.latency_p99_ms > 0.0 && report.latency_p99_ms < 1000.0, "{report}");
    assert!(report.server_cpu_seconds.is_some() && report.server_rss_peak_mb.is_some());

    // The account cache makes a second run skip sign-ups.
    let cached = std::fs::read_to_string(&options.account_cache).unwrap();
    assert_eq!(cached.matches("\"token\"").count(), 20);
    app.stop().await.unwrap();
}
