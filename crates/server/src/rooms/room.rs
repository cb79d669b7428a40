//! One live space: a task that owns the space's `core::Space` and its members' outboxes.
//! Every change to the space goes through this task's inbox, so all members see the events
//! of the space in one order, and no lock is shared between spaces.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use gather_bus::{Missed, PlacedPiece, SpaceNotice, Subscription};
use gather_core::{Audience, ChatError, ChatScope, JoinError, Outgoing, Position, Space, SpaceId, UserId};
use gather_protocol::http::ElementBody;
use gather_protocol::ServerFrame;
use gather_store::Store;
use tokio::sync::{mpsc, oneshot};

use super::outbox::{CloseReason, Outbox, Undelivered};
use super::{layout_of, Registry};

/// Tells apart two joins by the same user (two tabs, or a rejoin on the same socket), so a
/// late leave from the old one cannot remove the new one.
pub type MembershipId = u64;

pub enum RoomMsg {
    Join {
        user: UserId,
        membership: MembershipId,
        outbox: Outbox,
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
    },
}

struct Member {
    membership: MembershipId,
    outbox: Outbox,
}

pub struct Room {
    pub id: SpaceId,
    pub generation: u64,
    pub space: Space,
    pub registry: Registry,
    pub store: Arc<dyn Store>,
    /// Tiles within which `nearby` chat is heard.
    pub nearby_radius: u32,
    members: HashMap<UserId, Member>,
}

impl Room {
    pub fn new(
        id: SpaceId,
        generation: u64,
        space: Space,
        registry: Registry,
        store: Arc<dyn Store>,
        nearby_radius: u32,
    ) -> Self {
        Self { id, generation, space, registry, store, nearby_radius, members: HashMap::new() }
    }

    pub async fn run(mut self, mut inbox: mpsc::Receiver<RoomMsg>, subscription: Subscription) {
        let mut notices = Some(subscription);
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
            }
            if self.members.is_empty() {
                self.retire();
                break;
            }
        }
        tracing::debug!(space = %self.id, "room closed");
    }

    fn handle(&mut self, msg: RoomMsg) {
        match msg {
            RoomMsg::Join { user, membership, outbox, reply } => {
                if let Some(old) = self.members.get(&user) {
                    // The same person joined again (a second tab, a reconnect before the old
                    // socket timed out): the newest connection wins.
                    old.outbox.close(CloseReason::REPLACED);
                    self.remove(user);
                }
                let result = self.space.join(user, getrandom::u64().unwrap_or(0));
                match result {
                    Ok(outgoing) => {
                        self.members.insert(user, Member { membership, outbox });
                        outgoing.into_iter().for_each(|out| self.deliver(out));
                        let _ = reply.send(Ok(()));
                    }
                    Err(e) => {
                        let _ = reply.send(Err(e));
                    }
                }
            }
            RoomMsg::Move { user, membership, to } => {
                if self.is_current(user, membership) {
                    if let Some(out) = self.space.step(user, to) {
                        self.deliver(out);
                    }
                }
            }
            RoomMsg::Leave { user, membership } => {
                if self.is_current(user, membership) {
                    self.remove(user);
                }
            }
            RoomMsg::ChatAudience { user, membership, scope, to, reply } => {
                let audience = if self.is_current(user, membership) {
                    self.space.chat_audience(user, scope, to, self.nearby_radius)
                } else {
                    Err(ChatError::SenderAbsent)
                };
                let _ = reply.send(audience);
            }
            RoomMsg::Deliver { recipients, frame } => {
                let too_slow = recipients
                    .into_iter()
                    .filter(|user| {
                        self.members
                            .get(user)
                            .is_some_and(|m| m.outbox.try_send(frame.clone()) == Err(Undelivered::Full))
                    })
                    .collect();
                self.cut_off(too_slow);
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
                self.broadcast(&element_added(&piece));
            }
            Ok(SpaceNotice::ElementRemoved(id)) => {
                self.space.remove_element(id);
                self.broadcast(&ServerFrame::ElementRemoved { id });
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
        self.members.get(&user).is_some_and(|m| m.membership == membership)
    }

    fn remove(&mut self, user: UserId) {
        self.members.remove(&user);
        if let Some(out) = self.space.leave(user) {
            self.deliver(out);
        }
    }

    /// Sends an event to its audience, encoded once for all of them.
    fn deliver(&mut self, out: Outgoing) {
        let frame = encode(&ServerFrame::from(&out.event));
        let too_slow = match out.audience {
            Audience::Only(user) => match self.members.get(&user) {
                Some(member) if member.outbox.try_send(frame) == Err(Undelivered::Full) => vec![user],
                _ => Vec::new(),
            },
            Audience::AllExcept(_) => self.send_where(&frame, |user| out.audience.includes(user)),
        };
        self.cut_off(too_slow);
    }

    /// For space-wide news that is not a movement event (furniture changes).
    fn broadcast(&mut self, frame: &ServerFrame) {
        let too_slow = self.send_where(&encode(frame), |_| true);
        self.cut_off(too_slow);
    }

    /// Queues `frame` for every member `to` picks; returns those whose queue was full.
    fn send_where(&self, frame: &Bytes, to: impl Fn(UserId) -> bool) -> Vec<UserId> {
        self.members
            .iter()
            .filter(|(user, _)| to(**user))
            .filter(|(_, member)| member.outbox.try_send(frame.clone()) == Err(Undelivered::Full))
            .map(|(user, _)| *user)
            .collect()
    }

    /// Members that stopped reading are closed and leave, so one stalled client never
    /// holds up the space; their departure is delivered in turn.
    fn cut_off(&mut self, users: Vec<UserId>) {
        for user in users {
            if let Some(member) = self.members.remove(&user) {
                tracing::info!(space = %self.id, %user, "dropping a member that stopped reading");
                member.outbox.close(CloseReason::TOO_SLOW);
                if let Some(out) = self.space.leave(user) {
                    self.deliver(out);
                }
            }
        }
    }

    fn close_space(&mut self) {
        let frame = encode(&ServerFrame::SpaceClosed { space_id: self.id });
        for (_, member) in self.members.drain() {
            let _ = member.outbox.try_send(frame.clone());
            member.outbox.close(CloseReason::SPACE_CLOSED);
        }
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

fn encode(frame: &ServerFrame) -> Bytes {
    Bytes::from(frame.to_json())
}
