//! The floor: every visible tile layer drawn in order into one picture, at the map's tile size
//! or, when that would pass the image limits, at the largest smaller size that fits (decided
//! before any pixel is allocated).

use image::codecs::png::PngEncoder;
use image::{Rgba, RgbaImage};

use super::error::ImportError;
use super::layers::{Grid, TileLayer};
use super::sprites::Sprites;
use crate::{normalize, ImageLimits, Normalized};

/// The side of one tile in the floor image: `tile_px`, or less so the whole floor fits.
pub(super) fn drawn_tile_px(grid: Grid, tile_px: u32, limits: ImageLimits) -> Result<u32, ImportError> {
    let (width, height) = (u64::from(grid.width), u64::from(grid.height));
    let fits = |px: u64| {
        width * px <= u64::from(limits.max_side)
            && height * px <= u64::from(limits.max_side)
            && width * height * px * px <= limits.max_pixels
    };
    (1..=u64::from(tile_px)).rev().find(|&px| fits(px)).map(|px| px as u32).ok_or_else(|| {
        ImportError::TooLarge(format!(
            "a {}x{} map does not fit in a floor image of at most {} pixels a side and {} in all, \
             even at one pixel a tile",
            grid.width, grid.height, limits.max_side, limits.max_pixels
        ))
    })
}

pub(super) fn draw(
    layers: &[TileLayer],
    sprites: &mut Sprites<'_>,
    grid: Grid,
    drawn_px: u32,
    background: Option<[u8; 4]>,
) -> Result<RgbaImage, ImportError> {
    let mut floor = RgbaImage::from_pixel(
        grid.width * drawn_px,
        grid.height * drawn_px,
        Rgba(background.unwrap_or([0, 0, 0, 0])),
    );
    let width = grid.width as usize;
    for layer in layers.iter().filter(|l| l.visible && l.opacity > 0.0) {
        for (at, &gid) in layer.gids.iter().enumerate().filter(|(_, &gid)| gid != 0) {
            let sprite = sprites.get(gid)?;
            let x = i64::from((at % width) as u32 * drawn_px);
            // Tiles taller than the grid stand on their cell's bottom edge, as Tiled draws them.
            let y = i64::from((at / width) as u32 * drawn_px + drawn_px) - i64::from(sprite.height());
            paint(&mut floor, sprite, x, y, layer.opacity);
        }
    }
    Ok(floor)
}

/// The floor as a PNG Gather keeps, through the same checks as any upload.
pub(super) fn finish(floor: &RgbaImage, limits: ImageLimits) -> Result<Normalized, ImportError> {
    let bad = |reason| ImportError::BadImage { file: "the floor".to_owned(), reason };
    let mut png = Vec::new();
    floor
        .write_with_encoder(PngEncoder::new(&mut png))
        .map_err(|e| bad(crate::RefusedImage::Broken(e.to_string())))?;
    normalize(&png, limits).map_err(bad)
}

/// Draws `sprite` over `floor` with its top-left corner at (x, y), clipped to the floor.
fn paint(floor: &mut RgbaImage, sprite: &RgbaImage, x: i64, y: i64, opacity: f32) {
    for (sx, sy, &source) in sprite.enumerate_pixels() {
        let (fx, fy) = (x + i64::from(sx), y + i64::from(sy));
        if (0..i64::from(floor.width())).contains(&fx) && (0..i64::from(floor.height())).contains(&fy) {
            let below = floor.get_pixel_mut(fx as u32, fy as u32);
            *below = over(*below, source, opacity);
        }
    }
}

/// `top` over `below`, straight (not premultiplied) alpha.
fn over(below: Rgba<u8>, top: Rgba<u8>, opacity: f32) -> Rgba<u8> {
    let top_alpha = f32::from(top[3]) / 255.0 * opacity;
    if top_alpha >= 1.0 {
        return top;
    }
    if top_alpha <= 0.0 {
        return below;
    }
    let below_alpha = f32::from(below[3]) / 255.0 * (1.0 - top_alpha);
    let alpha = top_alpha + below_alpha;
    let channel = |i: usize| {
        ((f32::from(top[i]) * top_alpha + f32::from(below[i]) * below_alpha) / alpha).round() as u8
    };
    Rgba([channel(0), channel(1), channel(2), (alpha * 255.0).round() as u8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_floor_that_would_pass_the_limits_is_drawn_smaller() {
        let limits = ImageLimits { max_side: 100, max_pixels: 100 * 100 };
        let grid = |width, height| Grid { width, height };
        assert_eq!(drawn_tile_px(grid(10, 8), 16, limits), Ok(10));
        assert_eq!(drawn_tile_px(grid(5, 5), 16, limits), Ok(16));
        assert!(matches!(drawn_tile_px(grid(101, 1), 16, limits), Err(ImportError::TooLarge(_))));
        let few_pixels = ImageLimits { max_side: 1000, max_pixels: 400 };
        assert_eq!(drawn_tile_px(grid(10, 10), 16, few_pixels), Ok(2));
    }

    #[test]
    fn colours_mix_by_alpha_and_opacity() {
        let red = Rgba([255, 0, 0, 255]);
        let blue = Rgba([0, 0, 255, 255]);
        assert_eq!(over(red, blue, 1.0), blue);
        assert_eq!(over(red, blue, 0.0), red);
        assert_eq!(over(red, blue, 0.5), Rgba([128, 0, 128, 255]));
        assert_eq!(over(Rgba([0, 0, 0, 0]), blue, 0.5), Rgba([0, 0, 255, 128]));
        assert_eq!(over(red, Rgba([0, 0, 255, 0]), 1.0), red, "a clear pixel leaves what is below");
    }
}
