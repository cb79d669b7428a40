//! Demo content, static files and `/me`.

use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn an_empty_server_seeds_a_demo_office_once() {
    let mut app = spawn_app_with(|c| c.no_demo = false).await;
    let avatars = app.get("/avatars", None).await.ok()["avatars"].as_array().unwrap().len();
    let elements = app.get("/elements", None).await.ok()["elements"].as_array().unwrap().len();
    let maps = app.get("/maps", None).await.ok()["maps"].clone();
    assert!(avatars >= 3 && elements >= 3, "{avatars} avatars, {elements} elements");
    assert_eq!(maps.as_array().unwrap().len(), 1);
    assert_eq!(maps[0]["name"], "Demo office");

    let user = app.user().await;
    let space =
        app.post("/space", Some(&user.token), json!({"name": "demo", "mapId": maps[0]["id"]})).await.ok();
    let got =
        app.get(&format!("/space/{}", space["spaceId"].as_str().unwrap()), Some(&user.token)).await.ok();
    assert!(got["elements"].as_array().unwrap().len() > 5);
    assert_eq!(got["effects"]["areas"][0]["name"], "Lounge", "the demo's rules come with it");
    assert_eq!(got["effects"]["spawns"][0]["name"], "door");

    app.restart().await;
    assert_eq!(app.get("/maps", None).await.ok()["maps"].as_array().unwrap().len(), 1, "seeded twice");
}

#[tokio::test]
async fn demo_images_are_served_by_the_server_itself() {
    let app = spawn_app_with(|c| c.no_demo = false).await;
    let avatars = app.get("/avatars", None).await.ok();
    for avatar in avatars["avatars"].as_array().unwrap() {
        let path = avatar["imageUrl"].as_str().unwrap();
        assert!(path.starts_with("/demo/"), "{path}");
        let response = app.http.get(format!("http://{}{path}", app.addr)).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "image/svg+xml");
        assert!(response.text().await.unwrap().starts_with("<svg"));
    }
    let missing = app.http.get(format!("http://{}/demo/nope.svg", app.addr)).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn no_demo_means_an_empty_catalogue() {
    let app = spawn_app().await;
    assert_eq!(app.get("/maps", None).await.ok()["maps"], json!([]));
}

#[tokio::test]
async fn client_routes_load_the_app_and_api_misses_stay_json() {
    let app = spawn_app().await;
    for path in ["/", "/spaces", "/space/abc", "/admin"] {
        let response = app.http.get(format!("http://{}{path}", app.addr)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"), "{path}");
    }
    assert_eq!(app.get("/nope", None).await.error(404), "not-found");
    let asset = app.http.get(format!("http://{}/assets/missing.js", app.addr)).send().await.unwrap();
    assert_eq!(asset.status(), 404);
}

#[tokio::test]
async fn me_says_who_the_token_belongs_to() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let me = app.get("/me", Some(&admin.token)).await.ok();
    assert_eq!(
        me,
        json!({"userId": admin.id, "username": admin.username, "role": "admin", "avatarId": null})
    );
    app.get("/me", None).await.error(403);
}
