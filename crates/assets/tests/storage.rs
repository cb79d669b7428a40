//! The storage contract, on a real directory and on a real S3-protocol server: `moto`
//! (`moto_server`, from PyPI) started here on a loopback port. Without `moto_server` the S3
//! half is skipped with a message, unless `GATHER_REQUIRE_SERVICES` is set, as in CI.

use bytes::Bytes;
use gather_assets::testing::Moto;
use gather_assets::AssetStorage;

async fn contract(storage: &AssetStorage) {
    let name = "0123abcd.png";
    assert_eq!(storage.get(name).await.unwrap(), None, "nothing there yet");
    storage.put(name, Bytes::from_static(b"first")).await.unwrap();
    assert_eq!(storage.get(name).await.unwrap().as_deref(), Some(&b"first"[..]));
    // Names are content hashes: a second write of a name keeps what is there.
    storage.put(name, Bytes::from_static(b"first")).await.unwrap();
    assert_eq!(storage.get(name).await.unwrap().as_deref(), Some(&b"first"[..]));
    storage.delete(name).await.unwrap();
    assert_eq!(storage.get(name).await.unwrap(), None);
    storage.delete(name).await.unwrap(); // Deleting twice is fine.
}

#[tokio::test]
async fn a_local_directory_keeps_assets() {
    let dir = tempfile::tempdir().unwrap();
    let storage = AssetStorage::local(&dir.path().join("assets")).unwrap();
    assert!(!storage.is_shared(), "a directory is one node's own");
    contract(&storage).await;
}

#[tokio::test]
async fn an_s3_bucket_keeps_assets_under_its_prefix() {
    let Some(moto) = Moto::start() else { return };
    moto.create_bucket("gather-test");
    // The usual variables, as an operator would set them; this test binary's only use of them.
    for (key, value) in moto.env() {
        std::env::set_var(key, value);
    }
    let storage = AssetStorage::s3("s3://gather-test/uploads").unwrap();
    assert!(storage.is_shared());
    contract(&storage).await;
    storage.put("kept.png", Bytes::from_static(b"x")).await.unwrap();
    let listing = moto.request("GET", "/gather-test?list-type=2").expect("moto answers");
    assert!(listing.contains("<Key>uploads/kept.png</Key>"), "stored under the prefix: {listing}");
    assert!(AssetStorage::s3("s3:///nothing").is_err(), "no bucket");
    assert!(AssetStorage::s3("https://example.com/x").is_err(), "not an s3:// address");
}
