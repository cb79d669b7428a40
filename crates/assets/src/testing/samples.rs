//! Image files for tests of whatever takes uploads: good ones made with the image crate's
//! own encoders, hostile ones written byte by byte.

use std::io::{Cursor, Write};

use image::{DynamicImage, ImageFormat, RgbaImage};

pub use image::ImageFormat as Format;

/// A `width` x `height` gradient.
pub fn picture(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgba8(RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([(x * 7) as u8, (y * 5) as u8, 128, 255])
    }))
}

/// `image` in `format`.
pub fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    match format {
        // JPEG has no alpha.
        ImageFormat::Jpeg => DynamicImage::ImageRgb8(image.to_rgb8()).write_to(&mut bytes, format),
        _ => image.write_to(&mut bytes, format),
    }
    .expect("encoding to memory cannot fail");
    bytes.into_inner()
}

/// A gradient picture as a file of `format`.
pub fn file(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    encoded(&picture(width, height), format)
}

/// A PNG chunk: length, type, data, CRC of type and data.
pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A decompression bomb: under 100 bytes that claim 100,000 x 100,000 RGBA pixels.
pub fn bomb() -> Vec<u8> {
    let mut bomb = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit RGBA
    bomb.extend(png_chunk(b"IHDR", &ihdr));
    bomb.extend(png_chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    bomb.extend(png_chunk(b"IEND", &[]));
    bomb
}

/// The first half of a valid PNG.
pub fn truncated() -> Vec<u8> {
    let png = file(64, 64, ImageFormat::Png);
    png[..png.len() / 2].to_vec()
}

/// An SVG that runs a script when opened as a page.
pub const SVG_WITH_SCRIPT: &[u8] =
    br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;

/// A GIF header (1x1) with script where the image should be: a polyglot that a lax browser
/// might run as JavaScript, and that decodes as no GIF.
pub const POLYGLOT: &[u8] = b"GIF89a\x01\x00\x01\x00\x00\x00\x00/*=1;alert(document.domain)//*/";

/// A `width` x `height` PNG of noise, which compresses badly: some 4 bytes a pixel.
/// Different seeds give different files.
pub fn noise(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let image = RgbaImage::from_fn(width, height, |x, y| {
        let v = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729) ^ seed.wrapping_mul(15_485_863))
            .wrapping_mul(2_654_435_761);
        image::Rgba([(v >> 24) as u8, (v >> 16) as u8, (v >> 8) as u8, 255])
    });
    encoded(&DynamicImage::ImageRgba8(image), ImageFormat::Png)
}

/// A file of the small Tiled map made for the tests, in tests/fixtures/tiled: `office.tmj`
/// (10x8 tiles of 16 px: walls, two start tiles, a locked meeting room), its tileset
/// `tiles.tsj` and the tileset's image `tiles.png`.
pub fn tiled_fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/tiled/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A zip of `entries` (a name ending in `/` is a folder), deflated.
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        if name.ends_with('/') {
            writer.add_directory(*name, options).expect("zipping in memory");
        } else {
            writer.start_file(*name, options).expect("zipping in memory");
            writer.write_all(bytes).expect("zipping in memory");
        }
    }
    writer.finish().expect("zipping in memory").into_inner()
}
