//! The in-process bus: one broadcast channel per space with subscribers.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use gather_core::SpaceId;
use tokio::sync::broadcast;

use crate::{Bus, BusError, SpaceNotice, Subscription};

/// Notices a slow room may fall behind by before it is told it lagged (and reloads).
const BACKLOG: usize = 256;

#[derive(Default)]
pub struct LocalBus {
    // std Mutex: held only to look up or insert a sender, never across an await.
    topics: Mutex<HashMap<SpaceId, broadcast::Sender<SpaceNotice>>>,
}

impl LocalBus {
    pub fn new() -> Self {
        Self::default()
    }

    /// [`Bus::publish`] without the future: it never waits, so callers that must not
    /// (a node link's reader) can use it directly.
    pub fn publish_now(&self, space: SpaceId, notice: SpaceNotice) {
        let mut topics = self.topics.lock().expect("bus lock poisoned");
        if let Some(sender) = topics.get(&space) {
            if sender.send(notice).is_err() {
                // Every subscriber is gone: forget the topic so the map does not grow.
                topics.remove(&space);
            }
        }
    }
}

#[async_trait]
impl Bus for LocalBus {
    async fn publish(&self, space: SpaceId, notice: SpaceNotice) -> Result<(), BusError> {
        self.publish_now(space, notice);
        Ok(())
    }

    async fn subscribe(&self, space: SpaceId) -> Result<Subscription, BusError> {
        let mut topics = self.topics.lock().expect("bus lock poisoned");
        let sender = topics.entry(space).or_insert_with(|| broadcast::channel(BACKLOG).0);
        Ok(Subscription::new(sender.subscribe()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Missed;
    use gather_core::SpaceElementId;

    #[tokio::test]
    async fn subscribers_of_a_space_get_its_notices_and_only_its_notices() {
        let bus = LocalBus::new();
        let (a, b) = (SpaceId::new(), SpaceId::new());
        let mut sub_a = bus.subscribe(a).await.unwrap();
        let mut sub_a2 = bus.subscribe(a).await.unwrap();
        let mut sub_b = bus.subscribe(b).await.unwrap();
        let removed = SpaceNotice::ElementRemoved(SpaceElementId::new());
        bus.publish(a, removed.clone()).await.unwrap();
        bus.publish(b, SpaceNotice::Closed).await.unwrap();
        assert_eq!(sub_a.recv().await, Ok(removed.clone()));
        assert_eq!(sub_a2.recv().await, Ok(removed));
        assert_eq!(sub_b.recv().await, Ok(SpaceNotice::Closed));
    }

    #[tokio::test]
    async fn publishing_without_subscribers_is_fine_and_forgets_the_topic() {
        let bus = LocalBus::new();
        let space = SpaceId::new();
        drop(bus.subscribe(space).await.unwrap());
        bus.publish(space, SpaceNotice::Closed).await.unwrap();
        assert!(bus.topics.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_is_told_it_lagged() {
        let bus = LocalBus::new();
        let space = SpaceId::new();
        let mut sub = bus.subscribe(space).await.unwrap();
        for _ in 0..BACKLOG + 3 {
            bus.publish(space, SpaceNotice::Closed).await.unwrap();
        }
        assert_eq!(sub.recv().await, Err(Missed::Lagged(3)));
        assert_eq!(sub.recv().await, Ok(SpaceNotice::Closed));
    }
}
