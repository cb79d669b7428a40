use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn choosing_an_avatar_shows_in_bulk_metadata() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let user = app.user().await;
    let avatar = app
        .post(
            "/admin/avatar",
            Some(&admin.token),
            json!({"imageUrl": "https://a.com/fox.png", "name": "Fox"}),
        )
        .await
        .ok()["avatarId"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post("/user/metadata", Some(&user.token), json!({"avatarId": avatar})).await.ok();

    let listed = app.get(&format!("/user/metadata/bulk?ids=[{},{}]", user.id, admin.id), None).await.ok();
    let avatars = listed["avatars"].as_array().unwrap();
    assert_eq!(avatars.len(), 2);
    let mine = avatars.iter().find(|a| a["userId"] == user.id.as_str()).unwrap();
    assert_eq!(mine["imageUrl"], "https://a.com/fox.png");
    assert_eq!(mine["username"], user.username.as_str());
    let admins = avatars.iter().find(|a| a["userId"] == admin.id.as_str()).unwrap();
    assert!(admins["imageUrl"].is_null(), "no avatar chosen: {admins}");
}

#[tokio::test]
async fn an_unknown_avatar_is_400_and_no_token_is_403() {
    let app = spawn_app().await;
    let user = app.user().await;
    app.post("/user/metadata", Some(&user.token), json!({"avatarId": "123123123"})).await.error(400);
    let unknown = "6a2f41a3-c54c-fce8-32d2-0324e1c32e22";
    app.post("/user/metadata", Some(&user.token), json!({"avatarId": unknown})).await.error(400);
    app.post("/user/metadata", None, json!({"avatarId": unknown})).await.error(403);
    app.post("/user/metadata", Some("garbage"), json!({"avatarId": unknown})).await.error(403);
}

#[tokio::test]
async fn bulk_metadata_accepts_every_spelling_and_omits_unknown_ids() {
    let app = spawn_app().await;
    let (a, b) = (app.user().await, app.user().await);
    for query in [
        format!("ids=[{},{}]", a.id, b.id),
        format!("ids={},{}", a.id, b.id),
        format!("ids={}&ids={}", a.id, b.id),
        format!("ids=[{},{},6a2f41a3-c54c-fce8-32d2-0324e1c32e22,nonsense]", a.id, b.id),
    ] {
        let listed = app.get(&format!("/user/metadata/bulk?{query}"), None).await.ok();
        assert_eq!(listed["avatars"].as_array().unwrap().len(), 2, "{query}");
    }
    let empty = app.get("/user/metadata/bulk", None).await.ok();
    assert_eq!(empty["avatars"], json!([]));
}

#[tokio::test]
async fn bulk_metadata_refuses_more_than_a_hundred_ids() {
    let app = spawn_app().await;
    let ids: Vec<String> = (0..101).map(|i| format!("00000000-0000-4000-8000-{i:012}")).collect();
    let code = app.get(&format!("/user/metadata/bulk?ids=[{}]", ids.join(",")), None).await.error(400);
    assert_eq!(code, "too-many-ids");
}
