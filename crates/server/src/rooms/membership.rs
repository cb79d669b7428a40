//! One connection's presence in a space, whether the space runs on this node or another.
//! However the connection ends, dropping this sends the leave, so nobody stays behind as
//! a ghost.

use std::sync::Arc;

use bytes::Bytes;
use gather_core::{ChatError, ChatScope, Position, SpaceId, UserId};
use tokio::sync::{mpsc, oneshot};

use super::room::{MembershipId, RoomMsg};
use crate::cluster::{Answer, Cluster, Intent, Message};

enum Target {
    Local(mpsc::Sender<RoomMsg>),
    /// The space runs on another node (or on this one, reached the same way after a
    /// takeover); the cluster knows which, now.
    Remote(Arc<Cluster>),
}

pub struct Membership {
    target: Target,
    space: SpaceId,
    user: UserId,
    id: MembershipId,
    left: bool,
}

impl Membership {
    pub(super) fn local(room: mpsc::Sender<RoomMsg>, space: SpaceId, user: UserId, id: MembershipId) -> Self {
        Self { target: Target::Local(room), space, user, id, left: false }
    }

    pub(super) fn remote(cluster: Arc<Cluster>, space: SpaceId, user: UserId, id: MembershipId) -> Self {
        Self { target: Target::Remote(cluster), space, user, id, left: false }
    }

    pub fn space(&self) -> SpaceId {
        self.space
    }

    pub async fn step(&self, to: Position) {
        let (user, membership) = (self.user, self.id);
        match &self.target {
            // A closed room has already let this member go (the space was deleted).
            Target::Local(room) => drop(room.send(RoomMsg::Move { user, membership, to }).await),
            Target::Remote(_) => self.tell_owner(Intent::Move { user, membership, to }),
        }
    }

    /// Who would hear a chat message from this member now (the sender left out).
    pub async fn chat_audience(
        &self,
        scope: ChatScope,
        to: Option<UserId>,
    ) -> Result<Vec<UserId>, ChatError> {
        let (user, membership) = (self.user, self.id);
        match &self.target {
            Target::Local(room) => {
                let (reply, answer) = oneshot::channel();
                let ask = RoomMsg::ChatAudience { user, membership, scope, to, reply };
                if room.send(ask).await.is_err() {
                    return Err(ChatError::SenderAbsent);
                }
                answer.await.unwrap_or(Err(ChatError::SenderAbsent))
            }
            Target::Remote(cluster) => {
                let (space, from) = (self.space, cluster.node().to_owned());
                let Some(owner) = cluster.owner_of(space) else { return Err(ChatError::SenderAbsent) };
                let answer = cluster
                    .request(&owner, |request| Message::ToOwner {
                        space,
                        from,
                        intent: Intent::ChatAudience { user, membership, scope, to, request },
                    })
                    .await;
                match answer {
                    Some(Answer::Audience(audience)) => audience,
                    _ => Err(ChatError::SenderAbsent),
                }
            }
        }
    }

    /// Hands a frame (of wire type `kind`) to those of `recipients` still in the space.
    pub async fn deliver(&self, recipients: Vec<UserId>, frame: Bytes, kind: &'static str) {
        match &self.target {
            Target::Local(room) => drop(room.send(RoomMsg::Deliver { recipients, frame, kind }).await),
            Target::Remote(_) => {
                let frame = String::from_utf8_lossy(&frame).into_owned();
                self.tell_owner(Intent::Deliver { recipients, frame, kind: kind.to_owned() });
            }
        }
    }

    /// Leaves now, in order with the moves sent before, and returns once no more frames
    /// of this space will reach the socket (so a join that follows is not mixed with them).
    pub async fn leave(mut self) {
        self.left = true;
        let (user, membership) = (self.user, self.id);
        match &self.target {
            Target::Local(room) => {
                let (done, left) = oneshot::channel();
                if room.send(RoomMsg::Leave { user, membership, done: Some(done) }).await.is_ok() {
                    // An error means the room is gone, which sends nothing either.
                    let _ = left.await;
                }
            }
            // Unregistering stops this node handing the space's frames to the socket.
            Target::Remote(_) => self.leave_remote(),
        }
    }

    fn leave_remote(&self) {
        if let Target::Remote(cluster) = &self.target {
            self.tell_owner(Intent::Leave { user: self.user, membership: self.id });
            cluster.unregister_member(self.space, (self.user, self.id));
        }
    }

    fn tell_owner(&self, intent: Intent) {
        if let Target::Remote(cluster) = &self.target {
            if let Some(owner) = cluster.owner_of(self.space) {
                let from = cluster.node().to_owned();
                cluster.send(&owner, &Message::ToOwner { space: self.space, from, intent });
            }
        }
    }
}

impl Drop for Membership {
    fn drop(&mut self) {
        if self.left {
            return;
        }
        let (user, membership) = (self.user, self.id);
        match &self.target {
            Target::Local(room) => match room.try_send(RoomMsg::Leave { user, membership, done: None }) {
                Err(mpsc::error::TrySendError::Full(leave)) => {
                    let room = room.clone();
                    tokio::spawn(async move {
                        let _ = room.send(leave).await;
                    });
                }
                Ok(()) | Err(mpsc::error::TrySendError::Closed(_)) => {}
            },
            Target::Remote(_) => self.leave_remote(),
        }
    }
}
