//! What the map's tiles do in Gather, read from its layers: walls (tiles that collide, or
//! any tile of a colliding layer), spawn tiles (a `start` layer, or objects of class
//! `spawn`) and private areas (rectangle objects).

use std::collections::{BTreeSet, HashSet};

use gather_core::effects::MAX_NAME_CHARS;
use gather_core::{EffectsSpec, Footprint, Position, PrivateArea, Spawn};

use super::format::Object;
use super::layers::{Grid, Layers};
use super::properties::{self, Kind};
use super::tilesets::{tile_id, Tilesets};
use super::warnings::Warnings;

const AREA_PROPERTIES: [(&str, Kind); 2] = [("locked", Kind::Bool), ("maxOccupancy", Kind::Int)];

/// The class of the objects that mark a (named) spawn tile.
const SPAWN_CLASS: &str = "spawn";

pub(super) fn read(
    layers: &Layers<'_>,
    tilesets: &Tilesets,
    grid: Grid,
    tile_px: u32,
    warnings: &mut Warnings,
) -> EffectsSpec {
    let mut spec = EffectsSpec { impassable: impassable(layers, tilesets, grid), ..Default::default() };
    let mut spawned = HashSet::new();
    for layer in layers.tiles.iter().filter(|l| l.start) {
        for (at, _) in layer.gids.iter().enumerate().filter(|(_, &gid)| gid != 0) {
            let at = position(at, grid);
            if spawned.insert(at) {
                spec.spawns.push(Spawn { at, name: None });
            }
        }
    }
    let mut objects = Objects { spec, grid, tile_px, warnings };
    for layer in &layers.objects {
        for object in layer.objects {
            objects.add(object, layer.name);
        }
    }
    objects.spec
}

/// Row by row, each tile once however many layers make it a wall.
fn impassable(layers: &Layers<'_>, tilesets: &Tilesets, grid: Grid) -> Vec<Position> {
    let mut walls = BTreeSet::new();
    for layer in &layers.tiles {
        for (at, &gid) in layer.gids.iter().enumerate() {
            // A hidden layer's own tiles do not collide (it is not there to see), but a layer
            // marked `collides` is often hidden on purpose.
            if gid != 0 && (layer.collides || (layer.visible && tilesets.collides(tile_id(gid)))) {
                walls.insert(at);
            }
        }
    }
    walls.into_iter().map(|at| position(at, grid)).collect()
}

fn position(at: usize, grid: Grid) -> Position {
    let width = grid.width as usize;
    Position::new((at % width) as i64, (at / width) as i64)
}

struct Objects<'w> {
    spec: EffectsSpec,
    grid: Grid,
    tile_px: u32,
    warnings: &'w mut Warnings,
}

impl Objects<'_> {
    fn add(&mut self, object: &Object, layer: &str) {
        let context = if object.name.is_empty() {
            format!("object {} in layer \"{layer}\"", object.id)
        } else {
            format!("object \"{}\" in layer \"{layer}\"", object.name)
        };
        if object.template.is_some() {
            self.warnings.add(format!("{context}: object templates are not supported"));
            return;
        }
        if object.rotation != 0.0 {
            self.warnings.add(format!("{context}: its rotation is ignored"));
        }
        let class = object.class();
        if class == SPAWN_CLASS {
            self.spawn(object, &context);
            return;
        }
        if let Some(shape) = object.shape() {
            self.warnings.add(format!("{context} is {shape}; only rectangles become private areas"));
            return;
        }
        if !class.is_empty() {
            self.warnings
                .add(format!("{context}: class \"{class}\" is not supported; read as a private area"));
        }
        self.area(object, &context);
    }

    /// A spawn at the tile under a point, or under a rectangle's centre.
    fn spawn(&mut self, object: &Object, context: &str) {
        properties::read(&object.properties, &[], context, self.warnings);
        let (x, y) = (object.x + object.width / 2.0, object.y + object.height / 2.0);
        let px = f64::from(self.tile_px);
        let at = Position::new((x / px).floor() as i64, (y / px).floor() as i64);
        let inside = (0..i64::from(self.grid.width)).contains(&at.x)
            && (0..i64::from(self.grid.height)).contains(&at.y);
        if !inside {
            self.warnings.add(format!("{context} lies outside the map and was left out"));
            return;
        }
        let name = object.name.trim();
        let name = (!name.is_empty()).then(|| name.to_owned());
        if name.as_ref().is_some_and(|n| n.chars().count() > MAX_NAME_CHARS) {
            self.warnings
                .add(format!("{context}: a spawn name may have at most {MAX_NAME_CHARS} characters"));
            return;
        }
        if name.is_some() && self.spec.spawns.iter().any(|s| s.name == name) {
            self.warnings.add(format!("{context}: another spawn has this name; it was left out"));
            return;
        }
        self.spec.spawns.retain(|s| s.at != at || s.name.is_some());
        self.spec.spawns.push(Spawn { at, name });
    }

    /// The tiles the rectangle touches, clipped to the map.
    fn area(&mut self, object: &Object, context: &str) {
        let props = properties::read(&object.properties, &AREA_PROPERTIES, context, self.warnings);
        let px = f64::from(self.tile_px);
        let tiles = |from: f64, to: f64, side: u32| {
            let start = (from / px).floor().clamp(0.0, f64::from(side));
            let end = (to / px).ceil().clamp(0.0, f64::from(side));
            (start as i64, end as i64)
        };
        let (x0, x1) = tiles(object.x, object.x + object.width, self.grid.width);
        let (y0, y1) = tiles(object.y, object.y + object.height, self.grid.height);
        if x1 <= x0 || y1 <= y0 {
            self.warnings.add(format!("{context} covers no tile of the map and was left out"));
            return;
        }
        let region = Footprint::new(Position::new(x0, y0), (x1 - x0) as u32, (y1 - y0) as u32);
        if let Some(earlier) = self.spec.areas.iter().find(|a| a.region.overlaps(&region)) {
            self.warnings.add(format!("{context} overlaps the area \"{}\" and was left out", earlier.name));
            return;
        }
        let name = object.name.trim();
        let name = if name.is_empty() {
            format!("Area {}", self.spec.areas.len() + 1)
        } else if name.chars().count() > MAX_NAME_CHARS {
            self.warnings.add(format!("{context}: its name is cut to {MAX_NAME_CHARS} characters"));
            name.chars().take(MAX_NAME_CHARS).collect()
        } else {
            name.to_owned()
        };
        let max_occupancy = props.int("maxOccupancy").and_then(|max| {
            let max = u32::try_from(max).ok().filter(|&max| max > 0);
            if max.is_none() {
                self.warnings.add(format!("{context}: \"maxOccupancy\" must be at least 1; it is ignored"));
            }
            max
        });
        self.spec.areas.push(PrivateArea { name, region, locked: props.flag("locked"), max_occupancy });
    }
}
