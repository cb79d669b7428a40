//! Counters the server can export. Relaxed atomics: each is read on its own.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Stats {
    /// People joined to media now (gauge).
    pub clients: AtomicU64,
    /// Sessions with ICE and DTLS up now (gauge).
    pub peer_connections: AtomicU64,
    /// Media frames received from senders.
    pub frames_received: AtomicU64,
    /// Media frames forwarded to receivers (one per receiver).
    pub frames_forwarded: AtomicU64,
    /// Payload bytes forwarded to receivers.
    pub bytes_forwarded: AtomicU64,
    /// Keyframe requests (PLI) sent to senders.
    pub keyframe_requests: AtomicU64,
    /// Sessions that did not connect in time.
    pub connect_failures: AtomicU64,
    /// Sessions dropped because their event queue was full or gone.
    pub dropped_slow: AtomicU64,
}

impl Stats {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn sub(counter: &AtomicU64, n: u64) {
        counter.fetch_sub(n, Ordering::Relaxed);
    }

    /// Reads a counter.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}
