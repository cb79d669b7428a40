//! The link between nodes, as a port: messages to one node or to all, and the leases that
//! say which node owns a live space. Two implementations: [`crate::RedisLink`] between
//! processes (the `redis` feature) and [`crate::LinkHub`] between nodes in one process,
//! which lets tests run a whole cluster with no services.

use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::watch;
use tokio::time::Instant;

/// What arrives for this node: sent to it, or broadcast to all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    Direct(Vec<u8>),
    Broadcast(Vec<u8>),
}

/// The link failed this call; the caller may retry later.
#[derive(Debug, thiserror::Error)]
#[error("node link: {0}")]
pub struct LinkError(pub String);

/// Whether a link is up, and since when; the sender side is kept by whatever watches the
/// connection (a subscription, a hub).
#[derive(Clone)]
pub struct Uptime(watch::Receiver<Option<Instant>>);

impl Uptime {
    /// Starts down, or up since now.
    pub fn new(up: bool) -> (watch::Sender<Option<Instant>>, Self) {
        let (sender, receiver) = watch::channel(up.then(Instant::now));
        (sender, Self(receiver))
    }
}

#[async_trait]
pub trait NodeLink: Send + Sync + 'static {
    /// This node's id.
    fn node(&self) -> &str;

    fn uptime(&self) -> &Uptime;

    /// Whether messages reach this node right now.
    fn connected(&self) -> bool {
        self.uptime().0.borrow().is_some()
    }

    /// How long the link has been up (since it last came back), if it is.
    fn connected_for(&self) -> Option<Duration> {
        self.uptime().0.borrow().map(|since| since.elapsed())
    }

    /// Waits until the link is up (messages sent from now on will arrive).
    async fn wait_connected(&self) {
        let mut up = self.uptime().0.clone();
        let _ = up.wait_for(|up| up.is_some()).await;
    }

    async fn send(&self, to: &str, payload: &[u8]) -> Result<(), LinkError>;

    /// To every node, this one included.
    async fn broadcast(&self, payload: &[u8]) -> Result<(), LinkError>;

    /// Takes the lease of `space` if nobody holds it; returns the holder either way.
    async fn claim(&self, space: &str, ttl: Duration) -> Result<String, LinkError>;

    /// Extends our lease; false when it is no longer ours.
    async fn renew(&self, space: &str, ttl: Duration) -> Result<bool, LinkError>;

    /// Gives the lease up, if it is still ours.
    async fn release(&self, space: &str) -> Result<(), LinkError>;

    async fn owner(&self, space: &str) -> Result<Option<String>, LinkError>;
}
