//! The writer task of one socket: sends queued frames in batches (one flush for all frames
//! queued since the last write), pings the client, and sends the close frame when asked.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::stream::SplitSink;
use futures_util::SinkExt;
use tokio::time::MissedTickBehavior;

use crate::rooms::{CloseReason, OutboxReceiver};
use crate::saturation::Saturation;

pub async fn run(
    mut sink: SplitSink<WebSocket, Message>,
    outbox: OutboxReceiver,
    ping_every: Duration,
    saturation: Arc<Saturation>,
) {
    let OutboxReceiver { frames, mut closing } = outbox;
    let mut ping = tokio::time::interval(ping_every);
    ping.reset(); // The first tick would fire at once; the socket is fresh.
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut batch = VecDeque::new();
    // One wait for a close request for the socket's whole life, not a new one per batch.
    let close_requested = closing.changed();
    tokio::pin!(close_requested);
    let reason = loop {
        tokio::select! {
            biased;
            _ = &mut close_requested => {
                let reason = frames.close_reason();
                // Frames queued before the close (such as the error that explains it) go
                // first; a reader cut off for being too slow would only choke on them.
                frames.take_now(&mut batch);
                if reason == Some(CloseReason::TOO_SLOW) {
                    batch.clear();
                }
                if write_batch(&mut sink, &mut batch).await.is_err() {
                    return;
                }
                break reason;
            }
            // Before frames: in a busy space frames are always ready, and a client that only
            // listens must still be pinged, or its silence would look like a dead socket.
            _ = ping.tick() => {
                if sink.send(Message::Ping(Default::default())).await.is_err() {
                    return;
                }
            }
            more = frames.ready() => {
                if !more {
                    break frames.close_reason();
                }
                match saturation.write_delay() {
                    // Saturated: gather several frames per write (see `saturation`).
                    Some(linger) => tokio::time::sleep(linger).await,
                    // Let the other ready tasks run first: frames they queue here go in the
                    // same write. When the server is idle this costs microseconds.
                    None => tokio::task::yield_now().await,
                }
                frames.take_now(&mut batch);
                if write_batch(&mut sink, &mut batch).await.is_err() {
                    return;
                }
            }
        }
    };
    let close = reason
        .map(|CloseReason { code, reason }| CloseFrame { code, reason: Utf8Bytes::from_static(reason) });
    let _ = sink.send(Message::Close(close)).await;
    let _ = sink.close().await;
}

async fn write_batch(
    sink: &mut SplitSink<WebSocket, Message>,
    batch: &mut VecDeque<bytes::Bytes>,
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
