//! Importing the Tiled map made for the tests (crates/assets/tests/fixtures/tiled), loose
//! and zipped: it becomes a map whose spaces have its floor, walls, spawns and meeting room.

use gather_assets::testing::samples::{tiled_fixture, zip};
use serde_json::{json, Value};

use crate::helpers::{multipart, spawn_app, TestApp, TestUser};

/// The map with its tileset and image, as a browser sends them: loose files.
fn loose_office() -> (String, Vec<u8>) {
    let (map, tileset, image) =
        (tiled_fixture("office.tmj"), tiled_fixture("tiles.tsj"), tiled_fixture("tiles.png"));
    multipart(&[
        ("map", Some("office.tmj"), "application/json", &map),
        ("file", Some("tiles.tsj"), "application/json", &tileset),
        ("file", Some("tiles.png"), "image/png", &image),
    ])
}

async fn import(app: &TestApp, admin: &TestUser, form: (String, Vec<u8>)) -> crate::helpers::Reply {
    app.post_form("/admin/map/import", Some(&admin.token), form).await
}

async fn maps(app: &TestApp) -> Vec<Value> {
    app.get("/maps", None).await.ok()["maps"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_tiled_map_becomes_a_map_with_its_floor_walls_spawns_and_meeting_room() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let imported = import(&app, &admin, loose_office()).await.ok();
    assert_eq!(imported["dimensions"], "10x8");
    let warnings: Vec<&str> =
        imported["warnings"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(warnings.iter().any(|w| w.contains("openWebsite")), "unknown properties are told: {warnings:?}");

    let map = maps(&app).await.into_iter().find(|m| m["id"] == imported["id"]).expect("the map is listed");
    assert_eq!(map["name"], "office", "named after its file");
    let floor = map["floorImageUrl"].as_str().expect("a floor image").to_owned();
    let png =
        app.http.get(format!("http://{}{floor}", app.addr)).send().await.unwrap().bytes().await.unwrap();
    let side = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    assert_eq!((side(16), side(20)), (160, 128), "10x8 tiles of 16 px");

    let space =
        app.post("/space", Some(&admin.token), json!({"name": "office", "mapId": imported["id"]})).await.ok();
    let space = space["spaceId"].as_str().unwrap().to_owned();
    let got = app.get(&format!("/space/{space}"), Some(&admin.token)).await.ok();
    assert_eq!(got["floorImageUrl"], floor.as_str());
    let effects = &got["effects"];
    assert!(effects["impassable"].as_array().unwrap().contains(&json!({"x": 5, "y": 4})), "{effects}");
    assert_eq!(effects["areas"][0]["name"], "Meeting room");
    assert_eq!(effects["areas"][0]["locked"], true);

    // Whoever comes in arrives on a start tile.
    let (_ws, joined) = app.ws_join(&space, &admin).await;
    assert!([(2, 6), (7, 6)].contains(&(joined.x, joined.y)), "spawned at {:?}", (joined.x, joined.y));
}

#[tokio::test]
async fn a_zipped_map_imports_like_the_loose_one_under_the_name_given() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (map, tileset, image) =
        (tiled_fixture("office.tmj"), tiled_fixture("tiles.tsj"), tiled_fixture("tiles.png"));
    let archive =
        zip(&[("office/office.tmj", &map), ("office/tiles.tsj", &tileset), ("office/tiles.png", &image)]);
    let form = multipart(&[
        ("map", Some("maps.zip"), "application/zip", &archive),
        ("name", None, "text/plain", b"HQ"),
    ]);
    let zipped = import(&app, &admin, form).await.ok();
    let loose = import(&app, &admin, loose_office()).await.ok();
    let listed = maps(&app).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["name"], "HQ");
    assert_eq!(listed[0]["floorImageUrl"], listed[1]["floorImageUrl"], "the same floor, one asset");
    assert_eq!(zipped["warnings"], loose["warnings"]);
}

#[tokio::test]
async fn a_bad_map_is_refused_with_its_reason_and_adds_nothing() {
    let app = spawn_app().await;
    let (admin, user) = (app.admin().await, app.user().await);
    assert_eq!(import(&app, &user, loose_office()).await.error(403), "forbidden");

    let map = tiled_fixture("office.tmj");
    let tileset = tiled_fixture("tiles.tsj");
    let without_image = multipart(&[
        ("map", Some("office.tmj"), "application/json", &map),
        ("file", Some("tiles.tsj"), "application/json", &tileset),
    ]);
    let reply = import(&app, &admin, without_image).await;
    assert!(reply.body["error"]["message"].as_str().unwrap().contains("tiles.png"), "{}", reply.body);
    assert_eq!(reply.error(400), "invalid-map");

    let not_json = multipart(&[("map", Some("office.tmj"), "application/json", b"<map version=\"1.10\"/>")]);
    assert_eq!(import(&app, &admin, not_json).await.error(400), "invalid-map");
    let mut huge: Value = serde_json::from_slice(&map).unwrap();
    huge["width"] = json!(5000);
    huge["height"] = json!(5000);
    let huge = serde_json::to_vec(&huge).unwrap();
    let form = multipart(&[("map", Some("huge.tmj"), "application/json", &huge)]);
    assert_eq!(import(&app, &admin, form).await.error(400), "map-too-large");
    let no_map = multipart(&[("file", Some("tiles.png"), "image/png", &tiled_fixture("tiles.png"))]);
    assert_eq!(import(&app, &admin, no_map).await.error(400), "missing-file");
    assert!(maps(&app).await.is_empty(), "nothing was added");
}
