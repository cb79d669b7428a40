//! The node's media relay (`gather_media`), started from the configuration, and what the
//! rest of the server needs to know about it: the hearing rules rooms apply, the caps on
//! people in media, and the TURN servers browsers are given.

mod config;
mod turn;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::time::Duration;

use anyhow::{bail, Context};
use gather_core::HearingRules;
use gather_media::{Relay, RelayConfig, SlotCounts};

#[cfg(test)]
pub use config::MediaAddr;
pub use config::MediaConfig;
pub use turn::Turn;

/// What rooms and handlers use of the relay.
#[derive(Clone)]
pub struct MediaNode {
    pub relay: Relay,
    pub rules: HearingRules,
    pub max_per_space: usize,
    /// Receive slots each person gets.
    pub slots: SlotCounts,
    pub turn: Option<Turn>,
}

impl MediaNode {
    /// Starts the relay unless media is off. `http` is where HTTP listens (the default
    /// media address follows it).
    pub async fn start(config: &MediaConfig, http: SocketAddr) -> anyhow::Result<Option<MediaNode>> {
        let turn = match (&config.turn_urls[..], &config.turn_secret) {
            ([], None) => None,
            ([_, ..], Some(secret)) if !secret.is_empty() => {
                Some(Turn::new(config.turn_urls.clone(), secret.clone(), config.turn_ttl_secs.max(60)))
            }
            ([], Some(_)) => bail!("--turn-secret is set but --turn-url is not"),
            _ => bail!("--turn-url needs --turn-secret (coturn's static-auth-secret)"),
        };
        let Some(bind) = config.bind(http) else { return Ok(None) };
        let slots = SlotCounts {
            audio: config.audio_slots,
            camera: config.camera_slots,
            screen: config.screen_slots,
        };
        let public = match config.public_addr {
            Some(public) => public,
            None if bind.ip().is_unspecified() => SocketAddr::new(outbound_ip(), 0),
            None => bind,
        };
        let relay = Relay::start(RelayConfig {
            bind,
            // Port 0 in the public address: the bound port (only known once bound).
            public: Some(public),
            connect_timeout: Duration::from_secs(15),
            max_clients: config.max_per_node.max(1),
            slots,
            ..RelayConfig::default()
        })
        .await
        .with_context(|| format!("binding the media relay to udp {bind} (choose another with --media-addr, or --media-addr off)"))?;
        tracing::info!(bind = %relay.local_addr(), public = %relay.public_addr(), "media relay listening");
        Ok(Some(MediaNode {
            relay,
            rules: HearingRules { radius: config.radius.max(1), hysteresis: 1 },
            max_per_space: config.max_per_space.max(1),
            slots,
            turn,
        }))
    }
}

/// The address this machine sends from to the rest of the network: what browsers on the
/// LAN can reach when the relay is bound to every interface. Loopback when there is no
/// route (a machine without a network).
fn outbound_ip() -> IpAddr {
    let probe = || -> std::io::Result<IpAddr> {
        let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))?;
        // Connecting a UDP socket sends nothing; it only picks the route. TEST-NET-1.
        socket.connect((Ipv4Addr::new(192, 0, 2, 1), 9))?;
        Ok(socket.local_addr()?.ip())
    };
    match probe() {
        Ok(ip) if !ip.is_unspecified() => ip,
        _ => {
            tracing::warn!("no network route found; offering media on 127.0.0.1 (set --media-public-addr)");
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        }
    }
}

impl MediaNode {
    /// The relay's counters in the Prometheus text format, for `/metrics`.
    pub fn render_metrics(&self) -> String {
        let stats = self.relay.stats();
        let metrics: [(&str, &str, &str, u64); 11] = [
            ("gather_media_clients", "gauge", "People joined to media on this node", stats.clients),
            (
                "gather_media_peer_connections",
                "gauge",
                "Media sessions with ICE and DTLS up",
                stats.peer_connections,
            ),
            (
                "gather_media_frames_received_total",
                "counter",
                "Media frames received from senders",
                stats.frames_received,
            ),
            (
                "gather_media_frames_forwarded_total",
                "counter",
                "Media frames forwarded, one per receiver",
                stats.frames_forwarded,
            ),
            (
                "gather_media_bytes_forwarded_total",
                "counter",
                "Media payload bytes forwarded",
                stats.bytes_forwarded,
            ),
            (
                "gather_media_keyframe_requests_total",
                "counter",
                "Keyframe requests sent to senders",
                stats.keyframe_requests,
            ),
            (
                "gather_media_connect_failures_total",
                "counter",
                "Media sessions that did not connect in time (ICE or DTLS)",
                stats.connect_failures,
            ),
            (
                "gather_media_dropped_slow_total",
                "counter",
                "Media sessions dropped because their signalling fell behind",
                stats.dropped_slow,
            ),
            (
                "gather_media_forwarded_tracks",
                "gauge",
                "Receive slots carrying someone's track now",
                stats.bound_slots,
            ),
            (
                "gather_media_datagrams_in_total",
                "counter",
                "UDP datagrams the relay received",
                stats.datagrams_in,
            ),
            (
                "gather_media_datagrams_out_total",
                "counter",
                "UDP datagrams the relay sent",
                stats.datagrams_out,
            ),
        ];
        let mut text = String::new();
        for (name, kind, help, value) in metrics {
            text.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"));
        }
        text
    }
}
