//! Interest management for crowded spaces: who is near whom. People are kept in square
//! cells as wide as the interest radius, so finding everyone within the radius of a tile
//! looks at nine cells, whatever the space's population.

use foldhash::{HashMap, HashMapExt};

use crate::geometry::Position;
use crate::ids::UserId;

/// When a space counts as crowded, and how far its people see then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interest {
    /// Above this many people, each sees only those within `radius`.
    pub threshold: usize,
    /// In tiles, along each axis (a square window around the viewer).
    pub radius: u32,
}

impl Interest {
    pub fn sees(&self, a: Position, b: Position) -> bool {
        let r = u64::from(self.radius);
        a.x.abs_diff(b.x) <= r && a.y.abs_diff(b.y) <= r
    }
}

/// People by square cell, each with where they stand, so that finding those near a tile
/// needs no other lookup.
#[derive(Debug, Clone, Default)]
pub struct InterestGrid {
    cell: i64,
    cells: HashMap<(i64, i64), Vec<(UserId, Position)>>,
}

impl InterestGrid {
    pub fn new(radius: u32) -> Self {
        Self { cell: i64::from(radius.max(1)), cells: HashMap::new() }
    }

    fn key(&self, at: Position) -> (i64, i64) {
        (at.x.div_euclid(self.cell), at.y.div_euclid(self.cell))
    }

    pub fn insert(&mut self, user: UserId, at: Position) {
        let key = self.key(at);
        self.cells.entry(key).or_default().push((user, at));
    }

    pub fn remove(&mut self, user: UserId, at: Position) {
        let key = self.key(at);
        if let Some(cell) = self.cells.get_mut(&key) {
            cell.retain(|(u, _)| *u != user);
            if cell.is_empty() {
                self.cells.remove(&key);
            }
        }
    }

    pub fn relocate(&mut self, user: UserId, from: Position, to: Position) {
        let key = self.key(from);
        if key == self.key(to) {
            let entry = self.cells.get_mut(&key).and_then(|cell| cell.iter_mut().find(|(u, _)| *u == user));
            if let Some(entry) = entry {
                entry.1 = to;
                return;
            }
        }
        self.remove(user, from);
        self.insert(user, to);
    }

    /// Everyone in the nine cells around `at`, with where they stand: a superset of those
    /// within the radius, for the caller to filter by exact position.
    pub fn around(&self, at: Position) -> impl Iterator<Item = (UserId, Position)> + '_ {
        self.around_either(at, at)
    }

    /// Everyone in the cells around `a` or around `b`, each once: both ends of a move in
    /// one pass.
    pub fn around_either(&self, a: Position, b: Position) -> impl Iterator<Item = (UserId, Position)> + '_ {
        let (ka, kb) = (self.key(a), self.key(b));
        let near_a = move |(x, y): (i64, i64)| (x - ka.0).abs() <= 1 && (y - ka.1).abs() <= 1;
        neighbourhood(ka)
            .chain(neighbourhood(kb).filter(move |key| !near_a(*key)))
            .filter_map(|key| self.cells.get(&key))
            .flatten()
            .copied()
    }
}

/// A cell and the eight around it.
fn neighbourhood((cx, cy): (i64, i64)) -> impl Iterator<Item = (i64, i64)> {
    (cy - 1..=cy + 1).flat_map(move |y| (cx - 1..=cx + 1).map(move |x| (x, y)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_radius_is_a_square_window_including_its_edge() {
        let interest = Interest { threshold: 0, radius: 2 };
        let at = Position::new(5, 5);
        assert!(interest.sees(at, Position::new(7, 7)));
        assert!(interest.sees(at, Position::new(3, 5)));
        assert!(!interest.sees(at, Position::new(8, 5)));
        assert!(!interest.sees(at, Position::new(5, 2)));
    }

    #[test]
    fn around_finds_everyone_within_the_radius_and_not_far_cells() {
        let mut grid = InterestGrid::new(3);
        let (near, edge, far) = (UserId::new(), UserId::new(), UserId::new());
        grid.insert(near, Position::new(4, 4));
        grid.insert(edge, Position::new(0, 0));
        grid.insert(far, Position::new(30, 30));
        let found: Vec<UserId> = grid.around(Position::new(3, 3)).map(|(u, _)| u).collect();
        assert!(found.contains(&near) && found.contains(&edge));
        assert!(!found.contains(&far));
    }

    #[test]
    fn around_either_covers_both_neighbourhoods_once() {
        let mut grid = InterestGrid::new(2);
        let people: Vec<(UserId, Position)> =
            (0..12).map(|i| (UserId::new(), Position::new(i * 2, i))).collect();
        for (user, at) in &people {
            grid.insert(*user, *at);
        }
        let (a, b) = (Position::new(5, 5), Position::new(6, 5)); // cells (2,2) and (3,2)
        let mut either: Vec<UserId> = grid.around_either(a, b).map(|(u, _)| u).collect();
        let mut union: Vec<UserId> = grid.around(a).chain(grid.around(b)).map(|(u, _)| u).collect();
        union.sort();
        union.dedup();
        either.sort();
        assert_eq!(either, union, "the union, and nobody twice");
        assert!(!either.is_empty());
    }

    #[test]
    fn relocating_and_removing_keep_the_cells_right() {
        let mut grid = InterestGrid::new(2);
        let user = UserId::new();
        grid.insert(user, Position::new(0, 0));
        grid.relocate(user, Position::new(0, 0), Position::new(10, 10));
        assert_eq!(grid.around(Position::new(0, 0)).count(), 0);
        assert_eq!(
            grid.around(Position::new(10, 10)).collect::<Vec<_>>(),
            vec![(user, Position::new(10, 10))]
        );
        grid.relocate(user, Position::new(10, 10), Position::new(11, 10));
        assert_eq!(
            grid.around(Position::new(10, 10)).collect::<Vec<_>>(),
            vec![(user, Position::new(11, 10))]
        );
        grid.relocate(user, Position::new(11, 10), Position::new(10, 10));
        grid.remove(user, Position::new(10, 10));
        assert_eq!(grid.around(Position::new(10, 10)).count(), 0);
        assert!(grid.cells.is_empty());
    }
}
