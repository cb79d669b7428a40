use std::path::Path as FsPath;
use std::sync::Arc;

use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions};

/// Where uploaded images live: a local directory, or an S3-compatible bucket shared by
/// every node. Names are content hashes, so a write never changes what a name holds.
#[derive(Clone)]
pub struct AssetStorage {
    store: Arc<dyn ObjectStore>,
    /// Whether every node can reach it (S3), as a cluster needs.
    shared: bool,
    describe: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("the asset store is not usable: {0}")]
    Config(String),
    #[error("the asset store failed: {0}")]
    Store(#[from] object_store::Error),
}

impl AssetStorage {
    /// A directory, created if missing.
    pub fn local(dir: &FsPath) -> Result<Self, StorageError> {
        std::fs::create_dir_all(dir).map_err(|e| StorageError::Config(format!("{}: {e}", dir.display())))?;
        let store = LocalFileSystem::new_with_prefix(dir).map_err(|e| StorageError::Config(e.to_string()))?;
        Ok(Self {
            store: Arc::new(store),
            shared: false,
            describe: format!("the directory {}", dir.display()),
        })
    }

    /// `s3://bucket/prefix`, with the endpoint, region and credentials from the usual
    /// `AWS_*` variables (`AWS_ENDPOINT`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`, ...).
    pub fn s3(url: &str) -> Result<Self, StorageError> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| StorageError::Config(format!("{url} is not an s3://bucket/prefix address")))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(StorageError::Config(format!("{url} names no bucket")));
        }
        let s3 = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .map_err(|e| StorageError::Config(e.to_string()))?;
        let prefix = prefix.trim_matches('/');
        let store: Arc<dyn ObjectStore> =
            if prefix.is_empty() { Arc::new(s3) } else { Arc::new(PrefixStore::new(s3, prefix)) };
        Ok(Self { store, shared: true, describe: format!("the bucket {url}") })
    }

    pub fn is_shared(&self) -> bool {
        self.shared
    }

    pub fn describe(&self) -> &str {
        &self.describe
    }

    /// Stores `bytes` as `name`; a name already there is left alone (it holds the same
    /// bytes: names are their hashes).
    pub async fn put(&self, name: &str, bytes: Bytes) -> Result<(), StorageError> {
        let options = PutOptions { mode: PutMode::Create, ..PutOptions::default() };
        match self.store.put_opts(&Path::from(name), bytes.into(), options).await {
            Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// The bytes of `name`, or `None` when there is no such asset.
    pub async fn get(&self, name: &str) -> Result<Option<Bytes>, StorageError> {
        match self.store.get(&Path::from(name)).await {
            Ok(found) => Ok(Some(found.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes `name`; one already gone is fine.
    pub async fn delete(&self, name: &str) -> Result<(), StorageError> {
        match self.store.delete(&Path::from(name)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
