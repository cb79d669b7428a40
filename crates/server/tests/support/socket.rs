//! A test client's end of a Gather WebSocket: every read has a deadline, and [`sync`] is a
//! barrier. Frames reach a socket in the order the server sent them, so once the answer to
//! the barrier is in, everything sent to the socket before it is in hand too: tests assert
//! on what came, never on a quiet spell.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use gather_protocol::ServerFrame;
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::error::Elapsed;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// How long a test waits for a frame it expects before failing.
pub const FRAME_WAIT: Duration = Duration::from_secs(2);

/// Outside every space, so the server refuses it wherever the mover stands.
const NOWHERE: (i64, i64) = (-1, -1);

pub async fn send<S: AsyncRead + AsyncWrite + Unpin>(socket: &mut WebSocketStream<S>, frame: Value) {
    socket.send(Message::text(frame.to_string())).await.expect("frame sent");
}

pub async fn step<S: AsyncRead + AsyncWrite + Unpin>(socket: &mut WebSocketStream<S>, to: (i64, i64)) {
    send(socket, json!({"type": "move", "payload": {"x": to.0, "y": to.1}})).await;
}

/// The next message other than a ping or pong, `Ok(None)` once the socket has ended, or
/// `Err` when nothing came before `deadline`.
pub async fn message_before<S: AsyncRead + AsyncWrite + Unpin>(
    socket: &mut WebSocketStream<S>,
    deadline: Instant,
) -> Result<Option<Message>, Elapsed> {
    loop {
        match tokio::time::timeout_at(deadline, socket.next()).await? {
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(message)) => return Ok(Some(message)),
            Some(Err(_)) | None => return Ok(None),
        }
    }
}

/// The next message other than a ping or pong, or `None` once the socket has ended.
///
/// # Panics
/// When nothing comes within `wait`.
pub async fn next_message<S: AsyncRead + AsyncWrite + Unpin>(
    socket: &mut WebSocketStream<S>,
    wait: Duration,
) -> Option<Message> {
    let deadline = Instant::now() + wait;
    message_before(socket, deadline).await.unwrap_or_else(|_| panic!("no frame came within {wait:?}"))
}

/// The next frame, parsed. Panics when it does not come within `wait`, or the socket
/// closes or ends first.
pub async fn next_frame<S: AsyncRead + AsyncWrite + Unpin>(
    socket: &mut WebSocketStream<S>,
    wait: Duration,
) -> ServerFrame {
    match next_message(socket, wait).await {
        Some(Message::Text(text)) => {
            serde_json::from_str(text.as_str()).unwrap_or_else(|e| panic!("unparseable frame {text}: {e}"))
        }
        other => panic!("expected a text frame, got {other:?}"),
    }
}

/// Sends a move the server must refuse and reads up to the refusal: returns the frames
/// that came before it and where the refusal says the mover stands. The socket must be in
/// a space and not over its rate limit.
pub async fn sync_at<S: AsyncRead + AsyncWrite + Unpin>(
    socket: &mut WebSocketStream<S>,
    wait: Duration,
) -> (Vec<ServerFrame>, (i64, i64)) {
    step(socket, NOWHERE).await;
    let mut frames = Vec::new();
    loop {
        match next_frame(socket, wait).await {
            ServerFrame::MovementRejected { x, y } => return (frames, (x, y)),
            frame => frames.push(frame),
        }
    }
}

/// [`sync_at`] without the position: every frame sent to the socket before the barrier.
pub async fn sync<S: AsyncRead + AsyncWrite + Unpin>(
    socket: &mut WebSocketStream<S>,
    wait: Duration,
) -> Vec<ServerFrame> {
    sync_at(socket, wait).await.0
}

/// Reads frames until `wanted` arrives, the socket ends or `wait` passes; returns all it
/// read, so the caller says what was missing.
pub async fn read_until<S: AsyncRead + AsyncWrite + Unpin>(
    socket: &mut WebSocketStream<S>,
    wanted: &ServerFrame,
    wait: Duration,
) -> Vec<ServerFrame> {
    let deadline = Instant::now() + wait;
    let mut frames = Vec::new();
    while let Ok(Some(message)) = message_before(socket, deadline).await {
        if let Message::Text(text) = message {
            let frame: ServerFrame = serde_json::from_str(text.as_str()).expect("a server frame");
            let done = &frame == wanted;
            frames.push(frame);
            if done {
                break;
            }
        }
    }
    frames
}
