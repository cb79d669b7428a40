//! Bad input never kills a connection or the server, except where it must (huge frames,
//! silence), and then with a reason.

use std::time::Duration;

use futures_util::SinkExt;
use gather_protocol::ServerFrame;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{spawn_app, spawn_app_on_manual_clock, spawn_app_with};

fn error_code(frame: ServerFrame) -> String {
    match frame {
        ServerFrame::Error { code, message } => {
            assert!(!message.is_empty());
            code
        }
        other => panic!("expected an error frame, got {other:?}"),
    }
}

#[tokio::test]
async fn malformed_frames_get_errors_and_the_connection_lives_on() {
    let app = spawn_app().await;
    let alice = app.user().await;
    let space = app.create_space(&alice, "5x5").await;
    let (mut ws, _) = app.ws_join(&space, &alice).await;
    for (text, code) in [
        ("{not json", "bad-json"),
        ("42", "bad-json"),
        (r#"{"payload":{}}"#, "bad-json"),
        (r#"{"type":"dance","payload":{}}"#, "unknown-type"),
        (r#"{"type":"move","payload":{"x":"1","y":2}}"#, "bad-payload"),
        (r#"{"type":"move","payload":{"x":1}}"#, "bad-payload"),
        (r#"{"type":"move"}"#, "bad-payload"),
        (r#"{"type":"join","payload":{"spaceId":5}}"#, "bad-payload"),
        (r#"{"type":"move","payload":{"x":1e400,"y":0}}"#, "bad-payload"),
    ] {
        ws.send_text(text.to_owned()).await;
        assert_eq!(error_code(ws.next().await), code, "{text}");
    }
    ws.stream.send(Message::binary(vec![1, 2, 3])).await.unwrap();
    assert_eq!(error_code(ws.next().await), "bad-json");
    // Still joined and moving.
    ws.send_move(-1, -1).await;
    assert!(matches!(ws.next().await, ServerFrame::MovementRejected { .. }));
}

#[tokio::test]
async fn an_oversized_frame_gets_an_error_then_a_close() {
    let app = spawn_app().await;
    let mut ws = app.ws().await;
    ws.send_text(format!(r#"{{"type":"move","payload":{{"pad":"{}"}}}}"#, "x".repeat(70 * 1024))).await;
    assert_eq!(error_code(ws.next().await), "frame-too-large");
    assert_eq!(ws.expect_close().await, Some(1009));
}

#[tokio::test]
async fn an_enormous_frame_is_cut_off_without_hurting_the_server() {
    let app = spawn_app().await;
    let mut ws = app.ws().await;
    let _ = ws.stream.send(Message::text("x".repeat(4 << 20))).await;
    let ended = ws.expect_close().await;
    assert!(matches!(ended, None | Some(1009)), "{ended:?}");
    app.get("/avatars", None).await.ok();
}

#[tokio::test]
async fn a_flood_is_rate_limited_without_disconnecting() {
    let app = spawn_app_on_manual_clock(|_| {}).await;
    let alice = app.user().await;
    let space = app.create_space(&alice, "5x5").await;
    let (mut ws, at) = app.ws_join(&space, &alice).await;
    for _ in 0..200 {
        ws.send_move(at.x, at.y).await;
    }
    // Every frame is answered: refused as standing still, or limited.
    let mut frames = Vec::new();
    for _ in 0..200 {
        frames.push(ws.next().await);
    }
    let limited = frames
        .iter()
        .filter(|f| matches!(f, ServerFrame::Error { code, .. } if code == "rate-limited"))
        .count();
    let rejected = frames.iter().filter(|f| matches!(f, ServerFrame::MovementRejected { .. })).count();
    assert_eq!(limited + rejected, 200, "{frames:?}");
    assert!(rejected > 0 && rejected < 200, "a burst got through, the rest did not: {rejected}");
    // Only time lifts the limit: still limited while the clock stands, served once it moves.
    ws.send_move(at.x, at.y).await;
    assert!(matches!(ws.next().await, ServerFrame::Error { code, .. } if code == "rate-limited"));
    app.clock.advance(Duration::from_secs(1));
    ws.send_move(at.x, at.y).await;
    assert!(matches!(ws.next().await, ServerFrame::MovementRejected { .. }));
}

#[tokio::test]
async fn a_silent_socket_is_dropped_and_a_live_one_is_kept() {
    let app = spawn_app_with(|c| c.ws_idle_timeout_secs = 1).await;
    let (alice, bob) = (app.user().await, app.user().await);
    let space = app.create_space(&alice, "5x5").await;
    let (mut live, _) = app.ws_join(&space, &alice).await;
    let (mut silent, _) = app.ws_join(&space, &bob).await;
    assert!(matches!(live.next().await, ServerFrame::UserJoined { .. }));

    // The live client keeps reading, which answers the server's pings; the silent one
    // reads nothing, and is dropped a second after it last spoke (its join).
    let left = ServerFrame::UserLeft { user_id: bob.id.parse().unwrap() };
    let frames = crate::socket::read_until(&mut live.stream, &left, Duration::from_secs(5)).await;
    assert_eq!(frames, [left]);
    // The close frame may be lost: the silent client's queued pongs hit a closed socket
    // when it finally reads. Either way the server has hung up.
    let ended = silent.expect_close().await;
    assert!(matches!(ended, None | Some(4000)), "{ended:?}");
    live.send_move(-1, 0).await;
    assert!(matches!(live.next().await, ServerFrame::MovementRejected { .. }));
}
