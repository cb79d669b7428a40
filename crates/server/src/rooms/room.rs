//! One live space: a task that owns the space's [`LiveSpace`] and its members' outboxes.
//! Every change to the space goes through this task's inboxes, so all members see the
//! events of the space in one order, and no lock is shared between spaces.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use gather_bus::{Missed, PlacedPiece, SpaceNotice, Subscription};
use gather_core::{
    ChatError, Command, Effects, EffectsSpec, Event, LiveSpace, Outgoing, Position, SpaceId, UserId,
};
use gather_protocol::http::ElementBody;
use gather_protocol::node::{Answer, JoinRefusal, MemberRef, RoomCommand};
use gather_protocol::{ServerFrame, Status};
use gather_store::Store;
use tokio::sync::{mpsc, oneshot};
// Tokio's clock, like the lease's: tests that pause time move both together.
use tokio::time::Instant;

use super::close_reason::CloseReason;
use super::command::RoomMsg;
use super::media::{RoomMedia, ToMember};
use super::members::{Delivery, Home, Member, Members};
use super::{layout_of, lease, Registry};
use crate::cluster::Cluster;
use crate::media::MediaNode;
use crate::metrics::Metrics;

/// How long a room taken over from a dead owner waits, at least, for each member's node to
/// reattach them before it reports them gone (their node died with the owner, or lost
/// them). Clients that can resume get as long as a parked membership waits for them.
const REATTACH_GRACE: Duration = Duration::from_secs(3);
/// Commands a room handles per wake-up beyond the first, at most.
const ROOM_BATCH: usize = 1024;

pub struct Room {
    id: SpaceId,
    generation: u64,
    space: LiveSpace,
    registry: Registry,
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
    cluster: Arc<Cluster>,
    /// Tiles within which `nearby` chat is heard.
    nearby_radius: u32,
    /// How long a socket that dropped may come back and resume its membership.
    resume_grace: Duration,
    members: Members,
    /// After a takeover: people restored from the last picture of the space whose sockets
    /// have not been reattached yet, and until when they may be.
    awaiting: HashMap<UserId, Instant>,
    /// Voice and video, when this node runs a media relay.
    media: Option<RoomMedia>,
    /// Members found too slow and not yet cut off. Cutting one off tells the others it
    /// left, which may find more; a list rather than recursion keeps that flat.
    too_slow: Vec<UserId>,
    /// Everyone's status other than plain "available" (with no text).
    statuses: HashMap<UserId, (Status, String)>,
}

/// What a room needs besides its space.
#[derive(Clone)]
pub struct RoomParts {
    pub registry: Registry,
    pub store: Arc<dyn Store>,
    pub metrics: Arc<Metrics>,
    pub cluster: Arc<Cluster>,
    pub nearby_radius: u32,
    pub resume_grace: Duration,
    pub media: Option<MediaNode>,
}

/// A room's two inboxes: commands from sockets on this node wait for room when it is full
/// (slowing only the senders), while those from other nodes never wait, so one busy room
/// cannot hold up a node's whole link. Those were already limited per socket where the
/// socket is.
pub struct Inboxes {
    pub local: mpsc::Receiver<RoomMsg>,
    pub remote: mpsc::UnboundedReceiver<RoomMsg>,
    /// A way into `remote` for the room itself (answers that come back later).
    pub own: mpsc::WeakUnboundedSender<RoomMsg>,
}

impl Inboxes {
    async fn recv(&mut self) -> Option<RoomMsg> {
        tokio::select! {
            Some(msg) = self.local.recv() => Some(msg),
            Some(msg) = self.remote.recv() => Some(msg),
            else => None,
        }
    }

    /// Stops taking commands; what is queued can still be read.
    pub fn close(&mut self) {
        self.local.close();
        self.remote.close();
    }

    pub fn try_recv(&mut self) -> Option<RoomMsg> {
        self.local.try_recv().or_else(|_| self.remote.try_recv()).ok()
    }
}

impl Room {
    /// `inbox` is the room's own, for answers that come back later (the media relay's).
    pub fn new(
        id: SpaceId,
        generation: u64,
        space: LiveSpace,
        parts: RoomParts,
        inbox: mpsc::WeakUnboundedSender<RoomMsg>,
    ) -> Self {
        let RoomParts { registry, store, metrics, cluster, nearby_radius, resume_grace, media } = parts;
        Self {
            media: media.map(|node| RoomMedia::new(node, inbox, metrics.clone())),
            id,
            generation,
            space,
            registry,
            store,
            metrics,
            members: Members::new(id, cluster.clone()),
            cluster,
            nearby_radius,
            resume_grace,
            awaiting: HashMap::new(),
            too_slow: Vec::new(),
            statuses: HashMap::new(),
        }
    }

    /// Takes on the space's tile effects (checked against its size again: what the store
    /// holds was checked when written, but a room must never run on a broken rule), for
    /// movement, chat and media at once. False when they do not fit the space.
    pub fn set_effects(&mut self, spec: EffectsSpec) -> bool {
        let effects = match Effects::new(self.space.dims(), spec) {
            Ok(effects) => effects,
            Err(e) => {
                tracing::error!(space = %self.id, error = %e, "ignoring tile effects that do not fit the space");
                return false;
            }
        };
        self.space.set_effects(effects.clone());
        if let Some(media) = &mut self.media {
            let frames = media.set_effects(effects);
            self.send_media(frames);
        }
        true
    }

    /// Puts back the people a dead owner's space held, as this node last saw them; each must
    /// be reattached within the grace period or is reported gone.
    pub fn restore(&mut self, people: HashMap<UserId, Position>) {
        let deadline = Instant::now() + REATTACH_GRACE.max(self.resume_grace);
        for (user, at) in people {
            if self.space.restore(user, at) {
                self.awaiting.insert(user, deadline);
            }
        }
    }

    pub async fn run(mut self, mut inboxes: Inboxes, subscription: Subscription) {
        let mut notices = Some(subscription);
        let (lease_lost, mut lost) = oneshot::channel();
        tokio::spawn(lease::keep(self.cluster.clone(), self.id, lease_lost));
        let mut awaiting_check = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                msg = inboxes.recv() => match msg {
                    Some(msg) => {
                        self.handle(msg);
                        // What else is queued, before yielding: one room serves a whole space,
                        // and under load it would otherwise get one turn in thousands of
                        // writers' (the runtime's budget makes `recv` yield every 128).
                        for _ in 0..ROOM_BATCH {
                            let Some(msg) = inboxes.try_recv() else { break };
                            self.handle(msg);
                        }
                    }
                    None => break,
                },
                notice = next_notice(&mut notices) => {
                    if !self.on_notice(notice, &mut notices).await {
                        break;
                    }
                }
                Ok(()) = &mut lost => {
                    tracing::warn!(space = %self.id, "lost the space's lease; handing it over");
                    self.members.close_all(None, CloseReason::MOVED);
                    self.retire();
                    break;
                }
                _ = awaiting_check.tick(), if !self.awaiting.is_empty() => self.expire_awaiting(),
            }
            if self.members.is_empty() && self.awaiting.is_empty() {
                self.retire();
                break;
            }
        }
        drop(lost); // Stops the lease keeper.
        lease::release(self.cluster.clone(), self.id);
        tracing::debug!(space = %self.id, "room closed");
    }

    /// The room's one entry for what members ask; the answer goes back the way it came.
    fn handle(&mut self, RoomMsg { command, origin }: RoomMsg) {
        let answer = match command {
            RoomCommand::Join { member, spawn, keyholder, adopt } => Some(match origin.home() {
                Some(home) if adopt => self.adopt(member, keyholder, home),
                Some(home) => self.join(member, spawn, keyholder, home),
                None => Answer::JoinRefused { reason: JoinRefusal::Unavailable },
            }),
            RoomCommand::Move { member, to } => {
                if self.is_current(member) {
                    self.apply(Command::Move { user: member.user, to: to.into() });
                }
                None
            }
            RoomCommand::Leave { member } => {
                if self.is_current(member) {
                    self.remove(member.user);
                }
                Some(Answer::Done)
            }
            RoomCommand::ChatAudience { member, scope, to } => {
                let audience = if self.is_current(member) {
                    self.space.chat_audience(member.user, scope, to, self.nearby_radius)
                } else {
                    Err(ChatError::SenderAbsent)
                };
                Some(match audience {
                    Ok(users) => Answer::Audience { users },
                    Err(e) => Answer::ChatRefused { reason: e.into() },
                })
            }
            RoomCommand::Deliver { recipients, frame, kind } => {
                let recipients: HashSet<UserId> = recipients.into_iter().collect();
                let delivery =
                    self.members.send_where(&Bytes::from(frame), |user| recipients.contains(&user));
                self.settle(frame_type_of(&kind), delivery);
                None
            }
            RoomCommand::Reattach { member, at } => {
                if let Some(home) = origin.home() {
                    self.reattach(member, home, at.map(Into::into));
                }
                None
            }
            RoomCommand::Media { member, signal } => {
                self.media_signal(member, signal);
                None
            }
            RoomCommand::Admit { member, user } => {
                if self.is_current(member) {
                    self.admit(member.user, user);
                }
                None
            }
            RoomCommand::Status { member, status, text } => {
                if self.is_current(member) {
                    self.set_status(member.user, status, text);
                }
                None
            }
        };
        if let Some(answer) = answer {
            origin.answer(answer, &self.cluster);
        }
    }

    fn join(&mut self, member: MemberRef, spawn: Option<String>, keyholder: bool, home: Home) -> Answer {
        let user = member.user;
        if self.awaiting.remove(&user).is_some() {
            // Restored after a takeover, now joining afresh (a reconnect).
            self.apply(Command::Leave { user });
        }
        if let Some(old) = self.members.remove(user) {
            // The same person joined again (a second tab, a reconnect before the old
            // socket timed out): the newest connection wins.
            self.members.close(user, &old, CloseReason::REPLACED);
            self.apply(Command::Leave { user });
        }
        match self.space.apply(Command::Join { user, spawn_seed: getrandom::u64().unwrap_or(0), spawn }) {
            Ok(outgoing) => {
                self.members.insert(user, Member { membership: member.membership, home });
                self.space.set_keyholder(user, keyholder);
                self.metrics.space_population.observe(self.space.population() as f64);
                outgoing.into_iter().for_each(|out| self.deliver(out));
                self.tell_statuses(user);
                Answer::Joined
            }
            Err(e) => Answer::JoinRefused { reason: e.into() },
        }
    }

    /// Binds a new socket to a person this room holds for them (restored after a takeover,
    /// or bound already by an attempt whose answer was lost) where they stand, telling only
    /// them what they see, as a join would: the others saw no leave, and see no arrival. For
    /// a socket already bound, only the telling.
    fn adopt(&mut self, member: MemberRef, keyholder: bool, home: Home) -> Answer {
        let user = member.user;
        if !self.is_current(member) {
            let held = self.awaiting.remove(&user).is_some();
            if let Some(old) = self.members.remove(user) {
                self.members.close(user, &old, CloseReason::REPLACED);
            } else if !held {
                return Answer::JoinRefused { reason: JoinRefusal::NothingToAdopt };
            }
            self.members.insert(user, Member { membership: member.membership, home });
            self.space.set_keyholder(user, keyholder);
        }
        // Else the same socket asks again (its node lost the link to this one for a while):
        // only a fresh picture, for what it may have missed meanwhile.
        if !self.show_afresh(user) {
            return Answer::JoinRefused { reason: JoinRefusal::NothingToAdopt };
        }
        Answer::Joined
    }

    /// Tells `user` alone everything they see now (a `space-joined`, then the statuses), as
    /// after a join; false when they are not in the space.
    fn show_afresh(&mut self, user: UserId) -> bool {
        let Some(entered) = self.space.resync(user) else { return false };
        self.deliver(entered);
        self.tell_statuses(user);
        true
    }

    /// Binds a restored person to their socket again. Someone this room did not restore
    /// (their join raced the takeover) returns where their node saw them, or anywhere
    /// free, and is announced.
    pub fn reattach(&mut self, member: MemberRef, home: Home, at: Option<Position>) {
        let user = member.user;
        if self.is_current(member) {
            return; // Told twice (by the node that took the space over, and by its watcher).
        }
        if self.awaiting.remove(&user).is_some() || self.members.remove(user).is_some() {
            self.members.insert(user, Member { membership: member.membership, home });
            // What happened here before their node found the new owner never reached them:
            // a fresh picture (chat said meanwhile is in the history, which it tells the
            // client to catch up from).
            self.show_afresh(user);
            return;
        }
        let command = Command::Return { user, at, spawn_seed: getrandom::u64().unwrap_or(0) };
        if let Ok(outgoing) = self.space.apply(command) {
            self.members.insert(user, Member { membership: member.membership, home });
            outgoing.into_iter().for_each(|out| self.deliver(out));
        }
    }

    /// A newcomer hears, after their `space-joined`, the status of everyone who set one.
    fn tell_statuses(&mut self, user: UserId) {
        let frames: Vec<ToMember> = self
            .statuses
            .iter()
            .filter(|(other, _)| **other != user)
            .map(|(other, (status, text))| ToMember {
                user,
                frame: encode(&ServerFrame::UserStatus {
                    user_id: *other,
                    status: *status,
                    text: text.clone(),
                }),
            })
            .collect();
        for ToMember { user, frame } in frames {
            let delivery = self.members.send_where(&frame, |to| to == user);
            self.settle("user-status", delivery);
        }
    }

    /// `by` lets `user` into the locked area they stand in; `user` is told, to step in.
    fn admit(&mut self, by: UserId, user: UserId) {
        let area = self.space.position_of(by).and_then(|at| self.space.effects().area_of(at));
        let name = area.and_then(|a| self.space.effects().area(a)).map(|a| a.name.clone());
        if let Some(name) = name.filter(|_| self.space.admit(by, user)) {
            let frame = encode(&ServerFrame::Admitted { area: name });
            let delivery = self.members.send_where(&frame, |to| to == user);
            self.settle("admitted", delivery);
        }
    }

    fn set_status(&mut self, user: UserId, status: Status, text: String) {
        let quiet = status == Status::DoNotDisturb;
        self.space.set_do_not_disturb(user, quiet);
        if let Some(media) = &mut self.media {
            let frames = media.set_quiet(user, quiet);
            self.send_media(frames);
        }
        if status == Status::Available && text.is_empty() {
            self.statuses.remove(&user);
        } else {
            self.statuses.insert(user, (status, text.clone()));
        }
        self.broadcast(&ServerFrame::UserStatus { user_id: user, status, text }, "user-status");
    }

    fn media_signal(&mut self, member: MemberRef, signal: gather_protocol::MediaSignal) {
        let Some(at) = self.space.position_of(member.user).filter(|_| self.is_current(member)) else {
            return; // Not (or no longer) in the space: nothing to say.
        };
        let quiet =
            self.statuses.get(&member.user).is_some_and(|(status, _)| *status == Status::DoNotDisturb);
        let frames = match &mut self.media {
            Some(media) => media.signal(member, at, quiet, signal),
            None => {
                let frame = ServerFrame::error("media-off", "this server does not relay voice or video");
                vec![ToMember { user: member.user, frame: encode(&frame) }]
            }
        };
        self.send_media(frames);
    }

    fn send_media(&mut self, frames: Vec<ToMember>) {
        for ToMember { user, frame } in frames {
            let delivery = self.members.send_where(&frame, |to| to == user);
            self.settle("media", delivery);
        }
    }

    /// Applies a command that cannot be refused outright (a move, a leave) and delivers
    /// what it produced.
    fn apply(&mut self, command: Command) {
        let user = match command {
            Command::Move { user, .. } | Command::Leave { user } => Some(user),
            _ => None,
        };
        if let Ok(outgoing) = self.space.apply(command) {
            outgoing.into_iter().for_each(|out| self.deliver(out));
        }
        if let Some(user) = user.filter(|user| self.space.position_of(*user).is_none()) {
            self.statuses.remove(&user);
        }
        if let (Some(user), Some(media)) = (user, &mut self.media) {
            // Who hears whom follows where people stand, and whether they are here at all
            // (whoever else sees the move: in a crowd, perhaps nobody).
            let frames = match self.space.position_of(user) {
                Some(at) => media.moved(user, at),
                None => media.left(user),
            };
            self.send_media(frames);
        }
    }

    /// Returns false when the room must stop.
    async fn on_notice(
        &mut self,
        notice: Result<SpaceNotice, Missed>,
        notices: &mut Option<Subscription>,
    ) -> bool {
        match notice {
            Ok(SpaceNotice::ElementAdded(piece)) => {
                self.space.place_element(piece.id, piece.footprint, piece.solid);
                self.broadcast(&element_added(&piece), "element-added");
            }
            Ok(SpaceNotice::ElementRemoved(id)) => {
                self.space.remove_element(id);
                self.broadcast(&ServerFrame::ElementRemoved { id }, "element-removed");
            }
            Ok(SpaceNotice::Closed) => {
                self.close_space();
                return false;
            }
            Ok(SpaceNotice::EffectsChanged(spec)) => {
                let frame = ServerFrame::EffectsChanged { effects: (&spec).into() };
                if self.set_effects(spec) {
                    self.broadcast(&frame, "effects-changed");
                }
            }
            Ok(SpaceNotice::Removed { user, banned }) => self.remove_by_moderator(user, banned),
            Ok(SpaceNotice::MediaMuted(user)) => {
                if let Some(media) = &mut self.media {
                    let frames = media.force_mute(user);
                    self.send_media(frames);
                }
            }
            Err(Missed::Lagged(count)) => {
                tracing::warn!(space = %self.id, count, "room missed notices; reloading the space");
                match self.store.space(self.id).await {
                    Ok(Some(space)) => {
                        self.space.replace_layout(layout_of(&space));
                        self.set_effects(space.effects);
                    }
                    Ok(None) => {
                        self.close_space();
                        return false;
                    }
                    Err(e) => tracing::error!(space = %self.id, error = %e, "could not reload the space"),
                }
            }
            Err(Missed::Closed) => *notices = None,
        }
        true
    }

    fn is_current(&self, member: MemberRef) -> bool {
        self.members.is_current(member.user, member.membership)
    }

    /// Reports the restored people nobody reattached in time as gone.
    fn expire_awaiting(&mut self) {
        let now = Instant::now();
        let expired: Vec<UserId> =
            self.awaiting.iter().filter(|(_, until)| **until <= now).map(|(u, _)| *u).collect();
        for user in expired {
            self.awaiting.remove(&user);
            self.apply(Command::Leave { user });
        }
    }

    /// A moderator's kick or ban: told why, then closed and gone from the space, on
    /// whichever node their socket is.
    fn remove_by_moderator(&mut self, user: UserId, banned: bool) {
        self.awaiting.remove(&user);
        let reason = if banned { "banned" } else { "kicked" };
        // Told before they are let go, so the frame is ahead of the close on their way.
        let delivery = self
            .members
            .send_where(&encode(&ServerFrame::Removed { reason: reason.into() }), |to| to == user);
        self.settle("removed", delivery);
        if let Some(member) = self.members.remove(user) {
            self.members.close(user, &member, CloseReason::REMOVED);
        }
        self.apply(Command::Leave { user });
    }

    fn remove(&mut self, user: UserId) {
        self.members.remove(user);
        self.apply(Command::Leave { user });
    }

    /// Sends an event to its audience, encoded once for all of them.
    fn deliver(&mut self, out: Outgoing) {
        let frame = encode(&ServerFrame::from(&out.event));
        if let Event::MoveRejected { reason, .. } = out.event {
            self.metrics.moves_rejected.with_label_values(&[reason.as_str()]).inc();
        }
        let delivery = self.members.send_event(&out, &frame);
        self.settle(event_type(&out.event), delivery);
    }

    /// For space-wide news that is not a movement event (furniture changes).
    fn broadcast(&mut self, frame: &ServerFrame, kind: &'static str) {
        let delivery = self.members.send_where(&encode(frame), |_| true);
        self.settle(kind, delivery);
    }

    /// Counts what a delivery did and cuts off the readers it found too slow.
    fn settle(&mut self, kind: &'static str, delivery: Delivery) {
        self.metrics.frames_out.with_label_values(&[kind]).inc_by(delivery.sent);
        self.metrics.frames_coalesced.inc_by(delivery.coalesced);
        self.cut_off(delivery.too_slow);
    }

    /// Members that stopped reading are closed and leave, so one stalled client never
    /// holds up the space; their departure is delivered in turn.
    fn cut_off(&mut self, users: Vec<UserId>) {
        let busy = !self.too_slow.is_empty();
        self.too_slow.extend(users);
        if busy {
            return; // A cut-off further up the stack is working through the list.
        }
        while let Some(&user) = self.too_slow.last() {
            if let Some(member) = self.members.remove(user) {
                tracing::info!(space = %self.id, %user, "dropping a member that stopped reading");
                self.members.close(user, &member, CloseReason::TOO_SLOW);
                self.apply(Command::Leave { user });
            }
            // Removed only now: while it stays in the list, nested calls only add to it.
            self.too_slow.retain(|u| *u != user);
        }
    }

    fn close_space(&mut self) {
        let frame = encode(&ServerFrame::SpaceClosed { space_id: self.id });
        self.members.close_all(Some(&frame), CloseReason::SPACE_CLOSED);
        self.retire();
    }

    /// Takes this room out of the registry, unless a newer room already replaced it.
    fn retire(&self) {
        super::retire(&self.registry, self.id, self.generation);
    }
}

async fn next_notice(notices: &mut Option<Subscription>) -> Result<SpaceNotice, Missed> {
    match notices {
        Some(subscription) => subscription.recv().await,
        None => std::future::pending().await,
    }
}

fn element_added(piece: &PlacedPiece) -> ServerFrame {
    ServerFrame::ElementAdded {
        id: piece.id,
        element: ElementBody {
            id: piece.element_id,
            image_url: piece.image_url.clone(),
            width: piece.footprint.width,
            height: piece.footprint.height,
            solid: piece.solid,
        },
        x: piece.footprint.at.x,
        y: piece.footprint.at.y,
    }
}

/// The wire `type` of the frame an event becomes, for metrics.
fn event_type(event: &Event) -> &'static str {
    match event {
        Event::Entered { .. } => "space-joined",
        Event::Joined { .. } => "user-joined",
        Event::Moved { .. } => "movement",
        Event::MoveRejected { .. } => "movement-rejected",
        Event::Left { .. } => "user-left",
        Event::Appeared { .. } => "user-appeared",
        Event::Disappeared { .. } => "user-disappeared",
        Event::Teleported { .. } => "teleported",
        Event::PortalReached { .. } => "portal-reached",
        Event::Knocked { .. } => "knock",
    }
}

/// A delivered frame's wire type as a metrics label: only the known ones, so a label
/// from another node cannot grow the metrics without bound.
fn frame_type_of(kind: &str) -> &'static str {
    match kind {
        "chat" => "chat",
        "media" => "media",
        _ => "other",
    }
}

fn encode(frame: &ServerFrame) -> Bytes {
    Bytes::from(frame.to_json())
}
