//! Proximity voice and video in one room: who takes part, who hears whom (decided by
//! `gather_core::Hearing` from the positions the room holds, never by a client), which of
//! them each person's receive slots carry (`gather_core::Slots`, nearest first), and the
//! node's relay told of each change. The relay's answers and events come back through the
//! room's own inbox as frames to deliver, so they reach the member wherever its socket is.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use bytes::Bytes;
use gather_core::{Effects, Hearing, Link, Position, Slots, UserId};
use gather_media::{MediaError, MediaEvent, Pending, SlotCounts, Track};
use gather_protocol::node::{MemberRef, RoomCommand};
use gather_protocol::ws::{MediaSending, Sdp};
use gather_protocol::{MediaSignal, ServerFrame};
use tokio::sync::mpsc;

use super::command::RoomMsg;
use crate::media::MediaNode;
use crate::metrics::Metrics;

/// A frame the room hands to one member.
pub struct ToMember {
    pub user: UserId,
    pub frame: Bytes,
}

impl ToMember {
    fn new(user: UserId, frame: &ServerFrame) -> Self {
        Self { user, frame: Bytes::from(frame.to_json()) }
    }
}

/// Someone in media: what they send, and whom each of their receive slots carries.
struct Participant {
    sending: MediaSending,
    slots: HashMap<Track, Slots>,
}

impl Participant {
    fn new(counts: SlotCounts) -> Self {
        let slots = Track::ALL.into_iter().map(|track| (track, Slots::new(counts.of(track)))).collect();
        Self { sending: MediaSending::default(), slots }
    }

    fn sends(&self, track: Track) -> bool {
        match track {
            Track::Audio => self.sending.audio,
            Track::Camera => self.sending.camera,
            Track::Screen => self.sending.screen,
        }
    }
}

pub struct RoomMedia {
    node: MediaNode,
    hearing: Hearing,
    taking_part: HashMap<UserId, Participant>,
    /// The room's own inbox, for what the relay says later. Weak: the room closes when its
    /// members are gone, whatever relay tasks still run.
    inbox: mpsc::WeakUnboundedSender<RoomMsg>,
    metrics: Arc<Metrics>,
}

impl RoomMedia {
    pub fn new(node: MediaNode, inbox: mpsc::WeakUnboundedSender<RoomMsg>, metrics: Arc<Metrics>) -> Self {
        Self { hearing: Hearing::new(node.rules), node, taking_part: HashMap::new(), inbox, metrics }
    }

    /// A member's signalling; `at` is where they stand now, `quiet` whether they asked
    /// not to be disturbed (then they take part but hear and are heard by nobody).
    pub fn signal(
        &mut self,
        member: MemberRef,
        at: Position,
        quiet: bool,
        signal: MediaSignal,
    ) -> Vec<ToMember> {
        let user = member.user;
        let relay = &self.node.relay;
        match signal {
            MediaSignal::MediaOffer(Sdp { sdp }) if !self.taking_part.contains_key(&user) => {
                let max = self.node.max_per_space;
                if self.taking_part.len() >= max {
                    self.metrics.media_refused.with_label_values(&["space-full"]).inc();
                    let message = format!("this space already has {max} people in voice and video");
                    return vec![ToMember::new(user, &ServerFrame::error("media-full", message))];
                }
                if let Err(e) = gather_media::check_offer(&sdp) {
                    return vec![ToMember::new(user, &media_error(&e))];
                }
                self.taking_part.insert(user, Participant::new(self.node.slots));
                // Queued in this order: the relay sees the join, then the offer, then the
                // bindings made below.
                let events = relay.join(user);
                let answer = relay.offer(user, &sdp);
                tokio::spawn(serve(member, events, answer, self.inbox.clone()));
                // Quiet before placed: no link made only to be dropped.
                self.hearing.set_quiet(user, quiet);
                let links = self.hearing.place(user, at);
                self.relink(links, [user].into())
            }
            MediaSignal::MediaOffer(Sdp { sdp }) => {
                let answer = relay.offer(user, &sdp);
                let inbox = self.inbox.clone();
                tokio::spawn(async move {
                    if let Some(frame) = answer_frame(answer.await) {
                        deliver(&inbox, user, &frame);
                    }
                });
                Vec::new()
            }
            MediaSignal::MediaAnswer(Sdp { sdp }) if self.taking_part.contains_key(&user) => {
                let accepted = relay.answer(user, &sdp);
                let inbox = self.inbox.clone();
                tokio::spawn(async move {
                    if let Err(e) = accepted.await {
                        deliver(&inbox, user, &media_error(&e));
                    }
                });
                Vec::new()
            }
            MediaSignal::MediaState(sending) if self.taking_part.contains_key(&user) => {
                relay.mute(user, Track::Audio, !sending.audio);
                relay.mute(user, Track::Camera, !sending.camera);
                relay.mute(user, Track::Screen, !sending.screen);
                if let Some(participant) = self.taking_part.get_mut(&user) {
                    participant.sending = sending;
                }
                // Slots go to people who send something on them.
                let peers = self.hearing.peers(user).collect();
                self.relink(Vec::new(), peers)
            }
            MediaSignal::MediaAnswer(_) | MediaSignal::MediaState(_) => {
                let frame = ServerFrame::error("media-not-started", "send a media-offer first");
                vec![ToMember::new(user, &frame)]
            }
            MediaSignal::MediaLeave {} => self.left(user),
        }
    }

    /// The space's tile effects changed: every link is decided again where people stand.
    pub fn set_effects(&mut self, effects: Effects) -> Vec<ToMember> {
        let links = self.hearing.set_effects(effects);
        self.relink(links, BTreeSet::new())
    }

    /// Do-not-disturb on or off: nobody is heard or hears them meanwhile.
    pub fn set_quiet(&mut self, user: UserId, quiet: bool) -> Vec<ToMember> {
        if !self.taking_part.contains_key(&user) {
            return Vec::new();
        }
        let links = self.hearing.set_quiet(user, quiet);
        self.relink(links, BTreeSet::new())
    }

    /// A moderator muted `user`: nothing of theirs is forwarded until they turn their
    /// microphone or camera on again themselves (a `media-state`), and they are told.
    pub fn force_mute(&mut self, user: UserId) -> Vec<ToMember> {
        let Some(participant) = self.taking_part.get_mut(&user) else { return Vec::new() };
        participant.sending = MediaSending::default();
        for track in Track::ALL {
            self.node.relay.mute(user, track, true);
        }
        let peers = self.hearing.peers(user).collect();
        let mut frames = self.relink(Vec::new(), peers);
        frames.push(ToMember::new(user, &ServerFrame::MediaMuted {}));
        frames
    }

    /// Someone in the room moved: their links are decided again.
    pub fn moved(&mut self, user: UserId, to: Position) -> Vec<ToMember> {
        if !self.taking_part.contains_key(&user) {
            return Vec::new();
        }
        let links = self.hearing.place(user, to);
        // Who is nearest changed for them and for those around them.
        let mut nearer: BTreeSet<UserId> = self.hearing.peers(user).collect();
        nearer.insert(user);
        self.relink(links, nearer)
    }

    /// Someone left media or the space.
    pub fn left(&mut self, user: UserId) -> Vec<ToMember> {
        if self.taking_part.remove(&user).is_none() {
            return Vec::new();
        }
        self.node.relay.leave(user);
        let links = self.hearing.remove(user);
        self.relink(links, BTreeSet::new())
    }

    /// Applies changed links: whose peers changed are told whom they hear now, and the
    /// slots of those and of `reslot` are bound again, each change told to the relay and
    /// the slots' owner.
    fn relink(&mut self, links: Vec<Link>, mut reslot: BTreeSet<UserId>) -> Vec<ToMember> {
        let mut relinked = BTreeSet::new();
        for link in links {
            let (a, b, change) = match link {
                Link::Connected(a, b) => (a, b, "connected"),
                Link::Disconnected(a, b) => (a, b, "disconnected"),
            };
            self.metrics.media_links.with_label_values(&[change]).inc();
            relinked.extend([a, b]);
        }
        reslot.extend(relinked.iter().copied());
        let mut frames = Vec::new();
        for user in relinked.into_iter().filter(|user| self.taking_part.contains_key(user)) {
            let peers = self.hearing.peers_nearest_first(user);
            frames.push(ToMember::new(user, &ServerFrame::MediaPeers { peers }));
        }
        for user in reslot {
            if let Some(frame) = self.reslot(user) {
                frames.push(ToMember::new(user, &frame));
            }
        }
        frames
    }

    /// Binds `user`'s slots to their peers that send on them, nearest first; the new
    /// `media-slots` when anything changed.
    fn reslot(&mut self, user: UserId) -> Option<ServerFrame> {
        let peers = self.hearing.peers_nearest_first(user);
        let mut changed = false;
        for track in Track::ALL {
            let wanted: Vec<UserId> = peers
                .iter()
                .copied()
                .filter(|peer| self.taking_part.get(peer).is_some_and(|p| p.sends(track)))
                .collect();
            let slots = self.taking_part.get_mut(&user)?.slots.get_mut(&track)?;
            for rebind in slots.rebind(&wanted) {
                self.node.relay.bind(user, track, rebind.slot, rebind.publisher);
                self.metrics.media_rebinds.inc();
                changed = true;
            }
        }
        let participant = self.taking_part.get(&user)?;
        let carried = |track: Track| {
            let slots = &participant.slots[&track];
            (0..slots.len()).map(|slot| slots.get(slot)).collect()
        };
        changed.then(|| ServerFrame::MediaSlots {
            audio: carried(Track::Audio),
            camera: carried(Track::Camera),
            screen: carried(Track::Screen),
        })
    }
}

impl Drop for RoomMedia {
    /// A room that closes (the space deleted, the lease lost) takes its people out of the
    /// relay, whoever is left.
    fn drop(&mut self) {
        for &user in self.taking_part.keys() {
            self.node.relay.leave(user);
        }
    }
}

/// One person's media session, seen from the room: the relay's answer to the first
/// offer, then every event the relay has for them, until they leave media.
async fn serve(
    member: MemberRef,
    events: Pending<mpsc::Receiver<MediaEvent>>,
    answer: Pending<String>,
    inbox: mpsc::WeakUnboundedSender<RoomMsg>,
) {
    let user = member.user;
    let mut events = match events.await {
        Ok(events) => events,
        Err(e) => {
            deliver(&inbox, user, &media_error(&e));
            // The room counted them in; let it count them out.
            let leave = RoomCommand::Media { member, signal: MediaSignal::MediaLeave {} };
            if let Some(inbox) = inbox.upgrade() {
                let _ = inbox.send(RoomMsg::local(leave));
            }
            return;
        }
    };
    if let Some(frame) = answer_frame(answer.await) {
        deliver(&inbox, user, &frame);
    }
    while let Some(event) = events.recv().await {
        let frame = match event {
            MediaEvent::ServerOffer { sdp, .. } => ServerFrame::MediaOffer { sdp },
            MediaEvent::Connected { .. } => ServerFrame::MediaConnected {},
            MediaEvent::Failed { .. } => ServerFrame::MediaFailed {
                reason: "the media connection failed or was lost; offer again to reconnect".into(),
            },
        };
        if !deliver(&inbox, user, &frame) {
            return;
        }
    }
}

/// The frame for the relay's answer to an offer; `None` when the relay has stopped (the
/// node is shutting down, and the socket hears that instead).
fn answer_frame(answer: Result<String, MediaError>) -> Option<ServerFrame> {
    match answer {
        Ok(sdp) => Some(ServerFrame::MediaAnswer { sdp }),
        Err(MediaError::Closed) => None,
        Err(e) => Some(media_error(&e)),
    }
}

fn media_error(error: &MediaError) -> ServerFrame {
    let code = match error {
        MediaError::BadSdp(_) | MediaError::Rejected(_) => "bad-sdp",
        MediaError::TooManyTracks { .. } => "too-many-tracks",
        MediaError::Full { .. } => "media-full",
        MediaError::NotJoined(_) | MediaError::NoPendingOffer => "media-not-started",
        MediaError::Closed => "unavailable",
    };
    ServerFrame::error(code, error.to_string())
}

/// Hands `frame` to `user` through the room; false when the room has closed.
fn deliver(inbox: &mpsc::WeakUnboundedSender<RoomMsg>, user: UserId, frame: &ServerFrame) -> bool {
    let Some(inbox) = inbox.upgrade() else { return false };
    let command =
        RoomCommand::Deliver { recipients: vec![user], frame: frame.to_json(), kind: "media".into() };
    inbox.send(RoomMsg::local(command)).is_ok()
}
