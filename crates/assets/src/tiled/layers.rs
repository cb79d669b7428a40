//! The map's layers in drawing order, groups opened and handing down their visibility,
//! opacity and properties; each tile layer's cells decoded and checked against the map.

use std::io::Read;

use base64::Engine;

use super::error::ImportError;
use super::format::{Layer, LayerData, Object};
use super::properties::{self, Kind};
use super::tilesets::{tile_id, Tilesets};
use super::warnings::Warnings;

/// The properties a tile layer (or a group of them) may have.
const TILE_LAYER_PROPERTIES: [(&str, Kind); 2] = [("collides", Kind::Bool), ("startLayer", Kind::Bool)];

/// The layer Gather, like WorkAdventure, takes people's arrival tiles from.
const START_LAYER_NAME: &str = "start";

#[derive(Debug)]
pub(super) struct TileLayer {
    /// Global tile ids, row by row; 0 is empty.
    pub gids: Vec<u32>,
    /// Drawn on the floor: it and every group around it visible.
    pub visible: bool,
    pub opacity: f32,
    /// Its non-empty cells are impassable.
    pub collides: bool,
    /// Its non-empty cells are spawn tiles.
    pub start: bool,
}

#[derive(Debug)]
pub(super) struct ObjectLayer<'a> {
    pub name: &'a str,
    pub objects: &'a [Object],
}

#[derive(Debug, Default)]
pub(super) struct Layers<'a> {
    pub tiles: Vec<TileLayer>,
    pub objects: Vec<ObjectLayer<'a>>,
}

/// What a group hands down to the layers inside it.
#[derive(Clone, Copy)]
struct Inherited {
    visible: bool,
    opacity: f32,
    collides: bool,
    start: bool,
}

/// The map's size, for checking every layer against it.
#[derive(Clone, Copy)]
pub(super) struct Grid {
    pub width: u32,
    pub height: u32,
}

impl Grid {
    pub fn cells(self) -> usize {
        self.width as usize * self.height as usize
    }
}

pub(super) fn flatten<'a>(
    layers: &'a [Layer],
    grid: Grid,
    tilesets: &Tilesets,
    warnings: &mut Warnings,
) -> Result<Layers<'a>, ImportError> {
    let mut out = Layers::default();
    let top = Inherited { visible: true, opacity: 1.0, collides: false, start: false };
    walk(layers, top, grid, tilesets, warnings, &mut out)?;
    Ok(out)
}

fn walk<'a>(
    layers: &'a [Layer],
    around: Inherited,
    grid: Grid,
    tilesets: &Tilesets,
    warnings: &mut Warnings,
    out: &mut Layers<'a>,
) -> Result<(), ImportError> {
    for layer in layers {
        let context = format!("layer \"{}\"", layer.name);
        if layer.offsetx != 0.0 || layer.offsety != 0.0 {
            warnings.add(format!("{context}: its offset is not supported"));
        }
        if layer.tintcolor.is_some() {
            warnings.add(format!("{context}: its tint colour is not supported"));
        }
        if !layer.class.is_empty() {
            warnings.add(format!("{context}: class \"{}\" is not supported", layer.class));
        }
        let known: &[(&str, Kind)] = match layer.kind.as_str() {
            "tilelayer" | "group" => &TILE_LAYER_PROPERTIES,
            _ => &[],
        };
        let props = properties::read(&layer.properties, known, &context, warnings);
        let here = Inherited {
            visible: around.visible && layer.visible,
            opacity: around.opacity * layer.opacity.clamp(0.0, 1.0),
            collides: around.collides || props.flag("collides"),
            start: around.start || props.flag("startLayer") || layer.name == START_LAYER_NAME,
        };
        match layer.kind.as_str() {
            "tilelayer" => out.tiles.push(TileLayer {
                gids: cells(layer, &context, grid, tilesets)?,
                visible: here.visible,
                opacity: here.opacity,
                collides: here.collides,
                start: here.start,
            }),
            "objectgroup" => out.objects.push(ObjectLayer { name: &layer.name, objects: &layer.objects }),
            "group" => walk(&layer.layers, here, grid, tilesets, warnings, out)?,
            "imagelayer" => warnings.add(format!("{context}: image layers are not supported")),
            other => warnings.add(format!("{context}: layers of type \"{other}\" are not supported")),
        }
    }
    Ok(())
}

/// The layer's global tile ids, exactly one per cell of the map, each naming a tile of
/// some tileset.
fn cells(layer: &Layer, context: &str, grid: Grid, tilesets: &Tilesets) -> Result<Vec<u32>, ImportError> {
    let (width, height) = (grid.width, grid.height);
    if layer.width.is_some_and(|w| w != width) || layer.height.is_some_and(|h| h != height) {
        return Err(ImportError::BadMap(format!(
            "{context} is {}x{} tiles, but the map is {width}x{height}",
            layer.width.unwrap_or(width),
            layer.height.unwrap_or(height)
        )));
    }
    let gids = match &layer.data {
        Some(LayerData::Gids(gids)) => gids.clone(),
        Some(LayerData::Encoded(text)) => decode(layer, text, context, grid.cells())?,
        None if layer.chunks.is_some() => {
            return Err(ImportError::Unsupported(format!("{context} is in chunks, as infinite maps are")))
        }
        None => return Err(ImportError::BadMap(format!("{context} has no tile data"))),
    };
    if gids.len() != grid.cells() {
        return Err(ImportError::BadMap(format!(
            "{context} has {} tiles, but a {width}x{height} map needs {}",
            gids.len(),
            grid.cells()
        )));
    }
    let width = width as usize;
    if let Some((at, gid)) =
        gids.iter().enumerate().find(|(_, &gid)| gid != 0 && tilesets.find(tile_id(gid)).is_none())
    {
        return Err(ImportError::BadMap(format!(
            "{context}: the tile at ({}, {}) has id {}, which no tileset holds",
            at % width,
            at / width,
            tile_id(*gid)
        )));
    }
    Ok(gids)
}

/// Base64 cells: little-endian u32s, uncompressed or zlib/gzip-compressed. Inflating stops
/// one byte past what the map needs, so a small bomb cannot fill memory.
fn decode(layer: &Layer, text: &str, context: &str, cells: usize) -> Result<Vec<u32>, ImportError> {
    if layer.encoding.as_deref() != Some("base64") {
        return Err(ImportError::BadMap(format!(
            "{context}: its data is text, but its encoding is {:?} rather than base64",
            layer.encoding.as_deref().unwrap_or("none")
        )));
    }
    let text: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| ImportError::BadMap(format!("{context}: its base64 data is damaged: {e}")))?;
    let wanted = cells as u64 * 4;
    let inflate = |reader: &mut dyn Read| {
        let mut bytes = Vec::new();
        reader
            .take(wanted + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| ImportError::BadMap(format!("{context}: its compressed data is damaged: {e}")))?;
        Ok::<_, ImportError>(bytes)
    };
    let bytes = match layer.compression.as_deref() {
        None | Some("") => raw,
        Some("zlib") => inflate(&mut flate2::read::ZlibDecoder::new(raw.as_slice()))?,
        Some("gzip") => inflate(&mut flate2::read::GzDecoder::new(raw.as_slice()))?,
        Some(other) => {
            return Err(ImportError::Unsupported(format!(
                "{context} is compressed with {other}; save it uncompressed, or with zlib or gzip"
            )))
        }
    };
    if bytes.len() as u64 != wanted {
        let (had, needed) = (bytes.len() as u64, wanted);
        let had = if had > needed { format!("more than {needed}") } else { had.to_string() };
        return Err(ImportError::BadMap(format!(
            "{context} has {had} bytes of tile data, but the map's {cells} tiles need {needed}"
        )));
    }
    Ok(bytes.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect())
}
