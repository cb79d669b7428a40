//! Real files, made here with the image crate's own encoders or written byte by byte:
//! every kind the server takes comes back as a clean PNG, and every hostile kind gets its
//! documented refusal.

use gather_assets::testing::samples::{
    bomb, encoded, picture, png_chunk as chunk, truncated, POLYGLOT, SVG_WITH_SCRIPT,
};
use gather_assets::{normalize, ImageLimits, RefusedImage};
use image::ImageFormat;

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
    let bomb = bomb();
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
    assert!(matches!(normalize(&truncated(), ImageLimits::default()), Err(RefusedImage::Broken(_))));
    assert_eq!(normalize(SVG_WITH_SCRIPT, ImageLimits::default()), Err(RefusedImage::NotAnImage));
    let xml = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>"#;
    assert_eq!(normalize(xml, ImageLimits::default()), Err(RefusedImage::NotAnImage));
    assert!(matches!(normalize(POLYGLOT, ImageLimits::default()), Err(RefusedImage::Broken(_))));
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
