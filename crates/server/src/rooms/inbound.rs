//! What other nodes send for the spaces this node runs or replicates, handed on without
//! waiting: a command goes into its room's inbox for commands from other nodes (which
//! never blocks), starting the room when it is a join or reattach; events and frames go to
//! the replica of the space. The link's one reader is never held up by one space.

use gather_core::SpaceId;
use gather_protocol::node::{JoinRefusal, NodeMessage, RoomCommand};

use super::command::{Origin, RoomMsg};
use super::opening::refusal;
use super::Rooms;
use crate::cluster::notice_from_node;

impl Rooms {
    /// Hands on a message about a space; gives back what is not about one.
    pub fn receive(&self, message: NodeMessage) -> Option<NodeMessage> {
        match message {
            NodeMessage::Command { space, from, request, command } => {
                self.on_command(space, RoomMsg { command, origin: Origin::Node { node: from, request } })
            }
            NodeMessage::Notice { space, notice } => {
                self.local_notices.publish_now(space, notice_from_node(notice))
            }
            NodeMessage::Event { space, audience, event } => self.replicas.on_event(space, audience, event),
            NodeMessage::Frames { space, members, frame } => self.replicas.on_frames(space, &members, frame),
            NodeMessage::Close { space, members, code } => self.replicas.on_close(space, &members, code),
            other @ (NodeMessage::Reply { .. } | NodeMessage::Revoked { .. }) => return Some(other),
        }
        None
    }

    fn on_command(&self, space: SpaceId, msg: RoomMsg) {
        let starts_room = matches!(msg.command, RoomCommand::Join { .. } | RoomCommand::Reattach { .. });
        let room = match self.lookup(space) {
            Some(room) => Some(room),
            None if starts_room => Some(self.start_room(space, false)),
            None => None,
        };
        let unsent = match room {
            Some(room) => room.remote.send(msg).err().map(|e| e.0),
            None => Some(msg),
        };
        // Nobody here runs the space (any more): answer what waits for an answer.
        if let Some(RoomMsg { command, origin }) = unsent {
            if let Some(answer) = refusal(&command, JoinRefusal::NotOwner) {
                origin.answer(answer, self.cluster());
            }
        }
    }
}
