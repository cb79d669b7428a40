//! The members of one live space and where their sockets are: on this node (an outbox to
//! write to) or on another (reached through the cluster, one message per node per frame).

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use gather_core::{Audience, Outgoing, SpaceId, UserId};

use gather_protocol::node::{self, MemberRef, MembershipId, NodeMessage};

use super::close_reason::CloseReason;
use super::outbox::{FrameKind, Outbox, Queued, Undelivered};
use crate::cluster::Cluster;

/// Where a member's socket lives.
pub enum Home {
    Local(Outbox),
    /// On the node with this id.
    Remote(String),
}

pub struct Member {
    pub membership: MembershipId,
    pub home: Home,
}

pub struct Members {
    space: SpaceId,
    /// Looked up for every recipient of every event: a fast hasher (ids are server-made).
    map: foldhash::HashMap<UserId, Member>,
    /// Other nodes with members here, and how many.
    remote_nodes: HashMap<String, usize>,
    cluster: Arc<Cluster>,
}

impl Members {
    pub fn new(space: SpaceId, cluster: Arc<Cluster>) -> Self {
        Self { space, map: foldhash::HashMap::default(), remote_nodes: HashMap::new(), cluster }
    }

    pub fn insert(&mut self, user: UserId, member: Member) {
        if let Home::Remote(node) = &member.home {
            *self.remote_nodes.entry(node.clone()).or_default() += 1;
        }
        if let Some(old) = self.map.insert(user, member) {
            self.forget_home(&old);
        }
    }

    pub fn remove(&mut self, user: UserId) -> Option<Member> {
        let member = self.map.remove(&user)?;
        self.forget_home(&member);
        Some(member)
    }

    fn forget_home(&mut self, member: &Member) {
        if let Home::Remote(node) = &member.home {
            if let Some(count) = self.remote_nodes.get_mut(node) {
                *count -= 1;
                if *count == 0 {
                    self.remote_nodes.remove(node);
                }
            }
        }
    }

    pub fn is_current(&self, user: UserId, membership: MembershipId) -> bool {
        self.map.get(&user).is_some_and(|m| m.membership == membership)
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Queues `frame` for every member `to` picks: local sockets directly, remote ones in
    /// one message per node. A remote node cuts off its own slow sockets.
    pub fn send_where(&self, frame: &Bytes, to: impl Fn(UserId) -> bool) -> Delivery {
        let mut delivery = Delivery::default();
        let mut remote: HashMap<&str, Vec<MemberRef>> = HashMap::new();
        for (user, member) in self.map.iter().filter(|(user, _)| to(**user)) {
            match &member.home {
                Home::Local(outbox) => {
                    delivery.record(*user, outbox.try_send(frame.clone(), FrameKind::Other))
                }
                Home::Remote(node) => remote
                    .entry(node)
                    .or_default()
                    .push(MemberRef { user: *user, membership: member.membership }),
            }
        }
        if !remote.is_empty() {
            let text = String::from_utf8_lossy(frame).into_owned();
            for (node, members) in remote {
                delivery.sent += members.len() as u64;
                self.cluster
                    .send(node, &NodeMessage::Frames { space: self.space, members, frame: text.clone() });
            }
        }
        delivery
    }

    /// Delivers a movement event: to local members in its audience as `frame`, and to every
    /// other node with members here as the event itself (one message per node), so those
    /// nodes also keep track of who stands where. Work is proportional to the audience.
    pub fn send_event(&self, out: &Outgoing, frame: &Bytes) -> Delivery {
        let mut delivery = Delivery::default();
        let kind = FrameKind::from(&out.event);
        let mut send = |user: UserId, member: &Member| match &member.home {
            Home::Local(outbox) => delivery.record(user, outbox.try_send(frame.clone(), kind)),
            // Counted here, sent below once per node.
            Home::Remote(_) => delivery.sent += 1,
        };
        match &out.audience {
            Audience::Only(user) => self.map.get(user).into_iter().for_each(|m| send(*user, m)),
            Audience::Users(users) => {
                users.iter().filter_map(|u| self.map.get(u).map(|m| (*u, m))).for_each(|(u, m)| send(u, m))
            }
            Audience::AllExcept(except) => {
                self.map.iter().filter(|(u, _)| *u != except).for_each(|(u, m)| send(*u, m))
            }
        }
        if !self.remote_nodes.is_empty() {
            let (audience, event) = node::event_of(out);
            let message = NodeMessage::Event { space: self.space, audience, event };
            self.cluster.send_to_each(self.remote_nodes.keys().map(String::as_str), &message);
        }
        delivery
    }

    /// Asks a member's socket to close, wherever it is.
    pub fn close(&self, user: UserId, member: &Member, reason: CloseReason) {
        match &member.home {
            Home::Local(outbox) => outbox.close(reason),
            Home::Remote(node) => {
                let members = vec![MemberRef { user, membership: member.membership }];
                self.cluster
                    .send(node, &NodeMessage::Close { space: self.space, members, code: reason.code });
            }
        }
    }

    /// Sends `frame` (if any) to everyone, closes every socket with `reason`, and forgets
    /// them all.
    pub fn close_all(&mut self, frame: Option<&Bytes>, reason: CloseReason) {
        if let Some(frame) = frame {
            self.send_where(frame, |_| true);
        }
        self.remote_nodes.clear();
        for (user, member) in std::mem::take(&mut self.map) {
            self.close(user, &member, reason);
        }
    }
}

/// What became of one frame sent to several members.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Frames queued (or handed to another node).
    pub sent: u64,
    /// Frames that replaced a waiting movement of the same person instead.
    pub coalesced: u64,
    /// Local members whose queue was full: too slow to keep.
    pub too_slow: Vec<UserId>,
}

impl Delivery {
    fn record(&mut self, user: UserId, result: Result<Queued, Undelivered>) {
        match result {
            Ok(Queued::Appended) => self.sent += 1,
            Ok(Queued::Coalesced) => self.coalesced += 1,
            Err(Undelivered::Full) => self.too_slow.push(user),
            Err(Undelivered::Closed) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::OutboxReceiver;
    use super::*;
    use gather_core::{Event, Position};

    /// A local member whose outbox holds `capacity` frames and coalesces once
    /// `coalesce_from` are waiting.
    fn local(members: &mut Members, capacity: usize, coalesce_from: usize) -> (UserId, OutboxReceiver) {
        let (outbox, rx) = Outbox::new(capacity, coalesce_from);
        let user = UserId::new();
        members.insert(user, Member { membership: 1, home: Home::Local(outbox) });
        (user, rx)
    }

    fn moved(user: UserId, x: i64) -> Outgoing {
        Outgoing {
            audience: Audience::AllExcept(user),
            event: Event::Moved { user, to: Position::new(x, 1) },
        }
    }

    fn queued(rx: &OutboxReceiver) -> Vec<Bytes> {
        rx.frames.take_all_now()
    }

    #[tokio::test]
    async fn a_reader_whose_queue_is_full_is_named_and_the_others_still_get_the_frame() {
        let mut members = Members::new(SpaceId::new(), crate::cluster::Cluster::solo(Default::default()).0);
        let (mover, _mover_rx) = local(&mut members, 8, 8);
        let (slow, _slow_rx) = local(&mut members, 1, 1);
        let (_fast, fast_rx) = local(&mut members, 8, 8);
        let frame = Bytes::from_static(b"frame");
        let first = members.send_event(&moved(mover, 1), &frame);
        assert_eq!(first, Delivery { sent: 2, ..Delivery::default() });
        let second = members.send_event(&moved(mover, 2), &frame);
        assert_eq!(
            second,
            Delivery { sent: 1, coalesced: 0, too_slow: vec![slow] },
            "the slow reader's one slot is taken"
        );
        assert_eq!(queued(&fast_rx), [frame.clone(), frame]);
    }

    #[tokio::test]
    async fn a_lagging_reader_gets_the_latest_positions_instead_of_being_cut_off() {
        let mut members = Members::new(SpaceId::new(), crate::cluster::Cluster::solo(Default::default()).0);
        let (ann, _ann_rx) = local(&mut members, 8, 8);
        let (bob, _bob_rx) = local(&mut members, 8, 8);
        let (_lagging, lagging_rx) = local(&mut members, 2, 0);
        for x in 1..=5 {
            for user in [ann, bob] {
                let frame = Bytes::from(format!("{user} at {x}"));
                assert!(members.send_event(&moved(user, x), &frame).too_slow.is_empty());
            }
        }
        let latest = [Bytes::from(format!("{ann} at 5")), Bytes::from(format!("{bob} at 5"))];
        assert_eq!(queued(&lagging_rx), latest);
    }

    #[tokio::test]
    async fn a_crowd_event_reaches_only_the_listed_people() {
        let mut members = Members::new(SpaceId::new(), crate::cluster::Cluster::solo(Default::default()).0);
        let (near, near_rx) = local(&mut members, 8, 8);
        let (_far, far_rx) = local(&mut members, 8, 8);
        let out = Outgoing {
            audience: Audience::Users(vec![near]),
            event: Event::Disappeared { user: UserId::new() },
        };
        let delivery = members.send_event(&out, &Bytes::from_static(b"x"));
        assert_eq!(delivery, Delivery { sent: 1, ..Delivery::default() });
        assert_eq!(queued(&near_rx).len(), 1);
        assert!(queued(&far_rx).is_empty());
    }
}
