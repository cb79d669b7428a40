//! The media relay's flags (`--media-*`, `--turn-*`).

use std::net::SocketAddr;
use std::str::FromStr;

/// The UDP port the relay takes when `--media-addr` is not given.
pub const DEFAULT_MEDIA_PORT: u16 = 7882;

#[derive(Debug, Clone, clap::Args)]
pub struct MediaConfig {
    /// Where the media relay (voice, video, screen) listens for UDP, or `off`. Default: the
    /// IP address of `--addr`, port 7882 (any free port when `--addr` asks for one with
    /// port 0). Media goes to this port directly, not through a proxy in front of HTTP.
    #[arg(id = "media_addr", long = "media-addr", env = "GATHER_MEDIA_ADDR")]
    pub addr: Option<MediaAddr>,

    /// The address browsers are told to send media to, when it is not the bound one
    /// (behind NAT, or bound to 0.0.0.0).
    #[arg(id = "media_public_addr", long = "media-public-addr", env = "GATHER_MEDIA_PUBLIC_ADDR")]
    pub public_addr: Option<SocketAddr>,

    /// Tiles within which people hear and see each other.
    #[arg(long = "media-radius", env = "GATHER_MEDIA_RADIUS", default_value_t = 5)]
    pub radius: u32,

    /// Most people with voice or video in one space at once.
    #[arg(long = "media-max-per-space", env = "GATHER_MEDIA_MAX_PER_SPACE", default_value_t = 100)]
    pub max_per_space: usize,

    /// Most people with voice or video on this node at once.
    #[arg(long = "media-max-per-node", env = "GATHER_MEDIA_MAX_PER_NODE", default_value_t = 1000)]
    pub max_per_node: usize,

    /// Receive slots for voice per person: the most people one hears at once (nearest).
    #[arg(long = "media-audio-slots", env = "GATHER_MEDIA_AUDIO_SLOTS", default_value_t = 16)]
    pub audio_slots: usize,

    /// Receive slots for cameras per person.
    #[arg(long = "media-camera-slots", env = "GATHER_MEDIA_CAMERA_SLOTS", default_value_t = 9)]
    pub camera_slots: usize,

    /// Receive slots for screen shares per person.
    #[arg(long = "media-screen-slots", env = "GATHER_MEDIA_SCREEN_SLOTS", default_value_t = 1)]
    pub screen_slots: usize,

    /// TURN servers handed to browsers (`turn:host:3478`, comma-separated), for networks
    /// that cannot reach the media port directly. Needs `--turn-secret`.
    #[arg(long = "turn-url", env = "GATHER_TURN_URL", value_delimiter = ',')]
    pub turn_urls: Vec<String>,

    /// The secret shared with the TURN server (coturn's `static-auth-secret`).
    #[arg(long = "turn-secret", env = "GATHER_TURN_SECRET", hide_env_values = true)]
    pub turn_secret: Option<String>,

    /// How long the TURN credentials handed out stay valid.
    #[arg(long = "turn-ttl-secs", env = "GATHER_TURN_TTL_SECS", default_value_t = 6 * 60 * 60)]
    pub turn_ttl_secs: u64,
}

impl MediaConfig {
    /// No media: what `Config::new` starts from, so tests that do not ask
    /// for media do not all contend for one UDP port.
    pub fn off() -> Self {
        Self {
            addr: Some(MediaAddr::Off),
            public_addr: None,
            radius: 5,
            max_per_space: 100,
            max_per_node: 1000,
            audio_slots: 16,
            camera_slots: 9,
            screen_slots: 1,
            turn_urls: Vec::new(),
            turn_secret: None,
            turn_ttl_secs: 6 * 60 * 60,
        }
    }

    /// Media on `addr` (`127.0.0.1:0` in tests).
    pub fn at(addr: SocketAddr) -> Self {
        Self { addr: Some(MediaAddr::At(addr)), ..Self::off() }
    }

    /// Where the relay binds, given where HTTP listens; `None` when media is off.
    pub fn bind(&self, http: SocketAddr) -> Option<SocketAddr> {
        match self.addr {
            None if http.port() == 0 => Some(SocketAddr::new(http.ip(), 0)),
            None => Some(SocketAddr::new(http.ip(), DEFAULT_MEDIA_PORT)),
            Some(MediaAddr::Off) => None,
            Some(MediaAddr::At(addr)) => Some(addr),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaAddr {
    Off,
    At(SocketAddr),
}

impl FromStr for MediaAddr {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("off") {
            return Ok(Self::Off);
        }
        s.parse().map(Self::At).map_err(|e| format!("expected `off` or an address like 0.0.0.0:7882: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relay_follows_the_http_address_unless_told() {
        let http: SocketAddr = "127.0.0.1:3000".parse().unwrap();
        let mut config = MediaConfig::off();
        assert_eq!(config.bind(http), None);
        config.addr = None;
        assert_eq!(config.bind(http), Some("127.0.0.1:7882".parse().unwrap()));
        let any_port: SocketAddr = "127.0.0.1:0".parse().unwrap();
        assert_eq!(config.bind(any_port), Some(any_port));
        config.addr = Some("0.0.0.0:9000".parse().unwrap());
        assert_eq!(config.bind(http), Some("0.0.0.0:9000".parse().unwrap()));
        assert_eq!("OFF".parse::<MediaAddr>(), Ok(MediaAddr::Off));
        assert!("nowhere".parse::<MediaAddr>().is_err());
    }
}
