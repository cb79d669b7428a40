//! Counters the server can export. Relaxed atomics: each is read on its own.

use std::sync::atomic::{AtomicU64, Ordering};

/// The relay's counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatsSnapshot {
    /// People joined to media now (gauge).
    pub clients: u64,
    /// Sessions with ICE and DTLS up now (gauge).
    pub peer_connections: u64,
    /// Media frames received from senders.
    pub frames_received: u64,
    /// Media frames forwarded to receivers (one per receiver).
    pub frames_forwarded: u64,
    /// Payload bytes forwarded to receivers.
    pub bytes_forwarded: u64,
    /// Keyframe requests (PLI) sent to senders.
    pub keyframe_requests: u64,
    /// Sessions that did not connect in time.
    pub connect_failures: u64,
    /// Sessions dropped because their event queue was full or gone.
    pub dropped_slow: u64,
    /// UDP datagrams received and sent (media, RTCP, STUN, DTLS).
    pub datagrams_in: u64,
    pub datagrams_out: u64,
    /// Receive slots bound to a sender's track now (gauge): the tracks being forwarded.
    pub bound_slots: u64,
}

/// The live counters, shared by the relay task and its handles.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) clients: AtomicU64,
    pub(crate) peer_connections: AtomicU64,
    pub(crate) frames_received: AtomicU64,
    pub(crate) frames_forwarded: AtomicU64,
    pub(crate) bytes_forwarded: AtomicU64,
    pub(crate) keyframe_requests: AtomicU64,
    pub(crate) connect_failures: AtomicU64,
    pub(crate) dropped_slow: AtomicU64,
    pub(crate) datagrams_in: AtomicU64,
    pub(crate) datagrams_out: AtomicU64,
    pub(crate) bound_slots: AtomicU64,
}

impl Stats {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn sub(counter: &AtomicU64, n: u64) {
        counter.fetch_sub(n, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> StatsSnapshot {
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        StatsSnapshot {
            clients: get(&self.clients),
            peer_connections: get(&self.peer_connections),
            frames_received: get(&self.frames_received),
            frames_forwarded: get(&self.frames_forwarded),
            bytes_forwarded: get(&self.bytes_forwarded),
            keyframe_requests: get(&self.keyframe_requests),
            connect_failures: get(&self.connect_failures),
            dropped_slow: get(&self.dropped_slow),
            datagrams_in: get(&self.datagrams_in),
            datagrams_out: get(&self.datagrams_out),
            bound_slots: get(&self.bound_slots),
        }
    }
}
