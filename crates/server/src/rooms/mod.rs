//! Live spaces. [`Rooms`] finds or starts the task that runs a space (or, in a cluster, the
//! node that runs it); a [`Membership`] is one connection's place in it. Nothing here knows
//! about HTTP or WebSocket: connections hand in an [`Outbox`] and get encoded frames in it.

mod close_reason;
mod members;
mod membership;
mod outbox;
mod remote;
mod room;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use gather_bus::{Bus, LocalBus};
use gather_core::{Interest, JoinError, Layout, Space, SpaceId, UserId};
use gather_store::Store;
use tokio::sync::{mpsc, oneshot};

use crate::cluster::{Answer, Cluster, Intent, JoinRefusal, Message, LEASE_TTL};
use crate::metrics::Metrics;
pub use close_reason::CloseReason;
use members::Home;
pub use membership::Membership;
pub use outbox::{FrameKind, Outbox, OutboxReceiver, Undelivered};
pub use room::MembershipId;
use room::{Room, RoomMsg, RoomParts};

/// Moves and joins a room may have queued before senders wait; waiting slows only the
/// clients that send, never the room.
const ROOM_INBOX: usize = 1024;
/// Tries before a join gives up on rooms that keep closing (or moving) under it.
const JOIN_ATTEMPTS: usize = 3;

#[derive(Clone)]
pub struct RoomHandle {
    inbox: mpsc::Sender<RoomMsg>,
    generation: u64,
}

/// Live rooms by space. A std Mutex: held only to look up, insert or remove a handle.
type Registry = Arc<Mutex<HashMap<SpaceId, RoomHandle>>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RoomJoinError {
    #[error("there is no space with that id")]
    UnknownSpace,
    #[error("the space is full")]
    Full,
    #[error("the space could not be opened; try again")]
    Unavailable,
}

/// Where a space is run: here, or on another node.
enum Runner {
    Here(RoomHandle),
    Node(String),
}

#[derive(Clone)]
pub struct Rooms {
    registry: Registry,
    store: Arc<dyn Store>,
    /// Rooms on this node hear about changes to their space here (from HTTP handlers on
    /// this node, or forwarded by other nodes).
    local_notices: Arc<LocalBus>,
    counter: Arc<AtomicU64>,
    metrics: Arc<Metrics>,
    nearby_radius: u32,
    interest: Interest,
    cluster: Option<Arc<Cluster>>,
}

impl Rooms {
    pub fn new(
        store: Arc<dyn Store>,
        local_notices: Arc<LocalBus>,
        metrics: Arc<Metrics>,
        nearby_radius: u32,
        interest: Interest,
        cluster: Option<Arc<Cluster>>,
    ) -> Self {
        let counter = Arc::new(AtomicU64::new(1));
        let registry = Registry::default();
        Self { registry, store, local_notices, counter, metrics, nearby_radius, interest, cluster }
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
        outbox: Outbox,
    ) -> Result<Membership, RoomJoinError> {
        for _ in 0..JOIN_ATTEMPTS {
            // Random, so that memberships made on different nodes never collide.
            let membership =
                getrandom::u64().unwrap_or_else(|_| self.counter.fetch_add(1, Ordering::Relaxed));
            let joined = match self.runner(space).await? {
                Runner::Here(room) => self.join_here(room, space, user, membership, outbox.clone()).await,
                Runner::Node(owner) => self.join_remote(owner, space, user, membership, outbox.clone()).await,
            };
            match joined {
                Err(None) => continue, // The room closed or moved meanwhile: look again.
                Err(Some(e)) => return Err(e),
                Ok(joined) => return Ok(joined),
            }
        }
        Err(RoomJoinError::Unavailable)
    }

    async fn join_here(
        &self,
        room: RoomHandle,
        space: SpaceId,
        user: UserId,
        membership: MembershipId,
        outbox: Outbox,
    ) -> Result<Membership, Option<RoomJoinError>> {
        let (reply, answer) = oneshot::channel();
        let join = RoomMsg::Join { user, membership, home: Home::Local(outbox), reply };
        if room.inbox.send(join).await.is_err() {
            return Err(None);
        }
        match answer.await {
            Ok(Ok(())) => Ok(Membership::local(room.inbox, space, user, membership)),
            Ok(Err(e)) => Err(Some(join_error(e))),
            Err(_) => Err(None),
        }
    }

    async fn join_remote(
        &self,
        owner: String,
        space: SpaceId,
        user: UserId,
        membership: MembershipId,
        outbox: Outbox,
    ) -> Result<Membership, Option<RoomJoinError>> {
        let cluster = self.cluster.clone().expect("only a cluster has remote runners");
        // Registered first: the owner's space-joined may arrive before its answer.
        if cluster.register_member(space, &owner, (user, membership), outbox) {
            tokio::spawn(self.clone().watch_owner(space));
        }
        let from = cluster.node().to_owned();
        let answer = cluster
            .request(&owner, |request| Message::ToOwner {
                space,
                from,
                intent: Intent::Join { user, membership, request },
            })
            .await;
        let refused = |e| {
            cluster.unregister_member(space, (user, membership));
            e
        };
        match answer {
            Some(Answer::Joined(Ok(()))) => Ok(Membership::remote(cluster.clone(), space, user, membership)),
            Some(Answer::Joined(Err(JoinRefusal::NotOwner))) => Err(refused(None)),
            Some(Answer::Joined(Err(JoinRefusal::Space(e)))) => Err(refused(Some(join_error(e)))),
            Some(Answer::Joined(Err(JoinRefusal::UnknownSpace))) => {
                Err(refused(Some(RoomJoinError::UnknownSpace)))
            }
            _ => {
                // No answer: the owner may have let us in anyway; take it back so nobody is
                // left there as a ghost.
                let intent = Intent::Leave { user, membership };
                cluster.send(&owner, &Message::ToOwner { space, from: cluster.node().to_owned(), intent });
                Err(refused(Some(RoomJoinError::Unavailable)))
            }
        }
    }

    /// Finds who runs the space, claiming it for this node when nobody does.
    async fn runner(&self, space: SpaceId) -> Result<Runner, RoomJoinError> {
        if let Some(handle) = self.lookup(space) {
            return Ok(Runner::Here(handle));
        }
        if let Some(cluster) = &self.cluster {
            let owner = cluster.link().claim(&space.to_string(), LEASE_TTL).await.map_err(|e| {
                tracing::error!(%space, error = %e, "cannot reach Redis to find the space's owner");
                RoomJoinError::Unavailable
            })?;
            if owner != cluster.node() {
                return Ok(Runner::Node(owner));
            }
        }
        self.start_room(space).await.map(Runner::Here)
    }

    async fn start_room(&self, space: SpaceId) -> Result<RoomHandle, RoomJoinError> {
        // Subscribe before loading, so no change published in between is missed; a change
        // seen twice (in the load and as a notice) is harmless.
        let subscription = self.local_notices.subscribe(space).await.map_err(|e| {
            tracing::error!(%space, error = %e, "could not subscribe to the space");
            RoomJoinError::Unavailable
        })?;
        let stored = match self.store.space(space).await {
            Ok(Some(stored)) => stored,
            Ok(None) => return Err(RoomJoinError::UnknownSpace),
            Err(e) => {
                tracing::error!(%space, error = %e, "could not load the space");
                return Err(RoomJoinError::Unavailable);
            }
        };
        let mut rooms = self.registry.lock().expect("room registry poisoned");
        if let Some(handle) = rooms.get(&space) {
            return Ok(handle.clone()); // Someone else started it while we loaded.
        }
        let (inbox, inbox_rx) = mpsc::channel(ROOM_INBOX);
        let handle = RoomHandle { inbox, generation: self.counter.fetch_add(1, Ordering::Relaxed) };
        rooms.insert(space, handle.clone());
        let parts = RoomParts {
            registry: self.registry.clone(),
            store: self.store.clone(),
            metrics: self.metrics.clone(),
            nearby_radius: self.nearby_radius,
            cluster: self.cluster.clone(),
            interest: self.interest,
        };
        let mut room = Room::new(space, handle.generation, Space::new(layout_of(&stored)), parts);
        if let Some(cluster) = &self.cluster {
            // Taking over from a dead owner: start from this node's last picture of the space.
            room.restore(cluster.shadow_of(space));
        }
        tokio::spawn(room.run(inbox_rx, subscription));
        Ok(handle)
    }

    fn lookup(&self, space: SpaceId) -> Option<RoomHandle> {
        self.registry.lock().expect("room registry poisoned").get(&space).cloned()
    }
}

fn join_error(error: JoinError) -> RoomJoinError {
    match error {
        JoinError::Full => RoomJoinError::Full,
        // Rooms replace a user who is already present, so this does not happen.
        JoinError::AlreadyPresent => RoomJoinError::Unavailable,
    }
}

fn layout_of(space: &gather_store::Space) -> Layout {
    let mut layout = Layout::new(space.summary.dims);
    for placed in &space.elements {
        layout.insert(placed.id, placed.footprint(), placed.element.solid);
    }
    layout
}
