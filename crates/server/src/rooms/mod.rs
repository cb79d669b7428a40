//! Live spaces. [`Rooms`] finds or starts the task that runs a space; a [`Membership`] is
//! one connection's place in it. Nothing here knows about HTTP or WebSocket: connections
//! hand in an [`Outbox`] and get encoded frames in it.

mod outbox;
mod room;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use gather_bus::Bus;
use gather_core::{ChatError, ChatScope, JoinError, Layout, Position, Space, SpaceId, UserId};
use gather_store::Store;

use crate::metrics::Metrics;
use tokio::sync::{mpsc, oneshot};

pub use outbox::{CloseReason, Outbox, OutboxReceiver};
use room::{MembershipId, Room, RoomMsg};

/// Moves and joins a room may have queued before senders wait; waiting slows only the
/// clients that send, never the room.
const ROOM_INBOX: usize = 1024;
/// Tries before a join gives up on rooms that keep closing under it.
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

#[derive(Clone)]
pub struct Rooms {
    registry: Registry,
    store: Arc<dyn Store>,
    bus: Arc<dyn Bus>,
    counter: Arc<AtomicU64>,
    metrics: Arc<Metrics>,
    nearby_radius: u32,
}

impl Rooms {
    pub fn new(store: Arc<dyn Store>, bus: Arc<dyn Bus>, metrics: Arc<Metrics>, nearby_radius: u32) -> Self {
        let counter = Arc::new(AtomicU64::new(1));
        Self { registry: Registry::default(), store, bus, counter, metrics, nearby_radius }
    }

    /// Spaces with people in them on this node.
    pub fn live_count(&self) -> usize {
        self.registry.lock().expect("room registry poisoned").len()
    }

    /// Puts `user` into the space. The joiner's `space-joined` is already in `outbox`
    /// when this returns, ahead of any later event of the space.
    pub async fn join(
        &self,
        space: SpaceId,
        user: UserId,
        outbox: Outbox,
    ) -> Result<Membership, RoomJoinError> {
        for _ in 0..JOIN_ATTEMPTS {
            let room = self.room_for(space).await?;
            let membership = self.counter.fetch_add(1, Ordering::Relaxed);
            let (reply, answer) = oneshot::channel();
            let join = RoomMsg::Join { user, membership, outbox: outbox.clone(), reply };
            if room.inbox.send(join).await.is_err() {
                continue; // The room closed between lookup and send; start a new one.
            }
            match answer.await {
                Ok(Ok(())) => {
                    return Ok(Membership { room: room.inbox, space, user, id: membership, left: false })
                }
                Ok(Err(JoinError::Full)) => return Err(RoomJoinError::Full),
                // Rooms replace a user who is already present, so this does not happen.
                Ok(Err(JoinError::AlreadyPresent)) => return Err(RoomJoinError::Unavailable),
                Err(_) => continue,
            }
        }
        Err(RoomJoinError::Unavailable)
    }

    async fn room_for(&self, space: SpaceId) -> Result<RoomHandle, RoomJoinError> {
        if let Some(handle) = self.lookup(space) {
            return Ok(handle);
        }
        // Subscribe before loading, so no change published in between is missed; a change
        // seen twice (in the load and as a notice) is harmless.
        let subscription = self.bus.subscribe(space).await.map_err(|e| {
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
        let room = Room::new(
            space,
            handle.generation,
            Space::new(layout_of(&stored)),
            self.registry.clone(),
            self.store.clone(),
            self.metrics.clone(),
            self.nearby_radius,
        );
        tokio::spawn(room.run(inbox_rx, subscription));
        Ok(handle)
    }

    fn lookup(&self, space: SpaceId) -> Option<RoomHandle> {
        self.registry.lock().expect("room registry poisoned").get(&space).cloned()
    }
}

fn layout_of(space: &gather_store::Space) -> Layout {
    let mut layout = Layout::new(space.summary.dims);
    for placed in &space.elements {
        layout.insert(placed.id, placed.footprint(), placed.element.solid);
    }
    layout
}

/// One connection's presence in a space. However the connection ends, dropping this sends
/// the leave, so nobody stays behind as a ghost.
pub struct Membership {
    room: mpsc::Sender<RoomMsg>,
    space: SpaceId,
    user: UserId,
    id: MembershipId,
    left: bool,
}

impl Membership {
    pub fn space(&self) -> SpaceId {
        self.space
    }

    pub async fn step(&self, to: Position) {
        // A closed room has already let this member go (the space was deleted).
        let _ = self.room.send(RoomMsg::Move { user: self.user, membership: self.id, to }).await;
    }

    /// Who would hear a chat message from this member now (the sender left out).
    pub async fn chat_audience(
        &self,
        scope: ChatScope,
        to: Option<UserId>,
    ) -> Result<Vec<UserId>, ChatError> {
        let (reply, answer) = oneshot::channel();
        let ask = RoomMsg::ChatAudience { user: self.user, membership: self.id, scope, to, reply };
        if self.room.send(ask).await.is_err() {
            return Err(ChatError::SenderAbsent);
        }
        answer.await.unwrap_or(Err(ChatError::SenderAbsent))
    }

    /// Hands a frame (of wire type `kind`) to those of `recipients` still in the space.
    pub async fn deliver(&self, recipients: Vec<UserId>, frame: Bytes, kind: &'static str) {
        let _ = self.room.send(RoomMsg::Deliver { recipients, frame, kind }).await;
    }

    /// Leaves now, in order with the moves sent before.
    pub async fn leave(mut self) {
        self.left = true;
        let _ = self.room.send(RoomMsg::Leave { user: self.user, membership: self.id }).await;
    }
}

impl Drop for Membership {
    fn drop(&mut self) {
        if self.left {
            return;
        }
        let leave = RoomMsg::Leave { user: self.user, membership: self.id };
        match self.room.try_send(leave) {
            Err(mpsc::error::TrySendError::Full(leave)) => {
                let room = self.room.clone();
                tokio::spawn(async move {
                    let _ = room.send(leave).await;
                });
            }
            Ok(()) | Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }
}
