//! The lease that makes a node the owner of a live space, kept by a task of its own beside
//! the room: a call to the link may wait for seconds while Redis is away, and the room
//! must keep serving its members meanwhile.

use std::sync::Arc;

use gather_core::SpaceId;
use tokio::sync::oneshot;

use crate::cluster::{Cluster, LEASE_TTL};

/// Renews the space's lease every third of its lifetime until `lost`'s receiver is
/// dropped (the room closed); tells the room when another node holds the lease. The link
/// being away is not a loss: the lease is tried again at the next tick, and reclaimed if
/// the link came back empty.
pub async fn keep(cluster: Arc<Cluster>, space: SpaceId, mut lost: oneshot::Sender<()>) {
    let key = space.to_string();
    let mut tick = tokio::time::interval(LEASE_TTL / 3);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = lost.closed() => return,
        }
        let held = match cluster.link().renew(&key, LEASE_TTL).await {
            Ok(false) => cluster.link().claim(&key, LEASE_TTL).await.map(|owner| owner == cluster.node()),
            other => other,
        };
        match held {
            Ok(true) => {}
            Ok(false) => {
                let _ = lost.send(());
                return;
            }
            Err(e) => tracing::warn!(%space, error = %e, "could not renew the space's lease"),
        }
    }
}

/// Claims the space's lease for this node; the holder either way.
pub async fn claim(cluster: &Cluster, space: SpaceId) -> Result<String, gather_bus::LinkError> {
    cluster.link().claim(&space.to_string(), LEASE_TTL).await
}

/// Gives the lease up, in the background: the room is already gone.
pub fn release(cluster: Arc<Cluster>, space: SpaceId) {
    tokio::spawn(async move {
        if let Err(e) = cluster.link().release(&space.to_string()).await {
            tracing::warn!(%space, error = %e, "could not release the space's lease");
        }
    });
}
