//! What a room's inbox carries: a [`RoomCommand`] (the node protocol's, the same for a
//! socket on this node and on another) and, beside it, where it came from and so where its
//! answer goes.

use gather_protocol::node::{Answer, RoomCommand};
use tokio::sync::oneshot;

use super::members::Home;
use super::outbox::Outbox;
use crate::cluster::Cluster;

pub struct RoomMsg {
    pub command: RoomCommand,
    pub origin: Origin,
}

pub enum Origin {
    /// A socket on this node. A join carries the socket's outbox; a question, its answer's
    /// way back.
    Local { outbox: Option<Outbox>, reply: Option<oneshot::Sender<Answer>> },
    /// A socket on node `node`; with a `request`, that node waits for the answer.
    Node { node: String, request: Option<u64> },
}

impl RoomMsg {
    /// A command from this node that expects no answer.
    pub fn local(command: RoomCommand) -> Self {
        Self { command, origin: Origin::Local { outbox: None, reply: None } }
    }

    /// A command from this node, with the receiver its answer will arrive on.
    pub fn question(command: RoomCommand, outbox: Option<Outbox>) -> (Self, oneshot::Receiver<Answer>) {
        let (reply, answer) = oneshot::channel();
        (Self { command, origin: Origin::Local { outbox, reply: Some(reply) } }, answer)
    }
}

impl Origin {
    /// Where the member's socket is, for a join or a reattach.
    pub fn home(&self) -> Option<Home> {
        match self {
            Self::Local { outbox, .. } => outbox.clone().map(Home::Local),
            Self::Node { node, .. } => Some(Home::Remote(node.clone())),
        }
    }

    /// Sends the answer back the way the command came, if anyone waits for it.
    pub fn answer(self, answer: Answer, cluster: &Cluster) {
        match self {
            Self::Local { reply: Some(reply), .. } => drop(reply.send(answer)),
            Self::Node { node, request: Some(request) } => cluster.reply(&node, request, answer),
            Self::Local { reply: None, .. } | Self::Node { request: None, .. } => {}
        }
    }
}
