//! Properties of the core rules on random spaces: furniture goes only where it fits, and
//! after any sequence of joins, moves and leaves everyone stands inside, off solid tiles and
//! alone on their tile. The rules themselves are checked by `model`.

mod model;

use gather_core::geometry::MAX_SIDE;
use gather_core::Layout;
use gather_core::{
    ChatScope, Command, Dimensions, DimensionsError, Effects, EffectsSpec, Event, Footprint, Portal,
    Position, PrivateArea, Space, UserId,
};
use proptest::prelude::*;

/// Mostly small spaces, where furniture and people collide; now and then a big one.
fn side() -> impl Strategy<Value = u32> {
    prop_oneof![6 => 1..=8u32, 1 => 1..=MAX_SIDE]
}

/// Mostly near the space, sometimes anywhere, including the extremes of i64.
fn coordinate() -> impl Strategy<Value = i64> {
    prop_oneof![8 => -2..=10i64, 1 => any::<i64>(), 1 => prop_oneof![Just(i64::MIN), Just(i64::MAX)]]
}

fn length() -> impl Strategy<Value = u32> {
    prop_oneof![8 => 0..=4u32, 1 => any::<u32>(), 1 => Just(u32::MAX)]
}

fn piece() -> impl Strategy<Value = (Footprint, bool)> {
    (coordinate(), coordinate(), length(), length(), any::<bool>())
        .prop_map(|(x, y, width, height, solid)| (Footprint::new(Position::new(x, y), width, height), solid))
}

/// A command for the `who`th person; moves mostly aim at a neighbouring tile.
#[derive(Debug, Clone)]
enum Step {
    Join { who: usize, seed: u64 },
    MoveBy { who: usize, dx: i64, dy: i64 },
    MoveTo { who: usize, x: i64, y: i64 },
    Leave { who: usize },
    Return { who: usize, x: i64, y: i64, seed: u64 },
}

const PEOPLE: usize = 4;

fn step() -> impl Strategy<Value = Step> {
    let who = 0..PEOPLE;
    prop_oneof![
        2 => (who.clone(), any::<u64>()).prop_map(|(who, seed)| Step::Join { who, seed }),
        6 => (who.clone(), -1..=1i64, -1..=1i64).prop_map(|(who, dx, dy)| Step::MoveBy { who, dx, dy }),
        1 => (who.clone(), coordinate(), coordinate()).prop_map(|(who, x, y)| Step::MoveTo { who, x, y }),
        1 => who.clone().prop_map(|who| Step::Leave { who }),
        1 => (who, 0..12i64, 0..12i64, any::<u64>()).prop_map(|(who, x, y, seed)| Step::Return { who, x, y, seed }),
    ]
}

/// What `Dimensions::parse` should make of `text`, read straight from the contract:
/// digits, an `x`, digits, each side 1 to 1000, blanks around allowed.
fn expected_dimensions(text: &str) -> Result<Dimensions, DimensionsError> {
    let (w, h) = text.trim().split_once('x').ok_or(DimensionsError::Malformed)?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(w) || !digits(h) {
        return Err(DimensionsError::Malformed);
    }
    let side = |s: &str| s.trim_start_matches('0').parse::<u32>().ok().filter(|n| (1..=MAX_SIDE).contains(n));
    match (side(w), side(h)) {
        (Some(width), Some(height)) => Ok(Dimensions { width, height }),
        _ => Err(DimensionsError::OutOfRange),
    }
}

proptest! {
    // A failure found here becomes a plain test in regressions.rs, not a seed file.
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn furniture_goes_only_where_it_fits_and_never_over_something_solid(
        width in side(),
        height in side(),
        pieces in prop::collection::vec(piece(), 0..12),
    ) {
        model::furnish(Dimensions::new(width, height).unwrap(), pieces);
    }

    #[test]
    fn people_stay_inside_off_solid_tiles_and_one_to_a_tile(
        width in side(),
        height in side(),
        pieces in prop::collection::vec(piece(), 0..8),
        steps in prop::collection::vec(step(), 0..40),
    ) {
        let (mut space, mut model) = model::furnish(Dimensions::new(width, height).unwrap(), pieces);
        let people: Vec<UserId> = (0..PEOPLE).map(|_| UserId::new()).collect();
        for step in steps {
            let command = match step {
                Step::Join { who, seed } => Command::Join { user: people[who], spawn_seed: seed, spawn: None },
                Step::MoveBy { who, dx, dy } => {
                    Command::Move { user: people[who], to: model.toward(people[who], dx, dy) }
                }
                Step::MoveTo { who, x, y } => Command::Move { user: people[who], to: Position::new(x, y) },
                Step::Leave { who } => Command::Leave { user: people[who] },
                Step::Return { who, x, y, seed } => {
                    Command::Return { user: people[who], at: Some(Position::new(x, y)), spawn_seed: seed }
                }
            };
            model.apply(&mut space, command);
        }
    }

    #[test]
    fn nobody_ever_stands_on_an_impassable_tile(
        walls in prop::collection::vec((0..8i64, 0..8i64), 0..30),
        steps in prop::collection::vec(step(), 0..60),
    ) {
        let dims = Dimensions::new(8, 8).unwrap();
        let impassable: Vec<Position> = walls.into_iter().map(|(x, y)| Position::new(x, y)).collect();
        let mut space = Space::new(Layout::new(dims));
        space.set_effects(Effects::new(dims, EffectsSpec { impassable: impassable.clone(), ..Default::default() }).unwrap());
        let people: Vec<UserId> = (0..PEOPLE).map(|_| UserId::new()).collect();
        for step in steps {
            let command = match step {
                Step::Join { who, seed } => Command::Join { user: people[who], spawn_seed: seed, spawn: None },
                Step::MoveBy { who, dx, dy } => {
                    let at = space.position_of(people[who]).unwrap_or(Position::new(0, 0));
                    Command::Move { user: people[who], to: Position::new(at.x + dx, at.y + dy) }
                }
                Step::MoveTo { who, x, y } => Command::Move { user: people[who], to: Position::new(x, y) },
                Step::Leave { who } => Command::Leave { user: people[who] },
                Step::Return { who, x, y, seed } => {
                    Command::Return { user: people[who], at: Some(Position::new(x, y)), spawn_seed: seed }
                }
            };
            let _ = space.apply(command);
            for (user, at) in space.users() {
                prop_assert!(!impassable.contains(&at), "{user:?} stands on the wall at {at:?}");
            }
        }
    }

    #[test]
    fn a_private_area_hears_exactly_those_inside_it(
        (x, y, w, h) in (0..6i64, 0..6i64, 1..5u32, 1..5u32),
        others in prop::collection::vec((0..10i64, 0..10i64), 1..12),
        radius in 0..15u32,
    ) {
        let dims = Dimensions::new(10, 10).unwrap();
        let region = Footprint::new(Position::new(x, y), w, h);
        let area = PrivateArea { name: "room".into(), region, locked: false, max_occupancy: None };
        let mut space = Space::new(Layout::new(dims));
        space.set_effects(Effects::new(dims, EffectsSpec { areas: vec![area], ..Default::default() }).unwrap());
        let speaker = UserId::new();
        prop_assert!(space.restore(speaker, region.at));
        let mut inside = Vec::new();
        for (ox, oy) in others {
            let (user, at) = (UserId::new(), Position::new(ox, oy));
            if space.restore(user, at) && region.covers(at) {
                inside.push(user);
            }
        }
        let mut heard = space.chat_audience(speaker, ChatScope::Nearby, None, radius).unwrap();
        heard.sort();
        inside.sort();
        prop_assert_eq!(heard, inside);
    }

    #[test]
    fn a_step_onto_a_portal_moves_you_at_most_once_and_only_where_it_leads(
        portals in prop::collection::vec(((0..8i64, 0..8i64), (0..8i64, 0..8i64)), 0..10),
        steps in prop::collection::vec((0..PEOPLE, 0..4usize), 0..80),
    ) {
        let dims = Dimensions::new(8, 8).unwrap();
        // Portals whose landing is no portal (the rule `Effects::new` checks).
        let mut spec = EffectsSpec::default();
        for ((fx, fy), (tx, ty)) in portals {
            let (from, to) = (Position::new(fx, fy), Position::new(tx, ty));
            let taken = spec.portals.iter().any(|(f, p)| *f == from || *f == to || *p == Portal::Tile(from));
            if from != to && !taken {
                spec.portals.push((from, Portal::Tile(to)));
            }
        }
        let leads: Vec<(Position, Position)> =
            spec.portals.iter().map(|(f, p)| (*f, match p { Portal::Tile(t) => *t, _ => unreachable!() })).collect();
        let mut space = Space::new(Layout::new(dims));
        space.set_effects(Effects::new(dims, spec).unwrap());
        let people: Vec<UserId> = (0..PEOPLE).map(|_| UserId::new()).collect();
        for (i, user) in people.iter().enumerate() {
            space.join(*user, i as u64 * 13).unwrap();
        }
        for (who, dir) in steps {
            let user = people[who];
            let from = space.position_of(user).unwrap();
            let (dx, dy) = [(1, 0), (-1, 0), (0, 1), (0, -1)][dir];
            let to = Position::new(from.x + dx, from.y + dy);
            let out = space.apply(Command::Move { user, to }).unwrap();
            let now = space.position_of(user).unwrap();
            let teleports = out.iter().filter(|o| matches!(o.event, Event::Teleported { .. })).count();
            match leads.iter().find(|(f, _)| *f == to) {
                _ if now == from => prop_assert_eq!(teleports, 0, "refused, nothing else happens"),
                Some((_, landing)) if now == *landing => prop_assert_eq!(teleports, 1),
                Some(_) => {
                    prop_assert_eq!(now, to, "a taken landing leaves you on the portal");
                    prop_assert_eq!(teleports, 0);
                }
                None => {
                    prop_assert_eq!(now, to, "a plain step");
                    prop_assert_eq!(teleports, 0);
                }
            }
        }
    }

    #[test]
    fn dimensions_parse_every_size_from_1x1_to_1000x1000(width in 1..=MAX_SIDE, height in 1..=MAX_SIDE) {
        prop_assert_eq!(Dimensions::parse(&format!("{width}x{height}")), Ok(Dimensions { width, height }));
    }

    #[test]
    fn dimensions_parse_accepts_exactly_width_x_height(
        text in prop_oneof![
            r"[ \t]?0*[0-9]{0,5}x0*[0-9]{0,5}[ \t]?",
            r"[0-9]{6,12}x[0-9a-z]{0,6}",
            r"[ 0-9x+\-.]{0,10}",
            r"\PC{0,12}",
        ],
    ) {
        prop_assert_eq!(Dimensions::parse(&text), expected_dimensions(&text));
    }
}
