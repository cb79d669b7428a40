//! The [`Bus`] over the node link: news about a space goes to whichever node owns it.

use std::sync::Arc;

use async_trait::async_trait;
use gather_bus::{Bus, BusError, LocalBus, SpaceNotice, Subscription};
use gather_core::SpaceId;
use gather_protocol::node::NodeMessage;

use super::{notice_to_node, Cluster};

pub struct ClusterBus {
    cluster: Arc<Cluster>,
    /// The rooms this node owns subscribe here.
    local: Arc<LocalBus>,
}

impl ClusterBus {
    pub fn new(cluster: Arc<Cluster>, local: Arc<LocalBus>) -> Self {
        Self { cluster, local }
    }
}

#[async_trait]
impl Bus for ClusterBus {
    async fn publish(&self, space: SpaceId, notice: SpaceNotice) -> Result<(), BusError> {
        let owner = self
            .cluster
            .link()
            .owner(&space.to_string())
            .await
            .map_err(|e| BusError::Unavailable(e.to_string()))?;
        match owner {
            // Nobody owns it: nobody is in it.
            None => Ok(()),
            Some(owner) if owner == self.cluster.node() => self.local.publish(space, notice).await,
            Some(owner) => {
                let notice = notice_to_node(notice);
                self.cluster.send(&owner, &NodeMessage::Notice { space, notice });
                Ok(())
            }
        }
    }

    async fn subscribe(&self, space: SpaceId) -> Result<Subscription, BusError> {
        self.local.subscribe(space).await
    }
}
