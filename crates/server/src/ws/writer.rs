//! The writer task of one socket: sends queued frames in batches (one flush for all frames
//! queued since the last write), pings the client, and sends the close frame when asked.
//!
//! It counts every frame it writes and keeps the last few in a [`SentLog`]: when the socket
//! drops, the connection may park its membership, and a client that comes back says how
//! many frames it got, so the ones lost in flight can be sent again.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use bytes::Bytes;
use futures_util::stream::SplitSink;
use futures_util::SinkExt;
use prometheus::IntGauge;
use tokio::sync::oneshot;
use tokio::time::MissedTickBehavior;

use crate::rooms::{CloseReason, OutboxReceiver};
use crate::saturation::Saturation;

/// How many frames a socket has been sent, and the last of them: none until the socket
/// joins with a resume key (see [`SentLog::keeping`]), so clients that never resume cost
/// nothing but the count.
pub struct SentLog {
    written: u64,
    recent: VecDeque<Bytes>,
    recent_bytes: usize,
    /// How many frames to keep; set by the connection, read here.
    keep: Arc<AtomicUsize>,
    /// Frames kept by every log of the node (`gather_ws_replay_kept_frames`).
    kept_on_node: IntGauge,
}

/// Most bytes of frames kept for one socket, however many frames that is.
const MAX_KEPT_BYTES: usize = 256 * 1024;

impl SentLog {
    pub fn new(kept_on_node: IntGauge) -> Self {
        Self { written: 0, recent: VecDeque::new(), recent_bytes: 0, keep: Arc::default(), kept_on_node }
    }

    /// Where the connection says how many of the last frames to keep.
    pub fn keeping(&self) -> Arc<AtomicUsize> {
        self.keep.clone()
    }

    fn record(&mut self, frame: &Bytes) {
        self.written += 1;
        let keep = self.keep.load(Ordering::Relaxed);
        if keep == 0 {
            return;
        }
        self.recent.push_back(frame.clone());
        self.recent_bytes += frame.len();
        let mut dropped = 0;
        while self.recent.len() > keep || (self.recent_bytes > MAX_KEPT_BYTES && self.recent.len() > 1) {
            if let Some(old) = self.recent.pop_front() {
                self.recent_bytes -= old.len();
                dropped += 1;
            }
        }
        // Once the log is full, one in and one out: the node's gauge (shared by every
        // writer) is left alone on this per-frame path.
        if dropped != 1 {
            self.kept_on_node.add(1 - dropped);
        }
    }

    #[cfg(test)]
    pub fn written(&self) -> u64 {
        self.written
    }

    /// The frames after the first `received`, if they are all still kept.
    pub fn since(&self, received: u64) -> Option<Vec<Bytes>> {
        let missed = usize::try_from(self.written.checked_sub(received)?).ok()?;
        if missed > self.recent.len() {
            return None;
        }
        Some(self.recent.iter().skip(self.recent.len() - missed).cloned().collect())
    }
}

impl Drop for SentLog {
    fn drop(&mut self) {
        self.kept_on_node.sub(self.recent.len() as i64);
    }
}

/// What a writer hands back when it stops before a close: the queue (which lives on), its
/// log, and the socket's sending half (dead, or reused by a resume on the same socket).
pub struct Detached {
    pub outbox: OutboxReceiver,
    pub log: SentLog,
    pub sink: SplitSink<WebSocket, Message>,
}

/// A running writer, and the way to take its queue back.
pub struct Writer {
    pub task: tokio::task::JoinHandle<Option<Detached>>,
    detach: Option<oneshot::Sender<()>>,
}

impl Writer {
    /// Starts writing `outbox` to `sink`: first `first` (not counted: they were counted
    /// when first sent, or are not part of the stream), then whatever is queued.
    pub fn start(
        sink: SplitSink<WebSocket, Message>,
        outbox: OutboxReceiver,
        log: SentLog,
        first: Vec<Bytes>,
        ping_every: Duration,
        saturation: Arc<Saturation>,
    ) -> Self {
        let (detach, detached) = oneshot::channel();
        let task = tokio::spawn(run(sink, outbox, log, first, ping_every, saturation, detached));
        Self { task, detach: Some(detach) }
    }

    /// Stops writing and hands back the queue, the log and the sink, unless the writer has
    /// already ended with a close (then there is nothing to take over).
    pub async fn detach(mut self, within: Duration) -> Option<Detached> {
        if let Some(detach) = self.detach.take() {
            let _ = detach.send(());
        }
        match tokio::time::timeout(within, &mut self.task).await {
            Ok(Ok(detached)) => detached,
            Ok(Err(_)) => None,
            Err(_) => {
                self.task.abort();
                None
            }
        }
    }

    /// Waits for the writer to say goodbye, then ends it: a client that stopped reading can
    /// hold a write open forever.
    pub async fn finish(mut self, within: Duration) {
        // Dropped, the detach sender would read as a request to stop at once.
        let _keep = self.detach.take();
        if tokio::time::timeout(within, &mut self.task).await.is_err() {
            self.task.abort();
        }
    }
}

async fn run(
    mut sink: SplitSink<WebSocket, Message>,
    outbox: OutboxReceiver,
    mut log: SentLog,
    first: Vec<Bytes>,
    ping_every: Duration,
    saturation: Arc<Saturation>,
    detached: oneshot::Receiver<()>,
) -> Option<Detached> {
    let OutboxReceiver { frames, mut closing } = outbox;
    let give_back =
        |frames, closing, log, sink| Some(Detached { outbox: OutboxReceiver { frames, closing }, log, sink });
    let mut ping = tokio::time::interval(ping_every);
    ping.reset(); // The first tick would fire at once; the socket is fresh.
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut batch: VecDeque<Bytes> = first.into();
    tokio::pin!(detached);
    let written = tokio::select! {
        written = write_batch(&mut sink, &mut batch) => written,
        _ = &mut detached => return give_back(frames, closing, log, sink),
    };
    if written.is_err() {
        return give_back(frames, closing, log, sink);
    }
    // One wait for a close request for the socket's whole life, not a new one per batch.
    let reason = {
        let close_requested = closing.changed();
        tokio::pin!(close_requested);
        loop {
            tokio::select! {
                biased;
                _ = &mut detached => break None,
                _ = &mut close_requested => {
                    let reason = frames.close_reason();
                    // Frames queued before the close (such as the error that explains it) go
                    // first; a reader cut off for being too slow would only choke on them.
                    frames.take_now(&mut batch);
                    if reason == Some(CloseReason::TOO_SLOW) {
                        batch.clear();
                    }
                    batch.iter().for_each(|frame| log.record(frame));
                    let _ = write_batch(&mut sink, &mut batch).await;
                    break Some(reason);
                }
                // Before frames: in a busy space frames are always ready, and a client that
                // only listens must still be pinged, or its silence would look like a dead
                // socket.
                _ = ping.tick() => {
                    if sink.send(Message::Ping(Default::default())).await.is_err() {
                        break None;
                    }
                }
                more = frames.ready() => {
                    if !more {
                        break Some(frames.close_reason());
                    }
                    match saturation.write_delay() {
                        // Saturated: gather several frames per write (see `saturation`).
                        Some(linger) => tokio::time::sleep(linger).await,
                        // Let the other ready tasks run first: frames they queue here go in
                        // the same write. When the server is idle this costs microseconds.
                        None => tokio::task::yield_now().await,
                    }
                    frames.take_now(&mut batch);
                    // Counted before they are written: a frame lost in a write that fails
                    // is one the client has not seen, and can be sent again.
                    batch.iter().for_each(|frame| log.record(frame));
                    let failed = tokio::select! {
                        written = write_batch(&mut sink, &mut batch) => written.is_err(),
                        _ = &mut detached => true,
                    };
                    if failed {
                        break None;
                    }
                }
            }
        }
    };
    let Some(reason) = reason else {
        // The socket is gone (or the connection took the queue back): the queue lives on.
        return give_back(frames, closing, log, sink);
    };
    let close = reason
        .map(|CloseReason { code, reason }| CloseFrame { code, reason: Utf8Bytes::from_static(reason) });
    let _ = sink.send(Message::Close(close)).await;
    let _ = sink.close().await;
    None
}

async fn write_batch(
    sink: &mut SplitSink<WebSocket, Message>,
    batch: &mut VecDeque<Bytes>,
) -> Result<(), axum::Error> {
    if batch.is_empty() {
        return Ok(());
    }
    for frame in batch.drain(..) {
        // Rooms only queue serde_json output, which is always UTF-8.
        match Utf8Bytes::try_from(frame) {
            Ok(text) => sink.feed(Message::Text(text)).await?,
            Err(e) => tracing::error!(error = %e, "dropping a frame that is not UTF-8"),
        }
    }
    sink.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gauge() -> IntGauge {
        IntGauge::new("kept", "frames kept").unwrap()
    }

    #[test]
    fn the_log_keeps_a_bounded_number_of_bytes() {
        let kept = gauge();
        let mut log = SentLog::new(kept.clone());
        log.keeping().store(1000, Ordering::Relaxed);
        for _ in 0..10 {
            log.record(&Bytes::from(vec![0; MAX_KEPT_BYTES / 4]));
        }
        assert_eq!(log.since(6).map(|f| f.len()), Some(4));
        assert_eq!(log.since(5), None);
        assert_eq!(kept.get(), 4, "the node's gauge counts what is kept");
        drop(log);
        assert_eq!(kept.get(), 0, "and lets go of it with the log");
    }

    #[test]
    fn the_log_hands_back_what_a_client_missed_while_it_still_has_it() {
        let kept = gauge();
        let mut log = SentLog::new(kept.clone());
        log.record(&Bytes::from_static(b"before keeping"));
        log.keeping().store(3, Ordering::Relaxed);
        for n in 1..=5u8 {
            log.record(&Bytes::from(vec![n]));
        }
        assert_eq!(log.written(), 6, "every frame counts");
        assert_eq!(log.since(6), Some(vec![]));
        assert_eq!(log.since(4), Some(vec![Bytes::from(vec![4]), Bytes::from(vec![5])]));
        assert_eq!(log.since(3).map(|f| f.len()), Some(3));
        assert_eq!(log.since(2), None, "frame 3 is no longer kept");
        assert_eq!(log.since(7), None, "more than was ever sent");
        assert_eq!(kept.get(), 3);
    }
}
