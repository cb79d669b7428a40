//! Who stands where in one live space, and the movement rules: stay inside, one step at a
//! time, never into solid furniture, never onto someone else's tile.

use foldhash::{HashMap, HashMapExt};

use serde::{Deserialize, Serialize};

use crate::chat::{ChatError, ChatScope};
use crate::effects::{Effects, Portal};
use crate::geometry::{Footprint, Position};
use crate::ids::{SpaceElementId, UserId};
use crate::layout::Layout;

/// What a person asks of a space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Enter at a free tile; `spawn_seed` is any random number (the core does no I/O, so
    /// randomness arrives from outside).
    Join {
        user: UserId,
        spawn_seed: u64,
        /// A named spawn tile to arrive on (a link to `/space/<id>#<name>`), when free;
        /// otherwise, or when unknown, as if none were named.
        spawn: Option<String>,
    },
    Move {
        user: UserId,
        to: Position,
    },
    Leave {
        user: UserId,
    },
    /// Someone whose socket was in the space before it changed owners: back at `at` when
    /// that tile is free (told to the others only, whose picture lacks them), else joined
    /// afresh like `Join`.
    Return {
        user: UserId,
        at: Option<Position>,
        spawn_seed: u64,
    },
}

/// Why a move was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MoveRejection {
    OutOfBounds,
    NotOneStep,
    Solid,
    Occupied,
    /// Into a locked private area with people inside, without being let in.
    Locked,
}

impl MoveRejection {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OutOfBounds => "out-of-bounds",
            Self::NotOneStep => "not-one-step",
            Self::Solid => "solid",
            Self::Occupied => "occupied",
            Self::Locked => "locked",
        }
    }
}

/// A fact that happened in the space.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// Told to the joiner: where they are and who else is there.
    Entered {
        user: UserId,
        spawn: Position,
        others: Vec<(UserId, Position)>,
    },
    /// Told to the mover alone: the tile they stepped onto was a portal to `to` in this
    /// space, where they now stand (the others see a `Moved` there).
    Teleported {
        user: UserId,
        to: Position,
    },
    /// Told to the mover alone: they stand on a portal to another space, which their
    /// client may offer to join.
    PortalReached {
        user: UserId,
        space: crate::ids::SpaceId,
        spawn: Option<String>,
    },
    /// Told to those inside a locked private area: `user` asks to come in (their step
    /// was refused as `Locked`); anyone inside may let them in with [`Space::admit`].
    Knocked {
        user: UserId,
        area: String,
    },
    /// Told to everyone else.
    Joined {
        user: UserId,
        at: Position,
    },
    Moved {
        user: UserId,
        to: Position,
    },
    /// Told to the mover alone, with the position they still hold.
    MoveRejected {
        user: UserId,
        at: Position,
        reason: MoveRejection,
    },
    Left {
        user: UserId,
    },
    /// In a crowded space: someone came within the viewer's interest radius.
    Appeared {
        user: UserId,
        at: Position,
    },
    /// In a crowded space: someone went beyond the viewer's interest radius.
    Disappeared {
        user: UserId,
    },
}

/// Who hears an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    Only(UserId),
    AllExcept(UserId),
    /// Exactly these people (in a crowded space: those near the event).
    Users(Vec<UserId>),
}

impl Audience {
    pub fn includes(&self, user: UserId) -> bool {
        match self {
            Self::Only(u) => *u == user,
            Self::AllExcept(u) => *u != user,
            Self::Users(users) => users.contains(&user),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outgoing {
    pub audience: Audience,
    pub event: Event,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum JoinError {
    #[error("you are already in this space")]
    AlreadyPresent,
    #[error("the space has no free tile left")]
    Full,
}

/// One live space. Invariants: every present user stands on an in-bounds tile, and no two
/// users share a tile.
#[derive(Debug, Clone)]
pub struct Space {
    layout: Layout,
    effects: Effects,
    positions: HashMap<UserId, Position>,
    occupants: HashMap<Position, UserId>,
    /// People whose status is do-not-disturb: they hear no `nearby` chat.
    undisturbed: foldhash::HashSet<UserId>,
    /// Who may walk into each locked private area (by index) while people are inside;
    /// forgotten when it empties.
    admitted: HashMap<usize, foldhash::HashSet<UserId>>,
    /// Those who may enter any locked area (the space's owner and moderators).
    keyholders: foldhash::HashSet<UserId>,
}

/// Most people a spotlight reaches, unless the space says otherwise.
pub const DEFAULT_SPOTLIGHT_CAP: usize = 100;

impl Space {
    pub fn new(layout: Layout) -> Self {
        Self {
            layout,
            effects: Effects::default(),
            positions: HashMap::new(),
            occupants: HashMap::new(),
            undisturbed: foldhash::HashSet::default(),
            admitted: HashMap::new(),
            keyholders: foldhash::HashSet::default(),
        }
    }

    pub fn effects(&self) -> &Effects {
        &self.effects
    }

    /// Swaps in the tile effects (checked against this space's size by [`Effects::new`]),
    /// keeping everyone where they stand: like furniture, a wall takes effect for the next
    /// move, and whoever stands on a tile that became impassable may step off it.
    pub fn set_effects(&mut self, effects: Effects) {
        self.effects = effects;
        // Areas are known by their place in the list, which new effects may reorder.
        self.admitted.clear();
    }

    /// Lets `user` into every locked area (a moderator); gone with them when they leave.
    pub fn set_keyholder(&mut self, user: UserId, on: bool) {
        if on && self.positions.contains_key(&user) {
            self.keyholders.insert(user);
        } else {
            self.keyholders.remove(&user);
        }
    }

    /// `by`, standing inside a locked private area, lets `user` in. False (and nothing
    /// changes) when `by` stands in no locked area.
    pub fn admit(&mut self, by: UserId, user: UserId) -> bool {
        let area = self.position_of(by).and_then(|at| self.effects.area_of(at));
        match area.filter(|a| self.effects.area(*a).is_some_and(|a| a.locked)) {
            Some(area) => {
                self.admitted.entry(area).or_default().insert(user);
                true
            }
            None => false,
        }
    }

    /// Do-not-disturb on or off for someone present; gone with them when they leave.
    pub fn set_do_not_disturb(&mut self, user: UserId, on: bool) {
        if on && self.positions.contains_key(&user) {
            self.undisturbed.insert(user);
        } else {
            self.undisturbed.remove(&user);
        }
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    pub fn population(&self) -> usize {
        self.positions.len()
    }

    pub fn position_of(&self, user: UserId) -> Option<Position> {
        self.positions.get(&user).copied()
    }

    pub fn users(&self) -> impl Iterator<Item = (UserId, Position)> + '_ {
        self.positions.iter().map(|(u, p)| (*u, *p))
    }

    /// Applies a command and returns what must be told to whom. A move or leave by someone
    /// not present yields nothing.
    pub fn apply(&mut self, command: Command) -> Result<Vec<Outgoing>, JoinError> {
        Ok(match command {
            Command::Join { user, spawn_seed, spawn } => {
                self.join_at(user, spawn_seed, spawn.as_deref())?.to_vec()
            }
            Command::Move { user, to } => self.step(user, to),
            Command::Leave { user } => self.leave(user).into_iter().collect(),
            Command::Return { user, at: Some(at), .. } if self.restore(user, at) => {
                vec![Outgoing { audience: Audience::AllExcept(user), event: Event::Joined { user, at } }]
            }
            Command::Return { user, spawn_seed, .. } => self.join(user, spawn_seed)?.to_vec(),
        })
    }

    /// Places `user` on a free spawn tile when the space has any (the one `spawn_seed`
    /// picks, or the next free one), else on any free tile, the search starting at one
    /// `spawn_seed` picks. Spawn tiles all taken: anywhere free, rather than a refusal.
    pub fn join(&mut self, user: UserId, spawn_seed: u64) -> Result<[Outgoing; 2], JoinError> {
        self.join_at(user, spawn_seed, None)
    }

    /// Like [`Space::join`], on the spawn tile called `name` when there is one and it is free.
    pub fn join_at(
        &mut self,
        user: UserId,
        spawn_seed: u64,
        name: Option<&str>,
    ) -> Result<[Outgoing; 2], JoinError> {
        if self.positions.contains_key(&user) {
            return Err(JoinError::AlreadyPresent);
        }
        // Nobody arrives inside a locked area someone holds: that would walk around its door.
        let closed = self.closed_areas();
        let arrival = |at: Position| self.is_free(at) && !self.in_closed(&closed, at);
        let named = name.and_then(|name| self.effects.named_spawn(name)).filter(|at| arrival(*at));
        let spawn = named
            .or_else(|| self.free_spawn_from(spawn_seed, arrival))
            .or_else(|| self.free_tile_from(spawn_seed, arrival))
            .ok_or(JoinError::Full)?;
        let others = self.users().collect();
        self.positions.insert(user, spawn);
        self.occupants.insert(spawn, user);
        Ok([
            Outgoing { audience: Audience::Only(user), event: Event::Entered { user, spawn, others } },
            Outgoing { audience: Audience::AllExcept(user), event: Event::Joined { user, at: spawn } },
        ])
    }

    /// Puts `user` back at `at`, as they stood before the space moved to another node.
    /// False (and nothing changes) when `at` is outside, solid or taken, or they are here.
    pub fn restore(&mut self, user: UserId, at: Position) -> bool {
        if self.positions.contains_key(&user) || !self.layout.dims().contains(at) || !self.is_free(at) {
            return false;
        }
        self.positions.insert(user, at);
        self.occupants.insert(at, user);
        true
    }

    /// Moves `user` one tile, or says why not (nothing for someone not here). A portal to
    /// a tile of this space moves them on to it at once, when it is free (the others see
    /// one move, straight there; the mover is told); a portal to another space tells the
    /// mover where it leads. Either happens once per step onto the portal.
    pub fn step(&mut self, user: UserId, to: Position) -> Vec<Outgoing> {
        let Some(from) = self.position_of(user) else { return Vec::new() };
        if let Err(reason) = self.check_step(user, from, to) {
            let refused = Outgoing {
                audience: Audience::Only(user),
                event: Event::MoveRejected { user, at: from, reason },
            };
            return match reason {
                MoveRejection::Locked => vec![refused, self.knock(user, to)],
                _ => vec![refused],
            };
        }
        let (landing, told) = match self.effects.portal_at(to) {
            Some(Portal::Tile(there))
                if self.is_free(*there) && self.area_admits(user, from, *there).is_ok() =>
            {
                (*there, Some(Event::Teleported { user, to: *there }))
            }
            Some(Portal::Space { space, spawn }) => {
                (to, Some(Event::PortalReached { user, space: *space, spawn: spawn.clone() }))
            }
            _ => (to, None),
        };
        self.occupants.remove(&from);
        self.occupants.insert(landing, user);
        self.positions.insert(user, landing);
        self.forget_admissions_if_empty(from);
        let moved =
            Outgoing { audience: Audience::AllExcept(user), event: Event::Moved { user, to: landing } };
        std::iter::once(moved)
            .chain(told.map(|event| Outgoing { audience: Audience::Only(user), event }))
            .collect()
    }

    pub fn leave(&mut self, user: UserId) -> Option<Outgoing> {
        let at = self.positions.remove(&user)?;
        self.undisturbed.remove(&user);
        self.keyholders.remove(&user);
        self.occupants.remove(&at);
        self.forget_admissions_if_empty(at);
        Some(Outgoing { audience: Audience::AllExcept(user), event: Event::Left { user } })
    }

    /// Furniture changes take effect for the next move; people already standing on a tile
    /// that became solid may step off it.
    pub fn place_element(&mut self, id: SpaceElementId, footprint: Footprint, solid: bool) {
        self.layout.insert(id, footprint, solid);
    }

    pub fn remove_element(&mut self, id: SpaceElementId) -> bool {
        self.layout.remove(id)
    }

    /// Swaps in freshly loaded furniture, keeping everyone where they stand.
    pub fn replace_layout(&mut self, layout: Layout) {
        self.layout = layout;
    }

    /// Who hears a message from `sender`, the sender left out. `Nearby` means within
    /// `radius` tiles (straight-line distance) of the sender's tile now.
    pub fn chat_audience(
        &self,
        sender: UserId,
        scope: ChatScope,
        to: Option<UserId>,
        radius: u32,
    ) -> Result<Vec<UserId>, ChatError> {
        let from = self.position_of(sender).ok_or(ChatError::SenderAbsent)?;
        let others = self.users().filter(|(user, _)| *user != sender);
        Ok(match scope {
            ChatScope::Space => others.map(|(user, _)| user).collect(),
            // Within the radius, and as the tile effects allow (private areas, spotlights,
            // quiet zones): the same rule as proximity media.
            // Nobody who asked not to be disturbed.
            ChatScope::Nearby => self.effects.audience(
                from,
                others.filter(|(user, _)| !self.undisturbed.contains(user)),
                radius,
                DEFAULT_SPOTLIGHT_CAP,
            ),
            ChatScope::Direct => {
                let to = to.ok_or(ChatError::NoRecipient)?;
                if to == sender {
                    return Err(ChatError::ToSelf);
                }
                self.position_of(to).ok_or(ChatError::RecipientAbsent)?;
                vec![to]
            }
        })
    }

    fn check_step(&self, user: UserId, from: Position, to: Position) -> Result<(), MoveRejection> {
        if !self.layout.dims().contains(to) {
            return Err(MoveRejection::OutOfBounds);
        }
        if from.manhattan(to) != 1 {
            return Err(MoveRejection::NotOneStep);
        }
        // A wall without furniture is, to a client, what a solid piece is.
        if self.layout.is_solid(to) || self.effects.is_impassable(to) {
            return Err(MoveRejection::Solid);
        }
        match self.occupants.get(&to) {
            Some(other) if *other != user => return Err(MoveRejection::Occupied),
            _ => {}
        }
        self.area_admits(user, from, to)
    }

    /// Whether `user` at `from` may go to `to` as far as private areas go: one that is full
    /// is as if its door were blocked (`Occupied`); a locked one with people inside wants
    /// them let in first (`Locked`), unless they hold a key. The first one in needs nobody.
    fn area_admits(&self, user: UserId, from: Position, to: Position) -> Result<(), MoveRejection> {
        let entering = self.effects.area_of(to).filter(|area| self.effects.area_of(from) != Some(*area));
        let Some(area) = entering else { return Ok(()) };
        let inside = self.inside(area);
        if !self.effects.has_room(to, inside) {
            return Err(MoveRejection::Occupied);
        }
        let locked = self.effects.area(area).is_some_and(|a| a.locked);
        let let_in =
            self.keyholders.contains(&user) || self.admitted.get(&area).is_some_and(|a| a.contains(&user));
        if locked && inside > 0 && !let_in {
            return Err(MoveRejection::Locked);
        }
        Ok(())
    }

    fn inside(&self, area: usize) -> usize {
        self.positions.values().filter(|at| self.effects.area_of(**at) == Some(area)).count()
    }

    /// Tells those inside the locked area at `to` that `user` wants in.
    fn knock(&self, user: UserId, to: Position) -> Outgoing {
        let area = self.effects.area_of(to);
        let inside = self.users().filter(|(_, at)| area.is_some() && self.effects.area_of(*at) == area);
        let name = area.and_then(|a| self.effects.area(a)).map(|a| a.name.clone()).unwrap_or_default();
        Outgoing {
            audience: Audience::Users(inside.map(|(u, _)| u).collect()),
            event: Event::Knocked { user, area: name },
        }
    }

    /// An area nobody stands in any more forgets whom it let in.
    /// Only areas that let someone in are looked at, so an ordinary step pays nothing
    /// (counting who is inside walks everyone).
    fn forget_admissions_if_empty(&mut self, left: Position) {
        if self.admitted.is_empty() {
            return;
        }
        if let Some(area) = self.effects.area_of(left).filter(|area| self.admitted.contains_key(area)) {
            if self.inside(area) == 0 {
                self.admitted.remove(&area);
            }
        }
    }

    fn is_free(&self, at: Position) -> bool {
        !self.layout.is_solid(at) && !self.effects.is_impassable(at) && !self.occupants.contains_key(&at)
    }

    fn free_spawn_from(&self, seed: u64, arrival: impl Fn(Position) -> bool) -> Option<Position> {
        let spawns = self.effects.spawns();
        if spawns.is_empty() {
            return None;
        }
        let start = (seed % spawns.len() as u64) as usize;
        (0..spawns.len()).map(|offset| spawns[(start + offset) % spawns.len()].at).find(|at| arrival(*at))
    }

    fn free_tile_from(&self, seed: u64, arrival: impl Fn(Position) -> bool) -> Option<Position> {
        let dims = self.layout.dims();
        let count = dims.tile_count();
        let start = (seed % count as u64) as usize;
        (0..count).map(|offset| dims.position((start + offset) % count)).find(|tile| arrival(*tile))
    }

    /// The locked areas someone stands in, found in one pass over the people.
    fn closed_areas(&self) -> foldhash::HashSet<usize> {
        if !self.effects.has_locked_areas() {
            return foldhash::HashSet::default();
        }
        self.positions
            .values()
            .filter_map(|at| self.effects.area_of(*at))
            .filter(|area| self.effects.area(*area).is_some_and(|a| a.locked))
            .collect()
    }

    fn in_closed(&self, closed: &foldhash::HashSet<usize>, at: Position) -> bool {
        !closed.is_empty() && self.effects.area_of(at).is_some_and(|area| closed.contains(&area))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Dimensions;

    fn space(w: u32, h: u32) -> Space {
        Space::new(Layout::new(Dimensions::new(w, h).unwrap()))
    }

    /// Joins `user` at exactly `at` by choosing the seed that points there.
    fn join_at(s: &mut Space, user: UserId, at: Position) {
        let seed = at.y as u64 * u64::from(s.layout().dims().width) + at.x as u64;
        let [entered, _] = s.join(user, seed).unwrap();
        assert!(matches!(entered.event, Event::Entered { spawn, .. } if spawn == at));
    }

    fn rejected(out: Vec<Outgoing>) -> Option<MoveRejection> {
        match out.into_iter().next()?.event {
            Event::MoveRejected { reason, .. } => Some(reason),
            _ => None,
        }
    }

    #[test]
    fn a_joiner_learns_who_is_there_and_the_others_learn_of_the_joiner() {
        let mut s = space(5, 5);
        let (a, b) = (UserId::new(), UserId::new());
        join_at(&mut s, a, Position::new(1, 1));
        let [entered, joined] = s.join(b, 7).unwrap();
        let spawn = s.position_of(b).unwrap();
        assert_eq!(
            entered,
            Outgoing {
                audience: Audience::Only(b),
                event: Event::Entered { user: b, spawn, others: vec![(a, Position::new(1, 1))] }
            }
        );
        assert_eq!(
            joined,
            Outgoing { audience: Audience::AllExcept(b), event: Event::Joined { user: b, at: spawn } }
        );
    }

    fn with_effects(w: u32, h: u32, spec: crate::effects::EffectsSpec) -> Space {
        let mut space = space(w, h);
        space.set_effects(Effects::new(Dimensions::new(w, h).unwrap(), spec).unwrap());
        space
    }

    #[test]
    fn nobody_steps_onto_an_impassable_tile_or_spawns_there() {
        let wall = Position::new(1, 0);
        let mut s =
            with_effects(2, 1, crate::effects::EffectsSpec { impassable: vec![wall], ..Default::default() });
        let (a, b) = (UserId::new(), UserId::new());
        for seed in 0..4 {
            s.join(a, seed).unwrap();
            assert_eq!(s.position_of(a), Some(Position::new(0, 0)), "the wall is no spawn tile");
            s.leave(a);
        }
        s.join(a, 0).unwrap();
        assert!(matches!(
            s.step(a, wall).remove(0).event,
            Event::MoveRejected { reason: MoveRejection::Solid, .. }
        ));
        assert_eq!(s.join(b, 0), Err(JoinError::Full), "one free tile, taken");
    }

    #[test]
    fn people_arrive_on_spawn_tiles_while_any_is_free() {
        let doors = [Position::new(4, 4), Position::new(5, 4)];
        let spawns = doors.iter().map(|&at| crate::effects::Spawn { at, name: None }).collect();
        let mut s = with_effects(10, 10, crate::effects::EffectsSpec { spawns, ..Default::default() });
        let people: Vec<UserId> = (0..3).map(|_| UserId::new()).collect();
        for (i, user) in people.iter().enumerate() {
            s.join(*user, i as u64 * 7).unwrap();
        }
        let mut arrived: Vec<Position> = people[..2].iter().map(|u| s.position_of(*u).unwrap()).collect();
        arrived.sort_by_key(|p| p.x);
        assert_eq!(arrived, doors, "the first two on the two spawn tiles");
        assert!(!doors.contains(&s.position_of(people[2]).unwrap()), "the third anywhere free");
    }

    #[test]
    fn a_full_private_area_lets_nobody_else_in_but_those_inside_move() {
        let area = crate::effects::PrivateArea {
            name: "booth".into(),
            region: Footprint::new(Position::new(0, 0), 2, 1),
            locked: false,
            max_occupancy: Some(1),
        };
        let mut s =
            with_effects(4, 1, crate::effects::EffectsSpec { areas: vec![area], ..Default::default() });
        let (inside, outside) = (UserId::new(), UserId::new());
        assert!(s.restore(inside, Position::new(0, 0)) && s.restore(outside, Position::new(2, 0)));
        assert!(matches!(
            s.step(outside, Position::new(1, 0)).remove(0).event,
            Event::MoveRejected { reason: MoveRejection::Occupied, .. }
        ));
        assert!(matches!(s.step(inside, Position::new(1, 0)).remove(0).event, Event::Moved { .. }));
        s.leave(inside);
        assert!(matches!(s.step(outside, Position::new(1, 0)).remove(0).event, Event::Moved { .. }));
    }

    #[test]
    fn a_portal_to_a_tile_moves_you_there_exactly_once() {
        let (door, far) = (Position::new(1, 0), Position::new(8, 8));
        let spec =
            crate::effects::EffectsSpec { portals: vec![(door, Portal::Tile(far))], ..Default::default() };
        let mut s = with_effects(10, 10, spec);
        let (a, b) = (UserId::new(), UserId::new());
        assert!(s.restore(a, Position::new(0, 0)) && s.restore(b, Position::new(5, 5)));
        let out = s.step(a, door);
        assert_eq!(
            out,
            vec![
                Outgoing { audience: Audience::AllExcept(a), event: Event::Moved { user: a, to: far } },
                Outgoing { audience: Audience::Only(a), event: Event::Teleported { user: a, to: far } },
            ]
        );
        assert_eq!(s.position_of(a), Some(far));
        assert_eq!(s.step(a, Position::new(8, 7)).len(), 1, "a plain step after: no second jump");
        // The landing taken (a went back to it): you stop on the portal, and that is all.
        assert_eq!(s.step(a, far).len(), 1);
        let c = UserId::new();
        assert!(s.restore(c, Position::new(2, 0)));
        assert_eq!(
            s.step(c, door),
            vec![Outgoing { audience: Audience::AllExcept(c), event: Event::Moved { user: c, to: door } }]
        );
    }

    #[test]
    fn a_portal_to_another_space_tells_the_mover_where_it_leads() {
        let (door, there) = (Position::new(1, 0), crate::ids::SpaceId::new());
        let portal = Portal::Space { space: there, spawn: Some("hall".into()) };
        let spec = crate::effects::EffectsSpec { portals: vec![(door, portal)], ..Default::default() };
        let mut s = with_effects(3, 1, spec);
        let a = UserId::new();
        assert!(s.restore(a, Position::new(0, 0)));
        let out = s.step(a, door);
        assert_eq!(out.len(), 2);
        assert_eq!(
            out[1],
            Outgoing {
                audience: Audience::Only(a),
                event: Event::PortalReached { user: a, space: there, spawn: Some("hall".into()) },
            }
        );
        assert_eq!(s.position_of(a), Some(door), "they stand on the portal until they go");
    }

    #[test]
    fn a_named_spawn_is_where_its_link_arrives_while_it_is_free() {
        let stage = Position::new(7, 3);
        let spawns = vec![
            crate::effects::Spawn { at: Position::new(0, 0), name: None },
            crate::effects::Spawn { at: stage, name: Some("stage".into()) },
        ];
        let mut s = with_effects(10, 10, crate::effects::EffectsSpec { spawns, ..Default::default() });
        let (a, b, c) = (UserId::new(), UserId::new(), UserId::new());
        for seed in 0..2 {
            s.join_at(a, seed, Some("stage")).unwrap();
            assert_eq!(s.position_of(a), Some(stage));
            s.leave(a);
        }
        s.join_at(a, 0, Some("stage")).unwrap();
        s.join_at(b, 1, Some("stage")).unwrap();
        assert_eq!(s.position_of(b), Some(Position::new(0, 0)), "taken: another spawn tile");
        s.join_at(c, 0, Some("nowhere")).unwrap();
        assert!(s.position_of(c).is_some(), "an unknown name is no refusal");
    }

    #[test]
    fn do_not_disturb_hears_no_nearby_chat_until_it_ends() {
        let mut s = space(10, 10);
        let (speaker, busy) = (UserId::new(), UserId::new());
        s.restore(speaker, Position::new(0, 0));
        s.restore(busy, Position::new(1, 0));
        s.set_do_not_disturb(busy, true);
        assert_eq!(s.chat_audience(speaker, ChatScope::Nearby, None, 5), Ok(vec![]));
        assert_eq!(s.chat_audience(speaker, ChatScope::Space, None, 5), Ok(vec![busy]), "space-wide still");
        s.set_do_not_disturb(busy, false);
        assert_eq!(s.chat_audience(speaker, ChatScope::Nearby, None, 5), Ok(vec![busy]));
        s.set_do_not_disturb(busy, true);
        s.leave(busy);
        s.restore(busy, Position::new(1, 0));
        assert_eq!(
            s.chat_audience(speaker, ChatScope::Nearby, None, 5),
            Ok(vec![busy]),
            "not kept past a leave"
        );
    }

    #[test]
    fn a_locked_area_lets_in_the_first_then_only_whom_those_inside_admit() {
        let area = crate::effects::PrivateArea {
            name: "office".into(),
            region: Footprint::new(Position::new(0, 0), 2, 1),
            locked: true,
            max_occupancy: None,
        };
        let mut s =
            with_effects(5, 1, crate::effects::EffectsSpec { areas: vec![area], ..Default::default() });
        let (host, guest, boss) = (UserId::new(), UserId::new(), UserId::new());
        assert!(s.restore(host, Position::new(2, 0)) && s.restore(guest, Position::new(3, 0)));
        assert!(s.restore(boss, Position::new(4, 0)));
        let moved = |out: Vec<Outgoing>| matches!(out[0].event, Event::Moved { .. });
        assert!(moved(s.step(host, Position::new(1, 0))), "empty: the first one walks in");
        assert!(moved(s.step(host, Position::new(0, 0))));
        assert!(moved(s.step(guest, Position::new(2, 0))));
        let refused = s.step(guest, Position::new(1, 0));
        assert_eq!(rejected(refused.clone()), Some(MoveRejection::Locked));
        assert_eq!(
            refused[1],
            Outgoing {
                audience: Audience::Users(vec![host]),
                event: Event::Knocked { user: guest, area: "office".into() },
            },
            "those inside hear the knock"
        );
        assert!(!s.admit(guest, boss), "only someone inside a locked area lets people in");
        assert!(s.admit(host, guest));
        assert!(moved(s.step(guest, Position::new(1, 0))), "let in");

        // Everyone out: the area forgets whom it let in, and the next one in is first again.
        assert!(moved(s.step(guest, Position::new(2, 0))));
        s.leave(host);
        assert!(moved(s.step(guest, Position::new(1, 0))), "empty again: first in");
        assert!(moved(s.step(guest, Position::new(0, 0))));
        assert!(moved(s.step(boss, Position::new(3, 0))) && moved(s.step(boss, Position::new(2, 0))));
        assert_eq!(rejected(s.step(boss, Position::new(1, 0))), Some(MoveRejection::Locked), "not let in");
        s.set_keyholder(boss, true);
        assert!(moved(s.step(boss, Position::new(1, 0))), "a keyholder needs nobody");
    }

    #[test]
    fn nearby_chat_stays_inside_a_private_area() {
        let area = crate::effects::PrivateArea {
            name: "meeting".into(),
            region: Footprint::new(Position::new(0, 0), 3, 3),
            locked: false,
            max_occupancy: None,
        };
        let mut s =
            with_effects(10, 10, crate::effects::EffectsSpec { areas: vec![area], ..Default::default() });
        let (speaker, inside, outside) = (UserId::new(), UserId::new(), UserId::new());
        s.restore(speaker, Position::new(0, 0));
        s.restore(inside, Position::new(2, 2));
        s.restore(outside, Position::new(3, 0));
        assert_eq!(s.chat_audience(speaker, ChatScope::Nearby, None, 5), Ok(vec![inside]));
        assert_eq!(s.chat_audience(outside, ChatScope::Nearby, None, 5), Ok(vec![]), "nor out of it");
    }

    #[test]
    fn spawn_skips_solid_and_occupied_tiles() {
        let mut s = space(3, 1);
        s.place_element(SpaceElementId::new(), Footprint::new(Position::new(0, 0), 1, 1), true);
        let (a, b) = (UserId::new(), UserId::new());
        s.join(a, 0).unwrap();
        assert_eq!(s.position_of(a), Some(Position::new(1, 0)));
        s.join(b, 0).unwrap();
        assert_eq!(s.position_of(b), Some(Position::new(2, 0)));
        assert_eq!(s.join(UserId::new(), 0), Err(JoinError::Full));
    }

    #[test]
    fn joining_twice_is_refused() {
        let mut s = space(3, 3);
        let a = UserId::new();
        s.join(a, 0).unwrap();
        assert_eq!(s.join(a, 1), Err(JoinError::AlreadyPresent));
        assert_eq!(s.population(), 1);
    }

    #[test]
    fn one_step_in_any_direction_is_accepted_and_told_to_the_others() {
        let mut s = space(5, 5);
        let a = UserId::new();
        join_at(&mut s, a, Position::new(2, 2));
        for to in [Position::new(3, 2), Position::new(3, 3), Position::new(2, 3), Position::new(2, 2)] {
            let out = s.step(a, to).remove(0);
            assert_eq!(
                out,
                Outgoing { audience: Audience::AllExcept(a), event: Event::Moved { user: a, to } }
            );
            assert_eq!(s.position_of(a), Some(to));
        }
    }

    #[test]
    fn moves_outside_the_space_are_refused() {
        let mut s = space(5, 5);
        let a = UserId::new();
        join_at(&mut s, a, Position::new(0, 0));
        assert_eq!(rejected(s.step(a, Position::new(-1, 0))), Some(MoveRejection::OutOfBounds));
        assert_eq!(rejected(s.step(a, Position::new(0, -1))), Some(MoveRejection::OutOfBounds));
        assert_eq!(rejected(s.step(a, Position::new(1_000_000, 0))), Some(MoveRejection::OutOfBounds));
    }

    #[test]
    fn diagonal_double_and_zero_steps_are_refused_with_the_current_position() {
        let mut s = space(5, 5);
        let a = UserId::new();
        let at = Position::new(2, 2);
        join_at(&mut s, a, at);
        for to in [Position::new(3, 3), Position::new(4, 2), Position::new(2, 2)] {
            let out = s.step(a, to).remove(0);
            assert_eq!(
                out,
                Outgoing {
                    audience: Audience::Only(a),
                    event: Event::MoveRejected { user: a, at, reason: MoveRejection::NotOneStep }
                }
            );
        }
        assert_eq!(s.position_of(a), Some(at));
    }

    #[test]
    fn solid_furniture_blocks_and_rugs_do_not() {
        let mut s = space(5, 5);
        s.place_element(SpaceElementId::new(), Footprint::new(Position::new(3, 2), 1, 1), true);
        s.place_element(SpaceElementId::new(), Footprint::new(Position::new(1, 2), 1, 1), false);
        let a = UserId::new();
        join_at(&mut s, a, Position::new(2, 2));
        assert_eq!(rejected(s.step(a, Position::new(3, 2))), Some(MoveRejection::Solid));
        assert_eq!(rejected(s.step(a, Position::new(1, 2))), None);
    }

    #[test]
    fn removed_furniture_no_longer_blocks() {
        let mut s = space(5, 5);
        let desk = SpaceElementId::new();
        s.place_element(desk, Footprint::new(Position::new(3, 2), 1, 1), true);
        let a = UserId::new();
        join_at(&mut s, a, Position::new(2, 2));
        assert!(s.remove_element(desk));
        assert_eq!(rejected(s.step(a, Position::new(3, 2))), None);
    }

    #[test]
    fn nobody_steps_onto_an_occupied_tile_and_the_tile_frees_when_they_leave() {
        let mut s = space(5, 5);
        let (a, b) = (UserId::new(), UserId::new());
        join_at(&mut s, a, Position::new(1, 1));
        join_at(&mut s, b, Position::new(2, 1));
        assert_eq!(rejected(s.step(a, Position::new(2, 1))), Some(MoveRejection::Occupied));
        assert_eq!(
            s.leave(b),
            Some(Outgoing { audience: Audience::AllExcept(b), event: Event::Left { user: b } })
        );
        assert_eq!(rejected(s.step(a, Position::new(2, 1))), None);
        assert!(s.leave(b).is_none());
    }

    #[test]
    fn a_vacated_tile_is_free_for_the_next_mover() {
        let mut s = space(5, 1);
        let (a, b) = (UserId::new(), UserId::new());
        join_at(&mut s, a, Position::new(1, 0));
        join_at(&mut s, b, Position::new(2, 0));
        assert_eq!(rejected(s.step(a, Position::new(0, 0))), None);
        assert_eq!(rejected(s.step(b, Position::new(1, 0))), None);
    }

    #[test]
    fn strangers_cannot_move_or_leave() {
        let mut s = space(5, 5);
        assert!(s.step(UserId::new(), Position::new(1, 1)).is_empty());
        assert_eq!(s.apply(Command::Leave { user: UserId::new() }), Ok(vec![]));
    }

    #[test]
    fn chat_reaches_everyone_the_nearby_or_one_person() {
        let mut s = space(30, 30);
        let (a, near, edge, far) = (UserId::new(), UserId::new(), UserId::new(), UserId::new());
        join_at(&mut s, a, Position::new(10, 10));
        join_at(&mut s, near, Position::new(12, 11));
        join_at(&mut s, edge, Position::new(13, 14)); // 3-4-5: exactly 5 away
        join_at(&mut s, far, Position::new(14, 14));
        let sorted = |mut v: Vec<UserId>| {
            v.sort();
            v
        };
        assert_eq!(
            sorted(s.chat_audience(a, ChatScope::Space, None, 5).unwrap()),
            sorted(vec![near, edge, far])
        );
        assert_eq!(sorted(s.chat_audience(a, ChatScope::Nearby, None, 5).unwrap()), sorted(vec![near, edge]));
        assert_eq!(s.chat_audience(a, ChatScope::Direct, Some(far), 5), Ok(vec![far]));
    }

    #[test]
    fn chat_refuses_absent_senders_and_recipients() {
        let mut s = space(5, 5);
        let a = UserId::new();
        assert_eq!(s.chat_audience(a, ChatScope::Space, None, 5), Err(ChatError::SenderAbsent));
        join_at(&mut s, a, Position::new(0, 0));
        assert_eq!(s.chat_audience(a, ChatScope::Direct, None, 5), Err(ChatError::NoRecipient));
        assert_eq!(s.chat_audience(a, ChatScope::Direct, Some(a), 5), Err(ChatError::ToSelf));
        assert_eq!(
            s.chat_audience(a, ChatScope::Direct, Some(UserId::new()), 5),
            Err(ChatError::RecipientAbsent)
        );
        assert_eq!(s.chat_audience(a, ChatScope::Space, None, 5), Ok(vec![]));
    }

    #[test]
    fn restoring_puts_people_back_only_where_they_may_stand() {
        let mut s = space(3, 1);
        s.place_element(SpaceElementId::new(), Footprint::new(Position::new(2, 0), 1, 1), true);
        let (a, b) = (UserId::new(), UserId::new());
        assert!(s.restore(a, Position::new(1, 0)));
        assert!(!s.restore(a, Position::new(0, 0)), "already here");
        assert!(!s.restore(b, Position::new(1, 0)), "taken");
        assert!(!s.restore(b, Position::new(2, 0)), "solid");
        assert!(!s.restore(b, Position::new(5, 0)), "outside");
        assert!(s.restore(b, Position::new(0, 0)));
        assert_eq!(s.position_of(a), Some(Position::new(1, 0)));
    }

    #[test]
    fn apply_routes_commands() {
        let mut s = space(2, 1);
        let a = UserId::new();
        let joined = s.apply(Command::Join { user: a, spawn_seed: 0, spawn: None }).unwrap();
        assert_eq!(joined.len(), 2);
        let moved = s.apply(Command::Move { user: a, to: Position::new(1, 0) }).unwrap();
        assert_eq!(moved[0].event, Event::Moved { user: a, to: Position::new(1, 0) });
        assert!(Audience::AllExcept(a).includes(UserId::new()));
        assert!(!Audience::Only(a).includes(UserId::new()));
        assert!(Audience::Users(vec![a]).includes(a));
    }
}
