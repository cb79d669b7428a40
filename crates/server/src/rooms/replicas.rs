//! Spaces owned by another node, as this node sees them: the sockets here that are in
//! each, and who stands where from the owner's events (to rebuild the space if the owner
//! dies). One [`Replica`] per space, each with its own lock; the map of them is locked only
//! to find, add or drop one.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use gather_core::{Event, Position, SpaceId, UserId};
use gather_protocol::node::{Audience, MemberRef, NodeMessage, RoomCommand, SpaceEvent};
use gather_protocol::ServerFrame;
use tokio::time::Instant;

use super::close_reason::CloseReason;
use super::outbox::{FrameKind, Outbox, Undelivered};
use crate::cluster::{Cluster, LEASE_TTL};

#[derive(Default)]
pub struct Replicas {
    spaces: Mutex<HashMap<SpaceId, Arc<Replica>>>,
}

pub struct Replica {
    state: Mutex<ReplicaState>,
}

struct ReplicaState {
    owner: String,
    members: HashMap<MemberRef, Outbox>,
    /// Members whose join the owner has not answered yet: not reattached when the space
    /// moves, since the owner they asked may have died without letting them in (their join
    /// then fails, and is tried again).
    joining: HashSet<MemberRef>,
    /// Who stands where, from the owner's events.
    shadow: HashMap<UserId, Position>,
}

impl Replica {
    fn lock(&self) -> MutexGuard<'_, ReplicaState> {
        self.state.lock().expect("replica poisoned")
    }

    /// The node that runs the space now.
    pub fn owner(&self) -> String {
        self.lock().owner.clone()
    }
}

impl Replicas {
    fn map(&self) -> MutexGuard<'_, HashMap<SpaceId, Arc<Replica>>> {
        self.spaces.lock().expect("replicas poisoned")
    }

    fn get(&self, space: SpaceId) -> Option<Arc<Replica>> {
        self.map().get(&space).cloned()
    }

    /// Records a socket here in a space run by `owner`; also says whether it is the first
    /// one here (the caller then starts watching the space's owner).
    pub fn register(
        &self,
        space: SpaceId,
        owner: &str,
        member: MemberRef,
        outbox: Outbox,
    ) -> (Arc<Replica>, bool) {
        let mut spaces = self.map();
        let first = !spaces.contains_key(&space);
        let replica = spaces
            .entry(space)
            .or_insert_with(|| {
                let state = ReplicaState {
                    owner: owner.to_owned(),
                    members: HashMap::new(),
                    joining: HashSet::new(),
                    shadow: HashMap::new(),
                };
                Arc::new(Replica { state: Mutex::new(state) })
            })
            .clone();
        let mut state = replica.lock();
        state.members.insert(member, outbox);
        state.joining.insert(member);
        drop(state);
        (replica, first)
    }

    /// The owner `asked` let `member` in. When the space moved to another node meanwhile,
    /// the new owner and where the member was last seen, to reattach them there.
    pub fn joined(
        &self,
        space: SpaceId,
        member: MemberRef,
        asked: &str,
    ) -> Option<(String, Option<Position>)> {
        let replica = self.get(space)?;
        let mut state = replica.lock();
        state.joining.remove(&member);
        (state.owner != asked).then(|| (state.owner.clone(), state.shadow.get(&member.user).copied()))
    }

    pub fn unregister(&self, space: SpaceId, member: MemberRef) {
        let mut spaces = self.map();
        if let Some(replica) = spaces.get(&space) {
            let mut state = replica.lock();
            state.members.remove(&member);
            state.joining.remove(&member);
            if state.members.is_empty() {
                drop(state);
                spaces.remove(&space);
            }
        }
    }

    /// Everyone this node last saw in `space` and where: what a new owner rebuilds from.
    pub fn shadow_of(&self, space: SpaceId) -> HashMap<UserId, Position> {
        self.get(space).map(|r| r.lock().shadow.clone()).unwrap_or_default()
    }

    /// A movement event from the owner: noted, then handed to the members here it is for.
    pub fn on_event(&self, space: SpaceId, audience: Audience, event: SpaceEvent) {
        let Some(replica) = self.get(space) else { return };
        let event = Event::from(event);
        let audience = gather_core::Audience::from(audience);
        let recipients: Vec<Outbox> = {
            let mut state = replica.lock();
            state.track(&event);
            state.members.iter().filter(|(m, _)| audience.includes(m.user)).map(|(_, o)| o.clone()).collect()
        };
        if recipients.is_empty() {
            return;
        }
        let frame = Bytes::from(ServerFrame::from(&event).to_json());
        hand_out(recipients, &frame, FrameKind::from(&event));
    }

    /// A frame the owner encoded for the listed members here.
    pub fn on_frames(&self, space: SpaceId, members: &[MemberRef], frame: String) {
        hand_out(self.outboxes(space, members), &Bytes::from(frame), FrameKind::Other);
    }

    pub fn on_close(&self, space: SpaceId, members: &[MemberRef], code: u16) {
        for outbox in self.outboxes(space, members) {
            outbox.close(CloseReason::from_code(code));
        }
    }

    fn outboxes(&self, space: SpaceId, members: &[MemberRef]) -> Vec<Outbox> {
        let Some(replica) = self.get(space) else { return Vec::new() };
        let state = replica.lock();
        members.iter().filter_map(|member| state.members.get(member).cloned()).collect()
    }

    /// After a takeover: the new owner, and the members here with where each was last seen.
    pub fn moved(&self, space: SpaceId, owner: &str) -> Vec<(MemberRef, Option<Position>)> {
        let Some(replica) = self.get(space) else { return Vec::new() };
        let mut state = replica.lock();
        state.owner = owner.to_owned();
        state.settled().map(|member| (member, state.shadow.get(&member.user).copied())).collect()
    }

    /// Runs while this node has sockets in `space` and another node owns it. When the
    /// owner's lease lapses (the node died), claims the space, or finds who did, and
    /// reattaches the sockets here to the new owner, which rebuilds the space from what the
    /// surviving nodes saw.
    pub async fn watch_owner(self: Arc<Self>, cluster: Arc<Cluster>, space: SpaceId) {
        let key = space.to_string();
        let mut tick = tokio::time::interval(LEASE_TTL / 3);
        let mut missing = 0;
        let mut link = LinkWatch::default();
        loop {
            tick.tick().await;
            let Some(known) = self.get(space).map(|r| r.owner()) else { return }; // Nobody left here.
            if link.came_back(cluster.link().connected_for()) {
                self.resync(&cluster, space);
            }
            let found = cluster.link().owner(&key).await;
            missing = if matches!(found, Ok(None)) { missing + 1 } else { 0 };
            let owner = match found {
                Ok(Some(owner)) if owner == known => continue,
                Ok(Some(owner)) => owner,
                // Missing once may be Redis having restarted empty, and the live owner
                // reclaims it at its next renewal; missing twice, the owner is gone. Right
                // after Redis came back, give owners a few lease periods to reclaim first.
                Ok(None) if missing < 2 => continue,
                Ok(None) if cluster.link().connected_for().is_none_or(|up| up < LEASE_TTL * 2) => continue,
                Ok(None) => match cluster.link().claim(&key, LEASE_TTL).await {
                    Ok(owner) => owner,
                    Err(_) => continue,
                },
                // The link is away: keep what we have and look again later.
                Err(_) => continue,
            };
            tracing::info!(%space, from = known, to = owner, "space moved to another node");
            // The new owner may be this node: the message then comes back over the link
            // and starts the room here, like any other.
            let from = cluster.node().to_owned();
            for (member, at) in self.moved(space, &owner) {
                let command = RoomCommand::Reattach { member, at: at.map(Into::into) };
                cluster.send(
                    &owner,
                    &NodeMessage::Command { space, from: from.clone(), request: None, command },
                );
            }
        }
    }

    /// After the link came back: what the owner sent meanwhile was lost on the way, so each
    /// member here asks it for a fresh picture of the space (a `space-joined` of their own;
    /// the others are told nothing).
    fn resync(&self, cluster: &Cluster, space: SpaceId) {
        let Some(replica) = self.get(space) else { return };
        let (owner, members) = {
            let state = replica.lock();
            (state.owner.clone(), state.settled().collect::<Vec<_>>())
        };
        tracing::info!(%space, members = members.len(), "node link back; asking the owner for a fresh picture");
        let from = cluster.node().to_owned();
        for member in members {
            let command = RoomCommand::Join { member, spawn: None, keyholder: false, adopt: true };
            cluster.send(&owner, &NodeMessage::Command { space, from: from.clone(), request: None, command });
        }
    }
}

/// Notices the node link coming back (after an outage, or a Redis restart in between two
/// looks), from how long it has been up at each look.
#[derive(Default)]
struct LinkWatch {
    up_since: Option<Instant>,
}

impl LinkWatch {
    fn came_back(&mut self, up_for: Option<Duration>) -> bool {
        let Some(up_for) = up_for else { return false }; // Down: wait for it.
        let since = Instant::now() - up_for;
        // Up since later than last seen (with room for the clock's grain): it went away between.
        let back = self.up_since.is_some_and(|before| since > before + Duration::from_millis(100));
        if back || self.up_since.is_none() {
            self.up_since = Some(since);
        }
        back
    }
}

impl ReplicaState {
    /// The members here the owner has let in (their join answered).
    fn settled(&self) -> impl Iterator<Item = MemberRef> + '_ {
        self.members.keys().filter(|member| !self.joining.contains(member)).copied()
    }

    fn track(&mut self, event: &Event) {
        match event {
            Event::Entered { user, spawn, others } => {
                self.shadow = others.iter().copied().collect();
                self.shadow.insert(*user, *spawn);
            }
            Event::Joined { user, at } => drop(self.shadow.insert(*user, *at)),
            Event::Moved { user, to } => drop(self.shadow.insert(*user, *to)),
            Event::MoveRejected { user, at, .. } => drop(self.shadow.insert(*user, *at)),
            // The `Moved` beside it says where they landed.
            Event::Teleported { .. } | Event::PortalReached { .. } | Event::Knocked { .. } => {}
            Event::Left { user } => drop(self.shadow.remove(user)),
            // Views change, positions do not.
            Event::Appeared { .. } | Event::Disappeared { .. } => {}
        }
    }
}

/// Queues one frame for each outbox; a socket that cannot keep up ends, and its membership
/// tells the owner it left.
fn hand_out(outboxes: Vec<Outbox>, frame: &Bytes, kind: FrameKind) {
    for outbox in outboxes {
        if outbox.try_send(frame.clone(), kind) == Err(Undelivered::Full) {
            outbox.close(CloseReason::TOO_SLOW);
        }
    }
}
