//! The open connections, capped. At the cap, the connection that has waited longest without
//! a request in flight makes room for the newcomer: an idle or half-sent connection costs a
//! file descriptor and nothing else, so a crowd of them must never lock everyone else out.
//! Only when every connection is busy (or a WebSocket) is a newcomer refused.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::Notify;

#[derive(Clone)]
pub struct ConnectionTable {
    inner: Arc<Inner>,
}

struct Inner {
    capacity: usize,
    // std Mutex: a map update per connection and per request, never held across an await.
    slots: Mutex<Slots>,
}

#[derive(Default)]
struct Slots {
    next_id: u64,
    by_id: HashMap<u64, Slot>,
}

struct Slot {
    in_flight: u32,
    /// Since when nothing is in flight; `None` while a request is.
    idle_since: Option<Instant>,
    /// Became a WebSocket: long-lived by design, never evicted.
    upgraded: bool,
    evict: Arc<Notify>,
}

/// Why a newcomer was not admitted.
#[derive(Debug, PartialEq, Eq)]
pub struct Full;

impl ConnectionTable {
    pub fn new(capacity: usize) -> Self {
        Self { inner: Arc::new(Inner { capacity: capacity.max(1), slots: Mutex::default() }) }
    }

    pub fn capacity(&self) -> usize {
        self.inner.capacity
    }

    /// A place for a new connection, evicting the longest-idle one at the cap.
    pub fn admit(&self, now: Instant) -> Result<Ticket, Full> {
        let mut slots = self.inner.lock();
        if slots.by_id.len() >= self.inner.capacity {
            let oldest_idle = slots
                .by_id
                .iter()
                .filter(|(_, slot)| !slot.upgraded)
                .filter_map(|(id, slot)| slot.idle_since.map(|since| (since, *id)))
                .min();
            let (_, victim) = oldest_idle.ok_or(Full)?;
            // Gone from the table at once, so the count stays under the cap; its task ends
            // the connection when it hears the notice.
            if let Some(slot) = slots.by_id.remove(&victim) {
                slot.evict.notify_one();
            }
        }
        let id = slots.next_id;
        slots.next_id += 1;
        let evict = Arc::new(Notify::new());
        slots
            .by_id
            .insert(id, Slot { in_flight: 0, idle_since: Some(now), upgraded: false, evict: evict.clone() });
        Ok(Ticket { table: self.clone(), id, evict })
    }

    fn update(&self, id: u64, change: impl FnOnce(&mut Slot)) {
        if let Some(slot) = self.inner.lock().by_id.get_mut(&id) {
            change(slot);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock().by_id.len()
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, Slots> {
        self.slots.lock().expect("connection table poisoned")
    }
}

/// One admitted connection's place; given back when dropped (when the socket closes,
/// whether it served HTTP to the end or became a WebSocket).
pub struct Ticket {
    table: ConnectionTable,
    id: u64,
    evict: Arc<Notify>,
}

impl Ticket {
    /// Resolves when the table chose this connection to make room for another.
    pub fn evicted(&self) -> Arc<Notify> {
        self.evict.clone()
    }

    /// A handle for the request path to say when requests start and end.
    pub fn activity(&self) -> Activity {
        Activity { table: self.table.clone(), id: self.id }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.table.inner.lock().by_id.remove(&self.id);
    }
}

#[derive(Clone)]
pub struct Activity {
    table: ConnectionTable,
    id: u64,
}

impl Activity {
    /// Marks a request in flight until the guard drops.
    pub fn busy(&self) -> Busy {
        self.table.update(self.id, |slot| {
            slot.in_flight += 1;
            slot.idle_since = None;
        });
        Busy { activity: self.clone() }
    }

    pub fn upgraded(&self) {
        self.table.update(self.id, |slot| slot.upgraded = true);
    }
}

pub struct Busy {
    activity: Activity,
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.activity.table.update(self.activity.id, |slot| {
            slot.in_flight = slot.in_flight.saturating_sub(1);
            if slot.in_flight == 0 {
                slot.idle_since = Some(Instant::now());
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn at_the_cap_the_longest_idle_connection_makes_room() {
        let table = ConnectionTable::new(2);
        let t0 = Instant::now();
        let first = table.admit(t0).unwrap();
        let _second = table.admit(t0 + Duration::from_secs(1)).unwrap();
        let _third = table.admit(t0 + Duration::from_secs(2)).unwrap();
        assert_eq!(table.len(), 2);
        // The first was evicted: told so, and already out of the table.
        assert!(!table.inner.lock().by_id.contains_key(&first.id));
    }

    #[test]
    fn busy_and_upgraded_connections_are_never_evicted() {
        let table = ConnectionTable::new(2);
        let now = Instant::now();
        let busy = table.admit(now).unwrap();
        let _request = busy.activity().busy();
        let socket = table.admit(now).unwrap();
        socket.activity().upgraded();
        assert_eq!(table.admit(now).err(), Some(Full));
        drop(_request);
        assert!(table.admit(now).is_ok(), "the finished request left its connection idle");
    }

    #[test]
    fn a_closed_connection_gives_its_place_back() {
        let table = ConnectionTable::new(1);
        let ticket = table.admit(Instant::now()).unwrap();
        ticket.activity().upgraded();
        assert!(table.admit(Instant::now()).is_err());
        drop(ticket);
        assert!(table.admit(Instant::now()).is_ok());
    }
}
