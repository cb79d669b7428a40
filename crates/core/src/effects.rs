//! What a map's tiles do besides holding furniture: walls without furniture (impassable),
//! spawn tiles (some named, for links to `/space/<id>#<name>`), portals, private areas,
//! spotlight tiles and quiet zones. Pure values: the room applies them to movement, and
//! [`Effects::hears`] is the one rule of who can hear whom, for `nearby` chat, proximity
//! media and interest alike.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::geometry::{Dimensions, Footprint, Position};
use crate::ids::SpaceId;

/// Where stepping onto a portal takes you.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Portal {
    /// Another tile of the same space.
    Tile(Position),
    /// Another space (the client asks the person and joins it), at one of its named spawn
    /// tiles or anywhere it lets people arrive.
    Space { space: SpaceId, spawn: Option<String> },
}

/// A named region whose people hear only each other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateArea {
    pub name: String,
    pub region: Footprint,
    /// Newcomers need someone inside (or a moderator) to let them in.
    pub locked: bool,
    /// Most people inside at once; `None`: no limit.
    pub max_occupancy: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spawn {
    pub at: Position,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EffectsError {
    #[error("an effect lies outside the space")]
    OutsideSpace,
    #[error("two private areas overlap")]
    AreasOverlap,
    #[error("a portal leads to a tile outside the space, or onto a portal")]
    BadPortal,
    #[error("two spawn tiles share a name")]
    DuplicateSpawnName,
    #[error("a name is empty or longer than {MAX_NAME_CHARS} characters")]
    BadName,
    #[error("more than {MAX_EFFECT_ENTRIES} effects")]
    TooMany,
}

/// Longest name of a spawn tile or a private area.
pub const MAX_NAME_CHARS: usize = 64;
/// Most entries (tiles, portals, areas) a space's effects may hold: a 100x100 map painted
/// wall to wall, with room to spare.
pub const MAX_EFFECT_ENTRIES: usize = 20_000;

/// The effects of one space, checked when built.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effects {
    impassable: HashSet<Position>,
    spawns: Vec<Spawn>,
    portals: HashMap<Position, Portal>,
    areas: Vec<PrivateArea>,
    spotlights: HashSet<Position>,
    quiet: HashSet<Position>,
}

/// Everything a space's effects are made of, as an editor or a stored map gives them (and
/// as the store keeps them, in this serde form).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EffectsSpec {
    pub impassable: Vec<Position>,
    pub spawns: Vec<Spawn>,
    pub portals: Vec<(Position, Portal)>,
    pub areas: Vec<PrivateArea>,
    pub spotlights: Vec<Position>,
    pub quiet: Vec<Position>,
}

impl Effects {
    /// Checks `spec` against a space of `dims`: every effect inside it, private areas apart,
    /// portals to tiles inside (and not onto another portal: one step moves you once),
    /// spawn names unique.
    pub fn new(dims: Dimensions, spec: EffectsSpec) -> Result<Self, EffectsError> {
        let entries = spec.impassable.len()
            + spec.spawns.len()
            + spec.portals.len()
            + spec.areas.len()
            + spec.spotlights.len()
            + spec.quiet.len();
        if entries > MAX_EFFECT_ENTRIES {
            return Err(EffectsError::TooMany);
        }
        let good_name = |name: &str| !name.trim().is_empty() && name.chars().count() <= MAX_NAME_CHARS;
        let names_good = spec.areas.iter().all(|a| good_name(&a.name))
            && spec.spawns.iter().filter_map(|s| s.name.as_deref()).all(good_name)
            && spec.portals.iter().all(|(_, p)| match p {
                Portal::Space { spawn: Some(name), .. } => good_name(name),
                _ => true,
            });
        if !names_good {
            return Err(EffectsError::BadName);
        }
        let inside = |at: &Position| dims.contains(*at);
        let tiles_inside = spec.impassable.iter().chain(&spec.spotlights).chain(&spec.quiet).all(inside)
            && spec.spawns.iter().all(|s| inside(&s.at))
            && spec.portals.iter().all(|(at, _)| inside(at))
            && spec.areas.iter().all(|a| a.region.fits_in(dims));
        if !tiles_inside {
            return Err(EffectsError::OutsideSpace);
        }
        for (i, a) in spec.areas.iter().enumerate() {
            if spec.areas[i + 1..].iter().any(|b| a.region.overlaps(&b.region)) {
                return Err(EffectsError::AreasOverlap);
            }
        }
        let portals: HashMap<Position, Portal> = spec.portals.into_iter().collect();
        for portal in portals.values() {
            if let Portal::Tile(to) = portal {
                if !dims.contains(*to) || portals.contains_key(to) {
                    return Err(EffectsError::BadPortal);
                }
            }
        }
        let mut names = HashSet::new();
        if !spec.spawns.iter().filter_map(|s| s.name.as_deref()).all(|name| names.insert(name)) {
            return Err(EffectsError::DuplicateSpawnName);
        }
        Ok(Self {
            impassable: spec.impassable.into_iter().collect(),
            spawns: spec.spawns,
            portals,
            areas: spec.areas,
            spotlights: spec.spotlights.into_iter().collect(),
            quiet: spec.quiet.into_iter().collect(),
        })
    }

    /// The effects as a spec again, in a stable order (for storing and sending).
    pub fn spec(&self) -> EffectsSpec {
        let sorted = |tiles: &HashSet<Position>| {
            let mut tiles: Vec<Position> = tiles.iter().copied().collect();
            tiles.sort_by_key(|p| (p.y, p.x));
            tiles
        };
        let mut portals: Vec<(Position, Portal)> =
            self.portals.iter().map(|(a, p)| (*a, p.clone())).collect();
        portals.sort_by_key(|(at, _)| (at.y, at.x));
        EffectsSpec {
            impassable: sorted(&self.impassable),
            spawns: self.spawns.clone(),
            portals,
            areas: self.areas.clone(),
            spotlights: sorted(&self.spotlights),
            quiet: sorted(&self.quiet),
        }
    }

    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// Nobody may stand here (a wall without furniture).
    pub fn is_impassable(&self, at: Position) -> bool {
        self.impassable.contains(&at)
    }

    /// The tiles people arrive on; empty: anywhere free.
    pub fn spawns(&self) -> &[Spawn] {
        &self.spawns
    }

    pub fn named_spawn(&self, name: &str) -> Option<Position> {
        self.spawns.iter().find(|s| s.name.as_deref() == Some(name)).map(|s| s.at)
    }

    pub fn portal_at(&self, at: Position) -> Option<&Portal> {
        self.portals.get(&at)
    }

    /// The private area a tile lies in, by its index.
    pub fn area_of(&self, at: Position) -> Option<usize> {
        self.areas.iter().position(|a| a.region.covers(at))
    }

    pub fn area(&self, index: usize) -> Option<&PrivateArea> {
        self.areas.get(index)
    }

    pub fn has_locked_areas(&self) -> bool {
        self.areas.iter().any(|a| a.locked)
    }

    pub fn is_spotlight(&self, at: Position) -> bool {
        self.spotlights.contains(&at)
    }

    pub fn is_quiet(&self, at: Position) -> bool {
        self.quiet.contains(&at)
    }

    /// Whether someone at `listener` hears someone speaking at `speaker`, when people hear
    /// each other within `radius` tiles:
    /// 1. a speaker on a spotlight tile reaches everyone (the audience's cap is the
    ///    caller's, see [`Effects::audience`]);
    /// 2. otherwise private areas part people: inside one, you hear exactly those inside
    ///    it, whatever the distance; outside, nobody inside;
    /// 3. in a quiet zone (either of the two), only the tiles around one's own;
    /// 4. otherwise, within the radius.
    pub fn hears(&self, speaker: Position, listener: Position, radius: u32) -> bool {
        if self.is_spotlight(speaker) {
            return true;
        }
        match (self.area_of(speaker), self.area_of(listener)) {
            (Some(a), Some(b)) => return a == b,
            (None, None) => {}
            _ => return false,
        }
        if self.is_quiet(speaker) || self.is_quiet(listener) {
            return speaker.x.abs_diff(listener.x) <= 1 && speaker.y.abs_diff(listener.y) <= 1;
        }
        speaker.within(listener, radius)
    }

    /// Who of `others` hears someone speaking at `speaker`: those [`Effects::hears`]
    /// admits, nearest first, at most `spotlight_cap` of them from a spotlight.
    pub fn audience<U: Copy>(
        &self,
        speaker: Position,
        others: impl IntoIterator<Item = (U, Position)>,
        radius: u32,
        spotlight_cap: usize,
    ) -> Vec<U> {
        let mut heard: Vec<(u128, usize, U)> = others
            .into_iter()
            .enumerate()
            .filter(|(_, (_, at))| self.hears(speaker, *at, radius))
            .map(|(order, (user, at))| (speaker.distance_squared(at), order, user))
            .collect();
        heard.sort_by_key(|(distance, order, _)| (*distance, *order));
        if self.is_spotlight(speaker) {
            heard.truncate(spotlight_cap);
        }
        heard.into_iter().map(|(_, _, user)| user).collect()
    }

    /// Whether one more person may enter the area at `at`, with `inside` people there now.
    pub fn has_room(&self, at: Position, inside: usize) -> bool {
        let Some(area) = self.area_of(at).and_then(|i| self.area(i)) else { return true };
        area.max_occupancy.is_none_or(|max| inside < max as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dims() -> Dimensions {
        Dimensions::new(20, 10).unwrap()
    }

    fn room(x: i64, y: i64, w: u32, h: u32) -> PrivateArea {
        PrivateArea {
            name: "room".into(),
            region: Footprint::new(Position::new(x, y), w, h),
            locked: false,
            max_occupancy: None,
        }
    }

    fn effects(spec: EffectsSpec) -> Effects {
        Effects::new(dims(), spec).unwrap()
    }

    #[test]
    fn effects_outside_the_space_or_overlapping_are_refused() {
        let outside = EffectsSpec { impassable: vec![Position::new(20, 0)], ..Default::default() };
        assert_eq!(Effects::new(dims(), outside), Err(EffectsError::OutsideSpace));
        let spill = EffectsSpec { areas: vec![room(18, 0, 3, 3)], ..Default::default() };
        assert_eq!(Effects::new(dims(), spill), Err(EffectsError::OutsideSpace));
        let overlap = EffectsSpec { areas: vec![room(0, 0, 3, 3), room(2, 2, 3, 3)], ..Default::default() };
        assert_eq!(Effects::new(dims(), overlap), Err(EffectsError::AreasOverlap));
        let loop_back = EffectsSpec {
            portals: vec![
                (Position::new(1, 1), Portal::Tile(Position::new(5, 5))),
                (Position::new(5, 5), Portal::Tile(Position::new(1, 1))),
            ],
            ..Default::default()
        };
        assert_eq!(Effects::new(dims(), loop_back), Err(EffectsError::BadPortal));
        let named = |x| Spawn { at: Position::new(x, 0), name: Some("stage".into()) };
        let twice = EffectsSpec { spawns: vec![named(1), named(2)], ..Default::default() };
        assert_eq!(Effects::new(dims(), twice), Err(EffectsError::DuplicateSpawnName));
    }

    #[test]
    fn names_and_sizes_are_bounded_and_a_spec_comes_back_as_it_went() {
        let unnamed = PrivateArea { name: " ".into(), ..room(0, 0, 2, 2) };
        let bad = EffectsSpec { areas: vec![unnamed], ..Default::default() };
        assert_eq!(Effects::new(dims(), bad), Err(EffectsError::BadName));
        let many = EffectsSpec {
            impassable: vec![Position::new(0, 0); MAX_EFFECT_ENTRIES + 1],
            ..Default::default()
        };
        assert_eq!(Effects::new(dims(), many), Err(EffectsError::TooMany));
        let spec = EffectsSpec {
            impassable: vec![Position::new(1, 0), Position::new(0, 1)],
            spawns: vec![Spawn { at: Position::new(2, 2), name: Some("door".into()) }],
            portals: vec![(Position::new(3, 3), Portal::Space { space: SpaceId::new(), spawn: None })],
            areas: vec![room(10, 0, 3, 3)],
            spotlights: vec![Position::new(4, 4)],
            quiet: vec![Position::new(5, 5)],
        };
        let back = Effects::new(dims(), spec.clone()).unwrap().spec();
        assert_eq!(back.impassable, [Position::new(1, 0), Position::new(0, 1)], "row by row");
        assert_eq!((&back.spawns, &back.portals, &back.areas), (&spec.spawns, &spec.portals, &spec.areas));
        let json = serde_json::to_string(&spec).unwrap();
        assert_eq!(serde_json::from_str::<EffectsSpec>(&json).unwrap(), spec, "{json}");
        assert_eq!(serde_json::from_str::<EffectsSpec>("{}").unwrap(), EffectsSpec::default());
    }

    #[test]
    fn tiles_answer_for_their_effects() {
        let there = Position::new(9, 9);
        let e = effects(EffectsSpec {
            impassable: vec![Position::new(3, 3)],
            spawns: vec![Spawn { at: Position::new(1, 1), name: Some("door".into()) }],
            portals: vec![(Position::new(2, 2), Portal::Tile(there))],
            spotlights: vec![Position::new(4, 4)],
            quiet: vec![Position::new(5, 5)],
            ..Default::default()
        });
        assert!(e.is_impassable(Position::new(3, 3)) && !e.is_impassable(Position::new(3, 4)));
        assert_eq!(e.named_spawn("door"), Some(Position::new(1, 1)));
        assert_eq!(e.named_spawn("window"), None);
        assert_eq!(e.portal_at(Position::new(2, 2)), Some(&Portal::Tile(there)));
        assert!(e.is_spotlight(Position::new(4, 4)) && e.is_quiet(Position::new(5, 5)));
    }

    #[test]
    fn a_private_area_hears_exactly_those_inside() {
        let e = effects(EffectsSpec { areas: vec![room(0, 0, 4, 4)], ..Default::default() });
        let (inside, far_inside, outside) = (Position::new(0, 0), Position::new(3, 3), Position::new(4, 0));
        assert!(e.hears(inside, far_inside, 1), "inside, distance does not matter");
        assert!(!e.hears(inside, outside, 5) && !e.hears(outside, inside, 5), "the wall works both ways");
        let people = [("a", far_inside), ("b", outside), ("c", Position::new(1, 1))];
        assert_eq!(e.audience(inside, people, 5, 100), ["c", "a"]);
    }

    #[test]
    fn a_spotlight_reaches_everyone_up_to_its_cap_nearest_first() {
        let stage = Position::new(10, 0);
        let e = effects(EffectsSpec {
            spotlights: vec![stage],
            areas: vec![room(0, 5, 3, 3)],
            ..Default::default()
        });
        let people: Vec<(usize, Position)> = (0..20).map(|i| (i, Position::new(i as i64, 9))).collect();
        let all = e.audience(stage, people.clone(), 1, 100);
        assert_eq!(all.len(), 20, "radius and private areas give way to the spotlight");
        let capped = e.audience(stage, people, 1, 3);
        assert_eq!(capped, [10, 9, 11], "the nearest three");
        assert!(!e.hears(Position::new(9, 0), stage, 0), "off the spotlight, the usual rules");
    }

    #[test]
    fn a_quiet_zone_carries_only_to_the_next_tile() {
        let e = effects(EffectsSpec { quiet: vec![Position::new(5, 5)], ..Default::default() });
        assert!(e.hears(Position::new(5, 5), Position::new(6, 6), 5));
        assert!(!e.hears(Position::new(5, 5), Position::new(7, 5), 5));
        assert!(!e.hears(Position::new(7, 5), Position::new(5, 5), 5), "nor into it");
        assert!(e.hears(Position::new(7, 5), Position::new(9, 5), 5), "outside, the radius");
    }

    #[test]
    fn an_area_with_a_maximum_fills_up() {
        let full = PrivateArea { max_occupancy: Some(2), ..room(0, 0, 3, 3) };
        let e = effects(EffectsSpec { areas: vec![full], ..Default::default() });
        assert!(e.has_room(Position::new(1, 1), 1));
        assert!(!e.has_room(Position::new(1, 1), 2));
        assert!(e.has_room(Position::new(10, 1), 1000), "outside any area there is always room");
    }
}
