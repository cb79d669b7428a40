//! Importing a map made in Tiled (its JSON form, TMJ): the floor as one image, and walls,
//! spawn tiles and private areas as Gather effects. Only what was uploaded is read; nothing a
//! map names is fetched, and every size is checked before the work it bounds.

mod archive;
mod effects;
mod error;
mod files;
mod floor;
mod format;
mod layers;
mod properties;
mod sprites;
mod tilesets;
mod warnings;

use gather_core::geometry::MAX_SIDE;
use gather_core::{Dimensions, Effects, EffectsSpec};

pub use archive::ZipLimits;
pub use error::ImportError;
pub use files::TiledFiles;

use crate::{ImageLimits, Normalized};
use format::Map;
use layers::Grid;
use sprites::Sprites;
use tilesets::Tilesets;
use warnings::Warnings;

/// How big an imported map may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportLimits {
    /// Longest side, in tiles (Gather's spaces have at most 1000).
    pub max_side_tiles: u32,
    /// Largest tile, in pixels.
    pub max_tile_px: u32,
    /// For the composed floor and for every image the map uses.
    pub image: ImageLimits,
    /// Pixels of all tileset images together, once decoded.
    pub max_tileset_pixels: u64,
}

impl Default for ImportLimits {
    /// 300 tiles a side, tiles of up to 64 px, images as uploads have them, and 32 megapixels
    /// of tileset images (128 MiB decoded).
    fn default() -> Self {
        Self {
            max_side_tiles: 300,
            max_tile_px: 64,
            image: ImageLimits::default(),
            max_tileset_pixels: 32 * 1024 * 1024,
        }
    }
}

/// A Tiled map as Gather keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedMap {
    /// In tiles.
    pub width: u32,
    pub height: u32,
    /// The map's tile side, in pixels.
    pub tile_px: u32,
    /// Every visible tile layer drawn in order: `width * floor_tile_px` by
    /// `height * floor_tile_px` pixels.
    pub floor: Normalized,
    /// One tile's side in `floor`: `tile_px`, or less when the floor was scaled down to fit
    /// the image limits.
    pub floor_tile_px: u32,
    /// Checked as a space of `width` x `height` would check them.
    pub effects: EffectsSpec,
    /// Everything in the map that was not understood and so left out, each told once.
    pub warnings: Vec<String>,
}

/// Reads the map in `files`: orthogonal and finite, with square tiles, its tilesets
/// embedded or in .tsj/.json files among `files`.
pub fn import_tiled(files: &TiledFiles, limits: ImportLimits) -> Result<ImportedMap, ImportError> {
    let map = parse(&files.map)?;
    let (grid, tile_px) = check(&map, limits)?;
    let drawn_px = floor::drawn_tile_px(grid, tile_px, limits.image)?;
    let mut warnings = Warnings::default();
    for note in &files.notes {
        warnings.add(note.clone());
    }
    properties::read(&map.properties, &[], "the map", &mut warnings);
    let background = map.backgroundcolor.as_deref().and_then(|text| {
        let color = format::color(text);
        if color.is_none() {
            warnings.add(format!("the map: background colour \"{text}\" is not a colour"));
        }
        color
    });
    let tilesets = Tilesets::resolve(&map.tilesets, files, &mut warnings)?;
    let layers = layers::flatten(&map.layers, grid, &tilesets, &mut warnings)?;
    let effects = effects::read(&layers, &tilesets, grid, tile_px, &mut warnings);
    let dims = Dimensions::new(grid.width, grid.height)
        .map_err(|e| ImportError::TooLarge(format!("a space of {}x{}: {e}", grid.width, grid.height)))?;
    Effects::new(dims, effects.clone())?;
    let mut sprites =
        Sprites::new(&tilesets, files, limits.image, limits.max_tileset_pixels, tile_px, drawn_px);
    let floor = floor::draw(&layers.tiles, &mut sprites, grid, drawn_px, background)?;
    let floor = floor::finish(&floor, limits.image)?;
    Ok(ImportedMap {
        width: grid.width,
        height: grid.height,
        tile_px,
        floor,
        floor_tile_px: drawn_px,
        effects,
        warnings: warnings.into_list(),
    })
}

fn parse(json: &[u8]) -> Result<Map, ImportError> {
    serde_json::from_slice(json).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => {
            ImportError::BadMap(format!("it is JSON, but not a map as Tiled writes one: {e}"))
        }
        _ => ImportError::NotJson(e.to_string()),
    })
}

/// The map's kind and sizes, before anything is decoded or drawn.
fn check(map: &Map, limits: ImportLimits) -> Result<(Grid, u32), ImportError> {
    if let Some(kind) = map.kind.as_deref().filter(|&kind| kind != "map") {
        return Err(ImportError::BadMap(format!("this is a Tiled {kind}, not a map")));
    }
    let orientation = map.orientation.as_deref().unwrap_or("orthogonal");
    if orientation != "orthogonal" {
        return Err(ImportError::Unsupported(format!(
            "the map is {orientation}; only orthogonal maps can be imported"
        )));
    }
    if map.infinite {
        return Err(ImportError::Unsupported(
            "the map is infinite; give it a fixed size in Tiled (Map > Map Properties) first".to_owned(),
        ));
    }
    let max_side = limits.max_side_tiles.min(MAX_SIDE);
    if map.width == 0 || map.height == 0 {
        return Err(ImportError::BadMap("the map has no tiles".to_owned()));
    }
    if map.width > max_side || map.height > max_side {
        return Err(ImportError::TooLarge(format!(
            "the map is {}x{} tiles; at most {max_side} tiles a side",
            map.width, map.height
        )));
    }
    if map.tilewidth != map.tileheight {
        return Err(ImportError::Unsupported(format!(
            "the map's tiles are {}x{} pixels; only square tiles can be imported",
            map.tilewidth, map.tileheight
        )));
    }
    if map.tilewidth == 0 {
        return Err(ImportError::BadMap("the map's tiles have no size".to_owned()));
    }
    if map.tilewidth > limits.max_tile_px {
        return Err(ImportError::TooLarge(format!(
            "the map's tiles are {} pixels; at most {}",
            map.tilewidth, limits.max_tile_px
        )));
    }
    Ok((Grid { width: map.width, height: map.height }, map.tilewidth))
}
