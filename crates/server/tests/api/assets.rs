//! Uploads with real files, good and hostile, on both asset stores: a directory (the server
//! in this process) and a real S3-protocol server (`moto`, with a `gather` process pointed
//! at it through the usual `AWS_*` variables). Each case runs on both.

use gather_assets::testing::samples::{bomb, file, noise, truncated, Format, POLYGLOT, SVG_WITH_SCRIPT};
use gather_assets::testing::Moto;
use serde_json::{json, Value};

use crate::helpers::{multipart, spawn_app_with, spawn_process, TestApp, TestUser};

const MAX_BYTES: usize = 256 * 1024;
const QUOTA_BYTES: u64 = 64 * 1024;
const BUCKET: &str = "gather-assets";

/// Where the server under test keeps its files, to count them.
enum Backing {
    Directory,
    Bucket(Moto),
}

struct Subject {
    app: TestApp,
    backing: Backing,
}

impl Subject {
    async fn local() -> Self {
        let app = spawn_app_with(|config| {
            config.asset_max_bytes = MAX_BYTES;
            config.asset_quota_bytes = QUOTA_BYTES;
            config.asset_sweep_grace_secs = 0;
            config.asset_sweep_interval_secs = 0;
        })
        .await;
        Self { app, backing: Backing::Directory }
    }

    /// `None` (the test is skipped, with a message) where `moto_server` is not installed.
    fn s3() -> Option<Self> {
        let moto = Moto::start()?;
        moto.create_bucket(BUCKET);
        let mut env = moto.env();
        env.extend([
            ("GATHER_ASSET_STORE", format!("s3://{BUCKET}/uploads")),
            ("GATHER_ASSET_MAX_BYTES", MAX_BYTES.to_string()),
            ("GATHER_ASSET_QUOTA_BYTES", QUOTA_BYTES.to_string()),
            ("GATHER_ASSET_SWEEP_GRACE_SECS", "0".to_owned()),
            ("GATHER_ASSET_SWEEP_INTERVAL_SECS", "0".to_owned()),
        ]);
        Some(Self { app: spawn_process(&env), backing: Backing::Bucket(moto) })
    }

    /// How many files the asset store holds.
    fn stored(&self) -> usize {
        match &self.backing {
            Backing::Directory => std::fs::read_dir(self.app.dir.path().join("data/assets"))
                .map(|dir| dir.filter_map(Result::ok).filter(|e| e.path().is_file()).count())
                .unwrap_or(0),
            Backing::Bucket(moto) => {
                let listing = moto.request("GET", &format!("/{BUCKET}?list-type=2")).expect("moto answers");
                listing.matches("<Key>uploads/").count()
            }
        }
    }
}

macro_rules! on_both_stores {
    ($($test:ident),* $(,)?) => {
        mod local_directory {
            $(#[tokio::test]
            async fn $test() {
                super::$test(&super::Subject::local().await).await;
            })*
        }
        mod s3_bucket {
            $(#[tokio::test]
            async fn $test() {
                let Some(subject) = super::Subject::s3() else { return };
                super::$test(&subject).await;
            })*
        }
    };
}

on_both_stores!(
    good_images_are_stored_as_png_named_by_their_hash_and_cached_for_good,
    hostile_files_get_their_documented_refusal_and_nothing_is_stored,
    an_image_counts_once_against_the_quota_and_the_quota_holds,
    a_person_wears_an_avatar_of_their_own_that_nobody_else_can_take,
    the_sweep_removes_unused_uploads_and_keeps_what_is_referred_to,
    a_map_floor_image_is_copied_into_its_spaces,
);

async fn upload(
    app: &TestApp,
    user: &TestUser,
    name: &str,
    declared: &str,
    bytes: &[u8],
) -> crate::helpers::Reply {
    app.post_form("/assets", Some(&user.token), multipart(&[("file", Some(name), declared, bytes)])).await
}

async fn uploaded(app: &TestApp, user: &TestUser, bytes: &[u8]) -> Value {
    upload(app, user, "picture.png", "image/png", bytes).await.ok()
}

async fn fetch(app: &TestApp, url: &str, if_none_match: Option<&str>) -> reqwest::Response {
    let mut request = app.http.get(format!("http://{}{url}", app.addr));
    if let Some(tag) = if_none_match {
        request = request.header("if-none-match", tag);
    }
    request.send().await.expect("the server answers")
}

async fn good_images_are_stored_as_png_named_by_their_hash_and_cached_for_good(subject: &Subject) {
    let app = &subject.app;
    let user = app.user().await;
    let mut ids = std::collections::BTreeSet::new();
    for (format, declared) in [
        (Format::Png, "image/png"),
        (Format::Jpeg, "image/jpeg"),
        (Format::WebP, "image/webp"),
        (Format::Gif, "image/gif"),
    ] {
        let asset = upload(app, &user, "photo", declared, &file(40, 30, format)).await.ok();
        assert_eq!((asset["width"].as_u64(), asset["height"].as_u64()), (Some(40), Some(30)), "{format:?}");
        let id = asset["id"].as_str().unwrap();
        ids.insert(id.to_owned());
        assert_eq!(asset["url"], format!("/assets/{id}.png"));
        let served = fetch(app, asset["url"].as_str().unwrap(), None).await;
        assert_eq!(served.status(), 200);
        let header = |name: &str| served.headers()[name].to_str().unwrap().to_owned();
        assert_eq!(header("content-type"), "image/png");
        assert_eq!(header("etag"), format!("\"{id}\""));
        assert_eq!(header("x-content-type-options"), "nosniff");
        assert!(header("cache-control").contains("immutable"), "{}", header("cache-control"));
        let bytes = served.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{format:?} is served as PNG");
        assert_eq!(bytes.len() as u64, asset["bytes"].as_u64().unwrap());
        let again = fetch(app, asset["url"].as_str().unwrap(), Some(&format!("\"{id}\""))).await;
        assert_eq!(again.status(), 304, "a cached copy is still good");
    }
    // The same picture again is the same asset.
    let png = file(40, 30, Format::Png);
    assert_eq!(uploaded(app, &user, &png).await["id"], uploaded(app, &user, &png).await["id"]);
    // Lossless WebP holds the very pixels of the PNG, so both are one asset: one file each
    // for the PNG, the JPEG and the (palette) GIF.
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert_eq!(subject.stored(), 3);
    let unknown = format!("/assets/{}.png", "0".repeat(64));
    assert_eq!(fetch(app, &unknown, None).await.status(), 404);
    assert_eq!(fetch(app, "/assets/../gather.db", None).await.status(), 404);
    assert_eq!(fetch(app, "/assets/not-a-hash.png", None).await.status(), 404);
}

type Refusal = (&'static str, &'static str, &'static str, Vec<u8>, u16, &'static str);

async fn hostile_files_get_their_documented_refusal_and_nothing_is_stored(subject: &Subject) {
    let app = &subject.app;
    let user = app.user().await;
    // File name, declared type, what it is, bytes, status and error code.
    let refusals: [Refusal; 7] = [
        ("truncated.png", "image/png", "a truncated file", truncated(), 400, "bad-image"),
        ("cat.png", "image/png", "an SVG whose name lies", SVG_WITH_SCRIPT.to_vec(), 400, "not-an-image"),
        ("x.svg", "image/svg+xml", "an SVG with script", SVG_WITH_SCRIPT.to_vec(), 400, "not-an-image"),
        ("a.gif", "image/gif", "a GIF/JavaScript polyglot", POLYGLOT.to_vec(), 400, "bad-image"),
        ("bomb.png", "image/png", "a decompression bomb", bomb(), 400, "image-too-large"),
        (
            "notes.png",
            "image/png",
            "text named like an image",
            b"just some words".to_vec(),
            400,
            "not-an-image",
        ),
        ("big.png", "image/png", "a file over the cap", vec![0x89; MAX_BYTES + 1], 413, "too-large"),
    ];
    for (name, declared, what, bytes, status, code) in refusals {
        assert_eq!(upload(app, &user, name, declared, &bytes).await.error(status), code, "{what}");
    }
    let no_file = multipart(&[("picture", Some("a.png"), "image/png", &file(4, 4, Format::Png))]);
    assert_eq!(app.post_form("/assets", Some(&user.token), no_file).await.error(400), "missing-file");
    assert_eq!(app.post("/assets", Some(&user.token), json!({"file": "x"})).await.error(400), "invalid-body");
    let anonymous = multipart(&[("file", Some("a.png"), "image/png", &file(4, 4, Format::Png))]);
    assert_eq!(app.post_form("/assets", None, anonymous).await.error(403), "forbidden");
    assert_eq!(subject.stored(), 0, "nothing refused was kept");
    // Nor recorded: a good upload afterwards is the only thing the sweep finds.
    uploaded(app, &user, &file(4, 4, Format::Png)).await;
    let admin = app.admin().await;
    assert_eq!(app.post("/admin/assets/sweep", Some(&admin.token), json!({})).await.ok()["removed"], 1);
}

async fn an_image_counts_once_against_the_quota_and_the_quota_holds(subject: &Subject) {
    let app = &subject.app;
    let user = app.user().await;
    let noisy = |seed| noise(64, 64, seed);
    let mut used = 0;
    let mut seed = 0;
    let refused = loop {
        let reply = upload(app, &user, "n.png", "image/png", &noisy(seed)).await;
        if reply.status != 200 {
            break reply;
        }
        used += reply.body["bytes"].as_u64().unwrap();
        // The same image again costs nothing.
        assert_eq!(upload(app, &user, "n.png", "image/png", &noisy(seed)).await.status, 200);
        seed += 1;
        assert!(seed < 100, "the quota never ran out");
    };
    assert!(used <= QUOTA_BYTES && used > QUOTA_BYTES / 2, "{used}");
    assert_eq!(refused.error(409), "limit-reached");
    // Someone else's quota is their own.
    let other = app.user().await;
    uploaded(app, &other, &noisy(0)).await;
}

async fn a_person_wears_an_avatar_of_their_own_that_nobody_else_can_take(subject: &Subject) {
    let app = &subject.app;
    let (ann, bob) = (app.user().await, app.user().await);
    let url = uploaded(app, &ann, &file(32, 32, Format::Png)).await["url"].as_str().unwrap().to_owned();
    let made = app.post("/user/avatars", Some(&ann.token), json!({"name": "Me", "imageUrl": url})).await.ok();
    let avatar = made["avatarId"].as_str().unwrap().to_owned();
    let mine = app.get("/user/avatars", Some(&ann.token)).await.ok();
    assert_eq!(mine["avatars"], json!([{"id": avatar, "name": "Me", "imageUrl": url}]));
    assert_eq!(app.get("/avatars", None).await.ok()["avatars"], json!([]), "not in the shared list");
    assert_eq!(app.get("/user/avatars", Some(&bob.token)).await.ok()["avatars"], json!([]));

    app.post("/user/metadata", Some(&ann.token), json!({"avatarId": avatar})).await.ok();
    let labels = app.get(&format!("/user/metadata/bulk?ids=[{}]", ann.id), None).await.ok();
    assert_eq!(labels["avatars"][0]["imageUrl"], url, "everyone sees it by her name");
    let taken = app.post("/user/metadata", Some(&bob.token), json!({"avatarId": avatar})).await;
    assert_eq!(taken.error(400), "unknown-id");

    let elsewhere = json!({"name": "Tracker", "imageUrl": "https://example.com/pixel.png"});
    assert_eq!(app.post("/user/avatars", Some(&ann.token), elsewhere).await.error(400), "invalid-url");
    let unknown = json!({"name": "Ghost", "imageUrl": format!("/assets/{}.png", "e".repeat(64))});
    assert_eq!(app.post("/user/avatars", Some(&ann.token), unknown).await.error(400), "unknown-asset");

    let path = format!("/user/avatars/{avatar}");
    assert_eq!(app.delete(&path, Some(&bob.token), None).await.error(400), "unknown-id");
    app.delete(&path, Some(&ann.token), None).await.ok();
    assert_eq!(app.get("/me", Some(&ann.token)).await.ok()["avatarId"], Value::Null, "she wears none now");
}

async fn the_sweep_removes_unused_uploads_and_keeps_what_is_referred_to(subject: &Subject) {
    let app = &subject.app;
    let (admin, user) = (app.admin().await, app.user().await);
    let kept = uploaded(app, &user, &file(8, 8, Format::Png)).await["url"].as_str().unwrap().to_owned();
    let element = json!({"imageUrl": kept, "width": 1, "height": 1, "static": true});
    app.post("/admin/element", Some(&admin.token), element).await.ok();
    let unused = uploaded(app, &user, &file(9, 9, Format::Png)).await["url"].as_str().unwrap().to_owned();
    assert_eq!(app.post("/admin/assets/sweep", Some(&user.token), json!({})).await.error(403), "forbidden");
    assert_eq!(app.post("/admin/assets/sweep", Some(&admin.token), json!({})).await.ok()["removed"], 1);
    assert_eq!(fetch(app, &unused, None).await.status(), 404);
    assert_eq!(fetch(app, &kept, None).await.status(), 200);
    assert_eq!(subject.stored(), 1);
    // A swept image can be uploaded again.
    assert_eq!(uploaded(app, &user, &file(9, 9, Format::Png)).await["url"], unused);
    assert_eq!(fetch(app, &unused, None).await.status(), 200);
}

async fn a_map_floor_image_is_copied_into_its_spaces(subject: &Subject) {
    let app = &subject.app;
    let admin = app.admin().await;
    let floor = uploaded(app, &admin, &file(160, 80, Format::Png)).await["url"].as_str().unwrap().to_owned();
    let map = |floor: &str| json!({"name": "Floor", "dimensions": "10x5", "thumbnail": floor, "floorImageUrl": floor, "defaultElements": []});
    let missing = format!("/assets/{}.png", "a".repeat(64));
    assert_eq!(app.post("/admin/map", Some(&admin.token), map(&missing)).await.error(400), "unknown-asset");
    let id =
        app.post("/admin/map", Some(&admin.token), map(&floor)).await.ok()["id"].as_str().unwrap().to_owned();
    let maps = app.get("/maps", None).await.ok();
    assert_eq!(maps["maps"][0]["floorImageUrl"], floor);
    let space = app.post("/space", Some(&admin.token), json!({"name": "s", "mapId": id})).await.ok();
    let got =
        app.get(&format!("/space/{}", space["spaceId"].as_str().unwrap()), Some(&admin.token)).await.ok();
    assert_eq!(got["floorImageUrl"], floor);
    let blank = app.create_space(&admin, "4x4").await;
    let got = app.get(&format!("/space/{blank}"), Some(&admin.token)).await.ok();
    assert!(got.get("floorImageUrl").is_none(), "a blank space has no floor image: {got}");
}
