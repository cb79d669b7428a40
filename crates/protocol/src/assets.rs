//! Bodies of the asset routes: uploads, people's own avatars, Tiled map imports and the
//! sweep of unused assets. Additions to the contract.

use gather_core::MapId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An uploaded image, as stored: re-encoded as PNG and named by its SHA-256.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AssetBody {
    /// Lowercase hex SHA-256 of the stored bytes.
    pub id: String,
    /// Where it is served, for any `imageUrl`, `thumbnail` or `floorImageUrl`.
    pub url: String,
    pub width: u32,
    pub height: u32,
    /// Size of the stored PNG.
    pub bytes: u64,
}

/// A Tiled map made into a Gather map.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportMapResponse {
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub id: MapId,
    /// `WIDTHxHEIGHT` in tiles.
    pub dimensions: String,
    /// What the map held that Gather does not use (properties, layer and object kinds).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SweepResponse {
    /// How many unused assets were removed.
    pub removed: u32,
}
