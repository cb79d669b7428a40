//! The core rules on fuzzed spaces: a size, furniture placed only where `check_placement`
//! accepts it, then joins, moves and leaves, each checked against the reference model after
//! every step (everyone inside, off solid tiles, one to a tile, one-step moves only).
#![no_main]

// The same model as the core's property tests, so both hold the rules to one reading.
#[path = "../../crates/core/tests/model/mod.rs"]
mod model;

use arbitrary::Arbitrary;
use gather_core::geometry::MAX_SIDE;
use gather_core::{Command, Dimensions, Footprint, Position, UserId};
use libfuzzer_sys::fuzz_target;
use uuid::Uuid;

#[derive(Arbitrary, Debug)]
struct Input {
    width: u16,
    height: u16,
    pieces: Vec<Piece>,
    steps: Vec<Step>,
}

#[derive(Arbitrary, Debug)]
struct Piece {
    x: Coordinate,
    y: Coordinate,
    width: Length,
    height: Length,
    solid: bool,
}

/// `Tile` lands in or near a space often enough to matter; `Any` reaches every i64, and the
/// ends of i64, where edge arithmetic overflows, get variants of their own so they are met
/// in seconds rather than by luck.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Coordinate {
    Tile(u8),
    Any(i64),
    BelowMax(u8),
    AboveMin(u8),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Length {
    Small(u8),
    Any(u32),
}

#[derive(Arbitrary, Debug)]
enum Step {
    Join {
        who: u8,
        seed: u64,
    },
    /// Aims at a tile next to (or on, or diagonal from) where the mover stands.
    MoveBy {
        who: u8,
        dx: Nudge,
        dy: Nudge,
    },
    MoveTo {
        who: u8,
        x: Coordinate,
        y: Coordinate,
    },
    Leave {
        who: u8,
    },
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Nudge {
    Minus,
    Zero,
    Plus,
}

/// Few people, so that joins, leaves and collisions keep meeting the same ones.
const PEOPLE: u8 = 6;

fuzz_target!(|input: Input| {
    // Sides from 0 to one past the largest, so the refusals at both ends are reached too.
    let side = |raw: u16| u32::from(raw) % (MAX_SIDE + 2);
    let (width, height) = (side(input.width), side(input.height));
    let Ok(dims) = Dimensions::new(width, height) else {
        assert!(width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE, "{width}x{height}");
        return;
    };
    let pieces = input.pieces.iter().map(|p| {
        let at = Position::new(coordinate(p.x), coordinate(p.y));
        (Footprint::new(at, length(p.width), length(p.height)), p.solid)
    });
    let (mut space, mut model) = model::furnish(dims, pieces);
    for step in input.steps {
        let command = match step {
            Step::Join { who, seed } => Command::Join { user: person(who), spawn_seed: seed, spawn: None },
            Step::MoveBy { who, dx, dy } => {
                Command::Move { user: person(who), to: model.toward(person(who), nudge(dx), nudge(dy)) }
            }
            Step::MoveTo { who, x, y } => {
                Command::Move { user: person(who), to: Position::new(coordinate(x), coordinate(y)) }
            }
            Step::Leave { who } => Command::Leave { user: person(who) },
        };
        model.apply(&mut space, command);
    }
});

fn person(who: u8) -> UserId {
    UserId(Uuid::from_u128(u128::from(who % PEOPLE) + 1))
}

fn coordinate(c: Coordinate) -> i64 {
    match c {
        Coordinate::Tile(n) => i64::from(n),
        Coordinate::Any(n) => n,
        Coordinate::BelowMax(n) => i64::MAX - i64::from(n),
        Coordinate::AboveMin(n) => i64::MIN + i64::from(n),
    }
}

fn length(l: Length) -> u32 {
    match l {
        Length::Small(n) => u32::from(n),
        Length::Any(n) => n,
    }
}

fn nudge(n: Nudge) -> i64 {
    match n {
        Nudge::Minus => -1,
        Nudge::Zero => 0,
        Nudge::Plus => 1,
    }
}
