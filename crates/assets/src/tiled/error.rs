//! Why a Tiled map was not imported, in words for the person who uploaded it.

use gather_core::EffectsError;

use crate::RefusedImage;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the map is not JSON: {0}")]
    NotJson(String),
    /// JSON, but not a map Tiled would write, or one at odds with itself.
    #[error("the map cannot be read: {0}")]
    BadMap(String),
    #[error("not supported: {0}")]
    Unsupported(String),
    #[error("too large: {0}")]
    TooLarge(String),
    #[error("the map needs \"{0}\", which was not uploaded with it")]
    MissingFile(String),
    #[error("several uploaded files are named \"{0}\"; upload the map as a zip of its folder instead")]
    AmbiguousFile(String),
    /// Files are never fetched on a map's behalf: that would let a map make the server
    /// reach any address.
    #[error("the map refers to \"{0}\" elsewhere; Gather never fetches files for a map, so upload it too")]
    RemoteFile(String),
    #[error("\"{file}\" cannot be used: {reason}")]
    BadImage {
        file: String,
        #[source]
        reason: RefusedImage,
    },
    #[error("the zip cannot be read: {0}")]
    BadZip(String),
    #[error("the map's effects cannot be kept: {0}")]
    Effects(#[from] EffectsError),
}
