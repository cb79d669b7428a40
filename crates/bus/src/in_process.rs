//! Nodes in one process, linked through a [`LinkHub`]: what Redis does between processes
//! (a channel per node, a broadcast, leases with a time to live), plus the failures a test
//! needs to cause: the whole link going away (and coming back without its leases, like a
//! Redis restart) and one node being cut off (like a node that died).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::link::{Inbound, LinkError, NodeLink, Uptime};

/// Messages for one node may queue this deep; beyond it they are dropped, as a pub/sub
/// server drops them for a subscriber that cannot keep up.
const INBOX: usize = 8192;

#[derive(Clone, Default)]
pub struct LinkHub {
    state: Arc<Mutex<Hub>>,
}

#[derive(Default)]
struct Hub {
    inboxes: HashMap<String, mpsc::Sender<Inbound>>,
    /// Nodes cut off from the link, as if they had died.
    severed: Vec<String>,
    leases: HashMap<String, (String, Instant)>,
    down: bool,
    /// Tells each link whether it is up, and since when.
    up: HashMap<String, watch::Sender<Option<Instant>>>,
}

impl LinkHub {
    pub fn new() -> Self {
        Self::default()
    }

    /// A link for `node`; what is sent to it arrives on the receiver.
    pub fn join(&self, node: &str) -> (InProcessLink, mpsc::Receiver<Inbound>) {
        let (inbox, inbound) = mpsc::channel(INBOX);
        let mut hub = self.lock();
        let (up, uptime) = Uptime::new(!hub.down);
        hub.inboxes.insert(node.to_owned(), inbox);
        hub.up.insert(node.to_owned(), up);
        (InProcessLink { node: node.to_owned(), hub: self.clone(), uptime }, inbound)
    }

    /// Takes the whole link down (every call fails, nothing is delivered) or brings it back.
    /// Coming back, it holds no leases: like a Redis restart that kept nothing.
    pub fn set_down(&self, down: bool) {
        let mut hub = self.lock();
        hub.down = down;
        if !down {
            hub.leases.clear();
        }
        let severed = hub.severed.clone();
        for (node, up) in &hub.up {
            let live = !down && !severed.contains(node);
            up.send_replace(live.then(Instant::now));
        }
    }

    /// Cuts one node off for good: it hears nothing, and its calls fail, so its leases run
    /// out and the others take its spaces over.
    pub fn sever(&self, node: &str) {
        let mut hub = self.lock();
        hub.severed.push(node.to_owned());
        hub.inboxes.remove(node);
        if let Some(up) = hub.up.get(node) {
            up.send_replace(None);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Hub> {
        // std Mutex: every operation is a few map updates, never an await.
        self.state.lock().expect("link hub poisoned")
    }
}

impl Hub {
    fn reachable(&self, from: &str) -> Result<(), LinkError> {
        if self.down {
            return Err(LinkError("the link is down".into()));
        }
        if self.severed.iter().any(|n| n == from) {
            return Err(LinkError(format!("{from} is cut off")));
        }
        Ok(())
    }

    fn holder(&mut self, space: &str) -> Option<String> {
        match self.leases.get(space) {
            Some((_, expires)) if *expires <= Instant::now() => {
                self.leases.remove(space);
                None
            }
            Some((owner, _)) => Some(owner.clone()),
            None => None,
        }
    }

    fn deliver(&self, to: &str, message: Inbound) {
        if let Some(inbox) = self.inboxes.get(to) {
            if inbox.try_send(message).is_err() {
                tracing::warn!(node = to, "in-process link: inbox full or closed; message dropped");
            }
        }
    }
}

pub struct InProcessLink {
    node: String,
    hub: LinkHub,
    uptime: Uptime,
}

#[async_trait]
impl NodeLink for InProcessLink {
    fn node(&self) -> &str {
        &self.node
    }

    fn uptime(&self) -> &Uptime {
        &self.uptime
    }

    async fn send(&self, to: &str, payload: &[u8]) -> Result<(), LinkError> {
        let hub = self.hub.lock();
        hub.reachable(&self.node)?;
        hub.deliver(to, Inbound::Direct(payload.to_vec()));
        Ok(())
    }

    async fn broadcast(&self, payload: &[u8]) -> Result<(), LinkError> {
        let hub = self.hub.lock();
        hub.reachable(&self.node)?;
        for node in hub.inboxes.keys() {
            hub.deliver(node, Inbound::Broadcast(payload.to_vec()));
        }
        Ok(())
    }

    async fn claim(&self, space: &str, ttl: Duration) -> Result<String, LinkError> {
        let mut hub = self.hub.lock();
        hub.reachable(&self.node)?;
        if let Some(owner) = hub.holder(space) {
            return Ok(owner);
        }
        hub.leases.insert(space.to_owned(), (self.node.clone(), Instant::now() + ttl));
        Ok(self.node.clone())
    }

    async fn renew(&self, space: &str, ttl: Duration) -> Result<bool, LinkError> {
        let mut hub = self.hub.lock();
        hub.reachable(&self.node)?;
        if hub.holder(space).as_deref() != Some(self.node.as_str()) {
            return Ok(false);
        }
        hub.leases.insert(space.to_owned(), (self.node.clone(), Instant::now() + ttl));
        Ok(true)
    }

    async fn release(&self, space: &str) -> Result<(), LinkError> {
        let mut hub = self.hub.lock();
        hub.reachable(&self.node)?;
        if hub.holder(space).as_deref() == Some(self.node.as_str()) {
            hub.leases.remove(space);
        }
        Ok(())
    }

    async fn owner(&self, space: &str) -> Result<Option<String>, LinkError> {
        let mut hub = self.hub.lock();
        hub.reachable(&self.node)?;
        Ok(hub.holder(space))
    }
}
