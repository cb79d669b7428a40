//! The figures of a run, as a table for people and JSON for records.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use crate::client::ClientStats;
use crate::stats::Histogram;
use crate::Options;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub users: usize,
    pub spaces: usize,
    pub size: String,
    pub rate: f64,
    pub walkers: f64,
    pub seconds: f64,
    pub joined: u64,
    pub join_p50_ms: f64,
    pub join_p99_ms: f64,
    pub latency_p50_ms: f64,
    pub latency_p90_ms: f64,
    pub latency_p99_ms: f64,
    pub latency_p999_ms: f64,
    pub latency_max_ms: f64,
    pub moves_sent: u64,
    pub moves_rejected: u64,
    pub frames_received: u64,
    pub frames_expected: u64,
    pub frames_per_second: f64,
    pub delivery_ratio: f64,
    pub chats_sent: u64,
    pub chats_received: u64,
    pub chats_expected: u64,
    pub chat_latency_p50_ms: f64,
    pub chat_latency_p99_ms: f64,
    pub unmatched_frames: u64,
    /// Moves a client did not see although it saw the mover before and after.
    pub missed_moves: u64,
    pub errors: u64,
    pub server_cpu_seconds: Option<f64>,
    pub server_cpu_us_per_frame: Option<f64>,
    pub server_rss_after_joins_mb: Option<f64>,
    pub server_rss_peak_mb: Option<f64>,
    /// Server memory after the joins per socket joined, in KiB.
    pub server_rss_per_socket_kb: Option<f64>,
    /// How long `GET /healthz` took right after the measured window.
    pub http_probe_ms: Option<f64>,
    /// With `--also-server`: what went through the node link.
    pub second_node: Option<SecondNode>,
    pub bench_cpu_seconds: Option<f64>,
}

/// What the run adds up across clients.
#[derive(Default)]
pub(crate) struct Tallies {
    /// Movement frames that should have arrived.
    pub expected: u64,
    pub chats_expected: u64,
    pub latency: Histogram,
    pub chat_latency: Histogram,
    pub joins: Histogram,
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// The cost of a cluster, seen from the node that does not own the space.
#[derive(Debug, Clone, Serialize)]
pub struct SecondNode {
    /// Frames its people received (every one of them relayed from the owner).
    pub frames_delivered: u64,
    pub frames_per_second: f64,
    pub cpu_seconds: Option<f64>,
    pub cpu_us_per_frame: Option<f64>,
    /// Messages both nodes received over the node link per second.
    pub bus_messages_per_second: Option<f64>,
}

impl SecondNode {
    pub(crate) fn new(frames: u64, measured: Duration, cpu: Option<Duration>, bus: Option<u64>) -> Self {
        let seconds = measured.as_secs_f64();
        Self {
            frames_delivered: frames,
            frames_per_second: frames as f64 / seconds,
            cpu_seconds: cpu.map(|d| d.as_secs_f64()),
            cpu_us_per_frame: cpu.filter(|_| frames > 0).map(|d| d.as_secs_f64() * 1e6 / frames as f64),
            bus_messages_per_second: bus.map(|n| n as f64 / seconds),
        }
    }
}

impl Report {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        options: &Options,
        measured: Duration,
        stats: &[ClientStats],
        tallies: Tallies,
        server_cpu: Option<Duration>,
        bench_cpu: Option<Duration>,
        rss_joined: u64,
        rss_peak: u64,
    ) -> Self {
        let sum = |f: fn(&ClientStats) -> u64| stats.iter().map(f).sum::<u64>();
        let received = sum(|s| s.received);
        let Tallies { expected, chats_expected, latency, chat_latency, joins } = tallies;
        let seconds = measured.as_secs_f64();
        let mb = |bytes: u64| (bytes > 0).then(|| bytes as f64 / (1024.0 * 1024.0));
        Self {
            users: options.users,
            spaces: options.spaces,
            size: options.size.clone(),
            rate: options.rate,
            walkers: options.walkers,
            seconds,
            joined: joins.count(),
            join_p50_ms: ms(joins.quantile(0.5)),
            join_p99_ms: ms(joins.quantile(0.99)),
            latency_p50_ms: ms(latency.quantile(0.5)),
            latency_p90_ms: ms(latency.quantile(0.9)),
            latency_p99_ms: ms(latency.quantile(0.99)),
            latency_p999_ms: ms(latency.quantile(0.999)),
            latency_max_ms: ms(latency.max()),
            moves_sent: sum(|s| s.sent),
            moves_rejected: sum(|s| s.rejected),
            frames_received: received,
            frames_expected: expected,
            frames_per_second: received as f64 / seconds,
            delivery_ratio: if expected == 0 { 1.0 } else { received as f64 / expected as f64 },
            chats_sent: sum(|s| s.chats_sent),
            chats_received: sum(|s| s.chats_received),
            chats_expected,
            chat_latency_p50_ms: ms(chat_latency.quantile(0.5)),
            chat_latency_p99_ms: ms(chat_latency.quantile(0.99)),
            unmatched_frames: sum(|s| s.unmatched),
            missed_moves: sum(|s| s.missed),
            errors: sum(|s| s.errors),
            server_cpu_seconds: server_cpu.map(|d| d.as_secs_f64()),
            server_cpu_us_per_frame: server_cpu
                .filter(|_| received > 0)
                .map(|d| d.as_secs_f64() * 1e6 / received as f64),
            server_rss_after_joins_mb: mb(rss_joined),
            server_rss_peak_mb: mb(rss_peak),
            server_rss_per_socket_kb: (rss_joined > 0 && joins.count() > 0)
                .then(|| rss_joined as f64 / 1024.0 / joins.count() as f64),
            http_probe_ms: None,
            second_node: None,
            bench_cpu_seconds: bench_cpu.map(|d| d.as_secs_f64()),
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let opt = |v: Option<f64>, unit: &str| v.map_or("n/a".to_owned(), |v| format!("{v:.2}{unit}"));
        writeln!(
            f,
            "users {} in {} space(s) of {}, {:.0}% walking at {} moves/s, {:.1} s measured",
            self.users,
            self.spaces,
            self.size,
            self.walkers * 100.0,
            self.rate,
            self.seconds
        )?;
        writeln!(
            f,
            "joined              {} (p50 {:.1} ms, p99 {:.1} ms)",
            self.joined, self.join_p50_ms, self.join_p99_ms
        )?;
        writeln!(
            f,
            "delivery latency    p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  p99.9 {:.2} ms  max {:.2} ms",
            self.latency_p50_ms,
            self.latency_p90_ms,
            self.latency_p99_ms,
            self.latency_p999_ms,
            self.latency_max_ms
        )?;
        writeln!(
            f,
            "delivered           {} frames, {:.0} frames/s, ratio {:.4} (expected {}); {} moves missed",
            self.frames_received,
            self.frames_per_second,
            self.delivery_ratio,
            self.frames_expected,
            self.missed_moves
        )?;
        writeln!(
            f,
            "moves               {} sent, {} rejected; {} unmatched frames; {} errors",
            self.moves_sent, self.moves_rejected, self.unmatched_frames, self.errors
        )?;
        if self.chats_sent > 0 {
            writeln!(
                f,
                "chat                {} sent, {} received of {} expected; latency p50 {:.2} ms  p99 {:.2} ms",
                self.chats_sent,
                self.chats_received,
                self.chats_expected,
                self.chat_latency_p50_ms,
                self.chat_latency_p99_ms
            )?;
        }
        writeln!(
            f,
            "server cpu          {} ({} per delivered frame)",
            opt(self.server_cpu_seconds, " s"),
            opt(self.server_cpu_us_per_frame, " µs")
        )?;
        writeln!(
            f,
            "server memory       {} after joins, {} peak",
            opt(self.server_rss_after_joins_mb, " MB"),
            opt(self.server_rss_peak_mb, " MB")
        )?;
        writeln!(f, "server memory/sock  {}", opt(self.server_rss_per_socket_kb, " KiB"))?;
        writeln!(f, "http after          {}", opt(self.http_probe_ms, " ms"))?;
        if let Some(second) = &self.second_node {
            writeln!(
                f,
                "second node         {} frames delivered ({:.0}/s), cpu {} ({} per frame); node link {} messages/s",
                second.frames_delivered,
                second.frames_per_second,
                opt(second.cpu_seconds, " s"),
                opt(second.cpu_us_per_frame, " µs"),
                opt(second.bus_messages_per_second, "")
            )?;
        }
        write!(f, "bench cpu           {}", opt(self.bench_cpu_seconds, " s"))
    }
}
