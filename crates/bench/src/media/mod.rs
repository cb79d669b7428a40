//! `gather-media-bench`: N people in one space, each sending a camera track at a set
//! bitrate to the relay of a running Gather, each receiving the others' cameras in their
//! slots. Reports forwarded packets per second, consumers (a receiver getting one sender's
//! video), the bitrate each consumer got, and the server's CPU per forwarded packet and
//! consumers per core. See docs/PERFORMANCE.md.

mod peer;

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde::Serialize;
use tokio::sync::watch;

use crate::procfs;
use crate::setup::Api;
use peer::{Counters, Peer};

#[derive(Debug, Clone, clap::Parser)]
#[command(name = "gather-media-bench", about = "Load-test the media relay of a running Gather server")]
pub struct MediaOptions {
    /// The server (run it with --admin-signup open, and a media radius and space cap that
    /// take in everyone: --media-radius 1000 --media-max-per-space 1000).
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    pub server: String,
    /// People, each publishing a camera and receiving the others' (up to their slots).
    #[arg(long, default_value_t = 20)]
    pub people: usize,
    /// Each camera's bitrate.
    #[arg(long, default_value_t = 300)]
    pub kbps: u32,
    #[arg(long, default_value_t = 25)]
    pub fps: u32,
    /// Measured seconds.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Seconds of load before measuring.
    #[arg(long, default_value_t = 3)]
    pub warmup: u64,
    #[arg(long)]
    pub server_pid: Option<u32>,
    #[arg(long, default_value = "target/bench-accounts.json")]
    pub account_cache: PathBuf,
    #[arg(long)]
    pub json: Option<PathBuf>,
}

#[derive(Debug, Serialize)]
pub struct MediaReport {
    pub people: usize,
    pub kbps_per_camera: u32,
    /// Receiver slots carrying someone's camera, at the end of the warm-up.
    pub consumers: usize,
    pub measured_secs: f64,
    pub packets_sent_per_sec: f64,
    pub packets_forwarded_per_sec: f64,
    /// What each consumer received, on average.
    pub kbps_per_consumer: f64,
    /// Of one core: 1.0 is one core busy for the whole window.
    pub server_cpu: Option<f64>,
    pub bench_cpu: Option<f64>,
    pub server_us_per_forwarded_packet: Option<f64>,
    /// Consumers one core carries at the full bitrate: the consumers, scaled down by the
    /// share of the bitrate they got (a saturated server delivers less), over the CPU the
    /// server spent.
    pub consumers_per_core: Option<f64>,
    pub server_rss_mb: Option<f64>,
}

impl std::fmt::Display for MediaReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "people {}  consumers {}  camera {} kbit/s",
            self.people, self.consumers, self.kbps_per_camera
        )?;
        writeln!(
            f,
            "packets/s sent {:.0}  forwarded {:.0}  per consumer {:.0} kbit/s",
            self.packets_sent_per_sec, self.packets_forwarded_per_sec, self.kbps_per_consumer
        )?;
        let show = |v: Option<f64>, digits: usize| v.map_or("-".to_owned(), |v| format!("{v:.digits$}"));
        writeln!(
            f,
            "server cpu {} core  bench cpu {} core  {} µs per forwarded packet  {} consumers per core  rss {} MB",
            show(self.server_cpu, 2),
            show(self.bench_cpu, 2),
            show(self.server_us_per_forwarded_packet, 2),
            show(self.consumers_per_core, 0),
            show(self.server_rss_mb, 1),
        )
    }
}

/// How long everyone may take to connect before the run gives up.
const CONNECT_DEADLINE: Duration = Duration::from_secs(60);

pub async fn run(options: &MediaOptions) -> anyhow::Result<MediaReport> {
    let api = Api::new(&options.server);
    let accounts = api.accounts(options.people, &options.account_cache, &options.server).await?;
    // Room for everyone: about one tile in four taken.
    let side = ((options.people * 4) as f64).sqrt().ceil().max(4.0) as u32;
    let space = api.spaces(1, (side, side)).await?.remove(0);
    let ws_url = format!("{}/ws", options.server.replacen("http", "ws", 1).trim_end_matches('/'));
    let frame_bytes = (options.kbps as usize * 1000 / 8 / options.fps.max(1) as usize).max(100);
    let counters = Arc::new(Counters::default());
    let (sending_tx, sending) = watch::channel(false);
    let (measuring_tx, measuring) = watch::channel(false);
    let mut tasks = Vec::new();
    for account in &accounts {
        let peer = Peer {
            ws_url: ws_url.clone(),
            space: space.clone(),
            token: account.token.clone(),
            fps: options.fps,
            frame_bytes,
        };
        let (counters, sending, measuring) = (counters.clone(), sending.clone(), measuring.clone());
        tasks.push(tokio::spawn(async move { peer.run(counters, sending, measuring).await }));
    }
    // Everyone connected, and every slot that can be bound bound.
    let want = options.people * options.people.saturating_sub(1).min(9);
    let started = Instant::now();
    while counters.connected.load(Ordering::Relaxed) < options.people
        || counters.consumers.load(Ordering::Relaxed) < want
    {
        if started.elapsed() > CONNECT_DEADLINE {
            let (connected, consumers) =
                (counters.connected.load(Ordering::Relaxed), counters.consumers.load(Ordering::Relaxed));
            bail!(
                "after {CONNECT_DEADLINE:?}: {connected} of {} connected, {consumers} of {want} slots bound",
                options.people
            );
        }
        if let Some(failed) = tasks.iter().position(|t| t.is_finished()) {
            let result = tasks.swap_remove(failed).await.context("a person's task")?;
            bail!("a person stopped before the run: {result:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    sending_tx.send_replace(true);
    tokio::time::sleep(Duration::from_secs(options.warmup)).await;
    let pid = options.server_pid.map(|pid| pid.to_string());
    let (server_before, bench_before) = (pid.as_deref().and_then(procfs::cpu_time), procfs::cpu_time("self"));
    let window = Instant::now();
    measuring_tx.send_replace(true);
    tokio::time::sleep(Duration::from_secs(options.duration)).await;
    measuring_tx.send_replace(false);
    let measured = window.elapsed().as_secs_f64();
    let (server_after, bench_after) = (pid.as_deref().and_then(procfs::cpu_time), procfs::cpu_time("self"));
    let rss = pid.as_deref().and_then(procfs::memory).map(|(rss, _)| rss as f64 / 1e6);
    for task in &tasks {
        task.abort();
    }
    let share = |before: Option<Duration>, after: Option<Duration>| {
        before.zip(after).map(|(b, a)| a.saturating_sub(b).as_secs_f64() / measured)
    };
    let (server_cpu, bench_cpu) = (share(server_before, server_after), share(bench_before, bench_after));
    let consumers = counters.consumers.load(Ordering::Relaxed);
    let forwarded = counters.packets.load(Ordering::Relaxed) as f64 / measured;
    let kbps_per_consumer =
        counters.bytes.load(Ordering::Relaxed) as f64 * 8.0 / 1000.0 / measured / consumers.max(1) as f64;
    Ok(MediaReport {
        people: options.people,
        kbps_per_camera: options.kbps,
        consumers,
        measured_secs: measured,
        packets_sent_per_sec: counters.sent.load(Ordering::Relaxed) as f64 / measured,
        packets_forwarded_per_sec: forwarded,
        kbps_per_consumer,
        server_cpu,
        bench_cpu,
        server_us_per_forwarded_packet: server_cpu.map(|cpu| cpu * 1e6 / forwarded.max(1.0)),
        consumers_per_core: server_cpu.map(|cpu| {
            let delivered = (kbps_per_consumer / f64::from(options.kbps.max(1))).min(1.0);
            consumers as f64 * delivered / cpu.max(1e-9)
        }),
        server_rss_mb: rss,
    })
}
