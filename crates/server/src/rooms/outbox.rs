//! A connection's mailbox: a bounded queue of encoded frames plus a close signal. Rooms hold
//! a clone per member and never wait on it: a full queue means the reader is too slow.

use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::{mpsc, watch};

/// Why the server closes a socket: a WebSocket close code and a short reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloseReason {
    pub code: u16,
    pub reason: &'static str,
}

impl CloseReason {
    pub const SHUTDOWN: Self = Self { code: 1001, reason: "server-shutdown" };
    pub const TOO_BIG: Self = Self { code: 1009, reason: "frame-too-large" };
    pub const IDLE: Self = Self { code: 4000, reason: "idle-timeout" };
    pub const REPLACED: Self = Self { code: 4001, reason: "replaced" };
    pub const SPACE_CLOSED: Self = Self { code: 4002, reason: "space-closed" };
    pub const TOO_SLOW: Self = Self { code: 4003, reason: "too-slow" };
    pub const SESSION_REVOKED: Self = Self { code: 4004, reason: "session-revoked" };
    /// The space moved to another node; reconnect and join again.
    pub const MOVED: Self = Self { code: 4005, reason: "space-moved" };

    /// The reason a close code stands for, when another node asks for it by code.
    pub fn from_code(code: u16) -> Self {
        [Self::SHUTDOWN, Self::TOO_BIG, Self::IDLE, Self::REPLACED, Self::SPACE_CLOSED, Self::TOO_SLOW]
            .into_iter()
            .chain([Self::SESSION_REVOKED, Self::MOVED])
            .find(|reason| reason.code == code)
            .unwrap_or(Self::MOVED)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undelivered {
    /// The queue is full: the client is not reading.
    Full,
    /// The connection is gone.
    Closed,
}

#[derive(Clone)]
pub struct Outbox {
    frames: mpsc::Sender<Bytes>,
    closer: Arc<watch::Sender<Option<CloseReason>>>,
}

/// The connection's end of its [`Outbox`].
pub struct OutboxReceiver {
    pub frames: mpsc::Receiver<Bytes>,
    pub closing: watch::Receiver<Option<CloseReason>>,
}

impl Outbox {
    pub fn new(capacity: usize) -> (Self, OutboxReceiver) {
        let (frames, frames_rx) = mpsc::channel(capacity);
        let (closer, closing) = watch::channel(None);
        (Self { frames, closer: Arc::new(closer) }, OutboxReceiver { frames: frames_rx, closing })
    }

    /// Queues a frame without waiting.
    pub fn try_send(&self, frame: Bytes) -> Result<(), Undelivered> {
        self.frames.try_send(frame).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => Undelivered::Full,
            mpsc::error::TrySendError::Closed(_) => Undelivered::Closed,
        })
    }

    /// Asks the connection to close after the frames already queued. The first reason wins.
    pub fn close(&self, reason: CloseReason) {
        self.closer.send_if_modified(|current| {
            let first = current.is_none();
            if first {
                *current = Some(reason);
            }
            first
        });
    }

    /// Resolves once someone has asked this connection to close.
    pub fn closing(&self) -> watch::Receiver<Option<CloseReason>> {
        self.closer.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_outbox_says_so_instead_of_waiting() {
        let (outbox, mut rx) = Outbox::new(1);
        assert_eq!(outbox.try_send(Bytes::from_static(b"1")), Ok(()));
        assert_eq!(outbox.try_send(Bytes::from_static(b"2")), Err(Undelivered::Full));
        assert_eq!(rx.frames.try_recv().unwrap(), Bytes::from_static(b"1"));
        drop(rx);
        assert_eq!(outbox.try_send(Bytes::from_static(b"3")), Err(Undelivered::Closed));
    }

    #[test]
    fn the_first_close_reason_wins() {
        let (outbox, rx) = Outbox::new(1);
        outbox.close(CloseReason::TOO_SLOW);
        outbox.close(CloseReason::SHUTDOWN);
        assert_eq!(*rx.closing.borrow(), Some(CloseReason::TOO_SLOW));
    }
}
