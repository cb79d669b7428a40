use serde_json::json;

use crate::helpers::spawn_app;

const UNKNOWN_ID: &str = "6a2f41a3-c54c-4ce8-92d2-0324e1c32e22";

#[tokio::test]
async fn the_owner_adds_and_removes_furniture() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let owner = app.user().await;
    let chair = app.create_element(&admin, 1, 1, false).await;
    let space = app.create_space(&owner, "100x200").await;

    let first = app.place(&owner, &space, &chair, 50, 20).await.ok()["id"].as_str().unwrap().to_owned();
    let second = app.place(&owner, &space, &chair, 10, 10).await.ok()["id"].as_str().unwrap().to_owned();
    let elements = |v: serde_json::Value| v["elements"].as_array().unwrap().len();
    assert_eq!(elements(app.get(&format!("/space/{space}"), Some(&owner.token)).await.ok()), 2);

    app.delete("/space/element", Some(&owner.token), Some(json!({"id": first}))).await.ok();
    app.delete(&format!("/space/element/{second}"), Some(&owner.token), None).await.ok();
    assert_eq!(elements(app.get(&format!("/space/{space}"), Some(&owner.token)).await.ok()), 0);
    app.delete("/space/element", Some(&owner.token), Some(json!({"id": first}))).await.error(400);
}

#[tokio::test]
async fn furniture_must_fit_and_not_overlap_solid_pieces() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let owner = app.user().await;
    let desk = app.create_element(&admin, 2, 2, true).await;
    let rug = app.create_element(&admin, 3, 3, false).await;
    let space = app.create_space(&owner, "10x10").await;

    app.place(&owner, &space, &desk, 0, 0).await.ok();
    assert_eq!(app.place(&owner, &space, &rug, 1, 1).await.error(400), "invalid-placement");
    assert_eq!(app.place(&owner, &space, &desk, 10000, 210000).await.error(400), "invalid-position");
    app.place(&owner, &space, &desk, 9, 9).await.error(400);
    app.place(&owner, &space, &desk, -1, 5).await.error(400);
    app.place(&owner, &space, &rug, 5, 5).await.ok();
    app.place(&owner, &space, &rug, 6, 6).await.ok();
    let got = app.get(&format!("/space/{space}"), Some(&owner.token)).await.ok();
    assert_eq!(got["elements"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn only_the_owner_changes_furniture() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (owner, other) = (app.user().await, app.user().await);
    let chair = app.create_element(&admin, 1, 1, false).await;
    let space = app.create_space(&owner, "10x10").await;
    app.place(&other, &space, &chair, 1, 1).await.error(403);
    let placed = app.place(&owner, &space, &chair, 1, 1).await.ok()["id"].as_str().unwrap().to_owned();
    app.delete("/space/element", Some(&other.token), Some(json!({"id": placed}))).await.error(403);
    app.delete(&format!("/space/element/{placed}"), Some(&other.token), None).await.error(403);
    app.delete(&format!("/space/element/{placed}"), None, None).await.error(403);
}

#[tokio::test]
async fn unknown_ids_are_400() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let owner = app.user().await;
    let chair = app.create_element(&admin, 1, 1, false).await;
    let space = app.create_space(&owner, "10x10").await;
    app.place(&owner, UNKNOWN_ID, &chair, 1, 1).await.error(400);
    app.place(&owner, &space, UNKNOWN_ID, 1, 1).await.error(400);
    app.place(&owner, &space, "chair", 1, 1).await.error(400);
    app.delete("/space/element", Some(&owner.token), Some(json!({"id": UNKNOWN_ID}))).await.error(400);
    app.delete("/space/element/not-an-id", Some(&owner.token), None).await.error(400);
    app.delete("/space/element", Some(&owner.token), Some(json!({}))).await.error(400);
}

#[tokio::test]
async fn each_space_from_a_map_owns_its_copy() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let owner = app.user().await;
    let desk = app.create_element(&admin, 1, 1, true).await;
    let map = json!({"thumbnail": "https://t.com/a.png", "dimensions": "10x10", "name": "m",
                     "defaultElements": [{"elementId": desk, "x": 3, "y": 3}]});
    let map_id = app.post("/admin/map", Some(&admin.token), map).await.ok()["id"].clone();
    let create = || app.post("/space", Some(&owner.token), json!({"name": "s", "mapId": map_id}));
    let a = create().await.ok()["spaceId"].as_str().unwrap().to_owned();
    let b = create().await.ok()["spaceId"].as_str().unwrap().to_owned();

    let a_desk = app.get(&format!("/space/{a}"), Some(&owner.token)).await.ok()["elements"][0]["id"].clone();
    app.delete("/space/element", Some(&owner.token), Some(json!({"id": a_desk}))).await.ok();
    let b_elements = app.get(&format!("/space/{b}"), Some(&owner.token)).await.ok()["elements"].clone();
    assert_eq!(b_elements.as_array().unwrap().len(), 1);
    assert_ne!(b_elements[0]["id"], a_desk);
}
