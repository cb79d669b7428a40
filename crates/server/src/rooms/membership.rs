//! One connection's presence in a space, whether the space runs on this node or another.
//! Every request is a [`RoomCommand`]; the only difference between the two is how it
//! travels. However the connection ends, dropping this sends the leave, so nobody stays
//! behind as a ghost.

use std::sync::Arc;

use bytes::Bytes;
use gather_core::{ChatError, ChatScope, Position, SpaceId, UserId};
use gather_protocol::node::{Answer, MemberRef, NodeMessage, RoomCommand};
use tokio::sync::mpsc;

use super::command::RoomMsg;
use super::replicas::{Replica, Replicas};
use crate::cluster::Cluster;

enum Route {
    /// The room runs here.
    Local(mpsc::Sender<RoomMsg>),
    /// The space runs on another node (or on this one, reached the same way after a
    /// takeover); the replica knows which, now.
    Remote { cluster: Arc<Cluster>, replicas: Arc<Replicas>, replica: Arc<Replica> },
}

pub struct Membership {
    route: Route,
    space: SpaceId,
    member: MemberRef,
    left: bool,
}

impl Membership {
    pub(super) fn local(room: mpsc::Sender<RoomMsg>, space: SpaceId, member: MemberRef) -> Self {
        Self { route: Route::Local(room), space, member, left: false }
    }

    pub(super) fn remote(
        cluster: Arc<Cluster>,
        replicas: Arc<Replicas>,
        replica: Arc<Replica>,
        space: SpaceId,
        member: MemberRef,
    ) -> Self {
        Self { route: Route::Remote { cluster, replicas, replica }, space, member, left: false }
    }

    pub fn space(&self) -> SpaceId {
        self.space
    }

    pub async fn step(&self, to: Position) {
        self.tell(RoomCommand::Move { member: self.member, to: to.into() }).await;
    }

    /// Media signalling, for the relay of the node that runs the space.
    pub async fn media(&self, signal: gather_protocol::MediaSignal) {
        self.tell(RoomCommand::Media { member: self.member, signal }).await;
    }

    pub async fn admit(&self, user: UserId) {
        self.tell(RoomCommand::Admit { member: self.member, user }).await;
    }

    pub async fn set_status(&self, status: gather_protocol::Status, text: String) {
        self.tell(RoomCommand::Status { member: self.member, status, text }).await;
    }

    /// Who would hear a chat message from this member now (the sender left out).
    pub async fn chat_audience(
        &self,
        scope: ChatScope,
        to: Option<UserId>,
    ) -> Result<Vec<UserId>, ChatError> {
        match self.ask(RoomCommand::ChatAudience { member: self.member, scope, to }).await {
            Some(Answer::Audience { users }) => Ok(users),
            Some(Answer::ChatRefused { reason }) => Err(reason.into()),
            _ => Err(ChatError::SenderAbsent),
        }
    }

    /// Hands a frame (of wire type `kind`) to those of `recipients` still in the space.
    pub async fn deliver(&self, recipients: Vec<UserId>, frame: Bytes, kind: &'static str) {
        let frame = String::from_utf8_lossy(&frame).into_owned();
        self.tell(RoomCommand::Deliver { recipients, frame, kind: kind.to_owned() }).await;
    }

    /// Leaves now, in order with the moves sent before, and returns once no more frames
    /// of this space will reach the socket (so a join that follows is not mixed with them).
    pub async fn leave(mut self) {
        self.left = true;
        match &self.route {
            // An error means the room is gone, which sends nothing either.
            Route::Local(_) => drop(self.ask(RoomCommand::Leave { member: self.member }).await),
            // Unregistering stops this node handing the space's frames to the socket.
            Route::Remote { .. } => self.leave_remote(),
        }
    }

    /// Sends a command that needs no answer, in order with the others from this member.
    async fn tell(&self, command: RoomCommand) {
        match &self.route {
            // A closed room has already let this member go (the space was deleted).
            Route::Local(room) => drop(room.send(RoomMsg::local(command)).await),
            Route::Remote { .. } => self.tell_remote(command),
        }
    }

    /// Sends a command and waits for its answer; None when the room went away first.
    async fn ask(&self, command: RoomCommand) -> Option<Answer> {
        match &self.route {
            Route::Local(room) => {
                let (msg, answer) = RoomMsg::question(command, None);
                room.send(msg).await.ok()?;
                answer.await.ok()
            }
            Route::Remote { cluster, replica, .. } => {
                let (space, from) = (self.space, cluster.node().to_owned());
                cluster
                    .request(&replica.owner(), |request| NodeMessage::Command {
                        space,
                        from,
                        request: Some(request),
                        command,
                    })
                    .await
            }
        }
    }

    fn tell_remote(&self, command: RoomCommand) {
        if let Route::Remote { cluster, replica, .. } = &self.route {
            let from = cluster.node().to_owned();
            let message = NodeMessage::Command { space: self.space, from, request: None, command };
            cluster.send(&replica.owner(), &message);
        }
    }

    fn leave_remote(&self) {
        if let Route::Remote { replicas, .. } = &self.route {
            self.tell_remote(RoomCommand::Leave { member: self.member });
            replicas.unregister(self.space, self.member);
        }
    }
}

impl Drop for Membership {
    fn drop(&mut self) {
        if self.left {
            return;
        }
        match &self.route {
            Route::Local(room) => {
                match room.try_send(RoomMsg::local(RoomCommand::Leave { member: self.member })) {
                    Err(mpsc::error::TrySendError::Full(leave)) => {
                        let room = room.clone();
                        tokio::spawn(async move {
                            let _ = room.send(leave).await;
                        });
                    }
                    Ok(()) | Err(mpsc::error::TrySendError::Closed(_)) => {}
                }
            }
            Route::Remote { .. } => self.leave_remote(),
        }
    }
}
