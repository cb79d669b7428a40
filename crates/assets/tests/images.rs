//! Real files, made here with the image crate's own encoders or written byte by byte:
//! every kind the server takes comes back as a clean PNG, and every hostile kind gets its
//! documented refusal.

use std::io::Cursor;

use gather_assets::{normalize, ImageLimits, RefusedImage};
use image::{DynamicImage, ImageFormat, RgbaImage};

fn picture(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgba8(RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([(x * 7) as u8, (y * 5) as u8, 128, 255])
    }))
}

fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    match format {
        // JPEG has no alpha.
        ImageFormat::Jpeg => DynamicImage::ImageRgb8(image.to_rgb8()).write_to(&mut bytes, format).unwrap(),
        _ => image.write_to(&mut bytes, format).unwrap(),
    }
    bytes.into_inner()
}

#[test]
fn png_jpeg_webp_and_gif_come_back_as_png_of_the_same_size() {
    let source = picture(40, 30);
    for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP, ImageFormat::Gif] {
        let done = normalize(&encoded(&source, format), ImageLimits::default()).unwrap();
        assert_eq!((done.width, done.height), (40, 30), "{format:?}");
        assert_eq!(image::guess_format(&done.png).unwrap(), ImageFormat::Png, "{format:?}");
        assert_eq!(done.hash.len(), 64);
        assert!(done.hash.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    }
    let png = encoded(&source, ImageFormat::Png);
    assert_eq!(
        normalize(&png, ImageLimits::default()),
        normalize(&png, ImageLimits::default()),
        "same bytes, same name"
    );
}

/// A PNG chunk: length, type, data, CRC of type and data.
fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
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

#[test]
fn metadata_is_dropped() {
    // A valid PNG with a text chunk carrying something that must not be served on.
    let png = encoded(&picture(4, 4), ImageFormat::Png);
    let (head, tail) = png.split_at(33); // signature (8) + IHDR (25)
    let mut with_text = head.to_vec();
    with_text.extend(chunk(b"tEXt", b"Comment\0<script>alert(1)</script>"));
    with_text.extend_from_slice(tail);
    let done = normalize(&with_text, ImageLimits::default()).unwrap();
    assert!(!done.png.windows(6).any(|w| w == b"script"), "the text chunk is gone");
}

#[test]
fn a_tiny_file_claiming_huge_dimensions_is_refused_before_decoding() {
    let mut bomb = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit RGBA
    bomb.extend(chunk(b"IHDR", &ihdr));
    bomb.extend(chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    bomb.extend(chunk(b"IEND", &[]));
    assert!(bomb.len() < 100, "a tiny file");
    assert!(matches!(normalize(&bomb, ImageLimits::default()), Err(RefusedImage::TooLarge { .. })));
    let wide = encoded(&picture(300, 2), ImageFormat::Png);
    let limits = ImageLimits { max_side: 256, max_pixels: 1_000_000 };
    assert!(matches!(normalize(&wide, limits), Err(RefusedImage::TooLarge { .. })), "a side too long");
    let many = encoded(&picture(200, 200), ImageFormat::Png);
    let limits = ImageLimits { max_side: 4096, max_pixels: 30_000 };
    assert!(
        matches!(normalize(&many, limits), Err(RefusedImage::TooLarge { width: 200, height: 200, .. })),
        "too many pixels"
    );
}

#[test]
fn truncated_svg_and_polyglot_files_are_refused() {
    let png = encoded(&picture(64, 64), ImageFormat::Png);
    let truncated = &png[..png.len() / 2];
    assert!(matches!(normalize(truncated, ImageLimits::default()), Err(RefusedImage::Broken(_))));
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
    assert_eq!(normalize(svg, ImageLimits::default()), Err(RefusedImage::NotAnImage));
    let xml = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>"#;
    assert_eq!(normalize(xml, ImageLimits::default()), Err(RefusedImage::NotAnImage));
    // A GIF header (1x1) with script where the image should be: a polyglot that a lax
    // browser might run as JavaScript, and that decodes as no GIF.
    let polyglot = b"GIF89a\x01\x00\x01\x00\x00\x00\x00/*=1;alert(document.domain)//*/";
    assert!(matches!(normalize(polyglot, ImageLimits::default()), Err(RefusedImage::Broken(_))));
    // A real image with a script appended: what is served is the re-encoded pixels alone.
    let mut trailing = png.clone();
    trailing.extend_from_slice(b"<html><script>alert(1)</script></html>");
    let done = normalize(&trailing, ImageLimits::default()).unwrap();
    assert!(!done.png.windows(6).any(|w| w == b"script"));
    for other in [ImageFormat::Bmp, ImageFormat::Tiff] {
        let magic: &[u8] = if other == ImageFormat::Bmp { b"BM\0\0\0\0\0\0\0\0" } else { b"II*\0\0\0\0\0" };
        assert_eq!(normalize(magic, ImageLimits::default()), Err(RefusedImage::NotAnImage), "{other:?}");
    }
    assert_eq!(normalize(b"", ImageLimits::default()), Err(RefusedImage::NotAnImage));
}
