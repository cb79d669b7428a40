//! Uploaded images. [`normalize`] turns bytes someone sent into a safe image or a reason
//! why not: sniffed from the bytes (never the name or declared type), only the formats
//! browsers show, dimensions checked before any pixel is allocated, decoded and re-encoded
//! as PNG (which drops every metadata chunk), and named by the SHA-256 of the result.
//! [`AssetStorage`] keeps them in a local directory or any S3-compatible store.
//! [`import_tiled`] turns a map made in Tiled into a floor image and the space's effects.

mod normalize;
mod storage;
#[cfg(feature = "testing")]
pub mod testing;
mod tiled;

pub use normalize::{normalize, ImageLimits, Normalized, RefusedImage};
pub use storage::{AssetStorage, StorageError};
pub use tiled::{import_tiled, ImportError, ImportLimits, ImportedMap, TiledFiles, ZipLimits};
