//! The members of one live space and where their sockets are: on this node (an outbox to
//! write to) or on another (reached through the cluster, one message per node per frame).

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use gather_core::{Audience, Outgoing, SpaceId, UserId};

use super::outbox::{CloseReason, Outbox, Undelivered};
use super::room::MembershipId;
use crate::cluster::{Cluster, MemberRef, Message};

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
    map: HashMap<UserId, Member>,
    /// Other nodes with members here, and how many.
    remote_nodes: HashMap<String, usize>,
    cluster: Option<Arc<Cluster>>,
}

impl Members {
    pub fn new(space: SpaceId, cluster: Option<Arc<Cluster>>) -> Self {
        Self { space, map: HashMap::new(), remote_nodes: HashMap::new(), cluster }
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
    /// one message per node. Returns how many it reached and the local members whose queue
    /// was full (a remote node cuts off its own slow sockets).
    pub fn send_where(&self, frame: &Bytes, to: impl Fn(UserId) -> bool) -> (u64, Vec<UserId>) {
        let mut sent = 0;
        let mut too_slow = Vec::new();
        let mut remote: HashMap<&str, Vec<MemberRef>> = HashMap::new();
        for (user, member) in self.map.iter().filter(|(user, _)| to(**user)) {
            match &member.home {
                Home::Local(outbox) => match outbox.try_send(frame.clone()) {
                    Ok(()) => sent += 1,
                    Err(Undelivered::Full) => too_slow.push(*user),
                    Err(Undelivered::Closed) => {}
                },
                Home::Remote(node) => remote.entry(node).or_default().push((*user, member.membership)),
            }
        }
        if let (Some(cluster), false) = (&self.cluster, remote.is_empty()) {
            let text = String::from_utf8_lossy(frame).into_owned();
            for (node, members) in remote {
                sent += members.len() as u64;
                cluster.send(node, &Message::Frames { space: self.space, members, frame: text.clone() });
            }
        }
        (sent, too_slow)
    }

    /// Delivers a movement event: to local members in its audience as `frame`, and to every
    /// other node with members here as the event itself (one message per node), so those
    /// nodes also keep track of who stands where. Work is proportional to the audience.
    pub fn send_event(&self, out: &Outgoing, frame: &Bytes) -> (u64, Vec<UserId>) {
        let mut sent = 0;
        let mut too_slow = Vec::new();
        let mut send = |user: UserId, member: &Member| match &member.home {
            Home::Local(outbox) => match outbox.try_send(frame.clone()) {
                Ok(()) => sent += 1,
                Err(Undelivered::Full) => too_slow.push(user),
                Err(Undelivered::Closed) => {}
            },
            // Counted here, sent below once per node.
            Home::Remote(_) => sent += 1,
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
        if let Some(cluster) = &self.cluster {
            for node in self.remote_nodes.keys() {
                cluster.send(node, &Message::Event { space: self.space, out: out.clone() });
            }
        }
        (sent, too_slow)
    }

    /// Asks a member's socket to close, wherever it is.
    pub fn close(&self, user: UserId, member: &Member, reason: CloseReason) {
        match &member.home {
            Home::Local(outbox) => outbox.close(reason),
            Home::Remote(node) => {
                if let Some(cluster) = &self.cluster {
                    let members = vec![(user, member.membership)];
                    cluster.send(node, &Message::Close { space: self.space, members, code: reason.code });
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use gather_core::{Event, Position};

    fn local(members: &mut Members, capacity: usize) -> (UserId, crate::rooms::OutboxReceiver) {
        let (outbox, rx) = Outbox::new(capacity);
        let user = UserId::new();
        members.insert(user, Member { membership: 1, home: Home::Local(outbox) });
        (user, rx)
    }

    #[test]
    fn a_reader_whose_queue_is_full_is_named_and_the_others_still_get_the_frame() {
        let mut members = Members::new(SpaceId::new(), None);
        let (mover, _mover_rx) = local(&mut members, 8);
        let (slow, _slow_rx) = local(&mut members, 1);
        let (_fast, mut fast_rx) = local(&mut members, 8);
        let out = Outgoing {
            audience: Audience::AllExcept(mover),
            event: Event::Moved { user: mover, to: Position::new(1, 1) },
        };
        let frame = Bytes::from_static(b"frame");
        assert_eq!(members.send_event(&out, &frame), (2, vec![]));
        let (sent, too_slow) = members.send_event(&out, &frame);
        assert_eq!((sent, too_slow), (1, vec![slow]), "the slow reader's single slot is taken");
        assert_eq!(fast_rx.frames.try_recv().unwrap(), frame);
        assert_eq!(fast_rx.frames.try_recv().unwrap(), frame);
    }

    #[test]
    fn a_crowd_event_reaches_only_the_listed_people() {
        let mut members = Members::new(SpaceId::new(), None);
        let (near, mut near_rx) = local(&mut members, 8);
        let (_far, mut far_rx) = local(&mut members, 8);
        let out = Outgoing {
            audience: Audience::Users(vec![near]),
            event: Event::Disappeared { user: UserId::new() },
        };
        assert_eq!(members.send_event(&out, &Bytes::from_static(b"x")), (1, vec![]));
        assert!(near_rx.frames.try_recv().is_ok());
        assert!(far_rx.frames.try_recv().is_err());
    }
}
