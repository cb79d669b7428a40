//! Who hears what in a crowded space. Below the interest threshold every event goes to
//! everyone, as the public contract says. Above it, people hear movement only of those
//! within their interest radius, and are told `Appeared` / `Disappeared` as others cross
//! into or out of it, so each client's picture stays right. `Space` keeps the rules;
//! this only rewrites audiences, one event at a time, after `Space` applied it.

use crate::geometry::Position;
use crate::ids::UserId;
use crate::interest::{Interest, InterestGrid};
use crate::space::{Audience, Event, Outgoing, Space};

pub struct Visibility {
    interest: Interest,
    grid: InterestGrid,
    crowded: bool,
}

impl Visibility {
    pub fn new(interest: Interest) -> Self {
        Self { interest, grid: InterestGrid::new(interest.radius), crowded: false }
    }

    /// Someone placed without an event (restored after a takeover).
    pub fn track(&mut self, user: UserId, at: Position) {
        self.grid.insert(user, at);
    }

    /// Of `others`, those someone standing at `at` is told about.
    pub fn seen_from(
        &self,
        at: Position,
        others: impl Iterator<Item = (UserId, Position)>,
    ) -> Vec<(UserId, Position)> {
        others.filter(|(_, p)| !self.crowded || self.interest.sees(at, *p)).collect()
    }

    /// Rewrites an event `space` just produced. `before` is where its subject stood before
    /// it (for moves and leaves).
    pub fn route(&mut self, space: &Space, out: Outgoing, before: Option<Position>) -> Vec<Outgoing> {
        match &out.event {
            Event::Entered { user, spawn, others } => {
                self.grid.insert(*user, *spawn);
                let mut routed = self.crowd_changed(space, Some(*user));
                let event = if self.crowded {
                    let near = self.seen_from(*spawn, others.iter().copied());
                    Event::Entered { user: *user, spawn: *spawn, others: near }
                } else {
                    out.event
                };
                routed.insert(0, Outgoing { audience: out.audience, event });
                routed
            }
            Event::Joined { user, at } if self.crowded => {
                let audience = Audience::Users(self.near(*at, *user));
                vec![Outgoing { audience, event: out.event }]
            }
            Event::Moved { user, to } => match before {
                Some(from) => {
                    self.grid.relocate(*user, from, *to);
                    if self.crowded {
                        self.crossing(*user, from, *to, out)
                    } else {
                        vec![out]
                    }
                }
                None => vec![out],
            },
            Event::Left { user } => {
                let Some(at) = before else { return vec![out] };
                self.grid.remove(*user, at);
                let mut routed = if self.crowded {
                    let audience = Audience::Users(self.near(at, *user));
                    vec![Outgoing { audience, event: out.event }]
                } else {
                    vec![out]
                };
                routed.extend(self.crowd_changed(space, None));
                routed
            }
            _ => vec![out],
        }
    }

    /// People within the radius of `at`, `except` left out.
    fn near(&self, at: Position, except: UserId) -> Vec<UserId> {
        self.grid
            .around(at)
            .filter(|(u, p)| *u != except && self.interest.sees(at, *p))
            .map(|(u, _)| u)
            .collect()
    }

    /// A move in a crowded space: movement to those who saw the mover before and after,
    /// and appear/disappear both ways for those it came into or went out of range of. One
    /// pass over the cells around both ends (the grid already has the mover at `to`).
    fn crossing(&self, user: UserId, from: Position, to: Position, out: Outgoing) -> Vec<Outgoing> {
        let mut both = Vec::new();
        let mut crossings = Vec::new();
        for (other, at) in self.grid.around_either(from, to).filter(|(u, _)| *u != user) {
            match (self.interest.sees(from, at), self.interest.sees(to, at)) {
                (true, true) => both.push(other),
                (false, true) => {
                    crossings.push(Outgoing {
                        audience: Audience::Only(other),
                        event: Event::Appeared { user, at: to },
                    });
                    crossings.push(Outgoing {
                        audience: Audience::Only(user),
                        event: Event::Appeared { user: other, at },
                    });
                }
                (true, false) => {
                    crossings.push(Outgoing {
                        audience: Audience::Only(other),
                        event: Event::Disappeared { user },
                    });
                    crossings.push(Outgoing {
                        audience: Audience::Only(user),
                        event: Event::Disappeared { user: other },
                    });
                }
                (false, false) => {}
            }
        }
        let mut routed = Vec::with_capacity(1 + crossings.len());
        routed.push(Outgoing { audience: Audience::Users(both), event: out.event });
        routed.extend(crossings);
        routed
    }

    /// When the population crosses the threshold, tells everyone (but `joiner`, whose
    /// `Entered` is filtered instead) about the people that fall out of, or come back into,
    /// their view.
    fn crowd_changed(&mut self, space: &Space, joiner: Option<UserId>) -> Vec<Outgoing> {
        let crowded = space.population() > self.interest.threshold;
        if crowded == self.crowded {
            return Vec::new();
        }
        self.crowded = crowded;
        let people: Vec<(UserId, Position)> = space.users().filter(|(u, _)| Some(*u) != joiner).collect();
        let mut routed = Vec::new();
        for (viewer, seen_from) in &people {
            for (other, at) in &people {
                if viewer == other || self.interest.sees(*seen_from, *at) {
                    continue;
                }
                let event = if crowded {
                    Event::Disappeared { user: *other }
                } else {
                    Event::Appeared { user: *other, at: *at }
                };
                routed.push(Outgoing { audience: Audience::Only(*viewer), event });
            }
        }
        routed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Dimensions;
    use crate::layout::Layout;

    struct Crowd {
        space: Space,
        view: Visibility,
    }

    impl Crowd {
        fn new(threshold: usize, radius: u32) -> Self {
            let space = Space::new(Layout::new(Dimensions::new(100, 100).unwrap()));
            Self { space, view: Visibility::new(Interest { threshold, radius }) }
        }

        fn join(&mut self, x: i64, y: i64) -> (UserId, Vec<Outgoing>) {
            let user = UserId::new();
            let seed = (y * 100 + x) as u64;
            let mut routed = Vec::new();
            for out in self.space.join(user, seed).unwrap() {
                routed.extend(self.view.route(&self.space, out, None));
            }
            (user, routed)
        }

        fn step(&mut self, user: UserId, x: i64, y: i64) -> Vec<Outgoing> {
            let before = self.space.position_of(user);
            let outs = self.space.step(user, Position::new(x, y));
            outs.into_iter().flat_map(|out| self.view.route(&self.space, out, before)).collect()
        }

        fn leave(&mut self, user: UserId) -> Vec<Outgoing> {
            let before = self.space.position_of(user);
            let out = self.space.leave(user).unwrap();
            self.view.route(&self.space, out, before)
        }
    }

    fn told(routed: &[Outgoing], viewer: UserId) -> Vec<Event> {
        routed.iter().filter(|o| o.audience.includes(viewer)).map(|o| o.event.clone()).collect()
    }

    #[test]
    fn below_the_threshold_everyone_hears_everything() {
        let mut c = Crowd::new(10, 2);
        let (a, _) = c.join(0, 0);
        let (b, _) = c.join(50, 50);
        let routed = c.step(a, 1, 0);
        assert_eq!(told(&routed, b), vec![Event::Moved { user: a, to: Position::new(1, 0) }]);
    }

    #[test]
    fn crossing_the_threshold_hides_the_far_and_keeps_the_near() {
        let mut c = Crowd::new(2, 2);
        let (a, _) = c.join(0, 0);
        let (near, _) = c.join(2, 2);
        let (far, routed) = c.join(50, 50);
        // The third person makes it crowded: a and near, within 2 tiles, still see each
        // other; far is out of everyone's view, and far's own list is filtered.
        assert_eq!(told(&routed, a), vec![]);
        assert_eq!(told(&routed, near), vec![]);
        assert!(matches!(&told(&routed, far)[0], Event::Entered { others, .. } if others.is_empty()));
        let (d, routed) = c.join(1, 0);
        assert!(told(&routed, a).contains(&Event::Joined { user: d, at: Position::new(1, 0) }));
        assert!(told(&routed, far).is_empty(), "far does not hear of a far joiner");
        assert!(matches!(&told(&routed, d)[0], Event::Entered { others, .. } if others.len() == 2));
    }

    #[test]
    fn in_a_crowd_moves_reach_only_the_near_and_crossings_are_told_both_ways() {
        let mut c = Crowd::new(1, 2);
        let (a, _) = c.join(10, 10);
        let (b, _) = c.join(12, 10); // within 2 of a
        let (far, _) = c.join(40, 40);
        let routed = c.step(b, 13, 10); // now 3 away from a: leaves a's view
        assert_eq!(told(&routed, a), vec![Event::Disappeared { user: b }]);
        assert!(told(&routed, b).contains(&Event::Disappeared { user: a }));
        assert!(told(&routed, far).is_empty(), "far hears nothing of a move across the map");
        let routed = c.step(b, 12, 10); // back in range
        assert_eq!(told(&routed, a), vec![Event::Appeared { user: b, at: Position::new(12, 10) }]);
        assert!(told(&routed, b).contains(&Event::Appeared { user: a, at: Position::new(10, 10) }));
        let routed = c.step(b, 12, 11); // moving within range: plain movement
        assert_eq!(told(&routed, a), vec![Event::Moved { user: b, to: Position::new(12, 11) }]);
    }

    #[test]
    fn leaving_is_told_to_the_near_and_uncrowding_shows_everyone_again() {
        let mut c = Crowd::new(2, 2);
        let (a, _) = c.join(0, 0);
        let (near, _) = c.join(1, 1);
        let (far, _) = c.join(50, 50);
        let routed = c.leave(near);
        assert_eq!(told(&routed, a)[0], Event::Left { user: near });
        assert!(!told(&routed, far).contains(&Event::Left { user: near }));
        // Two people left: no longer crowded, so a and far see each other again.
        assert!(told(&routed, a).contains(&Event::Appeared { user: far, at: Position::new(50, 50) }));
        assert!(told(&routed, far).contains(&Event::Appeared { user: a, at: Position::new(0, 0) }));
    }
}
