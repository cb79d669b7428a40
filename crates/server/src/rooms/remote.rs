//! The owner's side of the cluster: intents other nodes forward for the spaces this node
//! runs, turned into the same room messages local sockets send.

use bytes::Bytes;
use gather_bus::Bus;
use gather_core::{ChatError, SpaceId};
use tokio::sync::oneshot;

use super::members::Home;
use super::room::RoomMsg;
use super::{RoomJoinError, Rooms};
use crate::cluster::{Answer, Intent, JoinRefusal, LEASE_TTL};

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
            Intent::Leave { user, membership } => self.tell(space, RoomMsg::Leave { user, membership }).await,
            Intent::Deliver { recipients, frame, kind } => {
                let kind = if kind == "chat" { "chat" } else { "other" };
                self.tell(space, RoomMsg::Deliver { recipients, frame: Bytes::from(frame), kind }).await;
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

    async fn tell(&self, space: SpaceId, msg: RoomMsg) {
        if let Some(room) = self.lookup(space) {
            let _ = room.inbox.send(msg).await;
        }
    }
}
