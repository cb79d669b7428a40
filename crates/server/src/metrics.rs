//! What `/metrics` reports, in Prometheus text format. Each server has a registry of its
//! own (no process-wide globals), so two servers in one test process count separately.

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_latency: HistogramVec,
    pub ws_connections: IntGauge,
    pub spaces_live: IntGauge,
    pub saturated: IntGauge,
    pub space_population: Histogram,
    pub frames_in: IntCounterVec,
    pub frames_out: IntCounterVec,
    pub frames_coalesced: IntCounter,
    pub moves_rejected: IntCounterVec,
    pub db_latency: HistogramVec,
    pub bus_in: IntCounterVec,
    pub bus_out: IntCounterVec,
    pub spaces_owned: IntGauge,
    pub forward_latency: Histogram,
    pub media_links: IntCounterVec,
    pub media_refused: IntCounterVec,
    pub media_rebinds: IntCounter,
    pub ws_parked: IntGauge,
    pub ws_resumes: IntCounterVec,
    pub ws_replayed: IntCounter,
    pub ws_replay_kept: IntGauge,
}

const LATENCY_BUCKETS: &[f64] =
    &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];
const POPULATION_BUCKETS: &[f64] = &[1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0];

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new_custom(Some("gather".into()), None).expect("a valid prefix");
        let counter = |name: &str, help: &str, labels: &[&str]| {
            let metric = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
            registry.register(Box::new(metric.clone())).expect("registered once");
            metric
        };
        let plain_counter = |name: &str, help: &str| {
            let metric = IntCounter::new(name, help).expect("valid metric");
            registry.register(Box::new(metric.clone())).expect("registered once");
            metric
        };
        let gauge = |name: &str, help: &str| {
            let metric = IntGauge::new(name, help).expect("valid metric");
            registry.register(Box::new(metric.clone())).expect("registered once");
            metric
        };
        let histogram_vec = |name: &str, help: &str, labels: &[&str], buckets: &[f64]| {
            let opts = HistogramOpts::new(name, help).buckets(buckets.to_vec());
            let metric = HistogramVec::new(opts, labels).expect("valid metric");
            registry.register(Box::new(metric.clone())).expect("registered once");
            metric
        };
        let space_population = Histogram::with_opts(
            HistogramOpts::new("space_population", "People in a space, observed at each join")
                .buckets(POPULATION_BUCKETS.to_vec()),
        )
        .expect("valid metric");
        registry.register(Box::new(space_population.clone())).expect("registered once");
        Self {
            http_requests: counter(
                "http_requests_total",
                "HTTP requests by route, method and status",
                &["route", "method", "status"],
            ),
            http_latency: histogram_vec(
                "http_request_duration_seconds",
                "HTTP request latency by route and method",
                &["route", "method"],
                LATENCY_BUCKETS,
            ),
            ws_connections: gauge("ws_connections_open", "Open WebSocket connections"),
            spaces_live: gauge("spaces_live", "Spaces with people in them on this node"),
            saturated: gauge(
                "saturated",
                "1 while the server's CPU is saturated and socket writes are batched",
            ),
            space_population,
            frames_in: counter("ws_frames_in_total", "WebSocket frames received, by type", &["type"]),
            frames_out: counter("ws_frames_out_total", "WebSocket frames sent, by type", &["type"]),
            frames_coalesced: plain_counter(
                "ws_frames_coalesced_total",
                "Movement frames that replaced the same person's older one waiting for a slow reader",
            ),
            moves_rejected: counter("moves_rejected_total", "Refused moves, by reason", &["reason"]),
            db_latency: histogram_vec(
                "db_query_duration_seconds",
                "Database call latency by operation",
                &["op"],
                LATENCY_BUCKETS,
            ),
            bus_in: counter(
                "bus_messages_in_total",
                "Messages received from other nodes, by kind",
                &["kind"],
            ),
            bus_out: counter("bus_messages_out_total", "Messages sent to other nodes, by kind", &["kind"]),
            spaces_owned: gauge("spaces_owned", "Spaces whose lease this node holds"),
            media_links: counter(
                "media_links_total",
                "People who started (connected) or stopped (disconnected) hearing each other",
                &["change"],
            ),
            media_refused: counter(
                "media_refused_total",
                "Requests to join media refused, by reason",
                &["reason"],
            ),
            ws_parked: gauge(
                "ws_parked_memberships",
                "Memberships whose socket dropped, waiting for the client to resume",
            ),
            ws_resumes: counter(
                "ws_resumes_total",
                "Resume attempts, by outcome (replayed, snapshot, adopted, expired, refused)",
                &["outcome"],
            ),
            ws_replayed: plain_counter("ws_replayed_frames_total", "Frames sent again to a resumed socket"),
            ws_replay_kept: gauge(
                "ws_replay_kept_frames",
                "Frames sent to resumable sockets and kept to send again after a drop",
            ),
            media_rebinds: plain_counter(
                "media_slot_rebinds_total",
                "Receive slots bound to another sender (or to none)",
            ),
            forward_latency: {
                let opts = HistogramOpts::new(
                    "forward_latency_seconds",
                    "Round trip of a request forwarded to another node (joins, chat audiences)",
                )
                .buckets(LATENCY_BUCKETS.to_vec());
                let metric = Histogram::with_opts(opts).expect("valid metric");
                registry.register(Box::new(metric.clone())).expect("registered once");
                metric
            },
            registry,
        }
    }

    /// The text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer).expect("text encoding cannot fail");
        String::from_utf8(buffer).expect("the text format is UTF-8")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
