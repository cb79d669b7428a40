//! The relay over loopback UDP, with real str0m peers as clients. Every wait has a
//! deadline, so a missing packet fails the test instead of hanging it.

use std::time::{Duration, Instant};

use gather_core::UserId;
use gather_media::{MediaError, MediaEvent, MediaKind, Relay, RelayConfig};
use str0m::format::Codec;
use str0m::media::{Direction, Frequency, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

async fn relay() -> Relay {
    relay_with(RelayConfig::default()).await
}

async fn relay_with(config: RelayConfig) -> Relay {
    Relay::start(RelayConfig { bind: "127.0.0.1:0".parse().unwrap(), ..config }).await.unwrap()
}

/// A client: one str0m session on a socket of its own, answering the relay's offers.
struct Peer {
    id: UserId,
    rtc: Rtc,
    socket: UdpSocket,
    events: mpsc::Receiver<MediaEvent>,
    sends: Vec<(Mid, MediaKind)>,
    connected: bool,
    failed: bool,
    audio_in: usize,
    video_in: usize,
    keyframe_requests: usize,
    server_offers: Vec<String>,
    clock: u64,
    /// Leave the relay's events unread (a stuck signalling layer).
    deaf: bool,
    /// Note the relay's offers but do not answer them (the client is busy offering).
    hold_offers: bool,
}

impl Peer {
    /// Joins, offers a track of each kind in `sends`, and takes the relay's answer.
    async fn join(relay: &Relay, sends: &[MediaKind]) -> Peer {
        let id = UserId::new();
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let mut rtc = Rtc::builder().build(Instant::now());
        rtc.add_local_candidate(Candidate::host(socket.local_addr().unwrap(), "udp").unwrap());
        let events = relay.join(id).await.unwrap();
        let mut api = rtc.sdp_api();
        let mut tracks = Vec::new();
        for &kind in sends {
            tracks.push((api.add_media(kind, Direction::SendOnly, None, None, None), kind));
        }
        if sends.is_empty() {
            // An offer needs one m-line; a receiver-only client offers a data channel.
            api.add_channel("signal".into());
        }
        let (offer, pending) = api.apply().unwrap();
        let answer = relay.offer(id, &offer.to_sdp_string()).await.unwrap();
        rtc.sdp_api()
            .accept_answer(pending, str0m::change::SdpAnswer::from_sdp_string(&answer).unwrap())
            .unwrap();
        Peer {
            id,
            rtc,
            socket,
            events,
            sends: tracks,
            connected: false,
            failed: false,
            audio_in: 0,
            video_in: 0,
            keyframe_requests: 0,
            server_offers: Vec::new(),
            clock: 0,
            deaf: false,
            hold_offers: false,
        }
    }

    /// The client renegotiates itself, adding a track it sends.
    async fn add_track(&mut self, relay: &Relay, kind: MediaKind) -> Result<(), MediaError> {
        let mut api = self.rtc.sdp_api();
        let mid = api.add_media(kind, Direction::SendOnly, None, None, None);
        let (offer, pending) = api.apply().unwrap();
        let answer = relay.offer(self.id, &offer.to_sdp_string()).await?;
        self.rtc
            .sdp_api()
            .accept_answer(pending, str0m::change::SdpAnswer::from_sdp_string(&answer).unwrap())
            .unwrap();
        self.sends.push((mid, kind));
        Ok(())
    }

    async fn drain(&mut self) -> Instant {
        loop {
            match self.rtc.poll_output().unwrap() {
                Output::Timeout(at) => return at,
                Output::Transmit(t) => {
                    let _ = self.socket.send_to(&t.contents, t.destination).await;
                }
                Output::Event(Event::MediaData(data)) => match self.rtc.media(data.mid).map(|m| m.kind()) {
                    Some(MediaKind::Audio) => self.audio_in += 1,
                    Some(MediaKind::Video) => self.video_in += 1,
                    None => {}
                },
                Output::Event(Event::KeyframeRequest(_)) => self.keyframe_requests += 1,
                Output::Event(_) => {}
            }
        }
    }

    /// Feeds the session one datagram (waiting at most 2 ms) or the time, answers the
    /// relay's offers, and sends one frame on each track once connected.
    async fn step(&mut self, relay: &Relay) {
        let at = self.drain().await;
        let mut buf = vec![0u8; 2000];
        let wait = at.saturating_duration_since(Instant::now()).min(Duration::from_millis(2));
        match tokio::time::timeout(wait, self.socket.recv_from(&mut buf)).await {
            Ok(Ok((n, source))) => {
                let input = Input::Receive(
                    Instant::now(),
                    Receive {
                        proto: Protocol::Udp,
                        source,
                        destination: self.socket.local_addr().unwrap(),
                        contents: buf[..n].try_into().unwrap(),
                    },
                );
                self.rtc.handle_input(input).unwrap();
            }
            _ => self.rtc.handle_input(Input::Timeout(Instant::now())).unwrap(),
        }
        self.drain().await;
        while let Some(event) = if self.deaf { None } else { self.events.try_recv().ok() } {
            match event {
                MediaEvent::ServerOffer { sdp, .. } if self.hold_offers => self.server_offers.push(sdp),
                MediaEvent::ServerOffer { client, sdp } => {
                    assert_eq!(client, self.id, "an event for someone else");
                    let offer = str0m::change::SdpOffer::from_sdp_string(&sdp).unwrap();
                    let answer = self.rtc.sdp_api().accept_offer(offer).unwrap();
                    self.server_offers.push(sdp);
                    relay.answer(self.id, &answer.to_sdp_string()).await.unwrap();
                    self.drain().await;
                }
                MediaEvent::Connected { .. } => self.connected = true,
                MediaEvent::Failed { .. } => self.failed = true,
            }
        }
        if self.connected {
            self.clock += 960;
            for (mid, kind) in self.sends.clone() {
                let writer = self.rtc.writer(mid).unwrap();
                let params = match kind {
                    MediaKind::Audio => writer.payload_params().next(),
                    MediaKind::Video => writer.payload_params().find(|p| p.spec().codec == Codec::Vp8),
                };
                let pt = params.unwrap().pt();
                let (rate, data) = match kind {
                    MediaKind::Audio => (Frequency::FORTY_EIGHT_KHZ, vec![1u8; 80]),
                    MediaKind::Video => (Frequency::NINETY_KHZ, vec![0x10u8; 300]),
                };
                writer.write(pt, Instant::now(), MediaTime::new(self.clock, rate), data).unwrap();
            }
            self.drain().await;
        }
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

/// A (sending audio) and B (receiving) joined, connected by the room, media flowing.
async fn flowing(relay: &Relay) -> (Peer, Peer) {
    let mut a = Peer::join(relay, &[MediaKind::Audio]).await;
    let mut b = Peer::join(relay, &[]).await;
    relay.connect(a.id, b.id).await.unwrap();
    let flows = pump(relay, &mut [&mut a, &mut b], SETTLE, |p| p[1].audio_in >= 20).await;
    assert!(flows, "no audio reached B: A connected {}, B connected {}", a.connected, b.connected);
    (a, b)
}

#[tokio::test]
async fn audio_reaches_a_connected_peer() {
    let relay = relay().await;
    let (a, b) = flowing(&relay).await;
    assert!(a.connected && b.connected);
    assert_eq!(b.server_offers.len(), 1, "one renegotiation adds A's track to B");
    assert_eq!(b.video_in, 0);
    let stats = relay.stats();
    assert_eq!(stats.clients, 2);
    assert_eq!(stats.peer_connections, 2);
    assert!(stats.frames_forwarded >= 20);
    assert!(stats.bytes_forwarded >= 20 * 80);
}

#[tokio::test]
async fn nothing_reaches_a_peer_not_connected() {
    let relay = relay().await;
    let mut a = Peer::join(&relay, &[MediaKind::Audio]).await;
    let mut b = Peer::join(&relay, &[]).await;
    let sending = pump(&relay, &mut [&mut a, &mut b], SETTLE, |p| {
        p[0].connected && p[1].connected && relay.stats().frames_received >= 50
    })
    .await;
    assert!(sending, "A's audio never reached the relay");
    run_for(&relay, &mut [&mut a, &mut b], Duration::from_millis(300)).await;
    assert_eq!(b.audio_in, 0, "B heard A without being connected");
    assert!(b.server_offers.is_empty(), "B was offered a track of someone it is not connected to");
    assert_eq!(relay.stats().frames_forwarded, 0);

    // The same peers hear each other once connected: the silence above was the routing.
    relay.connect(a.id, b.id).await.unwrap();
    assert!(pump(&relay, &mut [&mut a, &mut b], SETTLE, |p| p[1].audio_in > 0).await);
}

#[tokio::test]
async fn disconnecting_stops_forwarding() {
    let relay = relay().await;
    let (mut a, mut b) = flowing(&relay).await;
    relay.disconnect(a.id, b.id);
    // What was already on its way may still land.
    run_for(&relay, &mut [&mut a, &mut b], Duration::from_millis(100)).await;
    let (heard, received) = (b.audio_in, relay.stats().frames_received);
    run_for(&relay, &mut [&mut a, &mut b], Duration::from_millis(700)).await;
    assert!(relay.stats().frames_received > received + 20, "A stopped sending");
    assert_eq!(b.audio_in, heard, "B still hears A after the disconnect");

    relay.connect(a.id, b.id).await.unwrap();
    let again = pump(&relay, &mut [&mut a, &mut b], SETTLE, |p| p[1].audio_in > heard + 10).await;
    assert!(again, "reconnecting did not resume forwarding");
    assert_eq!(b.server_offers.len(), 1, "reconnecting reuses the negotiated track");
}

#[tokio::test]
async fn muting_stops_forwarding_and_unmuting_resumes_it() {
    let relay = relay().await;
    let (mut a, mut b) = flowing(&relay).await;
    relay.mute(a.id, MediaKind::Audio, true);
    run_for(&relay, &mut [&mut a, &mut b], Duration::from_millis(100)).await;
    let heard = b.audio_in;
    run_for(&relay, &mut [&mut a, &mut b], Duration::from_millis(700)).await;
    assert_eq!(b.audio_in, heard, "B hears A while A is muted");

    // Muting video leaves audio alone.
    relay.mute(a.id, MediaKind::Audio, false);
    relay.mute(a.id, MediaKind::Video, true);
    let resumed = pump(&relay, &mut [&mut a, &mut b], SETTLE, |p| p[1].audio_in > heard + 10).await;
    assert!(resumed, "unmuting did not resume forwarding");
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
    assert!(a.connected && b.connected);
}

#[tokio::test]
async fn leaving_removes_the_tracks_from_the_others() {
    let relay = relay().await;
    let (mut a, mut b) = flowing(&relay).await;
    relay.leave(a.id);
    let stopped = pump(&relay, &mut [&mut b], SETTLE, |p| p[0].server_offers.len() == 2).await;
    assert!(stopped, "B was not offered the removal of A's track");
    assert!(b.server_offers[1].contains("m=audio 0 "), "A's m-line is not stopped:\n{}", b.server_offers[1]);
    let heard = b.audio_in;
    // A's client has not noticed and keeps sending: nothing of it is forwarded.
    run_for(&relay, &mut [&mut a, &mut b], Duration::from_millis(500)).await;
    assert_eq!(b.audio_in, heard);
    let stats = relay.stats();
    assert_eq!(stats.clients, 1);
    assert_eq!(stats.peer_connections, 1);
    assert_eq!(relay.connect(a.id, b.id).await, Err(MediaError::NotJoined(a.id)));
    let closed = tokio::time::timeout(Duration::from_secs(1), a.events.recv()).await;
    assert_eq!(closed, Ok(None), "A's event stream is not closed");
}

#[tokio::test]
async fn a_session_that_never_connects_fails() {
    let relay =
        relay_with(RelayConfig { connect_timeout: Duration::from_millis(400), ..RelayConfig::default() })
            .await;
    // Joins and offers, but its client never sends a packet.
    let mut silent = Peer::join(&relay, &[MediaKind::Audio]).await;
    let event = tokio::time::timeout(Duration::from_secs(3), silent.events.recv()).await;
    assert_eq!(event.expect("no event in time"), Some(MediaEvent::Failed { client: silent.id }));
    assert_eq!(relay.stats().connect_failures, 1);
    assert_eq!(relay.stats().peer_connections, 0);

    // Still joined: a fresh offer starts a new session, which connects.
    let mut again = Peer::join(&relay, &[MediaKind::Audio]).await;
    assert!(pump(&relay, &mut [&mut again], SETTLE, |p| p[0].connected).await);
}

#[tokio::test]
async fn a_new_video_receiver_gets_a_keyframe_request_sent_to_the_source() {
    let relay = relay().await;
    let mut a = Peer::join(&relay, &[MediaKind::Video]).await;
    let mut b = Peer::join(&relay, &[]).await;
    let sending = pump(&relay, &mut [&mut a, &mut b], SETTLE, |p| {
        p[0].connected && p[1].connected && relay.stats().frames_received >= 10
    })
    .await;
    assert!(sending, "A's video never reached the relay");
    assert_eq!(a.keyframe_requests, 0, "a keyframe was asked for with nobody receiving");

    relay.connect(a.id, b.id).await.unwrap();
    let asked = pump(&relay, &mut [&mut a, &mut b], SETTLE, |p| p[0].keyframe_requests > 0).await;
    assert!(asked, "A was not asked for a keyframe when B started receiving its video");
    assert!(relay.stats().keyframe_requests >= 1);
    assert!(pump(&relay, &mut [&mut a, &mut b], SETTLE, |p| p[1].video_in > 0).await, "no video reached B");
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
    let mut a = Peer::join(&relay, &[MediaKind::Audio]).await;
    let mut b = Peer::join(&relay, &[]).await;
    b.deaf = true;
    // B's queue holds `Connected`; the offer of A's track finds it full.
    let up = pump(&relay, &mut [&mut a, &mut b], SETTLE, |p| {
        p[0].connected && relay.stats().peer_connections == 2
    })
    .await;
    assert!(up, "the sessions did not connect");
    relay.connect(a.id, b.id).await.unwrap();
    let dropped = pump(&relay, &mut [&mut a, &mut b], SETTLE, |_| relay.stats().dropped_slow == 1).await;
    assert!(dropped, "B was not dropped");
    assert_eq!(relay.stats().clients, 1);
    assert_eq!(relay.stats().peer_connections, 1);
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
    let mut a = Peer::join(&relay, &[MediaKind::Audio]).await;
    let mut b = Peer::join(&relay, &[]).await;
    b.hold_offers = true;
    assert!(pump(&relay, &mut [&mut a, &mut b], SETTLE, |p| p[0].connected && p[1].connected).await);
    relay.connect(a.id, b.id).await.unwrap();
    let offered = pump(&relay, &mut [&mut a, &mut b], SETTLE, |p| !p[1].server_offers.is_empty()).await;
    assert!(offered, "the relay did not offer A's track to B");

    // B ignores that offer and makes its own, starting its microphone.
    b.hold_offers = false;
    b.add_track(&relay, MediaKind::Audio).await.unwrap();
    let both =
        pump(&relay, &mut [&mut a, &mut b], SETTLE, |p| p[0].audio_in > 10 && p[1].audio_in > 10).await;
    assert!(both, "A heard {} frames of B, B {} of A", a.audio_in, b.audio_in);
    assert!(b.server_offers.len() >= 2, "the relay did not offer A's track again");

    // A fourth sending track is one too many, also in a renegotiation.
    let mut c = Peer::join(&relay, &[MediaKind::Audio, MediaKind::Video, MediaKind::Video]).await;
    assert_eq!(
        c.add_track(&relay, MediaKind::Audio).await,
        Err(MediaError::TooManyTracks { offered: 4, max: 3 })
    );
}
