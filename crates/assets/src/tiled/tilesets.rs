//! The map's tilesets, embedded or in .tsj/.json files beside it, resolved once: which global
//! tile id belongs to which tileset, where each tile lies in its image, and which collide.
//! Images are not read here; the floor reads those it draws.

use std::collections::HashSet;

use super::error::ImportError;
use super::files::TiledFiles;
use super::format::{self, Tileset, TilesetRef};
use super::properties::{self, Kind};
use super::warnings::Warnings;

/// The bits of a global tile id that flip or rotate it rather than name it.
const FLIP_BITS: u32 = 0xF000_0000;

/// The tile a global tile id names, its flip bits cleared.
pub(super) fn tile_id(gid: u32) -> u32 {
    gid & !FLIP_BITS
}

#[derive(Debug)]
pub(super) struct Sheet {
    pub name: String,
    pub firstgid: u32,
    pub tile_width: u32,
    pub tile_height: u32,
    /// 0: work it out from the image's width.
    pub columns: u32,
    pub margin: u32,
    pub spacing: u32,
    /// 0: as many as the image holds.
    pub tile_count: u32,
    /// The image, as written in the tileset, and the folder it is relative to.
    pub image: String,
    pub image_dir: Vec<String>,
    pub transparent: Option<[u8; 3]>,
    colliding: HashSet<u32>,
}

#[derive(Debug, Default)]
pub(super) struct Tilesets {
    /// By `firstgid`, ascending.
    sheets: Vec<Sheet>,
}

impl Tilesets {
    pub fn resolve(
        refs: &[TilesetRef],
        files: &TiledFiles,
        warnings: &mut Warnings,
    ) -> Result<Self, ImportError> {
        let mut sheets = Vec::with_capacity(refs.len());
        for tileset_ref in refs {
            sheets.push(match &tileset_ref.source {
                None => sheet(tileset_ref.firstgid, &tileset_ref.tileset, &files.map_dir, warnings)?,
                Some(source) => external(tileset_ref.firstgid, source, files, warnings)?,
            });
        }
        sheets.sort_by_key(|s| s.firstgid);
        Ok(Self { sheets })
    }

    /// The tileset a tile id (flip bits cleared) belongs to, and the tile's index in it.
    pub fn find(&self, id: u32) -> Option<(usize, u32)> {
        let index = self.sheets.partition_point(|s| s.firstgid <= id).checked_sub(1)?;
        let sheet = &self.sheets[index];
        let local = id - sheet.firstgid;
        (sheet.tile_count == 0 || local < sheet.tile_count).then_some((index, local))
    }

    pub fn sheet(&self, index: usize) -> &Sheet {
        &self.sheets[index]
    }

    pub fn len(&self) -> usize {
        self.sheets.len()
    }

    /// Whether the tile has the bool property `collides` set.
    pub fn collides(&self, id: u32) -> bool {
        self.find(id).is_some_and(|(index, local)| self.sheets[index].colliding.contains(&local))
    }
}

fn external(
    firstgid: u32,
    source: &str,
    files: &TiledFiles,
    warnings: &mut Warnings,
) -> Result<Sheet, ImportError> {
    if source.to_ascii_lowercase().ends_with(".tsx") {
        return Err(ImportError::Unsupported(format!(
            "the tileset \"{source}\" is in Tiled's XML format; export it as JSON (.tsj) or embed it in the map"
        )));
    }
    let found = files.find(&files.map_dir, source)?;
    let tileset: Tileset = serde_json::from_slice(found.bytes)
        .map_err(|e| ImportError::BadMap(format!("the tileset \"{source}\" is not Tiled JSON: {e}")))?;
    sheet(firstgid, &tileset, &found.dir, warnings)
}

fn sheet(
    firstgid: u32,
    tileset: &Tileset,
    dir: &[String],
    warnings: &mut Warnings,
) -> Result<Sheet, ImportError> {
    let name = &tileset.name;
    let context = format!("tileset \"{name}\"");
    if firstgid == 0 || firstgid > !FLIP_BITS {
        return Err(ImportError::BadMap(format!("{context} starts at tile id {firstgid}")));
    }
    let Some(image) = tileset.image.clone() else {
        return Err(ImportError::Unsupported(format!(
            "{context} is a collection of images; only tilesets made from one image can be imported"
        )));
    };
    if tileset.tilewidth == 0 || tileset.tileheight == 0 {
        return Err(ImportError::BadMap(format!("{context} has tiles of no size")));
    }
    if tileset.tileoffset.as_ref().is_some_and(|o| o.x != 0 || o.y != 0) {
        warnings.add(format!("{context}: the tile offset is not supported"));
    }
    properties::read(&tileset.properties, &[], &context, warnings);
    let mut colliding = HashSet::new();
    for tile in &tileset.tiles {
        let context = format!("{context} tile {}", tile.id);
        if properties::read(&tile.properties, &[("collides", Kind::Bool)], &context, warnings)
            .flag("collides")
        {
            colliding.insert(tile.id);
        }
        if tile.objectgroup.is_some() {
            warnings.add(format!(
                "{context}: collision shapes are not supported; give the tile the bool property \"collides\""
            ));
        }
        if tile.animation.is_some() {
            warnings.add(format!("{context}: animation is not supported; its first frame is drawn"));
        }
        if tile.image.is_some() {
            warnings.add(format!("{context}: an image of its own is not supported"));
        }
        if !tile.class.is_empty() {
            warnings.add(format!("{context}: class \"{}\" is not supported", tile.class));
        }
    }
    let transparent = tileset.transparentcolor.as_deref().and_then(|text| {
        let color = format::color(text);
        if color.is_none() {
            warnings.add(format!("{context}: transparent colour \"{text}\" is not a colour"));
        }
        color.map(|[r, g, b, _]| [r, g, b])
    });
    Ok(Sheet {
        name: name.clone(),
        firstgid,
        tile_width: tileset.tilewidth,
        tile_height: tileset.tileheight,
        columns: tileset.columns,
        margin: tileset.margin,
        spacing: tileset.spacing,
        tile_count: tileset.tilecount,
        image,
        image_dir: dir.to_vec(),
        transparent,
        colliding,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flip_bits_are_not_part_of_the_tile() {
        assert_eq!(tile_id(0x8000_0002), 2);
        assert_eq!(tile_id(0xE000_0007), 7);
        assert_eq!(tile_id(0x1000_0001), 1, "the hexagonal rotation bit too");
    }
}
