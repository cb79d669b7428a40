//! A person in a space with proximity media: their WebSocket (signalling, walking) and a
//! str0m client on loopback UDP (`client.rs`, shared with the relay's own tests). Used by
//! the single-node and the cluster suites alike; every wait has a deadline.

use std::time::{Duration, Instant};

use gather_media::MediaKind;
use gather_protocol::ServerFrame;
use serde_json::json;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::client::RtcClient;
use crate::socket::{message_before, send, step, sync_at, FRAME_WAIT};

/// Long enough for ICE and DTLS on loopback, with room for a busy machine.
pub const CONNECT_WAIT: Duration = Duration::from_secs(10);

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub struct Person {
    pub id: String,
    pub ws: Socket,
    pub rtc: RtcClient,
    pub x: i64,
    pub y: i64,
    /// The last `media-peers` the server sent: whom they hear and see.
    pub peers: Vec<String>,
    /// The last `media-slots`: whom each audio slot carries.
    pub audio_slots: Vec<Option<String>>,
    /// `media-offer`s from the server (renegotiations).
    pub server_offers: usize,
    /// `media-muted` frames: a moderator muted them.
    pub muted_by_moderator: usize,
    pub errors: Vec<String>,
}

/// Each person's frames carry their own marker byte, so receivers can tell who sent what.
fn next_marker() -> u8 {
    static NEXT: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Person {
    /// Someone whose socket has joined a space and stands at `at`.
    pub async fn new(id: String, ws: Socket, at: (i64, i64)) -> Person {
        let rtc = RtcClient::new(next_marker()).await;
        Person {
            id,
            ws,
            rtc,
            x: at.0,
            y: at.1,
            peers: Vec::new(),
            audio_slots: Vec::new(),
            server_offers: 0,
            muted_by_moderator: 0,
            errors: Vec::new(),
        }
    }

    /// Starts media, sending a track of each kind in `sends`.
    pub async fn start_media(&mut self, sends: &[MediaKind]) {
        let sdp = self.rtc.offer(sends);
        send(&mut self.ws, json!({"type": "media-offer", "payload": {"sdp": sdp}})).await;
    }

    /// Says what this person sends now.
    pub async fn sending(&mut self, audio: bool, camera: bool) {
        let state = json!({"audio": audio, "camera": camera, "screen": false});
        send(&mut self.ws, json!({"type": "media-state", "payload": state})).await;
    }

    pub async fn on_frame(&mut self, frame: ServerFrame) {
        match frame {
            ServerFrame::MediaAnswer { sdp } => self.rtc.accept_answer(&sdp),
            ServerFrame::MediaOffer { sdp } => {
                self.server_offers += 1;
                let answer = self.rtc.accept_offer(&sdp);
                send(&mut self.ws, json!({"type": "media-answer", "payload": {"sdp": answer}})).await;
            }
            ServerFrame::MediaPeers { peers } => self.peers = peers.iter().map(ToString::to_string).collect(),
            ServerFrame::MediaSlots { audio, .. } => {
                self.audio_slots = audio.iter().map(|slot| slot.map(|user| user.to_string())).collect();
            }
            ServerFrame::MediaMuted {} => self.muted_by_moderator += 1,
            ServerFrame::Error { code, .. } => self.errors.push(code),
            _ => {}
        }
    }

    /// Handles the frames that have arrived, then steps the WebRTC session.
    pub async fn step(&mut self) {
        while let Ok(Some(message)) =
            message_before(&mut self.ws, tokio::time::Instant::now() + Duration::from_millis(1)).await
        {
            if let Message::Text(text) = message {
                let frame = serde_json::from_str(text.as_str()).expect("a server frame");
                self.on_frame(frame).await;
            }
        }
        self.rtc.step().await;
    }

    /// A barrier (see `socket::sync_at`), handling the frames that came before it.
    pub async fn sync(&mut self) -> (i64, i64) {
        let (frames, at) = sync_at(&mut self.ws, FRAME_WAIT).await;
        for frame in frames {
            self.on_frame(frame).await;
        }
        at
    }

    /// Walks along its row to `x`, one step at a time, and checks the server agrees.
    pub async fn walk_to(&mut self, x: i64) {
        while self.x != x {
            self.x += (x - self.x).signum();
            step(&mut self.ws, (self.x, self.y)).await;
        }
        assert_eq!(self.sync().await, (x, self.y), "the walk was refused on the way");
    }

    pub fn from(&self, other: &Person) -> usize {
        self.rtc.received_from(other.rtc.marker)
    }
}

/// Steps everyone until `done` holds; false when `limit` passes first.
pub async fn pump(
    people: &mut [&mut Person],
    limit: Duration,
    done: impl Fn(&[&mut Person]) -> bool,
) -> bool {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        for person in people.iter_mut() {
            person.step().await;
        }
        if done(people) {
            return true;
        }
    }
    false
}

pub async fn run_for(people: &mut [&mut Person], time: Duration) {
    pump(people, time, |_| false).await;
}

/// Both start media with audio and video and connect to the relay.
pub async fn both_in_media(a: &mut Person, b: &mut Person) {
    a.start_media(&[MediaKind::Audio, MediaKind::Video]).await;
    b.start_media(&[MediaKind::Audio, MediaKind::Video]).await;
    let up = pump(&mut [a, b], CONNECT_WAIT, |p| p.iter().all(|p| p.rtc.connected)).await;
    assert!(up, "the media sessions did not connect: errors {:?} {:?}", a.errors, b.errors);
}

/// Until each hears the other (more than 20 frames each way); false after [`CONNECT_WAIT`].
pub async fn hear_each_other(a: &mut Person, b: &mut Person) -> bool {
    pump(&mut [a, b], CONNECT_WAIT, |p| p[0].from(p[1]) > 20 && p[1].from(p[0]) > 20).await
}
