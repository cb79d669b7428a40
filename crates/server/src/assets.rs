//! Uploaded images from bytes to a stored, recorded asset, and the sweep of the unused
//! ones. Decoding runs on the blocking pool: a large image takes tens of milliseconds of
//! CPU, which must not stall the sockets sharing a runtime thread.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use gather_assets::{normalize, AssetStorage, ImageLimits, Normalized, RefusedImage, StorageError};
use gather_core::UserId;
use gather_store::{AssetRecord, Store, StoreError};

use crate::clock::Clock;
use crate::config::Config;
use crate::error::ApiError;

/// The path an asset is served at, and which image URLs use to refer to it.
pub fn asset_url(hash: &str) -> String {
    format!("/assets/{hash}.png")
}

/// The hash in a `/assets/<hash>.png` URL, or `None` for any other URL.
pub fn asset_hash(url: &str) -> Option<&str> {
    let name = url.strip_prefix("/assets/")?;
    let hash = name.strip_suffix(".png")?;
    (hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))).then_some(hash)
}

#[derive(Clone)]
pub struct Assets {
    storage: AssetStorage,
    store: Arc<dyn Store>,
    quota_bytes: u64,
    /// How long an upload nothing refers to is kept.
    grace: Duration,
    clock: Clock,
}

impl Assets {
    pub fn new(storage: AssetStorage, store: Arc<dyn Store>, config: &Config, clock: Clock) -> Self {
        Self {
            storage,
            store,
            quota_bytes: config.asset_quota_bytes,
            grace: Duration::from_secs(config.asset_sweep_grace_secs),
            clock,
        }
    }

    /// Checks and re-encodes `bytes` off the runtime threads.
    pub async fn normalize(bytes: Bytes, limits: ImageLimits) -> Result<Normalized, ApiError> {
        let normalized = tokio::task::spawn_blocking(move || normalize(&bytes, limits))
            .await
            .map_err(|e| ApiError::Internal(e.into()))?;
        normalized.map_err(refused)
    }

    /// Stores an image `user` sent, counted against their quota.
    pub async fn upload(&self, user: UserId, bytes: Bytes) -> Result<AssetRecord, ApiError> {
        // Refused before any decoding when the quota is already used up.
        if self.store.uploaded_bytes(user).await? >= self.quota_bytes {
            return Err(StoreError::Limit(gather_store::Limit::AssetQuota(self.quota_bytes)).into());
        }
        let image = Self::normalize(bytes, ImageLimits::default()).await?;
        self.keep(user, image).await
    }

    /// Stores an image already normalised (an imported map's floor), counted against
    /// `user`'s quota. The file is written before the record, so every recorded asset can
    /// be served; a record refused after that (two uploads at once past the quota) leaves
    /// a file no image URL can name until the same bytes come again.
    pub async fn keep(&self, user: UserId, image: Normalized) -> Result<AssetRecord, ApiError> {
        let record = AssetRecord {
            hash: image.hash,
            bytes: image.png.len() as u64,
            width: image.width,
            height: image.height,
        };
        self.storage.put(&file_name(&record.hash), Bytes::from(image.png)).await.map_err(unavailable)?;
        self.store.record_upload(user, &record, self.quota_bytes).await?;
        Ok(record)
    }

    /// The stored bytes of `hash`, if there is such an asset.
    pub async fn read(&self, hash: &str) -> Result<Option<Bytes>, ApiError> {
        self.storage.get(&file_name(hash)).await.map_err(unavailable)
    }

    /// Removes the assets uploaded longer than the grace period ago that nothing refers
    /// to; how many. The records go first: an asset whose file outlives its record is never
    /// named again, where a record without its file would be a broken image.
    pub async fn sweep(&self) -> Result<u32, ApiError> {
        let grace_ms = i64::try_from(self.grace.as_millis()).unwrap_or(i64::MAX);
        let cutoff = self.clock.unix_ms().saturating_sub(grace_ms);
        let hashes = self.store.sweep_assets(cutoff).await?;
        for hash in &hashes {
            self.storage.delete(&file_name(hash)).await.map_err(unavailable)?;
        }
        Ok(u32::try_from(hashes.len()).unwrap_or(u32::MAX))
    }

    /// Whether an image URL that names an asset names one that exists: a URL to another
    /// host, or to another path here, is the admin's own business.
    pub async fn check_reference(&self, field: &str, url: &str) -> Result<(), ApiError> {
        if !url.starts_with("/assets/") {
            return Ok(());
        }
        let known = match asset_hash(url) {
            Some(hash) => self.store.asset(hash).await?.is_some(),
            None => false,
        };
        if known {
            Ok(())
        } else {
            Err(ApiError::bad_request("unknown-asset", format!("{field} names no uploaded image")))
        }
    }
}

fn file_name(hash: &str) -> String {
    format!("{hash}.png")
}

fn unavailable(error: StorageError) -> ApiError {
    ApiError::Unavailable(error.into())
}

fn refused(error: RefusedImage) -> ApiError {
    let code = match error {
        RefusedImage::NotAnImage => "not-an-image",
        RefusedImage::Broken(_) => "bad-image",
        RefusedImage::TooLarge { .. } => "image-too-large",
    };
    ApiError::bad_request(code, error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_asset_paths_name_an_asset() {
        let hash = "a".repeat(64);
        assert_eq!(asset_hash(&asset_url(&hash)), Some(hash.as_str()));
        assert_eq!(asset_hash(&format!("/assets/{}.png", "A".repeat(64))), None, "lowercase only");
        assert_eq!(asset_hash(&format!("/assets/{}.svg", hash)), None);
        assert_eq!(asset_hash(&format!("/assets/../{}.png", &hash[3..])), None);
        assert_eq!(asset_hash("https://example.com/assets/x.png"), None);
    }
}
