//! The writer task of one socket: sends queued frames in batches (one flush for all frames
//! queued together), pings the client, and sends the close frame when asked.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::stream::SplitSink;
use futures_util::SinkExt;

use crate::rooms::{CloseReason, OutboxReceiver};

/// Frames written per flush at most, so a long queue still interleaves with pings.
const BATCH: usize = 64;

pub async fn run(mut sink: SplitSink<WebSocket, Message>, mut outbox: OutboxReceiver, ping_every: Duration) {
    let mut ping = tokio::time::interval(ping_every);
    ping.reset(); // The first tick would fire at once; the socket is fresh.
    let mut batch = Vec::with_capacity(BATCH);
    let reason = loop {
        tokio::select! {
            biased;
            closing = outbox.closing.changed() => {
                let reason = if closing.is_ok() { *outbox.closing.borrow() } else { None };
                // Frames queued before the close (such as the error that explains it) go first.
                while let Ok(frame) = outbox.frames.try_recv() {
                    batch.push(frame);
                }
                if write_batch(&mut sink, &mut batch).await.is_err() {
                    return;
                }
                break reason;
            }
            count = outbox.frames.recv_many(&mut batch, BATCH) => {
                if count == 0 {
                    break *outbox.closing.borrow();
                }
                if write_batch(&mut sink, &mut batch).await.is_err() {
                    return;
                }
            }
            _ = ping.tick() => {
                if sink.send(Message::Ping(Default::default())).await.is_err() {
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
    batch: &mut Vec<bytes::Bytes>,
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
