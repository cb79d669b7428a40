use std::io::Cursor;

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

/// How big an image may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageLimits {
    /// Longest side, in pixels.
    pub max_side: u32,
    /// Most pixels in all (width × height).
    pub max_pixels: u64,
}

impl Default for ImageLimits {
    /// 4096 px a side and 16 megapixels: more than any avatar or piece of furniture needs,
    /// and at most 64 MiB of pixels while decoding.
    fn default() -> Self {
        Self { max_side: 4096, max_pixels: 16 * 1024 * 1024 }
    }
}

/// An image made safe to serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// PNG bytes, with no metadata.
    pub png: Vec<u8>,
    /// Lowercase hex SHA-256 of `png`: the asset's name.
    pub hash: String,
    pub width: u32,
    pub height: u32,
}

/// Why bytes are not an image Gather keeps.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefusedImage {
    #[error("this is not a PNG, JPEG, WebP or GIF image (SVG and other formats are refused)")]
    NotAnImage,
    #[error("the image is damaged or incomplete: {0}")]
    Broken(String),
    #[error(
        "the image is {width}x{height}; at most {max_side} pixels a side and {max_pixels} pixels in all"
    )]
    TooLarge { width: u32, height: u32, max_side: u32, max_pixels: u64 },
}

/// Checks, decodes and re-encodes `bytes`.
pub fn normalize(bytes: &[u8], limits: ImageLimits) -> Result<Normalized, RefusedImage> {
    // The magic bytes decide, and only formats a browser shows are let through.
    let format = image::guess_format(bytes).map_err(|_| RefusedImage::NotAnImage)?;
    if !matches!(format, ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP | ImageFormat::Gif) {
        return Err(RefusedImage::NotAnImage);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut decoding = Limits::default();
    decoding.max_image_width = Some(limits.max_side);
    decoding.max_image_height = Some(limits.max_side);
    // Room for the pixels of the largest image allowed, in 8-bit RGBA, and a little more.
    decoding.max_alloc = Some(limits.max_pixels.saturating_mul(4).saturating_add(1 << 20));
    reader.limits(decoding);
    // The header is read here, and the limits checked, before any pixel is allocated: a
    // small file that claims to be enormous is refused at once.
    let mut decoder = reader.into_decoder().map_err(|e| too_large_or_broken(e, limits))?;
    let (width, height) = decoder.dimensions();
    if width > limits.max_side
        || height > limits.max_side
        || u64::from(width) * u64::from(height) > limits.max_pixels
    {
        return Err(RefusedImage::TooLarge {
            width,
            height,
            max_side: limits.max_side,
            max_pixels: limits.max_pixels,
        });
    }
    // Read before the metadata is left behind, so phone photos stand the right way up.
    let orientation = decoder.orientation().map_err(|e| RefusedImage::Broken(e.to_string()))?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| too_large_or_broken(e, limits))?;
    image.apply_orientation(orientation);
    let mut png = Vec::new();
    let encoder = PngEncoder::new_with_quality(&mut png, CompressionType::Default, FilterType::Adaptive);
    image.write_with_encoder(encoder).map_err(|e| RefusedImage::Broken(e.to_string()))?;
    let hash = hex::encode(Sha256::digest(&png));
    Ok(Normalized { png, hash, width: image.width(), height: image.height() })
}

fn too_large_or_broken(error: image::ImageError, limits: ImageLimits) -> RefusedImage {
    match error {
        image::ImageError::Limits(_) => RefusedImage::TooLarge {
            width: 0,
            height: 0,
            max_side: limits.max_side,
            max_pixels: limits.max_pixels,
        },
        other => RefusedImage::Broken(other.to_string()),
    }
}
