//! Startup: open the store, build the state and the router, bind, and serve until told to
//! stop. Tests and `main` both start Gather through [`App`].

use std::future::Future;
use std::net::SocketAddr;
use std::os::unix::fs::DirBuilderExt;
use std::sync::Arc;

use anyhow::{bail, Context};
use axum::Router;
use gather_assets::AssetStorage;
use gather_bus::{Bus, Inbound, LocalBus, NodeLink, RedisLink};
use gather_protocol::node::NodeMessage;
use gather_store::{SqlStore, Store};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::assets::Assets;
use crate::auth::{load_or_create_secret, Grants, Passwords, SessionGate, SigninThrottle, Tokens};
use crate::clock::Clock;
use crate::cluster::{Cluster, ClusterBus};
use crate::config::Config;
use crate::media::MediaNode;
use crate::metered_store::MeteredStore;
use crate::metrics::Metrics;
use crate::rooms::{RoomSettings, Rooms};
use crate::saturation::Saturation;
use crate::state::AppState;
use crate::ws::{ChatLimits, JoinedSockets, ParkedMembers};
use crate::{demo, http, web, ws};

/// A bound, ready-to-serve Gather.
pub struct App {
    listener: TcpListener,
    router: Router,
    store: SqlStore,
    /// False when the store was handed in: its owner closes it.
    owns_store: bool,
    shutdown: watch::Sender<bool>,
    deadline: std::time::Duration,
    settings: crate::serve::Settings,
}

/// What a caller may hand to [`App::build_with`] instead of what the configuration
/// describes: tests run several nodes in one process on one store and one [`LinkHub`].
///
/// [`LinkHub`]: gather_bus::LinkHub
#[derive(Default)]
pub struct Parts {
    /// Shared with the caller, who closes it.
    pub store: Option<SqlStore>,
    /// The link to the other nodes, with what arrives on it: cluster mode without Redis.
    pub link: Option<(Arc<dyn NodeLink>, mpsc::Receiver<Inbound>)>,
    /// The clock instead of the system's: a manual one, which the caller advances.
    pub clock: Option<Clock>,
}

impl App {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with(config, Parts::default()).await
    }

    pub async fn build_with(config: Config, parts: Parts) -> anyhow::Result<Self> {
        create_data_dir(&config.data_dir)?;
        let secret = load_or_create_secret(config.jwt_secret.as_deref(), &config.data_dir)?;
        refuse_unshared_storage_in_a_cluster(&config)?;
        let asset_storage = open_asset_storage(&config)?;
        let owns_store = parts.store.is_none();
        let store = match parts.store {
            Some(store) => store,
            None => open_store(&config).await?,
        };
        let metrics = Arc::new(Metrics::new());
        let shared: Arc<dyn Store> = Arc::new(MeteredStore::new(Arc::new(store.clone()), metrics.clone()));
        if !config.no_demo && demo::seed_if_empty(&*shared).await? {
            tracing::info!("seeded the demo avatars, furniture and map");
        }
        let local_notices = Arc::new(LocalBus::new());
        let (cluster, inbound) = match connect_link(&config, parts.link).await? {
            Some((link, inbound)) => {
                link.wait_connected().await;
                tracing::info!(node = link.node(), "cluster mode: sharing spaces with other nodes");
                (Cluster::new(link, true, metrics.clone()), inbound)
            }
            None => Cluster::solo(metrics.clone()),
        };
        let bus: Arc<dyn Bus> = Arc::new(ClusterBus::new(cluster.clone(), local_notices.clone()));
        let clock = parts.clock.unwrap_or_default();
        let (shutdown, shutdown_rx) = watch::channel(false);
        let saturation = Saturation::new(config.ws_linger());
        let gauge = metrics.saturated.clone();
        tokio::spawn(saturation.clone().monitor(shutdown_rx.clone(), move |is| gauge.set(i64::from(is))));
        let media = MediaNode::start(&config.media, config.addr).await?;
        let assets = Assets::new(asset_storage, shared.clone(), &config, clock.clone());
        let state = AppState {
            assets,
            saturation,
            tokens: Arc::new(Tokens::new(&secret, config.token_ttl(), clock.clone())),
            grants: Arc::new(Grants::new(&secret, clock.clone())),
            passwords: Passwords::new()?,
            sessions: Arc::new(SessionGate::new(shared.clone(), cluster.clone(), clock.clone())),
            signin_throttle: Arc::new(SigninThrottle::default()),
            chat_limits: Arc::new(ChatLimits::default()),
            joined_sockets: Arc::new(JoinedSockets::default()),
            parked: ParkedMembers::new(config.ws_resume_grace(), metrics.ws_parked.clone()),
            rooms: Rooms::new(
                shared.clone(),
                local_notices,
                metrics.clone(),
                RoomSettings {
                    nearby_radius: config.chat_nearby_radius,
                    interest: config.interest(),
                    resume_grace: config.ws_resume_grace(),
                },
                cluster.clone(),
                media.clone(),
            ),
            media,
            metrics,
            clock,
            store: shared,
            bus,
            cluster,
            shutdown: shutdown_rx,
            config: Arc::new(config),
        };
        tokio::spawn(dispatch(state.clone(), inbound));
        tokio::spawn(sweep_assets_now_and_then(state.clone()));
        let listener = TcpListener::bind(state.config.addr)
            .await
            .with_context(|| format!("binding {}", state.config.addr))?;
        let deadline = state.config.shutdown_timeout();
        let settings = serve_settings(&state.config);
        Ok(Self { listener, router: router(state), store, owns_store, shutdown, deadline, settings })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Serves until `stop` resolves; then stops accepting, tells every socket
    /// (`server-shutdown`), lets in-flight requests finish within the shutdown deadline,
    /// and closes the database.
    pub async fn run_until(self, stop: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let Self { listener, router, store, owns_store, shutdown, deadline, settings } = self;
        let (stopping, stopped) = oneshot::channel::<()>();
        let signal = async move {
            stop.await;
            tracing::info!("shutting down");
            // Sockets are long-lived; without this, graceful shutdown would wait for them.
            let _ = shutdown.send(true);
            let _ = stopping.send(());
        };
        let serve = crate::serve::serve(listener, router, settings, signal);
        let overdue = async move {
            if stopped.await.is_ok() {
                tokio::time::sleep(deadline).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            () = serve => {}
            () = overdue => tracing::warn!(?deadline, "requests still running at the shutdown deadline; stopping anyway"),
        }
        if owns_store {
            store.close().await;
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// Hands what other nodes send to the rooms, the pending requests and the session gate
/// here. Nothing on this path waits for a room.
async fn dispatch(state: AppState, mut inbound: mpsc::Receiver<Inbound>) {
    while let Some(raw) = inbound.recv().await {
        let Some(message) = state.cluster.decode(&raw) else { continue };
        tracing::trace!(kind = message.kind(), "from another node");
        match state.rooms.receive(message) {
            Some(NodeMessage::Reply { request, answer }) => state.cluster.resolve(request, answer),
            Some(NodeMessage::Revoked { session }) => state.sessions.forget_here(session),
            Some(other) => tracing::warn!(kind = other.kind(), "a node message nobody handles"),
            None => {}
        }
    }
}

async fn open_store(config: &Config) -> anyhow::Result<SqlStore> {
    let url = config.database_url();
    SqlStore::connect(&url, config.pool_settings()).await.context("opening the database")
}

/// Nodes of a cluster must all see the same data, so none may keep it to itself. Checked
/// before anything is opened.
pub(crate) fn refuse_unshared_storage_in_a_cluster(config: &Config) -> anyhow::Result<()> {
    if config.redis_url.is_none() {
        return Ok(());
    }
    if !config.database_url().starts_with("postgres") {
        bail!("cluster mode (GATHER_REDIS_URL) needs PostgreSQL: nodes cannot share an SQLite file safely");
    }
    if !config.asset_store().starts_with("s3://") {
        bail!(
            "cluster mode (GATHER_REDIS_URL) needs an S3 asset store (--asset-store s3://bucket/prefix): \
             nodes cannot see each other's directories"
        );
    }
    Ok(())
}

fn open_asset_storage(config: &Config) -> anyhow::Result<AssetStorage> {
    let address = config.asset_store();
    let storage = if address.starts_with("s3://") {
        AssetStorage::s3(&address)?
    } else {
        AssetStorage::local(std::path::Path::new(&address))?
    };
    tracing::info!("uploaded images are kept in {}", storage.describe());
    Ok(storage)
}

/// Every `asset_sweep_interval_secs`, removes the uploads nothing has used within the
/// grace period. Each node of a cluster sweeps; a sweep that finds nothing costs one query.
async fn sweep_assets_now_and_then(state: AppState) {
    let every = state.config.asset_sweep_interval_secs;
    if every == 0 {
        return;
    }
    let mut shutdown = state.shutdown.clone();
    let mut ticks = tokio::time::interval(std::time::Duration::from_secs(every));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = shutdown.changed() => return,
        }
        match state.assets.sweep().await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "removed unused uploaded images"),
            Err(e) => {
                tracing::warn!(error = %e, "sweeping unused uploaded images failed; trying again later")
            }
        }
    }
}

/// The link handed in, or the Redis link the configuration names, or none (one node).
async fn connect_link(
    config: &Config,
    given: Option<(Arc<dyn NodeLink>, mpsc::Receiver<Inbound>)>,
) -> anyhow::Result<Option<(Arc<dyn NodeLink>, mpsc::Receiver<Inbound>)>> {
    if given.is_some() {
        return Ok(given);
    }
    let Some(redis) = &config.redis_url else { return Ok(None) };
    let node = config.node_id.clone().unwrap_or_else(|| gather_core::UserId::new().to_string());
    let (link, inbound) = RedisLink::connect(redis, &node).await.context("connecting to Redis")?;
    Ok(Some((Arc::new(link), inbound)))
}

/// Raises the open-file limit and sizes the connection cap to it (unless one is set).
fn serve_settings(config: &Config) -> crate::serve::Settings {
    let files = crate::serve::file_limit::raise();
    let max_connections = match config.max_connections {
        0 => files.connections(),
        set => set,
    };
    tracing::info!(
        soft_before = files.soft_before,
        soft = files.soft,
        hard = files.hard,
        max_connections,
        "open-file limit"
    );
    crate::serve::Settings { header_timeout: config.http_idle_timeout(), max_connections }
}

/// Creates the data dir, owner-only: it holds password hashes and the signing secret.
pub fn create_data_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("creating the data dir {}", dir.display()))
}

fn router(state: AppState) -> Router {
    Router::new()
        .nest("/api/v1", http::router())
        .merge(http::ops::router())
        .merge(http::files_router())
        .merge(ws::router())
        .merge(web::router())
        .layer(axum::middleware::from_fn(http::plain_errors::as_json))
        .layer(axum::middleware::from_fn_with_state(state.clone(), http::ops::track))
        .layer(CatchPanicLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A server running in the background, for tests and embedding.
pub struct RunningApp {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl RunningApp {
    pub async fn start(config: Config) -> anyhow::Result<Self> {
        Self::start_with(config, Parts::default()).await
    }

    pub async fn start_with(config: Config, parts: Parts) -> anyhow::Result<Self> {
        let app = App::build_with(config, parts).await?;
        let addr = app.local_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        Ok(Self { addr, stop: Some(stop), task })
    }

    /// Stops gracefully and waits until the database is closed.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await?
    }
}
