//! A WebRTC client for tests of the media relay: one real str0m session on a loopback UDP
//! socket of its own, sending a synthetic frame on each of its tracks per step once
//! connected, and counting what it receives and from whom: each client's frames end in its
//! own marker byte, which the relay forwards untouched. Signalling is the caller's: the
//! relay's API directly, or the space's WebSocket.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::format::Codec;
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc};
use tokio::net::UdpSocket;

pub struct RtcClient {
    pub rtc: Rtc,
    socket: UdpSocket,
    pub sends: Vec<(Mid, MediaKind)>,
    pending: Option<SdpPendingOffer>,
    pub connected: bool,
    pub audio_in: usize,
    pub video_in: usize,
    /// The last byte of every frame this client sends: who sent it, to its receivers.
    pub marker: u8,
    /// Frames received, by the sender's marker.
    pub from: HashMap<u8, usize>,
    /// Video frames received, by the stream id of the slot they came on (`camera-0`).
    pub video_by_stream: HashMap<String, usize>,
    pub keyframe_requests: usize,
    /// The stream id of each track the relay offered (a slot: `audio-3`), by its mid.
    streams: HashMap<String, String>,
    clock: u64,
}

impl RtcClient {
    pub async fn new(marker: u8) -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let mut rtc = Rtc::builder().build(Instant::now());
        rtc.add_local_candidate(Candidate::host(socket.local_addr().unwrap(), "udp").unwrap());
        Self {
            rtc,
            socket,
            sends: Vec::new(),
            pending: None,
            connected: false,
            audio_in: 0,
            video_in: 0,
            marker,
            from: HashMap::new(),
            video_by_stream: HashMap::new(),
            keyframe_requests: 0,
            streams: HashMap::new(),
            clock: 0,
        }
    }

    /// An offer adding a track of each kind in `sends` (a data channel when there are none:
    /// an offer needs one m-line).
    pub fn offer(&mut self, sends: &[MediaKind]) -> String {
        let mut api = self.rtc.sdp_api();
        let mut added = Vec::new();
        for &kind in sends {
            added.push((api.add_media(kind, Direction::SendOnly, None, None, None), kind));
        }
        if sends.is_empty() && self.sends.is_empty() {
            api.add_channel("signal".into());
        }
        let (offer, pending) = api.apply().unwrap();
        self.pending = Some(pending);
        self.sends.extend(added);
        offer.to_sdp_string()
    }

    /// The relay's answer to our offer.
    pub fn accept_answer(&mut self, sdp: &str) {
        let pending = self.pending.take().expect("an offer of ours is waiting");
        self.rtc.sdp_api().accept_answer(pending, SdpAnswer::from_sdp_string(sdp).unwrap()).unwrap();
    }

    /// The relay's offer; gives our answer.
    pub fn accept_offer(&mut self, sdp: &str) -> String {
        self.streams.extend(streams_of(sdp));
        let offer = SdpOffer::from_sdp_string(sdp).unwrap();
        self.rtc.sdp_api().accept_offer(offer).unwrap().to_sdp_string()
    }

    pub async fn drain(&mut self) -> Instant {
        loop {
            match self.rtc.poll_output().unwrap() {
                Output::Timeout(at) => return at,
                Output::Transmit(t) => {
                    let _ = self.socket.send_to(&t.contents, t.destination).await;
                }
                Output::Event(Event::Connected) => self.connected = true,
                Output::Event(Event::MediaData(data)) => {
                    if let Some(&marker) = data.data.last() {
                        *self.from.entry(marker).or_default() += 1;
                    }
                    match self.rtc.media(data.mid).map(|m| m.kind()) {
                        Some(MediaKind::Audio) => self.audio_in += 1,
                        Some(MediaKind::Video) => {
                            self.video_in += 1;
                            let stream = self.streams.get(&data.mid.to_string()).cloned().unwrap_or_default();
                            *self.video_by_stream.entry(stream).or_default() += 1;
                        }
                        None => {}
                    }
                }
                Output::Event(Event::KeyframeRequest(_)) => self.keyframe_requests += 1,
                Output::Event(_) => {}
            }
        }
    }

    /// Feeds the session every datagram that has come (waiting at most 2 ms for the first)
    /// or the time, and sends one frame on each track once connected. Reading all of them
    /// keeps the socket's queue empty, so what is counted is what the relay sent just now.
    pub async fn step(&mut self) {
        let at = self.drain().await;
        let mut buf = vec![0u8; 2000];
        let wait = at.saturating_duration_since(Instant::now()).min(Duration::from_millis(2));
        let mut received = match tokio::time::timeout(wait, self.socket.recv_from(&mut buf)).await {
            Ok(Ok(got)) => Some(got),
            _ => None,
        };
        if received.is_none() {
            self.rtc.handle_input(Input::Timeout(Instant::now())).unwrap();
        }
        while let Some((n, source)) = received {
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
            self.drain().await;
            received = self.socket.try_recv_from(&mut buf).ok();
        }
        self.drain().await;
        if self.connected {
            self.send_frames().await;
        }
    }

    async fn send_frames(&mut self) {
        self.clock += 960;
        for (mid, kind) in self.sends.clone() {
            let Some(writer) = self.rtc.writer(mid) else { continue };
            let params = match kind {
                MediaKind::Audio => writer.payload_params().next(),
                MediaKind::Video => writer.payload_params().find(|p| p.spec().codec == Codec::Vp8),
            };
            let Some(pt) = params.map(|p| p.pt()) else { continue };
            let (rate, mut data) = match kind {
                MediaKind::Audio => (Frequency::FORTY_EIGHT_KHZ, vec![1u8; 80]),
                MediaKind::Video => (Frequency::NINETY_KHZ, vec![0x10u8; 300]),
            };
            *data.last_mut().expect("frames are not empty") = self.marker;
            writer.write(pt, Instant::now(), MediaTime::new(self.clock, rate), data).unwrap();
        }
        self.drain().await;
    }

    /// Frames received from the client with this marker.
    pub fn received_from(&self, marker: u8) -> usize {
        self.from.get(&marker).copied().unwrap_or(0)
    }

    /// The stream ids of the tracks the relay has offered.
    pub fn offered_streams(&self) -> Vec<String> {
        let mut streams: Vec<String> = self.streams.values().cloned().collect();
        streams.sort();
        streams
    }
}

/// The `a=msid:<stream> <track>` of each m-line of an SDP, by its `a=mid:`.
fn streams_of(sdp: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let (mut mid, mut stream) = (None::<String>, None::<String>);
    for line in sdp.lines().chain(["m="]) {
        if line.starts_with("m=") {
            if let (Some(mid), Some(stream)) = (mid.take(), stream.take()) {
                found.push((mid, stream));
            }
        } else if let Some(value) = line.strip_prefix("a=mid:") {
            mid = Some(value.trim().to_owned());
        } else if let Some(value) = line.strip_prefix("a=msid:") {
            stream = value.split_whitespace().next().map(str::to_owned);
        }
    }
    found
}
