//! The relay over loopback UDP, with real str0m peers as clients. Every wait has a
//! deadline, so a missing packet fails the test instead of hanging it.

#[path = "support/client.rs"]
mod client;

use std::time::{Duration, Instant};

use client::RtcClient;
use gather_core::UserId;
use gather_media::{MediaError, MediaEvent, MediaKind, Relay, RelayConfig, SlotCounts, Track};
use str0m::media::Direction;
use str0m::Rtc;
use tokio::sync::mpsc;

async fn relay() -> Relay {
    relay_with(RelayConfig::default()).await
}

async fn relay_with(config: RelayConfig) -> Relay {
    Relay::start(RelayConfig { bind: "127.0.0.1:0".parse().unwrap(), ..config }).await.unwrap()
}

/// A client signalled through the relay's API directly, as the room does it.
struct Peer {
    id: UserId,
    rtc: RtcClient,
    events: mpsc::Receiver<MediaEvent>,
    failed: bool,
    server_offers: Vec<String>,
    /// Leave the relay's events unread (a stuck signalling layer).
    deaf: bool,
    /// Note the relay's offers but do not answer them (the client is busy offering).
    hold_offers: bool,
}

impl Peer {
    /// Joins, offers a track of each kind in `sends`, and takes the relay's answer.
    async fn join(relay: &Relay, marker: u8, sends: &[MediaKind]) -> Peer {
        let id = UserId::new();
        let mut rtc = RtcClient::new(marker).await;
        let events = relay.join(id).await.unwrap();
        let offer = rtc.offer(sends);
        let answer = relay.offer(id, &offer).await.unwrap();
        rtc.accept_answer(&answer);
        Peer { id, rtc, events, failed: false, server_offers: Vec::new(), deaf: false, hold_offers: false }
    }

    /// The client renegotiates itself, adding a track it sends.
    async fn add_track(&mut self, relay: &Relay, kind: MediaKind) -> Result<(), MediaError> {
        let offer = self.rtc.offer(&[kind]);
        let answer = relay.offer(self.id, &offer).await?;
        self.rtc.accept_answer(&answer);
        Ok(())
    }

    /// Steps the session and answers the relay's offers.
    async fn step(&mut self, relay: &Relay) {
        self.rtc.step().await;
        while let Some(event) = if self.deaf { None } else { self.events.try_recv().ok() } {
            match event {
                MediaEvent::ServerOffer { sdp, .. } if self.hold_offers => self.server_offers.push(sdp),
                MediaEvent::ServerOffer { client, sdp } => {
                    assert_eq!(client, self.id, "an event for someone else");
                    let answer = self.rtc.accept_offer(&sdp);
                    self.server_offers.push(sdp);
                    relay.answer(self.id, &answer).await.unwrap();
                    self.rtc.drain().await;
                }
                MediaEvent::Connected { .. } => {}
                MediaEvent::Failed { .. } => self.failed = true,
            }
        }
    }

    fn connected(&self) -> bool {
        self.rtc.connected
    }

    fn from(&self, other: &Peer) -> usize {
        self.rtc.received_from(other.rtc.marker)
    }
}

/// Steps every peer until `done` holds (true) or `limit` passes (false).
async fn pump(
    relay: &Relay,
    peers: &mut [&mut Peer],
    limit: Duration,
    done: impl Fn(&[&mut Peer]) -> bool,
) -> bool {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        for peer in peers.iter_mut() {
            peer.step(relay).await;
        }
        if done(peers) {
            return true;
        }
    }
    false
}

/// Steps every peer for `time`.
async fn run_for(relay: &Relay, peers: &mut [&mut Peer], time: Duration) {
    pump(relay, peers, time, |_| false).await;
}

const SETTLE: Duration = Duration::from_secs(5);

/// Binds slot 0 of each track of `receiver` to `source`.
fn bind_all(relay: &Relay, receiver: &Peer, source: Option<&Peer>) {
    for track in Track::ALL {
        relay.bind(receiver.id, track, 0, source.map(|s| s.id));
    }
}

/// A (sending audio) and B (receiving), both connected, B's slots offered and accepted,
/// and B's first audio slot carrying A.
async fn flowing(relay: &Relay) -> (Peer, Peer) {
    let mut a = Peer::join(relay, 1, &[MediaKind::Audio]).await;
    let mut b = Peer::join(relay, 2, &[]).await;
    bind_all(relay, &b, Some(&a));
    let flows = pump(relay, &mut [&mut a, &mut b], SETTLE, |p| p[1].from(p[0]) >= 20).await;
    assert!(flows, "no audio reached B: A connected {}, B connected {}", a.connected(), b.connected());
    (a, b)
}

#[tokio::test]
async fn audio_reaches_the_slot_it_is_bound_to() {
    let relay = relay().await;
    let (a, b) = flowing(&relay).await;
    assert!(a.connected() && b.connected());
    assert_eq!(relay.stats().bound_slots, 3, "B's first audio, camera and screen slots carry A");
    assert_eq!(b.server_offers.len(), 1, "one renegotiation adds all of B's slots");
    let streams = b.rtc.offered_streams();
    assert_eq!(streams.len(), 16 + 9 + 1, "{streams:?}");
    for name in ["audio-0", "audio-15", "camera-0", "camera-8", "screen-0"] {
        assert!(streams.iter().any(|s| s == name), "no slot {name} in {streams:?}");
    }
    assert_eq!(b.rtc.video_in, 0);
    let stats = relay.stats();
    assert_eq!(stats.clients, 2);
    assert_eq!(stats.peer_connections, 2);
    assert!(stats.frames_forwarded >= 20);
    assert!(stats.bytes_forwarded >= 20 * 80);
}

#[tokio::test]
async fn nothing_reaches_a_slot_not_bound() {
    let relay = relay().await;
    let mut a = Peer::join(&relay, 1, &[MediaKind::Audio]).await;
    let mut b = Peer::join(&relay, 2, &[]).await;
    let sending = pump(&relay, &mut [&mut a, &mut b], SETTLE, |p| {
        p[0].connected() && !p[1].server_offers.is_empty() && relay.stats().frames_received >= 50
    })
    .await;
    assert!(sending, "A's audio never reached the relay, or B's slots were not offered");
    run_for(&relay, &mut [&mut a, &mut b], Duration::from_millis(300)).await;
    assert_eq!(b.from(&a), 0, "B heard A with no slot bound to A");
    assert_eq!(relay.stats().frames_forwarded, 0);

    // The same peers hear each other once bound: the silence above was the routing.
    bind_all(&relay, &b, Some(&a));
    assert!(pump(&relay, &mut [&mut a, &mut b], SETTLE, |p| p[1].from(p[0]) > 0).await);
}

#[tokio::test]
async fn unbinding_stops_forwarding_and_rebinding_needs_no_renegotiation() {
    let relay = relay().await;
    let (mut a, mut b) = flowing(&relay).await;
    bind_all(&relay, &b, None);
    // What was already on its way may still land.
    run_for(&relay, &mut [&mut a, &mut b], Duration::from_millis(100)).await;
    let (heard, received) = (b.from(&a), relay.stats().frames_received);
    run_for(&relay, &mut [&mut a, &mut b], Duration::from_millis(700)).await;
    assert!(relay.stats().frames_received > received + 20, "A stopped sending");
    assert_eq!(b.from(&a), heard, "B still hears A after the unbinding");

    // C takes the slot A had: B hears C on it, still without a new offer.
    let mut c = Peer::join(&relay, 3, &[MediaKind::Audio]).await;
    relay.bind(b.id, Track::Audio, 0, Some(c.id));
    let switched = pump(&relay, &mut [&mut a, &mut b, &mut c], SETTLE, |p| p[1].from(p[2]) > 10).await;
    assert!(switched, "the rebound slot did not carry C");
    assert_eq!(b.from(&a), heard, "A is no longer carried");
    assert_eq!(b.server_offers.len(), 1, "rebinding reuses the negotiated slot");
}

#[tokio::test]
async fn a_video_slot_carries_camera_and_the_screen_slot_the_second_video_track() {
    let relay = relay().await;
    let mut a = Peer::join(&relay, 1, &[MediaKind::Video, MediaKind::Video]).await;
    let mut b = Peer::join(&relay, 2, &[]).await;
    relay.bind(b.id, Track::Camera, 4, Some(a.id));
    relay.bind(b.id, Track::Screen, 0, Some(a.id));
    let both = pump(&relay, &mut [&mut a, &mut b], SETTLE, |p| {
        let by = &p[1].rtc.video_by_stream;
        by.get("camera-4").is_some_and(|n| *n > 10) && by.get("screen-0").is_some_and(|n| *n > 10)
    })
    .await;
    assert!(both, "video by slot: {:?}", b.rtc.video_by_stream);
    assert!(a.rtc.keyframe_requests > 0, "binding a video slot asks the sender for a keyframe");

    // The screen switched off at the relay: the camera still flows.
    relay.mute(a.id, Track::Screen, true);
    run_for(&relay, &mut [&mut a, &mut b], Duration::from_millis(100)).await;
    let (camera, screen) = (b.rtc.video_by_stream["camera-4"], b.rtc.video_by_stream["screen-0"]);
    run_for(&relay, &mut [&mut a, &mut b], Duration::from_millis(500)).await;
    assert_eq!(b.rtc.video_by_stream["screen-0"], screen, "the muted screen is still forwarded");
    assert!(b.rtc.video_by_stream["camera-4"] > camera + 10, "the camera stopped with the screen");
}

#[tokio::test]
async fn muting_stops_forwarding_and_unmuting_resumes_it() {
    let relay = relay().await;
    let (mut a, mut b) = flowing(&relay).await;
    relay.mute(a.id, Track::Audio, true);
    run_for(&relay, &mut [&mut a, &mut b], Duration::from_millis(100)).await;
    let heard = b.from(&a);
    run_for(&relay, &mut [&mut a, &mut b], Duration::from_millis(700)).await;
    assert_eq!(b.from(&a), heard, "B hears A while A is muted");

    // Muting the camera leaves audio alone.
    relay.mute(a.id, Track::Audio, false);
    relay.mute(a.id, Track::Camera, true);
    let resumed = pump(&relay, &mut [&mut a, &mut b], SETTLE, |p| p[1].from(p[0]) > heard + 10).await;
    assert!(resumed, "unmuting did not resume forwarding");
}

#[tokio::test]
async fn bindings_that_cannot_be_are_ignored() {
    let relay = relay_with(RelayConfig {
        slots: SlotCounts { audio: 1, camera: 1, screen: 0 },
        ..RelayConfig::default()
    })
    .await;
    let (mut a, mut b) = flowing(&relay).await;
    // Beyond B's slots, to oneself, for someone not joined: none of them changes anything.
    relay.bind(b.id, Track::Audio, 1, Some(a.id));
    relay.bind(b.id, Track::Screen, 0, Some(a.id));
    relay.bind(a.id, Track::Audio, 0, Some(a.id));
    relay.bind(UserId::new(), Track::Audio, 0, Some(a.id));
    assert!(pump(&relay, &mut [&mut a, &mut b], SETTLE, |p| p[1].from(p[0]) > 40).await);
    assert_eq!(a.from(&a), 0, "nobody hears themselves");
    assert_eq!(b.rtc.offered_streams(), ["audio-0", "camera-0"]);
}

#[tokio::test]
async fn a_bad_offer_is_refused_and_others_are_served() {
    let relay = relay().await;
    let stranger = UserId::new();
    let err = relay.offer(stranger, "v=0\r\nthis is no SDP\r\n").await.unwrap_err();
    assert!(matches!(err, MediaError::BadSdp(_)), "{err:?}");

    // Well formed, but from someone who has not joined.
    let mut probe = Rtc::builder().build(Instant::now());
    let mut api = probe.sdp_api();
    for _ in 0..4 {
        api.add_media(MediaKind::Audio, Direction::SendOnly, None, None, None);
    }
    let (four_tracks, _) = api.apply().unwrap();
    let four_tracks = four_tracks.to_sdp_string();
    assert_eq!(relay.offer(stranger, &four_tracks).await, Err(MediaError::NotJoined(stranger)));

    // Too many tracks for one person.
    let _events = relay.join(stranger).await.unwrap();
    assert_eq!(
        relay.offer(stranger, &four_tracks).await,
        Err(MediaError::TooManyTracks { offered: 4, max: 3 })
    );
    assert!(matches!(relay.answer(stranger, "garbage").await, Err(MediaError::BadSdp(_))));
    let message = MediaError::TooManyTracks { offered: 4, max: 3 }.to_string();
    assert!(message.contains("at most 3"), "{message}");

    // The relay goes on serving everyone else.
    let (a, b) = flowing(&relay).await;
    assert!(a.connected() && b.connected());
}

#[tokio::test]
async fn leaving_unbinds_everywhere() {
    let relay = relay().await;
    let (mut a, mut b) = flowing(&relay).await;
    relay.leave(a.id);
    // A's client has not noticed and keeps sending: nothing of it is forwarded.
    run_for(&relay, &mut [&mut a, &mut b], Duration::from_millis(100)).await;
    let heard = b.from(&a);
    run_for(&relay, &mut [&mut a, &mut b], Duration::from_millis(500)).await;
    assert_eq!(b.from(&a), heard);
    let stats = relay.stats();
    assert_eq!(stats.clients, 1);
    assert_eq!(stats.peer_connections, 1);
    assert_eq!(stats.bound_slots, 0, "B's slots that carried A are free");
    let closed = tokio::time::timeout(Duration::from_secs(1), a.events.recv()).await;
    assert_eq!(closed, Ok(None), "A's event stream is not closed");

    // A comes back: B's old binding to A is gone, so nothing flows until bound again.
    let mut a = Peer::join(&relay, 1, &[MediaKind::Audio]).await;
    let up = pump(&relay, &mut [&mut a, &mut b], SETTLE, |p| p[0].connected()).await;
    assert!(up);
    run_for(&relay, &mut [&mut a, &mut b], Duration::from_millis(300)).await;
    assert_eq!(b.from(&a), heard, "a binding outlived the person's leaving");
}

#[tokio::test]
async fn a_session_that_never_connects_fails() {
    let relay =
        relay_with(RelayConfig { connect_timeout: Duration::from_millis(400), ..RelayConfig::default() })
            .await;
    // Joins and offers, but its client never sends a packet.
    let mut silent = Peer::join(&relay, 1, &[MediaKind::Audio]).await;
    let event = tokio::time::timeout(Duration::from_secs(3), silent.events.recv()).await;
    assert_eq!(event.expect("no event in time"), Some(MediaEvent::Failed { client: silent.id }));
    assert_eq!(relay.stats().connect_failures, 1);
    assert_eq!(relay.stats().peer_connections, 0);

    // Still joined: a fresh offer starts a new session, which connects.
    let mut again = Peer::join(&relay, 1, &[MediaKind::Audio]).await;
    assert!(pump(&relay, &mut [&mut again], SETTLE, |p| p[0].connected()).await);
}

#[tokio::test]
async fn a_new_video_binding_sends_a_keyframe_request_to_the_source() {
    let relay = relay().await;
    let mut a = Peer::join(&relay, 1, &[MediaKind::Video]).await;
    let mut b = Peer::join(&relay, 2, &[]).await;
    let sending = pump(&relay, &mut [&mut a, &mut b], SETTLE, |p| {
        p[0].connected() && !p[1].server_offers.is_empty() && relay.stats().frames_received >= 10
    })
    .await;
    assert!(sending, "A's video never reached the relay");
    assert_eq!(a.rtc.keyframe_requests, 0, "a keyframe was asked for with nobody receiving");

    relay.bind(b.id, Track::Camera, 0, Some(a.id));
    let asked = pump(&relay, &mut [&mut a, &mut b], SETTLE, |p| p[0].rtc.keyframe_requests > 0).await;
    assert!(asked, "A was not asked for a keyframe when B started receiving its video");
    assert!(relay.stats().keyframe_requests >= 1);
    assert!(
        pump(&relay, &mut [&mut a, &mut b], SETTLE, |p| p[1].rtc.video_in > 0).await,
        "no video reached B"
    );
}

#[tokio::test]
async fn the_relay_is_full_at_its_limit() {
    let relay = relay_with(RelayConfig { max_clients: 1, ..RelayConfig::default() }).await;
    let first = UserId::new();
    let _events = relay.join(first).await.unwrap();
    assert_eq!(relay.join(UserId::new()).await.err(), Some(MediaError::Full { max: 1 }));
    // Joining again replaces one's own session rather than taking a second place.
    let _events = relay.join(first).await.unwrap();
    assert_eq!(relay.stats().clients, 1);
}

#[tokio::test]
async fn a_person_who_takes_no_events_is_dropped() {
    let relay = relay_with(RelayConfig { events_capacity: 1, ..RelayConfig::default() }).await;
    let mut b = Peer::join(&relay, 2, &[]).await;
    b.deaf = true;
    // B's queue holds `Connected`; the offer of its slots finds it full.
    let dropped = pump(&relay, &mut [&mut b], SETTLE, |_| relay.stats().dropped_slow == 1).await;
    assert!(dropped, "B was not dropped");
    assert_eq!(relay.stats().clients, 0);
    assert_eq!(relay.stats().peer_connections, 0);
    let left = tokio::time::timeout(Duration::from_secs(1), async {
        let mut events = Vec::new();
        while let Some(event) = b.events.recv().await {
            events.push(event);
        }
        events
    })
    .await;
    assert_eq!(left, Ok(vec![MediaEvent::Connected { client: b.id }]));
}

#[tokio::test]
async fn a_client_offer_crossing_the_relays_wins_and_both_directions_flow() {
    let relay = relay().await;
    let mut a = Peer::join(&relay, 1, &[MediaKind::Audio]).await;
    let mut b = Peer::join(&relay, 2, &[]).await;
    b.hold_offers = true;
    bind_all(&relay, &b, Some(&a));
    bind_all(&relay, &a, Some(&b));
    let offered = pump(&relay, &mut [&mut a, &mut b], SETTLE, |p| !p[1].server_offers.is_empty()).await;
    assert!(offered, "the relay did not offer B its slots");

    // B ignores that offer and makes its own, starting its microphone.
    b.hold_offers = false;
    b.add_track(&relay, MediaKind::Audio).await.unwrap();
    let both =
        pump(&relay, &mut [&mut a, &mut b], SETTLE, |p| p[0].from(p[1]) > 10 && p[1].from(p[0]) > 10).await;
    assert!(both, "A heard {} frames of B, B {} of A", a.from(&b), b.from(&a));
    assert!(b.server_offers.len() >= 2, "the relay did not offer B's slots again");

    // A fourth sending track is one too many, also in a renegotiation.
    let mut c = Peer::join(&relay, 3, &[MediaKind::Audio, MediaKind::Video, MediaKind::Video]).await;
    assert_eq!(
        c.add_track(&relay, MediaKind::Audio).await,
        Err(MediaError::TooManyTracks { offered: 4, max: 3 })
    );
}
