use serde_json::json;

use crate::helpers::{spawn_app, TestApp, TestUser};

const UNKNOWN_ID: &str = "6a2f41a3-c54c-4ce8-92d2-0324e1c32e22";

async fn map_with_two_desks(app: &TestApp, admin: &TestUser) -> (String, String) {
    let desk = app.create_element(admin, 1, 1, true).await;
    let map = json!({
        "thumbnail": "https://t.com/a.png", "dimensions": "100x200", "name": "office",
        "defaultElements": [{"elementId": desk, "x": 20, "y": 20}, {"elementId": desk, "x": 18, "y": 20}]
    });
    let map_id =
        app.post("/admin/map", Some(&admin.token), map).await.ok()["id"].as_str().unwrap().to_owned();
    (map_id, desk)
}

#[tokio::test]
async fn a_space_from_a_map_has_the_maps_size_and_furniture() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let user = app.user().await;
    let (map_id, desk) = map_with_two_desks(&app, &admin).await;
    let body = json!({"name": "Test", "dimensions": "100x200", "mapId": map_id});
    let space =
        app.post("/space", Some(&user.token), body).await.ok()["spaceId"].as_str().unwrap().to_owned();

    let got = app.get(&format!("/space/{space}"), Some(&user.token)).await.ok();
    assert_eq!(got["dimensions"], "100x200");
    assert_eq!(got["name"], "Test");
    let elements = got["elements"].as_array().unwrap();
    assert_eq!(elements.len(), 2);
    assert_eq!(elements[0]["element"]["id"], desk.as_str());
    assert_eq!(elements[0]["element"]["static"], true);
    assert_eq!((elements[0]["x"].as_i64(), elements[0]["y"].as_i64()), (Some(20), Some(20)));

    let mine = app.get("/space/all", Some(&user.token)).await.ok();
    assert_eq!(
        mine["spaces"],
        json!([{"id": space, "name": "Test", "dimensions": "100x200", "thumbnail": "https://t.com/a.png"}])
    );
}

#[tokio::test]
async fn a_blank_space_needs_only_dimensions() {
    let app = spawn_app().await;
    let user = app.user().await;
    let space = app.create_space(&user, "30x40").await;
    let got = app.get(&format!("/space/{space}"), Some(&user.token)).await.ok();
    assert_eq!(
        (got["dimensions"].as_str(), got["elements"].as_array().map(Vec::len)),
        (Some("30x40"), Some(0))
    );
}

#[tokio::test]
async fn a_space_needs_a_map_or_valid_dimensions() {
    let app = spawn_app().await;
    let user = app.user().await;
    let token = Some(user.token.as_str());
    app.post("/space", token, json!({"name": "Test"})).await.error(400);
    app.post("/space", token, json!({"name": "Test", "mapId": UNKNOWN_ID})).await.error(400);
    app.post("/space", token, json!({"name": "Test", "mapId": "nope"})).await.error(400);
    for dims in ["0x10", "1001x5", "-5x5", "abc", "10x"] {
        app.post("/space", token, json!({"name": "Test", "dimensions": dims})).await.error(400);
    }
    app.post("/space", None, json!({"name": "Test", "dimensions": "10x10"})).await.error(403);
    assert_eq!(app.get("/space/all", token).await.ok()["spaces"], json!([]));
}

#[tokio::test]
async fn only_the_owner_deletes_a_space() {
    let app = spawn_app().await;
    let (owner, other) = (app.user().await, app.user().await);
    let space = app.create_space(&owner, "10x10").await;
    app.delete(&format!("/space/{space}"), Some(&other.token), None).await.error(403);
    app.delete(&format!("/space/{space}"), None, None).await.error(403);
    app.delete(&format!("/space/{space}"), Some(&owner.token), None).await.ok();
    app.delete(&format!("/space/{space}"), Some(&owner.token), None).await.error(400);
    app.get(&format!("/space/{space}"), Some(&owner.token)).await.error(400);
    assert_eq!(app.get("/space/all", Some(&owner.token)).await.ok()["spaces"], json!([]));
}

#[tokio::test]
async fn unknown_or_malformed_space_ids_are_400_and_reading_needs_a_token() {
    let app = spawn_app().await;
    let user = app.user().await;
    app.get(&format!("/space/{UNKNOWN_ID}"), Some(&user.token)).await.error(400);
    app.get("/space/123kasdk01", Some(&user.token)).await.error(400);
    app.delete(&format!("/space/{UNKNOWN_ID}"), Some(&user.token), None).await.error(400);
    let space = app.create_space(&user, "10x10").await;
    app.get(&format!("/space/{space}"), None).await.error(403);
    app.get("/space/all", None).await.error(403);
}

#[tokio::test]
async fn each_user_sees_only_their_own_spaces() {
    let app = spawn_app().await;
    let (a, b) = (app.user().await, app.user().await);
    let a_space = app.create_space(&a, "10x10").await;
    app.create_space(&b, "10x10").await;
    let mine = app.get("/space/all", Some(&a.token)).await.ok();
    let ids: Vec<_> = mine["spaces"].as_array().unwrap().iter().map(|s| s["id"].clone()).collect();
    assert_eq!(ids, vec![json!(a_space)]);
    assert!(mine["spaces"][0]["thumbnail"].is_null());
}
