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
use crate::{Command, MediaError, MediaEvent, RelayConfig};

/// Keyframe requests a receiver sends are passed to the sender at most this often per
/// track; the relay's own (a receiver starts receiving) always go.
const RECEIVER_PLI_INTERVAL: Duration = Duration::from_millis(500);

/// One track someone sends.
struct Inbound {
    mid: Mid,
    kind: MediaKind,
    last_pli: Option<Instant>,
}

/// One track of someone else that the relay sends to this session.
struct Outbound {
    source: UserId,
    source_mid: Mid,
    kind: MediaKind,
    /// Our m-line for it, once offered.
    mid: Option<Mid>,
    /// The client accepted it: media may be written.
    open: bool,
    /// Its source left: stop the m-line at the next renegotiation.
    stop: bool,
}

struct Session {
    id: UserId,
    rtc: Rtc,
    next: Instant,
    connected: bool,
    /// When the session must have connected.
    deadline: Instant,
    inbound: Vec<Inbound>,
    outbound: Vec<Outbound>,
    pending: Option<SdpPendingOffer>,
}

/// Work found while draining one session that touches others.
enum Job {
    Track(UserId),
    Media(UserId, Box<MediaData>),
    /// Ask `source` for a keyframe on its track `mid`; `by_receiver` ones are throttled.
    Keyframe {
        source: UserId,
        mid: Mid,
        by_receiver: bool,
    },
}

/// Everything the task owns besides the socket.
struct State {
    config: RelayConfig,
    public: SocketAddr,
    stats: Arc<Stats>,
    /// Joined people and where their events go.
    joined: HashMap<UserId, mpsc::Sender<MediaEvent>>,
    sessions: Vec<Session>,
    /// Connected pairs, smaller id first.
    links: HashSet<(UserId, UserId)>,
    muted: HashSet<(UserId, MediaKind)>,
    jobs: VecDeque<Job>,
    /// People to drop from media after the current step (event queue full or closed).
    doomed: Vec<UserId>,
}

fn pair(a: UserId, b: UserId) -> (UserId, UserId) {
    if a < b {
        (a, b)
    } else {
        (b, a)
    }
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
        sessions: Vec::new(),
        links: HashSet::new(),
        muted: HashSet::new(),
        jobs: VecDeque::new(),
        doomed: Vec::new(),
    };
    let mut buf = vec![0u8; 2000];
    loop {
        state.settle(&socket).await;
        let next = state
            .sessions
            .iter()
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
    for session in &mut state.sessions {
        session.rtc.disconnect();
    }
}

impl State {
    fn linked(&self, a: UserId, b: UserId) -> bool {
        self.links.contains(&pair(a, b))
    }

    fn session(&mut self, id: UserId) -> Option<&mut Session> {
        self.sessions.iter_mut().find(|s| s.id == id)
    }

    fn event(&mut self, client: UserId, event: MediaEvent) {
        let Some(events) = self.joined.get(&client) else { return };
        if let Err(e) = events.try_send(event) {
            warn!(%client, "media events not taken ({e}); dropping the session");
            Stats::add(&self.stats.dropped_slow, 1);
            self.doomed.push(client);
        }
    }

    /// Runs the queued jobs, drops dead sessions, and renegotiates where tracks changed.
    async fn settle(&mut self, socket: &UdpSocket) {
        loop {
            while let Some(job) = self.jobs.pop_front() {
                self.job(socket, job).await;
            }
            for id in std::mem::take(&mut self.doomed) {
                self.leave(id);
            }
            let before = self.sessions.len();
            let mut failed = Vec::new();
            self.sessions.retain(|s| {
                let alive = s.rtc.is_alive();
                if !alive {
                    failed.push((s.id, s.connected));
                }
                alive
            });
            if self.sessions.len() == before {
                break;
            }
            for (id, connected) in failed {
                debug!(client = %id, "media session closed");
                if connected {
                    Stats::sub(&self.stats.peer_connections, 1);
                }
                self.forget_tracks_of(id);
                self.event(id, MediaEvent::Failed { client: id });
            }
        }
        self.renegotiate(socket).await;
        // Renegotiation may have found closed event queues.
        for id in std::mem::take(&mut self.doomed) {
            self.leave(id);
        }
    }

    async fn job(&mut self, socket: &UdpSocket, job: Job) {
        match job {
            Job::Track(source) => {
                let peers: Vec<UserId> =
                    self.sessions.iter().map(|s| s.id).filter(|&p| self.linked(source, p)).collect();
                for peer in peers {
                    self.ensure_outbound(peer, source);
                }
            }
            Job::Media(source, data) => self.forward(socket, source, data).await,
            Job::Keyframe { source, mid, by_receiver } => {
                let now = Instant::now();
                let stats = self.stats.clone();
                let Some(session) = self.sessions.iter_mut().find(|s| s.id == source) else { return };
                let Some(track) = session.inbound.iter_mut().find(|t| t.mid == mid) else { return };
                if by_receiver && track.last_pli.is_some_and(|at| now - at < RECEIVER_PLI_INTERVAL) {
                    return;
                }
                track.last_pli = Some(now);
                if let Some(mut writer) = session.rtc.writer(mid) {
                    if writer.request_keyframe(None, KeyframeRequestKind::Pli).is_ok() {
                        Stats::add(&stats.keyframe_requests, 1);
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
        let kind = self
            .sessions
            .iter()
            .find(|s| s.id == source)
            .and_then(|s| s.inbound.iter().find(|t| t.mid == data.mid))
            .map(|t| t.kind);
        let Some(kind) = kind else { return };
        if self.muted.contains(&(source, kind)) {
            return;
        }
        let mut events = Vec::new();
        for i in 0..self.sessions.len() {
            let id = self.sessions[i].id;
            if id == source || !self.links.contains(&pair(source, id)) {
                continue;
            }
            let session = &mut self.sessions[i];
            let Some(mid) = session
                .outbound
                .iter()
                .find(|o| o.open && !o.stop && o.source == source && o.source_mid == data.mid)
                .and_then(|o| o.mid)
            else {
                continue;
            };
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

    /// `receiver` gets an outbound track for each track `source` sends (if both have
    /// sessions), negotiated at the next renegotiation.
    fn ensure_outbound(&mut self, receiver: UserId, source: UserId) {
        let tracks: Vec<(Mid, MediaKind)> = match self.sessions.iter().find(|s| s.id == source) {
            Some(s) => s.inbound.iter().map(|t| (t.mid, t.kind)).collect(),
            None => return,
        };
        let Some(session) = self.session(receiver) else { return };
        for (source_mid, kind) in tracks {
            let known =
                session.outbound.iter().any(|o| !o.stop && o.source == source && o.source_mid == source_mid);
            if !known {
                session.outbound.push(Outbound {
                    source,
                    source_mid,
                    kind,
                    mid: None,
                    open: false,
                    stop: false,
                });
            }
        }
    }

    /// Asks `source` for a keyframe on each of its video tracks open on `receiver`.
    fn keyframes_for(&mut self, receiver: UserId, source: UserId) {
        let Some(session) = self.sessions.iter().find(|s| s.id == receiver) else { return };
        for out in &session.outbound {
            if out.open && !out.stop && out.source == source && out.kind == MediaKind::Video {
                self.jobs.push_back(Job::Keyframe { source, mid: out.source_mid, by_receiver: false });
            }
        }
    }

    /// Asks `source` for a keyframe on each of its video tracks.
    fn keyframes_of(&mut self, source: UserId) {
        let Some(session) = self.sessions.iter().find(|s| s.id == source) else { return };
        for track in session.inbound.iter().filter(|t| t.kind == MediaKind::Video) {
            self.jobs.push_back(Job::Keyframe { source, mid: track.mid, by_receiver: false });
        }
    }

    /// The tracks `gone` sent are stopped on everyone else's session.
    fn forget_tracks_of(&mut self, gone: UserId) {
        for session in &mut self.sessions {
            session.outbound.retain(|o| o.source != gone || o.mid.is_some());
            for out in session.outbound.iter_mut().filter(|o| o.source == gone) {
                out.stop = true;
            }
        }
    }

    /// One offer in flight per session: new tracks are added, stopped ones removed.
    async fn renegotiate(&mut self, socket: &UdpSocket) {
        let mut events = Vec::new();
        for session in self.sessions.iter_mut().filter(|s| s.connected && s.pending.is_none()) {
            let adds = session.outbound.iter().any(|o| o.mid.is_none() && !o.stop);
            let stops = session.outbound.iter().any(|o| o.stop);
            if !adds && !stops {
                continue;
            }
            let mut api = session.rtc.sdp_api();
            for out in session.outbound.iter_mut() {
                match (out.mid, out.stop) {
                    (None, false) => {
                        let stream = Some(out.source.to_string());
                        out.mid = Some(api.add_media(out.kind, Direction::SendOnly, stream, None, None));
                    }
                    (Some(mid), true) => api.stop_media(mid),
                    _ => {}
                }
            }
            session.outbound.retain(|o| !o.stop);
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
        let Ok(contents) = bytes.try_into() else { return None };
        let input = Input::Receive(
            Instant::now(),
            Receive { proto: Protocol::Udp, source, destination: self.public, contents },
        );
        let session = self.sessions.iter_mut().find(|s| s.rtc.accepts(&input))?;
        if session.rtc.handle_input(input).is_err() {
            session.rtc.disconnect();
        }
        let id = session.id;
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
        for session in self.sessions.iter_mut() {
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
                self.joined.insert(client, events);
                Stats::add(&self.stats.clients, 1);
                let _ = reply.send(Ok(receiver));
            }
            Command::Offer { client, offer, sending, reply } => {
                let _ = reply.send(self.offer(socket, client, offer, sending).await);
            }
            Command::Answer { client, answer, reply } => {
                let _ = reply.send(self.answer(socket, client, answer).await);
            }
            Command::Connect { a, b, reply } => {
                if let Some(missing) = [a, b].into_iter().find(|id| !self.joined.contains_key(id)) {
                    let _ = reply.send(Err(MediaError::NotJoined(missing)));
                    return;
                }
                if a != b && self.links.insert(pair(a, b)) {
                    self.ensure_outbound(a, b);
                    self.ensure_outbound(b, a);
                    // Tracks already open on the receiver need a fresh keyframe to show;
                    // new ones get theirs when the receiver accepts them (`answer`).
                    self.keyframes_for(a, b);
                    self.keyframes_for(b, a);
                }
                let _ = reply.send(Ok(()));
            }
            Command::Disconnect { a, b } => {
                self.links.remove(&pair(a, b));
            }
            Command::Mute { client, kind, muted } => {
                if muted {
                    self.muted.insert((client, kind));
                } else if self.muted.remove(&(client, kind)) && kind == MediaKind::Video {
                    // Receivers dropped frames meanwhile: they need a keyframe to show again.
                    self.keyframes_of(client);
                }
            }
            Command::Leave { client } => self.leave(client),
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
        if self.session(client).is_none() {
            let mut rtc = Rtc::builder().build(Instant::now());
            let candidate =
                Candidate::host(self.public, "udp").map_err(|e| MediaError::Rejected(e.to_string()))?;
            rtc.add_local_candidate(candidate);
            let now = Instant::now();
            self.sessions.push(Session {
                id: client,
                rtc,
                next: now,
                connected: false,
                deadline: now + self.config.connect_timeout,
                inbound: Vec::new(),
                outbound: Vec::new(),
                pending: None,
            });
            let peers: Vec<UserId> = self
                .sessions
                .iter()
                .map(|s| s.id)
                .filter(|&p| p != client && self.linked(client, p))
                .collect();
            for peer in peers {
                self.ensure_outbound(client, peer);
            }
        }
        let Some(index) = self.sessions.iter().position(|s| s.id == client) else {
            return Err(MediaError::NotJoined(client));
        };
        let session = &mut self.sessions[index];
        // The client's offer crossed ours (glare): ours is void, its tracks are redone.
        if session.pending.take().is_some() {
            for out in session.outbound.iter_mut().filter(|o| !o.open) {
                out.mid = None;
            }
        }
        let answer = session.rtc.sdp_api().accept_offer(offer);
        let mut events = Vec::new();
        drain(session, socket, &mut self.jobs, &self.stats, &mut events).await;
        self.events(events);
        match answer {
            Ok(answer) => Ok(answer.to_sdp_string()),
            Err(e) => {
                let fresh = self.sessions[index].inbound.is_empty() && !self.sessions[index].connected;
                if fresh {
                    // Nothing was negotiated: forget the session altogether.
                    self.sessions.remove(index);
                }
                Err(MediaError::Rejected(e.to_string()))
            }
        }
    }

    async fn answer(
        &mut self,
        socket: &UdpSocket,
        client: UserId,
        answer: str0m::change::SdpAnswer,
    ) -> Result<(), MediaError> {
        let Some(index) = self.sessions.iter().position(|s| s.id == client) else {
            return Err(MediaError::NotJoined(client));
        };
        let session = &mut self.sessions[index];
        let Some(pending) = session.pending.take() else { return Err(MediaError::NoPendingOffer) };
        let result = session.rtc.sdp_api().accept_answer(pending, answer);
        let mut opened = Vec::new();
        match &result {
            Ok(()) => {
                for out in session.outbound.iter_mut().filter(|o| o.mid.is_some() && !o.open) {
                    out.open = true;
                    if out.kind == MediaKind::Video {
                        opened.push((out.source, out.source_mid));
                    }
                }
            }
            // Not accepted: offer those tracks again next time.
            Err(_) => {
                for out in session.outbound.iter_mut().filter(|o| !o.open) {
                    out.mid = None;
                }
            }
        }
        let mut events = Vec::new();
        drain(session, socket, &mut self.jobs, &self.stats, &mut events).await;
        self.events(events);
        for (source, mid) in opened {
            self.jobs.push_back(Job::Keyframe { source, mid, by_receiver: false });
        }
        result.map_err(|e| MediaError::Rejected(e.to_string()))
    }

    /// Drops everything of `client`: session, links, mutes, and their tracks elsewhere.
    fn leave(&mut self, client: UserId) {
        if self.joined.remove(&client).is_some() {
            Stats::sub(&self.stats.clients, 1);
        }
        if let Some(index) = self.sessions.iter().position(|s| s.id == client) {
            let mut session = self.sessions.remove(index);
            if session.connected {
                Stats::sub(&self.stats.peer_connections, 1);
            }
            session.rtc.disconnect();
        }
        self.links.retain(|&(a, b)| a != client && b != client);
        self.muted.retain(|&(id, _)| id != client);
        self.forget_tracks_of(client);
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
                let _ = socket.send_to(&t.contents, t.destination).await;
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
                    // Offers were checked against the limit of tracks before they got here.
                    if !known {
                        session.inbound.push(Inbound { mid: added.mid, kind: added.kind, last_pli: None });
                        jobs.push_back(Job::Track(session.id));
                    }
                }
                Event::MediaData(data) => jobs.push_back(Job::Media(session.id, Box::new(data))),
                Event::KeyframeRequest(request) => {
                    if let Some(out) = session.outbound.iter().find(|o| o.mid == Some(request.mid)) {
                        jobs.push_back(Job::Keyframe {
                            source: out.source,
                            mid: out.source_mid,
                            by_receiver: true,
                        });
                    }
                }
                _ => {}
            },
        }
    }
}
