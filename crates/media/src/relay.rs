//! The relay task: one UDP socket, every session, one loop. str0m is sans-I/O: after
//! every change to an `Rtc` (input, SDP, a write) its output is drained until it asks for
//! a timeout, and the loop sleeps until the earliest of those, a datagram or a command.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use gather_core::UserId;
use str0m::change::SdpPendingOffer;
use str0m::media::{Direction, KeyframeRequestKind, MediaData, MediaKind, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tracing::{debug, warn};

use crate::stats::Stats;
use crate::{Command, MediaError, MediaEvent, RelayConfig, Track};

/// Keyframe requests a receiver sends are passed to the sender at most this often per
/// track; the relay's own (a slot newly bound) always go.
const RECEIVER_PLI_INTERVAL: Duration = Duration::from_millis(500);

/// One track someone sends.
struct Inbound {
    mid: Mid,
    track: Track,
    last_pli: Option<Instant>,
}

/// One receive slot of a session: an m-line the relay sends on.
struct Slot {
    track: Track,
    index: usize,
    /// Our m-line for it, once offered.
    mid: Option<Mid>,
    /// The client accepted it: media may be written.
    open: bool,
}

struct Session {
    id: UserId,
    rtc: Rtc,
    next: Instant,
    connected: bool,
    /// When the session must have connected.
    deadline: Instant,
    inbound: Vec<Inbound>,
    slots: Vec<Slot>,
    pending: Option<SdpPendingOffer>,
}

impl Session {
    fn track_of(&self, mid: Mid) -> Option<Track> {
        self.inbound.iter().find(|t| t.mid == mid).map(|t| t.track)
    }

    fn open_slot(&self, track: Track, index: usize) -> Option<Mid> {
        self.slots.iter().find(|s| s.open && s.track == track && s.index == index).and_then(|s| s.mid)
    }
}

/// A joined person: where their events go, and what each of their slots carries.
struct Client {
    events: mpsc::Sender<MediaEvent>,
    bound: HashMap<(Track, usize), UserId>,
}

/// Work found while draining one session that touches others.
enum Job {
    Media(UserId, Box<MediaData>),
    /// Ask `source` for a keyframe on its `track`; `by_receiver` ones are throttled.
    Keyframe {
        source: UserId,
        track: Track,
        by_receiver: bool,
    },
    /// A receiver asked for a keyframe on one of its slots: passed to whoever it carries.
    SlotKeyframe {
        receiver: UserId,
        track: Track,
        index: usize,
    },
}

/// Everything the task owns besides the socket.
struct State {
    config: RelayConfig,
    public: SocketAddr,
    stats: Arc<Stats>,
    joined: HashMap<UserId, Client>,
    sessions: HashMap<UserId, Session>,
    /// Who receives each sender's track, and in which slot: the reverse of `Client::bound`,
    /// so forwarding a frame touches only its receivers.
    routes: HashMap<(UserId, Track), HashSet<(UserId, usize)>>,
    muted: HashSet<(UserId, Track)>,
    /// Whose session each remote address last fed: after ICE, every datagram from a client
    /// comes from one address, so the scan over all sessions happens once per address.
    by_address: HashMap<SocketAddr, UserId>,
    jobs: VecDeque<Job>,
    /// People to drop from media after the current step (event queue full or closed).
    doomed: Vec<UserId>,
}

pub(crate) async fn run(
    socket: UdpSocket,
    public: SocketAddr,
    config: RelayConfig,
    mut inbox: mpsc::UnboundedReceiver<Command>,
    stats: Arc<Stats>,
) {
    let mut state = State {
        config,
        public,
        stats,
        joined: HashMap::new(),
        sessions: HashMap::new(),
        routes: HashMap::new(),
        muted: HashSet::new(),
        by_address: HashMap::new(),
        jobs: VecDeque::new(),
        doomed: Vec::new(),
    };
    let mut buf = vec![0u8; 2000];
    loop {
        state.settle(&socket).await;
        let next = state
            .sessions
            .values()
            .map(|s| if s.connected { s.next } else { s.next.min(s.deadline) })
            .min()
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(1));
        let mut fed = None;
        tokio::select! {
            received = socket.recv_from(&mut buf) => match received {
                Ok((n, source)) => fed = state.receive(&socket, source, &buf[..n]).await,
                Err(e) => debug!("media socket: {e}"),
            },
            command = inbox.recv() => match command {
                Some(command) => state.command(&socket, command).await,
                None => break,
            },
            _ = tokio::time::sleep_until(next.into()) => {}
        }
        state.tick(&socket, fed).await;
    }
    for session in state.sessions.values_mut() {
        session.rtc.disconnect();
    }
}

impl State {
    fn event(&mut self, client: UserId, event: MediaEvent) {
        let Some(joined) = self.joined.get(&client) else { return };
        if let Err(e) = joined.events.try_send(event) {
            warn!(%client, "media events not taken ({e}); dropping the session");
            Stats::add(&self.stats.dropped_slow, 1);
            self.doomed.push(client);
        }
    }

    fn events(&mut self, events: Vec<MediaEvent>) {
        for event in events {
            let client = match &event {
                MediaEvent::ServerOffer { client, .. }
                | MediaEvent::Connected { client }
                | MediaEvent::Failed { client } => *client,
            };
            self.event(client, event);
        }
    }

    /// Runs the queued jobs, drops dead sessions, and offers the slots where due.
    async fn settle(&mut self, socket: &UdpSocket) {
        loop {
            while let Some(job) = self.jobs.pop_front() {
                self.job(socket, job).await;
            }
            for id in std::mem::take(&mut self.doomed) {
                self.leave(id);
            }
            let dead: Vec<UserId> =
                self.sessions.values().filter(|s| !s.rtc.is_alive()).map(|s| s.id).collect();
            if dead.is_empty() {
                break;
            }
            for id in dead {
                let Some(session) = self.sessions.remove(&id) else { continue };
                self.by_address.retain(|_, owner| *owner != id);
                debug!(client = %id, "media session closed");
                if session.connected {
                    Stats::sub(&self.stats.peer_connections, 1);
                }
                self.event(id, MediaEvent::Failed { client: id });
            }
        }
        self.offer_slots(socket).await;
        // Offering may have found closed event queues.
        for id in std::mem::take(&mut self.doomed) {
            self.leave(id);
        }
    }

    async fn job(&mut self, socket: &UdpSocket, job: Job) {
        match job {
            Job::Media(source, data) => self.forward(socket, source, data).await,
            Job::SlotKeyframe { receiver, track, index } => {
                let source = self.joined.get(&receiver).and_then(|c| c.bound.get(&(track, index)));
                if let Some(&source) = source {
                    self.jobs.push_back(Job::Keyframe { source, track, by_receiver: true });
                }
            }
            Job::Keyframe { source, track, by_receiver } => {
                let now = Instant::now();
                let Some(session) = self.sessions.get_mut(&source) else { return };
                let Some(inbound) = session.inbound.iter_mut().find(|t| t.track == track) else { return };
                if by_receiver && inbound.last_pli.is_some_and(|at| now - at < RECEIVER_PLI_INTERVAL) {
                    return;
                }
                inbound.last_pli = Some(now);
                let mid = inbound.mid;
                if let Some(mut writer) = session.rtc.writer(mid) {
                    if writer.request_keyframe(None, KeyframeRequestKind::Pli).is_ok() {
                        Stats::add(&self.stats.keyframe_requests, 1);
                    }
                }
                let mut events = Vec::new();
                drain(session, socket, &mut self.jobs, &self.stats, &mut events).await;
                self.events(events);
            }
        }
    }

    async fn forward(&mut self, socket: &UdpSocket, source: UserId, data: Box<MediaData>) {
        Stats::add(&self.stats.frames_received, 1);
        let Some(track) = self.sessions.get(&source).and_then(|s| s.track_of(data.mid)) else { return };
        if self.muted.contains(&(source, track)) {
            return;
        }
        let Some(receivers) = self.routes.get(&(source, track)) else { return };
        let mut events = Vec::new();
        for &(receiver, index) in receivers {
            let Some(session) = self.sessions.get_mut(&receiver) else { continue };
            let Some(mid) = session.open_slot(track, index) else { continue };
            let Some(writer) = session.rtc.writer(mid) else { continue };
            let Some(pt) = writer.match_params(data.params) else { continue };
            let bytes = data.data.len() as u64;
            if writer.write(pt, data.network_time, data.time, data.data.clone()).is_err() {
                session.rtc.disconnect();
            } else {
                Stats::add(&self.stats.frames_forwarded, 1);
                Stats::add(&self.stats.bytes_forwarded, bytes);
            }
            drain(session, socket, &mut self.jobs, &self.stats, &mut events).await;
        }
        self.events(events);
    }

    /// Once a session is connected, one offer adds all its receive slots.
    async fn offer_slots(&mut self, socket: &UdpSocket) {
        let mut events = Vec::new();
        for session in self.sessions.values_mut().filter(|s| s.connected && s.pending.is_none()) {
            if session.slots.iter().all(|slot| slot.mid.is_some()) {
                continue;
            }
            let mut api = session.rtc.sdp_api();
            for slot in session.slots.iter_mut().filter(|slot| slot.mid.is_none()) {
                let stream = Some(format!("{}-{}", slot.track.name(), slot.index));
                slot.mid = Some(api.add_media(slot.track.kind(), Direction::SendOnly, stream, None, None));
            }
            if let Some((offer, pending)) = api.apply() {
                session.pending = Some(pending);
                events.push(MediaEvent::ServerOffer { client: session.id, sdp: offer.to_sdp_string() });
            }
            drain(session, socket, &mut self.jobs, &self.stats, &mut events).await;
        }
        self.events(events);
    }

    /// A datagram: to the session that accepts it. Returns whose session was fed.
    async fn receive(&mut self, socket: &UdpSocket, source: SocketAddr, bytes: &[u8]) -> Option<UserId> {
        Stats::add(&self.stats.datagrams_in, 1);
        let Ok(contents) = bytes.try_into() else { return None };
        let input = Input::Receive(
            Instant::now(),
            Receive { proto: Protocol::Udp, source, destination: self.public, contents },
        );
        let known = self
            .by_address
            .get(&source)
            .filter(|id| self.sessions.get(id).is_some_and(|session| session.rtc.accepts(&input)));
        let id = match known {
            Some(&id) => id,
            None => {
                let id = self.sessions.values().find(|s| s.rtc.accepts(&input))?.id;
                // Only a session's own checks admit an address; still, a client trying
                // many (or a hostile one) must not grow the index without bound.
                if self.by_address.len() > 4 * self.sessions.len() + 64 {
                    self.by_address.clear();
                }
                self.by_address.insert(source, id);
                id
            }
        };
        let session = self.sessions.get_mut(&id)?;
        if session.rtc.handle_input(input).is_err() {
            session.rtc.disconnect();
        }
        let mut events = Vec::new();
        drain(session, socket, &mut self.jobs, &self.stats, &mut events).await;
        self.events(events);
        Some(id)
    }

    /// Drives time for the sessions whose deadline passed (not the one just fed), and
    /// fails those that did not connect in time.
    async fn tick(&mut self, socket: &UdpSocket, fed: Option<UserId>) {
        let now = Instant::now();
        let mut events = Vec::new();
        for session in self.sessions.values_mut() {
            if !session.connected && session.deadline <= now {
                debug!(client = %session.id, "media session did not connect in time");
                Stats::add(&self.stats.connect_failures, 1);
                session.rtc.disconnect();
                continue;
            }
            if Some(session.id) == fed || session.next > now {
                continue;
            }
            if session.rtc.handle_input(Input::Timeout(now)).is_err() {
                session.rtc.disconnect();
            }
            drain(session, socket, &mut self.jobs, &self.stats, &mut events).await;
        }
        self.events(events);
    }

    async fn command(&mut self, socket: &UdpSocket, command: Command) {
        match command {
            Command::Join { client, reply } => {
                if self.joined.contains_key(&client) {
                    self.leave(client);
                } else if self.joined.len() >= self.config.max_clients {
                    let _ = reply.send(Err(MediaError::Full { max: self.config.max_clients }));
                    return;
                }
                // Bounded; when it fills, the person is dropped from media (see `event`).
                let (events, receiver) = mpsc::channel(self.config.events_capacity.max(1));
                self.joined.insert(client, Client { events, bound: HashMap::new() });
                Stats::add(&self.stats.clients, 1);
                let _ = reply.send(Ok(receiver));
            }
            Command::Offer { client, offer, sending, reply } => {
                let _ = reply.send(self.offer(socket, client, offer, sending).await);
            }
            Command::Answer { client, answer, reply } => {
                let _ = reply.send(self.answer(socket, client, answer).await);
            }
            Command::Bind { receiver, track, slot, source } => self.bind(receiver, track, slot, source),
            Command::Mute { client, track, muted } => {
                if muted {
                    self.muted.insert((client, track));
                } else if self.muted.remove(&(client, track)) && track.kind() == MediaKind::Video {
                    // Receivers dropped frames meanwhile: they need a keyframe to show again.
                    self.jobs.push_back(Job::Keyframe { source: client, track, by_receiver: false });
                }
            }
            Command::Leave { client } => self.leave(client),
        }
    }

    fn bind(&mut self, receiver: UserId, track: Track, index: usize, source: Option<UserId>) {
        if index >= self.config.slots.of(track) || source == Some(receiver) {
            return;
        }
        let Some(client) = self.joined.get_mut(&receiver) else { return };
        let before = match source {
            Some(source) => client.bound.insert((track, index), source),
            None => client.bound.remove(&(track, index)),
        };
        if before == source {
            return;
        }
        if let Some(old) = before {
            if let Some(receivers) = self.routes.get_mut(&(old, track)) {
                receivers.remove(&(receiver, index));
            }
            Stats::sub(&self.stats.bound_slots, 1);
        }
        if let Some(source) = source {
            Stats::add(&self.stats.bound_slots, 1);
            self.routes.entry((source, track)).or_default().insert((receiver, index));
            if track.kind() == MediaKind::Video {
                self.jobs.push_back(Job::Keyframe { source, track, by_receiver: false });
            }
        }
    }

    async fn offer(
        &mut self,
        socket: &UdpSocket,
        client: UserId,
        offer: str0m::change::SdpOffer,
        sending: usize,
    ) -> Result<String, MediaError> {
        if !self.joined.contains_key(&client) {
            return Err(MediaError::NotJoined(client));
        }
        let max = self.config.max_inbound_tracks;
        if sending > max {
            return Err(MediaError::TooManyTracks { offered: sending, max });
        }
        let fresh = !self.sessions.contains_key(&client);
        if fresh {
            let session = self.new_session(client)?;
            self.sessions.insert(client, session);
        }
        let Some(session) = self.sessions.get_mut(&client) else { return Err(MediaError::NotJoined(client)) };
        // The client's offer crossed ours (glare): ours is void, its slots are offered again.
        if session.pending.take().is_some() {
            for slot in session.slots.iter_mut().filter(|slot| !slot.open) {
                slot.mid = None;
            }
        }
        let answer = session.rtc.sdp_api().accept_offer(offer);
        let mut events = Vec::new();
        drain(session, socket, &mut self.jobs, &self.stats, &mut events).await;
        let nothing_negotiated = session.inbound.is_empty() && !session.connected;
        self.events(events);
        match answer {
            Ok(answer) => Ok(answer.to_sdp_string()),
            Err(e) => {
                if fresh && nothing_negotiated {
                    self.sessions.remove(&client);
                }
                Err(MediaError::Rejected(e.to_string()))
            }
        }
    }

    fn new_session(&self, client: UserId) -> Result<Session, MediaError> {
        let now = Instant::now();
        // Only what the client is told to send: Opus and VP8, which every browser has.
        let mut rtc = Rtc::builder().clear_codecs().enable_opus(true, false).enable_vp8(true).build(now);
        let candidate =
            Candidate::host(self.public, "udp").map_err(|e| MediaError::Rejected(e.to_string()))?;
        rtc.add_local_candidate(candidate);
        let slots = Track::ALL
            .into_iter()
            .flat_map(|track| (0..self.config.slots.of(track)).map(move |index| (track, index)))
            .map(|(track, index)| Slot { track, index, mid: None, open: false })
            .collect();
        Ok(Session {
            id: client,
            rtc,
            next: now,
            connected: false,
            deadline: now + self.config.connect_timeout,
            inbound: Vec::new(),
            slots,
            pending: None,
        })
    }

    async fn answer(
        &mut self,
        socket: &UdpSocket,
        client: UserId,
        answer: str0m::change::SdpAnswer,
    ) -> Result<(), MediaError> {
        let Some(session) = self.sessions.get_mut(&client) else { return Err(MediaError::NotJoined(client)) };
        let Some(pending) = session.pending.take() else { return Err(MediaError::NoPendingOffer) };
        let result = session.rtc.sdp_api().accept_answer(pending, answer);
        let mut opened = Vec::new();
        for slot in session.slots.iter_mut().filter(|slot| slot.mid.is_some() && !slot.open) {
            match result {
                Ok(()) => {
                    slot.open = true;
                    opened.push((slot.track, slot.index));
                }
                // Not accepted: offer those slots again next time.
                Err(_) => slot.mid = None,
            }
        }
        let mut events = Vec::new();
        drain(session, socket, &mut self.jobs, &self.stats, &mut events).await;
        self.events(events);
        // Slots bound before they opened show a picture only from the next keyframe.
        if let Some(joined) = self.joined.get(&client) {
            for (track, index) in opened.into_iter().filter(|(track, _)| track.kind() == MediaKind::Video) {
                if let Some(&source) = joined.bound.get(&(track, index)) {
                    self.jobs.push_back(Job::Keyframe { source, track, by_receiver: false });
                }
            }
        }
        result.map_err(|e| MediaError::Rejected(e.to_string()))
    }

    /// Drops everything of `client`: session, slots, mutes, and every slot carrying them.
    fn leave(&mut self, client: UserId) {
        if let Some(joined) = self.joined.remove(&client) {
            Stats::sub(&self.stats.clients, 1);
            for ((track, index), source) in joined.bound {
                if let Some(receivers) = self.routes.get_mut(&(source, track)) {
                    receivers.remove(&(client, index));
                }
                Stats::sub(&self.stats.bound_slots, 1);
            }
        }
        self.by_address.retain(|_, owner| *owner != client);
        if let Some(mut session) = self.sessions.remove(&client) {
            if session.connected {
                Stats::sub(&self.stats.peer_connections, 1);
            }
            session.rtc.disconnect();
        }
        for track in Track::ALL {
            for (receiver, index) in self.routes.remove(&(client, track)).unwrap_or_default() {
                if let Some(joined) = self.joined.get_mut(&receiver) {
                    if joined.bound.remove(&(track, index)).is_some() {
                        Stats::sub(&self.stats.bound_slots, 1);
                    }
                }
            }
        }
        self.routes.retain(|_, receivers| !receivers.is_empty());
        self.muted.retain(|&(id, _)| id != client);
    }
}

/// Drains one session's output until it asks for a timeout. Packets go out at once;
/// what concerns other sessions becomes a job, what concerns its signalling an event.
async fn drain(
    session: &mut Session,
    socket: &UdpSocket,
    jobs: &mut VecDeque<Job>,
    stats: &Stats,
    events: &mut Vec<MediaEvent>,
) {
    while session.rtc.is_alive() {
        let output = match session.rtc.poll_output() {
            Ok(output) => output,
            Err(e) => {
                debug!(client = %session.id, "media session error: {e}");
                session.rtc.disconnect();
                continue;
            }
        };
        match output {
            Output::Timeout(at) => {
                session.next = at;
                return;
            }
            Output::Transmit(t) => {
                if socket.send_to(&t.contents, t.destination).await.is_ok() {
                    Stats::add(&stats.datagrams_out, 1);
                }
            }
            Output::Event(event) => match event {
                Event::Connected if !session.connected => {
                    session.connected = true;
                    Stats::add(&stats.peer_connections, 1);
                    events.push(MediaEvent::Connected { client: session.id });
                }
                Event::IceConnectionStateChange(IceConnectionState::Disconnected) => session.rtc.disconnect(),
                Event::MediaAdded(added) if added.direction.is_receiving() => {
                    let known = session.inbound.iter().any(|t| t.mid == added.mid);
                    // In the order of the client's offer: microphone, camera, screen.
                    let track = match added.kind {
                        MediaKind::Audio => Track::Audio,
                        MediaKind::Video if session.inbound.iter().any(|t| t.track == Track::Camera) => {
                            Track::Screen
                        }
                        MediaKind::Video => Track::Camera,
                    };
                    // Offers were checked against the limit of tracks before they got here;
                    // a second microphone or a third video track is not forwarded.
                    if !known && !session.inbound.iter().any(|t| t.track == track) {
                        session.inbound.push(Inbound { mid: added.mid, track, last_pli: None });
                    }
                }
                Event::MediaData(data) => jobs.push_back(Job::Media(session.id, Box::new(data))),
                Event::KeyframeRequest(request) => {
                    let slot = session.slots.iter().find(|slot| slot.mid == Some(request.mid));
                    if let Some(slot) = slot {
                        jobs.push_back(Job::SlotKeyframe {
                            receiver: session.id,
                            track: slot.track,
                            index: slot.index,
                        });
                    }
                }
                _ => {}
            },
        }
    }
}
