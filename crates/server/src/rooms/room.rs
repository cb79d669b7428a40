//! One live space: a task that owns the space's `core::Space` and its members' outboxes.
//! Every change to the space goes through this task's inbox, so all members see the events
//! of the space in one order, and no lock is shared between spaces.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use gather_bus::{Missed, PlacedPiece, SpaceNotice, Subscription};
use gather_core::{
    ChatError, ChatScope, Event, Interest, JoinError, Outgoing, Position, Space, SpaceId, UserId, Visibility,
};
use gather_protocol::http::ElementBody;
use gather_protocol::ServerFrame;
use gather_store::Store;
use tokio::sync::{mpsc, oneshot};

use super::close_reason::CloseReason;
use super::members::{Delivery, Home, Member, Members};
use super::{layout_of, Registry};
use crate::cluster::{Cluster, LEASE_TTL};
use crate::metrics::Metrics;

/// Tells apart two joins by the same user (two tabs, or a rejoin on the same socket), so a
/// late leave from the old one cannot remove the new one.
pub type MembershipId = u64;

pub enum RoomMsg {
    Join {
        user: UserId,
        membership: MembershipId,
        home: Home,
        reply: oneshot::Sender<Result<(), JoinError>>,
    },
    Move {
        user: UserId,
        membership: MembershipId,
        to: Position,
    },
    Leave {
        user: UserId,
        membership: MembershipId,
        /// Answered once the room has let the member go: no frame of this room reaches
        /// their socket after it.
        done: Option<oneshot::Sender<()>>,
    },
    /// Who would hear a chat message from `user` now.
    ChatAudience {
        user: UserId,
        membership: MembershipId,
        scope: ChatScope,
        to: Option<UserId>,
        reply: oneshot::Sender<Result<Vec<UserId>, ChatError>>,
    },
    /// Hands an encoded frame to those of `recipients` still here.
    Deliver {
        recipients: Vec<UserId>,
        frame: Bytes,
        /// The frame's wire type, for metrics.
        kind: &'static str,
    },
    /// A member of a space that moved here from a dead owner: their socket is on `node`.
    Reattach {
        user: UserId,
        membership: MembershipId,
        node: String,
        at: Option<Position>,
    },
}

/// How long a room taken over from a dead owner waits for each member's node to reattach
/// them before it reports them gone (their node died with the owner, or lost them).
const REATTACH_GRACE: Duration = Duration::from_secs(3);

pub struct Room {
    id: SpaceId,
    generation: u64,
    space: Space,
    registry: Registry,
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
    /// Tiles within which `nearby` chat is heard.
    nearby_radius: u32,
    members: Members,
    /// In cluster mode: the lease this room must keep renewing to stay the owner.
    cluster: Option<Arc<Cluster>>,
    /// After a takeover: people restored from the last picture of the space whose sockets
    /// have not been reattached yet, and until when they may be.
    awaiting: HashMap<UserId, Instant>,
    /// Who hears what once the space is crowded.
    visibility: Visibility,
    /// Members found too slow and not yet cut off. Cutting one off tells the others it
    /// left, which may find more; a list rather than recursion keeps that flat.
    too_slow: Vec<UserId>,
}

/// What a room needs besides its space.
pub struct RoomParts {
    pub interest: Interest,
    pub registry: Registry,
    pub store: Arc<dyn Store>,
    pub metrics: Arc<Metrics>,
    pub nearby_radius: u32,
    pub cluster: Option<Arc<Cluster>>,
}

impl Room {
    pub fn new(id: SpaceId, generation: u64, space: Space, parts: RoomParts) -> Self {
        let RoomParts { registry, store, metrics, nearby_radius, cluster, interest } = parts;
        let visibility = Visibility::new(interest);
        let members = Members::new(id, cluster.clone());
        let awaiting = HashMap::new();
        Self {
            id,
            generation,
            space,
            registry,
            store,
            metrics,
            nearby_radius,
            members,
            cluster,
            awaiting,
            visibility,
            too_slow: Vec::new(),
        }
    }

    /// Puts back the people a dead owner's space held, as this node last saw them; each must
    /// be reattached within the grace period or is reported gone.
    pub fn restore(&mut self, people: HashMap<UserId, Position>) {
        let deadline = Instant::now() + REATTACH_GRACE;
        for (user, at) in people {
            if self.space.restore(user, at) {
                self.visibility.track(user, at);
                self.awaiting.insert(user, deadline);
            }
        }
    }

    pub async fn run(mut self, mut inbox: mpsc::Receiver<RoomMsg>, subscription: Subscription) {
        let mut notices = Some(subscription);
        // The lease is kept by a task of its own: a call to Redis may wait for seconds while
        // Redis is away, and the room must keep serving its members meanwhile.
        let (lease_lost, mut lost) = oneshot::channel();
        if let Some(cluster) = &self.cluster {
            tokio::spawn(keep_lease(cluster.clone(), self.id, lease_lost));
        }
        let mut awaiting_check = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                msg = inbox.recv() => match msg {
                    Some(msg) => self.handle(msg),
                    None => break,
                },
                notice = next_notice(&mut notices) => {
                    if !self.on_notice(notice, &mut notices).await {
                        break;
                    }
                }
                Ok(()) = &mut lost, if self.cluster.is_some() => {
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
        if let Some(cluster) = self.cluster.clone() {
            let space = self.id;
            tokio::spawn(async move {
                if let Err(e) = cluster.link().release(&space.to_string()).await {
                    tracing::warn!(%space, error = %e, "could not release the space's lease");
                }
            });
        }
        tracing::debug!(space = %self.id, "room closed");
    }

    fn handle(&mut self, msg: RoomMsg) {
        match msg {
            RoomMsg::Join { user, membership, home, reply } => {
                if self.awaiting.remove(&user).is_some() {
                    // Restored after a takeover, now joining afresh (a reconnect).
                    self.leave_space(user);
                }
                if let Some(old) = self.members.remove(user) {
                    // The same person joined again (a second tab, a reconnect before the old
                    // socket timed out): the newest connection wins.
                    self.members.close(user, &old, CloseReason::REPLACED);
                    self.leave_space(user);
                }
                let result = self.space.join(user, getrandom::u64().unwrap_or(0));
                match result {
                    Ok(outgoing) => {
                        self.members.insert(user, Member { membership, home });
                        self.metrics.space_population.observe(self.space.population() as f64);
                        outgoing.into_iter().for_each(|out| self.publish(out, None));
                        let _ = reply.send(Ok(()));
                    }
                    Err(e) => {
                        let _ = reply.send(Err(e));
                    }
                }
            }
            RoomMsg::Move { user, membership, to } => {
                if self.is_current(user, membership) {
                    let before = self.space.position_of(user);
                    if let Some(out) = self.space.step(user, to) {
                        self.publish(out, before);
                    }
                }
            }
            RoomMsg::Leave { user, membership, done } => {
                if self.is_current(user, membership) {
                    self.remove(user);
                }
                if let Some(done) = done {
                    let _ = done.send(());
                }
            }
            RoomMsg::Reattach { user, membership, node, at } => self.reattach(user, membership, node, at),
            RoomMsg::ChatAudience { user, membership, scope, to, reply } => {
                let audience = if self.is_current(user, membership) {
                    self.space.chat_audience(user, scope, to, self.nearby_radius)
                } else {
                    Err(ChatError::SenderAbsent)
                };
                let _ = reply.send(audience);
            }
            RoomMsg::Deliver { recipients, frame, kind } => {
                let recipients: HashSet<UserId> = recipients.into_iter().collect();
                let delivery = self.members.send_where(&frame, |user| recipients.contains(&user));
                self.settle(kind, delivery);
            }
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
            Err(Missed::Lagged(count)) => {
                tracing::warn!(space = %self.id, count, "room missed notices; reloading the space");
                match self.store.space(self.id).await {
                    Ok(Some(space)) => self.space.replace_layout(layout_of(&space)),
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

    fn is_current(&self, user: UserId, membership: MembershipId) -> bool {
        self.members.is_current(user, membership)
    }

    /// Binds a restored person to their socket again. Someone this room did not restore
    /// (their join raced the takeover) is placed where their node saw them, or anywhere
    /// free, and announced.
    fn reattach(&mut self, user: UserId, membership: MembershipId, node: String, at: Option<Position>) {
        let home = Home::Remote(node);
        if self.awaiting.remove(&user).is_some() || self.members.remove(user).is_some() {
            self.members.insert(user, Member { membership, home });
            return;
        }
        let spawn = at.filter(|at| self.space.restore(user, *at));
        if let Some(at) = spawn {
            self.visibility.track(user, at);
        }
        let joined = match spawn {
            Some(at) => Ok([Outgoing {
                audience: gather_core::Audience::AllExcept(user),
                event: Event::Joined { user, at },
            }]
            .to_vec()),
            None => self.space.join(user, getrandom::u64().unwrap_or(0)).map(|out| out.to_vec()),
        };
        if let Ok(outgoing) = joined {
            self.members.insert(user, Member { membership, home });
            outgoing.into_iter().for_each(|out| self.publish(out, None));
        }
    }

    /// Reports the restored people nobody reattached in time as gone.
    fn expire_awaiting(&mut self) {
        let now = Instant::now();
        let expired: Vec<UserId> =
            self.awaiting.iter().filter(|(_, until)| **until <= now).map(|(u, _)| *u).collect();
        for user in expired {
            self.awaiting.remove(&user);
            self.leave_space(user);
        }
    }

    fn remove(&mut self, user: UserId) {
        self.members.remove(user);
        self.leave_space(user);
    }

    /// Sends an event to its audience, encoded once for all of them.
    /// Takes `user` out of the space and tells whoever should hear it.
    fn leave_space(&mut self, user: UserId) {
        let before = self.space.position_of(user);
        if let Some(out) = self.space.leave(user) {
            self.publish(out, before);
        }
    }

    /// Routes an event of the space (only the near hear it in a crowd) and delivers it.
    fn publish(&mut self, out: Outgoing, before: Option<Position>) {
        for routed in self.visibility.route(&self.space, out, before) {
            self.deliver(routed);
        }
    }

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
                self.leave_space(user);
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
    /// Messages still queued are dropped with the inbox; their senders see a closed room
    /// and start a fresh one.
    fn retire(&self) {
        let mut rooms = self.registry.lock().expect("room registry poisoned");
        if rooms.get(&self.id).is_some_and(|h| h.generation == self.generation) {
            rooms.remove(&self.id);
        }
    }
}

/// Renews the space's lease every third of its lifetime while the room lives; tells the
/// room when another node holds it. Redis being away is not a loss: the lease is tried
/// again at the next tick, and reclaimed if Redis came back empty.
async fn keep_lease(cluster: Arc<Cluster>, space: SpaceId, lost: oneshot::Sender<()>) {
    let key = space.to_string();
    let mut tick = tokio::time::interval(LEASE_TTL / 3);
    loop {
        tick.tick().await;
        if lost.is_closed() {
            return; // The room is gone.
        }
        let held = match cluster.link().renew(&key, LEASE_TTL).await {
            Ok(false) if !lost.is_closed() => {
                cluster.link().claim(&key, LEASE_TTL).await.map(|owner| owner == cluster.node())
            }
            other => other,
        };
        match held {
            Ok(true) => {}
            Ok(false) => {
                let _ = lost.send(());
                return;
            }
            Err(e) => tracing::warn!(%space, error = %e, "could not renew the space's lease"),
        }
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
    }
}

fn encode(frame: &ServerFrame) -> Bytes {
    Bytes::from(frame.to_json())
}
