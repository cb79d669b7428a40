//! Tiles and rectangles. A space of `Dimensions { width: 100, height: 200 }` has tiles with
//! `x` in `0..100` and `y` in `0..200`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Largest side a space or map may have; keeps a space's tile grid under a million cells.
pub const MAX_SIDE: u32 = 1000;

/// Largest side a piece of furniture may have. Bounded so that the pieces that could
/// overlap a tile lie within this many columns of it, which lets a store find them by range.
pub const MAX_ELEMENT_SIDE: u32 = 100;

/// A tile. Signed, because a client may ask to step to -1, and that must be a rejected
/// move rather than a parse failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Position {
    pub x: i64,
    pub y: i64,
}

impl Position {
    pub const fn new(x: i64, y: i64) -> Self {
        Self { x, y }
    }

    /// Steps needed to walk from `self` to `other` on the grid (no diagonals). Saturates
    /// rather than wraps: a client may send any `i64`, and a wrapped distance of 1 between
    /// two far-apart tiles would pass for one step.
    pub fn manhattan(self, other: Position) -> u64 {
        self.x.abs_diff(other.x).saturating_add(self.y.abs_diff(other.y))
    }

    /// Whether `other` is within `radius` tiles in a straight line: what `nearby` chat and
    /// proximity media mean by near. Exact for any two tiles (the squares cannot wrap).
    pub fn within(self, other: Position, radius: u32) -> bool {
        self.distance_squared(other) <= u128::from(radius) * u128::from(radius)
    }

    /// The squared straight-line distance, for ordering by nearness without roots.
    pub fn distance_squared(self, other: Position) -> u128 {
        let (dx, dy) = (u128::from(self.x.abs_diff(other.x)), u128::from(self.y.abs_diff(other.y)));
        (dx * dx).saturating_add(dy * dy)
    }
}

/// The size of a space or map, each side in `1..=MAX_SIDE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Dimensions {
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DimensionsError {
    #[error("dimensions must look like \"WIDTHxHEIGHT\", for example \"100x200\"")]
    Malformed,
    #[error("each side must be between 1 and {MAX_SIDE} tiles")]
    OutOfRange,
}

impl Dimensions {
    pub fn new(width: u32, height: u32) -> Result<Self, DimensionsError> {
        let in_range = |side: u32| (1..=MAX_SIDE).contains(&side);
        if in_range(width) && in_range(height) {
            Ok(Self { width, height })
        } else {
            Err(DimensionsError::OutOfRange)
        }
    }

    /// Parses the contract's `"WxH"` spelling, e.g. `"100x200"`.
    pub fn parse(text: &str) -> Result<Self, DimensionsError> {
        let (w, h) = text.trim().split_once('x').ok_or(DimensionsError::Malformed)?;
        // The spelling of both sides first: "5000000000xa" is malformed, not out of range.
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(w) || !digits(h) {
            return Err(DimensionsError::Malformed);
        }
        // All digits but too long for u32 is a range problem, not a spelling one.
        let side = |s: &str| s.parse::<u32>().map_err(|_| DimensionsError::OutOfRange);
        Self::new(side(w)?, side(h)?)
    }

    pub fn contains(self, at: Position) -> bool {
        (0..i64::from(self.width)).contains(&at.x) && (0..i64::from(self.height)).contains(&at.y)
    }

    pub fn tile_count(self) -> usize {
        self.width as usize * self.height as usize
    }

    /// Row-major index of an in-bounds tile.
    pub(crate) fn index(self, at: Position) -> usize {
        debug_assert!(self.contains(at));
        at.y as usize * self.width as usize + at.x as usize
    }

    pub(crate) fn position(self, index: usize) -> Position {
        let w = self.width as usize;
        Position::new((index % w) as i64, (index / w) as i64)
    }
}

impl fmt::Display for Dimensions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

/// The rectangle of tiles a piece of furniture covers: its top-left tile plus its size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Footprint {
    pub at: Position,
    pub width: u32,
    pub height: u32,
}

impl Footprint {
    pub fn new(at: Position, width: u32, height: u32) -> Self {
        Self { at, width, height }
    }

    /// Whether the tile lies inside the rectangle.
    pub fn covers(&self, tile: Position) -> bool {
        let (x0, y0) = (self.at.x, self.at.y);
        tile.x >= x0
            && tile.y >= y0
            && tile.x < x0.saturating_add(i64::from(self.width))
            && tile.y < y0.saturating_add(i64::from(self.height))
    }

    // Saturating: `at` may be any `i64` from a client, and a wrapped edge would put a piece
    // near `i64::MAX` inside the space. A saturated edge is past every space's edge.
    fn right(&self) -> i64 {
        self.at.x.saturating_add(i64::from(self.width))
    }

    fn bottom(&self) -> i64 {
        self.at.y.saturating_add(i64::from(self.height))
    }

    pub fn overlaps(&self, other: &Footprint) -> bool {
        self.at.x < other.right()
            && other.at.x < self.right()
            && self.at.y < other.bottom()
            && other.at.y < self.bottom()
    }

    /// True when every tile of the footprint lies inside the space.
    pub fn fits_in(&self, dims: Dimensions) -> bool {
        self.width > 0
            && self.height > 0
            && self.at.x >= 0
            && self.at.y >= 0
            && self.right() <= i64::from(dims.width)
            && self.bottom() <= i64::from(dims.height)
    }

    /// Every tile covered, clipped to the space.
    pub fn tiles(&self, dims: Dimensions) -> impl Iterator<Item = Position> + '_ {
        let xs = self.at.x.max(0)..self.right().min(i64::from(dims.width));
        let ys = self.at.y.max(0)..self.bottom().min(i64::from(dims.height));
        ys.flat_map(move |y| xs.clone().map(move |x| Position::new(x, y)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimensions_parse_width_then_height() {
        assert_eq!(Dimensions::parse("100x200"), Ok(Dimensions { width: 100, height: 200 }));
        assert_eq!(Dimensions::parse(" 1x1000 "), Ok(Dimensions { width: 1, height: 1000 }));
    }

    #[test]
    fn dimensions_reject_bad_spellings_and_sizes() {
        for bad in ["", "100", "x", "10x", "x10", "10x10x10", "-1x5", "1.5x2", "ax3", "+5x5"] {
            assert_eq!(Dimensions::parse(bad), Err(DimensionsError::Malformed), "{bad}");
        }
        for big in ["0x5", "5x0", "1001x5", "5x99999999999999"] {
            assert_eq!(Dimensions::parse(big), Err(DimensionsError::OutOfRange), "{big}");
        }
    }

    #[test]
    fn contains_is_half_open() {
        let d = Dimensions::new(3, 2).unwrap();
        assert!(d.contains(Position::new(0, 0)));
        assert!(d.contains(Position::new(2, 1)));
        assert!(!d.contains(Position::new(3, 0)));
        assert!(!d.contains(Position::new(0, 2)));
        assert!(!d.contains(Position::new(-1, 0)));
    }

    #[test]
    fn footprints_touching_edges_do_not_overlap() {
        let a = Footprint::new(Position::new(0, 0), 2, 2);
        assert!(!a.overlaps(&Footprint::new(Position::new(2, 0), 1, 1)));
        assert!(!a.overlaps(&Footprint::new(Position::new(0, 2), 1, 1)));
        assert!(a.overlaps(&Footprint::new(Position::new(1, 1), 5, 5)));
    }

    #[test]
    fn a_footprint_fits_only_when_all_its_tiles_are_inside() {
        let d = Dimensions::new(10, 10).unwrap();
        assert!(Footprint::new(Position::new(8, 8), 2, 2).fits_in(d));
        assert!(!Footprint::new(Position::new(9, 8), 2, 2).fits_in(d));
        assert!(!Footprint::new(Position::new(-1, 0), 1, 1).fits_in(d));
    }

    #[test]
    fn footprints_near_the_ends_of_i64_never_wrap_into_the_space() {
        let d = Dimensions::new(10, 10).unwrap();
        for (x, y) in [(i64::MAX, 0), (0, i64::MAX), (i64::MAX - 1, 5), (i64::MIN, 0), (i64::MAX, i64::MAX)] {
            let piece = Footprint::new(Position::new(x, y), 3, 3);
            assert!(!piece.fits_in(d), "({x}, {y})");
            assert_eq!(piece.tiles(d).count(), 0, "({x}, {y})");
        }
        let far = Footprint::new(Position::new(i64::MAX - 1, 0), 5, 5);
        assert!(!far.overlaps(&Footprint::new(Position::new(0, 0), 10, 10)));
    }

    #[test]
    fn distances_between_extreme_tiles_saturate() {
        let from = Position::new(5, 5);
        // Unchecked, this distance wraps around to exactly one step.
        let wrapped_to_one = Position::new(i64::MIN, i64::MIN + 9);
        assert_eq!(from.manhattan(wrapped_to_one), u64::MAX);
        assert_eq!(Position::new(i64::MIN, 0).manhattan(Position::new(i64::MAX, 0)), u64::MAX);
    }

    #[test]
    fn tiles_are_clipped_to_the_space() {
        let d = Dimensions::new(3, 3).unwrap();
        let tiles: Vec<_> = Footprint::new(Position::new(2, 2), 4, 4).tiles(d).collect();
        assert_eq!(tiles, vec![Position::new(2, 2)]);
    }
}
