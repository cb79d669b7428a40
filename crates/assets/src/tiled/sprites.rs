//! Tile pictures, ready to draw: each tileset image read only when a visible tile needs it,
//! checked by [`normalize`] as any upload is (and within a budget for all of them), then
//! each tile cut out once, flipped as its id says, and scaled to the floor's tile size.

use std::collections::HashMap;

use image::imageops::{self, FilterType};
use image::{ImageFormat, RgbaImage};

use super::error::ImportError;
use super::files::TiledFiles;
use super::tilesets::{tile_id, Sheet, Tilesets};
use crate::normalize;
use crate::ImageLimits;

const FLIPPED_HORIZONTALLY: u32 = 0x8000_0000;
const FLIPPED_VERTICALLY: u32 = 0x4000_0000;
const FLIPPED_DIAGONALLY: u32 = 0x2000_0000;

pub(super) struct Sprites<'a> {
    tilesets: &'a Tilesets,
    files: &'a TiledFiles,
    limits: ImageLimits,
    /// Pixels of all tileset images together, once decoded.
    budget: u64,
    /// The map's tile size, and the one the floor is drawn at.
    tile_px: u32,
    drawn_px: u32,
    sheets: Vec<Option<RgbaImage>>,
    /// By global tile id, flip bits included.
    cut: HashMap<u32, RgbaImage>,
}

impl<'a> Sprites<'a> {
    pub fn new(
        tilesets: &'a Tilesets,
        files: &'a TiledFiles,
        limits: ImageLimits,
        budget: u64,
        tile_px: u32,
        drawn_px: u32,
    ) -> Self {
        let sheets = (0..tilesets.len()).map(|_| None).collect();
        Self { tilesets, files, limits, budget, tile_px, drawn_px, sheets, cut: HashMap::new() }
    }

    /// The picture of a non-empty global tile id.
    pub fn get(&mut self, gid: u32) -> Result<&RgbaImage, ImportError> {
        if !self.cut.contains_key(&gid) {
            let sprite = self.cut_out(gid)?;
            self.cut.insert(gid, sprite);
        }
        Ok(&self.cut[&gid])
    }

    fn cut_out(&mut self, gid: u32) -> Result<RgbaImage, ImportError> {
        let id = tile_id(gid);
        // Layers were checked against the tilesets, so every id has one.
        let Some((index, local)) = self.tilesets.find(id) else {
            return Err(ImportError::BadMap(format!("no tileset holds tile id {id}")));
        };
        let tilesets = self.tilesets;
        let sheet = tilesets.sheet(index);
        let image = self.sheet_image(index)?;
        let (x, y) = place(sheet, local, image.width(), image.height()).ok_or_else(|| {
            ImportError::BadMap(format!(
                "tileset \"{}\": tile {local} lies outside its image \"{}\"",
                sheet.name, sheet.image
            ))
        })?;
        let mut sprite = imageops::crop_imm(image, x, y, sheet.tile_width, sheet.tile_height).to_image();
        // Tiled's order: the diagonal flip first, then the horizontal and the vertical.
        if gid & FLIPPED_DIAGONALLY != 0 {
            sprite = RgbaImage::from_fn(sprite.height(), sprite.width(), |x, y| *sprite.get_pixel(y, x));
        }
        if gid & FLIPPED_HORIZONTALLY != 0 {
            imageops::flip_horizontal_in_place(&mut sprite);
        }
        if gid & FLIPPED_VERTICALLY != 0 {
            imageops::flip_vertical_in_place(&mut sprite);
        }
        if self.drawn_px != self.tile_px {
            let scaled = |side: u32| {
                (u64::from(side) * u64::from(self.drawn_px) / u64::from(self.tile_px)).max(1) as u32
            };
            sprite = imageops::resize(
                &sprite,
                scaled(sprite.width()),
                scaled(sprite.height()),
                FilterType::Triangle,
            );
        }
        Ok(sprite)
    }

    fn sheet_image(&mut self, index: usize) -> Result<&RgbaImage, ImportError> {
        if self.sheets[index].is_none() {
            let tilesets = self.tilesets;
            let image = self.load(tilesets.sheet(index))?;
            self.sheets[index] = Some(image);
        }
        Ok(self.sheets[index].as_ref().expect("loaded just above"))
    }

    fn load(&mut self, sheet: &Sheet) -> Result<RgbaImage, ImportError> {
        let found = self.files.find(&sheet.image_dir, &sheet.image)?;
        let bad = |reason| ImportError::BadImage { file: sheet.image.clone(), reason };
        let clean = normalize(found.bytes, self.limits).map_err(bad)?;
        let pixels = u64::from(clean.width) * u64::from(clean.height);
        self.budget = self.budget.checked_sub(pixels).ok_or_else(|| {
            ImportError::TooLarge(format!(
                "the tileset images come to more pixels than can be read for one map (at \"{}\")",
                sheet.image
            ))
        })?;
        let mut image = image::load_from_memory_with_format(&clean.png, ImageFormat::Png)
            .map_err(|e| bad(crate::RefusedImage::Broken(e.to_string())))?
            .to_rgba8();
        if let Some(key) = sheet.transparent {
            for pixel in image.pixels_mut() {
                if pixel.0[..3] == key {
                    pixel.0[3] = 0;
                }
            }
        }
        Ok(image)
    }
}

/// Where a tile's top-left corner lies in its tileset image, if all of it lies inside.
fn place(sheet: &Sheet, local: u32, image_width: u32, image_height: u32) -> Option<(u32, u32)> {
    let step_x = u64::from(sheet.tile_width) + u64::from(sheet.spacing);
    let step_y = u64::from(sheet.tile_height) + u64::from(sheet.spacing);
    let margin = u64::from(sheet.margin);
    let columns = match sheet.columns {
        0 => (u64::from(image_width).saturating_sub(margin * 2) + u64::from(sheet.spacing)) / step_x,
        columns => u64::from(columns),
    };
    if columns == 0 {
        return None;
    }
    let x = margin + u64::from(local) % columns * step_x;
    let y = margin + u64::from(local) / columns * step_y;
    let inside = x + u64::from(sheet.tile_width) <= u64::from(image_width)
        && y + u64::from(sheet.tile_height) <= u64::from(image_height);
    // Inside an image whose sides are u32, so both fit.
    inside.then_some((x as u32, y as u32))
}
