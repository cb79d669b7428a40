//! The bus carries news about a space from wherever it happens (an HTTP request changing
//! furniture, a space being deleted) to the room that runs the space live, wherever that
//! room is. [`LocalBus`] serves one process; a networked bus can implement [`Bus`] for
//! several nodes without the publishers or the rooms changing. Between nodes, messages go
//! over a [`NodeLink`]: Redis, or a [`LinkHub`] for nodes in one process.

mod in_process;
mod link;
mod local;
#[cfg(feature = "redis")]
pub mod redis;

use async_trait::async_trait;
use gather_core::{ElementId, Footprint, SpaceElementId, SpaceId};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

pub use in_process::{InProcessLink, LinkHub};
pub use link::{Inbound, LinkError, NodeLink, Uptime};
pub use local::LocalBus;
#[cfg(feature = "redis")]
pub use redis::RedisLink;

/// A piece of furniture that has just been placed, with all a room needs to show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacedPiece {
    pub id: SpaceElementId,
    pub element_id: ElementId,
    pub image_url: String,
    pub footprint: Footprint,
    pub solid: bool,
}

/// News about one space.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SpaceNotice {
    ElementAdded(PlacedPiece),
    ElementRemoved(SpaceElementId),
    /// The space was deleted: everyone inside must be told and let go.
    Closed,
    /// The space's tile effects, whole, as they are now (already checked against its size).
    EffectsChanged(gather_core::EffectsSpec),
    /// A moderator removed someone (kicked; or banned, which the store already keeps).
    Removed {
        user: gather_core::UserId,
        banned: bool,
    },
    /// A moderator muted someone's voice and video.
    MediaMuted(gather_core::UserId),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BusError {
    #[error("the bus is unavailable: {0}")]
    Unavailable(String),
}

/// Why [`Subscription::recv`] returned no notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missed {
    /// The subscriber fell behind and this many notices were dropped; it should reload the
    /// space from the store to be sure of its state.
    Lagged(u64),
    /// The bus is gone; no further notices will come.
    Closed,
}

/// A stream of notices for one space. Dropping it unsubscribes.
pub struct Subscription {
    receiver: broadcast::Receiver<SpaceNotice>,
}

impl Subscription {
    pub fn new(receiver: broadcast::Receiver<SpaceNotice>) -> Self {
        Self { receiver }
    }

    pub async fn recv(&mut self) -> Result<SpaceNotice, Missed> {
        self.receiver.recv().await.map_err(|e| match e {
            broadcast::error::RecvError::Lagged(n) => Missed::Lagged(n),
            broadcast::error::RecvError::Closed => Missed::Closed,
        })
    }
}

#[async_trait]
pub trait Bus: Send + Sync {
    /// Delivers to every current subscriber of `space`; with none, the notice is dropped
    /// (nobody is in the space to care).
    async fn publish(&self, space: SpaceId, notice: SpaceNotice) -> Result<(), BusError>;
    async fn subscribe(&self, space: SpaceId) -> Result<Subscription, BusError>;
}
