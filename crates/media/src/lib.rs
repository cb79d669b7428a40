//! Gather's media relay: a selective forwarding unit (SFU) embedded in the node. One task
//! owns one UDP socket and a WebRTC session (`str0m::Rtc`) per person; packets are
//! demultiplexed to sessions by their ICE credentials and, once connected, by address.
//! Each receiver has a fixed set of receive slots (say 16 audio, 9 camera, 1 screen),
//! negotiated once when its connection is up; the room binds a slot to a sender's track
//! (`Relay::bind`, decided outside from positions by `gather_core::Hearing` and
//! `gather_core::Slots`), and the relay forwards that track into that slot and nowhere
//! else. Walking around only rebinds slots: no renegotiation, a keyframe request on each
//! new video binding. Signalling (SDP offers and answers) travels through the caller: this
//! crate does no WebSocket or HTTP.

mod relay;
mod sdp;
mod stats;

use std::future::{Future, IntoFuture};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use gather_core::UserId;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};

use stats::Stats;
pub use stats::StatsSnapshot;
pub use str0m::media::MediaKind;

/// How the relay is set up.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// Where the UDP socket is bound (`0.0.0.0:3478`, `127.0.0.1:0` in tests).
    pub bind: SocketAddr,
    /// The address clients reach the socket at, offered as the one host candidate.
    /// `None`: the bound address (fine on a LAN or loopback, not behind NAT). Port 0: the
    /// bound port.
    pub public: Option<SocketAddr>,
    /// A session that has not connected (ICE and DTLS) this long after its first offer
    /// is dropped with `MediaEvent::Failed`.
    pub connect_timeout: Duration,
    /// People with a media session at once.
    pub max_clients: usize,
    /// Tracks one person may send (microphone, camera, screen).
    pub max_inbound_tracks: usize,
    /// Events queued for one person; a person whose queue is full is dropped from media,
    /// since a lost renegotiation offer would leave their session stuck.
    pub events_capacity: usize,
    /// Receive slots each person gets.
    pub slots: SlotCounts,
}

/// How many receive slots of each track a person gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotCounts {
    pub audio: usize,
    pub camera: usize,
    pub screen: usize,
}

impl Default for SlotCounts {
    fn default() -> Self {
        Self { audio: 16, camera: 9, screen: 1 }
    }
}

impl SlotCounts {
    pub fn of(&self, track: Track) -> usize {
        match track {
            Track::Audio => self.audio,
            Track::Camera => self.camera,
            Track::Screen => self.screen,
        }
    }
}

/// The tracks a person sends, by their place in the client's offer: the first audio
/// m-line is the microphone, the first video one the camera, the second the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Track {
    Audio,
    Camera,
    Screen,
}

impl Track {
    pub const ALL: [Track; 3] = [Track::Audio, Track::Camera, Track::Screen];

    pub fn kind(self) -> MediaKind {
        match self {
            Track::Audio => MediaKind::Audio,
            Track::Camera | Track::Screen => MediaKind::Video,
        }
    }

    /// The stream id of a receive slot of this track: `camera-3`.
    pub fn name(self) -> &'static str {
        match self {
            Track::Audio => "audio",
            Track::Camera => "camera",
            Track::Screen => "screen",
        }
    }
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([0, 0, 0, 0], 3478)),
            public: None,
            connect_timeout: Duration::from_secs(15),
            max_clients: 1000,
            max_inbound_tracks: 3,
            events_capacity: 16,
            slots: SlotCounts::default(),
        }
    }
}

/// What the relay tells one person's signalling layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaEvent {
    /// The relay wants to renegotiate (it adds the receive slots once the connection is
    /// up): pass the SDP offer to the client and its answer back with `Relay::answer`.
    ServerOffer { client: UserId, sdp: String },
    /// ICE and DTLS are up: media flows.
    Connected { client: UserId },
    /// The session did not connect in time, or the connection was lost. The person stays
    /// joined and may start over with a fresh offer.
    Failed { client: UserId },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MediaError {
    #[error("malformed SDP: {0}")]
    BadSdp(String),
    #[error("the SDP offers {offered} tracks to send; at most {max} are allowed")]
    TooManyTracks { offered: usize, max: usize },
    #[error("the SDP was refused: {0}")]
    Rejected(String),
    #[error("the media relay is full ({max} people)")]
    Full { max: usize },
    #[error("{0:?} has not joined media")]
    NotJoined(UserId),
    #[error("no offer of the relay is waiting for an answer")]
    NoPendingOffer,
    #[error("the media relay has stopped")]
    Closed,
}

/// Bytes of datagrams the kernel may hold for the relay, each way: every sender's frames
/// can arrive at the same moment, and what does not fit is lost (the kernel caps it at
/// `net.core.rmem_max` / `wmem_max`).
const SOCKET_BUFFER_BYTES: usize = 4 << 20;

fn bind(addr: SocketAddr) -> io::Result<UdpSocket> {
    let socket = socket2::Socket::new(socket2::Domain::for_address(addr), socket2::Type::DGRAM, None)?;
    // Best effort: a smaller buffer than asked for still works, with more loss in bursts.
    let _ = socket.set_recv_buffer_size(SOCKET_BUFFER_BYTES);
    let _ = socket.set_send_buffer_size(SOCKET_BUFFER_BYTES);
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    UdpSocket::from_std(socket.into())
}

/// Whether `sdp` is an offer the relay can read, without queuing anything.
pub fn check_offer(sdp: &str) -> Result<(), MediaError> {
    sdp::parse_offer(sdp).map(drop)
}

/// Offers and answers longer than this are refused unparsed.
const MAX_SDP_BYTES: usize = 64 * 1024;

pub(crate) type Reply<T> = oneshot::Sender<Result<T, MediaError>>;

pub(crate) enum Command {
    Join { client: UserId, reply: Reply<mpsc::Receiver<MediaEvent>> },
    Offer { client: UserId, offer: str0m::change::SdpOffer, sending: usize, reply: Reply<String> },
    Answer { client: UserId, answer: str0m::change::SdpAnswer, reply: Reply<()> },
    Bind { receiver: UserId, track: Track, slot: usize, source: Option<UserId> },
    Mute { client: UserId, track: Track, muted: bool },
    Leave { client: UserId },
}

/// The answer to a question queued with the relay; await it, or drop it when the answer
/// does not matter (the command stays queued).
#[must_use = "the command is queued either way; await this for its answer"]
pub struct Pending<T>(Result<oneshot::Receiver<Result<T, MediaError>>, MediaError>);

impl<T: Send + 'static> IntoFuture for Pending<T> {
    type Output = Result<T, MediaError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.0?.await.map_err(|_| MediaError::Closed)? })
    }
}

/// A handle on the relay task; cheap to clone. The task ends when the last handle is
/// dropped.
///
/// Commands are queued in the order they are given and never wait: a room hands the relay
/// its decisions (join, connect, mute) from a task that must not block, and each later
/// command sees the earlier ones done. What a client may cause is limited where it enters
/// (a WebSocket's rate limit), so the queue stays short.
#[derive(Clone)]
pub struct Relay {
    commands: mpsc::UnboundedSender<Command>,
    local: SocketAddr,
    public: SocketAddr,
    stats: std::sync::Arc<Stats>,
}

impl Relay {
    /// Binds the socket and spawns the relay task on the current runtime.
    pub async fn start(config: RelayConfig) -> io::Result<Relay> {
        let socket = bind(config.bind)?;
        let local = socket.local_addr()?;
        let mut public = config.public.unwrap_or(local);
        if public.port() == 0 {
            public.set_port(local.port());
        }
        if public.ip().is_unspecified() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the media relay is bound to an unspecified address: set its public address",
            ));
        }
        let (commands, inbox) = mpsc::unbounded_channel();
        let stats = std::sync::Arc::<Stats>::default();
        tokio::spawn(relay::run(socket, public, config, inbox, stats.clone()));
        Ok(Relay { commands, local, public, stats })
    }

    /// Where the UDP socket is bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The address offered to clients.
    pub fn public_addr(&self) -> SocketAddr {
        self.public
    }

    /// The relay's counters now.
    pub fn stats(&self) -> StatsSnapshot {
        self.stats.snapshot()
    }

    /// Queues a question; its answer comes after every command queued before it.
    fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Command) -> Pending<T> {
        let (reply, answer) = oneshot::channel();
        Pending(self.commands.send(make(reply)).map(|()| answer).map_err(|_| MediaError::Closed))
    }

    fn tell(&self, command: Command) {
        // A stopped relay has nobody left to tell.
        let _ = self.commands.send(command);
    }

    /// `client` takes part in media; the receiver yields the relay's events for them.
    /// Joining again replaces the earlier session (as after a reconnect).
    pub fn join(&self, client: UserId) -> Pending<mpsc::Receiver<MediaEvent>> {
        self.ask(|reply| Command::Join { client, reply })
    }

    /// The client's SDP offer (its first, or a renegotiation of its own); gives the answer.
    /// Queued at once, ahead of any command given after this call.
    pub fn offer(&self, client: UserId, sdp: &str) -> Pending<String> {
        match sdp::parse_offer(sdp) {
            Ok(offer) => {
                let sending = sdp::sending_tracks(sdp);
                self.ask(|reply| Command::Offer { client, offer, sending, reply })
            }
            Err(e) => Pending(Err(e)),
        }
    }

    /// The client's answer to a `MediaEvent::ServerOffer`.
    pub fn answer(&self, client: UserId, sdp: &str) -> Pending<()> {
        match sdp::parse_answer(sdp) {
            Ok(answer) => self.ask(|reply| Command::Answer { client, answer, reply }),
            Err(e) => Pending(Err(e)),
        }
    }

    /// `receiver`'s slot `slot` of `track` carries `source`'s track from now on (`None`:
    /// nothing). A video binding asks the source for a keyframe, so the picture shows at
    /// once. Ignored for people who have not joined, and slots they do not have.
    pub fn bind(&self, receiver: UserId, track: Track, slot: usize, source: Option<UserId>) {
        self.tell(Command::Bind { receiver, track, slot, source });
    }

    /// Stops or resumes forwarding `client`'s `track`, at the relay.
    pub fn mute(&self, client: UserId, track: Track, muted: bool) {
        self.tell(Command::Mute { client, track, muted });
    }

    /// `client` leaves media: their session closes and their tracks are removed from
    /// everyone else's.
    pub fn leave(&self, client: UserId) {
        self.tell(Command::Leave { client });
    }
}
