//! WebSocket frames: JSON text `{"type": "...", "payload": {...}}` in both directions.

use std::borrow::Cow;

use gather_core::{ChatScope, Event, Position, SpaceElementId, SpaceId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::http::{ChatBody, ElementBody};

/// What a client may send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientFrame {
    Join {
        space_id: SpaceId,
        token: String,
        /// A named spawn tile to arrive on (`/space/<id>#<name>`).
        spawn: Option<String>,
        /// The space's password grant (`POST /api/v1/space/{id}/grant`).
        grant: Option<String>,
        /// A key the client makes up to `resume` this membership after a dropped socket.
        resume_key: Option<String>,
    },
    /// The first frame on a new socket after the old one dropped: the same membership, at
    /// the same place, with the frames the client missed.
    Resume(ResumePayload),
    Move {
        to: Position,
    },
    Leave,
    /// Text is checked by the server (`gather_core::ChatText`), not here.
    Chat {
        text: String,
        scope: ChatScope,
        to: Option<UserId>,
        /// The client's own id for the message: a retried send is stored and delivered once.
        client_id: Option<String>,
    },
    /// Proximity voice and video: see [`MediaSignal`].
    Media(MediaSignal),
    /// Available, busy or do-not-disturb, and a short text, shown to everyone in the space.
    SetStatus(StatusPayload),
    /// From someone inside a locked private area: let `user_id` in.
    Admit(AdmitPayload),
}

/// What a client says about its own media, over the space's WebSocket. The server's
/// relay answers; whom the client hears and sees is decided by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload", rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum MediaSignal {
    /// Starts media (the first offer) or renegotiates the client's own tracks. The
    /// client's ICE candidates go inside the SDP (gathering finished before sending).
    MediaOffer(Sdp),
    /// The answer to the server's `media-offer`.
    MediaAnswer(Sdp),
    /// What the client sends now: the relay forwards nothing of a track switched off, and
    /// gives screen slots only to people sharing their screen.
    MediaState(MediaSending),
    /// Ends the client's media; it stays in the space.
    MediaLeave {},
}

impl MediaSignal {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::MediaOffer(_) => "media-offer",
            Self::MediaAnswer(_) => "media-answer",
            Self::MediaState(_) => "media-state",
            Self::MediaLeave {} => "media-leave",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Sdp {
    pub sdp: String,
}

/// Which of its tracks a client is sending. Its offer carries them in this order: the
/// microphone (audio), the camera (first video), the screen (second video).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MediaSending {
    pub audio: bool,
    pub camera: bool,
    pub screen: bool,
}

impl Default for MediaSending {
    /// What a client that has said nothing is taken to send: microphone and camera.
    fn default() -> Self {
        Self { audio: true, camera: true, screen: false }
    }
}

impl ClientFrame {
    pub fn to_json(&self) -> String {
        serde_json::to_string(&ClientFrameBody::from(self)).expect("client frames always serialise")
    }

    /// The wire `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Join { .. } => "join",
            Self::Resume(_) => "resume",
            Self::Move { .. } => "move",
            Self::Leave => "leave",
            Self::Chat { .. } => "chat",
            Self::Media(signal) => signal.kind(),
            Self::SetStatus(_) => "set-status",
            Self::Admit(_) => "admit",
        }
    }
}

/// Why a client frame could not be read. Each becomes an `error` frame; none ends the
/// connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// Not JSON, or no string `type`.
    Malformed(String),
    UnknownType(String),
    /// A known type whose payload has missing fields or wrong types.
    BadPayload {
        kind: &'static str,
        detail: String,
    },
}

impl FrameError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "bad-json",
            Self::UnknownType(_) => "unknown-type",
            Self::BadPayload { .. } => "bad-payload",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Self::Malformed(detail) => {
                format!(
                    "frames must be JSON objects like {{\"type\":\"move\",\"payload\":{{...}}}}: {detail}"
                )
            }
            Self::UnknownType(kind) => {
                format!("unknown frame type \"{kind}\"; expected join, move, leave, chat or a media-… frame")
            }
            Self::BadPayload { kind, detail } => format!("bad payload for \"{kind}\": {detail}"),
        }
    }
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    payload: Option<&'a RawValue>,
}

/// What a client may send, as it writes it (`ClientFrame` in TypeScript). The server reads
/// frames with `parse_client_frame`, which names what is wrong with a bad one.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", content = "payload", rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "ClientFrame"))]
pub enum ClientFrameBody {
    Join(JoinPayload),
    Resume(ResumePayload),
    Move(Point),
    /// The payload may also be left out.
    Leave {},
    Chat(ChatPayload),
    MediaOffer(Sdp),
    MediaAnswer(Sdp),
    MediaState(MediaSending),
    MediaLeave {},
    SetStatus(StatusPayload),
    Admit(AdmitPayload),
}

impl From<&ClientFrame> for ClientFrameBody {
    fn from(frame: &ClientFrame) -> Self {
        match frame {
            ClientFrame::Join { space_id, token, spawn, grant, resume_key } => Self::Join(JoinPayload {
                space_id: *space_id,
                token: token.clone(),
                spawn: spawn.clone(),
                grant: grant.clone(),
                resume_key: resume_key.clone(),
            }),
            ClientFrame::Resume(resume) => Self::Resume(resume.clone()),
            ClientFrame::Move { to } => Self::Move((*to).into()),
            ClientFrame::Leave => Self::Leave {},
            ClientFrame::Chat { text, scope, to, client_id } => Self::Chat(ChatPayload {
                text: text.clone(),
                scope: *scope,
                to: *to,
                client_id: client_id.clone(),
            }),
            ClientFrame::Media(MediaSignal::MediaOffer(sdp)) => Self::MediaOffer(sdp.clone()),
            ClientFrame::Media(MediaSignal::MediaAnswer(sdp)) => Self::MediaAnswer(sdp.clone()),
            ClientFrame::Media(MediaSignal::MediaState(sending)) => Self::MediaState(*sending),
            ClientFrame::Media(MediaSignal::MediaLeave {}) => Self::MediaLeave {},
            ClientFrame::SetStatus(status) => Self::SetStatus(status.clone()),
            ClientFrame::Admit(admit) => Self::Admit(*admit),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct JoinPayload {
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub space_id: SpaceId,
    pub token: String,
    /// A named spawn tile to arrive on, when free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub spawn: Option<String>,
    /// For a password-protected space: the grant `POST /api/v1/space/{id}/grant` gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub grant: Option<String>,
    /// Any string of up to 64 characters the client makes up (a random UUID will do): with
    /// it, a dropped socket's membership waits for a `resume` instead of leaving at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub resume_key: Option<String>,
}

/// `resume`: back on a new socket after the old one dropped. `lastSeq` is how many text
/// frames the client received on the membership's sockets, from the first socket's start,
/// not counting `resumed` frames: the server sends on from there.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ResumePayload {
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub space_id: SpaceId,
    pub token: String,
    /// The `resumeKey` of the `join`.
    pub resume_key: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub last_seq: u64,
}

/// Longest `resumeKey` and chat `clientId`.
pub const MAX_CLIENT_KEY_CHARS: usize = 64;

/// `set-status`: how available someone is, and a short text (at most 64 characters).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StatusPayload {
    pub status: Status,
    #[serde(default)]
    pub text: String,
}

/// `do-not-disturb` hears no `nearby` chat and takes part in no voice or video.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    #[default]
    Available,
    Busy,
    DoNotDisturb,
}

/// `admit`: whom to let into the locked private area the sender stands in.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AdmitPayload {
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub user_id: UserId,
}

/// Longest status text.
pub const MAX_STATUS_CHARS: usize = 64;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChatPayload {
    pub text: String,
    /// `space` when left out.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<crate::typescript::ChatScopeWire>", optional))]
    pub scope: ChatScope,
    /// Only for `direct`: whom to tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub to: Option<UserId>,
    /// The client's id for this message (at most 64 characters): sent again after a
    /// reconnect, it is acknowledged again but stored and delivered once.
    #[serde(rename = "clientId", default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(rename = "clientId", optional))]
    pub client_id: Option<String>,
}

/// Reads one text frame. Extra payload fields are ignored (some clients send `userId` with
/// a move); missing or mistyped ones are a [`FrameError::BadPayload`].
pub fn parse_client_frame(text: &str) -> Result<ClientFrame, FrameError> {
    let envelope: Envelope = serde_json::from_str(text).map_err(|e| FrameError::Malformed(e.to_string()))?;
    let payload = envelope.payload.map_or("{}", RawValue::get);
    fn read<'a, T: Deserialize<'a>>(kind: &'static str, payload: &'a str) -> Result<T, FrameError> {
        serde_json::from_str(payload).map_err(|e| FrameError::BadPayload { kind, detail: e.to_string() })
    }
    match envelope.kind.as_ref() {
        "join" => {
            let p: JoinPayload = read("join", payload)?;
            Ok(ClientFrame::Join {
                space_id: p.space_id,
                token: p.token,
                spawn: p.spawn,
                grant: p.grant,
                resume_key: p.resume_key,
            })
        }
        "resume" => Ok(ClientFrame::Resume(read("resume", payload)?)),
        "move" => {
            let p: Point = read("move", payload)?;
            Ok(ClientFrame::Move { to: Position::new(p.x, p.y) })
        }
        "leave" => Ok(ClientFrame::Leave),
        "chat" => {
            let p: ChatPayload = read("chat", payload)?;
            Ok(ClientFrame::Chat { text: p.text, scope: p.scope, to: p.to, client_id: p.client_id })
        }
        "media-offer" => Ok(ClientFrame::Media(MediaSignal::MediaOffer(read("media-offer", payload)?))),
        "media-answer" => Ok(ClientFrame::Media(MediaSignal::MediaAnswer(read("media-answer", payload)?))),
        "media-state" => Ok(ClientFrame::Media(MediaSignal::MediaState(read("media-state", payload)?))),
        "media-leave" => Ok(ClientFrame::Media(MediaSignal::MediaLeave {})),
        "set-status" => Ok(ClientFrame::SetStatus(read("set-status", payload)?)),
        "admit" => Ok(ClientFrame::Admit(read("admit", payload)?)),
        other => Err(FrameError::UnknownType(other.chars().take(64).collect())),
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Point {
    pub x: i64,
    pub y: i64,
}

impl From<Position> for Point {
    fn from(p: Position) -> Self {
        Self { x: p.x, y: p.y }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UserAt {
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub user_id: UserId,
    pub x: i64,
    pub y: i64,
}

/// What the server sends.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "type", content = "payload", rename_all = "kebab-case", rename_all_fields = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ServerFrame {
    SpaceJoined {
        spawn: Point,
        #[cfg_attr(feature = "ts", ts(as = "String"))]
        user_id: UserId,
        users: Vec<UserAt>,
    },
    UserJoined {
        #[cfg_attr(feature = "ts", ts(as = "String"))]
        user_id: UserId,
        x: i64,
        y: i64,
    },
    Movement {
        #[cfg_attr(feature = "ts", ts(as = "String"))]
        user_id: UserId,
        x: i64,
        y: i64,
    },
    MovementRejected {
        x: i64,
        y: i64,
    },
    UserLeft {
        #[cfg_attr(feature = "ts", ts(as = "String"))]
        user_id: UserId,
    },
    /// In a crowded space: someone came within your interest radius (treat like user-joined).
    UserAppeared {
        #[cfg_attr(feature = "ts", ts(as = "String"))]
        user_id: UserId,
        x: i64,
        y: i64,
    },
    /// In a crowded space: someone went beyond your interest radius (treat like user-left).
    UserDisappeared {
        #[cfg_attr(feature = "ts", ts(as = "String"))]
        user_id: UserId,
    },
    ElementAdded {
        #[cfg_attr(feature = "ts", ts(as = "String"))]
        id: SpaceElementId,
        element: ElementBody,
        x: i64,
        y: i64,
    },
    ElementRemoved {
        #[cfg_attr(feature = "ts", ts(as = "String"))]
        id: SpaceElementId,
    },
    SpaceClosed {
        #[cfg_attr(feature = "ts", ts(as = "String"))]
        space_id: SpaceId,
    },
    Chat(ChatBody),
    /// The relay's answer to the client's `media-offer`.
    MediaAnswer {
        sdp: String,
    },
    /// The relay renegotiates (people's tracks to add or remove): answer with `media-answer`.
    MediaOffer {
        sdp: String,
    },
    /// The media connection is up.
    MediaConnected {},
    /// The media connection failed or was lost; send a fresh `media-offer` to start over.
    MediaFailed {
        reason: String,
    },
    /// Whom the client is connected to now (within hearing), nearest first. More people
    /// than slots: the farthest are listed but not carried.
    MediaPeers {
        #[cfg_attr(feature = "ts", ts(as = "Vec<String>"))]
        peers: Vec<UserId>,
    },
    /// Whose track each of the client's receive slots carries (`null`: nothing). The relay
    /// negotiates the slots once, as tracks of media streams named `audio-<i>`,
    /// `camera-<i>` and `screen-<i>`; after that, people coming and going only change
    /// this frame, never the connection.
    MediaSlots {
        #[cfg_attr(feature = "ts", ts(as = "Vec<Option<String>>"))]
        audio: Vec<Option<UserId>>,
        #[cfg_attr(feature = "ts", ts(as = "Vec<Option<String>>"))]
        camera: Vec<Option<UserId>>,
        #[cfg_attr(feature = "ts", ts(as = "Vec<Option<String>>"))]
        screen: Vec<Option<UserId>>,
    },
    /// The space's tile effects changed (sent whole); the new ones hold from now on.
    EffectsChanged {
        effects: crate::rules::EffectsBody,
    },
    /// You stepped onto a portal and now stand at (`x`, `y`) of this space.
    Teleported {
        x: i64,
        y: i64,
    },
    /// You stand on a portal to another space: offer to join it (at `spawn`, if named).
    PortalReached {
        #[cfg_attr(feature = "ts", ts(as = "String"))]
        space_id: SpaceId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        spawn: Option<String>,
    },
    /// Someone's status, on joining (for everyone already not `available`) and on change.
    UserStatus {
        #[cfg_attr(feature = "ts", ts(as = "String"))]
        user_id: UserId,
        status: Status,
        text: String,
    },
    /// Someone wants into the locked private area you stand in: `admit` them, or not.
    Knock {
        #[cfg_attr(feature = "ts", ts(as = "String"))]
        user_id: UserId,
        area: String,
    },
    /// Someone inside let you into the locked private area `area`: step in.
    Admitted {
        area: String,
    },
    /// A moderator muted your microphone and camera; turn them back on yourself.
    MediaMuted {},
    /// A moderator removed you from the space (`kicked`), or banned you (`banned`); the
    /// socket closes next.
    Removed {
        reason: String,
    },
    /// The session this socket signed in with was revoked; the socket closes next.
    SessionRevoked {},
    /// The answer to `resume`, before anything else on the new socket (and not counted in
    /// `lastSeq`): the membership is back, and the `replayed` frames the client missed
    /// follow. With `snapshot`, they could not be replayed: a fresh `space-joined` follows
    /// instead, and chat sent meanwhile is in the space's history.
    Resumed {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        replayed: u64,
        snapshot: bool,
    },
    /// The server is stopping; the socket closes next (code 1001). Reconnect later.
    ServerShutdown {},
    Error {
        code: String,
        message: String,
    },
}

impl ServerFrame {
    pub fn error(code: &str, message: impl Into<String>) -> Self {
        Self::Error { code: code.to_owned(), message: message.into() }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("server frames always serialise")
    }
}

impl From<&Event> for ServerFrame {
    fn from(event: &Event) -> Self {
        match event {
            Event::Entered { user, spawn, others } => Self::SpaceJoined {
                spawn: (*spawn).into(),
                user_id: *user,
                users: others.iter().map(|(u, p)| UserAt { user_id: *u, x: p.x, y: p.y }).collect(),
            },
            Event::Joined { user, at } => Self::UserJoined { user_id: *user, x: at.x, y: at.y },
            Event::Moved { user, to } => Self::Movement { user_id: *user, x: to.x, y: to.y },
            Event::MoveRejected { at, .. } => Self::MovementRejected { x: at.x, y: at.y },
            Event::Left { user } => Self::UserLeft { user_id: *user },
            Event::Appeared { user, at } => Self::UserAppeared { user_id: *user, x: at.x, y: at.y },
            Event::Disappeared { user } => Self::UserDisappeared { user_id: *user },
            Event::Teleported { to, .. } => Self::Teleported { x: to.x, y: to.y },
            Event::Knocked { user, area } => Self::Knock { user_id: *user, area: area.clone() },
            Event::PortalReached { space, spawn, .. } => {
                Self::PortalReached { space_id: *space, spawn: spawn.clone() }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_each_client_frame() {
        let space = SpaceId::new();
        let join = json!({"type": "join", "payload": {"spaceId": space.to_string(), "token": "t"}});
        assert_eq!(
            parse_client_frame(&join.to_string()),
            Ok(ClientFrame::Join {
                space_id: space,
                token: "t".into(),
                spawn: None,
                grant: None,
                resume_key: None
            })
        );
        let dnd = r#"{"type":"set-status","payload":{"status":"do-not-disturb"}}"#;
        assert_eq!(
            parse_client_frame(dnd),
            Ok(ClientFrame::SetStatus(StatusPayload { status: Status::DoNotDisturb, text: String::new() }))
        );
        let away = r#"{"type":"set-status","payload":{"status":"away"}}"#;
        assert_eq!(parse_client_frame(away).unwrap_err().code(), "bad-payload");
        let mv = r#"{"type":"move","payload":{"x":3,"y":-1,"userId":"ignored"}}"#;
        assert_eq!(parse_client_frame(mv), Ok(ClientFrame::Move { to: Position::new(3, -1) }));
        assert_eq!(parse_client_frame(r#"{"type":"leave"}"#), Ok(ClientFrame::Leave));
        assert_eq!(
            parse_client_frame(r#"{"type":"chat","payload":{"text":"hi"}}"#),
            Ok(ClientFrame::Chat { text: "hi".into(), scope: ChatScope::Space, to: None, client_id: None })
        );
        let to = UserId::new();
        let direct =
            json!({"type": "chat", "payload": {"text": "psst", "scope": "direct", "to": to.to_string()}});
        assert_eq!(
            parse_client_frame(&direct.to_string()),
            Ok(ClientFrame::Chat {
                text: "psst".into(),
                scope: ChatScope::Direct,
                to: Some(to),
                client_id: None
            })
        );
        let shout = r#"{"type":"chat","payload":{"text":"hi","scope":"shout"}}"#;
        assert_eq!(parse_client_frame(shout).unwrap_err().code(), "bad-payload");
    }

    #[test]
    fn client_frames_read_back_as_written() {
        let frames = [
            ClientFrame::Join {
                space_id: SpaceId::new(),
                token: "t".into(),
                spawn: None,
                grant: None,
                resume_key: None,
            },
            ClientFrame::Join {
                space_id: SpaceId::new(),
                token: "t".into(),
                spawn: Some("stage".into()),
                grant: Some("g".into()),
                resume_key: Some("k".into()),
            },
            ClientFrame::Resume(ResumePayload {
                space_id: SpaceId::new(),
                token: "t".into(),
                resume_key: "k".into(),
                last_seq: 42,
            }),
            ClientFrame::SetStatus(StatusPayload { status: Status::DoNotDisturb, text: "focus".into() }),
            ClientFrame::Admit(AdmitPayload { user_id: UserId::new() }),
            ClientFrame::Move { to: Position::new(3, -1) },
            ClientFrame::Leave,
            ClientFrame::Chat { text: "hi".into(), scope: ChatScope::Nearby, to: None, client_id: None },
            ClientFrame::Chat {
                text: "psst".into(),
                scope: ChatScope::Direct,
                to: Some(UserId::new()),
                client_id: Some("c1".into()),
            },
            ClientFrame::Media(MediaSignal::MediaOffer(Sdp { sdp: "v=0".into() })),
            ClientFrame::Media(MediaSignal::MediaAnswer(Sdp { sdp: "v=0".into() })),
            ClientFrame::Media(MediaSignal::MediaState(MediaSending {
                audio: true,
                camera: false,
                screen: true,
            })),
            ClientFrame::Media(MediaSignal::MediaLeave {}),
        ];
        for frame in frames {
            assert_eq!(parse_client_frame(&frame.to_json()), Ok(frame.clone()), "{}", frame.to_json());
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(&frame.to_json()).unwrap()["type"],
                frame.kind()
            );
        }
    }

    #[test]
    fn names_what_is_wrong_with_a_bad_frame() {
        assert_eq!(parse_client_frame("not json").unwrap_err().code(), "bad-json");
        assert_eq!(parse_client_frame(r#"{"payload":{}}"#).unwrap_err().code(), "bad-json");
        assert_eq!(parse_client_frame(r#"{"type":"dance"}"#).unwrap_err().code(), "unknown-type");
        let wrong_type = r#"{"type":"move","payload":{"x":"3","y":1}}"#;
        assert_eq!(parse_client_frame(wrong_type).unwrap_err().code(), "bad-payload");
        let fraction = r#"{"type":"move","payload":{"x":1.5,"y":1}}"#;
        assert_eq!(parse_client_frame(fraction).unwrap_err().code(), "bad-payload");
        let bad_id = r#"{"type":"join","payload":{"spaceId":"nope","token":"t"}}"#;
        assert_eq!(parse_client_frame(bad_id).unwrap_err().code(), "bad-payload");
    }

    #[test]
    fn server_frames_use_the_contract_spelling() {
        let user = UserId::new();
        let frame = ServerFrame::from(&Event::Moved { user, to: Position::new(1, 2) });
        assert_eq!(
            serde_json::to_value(&frame).unwrap(),
            json!({"type": "movement", "payload": {"userId": user.to_string(), "x": 1, "y": 2}})
        );
        let joined = ServerFrame::from(&Event::Entered {
            user,
            spawn: Position::new(0, 0),
            others: vec![(user, Position::new(4, 5))],
        });
        assert_eq!(
            serde_json::to_value(&joined).unwrap(),
            json!({"type": "space-joined", "payload": {
                "spawn": {"x": 0, "y": 0}, "userId": user.to_string(),
                "users": [{"userId": user.to_string(), "x": 4, "y": 5}]}})
        );
    }
}
