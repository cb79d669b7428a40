//! The rules of a Gather space, free of I/O: ids, geometry, where furniture may stand and
//! who may step where. Everything here is plain values in, plain values out, so the rules
//! are unit-tested without a runtime; storage, HTTP and sockets are adapters around it.

pub mod access;
pub mod chat;
pub mod effects;
pub mod geometry;
pub mod hearing;
pub mod ids;
pub mod interest;
pub mod layout;
pub mod live;
pub mod role;
pub mod slots;
pub mod space;
pub mod username;
pub mod visibility;

pub use access::{may_enter, EntryRefusal, SpaceAccess, SpaceAction, SpaceRole};
pub use chat::{ChatError, ChatScope, ChatText, ChatTextError};
pub use effects::{Effects, EffectsError, EffectsSpec, Portal, PrivateArea, Spawn, MAX_EFFECT_ENTRIES};
pub use geometry::{Dimensions, DimensionsError, Footprint, Position};
pub use hearing::{Hearing, HearingRules, Link};
pub use ids::{AvatarId, ChatMessageId, ElementId, MapId, SessionId, SpaceElementId, SpaceId, UserId};
pub use interest::Interest;
pub use layout::{Layout, PlacementError};
pub use live::LiveSpace;
pub use role::Role;
pub use slots::{Rebind, Slots};
pub use space::{Audience, Command, Event, JoinError, MoveRejection, Outgoing, Space};
pub use username::{username_key, Username, UsernameError};
pub use visibility::Visibility;
