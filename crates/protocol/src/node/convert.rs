//! The core's values to and from the node protocol's. Every mapping is spelled out, so a
//! change in the core shows up here as a compile error, not as a silent change on the wire.

use gather_core::{ChatError, Event, JoinError, MoveRejection, Outgoing, Position};

use super::{Audience, ChatRefusal, JoinRefusal, Placed, Rejection, SpaceEvent, Tile};

impl From<Position> for Tile {
    fn from(p: Position) -> Self {
        Self { x: p.x, y: p.y }
    }
}

impl From<Tile> for Position {
    fn from(t: Tile) -> Self {
        Position::new(t.x, t.y)
    }
}

impl From<&gather_core::Audience> for Audience {
    fn from(audience: &gather_core::Audience) -> Self {
        match audience {
            gather_core::Audience::Only(user) => Self::Only { user: *user },
            gather_core::Audience::AllExcept(user) => Self::AllExcept { user: *user },
            gather_core::Audience::Users(users) => Self::Users { users: users.clone() },
        }
    }
}

impl From<Audience> for gather_core::Audience {
    fn from(audience: Audience) -> Self {
        match audience {
            Audience::Only { user } => Self::Only(user),
            Audience::AllExcept { user } => Self::AllExcept(user),
            Audience::Users { users } => Self::Users(users),
        }
    }
}

impl From<MoveRejection> for Rejection {
    fn from(reason: MoveRejection) -> Self {
        match reason {
            MoveRejection::OutOfBounds => Self::OutOfBounds,
            MoveRejection::NotOneStep => Self::NotOneStep,
            MoveRejection::Solid => Self::Solid,
            MoveRejection::Occupied => Self::Occupied,
            MoveRejection::Locked => Self::Locked,
        }
    }
}

impl From<Rejection> for MoveRejection {
    fn from(reason: Rejection) -> Self {
        match reason {
            Rejection::OutOfBounds => Self::OutOfBounds,
            Rejection::NotOneStep => Self::NotOneStep,
            Rejection::Solid => Self::Solid,
            Rejection::Occupied => Self::Occupied,
            Rejection::Locked => Self::Locked,
        }
    }
}

impl From<&Event> for SpaceEvent {
    fn from(event: &Event) -> Self {
        match event {
            Event::Entered { user, spawn, others } => Self::Entered {
                user: *user,
                spawn: (*spawn).into(),
                others: others.iter().map(|(user, at)| Placed { user: *user, at: (*at).into() }).collect(),
            },
            Event::Joined { user, at } => Self::Joined { user: *user, at: (*at).into() },
            Event::Moved { user, to } => Self::Moved { user: *user, to: (*to).into() },
            Event::MoveRejected { user, at, reason } => {
                Self::MoveRejected { user: *user, at: (*at).into(), reason: (*reason).into() }
            }
            Event::Left { user } => Self::Left { user: *user },
            Event::Appeared { user, at } => Self::Appeared { user: *user, at: (*at).into() },
            Event::Disappeared { user } => Self::Disappeared { user: *user },
            Event::Teleported { user, to } => Self::Teleported { user: *user, to: (*to).into() },
            Event::PortalReached { user, space, spawn } => {
                Self::PortalReached { user: *user, space: *space, spawn: spawn.clone() }
            }
            Event::Knocked { user, area } => Self::Knocked { user: *user, area: area.clone() },
        }
    }
}

impl From<SpaceEvent> for Event {
    fn from(event: SpaceEvent) -> Self {
        match event {
            SpaceEvent::Entered { user, spawn, others } => Self::Entered {
                user,
                spawn: spawn.into(),
                others: others.into_iter().map(|p| (p.user, p.at.into())).collect(),
            },
            SpaceEvent::Joined { user, at } => Self::Joined { user, at: at.into() },
            SpaceEvent::Moved { user, to } => Self::Moved { user, to: to.into() },
            SpaceEvent::MoveRejected { user, at, reason } => {
                Self::MoveRejected { user, at: at.into(), reason: reason.into() }
            }
            SpaceEvent::Left { user } => Self::Left { user },
            SpaceEvent::Appeared { user, at } => Self::Appeared { user, at: at.into() },
            SpaceEvent::Disappeared { user } => Self::Disappeared { user },
            SpaceEvent::Teleported { user, to } => Self::Teleported { user, to: to.into() },
            SpaceEvent::PortalReached { user, space, spawn } => Self::PortalReached { user, space, spawn },
            SpaceEvent::Knocked { user, area } => Self::Knocked { user, area },
        }
    }
}

/// An outgoing event as the owner sends it to other nodes.
pub fn event_of(out: &Outgoing) -> (Audience, SpaceEvent) {
    ((&out.audience).into(), (&out.event).into())
}

impl From<JoinError> for JoinRefusal {
    fn from(error: JoinError) -> Self {
        match error {
            JoinError::Full => Self::Full,
            // Rooms replace a user who is already present, so this does not happen.
            JoinError::AlreadyPresent => Self::Unavailable,
        }
    }
}

impl From<ChatError> for ChatRefusal {
    fn from(error: ChatError) -> Self {
        match error {
            ChatError::SenderAbsent => Self::SenderAbsent,
            ChatError::NoRecipient => Self::NoRecipient,
            ChatError::RecipientAbsent => Self::RecipientAbsent,
            ChatError::ToSelf => Self::ToSelf,
        }
    }
}

impl From<ChatRefusal> for ChatError {
    fn from(refusal: ChatRefusal) -> Self {
        match refusal {
            ChatRefusal::SenderAbsent => Self::SenderAbsent,
            ChatRefusal::NoRecipient => Self::NoRecipient,
            ChatRefusal::RecipientAbsent => Self::RecipientAbsent,
            ChatRefusal::ToSelf => Self::ToSelf,
        }
    }
}
