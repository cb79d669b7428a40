//! One simulated person: joins, walks to random neighbouring tiles at a steady rate, and
//! timestamps every `movement` frame it receives against the moment its mover sent it.
//! Frames are matched by their prefix and a few fields, not parsed whole: at a million
//! frames a second the load tool must stay cheaper than the server.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Bytes read from a socket at a time: dozens of frames.
const READ_BUFFER: usize = 4096;

use crate::stats::Histogram;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Warmup,
    Measure,
    Drain,
    Stop,
}

/// The last moves each person sent: where to, when, and whether inside the measured window.
#[derive(Default)]
pub struct MoveLog {
    ring: [(i64, i64, Option<Instant>, bool); 8],
    next: usize,
}

impl MoveLog {
    fn push(&mut self, x: i64, y: i64, at: Instant, measured: bool) {
        self.ring[self.next] = (x, y, Some(at), measured);
        self.next = (self.next + 1) % self.ring.len();
    }

    /// Whether the most recent move was sent inside the measured window.
    fn latest_measured(&self) -> bool {
        self.ring[(self.next + self.ring.len() - 1) % self.ring.len()].3
    }

    /// The latest move to (x, y).
    fn find(&self, x: i64, y: i64) -> Option<(Instant, bool)> {
        (1..=self.ring.len())
            .map(|back| self.ring[(self.next + self.ring.len() - back) % self.ring.len()])
            .find(|(mx, my, at, _)| *mx == x && *my == y && at.is_some())
            .map(|(_, _, at, measured)| (at.expect("checked"), measured))
    }
}

/// Where one client last saw each other person, by bench index: the client's picture of
/// the space, kept from the frames it receives, so a missed move shows as a jump.
#[derive(Default)]
struct View {
    /// Packed `x << 16 | y`, or `UNSEEN`. Allocated at the first frame about anyone, so
    /// idle clients cost nothing.
    seen: Vec<u32>,
}

const UNSEEN: u32 = u32::MAX;

impl View {
    fn set(&mut self, people: usize, who: usize, at: Option<(i64, i64)>) {
        if self.seen.is_empty() {
            self.seen = vec![UNSEEN; people];
        }
        self.seen[who] = at.map_or(UNSEEN, |(x, y)| ((x as u32) << 16) | (y as u32 & 0xFFFF));
    }

    /// Records that `who` moved to `to`; false if that was not one step from where this
    /// client last saw them.
    fn step(&mut self, people: usize, who: usize, to: (i64, i64)) -> bool {
        let before = self.seen.get(who).copied().unwrap_or(UNSEEN);
        self.set(people, who, Some(to));
        if before == UNSEEN {
            return false;
        }
        let (x, y) = (i64::from(before >> 16), i64::from(before & 0xFFFF));
        (x - to.0).abs() + (y - to.1).abs() == 1
    }
}

pub struct Shared {
    pub index: HashMap<String, usize>,
    pub moves: Vec<Mutex<MoveLog>>,
    /// Chat messages carry their send time as microseconds since this instant.
    pub epoch: Instant,
}

#[derive(Default, Clone)]
pub struct ClientStats {
    pub latency: Histogram,
    pub received: u64,
    pub unmatched: u64,
    /// Measured movement frames that were not one step from where this client last saw
    /// the mover (or of someone it had not been shown): a neighbour's move it missed.
    pub missed: u64,
    pub sent: u64,
    pub rejected: u64,
    pub chat_latency: Histogram,
    pub chats_sent: u64,
    pub chats_received: u64,
    pub errors: u64,
    pub join_us: Option<u64>,
}

/// A place among the joins in flight. Dropping it, once joined or failed, frees the place
/// and counts the join as done, whichever way the client's attempt ended.
pub struct JoinTicket {
    _place: OwnedSemaphorePermit,
    settled: Arc<AtomicUsize>,
}

impl JoinTicket {
    pub fn new(place: OwnedSemaphorePermit, settled: Arc<AtomicUsize>) -> Self {
        Self { _place: place, settled }
    }
}

impl Drop for JoinTicket {
    fn drop(&mut self) {
        self.settled.fetch_add(1, Ordering::Relaxed);
    }
}

pub struct Client {
    pub index: usize,
    pub url: String,
    pub server: SocketAddr,
    /// The loopback address to connect from, when not the default one.
    pub source: Option<Ipv4Addr>,
    pub space: String,
    pub token: String,
    pub size: (i64, i64),
    pub rate: f64,
    /// Chat messages (scope `space`) per second.
    pub chat_rate: f64,
    /// Stops reading after joining: the slow consumer of target 6.
    pub stalled: bool,
}

impl Client {
    /// `joining` is held until this client has joined (or failed to), bounding joins in
    /// flight and counting those done.
    pub async fn run(
        self,
        shared: &Shared,
        mut phase: watch::Receiver<Phase>,
        joining: JoinTicket,
    ) -> ClientStats {
        let mut stats = ClientStats::default();
        // The default 128 KiB read buffer is zeroed before every read: with one small frame
        // per read that memset alone took a third of the tool's time.
        let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER);
        let Some(mut socket) = self.connect(config).await else {
            stats.errors += 1;
            return stats;
        };
        let join =
            format!(r#"{{"type":"join","payload":{{"spaceId":"{}","token":"{}"}}}}"#, self.space, self.token);
        let started = Instant::now();
        if socket.send(Message::text(join)).await.is_err() {
            stats.errors += 1;
            return stats;
        }
        let mut view = View::default();
        let mut at = loop {
            match socket.next().await {
                Some(Ok(Message::Text(text))) if text.starts_with(r#"{"type":"space-joined""#) => {
                    stats.join_us = Some(started.elapsed().as_micros() as u64);
                    let users = text.split_once(r#""users":"#).map_or("", |(_, users)| users);
                    for person in users.split(r#"{"userId":""#).skip(1) {
                        if let Some((who, x, y)) = person_at(person, shared) {
                            view.set(shared.moves.len(), who, Some((x, y)));
                        }
                    }
                    let spawn = text.split(r#""spawn":"#).nth(1).unwrap_or_default();
                    break (
                        number_after(spawn, r#""x":"#).unwrap_or(0),
                        number_after(spawn, r#""y":"#).unwrap_or(0),
                    );
                }
                Some(Ok(_)) => continue,
                _ => {
                    stats.errors += 1;
                    return stats;
                }
            }
        };
        drop(joining);
        if self.stalled {
            let _ = phase.wait_for(|p| *p == Phase::Stop).await;
            return stats;
        }
        let mut rng = Rng((self.index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        // Each tick sends a move (when moving) and looks at the phase: reading it on every
        // received frame, or waiting on it alongside the socket, would cost more than the
        // frame itself at a million frames a second.
        let period = if self.rate > 0.0 {
            Duration::from_secs_f64(1.0 / self.rate)
        } else {
            Duration::from_millis(250)
        };
        // Start at a random point of the period, so moves spread evenly over time.
        let first = tokio::time::Instant::now() + period.mul_f64(rng.unit());
        let mut ticks = tokio::time::interval_at(first, period);
        let chat_period =
            Duration::from_secs_f64(if self.chat_rate > 0.0 { 1.0 / self.chat_rate } else { 3600.0 });
        let mut chats = tokio::time::interval_at(
            tokio::time::Instant::now() + chat_period.mul_f64(rng.unit()),
            chat_period,
        );
        loop {
            tokio::select! {
                biased;
                _ = chats.tick(), if self.chat_rate > 0.0 => {
                    let now = *phase.borrow();
                    if now > Phase::Measure {
                        continue;
                    }
                    let measured = now == Phase::Measure;
                    let sent_at = shared.epoch.elapsed().as_micros();
                    let text = format!("bench {} {sent_at}", u8::from(measured));
                    let frame = format!(r#"{{"type":"chat","payload":{{"scope":"space","text":"{text}"}}}}"#);
                    if socket.send(Message::text(frame)).await.is_err() {
                        stats.errors += 1;
                        break;
                    }
                    stats.chats_sent += u64::from(measured);
                }
                _ = ticks.tick() => {
                    let now = *phase.borrow();
                    if now == Phase::Stop {
                        break;
                    }
                    if self.rate <= 0.0 || now > Phase::Measure {
                        continue;
                    }
                    let measured = now == Phase::Measure;
                    let to = self.neighbour(at, &mut rng);
                    let frame = format!(r#"{{"type":"move","payload":{{"x":{},"y":{}}}}}"#, to.0, to.1);
                    shared.moves[self.index].lock().expect("move log").push(to.0, to.1, Instant::now(), measured);
                    if socket.send(Message::text(frame)).await.is_err() {
                        stats.errors += 1;
                        break;
                    }
                    stats.sent += u64::from(measured);
                    at = to; // Assume accepted; a rejection says otherwise.
                }
                message = socket.next() => match message {
                    Some(Ok(Message::Text(text))) => {
                        self.on_frame(text.as_str(), shared, &mut stats, &mut at, &mut view)
                    },
                    Some(Ok(_)) => {}
                    _ => break,
                },
            }
        }
        let _ = socket.close(None).await;
        stats
    }

    async fn connect(&self, config: WebSocketConfig) -> Option<WebSocketStream<MaybeTlsStream<TcpStream>>> {
        let Some(source) = self.source else {
            let connected = tokio_tungstenite::connect_async_with_config(&self.url, Some(config), true).await;
            return connected.ok().map(|(socket, _)| socket);
        };
        let tcp = TcpSocket::new_v4().ok()?;
        tcp.bind(SocketAddr::new(source.into(), 0)).ok()?;
        let stream = tcp.connect(self.server).await.ok()?;
        stream.set_nodelay(true).ok()?;
        let upgraded = tokio_tungstenite::client_async_with_config(
            &self.url,
            MaybeTlsStream::Plain(stream),
            Some(config),
        )
        .await;
        upgraded.ok().map(|(socket, _)| socket)
    }

    fn on_frame(
        &self,
        text: &str,
        shared: &Shared,
        stats: &mut ClientStats,
        at: &mut (i64, i64),
        view: &mut View,
    ) {
        let people = shared.moves.len();
        let about = || text.split_once(r#""userId":""#).and_then(|(_, rest)| person_at(rest, shared));
        if text.starts_with(r#"{"type":"movement","#) {
            let Some((mover, x, y)) = about() else { return };
            let one_step = view.step(people, mover, (x, y));
            match shared.moves[mover].lock().expect("move log").find(x, y) {
                Some((sent, true)) => {
                    stats.latency.record(sent.elapsed().as_micros() as u64);
                    stats.received += 1;
                    stats.missed += u64::from(!one_step);
                }
                Some((_, false)) => {}
                None => stats.unmatched += 1,
            }
        } else if text.starts_with(r#"{"type":"user-joined""#)
            || text.starts_with(r#"{"type":"user-appeared""#)
        {
            if let Some((who, x, y)) = about() {
                view.set(people, who, Some((x, y)));
            }
        } else if text.starts_with(r#"{"type":"user-left""#)
            || text.starts_with(r#"{"type":"user-disappeared""#)
        {
            let who =
                text.split_once(r#""userId":""#).and_then(|(_, rest)| shared.index.get(rest.get(..36)?));
            if let Some(&who) = who {
                view.set(people, who, None);
            }
        } else if text.starts_with(r#"{"type":"movement-rejected""#) {
            if let (Some(x), Some(y)) = (number_after(text, r#""x":"#), number_after(text, r#""y":"#)) {
                *at = (x, y);
            }
            let measured = shared.moves[self.index].lock().expect("move log").latest_measured();
            stats.rejected += u64::from(measured);
        } else if text.starts_with(r#"{"type":"chat""#) {
            // "bench <measured> <sent at>", from anyone but this client (which gets its own
            // message back too).
            let from =
                text.split_once(r#""userId":""#).and_then(|(_, rest)| shared.index.get(rest.get(..36)?));
            let Some((_, sent)) = text.split_once(r#""text":"bench 1 "#) else { return };
            let sent_at: Option<u128> = sent.split('"').next().and_then(|n| n.parse().ok());
            if let (Some(&from), Some(sent_at)) = (from, sent_at) {
                if from != self.index {
                    let latency = shared.epoch.elapsed().as_micros().saturating_sub(sent_at);
                    stats.chat_latency.record(latency as u64);
                    stats.chats_received += 1;
                }
            }
        } else if text.starts_with(r#"{"type":"error""#) {
            stats.errors += 1;
        }
    }

    fn neighbour(&self, at: (i64, i64), rng: &mut Rng) -> (i64, i64) {
        let (w, h) = self.size;
        for _ in 0..8 {
            let (dx, dy) = [(1, 0), (-1, 0), (0, 1), (0, -1)][(rng.next() % 4) as usize];
            let to = (at.0 + dx, at.1 + dy);
            if (0..w).contains(&to.0) && (0..h).contains(&to.1) {
                return to;
            }
        }
        at
    }
}

/// Reads `<36-character user id>", ... "x":X, "y":Y` (the text after a `"userId":"`) as
/// the person's bench index and position.
fn person_at(text: &str, shared: &Shared) -> Option<(usize, i64, i64)> {
    let who = *shared.index.get(text.get(..36)?)?;
    Some((who, number_after(text, r#""x":"#)?, number_after(text, r#""y":"#)?))
}

fn number_after(text: &str, key: &str) -> Option<i64> {
    let rest = text.split(key).nth(1)?;
    let end = rest.find(|c: char| c != '-' && !c.is_ascii_digit()).unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// xorshift64*: a few cycles per number, deterministic per client.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_latest_move_to_a_tile() {
        let mut log = MoveLog::default();
        let (t0, t1) = (Instant::now(), Instant::now() + Duration::from_millis(5));
        log.push(1, 1, t0, false);
        log.push(2, 1, t0, true);
        log.push(1, 1, t1, true);
        assert_eq!(log.find(1, 1), Some((t1, true)));
        assert_eq!(log.find(2, 1), Some((t0, true)));
        assert_eq!(log.find(9, 9), None);
    }

    #[test]
    fn a_move_counts_as_missed_unless_one_step_from_where_the_mover_was_seen() {
        let mut view = View::default();
        assert!(!view.step(3, 1, (4, 4)), "a mover never shown is a missed appearance");
        assert!(view.step(3, 1, (5, 4)));
        assert!(view.step(3, 1, (5, 3)));
        assert!(!view.step(3, 1, (5, 1)), "two tiles at once: a move in between was missed");
        view.set(3, 1, None);
        assert!(!view.step(3, 1, (5, 2)), "gone from view, then moving");
        view.set(3, 2, Some((0, 0)));
        assert!(view.step(3, 2, (0, 1)));
    }

    #[test]
    fn reads_numbers_from_frames() {
        let frame = r#"{"type":"movement","payload":{"userId":"u","x":-3,"y":12}}"#;
        assert_eq!((number_after(frame, r#""x":"#), number_after(frame, r#""y":"#)), (Some(-3), Some(12)));
    }
}
