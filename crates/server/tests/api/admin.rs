use serde_json::json;

use crate::helpers::spawn_app;

const UNKNOWN_ID: &str = "6a2f41a3-c54c-4ce8-92d2-0324e1c32e22";

#[tokio::test]
async fn users_are_refused_every_admin_route_before_any_lookup() {
    let app = spawn_app().await;
    let user = app.user().await;
    let token = Some(user.token.as_str());
    let element = json!({"imageUrl": "https://e.com/a.png", "width": 1, "height": 1, "static": true});
    app.post("/admin/element", token, element.clone()).await.error(403);
    app.put(&format!("/admin/element/{UNKNOWN_ID}"), token, json!({"imageUrl": "https://e.com/b.png"}))
        .await
        .error(403);
    app.put("/admin/element/not-even-an-id", token, json!({"imageUrl": "https://e.com/b.png"}))
        .await
        .error(403);
    app.post("/admin/avatar", token, json!({"imageUrl": "https://a.com/a.png", "name": "Timmy"}))
        .await
        .error(403);
    let map = json!({"thumbnail": "https://t.com/a.png", "dimensions": "100x200", "name": "room", "defaultElements": []});
    app.post("/admin/map", token, map.clone()).await.error(403);
    app.post("/admin/map", None, map).await.error(403);
    app.post("/admin/element", None, element).await.error(403);
}

#[tokio::test]
async fn admins_build_the_catalogue_and_anyone_can_read_it() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let token = Some(admin.token.as_str());
    let desk = app.create_element(&admin, 2, 1, true).await;
    app.put(&format!("/admin/element/{desk}"), token, json!({"imageUrl": "https://e.com/desk2.png"}))
        .await
        .ok();
    let avatar = app
        .post("/admin/avatar", token, json!({"imageUrl": "https://a.com/a.png", "name": "Timmy"}))
        .await
        .ok();
    let map = json!({
        "thumbnail": "https://t.com/a.png", "dimensions": "100x200", "name": "100 person interview room",
        "defaultElements": [{"elementId": desk, "x": 20, "y": 20}, {"elementId": desk, "x": 18, "y": 21}]
    });
    let map_id = app.post("/admin/map", token, map).await.ok()["id"].clone();

    let elements = app.get("/elements", None).await.ok();
    assert_eq!(
        elements["elements"],
        json!([{"id": desk, "imageUrl": "https://e.com/desk2.png", "width": 2, "height": 1, "static": true}])
    );
    let avatars = app.get("/avatars", None).await.ok();
    assert_eq!(
        avatars["avatars"],
        json!([{"id": avatar["avatarId"], "imageUrl": "https://a.com/a.png", "name": "Timmy"}])
    );
    let maps = app.get("/maps", None).await.ok();
    assert_eq!(maps["maps"][0]["id"], map_id);
    assert_eq!(maps["maps"][0]["dimensions"], "100x200");
    assert_eq!(maps["maps"][0]["defaultElements"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_map_may_have_no_default_elements() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let map = json!({"thumbnail": "https://t.com/a.png", "dimensions": "10x10", "name": "empty", "defaultElements": []});
    app.post("/admin/map", Some(&admin.token), map).await.ok();
}

#[tokio::test]
async fn updating_an_unknown_element_is_400() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let body = json!({"imageUrl": "https://e.com/b.png"});
    app.put(&format!("/admin/element/{UNKNOWN_ID}"), Some(&admin.token), body.clone()).await.error(400);
    app.put("/admin/element/not-an-id", Some(&admin.token), body).await.error(400);
}

#[tokio::test]
async fn bad_catalogue_input_is_400_and_stores_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let token = Some(admin.token.as_str());
    for element in [
        json!({"imageUrl": "https://e.com/a.png", "width": -1, "height": 1, "static": true}),
        json!({"imageUrl": "https://e.com/a.png", "width": 0, "height": 1, "static": true}),
        json!({"imageUrl": "https://e.com/a.png", "width": "2", "height": 1, "static": true}),
        json!({"imageUrl": "https://e.com/a.png", "width": 1, "height": 1}),
        json!({"imageUrl": "", "width": 1, "height": 1, "static": false}),
        json!({"imageUrl": "javascript:alert(1)", "width": 1, "height": 1, "static": false}),
    ] {
        app.post("/admin/element", token, element).await.error(400);
    }
    assert_eq!(app.get("/elements", None).await.ok()["elements"], json!([]));

    let desk = app.create_element(&admin, 2, 2, true).await;
    for map in [
        json!({"thumbnail": "https://t.com/a.png", "dimensions": "0x10", "name": "m", "defaultElements": []}),
        json!({"thumbnail": "https://t.com/a.png", "dimensions": "ten", "name": "m", "defaultElements": []}),
        json!({"thumbnail": "https://t.com/a.png", "dimensions": "10x10", "name": "", "defaultElements": []}),
        json!({"thumbnail": "https://t.com/a.png", "dimensions": "10x10", "name": "m",
               "defaultElements": [{"elementId": UNKNOWN_ID, "x": 1, "y": 1}]}),
        json!({"thumbnail": "https://t.com/a.png", "dimensions": "10x10", "name": "m",
               "defaultElements": [{"elementId": desk, "x": 9, "y": 9}]}),
        json!({"thumbnail": "https://t.com/a.png", "dimensions": "10x10", "name": "m",
               "defaultElements": [{"elementId": desk, "x": 1, "y": 1}, {"elementId": desk, "x": 2, "y": 2}]}),
    ] {
        app.post("/admin/map", token, map).await.error(400);
    }
    assert_eq!(app.get("/maps", None).await.ok()["maps"], json!([]));
    app.post("/admin/avatar", token, json!({"imageUrl": "https://a.com/a.png"})).await.error(400);
    assert_eq!(app.get("/avatars", None).await.ok()["avatars"], json!([]));
}
