//! Memberships whose socket dropped without a goodbye, kept for a grace period so that the
//! client can `resume` them: the room never hears of the blip, so nobody sees the person
//! leave and come back, and the frames meant for them wait in their queue. Past the grace
//! period the membership is dropped, which is an ordinary leave.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gather_core::{SpaceId, UserId};

use super::quota::SocketSlot;
use super::writer::Detached;
use crate::rooms::{Membership, Outbox};

/// Everything of a connection that outlives its socket.
pub struct Parked {
    pub space: SpaceId,
    pub membership: Membership,
    pub slot: Option<SocketSlot>,
    /// The queue the room writes to, and the writer's end of it with its log.
    pub outbox: Outbox,
    pub detached: Detached,
    pub username: String,
    /// The password grant of the join, should the resume have to join afresh.
    pub grant: Option<String>,
}

/// The parked memberships of this node, by user and the key the client chose.
pub struct ParkedMembers {
    grace: Duration,
    entries: Mutex<HashMap<(UserId, String), (u64, Parked)>>,
    next: std::sync::atomic::AtomicU64,
    gauge: prometheus::IntGauge,
}

impl ParkedMembers {
    pub fn new(grace: Duration, gauge: prometheus::IntGauge) -> Arc<Self> {
        Arc::new(Self { grace, entries: Mutex::default(), next: Default::default(), gauge })
    }

    pub fn enabled(&self) -> bool {
        !self.grace.is_zero()
    }

    /// Keeps `parked` for the grace period. Parking under a key already in use ends the
    /// older membership (the client made a new one with the same key).
    pub fn park(self: &Arc<Self>, user: UserId, key: String, parked: Parked) {
        let generation = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let older = self.lock().insert((user, key.clone()), (generation, parked));
        self.gauge.set(self.lock().len() as i64);
        drop(older);
        let parked = Arc::downgrade(self);
        let grace = self.grace;
        tokio::spawn(async move {
            tokio::time::sleep(grace).await;
            if let Some(parked) = parked.upgrade() {
                parked.expire(user, key, generation);
            }
        });
    }

    /// The membership parked under `key`, taken out for a new socket.
    pub fn take(&self, user: UserId, key: &str) -> Option<Parked> {
        let mut entries = self.lock();
        let taken = entries.remove(&(user, key.to_owned())).map(|(_, parked)| parked);
        self.gauge.set(entries.len() as i64);
        taken
    }

    fn expire(&self, user: UserId, key: String, generation: u64) {
        let mut entries = self.lock();
        let key = (user, key);
        if entries.get(&key).is_some_and(|(g, _)| *g == generation) {
            let expired = entries.remove(&key);
            self.gauge.set(entries.len() as i64);
            drop(entries);
            // The leave: the room hears it as it would have at the drop.
            drop(expired);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(UserId, String), (u64, Parked)>> {
        self.entries.lock().expect("parked memberships poisoned")
    }
}
