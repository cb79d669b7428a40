//! The browser client's copy of the wire types, `web/src/generated/wire.ts`, is what the Rust
//! types generate: a change here that the client has not seen fails this test.

use std::path::Path;

use gather_core::{ChatMessageId, ChatScope, ElementId, SpaceElementId, SpaceId, UserId};
use gather_protocol::http::{ChatBody, ElementBody};
use gather_protocol::typescript::wire_ts;
use gather_protocol::ws::{Point, UserAt};
use gather_protocol::ServerFrame;

#[test]
fn the_client_has_the_current_wire_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/src/generated/wire.ts");
    let fresh = wire_ts();
    if std::env::var_os("GATHER_UPDATE_WIRE").is_some_and(|v| !v.is_empty() && v != "0") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    if checked_in != fresh {
        let first = checked_in.lines().zip(fresh.lines()).position(|(a, b)| a != b);
        let line = first.unwrap_or_else(|| checked_in.lines().count().min(fresh.lines().count())) + 1;
        panic!(
            "web/src/generated/wire.ts is stale (it first differs at line {line}): the wire types in \
             crates/protocol changed. Refresh it with\n\n    \
             GATHER_UPDATE_WIRE=1 cargo test -p gather-protocol --test typescript\n\n\
             then fix what `npm run typecheck` in web/ finds, and commit both."
        );
    }
}

/// One frame of each kind, as the server writes them.
fn one_of_each_server_frame() -> Vec<ServerFrame> {
    let user = UserId::new();
    let element = ElementBody {
        id: ElementId::new(),
        image_url: "/demo/desk.svg".into(),
        width: 2,
        height: 1,
        solid: true,
    };
    let chat = ChatBody {
        id: ChatMessageId::new(),
        user_id: user,
        username: "alice".into(),
        text: "hi".into(),
        scope: ChatScope::Direct,
        to: Some(user),
        ts: 1,
    };
    vec![
        ServerFrame::SpaceJoined {
            spawn: Point { x: 1, y: 2 },
            user_id: user,
            users: vec![UserAt { user_id: user, x: 3, y: 4 }],
        },
        ServerFrame::UserJoined { user_id: user, x: 1, y: 2 },
        ServerFrame::Movement { user_id: user, x: 1, y: 2 },
        ServerFrame::MovementRejected { x: 1, y: 2 },
        ServerFrame::UserLeft { user_id: user },
        ServerFrame::UserAppeared { user_id: user, x: 1, y: 2 },
        ServerFrame::UserDisappeared { user_id: user },
        ServerFrame::ElementAdded { id: SpaceElementId::new(), element, x: 1, y: 2 },
        ServerFrame::ElementRemoved { id: SpaceElementId::new() },
        ServerFrame::SpaceClosed { space_id: SpaceId::new() },
        ServerFrame::Chat(chat),
        ServerFrame::MediaAnswer { sdp: "v=0".into() },
        ServerFrame::MediaOffer { sdp: "v=0".into() },
        ServerFrame::MediaConnected {},
        ServerFrame::MediaFailed { reason: "timed out".into() },
        ServerFrame::MediaPeers { peers: vec![user] },
        ServerFrame::MediaSlots {
            audio: vec![Some(user), None],
            camera: vec![None],
            screen: vec![Some(user)],
        },
        ServerFrame::EffectsChanged { effects: gather_protocol::rules::EffectsBody::default() },
        ServerFrame::Teleported { x: 1, y: 2 },
        ServerFrame::PortalReached { space_id: SpaceId::new(), spawn: Some("hall".into()) },
        ServerFrame::UserStatus { user_id: user, status: gather_protocol::Status::Busy, text: "call".into() },
        ServerFrame::Knock { user_id: user, area: "office".into() },
        ServerFrame::Admitted { area: "office".into() },
        ServerFrame::MediaMuted {},
        ServerFrame::Removed { reason: "kicked".into() },
        ServerFrame::SessionRevoked {},
        ServerFrame::Resumed { replayed: 3, snapshot: false },
        ServerFrame::ServerShutdown {},
        ServerFrame::error("rate-limited", "slow down"),
    ]
}

#[test]
fn the_typescript_frames_are_spelled_like_the_json() {
    let ts = wire_ts();
    let union: Vec<&str> = ts
        .split("export type ServerFrame =\n")
        .nth(1)
        .expect("wire.ts declares ServerFrame")
        .lines()
        .take_while(|line| line.starts_with("  | "))
        .collect();
    let frames = one_of_each_server_frame();
    assert_eq!(union.len(), frames.len(), "one sample frame per ServerFrame variant");
    for frame in frames {
        let json = serde_json::to_value(&frame).unwrap();
        let kind = json["type"].as_str().unwrap();
        let variant = union
            .iter()
            .find(|line| line.contains(&format!("{{ \"type\": \"{kind}\", \"payload\": ")))
            .unwrap_or_else(|| panic!("no `{kind}` in ServerFrame:\n{}", union.join("\n")));
        // Payloads written out in the union name each field; the others are named types.
        if variant.contains("\"payload\": { ") {
            for field in json["payload"].as_object().unwrap().keys() {
                assert!(
                    variant.contains(&format!(" {field}: ")) || variant.contains(&format!(" {field}?: ")),
                    "`{kind}` has {field} on the wire: {variant}"
                );
            }
        }
    }
}
