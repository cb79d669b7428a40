//! The link to the other nodes, and nothing else: a queue that publishes messages in order,
//! requests with their answers, and decoding what arrives. What the messages mean is the
//! business of `rooms` (which space runs where) and of the session gate; this module knows
//! neither. A single node runs on a link of its own, so there is one path for both.
//! See docs/ARCHITECTURE.md.

mod bus;
mod notice;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gather_bus::{Inbound, NodeLink};
use gather_protocol::node::{self, Answer, NodeMessage};
use tokio::sync::{mpsc, oneshot};

pub use bus::ClusterBus;
pub use notice::{notice_from_node, notice_to_node};

use crate::metrics::Metrics;

/// How long a space's lease lives without renewal; the owner renews three times per period.
pub const LEASE_TTL: Duration = Duration::from_secs(3);
/// How long a node waits for another node's answer.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);
/// Messages waiting to be published; beyond this a node is too far behind the link, and
/// new messages are dropped (and logged) rather than growing without bound.
const OUTGOING: usize = 65_536;

enum Target {
    Node(String),
    Broadcast,
}

pub struct Cluster {
    link: Arc<dyn NodeLink>,
    /// False for a single node on a link of its own.
    shared: bool,
    metrics: Arc<Metrics>,
    outgoing: mpsc::Sender<(Target, Arc<[u8]>)>,
    pending: Mutex<HashMap<u64, oneshot::Sender<Answer>>>,
    next_request: AtomicU64,
}

impl Cluster {
    /// This node's side of the link; what other nodes send arrives on the link's own
    /// receiver, for [`crate::app`] to dispatch. `shared` says whether other nodes may
    /// be on it.
    pub fn new(link: Arc<dyn NodeLink>, shared: bool, metrics: Arc<Metrics>) -> Arc<Self> {
        let (outgoing, queue) = mpsc::channel(OUTGOING);
        tokio::spawn(publish(link.clone(), queue));
        Arc::new(Self {
            link,
            shared,
            metrics,
            outgoing,
            pending: Mutex::default(),
            next_request: AtomicU64::new(1),
        })
    }

    /// A single node, on a link of its own: it owns every space it runs, and what it
    /// sends to all nodes (a revoked session) comes back to it alone.
    pub fn solo(metrics: Arc<Metrics>) -> (Arc<Self>, mpsc::Receiver<Inbound>) {
        let (link, inbound) = gather_bus::LinkHub::new().join("solo");
        (Self::new(Arc::new(link), false, metrics), inbound)
    }

    pub fn node(&self) -> &str {
        self.link.node()
    }

    pub fn link(&self) -> &dyn NodeLink {
        &*self.link
    }

    /// Whether other nodes share this node's spaces.
    pub fn is_shared(&self) -> bool {
        self.shared
    }

    /// Queues a message for another node. Messages to one node are published in the order
    /// they were queued.
    pub fn send(&self, to: &str, message: &NodeMessage) {
        self.send_to_each([to], message);
    }

    /// One message for several nodes, encoded once.
    pub fn send_to_each<'a>(&self, nodes: impl IntoIterator<Item = &'a str>, message: &NodeMessage) {
        let mut payload = None;
        for node in nodes {
            let payload = payload.get_or_insert_with(|| self.encode(message)).clone();
            self.enqueue(Target::Node(node.to_owned()), payload);
        }
    }

    pub fn broadcast(&self, message: &NodeMessage) {
        let payload = self.encode(message);
        self.enqueue(Target::Broadcast, payload);
    }

    fn encode(&self, message: &NodeMessage) -> Arc<[u8]> {
        self.metrics.bus_out.with_label_values(&[message.kind()]).inc();
        node::encode(message).into()
    }

    fn enqueue(&self, target: Target, payload: Arc<[u8]>) {
        if self.outgoing.try_send((target, payload)).is_err() {
            tracing::error!("node link outgoing queue is full; dropping a message");
        }
    }

    /// Sends a request and waits for its answer; None on timeout.
    pub async fn request(&self, to: &str, build: impl FnOnce(u64) -> NodeMessage) -> Option<Answer> {
        let started = std::time::Instant::now();
        let id = self.next_request.fetch_add(1, Ordering::Relaxed);
        let (reply, answer) = oneshot::channel();
        self.pending.lock().expect("pending poisoned").insert(id, reply);
        self.send(to, &build(id));
        let answer = tokio::time::timeout(REQUEST_TIMEOUT, answer).await.ok().and_then(Result::ok);
        self.pending.lock().expect("pending poisoned").remove(&id);
        self.metrics.forward_latency.observe(started.elapsed().as_secs_f64());
        answer
    }

    pub fn reply(&self, to: &str, request: u64, answer: Answer) {
        self.send(to, &NodeMessage::Reply { request, answer });
    }

    /// An answer to one of this node's requests arrived.
    pub fn resolve(&self, request: u64, answer: Answer) {
        if let Some(waiting) = self.pending.lock().expect("pending poisoned").remove(&request) {
            let _ = waiting.send(answer);
        }
    }

    /// Decodes what arrives over the link; None (logged) for what cannot be read.
    pub fn decode(&self, inbound: &Inbound) -> Option<NodeMessage> {
        let bytes = match inbound {
            Inbound::Direct(bytes) | Inbound::Broadcast(bytes) => bytes,
        };
        match node::decode(bytes) {
            Ok(message) => {
                self.metrics.bus_in.with_label_values(&[message.kind()]).inc();
                Some(message)
            }
            Err(e) => {
                tracing::warn!(error = %e, "ignoring a node message");
                None
            }
        }
    }
}

/// Publishes queued messages one at a time, so each node receives them in order.
async fn publish(link: Arc<dyn NodeLink>, mut queue: mpsc::Receiver<(Target, Arc<[u8]>)>) {
    while let Some((target, payload)) = queue.recv().await {
        let sent = match &target {
            Target::Node(node) => link.send(node, &payload).await,
            Target::Broadcast => link.broadcast(&payload).await,
        };
        if let Err(e) = sent {
            tracing::warn!(error = %e, "could not send over the node link; message lost");
        }
    }
}
