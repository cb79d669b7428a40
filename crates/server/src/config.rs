//! Settings: every flag also reads a `GATHER_*` variable. Tests build a [`Config`] in code
//! with [`Config::new`] and never touch the environment; in code, media starts off.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

pub use crate::media::MediaConfig;

const DEFAULT_ADDR: &str = "127.0.0.1:3000";
const DEFAULT_TOKEN_TTL_SECS: u64 = 7 * 24 * 60 * 60;
/// Room for a media answer: a browser's SDP for some 26 receive slots runs to about 20 KiB.
const DEFAULT_WS_MAX_FRAME_BYTES: usize = 64 * 1024;
const DEFAULT_WS_IDLE_TIMEOUT_SECS: u64 = 60;
const DEFAULT_CHAT_NEARBY_RADIUS: u32 = 5;
const DEFAULT_DB_MAX_CONNECTIONS: u32 = 8;
const DEFAULT_SHUTDOWN_TIMEOUT_SECS: u64 = 10;
const DEFAULT_INTEREST_THRESHOLD: usize = 100;
const DEFAULT_INTEREST_RADIUS: u32 = 12;
const DEFAULT_DB_ACQUIRE_TIMEOUT_SECS: u64 = 5;
const DEFAULT_MAX_SPACES_PER_USER: u32 = 100;
const DEFAULT_MAX_ELEMENTS_PER_SPACE: u32 = 10_000;
const DEFAULT_MAX_SOCKETS_PER_USER: usize = 20;
/// Longer than a proxy keeps an idle upstream connection (deploy/nginx: 20 s), so the proxy
/// never reuses one Gather has just closed.
const DEFAULT_HTTP_IDLE_TIMEOUT_SECS: u64 = 30;
/// Long enough to gather a few frames per write at a hundred frames a second per socket;
/// short next to what a saturated server's queues would add (see docs/PERFORMANCE.md).
const DEFAULT_WS_LINGER_MS: u64 = 30;
/// Room for a phone photo; the image's own pixel limits are checked after.
const DEFAULT_ASSET_MAX_BYTES: usize = 5 * 1024 * 1024;
const DEFAULT_ASSET_QUOTA_BYTES: u64 = 50 * 1024 * 1024;
/// An upload nothing refers to yet is kept this long, for the form that is about to use it.
const DEFAULT_ASSET_SWEEP_GRACE_SECS: u64 = 24 * 60 * 60;
const DEFAULT_ASSET_SWEEP_INTERVAL_SECS: u64 = 60 * 60;
const DEFAULT_MAX_AVATARS_PER_USER: u32 = 20;
/// Longer than a laptop takes to rejoin Wi-Fi, short enough that a person who really left is
/// soon seen to.
const DEFAULT_WS_RESUME_GRACE_SECS: u64 = 15;
/// Frames lost in flight when a socket drops are those in the kernel's buffers and on the
/// wire: a few hundred at most in a busy space.
const DEFAULT_WS_REPLAY_FRAMES: usize = 512;

/// Who may create an admin account through `POST /signup`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AdminSignup {
    /// Anyone: for public test suites that sign up admins freely. Never in production.
    Open,
    /// The very first account may be an admin; after that, only with an admin's token.
    First,
    /// Only with an admin's token.
    Closed,
}

#[derive(Debug, Clone, Parser)]
#[command(name = "gather", version, about = "A self-hostable server for real-time virtual spaces")]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// With no subcommand, `gather` serves with these settings.
    #[command(flatten)]
    pub serve: Config,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve(Config),
    /// Apply database migrations and exit.
    Migrate(Config),
    /// Manage admins.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Print the effective settings and check the data dir, secret and database; change nothing.
    CheckConfig(Config),
}

#[derive(Debug, Clone, Subcommand)]
pub enum AdminCommand {
    /// Create an admin (password read from stdin) or promote an existing user.
    Create {
        #[arg(long)]
        username: String,
        #[command(flatten)]
        config: Config,
    },
}

impl Cli {
    /// The command to run; plain `gather` serves.
    pub fn command(self) -> Command {
        self.command.unwrap_or(Command::Serve(self.serve))
    }

    #[cfg(test)]
    fn into_config(self) -> Config {
        match self.command() {
            Command::Serve(config) | Command::Migrate(config) | Command::CheckConfig(config) => config,
            Command::Admin(AdminCommand::Create { config, .. }) => config,
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Address for HTTP and WebSocket.
    #[arg(long, env = "GATHER_ADDR", default_value = DEFAULT_ADDR)]
    pub addr: SocketAddr,

    /// Directory for the embedded database and the generated signing key.
    #[arg(long, env = "GATHER_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Database URL: `sqlite://<path>` or `postgres://…`; defaults to `sqlite://<data-dir>/gather.db`.
    #[arg(long, env = "GATHER_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Most database connections in the pool.
    #[arg(long, env = "GATHER_DB_MAX_CONNECTIONS", default_value_t = DEFAULT_DB_MAX_CONNECTIONS)]
    pub db_max_connections: u32,

    /// How long a request waits for a database connection before answering 503, in seconds.
    #[arg(long, env = "GATHER_DB_ACQUIRE_TIMEOUT_SECS", default_value_t = DEFAULT_DB_ACQUIRE_TIMEOUT_SECS)]
    pub db_acquire_timeout_secs: u64,

    /// Who may sign up as an admin.
    #[arg(long, env = "GATHER_ADMIN_SIGNUP", value_enum, default_value_t = AdminSignup::First)]
    pub admin_signup: AdminSignup,

    /// Token signing secret (at least 32 bytes). Unset: a random one kept in the data dir.
    #[arg(long, env = "GATHER_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// How long a sign-in token stays valid, in seconds.
    #[arg(long, env = "GATHER_TOKEN_TTL_SECS", default_value_t = DEFAULT_TOKEN_TTL_SECS)]
    pub token_ttl_secs: u64,

    /// Largest WebSocket text frame accepted; larger ones get an error and a close.
    #[arg(long, env = "GATHER_WS_MAX_FRAME_BYTES", default_value_t = DEFAULT_WS_MAX_FRAME_BYTES)]
    pub ws_max_frame_bytes: usize,

    /// On SIGTERM/SIGINT, how long in-flight requests may take before the server exits anyway, in seconds.
    #[arg(long, env = "GATHER_SHUTDOWN_TIMEOUT_SECS", default_value_t = DEFAULT_SHUTDOWN_TIMEOUT_SECS)]
    pub shutdown_timeout_secs: u64,

    /// Radius, in tiles, within which `nearby` chat is heard.
    #[arg(long, env = "GATHER_CHAT_NEARBY_RADIUS", default_value_t = DEFAULT_CHAT_NEARBY_RADIUS)]
    pub chat_nearby_radius: u32,

    /// Above this many people in a space, each sees only those within the interest radius.
    #[arg(long, env = "GATHER_INTEREST_THRESHOLD", default_value_t = DEFAULT_INTEREST_THRESHOLD)]
    pub interest_threshold: usize,

    /// In a crowded space, how far (in tiles, along each axis) people see each other move.
    #[arg(long, env = "GATHER_INTEREST_RADIUS", default_value_t = DEFAULT_INTEREST_RADIUS)]
    pub interest_radius: u32,

    /// Behind a reverse proxy: take the client address from its X-Real-IP header. Only set
    /// this when every request comes through a proxy that sets that header.
    #[arg(long, env = "GATHER_TRUST_PROXY")]
    pub trust_proxy: bool,

    /// Redis URL: turns on cluster mode, where several nodes share the same spaces.
    #[arg(long, env = "GATHER_REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,

    /// This node's id in a cluster; random when unset.
    #[arg(long, env = "GATHER_NODE_ID")]
    pub node_id: Option<String>,

    /// Do not seed demo avatars, furniture and map into an empty database.
    #[arg(long, env = "GATHER_NO_DEMO")]
    pub no_demo: bool,

    /// While the server's CPU is saturated, the longest a socket's writer waits to send
    /// several frames in one write, in milliseconds (0: never wait). It waits only as long
    /// as the load needs, up to this.
    #[arg(long, env = "GATHER_WS_LINGER_MS", default_value_t = DEFAULT_WS_LINGER_MS)]
    pub ws_linger_ms: u64,

    /// A socket silent this long (not even answering pings) is dropped, in seconds.
    #[arg(long, env = "GATHER_WS_IDLE_TIMEOUT_SECS", default_value_t = DEFAULT_WS_IDLE_TIMEOUT_SECS)]
    pub ws_idle_timeout_secs: u64,

    /// An HTTP connection must send a request's headers within this long, whether it is new
    /// or idle between requests; then it is closed, in seconds.
    #[arg(long, env = "GATHER_HTTP_IDLE_TIMEOUT_SECS", default_value_t = DEFAULT_HTTP_IDLE_TIMEOUT_SECS)]
    pub http_idle_timeout_secs: u64,

    /// Most open connections (HTTP and WebSocket); 0: as many as the open-file limit allows.
    #[arg(long, env = "GATHER_MAX_CONNECTIONS", default_value_t = 0)]
    pub max_connections: usize,

    /// Most spaces one account may own.
    #[arg(long, env = "GATHER_MAX_SPACES_PER_USER", default_value_t = DEFAULT_MAX_SPACES_PER_USER)]
    pub max_spaces_per_user: u32,

    /// Most pieces of furniture in one space (and in one map).
    #[arg(long, env = "GATHER_MAX_ELEMENTS_PER_SPACE", default_value_t = DEFAULT_MAX_ELEMENTS_PER_SPACE)]
    pub max_elements_per_space: u32,

    /// Most WebSocket connections one account may have joined to spaces at once.
    #[arg(long, env = "GATHER_MAX_SOCKETS_PER_USER", default_value_t = DEFAULT_MAX_SOCKETS_PER_USER)]
    pub max_sockets_per_user: usize,

    /// Where uploaded images are kept: a directory, or `s3://bucket/prefix` (endpoint,
    /// region and credentials from the `AWS_*` variables); defaults to `<data-dir>/assets`.
    /// A cluster needs S3: every node must see every upload.
    #[arg(long, env = "GATHER_ASSET_STORE")]
    pub asset_store: Option<String>,

    /// Largest upload accepted, in bytes (a map import may be four times this).
    #[arg(long, env = "GATHER_ASSET_MAX_BYTES", default_value_t = DEFAULT_ASSET_MAX_BYTES)]
    pub asset_max_bytes: usize,

    /// Most bytes of stored images one account may have uploaded.
    #[arg(long, env = "GATHER_ASSET_QUOTA_BYTES", default_value_t = DEFAULT_ASSET_QUOTA_BYTES)]
    pub asset_quota_bytes: u64,

    /// An upload nothing refers to is removed once it is this old, in seconds.
    #[arg(long, env = "GATHER_ASSET_SWEEP_GRACE_SECS", default_value_t = DEFAULT_ASSET_SWEEP_GRACE_SECS)]
    pub asset_sweep_grace_secs: u64,

    /// How often unused uploads are looked for, in seconds (0: never; admins can still ask).
    #[arg(long, env = "GATHER_ASSET_SWEEP_INTERVAL_SECS", default_value_t = DEFAULT_ASSET_SWEEP_INTERVAL_SECS)]
    pub asset_sweep_interval_secs: u64,

    /// Most avatars of their own one account may have.
    #[arg(long, env = "GATHER_MAX_AVATARS_PER_USER", default_value_t = DEFAULT_MAX_AVATARS_PER_USER)]
    pub max_avatars_per_user: u32,

    /// How long a membership whose socket dropped waits for the client to `resume` it
    /// before it counts as a leave, in seconds (0: never wait).
    #[arg(long, env = "GATHER_WS_RESUME_GRACE_SECS", default_value_t = DEFAULT_WS_RESUME_GRACE_SECS)]
    pub ws_resume_grace_secs: u64,

    /// How many of the last frames sent to a socket are kept to send again after a resume.
    #[arg(long, env = "GATHER_WS_REPLAY_FRAMES", default_value_t = DEFAULT_WS_REPLAY_FRAMES)]
    pub ws_replay_frames: usize,

    #[command(flatten)]
    pub media: MediaConfig,
}

impl Config {
    /// The defaults, with the data kept in `data_dir`.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            addr: DEFAULT_ADDR.parse().expect("default address parses"),
            data_dir: data_dir.into(),
            database_url: None,
            db_max_connections: DEFAULT_DB_MAX_CONNECTIONS,
            db_acquire_timeout_secs: DEFAULT_DB_ACQUIRE_TIMEOUT_SECS,
            admin_signup: AdminSignup::First,
            jwt_secret: None,
            token_ttl_secs: DEFAULT_TOKEN_TTL_SECS,
            ws_max_frame_bytes: DEFAULT_WS_MAX_FRAME_BYTES,
            ws_idle_timeout_secs: DEFAULT_WS_IDLE_TIMEOUT_SECS,
            http_idle_timeout_secs: DEFAULT_HTTP_IDLE_TIMEOUT_SECS,
            max_connections: 0,
            max_spaces_per_user: DEFAULT_MAX_SPACES_PER_USER,
            max_elements_per_space: DEFAULT_MAX_ELEMENTS_PER_SPACE,
            max_sockets_per_user: DEFAULT_MAX_SOCKETS_PER_USER,
            ws_linger_ms: DEFAULT_WS_LINGER_MS,
            no_demo: false,
            trust_proxy: false,
            interest_threshold: DEFAULT_INTEREST_THRESHOLD,
            interest_radius: DEFAULT_INTEREST_RADIUS,
            redis_url: None,
            node_id: None,
            shutdown_timeout_secs: DEFAULT_SHUTDOWN_TIMEOUT_SECS,
            chat_nearby_radius: DEFAULT_CHAT_NEARBY_RADIUS,
            asset_store: None,
            asset_max_bytes: DEFAULT_ASSET_MAX_BYTES,
            asset_quota_bytes: DEFAULT_ASSET_QUOTA_BYTES,
            asset_sweep_grace_secs: DEFAULT_ASSET_SWEEP_GRACE_SECS,
            asset_sweep_interval_secs: DEFAULT_ASSET_SWEEP_INTERVAL_SECS,
            max_avatars_per_user: DEFAULT_MAX_AVATARS_PER_USER,
            ws_resume_grace_secs: DEFAULT_WS_RESUME_GRACE_SECS,
            ws_replay_frames: DEFAULT_WS_REPLAY_FRAMES,
            media: MediaConfig::off(),
        }
    }

    /// The asset store's address: `s3://…`, or a directory.
    pub fn asset_store(&self) -> String {
        self.asset_store.clone().unwrap_or_else(|| self.data_dir.join("assets").display().to_string())
    }

    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("gather.db").display()))
    }

    pub fn pool_settings(&self) -> gather_store::PoolSettings {
        gather_store::PoolSettings {
            max_connections: self.db_max_connections,
            acquire_timeout: Duration::from_secs(self.db_acquire_timeout_secs.max(1)),
        }
    }

    pub fn ws_linger(&self) -> Duration {
        Duration::from_millis(self.ws_linger_ms)
    }

    pub fn interest(&self) -> gather_core::Interest {
        gather_core::Interest { threshold: self.interest_threshold, radius: self.interest_radius.max(1) }
    }

    pub fn shutdown_timeout(&self) -> Duration {
        Duration::from_secs(self.shutdown_timeout_secs)
    }

    pub fn token_ttl(&self) -> Duration {
        Duration::from_secs(self.token_ttl_secs)
    }

    pub fn http_idle_timeout(&self) -> Duration {
        Duration::from_secs(self.http_idle_timeout_secs.max(1))
    }

    pub fn ws_idle_timeout(&self) -> Duration {
        Duration::from_secs(self.ws_idle_timeout_secs.max(1))
    }

    /// How long a membership whose socket dropped waits for the client to resume it.
    pub fn ws_resume_grace(&self) -> Duration {
        Duration::from_secs(self.ws_resume_grace_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_work_with_and_without_the_serve_subcommand() {
        let plain = Cli::parse_from(["gather", "--addr", "127.0.0.1:9"]).into_config();
        let serve = Cli::parse_from(["gather", "serve", "--addr", "127.0.0.1:9"]).into_config();
        assert_eq!(plain.addr, serve.addr);
        let open = Cli::parse_from(["gather", "serve", "--admin-signup", "open"]).into_config();
        assert_eq!(open.admin_signup, AdminSignup::Open);
        assert!(Cli::parse_from(["gather", "--no-demo"]).into_config().no_demo);
        assert!(!Cli::parse_from(["gather"]).into_config().no_demo);
        let media =
            Cli::parse_from(["gather", "--media-addr", "off", "--media-public-addr", "192.0.2.7:7882"]);
        let media = media.into_config().media;
        assert_eq!(media.addr, Some(crate::media::MediaAddr::Off));
        assert_eq!(media.public_addr, Some("192.0.2.7:7882".parse().unwrap()));
        assert_eq!(Cli::parse_from(["gather"]).into_config().media.addr, None, "on by default");
    }

    #[test]
    fn the_database_defaults_to_a_file_in_the_data_dir() {
        assert_eq!(Config::new("/tmp/g").database_url(), "sqlite:///tmp/g/gather.db");
        assert_eq!(Config::new("/tmp/g").asset_store(), "/tmp/g/assets");
    }
}
