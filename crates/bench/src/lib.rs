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
    /// Moves per second per person who walks.
    #[arg(long, default_value_t = 5.0)]
    pub rate: f64,
    /// Share of the people who walk (spread evenly over them); the others stand and listen,
    /// as most of a crowd at an event does.
    #[arg(long, default_value_t = 1.0)]
    pub walkers: f64,
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
    /// Sockets per account, each in another space (so `--spaces` must be at least this):
    /// a hundred thousand sockets need no hundred thousand sign-ups. Idle runs only
    /// (`--rate 0`): moves are matched to their mover by account.
    #[arg(long, default_value_t = 1)]
    pub sockets_per_account: usize,
    /// Loopback source addresses to spread the sockets over (127.0.0.1, 127.0.0.2, ...):
    /// one address has ports for about 28,000 connections to one server port.
    #[arg(long, default_value_t = 1)]
    pub source_addrs: u8,
    /// The server's process id, to report its CPU time and memory.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// A second node of the same cluster: every other person connects to it (accounts and
    /// spaces are made through `--server`, whose node the first joiner makes the owner).
    #[arg(long)]
    pub also_server: Option<String>,
    /// The second node's process id, for its CPU time per frame it delivered.
    #[arg(long)]
    pub also_server_pid: Option<u32>,
    /// Join this existing space instead of making `--spaces` new ones (its size must be
    /// `--size`): to put the simulated people beside a real client.
    #[arg(long)]
    pub space_id: Option<String>,
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
    let per_account = options.sockets_per_account.max(1);
    if per_account > 1 && (options.rate > 0.0 || options.spaces < per_account) {
        anyhow::bail!("--sockets-per-account needs --rate 0 and at least as many --spaces");
    }
    let api = setup::Api::new(&options.server);
    let accounts =
        api.accounts(options.users.div_ceil(per_account), &options.account_cache, &options.server).await?;
    let spaces = match &options.space_id {
        Some(id) => vec![id.clone()],
        None => api.spaces(options.spaces.max(1), size).await?,
    };
    let people = options.users;
    let shared = Arc::new(Shared {
        index: accounts.iter().enumerate().map(|(i, a)| (a.user_id.clone(), i * per_account)).collect(),
        moves: (0..people).map(|_| Mutex::new(MoveLog::default())).collect(),
        epoch: Instant::now(),
    });
    // Where each person connects: the server, or every other one to the second node.
    let mut nodes = vec![Node::new(&options.server).await?];
    if let Some(also) = &options.also_server {
        nodes.push(Node::new(also).await?);
    }
    let server_pid = options.server_pid.map(|pid| pid.to_string());
    let (phase_tx, phase) = watch::channel(Phase::Warmup);

    // Connect in waves, so the join figures measure the server rather than a thundering herd.
    let gate = Arc::new(tokio::sync::Semaphore::new(options.join_concurrency.max(1)));
    let settled = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(people);
    for index in 0..people {
        let account = &accounts[index / per_account];
        let node = &nodes[index % nodes.len()];
        let client = Client {
            index,
            url: node.ws_url.clone(),
            server: node.addr,
            source: (options.source_addrs > 1).then(|| {
                std::net::Ipv4Addr::new(127, 0, 0, 1 + (index % usize::from(options.source_addrs)) as u8)
            }),
            space: spaces[index % spaces.len()].clone(),
            token: account.token.clone(),
            size: (i64::from(size.0), i64::from(size.1)),
            rate: if walks(index, options.walkers) { options.rate } else { 0.0 },
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
    while settled.load(Ordering::Relaxed) < people && ramp.elapsed() < JOIN_DEADLINE {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(options.warmup)).await;
    let (rss_joined, _) = server_pid.as_deref().and_then(procfs::memory).unwrap_or_default();
    let cpu_before = server_pid.as_deref().and_then(procfs::cpu_time);
    let also_pid = options.also_server_pid.map(|pid| pid.to_string());
    let also_before = also_pid.as_deref().and_then(procfs::cpu_time);
    let bus_before = bus_messages(&api, &nodes).await;
    let bench_before = procfs::cpu_time("self");
    let started = Instant::now();
    phase_tx.send_replace(Phase::Measure);
    if let Some(mark) = std::env::var_os("GATHER_BENCH_MARK") {
        // Tells a profiler waiting outside that the measured window has begun.
        std::fs::write(mark, b"")?;
    }
    tokio::time::sleep(Duration::from_secs(options.duration)).await;
    let measured = started.elapsed();
    let also_after = also_pid.as_deref().and_then(procfs::cpu_time);
    let bus_after = bus_messages(&api, &nodes).await;
    // Whether the server still answers a plain request promptly with all of them on it.
    let http_probe = api.health().await.ok();
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
    let population = |space: usize| (0..people).filter(|i| i % spaces.len() == space).count() as u64;
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
    let mut report =
        Report::new(options, measured, &stats, tallies, server_cpu, bench_cpu, rss_joined, rss_peak);
    report.http_probe_ms = http_probe.map(|took| took.as_secs_f64() * 1000.0);
    if nodes.len() > 1 {
        // What the people on the second node received, all of it through the node link.
        let on_second: u64 = stats.iter().skip(1).step_by(nodes.len()).map(|s| s.received).sum();
        let also_cpu = also_before.zip(also_after).map(|(b, a)| a.saturating_sub(b));
        report.second_node = Some(report::SecondNode::new(
            on_second,
            measured,
            also_cpu,
            bus_before.zip(bus_after).map(|(b, a)| a.saturating_sub(b)),
        ));
    }
    Ok(report)
}

/// One node people connect to: its WebSocket URL and socket address.
struct Node {
    ws_url: String,
    addr: std::net::SocketAddr,
    base: String,
}

impl Node {
    async fn new(server: &str) -> anyhow::Result<Self> {
        let base = server.trim_end_matches('/').to_owned();
        let ws_url = format!("{}/ws", base.replacen("http", "ws", 1));
        Ok(Self { ws_url, addr: server_addr(server).await?, base })
    }
}

/// Messages the nodes received over the node link so far, summed (from their `/metrics`);
/// None for a single node, or when one cannot be read.
async fn bus_messages(api: &setup::Api, nodes: &[Node]) -> Option<u64> {
    if nodes.len() < 2 {
        return None;
    }
    let mut total = 0;
    for node in nodes {
        total += api.counter_sum(&node.base, "gather_bus_messages_in_total").await?;
    }
    Some(total)
}

/// The server's socket address, from its URL (`http://host:port`).
async fn server_addr(server: &str) -> anyhow::Result<std::net::SocketAddr> {
    let authority = server.split("://").nth(1).unwrap_or(server).split('/').next().unwrap_or_default();
    tokio::net::lookup_host(authority)
        .await
        .with_context(|| format!("resolving {authority}"))?
        .next()
        .with_context(|| format!("no address for {authority}"))
}

/// Whether person `index` is one of the walkers: with a share `walkers`, every person
/// whose index pushes `index * walkers` past a whole number, so they spread evenly.
fn walks(index: usize, walkers: f64) -> bool {
    let share = walkers.clamp(0.0, 1.0);
    ((index + 1) as f64 * share).floor() > (index as f64 * share).floor()
}

/// Stalled readers in the space of person `i` (they receive nothing, so they are not expected to).
fn stalled_in(options: &Options, spaces: &[String], i: usize) -> u64 {
    (0..options.stalled).filter(|s| s % spaces.len() == i % spaces.len()).count() as u64
}

#[cfg(test)]
mod tests {
    #[test]
    fn walkers_are_the_share_asked_for_spread_evenly() {
        let walking: Vec<usize> = (0..20).filter(|&i| super::walks(i, 0.2)).collect();
        assert_eq!(walking, [4, 9, 14, 19]);
        assert_eq!((0..5000).filter(|&i| super::walks(i, 0.2)).count(), 1000);
        assert!((0..10).all(|i| super::walks(i, 1.0)));
        assert!(!(0..10).any(|i| super::walks(i, 0.0)));
    }
}
