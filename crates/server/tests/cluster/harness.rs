//! Clusters to run the cases on: nodes in this process on an in-process link, or real
//! `gather` processes on Redis and PostgreSQL. Cases see nodes only by address, and cause
//! failures only through [`Cluster`].

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use gather_assets::testing::Moto;
use gather_bus::{LinkHub, NodeLink};
use gather_server::{AdminSignup, Config, Parts, RunningApp};
use gather_store::{PoolSettings, SqlStore};
use sqlx::Connection;

use crate::process::{first_line_with, spawn_gather};

/// Every node signs tokens with the same secret, so a token from one works on all.
const SECRET: &str = "a-cluster-wide-signing-secret-of-enough-length";
const BUCKET: &str = "gather-cluster";
/// How long a dropped socket may resume, and so how long a new owner holds the people of a
/// dead one for them: shorter than the default, for the cases that wait it out.
pub const RESUME_GRACE_SECS: u64 = 5;

pub trait Cluster {
    fn addr(&self, node: usize) -> &str;
    /// The node dies without a word: no goodbye to other nodes, its leases left to run out.
    async fn kill(&mut self, node: usize);
    /// The link between all nodes goes away; it comes back with no leases.
    async fn link_down(&mut self);
    async fn link_up(&mut self);
    async fn finish(self);
}

/// Nodes in this process: one SQLite store and one [`LinkHub`] shared by all.
pub struct InProcess {
    hub: LinkHub,
    store: SqlStore,
    nodes: Vec<(String, String, Option<RunningApp>)>,
    _dir: tempfile::TempDir,
}

impl InProcess {
    pub async fn start(count: usize) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("shared.db").display());
        let store = SqlStore::connect(&url, PoolSettings::default()).await.unwrap();
        let hub = LinkHub::new();
        let mut nodes = Vec::new();
        for i in 0..count {
            let name = format!("node-{i}");
            let mut config = Config::new(dir.path().join(&name));
            config.addr = "127.0.0.1:0".parse().unwrap();
            config.admin_signup = AdminSignup::Open;
            config.no_demo = true;
            config.jwt_secret = Some(SECRET.to_owned());
            config.node_id = Some(name.clone());
            config.shutdown_timeout_secs = 1;
            config.ws_resume_grace_secs = RESUME_GRACE_SECS;
            // One directory for all, as one bucket is for processes.
            config.asset_store = Some(dir.path().join("assets").display().to_string());
            config.media = gather_server::config::MediaConfig::at("127.0.0.1:0".parse().unwrap());
            let (link, inbound) = hub.join(&name);
            let parts = Parts {
                store: Some(store.clone()),
                link: Some((Arc::new(link) as Arc<dyn NodeLink>, inbound)),
                ..Parts::default()
            };
            let app = RunningApp::start_with(config, parts).await.expect("node starts");
            nodes.push((name, app.addr.to_string(), Some(app)));
        }
        Self { hub, store, nodes, _dir: dir }
    }
}

impl Cluster for InProcess {
    fn addr(&self, node: usize) -> &str {
        &self.nodes[node].1
    }

    async fn kill(&mut self, node: usize) {
        // Cut off from the others, its sockets are as good as gone; the case drops them.
        self.hub.sever(&self.nodes[node].0);
    }

    async fn link_down(&mut self) {
        self.hub.set_down(true);
    }

    async fn link_up(&mut self) {
        self.hub.set_down(false);
    }

    async fn finish(mut self) {
        for (_, _, app) in &mut self.nodes {
            if let Some(app) = app.take() {
                let _ = app.stop().await;
            }
        }
        self.store.close().await;
    }
}

/// Real `gather` processes on one PostgreSQL schema and a Redis of their own (so that
/// stopping it disturbs no other test).
pub struct Processes {
    nodes: Vec<(Option<Child>, String)>,
    redis: PrivateRedis,
    /// The S3 store every node keeps uploads in, as a cluster must.
    _moto: Moto,
    admin_url: String,
    schema: String,
}

impl Processes {
    /// Whether PostgreSQL and Redis are there to test against; without them in CI
    /// (`GATHER_REQUIRE_SERVICES`), that is a failure.
    pub fn available() -> bool {
        let there = std::env::var_os("GATHER_TEST_DATABASE_URL").is_some()
            && std::env::var_os("GATHER_TEST_REDIS_URL").is_some()
            && Moto::installed();
        if !there {
            assert!(
                std::env::var_os("GATHER_REQUIRE_SERVICES").is_none(),
                "GATHER_REQUIRE_SERVICES is set but GATHER_TEST_DATABASE_URL or GATHER_TEST_REDIS_URL is not, \
                 or moto_server is not installed"
            );
            eprintln!(
                "skipping: set GATHER_TEST_DATABASE_URL and GATHER_TEST_REDIS_URL, and install moto \
                 (pip install 'moto[s3]' flask flask-cors), to test clusters of processes"
            );
        }
        there
    }

    pub async fn start(count: usize) -> Self {
        let server = std::env::var("GATHER_TEST_DATABASE_URL").expect("checked by available()");
        sqlx::any::install_default_drivers();
        let schema = format!("gather_cluster_{}", gather_core::UserId::new().to_string().replace('-', ""));
        let mut admin = sqlx::AnyConnection::connect(&server).await.unwrap();
        sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&mut admin).await.unwrap();
        let separator = if server.contains('?') { '&' } else { '?' };
        let database = format!("{server}{separator}options=-c%20search_path%3D{schema}");
        let redis = PrivateRedis::start(free_port());
        let moto = Moto::start().expect("checked by available()");
        moto.create_bucket(BUCKET);
        let nodes = (0..count)
            .map(|i| {
                let (child, addr) = start_node(&database, &redis.url(), &moto, &format!("node-{i}"));
                (Some(child), addr)
            })
            .collect();
        Self { nodes, redis, _moto: moto, admin_url: server, schema }
    }
}

impl Cluster for Processes {
    fn addr(&self, node: usize) -> &str {
        &self.nodes[node].1
    }

    async fn kill(&mut self, node: usize) {
        if let Some(mut child) = self.nodes[node].0.take() {
            child.kill().unwrap(); // SIGKILL: no goodbye.
            child.wait().unwrap();
        }
    }

    async fn link_down(&mut self) {
        self.redis.kill();
    }

    async fn link_up(&mut self) {
        self.redis = PrivateRedis::start(self.redis.port);
    }

    async fn finish(mut self) {
        for (child, _) in &mut self.nodes {
            if let Some(mut child) = child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        let mut admin = sqlx::AnyConnection::connect(&self.admin_url).await.unwrap();
        sqlx::query(&format!("DROP SCHEMA {} CASCADE", self.schema)).execute(&mut admin).await.unwrap();
    }
}

fn start_node(database: &str, redis: &str, moto: &Moto, name: &str) -> (Child, String) {
    let dir = std::env::temp_dir().join(format!("gather-{name}-{}", gather_core::UserId::new()));
    let mut command = Command::new(env!("CARGO_BIN_EXE_gather"));
    command
        .args(["serve", "--addr", "127.0.0.1:0", "--no-demo", "--admin-signup", "open"])
        .env("GATHER_DATA_DIR", &dir)
        .env("GATHER_DATABASE_URL", database)
        .env("GATHER_REDIS_URL", redis)
        .env("GATHER_NODE_ID", format!("{name}-{}", gather_core::UserId::new()))
        .env("GATHER_JWT_SECRET", SECRET)
        .env("GATHER_WS_RESUME_GRACE_SECS", RESUME_GRACE_SECS.to_string())
        .env("GATHER_ASSET_STORE", format!("s3://{BUCKET}/cluster"))
        .envs(moto.env())
        .env("RUST_LOG", "warn,gather=info");
    spawn_gather(command)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct PrivateRedis {
    child: Option<Child>,
    port: u16,
}

impl PrivateRedis {
    fn start(port: u16) -> Self {
        let mut child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server runs");
        let stdout = child.stdout.take().expect("piped stdout");
        let ready = first_line_with(stdout, None, "Ready to accept connections", Duration::from_secs(10));
        assert!(ready.is_some(), "redis-server did not start");
        Self { child: Some(child), port }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}
