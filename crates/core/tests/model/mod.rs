//! A plain reference for the rules of a space, written the slow obvious way (a list of solid
//! pieces, a grid of bools, 128-bit arithmetic), and a checker that drives a real `Space`
//! beside it and panics at the first disagreement. Shared by `tests/properties.rs` and the
//! `space_rules` fuzz target, so both hold the rules to one reading.

use std::collections::{HashMap, HashSet};

use gather_core::{
    Audience, Command, Dimensions, Event, Footprint, JoinError, Layout, MoveRejection, Outgoing,
    PlacementError, Position, Space, SpaceElementId, UserId,
};

/// What the rules say a space holds: its size, its solid pieces and who stands where.
pub struct Model {
    dims: Dimensions,
    solid_pieces: Vec<Footprint>,
    solid_tiles: Vec<bool>,
    at: HashMap<UserId, Position>,
}

/// Builds a space from `pieces`, placing each one only where `Layout::check_placement`
/// accepts it, and checks every verdict against the model's.
pub fn furnish(dims: Dimensions, pieces: impl IntoIterator<Item = (Footprint, bool)>) -> (Space, Model) {
    let mut layout = Layout::new(dims);
    let mut model = Model {
        dims,
        solid_pieces: Vec::new(),
        solid_tiles: vec![false; dims.tile_count()],
        at: HashMap::new(),
    };
    for (footprint, solid) in pieces {
        let verdict = layout.check_placement(footprint);
        assert_eq!(verdict, model.placement(footprint), "placement of {footprint:?} in {dims}");
        if verdict.is_ok() {
            layout.insert(SpaceElementId::new(), footprint, solid);
            if solid {
                model.add_solid(footprint);
            }
        }
    }
    (Space::new(layout), model)
}

impl Model {
    /// Applies `command` to `space`, checks its answer against the rules, then checks every
    /// invariant of the space.
    pub fn apply(&mut self, space: &mut Space, command: Command) {
        let out = space.apply(command.clone());
        match command {
            Command::Join { user, .. } => self.check_join(user, out),
            Command::Move { user, to } => self.check_move(user, to, out.expect("a move never errs")),
            Command::Leave { user } => self.check_leave(user, out.expect("a leave never errs")),
            Command::Return { user, at: Some(at), .. } if !self.at.contains_key(&user) && self.free(at) => {
                let expected =
                    Outgoing { audience: Audience::AllExcept(user), event: Event::Joined { user, at } };
                assert_eq!(out, Ok(vec![expected]), "return of {user:?} to the free {at:?}");
                self.at.insert(user, at);
            }
            // Anywhere else, a return is a join.
            Command::Return { user, .. } => self.check_join(user, out),
        }
        self.check_invariants(space);
    }

    /// The tile `(dx, dy)` away from where `user` stands, or from the corner when absent;
    /// lets a driver aim at neighbours without knowing where a join put someone.
    pub fn toward(&self, user: UserId, dx: i64, dy: i64) -> Position {
        let from = self.at.get(&user).copied().unwrap_or(Position::new(0, 0));
        Position::new(from.x.saturating_add(dx), from.y.saturating_add(dy))
    }

    /// A piece fits when all its tiles are inside and none of them is under a solid piece.
    fn placement(&self, new: Footprint) -> Result<(), PlacementError> {
        let (left, top, right, bottom) = edges(new);
        let inside = new.width > 0
            && new.height > 0
            && left >= 0
            && top >= 0
            && right <= i128::from(self.dims.width)
            && bottom <= i128::from(self.dims.height);
        if !inside {
            return Err(PlacementError::OutsideSpace);
        }
        if self.solid_pieces.iter().any(|piece| overlap(*piece, new)) {
            return Err(PlacementError::OverlapsSolid);
        }
        Ok(())
    }

    fn add_solid(&mut self, piece: Footprint) {
        let (left, top, right, bottom) = edges(piece);
        for y in top..bottom {
            for x in left..right {
                let index = y as usize * self.dims.width as usize + x as usize;
                self.solid_tiles[index] = true;
            }
        }
        self.solid_pieces.push(piece);
    }

    fn inside(&self, at: Position) -> bool {
        (0..i64::from(self.dims.width)).contains(&at.x) && (0..i64::from(self.dims.height)).contains(&at.y)
    }

    fn solid(&self, at: Position) -> bool {
        self.inside(at) && self.solid_tiles[at.y as usize * self.dims.width as usize + at.x as usize]
    }

    fn holder(&self, at: Position) -> Option<UserId> {
        self.at.iter().find(|(_, p)| **p == at).map(|(u, _)| *u)
    }

    fn free(&self, at: Position) -> bool {
        self.inside(at) && !self.solid(at) && self.holder(at).is_none()
    }

    fn check_join(&mut self, user: UserId, out: Result<Vec<Outgoing>, JoinError>) {
        if self.at.contains_key(&user) {
            assert_eq!(out, Err(JoinError::AlreadyPresent), "{user:?} joined twice");
            return;
        }
        let events = match out {
            Ok(events) => events,
            Err(JoinError::Full) => {
                let taken: HashSet<Position> = self.at.values().copied().collect();
                let width = i64::from(self.dims.width);
                let free = (0..self.dims.tile_count() as i64)
                    .map(|i| Position::new(i % width, i / width))
                    .find(|tile| !self.solid(*tile) && !taken.contains(tile));
                assert_eq!(free, None, "join refused as full with a free tile");
                return;
            }
            Err(other) => panic!("join of an absent {user:?} refused: {other:?}"),
        };
        let [entered, joined] = <[Outgoing; 2]>::try_from(events).expect("a join tells two things");
        let Outgoing { audience: Audience::Only(to), event: Event::Entered { user: who, spawn, others } } =
            entered
        else {
            panic!("the joiner was not told where they are: {entered:?}");
        };
        assert_eq!((to, who), (user, user));
        assert!(self.free(spawn), "spawned on {spawn:?}, which is not free");
        let others: HashMap<UserId, Position> = others.into_iter().collect();
        assert_eq!(others, self.at, "the joiner was told the wrong crowd");
        assert_eq!(
            joined,
            Outgoing { audience: Audience::AllExcept(user), event: Event::Joined { user, at: spawn } }
        );
        self.at.insert(user, spawn);
    }

    fn check_move(&mut self, user: UserId, to: Position, out: Vec<Outgoing>) {
        let Some(&from) = self.at.get(&user) else {
            assert_eq!(out, vec![], "a move by someone absent");
            return;
        };
        let steps =
            (i128::from(from.x) - i128::from(to.x)).abs() + (i128::from(from.y) - i128::from(to.y)).abs();
        let refusal = if !self.inside(to) {
            Some(MoveRejection::OutOfBounds)
        } else if steps != 1 {
            Some(MoveRejection::NotOneStep)
        } else if self.solid(to) {
            Some(MoveRejection::Solid)
        } else if self.holder(to).is_some() {
            Some(MoveRejection::Occupied)
        } else {
            None
        };
        let expected = match refusal {
            None => Outgoing { audience: Audience::AllExcept(user), event: Event::Moved { user, to } },
            Some(reason) => Outgoing {
                audience: Audience::Only(user),
                event: Event::MoveRejected { user, at: from, reason },
            },
        };
        assert_eq!(out, vec![expected], "move of {user:?} from {from:?} to {to:?}");
        if refusal.is_none() {
            self.at.insert(user, to);
        }
    }

    fn check_leave(&mut self, user: UserId, out: Vec<Outgoing>) {
        let expected = match self.at.remove(&user) {
            Some(_) => vec![Outgoing { audience: Audience::AllExcept(user), event: Event::Left { user } }],
            None => vec![],
        };
        assert_eq!(out, expected, "leave of {user:?}");
    }

    /// Everyone inside, nobody on a solid tile, no two on one tile, and the space agrees
    /// with the model about who stands where.
    fn check_invariants(&self, space: &Space) {
        assert_eq!(space.population(), self.at.len());
        let mut tiles = HashSet::new();
        for (user, at) in space.users() {
            assert_eq!(self.at.get(&user), Some(&at), "{user:?} stands somewhere unexpected");
            assert_eq!(space.position_of(user), Some(at));
            assert!(self.inside(at), "{user:?} is outside, at {at:?}");
            assert!(!self.solid(at) && !space.layout().is_solid(at), "{user:?} stands on solid {at:?}");
            assert!(tiles.insert(at), "two people share {at:?}");
        }
    }
}

/// Left, top, right and bottom edges (right and bottom exclusive), wide enough never to
/// overflow.
fn edges(f: Footprint) -> (i128, i128, i128, i128) {
    let (left, top) = (i128::from(f.at.x), i128::from(f.at.y));
    (left, top, left + i128::from(f.width), top + i128::from(f.height))
}

fn overlap(a: Footprint, b: Footprint) -> bool {
    let (al, at, ar, ab) = edges(a);
    let (bl, bt, br, bb) = edges(b);
    al < br && bl < ar && at < bb && bt < ab
}
