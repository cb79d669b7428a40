//! One WebSocket connection: reads frames, turns them into room commands, and answers bad
//! input with `error` frames. Nothing a client sends ends the connection except an
//! oversized frame, silence past the idle timeout, or closing it.

use std::time::{Duration, Instant};

use axum::extract::ws::{Message, WebSocket};
use bytes::Bytes;
use futures_util::StreamExt;
use gather_protocol::{parse_client_frame, ClientFrame, ServerFrame};

use super::rate::TokenBucket;
use super::writer;
use crate::rooms::{CloseReason, Membership, Outbox, RoomJoinError};
use crate::state::AppState;

/// Frames a connection may have queued for it before it counts as too slow to keep up.
const OUTBOX_CAPACITY: usize = 256;
/// Inbound frames: a generous burst, then a steady rate well above human key repeat.
const FRAME_BURST: u32 = 60;
const FRAMES_PER_SECOND: u32 = 30;
/// How long a closing connection waits for its writer to say goodbye.
const WRITER_GRACE: Duration = Duration::from_secs(5);

pub async fn run(socket: WebSocket, state: AppState) {
    let (sink, mut stream) = socket.split();
    let (outbox, outbox_rx) = Outbox::new(OUTBOX_CAPACITY);
    let idle_timeout = state.config.ws_idle_timeout();
    let writer = tokio::spawn(writer::run(sink, outbox_rx, idle_timeout / 3));
    let mut closing = outbox.closing();
    let mut shutdown = state.shutdown.clone();
    let mut conn = Connection {
        limiter: TokenBucket::new(FRAME_BURST, FRAMES_PER_SECOND, Instant::now()),
        state,
        outbox,
        membership: None,
    };
    if *shutdown.borrow_and_update() {
        conn.outbox.close(CloseReason::SHUTDOWN);
    }
    loop {
        tokio::select! {
            _ = closing.changed() => break,
            // Changed (to true) or the server's sender is gone: either way, we are stopping.
            _ = shutdown.changed() => {
                conn.outbox.close(CloseReason::SHUTDOWN);
                break;
            }
            read = tokio::time::timeout(idle_timeout, stream.next()) => match read {
                Err(_) => conn.outbox.close(CloseReason::IDLE),
                Ok(None | Some(Ok(Message::Close(_)))) => break,
                Ok(Some(Err(e))) => {
                    // The transport refused the frame (e.g. far beyond the size limit).
                    conn.reply_error("frame-too-large", format!("the frame could not be read: {e}"));
                    conn.outbox.close(CloseReason::TOO_BIG);
                }
                Ok(Some(Ok(Message::Text(text)))) => conn.on_text(text.as_str()).await,
                Ok(Some(Ok(Message::Binary(_)))) => {
                    conn.reply_error("bad-json", "send JSON text frames, not binary ones");
                }
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {}
            },
        }
    }
    // Leaving before the writer finishes means the others hear `user-left` promptly.
    drop(conn);
    let _ = tokio::time::timeout(WRITER_GRACE, writer).await;
}

struct Connection {
    state: AppState,
    outbox: Outbox,
    membership: Option<Membership>,
    limiter: TokenBucket,
}

impl Connection {
    async fn on_text(&mut self, text: &str) {
        if text.len() > self.state.config.ws_max_frame_bytes {
            let limit = self.state.config.ws_max_frame_bytes;
            self.reply_error("frame-too-large", format!("frames may be at most {limit} bytes"));
            self.outbox.close(CloseReason::TOO_BIG);
            return;
        }
        if !self.limiter.try_take(Instant::now()) {
            let wait = self.limiter.wait_time().as_millis();
            self.reply_error("rate-limited", format!("too many frames; slow down (next in {wait} ms)"));
            return;
        }
        match parse_client_frame(text) {
            Ok(frame) => self.on_frame(frame).await,
            Err(e) => self.reply_error(e.code(), e.message()),
        }
    }

    async fn on_frame(&mut self, frame: ClientFrame) {
        match frame {
            ClientFrame::Join { space_id, token } => {
                if let Some(current) = &self.membership {
                    let message = format!("this socket is already in space {}; leave first", current.space());
                    return self.reply_error("already-joined", message);
                }
                let user = match self.state.tokens.verify(&token) {
                    Ok(user) => user,
                    Err(e) => return self.reply_error("invalid-token", e.to_string()),
                };
                match self.state.rooms.join(space_id, user, self.outbox.clone()).await {
                    Ok(membership) => self.membership = Some(membership),
                    Err(e) => self.reply_error(join_error_code(e), e.to_string()),
                }
            }
            ClientFrame::Move { to } => match &self.membership {
                Some(membership) => membership.step(to).await,
                None => self.reply_error("not-joined", "join a space before moving"),
            },
            ClientFrame::Leave => match self.membership.take() {
                Some(membership) => membership.leave().await,
                None => self.reply_error("not-joined", "you are not in a space"),
            },
        }
    }

    fn reply_error(&self, code: &str, message: impl Into<String>) {
        // An error the client cannot receive (queue full) is not worth more than the frame.
        let _ = self.outbox.try_send(Bytes::from(ServerFrame::error(code, message).to_json()));
    }
}

fn join_error_code(error: RoomJoinError) -> &'static str {
    match error {
        RoomJoinError::UnknownSpace => "unknown-space",
        RoomJoinError::Full => "space-full",
        RoomJoinError::Unavailable => "unavailable",
    }
}
