//! The WebSocket endpoint. The contract's clients connect to `/ws` or to `/`.

mod connection;
mod parked;
mod quota;
mod rate;
mod writer;

pub use parked::ParkedMembers;
pub use quota::JoinedSockets;
pub use rate::ChatLimits;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{State, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::state::AppState;

/// What the transport itself will buffer. Our own limit (`ws_max_frame_bytes`, 64 KiB by
/// default) is checked after reading, so a client gets an explanation; this hard cap only
/// bounds memory against frames far past it.
const TRANSPORT_MAX_BYTES: usize = 1 << 20;
const READ_BUFFER: usize = 4 * 1024;
/// Frames queued together are gathered up to this size, then written in one go.
const WRITE_BUFFER: usize = 16 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route("/ws", get(upgrade)).route("/", get(upgrade_or_home))
}

async fn upgrade(State(state): State<AppState>, ws: WebSocketUpgrade) -> Response {
    accept(state, ws)
}

/// `/` is both the WebSocket endpoint (for clients of the contract) and the home page.
async fn upgrade_or_home(
    State(state): State<AppState>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    match ws {
        Ok(ws) => accept(state, ws),
        Err(_) => crate::web::index(),
    }
}

fn accept(state: AppState, ws: WebSocketUpgrade) -> Response {
    let limit = TRANSPORT_MAX_BYTES.max(state.config.ws_max_frame_bytes);
    ws.max_message_size(limit)
        .max_frame_size(limit)
        // The defaults (128 KiB each) suit bulk transfer; our frames are a few hundred
        // bytes, and an idle connection should cost little memory.
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .on_upgrade(move |socket| connection::run(socket, state))
}
