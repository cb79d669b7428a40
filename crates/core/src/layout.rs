//! Where furniture stands in a space, and the placement rule: a piece must lie wholly inside
//! the space and may not overlap a solid ("static") piece.

use std::collections::HashMap;

use crate::geometry::{Dimensions, Footprint, Position};
use crate::ids::SpaceElementId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PlacementError {
    #[error("the element does not fit inside the space at that position")]
    OutsideSpace,
    #[error("the element would overlap a solid element")]
    OverlapsSolid,
}

/// Checks whether a new piece may go at `new`, given the pieces already there as
/// `(footprint, solid)` pairs.
pub fn check_placement(
    dims: Dimensions,
    existing: impl IntoIterator<Item = (Footprint, bool)>,
    new: Footprint,
) -> Result<(), PlacementError> {
    if !new.fits_in(dims) {
        return Err(PlacementError::OutsideSpace);
    }
    let blocked = existing.into_iter().any(|(footprint, solid)| solid && footprint.overlaps(&new));
    if blocked {
        return Err(PlacementError::OverlapsSolid);
    }
    Ok(())
}

/// The furniture of one live space, with a per-tile count of solid pieces so that a move
/// checks one cell instead of every element.
#[derive(Debug, Clone)]
pub struct Layout {
    dims: Dimensions,
    elements: HashMap<SpaceElementId, (Footprint, bool)>,
    // A count rather than a flag: data written before a rule change could hold overlapping
    // solid pieces, and removing one must not free a tile the other still covers.
    solid_cover: Vec<u16>,
}

impl Layout {
    pub fn new(dims: Dimensions) -> Self {
        Self { dims, elements: HashMap::new(), solid_cover: vec![0; dims.tile_count()] }
    }

    pub fn dims(&self) -> Dimensions {
        self.dims
    }

    /// Records a piece as it is (the store already validated it).
    pub fn insert(&mut self, id: SpaceElementId, footprint: Footprint, solid: bool) {
        if let Some((old, old_solid)) = self.elements.insert(id, (footprint, solid)) {
            self.cover(old, old_solid, false);
        }
        self.cover(footprint, solid, true);
    }

    /// Forgets a piece; false when it was not there.
    pub fn remove(&mut self, id: SpaceElementId) -> bool {
        match self.elements.remove(&id) {
            Some((footprint, solid)) => {
                self.cover(footprint, solid, false);
                true
            }
            None => false,
        }
    }

    pub fn check_placement(&self, new: Footprint) -> Result<(), PlacementError> {
        check_placement(self.dims, self.elements.values().copied(), new)
    }

    /// True when a solid piece covers the tile. Tiles outside the space are not solid;
    /// bounds are a separate rule.
    pub fn is_solid(&self, at: Position) -> bool {
        self.dims.contains(at) && self.solid_cover[self.dims.index(at)] > 0
    }

    fn cover(&mut self, footprint: Footprint, solid: bool, add: bool) {
        if !solid {
            return;
        }
        for tile in footprint.tiles(self.dims) {
            let cell = &mut self.solid_cover[self.dims.index(tile)];
            *cell = if add { cell.saturating_add(1) } else { cell.saturating_sub(1) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        Layout::new(Dimensions::new(10, 10).unwrap())
    }

    fn fp(x: i64, y: i64, w: u32, h: u32) -> Footprint {
        Footprint::new(Position::new(x, y), w, h)
    }

    #[test]
    fn a_piece_must_fit_wholly_inside() {
        let l = layout();
        assert_eq!(l.check_placement(fp(9, 9, 1, 1)), Ok(()));
        assert_eq!(l.check_placement(fp(9, 9, 2, 1)), Err(PlacementError::OutsideSpace));
        assert_eq!(l.check_placement(fp(10_000, 0, 1, 1)), Err(PlacementError::OutsideSpace));
        assert_eq!(l.check_placement(fp(-1, 0, 1, 1)), Err(PlacementError::OutsideSpace));
    }

    #[test]
    fn nothing_may_overlap_a_solid_piece_but_anything_may_overlap_a_rug() {
        let mut l = layout();
        l.insert(SpaceElementId::new(), fp(2, 2, 2, 2), true);
        l.insert(SpaceElementId::new(), fp(6, 6, 3, 3), false);
        assert_eq!(l.check_placement(fp(3, 3, 1, 1)), Err(PlacementError::OverlapsSolid));
        assert_eq!(l.check_placement(fp(0, 0, 3, 3)), Err(PlacementError::OverlapsSolid));
        assert_eq!(l.check_placement(fp(4, 2, 1, 1)), Ok(()));
        assert_eq!(l.check_placement(fp(7, 7, 1, 1)), Ok(()));
    }

    #[test]
    fn solid_tiles_follow_inserts_and_removals() {
        let mut l = layout();
        let desk = SpaceElementId::new();
        l.insert(desk, fp(1, 1, 2, 1), true);
        assert!(l.is_solid(Position::new(1, 1)) && l.is_solid(Position::new(2, 1)));
        assert!(!l.is_solid(Position::new(3, 1)));
        assert!(l.remove(desk));
        assert!(!l.is_solid(Position::new(1, 1)));
        assert!(!l.remove(desk));
    }

    #[test]
    fn overlapping_solid_pieces_keep_a_tile_solid_until_both_go() {
        let mut l = layout();
        let (a, b) = (SpaceElementId::new(), SpaceElementId::new());
        l.insert(a, fp(0, 0, 2, 2), true);
        l.insert(b, fp(1, 1, 2, 2), true);
        l.remove(a);
        assert!(l.is_solid(Position::new(1, 1)));
        assert!(!l.is_solid(Position::new(0, 0)));
    }

    #[test]
    fn rugs_never_block() {
        let mut l = layout();
        l.insert(SpaceElementId::new(), fp(0, 0, 10, 10), false);
        assert!(!l.is_solid(Position::new(5, 5)));
    }
}
