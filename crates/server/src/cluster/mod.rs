//! Several nodes, one set of spaces. Each live space has one owner node (a Redis lease,
//! renewed while the space is live); its room is the single authority for the space's rules
//! and the order of its events. Other nodes forward their members' intents to the owner and
//! hand the owner's frames to their local sockets: the owner serialises each frame once and
//! sends it once per node that has recipients. See docs/ARCHITECTURE.md.

mod bus;
mod messages;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use gather_bus::{Inbound, NodeLink};
use gather_core::{Event, Outgoing, Position, SpaceId, UserId};
use gather_protocol::ServerFrame;
use tokio::sync::{mpsc, oneshot};

pub use bus::ClusterBus;
pub use messages::{Answer, Intent, JoinRefusal, MemberRef, Message};

use crate::metrics::Metrics;
use crate::rooms::{CloseReason, FrameKind, Outbox, Undelivered};

/// How long a space's lease lives without renewal; the owner renews three times per period.
pub const LEASE_TTL: Duration = Duration::from_secs(3);
/// How long a node waits for another node's answer.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);
/// Messages waiting to be published; beyond this a node is too far behind Redis, and new
/// messages are dropped (and logged) rather than growing without bound.
const OUTGOING: usize = 65_536;

enum Target {
    Node(String),
    Broadcast,
}

pub struct Cluster {
    link: Arc<dyn NodeLink>,
    metrics: Arc<Metrics>,
    outgoing: mpsc::Sender<(Target, Vec<u8>)>,
    /// Spaces with sockets on this node that are owned by a node (possibly this one)
    /// reached through Redis.
    spaces: Mutex<HashMap<SpaceId, RemoteSpace>>,
    pending: Mutex<HashMap<u64, oneshot::Sender<Answer>>>,
    next_request: AtomicU64,
}

impl Cluster {
    /// This node's side of the cluster over `link`; what other nodes send arrives on the
    /// link's own receiver, for [`crate::app`] to dispatch.
    pub fn new(link: Arc<dyn NodeLink>, metrics: Arc<Metrics>) -> Arc<Self> {
        let (outgoing, queue) = mpsc::channel(OUTGOING);
        tokio::spawn(publish(link.clone(), queue));
        Arc::new(Self {
            link,
            metrics,
            outgoing,
            spaces: Mutex::default(),
            pending: Mutex::default(),
            next_request: AtomicU64::new(1),
        })
    }

    pub fn node(&self) -> &str {
        self.link.node()
    }

    pub fn link(&self) -> &dyn NodeLink {
        &*self.link
    }

    /// Queues a message for another node. Messages to one node are published in the order
    /// they were queued.
    pub fn send(&self, to: &str, message: &Message) {
        self.enqueue(Target::Node(to.to_owned()), message);
    }

    pub fn broadcast(&self, message: &Message) {
        self.enqueue(Target::Broadcast, message);
    }

    fn enqueue(&self, target: Target, message: &Message) {
        self.metrics.bus_out.with_label_values(&[message.kind()]).inc();
        let payload = serde_json::to_vec(message).expect("cluster messages serialise");
        if self.outgoing.try_send((target, payload)).is_err() {
            tracing::error!("cluster outgoing queue is full; dropping a message");
        }
    }

    /// Sends a request and waits for its answer; None on timeout.
    pub async fn request(&self, to: &str, build: impl FnOnce(u64) -> Message) -> Option<Answer> {
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
        self.send(to, &Message::Reply { request, answer });
    }

    /// Records a socket on this node in a space run by `owner`; true when it is the first
    /// one here (the caller then starts watching the space's owner).
    pub fn register_member(&self, space: SpaceId, owner: &str, member: MemberRef, outbox: Outbox) -> bool {
        let mut spaces = self.spaces.lock().expect("spaces poisoned");
        let first = !spaces.contains_key(&space);
        let entry = spaces.entry(space).or_insert_with(|| RemoteSpace::new(owner));
        entry.members.insert(member, outbox);
        first
    }

    pub fn unregister_member(&self, space: SpaceId, member: MemberRef) {
        let mut spaces = self.spaces.lock().expect("spaces poisoned");
        if let Some(entry) = spaces.get_mut(&space) {
            entry.members.remove(&member);
            if entry.members.is_empty() {
                spaces.remove(&space);
            }
        }
    }

    /// The node that runs `space` for the members here, if any are here.
    pub fn owner_of(&self, space: SpaceId) -> Option<String> {
        self.spaces.lock().expect("spaces poisoned").get(&space).map(|s| s.owner.clone())
    }

    /// After a takeover: the new owner, and the members here with where each was last seen.
    pub fn moved(&self, space: SpaceId, owner: &str) -> Vec<(MemberRef, Option<Position>)> {
        let mut spaces = self.spaces.lock().expect("spaces poisoned");
        let Some(entry) = spaces.get_mut(&space) else { return Vec::new() };
        entry.owner = owner.to_owned();
        entry.members.keys().map(|member| (*member, entry.shadow.get(&member.0).copied())).collect()
    }

    /// Everyone this node last saw in `space` and where: what a new owner rebuilds from.
    pub fn shadow_of(&self, space: SpaceId) -> HashMap<UserId, Position> {
        self.spaces.lock().expect("spaces poisoned").get(&space).map(|s| s.shadow.clone()).unwrap_or_default()
    }

    /// Handles what another node sent to this one (all but owner intents).
    pub fn receive(&self, message: Message) {
        match message {
            Message::Event { space, out } => self.on_event(space, out),
            Message::Frames { space, members, frame } => {
                let frame = Bytes::from(frame);
                let outboxes = self.outboxes(space, &members);
                for outbox in outboxes {
                    if outbox.try_send(frame.clone(), FrameKind::Other) == Err(Undelivered::Full) {
                        // The socket ends, and its membership tells the owner it left.
                        outbox.close(CloseReason::TOO_SLOW);
                    }
                }
            }
            Message::Close { space, members, code } => {
                for outbox in self.outboxes(space, &members) {
                    outbox.close(CloseReason::from_code(code));
                }
            }
            Message::Reply { request, answer } => {
                if let Some(waiting) = self.pending.lock().expect("pending poisoned").remove(&request) {
                    let _ = waiting.send(answer);
                }
            }
            Message::ToOwner { .. } | Message::Revoked(_) => {}
        }
    }

    fn on_event(&self, space: SpaceId, out: Outgoing) {
        let recipients: Vec<Outbox> = {
            let mut spaces = self.spaces.lock().expect("spaces poisoned");
            let Some(entry) = spaces.get_mut(&space) else { return };
            entry.track(&out.event);
            entry
                .members
                .iter()
                .filter(|((user, _), _)| out.audience.includes(*user))
                .map(|(_, o)| o.clone())
                .collect()
        };
        if recipients.is_empty() {
            return;
        }
        let frame = Bytes::from(ServerFrame::from(&out.event).to_json());
        let kind = FrameKind::from(&out.event);
        for outbox in recipients {
            if outbox.try_send(frame.clone(), kind) == Err(Undelivered::Full) {
                outbox.close(CloseReason::TOO_SLOW);
            }
        }
    }

    fn outboxes(&self, space: SpaceId, members: &[MemberRef]) -> Vec<Outbox> {
        let spaces = self.spaces.lock().expect("spaces poisoned");
        let Some(entry) = spaces.get(&space) else { return Vec::new() };
        members.iter().filter_map(|member| entry.members.get(member).cloned()).collect()
    }
}

/// A space as a node with members in it sees it.
struct RemoteSpace {
    owner: String,
    members: HashMap<MemberRef, Outbox>,
    /// Who stands where, from the owner's events.
    shadow: HashMap<UserId, Position>,
}

impl RemoteSpace {
    fn new(owner: &str) -> Self {
        Self { owner: owner.to_owned(), members: HashMap::new(), shadow: HashMap::new() }
    }

    fn track(&mut self, event: &Event) {
        match event {
            Event::Entered { user, spawn, others } => {
                self.shadow = others.iter().copied().collect();
                self.shadow.insert(*user, *spawn);
            }
            Event::Joined { user, at } => drop(self.shadow.insert(*user, *at)),
            Event::Moved { user, to } => drop(self.shadow.insert(*user, *to)),
            Event::MoveRejected { user, at, .. } => drop(self.shadow.insert(*user, *at)),
            Event::Left { user } => drop(self.shadow.remove(user)),
            // Views change, positions do not.
            Event::Appeared { .. } | Event::Disappeared { .. } => {}
        }
    }
}

/// Publishes queued messages one at a time, so each node receives them in order.
async fn publish(link: Arc<dyn NodeLink>, mut queue: mpsc::Receiver<(Target, Vec<u8>)>) {
    while let Some((target, payload)) = queue.recv().await {
        let sent = match &target {
            Target::Node(node) => link.send(node, &payload).await,
            Target::Broadcast => link.broadcast(&payload).await,
        };
        match sent {
            Ok(()) => tracing::trace!("sent to the node link"),
            Err(e) => tracing::warn!(error = %e, "could not send over the node link; message lost"),
        }
    }
}

/// Decodes what arrives over the node link.
pub fn decode(inbound: &Inbound, metrics: &Metrics) -> Option<Message> {
    let bytes = match inbound {
        Inbound::Direct(bytes) | Inbound::Broadcast(bytes) => bytes,
    };
    match serde_json::from_slice::<Message>(bytes) {
        Ok(message) => {
            metrics.bus_in.with_label_values(&[message.kind()]).inc();
            Some(message)
        }
        Err(e) => {
            tracing::warn!(error = %e, "ignoring an unreadable cluster message");
            None
        }
    }
}
