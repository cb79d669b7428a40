use gather_server::AdminSignup;
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn signing_up_then_in_gives_a_token_for_the_same_user() {
    let app = spawn_app().await;
    let user_id = app.signup("kirat", "123456", "user").await.ok()["userId"].clone();
    let signin = app.signin("kirat", "123456").await.ok();
    assert_eq!(signin["userId"], user_id);
    assert!(signin["token"].as_str().is_some_and(|t| t.split('.').count() == 3));
}

#[tokio::test]
async fn the_type_defaults_to_user() {
    let app = spawn_app().await;
    app.post("/signup", None, json!({"username": "plain", "password": "123456"})).await.ok();
    let token = app.signin("plain", "123456").await.ok()["token"].as_str().unwrap().to_owned();
    let element = json!({"imageUrl": "https://e.com/a.png", "width": 1, "height": 1, "static": true});
    app.post("/admin/element", Some(&token), element).await.error(403);
}

#[tokio::test]
async fn a_taken_username_is_refused_whatever_its_case() {
    let app = spawn_app().await;
    app.signup("Kirat", "123456", "user").await.ok();
    assert_eq!(app.signup("Kirat", "123456", "user").await.error(400), "username-taken");
    assert_eq!(app.signup("kirat", "abcdef", "admin").await.error(400), "username-taken");
}

#[tokio::test]
async fn empty_missing_or_mistyped_fields_are_400() {
    let app = spawn_app().await;
    for body in [
        json!({"password": "123456", "type": "user"}),
        json!({"username": "", "password": "123456"}),
        json!({"username": "a", "password": ""}),
        json!({"username": "a", "password": "12345"}),
        json!({"username": 5, "password": "123456"}),
        json!({"username": "a", "password": "123456", "type": "god"}),
        json!([]),
    ] {
        app.post("/signup", None, body.clone()).await.error(400);
    }
}

#[tokio::test]
async fn wrong_credentials_are_403_and_do_not_say_which_part_was_wrong() {
    let app = spawn_app().await;
    app.signup("kirat", "123456", "user").await.ok();
    let wrong_password = app.signin("kirat", "654321").await;
    let unknown_user = app.signin("nobody", "123456").await;
    assert_eq!(wrong_password.body, unknown_user.body);
    wrong_password.error(403);
    unknown_user.error(403);
    app.signin("", "").await.error(403);
}

#[tokio::test]
async fn in_first_mode_only_the_first_account_may_make_itself_admin() {
    let app = spawn_app_with(|c| c.admin_signup = AdminSignup::First).await;
    app.signup("founder", "123456", "admin").await.ok();
    assert_eq!(app.signup("intruder", "123456", "admin").await.error(403), "forbidden");
    app.signup("intruder", "123456", "user").await.ok();

    let founder = app.signin("founder", "123456").await.ok()["token"].as_str().unwrap().to_owned();
    let intruder = app.signin("intruder", "123456").await.ok()["token"].as_str().unwrap().to_owned();
    let body = json!({"username": "second-admin", "password": "123456", "type": "admin"});
    app.post("/signup", Some(&intruder), body.clone()).await.error(403);
    app.post("/signup", Some(&founder), body).await.ok();
    app.signin("second-admin", "123456").await.ok();
}

#[tokio::test]
async fn in_first_mode_a_user_first_account_closes_the_door() {
    let app = spawn_app_with(|c| c.admin_signup = AdminSignup::First).await;
    app.signup("someone", "123456", "user").await.ok();
    app.signup("late-admin", "123456", "admin").await.error(403);
}

#[tokio::test]
async fn in_closed_mode_even_the_first_admin_needs_a_token() {
    let app = spawn_app_with(|c| c.admin_signup = AdminSignup::Closed).await;
    app.signup("founder", "123456", "admin").await.error(403);
    app.signup("founder", "123456", "user").await.ok();
}

#[tokio::test]
async fn passwords_are_not_stored_in_clear() {
    let app = spawn_app().await;
    app.signup("kirat", "very-secret-password", "user").await.ok();
    let db = std::fs::read(app.dir.path().join("data/gather.db")).unwrap_or_default();
    let wal = std::fs::read(app.dir.path().join("data/gather.db-wal")).unwrap_or_default();
    let needle = b"very-secret-password";
    for bytes in [db, wal] {
        assert!(!bytes.windows(needle.len()).any(|w| w == needle));
    }
}
