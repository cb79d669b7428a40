//! Messages of node protocol version 1, as recorded in `tests/node-v1/`: each must keep
//! decoding, and encode back to the same JSON, for as long as version 1 is spoken. A
//! change to a message type that breaks one of these needs a new protocol version.

use std::collections::BTreeSet;
use std::path::PathBuf;

use gather_protocol::node::{self, Answer, Audience, NodeMessage, Notice, RoomCommand, SpaceEvent};

fn recorded() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/node-v1");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the recorded messages")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap()))
        .collect()
}

#[test]
fn every_recorded_message_decodes_and_encodes_back_the_same() {
    let recorded = recorded();
    assert!(!recorded.is_empty());
    for (name, bytes) in recorded {
        let message = node::decode(&bytes).unwrap_or_else(|e| panic!("{name} no longer decodes: {e}"));
        let again: serde_json::Value = serde_json::from_slice(&node::encode(&message)).unwrap();
        let original: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(again, original, "{name} encodes differently now");
    }
}

/// A name for every variant, down to the nested ones; the matches are exhaustive, so a new
/// variant does not compile until it is named here, and then fails
/// `every_kind_of_message_is_recorded` until a message with it is recorded.
fn variants(message: &NodeMessage) -> Vec<&'static str> {
    match message {
        NodeMessage::Command { command, .. } => vec![match command {
            RoomCommand::Join { .. } => "command/join",
            RoomCommand::Move { .. } => "command/move",
            RoomCommand::Leave { .. } => "command/leave",
            RoomCommand::ChatAudience { .. } => "command/chat-audience",
            RoomCommand::Deliver { .. } => "command/deliver",
            RoomCommand::Reattach { .. } => "command/reattach",
            RoomCommand::Media { .. } => "command/media",
            RoomCommand::Status { .. } => "command/status",
            RoomCommand::Admit { .. } => "command/admit",
        }],
        NodeMessage::Notice { notice, .. } => vec![match notice {
            Notice::ElementAdded(_) => "notice/element-added",
            Notice::ElementRemoved { .. } => "notice/element-removed",
            Notice::Closed => "notice/closed",
            Notice::EffectsChanged { .. } => "notice/effects-changed",
            Notice::Removed { .. } => "notice/removed",
            Notice::MediaMuted { .. } => "notice/media-muted",
        }],
        NodeMessage::Event { audience, event, .. } => vec![
            match audience {
                Audience::Only { .. } => "audience/only",
                Audience::AllExcept { .. } => "audience/all-except",
                Audience::Users { .. } => "audience/users",
            },
            match event {
                SpaceEvent::Entered { .. } => "event/entered",
                SpaceEvent::Joined { .. } => "event/joined",
                SpaceEvent::Moved { .. } => "event/moved",
                SpaceEvent::MoveRejected { .. } => "event/move-rejected",
                SpaceEvent::Left { .. } => "event/left",
                SpaceEvent::Appeared { .. } => "event/appeared",
                SpaceEvent::Disappeared { .. } => "event/disappeared",
                SpaceEvent::Teleported { .. } => "event/teleported",
                SpaceEvent::PortalReached { .. } => "event/portal-reached",
                SpaceEvent::Knocked { .. } => "event/knocked",
            },
        ],
        NodeMessage::Frames { .. } => vec!["frames"],
        NodeMessage::Close { .. } => vec!["close"],
        NodeMessage::Reply { answer, .. } => vec![match answer {
            Answer::Joined => "reply/joined",
            Answer::JoinRefused { .. } => "reply/join-refused",
            Answer::Audience { .. } => "reply/audience",
            Answer::ChatRefused { .. } => "reply/chat-refused",
            Answer::Done => "reply/done",
        }],
        NodeMessage::Revoked { .. } => vec!["revoked"],
    }
}

#[test]
fn every_kind_of_message_is_recorded() {
    let seen: BTreeSet<&str> =
        recorded().iter().flat_map(|(_, bytes)| variants(&node::decode(bytes).unwrap())).collect();
    let all: BTreeSet<&str> = [
        "command/join",
        "command/move",
        "command/leave",
        "command/chat-audience",
        "command/deliver",
        "command/reattach",
        "notice/element-added",
        "notice/element-removed",
        "notice/closed",
        "audience/only",
        "audience/all-except",
        "audience/users",
        "event/entered",
        "event/joined",
        "event/moved",
        "event/move-rejected",
        "event/left",
        "event/appeared",
        "event/disappeared",
        "frames",
        "close",
        "reply/joined",
        "reply/join-refused",
        "reply/audience",
        "reply/chat-refused",
        "reply/done",
        "revoked",
    ]
    .into();
    let missing: Vec<_> = all.difference(&seen).collect();
    assert!(missing.is_empty(), "no recorded message of these kinds: {missing:?}");
}

#[test]
fn another_version_is_refused_by_name() {
    let bytes = br#"{"v":2,"message":{"type":"revoked","session":"0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b"}}"#;
    let error = node::decode(bytes).unwrap_err();
    assert!(matches!(error, node::DecodeError::Version(2)), "{error}");
}

#[test]
fn garbage_is_refused_not_panicked_on() {
    for bytes in [&b""[..], b"{}", b"[1,2]", br#"{"v":1}"#, br#"{"v":1,"message":{"type":"what"}}"#] {
        assert!(node::decode(bytes).is_err(), "{:?} decoded", String::from_utf8_lossy(bytes));
    }
}
