//! One simulated person in media: their WebSocket (join, signalling) and a str0m session
//! on a UDP socket of its own that sends a camera track at a set bitrate. What the relay
//! forwards to it is counted at the socket and not decrypted: the load tool's job is to
//! make load and count it, and decrypting every forwarded packet would cost it as much CPU
//! as the server spends forwarding (on a machine where each has one core). STUN, DTLS and
//! RTCP still go to the session, so ICE and DTLS stay up.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use str0m::format::Codec;
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Input, Output, Rtc};
use tokio::net::UdpSocket;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

/// What every person adds to, read by the run.
#[derive(Default)]
pub struct Counters {
    /// Sessions connected to the relay.
    pub connected: AtomicUsize,
    /// Camera slots bound (consumers: one receiver getting one sender's video).
    pub consumers: AtomicUsize,
    /// RTP packets and bytes received, while measuring.
    pub packets: AtomicU64,
    pub bytes: AtomicU64,
    /// RTP packets sent, while measuring.
    pub sent: AtomicU64,
}

pub struct Peer {
    pub ws_url: String,
    pub space: String,
    pub token: String,
    /// Camera frames per second, and bytes per frame.
    pub fps: u32,
    pub frame_bytes: usize,
}

impl Peer {
    /// Runs until aborted. Cameras start when `sending` turns true (once everyone is
    /// connected: a relay busy forwarding would hold up the others' DTLS handshakes), and
    /// what is sent and received is counted while `measuring` is true.
    pub async fn run(
        self,
        counters: Arc<Counters>,
        sending: watch::Receiver<bool>,
        measuring: watch::Receiver<bool>,
    ) -> anyhow::Result<()> {
        let (mut ws, _) =
            tokio_tungstenite::connect_async(self.ws_url.as_str()).await.context("connecting")?;
        let join = json!({"type": "join", "payload": {"spaceId": self.space, "token": self.token}});
        ws.send(Message::text(join.to_string())).await?;
        let socket = UdpSocket::bind("127.0.0.1:0").await?;
        let mut rtc = Rtc::builder().clear_codecs().enable_vp8(true).build(Instant::now());
        rtc.add_local_candidate(Candidate::host(socket.local_addr()?, "udp")?);
        let mut api = rtc.sdp_api();
        let camera = api.add_media(MediaKind::Video, Direction::SendOnly, None, None, None);
        let (offer, pending) = api.apply().context("an offer")?;
        let offer = json!({"type": "media-offer", "payload": {"sdp": offer.to_sdp_string()}});
        ws.send(Message::text(offer.to_string())).await?;
        let mut pending = Some(pending);
        let mut session = Session { rtc, socket, camera, clock: 0, connected: false, bound: 0 };
        let mut buf = vec![0u8; 2048];
        // Each camera at its own phase, as real ones are: not every frame at once.
        let period = Duration::from_secs(1) / self.fps.max(1);
        let phase = period.mul_f64(f64::from(getrandom::u32().unwrap_or(0)) / f64::from(u32::MAX));
        let mut frames = tokio::time::interval_at(tokio::time::Instant::now() + phase, period);
        frames.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            let timeout = session.drain().await?;
            let measure = *measuring.borrow();
            tokio::select! {
                message = ws.next() => {
                    let Some(Ok(message)) = message else { break };
                    let Message::Text(text) = message else { continue };
                    let frame: Value = serde_json::from_str(text.as_str())?;
                    if let Some(reply) = session.on_frame(&frame, &mut pending, &counters)? {
                        ws.send(Message::text(reply.to_string())).await?;
                    }
                }
                received = session.socket.recv_from(&mut buf) => {
                    let (n, source) = received?;
                    if is_rtp(&buf[..n]) {
                        if measure {
                            counters.packets.fetch_add(1, Ordering::Relaxed);
                            counters.bytes.fetch_add(n as u64, Ordering::Relaxed);
                        }
                    } else {
                        session.feed(source, &buf[..n])?;
                    }
                }
                _ = frames.tick(), if session.connected && *sending.borrow() => {
                    let packets = session.send_frame(self.frame_bytes)?;
                    if measure {
                        counters.sent.fetch_add(packets, Ordering::Relaxed);
                    }
                }
                _ = tokio::time::sleep_until(timeout.into()) => session.rtc.handle_input(Input::Timeout(Instant::now()))?,
            }
            if !session.connected && session.rtc.is_connected() {
                session.connected = true;
                counters.connected.fetch_add(1, Ordering::Relaxed);
            }
            if !session.rtc.is_alive() {
                bail!("the media session closed");
            }
        }
        Ok(())
    }
}

struct Session {
    rtc: Rtc,
    socket: UdpSocket,
    camera: Mid,
    clock: u64,
    connected: bool,
    /// Camera slots of ours bound to someone, as last told.
    bound: usize,
}

impl Session {
    /// Sends what the session has to send; returns when it wants the time again.
    async fn drain(&mut self) -> anyhow::Result<Instant> {
        loop {
            match self.rtc.poll_output()? {
                Output::Timeout(at) => return Ok(at),
                Output::Transmit(t) => {
                    let _ = self.socket.send_to(&t.contents, t.destination).await;
                }
                Output::Event(_) => {}
            }
        }
    }

    fn feed(&mut self, source: std::net::SocketAddr, bytes: &[u8]) -> anyhow::Result<()> {
        let destination = self.socket.local_addr()?;
        let contents = bytes.try_into()?;
        let input =
            Input::Receive(Instant::now(), Receive { proto: Protocol::Udp, source, destination, contents });
        self.rtc.handle_input(input)?;
        Ok(())
    }

    /// One camera frame; returns the RTP packets it became (by size, as str0m splits VP8
    /// at about 1,100 bytes).
    fn send_frame(&mut self, bytes: usize) -> anyhow::Result<u64> {
        let Some(writer) = self.rtc.writer(self.camera) else { return Ok(0) };
        let Some(pt) = writer.payload_params().find(|p| p.spec().codec == Codec::Vp8).map(|p| p.pt()) else {
            return Ok(0);
        };
        self.clock += 3600; // 25 frames a second at 90 kHz; the receivers do not decode.
                            // 0x10 reads as a VP8 keyframe header; the rest is padding.
        let data = vec![0x10u8; bytes];
        writer.write(pt, Instant::now(), MediaTime::new(self.clock, Frequency::NINETY_KHZ), data)?;
        Ok(bytes.div_ceil(1100) as u64)
    }

    /// Handles a server frame; gives the frame to send back, if any.
    fn on_frame(
        &mut self,
        frame: &Value,
        pending: &mut Option<str0m::change::SdpPendingOffer>,
        counters: &Counters,
    ) -> anyhow::Result<Option<Value>> {
        let sdp = || frame["payload"]["sdp"].as_str().context("sdp");
        match frame["type"].as_str() {
            Some("media-answer") => {
                let answer = str0m::change::SdpAnswer::from_sdp_string(sdp()?)?;
                if let Some(pending) = pending.take() {
                    self.rtc.sdp_api().accept_answer(pending, answer)?;
                }
                Ok(None)
            }
            Some("media-offer") => {
                let offer = str0m::change::SdpOffer::from_sdp_string(sdp()?)?;
                let answer = self.rtc.sdp_api().accept_offer(offer)?;
                Ok(Some(json!({"type": "media-answer", "payload": {"sdp": answer.to_sdp_string()}})))
            }
            Some("media-slots") => {
                let bound = frame["payload"]["camera"]
                    .as_array()
                    .map_or(0, |s| s.iter().filter(|s| !s.is_null()).count());
                counters.consumers.fetch_add(bound, Ordering::Relaxed);
                counters.consumers.fetch_sub(self.bound, Ordering::Relaxed);
                self.bound = bound;
                Ok(None)
            }
            Some("error") => bail!("the server said {frame}"),
            _ => Ok(None),
        }
    }
}

/// RTP rather than STUN, DTLS or RTCP (RFC 7983's first byte, RFC 5761's payload types).
fn is_rtp(bytes: &[u8]) -> bool {
    matches!(bytes, [128..=191, second, ..] if !(192..=223).contains(second))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_rtp_from_the_rest() {
        assert!(is_rtp(&[0x80, 96, 0, 0]));
        assert!(is_rtp(&[0x90, 0xe0 & 0x7f, 0, 0]));
        assert!(!is_rtp(&[0x80, 200, 0, 0]), "an RTCP sender report");
        assert!(!is_rtp(&[0x00, 0x01, 0, 0]), "STUN");
        assert!(!is_rtp(&[22, 254, 253]), "DTLS");
    }
}
