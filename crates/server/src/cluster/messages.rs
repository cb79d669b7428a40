//! What nodes say to each other, as JSON over the Redis link.

use gather_bus::SpaceNotice;
use gather_core::{ChatError, ChatScope, JoinError, Outgoing, Position, SessionId, SpaceId, UserId};
use serde::{Deserialize, Serialize};

use crate::rooms::MembershipId;

/// A member whose socket lives on some node.
pub type MemberRef = (UserId, MembershipId);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Message {
    /// For the node that owns `space`.
    ToOwner { space: SpaceId, from: String, intent: Intent },
    /// A movement event of the space, for every node with members in it: the node keeps
    /// its copy of who stands where (to rebuild the space if the owner dies), serialises the
    /// frame once and hands it to its local members in the audience.
    Event { space: SpaceId, out: Outgoing },
    /// Frames for members whose sockets are on the receiving node: serialised once by the
    /// owner, handed as they are to each listed member.
    Frames { space: SpaceId, members: Vec<MemberRef>, frame: String },
    /// Close these members' sockets with this WebSocket close code.
    Close { space: SpaceId, members: Vec<MemberRef>, code: u16 },
    /// The answer to a request.
    Reply { request: u64, answer: Answer },
    /// Broadcast: a session was revoked; its sockets must close everywhere.
    Revoked(SessionId),
}

impl Message {
    /// A short name, for metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::ToOwner { intent, .. } => match intent {
                Intent::Join { .. } => "join",
                Intent::Move { .. } => "move",
                Intent::Leave { .. } => "leave",
                Intent::ChatAudience { .. } => "chat-audience",
                Intent::Deliver { .. } => "deliver",
                Intent::Notice(_) => "notice",
                Intent::Reattach { .. } => "reattach",
            },
            Self::Event { .. } => "event",
            Self::Frames { .. } => "frames",
            Self::Close { .. } => "close",
            Self::Reply { .. } => "reply",
            Self::Revoked(_) => "revoked",
        }
    }
}

/// A member's wish, sent to the space's owner.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Intent {
    Join {
        user: UserId,
        membership: MembershipId,
        request: u64,
    },
    Move {
        user: UserId,
        membership: MembershipId,
        to: Position,
    },
    Leave {
        user: UserId,
        membership: MembershipId,
    },
    ChatAudience {
        user: UserId,
        membership: MembershipId,
        scope: ChatScope,
        to: Option<UserId>,
        request: u64,
    },
    Deliver {
        recipients: Vec<UserId>,
        frame: String,
        kind: String,
    },
    /// After the space moved to a new owner: this member's socket is on the sending node;
    /// `at` is where that node last saw them.
    Reattach {
        user: UserId,
        membership: MembershipId,
        at: Option<Position>,
    },
    Notice(SpaceNotice),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Answer {
    Joined(Result<(), JoinRefusal>),
    Audience(Result<Vec<UserId>, ChatError>),
}

/// Why a remote join failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JoinRefusal {
    Space(JoinError),
    UnknownSpace,
    /// The receiving node does not own the space (any more): look the owner up again.
    NotOwner,
    Unavailable,
}
