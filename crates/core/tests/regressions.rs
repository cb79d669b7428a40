//! Inputs that the fuzzers and property tests found breaking the core, kept as plain tests
//! so each stays fixed without running a fuzzer.

use gather_core::{Dimensions, DimensionsError, Footprint, Layout, PlacementError, Position};

// space_rules and the placement property: a piece's right or bottom edge was `x + width`
// unchecked, which overflows near i64::MAX (a panic in debug builds, a wrap into the
// space in release ones).
#[test]
fn a_piece_at_the_end_of_i64_is_outside_the_space() {
    let near_max = i64::MAX - 157;
    let pieces = [
        (Dimensions::new(1, 1), Footprint::new(Position::new(i64::MAX, 0), 1, 1)),
        (Dimensions::new(1, 1), Footprint::new(Position::new(0, i64::MAX), 1, 1)),
        (
            Dimensions::new(256, 271),
            Footprint::new(Position::new(near_max, near_max), 2_644_352_413, 2_644_352_413),
        ),
    ];
    for (dims, piece) in pieces {
        let layout = Layout::new(dims.unwrap());
        assert_eq!(layout.check_placement(piece), Err(PlacementError::OutsideSpace), "{piece:?}");
    }
}

// http_bodies: a width too long for u32 was reported as out of range before the height was
// read, so text that is not `WxH` at all got the range message.
#[test]
fn text_that_is_not_width_x_height_is_malformed_whatever_its_width() {
    for text in ["4294967296xa", "4444444444xampl", "99999999999x"] {
        assert_eq!(Dimensions::parse(text), Err(DimensionsError::Malformed), "{text:?}");
    }
}
