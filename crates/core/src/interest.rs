//! Interest management for crowded spaces: who is near whom. People are kept in square
//! cells as wide as the interest radius, so finding everyone within the radius of a tile
//! looks at nine cells, whatever the space's population.

use std::collections::HashMap;

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
        let r = i64::from(self.radius);
        (a.x - b.x).abs() <= r && (a.y - b.y).abs() <= r
    }
}

#[derive(Debug, Clone, Default)]
pub struct InterestGrid {
    cell: i64,
    cells: HashMap<(i64, i64), Vec<UserId>>,
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
        self.cells.entry(key).or_default().push(user);
    }

    pub fn remove(&mut self, user: UserId, at: Position) {
        let key = self.key(at);
        if let Some(cell) = self.cells.get_mut(&key) {
            cell.retain(|u| *u != user);
            if cell.is_empty() {
                self.cells.remove(&key);
            }
        }
    }

    pub fn relocate(&mut self, user: UserId, from: Position, to: Position) {
        if self.key(from) != self.key(to) {
            self.remove(user, from);
            self.insert(user, to);
        }
    }

    /// Everyone in the nine cells around `at`: a superset of those within the radius,
    /// for the caller to filter by exact position.
    pub fn around(&self, at: Position) -> impl Iterator<Item = UserId> + '_ {
        let (cx, cy) = self.key(at);
        (cy - 1..=cy + 1)
            .flat_map(move |y| (cx - 1..=cx + 1).map(move |x| (x, y)))
            .filter_map(|key| self.cells.get(&key))
            .flatten()
            .copied()
    }
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
        let found: Vec<UserId> = grid.around(Position::new(3, 3)).collect();
        assert!(found.contains(&near) && found.contains(&edge));
        assert!(!found.contains(&far));
    }

    #[test]
    fn relocating_and_removing_keep_the_cells_right() {
        let mut grid = InterestGrid::new(2);
        let user = UserId::new();
        grid.insert(user, Position::new(0, 0));
        grid.relocate(user, Position::new(0, 0), Position::new(10, 10));
        assert_eq!(grid.around(Position::new(0, 0)).count(), 0);
        assert_eq!(grid.around(Position::new(10, 10)).collect::<Vec<_>>(), vec![user]);
        grid.remove(user, Position::new(10, 10));
        assert_eq!(grid.around(Position::new(10, 10)).count(), 0);
        assert!(grid.cells.is_empty());
    }
}
