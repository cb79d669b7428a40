//! Starting a room. The handle is registered at once and the task does the slow part
//! itself (claiming the lease when the caller has not, subscribing, loading the space), so
//! commands that arrive meanwhile wait in its inbox in order, and whoever starts a room
//! (a join here, a message from another node) never waits for it.

use std::sync::atomic::Ordering;

use gather_bus::Bus;
use gather_core::{LiveSpace, SpaceId};
use gather_protocol::node::{Answer, ChatRefusal, JoinRefusal, RoomCommand};
use tokio::sync::mpsc;

use super::command::RoomMsg;
use super::members::Home;
use super::room::{Inboxes, Room};
use super::{layout_of, lease, retire, RoomHandle, Rooms, ROOM_INBOX};

impl Rooms {
    /// The room of `space`, started unless it runs already. `claimed`: this node has just
    /// taken the space's lease.
    pub(super) fn start_room(&self, space: SpaceId, claimed: bool) -> RoomHandle {
        let mut rooms = self.registry.lock().expect("room registry poisoned");
        if let Some(handle) = rooms.get(&space) {
            return handle.clone();
        }
        let (local, local_rx) = mpsc::channel(ROOM_INBOX);
        let (remote, remote_rx) = mpsc::unbounded_channel();
        let handle = RoomHandle { local, remote, generation: self.counter.fetch_add(1, Ordering::Relaxed) };
        rooms.insert(space, handle.clone());
        let inboxes = Inboxes { local: local_rx, remote: remote_rx, own: handle.remote.downgrade() };
        tokio::spawn(self.clone().open(space, handle.generation, inboxes, claimed));
        handle
    }

    async fn open(self, space: SpaceId, generation: u64, inboxes: Inboxes, claimed: bool) {
        let cluster = self.cluster().clone();
        if !claimed {
            match lease::claim(&cluster, space).await {
                Ok(owner) if owner == cluster.node() => {}
                Ok(_) => return self.refuse(space, generation, inboxes, JoinRefusal::NotOwner),
                Err(e) => {
                    tracing::warn!(%space, error = %e, "could not claim the space's lease");
                    return self.refuse(space, generation, inboxes, JoinRefusal::Unavailable);
                }
            }
        }
        // Subscribe before loading, so no change published in between is missed; a change
        // seen twice (in the load and as a notice) is harmless.
        let subscription = match self.local_notices.subscribe(space).await {
            Ok(subscription) => subscription,
            Err(e) => {
                tracing::error!(%space, error = %e, "could not subscribe to the space");
                return self.refuse_owned(space, generation, inboxes, JoinRefusal::Unavailable);
            }
        };
        let stored = match self.parts.store.space(space).await {
            Ok(Some(stored)) => stored,
            Ok(None) => return self.refuse_owned(space, generation, inboxes, JoinRefusal::UnknownSpace),
            Err(e) => {
                tracing::error!(%space, error = %e, "could not load the space");
                return self.refuse_owned(space, generation, inboxes, JoinRefusal::Unavailable);
            }
        };
        let live = LiveSpace::new(layout_of(&stored), self.interest);
        let mut room = Room::new(space, generation, live, self.parts.clone(), inboxes.own.clone());
        room.set_effects(stored.effects.clone());
        // Taking over from a dead owner: start from this node's last picture of the space,
        // with this node's own sockets in it bound at once (so they miss nothing; the other
        // nodes' reattach theirs when they find the new owner).
        room.restore(self.replicas.shadow_of(space));
        let here = cluster.node().to_owned();
        for (member, at) in self.replicas.moved(space, &here) {
            room.reattach(member, Home::Remote(here.clone()), at);
        }
        room.run(inboxes, subscription).await;
    }

    /// The room could not start after this node took the lease: gives it back, then
    /// refuses like [`Rooms::refuse`].
    fn refuse_owned(&self, space: SpaceId, generation: u64, inboxes: Inboxes, reason: JoinRefusal) {
        lease::release(self.cluster().clone(), space);
        self.refuse(space, generation, inboxes, reason);
    }

    /// The room cannot start: out of the registry first (so new commands start afresh),
    /// then every command already queued is answered as one for a room that is not here.
    fn refuse(&self, space: SpaceId, generation: u64, mut inboxes: Inboxes, reason: JoinRefusal) {
        retire(&self.registry, space, generation);
        inboxes.close();
        while let Some(RoomMsg { command, origin }) = inboxes.try_recv() {
            if let Some(answer) = refusal(&command, reason) {
                origin.answer(answer, self.cluster());
            }
        }
    }
}

/// The answer to a command for a room that is not running, if it wants one.
pub(super) fn refusal(command: &RoomCommand, reason: JoinRefusal) -> Option<Answer> {
    match command {
        RoomCommand::Join { .. } => Some(Answer::JoinRefused { reason }),
        RoomCommand::ChatAudience { .. } => Some(Answer::ChatRefused { reason: ChatRefusal::SenderAbsent }),
        RoomCommand::Leave { .. } => Some(Answer::Done),
        RoomCommand::Move { .. }
        | RoomCommand::Deliver { .. }
        | RoomCommand::Reattach { .. }
        | RoomCommand::Media { .. }
        | RoomCommand::Status { .. }
        | RoomCommand::Admit { .. } => None,
    }
}
