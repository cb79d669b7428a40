//! People inside a space see furniture changes and the space's deletion at once.

use gather_protocol::ServerFrame;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn placed_furniture_appears_and_blocks_at_once() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let owner = app.user().await;
    let desk = app.create_element(&admin, 1, 1, true).await;
    let space = app.create_space(&owner, "2x1").await;
    let (mut ws, at) = app.ws_join(&space, &owner).await;
    let other = 1 - at.x;

    let placed = app.place(&owner, &space, &desk, other, 0).await.ok()["id"].as_str().unwrap().to_owned();
    match ws.next().await {
        ServerFrame::ElementAdded { id, element, x, y } => {
            assert_eq!((id.to_string(), x, y), (placed.clone(), other, 0));
            assert_eq!((element.id.to_string(), element.solid), (desk.clone(), true));
        }
        frame => panic!("expected element-added, got {frame:?}"),
    }
    ws.send_move(other, 0).await;
    assert_eq!(ws.next().await, ServerFrame::MovementRejected { x: at.x, y: 0 });

    app.delete("/space/element", Some(&owner.token), Some(json!({"id": placed}))).await.ok();
    assert_eq!(ws.next().await, ServerFrame::ElementRemoved { id: placed.parse().unwrap() });
    ws.send_move(other, 0).await;
    assert_eq!(ws.sync_at().await, (vec![], (other, 0)), "the tile is free again");
}

#[tokio::test]
async fn deleting_a_space_tells_everyone_inside_and_lets_them_go() {
    let app = spawn_app().await;
    let (owner, guest) = (app.user().await, app.user().await);
    let space = app.create_space(&owner, "10x10").await;
    let (mut a, _) = app.ws_join(&space, &owner).await;
    let (mut b, _) = app.ws_join(&space, &guest).await;
    a.next().await; // user-joined

    app.delete(&format!("/space/{space}"), Some(&owner.token), None).await.ok();
    let closed = ServerFrame::SpaceClosed { space_id: space.parse().unwrap() };
    assert_eq!(a.next().await, closed);
    assert_eq!(b.next().await, closed);
    assert_eq!(a.expect_close().await, Some(4002));
    assert_eq!(b.expect_close().await, Some(4002));

    let mut late = app.ws().await;
    late.join(&space, &guest.token).await;
    assert!(matches!(late.next().await, ServerFrame::Error { code, .. } if code == "unknown-space"));
}
