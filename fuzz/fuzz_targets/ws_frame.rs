//! `parse_client_frame` on arbitrary text: it never panics, every failure has one of the
//! known error codes, and a frame it reads, written back in the contract's spelling, reads
//! as the same frame. Server frames that decode survive a round trip too.
#![no_main]

use gather_protocol::{parse_client_frame, ClientFrame, FrameError, ServerFrame};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    // Text frames reach the parser only after the WebSocket layer has checked their UTF-8.
    let Ok(text) = std::str::from_utf8(data) else { return };
    match parse_client_frame(text) {
        Ok(frame) => {
            assert!(["join", "move", "leave", "chat"].contains(&frame.kind()), "{frame:?}");
            let again = parse_client_frame(&spell(&frame)).expect("a frame's own spelling reads");
            assert_eq!(again, frame);
        }
        Err(error) => {
            assert!(["bad-json", "unknown-type", "bad-payload"].contains(&error.code()), "{error:?}");
            // The unknown type is echoed back to the client, so it must stay short.
            if let FrameError::UnknownType(kind) = &error {
                assert!(kind.chars().count() <= 64, "{kind:?}");
            }
            assert!(!error.message().is_empty());
        }
    }
    if let Ok(frame) = serde_json::from_str::<ServerFrame>(text) {
        let again: ServerFrame = serde_json::from_str(&frame.to_json()).expect("a server frame reads back");
        assert_eq!(again, frame);
    }
});

/// The frame as a client following the contract would send it.
fn spell(frame: &ClientFrame) -> String {
    let payload = match frame {
        ClientFrame::Join { space_id, token, spawn, grant, resume_key } => {
            json!({"spaceId": space_id, "token": token, "spawn": spawn, "grant": grant, "resumeKey": resume_key})
        }
        ClientFrame::Move { to } => json!({"x": to.x, "y": to.y}),
        ClientFrame::Leave => json!({}),
        ClientFrame::Chat { text, scope, to, client_id } => {
            json!({"text": text, "scope": scope, "to": to, "clientId": client_id})
        }
        // Gather's own frames, spelled by the protocol crate itself.
        ClientFrame::Media(_) | ClientFrame::SetStatus(_) | ClientFrame::Admit(_) | ClientFrame::Resume(_) => {
            return frame.to_json()
        }
    };
    json!({"type": frame.kind(), "payload": payload}).to_string()
}
