//! `gather-bench`: drives a running Gather with many simulated people and reports join and
//! delivery latency, throughput, delivery ratio, and the server's CPU and memory. See
//! docs/PERFORMANCE.md for how the recorded figures were made.

mod client;
pub mod media;
mod procfs;
mod report;
mod setup;
mod stats;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::sync::watch;

pub use client::Phase;
use client::{Client, ClientStats, JoinTicket, MoveLog, Shared};
pub use report::Report;
use report::Tallies;

#[derive(Debug, Clone, clap::Parser)]
#[command(name = "gather-bench", about = "Load-test a running Gather server")]
pub struct Options {
    /// The server, e.g. http://127.0.0.1:3000 (run it with --admin-signup open).
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    pub server: String,
    /// Simulated people.
    #[arg(long, default_value_t = 100)]
    pub users: usize,
    /// Spaces they are spread over (round robin).
    #[arg(long, default_value_t = 1)]
    pub spaces: usize,
    /// Size of each space, WIDTHxHEIGHT.
    #[arg(long, default_value = "50x50")]
    pub size: String,
    /// Moves per second per person.
    #[arg(long, default_value_t = 5.0)]
    pub rate: f64,
    /// Chat messages (to the whole space) per second per person; the server allows one a
    /// second with bursts of five.
    #[arg(long, default_value_t = 0.0)]
    pub chat_rate: f64,
    /// Measured seconds.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Seconds of load before measuring.
    #[arg(long, default_value_t = 3)]
    pub warmup: u64,
    /// The server's --interest-threshold. In a space with more people than this, each
    /// hears only those near them, so what a client should receive is not known in advance:
    /// there the ratio is received / (received + missed), "missed" being moves that arrive
    /// more than one step from where the client last saw the mover.
    #[arg(long, default_value_t = 100)]
    pub interest_threshold: usize,
    /// People who stop reading after joining (slow consumers).
    #[arg(long, default_value_t = 0)]
    pub stalled: usize,
    /// Joins in flight at once while connecting.
    #[arg(long, default_value_t = 64)]
    pub join_concurrency: usize,
    /// The server's process id, to report its CPU time and memory.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Where accounts are cached between runs.
    #[arg(long, default_value = "target/bench-accounts.json")]
    pub account_cache: PathBuf,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// How long the joins may take in all before the run goes on without the stragglers.
const JOIN_DEADLINE: Duration = Duration::from_secs(300);

/// Runs one benchmark and returns its report. Stops by itself: setup, warmup, the measured
/// window and a short drain, all bounded.
pub async fn run(options: &Options) -> anyhow::Result<Report> {
    let (w, h) = options.size.split_once('x').context("--size is WIDTHxHEIGHT")?;
    let size: (u32, u32) = (w.parse()?, h.parse()?);
    let api = setup::Api::new(&options.server);
    let accounts = api.accounts(options.users, &options.account_cache, &options.server).await?;
    let spaces = api.spaces(options.spaces.max(1), size).await?;
    let shared = Arc::new(Shared {
        index: accounts.iter().enumerate().map(|(i, a)| (a.user_id.clone(), i)).collect(),
        moves: (0..accounts.len()).map(|_| Mutex::new(MoveLog::default())).collect(),
        epoch: Instant::now(),
    });
    let ws_url = format!("{}/ws", options.server.replacen("http", "ws", 1).trim_end_matches('/'));
    let server_pid = options.server_pid.map(|pid| pid.to_string());
    let (phase_tx, phase) = watch::channel(Phase::Warmup);

    // Connect in waves, so the join figures measure the server rather than a thundering herd.
    let gate = Arc::new(tokio::sync::Semaphore::new(options.join_concurrency.max(1)));
    let settled = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(accounts.len());
    for (index, account) in accounts.iter().enumerate() {
        let client = Client {
            index,
            url: ws_url.clone(),
            space: spaces[index % spaces.len()].clone(),
            token: account.token.clone(),
            size: (i64::from(size.0), i64::from(size.1)),
            rate: options.rate,
            chat_rate: options.chat_rate,
            stalled: index < options.stalled,
        };
        let (shared, phase, gate, settled) = (shared.clone(), phase.clone(), gate.clone(), settled.clone());
        tasks.push(tokio::spawn(async move {
            let permit = gate.acquire_owned().await.expect("gate open");
            client.run(&shared, phase, JoinTicket::new(permit, settled)).await
        }));
    }
    // Everyone joins (or fails to) before the warm-up starts, so the memory read after it
    // is that of a full server.
    let ramp = Instant::now();
    while settled.load(Ordering::Relaxed) < accounts.len() && ramp.elapsed() < JOIN_DEADLINE {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(options.warmup)).await;
    let (rss_joined, _) = server_pid.as_deref().and_then(procfs::memory).unwrap_or_default();
    let cpu_before = server_pid.as_deref().and_then(procfs::cpu_time);
    let bench_before = procfs::cpu_time("self");
    let started = Instant::now();
    phase_tx.send_replace(Phase::Measure);
    if let Some(mark) = std::env::var_os("GATHER_BENCH_MARK") {
        // Tells a profiler waiting outside that the measured window has begun.
        std::fs::write(mark, b"")?;
    }
    tokio::time::sleep(Duration::from_secs(options.duration)).await;
    let measured = started.elapsed();
    phase_tx.send_replace(Phase::Drain);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let cpu_after = server_pid.as_deref().and_then(procfs::cpu_time);
    let bench_after = procfs::cpu_time("self");
    let (_, rss_peak) = server_pid.as_deref().and_then(procfs::memory).unwrap_or_default();
    phase_tx.send_replace(Phase::Stop);

    let mut stats = Vec::with_capacity(tasks.len());
    for task in tasks {
        let result = tokio::time::timeout(Duration::from_secs(10), task).await;
        stats.push(
            result.ok().and_then(Result::ok).unwrap_or(ClientStats { errors: 1, ..Default::default() }),
        );
    }
    let population = |space: usize| (0..accounts.len()).filter(|i| i % spaces.len() == space).count() as u64;
    // Those who hear what person `i` says or does: everyone else in the space but stalled readers.
    let audience =
        |i: usize| population(i % spaces.len()).saturating_sub(1 + stalled_in(options, &spaces, i));
    let mut tallies = Tallies::default();
    for (i, s) in stats.iter().enumerate() {
        tallies.latency.merge(&s.latency);
        tallies.chat_latency.merge(&s.chat_latency);
        if let Some(us) = s.join_us {
            tallies.joins.record(us);
        }
        if i < options.stalled {
            continue;
        }
        tallies.expected += if population(i % spaces.len()) > options.interest_threshold as u64 {
            s.received + s.missed
        } else {
            s.sent.saturating_sub(s.rejected) * audience(i)
        };
        tallies.chats_expected += s.chats_sent * audience(i);
    }
    let server_cpu = cpu_before.zip(cpu_after).map(|(b, a)| a.saturating_sub(b));
    let bench_cpu = bench_before.zip(bench_after).map(|(b, a)| a.saturating_sub(b));
    Ok(Report::new(options, measured, &stats, tallies, server_cpu, bench_cpu, rss_joined, rss_peak))
}

/// Stalled readers in the space of person `i` (they receive nothing, so they are not expected to).
fn stalled_in(options: &Options, spaces: &[String], i: usize) -> u64 {
    (0..options.stalled).filter(|s| s % spaces.len() == i % spaces.len()).count() as u64
}
