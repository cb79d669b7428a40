//! What the nodes of a cluster say to each other: explicit, versioned messages owned by
//! this module, not the core's types, so renaming something in the core cannot silently
//! change what nodes send (and a node of the next version can still read this one's).
//! Messages are JSON inside an [`Envelope`] carrying [`VERSION`]; the recorded messages in
//! `tests/node-v1/` must keep decoding for as long as version 1 is spoken.

mod convert;

pub use convert::event_of;

use gather_core::{ChatScope, SessionId, SpaceElementId, SpaceId, UserId};
use serde::{Deserialize, Serialize};

/// The node protocol this build speaks. A change that an older node could not read needs
/// a new number (and, for a rolling upgrade, a release that reads both).
pub const VERSION: u16 = 1;

/// One message as it travels: the version, then the message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub v: u16,
    pub message: NodeMessage,
}

#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("node protocol version {0}; this node speaks {VERSION}")]
    Version(u16),
    #[error("unreadable node message: {0}")]
    Malformed(#[from] serde_json::Error),
}

pub fn encode(message: &NodeMessage) -> Vec<u8> {
    #[derive(Serialize)]
    struct Borrowed<'a> {
        v: u16,
        message: &'a NodeMessage,
    }
    serde_json::to_vec(&Borrowed { v: VERSION, message }).expect("node messages serialise")
}

pub fn decode(bytes: &[u8]) -> Result<NodeMessage, DecodeError> {
    #[derive(Deserialize)]
    struct Version {
        v: u16,
    }
    let Version { v } = serde_json::from_slice(bytes)?;
    if v != VERSION {
        return Err(DecodeError::Version(v));
    }
    Ok(serde_json::from_slice::<Envelope>(bytes)?.message)
}

/// Tells apart two joins by the same user (two tabs, or a rejoin on the same socket), so a
/// late leave from the old one cannot remove the new one.
pub type MembershipId = u64;

/// One socket's presence in a space, wherever that socket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MemberRef {
    pub user: UserId,
    pub membership: MembershipId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tile {
    pub x: i64,
    pub y: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum NodeMessage {
    /// For the room of `space`, on the node that owns it, from a member whose socket is on
    /// node `from`. With a `request`, the sender waits for a [`NodeMessage::Reply`].
    Command {
        space: SpaceId,
        from: String,
        request: Option<u64>,
        command: RoomCommand,
    },
    /// News about `space` (furniture, deletion) for the node that owns it.
    Notice {
        space: SpaceId,
        notice: Notice,
    },
    /// A movement event of the space, for every node with members in it: the node keeps
    /// its copy of who stands where (to rebuild the space if the owner dies), serialises the
    /// frame once and hands it to its local members in the audience.
    Event {
        space: SpaceId,
        audience: Audience,
        event: SpaceEvent,
    },
    /// A frame for members whose sockets are on the receiving node, serialised once by the
    /// owner and handed as it is to each of them.
    Frames {
        space: SpaceId,
        members: Vec<MemberRef>,
        frame: String,
    },
    /// Close these members' sockets with this WebSocket close code.
    Close {
        space: SpaceId,
        members: Vec<MemberRef>,
        code: u16,
    },
    Reply {
        request: u64,
        answer: Answer,
    },
    /// For every node: a session was revoked; its sockets must close everywhere.
    Revoked {
        session: SessionId,
    },
}

impl NodeMessage {
    /// A short name, for metrics and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Command { command, .. } => command.kind(),
            Self::Notice { .. } => "notice",
            Self::Event { .. } => "event",
            Self::Frames { .. } => "frames",
            Self::Close { .. } => "close",
            Self::Reply { .. } => "reply",
            Self::Revoked { .. } => "revoked",
        }
    }
}

/// What a member asks of a space's room. The same command comes from a socket on the
/// owner's node and from one on another node; only how the answer travels differs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum RoomCommand {
    /// Answered with `joined` or `join-refused`, once the joiner's `space-joined` is queued.
    Join {
        member: MemberRef,
        /// A named spawn tile to arrive on.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        spawn: Option<String>,
        /// They may enter every locked private area (a moderator or the owner).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        keyholder: bool,
        /// A socket come back after its node died with the space's owner: bind it to the
        /// person the new owner restored (told only to them, not as a new arrival), or
        /// refuse with `nothing-to-adopt` when there is nobody to bind it to.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        adopt: bool,
    },
    Move {
        member: MemberRef,
        to: Tile,
    },
    /// Answered with `done` once no further frame of the room will reach the member.
    Leave {
        member: MemberRef,
    },
    /// Who would hear a chat message from the member now: `audience` or `chat-refused`.
    ChatAudience {
        member: MemberRef,
        scope: ChatScope,
        to: Option<UserId>,
    },
    /// Hands a frame of wire type `kind` to those of `recipients` still in the space.
    Deliver {
        recipients: Vec<UserId>,
        frame: String,
        kind: String,
    },
    /// The member's media signalling, for the relay of the owner's node.
    Media {
        member: MemberRef,
        signal: crate::ws::MediaSignal,
    },
    /// After the space moved to a new owner: the member's socket is on the sending node,
    /// which last saw them `at`.
    Reattach {
        member: MemberRef,
        at: Option<Tile>,
    },
    /// The member, inside a locked private area, lets `user` in.
    Admit {
        member: MemberRef,
        user: UserId,
    },
    /// The member's status (`set-status`), for everyone in the space.
    Status {
        member: MemberRef,
        status: crate::ws::Status,
        text: String,
    },
}

impl RoomCommand {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Join { .. } => "join",
            Self::Move { .. } => "move",
            Self::Leave { .. } => "leave",
            Self::ChatAudience { .. } => "chat-audience",
            Self::Deliver { .. } => "deliver",
            Self::Reattach { .. } => "reattach",
            Self::Media { .. } => "media",
            Self::Status { .. } => "status",
            Self::Admit { .. } => "admit",
        }
    }

    /// The member the command is about, if one.
    pub fn member(&self) -> Option<MemberRef> {
        match self {
            Self::Join { member, .. }
            | Self::Move { member, .. }
            | Self::Leave { member }
            | Self::ChatAudience { member, .. }
            | Self::Reattach { member, .. }
            | Self::Media { member, .. }
            | Self::Status { member, .. }
            | Self::Admit { member, .. } => Some(*member),
            Self::Deliver { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Answer {
    Joined,
    JoinRefused { reason: JoinRefusal },
    Audience { users: Vec<UserId> },
    ChatRefused { reason: ChatRefusal },
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JoinRefusal {
    Full,
    UnknownSpace,
    /// The receiving node does not own the space (any more): look the owner up again.
    NotOwner,
    Unavailable,
    /// An adopting join, but the owner holds nobody of theirs to bind it to.
    NothingToAdopt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChatRefusal {
    SenderAbsent,
    NoRecipient,
    RecipientAbsent,
    ToSelf,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", rename_all = "kebab-case")]
pub enum Audience {
    Only { user: UserId },
    AllExcept { user: UserId },
    Users { users: Vec<UserId> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placed {
    pub user: UserId,
    pub at: Tile,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum SpaceEvent {
    Entered { user: UserId, spawn: Tile, others: Vec<Placed> },
    Joined { user: UserId, at: Tile },
    Moved { user: UserId, to: Tile },
    MoveRejected { user: UserId, at: Tile, reason: Rejection },
    Left { user: UserId },
    Appeared { user: UserId, at: Tile },
    Disappeared { user: UserId },
    Teleported { user: UserId, to: Tile },
    PortalReached { user: UserId, space: SpaceId, spawn: Option<String> },
    Knocked { user: UserId, area: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rejection {
    OutOfBounds,
    NotOneStep,
    Solid,
    Occupied,
    Locked,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Notice {
    ElementAdded(PlacedElement),
    ElementRemoved {
        id: SpaceElementId,
    },
    /// The space was deleted.
    Closed,
    /// The space's tile effects, whole, as they are now.
    EffectsChanged {
        effects: gather_core::EffectsSpec,
    },
    /// A moderator removed `user` (kicked, or `banned` too).
    Removed {
        user: UserId,
        banned: bool,
    },
    /// A moderator muted `user`'s media.
    MediaMuted {
        user: UserId,
    },
}

/// A piece of furniture just placed in a space, with all a room needs to show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacedElement {
    pub id: SpaceElementId,
    pub element_id: gather_core::ElementId,
    pub image_url: String,
    pub x: i64,
    pub y: i64,
    pub width: u32,
    pub height: u32,
    pub solid: bool,
}
