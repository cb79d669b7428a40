//! Live spaces. [`Rooms`] finds or starts the task that runs a space (or, in a cluster, the
//! node that runs it); a [`Membership`] is one connection's place in it. Nothing here knows
//! about HTTP or WebSocket: connections hand in an [`Outbox`] and get encoded frames in it.
//!
//! Every request of a member is a node-protocol [`RoomCommand`], whether the socket is on
//! the owner's node (it goes into the room's inbox) or on another (over the node link, then
//! into the same inbox); the room handles it in one place.
//!
//! [`RoomCommand`]: gather_protocol::node::RoomCommand

mod close_reason;
mod command;
mod inbound;
mod lease;
mod media;
mod members;
mod membership;
mod opening;
mod outbox;
mod replicas;
mod room;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use gather_bus::LocalBus;
use gather_core::{Interest, Layout, SpaceId, UserId};
use gather_protocol::node::{Answer, JoinRefusal, MemberRef, NodeMessage, RoomCommand};
use gather_store::Store;
use tokio::sync::mpsc;

use crate::cluster::Cluster;
use crate::media::MediaNode;
use crate::metrics::Metrics;
pub use close_reason::CloseReason;
use command::RoomMsg;
pub use membership::Membership;
pub use outbox::{FrameKind, Outbox, OutboxReceiver};
use replicas::Replicas;
use room::RoomParts;

/// Moves and joins from this node's sockets a room may have queued before senders wait;
/// waiting slows only the clients that send, never the room.
const ROOM_INBOX: usize = 1024;
/// Tries before a join gives up on rooms that keep closing (or moving) under it.
const JOIN_ATTEMPTS: usize = 3;

#[derive(Clone)]
pub struct RoomHandle {
    local: mpsc::Sender<RoomMsg>,
    remote: mpsc::UnboundedSender<RoomMsg>,
    generation: u64,
}

/// Live rooms by space. A std Mutex: held only to look up, insert or remove a handle.
type Registry = Arc<Mutex<HashMap<SpaceId, RoomHandle>>>;

/// What every room of a node runs with, from its configuration.
#[derive(Debug, Clone, Copy)]
pub struct RoomSettings {
    /// Tiles within which `nearby` chat is heard.
    pub nearby_radius: u32,
    pub interest: Interest,
    /// How long a dropped socket may come back to its membership.
    pub resume_grace: std::time::Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RoomJoinError {
    #[error("there is no space with that id")]
    UnknownSpace,
    #[error("the space is full")]
    Full,
    #[error("the space could not be opened; try again")]
    Unavailable,
    #[error("the space holds no place for you to come back to")]
    NothingToAdopt,
}

/// How someone enters a space: see [`Rooms::join`] and [`Rooms::adopt`].
struct Entry {
    spawn: Option<String>,
    keyholder: bool,
    adopt: bool,
}

/// Where a space is run: here, or on another node.
enum Runner {
    Here(RoomHandle),
    Node(String),
}

#[derive(Clone)]
pub struct Rooms {
    registry: Registry,
    /// Rooms on this node hear about changes to their space here (from HTTP handlers on
    /// this node, or forwarded by other nodes).
    local_notices: Arc<LocalBus>,
    counter: Arc<AtomicU64>,
    interest: Interest,
    parts: RoomParts,
    replicas: Arc<Replicas>,
}

impl Rooms {
    pub fn new(
        store: Arc<dyn Store>,
        local_notices: Arc<LocalBus>,
        metrics: Arc<Metrics>,
        settings: RoomSettings,
        cluster: Arc<Cluster>,
        media: Option<MediaNode>,
    ) -> Self {
        let registry = Registry::default();
        let RoomSettings { nearby_radius, interest, resume_grace } = settings;
        let parts = RoomParts {
            registry: registry.clone(),
            store,
            metrics,
            cluster,
            nearby_radius,
            resume_grace,
            media,
        };
        let counter = Arc::new(AtomicU64::new(1));
        Self { registry, local_notices, counter, interest, parts, replicas: Arc::default() }
    }

    fn cluster(&self) -> &Arc<Cluster> {
        &self.parts.cluster
    }

    /// Spaces with people in them run by this node.
    pub fn live_count(&self) -> usize {
        self.registry.lock().expect("room registry poisoned").len()
    }

    /// Puts `user` into the space. The joiner's `space-joined` is already in `outbox`
    /// (or on its way to this node) when this returns, ahead of any later event of the space.
    pub async fn join(
        &self,
        space: SpaceId,
        user: UserId,
        spawn: Option<String>,
        keyholder: bool,
        outbox: Outbox,
    ) -> Result<Membership, RoomJoinError> {
        self.enter(space, user, Entry { spawn, keyholder, adopt: false }, outbox).await
    }

    /// Binds `outbox` to the place the space holds for `user` after its owner died with the
    /// node their socket was on: they stay where they stood, and only they are told (a
    /// `space-joined` in `outbox`). [`RoomJoinError::NothingToAdopt`] when it holds none.
    pub async fn adopt(
        &self,
        space: SpaceId,
        user: UserId,
        keyholder: bool,
        outbox: Outbox,
    ) -> Result<Membership, RoomJoinError> {
        self.enter(space, user, Entry { spawn: None, keyholder, adopt: true }, outbox).await
    }

    async fn enter(
        &self,
        space: SpaceId,
        user: UserId,
        entry: Entry,
        outbox: Outbox,
    ) -> Result<Membership, RoomJoinError> {
        let Entry { spawn, keyholder, adopt } = entry;
        for _ in 0..JOIN_ATTEMPTS {
            // Random, so that memberships made on different nodes never collide.
            let membership =
                getrandom::u64().unwrap_or_else(|_| self.counter.fetch_add(1, Ordering::Relaxed));
            let member = MemberRef { user, membership };
            let join = RoomCommand::Join { member, spawn: spawn.clone(), keyholder, adopt };
            let answer = match self.runner(space).await? {
                Runner::Here(room) => self.join_here(room, space, join, outbox.clone()).await,
                Runner::Node(owner) => self.join_remote(owner, space, join, outbox.clone()).await,
            };
            match answer {
                Ok(joined) => return Ok(joined),
                Err(Some(e)) => return Err(e),
                Err(None) => continue, // The room closed or moved meanwhile: look again.
            }
        }
        Err(RoomJoinError::Unavailable)
    }

    async fn join_here(
        &self,
        room: RoomHandle,
        space: SpaceId,
        join: RoomCommand,
        outbox: Outbox,
    ) -> Result<Membership, Option<RoomJoinError>> {
        let member = join.member().expect("a join names its member");
        let (join, answer) = RoomMsg::question(join, Some(outbox));
        if room.local.send(join).await.is_err() {
            return Err(None);
        }
        join_result(answer.await.ok())?;
        Ok(Membership::local(room.local, space, member))
    }

    async fn join_remote(
        &self,
        owner: String,
        space: SpaceId,
        command: RoomCommand,
        outbox: Outbox,
    ) -> Result<Membership, Option<RoomJoinError>> {
        let member = command.member().expect("a join names its member");
        let cluster = self.cluster().clone();
        // Registered first: the owner's space-joined may arrive before its answer.
        let (replica, first) = self.replicas.register(space, &owner, member, outbox);
        if first {
            tokio::spawn(self.replicas.clone().watch_owner(cluster.clone(), space));
        }
        let from = cluster.node().to_owned();
        let answer = cluster
            .request(&owner, |request| NodeMessage::Command { space, from, request: Some(request), command })
            .await;
        if answer.is_none() {
            // No answer: the owner may have let us in anyway; take it back so nobody is
            // left there as a ghost.
            let from = cluster.node().to_owned();
            let command = RoomCommand::Leave { member };
            cluster.send(&owner, &NodeMessage::Command { space, from, request: None, command });
        }
        let joined = match answer {
            None => Err(Some(RoomJoinError::Unavailable)),
            answer => join_result(answer),
        };
        match joined {
            Ok(()) => {
                if let Some((moved_to, at)) = self.replicas.joined(space, member, &owner) {
                    // In, but the owner died meanwhile: the new one has not heard of us.
                    let from = cluster.node().to_owned();
                    let command = RoomCommand::Reattach { member, at: at.map(Into::into) };
                    cluster.send(&moved_to, &NodeMessage::Command { space, from, request: None, command });
                }
                Ok(Membership::remote(cluster, self.replicas.clone(), replica, space, member))
            }
            Err(e) => {
                self.replicas.unregister(space, member);
                Err(e)
            }
        }
    }

    /// Finds who runs the space, claiming it for this node when nobody does.
    async fn runner(&self, space: SpaceId) -> Result<Runner, RoomJoinError> {
        if let Some(handle) = self.lookup(space) {
            return Ok(Runner::Here(handle));
        }
        let owner = lease::claim(self.cluster(), space).await.map_err(|e| {
            tracing::error!(%space, error = %e, "cannot reach the node link to find the space's owner");
            RoomJoinError::Unavailable
        })?;
        if owner != self.cluster().node() {
            return Ok(Runner::Node(owner));
        }
        Ok(Runner::Here(self.start_room(space, true)))
    }

    fn lookup(&self, space: SpaceId) -> Option<RoomHandle> {
        self.registry.lock().expect("room registry poisoned").get(&space).cloned()
    }
}

/// What a join's answer means for the joiner: in, refused for good (`Some`), or to be
/// tried again (`None`: the room closed or moved meanwhile).
fn join_result(answer: Option<Answer>) -> Result<(), Option<RoomJoinError>> {
    match answer {
        Some(Answer::Joined) => Ok(()),
        Some(Answer::JoinRefused { reason: JoinRefusal::NotOwner }) => Err(None),
        Some(Answer::JoinRefused { reason: JoinRefusal::Full }) => Err(Some(RoomJoinError::Full)),
        Some(Answer::JoinRefused { reason: JoinRefusal::UnknownSpace }) => {
            Err(Some(RoomJoinError::UnknownSpace))
        }
        Some(Answer::JoinRefused { reason: JoinRefusal::Unavailable }) => {
            Err(Some(RoomJoinError::Unavailable))
        }
        Some(Answer::JoinRefused { reason: JoinRefusal::NothingToAdopt }) => {
            Err(Some(RoomJoinError::NothingToAdopt))
        }
        // A room that closed before answering: look again.
        None => Err(None),
        Some(other) => {
            tracing::error!(?other, "a join was answered with something else");
            Err(Some(RoomJoinError::Unavailable))
        }
    }
}

/// Takes a room out of the registry, unless a newer room already replaced it. Messages
/// still queued are dropped with its inboxes; their senders see a closed room and start a
/// fresh one.
fn retire(registry: &Registry, space: SpaceId, generation: u64) {
    let mut rooms = registry.lock().expect("room registry poisoned");
    if rooms.get(&space).is_some_and(|h| h.generation == generation) {
        rooms.remove(&space);
    }
}

fn layout_of(space: &gather_store::Space) -> Layout {
    let mut layout = Layout::new(space.summary.dims);
    for placed in &space.elements {
        layout.insert(placed.id, placed.footprint(), placed.element.solid);
    }
    layout
}
