use crate::helpers::spawn_app;

#[tokio::test]
async fn everything_written_before_a_restart_is_there_after_it() {
    let mut app = spawn_app().await;
    let admin = app.admin().await;
    let owner = app.user().await;
    let desk = app.create_element(&admin, 1, 1, true).await;
    let space = app.create_space(&owner, "10x10").await;
    app.place(&owner, &space, &desk, 3, 3).await.ok();
    let before = app.get(&format!("/space/{space}"), Some(&owner.token)).await.ok();

    app.restart().await;

    // Old tokens still verify: the signing secret survived too.
    let after = app.get(&format!("/space/{space}"), Some(&owner.token)).await.ok();
    assert_eq!(before, after);
    app.signin(&owner.username, "password1").await.ok();
    let spaces = app.get("/space/all", Some(&owner.token)).await.ok();
    assert_eq!(spaces["spaces"].as_array().unwrap().len(), 1);
    let (_ws, joined) = app.ws_join(&space, &owner).await;
    assert_ne!((joined.x, joined.y), (3, 3), "spawned on the desk");
}
