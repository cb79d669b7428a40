//! Who hears and sees whom, for proximity voice and video. Two people who take part in
//! media are connected once they stand within `radius` tiles of each other (straight-line
//! distance, as for `nearby` chat) and stay connected until they are more than
//! `radius + hysteresis` apart, so walking along the edge does not flap. Someone who does
//! not want to be disturbed is connected to nobody. Pure values in, changes out: the media
//! relay applies the changes.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::effects::Effects;
use crate::geometry::Position;
use crate::ids::UserId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HearingRules {
    /// Tiles within which two people connect.
    pub radius: u32,
    /// Extra tiles before a connection drops again.
    pub hysteresis: u32,
}

impl Default for HearingRules {
    fn default() -> Self {
        Self { radius: 5, hysteresis: 1 }
    }
}

/// A change in who is connected to whom; pairs are unordered (`a < b`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Link {
    Connected(UserId, UserId),
    Disconnected(UserId, UserId),
}

#[derive(Debug, Default)]
pub struct Hearing {
    rules: HearingRules,
    /// Media participants and where they stand.
    at: HashMap<UserId, Position>,
    /// Participants who receive and send nothing.
    quiet: HashSet<UserId>,
    links: BTreeSet<(UserId, UserId)>,
    /// The space's tile effects: private areas, spotlights and quiet zones decide with the
    /// radius (the same rule as `nearby` chat, [`Effects::hears`]).
    effects: Effects,
}

fn pair(a: UserId, b: UserId) -> (UserId, UserId) {
    if a < b {
        (a, b)
    } else {
        (b, a)
    }
}

impl Hearing {
    pub fn new(rules: HearingRules) -> Self {
        Self { rules, ..Self::default() }
    }

    /// Swaps in the space's tile effects and decides every link again at once (a new wall
    /// around a meeting room parts people where they stand).
    pub fn set_effects(&mut self, effects: Effects) -> Vec<Link> {
        self.effects = effects;
        let people: Vec<UserId> = self.at.keys().copied().collect();
        let mut changes: Vec<Link> = people.into_iter().flat_map(|user| self.relink(user)).collect();
        changes.sort();
        changes
    }

    /// Whether `a` and `b` are connected now.
    pub fn connected(&self, a: UserId, b: UserId) -> bool {
        self.links.contains(&pair(a, b))
    }

    /// Those connected to `user`.
    pub fn peers(&self, user: UserId) -> impl Iterator<Item = UserId> + '_ {
        self.links.iter().filter_map(move |(a, b)| match (*a == user, *b == user) {
            (true, _) => Some(*b),
            (_, true) => Some(*a),
            _ => None,
        })
    }

    /// Those connected to `user`, nearest first (ties by id, so the order is stable): the
    /// order in which receive slots go to them.
    pub fn peers_nearest_first(&self, user: UserId) -> Vec<UserId> {
        let Some(&here) = self.at.get(&user) else { return Vec::new() };
        let mut peers: Vec<(u128, UserId)> = self
            .peers(user)
            .map(|peer| (self.at.get(&peer).map_or(u128::MAX, |&there| here.distance_squared(there)), peer))
            .collect();
        peers.sort();
        peers.into_iter().map(|(_, peer)| peer).collect()
    }

    /// Someone starts taking part in media at `at`, or moved there.
    pub fn place(&mut self, user: UserId, at: Position) -> Vec<Link> {
        self.at.insert(user, at);
        self.relink(user)
    }

    /// Someone stops taking part (left media or the space).
    pub fn remove(&mut self, user: UserId) -> Vec<Link> {
        self.at.remove(&user);
        self.quiet.remove(&user);
        self.drop_links_of(user)
    }

    /// Do-not-disturb on or off.
    pub fn set_quiet(&mut self, user: UserId, quiet: bool) -> Vec<Link> {
        if quiet {
            self.quiet.insert(user);
            self.drop_links_of(user)
        } else {
            self.quiet.remove(&user);
            self.relink(user)
        }
    }

    fn drop_links_of(&mut self, user: UserId) -> Vec<Link> {
        let gone: Vec<(UserId, UserId)> =
            self.links.iter().filter(|(a, b)| *a == user || *b == user).copied().collect();
        gone.into_iter()
            .map(|(a, b)| {
                self.links.remove(&(a, b));
                Link::Disconnected(a, b)
            })
            .collect()
    }

    /// Re-decides every link of `user` from where everyone stands.
    fn relink(&mut self, user: UserId) -> Vec<Link> {
        let Some(&here) = self.at.get(&user) else { return Vec::new() };
        let keep = self.rules.radius.saturating_add(self.rules.hysteresis);
        let mut changes = Vec::new();
        for (&other, &there) in &self.at {
            if other == user {
                continue;
            }
            let key = pair(user, other);
            let linked = self.links.contains(&key);
            let allowed = !self.quiet.contains(&user) && !self.quiet.contains(&other);
            let radius = if linked { keep } else { self.rules.radius };
            // Either way is enough: a link carries both directions.
            let near = self.effects.hears(here, there, radius) || self.effects.hears(there, here, radius);
            let wanted = allowed && near;
            if wanted && !linked {
                changes.push(Link::Connected(key.0, key.1));
            } else if !wanted && linked {
                changes.push(Link::Disconnected(key.0, key.1));
            }
        }
        for change in &changes {
            match *change {
                Link::Connected(a, b) => drop(self.links.insert((a, b))),
                Link::Disconnected(a, b) => drop(self.links.remove(&(a, b))),
            }
        }
        changes.sort();
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hearing() -> Hearing {
        Hearing::new(HearingRules { radius: 5, hysteresis: 1 })
    }

    #[test]
    fn people_connect_within_the_radius_and_not_beyond() {
        let mut h = hearing();
        let (a, b, c) = (UserId::new(), UserId::new(), UserId::new());
        assert!(h.place(a, Position::new(0, 0)).is_empty());
        assert_eq!(h.place(b, Position::new(3, 4)), [Link::Connected(pair(a, b).0, pair(a, b).1)]);
        assert!(h.place(c, Position::new(20, 0)).is_empty());
        assert!(h.connected(a, b) && !h.connected(a, c) && !h.connected(b, c));
    }

    #[test]
    fn walking_along_the_edge_does_not_flap() {
        let mut h = hearing();
        let (a, b) = (UserId::new(), UserId::new());
        h.place(a, Position::new(0, 0));
        h.place(b, Position::new(5, 0));
        assert!(h.connected(a, b));
        // One tile past the radius: still within the hysteresis.
        assert!(h.place(b, Position::new(6, 0)).is_empty());
        assert!(h.place(b, Position::new(5, 0)).is_empty());
        assert!(h.place(b, Position::new(6, 0)).is_empty());
        // Past the hysteresis the link drops, and does not come back one tile closer.
        let (x, y) = pair(a, b);
        assert_eq!(h.place(b, Position::new(7, 0)), [Link::Disconnected(x, y)]);
        assert!(h.place(b, Position::new(6, 0)).is_empty());
        assert_eq!(h.place(b, Position::new(5, 0)), [Link::Connected(x, y)]);
    }

    #[test]
    fn do_not_disturb_connects_nobody_until_it_is_lifted() {
        let mut h = hearing();
        let (a, b) = (UserId::new(), UserId::new());
        h.place(a, Position::new(0, 0));
        h.place(b, Position::new(1, 0));
        let (x, y) = pair(a, b);
        assert_eq!(h.set_quiet(a, true), [Link::Disconnected(x, y)]);
        assert!(h.place(b, Position::new(0, 1)).is_empty(), "a quiet person is not reconnected by a move");
        assert_eq!(h.set_quiet(a, false), [Link::Connected(x, y)]);
    }

    #[test]
    fn a_private_area_connects_those_inside_and_nobody_outside() {
        use crate::effects::{EffectsSpec, PrivateArea};
        use crate::geometry::{Dimensions, Footprint};
        let area = PrivateArea {
            name: "meeting".into(),
            region: Footprint::new(Position::new(0, 0), 8, 8),
            locked: false,
            max_occupancy: None,
        };
        let effects = Effects::new(
            Dimensions::new(20, 20).unwrap(),
            EffectsSpec { areas: vec![area], ..Default::default() },
        );
        let mut h = hearing();
        h.set_effects(effects.unwrap());
        let (a, b, c) = (UserId::new(), UserId::new(), UserId::new());
        h.place(a, Position::new(0, 0));
        h.place(b, Position::new(7, 7));
        h.place(c, Position::new(8, 0));
        assert!(h.connected(a, b), "inside, across the room");
        assert!(!h.connected(a, c) && !h.connected(b, c), "one tile outside, not connected");
    }

    #[test]
    fn new_effects_part_and_join_people_where_they_stand() {
        use crate::effects::{EffectsSpec, PrivateArea};
        use crate::geometry::{Dimensions, Footprint};
        let mut h = hearing();
        let (a, b) = (UserId::new(), UserId::new());
        h.place(a, Position::new(2, 0));
        h.place(b, Position::new(3, 0));
        assert!(h.connected(a, b));
        let area = PrivateArea {
            name: "booth".into(),
            region: Footprint::new(Position::new(0, 0), 3, 3),
            locked: false,
            max_occupancy: None,
        };
        let dims = Dimensions::new(10, 10).unwrap();
        let walled = Effects::new(dims, EffectsSpec { areas: vec![area], ..Default::default() }).unwrap();
        assert_eq!(h.set_effects(walled), [Link::Disconnected(pair(a, b).0, pair(a, b).1)]);
        assert_eq!(h.set_effects(Effects::default()), [Link::Connected(pair(a, b).0, pair(a, b).1)]);
    }

    #[test]
    fn peers_come_nearest_first() {
        let mut h = hearing();
        let (a, b, c, d) = (UserId::new(), UserId::new(), UserId::new(), UserId::new());
        h.place(a, Position::new(0, 0));
        h.place(b, Position::new(4, 0));
        h.place(c, Position::new(1, 1));
        h.place(d, Position::new(0, 2));
        assert_eq!(h.peers_nearest_first(a), [c, d, b]);
        h.place(b, Position::new(1, 0));
        assert_eq!(h.peers_nearest_first(a), [b, c, d]);
        assert!(h.peers_nearest_first(UserId::new()).is_empty());
    }

    #[test]
    fn leaving_drops_every_link_and_peers_lists_the_rest() {
        let mut h = hearing();
        let (a, b, c) = (UserId::new(), UserId::new(), UserId::new());
        h.place(a, Position::new(0, 0));
        h.place(b, Position::new(1, 0));
        h.place(c, Position::new(0, 1));
        let mut peers: Vec<_> = h.peers(a).collect();
        peers.sort();
        let mut expected = vec![b, c];
        expected.sort();
        assert_eq!(peers, expected);
        assert_eq!(h.remove(a).len(), 2);
        assert_eq!(h.peers(b).collect::<Vec<_>>(), [c]);
    }

    #[test]
    fn far_corners_of_a_huge_space_do_not_overflow() {
        let mut h = hearing();
        let (a, b) = (UserId::new(), UserId::new());
        h.place(a, Position::new(i64::MIN, i64::MIN));
        assert!(h.place(b, Position::new(i64::MAX, i64::MAX)).is_empty());
    }
}
