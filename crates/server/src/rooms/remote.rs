//! The owner's side of the cluster: intents other nodes forward for the spaces this node
//! runs, turned into the same room messages local sockets send.

use bytes::Bytes;
use gather_bus::Bus;
use gather_core::{ChatError, SpaceId};
use tokio::sync::oneshot;

use super::members::Home;
use super::room::RoomMsg;
use super::{RoomJoinError, Rooms};
use crate::cluster::{Answer, Intent, JoinRefusal, Message, LEASE_TTL};

impl Rooms {
    /// Handles an intent from node `from` for `space`.
    pub async fn handle_remote(&self, space: SpaceId, from: String, intent: Intent) {
        let Some(cluster) = self.cluster.clone() else { return };
        match intent {
            Intent::Join { user, membership, request } => {
                let room = match self.owned_room(space).await {
                    Ok(room) => room,
                    Err(refusal) => return cluster.reply(&from, request, Answer::Joined(Err(refusal))),
                };
                let (reply, answer) = oneshot::channel();
                let join = RoomMsg::Join { user, membership, home: Home::Remote(from.clone()), reply };
                if room.inbox.send(join).await.is_err() {
                    return cluster.reply(&from, request, Answer::Joined(Err(JoinRefusal::NotOwner)));
                }
                // Answered after the room handled the join, so its frames are queued first.
                let result = match answer.await {
                    Ok(result) => result.map_err(JoinRefusal::Space),
                    Err(_) => Err(JoinRefusal::NotOwner),
                };
                cluster.reply(&from, request, Answer::Joined(result));
            }
            Intent::ChatAudience { user, membership, scope, to, request } => {
                let audience = match self.lookup(space) {
                    Some(room) => {
                        let (reply, answer) = oneshot::channel();
                        let ask = RoomMsg::ChatAudience { user, membership, scope, to, reply };
                        match room.inbox.send(ask).await {
                            Ok(()) => answer.await.unwrap_or(Err(ChatError::SenderAbsent)),
                            Err(_) => Err(ChatError::SenderAbsent),
                        }
                    }
                    None => Err(ChatError::SenderAbsent),
                };
                cluster.reply(&from, request, Answer::Audience(audience));
            }
            Intent::Move { user, membership, to } => {
                self.tell(space, RoomMsg::Move { user, membership, to }).await
            }
            Intent::Leave { user, membership } => {
                self.tell(space, RoomMsg::Leave { user, membership, done: None }).await
            }
            Intent::Deliver { recipients, frame, kind } => {
                let kind = if kind == "chat" { "chat" } else { "other" };
                self.tell(space, RoomMsg::Deliver { recipients, frame: Bytes::from(frame), kind }).await;
            }
            Intent::Reattach { user, membership, at } => {
                if let Ok(room) = self.owned_room(space).await {
                    let _ = room.inbox.send(RoomMsg::Reattach { user, membership, node: from, at }).await;
                }
            }
            Intent::Notice(notice) => {
                if let Err(e) = self.local_notices.publish(space, notice).await {
                    tracing::warn!(%space, error = %e, "could not pass a notice to the room");
                }
            }
        }
    }

    /// The room for a space this node owns, started if needed; refused when another node
    /// holds the lease.
    async fn owned_room(&self, space: SpaceId) -> Result<super::RoomHandle, JoinRefusal> {
        if let Some(room) = self.lookup(space) {
            return Ok(room);
        }
        let cluster = self.cluster.as_ref().ok_or(JoinRefusal::Unavailable)?;
        let owner = cluster
            .link()
            .claim(&space.to_string(), LEASE_TTL)
            .await
            .map_err(|_| JoinRefusal::Unavailable)?;
        if owner != cluster.node() {
            return Err(JoinRefusal::NotOwner);
        }
        self.start_room(space).await.map_err(|e| match e {
            RoomJoinError::UnknownSpace => JoinRefusal::UnknownSpace,
            _ => JoinRefusal::Unavailable,
        })
    }

    /// Runs while this node has sockets in `space` and another node (reached through Redis)
    /// owns it. When the owner's lease lapses (the node died), claims the space, or finds who
    /// did, and reattaches the sockets here to the new owner, which rebuilds the space from
    /// what the surviving nodes saw.
    pub(super) async fn watch_owner(self, space: SpaceId) {
        let Some(cluster) = self.cluster.clone() else { return };
        let key = space.to_string();
        let mut tick = tokio::time::interval(LEASE_TTL / 3);
        let mut missing = 0;
        loop {
            tick.tick().await;
            let Some(known) = cluster.owner_of(space) else { return }; // Nobody left here.
            let found = cluster.link().owner(&key).await;
            missing = if matches!(found, Ok(None)) { missing + 1 } else { 0 };
            let owner = match found {
                Ok(Some(owner)) if owner == known => continue,
                Ok(Some(owner)) => owner,
                // Missing once may be Redis having restarted empty, and the live owner
                // reclaims it at its next renewal; missing twice, the owner is gone. Right
                // after Redis came back, give owners a few lease periods to reclaim first.
                Ok(None) if missing < 2 => continue,
                Ok(None) if cluster.link().connected_for().is_none_or(|up| up < LEASE_TTL * 2) => continue,
                Ok(None) => match cluster.link().claim(&key, LEASE_TTL).await {
                    Ok(owner) => owner,
                    Err(_) => continue,
                },
                // Redis is away: keep what we have and look again later.
                Err(_) => continue,
            };
            tracing::info!(%space, from = known, to = owner, "space moved to another node");
            if owner == cluster.node() && self.owned_room(space).await.is_err() {
                continue;
            }
            let from = cluster.node().to_owned();
            for ((user, membership), at) in cluster.moved(space, &owner) {
                let intent = Intent::Reattach { user, membership, at };
                cluster.send(&owner, &Message::ToOwner { space, from: from.clone(), intent });
            }
        }
    }

    async fn tell(&self, space: SpaceId, msg: RoomMsg) {
        if let Some(room) = self.lookup(space) {
            let _ = room.inbox.send(msg).await;
        }
    }
}
